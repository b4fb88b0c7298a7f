// The frame every page of the logged-in application shares (docs/WEB.md):
// navigation bar, breadcrumbs, flash messages, quota banner, footer, the
// organization's branding, and the session.
//
//   import { startPage } from "/assets/js/layout.js";
//   const ctx = await startPage({ page: "search" });
//   if (ctx === null) return;          // not signed in, or /me failed
//   const r = await ctx.api("GET", "/api/v1/logs?q=x");
//   if (!r.ok) ctx.flash("danger", errorText(r, "The search"));
//
// startPage draws the frame at once (default branding, or the last one
// seen in this tab), sends the browser to /login without a session, asks
// GET /api/v1/me who is signed in (refreshing the token when needed), then
// applies GET /api/v1/branding and shows the warnings of GET
// /api/v1/usage; both are optional (a failure keeps the defaults). Only
// our own scripts run on these pages and data is only ever inserted as
// text (dom.js).
import { apiRequest, fetchWithToken, logout, sessionRead } from "./api.js";
import { append, clear, h } from "./dom.js";
import { navEntry, navFor, roleAtLeast } from "./nav.js";

const BRAND_KEY = "vigie.branding";
const FLASH_KEY = "vigie.flash";

export const DEFAULT_BRANDING = {
	display_name: "Vigie",
	primary_color: "#0b5fff",
	accent_color: "#00a88f",
	logo_url: null,
};

let flashBox = null;
let pageTitle = "";

// ---- flash messages ---------------------------------------------------------

const FLASH_KINDS = ["success", "info", "warning", "danger"];

// Shows a message at the top of the page until it is dismissed; returns
// its element. kind: success, info, warning or danger.
export function flash(kind, message, options = {}) {
	const k = FLASH_KINDS.includes(kind) ? kind : "info";
	const box = flashBox || document.getElementById("vg-flash");

	if (box === null) {
		return null;
	}
	if (options.replace !== false) {
		// One message per text: the same error twice is shown once.
		for (const old of box.querySelectorAll(".alert")) {
			if (old.dataset.text === String(message)) {
				old.remove();
			}
		}
	}
	const alert = h(
		"div",
		{
			class: `alert alert-${k} alert-dismissible fade show vg-flash-${k}`,
			role: k === "danger" || k === "warning" ? "alert" : "status",
			dataset: { text: String(message), kind: k },
		},
		h("span", { class: "vg-flash-text", text: message }),
		h("button", { type: "button", class: "btn-close", "data-bs-dismiss": "alert", "aria-label": "Close" }),
	);
	box.appendChild(alert);
	return alert;
}

export function clearFlashes() {
	if (flashBox !== null) {
		clear(flashBox);
	}
}

// A message for the next page this tab opens (after a redirect).
export function flashNext(kind, message) {
	const list = readJson(FLASH_KEY, []);
	list.push({ kind, message: String(message) });
	sessionStorage.setItem(FLASH_KEY, JSON.stringify(list.slice(-5)));
}

function flashPending() {
	const list = readJson(FLASH_KEY, []);
	sessionStorage.removeItem(FLASH_KEY);
	if (Array.isArray(list)) {
		for (const f of list) {
			if (f && typeof f.message === "string") {
				flash(f.kind, f.message);
			}
		}
	}
}

// A sentence for a failed API call (apiRequest's result). what names the
// action for the cases the server's message does not cover.
export function errorText(r, what = "This request") {
	const e = r.error || {};
	if (r.status === 0) {
		return e.message || "Vigie cannot be reached. Check your connection and try again.";
	}
	if (r.status === 404 && typeof e.message === "string" && e.message.startsWith("no API route")) {
		return `${what}: this server does not offer it yet.`;
	}
	if (r.status === 403 && e.code === "forbidden") {
		return `${what} is not allowed for your role.`;
	}
	if (e.code === "quota_exceeded") {
		return "Quota exceeded: " + (e.message || "a limit of your plan was reached.");
	}
	if (r.status === 429) {
		const wait = r.retryAfter !== null && r.retryAfter !== undefined ? ` Try again in ${r.retryAfter} s.` : "";
		return (e.message || "Too many requests.") + wait;
	}
	if (r.status >= 500) {
		return `${what} failed on the server: ${e.message || "HTTP " + r.status}.`;
	}
	return e.message || `${what} failed (HTTP ${r.status}).`;
}

