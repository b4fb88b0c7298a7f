// The platform administrators' console (/admin), restyled on Bootstrap:
// sign-in, the organizations table at both sizes, an organization name as
// text. The administrator is the one the test worker creates
// (VIGIE_ADMIN_EMAIL / VIGIE_ADMIN_PASSWORD, set by scripts/integration.sh).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { BASE, assertNoProblems, launch, openPage, shoot, signupApi } from "./lib.mjs";

const EMAIL = process.env.VIGIE_ADMIN_EMAIL || "admin@vigie.test";
const PASSWORD = process.env.VIGIE_ADMIN_PASSWORD || "admin-password-for-tests-only";

let browser;

before(async () => {
	browser = await launch();
});

after(async () => {
	await browser?.close();
});

describe("the admin console", () => {
	test("sign in, find an organization, sign out", async () => {
		const org = await signupApi("admin");
		const { context, page, problems } = await openPage(browser);

		await page.goto(BASE + "/admin");
		await page.getByLabel("E-mail").fill(EMAIL);
		await page.getByLabel("Password").fill(PASSWORD);
		await page.getByRole("button", { name: "Sign in" }).click();
		await page.locator("#console-view:not([hidden])").waitFor();
		await page.getByLabel("Search").fill(org.slug);
		await page.getByRole("button", { name: "Search", exact: true }).click();
		const row = page.locator("#rows tr").filter({ hasText: org.slug });
		await row.waitFor();
		assert.equal(await page.locator("#rows tr").count(), 1);
		assert.match(await row.textContent(), new RegExp(org.orgName));
		assert.ok(await row.getByRole("button", { name: "Suspend " + org.orgName }).isVisible());
		await shoot(page, "admin");
		await page.getByRole("button", { name: "Sign out" }).click();
		await page.locator("#login-view:not([hidden])").waitFor();
		assertNoProblems(problems);
		await context.close();
	});
});
