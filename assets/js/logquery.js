// A log search as the pages keep it: the parameters of GET /api/v1/logs
// (CONTRACTS.md), also used as the search page's address so that a search
// can be linked to (/app/search?q=...&level=ERROR&from=now-24h), saved and
// run again. No DOM here.

export const LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"];
export const SORTS = ["@timestamp", "log.level", "service.name"];
export const PAGE_SIZE = 50;
// Relative periods offered by the page (the API takes now-<n><unit>).
export const PERIODS = ["now-15m", "now-1h", "now-24h", "now-7d", "now-30d"];

function list(values) {
	return values
		.flatMap((v) => String(v).split(","))
		.map((v) => v.trim())
		.filter((v) => v !== "");
}

// Accepts what the API accepts for from/to: now, now-<n>[smhdw], ISO 8601.
export function timeOk(value) {
	return value === "" || /^now(-\d{1,5}[smhdw])?$/.test(value) || !Number.isNaN(new Date(value).getTime());
}

export function emptyQuery() {
	return { q: "", level: [], service: [], from: "", to: "", sort: "@timestamp", order: "desc", page: 1 };
}

// From an address's query string (or URLSearchParams).
export function queryFromParams(search) {
	const p = search instanceof URLSearchParams ? search : new URLSearchParams(search);
	const q = emptyQuery();
	const page = Number(p.get("page"));
	q.q = (p.get("q") || "").slice(0, 1000);
	q.level = [...new Set(list(p.getAll("level")).map((l) => l.toUpperCase()).filter((l) => LEVELS.includes(l)))];
	q.service = [...new Set(list(p.getAll("service")))].slice(0, 20);
	q.from = timeOk(p.get("from") || "") ? p.get("from") || "" : "";
	q.to = timeOk(p.get("to") || "") ? p.get("to") || "" : "";
	q.sort = SORTS.includes(p.get("sort")) ? p.get("sort") : "@timestamp";
	q.order = p.get("order") === "asc" ? "asc" : "desc";
	q.page = Number.isInteger(page) && page > 0 ? page : 1;
	return q;
}

// From a saved search's "query" object (its fields may be missing).
export function queryFromSaved(saved) {
	const s = saved && typeof saved === "object" ? saved : {};
	const p = new URLSearchParams();
	for (const key of ["q", "from", "to", "sort", "order"]) {
		if (typeof s[key] === "string" && s[key] !== "") {
			p.set(key, s[key]);
		}
	}
	for (const key of ["level", "service"]) {
		const v = Array.isArray(s[key]) ? s[key] : typeof s[key] === "string" ? [s[key]] : [];
		if (v.length > 0) {
			p.set(key, v.join(","));
		}
	}
	return queryFromParams(p);
}

// The parameters, without the defaults. withPage: include page (for the
// API and the address), otherwise the search itself only (export, save).
export function queryParams(q, { withPage = true, size = null } = {}) {
	const p = new URLSearchParams();
	if (q.q) {
		p.set("q", q.q);
	}
	if (q.level.length > 0) {
		p.set("level", q.level.join(","));
	}
	if (q.service.length > 0) {
		p.set("service", q.service.join(","));
	}
	if (q.from) {
		p.set("from", q.from);
	}
	if (q.to) {
		p.set("to", q.to);
	}
	if (q.sort !== "@timestamp" || q.order !== "desc") {
		p.set("sort", q.sort);
		p.set("order", q.order);
	}
	if (withPage && q.page > 1) {
		p.set("page", String(q.page));
	}
	if (size !== null) {
		p.set("size", String(size));
	}
	return p;
}

// The address of the search page showing this search.
export function searchUrl(q) {
	const qs = queryParams(q).toString();
	return "/app/search" + (qs ? "?" + qs : "");
}

// The body of POST /api/v1/searches' "query".
export function savedQuery(q) {
	return { q: q.q, level: q.level, service: q.service, from: q.from, to: q.to, sort: q.sort, order: q.order };
}

const PERIOD_NAMES = {
	"now-15m": "last 15 minutes",
	"now-1h": "last hour",
	"now-24h": "last 24 hours",
	"now-7d": "last 7 days",
	"now-30d": "last 30 days",
};

// "error AND timeout · ERROR, CRITICAL · api · last 24 hours"
export function describeQuery(q) {
	const parts = [q.q ? q.q : "everything"];
	if (q.level.length > 0) {
		parts.push(q.level.join(", "));
	}
	if (q.service.length > 0) {
		parts.push(q.service.join(", "));
	}
	if (PERIOD_NAMES[q.from] && (q.to === "" || q.to === "now")) {
		parts.push(PERIOD_NAMES[q.from]);
	} else if (q.from || q.to) {
		parts.push(`${q.from || "…"} → ${q.to || "now"}`);
	}
	return parts.join(" · ");
}

// A field of a document's _source, flat ("log.level": ...) or nested.
export function field(source, path) {
	if (!source || typeof source !== "object") {
		return undefined;
	}
	if (Object.prototype.hasOwnProperty.call(source, path)) {
		return source[path];
	}
	let v = source;
	for (const part of path.split(".")) {
		if (!v || typeof v !== "object" || !Object.prototype.hasOwnProperty.call(v, part)) {
			return undefined;
		}
		v = v[part];
	}
	return v;
}

// Every field of a document as [name, text] pairs, nested objects flattened
// with dots, sorted by name (@timestamp and message first).
export function flatFields(source) {
	const out = [];
	const walk = (prefix, v) => {
		if (v && typeof v === "object" && !Array.isArray(v)) {
			for (const [k, child] of Object.entries(v)) {
				walk(prefix ? prefix + "." + k : k, child);
			}
		} else {
			out.push([prefix, typeof v === "string" ? v : JSON.stringify(v)]);
		}
	};
	walk("", source || {});
	const rank = (name) => (name === "@timestamp" ? 0 : name === "message" ? 1 : name === "log.level" ? 2 : 3);
	return out.sort((a, b) => rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0]));
}
