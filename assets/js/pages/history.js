// The searches page (/app/history): saved searches (run, delete) and the
// recent searches of the signed-in person (run again, save, clear), from
// GET /api/v1/searches?kind=saved|history.
import { byId, fill, h } from "../dom.js";
import { formatAgo, formatDate, formatNumber } from "../format.js";
import { errorText, flash, pageReady, spinner, startPage } from "../layout.js";
import { describeQuery, queryFromSaved, savedQuery, searchUrl } from "../logquery.js";

let ctx = null;

async function list(kind) {
	const busy = byId(kind + "-busy");
	fill(busy, spinner());
	busy.hidden = false;
	const r = await ctx.api("GET", "/api/v1/searches?kind=" + kind);
	busy.hidden = true;
	if (!r.ok) {
		if (!r.authLost) {
			flash("danger", errorText(r, kind === "saved" ? "Loading the saved searches" : "Loading the search history"));
		}
		return null;
	}
	return Array.isArray(r.body.items) ? r.body.items : [];
}

function when(item) {
	return h("span", { class: "small vg-nowrap", title: formatDate(item.created_at), text: formatAgo(item.created_at) });
}

async function remove(item) {
	const r = await ctx.api("DELETE", "/api/v1/searches/" + encodeURIComponent(item.id));
	if (!r.ok) {
		flash("danger", errorText(r, "Deleting the search"));
		return;
	}
	flash("success", `"${item.name}" was deleted.`);
	loadSaved();
}

async function save(item) {
	const q = queryFromSaved(item.query);
	const name = describeQuery(q).slice(0, 100);
	const r = await ctx.api("POST", "/api/v1/searches", { body: { name, query: savedQuery(q) } });
	if (!r.ok) {
		flash("danger", errorText(r, "Saving the search"));
		return;
	}
	flash("success", `Saved as "${name}".`);
	loadSaved();
}

async function loadSaved() {
	const items = await list("saved");
	if (items === null) {
		return;
	}
	fill(
		byId("saved-rows"),
		items.map((item) => {
			const q = queryFromSaved(item.query);
			return h(
				"tr",
				{ dataset: { id: String(item.id) } },
				h("td", { class: "fw-semibold vg-message", text: item.name || "(no name)" }),
				h("td", { class: "vg-message small vg-mono", text: describeQuery(q) }),
				h("td", {}, when(item)),
				h(
					"td",
					{ class: "text-end vg-nowrap" },
					h("a", { class: "btn btn-sm btn-primary me-1", href: searchUrl(q), text: "Run", "aria-label": "Run " + (item.name || "the search") }),
					h("button", { type: "button", class: "btn btn-sm btn-outline-danger", text: "Delete", "aria-label": "Delete " + (item.name || "the search"), on: { click: () => remove(item) } }),
				),
			);
		}),
	);
	byId("saved-empty").hidden = items.length > 0;
}

async function loadHistory() {
	const items = await list("history");
	if (items === null) {
		return;
	}
	fill(
		byId("history-rows"),
		items.map((item) => {
			const q = queryFromSaved(item.query);
			return h(
				"tr",
				{ dataset: { id: String(item.id) } },
				h("td", { class: "vg-message small vg-mono", text: describeQuery(q) }),
				h("td", { class: "text-end", text: typeof item.total === "number" ? formatNumber(item.total) : "—" }),
				h("td", {}, when(item)),
				h(
					"td",
					{ class: "text-end vg-nowrap" },
					h("a", { class: "btn btn-sm btn-outline-primary me-1", href: searchUrl(q), text: "Run again" }),
					h("button", { type: "button", class: "btn btn-sm btn-outline-secondary", text: "Save", on: { click: () => save(item) } }),
				),
			);
		}),
	);
	byId("history-empty").hidden = items.length > 0;
	byId("clear-history").disabled = items.length === 0;
}

async function start() {
	ctx = await startPage({ page: "history", title: "History" });
	if (ctx === null) {
		return;
	}
	byId("clear-history").addEventListener("click", async () => {
		const r = await ctx.api("DELETE", "/api/v1/searches?kind=history");
		if (!r.ok) {
			flash("danger", errorText(r, "Clearing the history"));
			return;
		}
		flash("success", "The search history was cleared.");
		loadHistory();
	});
	pageReady();
	loadSaved();
	loadHistory();
}

start();
