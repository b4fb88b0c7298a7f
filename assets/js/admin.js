// The platform administrators' console (/admin): sign in, list the
// organizations, suspend or reactivate one, move one to another plan.
//
// The administrator's access token lives in sessionStorage (this tab
// only, never sent by the browser on its own). Organization names and
// slugs come from tenants: they are only ever set as text, never as HTML.
(function () {
	"use strict";

	var STORE_KEY = "vigie.admin";
	var PAGE_SIZE = 50;
	var state = { page: 1, q: "", status: "", plans: [], total: 0 };

	function $(id) {
		return document.getElementById(id);
	}

	// ---- session --------------------------------------------------------

	function sessionRead() {
		try {
			var s = JSON.parse(sessionStorage.getItem(STORE_KEY));
			if (s && s.token && s.expires_at > Date.now()) {
				return s;
			}
		} catch (e) {
			// A broken entry is no session.
		}
		sessionStorage.removeItem(STORE_KEY);
		return null;
	}

	function sessionSave(body) {
		sessionStorage.setItem(STORE_KEY, JSON.stringify({
			token: body.access_token,
			email: body.admin && body.admin.email,
			expires_at: Date.now() + body.expires_in * 1000
		}));
	}

	function sessionForget() {
		sessionStorage.removeItem(STORE_KEY);
	}

	// ---- messages -------------------------------------------------------

	function say(kind, text) {
		var alertEl = $("alert"), notice = $("notice");
		alertEl.hidden = true;
		notice.hidden = true;
		if (!text) {
			return;
		}
		var el = kind === "error" ? alertEl : notice;
		el.textContent = text;
		el.hidden = false;
	}

	// A sentence for an API error, by its code first, then its status.
	function describe(r) {
		var code = r.error && r.error.code;
		var message = r.error && r.error.message;
		switch (code) {
		case "invalid_credentials":
			return "Wrong e-mail or password.";
		case "rate_limited":
			return "Too many sign-in attempts. Try again in " +
				(r.retryAfter || "a few") + " seconds.";
		case "token_expired":
		case "invalid_token":
		case "token_revoked":
		case "unauthenticated":
			return "Your administrator session has ended. Sign in again.";
		case "not_found":
			return "This organization no longer exists.";
		case "tenant_provisioning":
			return "This organization is still being created; try again in a moment.";
		case "validation_failed":
			return "Refused: " + (message || "invalid input") + ".";
		case "service_unavailable":
			return "A service of the platform is unavailable; nothing was changed. Try again shortly.";
		case "network_error":
			return "The server cannot be reached. Check your connection and try again.";
		}
		return message ? message : "Unexpected error (HTTP " + r.status + ").";
	}

	// ---- API ------------------------------------------------------------

	// Never throws: a network failure is { status: 0, error: {...} }.
	function api(method, path, body) {
		var headers = { accept: "application/json" };
		var s = sessionRead();
		if (s) {
			headers.authorization = "Bearer " + s.token;
		}
		if (body !== undefined) {
			headers["content-type"] = "application/json";
		}
		return fetch(path, {
			method: method,
			headers: headers,
			body: body !== undefined ? JSON.stringify(body) : undefined,
			credentials: "omit",
			cache: "no-store"
		}).then(function (res) {
			return res.json().catch(function () {
				return {};
			}).then(function (json) {
				return {
					ok: res.ok,
					status: res.status,
					body: json,
					error: json && json.error,
					retryAfter: res.headers.get("retry-after")
				};
			});
		}, function () {
			return { ok: false, status: 0, error: { code: "network_error" } };
		});
	}

	// A refused administrator token sends back to the sign-in form.
	function lost(r) {
		if (r.status !== 401) {
			return false;
		}
		sessionForget();
		show();
		say("error", describe(r));
		return true;
	}

	// ---- views ----------------------------------------------------------

	function show() {
		var s = sessionRead();
		$("login-view").hidden = !!s;
		$("console-view").hidden = !s;
		$("who").hidden = !s;
		$("who-email").textContent = s && s.email ? s.email : "";
		if (s) {
			load();
		} else {
			$("email").focus();
		}
	}

	function cell(row, label, className) {
		var td = document.createElement("td");
		td.setAttribute("data-label", label);
		if (className) {
			td.className = className;
		}
		row.appendChild(td);
		return td;
	}

	function planSelect(t) {
		var select = document.createElement("select");
		select.className = "form-select form-select-sm";
		var names = state.plans.slice();
		if (names.indexOf(t.plan) < 0) {
			names.push(t.plan);
		}
		names.forEach(function (name) {
			var o = document.createElement("option");
			o.value = name;
			o.textContent = name;
			o.selected = name === t.plan;
			select.appendChild(o);
		});
		select.setAttribute("aria-label", "Plan of " + t.name);
		select.disabled = t.status === "provisioning";
		select.addEventListener("change", function () {
			changePlan(t, select);
		});
		return select;
	}

	function actionButton(t) {
		var b = document.createElement("button");
		b.type = "button";
		if (t.status === "active") {
			b.textContent = "Suspend";
			b.className = "btn btn-sm btn-outline-danger admin-danger";
		} else {
			b.textContent = "Reactivate";
			b.className = "btn btn-sm btn-outline-success admin-ok";
		}
		b.disabled = t.status === "provisioning";
		b.setAttribute("aria-label", b.textContent + " " + t.name);
		b.addEventListener("click", function () {
			setActive(t, t.status !== "active", b);
		});
		return b;
	}

	function renderRow(t) {
		var tr = document.createElement("tr");
		var org = cell(tr, "Organization");
		var name = document.createElement("strong");
		name.textContent = t.name;
		var slug = document.createElement("span");
		slug.className = "slug";
		slug.textContent = t.slug;
		org.appendChild(name);
		org.appendChild(slug);
		cell(tr, "Plan").appendChild(planSelect(t));
		var badge = document.createElement("span");
		badge.className = "admin-badge " + t.status;
		badge.textContent = t.status;
		cell(tr, "Status").appendChild(badge);
		cell(tr, "Users", "num").textContent =
			t.user_count === null ? "?" : String(t.user_count);
		cell(tr, "API keys", "num").textContent =
			t.api_key_count === null ? "?" : String(t.api_key_count);
		cell(tr, "Created").textContent =
			(t.created_at || "").replace("T", " ").replace("Z", " UTC");
		cell(tr, "Action").appendChild(actionButton(t));
		tr.id = "tenant-" + t.id;
		return tr;
	}

	function render(body) {
		var rows = $("rows");
		state.plans = body.plans || [];
		state.total = body.total;
		rows.textContent = "";
		body.items.forEach(function (t) {
			rows.appendChild(renderRow(t));
		});
		var pages = Math.max(1, Math.ceil(body.total / PAGE_SIZE));
		$("summary").textContent = body.total === 1 ? "1 organization"
			: body.total + " organizations";
		$("page-info").textContent = "Page " + state.page + " of " + pages;
		$("prev").disabled = state.page <= 1;
		$("next").disabled = state.page >= pages;
	}

	function load() {
		var params = new URLSearchParams();
		params.set("page", String(state.page));
		params.set("size", String(PAGE_SIZE));
		if (state.q) {
			params.set("q", state.q);
		}
		if (state.status) {
			params.set("status", state.status);
		}
		$("summary").textContent = "Loading…";
		return api("GET", "/api/v1/admin/tenants?" + params.toString())
			.then(function (r) {
				if (lost(r)) {
					return;
				}
				if (!r.ok) {
					$("summary").textContent = "";
					say("error", describe(r));
					return;
				}
				render(r.body);
			});
	}

	// Puts a changed organization back in its row.
	function replaceRow(t) {
		var old = $("tenant-" + t.id);
		if (old) {
			old.parentNode.replaceChild(renderRow(t), old);
		}
	}

	// ---- actions --------------------------------------------------------

	function setActive(t, active, button) {
		var verb = active ? "reactivate" : "suspend";
		if (!active && !window.confirm("Suspend " + t.name + " (" + t.slug +
			")? Its users and API keys will be refused at once.")) {
			return;
		}
		button.disabled = true;
		api("POST", "/api/v1/admin/tenants/" + encodeURIComponent(t.id) +
			"/" + verb).then(function (r) {
			if (lost(r)) {
				return;
			}
			if (!r.ok) {
				button.disabled = false;
				say("error", describe(r));
				return;
			}
			replaceRow(r.body);
			say("notice", r.body.name + " is now " + r.body.status + ".");
		});
	}

	function changePlan(t, select) {
		var plan = select.value;
		if (!window.confirm("Move " + t.name + " from plan " + t.plan +
			" to plan " + plan + "?")) {
			select.value = t.plan;
			return;
		}
		select.disabled = true;
		api("PATCH", "/api/v1/admin/tenants/" + encodeURIComponent(t.id),
			{ plan: plan }).then(function (r) {
			if (lost(r)) {
				return;
			}
			if (!r.ok) {
				select.value = t.plan;
				select.disabled = false;
				say("error", describe(r));
				return;
			}
			replaceRow(r.body);
			say("notice", r.body.name + " is now on plan " + r.body.plan + ".");
		});
	}

	function login(event) {
		event.preventDefault();
		var email = $("email").value.trim();
		var password = $("password").value;
		if (!email || !password) {
			say("error", "Enter your e-mail and your password.");
			return;
		}
		$("login-submit").disabled = true;
		api("POST", "/api/v1/admin/login", { email: email, password: password })
			.then(function (r) {
				$("login-submit").disabled = false;
				if (!r.ok) {
					say("error", describe(r));
					$("password").value = "";
					$("password").focus();
					return;
				}
				$("password").value = "";
				sessionSave(r.body);
				say("notice", "");
				show();
			});
	}

	function init() {
		$("login-form").addEventListener("submit", login);
		$("logout").addEventListener("click", function () {
			sessionForget();
			say("notice", "Signed out.");
			show();
		});
		$("filters").addEventListener("submit", function (event) {
			event.preventDefault();
			state.q = $("q").value.trim();
			state.status = $("status").value;
			state.page = 1;
			say("notice", "");
			load();
		});
		$("prev").addEventListener("click", function () {
			if (state.page > 1) {
				state.page--;
				load();
			}
		});
		$("next").addEventListener("click", function () {
			state.page++;
			load();
		});
		show();
	}

	if (document.readyState === "loading") {
		document.addEventListener("DOMContentLoaded", init);
	} else {
		init();
	}
})();
