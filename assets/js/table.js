// Sortable column headers and pagination, shared by the tables of the
// files, search and history pages.
import { fill, h } from "./dom.js";
import { formatNumber } from "./format.js";

// Makes <th data-sort="key"> headers of a table sortable: each becomes a
// button; aria-sort tells the current order. state is { sort, order }, or
// a function answering it (when the page replaces its state object).
// onSort(key, order) is called
// on a click (same column: the order flips; another: its first order,
// desc unless the header has data-first="asc").
export function sortableHeaders(table, state, onSort) {
	for (const th of table.querySelectorAll("th[data-sort]")) {
		const key = th.dataset.sort;
		const label = th.textContent.trim();
		const button = h("button", { type: "button", class: "vg-sort-button" }, h("span", { text: label }), h("span", { class: "vg-sort-mark", "aria-hidden": "true" }));
		th.classList.add("vg-sortable");
		fill(th, button);
		button.addEventListener("click", () => {
			const now = typeof state === "function" ? state() : state;
			const order = now.sort === key ? (now.order === "asc" ? "desc" : "asc") : th.dataset.first || "desc";
			onSort(key, order);
		});
	}
	markSorted(table, typeof state === "function" ? state() : state);
}

export function markSorted(table, state) {
	for (const th of table.querySelectorAll("th[data-sort]")) {
		const on = th.dataset.sort === state.sort;
		th.setAttribute("aria-sort", on ? (state.order === "asc" ? "ascending" : "descending") : "none");
		const mark = th.querySelector(".vg-sort-mark");
		if (mark !== null) {
			mark.textContent = on ? (state.order === "asc" ? " ▲" : " ▼") : "";
		}
	}
}

// Page numbers around the current one: 1 … 4 5 [6] 7 8 … 20.
export function pageWindow(page, pages, around = 2) {
	const out = [];
	for (let p = 1; p <= pages; p++) {
		if (p === 1 || p === pages || Math.abs(p - page) <= around) {
			out.push(p);
		} else if (out[out.length - 1] !== "…") {
			out.push("…");
		}
	}
	return out;
}

// Draws "x–y of total" and the page links into container; onPage(n).
// maxPages caps what can be reached (deep pages the API refuses).
export function pager(container, { page, size, total, label = "results", maxPages = Infinity }, onPage) {
	const pages = Math.max(1, Math.min(Math.ceil(total / size), maxPages));
	const first = total === 0 ? 0 : (page - 1) * size + 1;
	const last = Math.min(total, page * size);
	const item = (p, text, disabled, current) =>
		h(
			"li",
			{ class: ["page-item", disabled && "disabled", current && "active"] },
			h("button", {
				type: "button",
				class: "page-link",
				text,
				disabled: disabled || current ? true : null,
				"aria-current": current ? "page" : null,
				"aria-label": text === "‹" ? "Previous page" : text === "›" ? "Next page" : `Page ${text}`,
				on: { click: () => onPage(p) },
			}),
		);

	fill(
		container,
		h("p", { class: "mb-2 small vg-muted vg-range", text: `${formatNumber(first)}–${formatNumber(last)} of ${formatNumber(total)} ${label}` }),
		pages > 1
			? h(
					"nav",
					{ "aria-label": "Pages" },
					h(
						"ul",
						{ class: "pagination pagination-sm flex-wrap mb-0" },
						item(page - 1, "‹", page <= 1, false),
						pageWindow(page, pages).map((p) =>
							p === "…" ? h("li", { class: "page-item disabled" }, h("span", { class: "page-link", text: "…" })) : item(p, String(p), false, p === page),
						),
						item(page + 1, "›", page >= pages, false),
					),
				)
			: null,
	);
}
