// The billing and branding pages, and the sign-in page of a custom
// domain. MongoDB set-up the API cannot do (a tenant older than last
// month, metered usage) goes through the test venv's pymongo, as in the
// integration tests.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";

import { chromium } from "playwright-core";

import { BASE, PASSWORD, apiCall, assertNoProblems, launch, openPage, shoot, signIn, signupApi } from "./lib.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PYTHON = ROOT + ".venv/bin/python";

// Runs a Python snippet with pymongo's db (the test database) and argv.
function mongo(code, ...args) {
	assert.ok(process.env.VIGIE_MONGO_URI, "VIGIE_MONGO_URI is not set (scripts/integration.sh sets it)");
	const prelude = [
		"import os, sys, json",
		"import pymongo",
		"from bson import ObjectId",
		"db = pymongo.MongoClient(os.environ['VIGIE_MONGO_URI'])[os.environ.get('VIGIE_MONGO_DB', 'vigie_test')]",
	].join("\n");
	return execFileSync(PYTHON, ["-c", prelude + "\n" + code, ...args], { encoding: "utf8" });
}

// A PNG made by Pillow, as bytes.
function png(width, height, rgb) {
	const b64 = mongo(
		"import io, base64\nfrom PIL import Image\nout = io.BytesIO()\n" +
			"Image.new('RGB', (int(sys.argv[1]), int(sys.argv[2])), tuple(json.loads(sys.argv[3]))).save(out, 'PNG')\n" +
			"print(base64.b64encode(out.getvalue()).decode())",
		String(width),
		String(height),
		JSON.stringify(rgb),
	);
	return Buffer.from(b64.trim(), "base64");
}

async function adminToken() {
	const r = await fetch(BASE + "/api/v1/admin/login", {
		method: "POST",
		headers: { "content-type": "application/json", "x-forwarded-for": "10.250.0.1" },
		body: JSON.stringify({
			email: process.env.VIGIE_ADMIN_EMAIL || "admin@vigie.test",
			password: process.env.VIGIE_ADMIN_PASSWORD || "admin-password-for-tests-only",
		}),
	});
	assert.equal(r.status, 200, "administrator login");
	return (await r.json()).access_token;
}

async function adminCall(token, method, path, body) {
	const r = await fetch(BASE + path, {
		method,
		headers: { authorization: "Bearer " + token, "content-type": "application/json" },
		body: JSON.stringify(body),
	});
	return { status: r.status, json: await r.json() };
}

// 12345 -> "123.45 EUR" (the page's format).
function money(minor) {
	return `${Math.trunc(minor / 100).toLocaleString("en-US")}.${String(minor % 100).padStart(2, "0")} EUR`;
}

let browser;
let org;

before(async () => {
	browser = await launch();
	org = await signupApi("bill");
	const admin = await adminToken();
	const tid = org.tokens.tenant.id;
	assert.equal((await adminCall(admin, "PATCH", `/api/v1/admin/tenants/${tid}`, { plan: "pro" })).status, 200);
	// Older than last month, with usage last month and this month.
	mongo(
		"from datetime import datetime, timedelta, timezone\n" +
			"tid = sys.argv[1]\n" +
			"db.tenants.update_one({'_id': ObjectId(tid)}, {'$set': {'created_at': '2020-01-01T00:00:00Z'}})\n" +
			"today = datetime.now(timezone.utc).date()\n" +
			"first = today.replace(day=1)\n" +
			"last_month = (first - timedelta(days=1)).replace(day=1)\n" +
			"docs = []\n" +
			"d = last_month\n" +
			"while d <= today:\n" +
			"    docs.append({'tenant_id': tid, 'day': d.isoformat(), 'ingested_bytes': 3 * 10**9 + d.day * 10**8,\n" +
			"                 'stored_bytes': 20 * 10**9, 'ingested_docs': 1000, 'api_requests': 5, 'active_users': 1})\n" +
			"    d += timedelta(days=1)\n" +
			"db.usage_daily.insert_many(docs)",
		tid,
	);
	const closed = await adminCall(admin, "POST", "/api/v1/admin/billing/close", { tenant_id: tid });
	assert.equal(closed.status, 202, JSON.stringify(closed.json));
	for (let i = 0; i < 400; i++) {
		const r = await apiCall(org, "GET", "/api/v1/invoices");
		if (r.json.invoices.length > 0) {
			org.invoice = r.json.invoices[0];
			break;
		}
		await new Promise((resolve) => setTimeout(resolve, 300));
	}
	assert.ok(org.invoice, "the worker issued no invoice");
});

