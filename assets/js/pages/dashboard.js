// The dashboard (/app): who is signed in, the organization's figures.
import { startPage } from "../layout.js";
import { setText } from "../dom.js";

async function start() {
	const ctx = await startPage({ page: "dashboard" });
	if (ctx === null) {
		return;
	}
	setText("welcome", "Welcome, " + ctx.user.name);
	setText("fact-slug", ctx.tenant.slug);
	setText("fact-plan", ctx.tenant.plan);
	setText("fact-name", ctx.user.name);
	setText("fact-email", ctx.user.email);
	setText("fact-role", ctx.user.role);
}

start();
