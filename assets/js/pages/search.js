// The search page (/app/search): free text, levels, services and a period
// (GET /api/v1/logs), 50 results a page sortable by date, level and
// service, one log's details (GET /api/v1/logs/{id}), the export of the
// whole search as CSV (GET /api/v1/logs/export.csv) and saving it (POST
// /api/v1/searches). The search lives in the address: back and forward
// work, and other pages link to searches.
import { freshToken } from "../api.js";
import { byId, fill, h, setText } from "../dom.js";
import { formatNumber, formatTimestamp, isoToLocalInput, localInputToIso } from "../format.js";
import { errorText, flash, pageReady, spinner, startPage } from "../layout.js";
import { emptyQuery, field, flatFields, LEVELS, PAGE_SIZE, PERIODS, queryFromParams, queryFromSaved, queryParams, savedQuery, searchUrl } from "../logquery.js";
import { markSorted, pager, sortableHeaders } from "../table.js";

// Elasticsearch pages no deeper than 10,000 hits.
const MAX_PAGES = Math.floor(10000 / PAGE_SIZE);

let ctx = null;
let query = queryFromParams(window.location.search);
let runSeq = 0;
const services = new Set();

// ---- the form <-> the query ------------------------------------------------------

function levelBoxes() {
	const box = byId("levels");
	for (const level of LEVELS) {
		const id = "level-" + level;
		box.appendChild(h("input", { type: "checkbox", class: "btn-check", id, value: level, autocomplete: "off", name: "level" }));
		box.appendChild(h("label", { class: `btn btn-sm btn-outline-secondary vg-level-toggle vg-level-toggle-${level}`, for: id, text: level }));
	}
}

function formFromQuery() {
	const form = byId("search-form");
	form.elements.namedItem("q").value = query.q;
	form.elements.namedItem("service").value = query.service.join(", ");
	for (const level of LEVELS) {
		byId("level-" + level).checked = query.level.includes(level);
	}
	const range = byId("range");
	if (query.from === "" && (query.to === "" || query.to === "now")) {
		range.value = "";
	} else if (PERIODS.includes(query.from) && (query.to === "" || query.to === "now")) {
		range.value = query.from;
	} else {
		range.value = "custom";
	}
	byId("from").value = query.from.startsWith("now") ? "" : isoToLocalInput(query.from);
	byId("to").value = query.to.startsWith("now") ? "" : isoToLocalInput(query.to);
	byId("custom-range").hidden = range.value !== "custom";
	setText("range-error", "");
}

// The query the form describes, or null (with the reason shown) when the
// custom period is not valid.
function queryFromForm() {
	const form = byId("search-form");
	const q = emptyQuery();
	q.q = form.elements.namedItem("q").value.trim();
	q.service = form.elements
		.namedItem("service")
		.value.split(",")
		.map((s) => s.trim())
		.filter((s) => s !== "");
	q.level = LEVELS.filter((level) => byId("level-" + level).checked);
	q.sort = query.sort;
	q.order = query.order;
	const range = byId("range").value;
	setText("range-error", "");
	if (range === "custom") {
		const fromValue = byId("from").value;
		const toValue = byId("to").value;
		q.from = localInputToIso(fromValue);
		q.to = localInputToIso(toValue);
		if (q.from === "" && q.to === "") {
			setText("range-error", "Choose a start, an end, or both.");
			return null;
		}
		if (q.from !== "" && q.to !== "" && q.from > q.to) {
			setText("range-error", "The start is after the end.");
			return null;
		}
	} else {
		q.from = range;
	}
	return q;
}

// ---- running the search -------------------------------------------------------

function go(q, push = true) {
	query = q;
	const url = searchUrl(query);
	if (push && url !== window.location.pathname + window.location.search) {
		window.history.pushState(null, "", url);
	}
	run();
}

function busy(on) {
	const out = byId("search-busy");
	byId("search-button").disabled = on;
	byId("results-table").setAttribute("aria-busy", on ? "true" : "false");
	if (on) {
		fill(out, spinner("Searching…"));
	}
	out.hidden = !on;
}

function countText(body) {
	const total = Number(body.total) || 0;
	const more = body.total_relation === "gte";
	const noun = total === 1 && !more ? "result" : "results";
	const took = typeof body.took_ms === "number" ? ` in ${body.took_ms} ms` : "";
	return `${more ? "more than " : ""}${formatNumber(total)} ${noun}${took}`;
}

