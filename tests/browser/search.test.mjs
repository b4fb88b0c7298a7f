// The search, history and dashboard pages against the real search API
// (GET /api/v1/logs, /logs/{id}, /logs/export.csv, /stats, /searches), on
// 120 logs of known levels, services and dates uploaded for the test.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";

import {
	BASE,
	PHONE,
	assertNoProblems,
	launch,
	navLink,
	openPage,
	shoot,
	signIn,
	signupApi,
	uploadApi,
	waitFilesDone,
	waitLogs,
} from "./lib.mjs";

const N = 120;
const CYCLE = ["INFO", "INFO", "INFO", "DEBUG", "WARNING", "ERROR", "INFO", "CRITICAL"];
const SERVICES = ["api", "web", "db"];
const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);
const DOCS = Array.from({ length: N }, (_, i) => ({
	"@timestamp": new Date(T0 + i * 60000).toISOString(),
	"log.level": CYCLE[i % CYCLE.length],
	"service.name": SERVICES[i % SERVICES.length],
	message: `request needle${String(i).padStart(3, "0")} served by ${SERVICES[i % SERVICES.length]}`,
}));
const count = (pred) => DOCS.filter(pred).length;

let browser;
let org;

before(async () => {
	browser = await launch();
	org = await signupApi("search");
	const id = await uploadApi(org, "known.ndjson", DOCS.map((d) => JSON.stringify(d)).join("\n") + "\n", "json");
	const [file] = await waitFilesDone(org, [id]);
	assert.equal(file.indexed, N, JSON.stringify(file));
	await waitLogs(org, "", N);
});

after(async () => {
	await browser?.close();
});

async function openSearch(page, query = "") {
	await page.goto(BASE + "/app/search" + query);
	await waitResults(page);
}

// Waits for the search in flight to be drawn.
async function waitResults(page) {
	await page.locator("#result-count").filter({ hasText: /\d/ }).waitFor();
	await page.waitForFunction(() => document.getElementById("search-busy").hidden);
}

function column(page, n) {
	return page.locator(`#results-rows tr td:nth-child(${n})`).allTextContents();
}

