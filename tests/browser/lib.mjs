// Helpers of the browser tests: Debian's Chromium through playwright-core,
// pages that record every console error, and screenshots at the two sizes
// every page must fit.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

export const BASE = (process.env.VIGIE_TEST_BASE_URL || "").replace(/\/$/, "");
if (BASE === "") {
	throw new Error("VIGIE_TEST_BASE_URL is not set: run scripts/browser.sh against a server (make test does)");
}

// Node's fetch keeps connections open for the keep-alive time the server
// announces (60 s), while Kore closes an idle connection sooner, answering
// 408 on it: a request of the test that reuses such a connection at that
// moment reads the 408. The request never reached the application, so it
// is sent again (at most twice more); bodies here are strings or buffers.
const nativeFetch = globalThis.fetch;
globalThis.fetch = async (...args) => {
	let r = await nativeFetch(...args);
	for (let i = 0; i < 2 && r.status === 408; i++) {
		r = await nativeFetch(...args);
	}
	return r;
};

export const PASSWORD = "correct horse battery staple";
export const DESKTOP = { width: 1920, height: 1080 };
export const PHONE = { width: 390, height: 844 };
export const ARTIFACTS = fileURLToPath(new URL("./artifacts/", import.meta.url));

// Playwright's launch() gives the browser a fresh, temporary user-data-dir
// of its own and removes it at close (a --user-data-dir argument is refused
// there), so no profile survives a run.
export function launch() {
	return chromium.launch({
		executablePath: process.env.VIGIE_CHROMIUM || "/usr/bin/chromium",
		headless: true,
		args: [
			"--headless",
			"--no-sandbox",
			"--disable-gpu",
			"--disable-quic",
			"--no-first-run",
			"--disable-background-networking",
			"--disable-component-update",
			"--disable-sync",
		],
	});
}

// A client address of its own for each browser context: the test server
// trusts 127.0.0.1 as a proxy (VIGIE_TRUSTED_PROXIES), so the per-address
// login limit of one context never counts another's attempts, nor those
// of the pytest suite that ran before. Elsewhere the header is ignored.
function clientIp() {
	const b = randomBytes(3);
	return `10.${b[0]}.${b[1]}.${b[2] === 0 ? 1 : b[2]}`;
}

export function uniqueOrg(prefix = "web") {
	const id = randomBytes(5).toString("hex");
	return {
		orgName: `Browser ${prefix} ${id}`,
		slug: `${prefix}-${id}`,
		name: `Ada ${id}`,
		email: `owner@${prefix}-${id}.example.com`,
		password: PASSWORD,
	};
}

// Error answers no page is faulted for. The shell's optional calls
// (assets/js/layout.js): branding and usage answer 404 on a server without
// those features (public: the login page's), and usage 403 to a role that
// may not read it; the pages ignore those answers.
export const ALLOWED_EVERYWHERE = [
	{ status: 404, path: "/api/v1/branding" },
	{ status: 404, path: "/api/v1/branding/public" },
	{ status: 404, path: "/api/v1/usage" },
	{ status: 403, path: "/api/v1/usage" },
];

// A page in a context of its own (its own sessionStorage). Every console
// error and uncaught exception is recorded in problems, except the
// browser's own "Failed to load resource" line for an API answer the test
// expects: allow(status, path) declares one (Chromium logs every 4xx/5xx
// answer to fetch() that way, even when the page handles it).
export async function openPage(browser, viewport = DESKTOP) {
	const context = await browser.newContext({
		viewport,
		extraHTTPHeaders: { "x-forwarded-for": clientIp() },
	});
	const page = await context.newPage();
	const problems = [];
	const allowed = [...ALLOWED_EVERYWHERE];

	page.on("console", (msg) => {
		if (msg.type() !== "error") {
			return;
		}
		const m = /^Failed to load resource: the server responded with a status of (\d+)/.exec(msg.text());
		const url = msg.location().url || "";
		if (m !== null && url.startsWith(BASE)) {
			const path = new URL(url).pathname;
			if (allowed.some((a) => a.status === Number(m[1]) && a.path === path)) {
				return;
			}
		}
		problems.push(`console error on ${page.url()}: ${msg.text()} (${url})`);
	});
	page.on("pageerror", (err) => problems.push(`uncaught exception on ${page.url()}: ${err.message}`));
	page.on("requestfailed", (req) => {
		// A navigation away cancels the requests still running: not a fault.
		if (req.failure() && req.failure().errorText !== "net::ERR_ABORTED") {
			problems.push(`request failed: ${req.url()} ${req.failure().errorText}`);
		}
	});
	return {
		context,
		page,
		problems,
		allow(status, path) {
			allowed.push({ status, path });
		},
	};
}

export function assertNoProblems(problems) {
	assert.deepEqual(problems, [], "console errors or exceptions:\n" + problems.join("\n"));
}

// Screenshots of the page as it is now at both sizes, into artifacts/, and
// a check that nothing is wider than the window at either.
export async function shoot(page, name) {
	const before = page.viewportSize();

	mkdirSync(ARTIFACTS, { recursive: true });
	for (const size of [DESKTOP, PHONE]) {
		await page.setViewportSize(size);
		const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
		assert.ok(overflow <= 0, `${name} at ${size.width}x${size.height} is ${overflow}px too wide`);
		await page.screenshot({
			path: `${ARTIFACTS}${name}-${size.width}x${size.height}.png`,
			fullPage: true,
		});
	}
	await page.setViewportSize(before);
}

