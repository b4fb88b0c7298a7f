// Sign-up, login, the first logged-in page and logout, driven in Chromium
// against the real server (VIGIE_TEST_BASE_URL).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import {
	BASE,
	DESKTOP,
	PHONE,
	assertNoProblems,
	launch,
	loginForm,
	openPage,
	shoot,
	signup,
	storedSession,
	uniqueOrg,
} from "./lib.mjs";

let browser;
const owner = uniqueOrg("web");

before(async () => {
	browser = await launch();
});

after(async () => {
	await browser?.close();
});

async function expectApp(page, org) {
	await page.waitForURL(BASE + "/app");
	await page.locator("#user-role").filter({ hasText: /\S/ }).waitFor();
	assert.equal(await page.locator("#org-slug").textContent(), org.slug);
	assert.equal(await page.locator("#user-role").textContent(), "owner");
	assert.equal(await page.locator("#user-name").textContent(), org.name);
	assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Welcome, " + org.name);
	assert.equal(await page.locator("#fact-email").textContent(), org.email);
}

describe("the owner's journey", () => {
	let tab;

	before(async () => {
		tab = await openPage(browser);
	});

	after(async () => {
		await tab.context.close();
	});

	test("sign-up lands on /app showing the slug and the role owner", async () => {
		const { page, problems } = tab;

		await page.goto(BASE + "/signup");
		await shoot(page, "signup");
		await signup(page, owner);
		await expectApp(page, owner);
		await shoot(page, "app");
		const s = await storedSession(page);
		assert.equal(s.tenant.slug, owner.slug);
		assert.match(s.refresh_token, /^vrt_/);
		assertNoProblems(problems);
	});

	test("logout revokes the session and goes back to /login", async () => {
		const { page, problems } = tab;
		const { refresh_token } = await storedSession(page);

		await page.getByRole("button", { name: "Log out" }).click();
		await page.waitForURL(BASE + "/login?reason=logged_out");
		assert.equal(await page.locator("#notice").textContent(), "You are signed out.");
		assert.equal(await storedSession(page), null);
		const r = await fetch(BASE + "/api/v1/auth/refresh", {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify({ refresh_token }),
		});
		assert.equal(r.status, 401, "the refresh token must be revoked by logout");
		// Without a session, /app sends the browser to the login page.
		await page.goto(BASE + "/app");
		await page.waitForURL(BASE + "/login?reason=signed_out");
		assertNoProblems(problems);
	});

	test("login with the same account → /app → logout", async () => {
		const { page, problems } = tab;

		await page.goto(BASE + "/login");
		await shoot(page, "login");
		await loginForm(page, owner.email, owner.password);
		await expectApp(page, owner);
		await page.getByRole("button", { name: "Log out" }).click();
		await page.waitForURL(BASE + "/login?reason=logged_out");
		assertNoProblems(problems);
	});
});

