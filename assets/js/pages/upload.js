// The upload page (/app/upload): choose or drop a file, check it here
// (size, extension), preview its first records (POST /api/v1/files/preview),
// confirm, send it with a progress bar (XMLHttpRequest), and follow the
// recent uploads until the worker has finished them.
import { freshToken } from "../api.js";
import { byId, fill, h, setText } from "../dom.js";
import { fileActive, fileRow } from "../filestatus.js";
import { formatBytes, formatDate, formatTimestamp } from "../format.js";
import { errorText, flash, pageReady, spinner, startPage } from "../layout.js";

// The extensions the page accepts (after an optional ".gz" and a rotation
// number such as ".1"); a name without extension ("messages") is accepted.
export const EXTENSIONS = ["log", "txt", "csv", "tsv", "json", "ndjson", "jsonl"];
const PREVIEW_BYTES = 64 * 1024;
const POLL_MS = 2000;

let ctx = null;
let maxBytes = 100 * 1024 * 1024;
let chosen = null;
let previewSeq = 0;
let sending = false;
let pollTimer = null;

// What is wrong with a file before anything is sent, or null.
export function fileProblem(file, max) {
	const name = String(file.name || "");
	const base = name.toLowerCase().replace(/\.gz$/, "").replace(/\.\d+$/, "");
	const dot = base.lastIndexOf(".");

	if (file.size === 0) {
		return "This file is empty.";
	}
	if (file.size > max) {
		return `This file is ${formatBytes(file.size)}; the largest upload is ${formatBytes(max)}.`;
	}
	if (dot > 0 && !EXTENSIONS.includes(base.slice(dot + 1))) {
		return `".${base.slice(dot + 1)}" is not a log file this page takes (${EXTENSIONS.map((e) => "." + e).join(", ")}, optionally .gz).`;
	}
	return null;
}

function fileError(message) {
	const input = byId("file-input");
	setText("file-error", message || "");
	if (message) {
		input.setAttribute("aria-invalid", "true");
	} else {
		input.removeAttribute("aria-invalid");
	}
}

function resetPreview() {
	previewSeq++;
	byId("preview").hidden = true;
	byId("preview-busy").hidden = true;
	byId("preview-empty").hidden = false;
}

function choose(file) {
	if (sending) {
		return;
	}
	chosen = null;
	fileError("");
	resetPreview();
	byId("file-chosen").hidden = true;
	if (!file) {
		return;
	}
	setText("file-name", file.name);
	setText("file-size", formatBytes(file.size));
	byId("file-chosen").hidden = false;
	const problem = fileProblem(file, maxBytes);
	if (problem !== null) {
		fileError(problem);
		return;
	}
	chosen = file;
	preview();
}

async function preview() {
	const seq = ++previewSeq;
	const type = byId("type").value;
	const busy = byId("preview-busy");

	byId("preview-empty").hidden = true;
	byId("preview").hidden = true;
	fill(busy, spinner("Reading the first records…"));
	busy.hidden = false;
	const r = await ctx.api("POST", "/api/v1/files/preview?type=" + encodeURIComponent(type), {
		body: chosen.slice(0, PREVIEW_BYTES),
	});
	if (seq !== previewSeq) {
		return; // another file or type was chosen meanwhile
	}
	busy.hidden = true;
	if (!r.ok) {
		// The server's reasons (binary, not UTF-8, empty) concern the file.
		if ([413, 415, 422].includes(r.status)) {
			fileError(errorText(r, "The preview"));
			chosen = null;
		} else {
			flash("danger", errorText(r, "The preview"));
		}
		byId("preview-empty").hidden = false;
		return;
	}
	showPreview(r.body || {});
}

function showPreview(p) {
	const records = Array.isArray(p.records) ? p.records.slice(0, 10) : [];
	const errors = Array.isArray(p.errors) ? p.errors : [];
	const detected = p.detected || {};

	setText("preview-format", p.format || "unknown");
	setText("preview-reason", detected.reason ? `(${detected.reason})` : "");
	fill(
		byId("preview-rows"),
		records.map((rec) => {
			const level = String(rec["log.level"] || "");
			return h(
				"tr",
				{ class: "vg-row-" + level },
				h("td", { class: "vg-nowrap small", text: formatTimestamp(rec["@timestamp"]) }),
				h("td", {}, level ? h("span", { class: "vg-level vg-level-" + level, text: level }) : ""),
				h(
					"td",
					{ class: "vg-message vg-mono" },
					h("span", { class: "vg-clamp", text: rec.message === undefined ? JSON.stringify(rec) : String(rec.message) }),
				),
			);
		}),
	);
	if (records.length === 0) {
		byId("preview-rows").appendChild(h("tr", {}, h("td", { colspan: "3", class: "vg-muted", text: "No record could be read from the start of this file." })));
	}
	fill(
		byId("preview-errors"),
		errors.slice(0, 10).map((e) => h("li", { text: `line ${e.line}: ${e.reason}` })),
	);
	byId("preview").hidden = false;
	byId("confirm").disabled = false;
}

function setProgress(pct, label) {
	const bar = byId("upload-bar");
	bar.style.width = pct + "%";
	byId("upload-progress").setAttribute("aria-valuenow", String(pct));
	setText("sending-label", label);
}

