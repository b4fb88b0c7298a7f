// The notifications page: an owner adds a webhook channel (its secret shown
// once), sends a test and sees it in the delivery log, pauses and deletes
// the channel; names from the API stay text; a member without alerts.edit
// reads but cannot change anything.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { BASE, PASSWORD, PHONE, apiCall, assertNoProblems, launch, loginForm, openPage, shoot, signIn, signupApi } from "./lib.mjs";

let browser;

before(async () => {
	browser = await launch();
});

after(async () => {
	await browser?.close();
});

describe("notifications page", () => {
	test("an owner adds, tests, pauses and deletes a channel", async () => {
		const org = await signupApi("ntf");
		const { context, page, problems, allow } = await openPage(browser);
		await signIn(page, org);
		await page.getByRole("navigation", { name: "Main", exact: true }).getByRole("link", { name: "Notifications" }).click();
		await page.waitForURL(BASE + "/app/notifications");
		await page.getByText("No channel yet.").waitFor();

		// A name that would be markup if it were parsed as HTML.
		const name = "<img src=x id=pwned> ops";
		await page.getByLabel("Name").fill(name);
		await page.getByLabel("Type").selectOption("webhook");
		// Port 9 on loopback: nothing listens, the delivery keeps failing.
		await page.getByLabel("URL").fill("http://127.0.0.1:9/hook");
		await page.getByRole("button", { name: "Add channel" }).click();
		await page.locator("#secret-box").waitFor();
		const secret = await page.locator("#secret-value").textContent();
		assert.match(secret, /^whsec_[A-Za-z0-9_-]{40,}$/);
		const row = page.locator("#channels-body tr").filter({ hasText: "ops" });
		await row.waitFor();
		assert.equal(await row.locator("td").first().textContent(), name);
		assert.equal(await page.locator("#pwned").count(), 0);

		// The channel as listed by the API shows the secret masked.
		const listed = await apiCall(org, "GET", "/api/v1/notification-channels");
		assert.notEqual(listed.json.items[0].config.secret, secret);

		await row.getByRole("button", { name: "Send test" }).click();
		await page.locator(".alert-success").filter({ hasText: "Test notification queued" }).waitFor();
		const logRow = page.locator("#log-body tr").filter({ hasText: "channel check" });
		await logRow.waitFor({ timeout: 15000 });
		assert.equal(await logRow.locator("td").nth(1).textContent(), name);
		await shoot(page, "notifications");

		// Nothing listens on port 9: once the attempts are spent the
		// delivery is a dead letter, which an owner may send again.
		const dead = logRow.filter({ hasText: "dead" });
		for (let i = 0; i < 60 && (await dead.count()) === 0; i++) {
			await page.waitForTimeout(1000);
			await page.getByRole("button", { name: "Refresh" }).click();
		}
		await dead.getByRole("button", { name: "Retry" }).click();
		await page.locator(".alert-success").filter({ hasText: "will be sent again" }).waitFor();

		await row.getByRole("button", { name: "Pause" }).click();
		await row.getByText("paused").waitFor();
		page.once("dialog", (dialog) => dialog.accept());
		await row.getByRole("button", { name: "Delete" }).click();
		await page.getByText("No channel yet.").waitFor();

		// A bad URL is refused with the server's reason.
		allow(422, "/api/v1/notification-channels");
		await page.getByLabel("Name").fill("metadata");
		await page.getByLabel("URL").fill("http://169.254.169.254/latest");
		await page.getByRole("button", { name: "Add channel" }).click();
		await page.locator(".alert-danger").filter({ hasText: "cloud metadata" }).waitFor();
		assertNoProblems(problems);
		await context.close();
	});

	test("an analyst reads channels and the log but changes nothing", async () => {
		const org = await signupApi("ntfro");
		const created = await apiCall(org, "POST", "/api/v1/notification-channels", {
			name: "team mail",
			type: "email",
			config: { to: ["team@example.com"] },
		});
		assert.equal(created.status, 201, created.text);
		const email = `analyst@${org.slug}.example.com`;
		const user = await apiCall(org, "POST", "/api/v1/users", { email, name: "Ana", role: "analyst", password: PASSWORD });
		assert.equal(user.status, 201, user.text);

		const { context, page, problems } = await openPage(browser, PHONE);
		await loginForm(page, email, PASSWORD);
		await page.waitForURL(BASE + "/app");
		await page.goto(BASE + "/app/notifications");
		const row = page.locator("#channels-body tr").filter({ hasText: "team mail" });
		await row.waitFor();
		assert.equal(await row.locator("td").nth(2).textContent(), "team@example.com");
		assert.equal(await page.locator("#channel-form").count(), 0);
		assert.equal(await row.getByRole("button").count(), 0);
		await page.getByText("Nothing was sent yet.").waitFor();
		await shoot(page, "notifications-analyst");
		assertNoProblems(problems);
		await context.close();
	});
});