describe("errors", () => {
	test("a wrong password shows the message under the form", async () => {
		const { context, page, problems, allow } = await openPage(browser);

		allow(401, "/api/v1/auth/login");
		await loginForm(page, owner.email, "not the right password");
		const alert = page.locator("#form-error");
		await alert.filter({ hasText: /\S/ }).waitFor();
		assert.equal(await alert.textContent(), "Wrong e-mail or password.");
		assert.equal(await alert.getAttribute("role"), "alert");
		const below = await page.evaluate(() => {
			const button = document.querySelector("#login-form button[type=submit]");
			const out = document.getElementById("form-error");
			return Boolean(button.compareDocumentPosition(out) & Node.DOCUMENT_POSITION_FOLLOWING);
		});
		assert.ok(below, "the message is under the form's button");
		assert.equal(page.url(), BASE + "/login");
		assert.equal(await storedSession(page), null);
		await shoot(page, "login-error");
		assertNoProblems(problems);
		await context.close();
	});

	test("a slug already taken is shown next to the slug field", async () => {
		const { context, page, problems, allow } = await openPage(browser);
		const other = uniqueOrg("web");

		allow(409, "/api/v1/signup");
		await signup(page, { ...other, slug: owner.slug });
		const error = page.locator("#slug-error");
		await error.filter({ hasText: /\S/ }).waitFor();
		assert.match(await error.textContent(), /already taken/);
		assert.equal(await page.getByLabel("Slug", { exact: true }).getAttribute("aria-invalid"), "true");
		assert.equal(await page.evaluate(() => document.activeElement.id), "slug");
		assert.equal(await page.locator("#slug-check").textContent(), "", "no \"✓\" beside \"taken\"");
		assert.equal(await page.locator("#form-error").textContent(), "");
		assert.equal(page.url(), BASE + "/signup");
		await shoot(page, "signup-slug-taken");
		// Typing a new slug clears the error.
		await page.getByLabel("Slug", { exact: true }).fill(other.slug);
		assert.equal(await error.textContent(), "");
		assertNoProblems(problems);
		await context.close();
	});

	test("an e-mail already used is shown next to the e-mail field", async () => {
		const { context, page, problems, allow } = await openPage(browser);

		allow(409, "/api/v1/signup");
		await signup(page, { ...uniqueOrg("web"), email: owner.email });
		const error = page.locator("#email-error");
		await error.filter({ hasText: /\S/ }).waitFor();
		assert.match(await error.textContent(), /already exists/);
		assert.equal(await page.locator("#slug-error").textContent(), "");
		assertNoProblems(problems);
		await context.close();
	});

	test("the server's 422 lands next to the field it names", async () => {
		const { context, page, problems, allow } = await openPage(browser);
		const org = uniqueOrg("web");

		allow(422, "/api/v1/signup");
		// A reserved word follows the slug rule the page knows; the
		// service refuses it (its answer has no details.field).
		await signup(page, { ...org, slug: "admin" });
		await page.locator("#slug-error").filter({ hasText: /\S/ }).waitFor();
		assert.equal(await page.locator("#slug-error").textContent(), "This slug is reserved.");
		// A comma is refused by the server's e-mail rule
		// (details.field = "email").
		await page.getByLabel("Slug", { exact: true }).fill(org.slug);
		await page.getByLabel("E-mail").fill("first,last@example.com");
		await page.getByRole("button", { name: "Create organization" }).click();
		await page.locator("#email-error").filter({ hasText: /\S/ }).waitFor();
		assert.equal(await page.locator("#email-error").textContent(), "E-mail must be an e-mail address.");
		assert.equal(await page.locator("#slug-error").textContent(), "");
		assertNoProblems(problems);
		await context.close();
	});

	test("a too-short password is blocked in the browser", async () => {
		const { context, page, problems } = await openPage(browser);
		const sent = [];

		page.on("request", (req) => {
			if (req.url().includes("/api/v1/signup")) {
				sent.push(req.url());
			}
		});
		await signup(page, { ...uniqueOrg("web"), password: "short pw" });
		const error = page.locator("#password-error");
		assert.equal(await error.textContent(), "At least 12 characters (8 so far).");
		assert.equal(await page.getByLabel("Password").getAttribute("aria-invalid"), "true");
		assert.equal(await page.evaluate(() => document.activeElement.id), "password");
		// The password may not be the e-mail address either.
		const org = uniqueOrg("web");
		await page.getByLabel("E-mail").fill(org.email);
		await page.getByLabel("Password").fill(org.email);
		await page.getByRole("button", { name: "Create organization" }).click();
		assert.equal(await error.textContent(), "Must not be your e-mail address.");
		assert.deepEqual(sent, [], "nothing is sent while the form has errors");
		await shoot(page, "signup-password-short");
		assertNoProblems(problems);
		await context.close();
	});

	test("an empty form names every missing field", async () => {
		const { context, page, problems } = await openPage(browser, PHONE);

		await page.goto(BASE + "/signup");
		await page.getByRole("button", { name: "Create organization" }).click();
		for (const field of ["organization_name", "slug", "name", "email", "password"]) {
			assert.notEqual(await page.locator(`#${field}-error`).textContent(), "", field);
		}
		assert.equal(await page.evaluate(() => document.activeElement.id), "organization_name");
		await page.goto(BASE + "/login");
		await page.getByRole("button", { name: "Sign in" }).click();
		assert.equal(await page.locator("#email-error").textContent(), "Enter your e-mail address.");
		assert.equal(await page.locator("#password-error").textContent(), "Enter your password.");
		assertNoProblems(problems);
		await context.close();
	});

	test("rate-limited, suspended and unavailable answers are explained", async () => {
		const { context, page, problems, allow } = await openPage(browser);
		const answers = [
			[429, { "retry-after": "42" }, "rate_limited", "too many login attempts; try again later"],
			[403, {}, "tenant_suspended", "this organization is suspended"],
		];

		allow(429, "/api/v1/auth/login");
		allow(403, "/api/v1/auth/login");
		allow(503, "/api/v1/signup");
		await page.route("**/api/v1/auth/login", (route) => {
			const [status, headers, code, message] = answers.shift();
			route.fulfill({
				status,
				headers: { ...headers, "content-type": "application/json" },
				body: JSON.stringify({ error: { code, message } }),
			});
		});
		await loginForm(page, owner.email, owner.password);
		const alert = page.locator("#form-error");
		await alert.filter({ hasText: /\S/ }).waitFor();
		assert.equal(await alert.textContent(), "Too many attempts. Try again in 42 seconds.");
		assert.ok(await page.getByRole("button", { name: "Sign in" }).isDisabled(), "the button waits for Retry-After");
		await shoot(page, "login-rate-limited");

		await loginForm(page, owner.email, owner.password);
		await alert.filter({ hasText: "suspended" }).waitFor();
		assert.match(await alert.textContent(), /This organization is suspended/);

		await page.route("**/api/v1/signup", (route) =>
			route.fulfill({
				status: 503,
				contentType: "application/json",
				body: JSON.stringify({
					error: {
						code: "service_unavailable",
						message: "the organization could not be created now; nothing was kept, try again shortly",
					},
				}),
			}),
		);
		await signup(page, uniqueOrg("web"));
		await alert.filter({ hasText: /\S/ }).waitFor();
		assert.match(await alert.textContent(), /unavailable right now: the organization could not be created now/);
		assertNoProblems(problems);
		await context.close();
	});
});

