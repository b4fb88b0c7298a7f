// The rules the server applies to sign-up fields, checked in the browser
// first so that most mistakes are shown before anything is sent. The
// server stays the judge: it checks everything again (src/core/tenant.c,
// src/core/password.c, src/core/validate.c). No DOM here.

// A slug: 3 to 40 characters, [a-z0-9-], starting and ending with a letter
// or a digit, no "--" (the server also refuses a few reserved words).
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$/;
export const PASSWORD_MIN = 12;

// A slug suggested from an organization's name: accents dropped, anything
// else than a letter or a digit becomes one hyphen, at most 40 characters.
export function slugSuggest(name) {
	return String(name)
		.normalize("NFKD")
		.replace(/[\u0300-\u036f]/g, "")
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, "-")
		.replace(/^-+/, "")
		.slice(0, 40)
		.replace(/-+$/, "");
}

// What is wrong with a slug, or null when it follows the rule.
export function slugProblem(slug) {
	if (slug === "") {
		return "Choose a slug.";
	}
	if (slug.length < 3 || slug.length > 40) {
		return "A slug is 3 to 40 characters long.";
	}
	if (/[^a-z0-9-]/.test(slug)) {
		return "Only lower-case letters, digits and hyphens.";
	}
	if (!SLUG_PATTERN.test(slug)) {
		return "Starts and ends with a letter or a digit.";
	}
	if (slug.includes("--")) {
		return "No double hyphen.";
	}
	return null;
}

export function emailProblem(email) {
	if (email === "") {
		return "Enter your e-mail address.";
	}
	if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
		return "Enter an e-mail address such as name@example.com.";
	}
	return null;
}

// The password policy: at least 12 characters (not bytes), neither the
// e-mail address nor the name before its "@".
export function passwordProblem(password, email) {
	const chars = Array.from(password).length;
	const lower = password.toLowerCase();
	const mail = String(email || "").trim().toLowerCase();

	if (chars < PASSWORD_MIN) {
		return `At least ${PASSWORD_MIN} characters (${chars} so far).`;
	}
	if (mail !== "" && lower === mail) {
		return "Must not be your e-mail address.";
	}
	if (mail.includes("@") && lower === mail.slice(0, mail.lastIndexOf("@"))) {
		return "Must not be the name in your e-mail address.";
	}
	return null;
}

export function requiredProblem(value, what) {
	return value.trim() === "" ? `Enter ${what}.` : null;
}
