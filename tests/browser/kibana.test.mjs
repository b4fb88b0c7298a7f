// The Kibana page: how to enable it when VIGIE_KIBANA_URL is unset (the
// test server), the frame when it is set.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { BASE, navLink, assertNoProblems, launch, openPage, shoot, signIn, signupApi } from "./lib.mjs";

let browser;
let org;

before(async () => {
	browser = await launch();
	org = await signupApi("kibana");
});

after(async () => {
	await browser?.close();
});

describe("the Kibana page", () => {
	test("without VIGIE_KIBANA_URL it explains how to enable Kibana", async () => {
		const { context, page, problems } = await openPage(browser);

		await signIn(page, org);
		await navLink(page, "Kibana").click();
		await page.waitForURL(BASE + "/app/kibana");
		await page.getByRole("heading", { name: "Kibana is not configured on this server" }).waitFor();
		assert.match(await page.locator("#kibana-off").textContent(), /VIGIE_KIBANA_URL=http:\/\/localhost:5601/);
		assert.equal(await page.locator("iframe").count(), 0);
		await shoot(page, "kibana-off");
		assertNoProblems(problems);
		await context.close();
	});

	test("with a Kibana address it frames it and offers a tab of its own", async () => {
		const { context, page, problems } = await openPage(browser);
		// A same-origin address stands for Kibana: the test server's page
		// policy frames only its own origin and VIGIE_KIBANA_URL's.
		const kibana = BASE + "/assets/favicon.svg";

		await page.route("**/api/v1/web/config", (route) =>
			route.fulfill({ contentType: "application/json", body: JSON.stringify({ kibana_url: kibana, upload_max_bytes: 1000 }) }),
		);
		await signIn(page, org);
		await page.goto(BASE + "/app/kibana");
		const frame = page.locator("iframe#kibana-frame");
		await frame.waitFor();
		assert.equal(await frame.getAttribute("src"), kibana);
		assert.equal(await page.getByRole("link", { name: "Open in a new tab" }).getAttribute("href"), kibana);
		assert.equal(await page.locator("#kibana-off").isHidden(), true);
		// A value that is not a plain http(s) address is never framed.
		const verdicts = await page.evaluate(async () => {
			const m = await import("/assets/js/pages/kibana.js");
			return ["javascript:alert(1)", "http://k:5601/app", "https://kibana.example/x\"onload=1", null].map(m.kibanaUrl);
		});
		assert.deepEqual(verdicts, [null, "http://k:5601/app", null, null]);
		await shoot(page, "kibana-on");
		assertNoProblems(problems);
		await context.close();
	});
});
