// The files page: sorting, pages, filters kept in the address, details.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { BASE, PHONE, assertNoProblems, launch, navLink, openPage, shoot, signIn, signupApi, uploadApi, waitFilesDone } from "./lib.mjs";

let browser;
let org;
const NAMES = [];

before(async () => {
	browser = await launch();
	org = await signupApi("files");
	const ids = [];
	// Eleven small JSON files, names in a known order, plus one whose
	// name is HTML: twelve, so that ten per page makes two pages.
	for (let i = 0; i < 11; i++) {
		const name = `app-${String.fromCharCode(97 + i)}.ndjson`;
		NAMES.push(name);
		const lines = Array.from({ length: i + 1 }, (_, n) => JSON.stringify({ message: `event ${n} of ${name}`, "log.level": "INFO" }));
		ids.push(await uploadApi(org, name, lines.join("\n") + "\n", "json"));
	}
	ids.push(await uploadApi(org, '<img src=x onerror="window.vgPwned=1">.log', "plain line one\nplain line two\n", "plain"));
	await waitFilesDone(org, ids);
});

after(async () => {
	await browser?.close();
});

function rowNames(page) {
	return page.locator("#files-rows tr td:first-child").allTextContents();
}

describe("the files page", () => {
	test("lists, sorts, pages, and keeps its state in the address", async () => {
		const { context, page, problems } = await openPage(browser);

		await signIn(page, org);
		await navLink(page, "Files").click();
		await page.waitForURL(BASE + "/app/files");
		await page.locator("#files-rows tr").first().waitFor();
		assert.equal(await page.locator("#files-rows tr").count(), 12);
		assert.match(await page.locator(".vg-range").textContent(), /^1–12 of 12 files$/);
		assert.ok((await rowNames(page)).includes('<img src=x onerror="window.vgPwned=1">.log'));
		assert.equal(await page.locator("#files-rows img").count(), 0);
		assert.equal(await page.evaluate(() => window.vgPwned), undefined);

		// Sort by name: ascending first, then descending.
		const nameHeader = page.locator('th[data-sort="name"] button');
		await nameHeader.click();
		await page.waitForURL(/sort=name&order=asc/);
		await page.locator('th[data-sort="name"][aria-sort="ascending"]').waitFor();
		await page.waitForFunction(() => document.querySelector("#files-rows tr td").textContent.startsWith("<img"));
		assert.deepEqual((await rowNames(page)).slice(1), NAMES);
		await nameHeader.click();
		await page.locator('th[data-sort="name"][aria-sort="descending"]').waitFor();
		await page.waitForFunction(() => document.querySelector("#files-rows tr td").textContent === "app-k.ndjson");
		// Ten per page: two pages.
		await page.getByLabel("Per page").selectOption("10");
		await page.getByRole("button", { name: "Apply" }).click();
		await page.locator(".vg-range").filter({ hasText: "1–10 of 12" }).waitFor();
		await page.getByRole("button", { name: "Page 2" }).click();
		await page.locator(".vg-range").filter({ hasText: "11–12 of 12" }).waitFor();
		assert.equal(await page.locator("#files-rows tr").count(), 2);
		assert.match(page.url(), /page=2/);
		await page.reload();
		await page.locator(".vg-range").filter({ hasText: "11–12 of 12" }).waitFor();
		assert.equal(await page.getByLabel("Per page").inputValue(), "10");
		await shoot(page, "files");
		assertNoProblems(problems);
		await context.close();
	});

	test("filters by status and date; reset shows everything again", async () => {
		const { context, page, problems } = await openPage(browser, PHONE);

		await signIn(page, org);
		await page.goto(BASE + "/app/files");
		await page.locator("#files-rows tr").first().waitFor();
		await page.getByLabel("Status").selectOption("failed");
		await page.getByRole("button", { name: "Apply" }).click();
		await page.locator("#files-empty:not([hidden])").waitFor();
		assert.equal(await page.locator("#files-rows tr").count(), 0);
		await page.getByLabel("Status").selectOption("done");
		await page.getByLabel("Uploaded from").fill("2000-01-01");
		await page.getByRole("button", { name: "Apply" }).click();
		await page.locator(".vg-range").filter({ hasText: "of 12" }).waitFor();
		await page.getByLabel("Uploaded from").fill("2999-01-01");
		await page.getByRole("button", { name: "Apply" }).click();
		await page.locator("#files-empty:not([hidden])").waitFor();
		await page.getByRole("button", { name: "Reset" }).click();
		await page.locator(".vg-range").filter({ hasText: "of 12" }).waitFor();
		assert.equal(await page.getByLabel("Status").inputValue(), "");
		assert.equal(page.url(), BASE + "/app/files");
		await shoot(page, "files-filtered");
		assertNoProblems(problems);
		await context.close();
	});

	test("a file's details open in a dialog", async () => {
		const { context, page, problems } = await openPage(browser);

		await signIn(page, org);
		await page.goto(BASE + "/app/files?sort=name&order=asc");
		await page.locator("#files-rows tr").first().waitFor();
		await page.getByRole("button", { name: "Details of app-c.ndjson" }).click();
		const dialog = page.getByRole("dialog");
		await dialog.waitFor();
		await dialog.getByRole("heading", { name: "app-c.ndjson" }).waitFor();
		assert.match(await dialog.textContent(), /Indexed\s*3/);
		assert.match(await dialog.textContent(), /Format read\s*json/);
		await shoot(page, "files-details");
		// Its logs are one click away.
		await dialog.getByRole("link", { name: "Search its logs" }).click();
		await page.waitForURL(/\/app\/search\?q=file%3A[0-9a-f]{24}$/);
		await page.locator("#result-count").filter({ hasText: /^3 results/ }).waitFor();
		assert.deepEqual(
			(await page.locator("#results-rows td.vg-message").allTextContents()).sort(),
			["event 0 of app-c.ndjson", "event 1 of app-c.ndjson", "event 2 of app-c.ndjson"],
		);
		assertNoProblems(problems);
		await context.close();
	});

	test("the list is the organization's own", async () => {
		const other = await signupApi("files");
		const { context, page, problems } = await openPage(browser);

		await signIn(page, other);
		await page.goto(BASE + "/app/files");
		await page.locator("#files-empty:not([hidden])").waitFor();
		assert.equal(await page.locator("#files-rows tr").count(), 0);
		assertNoProblems(problems);
		await context.close();
	});
});
