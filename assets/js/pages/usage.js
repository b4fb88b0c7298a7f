// Usage (/app/usage): the organization's consumption against each limit
// of its plan (GET /api/v1/usage) and the daily history as charts and a
// table. Administrators and owners only (billing.read).
import { errorText, startPage } from "../layout.js";
import { clear, fill, h, setText } from "../dom.js";
import { formatNumber } from "../format.js";

const LABELS = {
	api_requests: "API requests today",
	ingest_bytes: "Ingested today",
	ingest_docs: "Documents ingested today",
	storage_bytes: "Stored",
	users: "Users",
};
const BYTES = new Set(["ingest_bytes", "storage_bytes"]);
const charts = {};

// Decimal units, as the plans count them (1 GB = 10^9 bytes).
function formatSize(n) {
	if (typeof n !== "number" || !Number.isFinite(n) || n < 0) {
		return "—";
	}
	const units = ["B", "kB", "MB", "GB", "TB", "PB"];
	let i = 0;
	while (n >= 1000 && i < units.length - 1) {
		n /= 1000;
		i++;
	}
	return (i === 0 ? String(n) : n.toFixed(n < 10 ? 2 : n < 100 ? 1 : 0)) + " " + units[i];
}

function amount(name, n) {
	return BYTES.has(name) ? formatSize(n) : formatNumber(n);
}

function resetText(iso) {
	const d = new Date(iso);
	return Number.isNaN(d.getTime()) ? "" : `Resets ${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

function limitCard(l) {
	const unlimited = l.limit === null;
	const pct = unlimited ? 0 : Math.min(100, Number(l.percent) || 0);
	const tone = pct >= 95 ? "bg-danger" : pct >= 80 ? "bg-warning" : "bg-primary";
	const bar = h("div", {
		class: ["progress-bar", tone],
		role: "progressbar",
		"aria-valuenow": String(pct),
		"aria-valuemin": "0",
		"aria-valuemax": "100",
		"aria-label": LABELS[l.name] || l.name,
	});
	bar.style.width = pct + "%";
	return h(
		"div",
		{ class: "col-12 col-md-6 col-xl-4" },
		h(
			"div",
			{ class: "card vg-card h-100", dataset: { limit: l.name } },
			h(
				"div",
				{ class: "card-body" },
				h("h2", { class: "h6 text-uppercase vg-muted", text: LABELS[l.name] || l.name }),
				h(
					"p",
					{ class: "fs-5 mb-2" },
					h("span", { class: "vg-used", text: amount(l.name, l.used) }),
					h("span", { class: "vg-muted", text: unlimited ? " — unlimited" : " of " + amount(l.name, l.limit) }),
				),
				h("div", { class: "progress mb-2" }, bar),
				h("p", {
					class: "small vg-muted mb-0",
					text: [unlimited ? "" : `${formatNumber(l.percent)} % used`, l.resets_at ? resetText(l.resets_at) : ""]
						.filter(Boolean)
						.join(" · "),
				}),
			),
		),
	);
}

function cssVar(name, fallback) {
	const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
	return v || fallback;
}

function drawChart(id, labels, datasets, bytes) {
	if (charts[id]) {
		charts[id].destroy();
	}
	if (typeof window.Chart !== "function") {
		return;
	}
	charts[id] = new window.Chart(document.getElementById(id), {
		type: "bar",
		data: { labels, datasets },
		options: {
			responsive: true,
			maintainAspectRatio: false,
			animation: false,
			plugins: { legend: { display: datasets.length > 1 } },
			scales: {
				y: {
					beginAtZero: true,
					ticks: { precision: 0, callback: (v) => (bytes ? formatSize(v) : formatNumber(v)) },
				},
			},
		},
	});
}

function drawHistory(history) {
	const days = history.map((d) => d.day);
	const primary = cssVar("--vg-primary", "#0b5fff");
	const accent = cssVar("--vg-accent", "#00a88f");
	drawChart("chart-requests", days, [{ label: "API requests", data: history.map((d) => d.api_requests), backgroundColor: primary }], false);
	drawChart("chart-docs", days, [{ label: "Documents", data: history.map((d) => d.ingested_docs), backgroundColor: accent }], false);
	drawChart(
		"chart-bytes",
		days,
		[
			{ label: "Ingested", data: history.map((d) => d.ingested_bytes), backgroundColor: primary },
			{ label: "Stored", data: history.map((d) => d.stored_bytes), backgroundColor: accent },
		],
		true,
	);
	fill(
		document.querySelector("#usage-table tbody"),
		history
			.slice()
			.reverse()
			.map((d) =>
				h(
					"tr",
					{},
					h("td", { text: d.day }),
					h("td", { class: "text-end", text: formatNumber(d.api_requests) }),
					h("td", { class: "text-end", text: formatNumber(d.ingested_docs) }),
					h("td", { class: "text-end", text: formatSize(d.ingested_bytes) }),
					h("td", { class: "text-end", text: formatSize(d.stored_bytes) }),
					h("td", { class: "text-end", text: formatNumber(d.active_users) }),
				),
			),
	);
}

async function load(ctx, days) {
	const r = await ctx.api("GET", "/api/v1/usage?days=" + encodeURIComponent(days));
	if (!r.ok) {
		ctx.flash("danger", errorText(r, "Loading the usage"));
		return;
	}
	const u = r.body;
	setText("usage-plan", String(u.plan));
	setText("usage-retention", u.retention_days > 0 ? `${formatNumber(u.retention_days)} days` : "without limit");
	const box = document.getElementById("usage-limits");
	clear(box);
	for (const l of Array.isArray(u.limits) ? u.limits : []) {
		box.appendChild(limitCard(l));
	}
	drawHistory(Array.isArray(u.history) ? u.history : []);
}

async function start() {
	const ctx = await startPage({ page: "usage", title: "Usage" });
	if (ctx === null) {
		return;
	}
	if (!ctx.can("admin")) {
		ctx.flash("warning", "Usage is shown to administrators and owners of the organization.");
		return;
	}
	const select = document.getElementById("usage-days");
	select.addEventListener("change", () => load(ctx, select.value));
	await load(ctx, select.value);
}

start();
