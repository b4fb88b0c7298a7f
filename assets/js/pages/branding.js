// The branding page (/app/branding, admins and owners): display name,
// colours, billing address and custom domain (PUT /api/v1/branding), and
// the logo (PUT/GET/DELETE /api/v1/branding/logo, the file's bytes as the
// body). Changes apply to the frame at once.
import { applyBranding, startPage } from "../layout.js";
import { byId } from "../dom.js";
import { sessionRead } from "../api.js";

const FIELDS = ["display_name", "primary_color", "accent_color", "billing_address", "custom_domain"];

let previewUrl = null;

function showForm(b) {
	byId("display_name").value = b.display_name || "";
	byId("primary_color").value = b.primary_color;
	byId("accent_color").value = b.accent_color;
	byId("billing_address").value = b.billing_address || "";
	byId("custom_domain").value = b.custom_domain || "";
}

function clearErrors() {
	for (const f of FIELDS) {
		byId(f + "-error").textContent = "";
		byId(f).classList.remove("is-invalid");
	}
}

// The logo needs the token: fetched, then shown from a blob: URL.
async function showLogo(hasLogo) {
	const img = byId("logo-preview");
	byId("logo-none").hidden = hasLogo;
	img.hidden = true;
	if (!hasLogo) {
		return;
	}
	const session = sessionRead();
	try {
		const r = await fetch("/api/v1/branding/logo", {
			headers: { authorization: "Bearer " + (session ? session.access_token : "") },
			cache: "no-store",
		});
		if (!r.ok) {
			return;
		}
		if (previewUrl !== null) {
			URL.revokeObjectURL(previewUrl);
		}
		previewUrl = URL.createObjectURL(await r.blob());
		img.src = previewUrl;
		img.hidden = false;
	} catch (e) {
		img.hidden = true;
	}
}

async function save(ctx, event) {
	event.preventDefault();
	clearErrors();
	const body = {};
	for (const f of FIELDS) {
		body[f] = byId(f).value.trim();
	}
	const r = await ctx.api("PUT", "/api/v1/branding", { body });
	if (!r.ok) {
		const field = r.body && r.body.error && r.body.error.details ? r.body.error.details.field : null;
		if (field && FIELDS.includes(field)) {
			byId(field).classList.add("is-invalid");
			byId(field + "-error").textContent = r.error.message;
		} else if (r.status === 409) {
			byId("custom_domain").classList.add("is-invalid");
			byId("custom_domain-error").textContent = r.error.message;
		}
		ctx.flash("danger", ctx.errorText(r, "Saving the branding"));
		return;
	}
	showForm(r.body);
	applyBranding(r.body);
	ctx.flash("success", "Branding saved.");
}

async function uploadLogo(ctx) {
	const file = byId("logo-file").files[0];
	if (!file) {
		ctx.flash("warning", "Choose a PNG or JPEG file first.");
		return;
	}
	const session = sessionRead();
	let r;
	try {
		r = await fetch("/api/v1/branding/logo", {
			method: "PUT",
			headers: {
				authorization: "Bearer " + (session ? session.access_token : ""),
				"content-type": "application/octet-stream",
			},
			body: file,
		});
	} catch (e) {
		ctx.flash("danger", "The logo could not be sent.");
		return;
	}
	let answer = null;
	try {
		answer = await r.json();
	} catch (e) {
		answer = null;
	}
	if (!r.ok) {
		const why = answer && answer.error ? answer.error.message : `HTTP ${r.status}`;
		ctx.flash("danger", "The logo was refused: " + why);
		return;
	}
	ctx.flash("success", `Logo saved (${answer.width} × ${answer.height}).`);
	await showLogo(true);
}

async function deleteLogo(ctx) {
	const r = await ctx.api("DELETE", "/api/v1/branding/logo");
	if (!r.ok) {
		ctx.flash("danger", ctx.errorText(r, "Removing the logo"));
		return;
	}
	ctx.flash("success", "Logo removed.");
	await showLogo(false);
}

async function start() {
	const ctx = await startPage({ page: "branding" });
	if (ctx === null) {
		return;
	}
	const r = await ctx.api("GET", "/api/v1/branding");
	if (!r.ok) {
		ctx.flash("danger", ctx.errorText(r, "Loading the branding"));
		return;
	}
	showForm(r.body);
	await showLogo(r.body.logo_url !== null);
	if (!ctx.can("admin")) {
		ctx.flash("info", "Only administrators and owners can change the branding.");
		for (const el of document.querySelectorAll("input, textarea, #main button")) {
			el.disabled = true;
		}
		return;
	}
	byId("brand-form").addEventListener("submit", (e) => save(ctx, e));
	byId("logo-upload").addEventListener("click", () => uploadLogo(ctx));
	byId("logo-delete").addEventListener("click", () => deleteLogo(ctx));
}

start();
