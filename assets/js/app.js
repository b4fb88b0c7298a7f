// The first page after signing in (/app): who is signed in, for which
// organization, and a way out.
import { apiRequest, logout, sessionRead } from "./api.js";

function text(id, value) {
	document.getElementById(id).textContent = value;
}

// GET /api/v1/me says who the token belongs to now (the role may have
// changed since the login); the name comes from the login's answer, as
// /me does not carry it.
function render(me, session) {
	const user = me.user;
	const known = session.user && session.user.id === user.id ? session.user : {};
	const name = known.name || user.email;

	document.title = me.tenant.slug + " — Vigie";
	text("org-slug", me.tenant.slug);
	text("user-name", name);
	text("user-role", user.role);
	text("welcome", "Welcome, " + name);
	text("fact-slug", me.tenant.slug);
	text("fact-plan", me.tenant.plan);
	text("fact-name", name);
	text("fact-email", user.email);
	text("fact-role", user.role);
	document.querySelectorAll("[data-when-loaded]").forEach((el) => {
		el.hidden = false;
	});
	document.getElementById("main").setAttribute("aria-busy", "false");
}

async function start() {
	const logoutButton = document.getElementById("logout");

	logoutButton.addEventListener("click", async () => {
		logoutButton.disabled = true;
		await logout();
		window.location.assign("/login?reason=logged_out");
	});
	if (sessionRead() === null) {
		window.location.replace("/login?reason=signed_out");
		return;
	}
	const r = await apiRequest("GET", "/api/v1/me", { auth: true });
	if (r.authLost) {
		return;
	}
	if (!r.ok || !r.body || r.body.kind !== "user") {
		text("welcome", "Your account could not be loaded");
		text("app-error", (r.error && r.error.message) || "Unexpected answer.");
		document.getElementById("main").setAttribute("aria-busy", "false");
		return;
	}
	render(r.body, sessionRead());
}

start();
