// The sign-in page on an organization's custom domain wears its
// branding: GET /api/v1/branding/public answers for the request's Host
// (the platform's defaults elsewhere). The logo is public there, so it is
// an ordinary <img> of our own path.
import { applyBranding, brandingClean } from "./layout.js";
import { h } from "./dom.js";

async function brandSignIn() {
	let body;
	try {
		const r = await fetch("/api/v1/branding/public", { headers: { accept: "application/json" }, cache: "no-store" });
		if (!r.ok) {
			return;
		}
		body = await r.json();
	} catch (e) {
		return;
	}
	const title = document.title.split(" — ")[0];
	const b = applyBranding(body);
	document.title = `${title} — ${b.display_name}`;
	const clean = brandingClean(body);
	const brand = document.querySelector(".navbar-brand");
	if (clean.logo_url !== null && brand !== null && clean.logo_url.startsWith("/api/v1/branding/public/")) {
		brand.prepend(h("img", { src: clean.logo_url, alt: "", class: "me-2", id: "vg-public-logo" }));
	}
}

brandSignIn();
