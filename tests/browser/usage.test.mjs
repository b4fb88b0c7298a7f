// The usage page (/app/usage): each limit of the plan against what the
// organization used, the quota banner from a real warning (the free plan's
// three users all taken), the daily history as charts and a table, and a
// viewer, who may not read usage, told so.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { BASE, PASSWORD, apiCall, assertNoProblems, launch, openPage, shoot, signIn, signupApi } from "./lib.mjs";

let browser;
let org;
let viewer;

before(async () => {
	browser = await launch();
	org = await signupApi("usage");
	// Two more users: the free plan's three are all taken (100 %: warned).
	for (const role of ["viewer", "analyst"]) {
		const email = `${role}@${org.slug}.example.com`;
		const r = await apiCall(org, "POST", "/api/v1/users", { email, name: `A ${role}`, role, password: PASSWORD });
		assert.equal(r.status, 201, r.text);
		if (role === "viewer") {
			viewer = { email, password: PASSWORD };
		}
	}
	const r = await apiCall(org, "POST", "/api/v1/ingest", [{ message: "one" }, { message: "two" }]);
	assert.equal(r.status, 200, r.text);
});

after(async () => {
	await browser?.close();
});

describe("usage page", () => {
	test("limits, warnings, history and charts for an owner", async () => {
		const { context, page, problems } = await openPage(browser);

		await signIn(page, org);
		await page.getByRole("navigation", { name: "Main", exact: true }).getByRole("link", { name: "Usage", exact: true }).click();
		await page.waitForURL(BASE + "/app/usage");
		const cards = page.locator("#usage-limits [data-limit]");
		await cards.nth(4).waitFor();
		assert.deepEqual(
			await cards.evaluateAll((els) => els.map((e) => e.dataset.limit)),
			["api_requests", "ingest_bytes", "ingest_docs", "storage_bytes", "users"],
		);
		assert.equal(await page.locator("#usage-plan").textContent(), "free");
		const users = page.locator('[data-limit="users"]');
		assert.match(await users.textContent(), /3 of 3/);
		assert.match(await users.textContent(), /100 % used/);
		assert.ok((await users.locator(".progress-bar").getAttribute("class")).includes("bg-danger"));
		assert.match(await page.locator('[data-limit="ingest_docs"] .vg-used').textContent(), /^2$/);
		assert.match(await page.locator('[data-limit="api_requests"]').textContent(), /Resets \d{4}-\d\d-\d\d 00:00 UTC/);
		assert.match(await page.locator('[data-limit="storage_bytes"]').textContent(), /of 1\.00 GB/);
		// The banner shows the warning the server computed.
		const banner = page.locator("#vg-banners .vg-quota-warning");
		await banner.first().waitFor();
		assert.match(await banner.first().textContent(), /Users: 3 of 3 used, past the 95% warning/);
		// Today's row; the charts are drawn.
		const today = new Date().toISOString().slice(0, 10);
		const first = page.locator("#usage-table tbody tr").first();
		assert.equal(await first.locator("td").first().textContent(), today);
		assert.equal(await first.locator("td").nth(2).textContent(), "2");
		for (const id of ["chart-requests", "chart-docs", "chart-bytes"]) {
			assert.ok(await page.evaluate((i) => window.Chart.getChart(document.getElementById(i)) !== undefined, id), id);
		}
		// Another span of history.
		await page.locator("#usage-days").selectOption("7");
		await page.waitForResponse((r) => r.url().includes("/api/v1/usage?days=7") && r.status() === 200);
		await shoot(page, "usage");
		assertNoProblems(problems);
		await context.close();
	});

	test("a viewer is told usage is for administrators", async () => {
		const { context, page, problems } = await openPage(browser);

		await signIn(page, viewer);
		await page.goto(BASE + "/app/usage");
		const flash = page.locator("#vg-flash .alert-warning");
		await flash.waitFor();
		assert.match(await flash.textContent(), /administrators and owners/);
		assert.equal(await page.locator("#usage-limits [data-limit]").count(), 0);
		const links = await page.getByRole("navigation", { name: "Main", exact: true }).locator(".nav-link").allTextContents();
		assert.ok(!links.includes("Usage"), links.join(","));
		assertNoProblems(problems);
		await context.close();
	});
});
