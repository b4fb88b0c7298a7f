// A person's whole journey through the web pages, in one browser tab:
// sign up, log out, log in, upload the 10,000-line Apache access log, see it
// done in the files list, search for a known request, open its details,
// export the search as CSV, log out. Then the error paths: a wrong
// password and files that cannot be uploaded.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";

import {
	BASE,
	assertNoProblems,
	launch,
	loginForm,
	navLink,
	openPage,
	sharedData,
	sharedDataMissing,
	shoot,
	signup,
	storedSession,
	uniqueOrg,
	waitReady,
} from "./lib.mjs";

const LOG = "apache_access_10k.log";
// The request searched for: in the file three times, each line's own.
const PATH = "/articles/arp-security/arpmitm";

let browser;

before(async () => {
	browser = await launch();
});

after(async () => {
	await browser?.close();
});

describe("the journey", () => {
	test("sign-up → login → upload → done → search → details → CSV → logout", async (t) => {
		const file = sharedData(LOG);
		if (file === null) {
			t.skip(sharedDataMissing(LOG));
			return;
		}
		const expected = readFileSync(file, "utf8")
			.split("\n")
			.filter((line) => line.split(" ")[6] === PATH);
		assert.equal(expected.length, 3, "the test data is the expected file");
		const org = uniqueOrg("journey");
		const { context, page, problems } = await openPage(browser);

		// Sign up, then out and in again through the forms.
		await signup(page, org);
		await page.waitForURL(BASE + "/app");
		await page.locator("#user-role").filter({ hasText: "owner" }).waitFor();
		await page.getByRole("button", { name: "Log out" }).click();
		await page.waitForURL(BASE + "/login?reason=logged_out");
		await loginForm(page, org.email, org.password);
		await page.waitForURL(BASE + "/app");
		await page.locator("#user-role").filter({ hasText: "owner" }).waitFor();
		assert.equal(await page.locator("#org-slug").textContent(), org.slug);

		// Upload, with the preview and its confirmation.
		await navLink(page, "Upload").click();
		await page.waitForURL(BASE + "/app/upload");
		await waitReady(page);
		await page.locator("#file-input").setInputFiles(file);
		await page.locator("#preview:not([hidden])").waitFor();
		assert.equal(await page.locator("#preview-format").textContent(), "access");
		await page.getByRole("button", { name: "Upload this file" }).click();
		await page.locator("#vg-flash .alert-success").filter({ hasText: LOG }).waitFor();
		await shoot(page, "journey-uploaded");

		// The files page follows the ingestion until it is done.
		await navLink(page, "Files").click();
		await page.waitForURL(BASE + "/app/files");
		const row = page.locator("#files-rows tr").filter({ hasText: LOG });
		await row.waitFor();
		await page.locator('#files-rows tr[data-status="done"]').filter({ hasText: LOG }).waitFor({ timeout: 120000 });
		assert.match(await row.textContent(), /10,000 indexed/);
		await shoot(page, "journey-files");

		// Search for the known request.
		await navLink(page, "Search").click();
		await page.waitForURL(BASE + "/app/search");
		await page.getByLabel("Text").fill(`path:${PATH}`);
		await page.getByRole("button", { name: "Search", exact: true }).click();
		await page.waitForURL(/\/app\/search\?q=path/);
		// Elasticsearch may take a refresh to show the last batch.
		for (let i = 0; i < 20; i++) {
			await page.locator("#result-count").filter({ hasText: /\d/ }).waitFor();
			await page.waitForFunction(() => document.getElementById("search-busy").hidden);
			if (/^3 results/.test(await page.locator("#result-count").textContent())) {
				break;
			}
			await page.waitForTimeout(500);
			await page.getByRole("button", { name: "Search", exact: true }).click();
		}
		assert.match(await page.locator("#result-count").textContent(), /^3 results/);
		const messages = await page.locator("#results-rows td.vg-message").allTextContents();
		assert.deepEqual([...messages].sort(), [...expected].sort());
		await shoot(page, "journey-search");

		// Its details.
		await page.getByRole("button", { name: /^Details of the log/ }).first().click();
		const dialog = page.getByRole("dialog");
		await dialog.locator("#log-fields").waitFor();
		assert.equal(await dialog.locator('tr[data-field="url.path"] td').textContent(), PATH);
		assert.ok(expected.includes(await dialog.locator("#log-message").textContent()));
		await shoot(page, "journey-details");
		await dialog.getByRole("button", { name: "Close" }).first().click();
		await dialog.waitFor({ state: "hidden" });

		// The CSV export holds exactly the three lines.
		const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
		const csv = readFileSync(await download.path(), "utf8");
		const rows = csv.split("\r\n").filter((l) => l !== "");
		assert.equal(rows.length, 4, csv);
		for (const line of expected) {
			const ip = line.split(" ")[0];
			assert.equal(rows.filter((r) => r.includes(ip) && r.includes(PATH)).length, 1, `the row of ${ip}`);
		}

		// Out.
		await page.getByRole("button", { name: "Log out" }).click();
		await page.waitForURL(BASE + "/login?reason=logged_out");
		assert.equal(await storedSession(page), null);
		await page.goto(BASE + "/app/search");
		await page.waitForURL(BASE + "/login?reason=signed_out");
		assertNoProblems(problems);
		await context.close();
	});
});

describe("error paths", () => {
	test("a wrong password keeps the person on the login page", async () => {
		const org = uniqueOrg("journey");
		const setup = await openPage(browser);
		await signup(setup.page, org);
		await setup.page.waitForURL(BASE + "/app");
		await setup.context.close();

		const { context, page, problems, allow } = await openPage(browser);
		allow(401, "/api/v1/auth/login");
		await loginForm(page, org.email, "a wrong password, surely");
		await page.locator("#form-error").filter({ hasText: /\S/ }).waitFor();
		assert.equal(await page.locator("#form-error").textContent(), "Wrong e-mail or password.");
		assert.equal(page.url(), BASE + "/login");
		assert.equal(await storedSession(page), null);
		assertNoProblems(problems);
		await context.close();
	});

	test("invalid files are refused, in the page or by the server", async () => {
		const org = uniqueOrg("journey");
		const { context, page, problems, allow } = await openPage(browser);

		allow(422, "/api/v1/files/preview");
		await signup(page, org);
		await page.waitForURL(BASE + "/app");
		await page.locator("#user-role").filter({ hasText: "owner" }).waitFor();
		await page.goto(BASE + "/app/upload");
		await waitReady(page);
		const error = page.locator("#file-error");
		await page.locator("#file-input").setInputFiles({ name: "photo.jpg", mimeType: "image/jpeg", buffer: Buffer.from([0xff, 0xd8, 0xff, 0xe0]) });
		await error.filter({ hasText: /\S/ }).waitFor();
		assert.match(await error.textContent(), /"\.jpg" is not a log file/);
		// Not UTF-8: the server's preview says so, and nothing can be sent.
		await page.locator("#file-input").setInputFiles({ name: "latin1.log", mimeType: "text/plain", buffer: Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]) });
		await error.filter({ hasText: /UTF-8|encoding/i }).waitFor();
		assert.equal(await page.locator("#preview").isHidden(), true);
		assert.equal(await page.getByRole("button", { name: "Upload this file" }).isVisible(), false);
		await shoot(page, "journey-invalid-file");
		assertNoProblems(problems);
		await context.close();
	});
});
