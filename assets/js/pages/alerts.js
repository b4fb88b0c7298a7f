// The alert dashboard (/app/alerts): active alerts (refreshed), their
// actions and trail, figures (per-day counts, top rules, MTTR), the error
// rate of the last day, and the history with filters.
import { errorText, startPage } from "../layout.js";
import { byId, clear, fill, h, setText } from "../dom.js";
import { formatAgo, formatDate, formatNumber } from "../format.js";

const REFRESH_MS = 10000;
const PAGE_SIZE = 20;
const SEVERITY_CLASS = { low: "text-bg-secondary", medium: "text-bg-info", high: "text-bg-warning", critical: "text-bg-danger" };
const DONE = { acknowledge: "Alert acknowledged.", resolve: "Alert resolved.", snooze: "Alert snoozed.", comment: "Comment added." };
const SNOOZES = [["15m", "15 min"], ["1h", "1 hour"], ["4h", "4 hours"], ["24h", "1 day"]];

let ctx;
let history = { page: 1, total: 0 };
let openId = null;
const charts = {};

function severityBadge(sev) {
	return h("span", { class: ["badge", SEVERITY_CLASS[sev] || "text-bg-secondary"], text: sev || "—" });
}

function duration(seconds) {
	if (typeof seconds !== "number" || !Number.isFinite(seconds)) {
		return "—";
	}
	if (seconds < 120) {
		return Math.round(seconds) + " s";
	}
	if (seconds < 7200) {
		return Math.round(seconds / 60) + " min";
	}
	return (seconds / 3600).toFixed(1) + " h";
}

function value(a) {
	if (a.rule_type === "error_rate") {
		return (a.value * 100).toFixed(1) + " %";
	}
	return formatNumber(Math.round(a.value * 100) / 100);
}

async function act(id, action, body) {
	const r = await ctx.api("POST", `/api/v1/alerts/${id}/${action}`, { body: body || {} });
	if (!r.ok) {
		ctx.flash("danger", errorText(r, "This action"));
		return null;
	}
	ctx.flash("success", DONE[action] || "Done.");
	await refresh();
	if (openId === id) {
		showDetail(r.body);
	}
	return r.body;
}

function actions(a) {
	if (!ctx.can("analyst")) {
		return h("span", { class: "vg-muted small", text: "—" });
	}
	const snooze = h("select", { class: "form-select form-select-sm w-auto", "aria-label": "Snooze for" },
		h("option", { value: "", text: "Snooze…" }),
		SNOOZES.map(([v, label]) => h("option", { value: v, text: label })));
	snooze.addEventListener("change", () => {
		if (snooze.value) {
			act(a.id, "snooze", { for: snooze.value });
		}
	});
	return h("div", { class: "d-flex flex-wrap gap-1" },
		a.status === "firing"
			? h("button", { type: "button", class: "btn btn-outline-primary btn-sm", text: "Acknowledge", on: { click: () => act(a.id, "acknowledge") } })
			: null,
		h("button", { type: "button", class: "btn btn-outline-success btn-sm", text: "Resolve", on: { click: () => act(a.id, "resolve") } }),
		snooze,
		h("button", { type: "button", class: "btn btn-outline-secondary btn-sm", text: "Details", on: { click: () => openDetail(a.id) } }));
}

function statusText(a) {
	if (a.snoozed_until && new Date(a.snoozed_until) > new Date()) {
		return `${a.status}, snoozed until ${formatDate(a.snoozed_until)}`;
	}
	return a.status;
}

async function loadActive() {
	const r = await ctx.api("GET", "/api/v1/alerts?status=open&size=200");
	if (!r.ok) {
		ctx.flash("danger", errorText(r, "Loading the active alerts"));
		return;
	}
	const rows = r.body.items.map((a) => h("tr", { dataset: { alert: a.id } },
		h("td", { class: "vg-nowrap", title: formatDate(a.started_at), text: formatAgo(a.started_at) }),
		h("td", { class: "vg-message", text: a.rule_name }),
		h("td", { class: "vg-mono vg-message", text: a.group || "—" }),
		h("td", {}, severityBadge(a.severity)),
		h("td", { class: "small", text: statusText(a) }),
		h("td", { class: "vg-nowrap", text: value(a) }),
		h("td", { text: String(a.level) }),
		h("td", {}, actions(a))));
	fill(byId("active-rows"), rows);
	byId("active-empty").hidden = rows.length > 0;
}

function drawChart(id, config) {
	if (typeof window.Chart !== "function") {
		return;
	}
	if (charts[id]) {
		charts[id].destroy();
	}
	// The canvas keeps its last width until Chart.js sees the resize.
	byId(id).parentElement.style.overflow = "hidden";
	charts[id] = new window.Chart(byId(id), config);
}

async function loadStats() {
	const r = await ctx.api("GET", "/api/v1/alerts/stats?days=30");
	if (!r.ok) {
		ctx.flash("danger", errorText(r, "Loading the alert figures"));
		return;
	}
	const s = r.body;
	setText("kpi-firing", formatNumber(s.open.firing));
	setText("kpi-acknowledged", formatNumber(s.open.acknowledged));
	setText("kpi-total", formatNumber(s.total));
	setText("kpi-mttr", s.mttr_s === null ? "—" : duration(s.mttr_s));
	fill(byId("top-rules"), s.top_rules.map((t) => h("li", {},
		h("span", { text: t.name || t.rule_id }), " ", h("span", { class: "badge text-bg-light", text: String(t.count) }))));
	if (s.top_rules.length === 0) {
		fill(byId("top-rules"), h("li", { class: "vg-muted", text: "No alert yet." }));
	}
	drawChart("chart-days", {
		type: "bar",
		data: { labels: s.per_day.map((d) => d.day.slice(5)), datasets: [{ label: "Alerts", data: s.per_day.map((d) => d.count) }] },
		options: { maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
	});
}

async function loadRate() {
	const by = byId("rate-by").value;
	const r = await ctx.api("GET", `/api/v1/analytics/error-rate?by=${by}&from=now-24h&step=15m&window=15m&min_volume=5`);
	if (!r.ok) {
		ctx.flash("warning", errorText(r, "Loading the error rate"));
		return;
	}
	const series = r.body.series.slice(0, 6);
	const labels = series.length > 0 ? series[0].points.map((p) => formatDate(p.t).slice(11, 16)) : [];
	drawChart("chart-rate", {
		type: "line",
		data: {
			labels,
			datasets: series.map((s) => ({
				label: by === "global" ? "Error rate (%)" : `${s.key} (%)`,
				data: s.points.map((p) => Math.round(p.rate * 1000) / 10),
				pointRadius: 0,
				tension: 0.2,
			})),
		},
		options: { maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true } } },
	});
}

