// Notifications (/app/notifications): the organization's channels (admins
// and owners add, test, pause and delete them; everyone reads) and the
// delivery log with its dead letters. Data from the API is text only.
import { errorText, startPage } from "../layout.js";
import { clear, fill, h, setText } from "../dom.js";
import { formatDate } from "../format.js";

const CHANNELS = "/api/v1/notification-channels";
const TYPES = { email: "E-mail", slack: "Slack", discord: "Discord", teams: "Teams", webhook: "Webhook" };
const STATUS_CLASS = {
	sent: "text-bg-success",
	retrying: "text-bg-warning",
	pending: "text-bg-secondary",
	dead: "text-bg-danger",
	suppressed: "text-bg-dark",
};

let ctx = null;
let channelNames = {};

function destination(ch) {
	if (ch.type === "email") {
		return (ch.config.to || []).join(", ");
	}
	return ch.config.url || "";
}

function actionButton(label, cls, onClick) {
	return h("button", { type: "button", class: `btn btn-sm ${cls}`, text: label, on: { click: onClick } });
}

async function sendTest(ch) {
	const r = await ctx.api("POST", `${CHANNELS}/${ch.id}/test`);
	if (!r.ok) {
		ctx.flash("danger", errorText(r, "The test notification"));
		return;
	}
	ctx.flash("success", `Test notification queued for "${ch.name}" (event ${r.body.event_id}).`);
	// The worker sends it in a moment: show the log twice on the way.
	setTimeout(loadLog, 1500);
	setTimeout(loadLog, 5000);
}

async function setEnabled(ch, enabled) {
	const r = await ctx.api("PATCH", `${CHANNELS}/${ch.id}`, { body: { enabled } });
	if (!r.ok) {
		ctx.flash("danger", errorText(r, "Changing the channel"));
		return;
	}
	await loadChannels();
}

async function remove(ch) {
	if (!window.confirm(`Delete the channel "${ch.name}"? Its delivery log stays.`)) {
		return;
	}
	const r = await ctx.api("DELETE", `${CHANNELS}/${ch.id}`);
	if (!r.ok) {
		ctx.flash("danger", errorText(r, "Deleting the channel"));
		return;
	}
	ctx.flash("success", `Channel "${ch.name}" deleted.`);
	await loadChannels();
}

function channelRow(ch, editor) {
	const actions = editor
		? [
				actionButton("Send test", "btn-outline-primary", () => sendTest(ch)),
				actionButton(ch.enabled ? "Pause" : "Resume", "btn-outline-secondary", () => setEnabled(ch, !ch.enabled)),
				actionButton("Delete", "btn-outline-danger", () => remove(ch)),
			]
		: [];
	return h(
		"tr",
		{ dataset: { channelId: ch.id } },
		h("td", { class: "vg-message", text: ch.name }),
		h("td", { text: TYPES[ch.type] || ch.type }),
		h("td", { class: "vg-mono vg-message small", text: destination(ch) }),
		h("td", {}, h("span", { class: ch.enabled ? "badge text-bg-success" : "badge text-bg-secondary", text: ch.enabled ? "active" : "paused" })),
		h("td", { class: "text-end" }, h("div", { class: "d-inline-flex flex-wrap gap-1 justify-content-end" }, actions)),
	);
}

async function loadChannels() {
	const r = await ctx.api("GET", CHANNELS);
	if (!r.ok) {
		ctx.flash("danger", errorText(r, "Loading the channels"));
		return;
	}
	const editor = ctx.can("admin");
	channelNames = {};
	for (const ch of r.body.items) {
		channelNames[ch.id] = ch.name;
	}
	document.getElementById("channels-empty").hidden = r.body.items.length > 0;
	fill(document.getElementById("channels-body"), r.body.items.map((ch) => channelRow(ch, editor)));
}

async function retry(d) {
	const r = await ctx.api("POST", `/api/v1/notifications/${d.id}/retry`);
	if (!r.ok) {
		ctx.flash("danger", errorText(r, "Sending the notification again"));
		return;
	}
	ctx.flash("success", `Event ${d.event_id} will be sent again.`);
	await loadLog();
	setTimeout(loadLog, 3000);
}

function logRow(d) {
	const when = d.sent_at || d.updated_at || d.created_at;
	const again = d.status === "dead" && ctx.can("admin") ? actionButton("Retry", "btn-outline-primary ms-2", () => retry(d)) : null;
	return h(
		"tr",
		{ dataset: { eventId: d.event_id } },
		h("td", { class: "vg-nowrap small", text: when ? formatDate(when) : "" }),
		h("td", { class: "vg-message", text: channelNames[d.channel_id] || d.channel_id }),
		h("td", { class: "vg-message small" }, h("div", { text: d.rule_name || d.event_kind || "" }), h("div", { class: "vg-mono vg-muted", text: d.event_id })),
		h("td", { class: "vg-nowrap" }, h("span", { class: `badge ${STATUS_CLASS[d.status] || "text-bg-light"}`, text: d.status }), again),
		h("td", { text: String(d.attempts ?? 0) }),
		h("td", { class: "vg-message small", text: d.last_error || "" }),
	);
}

async function loadLog() {
	const status = document.getElementById("log-status").value;
	const path = "/api/v1/notifications?limit=100" + (status ? "&status=" + encodeURIComponent(status) : "");
	const r = await ctx.api("GET", path);
	if (!r.ok) {
		ctx.flash("danger", errorText(r, "Loading the delivery log"));
		return;
	}
	document.getElementById("log-empty").hidden = r.body.items.length > 0;
	fill(document.getElementById("log-body"), r.body.items.map(logRow));
}

function onTypeChange() {
	const email = document.getElementById("channel-type").value === "email";
	setText("channel-target-label", email ? "Recipients" : "URL");
	setText(
		"channel-target-help",
		email ? "E-mail addresses, separated by commas." : "An https:// address; webhooks are signed with a secret shown once.",
	);
}

async function create(event) {
	event.preventDefault();
	const type = document.getElementById("channel-type").value;
	const target = document.getElementById("channel-target").value.trim();
	const name = document.getElementById("channel-name").value.trim();
	const config =
		type === "email"
			? { to: target.split(",").map((s) => s.trim()).filter((s) => s !== "") }
			: { url: target };
	const button = document.getElementById("channel-create");
	button.disabled = true;
	const r = await ctx.api("POST", CHANNELS, { body: { name, type, config } });
	button.disabled = false;
	if (!r.ok) {
		ctx.flash("danger", errorText(r, "Adding the channel"));
		return;
	}
	ctx.flash("success", `Channel "${r.body.name}" added.`);
	const secretBox = document.getElementById("secret-box");
	secretBox.hidden = !r.body.config.secret;
	setText("secret-value", r.body.config.secret || "");
	document.getElementById("channel-form").reset();
	onTypeChange();
	await loadChannels();
}

async function start() {
	ctx = await startPage({ page: "notifications" });
	if (ctx === null) {
		return;
	}
	const formCard = document.getElementById("channel-form-card");
	if (ctx.can("admin")) {
		document.getElementById("channel-form").addEventListener("submit", create);
		document.getElementById("channel-type").addEventListener("change", onTypeChange);
	} else {
		formCard.remove();
	}
	document.getElementById("log-status").addEventListener("change", loadLog);
	document.getElementById("log-refresh").addEventListener("click", loadLog);
	clear(document.getElementById("log-body"));
	await loadChannels();
	await loadLog();
}

start();
