// The sign-up (/signup) and login (/login) pages: checks in the browser
// first, then the API; the server's errors are shown next to the field
// they concern, or under the form.
import { apiRequest, login } from "./api.js";
import { applyPublicBranding } from "./layout.js";
import { emailProblem, passwordProblem, requiredProblem, slugProblem, slugSuggest } from "./rules.js";

// ---- showing errors ------------------------------------------------------

const LABELS = {
	organization_name: "Organization name",
	slug: "Slug",
	name: "Your name",
	email: "E-mail",
	password: "Password",
};

function fieldError(form, field, message) {
	const input = form.elements.namedItem(field);
	const out = document.getElementById(field + "-error");

	if (out !== null) {
		out.textContent = message || "";
	}
	// The live slug check would contradict the server ("✓" but taken).
	if (field === "slug" && message && document.getElementById("slug-check") !== null) {
		document.getElementById("slug-check").textContent = "";
	}
	if (input !== null) {
		if (message) {
			input.setAttribute("aria-invalid", "true");
		} else {
			input.removeAttribute("aria-invalid");
		}
	}
}

function formError(message) {
	document.getElementById("form-error").textContent = message || "";
}

function clearErrors(form) {
	Object.keys(LABELS).forEach((field) => fieldError(form, field, ""));
	formError("");
}

// The server's sentence for a field, readable on its own: "slug this slug
// is reserved" becomes "This slug is reserved", "email must be ..." becomes
// "E-mail must be ...".
function serverFieldMessage(field, message) {
	let text = String(message || "").trim();

	if (text.startsWith(field + " ")) {
		text = text.slice(field.length + 1);
		if (/^(must|is|has|should) /.test(text)) {
			text = LABELS[field] + " " + text;
		}
	}
	text = text.charAt(0).toUpperCase() + text.slice(1);
	return /[.!?]$/.test(text) ? text : text + ".";
}

// The field a 422 concerns: error.details.field, or, for rules the service
// checks itself (slug format, password policy), the field its sentence
// starts with.
function errorField(form, error) {
	const details = error.details || {};
	let field = typeof details.field === "string" ? details.field : null;

	if (field === null) {
		const first = String(error.message || "").split(" ")[0];
		field = Object.prototype.hasOwnProperty.call(LABELS, first) ? first : null;
	}
	return field !== null && form.elements.namedItem(field) !== null ? field : null;
}

function focusFirstInvalid(form) {
	const bad = form.querySelector('[aria-invalid="true"]');
	if (bad !== null) {
		bad.focus();
	}
}

function busy(form, on, label) {
	const button = form.querySelector('button[type="submit"]');

	form.setAttribute("aria-busy", on ? "true" : "false");
	button.disabled = on;
	if (on) {
		button.dataset.label = button.textContent;
		button.textContent = label;
	} else if (button.dataset.label) {
		button.textContent = button.dataset.label;
	}
}

function value(form, field) {
	return form.elements.namedItem(field).value;
}

// A message for an error that concerns no field in particular.
function generalMessage(r) {
	switch (r.error.code) {
	case "network_error":
		return r.error.message;
	case "invalid_credentials":
		return "Wrong e-mail or password.";
	case "rate_limited":
		return r.retryAfter !== null
			? `Too many attempts. Try again in ${r.retryAfter} second${r.retryAfter === 1 ? "" : "s"}.`
			: "Too many attempts. Try again in a minute.";
	case "tenant_suspended":
		return "This organization is suspended. Contact your platform administrator.";
	case "service_unavailable":
		return "Vigie is unavailable right now: " + r.error.message;
	default:
		return r.error.message || "Something went wrong. Try again.";
	}
}

// ---- sign-up -------------------------------------------------------------

function signupChecks(form) {
	const email = value(form, "email").trim();

	return {
		organization_name: requiredProblem(value(form, "organization_name"), "your organization's name"),
		slug: slugProblem(value(form, "slug")),
		name: requiredProblem(value(form, "name"), "your name"),
		email: emailProblem(email),
		password: passwordProblem(value(form, "password"), email),
	};
}

function slugLive(form) {
	const slug = value(form, "slug");
	const out = document.getElementById("slug-check");
	const problem = slug === "" ? null : slugProblem(slug);

	out.classList.toggle("ok", slug !== "" && problem === null);
	out.textContent = slug === "" ? "" : problem === null ? "✓ " + slug + " follows the rule." : problem;
}

