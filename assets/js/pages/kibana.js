// The Kibana page (/app/kibana): Kibana framed when VIGIE_KIBANA_URL is set
// (GET /api/v1/web/config; the page's Content-Security-Policy allows that
// origin only), how to enable it otherwise.
import { byId, h } from "../dom.js";
import { errorText, flash, pageReady, startPage } from "../layout.js";

// Only a plain http(s) address is framed or linked.
export function kibanaUrl(value) {
	if (typeof value !== "string" || !/^https?:\/\/[A-Za-z0-9.:[\]-]+(\/[^\s"'<>]*)?$/.test(value)) {
		return null;
	}
	return value;
}

async function start() {
	const ctx = await startPage({ page: "kibana" });
	if (ctx === null) {
		return;
	}
	const r = await ctx.api("GET", "/api/v1/web/config");
	if (!r.ok) {
		flash("danger", errorText(r, "Reading the configuration"));
		return;
	}
	const url = kibanaUrl(r.body && r.body.kibana_url);
	pageReady();
	if (url === null) {
		byId("kibana-off").hidden = false;
		return;
	}
	const open = byId("kibana-open");
	open.href = url;
	open.hidden = false;
	byId("kibana-frame-box").appendChild(
		h("iframe", {
			class: "vg-kibana-frame",
			id: "kibana-frame",
			src: url,
			title: "Kibana",
			referrerpolicy: "no-referrer",
			sandbox: "allow-scripts allow-same-origin allow-forms allow-popups allow-downloads",
		}),
	);
	byId("kibana-on").hidden = false;
}

start();