describe("the search page", () => {
	test("free text finds the one log, with its count", async () => {
		const { context, page, problems } = await openPage(browser);

		await signIn(page, org);
		await navLink(page, "Search").click();
		await waitResults(page);
		assert.equal(await page.locator("#result-count").textContent().then((t) => t.replace(/ in \d+ ms$/, "")), `${N} results`);
		assert.equal(await page.locator("#results-rows tr").count(), 50, "50 a page");
		await page.getByLabel("Text").fill("needle042");
		await page.getByRole("button", { name: "Search", exact: true }).click();
		await page.waitForURL(/q=needle042/);
		await waitResults(page);
		assert.match(await page.locator("#result-count").textContent(), /^1 result( in \d+ ms)?$/);
		assert.deepEqual(await column(page, 4), [DOCS[42].message]);
		await shoot(page, "search-one");
		assertNoProblems(problems);
		await context.close();
	});

	test("levels, services and a custom period filter; reset clears them", async () => {
		const { context, page, problems } = await openPage(browser, PHONE);

		await signIn(page, org);
		await openSearch(page);
		await page.locator('label[for="level-ERROR"]').click();
		await page.locator('label[for="level-CRITICAL"]').click();
		await page.getByLabel("Services").fill("api");
		await page.getByRole("button", { name: "Search", exact: true }).click();
		await page.waitForURL(/level=ERROR%2CCRITICAL/);
		await waitResults(page);
		const expected = count((d) => ["ERROR", "CRITICAL"].includes(d["log.level"]) && d["service.name"] === "api");
		assert.match(await page.locator("#result-count").textContent(), new RegExp(`^${expected} results`));
		for (const level of await page.locator("#results-rows tr").evaluateAll((rows) => rows.map((r) => r.dataset.level))) {
			assert.ok(["ERROR", "CRITICAL"].includes(level), level);
		}
		assert.deepEqual([...new Set(await column(page, 3))], ["api"]);
		// Rows are coloured by level.
		assert.match(await page.locator("#results-rows tr").first().getAttribute("class"), /vg-row-(ERROR|CRITICAL)/);
		await shoot(page, "search-filtered");

		// A custom period: the first 30 minutes (from inclusive, to exclusive).
		await page.getByRole("button", { name: "Reset" }).click();
		await waitResults(page);
		assert.equal(page.url(), BASE + "/app/search");
		assert.equal(await page.getByLabel("Services").inputValue(), "");
		assert.equal(await page.locator("#level-ERROR").isChecked(), false);
		await page.getByLabel("Period").selectOption("custom");
		const local = (ms) => {
			const d = new Date(ms);
			const p = (n) => String(n).padStart(2, "0");
			return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
		};
		await page.getByLabel("From").fill(local(T0));
		await page.getByLabel("To").fill(local(T0 + 30 * 60000));
		await page.getByRole("button", { name: "Search", exact: true }).click();
		await page.waitForURL(/from=/);
		await waitResults(page);
		assert.match(await page.locator("#result-count").textContent(), /^30 results/);
		// An inverted period is refused in the page.
		await page.getByLabel("From").fill(local(T0 + 60 * 60000));
		await page.getByRole("button", { name: "Search", exact: true }).click();
		assert.equal(await page.locator("#range-error").textContent(), "The start is after the end.");
		assertNoProblems(problems);
		await context.close();
	});

	test("columns sort by date, level and service; pages of 50", async () => {
		const { context, page, problems } = await openPage(browser);

		await signIn(page, org);
		await openSearch(page);
		const dates = await column(page, 1);
		assert.deepEqual([...dates].sort().reverse(), dates, "newest first");
		await page.locator('th[data-sort="@timestamp"] button').click();
		await page.waitForURL(/order=asc/);
		await waitResults(page);
		const asc = await column(page, 1);
		assert.deepEqual([...asc].sort(), asc, "oldest first");
		assert.equal(await page.locator('th[data-sort="@timestamp"]').getAttribute("aria-sort"), "ascending");
		await page.locator('th[data-sort="service.name"] button').click();
		await page.waitForURL(/sort=service\.name&order=asc/);
		await waitResults(page);
		assert.deepEqual([...new Set(await column(page, 3))], ["api", "db"], "api (40) then db");
		await page.locator('th[data-sort="log.level"] button').click();
		await page.waitForURL(/sort=log\.level&order=asc/);
		await waitResults(page);
		assert.equal((await column(page, 2))[0], "CRITICAL", "alphabetical");

		await page.getByRole("button", { name: "Page 3" }).click();
		await page.waitForURL(/page=3/);
		await waitResults(page);
		assert.equal(await page.locator("#results-rows tr").count(), N - 100);
		assert.match(await page.locator(".vg-range").textContent(), /^101–120 of 120 results$/);
		// Back returns to the previous search.
		await page.goBack();
		await page.waitForURL((u) => !u.search.includes("page=3"));
		await waitResults(page);
		assert.equal(await page.locator("#results-rows tr").count(), 50);
		assertNoProblems(problems);
		await context.close();
	});

	test("a log's details open in a dialog with every field", async () => {
		const { context, page, problems } = await openPage(browser);

		await signIn(page, org);
		await openSearch(page, "?q=needle007");
		await page.getByRole("button", { name: /^Details of the log/ }).click();
		const dialog = page.getByRole("dialog");
		await dialog.locator("#log-fields").waitFor();
		assert.equal(await dialog.locator("#log-message").textContent(), DOCS[7].message);
		assert.equal(await dialog.locator('tr[data-field="service.name"] td').textContent(), DOCS[7]["service.name"]);
		assert.equal(await dialog.locator('tr[data-field="log.level"] td').textContent(), DOCS[7]["log.level"]);
		assert.equal(await dialog.locator('tr[data-field="@timestamp"] td').textContent(), DOCS[7]["@timestamp"]);
		await shoot(page, "search-details");
		await dialog.getByRole("button", { name: "Close" }).first().click();
		await dialog.waitFor({ state: "hidden" });
		assertNoProblems(problems);
		await context.close();
	});

	test("export to CSV downloads the whole search", async () => {
		const { context, page, problems } = await openPage(browser);

		await signIn(page, org);
		await openSearch(page, "?level=ERROR");
		const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
		assert.match(download.suggestedFilename(), /\.csv$/);
		const csv = readFileSync(await download.path(), "utf8");
		const rows = csv.split("\r\n").filter((l) => l !== "");
		const errors = DOCS.filter((d) => d["log.level"] === "ERROR");
		assert.equal(rows.length, errors.length + 1, "a header and one row per log");
		assert.match(rows[0], /message/);
		for (const d of errors) {
			assert.ok(csv.includes(d.message), d.message);
		}
		await page.locator("#vg-flash .alert-success").waitFor();
		assertNoProblems(problems);
		await context.close();
	});

	test("a query the server refuses is explained, not thrown", async () => {
		const { context, page, problems, allow } = await openPage(browser);

		allow(400, "/api/v1/logs");
		await signIn(page, org);
		await openSearch(page);
		await page.getByLabel("Text").fill('"not closed');
		await page.getByRole("button", { name: "Search", exact: true }).click();
		const alert = page.locator("#vg-flash .alert-danger");
		await alert.waitFor();
		assert.match(await alert.textContent(), /quot|closed/i);
		assert.equal(await page.locator("#results-rows tr").count(), 0);
		assertNoProblems(problems);
		await context.close();
	});
});