after(async () => {
	await browser?.close();
});

describe("billing page", () => {
	test("this month, its projection, the chart, and the invoices with their PDF", async () => {
		const { context, page, problems } = await openPage(browser);
		await signIn(page, org);
		await page.getByRole("link", { name: "Billing" }).click();
		await page.waitForURL(BASE + "/app/billing");
		await page.locator("#invoice-table tbody tr").first().waitFor();
		const cur = (await apiCall(org, "GET", "/api/v1/billing/current")).json;
		assert.equal(await page.locator("#projected-total").textContent(), money(cur.projected.total));
		assert.equal(await page.locator("#to-date-total").textContent(), money(cur.to_date.total));
		assert.equal(await page.locator("#plan-name").textContent(), "Pro");
		assert.equal(await page.locator("#projected-table tbody tr").count(), cur.projected.lines.length);
		const bars = await page.evaluate(() => {
			const chart = window.Chart.getChart(document.getElementById("usage-chart"));
			return chart ? chart.data.datasets[0].data.length : -1;
		});
		assert.equal(bars, cur.days_elapsed);
		const row = page.locator("#invoice-table tbody tr").first();
		assert.equal(await row.locator("td").first().textContent(), org.invoice.number);
		assert.equal(await row.locator("td").nth(2).textContent(), money(org.invoice.total));
		const [download] = await Promise.all([page.waitForEvent("download"), row.getByRole("button", { name: /Download .* as PDF/ }).click()]);
		assert.equal(download.suggestedFilename(), `${org.invoice.number}.pdf`);
		const file = await download.path();
		assert.equal(readFileSync(file).subarray(0, 5).toString(), "%PDF-");
		await shoot(page, "billing");
		assertNoProblems(problems);
		await context.close();
	});

	test("a viewer is told billing is for administrators", async () => {
		const email = `viewer-${Date.now()}@${org.slug}.example.com`;
		const r = await apiCall(org, "POST", "/api/v1/users", { email, name: "Vera", role: "viewer", password: PASSWORD });
		assert.equal(r.status, 201, r.text);
		const { context, page, problems } = await openPage(browser);
		await signIn(page, { email, password: PASSWORD });
		assert.equal(await page.getByRole("link", { name: "Billing" }).count(), 0);
		await page.goto(BASE + "/app/billing");
		await page.getByText("Billing is shown to the organization's administrators").waitFor();
		assertNoProblems(problems);
		await context.close();
	});
});

