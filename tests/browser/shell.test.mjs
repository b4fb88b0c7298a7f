// The frame every application page shares (assets/js/layout.js): the
// generic /app/<name> route, the custom 404 page, the navigation bar,
// branding through CSS variables, the quota banner, flash messages, and
// the third-party files served by Vigie itself.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { BASE, PHONE, apiCall, assertNoProblems, launch, openPage, shoot, signIn, signupApi } from "./lib.mjs";

// A 1x1 PNG.
const PNG_1X1 = Buffer.from(
	"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
	"base64",
);

let browser;
let org;

before(async () => {
	browser = await launch();
	org = await signupApi("shell");
});

after(async () => {
	await browser?.close();
});

describe("routes and files", () => {
	test("/app/<name> without a file is the custom 404 page", async () => {
		for (const path of ["/app/no-such-page", "/app/UPPER", "/app/a.b", "/app/dashboard/x"]) {
			const r = await fetch(BASE + path);
			assert.equal(r.status, 404, path);
			assert.match(r.headers.get("content-type"), /^text\/html/, path);
			assert.match(await r.text(), /This page does not exist/, path);
		}
		const { context, page, problems, allow } = await openPage(browser);
		allow(404, "/app/no-such-page");
		await page.goto(BASE + "/app/no-such-page");
		assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "This page does not exist.");
		await shoot(page, "404");
		assertNoProblems(problems);
		await context.close();
	});

	test("/app/dashboard is the dashboard, with the pages' security headers", async () => {
		for (const path of ["/app", "/app/dashboard"]) {
			const r = await fetch(BASE + path);
			assert.equal(r.status, 200, path);
			const csp = r.headers.get("content-security-policy");
			assert.match(csp, /default-src 'self'/);
			assert.match(csp, /img-src 'self' data: blob:/);
			assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
			assert.equal(r.headers.get("x-frame-options"), "DENY");
			assert.match(await r.text(), /\/assets\/js\/pages\/dashboard\.js/);
		}
	});

	test("the home page and the 404 page have the same policy, and the home page works", async () => {
		for (const [path, status] of [["/", 200], ["/no/such/page", 404]]) {
			const r = await fetch(BASE + path, { headers: { accept: "text/html" } });
			assert.equal(r.status, status, path);
			const csp = r.headers.get("content-security-policy");
			assert.match(csp, /default-src 'self'/, path);
			assert.match(csp, /frame-ancestors 'none'/, path);
			assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
			assert.doesNotMatch(await r.text(), /<script(?![^>]*\bsrc=)[^>]*>/, "no inline script on " + path);
		}
		const { context, page, problems } = await openPage(browser);
		await page.goto(BASE + "/");
		await page.locator("#status").filter({ hasNotText: "checking" }).waitFor();
		await shoot(page, "home");
		assertNoProblems(problems);
		await context.close();
	});

	test("Bootstrap and Chart.js come from Vigie itself, node_modules is not served", async () => {
		const files = {
			"/assets/vendor/bootstrap.min.css": /^text\/css/,
			"/assets/vendor/bootstrap.bundle.min.js": /^text\/javascript/,
			"/assets/vendor/chart.umd.min.js": /^text\/javascript/,
		};
		for (const [path, type] of Object.entries(files)) {
			const r = await fetch(BASE + path);
			assert.equal(r.status, 200, `${path}: run scripts/install.sh`);
			assert.match(r.headers.get("content-type"), type, path);
		}
		const r = await fetch(BASE + "/assets/node_modules/bootstrap/package.json");
		assert.equal(r.status, 404);
	});
});

