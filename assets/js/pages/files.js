// The files page (/app/files): the organization's uploads (GET
// /api/v1/files) with filters, sorting and pages kept in the address, the
// details of one file with its refused lines, and the status of the files
// still being ingested followed live.
import { byId, fill, h } from "../dom.js";
import { fileActive, fileProgress, fileRow, FILE_STATUSES, statusBadge } from "../filestatus.js";
import { formatBytes, formatDate, formatNumber } from "../format.js";
import { errorText, flash, pageReady, spinner, startPage } from "../layout.js";
import { emptyQuery, searchUrl } from "../logquery.js";
import { markSorted, pager, sortableHeaders } from "../table.js";

const SORTS = ["date", "name", "size", "status", "count", "lines"];
const SIZES = [10, 25, 50, 100];
const POLL_MS = 3000;

let ctx = null;
let pollTimer = null;
let loadSeq = 0;

// The list's state, read from and written to the address.
export function stateFromQuery(search) {
	const q = new URLSearchParams(search);
	const int = (v, d) => (/^\d+$/.test(v || "") && Number(v) > 0 ? Number(v) : d);
	const date = (v) => (/^\d{4}-\d{2}-\d{2}$/.test(v || "") ? v : "");
	return {
		sort: SORTS.includes(q.get("sort")) ? q.get("sort") : "date",
		order: q.get("order") === "asc" ? "asc" : "desc",
		status: FILE_STATUSES.includes(q.get("status")) ? q.get("status") : "",
		from: date(q.get("from")),
		to: date(q.get("to")),
		page: int(q.get("page"), 1),
		size: SIZES.includes(int(q.get("size"), 25)) ? int(q.get("size"), 25) : 25,
	};
}

// The API's query: local calendar days become an ISO range (to is the end
// of its day), to the second (the API takes YYYY-MM-DDTHH:MM:SSZ).
export function apiQuery(state) {
	const q = new URLSearchParams({ sort: state.sort, order: state.order, page: String(state.page), size: String(state.size) });
	if (state.status) {
		q.set("status", state.status);
	}
	if (state.from) {
		q.set("from", isoSeconds(new Date(state.from + "T00:00:00")));
	}
	if (state.to) {
		q.set("to", isoSeconds(new Date(state.to + "T23:59:59")));
	}
	return q;
}