function signupSetup(form) {
	const org = form.elements.namedItem("organization_name");
	const slug = form.elements.namedItem("slug");
	let slugEdited = false;

	org.addEventListener("input", () => {
		if (!slugEdited) {
			slug.value = slugSuggest(org.value);
			slugLive(form);
		}
	});
	slug.addEventListener("input", () => {
		slugEdited = slug.value !== "";
		fieldError(form, "slug", "");
		slugLive(form);
	});
	["organization_name", "name", "email", "password"].forEach((field) => {
		form.elements.namedItem(field).addEventListener("input", () => fieldError(form, field, ""));
	});
	form.addEventListener("submit", (event) => {
		event.preventDefault();
		signupSubmit(form);
	});
}

async function signupSubmit(form) {
	const problems = signupChecks(form);
	let blocked = false;

	clearErrors(form);
	Object.keys(problems).forEach((field) => {
		if (problems[field] !== null) {
			fieldError(form, field, problems[field]);
			blocked = true;
		}
	});
	if (blocked) {
		focusFirstInvalid(form);
		return;
	}
	const email = value(form, "email").trim();
	const password = value(form, "password");
	busy(form, true, "Creating your organization…");
	const r = await apiRequest("POST", "/api/v1/signup", {
		body: {
			organization_name: value(form, "organization_name").trim(),
			slug: value(form, "slug"),
			name: value(form, "name").trim(),
			email,
			password,
		},
	});
	if (!r.ok) {
		busy(form, false);
		signupFailed(form, r);
		return;
	}
	busy(form, true, "Signing you in…");
	const l = await login(email, password);
	if (l.ok) {
		window.location.assign("/app");
		return;
	}
	// The organization exists; only the automatic login failed.
	window.location.assign("/login?reason=created");
}

function signupFailed(form, r) {
	let field = null;

	if (r.status === 409 && r.error.code === "slug_taken") {
		fieldError(form, "slug", "This slug is already taken: choose another one.");
	} else if (r.status === 409 && r.error.code === "email_taken") {
		fieldError(form, "email", "An account with this e-mail already exists. Sign in instead.");
	} else if (r.status === 422 && (field = errorField(form, r.error)) !== null) {
		fieldError(form, field, serverFieldMessage(field, r.error.message));
	} else {
		formError(generalMessage(r));
		return;
	}
	focusFirstInvalid(form);
}

// ---- login ---------------------------------------------------------------

const NOTICES = {
	created: "Your organization was created. Sign in to continue.",
	expired: "Your session has ended. Sign in again.",
	logged_out: "You are signed out.",
	signed_out: "Sign in to continue.",
	suspended: "This organization is suspended. Contact your platform administrator.",
};

let retryTimer = null;

function loginSetup(form) {
	const reason = new URLSearchParams(window.location.search).get("reason");

	if (reason !== null && Object.prototype.hasOwnProperty.call(NOTICES, reason)) {
		document.getElementById("notice").textContent = NOTICES[reason];
	}
	["email", "password"].forEach((field) => {
		form.elements.namedItem(field).addEventListener("input", () => fieldError(form, field, ""));
	});
	form.addEventListener("submit", (event) => {
		event.preventDefault();
		loginSubmit(form);
	});
}

// After a 429 the button stays disabled for the seconds the server asked.
function loginHold(form, seconds) {
	const button = form.querySelector('button[type="submit"]');

	button.disabled = true;
	clearTimeout(retryTimer);
	retryTimer = setTimeout(() => {
		button.disabled = false;
	}, seconds * 1000);
}

async function loginSubmit(form) {
	const email = value(form, "email").trim();
	const password = value(form, "password");
	const problems = {
		email: emailProblem(email),
		password: password === "" ? "Enter your password." : null,
	};

	clearErrors(form);
	if (problems.email !== null || problems.password !== null) {
		fieldError(form, "email", problems.email);
		fieldError(form, "password", problems.password);
		focusFirstInvalid(form);
		return;
	}
	busy(form, true, "Signing in…");
	const r = await login(email, password);
	if (r.ok) {
		window.location.assign("/app");
		return;
	}
	busy(form, false);
	const field = r.status === 422 ? errorField(form, r.error) : null;
	if (field !== null) {
		fieldError(form, field, serverFieldMessage(field, r.error.message));
		focusFirstInvalid(form);
		return;
	}
	formError(generalMessage(r));
	if (r.status === 429) {
		loginHold(form, r.retryAfter !== null ? r.retryAfter : 60);
	}
}

// ---- start -----------------------------------------------------------------

const signupForm = document.getElementById("signup-form");
const loginForm = document.getElementById("login-form");

applyPublicBranding();
if (signupForm !== null) {
	signupSetup(signupForm);
}
if (loginForm !== null) {
	loginSetup(loginForm);
}