describe("the session", () => {
	test("an expired access token is refreshed once and the request repeated", async () => {
		const { context, page, problems, allow } = await openPage(browser);
		let expired = 1;
		let refreshes = 0;

		await loginForm(page, owner.email, owner.password);
		await expectApp(page, owner);
		const first = await storedSession(page);
		allow(401, "/api/v1/me");
		page.on("request", (req) => {
			if (req.url().endsWith("/api/v1/auth/refresh")) {
				refreshes++;
			}
		});
		await page.route("**/api/v1/me", (route) => {
			if (expired-- > 0) {
				return route.fulfill({
					status: 401,
					contentType: "application/json",
					body: JSON.stringify({ error: { code: "token_expired", message: "the token has expired" } }),
				});
			}
			return route.continue();
		});
		await page.reload();
		await expectApp(page, owner);
		assert.equal(refreshes, 1);
		const second = await storedSession(page);
		assert.notEqual(second.refresh_token, first.refresh_token, "the refresh token rotated");
		assert.notEqual(second.access_token, first.access_token);
		assertNoProblems(problems);
		await context.close();
	});

	test("when the refresh fails, the browser goes to /login", async () => {
		const { context, page, problems, allow } = await openPage(browser);

		allow(401, "/api/v1/me");
		allow(401, "/api/v1/auth/refresh");
		await page.goto(BASE + "/login");
		await page.evaluate(() =>
			sessionStorage.setItem(
				"vigie.session",
				JSON.stringify({ access_token: "expired", refresh_token: "vrt_not_a_token" }),
			),
		);
		await page.route("**/api/v1/me", (route) =>
			route.fulfill({
				status: 401,
				contentType: "application/json",
				body: JSON.stringify({ error: { code: "token_expired", message: "the token has expired" } }),
			}),
		);
		await page.goto(BASE + "/app");
		await page.waitForURL(BASE + "/login?reason=expired");
		assert.equal(await page.locator("#notice").textContent(), "Your session has ended. Sign in again.");
		assert.equal(await storedSession(page), null);
		assertNoProblems(problems);
		await context.close();
	});

	test("two organizations side by side each see their own", async () => {
		const a = await openPage(browser, DESKTOP);
		const b = await openPage(browser, PHONE);
		const second = uniqueOrg("web");

		await loginForm(a.page, owner.email, owner.password);
		await expectApp(a.page, owner);
		await signup(b.page, second);
		await expectApp(b.page, second);
		await a.page.reload();
		await expectApp(a.page, owner);
		assert.notEqual(await a.page.locator("#org-slug").textContent(), second.slug);
		// What the page stores cannot make it claim another organization:
		// B's tab, its stored tenant and user replaced by A's, still shows
		// what the server says B's token is.
		const aSession = await storedSession(a.page);
		await b.page.evaluate((forged) => {
			const s = JSON.parse(sessionStorage.getItem("vigie.session"));
			sessionStorage.setItem("vigie.session", JSON.stringify({ ...s, tenant: forged.tenant, user: forged.user }));
		}, aSession);
		await b.page.reload();
		await b.page.locator("#user-role").filter({ hasText: /\S/ }).waitFor();
		assert.equal(await b.page.locator("#org-slug").textContent(), second.slug);
		assert.equal(await b.page.locator("#fact-email").textContent(), second.email);
		assert.notEqual(await b.page.locator("#user-name").textContent(), owner.name);
		assertNoProblems(a.problems);
		assertNoProblems(b.problems);
		await a.context.close();
		await b.context.close();
	});
});