function isoSeconds(d) {
	return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

const state = stateFromQuery(window.location.search);

function writeAddress() {
	const q = new URLSearchParams();
	for (const [k, v] of Object.entries(state)) {
		const defaults = { sort: "date", order: "desc", page: 1, size: 25 };
		if (v !== "" && v !== defaults[k]) {
			q.set(k, String(v));
		}
	}
	const qs = q.toString();
	window.history.replaceState(null, "", "/app/files" + (qs ? "?" + qs : ""));
}

function formToState() {
	const form = byId("filters");
	state.status = form.elements.namedItem("status").value;
	state.from = form.elements.namedItem("from").value;
	state.to = form.elements.namedItem("to").value;
	state.size = Number(form.elements.namedItem("size").value) || 25;
	state.page = 1;
}

function stateToForm() {
	const form = byId("filters");
	form.elements.namedItem("status").value = state.status;
	form.elements.namedItem("from").value = state.from;
	form.elements.namedItem("to").value = state.to;
	form.elements.namedItem("size").value = String(state.size);
}

async function load(quiet = false) {
	const seq = ++loadSeq;
	const busy = byId("files-busy");

	clearTimeout(pollTimer);
	writeAddress();
	markSorted(byId("files-table"), state);
	if (!quiet) {
		fill(busy, spinner("Loading the files…"));
		busy.hidden = false;
	}
	const r = await ctx.api("GET", "/api/v1/files?" + apiQuery(state).toString());
	if (seq !== loadSeq) {
		return;
	}
	busy.hidden = true;
	if (!r.ok) {
		if (!r.authLost) {
			flash("danger", errorText(r, "Loading the files"));
		}
		return;
	}
	const items = Array.isArray(r.body.items) ? r.body.items : [];
	const total = Number(r.body.total) || 0;
	if (items.length === 0 && total > 0 && state.page > 1) {
		// The page is past the end (files removed, filters changed).
		state.page = Math.max(1, Math.ceil(total / state.size));
		load();
		return;
	}
	fill(byId("files-rows"), items.map(row));
	byId("files-empty").hidden = items.length > 0;
	pager(byId("files-pager"), { page: state.page, size: state.size, total, label: total === 1 ? "file" : "files" }, (p) => {
		state.page = p;
		load();
	});
	if (items.some(fileActive)) {
		pollTimer = setTimeout(() => load(true), POLL_MS);
	}
}

function row(f) {
	return fileRow(
		f,
		h("td", { class: "text-end", text: typeof f.lines === "number" && f.lines >= 0 ? formatNumber(f.lines) : "—" }),
		h("td", { class: "vg-nowrap small", text: formatDate(f.created_at) }),
		h("td", {}, h("button", { type: "button", class: "btn btn-sm btn-outline-primary", text: "Details", "aria-label": "Details of " + (f.name || "the file"), on: { click: () => details(f.id) } })),
	);
}

// ---- one file's details -------------------------------------------------------

function fact(label, value) {
	return [h("dt", { class: "col-5 col-md-4", text: label }), h("dd", { class: "col-7 col-md-8 text-break", text: value === undefined || value === null || value === "" ? "—" : String(value) })];
}

async function details(id) {
	const body = byId("file-modal-body");
	const modal = window.bootstrap ? window.bootstrap.Modal.getOrCreateInstance(byId("file-modal")) : null;

	byId("file-modal-title").textContent = "File";
	fill(body, spinner());
	if (modal !== null) {
		modal.show();
	}
	const [r, rejects] = await Promise.all([
		ctx.api("GET", "/api/v1/files/" + encodeURIComponent(id)),
		ctx.api("GET", "/api/v1/files/" + encodeURIComponent(id) + "/rejects?size=50"),
	]);
	if (!r.ok) {
		fill(body, h("p", { class: "text-danger", text: errorText(r, "Loading the file") }));
		return;
	}
	const f = r.body;
	byId("file-modal-title").textContent = f.name || "File";
	const samples = Array.isArray(f.error_samples) ? f.error_samples : [];
	const refused = rejects.ok && Array.isArray(rejects.body.items) ? rejects.body.items : [];
	fill(
		body,
		h(
			"div",
			{ class: "mb-3 d-flex flex-wrap gap-3 align-items-center" },
			statusBadge(f),
			fileProgress(f),
			/^[0-9a-f]{24}$/.test(String(f.id))
				? h("a", { class: "btn btn-sm btn-primary ms-auto", href: searchUrl({ ...emptyQuery(), q: "file:" + f.id }), text: "Search its logs" })
				: null,
		),
		h(
			"dl",
			{ class: "row small mb-3" },
			fact("Size", formatBytes(f.size) + (f.compressed ? " (gzip)" : "")),
			fact("Declared type", f.type),
			fact("Format read", f.format),
			fact("Lines", typeof f.lines === "number" && f.lines >= 0 ? formatNumber(f.lines) : "unknown yet"),
			fact("Lines read", formatNumber(f.lines_read)),
			fact("Indexed", formatNumber(f.indexed)),
			fact("Rejected", formatNumber(f.rejected)),
			fact("Skipped", formatNumber(f.skipped)),
			fact("Uploaded", formatDate(f.created_at)),
			fact("Started", formatDate(f.started_at)),
			fact("Finished", formatDate(f.finished_at)),
			fact("SHA-256", f.sha256),
			fact("Id", f.id),
			f.failure ? fact("Failure", f.failure) : null,
		),
		samples.length > 0 ? [h("h3", { class: "h6", text: "Examples of errors" }), h("ul", { class: "small" }, samples.map((s) => h("li", { text: `line ${s.line}: ${s.reason}` })))] : null,
		refused.length > 0
			? [
					h("h3", { class: "h6", text: `Refused lines (${formatNumber(rejects.body.total)})` }),
					h(
						"div",
						{ class: "table-responsive" },
						h(
							"table",
							{ class: "table table-sm small" },
							h("thead", {}, h("tr", {}, h("th", { scope: "col", text: "Line" }), h("th", { scope: "col", text: "Reason" }))),
							h("tbody", {}, refused.map((x) => h("tr", {}, h("td", { text: String(x.line) }), h("td", { class: "vg-message", text: x.reason })))),
						),
					),
				]
			: null,
	);
}

// ---- start ---------------------------------------------------------------------

async function start() {
	ctx = await startPage({ page: "files" });
	if (ctx === null) {
		return;
	}
	const select = byId("f-status");
	for (const s of FILE_STATUSES) {
		select.appendChild(h("option", { value: s, text: s }));
	}
	byId("upload-link").hidden = !ctx.can("analyst");
	stateToForm();
	sortableHeaders(byId("files-table"), state, (sort, order) => {
		state.sort = sort;
		state.order = order;
		state.page = 1;
		load();
	});
	byId("filters").addEventListener("submit", (e) => {
		e.preventDefault();
		formToState();
		load();
	});
	byId("f-reset").addEventListener("click", () => {
		Object.assign(state, stateFromQuery(""));
		stateToForm();
		load();
	});
	pageReady();
	load();
}

start();