function lock(on) {
	sending = on;
	for (const id of ["confirm", "cancel", "file-input", "type"]) {
		byId(id).disabled = on;
	}
}

// The upload itself: XMLHttpRequest, for its upload progress events.
async function send() {
	const file = chosen;
	const type = byId("type").value;

	if (file === null || sending) {
		return;
	}
	lock(true);
	byId("sending").hidden = false;
	setProgress(0, `Sending ${file.name}…`);
	const token = await freshToken();
	if (token === null) {
		window.location.assign("/login?reason=expired");
		return;
	}
	const query = new URLSearchParams({ name: file.name.slice(0, 255), type });
	const xhr = new XMLHttpRequest();
	xhr.open("POST", "/api/v1/files?" + query.toString());
	xhr.setRequestHeader("authorization", "Bearer " + token);
	xhr.setRequestHeader("content-type", "application/octet-stream");
	xhr.setRequestHeader("accept", "application/json");
	xhr.upload.addEventListener("progress", (e) => {
		if (e.lengthComputable && e.total > 0) {
			const pct = Math.min(100, Math.floor((e.loaded * 100) / e.total));
			setProgress(pct, `Sending ${file.name}: ${pct}% (${formatBytes(e.loaded)} of ${formatBytes(e.total)})`);
		}
	});
	xhr.addEventListener("load", () => {
		let body = null;
		try {
			body = JSON.parse(xhr.responseText);
		} catch (e) {
			body = null;
		}
		lock(false);
		byId("sending").hidden = true;
		if (xhr.status === 201) {
			flash("success", `${file.name} was uploaded; its ingestion is queued.`);
			clearChoice();
			refreshRecent();
			return;
		}
		const r = {
			ok: false,
			status: xhr.status,
			error: body && body.error ? body.error : { code: "http_" + xhr.status, message: xhr.status === 413 ? "The file is larger than this server accepts." : "" },
			retryAfter: parseInt(xhr.getResponseHeader("retry-after") || "", 10) || null,
		};
		flash("danger", `${file.name} was not uploaded: ` + errorText(r, "The upload"));
	});
	xhr.addEventListener("error", () => {
		lock(false);
		byId("sending").hidden = true;
		flash("danger", `${file.name} was not uploaded: Vigie cannot be reached. Check your connection and try again.`);
	});
	xhr.send(file);
}

function clearChoice() {
	chosen = null;
	byId("upload-form").reset();
	byId("file-chosen").hidden = true;
	fileError("");
	resetPreview();
}

// ---- recent uploads ------------------------------------------------------------

async function refreshRecent() {
	clearTimeout(pollTimer);
	const r = await ctx.api("GET", "/api/v1/files?sort=date&order=desc&size=10");
	if (!r.ok) {
		if (!r.authLost) {
			flash("danger", errorText(r, "Loading the recent uploads"));
		}
		return;
	}
	const items = Array.isArray(r.body.items) ? r.body.items : [];
	fill(
		byId("recent-rows"),
		items.map((f) => fileRow(f, h("td", { class: "vg-nowrap small", text: formatDate(f.created_at) }))),
	);
	byId("recent-empty").hidden = items.length > 0;
	if (items.some(fileActive)) {
		pollTimer = setTimeout(refreshRecent, POLL_MS);
	}
}

// ---- start ---------------------------------------------------------------------

function setupDrop() {
	const zone = byId("dropzone");
	const input = byId("file-input");

	input.addEventListener("change", () => choose(input.files[0]));
	["dragenter", "dragover"].forEach((type) =>
		zone.addEventListener(type, (e) => {
			e.preventDefault();
			zone.classList.add("vg-drag");
		}),
	);
	["dragleave", "dragend"].forEach((type) => zone.addEventListener(type, () => zone.classList.remove("vg-drag")));
	zone.addEventListener("drop", (e) => {
		e.preventDefault();
		zone.classList.remove("vg-drag");
		const files = e.dataTransfer ? e.dataTransfer.files : null;
		if (!files || files.length === 0) {
			return;
		}
		if (files.length > 1) {
			flash("info", "One file at a time: only the first one was taken.");
		}
		choose(files[0]);
	});
	// A file dropped outside the zone must not replace the page.
	window.addEventListener("dragover", (e) => e.preventDefault());
	window.addEventListener("drop", (e) => e.preventDefault());
}

async function start() {
	ctx = await startPage({ page: "upload" });
	if (ctx === null) {
		return;
	}
	const config = await ctx.api("GET", "/api/v1/web/config");
	if (config.ok && config.body && config.body.upload_max_bytes > 0) {
		maxBytes = config.body.upload_max_bytes;
	}
	setText("file-rules", `Up to ${formatBytes(maxBytes)}: ${EXTENSIONS.map((e) => "." + e).join(", ")}, optionally gzip-compressed (.gz).`);
	if (!ctx.can("analyst")) {
		flash("info", `Your role (${ctx.user.role}) can see the uploads but not send files: ask an admin of your organization.`);
		lock(true);
		byId("dropzone").classList.add("opacity-50");
	} else {
		setupDrop();
		byId("type").addEventListener("change", () => {
			if (chosen !== null) {
				preview();
			}
		});
		byId("confirm").addEventListener("click", send);
		byId("cancel").addEventListener("click", clearChoice);
	}
	pageReady();
	refreshRecent();
}

start();
