// The alert pages: /app/alerts (active alerts and their actions, the
// trail, figures, history) and /app/rules (list with evaluation state,
// editor, replay, calibration), at both sizes, without console errors.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { BASE, apiCall, assertNoProblems, launch, openPage, shoot, signIn, signupApi } from "./lib.mjs";

let browser;
let org;
let rule;

async function until(fn, ms = 30000) {
	const end = Date.now() + ms;
	for (;;) {
		const v = await fn();
		if (v || Date.now() > end) {
			return v;
		}
		await new Promise((resolve) => setTimeout(resolve, 300));
	}
}

before(async () => {
	browser = await launch();
	org = await signupApi("alertsui");
	// An absence rule on a service that never logs fires at once.
	const r = await apiCall(org, "POST", "/api/v1/alert-rules", {
		name: "Payments <b>silent</b>",
		type: "absence",
		severity: "high",
		interval: "1s",
		auto_resolve: false,
		query: { service: ["ghost-payments"] },
	});
	assert.equal(r.status, 201, r.text);
	rule = r.json;
	const fired = await until(async () => (await apiCall(org, "GET", `/api/v1/alerts?rule_id=${rule.id}`)).json.items.length > 0);
	assert.ok(fired, "the absence rule did not fire (is the worker's alert clock fast?)");
});

after(async () => {
	await browser?.close();
	// The rules stop using the worker's time once the tests are done.
	const r = await apiCall(org, "GET", "/api/v1/alert-rules");
	for (const x of r.json?.items || []) {
		await apiCall(org, "PATCH", `/api/v1/alert-rules/${x.id}`, { enabled: false });
	}
});

describe("alerts page", () => {
	test("an active alert is acknowledged, commented and resolved from the page", async () => {
		const { context, page, problems } = await openPage(browser);
		await signIn(page, org);
		await page.goto(BASE + "/app/alerts");
		const row = page.locator(`#active-rows tr`).filter({ hasText: "Payments <b>silent</b>" });
		await row.waitFor();
		assert.equal(await page.locator("#active-rows b").count(), 0, "data must be text");
		// The figures load next to the list: wait for them too.
		await page.locator("#kpi-firing").filter({ hasText: /^1$/ }).waitFor();
		await shoot(page, "alerts-firing");
		// The error rate per URL draws without trouble (no data: no line).
		const rate = page.waitForResponse((resp) => resp.url().includes("/api/v1/analytics/error-rate?by=url"));
		await page.getByLabel("Error rate by").selectOption("url");
		assert.equal((await rate).status(), 200);

		await row.getByRole("button", { name: "Acknowledge" }).click();
		await page.locator(".alert-success").filter({ hasText: "Alert acknowledged." }).waitFor();
		await row.filter({ hasText: "acknowledged" }).waitFor();

		await row.getByRole("button", { name: "Details" }).click();
		await page.locator("#detail:not([hidden])").waitFor();
		await page.getByPlaceholder("Add a comment").fill("on it <script>");
		await page.getByRole("button", { name: "Comment", exact: true }).click();
		await page.locator("#detail-events li").filter({ hasText: "commented: on it <script>" }).waitFor();
		assert.ok(await page.locator("#detail-events li").filter({ hasText: "acknowledged" }).count() >= 1);

		await row.getByRole("button", { name: "Resolve" }).click();
		await page.locator("#active-empty:not([hidden])").waitFor();
		await page.locator("#history-rows tr").filter({ hasText: "resolved" }).first().waitFor({ timeout: 15000 }).catch(async () => {
			await page.getByRole("button", { name: "Filter" }).click();
			await page.locator("#history-rows tr").filter({ hasText: "resolved" }).first().waitFor();
		});
		await shoot(page, "alerts-resolved");
		assertNoProblems(problems);
		await context.close();
	});
});

describe("rules page", () => {
	test("rules are listed with their evaluation; a new rule is replayed and saved", async () => {
		const { context, page, problems, allow } = await openPage(browser);
		allow(422, "/api/v1/alert-rules");
		await signIn(page, org);
		await page.goto(BASE + "/app/rules");
		const row = page.locator("#rule-rows tr").filter({ hasText: "Payments <b>silent</b>" });
		await row.waitFor();
		await row.filter({ hasText: /OK|firing/ }).waitFor();

		await page.getByRole("button", { name: "New rule" }).click();
		await page.getByLabel("Name", { exact: true }).fill("Checkout errors");
		await page.getByLabel("Type", { exact: true }).selectOption("error_rate");
		assert.ok(await page.getByLabel("Minimum volume").isVisible());
		assert.equal(await page.getByLabel("Pattern (POSIX regular expression)").isVisible(), false);
		await page.getByLabel("Threshold", { exact: true }).fill("0.2");
		await page.getByLabel("Every").fill("30s");
		await page.getByRole("button", { name: "Replay last 24 h" }).click();
		await page.locator("#replay-summary").filter({ hasText: "would have fired" }).waitFor();
		await shoot(page, "rules-editor");
		await page.getByRole("button", { name: "Save" }).click();
		await page.locator(".alert-success").filter({ hasText: 'Rule "Checkout errors" saved.' }).waitFor();
		await page.locator("#rule-rows tr").filter({ hasText: "Checkout errors" }).waitFor();

		// A refused rule says why.
		await page.getByRole("button", { name: "New rule" }).click();
		await page.getByLabel("Name", { exact: true }).fill("Bad pattern");
		await page.getByLabel("Type", { exact: true }).selectOption("pattern");
		await page.getByLabel("Pattern (POSIX regular expression)").fill("(a+)+$");
		await page.getByRole("button", { name: "Save" }).click();
		await page.locator(".alert-danger").filter({ hasText: "condition.pattern" }).waitFor();

		await page.getByRole("button", { name: "Cancel" }).click();
		await shoot(page, "rules-list");
		assertNoProblems(problems);
		await context.close();
	});
});
