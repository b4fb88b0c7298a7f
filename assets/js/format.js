// Numbers, sizes and dates as the pages show them. No DOM here.

const numberFormat = new Intl.NumberFormat("en-US");

export function formatNumber(n) {
	return typeof n === "number" && Number.isFinite(n) ? numberFormat.format(n) : "—";
}

export function formatBytes(n) {
	if (typeof n !== "number" || !Number.isFinite(n) || n < 0) {
		return "—";
	}
	const units = ["B", "KiB", "MiB", "GiB", "TiB"];
	let i = 0;
	while (n >= 1024 && i < units.length - 1) {
		n /= 1024;
		i++;
	}
	return (i === 0 ? String(n) : n.toFixed(n < 10 ? 1 : 0)) + " " + units[i];
}

function pad(n, width = 2) {
	return String(n).padStart(width, "0");
}

// "2026-11-21 07:31:05" in the browser's time zone; "—" when unreadable.
export function formatDate(value) {
	const d = value instanceof Date ? value : new Date(value);
	if (value === null || value === undefined || value === "" || Number.isNaN(d.getTime())) {
		return "—";
	}
	return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

// With milliseconds, for log lines.
export function formatTimestamp(value) {
	const d = new Date(value);
	if (value === null || value === undefined || value === "" || Number.isNaN(d.getTime())) {
		return "—";
	}
	return formatDate(d) + "." + pad(d.getMilliseconds(), 3);
}

// A histogram bucket's label: the hour, or the day for daily buckets.
export function formatBucket(value, interval) {
	const d = new Date(value);
	if (Number.isNaN(d.getTime())) {
		return String(value);
	}
	if (interval === "1d") {
		return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
	}
	return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// The value of <input type="datetime-local"> as ISO 8601 (UTC), or "".
export function localInputToIso(value) {
	if (!value) {
		return "";
	}
	const d = new Date(value);
	return Number.isNaN(d.getTime()) ? "" : d.toISOString();
}

// An ISO date as the value of <input type="datetime-local">, or "".
export function isoToLocalInput(value) {
	const d = new Date(value);
	if (!value || Number.isNaN(d.getTime())) {
		return "";
	}
	return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// "3 min ago", "2 h ago", "just now".
export function formatAgo(value, now = Date.now()) {
	const t = new Date(value).getTime();
	if (Number.isNaN(t)) {
		return "—";
	}
	const s = Math.round((now - t) / 1000);
	if (s < 45) {
		return "just now";
	}
	if (s < 3600) {
		return Math.round(s / 60) + " min ago";
	}
	if (s < 86400) {
		return Math.round(s / 3600) + " h ago";
	}
	return Math.round(s / 86400) + " d ago";
}
