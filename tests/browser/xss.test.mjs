// Log lines are written by whoever can reach a logged service: every page
// must show them as text. Hostile lines are uploaded, then every page that
// shows logs, services, messages or file names is opened; nothing may run
// and no element may come out of the data.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { BASE, PHONE, assertNoProblems, launch, openPage, shoot, signIn, signupApi, uploadApi, waitFilesDone, waitLogs, waitReady } from "./lib.mjs";

const IMG = '<img src=x onerror="window.vgPwned=(window.vgPwned||0)+1">';
const SCRIPT = "<script>window.vgPwned=(window.vgPwned||0)+1</script>";
const SVG = '<svg onload="window.vgPwned=(window.vgPwned||0)+1"></svg>';
const DOCS = [
	{ "@timestamp": "2026-02-01T10:00:00Z", "log.level": "ERROR", "service.name": SVG, message: `login failed for ${IMG}` },
	{ "@timestamp": "2026-02-01T10:01:00Z", "log.level": "ERROR", "service.name": "api", message: SCRIPT },
	{ "@timestamp": "2026-02-01T10:02:00Z", "log.level": "INFO", "service.name": "api", message: `"><iframe src="javascript:window.vgPwned=1"></iframe>`, [`labels.${IMG}`]: IMG },
];
const FILE_NAME = `${IMG}.ndjson`;

let browser;
let org;

before(async () => {
	browser = await launch();
	org = await signupApi("xss");
	const id = await uploadApi(org, FILE_NAME, DOCS.map((d) => JSON.stringify(d)).join("\n") + "\n", "json");
	await waitFilesDone(org, [id]);
	await waitLogs(org, "", DOCS.length);
});

after(async () => {
	await browser?.close();
});

// Nothing ran, and the data made no element.
async function assertInert(page, where) {
	const found = await page.evaluate(() => ({
		pwned: window.vgPwned,
		elements: document.querySelectorAll("main img, main script, main svg, main iframe, #vg-flash img").length,
	}));
	assert.deepEqual(found, { pwned: undefined, elements: 0 }, where);
}

describe("log data is text on every page", () => {
	test("search results, details and the JSON document", async () => {
		const { context, page, problems } = await openPage(browser);

		await signIn(page, org);
		await page.goto(BASE + "/app/search");
		await waitReady(page);
		await page.locator("#results-rows tr").nth(DOCS.length - 1).waitFor();
		const messages = await page.locator("#results-rows td.vg-message").allTextContents();
		assert.deepEqual([...messages].sort(), DOCS.map((d) => d.message).sort());
		assert.ok((await page.locator("#results-rows td:nth-child(3)").allTextContents()).includes(SVG));
		await assertInert(page, "results");
		// The details of each, with the hostile field name and value.
		for (let i = 0; i < DOCS.length; i++) {
			await page.getByRole("button", { name: /^Details of the log/ }).nth(i).click();
			const dialog = page.getByRole("dialog");
			await dialog.locator("#log-fields").waitFor();
			await assertInert(page, `details ${i}`);
			await dialog.getByRole("button", { name: "Close" }).first().click();
			await dialog.waitFor({ state: "hidden" });
		}
		await page.getByLabel("Text").fill("iframe");
		await page.getByRole("button", { name: "Search", exact: true }).click();
		await page.locator("#result-count").filter({ hasText: /^1 result/ }).waitFor();
		await page.getByRole("button", { name: /^Details of the log/ }).click();
		const dialog = page.getByRole("dialog");
		await dialog.locator("#log-fields").waitFor();
		// The ingestion renames the field (labels.img_src_...): its value
		// and the original line keep the markup, as text.
		const cells = await dialog.locator("#log-fields td").allTextContents();
		assert.ok(cells.includes(IMG), cells.join("\n"));
		assert.ok(cells.some((c) => c.includes(`"labels.${IMG.replace(/"/g, '\\"')}"`)), "event.original");
		await dialog.locator("summary").click();
		assert.match(await dialog.locator("details pre").textContent(), /<iframe src=/);
		await assertInert(page, "JSON");
		await shoot(page, "xss-details");
		assertNoProblems(problems);
		await context.close();
	});

	test("dashboard, files and uploads", async () => {
		const { context, page, problems } = await openPage(browser, PHONE);

		await signIn(page, org);
		await waitReady(page);
		await page.locator("#latest-rows tr").nth(DOCS.length - 1).waitFor();
		await page.locator("#top-services li").first().waitFor();
		assert.ok((await page.locator("#top-services a").allTextContents()).includes(SVG));
		await page.locator("#top-errors li").first().waitFor();
		await assertInert(page, "dashboard");
		await shoot(page, "xss-dashboard");

		await page.goto(BASE + "/app/files");
		await page.locator("#files-rows tr").first().waitFor();
		assert.equal(await page.locator("#files-rows tr td").first().textContent(), FILE_NAME);
		await page.getByRole("button", { name: "Details of " + FILE_NAME }).click();
		await page.getByRole("dialog").getByRole("heading", { name: FILE_NAME }).waitFor();
		await assertInert(page, "files");

		await page.goto(BASE + "/app/upload");
		await page.locator("#recent-rows tr").first().waitFor();
		assert.equal(await page.locator("#recent-rows tr td").first().textContent(), FILE_NAME);
		await assertInert(page, "uploads");

		await page.goto(BASE + "/app/history");
		await page.locator("#history-rows tr").first().waitFor();
		await assertInert(page, "history");
		assertNoProblems(problems);
		await context.close();
	});
});
