// The one way Vigie's pages talk to the API: JSON in and out, the signed-in
// person's tokens, and one refresh when the access token has expired.
//
//   const r = await apiRequest("GET", "/api/v1/me", { auth: true });
//   if (r.ok) use(r.body); else show(r.error.message);
//
// apiRequest never throws: a network failure is { status: 0, error: {
// code: "network_error" } }. With auth, a 401 token_expired spends the
// refresh token once (one refresh at a time, whatever the number of
// requests waiting for it) and repeats the request; when the session
// cannot be renewed, or the credentials are refused, the session is
// forgotten and the browser goes to /login (r.authLost is then true and
// the caller should draw nothing more).
//
// Where the tokens live: sessionStorage, one tab's lifetime. It is not
// sent by the browser on its own (no CSRF) and disappears with the tab, but
// any script running on this origin can read it, so an XSS flaw would leak
// the tokens: the application pages are served with a strict
// Content-Security-Policy (our own scripts only) and never insert text as
// HTML. HttpOnly cookies would hide the tokens from scripts, but the API
// takes Bearer tokens only; the refresh token's rotation and reuse
// detection limit the damage of a stolen one.

const STORE_KEY = "vigie.session";

// The stored session: { access_token, refresh_token, expires_at (ms),
// user: { id, email, name, role }, tenant: { id, slug, plan } }, or null.
export function sessionRead() {
	try {
		const s = JSON.parse(sessionStorage.getItem(STORE_KEY));
		return s && s.access_token && s.refresh_token ? s : null;
	} catch (e) {
		return null;
	}
}

// Keeps the answer of a login or a refresh.
export function sessionSave(tokens) {
	sessionStorage.setItem(
		STORE_KEY,
		JSON.stringify({
			access_token: tokens.access_token,
			refresh_token: tokens.refresh_token,
			expires_at: Date.now() + (tokens.expires_in || 0) * 1000,
			user: tokens.user || null,
			tenant: tokens.tenant || null,
		}),
	);
}

export function sessionClear() {
	sessionStorage.removeItem(STORE_KEY);
}

// Set while logging out: the page's requests still in flight would fail
// with 401 once the token is revoked (and send the browser to
// /login?reason=expired in the middle of the logout), so they are aborted
// first, through the controller every request listens to.
let loggingOut = false;
let inFlight = new AbortController();

// Where the browser goes when the session is over; reason is shown there.
function authLost(reason) {
	sessionClear();
	if (!loggingOut) {
		window.location.assign("/login?reason=" + encodeURIComponent(reason));
	}
}

// The answer of a request the logout aborted or kept from being sent: the
// page draws nothing more.
function loggedOut() {
	return { ok: false, status: 0, body: null, authLost: true, error: { code: "logged_out", message: "Signed out." } };
}

async function send(method, path, body, token) {
	const headers = { accept: "application/json" };
	let response, text, parsed;

	// A Blob (a file or a slice of one) is sent as it is.
	const raw = typeof Blob !== "undefined" && body instanceof Blob;
	if (body !== undefined) {
		headers["content-type"] = raw ? "application/octet-stream" : "application/json";
	}
	if (token) {
		headers.authorization = "Bearer " + token;
	}
	try {
		response = await fetch(path, {
			signal: inFlight.signal,
			method,
			headers,
			body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
			credentials: "same-origin",
			cache: "no-store",
		});
		text = await response.text();
	} catch (e) {
		if (loggingOut) {
			return loggedOut();
		}
		return {
			ok: false,
			status: 0,
			body: null,
			error: {
				code: "network_error",
				message: "Vigie cannot be reached. Check your connection and try again.",
			},
		};
	}
	try {
		parsed = text === "" ? null : JSON.parse(text);
	} catch (e) {
		parsed = null;
	}
	const retry = parseInt(response.headers.get("retry-after") || "", 10);
	const result = {
		ok: response.ok,
		status: response.status,
		body: parsed,
		error: null,
		retryAfter: Number.isFinite(retry) ? retry : null,
	};
	if (!response.ok) {
		result.error =
			parsed && parsed.error
				? parsed.error
				: { code: "http_" + response.status, message: "Unexpected answer (HTTP " + response.status + ")." };
	}
	return result;
}

let refreshing = null;

// Spends the refresh token for a new pair; true when the session goes on.
// Concurrent callers share one refresh: the refresh token rotates, and
// spending it twice would revoke the whole session.
function refreshSession() {
	if (refreshing === null) {
		refreshing = (async () => {
			const s = sessionRead();
			if (s === null) {
				return false;
			}
			const r = await send("POST", "/api/v1/auth/refresh", { refresh_token: s.refresh_token });
			if (!r.ok || !r.body || !r.body.access_token) {
				return false;
			}
			sessionSave(r.body);
			return true;
		})().finally(() => {
			refreshing = null;
		});
	}
	return refreshing;
}

// options: body (sent as JSON, or as bytes when a Blob), auth (send the access token), redirect
// (false: on a lost session, answer instead of going to /login).
export async function apiRequest(method, path, options = {}) {
	const { body, auth = false, redirect = true, logout: isLogout = false } = options;

	if (loggingOut && !isLogout) {
		return loggedOut();
	}
	if (!auth) {
		return send(method, path, body, null);
	}
	let session = sessionRead();
	if (session === null) {
		if (redirect) {
			authLost("signed_out");
		}
		return { ok: false, status: 401, body: null, authLost: redirect, error: { code: "no_session", message: "Not signed in." } };
	}
	let r = await send(method, path, body, session.access_token);
	if (r.status === 401 && r.error.code === "token_expired") {
		// Another request may have renewed the session meanwhile.
		const now = sessionRead();
		const renewed = now !== null && now.access_token !== session.access_token;
		if (renewed || (await refreshSession())) {
			session = sessionRead();
			r = await send(method, path, body, session.access_token);
		}
	}
	if (r.status === 401 || (r.status === 403 && r.error.code === "tenant_suspended")) {
		if (redirect) {
			r.authLost = true;
			authLost(r.status === 403 ? "suspended" : "expired");
		}
	}
	return r;
}

// The access token, renewed first when it expires within a minute: for
// requests that cannot go through apiRequest (XMLHttpRequest uploads with
// progress). null when there is no session or it cannot be renewed.
export async function freshToken() {
	const s = sessionRead();
	if (s === null) {
		return null;
	}
	if (s.expires_at && s.expires_at - Date.now() < 60000) {
		if (!(await refreshSession())) {
			return null;
		}
	}
	return sessionRead().access_token;
}

// A plain GET with the access token (an image behind the API): the
// Response, or null when there is no session, the logout has begun, or the
// request failed. No refresh: the caller does without.
export async function fetchWithToken(path) {
	const s = sessionRead();
	if (s === null || loggingOut) {
		return null;
	}
	try {
		return await fetch(path, { headers: { authorization: "Bearer " + s.access_token }, signal: inFlight.signal });
	} catch (e) {
		return null;
	}
}

// Signs in; on success the session is stored.
export async function login(email, password) {
	const r = await send("POST", "/api/v1/auth/login", { email, password }, null);
	if (r.ok) {
		sessionSave(r.body);
	}
	return r;
}

// Ends the session on the server (the access token and the refresh
// token's family are revoked) and forgets it here, whatever the answer.
export async function logout() {
	const s = sessionRead();
	loggingOut = true;
	inFlight.abort();
	inFlight = new AbortController();
	if (s !== null) {
		await apiRequest("POST", "/api/v1/auth/logout", {
			auth: true,
			redirect: false,
			logout: true,
			body: { refresh_token: s.refresh_token },
		});
	}
	sessionClear();
}