async function loadRules() {
	const r = await ctx.api("GET", "/api/v1/alert-rules");
	if (!r.ok) {
		return;
	}
	const select = byId("f-rule");
	for (const rule of r.body.items) {
		select.appendChild(h("option", { value: rule.id, text: rule.name }));
	}
}

async function loadHistory() {
	const q = new URLSearchParams({ page: String(history.page), size: String(PAGE_SIZE), from: byId("f-from").value });
	for (const [name, id] of [["status", "f-status"], ["severity", "f-severity"], ["rule_id", "f-rule"]]) {
		if (byId(id).value) {
			q.set(name, byId(id).value);
		}
	}
	const r = await ctx.api("GET", "/api/v1/alerts?" + q.toString());
	if (!r.ok) {
		ctx.flash("danger", errorText(r, "Loading the history"));
		return;
	}
	history.total = r.body.total;
	fill(byId("history-rows"), r.body.items.map((a) => h("tr", {},
		h("td", { class: "vg-nowrap", text: formatDate(a.started_at) }),
		h("td", { class: "vg-message" }, h("a", { href: "#detail", text: a.rule_name, on: { click: () => openDetail(a.id) } })),
		h("td", { class: "vg-mono vg-message", text: a.group || "—" }),
		h("td", {}, severityBadge(a.severity)),
		h("td", { text: a.status }),
		h("td", { class: "vg-nowrap", text: a.resolved_at ? formatDate(a.resolved_at) : "—" }))));
	const last = Math.max(1, Math.ceil(history.total / PAGE_SIZE));
	setText("history-count", `${formatNumber(history.total)} alert(s), page ${history.page} of ${last}`);
	byId("history-prev").disabled = history.page <= 1;
	byId("history-next").disabled = history.page >= last;
}

function showDetail(a) {
	const facts = [
		["Rule", a.rule_name], ["Group", a.group || "—"], ["Status", statusText(a)], ["Severity", a.severity],
		["Level", String(a.level)], ["Value", value(a)], ["Threshold", formatNumber(a.threshold)],
		["Started", formatDate(a.started_at)], ["Resolved", a.resolved_at ? formatDate(a.resolved_at) : "—"],
	];
	setText("detail-title", `Alert: ${a.rule_name}`);
	fill(byId("detail-facts"), facts.map(([k, v]) => [h("dt", { class: "col-4 col-lg-2", text: k }), h("dd", { class: "col-8 col-lg-4 vg-message", text: v })]));
	fill(byId("detail-events"), (a.events || []).map((e) => {
		const who = e.actor === "system" ? "Vigie" : e.details && e.details.name ? e.details.name : e.actor;
		let what = e.action;
		if (e.action === "commented") {
			what += ": " + e.details.text;
		} else if (e.action === "notified") {
			what += ` (${e.details.kind}, channel ${e.details.channel_id})`;
		} else if (e.action === "escalated") {
			what += ` to level ${e.details.to}`;
		}
		return h("li", {}, h("span", { class: "vg-nowrap", text: formatDate(e.at) }), " — ", h("strong", { text: who }), " ", h("span", { class: "vg-message", text: what }));
	}));
	byId("comment-form").hidden = !ctx.can("analyst");
	byId("detail").hidden = false;
}

async function openDetail(id) {
	const r = await ctx.api("GET", `/api/v1/alerts/${id}`);
	if (!r.ok) {
		ctx.flash("danger", errorText(r, "Loading the alert"));
		return;
	}
	openId = id;
	showDetail(r.body);
	byId("detail").scrollIntoView({ block: "nearest" });
}

async function refresh() {
	await Promise.all([loadActive(), loadStats()]);
}

async function start() {
	ctx = await startPage({ page: "alerts" });
	if (ctx === null) {
		return;
	}
	byId("detail-close").addEventListener("click", () => {
		byId("detail").hidden = true;
		openId = null;
	});
	byId("comment-form").addEventListener("submit", async (event) => {
		event.preventDefault();
		const text = byId("comment-text").value.trim();
		if (openId && text) {
			if (await act(openId, "comment", { text })) {
				byId("comment-text").value = "";
			}
		}
	});
	byId("rate-by").addEventListener("change", loadRate);
	byId("history-form").addEventListener("submit", (event) => {
		event.preventDefault();
		history.page = 1;
		loadHistory();
	});
	byId("history-prev").addEventListener("click", () => {
		history.page--;
		loadHistory();
	});
	byId("history-next").addEventListener("click", () => {
		history.page++;
		loadHistory();
	});
	clear(byId("active-rows"));
	await Promise.all([refresh(), loadRules(), loadRate(), loadHistory()]);
	setInterval(() => {
		if (!document.hidden) {
			refresh();
		}
	}, REFRESH_MS);
}

start();
