// The dashboard (/app): key figures, logs over time, levels, top services
// and errors, web traffic when there are access logs (GET /api/v1/stats),
// the latest logs (GET /api/v1/logs), links to the main features, and who
// is signed in. The period is kept in the address (?from=now-24h); the
// figures can refresh themselves every 30 seconds.
import { byId, fill, h, setText } from "../dom.js";
import { formatBucket, formatBytes, formatNumber, formatTimestamp } from "../format.js";
import { errorText, flash, pageReady, spinner, startPage } from "../layout.js";
import { emptyQuery, field, LEVELS, searchUrl } from "../logquery.js";

const PERIODS = { "": "all time", "now-1h": "in the last hour", "now-24h": "in the last 24 hours", "now-7d": "in the last 7 days", "now-30d": "in the last 30 days" };
const REFRESH_MS = 30000;
// The main features, in words of their own: a link named like a tab of the
// navigation bar would make "the Billing link" ambiguous for assistive
// technologies (and for the pages' tests).
const SHORTCUTS = [
	{ text: "Send a log file", href: "/app/upload", minRole: "analyst" },
	{ text: "Ingestion status", href: "/app/files" },
	{ text: "Find logs", href: "/app/search" },
	{ text: "Saved queries", href: "/app/history" },
];
const AUTO_KEY = "vigie.dashboard.auto";

let ctx = null;
let period = "";
let timer = null;
let loadSeq = 0;
const charts = {};

function css(name, fallback) {
	const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
	return v || fallback;
}

function levelColour(level) {
	return css("--vg-level-" + level.toLowerCase(), "#6c757d");
}

// A search of the current period with some filters.
function searchLink(patch) {
	return searchUrl({ ...emptyQuery(), from: period, ...patch });
}

// ---- charts ----------------------------------------------------------------------

// Creates the chart once, then only replaces its data.
function chart(id, config) {
	if (!window.Chart) {
		return null;
	}
	if (charts[id]) {
		charts[id].data = config.data;
		charts[id].update();
		return charts[id];
	}
	const defaults = { responsive: true, maintainAspectRatio: false, animation: false };
	charts[id] = new window.Chart(byId(id), { ...config, options: { ...defaults, ...config.options } });
	return charts[id];
}

function drawHistogram(stats) {
	const buckets = Array.isArray(stats.histogram) ? stats.histogram : [];
	setText("histogram-interval", stats.interval ? `(per ${stats.interval})` : "");
	byId("histogram-empty").hidden = buckets.some((b) => b.count > 0);
	chart("chart-histogram", {
		type: "bar",
		data: {
			labels: buckets.map((b) => formatBucket(b.t, stats.interval)),
			datasets: [
				{ label: "Logs", data: buckets.map((b) => b.count || 0), backgroundColor: css("--vg-primary", "#0b5fff") },
				{ label: "Errors", data: buckets.map((b) => b.errors || 0), backgroundColor: levelColour("ERROR") },
			],
		},
		options: { scales: { x: { ticks: { maxRotation: 0, autoSkip: true } }, y: { beginAtZero: true } }, plugins: { legend: { position: "bottom" } } },
	});
}

function drawLevels(stats) {
	const levels = stats.levels && typeof stats.levels === "object" ? stats.levels : {};
	const names = Object.keys(levels).sort((a, b) => (LEVELS.indexOf(a) + 99) % 99 - (LEVELS.indexOf(b) + 99) % 99);
	chart("chart-levels", {
		type: "doughnut",
		data: {
			labels: names,
			datasets: [{ data: names.map((n) => levels[n]), backgroundColor: names.map(levelColour) }],
		},
		options: { plugins: { legend: { display: false } } },
	});
	fill(
		byId("levels-list"),
		names.map((n) =>
			h("li", {}, h("a", { class: "text-decoration-none", href: searchLink({ level: [n] }) }, h("span", { class: "vg-level vg-level-" + n, text: n }), " ", formatNumber(levels[n]))),
		),
	);
}

