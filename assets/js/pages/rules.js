// Alert rules (/app/rules): the list with each rule's last evaluation
// (errors shown, never hidden), an editor for every rule type, a replay
// of the rule over the last day before saving, and threshold calibration.
import { errorText, startPage } from "../layout.js";
import { byId, fill, h, setText } from "../dom.js";
import { formatAgo, formatDate, formatNumber } from "../format.js";

const LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"];
const TYPE_LABEL = { threshold: "Threshold", error_rate: "Error rate", pattern: "Pattern", absence: "Absence", anomaly: "Anomaly" };

let ctx;
let editing = null; // the id of the rule being edited, null for a new one
let chart = null;

function list(text) {
	return text.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

function showConditionFields() {
	const type = byId("r-type").value;
	for (const el of document.querySelectorAll("[data-cond]")) {
		el.hidden = !el.dataset.cond.split(" ").includes(type);
	}
}

// The rule body of the form.
function bodyOfForm() {
	const type = byId("r-type").value;
	const num = (id) => Number(byId(id).value);
	const condition = {};
	if (type === "threshold") {
		condition.op = byId("c-op").value === "below" ? "below" : "above";
		condition.threshold = num("c-threshold");
	} else if (type === "pattern") {
		condition.pattern = byId("c-pattern").value;
		condition.threshold = num("c-threshold");
	} else if (type === "error_rate") {
		condition.threshold = num("c-threshold");
		condition.min_volume = num("c-volume");
		condition.status_min = num("c-status");
	} else if (type === "anomaly") {
		condition.op = byId("c-op").value;
		condition.k = num("c-k");
		condition.baseline = num("c-baseline");
		condition.min_volume = num("c-volume");
	}
	return {
		name: byId("r-name").value.trim(),
		description: byId("r-description").value,
		type,
		severity: byId("r-severity").value,
		enabled: byId("r-enabled").checked,
		auto_resolve: byId("r-autoresolve").checked,
		query: {
			q: byId("r-q").value,
			level: LEVELS.filter((l) => byId("lv-" + l).checked),
			service: list(byId("r-services").value),
		},
		window: byId("r-window").value,
		interval: byId("r-interval").value.trim(),
		group_by: byId("r-group").value || null,
		cooldown: byId("r-cooldown").value.trim(),
		condition,
		channels: list(byId("r-channels").value),
	};
}

function fillForm(rule) {
	const c = rule.condition || {};
	byId("r-name").value = rule.name || "";
	byId("r-description").value = rule.description || "";
	byId("r-type").value = rule.type || "threshold";
	byId("r-severity").value = rule.severity || "medium";
	byId("r-enabled").checked = rule.enabled !== false;
	byId("r-autoresolve").checked = rule.auto_resolve !== false;
	byId("r-q").value = (rule.query && rule.query.q) || "";
	for (const l of LEVELS) {
		byId("lv-" + l).checked = Boolean(rule.query && rule.query.level && rule.query.level.includes(l));
	}
	byId("r-services").value = ((rule.query && rule.query.service) || []).join(", ");
	byId("r-window").value = rule.window || "5m";
	byId("r-interval").value = rule.interval || "1m";
	byId("r-group").value = rule.group_by || "";
	byId("r-cooldown").value = rule.cooldown || "15m";
	byId("c-op").value = c.op || "above";
	byId("c-threshold").value = c.threshold ?? 10;
	byId("c-pattern").value = c.pattern || "";
	byId("c-volume").value = c.min_volume ?? 10;
	byId("c-status").value = String(c.status_min || 400);
	byId("c-k").value = c.k ?? 3;
	byId("c-baseline").value = c.baseline ?? 12;
	byId("r-channels").value = (rule.channels || []).join(", ");
	showConditionFields();
}

function openEditor(rule) {
	editing = rule ? rule.id : null;
	setText("editor-title", rule ? `Edit: ${rule.name}` : "New rule");
	fillForm(rule || { type: "threshold", query: { level: ["ERROR"] } });
	byId("replay-out").hidden = true;
	byId("editor").hidden = false;
	byId("r-name").focus();
}

function evalCell(rule) {
	const e = rule.eval || {};
	if (e.status === "error") {
		return h("td", { class: "text-danger small vg-message" },
			h("strong", { text: "Error" }), " ", h("span", { text: e.error || "" }),
			" ", h("span", { class: "vg-muted", text: `(${e.consecutive_errors || 1} in a row)` }));
	}
	if (e.status === "ok") {
		return h("td", { class: "small", title: formatDate(e.at) },
			h("span", { text: `OK ${formatAgo(e.at)}` }),
			e.firing > 0 ? h("span", { class: "badge text-bg-danger ms-1", text: `${e.firing} firing` }) : null);
	}
	return h("td", { class: "small vg-muted", text: "not evaluated yet" });
}

async function toggle(rule) {
	const r = await ctx.api("PATCH", `/api/v1/alert-rules/${rule.id}`, { body: { enabled: !rule.enabled } });
	if (!r.ok) {
		ctx.flash("danger", errorText(r, "Changing the rule"));
		return;
	}
	ctx.flash("success", `Rule ${r.body.enabled ? "enabled" : "disabled"}.`);
	loadRules();
}

async function remove(rule) {
	if (!window.confirm(`Delete the rule "${rule.name}"? Its open alerts are resolved.`)) {
		return;
	}
	const r = await ctx.api("DELETE", `/api/v1/alert-rules/${rule.id}`);
	if (!r.ok) {
		ctx.flash("danger", errorText(r, "Deleting the rule"));
		return;
	}
	ctx.flash("success", "Rule deleted.");
	loadRules();
}

async function loadRules() {
	const r = await ctx.api("GET", "/api/v1/alert-rules");
	if (!r.ok) {
		ctx.flash("danger", errorText(r, "Loading the rules"));
		return;
	}
	const edit = ctx.can("admin");
	fill(byId("rule-rows"), r.body.items.map((rule) => h("tr", { dataset: { rule: rule.id } },
		h("td", { class: "vg-message" }, h("strong", { text: rule.name }), rule.description ? h("div", { class: "small vg-muted", text: rule.description }) : null),
		h("td", { text: TYPE_LABEL[rule.type] || rule.type }),
		h("td", { text: rule.severity }),
		h("td", { class: "vg-nowrap", text: `${rule.window} / ${rule.interval}` }),
		h("td", { text: rule.enabled ? "yes" : "no" }),
		evalCell(rule),
		h("td", {}, edit
			? h("div", { class: "d-flex flex-wrap gap-1" },
				h("button", { type: "button", class: "btn btn-outline-primary btn-sm", text: "Edit", on: { click: () => openEditor(rule) } }),
				h("button", { type: "button", class: "btn btn-outline-secondary btn-sm", text: rule.enabled ? "Disable" : "Enable", on: { click: () => toggle(rule) } }),
				h("button", { type: "button", class: "btn btn-outline-danger btn-sm", text: "Delete", on: { click: () => remove(rule) } }))
			: h("span", { class: "vg-muted small", text: "—" })))));
	byId("rules-empty").hidden = r.body.items.length > 0;
}

async function save(event) {
	event.preventDefault();
	const body = bodyOfForm();
	const r = editing
		? await ctx.api("PUT", `/api/v1/alert-rules/${editing}`, { body })
		: await ctx.api("POST", "/api/v1/alert-rules", { body });
	if (!r.ok) {
		ctx.flash("danger", errorText(r, "Saving the rule"));
		return;
	}
	ctx.flash("success", `Rule "${r.body.name}" saved.`);
	byId("editor").hidden = true;
	loadRules();
}

async function replay() {
	const r = await ctx.api("POST", "/api/v1/alert-rules/test?range=24h", { body: bodyOfForm() });
	if (!r.ok) {
		ctx.flash("danger", errorText(r, "The replay"));
		return;
	}
	const out = r.body;
	setText("replay-summary", `${out.alerts.length} alert(s) would have fired; the condition held at ${out.firing_evaluations} of ${out.evaluations} evaluations (one every ${out.step}).`);
	fill(byId("replay-alerts"), out.alerts.map((a) => h("li", {},
		h("span", { text: formatDate(a.started_at) }), " → ", h("span", { text: a.resolved_at ? formatDate(a.resolved_at) : "still firing" }),
		a.group ? h("span", { class: "vg-mono", text: ` ${a.group}` }) : null,
		h("span", { class: "vg-muted", text: ` (peak ${formatNumber(Math.round(a.peak * 100) / 100)})` }))));
	byId("replay-out").hidden = false;
	if (typeof window.Chart === "function") {
		if (chart) {
			chart.destroy();
		}
		// The canvas keeps its last width until Chart.js sees the resize.
		byId("chart-replay").parentElement.style.overflow = "hidden";
		chart = new window.Chart(byId("chart-replay"), {
			type: "bar",
			data: {
				labels: out.timeline.map((p) => formatDate(p.t).slice(11, 16)),
				datasets: [{ label: "Groups firing", data: out.timeline.map((p) => p.groups.length) }],
			},
			options: { maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
		});
	}
}

async function calibrate(event) {
	event.preventDefault();
	const body = { history: byId("k-history").value, window: byId("k-window").value };
	const r = await ctx.api("POST", "/api/v1/alert-rules/calibrate", { body });
	if (!r.ok) {
		ctx.flash("danger", errorText(r, "The calibration"));
		return;
	}
	const pct = (x) => (x * 100).toFixed(2) + " %";
	fill(byId("calib-rows"), r.body.metrics.map((m) => h("tr", {},
		h("td", { text: m.metric }),
		h("td", { text: m.metric.startsWith("error_rate") ? pct(m.threshold) : formatNumber(m.threshold) }),
		h("td", { text: pct(m.expected_rate) }),
		h("td", { text: m.held_out_windows > 0 ? pct(m.held_out_rate) : "—" }))));
	byId("calib-table").hidden = false;
}

async function start() {
	ctx = await startPage({ page: "rules" });
	if (ctx === null) {
		return;
	}
	fill(byId("r-levels"), LEVELS.map((l) => h("div", { class: "form-check form-check-inline me-0" },
		h("input", { class: "form-check-input", type: "checkbox", id: "lv-" + l }),
		h("label", { class: "form-check-label small", for: "lv-" + l, text: l }))));
	const admin = ctx.can("admin");
	byId("new-rule").hidden = !admin;
	byId("calib-form").hidden = !admin;
	byId("new-rule").addEventListener("click", () => openEditor(null));
	byId("cancel").addEventListener("click", () => {
		byId("editor").hidden = true;
	});
	byId("r-type").addEventListener("change", showConditionFields);
	byId("rule-form").addEventListener("submit", save);
	byId("replay").addEventListener("click", replay);
	byId("calib-form").addEventListener("submit", calibrate);
	await loadRules();
}

start();