describe("history and saved searches", () => {
	test("a saved search is listed, run and deleted; the history is cleared", async () => {
		const { context, page, problems } = await openPage(browser);
		const name = "Errors of the API";

		await signIn(page, org);
		await openSearch(page, "?level=ERROR&service=api");
		await page.getByRole("button", { name: "Save this search" }).click();
		await page.getByLabel("Name").fill(name);
		await page.getByRole("dialog").getByRole("button", { name: "Save" }).click();
		await page.locator("#vg-flash .alert-success").filter({ hasText: name }).waitFor();

		// The search page's menu lists it.
		await page.getByRole("button", { name: "Saved searches" }).click();
		await page.locator("#saved-menu").getByRole("link", { name }).waitFor();
		await page.keyboard.press("Escape");

		await navLink(page, "History").click();
		await page.waitForURL(BASE + "/app/history");
		const saved = page.locator("#saved-rows tr").filter({ hasText: name });
		await saved.waitFor();
		assert.match(await saved.textContent(), /ERROR · api/);
		const recent = page.locator("#history-rows tr");
		await recent.first().waitFor();
		assert.ok((await recent.count()) >= 1);
		await shoot(page, "history");

		await saved.getByRole("link", { name: "Run " + name }).click();
		await page.waitForURL(/\/app\/search\?level=ERROR&service=api/);
		await waitResults(page);
		const expected = count((d) => d["log.level"] === "ERROR" && d["service.name"] === "api");
		assert.match(await page.locator("#result-count").textContent(), new RegExp(`^${expected} result`));

		await page.goto(BASE + "/app/history");
		await page.getByRole("button", { name: "Delete " + name }).click();
		await page.locator("#vg-flash .alert-success").filter({ hasText: "deleted" }).waitFor();
		await page.locator("#saved-empty:not([hidden])").waitFor();
		await page.getByRole("button", { name: "Clear history" }).click();
		await page.locator("#history-empty:not([hidden])").waitFor();
		assert.equal(await page.locator("#history-rows tr").count(), 0);
		assertNoProblems(problems);
		await context.close();
	});
});

describe("the dashboard", () => {
	test("figures, charts and latest logs come from the organization's logs", async () => {
		const { context, page, problems } = await openPage(browser);

		await signIn(page, org);
		await page.locator("#kpi-total").filter({ hasText: /\d/ }).waitFor();
		assert.equal(await page.locator("#kpi-total").textContent(), String(N));
		assert.equal(await page.locator("#kpi-errors").textContent(), String(count((d) => ["ERROR", "CRITICAL"].includes(d["log.level"]))));
		assert.equal(await page.locator("#kpi-files").textContent(), "1");
		await page.locator("#levels-list li").first().waitFor();
		assert.match(await page.locator("#levels-list").textContent(), new RegExp(`INFO\\s*${count((d) => d["log.level"] === "INFO")}`));
		assert.deepEqual(
			(await page.locator("#top-services a").allTextContents()).sort(),
			["api", "db", "web"],
		);
		assert.equal(await page.locator("#latest-rows tr").count(), 10);
		assert.match(await page.locator("#latest-rows tr").first().textContent(), /needle119/);
		assert.ok(await page.evaluate(() => Boolean(window.Chart && window.Chart.getChart("chart-histogram"))), "the histogram is drawn");
		// A level links to its search.
		await page.locator("#levels-list a").filter({ hasText: "ERROR" }).click();
		await page.waitForURL(/\/app\/search\?level=ERROR/);
		await waitResults(page);
		await page.goBack();
		await page.locator("#kpi-total").filter({ hasText: /\d/ }).waitFor();
		await shoot(page, "dashboard");
		// The period is kept in the address.
		await page.getByLabel("Period").selectOption("now-1h");
		await page.waitForURL(/from=now-1h/);
		await page.locator("#kpi-total").filter({ hasText: /^0$/ }).waitFor();
		assertNoProblems(problems);
		await context.close();
	});

	test("auto-refresh asks for the figures again every 30 seconds, only when on", async () => {
		const { context, page, problems } = await openPage(browser);
		const asked = [];

		// The page's clock is the test's: 30 s pass when the test says so.
		await page.clock.install();
		page.on("request", (req) => {
			if (req.url().includes("/api/v1/stats")) {
				asked.push(req.url());
			}
		});
		await signIn(page, org);
		await page.locator("#kpi-total").filter({ hasText: /\d/ }).waitFor();
		const first = asked.length;
		await page.clock.runFor(31000);
		// A round trip: a request made meanwhile has been reported.
		await page.evaluate(() => 0);
		assert.equal(asked.length, first, "off: nothing more");
		await page.getByLabel("Auto-refresh (30 s)").check();
		await page.clock.runFor(31000);
		await expectMore(asked, first);
		await page.getByLabel("Auto-refresh (30 s)").uncheck();
		const after = asked.length;
		await page.clock.runFor(61000);
		await page.evaluate(() => 0);
		assert.equal(asked.length, after, "off again");
		// The choice is kept for the tab.
		await page.reload();
		await page.locator("#kpi-total").filter({ hasText: /\d/ }).waitFor();
		assert.equal(await page.getByLabel("Auto-refresh (30 s)").isChecked(), false);
		assertNoProblems(problems);
		await context.close();
	});
});

// Waits (a few event-loop turns, no clock) until more requests were seen.
async function expectMore(seen, than) {
	for (let i = 0; i < 100 && seen.length <= than; i++) {
		await new Promise((resolve) => setImmediate(resolve));
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	assert.ok(seen.length > than, `a refresh was asked for (${seen.length} > ${than})`);
}