async function run() {
	const seq = ++runSeq;
	markSorted(byId("results-table"), query);
	busy(true);
	const params = queryParams(query, { size: PAGE_SIZE });
	const r = await ctx.api("GET", "/api/v1/logs?" + params.toString());
	if (seq !== runSeq) {
		return;
	}
	busy(false);
	if (!r.ok) {
		if (!r.authLost) {
			setText("result-count", "");
			fill(byId("results-rows"));
			fill(byId("results-pager"));
			flash("danger", errorText(r, "The search"));
		}
		return;
	}
	const hits = Array.isArray(r.body.hits) ? r.body.hits : [];
	const total = Number(r.body.total) || 0;
	setText("result-count", countText(r.body));
	fill(byId("results-rows"), hits.map(row));
	byId("results-empty").hidden = hits.length > 0;
	pager(byId("results-pager"), { page: query.page, size: PAGE_SIZE, total, maxPages: MAX_PAGES, label: "results" }, (p) => {
		go({ ...query, page: p });
		byId("results-title").scrollIntoView({ block: "start" });
	});
	for (const hit of hits) {
		const s = field(hit.source, "service.name");
		if (typeof s === "string" && s !== "" && !services.has(s) && services.size < 200) {
			services.add(s);
			byId("service-list").appendChild(h("option", { value: s }));
		}
	}
}

function row(hit) {
	const src = hit.source || {};
	const level = String(field(src, "log.level") || "");
	const levelClass = LEVELS.includes(level) ? level : "";
	const message = field(src, "message");
	const open = () => details(hit);
	return h(
		"tr",
		{ class: levelClass ? "vg-row-" + levelClass : null, dataset: { id: String(hit.id), level } },
		h("td", { class: "vg-date small vg-mono", text: formatTimestamp(field(src, "@timestamp")) }),
		h("td", {}, level ? h("span", { class: "vg-level vg-level-" + levelClass, text: level }) : ""),
		h("td", { class: "small vg-col-service", text: String(field(src, "service.name") || "") }),
		h("td", { class: "vg-message vg-mono" }, h("span", { class: "vg-clamp", text: message === undefined ? JSON.stringify(src) : String(message) })),
		h("td", {}, h("button", { type: "button", class: "btn btn-sm btn-outline-primary", text: "Details", "aria-label": "Details of the log at " + formatTimestamp(field(src, "@timestamp")), on: { click: open } })),
	);
}

// ---- one log's details ----------------------------------------------------------

function fieldsTable(source) {
	return h(
		"div",
		{ class: "table-responsive" },
		h(
			"table",
			{ class: "table table-sm vg-fields small", id: "log-fields" },
			h("caption", { class: "visually-hidden", text: "Fields of the log" }),
			h("tbody", {}, flatFields(source).map(([name, value]) => h("tr", { dataset: { field: name } }, h("th", { scope: "row", text: name }), h("td", { class: "vg-mono", text: value })))),
		),
	);
}

async function details(hit) {
	const body = byId("log-modal-body");
	const modal = window.bootstrap ? window.bootstrap.Modal.getOrCreateInstance(byId("log-modal")) : null;

	fill(body, spinner());
	if (modal !== null) {
		modal.show();
	}
	const r = await ctx.api("GET", "/api/v1/logs/" + encodeURIComponent(hit.id));
	if (!r.ok) {
		fill(body, h("p", { class: "text-danger", text: errorText(r, "Loading the log") }));
		return;
	}
	const src = r.body.source || {};
	const level = String(field(src, "log.level") || "");
	fill(
		body,
		h(
			"p",
			{ class: "d-flex flex-wrap gap-2 align-items-center" },
			level ? h("span", { class: "vg-level vg-level-" + (LEVELS.includes(level) ? level : ""), text: level }) : null,
			h("span", { class: "vg-mono small", text: formatTimestamp(field(src, "@timestamp")) }),
			h("span", { class: "small vg-muted", text: "index " + String(r.body.index || "") }),
		),
		h("h3", { class: "h6", text: "Message" }),
		h("pre", { class: "vg-pre vg-mono", id: "log-message", text: String(field(src, "message") ?? "") }),
		h("h3", { class: "h6", text: "Fields" }),
		fieldsTable(src),
		h("details", {}, h("summary", { class: "small", text: "JSON document" }), h("pre", { class: "vg-pre vg-mono small", text: JSON.stringify(src, null, 2) })),
	);
}

// ---- export and save ------------------------------------------------------------

// The server's file name (it ends with "-truncated" when the export was
// capped), or one made of the date.
export function csvName(disposition) {
	const m = /filename="?([A-Za-z0-9._-]{1,120}\.csv)"?/.exec(disposition || "");
	if (m !== null) {
		return m[1];
	}
	const d = new Date();
	const pad = (n) => String(n).padStart(2, "0");
	return `vigie-logs-${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}.csv`;
}

