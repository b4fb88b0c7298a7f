// The upload page: checks in the browser, the server's preview, the
// upload with its progress bar, and the recent uploads' live status.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import {
	BASE,
	navLink,
	PHONE,
	assertNoProblems,
	launch,
	openPage,
	sharedData,
	sharedDataMissing,
	shoot,
	signIn,
	signupApi,
	waitReady,
} from "./lib.mjs";

let browser;
let org;

before(async () => {
	browser = await launch();
	org = await signupApi("upload");
});

after(async () => {
	await browser?.close();
});

// Counts the requests to a path made by a page.
function countRequests(page, fragment) {
	const seen = [];
	page.on("request", (req) => {
		if (req.url().includes(fragment)) {
			seen.push(req.url());
		}
	});
	return seen;
}

describe("the upload page", () => {
	test("preview, confirm, progress, then the file is done in the recent uploads", async (t) => {
		const path = sharedData("apache_access_10k.log");
		if (path === null) {
			t.skip(sharedDataMissing("apache_access_10k.log"));
			return;
		}
		const { context, page, problems } = await openPage(browser);
		const progress = [];

		await signIn(page, org);
		await navLink(page, "Upload").click();
		await page.waitForURL(BASE + "/app/upload");
		await waitReady(page);
		assert.equal(await page.locator('#vg-nav-links a[aria-current="page"]').textContent(), "Upload");
		await page.locator("#file-input").setInputFiles(path);
		assert.equal(await page.locator("#file-name").textContent(), "apache_access_10k.log");
		await page.locator("#preview:not([hidden])").waitFor();
		assert.equal(await page.locator("#preview-format").textContent(), "access");
		assert.equal(await page.locator("#preview-rows tr").count(), 10);
		assert.match(await page.locator("#preview-rows tr").first().textContent(), /83\.149\.9\.216/);
		await shoot(page, "upload-preview");
		// The progress bar moves while the file is sent.
		await page.exposeFunction("vgProgress", (v) => progress.push(Number(v)));
		await page.evaluate(() => {
			const bar = document.getElementById("upload-progress");
			new MutationObserver(() => window.vgProgress(bar.getAttribute("aria-valuenow"))).observe(bar, { attributes: true });
		});
		await page.getByRole("button", { name: "Upload this file" }).click();
		const ok = page.locator("#vg-flash .alert-success");
		await ok.waitFor();
		assert.equal(await ok.locator(".vg-flash-text").textContent(), "apache_access_10k.log was uploaded; its ingestion is queued.");
		assert.ok(progress.includes(100), `the bar reached 100% (saw ${progress.join(", ")})`);
		assert.equal(await page.locator("#preview").isHidden(), true, "the form is reset");
		const row = page.locator("#recent-rows tr").first();
		assert.match(await row.textContent(), /apache_access_10k\.log/);
		// The status is followed without reloading the page.
		await page.locator('#recent-rows tr[data-status="done"]').first().waitFor({ timeout: 120000 });
		assert.match(await row.textContent(), /10,000 indexed/);
		await shoot(page, "upload-done");
		assertNoProblems(problems);
		await context.close();
	});

	test("files the page refuses before sending anything", async () => {
		const { context, page, problems } = await openPage(browser, PHONE);
		const previews = countRequests(page, "/api/v1/files/preview");

		await signIn(page, org);
		await page.goto(BASE + "/app/upload");
		await waitReady(page);
		const input = page.locator("#file-input");
		const error = page.locator("#file-error");

		await input.setInputFiles({ name: "holiday.png", mimeType: "image/png", buffer: Buffer.from("\x89PNG\r\n\x1a\n....") });
		await error.filter({ hasText: /\S/ }).waitFor();
		assert.match(await error.textContent(), /^"\.png" is not a log file this page takes/);
		assert.equal(await input.getAttribute("aria-invalid"), "true");
		await shoot(page, "upload-refused");

		await input.setInputFiles({ name: "empty.log", mimeType: "text/plain", buffer: Buffer.alloc(0) });
		await error.filter({ hasText: "empty" }).waitFor();
		assert.equal(await error.textContent(), "This file is empty.");

		// Names the page accepts: rotated, compressed, without extension.
		const verdicts = await page.evaluate(async () => {
			const m = await import("/assets/js/pages/upload.js");
			const one = (name, size = 10, max = 100) => m.fileProblem({ name, size }, max);
			return {
				rotated: one("access.log.1"),
				gz: one("access.log.2.gz"),
				bare: one("messages"),
				json: one("events.ndjson"),
				exe: one("setup.exe"),
				big: one("big.log", 101, 100),
			};
		});
		assert.equal(verdicts.rotated, null);
		assert.equal(verdicts.gz, null);
		assert.equal(verdicts.bare, null);
		assert.equal(verdicts.json, null);
		assert.match(verdicts.exe, /"\.exe" is not a log file/);
		assert.match(verdicts.big, /the largest upload is 100 B/);
		assert.deepEqual(previews, [], "nothing was sent for refused files");
		assertNoProblems(problems);
		await context.close();
	});

	test("a file larger than the server's limit is refused in the browser", async () => {
		const { context, page, problems } = await openPage(browser);
		const previews = countRequests(page, "/api/v1/files/preview");

		await page.route("**/api/v1/web/config", (route) =>
			route.fulfill({ contentType: "application/json", body: JSON.stringify({ kibana_url: null, upload_max_bytes: 1000 }) }),
		);
		await signIn(page, org);
		await page.goto(BASE + "/app/upload");
		await waitReady(page);
		await page.locator("#file-rules").filter({ hasText: "1000 B" }).waitFor();
		await page.locator("#file-input").setInputFiles({ name: "big.log", mimeType: "text/plain", buffer: Buffer.alloc(2000, "a") });
		await page.locator("#file-error").filter({ hasText: /\S/ }).waitFor();
		assert.equal(await page.locator("#file-error").textContent(), "This file is 2.0 KiB; the largest upload is 1000 B.");
		assert.deepEqual(previews, []);
		assertNoProblems(problems);
		await context.close();
	});

	test("a binary file is refused by the server's preview, with its reason", async () => {
		const { context, page, problems, allow } = await openPage(browser);

		allow(415, "/api/v1/files/preview");
		await signIn(page, org);
		await page.goto(BASE + "/app/upload");
		await waitReady(page);
		await page.locator("#file-input").setInputFiles({
			name: "dump.log",
			mimeType: "text/plain",
			buffer: Buffer.from("first line\nsecond\u0000line\n"),
		});
		const error = page.locator("#file-error");
		await error.filter({ hasText: /\S/ }).waitFor();
		assert.match(await error.textContent(), /binary|NUL/i);
		assert.equal(await page.locator("#preview").isHidden(), true);
		assertNoProblems(problems);
		await context.close();
	});

	test("log lines in the preview are text, never HTML", async () => {
		const { context, page, problems } = await openPage(browser);
		const hostile = [
			'{"message":"<img src=x onerror=window.vgPwned=1>","log.level":"ERROR"}',
			'{"message":"<script>window.vgPwned=2</script>","log.level":"WARNING"}',
		].join("\n");

		await signIn(page, org);
		await page.goto(BASE + "/app/upload");
		await waitReady(page);
		await page.locator("#file-input").setInputFiles({ name: "x.ndjson", mimeType: "application/json", buffer: Buffer.from(hostile + "\n") });
		await page.locator("#preview:not([hidden])").waitFor();
		const cells = await page.locator("#preview-rows td.vg-message").allTextContents();
		assert.deepEqual(cells, ["<img src=x onerror=window.vgPwned=1>", "<script>window.vgPwned=2</script>"]);
		assert.equal(await page.locator("#preview-rows img, #preview-rows script").count(), 0);
		assert.equal(await page.evaluate(() => window.vgPwned), undefined);
		assertNoProblems(problems);
		await context.close();
	});

	test("a viewer sees the uploads but cannot send a file", async () => {
		const viewer = { email: `viewer@${org.slug}.example.com`, password: "a viewer's long password" };
		const r = await fetch(BASE + "/api/v1/users", {
			method: "POST",
			headers: { authorization: "Bearer " + org.tokens.access_token, "content-type": "application/json" },
			body: JSON.stringify({ email: viewer.email, name: "Vera Viewer", role: "viewer", password: viewer.password }),
		});
		assert.equal(r.status, 201, await r.text());
		const { context, page, problems } = await openPage(browser);

		await signIn(page, viewer);
		assert.equal(await page.locator("#user-role").textContent(), "viewer");
		assert.equal(await navLink(page, "Upload").count(), 0, "no Upload link for a viewer");
		await page.goto(BASE + "/app/upload");
		await waitReady(page);
		await page.locator("#vg-flash .alert-info").filter({ hasText: "viewer" }).waitFor();
		assert.ok(await page.locator("#file-input").isDisabled());
		assert.ok(await page.getByLabel("Format").isDisabled());
		assertNoProblems(problems);
		await context.close();
	});
});