function rankList(id, items, link) {
	fill(
		byId(id),
		items.map((item) =>
			h(
				"li",
				{ class: "list-group-item d-flex gap-2 align-items-start px-0" },
				h("a", { class: "me-auto vg-message text-decoration-none", href: link(item), text: String(item.key ?? item.message ?? "") }),
				h("span", { class: "badge text-bg-light", text: formatNumber(item.count) }),
			),
		),
	);
}

function drawAccess(stats) {
	const access = stats.access && typeof stats.access === "object" ? stats.access : null;
	const classes = access && Array.isArray(access.status_classes) ? access.status_classes : [];
	const section = byId("access-section");

	const any = classes.some((c) => ["2xx", "3xx", "4xx", "5xx"].some((k) => Number(c[k]) > 0));
	section.hidden = !any && !(access && Array.isArray(access.top_urls) && access.top_urls.length > 0);
	if (section.hidden) {
		return;
	}
	const colours = { "2xx": "#2b8a3e", "3xx": "#1971c2", "4xx": "#e67700", "5xx": "#c92a2a" };
	chart("chart-status", {
		type: "bar",
		data: {
			labels: classes.map((c) => formatBucket(c.t, stats.interval)),
			datasets: Object.keys(colours).map((k) => ({ label: k, data: classes.map((c) => c[k] || 0), backgroundColor: colours[k] })),
		},
		options: { scales: { x: { stacked: true, ticks: { maxRotation: 0, autoSkip: true } }, y: { stacked: true, beginAtZero: true } }, plugins: { legend: { position: "bottom" } } },
	});
	rankList("top-urls", access.top_urls || [], (u) => searchLink({ q: `"${String(u.key).replace(/"/g, "")}"` }));
	const b = access.bytes;
	setText("access-bytes", b && typeof b === "object" ? `Response sizes: median ${formatBytes(b.p50)}, 95th percentile ${formatBytes(b.p95)}, 99th ${formatBytes(b.p99)}.` : "");
}

// ---- figures -----------------------------------------------------------------------

function drawKpis(stats, note) {
	const shown = Number(stats.in_range ?? stats.total) || 0;
	const errors = Number(stats.errors) || 0;
	setText("kpi-total", formatNumber(shown));
	setText("kpi-total-note", note + (period && typeof stats.total === "number" ? ` (${formatNumber(stats.total)} in all)` : ""));
	setText("kpi-today", formatNumber(Number(stats.today) || 0));
	setText("kpi-errors", formatNumber(errors));
	setText("kpi-errors-note", shown > 0 ? `${((errors * 100) / shown).toFixed(errors * 100 < shown ? 2 : 1)}% of the logs` : "");
	setText("kpi-files", formatNumber(Number(stats.files) || 0));
}

// The statistics cover [from, to): a period ending now, or for "all time"
// the span of the organization's logs (oldest to newest; at most 1400
// days, the histogram's limit), which uploaded files often place in the
// past.
const MAX_SPAN_MS = 1400 * 86400000;

async function loadStats(span) {
	const p = new URLSearchParams({ interval: "auto" });
	let note = PERIODS[period] || "";
	if (period) {
		p.set("from", period);
	} else if (span !== null) {
		const to = span.newest + 1000;
		const from = Math.max(span.oldest, to - MAX_SPAN_MS);
		p.set("from", new Date(from).toISOString());
		p.set("to", new Date(to).toISOString());
		note = from > span.oldest ? "in the latest 1400 days of logs" : "all time";
	}
	const r = await ctx.api("GET", "/api/v1/stats?" + p.toString());
	if (!r.ok) {
		if (!r.authLost) {
			flash("danger", errorText(r, "The dashboard's statistics"));
		}
		return;
	}
	const stats = r.body || {};
	drawKpis(stats, note);
	drawHistogram(stats);
	drawLevels(stats);
	const services = Array.isArray(stats.top_services) ? stats.top_services : [];
	rankList("top-services", services, (s) => searchLink({ service: [String(s.key)] }));
	byId("top-services-empty").hidden = services.length > 0;
	const errors = Array.isArray(stats.top_errors) ? stats.top_errors : [];
	rankList("top-errors", errors, (e) => searchLink({ q: `"${String(e.message).replace(/"/g, "").slice(0, 200)}"`, level: ["ERROR", "CRITICAL"] }));
	byId("top-errors-empty").hidden = errors.length > 0;
	drawAccess(stats);
}