async function exportCsv() {
	const button = byId("export-button");
	const token = await freshToken();
	if (token === null) {
		window.location.assign("/login?reason=expired");
		return;
	}
	button.disabled = true;
	const label = button.textContent;
	button.textContent = "Exporting…";
	try {
		const r = await fetch("/api/v1/logs/export.csv?" + queryParams(query, { withPage: false }).toString(), {
			headers: { authorization: "Bearer " + token, accept: "text/csv" },
			cache: "no-store",
		});
		if (!r.ok) {
			let error = null;
			try {
				error = (await r.json()).error;
			} catch (e) {
				error = null;
			}
			flash("danger", errorText({ ok: false, status: r.status, error: error || {}, retryAfter: null }, "The export"));
			return;
		}
		const blob = await r.blob();
		const url = URL.createObjectURL(blob);
		const a = h("a", { href: url, download: csvName(r.headers.get("content-disposition")), hidden: true });
		document.body.appendChild(a);
		a.click();
		a.remove();
		setTimeout(() => URL.revokeObjectURL(url), 60000);
		flash("success", `Exported ${formatNumber(blob.size)} bytes of CSV.`);
	} catch (e) {
		flash("danger", "The export failed: Vigie cannot be reached.");
	} finally {
		button.disabled = false;
		button.textContent = label;
	}
}

function saveSetup() {
	const form = byId("save-form");
	const modalEl = byId("save-modal");
	byId("save-button").addEventListener("click", () => {
		form.reset();
		setText("save-name-error", "");
		byId("save-name").value = query.q ? query.q.slice(0, 100) : "";
		if (window.bootstrap) {
			window.bootstrap.Modal.getOrCreateInstance(modalEl).show();
		}
	});
	modalEl.addEventListener("shown.bs.modal", () => byId("save-name").focus());
	form.addEventListener("submit", async (e) => {
		e.preventDefault();
		const name = byId("save-name").value.trim();
		if (name === "") {
			setText("save-name-error", "Give the search a name.");
			byId("save-name").setAttribute("aria-invalid", "true");
			return;
		}
		byId("save-name").removeAttribute("aria-invalid");
		const r = await ctx.api("POST", "/api/v1/searches", { body: { name, query: savedQuery(query) } });
		if (!r.ok) {
			setText("save-name-error", errorText(r, "Saving the search"));
			return;
		}
		if (window.bootstrap) {
			window.bootstrap.Modal.getOrCreateInstance(modalEl).hide();
		}
		flash("success", `Saved as "${name}". Find it under Saved searches.`);
		loadSaved();
	});
}

// The saved searches, as links in a menu.
async function loadSaved() {
	const menu = byId("saved-menu");
	const r = await ctx.api("GET", "/api/v1/searches?kind=saved");
	if (!r.ok) {
		fill(menu, h("li", {}, h("span", { class: "dropdown-item-text small text-danger", text: errorText(r, "Loading the saved searches") })));
		return;
	}
	const items = Array.isArray(r.body.items) ? r.body.items : [];
	fill(
		menu,
		items.length === 0
			? h("li", {}, h("span", { class: "dropdown-item-text small vg-muted", text: "No saved search yet." }))
			: items.map((item) => h("li", {}, h("a", { class: "dropdown-item vg-message", href: searchUrl(queryFromSaved(item.query)), text: item.name || "(no name)" }))),
		h("li", {}, h("hr", { class: "dropdown-divider" })),
		h("li", {}, h("a", { class: "dropdown-item small", href: "/app/history", text: "Manage saved searches" })),
	);
}

// ---- start ---------------------------------------------------------------------

async function start() {
	ctx = await startPage({ page: "search" });
	if (ctx === null) {
		return;
	}
	levelBoxes();
	formFromQuery();
	byId("range").addEventListener("change", () => {
		byId("custom-range").hidden = byId("range").value !== "custom";
	});
	byId("search-form").addEventListener("submit", (e) => {
		e.preventDefault();
		const q = queryFromForm();
		if (q !== null) {
			go(q);
		}
	});
	byId("reset-button").addEventListener("click", () => {
		query = emptyQuery();
		formFromQuery();
		go(emptyQuery());
	});
	byId("export-button").addEventListener("click", exportCsv);
	saveSetup();
	sortableHeaders(byId("results-table"), () => query, (sort, order) => go({ ...query, sort, order, page: 1 }));
	window.addEventListener("popstate", () => {
		query = queryFromParams(window.location.search);
		formFromQuery();
		run();
	});
	pageReady();
	run();
	loadSaved();
}

start();
