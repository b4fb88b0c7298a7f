// The billing page (/app/billing): this month so far and projected
// (GET /api/v1/billing/current), consumption per day, and the invoice
// history with each invoice's PDF. Amounts are integer minor units.
import { startPage } from "../layout.js";
import { byId, fill, h, setText } from "../dom.js";
import { formatDate, formatNumber } from "../format.js";
import { sessionRead } from "../api.js";

const GB = 1e9;

// 12345 -> "123.45 EUR", from integers only.
export function money(minor, currency) {
	if (typeof minor !== "number" || !Number.isInteger(minor)) {
		return "—";
	}
	const sign = minor < 0 ? "-" : "";
	const abs = Math.abs(minor);
	const units = formatNumber(Math.trunc(abs / 100));
	return `${sign}${units}.${String(abs % 100).padStart(2, "0")} ${currency || ""}`.trim();
}

function cssVar(name, fallback) {
	const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
	return v || fallback;
}

let chart = null;

function drawChart(days) {
	const canvas = byId("usage-chart");
	if (typeof window.Chart !== "function" || canvas === null) {
		return;
	}
	const labels = days.map((d) => d.day.slice(8));
	const data = {
		labels,
		datasets: [
			{
				type: "bar",
				label: "Ingested (GB)",
				data: days.map((d) => d.ingested_bytes / GB),
				backgroundColor: cssVar("--vg-primary", "#0b5fff"),
				yAxisID: "y",
			},
			{
				type: "line",
				label: "Stored (GB)",
				data: days.map((d) => d.stored_bytes / GB),
				borderColor: cssVar("--vg-accent", "#00a88f"),
				backgroundColor: cssVar("--vg-accent", "#00a88f"),
				yAxisID: "y1",
				tension: 0.2,
			},
		],
	};
	if (chart !== null) {
		chart.destroy();
	}
	// Chart.js sizes the canvas in pixels and follows its box only on the
	// next frame: never wider than the box meanwhile (a phone's rotation).
	canvas.style.maxWidth = "100%";
	canvas.parentElement.style.overflow = "hidden";
	chart = new window.Chart(canvas, {
		data,
		options: {
			responsive: true,
			maintainAspectRatio: false,
			animation: false,
			scales: {
				y: { beginAtZero: true, title: { display: true, text: "GB ingested" } },
				y1: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false }, title: { display: true, text: "GB stored" } },
			},
		},
	});
}

function lineRows(lines, currency) {
	return lines.map((l) =>
		h(
			"tr",
			{},
			h("td", { text: l.description }),
			h("td", { class: "text-end text-nowrap", text: `${l.quantity} ${l.unit}` }),
			h("td", { class: "text-end text-nowrap", text: money(l.amount, currency) }),
		),
	);
}

function showCurrent(cur) {
	const c = cur.currency;
	setText("to-date-total", money(cur.to_date.total, c));
	setText("to-date-note", `${cur.days_elapsed} of ${cur.days_in_period} days, taxes included`);
	setText("projected-total", money(cur.projected.total, c));
	setText("projected-note", "if the rest of the month goes like the days so far");
	setText("plan-name", cur.plan_name);
	setText("period", "Billing period " + cur.period);
	const table = byId("projected-table");
	fill(table.tBodies[0], lineRows(cur.projected.lines, c));
	fill(
		table.tFoot,
		h("tr", {}, h("th", { scope: "row", colspan: "2", class: "text-end", text: "Subtotal" }), h("td", { class: "text-end text-nowrap", text: money(cur.projected.subtotal, c) })),
		h("tr", {}, h("th", { scope: "row", colspan: "2", class: "text-end", text: `Taxes (${money(cur.projected.tax_rate_bp, "")} %)` }), h("td", { class: "text-end text-nowrap", text: money(cur.projected.taxes, c) })),
		h("tr", {}, h("th", { scope: "row", colspan: "2", class: "text-end", text: "Total" }), h("th", { class: "text-end text-nowrap", text: money(cur.projected.total, c) })),
	);
	drawChart(cur.usage);
}

// The PDF is behind the API's authentication: fetched with the token,
// then saved from a blob: URL.
async function downloadPdf(ctx, invoice, button) {
	const session = sessionRead();
	button.disabled = true;
	try {
		const r = await fetch(`/api/v1/invoices/${encodeURIComponent(invoice.id)}.pdf`, {
			headers: { authorization: "Bearer " + (session ? session.access_token : "") },
			cache: "no-store",
		});
		if (!r.ok || (r.headers.get("content-type") || "") !== "application/pdf") {
			ctx.flash("danger", `The PDF of ${invoice.number} could not be downloaded (HTTP ${r.status}).`);
			return;
		}
		const url = URL.createObjectURL(await r.blob());
		const a = h("a", { href: url, download: `${invoice.number}.pdf`, hidden: true });
		document.body.appendChild(a);
		a.click();
		a.remove();
		setTimeout(() => URL.revokeObjectURL(url), 10000);
	} catch (e) {
		ctx.flash("danger", `The PDF of ${invoice.number} could not be downloaded.`);
	} finally {
		button.disabled = false;
	}
}

function showInvoices(ctx, list) {
	const body = byId("invoice-table").tBodies[0];
	byId("history-empty").hidden = list.length > 0;
	fill(
		body,
		list.map((inv) => {
			const button = h("button", { type: "button", class: "btn btn-sm btn-outline-primary", text: "PDF", "aria-label": `Download ${inv.number} as PDF` });
			button.addEventListener("click", () => downloadPdf(ctx, inv, button));
			return h(
				"tr",
				{ dataset: { invoice: inv.id } },
				h("td", { class: "vg-mono text-nowrap", text: inv.number }),
				h("td", { text: inv.period }),
				h("td", { class: "text-end text-nowrap", text: money(inv.total, inv.currency) }),
				h("td", {}, h("span", { class: "badge text-bg-success", text: inv.status })),
				h("td", { class: "text-nowrap", text: formatDate(inv.issued_at) }),
				h("td", { class: "text-end" }, button),
			);
		}),
	);
}

async function start() {
	const ctx = await startPage({ page: "billing" });
	if (ctx === null) {
		return;
	}
	if (!ctx.can("admin")) {
		ctx.flash("info", "Billing is shown to the organization's administrators and owners.");
		return;
	}
	const [cur, inv] = await Promise.all([ctx.api("GET", "/api/v1/billing/current"), ctx.api("GET", "/api/v1/invoices")]);
	if (cur.ok) {
		showCurrent(cur.body);
	} else {
		ctx.flash("danger", ctx.errorText(cur, "Loading this month's consumption"));
	}
	if (inv.ok) {
		showInvoices(ctx, inv.body.invoices);
	} else {
		ctx.flash("danger", ctx.errorText(inv, "Loading the invoices"));
	}
}

start();