describe("the frame", () => {
	test("navigation bar, breadcrumbs and footer; the current page is marked", async () => {
		const { context, page, problems } = await openPage(browser);

		await signIn(page, org);
		const nav = page.getByRole("navigation", { name: "Main", exact: true });
		const current = nav.locator('a[aria-current="page"]');
		assert.equal(await current.textContent(), "Dashboard");
		assert.equal(await page.locator("#org-slug").textContent(), org.slug);
		assert.equal(await page.locator("#user-name").textContent(), org.name);
		// Hidden entries of nav.js are not drawn.
		const labels = await nav.locator(".nav-link").allTextContents();
		const registry = await page.evaluate(async () => (await import("/assets/js/nav.js")).NAV);
		for (const entry of registry) {
			assert.equal(labels.includes(entry.label), !entry.hidden, entry.label);
		}
		assert.equal(await page.locator("#vg-crumbs .breadcrumb-item").first().textContent(), "Dashboard");
		assert.match(await page.locator("footer").textContent(), /Vigie/);
		assertNoProblems(problems);
		await context.close();
	});

	test("on a phone the menu folds behind a button and still works", async () => {
		const { context, page, problems } = await openPage(browser, PHONE);

		await signIn(page, org);
		const link = page.locator("#vg-nav-links .nav-link").first();
		assert.equal(await link.isVisible(), false);
		await page.getByRole("button", { name: "Menu" }).click();
		await link.waitFor({ state: "visible" });
		assert.ok(await page.getByRole("button", { name: "Log out" }).isVisible());
		await shoot(page, "shell-phone-menu");
		assertNoProblems(problems);
		await context.close();
	});

	test("the organization's branding sets the colours, the name and the logo", async () => {
		const { context, page, problems } = await openPage(browser);
		const png = PNG_1X1;
		let logoAuth = null;

		await page.route("**/api/v1/branding", (route) =>
			route.fulfill({
				contentType: "application/json",
				body: JSON.stringify({
					display_name: "Acme <b>Logs</b>",
					primary_color: "#7a1fa2",
					accent_color: "#ffb300",
					logo_url: "/api/v1/branding/logo",
				}),
			}),
		);
		await page.route("**/api/v1/branding/logo", (route) => {
			logoAuth = route.request().headers().authorization || null;
			return route.fulfill({ contentType: "image/png", body: png });
		});
		await signIn(page, org);
		await page.locator("#vg-logo:not([hidden])").waitFor();
		const look = await page.evaluate(() => {
			const css = getComputedStyle(document.documentElement);
			return {
				primary: css.getPropertyValue("--vg-primary").trim(),
				accent: css.getPropertyValue("--vg-accent").trim(),
				bar: getComputedStyle(document.getElementById("vg-navbar")).backgroundColor,
				name: document.querySelector(".navbar-brand .vg-brand-name").textContent,
				bold: document.querySelectorAll(".navbar-brand b").length,
				logo: document.getElementById("vg-logo").src,
				title: document.title,
			};
		});
		assert.equal(look.primary, "#7a1fa2");
		assert.equal(look.accent, "#ffb300");
		assert.equal(look.bar, "rgb(122, 31, 162)");
		assert.equal(look.name, "Acme <b>Logs</b>", "the name is text, not HTML");
		assert.equal(look.bold, 0);
		assert.match(look.logo, /^blob:/);
		assert.match(logoAuth, /^Bearer /, "the logo is fetched with the token");
		assert.equal(look.title, "Dashboard — Acme <b>Logs</b>");
		await shoot(page, "shell-branded");
		// The next page starts with the same colours (kept for the tab).
		await page.unroute("**/api/v1/branding");
		await page.route("**/api/v1/branding", (route) => route.abort());
		await page.goto(BASE + "/app/dashboard");
		await page.locator("#user-role").filter({ hasText: /\S/ }).waitFor();
		assert.equal(
			await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue("--vg-primary").trim()),
			"#7a1fa2",
		);
		// The aborted request is the test's doing.
		assertNoProblems(problems.filter((p) => !p.includes("/api/v1/branding")));
		await context.close();
	});

	test("branding saved through the API shows on every page (real branding API)", async (t) => {
		const owner = await signupApi("brand");
		const put = await apiCall(owner, "PUT", "/api/v1/branding", {
			display_name: "Brandt & Co <i>",
			primary_color: "#5f3dc4",
			accent_color: "#e8590c",
		});
		if (put.status === 404 && /no API route/.test(put.text)) {
			t.skip("this server has no branding API (PUT /api/v1/branding)");
			return;
		}
		assert.equal(put.status, 200, put.text);
		const logo = await fetch(BASE + "/api/v1/branding/logo", {
			method: "PUT",
			headers: { authorization: "Bearer " + owner.tokens.access_token, "content-type": "application/octet-stream" },
			body: PNG_1X1,
		});
		assert.equal(logo.status, 200, await logo.text());
		const { context, page, problems } = await openPage(browser);

		await signIn(page, owner);
		await page.locator("#vg-logo:not([hidden])").waitFor();
		for (const path of ["/app", "/app/search", "/app/files"]) {
			await page.goto(BASE + path);
			await page.locator("#user-role").filter({ hasText: /\S/ }).waitFor();
			await page.locator("#vg-logo:not([hidden])").waitFor();
			const look = await page.evaluate(() => ({
				bar: getComputedStyle(document.getElementById("vg-navbar")).backgroundColor,
				name: document.querySelector(".navbar-brand .vg-brand-name").textContent,
				logo: document.getElementById("vg-logo").src.startsWith("blob:"),
			}));
			assert.deepEqual(look, { bar: "rgb(95, 61, 196)", name: "Brandt & Co <i>", logo: true }, path);
		}
		await shoot(page, "shell-branded-real");
		assertNoProblems(problems);
		await context.close();
	});

	test("bad branding values fall back to the defaults", async () => {
		const { context, page, problems } = await openPage(browser);

		await page.route("**/api/v1/branding", (route) =>
			route.fulfill({
				contentType: "application/json",
				body: JSON.stringify({
					display_name: "",
					primary_color: "red; background: url(x)",
					accent_color: "#12345",
					logo_url: "https://elsewhere.example/logo.png",
				}),
			}),
		);
		await signIn(page, org);
		await page.waitForFunction(() => document.documentElement.style.getPropertyValue("--vg-primary") !== "");
		const look = await page.evaluate(() => ({
			primary: getComputedStyle(document.documentElement).getPropertyValue("--vg-primary").trim(),
			accent: getComputedStyle(document.documentElement).getPropertyValue("--vg-accent").trim(),
			name: document.querySelector(".navbar-brand .vg-brand-name").textContent,
			logoHidden: document.getElementById("vg-logo").hidden,
		}));
		assert.deepEqual(look, { primary: "#0b5fff", accent: "#00a88f", name: "Vigie", logoHidden: true });
		assertNoProblems(problems);
		await context.close();
	});

	test("quota warnings from /api/v1/usage show as a banner, as text", async () => {
		const { context, page, problems } = await openPage(browser);

		await page.route("**/api/v1/usage", (route) =>
			route.fulfill({
				contentType: "application/json",
				body: JSON.stringify({
					plan: "free",
					limits: [],
					warnings: [
						{ limit: "ingested_bytes", threshold: 80, message: "80% of the daily volume <img src=x onerror=alert(1)>" },
						{ limit: "storage", threshold: 95, message: "95% of the storage" },
					],
					history: [],
				}),
			}),
		);
		await signIn(page, org);
		const banners = page.locator("#vg-banners .vg-quota-warning");
		await banners.nth(1).waitFor();
		assert.match(await banners.nth(0).textContent(), /80% of the daily volume <img src=x onerror=alert\(1\)>/);
		assert.equal(await page.locator("#vg-banners img").count(), 0);
		assert.ok((await banners.nth(1).getAttribute("class")).includes("alert-danger"));
		await shoot(page, "shell-quota-banner");
		assertNoProblems(problems);
		await context.close();
	});

	test("a real quota warning (every seat of the plan taken) shows as a banner", async (t) => {
		const full = await signupApi("seats");
		const usage = await apiCall(full, "GET", "/api/v1/usage");
		if (usage.status === 404 && /no API route/.test(usage.text)) {
			t.skip("this server has no usage API (GET /api/v1/usage)");
			return;
		}
		const seats = usage.json.limits.find((l) => l.name === "users");
		assert.ok(seats && seats.limit > 1 && seats.limit <= 5, `a small seat limit on the free plan: ${usage.text}`);
		for (let i = seats.used; i < seats.limit; i++) {
			const r = await apiCall(full, "POST", "/api/v1/users", {
				email: `seat${i}@${full.slug}.example.com`,
				name: `Seat ${i}`,
				role: "viewer",
				password: "a member's long password",
			});
			assert.equal(r.status, 201, r.text);
		}
		const { context, page, problems } = await openPage(browser);

		await signIn(page, full);
		const banner = page.locator("#vg-banners .vg-quota-warning");
		await banner.first().waitFor();
		assert.match(await banner.first().textContent(), new RegExp(`${seats.limit} of ${seats.limit}`));
		assert.match(await banner.first().getAttribute("class"), /alert-danger/);
		// A viewer does not ask (the endpoint needs billing.read).
		const viewer = await openPage(browser);
		const asked = [];
		viewer.page.on("request", (req) => req.url().includes("/api/v1/usage") && asked.push(req.url()));
		await signIn(viewer.page, { email: `seat${seats.limit - 1}@${full.slug}.example.com`, password: "a member's long password" });
		await viewer.page.locator("main[data-ready]").waitFor({ state: "attached" });
		assert.deepEqual(asked, []);
		assert.equal(await viewer.page.locator("#vg-banners .vg-quota-warning").count(), 0);
		assertNoProblems(problems);
		assertNoProblems(viewer.problems);
		await viewer.context.close();
		await context.close();
	});

	test("flash messages: shown, dismissed, and carried to the next page", async () => {
		const { context, page, problems } = await openPage(browser);

		await signIn(page, org);
		await page.evaluate(async () => {
			const layout = await import("/assets/js/layout.js");
			layout.flash("danger", "Something <script>broke</script>");
			layout.flashNext("success", "Carried over");
		});
		const box = page.locator("#vg-flash");
		const mine = box.locator(".alert-danger").filter({ hasText: "Something" });
		assert.equal(await mine.locator(".vg-flash-text").textContent(), "Something <script>broke</script>");
		await mine.locator(".btn-close").click();
		await mine.waitFor({ state: "detached" });
		await page.reload();
		await box.locator(".alert-success").waitFor();
		assert.equal(await box.locator(".alert-success .vg-flash-text").textContent(), "Carried over");
		await page.reload();
		await page.locator("#user-role").filter({ hasText: /\S/ }).waitFor();
		assert.equal(await box.locator(".alert").filter({ hasText: "Carried over" }).count(), 0, "shown once");
		assertNoProblems(problems);
		await context.close();
	});

	test("the login page takes the branding of its custom domain", async () => {
		const { context, page, problems } = await openPage(browser);
		let logoAsked = 0;

		await page.route("**/api/v1/branding/public", (route) =>
			route.fulfill({
				contentType: "application/json",
				body: JSON.stringify({ display_name: "Acme Logs", primary_color: "#2b8a3e", accent_color: "#f59f00", logo_url: "/api/v1/branding/public/logo" }),
			}),
		);
		await page.route("**/api/v1/branding/public/logo", (route) => {
			logoAsked++;
			return route.fulfill({ contentType: "image/svg+xml", body: '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>' });
		});
		await page.goto(BASE + "/login");
		await page.locator("#vg-logo:not([hidden])").waitFor();
		assert.equal(await page.locator(".navbar-brand .vg-brand-name").textContent(), "Acme Logs");
		assert.equal(await page.title(), "Sign in — Acme Logs");
		assert.equal(
			await page.evaluate(() => getComputedStyle(document.getElementById("vg-navbar")).backgroundColor),
			"rgb(43, 138, 62)",
		);
		assert.equal(logoAsked, 1);
		await shoot(page, "login-branded");
		assertNoProblems(problems);
		await context.close();
	});

	test("a server failure is a message on the page, not an exception", async () => {
		const { context, page, problems, allow } = await openPage(browser);

		await signIn(page, org);
		allow(503, "/api/v1/me");
		allow(500, "/api/v1/files");
		await page.route("**/api/v1/me", (route) =>
			route.fulfill({ status: 503, contentType: "application/json", body: JSON.stringify({ error: { code: "service_unavailable", message: "MongoDB is not answering" } }) }),
		);
		await page.goto(BASE + "/app/files");
		const alert = page.locator("#vg-flash .alert-danger");
		await alert.waitFor();
		assert.match(await alert.textContent(), /Your account could not be loaded: .*MongoDB is not answering/);
		// With /me back, a failing list is explained the same way.
		await page.unroute("**/api/v1/me");
		await page.route("**/api/v1/files?*", (route) => route.fulfill({ status: 500, contentType: "text/plain", body: "boom" }));
		await page.reload();
		await page.locator("#vg-flash .alert-danger").filter({ hasText: "Loading the files failed on the server" }).waitFor();
		assertNoProblems(problems);
		await context.close();
	});

	test("without a session every application page goes to /login", async () => {
		const { context, page, problems } = await openPage(browser);

		await page.goto(BASE + "/app/dashboard");
		await page.waitForURL(BASE + "/login?reason=signed_out");
		assertNoProblems(problems);
		await context.close();
	});
});