describe("branding page", () => {
	test("name and colours apply at once; the logo is checked, shown and removed", async () => {
		const brand = await signupApi("brandpg");
		const { context, page, problems, allow } = await openPage(browser);
		allow(415, "/api/v1/branding/logo");
		await signIn(page, brand);
		await page.getByRole("link", { name: "Branding" }).click();
		await page.waitForURL(BASE + "/app/branding");
		// The frame applies the branding it loads on its own: let it land
		// before changing it here.
		await page.waitForLoadState("networkidle");
		await page.getByLabel("Display name").fill("Nordlicht Logs");
		await page.getByLabel("Primary colour").fill("#aa3300");
		await page.getByLabel("Billing address").fill("Hafenstraße 1\n20457 Hamburg");
		await page.getByRole("button", { name: "Save" }).click();
		await page.getByText("Branding saved.").waitFor();
		assert.equal(await page.locator("#vg-navbar .vg-brand-name").textContent(), "Nordlicht Logs");
		const primary = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue("--vg-primary").trim());
		assert.equal(primary, "#aa3300");
		const stored = (await apiCall(brand, "GET", "/api/v1/branding")).json;
		assert.equal(stored.billing_address, "Hafenstraße 1\n20457 Hamburg");

		allow(422, "/api/v1/branding");
		await page.getByLabel("Custom domain").fill("not a domain");
		await page.getByRole("button", { name: "Save" }).click();
		await page.locator("#custom_domain-error").filter({ hasText: /\S/ }).waitFor();

		await page.getByLabel("New logo").setInputFiles({ name: "notes.png", mimeType: "image/png", buffer: Buffer.from("not an image") });
		await page.getByRole("button", { name: "Upload" }).click();
		await page.getByText(/The logo was refused/).waitFor();
		await page.getByLabel("New logo").setInputFiles({ name: "logo.png", mimeType: "image/png", buffer: png(240, 80, [170, 51, 0]) });
		await page.getByRole("button", { name: "Upload" }).click();
		await page.getByText("Logo saved (240 × 80).").waitFor();
		await page.locator("#logo-preview:not([hidden])").waitFor();
		assert.equal(await page.locator("#logo-preview").evaluate((img) => img.naturalWidth), 240);
		await page.reload();
		await page.locator("#vg-logo:not([hidden])").waitFor();
		await shoot(page, "branding");
		await page.getByRole("button", { name: "Remove" }).click();
		await page.getByText("Logo removed.").waitFor();
		assert.equal(await page.locator("#logo-preview").isHidden(), true);
		assertNoProblems(problems);
		await context.close();
	});
});

describe("sign-in page on a custom domain", () => {
	test("wears the organization's name, colours and logo", async () => {
		const dom = await signupApi("dompg");
		const host = `login.${dom.slug}.example.com`;
		let r = await apiCall(dom, "PUT", "/api/v1/branding", { custom_domain: host, display_name: "Dom Logs", primary_color: "#226644" });
		assert.equal(r.status, 200, r.text);
		const put = await fetch(BASE + "/api/v1/branding/logo", {
			method: "PUT",
			headers: { authorization: "Bearer " + dom.tokens.access_token },
			body: png(90, 30, [34, 102, 68]),
		});
		assert.equal(put.status, 200);
		// The custom domain resolves to this server, as DNS would make it.
		const port = new URL(BASE).port;
		const mapped = await chromium.launch({
			executablePath: process.env.VIGIE_CHROMIUM || "/usr/bin/chromium",
			headless: true,
			args: ["--headless", "--no-sandbox", "--disable-gpu", `--host-resolver-rules=MAP ${host} 127.0.0.1`],
		});
		try {
			const { context, page, problems } = await openPage(mapped);
			await page.goto(`http://${host}:${port}/login`);
			await page.locator(".vg-brand-name", { hasText: "Dom Logs" }).waitFor();
			await page.locator("#vg-public-logo").waitFor();
			assert.equal(await page.locator("#vg-public-logo").evaluate((img) => img.complete && img.naturalWidth), 90);
			const primary = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue("--vg-primary").trim());
			assert.equal(primary, "#226644");
			assert.match(await page.title(), /Dom Logs/);
			assertNoProblems(problems);
			await context.close();
			// On the platform's own address, the sign-in page stays Vigie's.
			const plain = await openPage(browser);
			await plain.page.goto(BASE + "/login");
			await plain.page.waitForLoadState("networkidle");
			assert.equal(await plain.page.locator(".vg-brand-name").textContent(), "Vigie");
			assert.equal(await plain.page.locator("#vg-public-logo").count(), 0);
			assertNoProblems(plain.problems);
			await plain.context.close();
		} finally {
			await mapped.close();
		}
	});
});
