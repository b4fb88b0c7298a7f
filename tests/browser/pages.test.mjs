// The application pages as served: headers, methods, labels, and the
// live slug hint. No account is needed here.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { BASE, PHONE, assertNoProblems, launch, openPage } from "./lib.mjs";

let browser;

before(async () => {
	browser = await launch();
});

after(async () => {
	await browser?.close();
});

describe("pages as served", () => {
	for (const path of ["/signup", "/login", "/app"]) {
		test(`${path} is HTML that only runs our own files and is never cached`, async () => {
			const r = await fetch(BASE + path);
			assert.equal(r.status, 200);
			assert.match(r.headers.get("content-type"), /^text\/html/);
			assert.match(r.headers.get("content-security-policy"), /default-src 'self'/);
			assert.match(r.headers.get("content-security-policy"), /frame-ancestors 'none'/);
			assert.equal(r.headers.get("cache-control"), "no-store");
			const html = await r.text();
			assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, "no inline script");
			assert.doesNotMatch(html, /https?:\/\//, "nothing from another site");
		});
	}

	test("the pages only answer GET and HEAD", async () => {
		const r = await fetch(BASE + "/login", { method: "POST", body: "x" });
		assert.equal(r.status, 405);
		assert.equal((await r.json()).error.code, "method_not_allowed");
		const head = await fetch(BASE + "/signup", { method: "HEAD" });
		assert.equal(head.status, 200);
	});

	test("the scripts are served as JavaScript", async () => {
		for (const file of ["api.js", "auth.js", "rules.js", "layout.js", "nav.js", "dom.js", "pages/dashboard.js"]) {
			const r = await fetch(`${BASE}/assets/js/${file}`);
			assert.equal(r.status, 200, file);
			assert.match(r.headers.get("content-type"), /^text\/javascript/, file);
		}
	});
});

describe("forms", () => {
	for (const path of ["/signup", "/login"]) {
		test(`every field of ${path} has a label and a live error`, async () => {
			const { context, page, problems } = await openPage(browser, PHONE);

			await page.goto(BASE + path);
			const fields = await page.evaluate(() =>
				Array.from(document.querySelectorAll("form input")).map((input) => {
					const error = document.getElementById(input.id + "-error");
					return {
						id: input.id,
						labels: input.labels.length,
						error: error !== null && error.getAttribute("aria-live") === "polite",
						described: (input.getAttribute("aria-describedby") || "").split(" ").includes(input.id + "-error"),
					};
				}),
			);
			assert.ok(fields.length >= 2);
			for (const f of fields) {
				assert.deepEqual(f, { id: f.id, labels: 1, error: true, described: true });
			}
			assert.equal(await page.locator("#form-error").getAttribute("aria-live"), "assertive");
			assertNoProblems(problems);
			await context.close();
		});
	}

	test("the slug is suggested from the name and checked as it is typed", async () => {
		const { context, page, problems } = await openPage(browser);
		const slug = page.getByLabel("Slug", { exact: true });
		const check = page.locator("#slug-check");

		await page.goto(BASE + "/signup");
		await page.getByLabel("Organization name").fill("Café Überlog & Sons");
		assert.equal(await slug.inputValue(), "cafe-uberlog-sons");
		assert.equal(await check.textContent(), "✓ cafe-uberlog-sons follows the rule.");
		await slug.fill("-acme");
		assert.equal(await check.textContent(), "Starts and ends with a letter or a digit.");
		await slug.fill("Acme");
		assert.equal(await check.textContent(), "Only lower-case letters, digits and hyphens.");
		await slug.fill("ac");
		assert.equal(await check.textContent(), "A slug is 3 to 40 characters long.");
		await slug.fill("ac--me");
		assert.equal(await check.textContent(), "No double hyphen.");
		// Once typed by hand, the slug no longer follows the name.
		await slug.fill("acme-logs");
		await page.getByLabel("Organization name").fill("Something else");
		assert.equal(await slug.inputValue(), "acme-logs");
		assertNoProblems(problems);
		await context.close();
	});

	test("the rules module matches the server's slug rule", async () => {
		const { context, page, problems } = await openPage(browser);

		await page.goto(BASE + "/signup");
		const results = await page.evaluate(async () => {
			const rules = await import("/assets/js/rules.js");
			const cases = ["abc", "a-b", "a".repeat(40), "a".repeat(41), "ab", "-ab", "ab-", "a--b", "aBc", "a_b", "0ab"];
			return {
				slugs: cases.map((s) => [s, rules.slugProblem(s) === null]),
				suggest: [rules.slugSuggest("  ACME  Corp!! "), rules.slugSuggest("x".repeat(39) + " yz")],
				pw: [
					rules.passwordProblem("12345678901", ""),
					rules.passwordProblem("ééééééééééé€", ""),
					rules.passwordProblem("Owner@Example.COM", "owner@example.com"),
					rules.passwordProblem("longlocalpart", "longlocalpart@example.com"),
				],
			};
		});
		assert.deepEqual(results.slugs, [
			["abc", true],
			["a-b", true],
			["a".repeat(40), true],
			["a".repeat(41), false],
			["ab", false],
			["-ab", false],
			["ab-", false],
			["a--b", false],
			["aBc", false],
			["a_b", false],
			["0ab", true],
		]);
		assert.deepEqual(results.suggest, ["acme-corp", "x".repeat(39)]);
		assert.deepEqual(results.pw, [
			"At least 12 characters (11 so far).",
			null,
			"Must not be your e-mail address.",
			"Must not be the name in your e-mail address.",
		]);
		assertNoProblems(problems);
		await context.close();
	});
});