// ---- branding ---------------------------------------------------------------

function readJson(key, fallback) {
	try {
		const v = JSON.parse(sessionStorage.getItem(key));
		return v === null ? fallback : v;
	} catch (e) {
		return fallback;
	}
}

function colour(value, fallback) {
	return typeof value === "string" && /^#[0-9a-fA-F]{6}$/.test(value) ? value.toLowerCase() : fallback;
}

function rgbOf(hex) {
	const n = parseInt(hex.slice(1), 16);
	return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

// Dark text on a light primary colour, white otherwise (WCAG luminance).
function onColour(hex) {
	const [r, g, b] = rgbOf(hex).map((c) => {
		const s = c / 255;
		return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
	});
	return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 ? "#1d2433" : "#ffffff";
}

// The branding as it will be applied: colours checked, name trimmed.
export function brandingClean(b) {
	const src = b && typeof b === "object" ? b : {};
	const name = typeof src.display_name === "string" ? src.display_name.trim().slice(0, 80) : "";
	return {
		display_name: name || DEFAULT_BRANDING.display_name,
		primary_color: colour(src.primary_color, DEFAULT_BRANDING.primary_color),
		accent_color: colour(src.accent_color, DEFAULT_BRANDING.accent_color),
		// Only a path of our own API: nothing is loaded from elsewhere.
		logo_url: typeof src.logo_url === "string" && /^\/api\/v1\/[A-Za-z0-9/_.-]+$/.test(src.logo_url) && !src.logo_url.includes("..") ? src.logo_url : null,
	};
}

// Sets the CSS variables and the names; the logo is loaded separately.
export function applyBranding(raw) {
	const b = brandingClean(raw);
	const root = document.documentElement.style;
	const on = onColour(b.primary_color);

	root.setProperty("--vg-primary", b.primary_color);
	root.setProperty("--vg-primary-rgb", rgbOf(b.primary_color).join(", "));
	root.setProperty("--vg-accent", b.accent_color);
	root.setProperty("--vg-on-primary", on);
	const bar = document.getElementById("vg-navbar");
	if (bar !== null) {
		bar.setAttribute("data-bs-theme", on === "#ffffff" ? "dark" : "light");
	}
	for (const el of document.querySelectorAll(".vg-brand-name")) {
		el.textContent = b.display_name;
	}
	document.title = pageTitle ? `${pageTitle} — ${b.display_name}` : b.display_name;
	return b;
}

let logoUrl = null;

// The logo is behind the API's authentication, so it is fetched with the
// token and shown from a blob: URL.
async function loadLogo(path) {
	const img = document.getElementById("vg-logo");

	if (img === null) {
		return;
	}
	if (path === null) {
		img.hidden = true;
		return;
	}
	try {
		const r = await fetchWithToken(path);
		const type = r === null ? "" : r.headers.get("content-type") || "";
		if (r === null || !r.ok || !type.startsWith("image/")) {
			img.hidden = true;
			return;
		}
		const blob = await r.blob();
		if (logoUrl !== null) {
			URL.revokeObjectURL(logoUrl);
		}
		logoUrl = URL.createObjectURL(blob);
		img.src = logoUrl;
		img.hidden = false;
	} catch (e) {
		img.hidden = true;
	}
}

async function loadBranding() {
	const r = await apiRequest("GET", "/api/v1/branding", { auth: true, redirect: false });
	if (!r.ok || !r.body) {
		return;
	}
	const b = applyBranding(r.body);
	sessionStorage.setItem(BRAND_KEY, JSON.stringify(b));
	await loadLogo(b.logo_url);
}

// The public pages (login, sign-up) of a custom domain: GET
// /api/v1/branding/public answers the branding of the organization whose
// domain the page is on (the platform's defaults elsewhere); its logo needs
// no token, so it is a plain image of our own origin.
export async function applyPublicBranding() {
	const r = await apiRequest("GET", "/api/v1/branding/public");
	if (!r.ok || !r.body) {
		return;
	}
	pageTitle = document.title.split(" — ")[0];
	const b = applyBranding(r.body);
	const img = document.getElementById("vg-logo");
	if (img !== null && b.logo_url !== null && b.logo_url.startsWith("/api/v1/branding/public/")) {
		img.src = b.logo_url;
		img.hidden = false;
	}
}

// ---- quota banner -------------------------------------------------------------

async function loadUsage() {
	const box = document.getElementById("vg-banners");
	const r = await apiRequest("GET", "/api/v1/usage", { auth: true, redirect: false });

	if (box === null || !r.ok || !r.body || !Array.isArray(r.body.warnings)) {
		return;
	}
	clear(box);
	for (const w of r.body.warnings.slice(0, 5)) {
		if (!w || typeof w.message !== "string") {
			continue;
		}
		const severe = Number(w.threshold) >= 95;
		box.appendChild(
			h(
				"div",
				{ class: `alert ${severe ? "alert-danger" : "alert-warning"} rounded-0 mb-0 py-2 vg-quota-warning`, role: "alert" },
				h("div", { class: "container-xxl d-flex flex-wrap gap-2 align-items-center" },
					h("strong", { text: severe ? "Quota almost reached:" : "Quota warning:" }),
					h("span", { text: w.message }),
					roleAtLeast(currentRole, "admin") && navEntry("usage") && !navEntry("usage").hidden
						? h("a", { href: "/app/usage", class: "alert-link ms-auto", text: "See usage" })
						: null,
				),
			),
		);
	}
}

// ---- the frame ------------------------------------------------------------------

let currentRole = null;

function navBar(page) {
	const links = h("ul", { class: "navbar-nav me-auto mb-2 mb-xl-0", id: "vg-nav-links" });
	const bar = h(
		"nav",
		{ class: "navbar navbar-expand-xl vg-navbar", id: "vg-navbar", "data-bs-theme": "dark", "aria-label": "Main" },
		h(
			"div",
			{ class: "container-fluid" },
			h(
				"a",
				{ class: "navbar-brand", href: "/app" },
				h("img", { id: "vg-logo", alt: "", hidden: true }),
				h("span", { class: "vg-brand-name", text: DEFAULT_BRANDING.display_name }),
			),
			h(
				"button",
				{
					class: "navbar-toggler",
					type: "button",
					"data-bs-toggle": "collapse",
					"data-bs-target": "#vg-nav-collapse",
					"aria-controls": "vg-nav-collapse",
					"aria-expanded": "false",
					"aria-label": "Menu",
				},
				h("span", { class: "navbar-toggler-icon" }),
			),
			h("div", { class: "collapse navbar-collapse", id: "vg-nav-collapse" }, links),
			// Outside the collapsed menu: who is signed in shows on a phone too.
			h(
				"div",
				{ class: "d-flex align-items-center gap-2 vg-account" },
				h("span", { class: "navbar-text text-truncate" }, h("span", { class: "visually-hidden", text: "Organization: " }), h("span", { id: "org-slug" })),
				h("span", { class: "navbar-text fw-semibold text-truncate", id: "user-name" }),
				h("span", { class: "visually-hidden", text: "Role: " }),
				h("span", { class: "badge vg-role", id: "user-role" }),
				h("button", { type: "button", class: "btn btn-sm btn-outline-light ms-auto text-nowrap", id: "logout", text: "Log out" }),
			),
		),
	);
	bar.dataset.page = page;
	return bar;
}

function fillNav(role, page) {
	const links = document.getElementById("vg-nav-links");
	clear(links);
	for (const entry of navFor(role)) {
		const active = entry.id === page;
		links.appendChild(
			h(
				"li",
				{ class: "nav-item" },
				h("a", {
					class: active ? "nav-link active" : "nav-link",
					href: entry.href,
					"aria-current": active ? "page" : null,
					text: entry.label,
				}),
			),
		);
	}
}

function breadcrumbs(crumbs) {
	const ol = h("ol", { class: "breadcrumb" });
	crumbs.forEach((c, i) => {
		const last = i === crumbs.length - 1;
		ol.appendChild(
			h(
				"li",
				{ class: last ? "breadcrumb-item active" : "breadcrumb-item", "aria-current": last ? "page" : null },
				last || !c.href ? c.label : h("a", { href: c.href, text: c.label }),
			),
		);
	});
	return h("nav", { class: "vg-crumbs", "aria-label": "Breadcrumb", id: "vg-crumbs" }, ol);
}

function footer() {
	return h(
		"footer",
		{ class: "vg-footer mt-4 py-3" },
		h(
			"div",
			{ class: "container-xxl d-flex flex-wrap gap-3 justify-content-between" },
			h("span", {}, h("span", { class: "vg-brand-name", text: DEFAULT_BRANDING.display_name }), " · log monitoring by Vigie"),
			h(
				"span",
				{ class: "d-flex gap-3" },
				h("a", { href: "/health", text: "Status" }),
				navEntry("kibana") && !navEntry("kibana").hidden ? h("a", { href: "/app/kibana", text: "Kibana" }) : null,
			),
		),
	);
}

// Draws the frame around <main id="main">.
function drawFrame(opts) {
	const main = document.getElementById("main");
	const entry = navEntry(opts.page);
	const title = opts.title || (entry ? entry.label : "Vigie");
	const crumbs = opts.page === "dashboard" ? [{ label: title }] : [{ label: "Home", href: "/app" }].concat(opts.crumbs || [{ label: title }]);

	pageTitle = title;
	document.body.prepend(
		h("a", { class: "vg-skip btn btn-light", href: "#main", text: "Skip to content" }),
		navBar(opts.page),
		h("div", { id: "vg-banners", "aria-live": "polite" }),
	);
	flashBox = h("div", { id: "vg-flash", "aria-live": "polite" });
	main.prepend(breadcrumbs(crumbs), flashBox);
	document.body.appendChild(footer());
}

// opts: page (its id in nav.js), title (default: the nav label), crumbs
// (after "Home"; default: the title). Resolves to the page's context, or
// null when the page must draw nothing (redirected to /login, or /me
// failed: a flash says why).
export async function startPage(opts) {
	const main = document.getElementById("main");

	drawFrame(opts);
	applyBranding(readJson(BRAND_KEY, DEFAULT_BRANDING));
	flashPending();
	document.getElementById("logout").addEventListener("click", async (event) => {
		event.currentTarget.disabled = true;
		await logout();
		sessionStorage.removeItem(BRAND_KEY);
		window.location.assign("/login?reason=logged_out");
	});
	if (sessionRead() === null) {
		window.location.replace("/login?reason=signed_out");
		return null;
	}
	const r = await apiRequest("GET", "/api/v1/me", { auth: true });
	if (r.authLost) {
		return null;
	}
	if (!r.ok || !r.body || r.body.kind !== "user") {
		flash("danger", "Your account could not be loaded: " + errorText(r, "Loading your account"));
		main.setAttribute("aria-busy", "false");
		return null;
	}
	const me = r.body;
	const session = sessionRead();
	const known = session && session.user && session.user.id === me.user.id ? session.user : {};
	const user = { ...me.user, name: known.name || me.user.email };

	currentRole = user.role;
	fillNav(user.role, opts.page);
	document.getElementById("org-slug").textContent = me.tenant.slug;
	document.getElementById("user-name").textContent = user.name;
	document.getElementById("user-role").textContent = user.role;
	for (const el of document.querySelectorAll("[data-when-loaded]")) {
		el.hidden = false;
	}
	main.setAttribute("aria-busy", "false");
	// Optional extras: neither blocks the page nor fails it.
	loadBranding();
	// Usage needs billing.read (admins and owners).
	if (roleAtLeast(user.role, "admin")) {
		loadUsage();
	}
	return {
		me,
		user,
		tenant: me.tenant,
		flash,
		errorText,
		can: (minRole) => roleAtLeast(user.role, minRole),
		api: (method, path, options = {}) => apiRequest(method, path, { ...options, auth: true }),
	};
}

// Marks the page as set up (its listeners attached): <main data-ready>.
// Tests wait for it before acting.
export function pageReady() {
	document.getElementById("main").dataset.ready = "true";
}

// A small spinner with a label for screen readers.
export function spinner(label = "Loading…") {
	return h(
		"span",
		{ class: "d-inline-flex align-items-center gap-2 vg-spinner" },
		h("span", { class: "spinner-border spinner-border-sm", "aria-hidden": "true" }),
		h("span", { role: "status", text: label }),
	);
}

export { append, h };
