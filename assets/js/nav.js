// The application's pages, in the order of the navigation bar. A page is
// a file assets/app/<id>.html (served at /app/<id>, see docs/WEB.md) whose
// module calls startPage({ page: "<id>" }) from layout.js.
//
//   id        the page's name (its file), also what startPage() is given
//   label     the link's text
//   href      where the link goes
//   hidden    true until the page exists: the bar does not show it
//   minRole   the lowest role that sees the link (viewer < analyst <
//             admin < owner); the API still checks every call
//   external  opens another site (Kibana itself is framed by its page)
//
// Adding a page: create its files, then remove its "hidden" (one line).
export const NAV = [
	{ id: "dashboard", label: "Dashboard", href: "/app" },
	{ id: "upload", label: "Upload", href: "/app/upload", minRole: "analyst" },
	{ id: "files", label: "Files", href: "/app/files" },
	{ id: "search", label: "Search", href: "/app/search" },
	{ id: "history", label: "History", href: "/app/history" },
	{ id: "alerts", label: "Alerts", href: "/app/alerts" },
	{ id: "rules", label: "Rules", href: "/app/rules" },
	{ id: "usage", label: "Usage", href: "/app/usage", minRole: "admin" },
	{ id: "billing", label: "Billing", href: "/app/billing", minRole: "admin" },
	{ id: "branding", label: "Branding", href: "/app/branding", minRole: "admin" },
	{ id: "settings", label: "Settings", href: "/app/settings", minRole: "admin", hidden: true },
	{ id: "notifications", label: "Notifications", href: "/app/notifications" },
	{ id: "kibana", label: "Kibana", href: "/app/kibana" },
];

export const ROLES = ["viewer", "analyst", "admin", "owner"];

// Whether a role is at least minRole (unknown roles see only open pages).
export function roleAtLeast(role, minRole) {
	if (!minRole) {
		return true;
	}
	const have = ROLES.indexOf(role);
	return have >= 0 && have >= ROLES.indexOf(minRole);
}

// The entries a person with this role sees.
export function navFor(role) {
	return NAV.filter((entry) => !entry.hidden && roleAtLeast(role, entry.minRole));
}

export function navEntry(id) {
	return NAV.find((entry) => entry.id === id) || null;
}
