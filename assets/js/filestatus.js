// How an uploaded file's state is shown (the upload and files pages).
import { h } from "./dom.js";
import { formatBytes, formatNumber } from "./format.js";

const STATUS_CLASS = {
	uploaded: "text-bg-secondary",
	queued: "text-bg-secondary",
	ingesting: "text-bg-info",
	done: "text-bg-success",
	partial: "text-bg-warning",
	failed: "text-bg-danger",
};

export const FILE_STATUSES = Object.keys(STATUS_CLASS);

// Whether the worker still has work to do on the file.
export function fileActive(file) {
	return ["uploaded", "queued", "ingesting"].includes(file.status);
}

export function statusBadge(file) {
	const status = String(file.status || "unknown");
	return h("span", {
		class: `badge ${STATUS_CLASS[status] || "text-bg-light"} vg-file-status`,
		dataset: { status },
		text: status,
	});
}

// 0..100, or null while the number of lines is unknown (gzip).
export function filePercent(file) {
	if (file.status === "done" || file.status === "partial") {
		return 100;
	}
	if (typeof file.lines !== "number" || file.lines <= 0 || typeof file.lines_read !== "number") {
		return null;
	}
	return Math.min(100, Math.floor((file.lines_read * 100) / file.lines));
}

// A thin progress bar with the figures beside it.
export function fileProgress(file) {
	const pct = filePercent(file);
	const label = `${formatNumber(file.indexed || 0)} indexed` + (file.rejected ? `, ${formatNumber(file.rejected)} rejected` : "");
	const bar = h("div", {
		class: "progress-bar" + (fileActive(file) ? " progress-bar-striped progress-bar-animated" : ""),
	});
	bar.style.width = (pct === null ? 100 : pct) + "%";
	return h(
		"div",
		{ class: "vg-file-progress" },
		h(
			"div",
			{
				class: "progress",
				role: "progressbar",
				"aria-label": "Ingestion of " + (file.name || "the file"),
				"aria-valuemin": "0",
				"aria-valuemax": "100",
				"aria-valuenow": pct === null ? null : String(pct),
			},
			bar,
		),
		h("small", { class: "vg-muted", text: label }),
	);
}

// A file's row: name, format, size, status and progress, then extra cells.
export function fileRow(file, ...extra) {
	return h(
		"tr",
		{ dataset: { id: String(file.id), status: String(file.status) } },
		h("td", { class: "vg-message fw-semibold", text: file.name || "(no name)" }),
		h("td", { text: file.format || file.type || "" }),
		h("td", { class: "vg-nowrap", text: formatBytes(file.size) }),
		h("td", {}, statusBadge(file)),
		h("td", {}, fileProgress(file)),
		extra,
	);
}