function logTime(hit) {
	const t = new Date(field(hit && hit.source, "@timestamp")).getTime();
	return Number.isNaN(t) ? null : t;
}

// The latest logs; for "all time", also the oldest one. Resolves to the
// span of the logs ({ oldest, newest } in ms) or null.
async function loadLatest() {
	const p = new URLSearchParams({ size: "10" });
	if (period) {
		p.set("from", period);
	}
	const [r, first] = await Promise.all([
		ctx.api("GET", "/api/v1/logs?" + p.toString()),
		period ? Promise.resolve(null) : ctx.api("GET", "/api/v1/logs?size=1&sort=%40timestamp&order=asc"),
	]);
	if (!r.ok) {
		if (!r.authLost) {
			flash("danger", errorText(r, "The latest logs"));
		}
		return null;
	}
	const hits = Array.isArray(r.body.hits) ? r.body.hits : [];
	fill(
		byId("latest-rows"),
		hits.map((hit) => {
			const src = hit.source || {};
			const level = String(field(src, "log.level") || "");
			return h(
				"tr",
				{ class: LEVELS.includes(level) ? "vg-row-" + level : null },
				h("td", { class: "vg-date small vg-mono", text: formatTimestamp(field(src, "@timestamp")) }),
				h("td", {}, level ? h("span", { class: "vg-level vg-level-" + level, text: level }) : ""),
				h("td", { class: "small vg-col-service", text: String(field(src, "service.name") || "") }),
				h("td", { class: "vg-message vg-mono small" }, h("span", { class: "vg-clamp", text: String(field(src, "message") ?? "") })),
			);
		}),
	);
	byId("latest-empty").hidden = hits.length > 0;
	const newest = hits.length > 0 ? logTime(hits[0]) : null;
	const oldest = first && first.ok && Array.isArray(first.body.hits) && first.body.hits.length > 0 ? logTime(first.body.hits[0]) : null;
	return newest !== null && oldest !== null ? { oldest, newest } : null;
}

async function load() {
	const seq = ++loadSeq;
	const busy = byId("dash-busy");
	fill(busy, spinner("Updating…"));
	busy.hidden = false;
	const span = await loadLatest();
	await loadStats(span);
	if (seq === loadSeq) {
		busy.hidden = true;
	}
}

function autoRefresh(on) {
	clearInterval(timer);
	timer = null;
	sessionStorage.setItem(AUTO_KEY, on ? "1" : "0");
	if (on) {
		timer = setInterval(() => {
			if (!document.hidden) {
				load();
			}
		}, REFRESH_MS);
	}
}

async function start() {
	ctx = await startPage({ page: "dashboard" });
	if (ctx === null) {
		return;
	}
	setText("welcome", "Welcome, " + ctx.user.name);
	setText("fact-slug", ctx.tenant.slug);
	setText("fact-plan", ctx.tenant.plan);
	setText("fact-name", ctx.user.name);
	setText("fact-email", ctx.user.email);
	setText("fact-role", ctx.user.role);
	fill(
		byId("feature-links"),
		SHORTCUTS.filter((c) => c.minRole === undefined || ctx.can(c.minRole)).map((c) =>
			h("a", { class: "btn btn-sm btn-outline-primary", href: c.href, text: c.text }),
		),
	);

	const from = new URLSearchParams(window.location.search).get("from") || "";
	period = Object.prototype.hasOwnProperty.call(PERIODS, from) ? from : "";
	byId("period").value = period;
	byId("period").addEventListener("change", () => {
		period = byId("period").value;
		window.history.replaceState(null, "", window.location.pathname + (period ? "?from=" + encodeURIComponent(period) : ""));
		load();
	});
	byId("refresh").addEventListener("click", load);
	const auto = byId("auto-refresh");
	auto.checked = sessionStorage.getItem(AUTO_KEY) === "1";
	auto.addEventListener("change", () => autoRefresh(auto.checked));
	autoRefresh(auto.checked);
	pageReady();
	load();
}

start();