export async function storedSession(page) {
	return page.evaluate(() => JSON.parse(sessionStorage.getItem("vigie.session")));
}

// Fills and sends the sign-up form.
export async function signup(page, org) {
	await page.goto(BASE + "/signup");
	await page.getByLabel("Organization name").fill(org.orgName);
	await page.getByLabel("Slug", { exact: true }).fill(org.slug);
	await page.getByLabel("Your name").fill(org.name);
	await page.getByLabel("E-mail").fill(org.email);
	await page.getByLabel("Password").fill(org.password);
	await page.getByRole("button", { name: "Create organization" }).click();
}

export async function loginForm(page, email, password) {
	await page.goto(BASE + "/login");
	await page.getByLabel("E-mail").fill(email);
	await page.getByLabel("Password").fill(password);
	await page.getByRole("button", { name: "Sign in" }).click();
}

// An organization created through the API (faster than the form), from an
// address of its own so that the per-address sign-up limit never counts it
// with others. Answers the org with its owner's tokens.
export async function signupApi(prefix = "web") {
	const org = uniqueOrg(prefix);
	const headers = { "content-type": "application/json", "x-forwarded-for": clientIp() };
	const r = await fetch(BASE + "/api/v1/signup", {
		method: "POST",
		headers,
		body: JSON.stringify({
			organization_name: org.orgName,
			slug: org.slug,
			name: org.name,
			email: org.email,
			password: org.password,
		}),
	});
	assert.equal(r.status, 201, `sign-up of ${org.slug}: ${await r.text()}`);
	const l = await fetch(BASE + "/api/v1/auth/login", {
		method: "POST",
		headers,
		body: JSON.stringify({ email: org.email, password: org.password }),
	});
	assert.equal(l.status, 200, `login of ${org.email}`);
	return { ...org, tokens: await l.json() };
}

// Signs a page in through the login form and waits for the dashboard.
export async function signIn(page, org) {
	await loginForm(page, org.email, org.password);
	await page.waitForURL(BASE + "/app");
	await page.locator("#user-role").filter({ hasText: /\S/ }).waitFor();
}

// Calls the API with an org's owner token from the test itself.
export async function apiCall(org, method, path, body) {
	const headers = { authorization: "Bearer " + org.tokens.access_token };
	if (body !== undefined) {
		headers["content-type"] = "application/json";
	}
	const r = await fetch(BASE + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
	const text = await r.text();
	let json = null;
	try {
		json = JSON.parse(text);
	} catch (e) {
		json = null;
	}
	return { status: r.status, headers: r.headers, text, json };
}

// The shared test data (never copied into the repository): shared/data
// beside the repository's root, as CI lays it out, or VIGIE_SHARED_DATA,
// or the machine's /work/shared/data. null when none exists: tests that
// need it skip with a message naming the places looked at.
export const SHARED_DATA_PLACES = [
	process.env.VIGIE_SHARED_DATA,
	fileURLToPath(new URL("../../../shared/data/", import.meta.url)),
	"/work/shared/data/",
].filter(Boolean);

export function sharedData(name) {
	for (const dir of SHARED_DATA_PLACES) {
		const path = join(dir, name);
		if (existsSync(path)) {
			return path;
		}
	}
	return null;
}

export function sharedDataMissing(name) {
	return `${name} not found in ${SHARED_DATA_PLACES.join(", ")} (set VIGIE_SHARED_DATA)`;
}

// A link of the main navigation bar.
export function navLink(page, label) {
	return page.getByRole("navigation", { name: "Main", exact: true }).getByRole("link", { name: label, exact: true });
}

// Uploads a file through the API (the test's own requests); its id.
export async function uploadApi(org, name, content, type = "auto") {
	const r = await fetch(`${BASE}/api/v1/files?name=${encodeURIComponent(name)}&type=${type}`, {
		method: "POST",
		headers: { authorization: "Bearer " + org.tokens.access_token, "content-type": "application/octet-stream" },
		body: content,
	});
	const text = await r.text();
	assert.equal(r.status, 201, text);
	return JSON.parse(text).id;
}

async function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

// Waits until the worker has finished the files (two minutes at most).
export async function waitFilesDone(org, ids) {
	for (let i = 0; i < 600; i++) {
		const r = await apiCall(org, "GET", "/api/v1/files?size=200");
		const left = r.json.items.filter((f) => ids.includes(f.id) && ["uploaded", "queued", "ingesting"].includes(f.status));
		if (left.length === 0) {
			return r.json.items.filter((f) => ids.includes(f.id));
		}
		await sleep(200);
	}
	throw new Error("the files were not ingested in two minutes");
}

// Waits until a search finds `total` logs (Elasticsearch shows new
// documents within a refresh); the last answer.
export async function waitLogs(org, query, total) {
	let last = null;
	for (let i = 0; i < 300; i++) {
		last = await apiCall(org, "GET", "/api/v1/logs?size=1&" + query);
		if (last.status === 200 && last.json.total === total) {
			return last.json;
		}
		await sleep(200);
	}
	throw new Error(`GET /api/v1/logs?${query} never found ${total} logs: last answer ${last.status} ${last.text.slice(0, 300)}`);
}

// Waits until the page's module has set it up (layout.js pageReady()).
export async function waitReady(page) {
	await page.locator("main[data-ready]").waitFor({ state: "attached" });
}
