#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/auth.h"
#include "api/usage.h"
#include "common/env.h"
#include "core/digest.h"
#include "core/quota.h"
#include "core/mem.h"
#include "service/account.h"
#include "store/metadb.h"
#include "store/session.h"
#include "store/usage.h"

static bool
auth_fail(struct api_work *w, const char *code, const char *message)
{
	api_work_error(w, HTTP_STATUS_UNAUTHORIZED, code, "%s", message);
	return (false);
}

/* Tenant of the caller must exist and be active. */
static bool
auth_tenant_or_fail(struct api_work *w, const char *tenant_id)
{
	char err[256];
	bool found;

	if (!account_tenant_load(
		tenant_id, &w->who.tenant, &found, err, sizeof(err))) {
		api_work_store_error(w, "authentication", err);
		return (false);
	}
	if (!found)
		return (auth_fail(
		    w, "invalid_token", "the credentials are not valid"));
	if (!w->who.tenant.active) {
		api_work_error(w, HTTP_STATUS_FORBIDDEN, "tenant_suspended",
		    "this organization is suspended");
		return (false);
	}
	return (true);
}

/*
 * The Redis state of the request in one round trip: the cached record of
 * read_purpose (*doc, NULL on a miss), whether flag_purpose exists
 * (*flagged) and, unless the endpoint is not counted, the day's API
 * request counted against the quota (kept in w for api_quota_gate()).
 */
static bool
auth_state_or_fail(struct api_work *w, const char *read_purpose,
    const char *flag_purpose, json_t **doc, bool *flagged)
{
	struct usage_request q;
	char                 day[QUOTA_DAY_LEN], err[256];

	memset(&q, 0, sizeof(q));
	q.read_purpose = read_purpose;
	q.flag_purpose = flag_purpose;
	/* Not twice: the event loop may have counted it (api/fast.c). */
	q.count = api_quota_counts(w) && !w->quota_taken;
	quota_day(w->now, day);
	q.day = day;
	q.user_id = w->who.user_id[0] != '\0' ? w->who.user_id : NULL;
	if (!usage_request_state(&w->who.tenant, &q, err, sizeof(err))) {
		api_work_store_error(w, "authentication", err);
		return (false);
	}
	*flagged = q.flagged;
	*doc = q.value != NULL ? session_cache_parse(q.value, strlen(q.value))
			       : NULL;
	mem_free(q.value);
	if (q.count && !q.flagged &&
	    (q.admit == USAGE_ADMITTED || q.admit == USAGE_REFUSED)) {
		w->quota_state = q.admit == USAGE_ADMITTED ? 1 : 2;
		w->quota_before = q.outcome.before;
		w->quota_after = q.outcome.after;
		w->quota_max = q.outcome.max;
	}
	return (true);
}

/* Authentication failed after the request was counted: take it back. */
static bool
auth_fail_uncount(struct api_work *w, const char *code, const char *message)
{
	char day[QUOTA_DAY_LEN], err[256];

	if (w->quota_state == 1) {
		quota_day(w->now, day);
		(void)usage_api_refund(&w->who.tenant, day, err, sizeof(err));
	}
	w->quota_state = 0;
	if (code == NULL)
		return (false); /* the answer is already set */
	return (auth_fail(w, code, message));
}

/* The scopes of an API key's record. */
static unsigned
auth_key_scopes(const json_t *doc)
{
	const json_t *scope;
	unsigned      scopes, bit;
	const char   *name;
	size_t        i;

	scopes = 0;
	json_array_foreach(json_object_get(doc, "scopes"), i, scope)
	{
		name = json_string_value(scope);
		if (name != NULL && perm_scopes_parse(&name, 1, &bit))
			scopes |= bit;
	}
	return (scopes);
}

/* Role, e-mail and name from a user's record; false without a role. */
static bool
auth_user_record(struct who *who, const json_t *doc)
{
	who->role =
	    perm_role_parse(json_string_value(json_object_get(doc, "role")));
	snprintf(who->email, sizeof(who->email), "%s",
	    json_string_value(json_object_get(doc, "email")));
	snprintf(who->name, sizeof(who->name), "%s",
	    json_string_value(json_object_get(doc, "name")));
	return (who->role != ROLE_NONE);
}

/* Scopes and id from an API key's record; false if it was revoked. */
static bool
auth_key_record(struct who *who, const json_t *doc)
{
	if (json_is_string(json_object_get(doc, "revoked_at")))
		return (false);
	who->scopes = auth_key_scopes(doc);
	snprintf(who->key_id, sizeof(who->key_id), "%s",
	    json_string_value(json_object_get(doc, "id")));
	return (true);
}

/*
 * The user behind a token, from the cached record (doc, taken; NULL on a
 * miss) or MongoDB: still there, role now.
 */
static bool
auth_user_or_fail(struct api_work *w, json_t *doc)
{
	enum metadb_status st;
	char               purpose[40], err[256];
	json_t            *filter;

	snprintf(purpose, sizeof(purpose), "user:%s", w->who.user_id);
	if (doc == NULL) {
		filter = json_pack("{s:s}", "id", w->who.user_id);
		doc = metadb_find_one(
		    &w->who.tenant, "users", filter, &st, err, sizeof(err));
		json_decref(filter);
		if (st == METADB_NOT_FOUND)
			return (auth_fail_uncount(w, "invalid_token",
			    "the credentials are not valid"));
		if (st != METADB_OK) {
			api_work_store_error(w, "authentication", err);
			return (auth_fail_uncount(w, NULL, NULL));
		}
		json_object_del(doc, "password");
		(void)session_cache_fill(
		    &w->who.tenant, purpose, doc, 300, err, sizeof(err));
	}
	if (!auth_user_record(&w->who, doc)) {
		json_decref(doc);
		return (auth_fail_uncount(
		    w, "invalid_token", "the credentials are not valid"));
	}
	json_decref(doc);
	return (true);
}

static bool
auth_bearer(struct api_work *w, const char *token)
{
	struct token_claims c;
	enum token_error    why;
	enum metadb_status  st;
	json_t             *filter, *doc;
	char                err[256], purpose[40], flag[64];
	bool                admin, revoked;

	admin = w->ep->auth == API_AUTH_ADMIN;
	if (!token_verify(account_token_key(admin), token, w->now,
		ACCOUNT_LEEWAY_S, &c, &why))
		return (auth_fail(w,
		    why == TOKEN_EXPIRED ? "token_expired" : "invalid_token",
		    token_error_text(why)));
	snprintf(w->who.user_id, sizeof(w->who.user_id), "%s", c.sub);
	snprintf(w->who.jti, sizeof(w->who.jti), "%s", c.jti);
	w->who.exp = c.exp;
	if (admin) {
		if (!session_admin_jti_revoked(
			c.jti, &revoked, err, sizeof(err))) {
			api_work_store_error(w, "authentication", err);
			return (false);
		}
		if (revoked)
			return (auth_fail(
			    w, "token_revoked", "this token was revoked"));
		filter = json_pack("{s:s}", "id", c.sub);
		doc = metadb_platform_find_one(
		    "platform_admins", filter, &st, err, sizeof(err));
		json_decref(filter);
		if (st == METADB_NOT_FOUND)
			return (auth_fail(w, "invalid_token",
			    "the credentials are not valid"));
		if (st != METADB_OK) {
			api_work_store_error(w, "authentication", err);
			return (false);
		}
		snprintf(w->who.email, sizeof(w->who.email), "%s",
		    json_string_value(json_object_get(doc, "email")));
		json_decref(doc);
		w->who.kind = WHO_ADMIN;
		return (true);
	}
	if (!auth_tenant_or_fail(w, c.tid))
		return (false);
	snprintf(purpose, sizeof(purpose), "user:%s", w->who.user_id);
	session_jti_purpose(c.jti, flag, sizeof(flag));
	if (!auth_state_or_fail(w, purpose, flag, &doc, &revoked))
		return (false);
	if (revoked) {
		json_decref(doc);
		return (
		    auth_fail(w, "token_revoked", "this token was revoked"));
	}
	if (!auth_user_or_fail(w, doc))
		return (false);
	w->who.kind = WHO_USER;
	return (true);
}

/*
 * API keys read "vgk_<tenant id>_<secret>". The tenant part only says
 * where to look; the key is accepted when the SHA-256 of the whole key is
 * one of that tenant's keys and not revoked.
 */
bool
auth_key_tenant(const char *key, char tid[25])
{
	size_t len;

	len = strlen(key);
	if (strncmp(key, "vgk_", 4) != 0 || len < 4 + 24 + 1 + 20 ||
	    len > 200 || key[28] != '_')
		return (false);
	memcpy(tid, key + 4, 24);
	tid[24] = '\0';
	return (tenant_id_check(tid));
}

/* The key in Basic credentials, as log shippers send it (the password). */
bool
auth_basic_key(const char *b64, char *out, size_t outlen)
{
	unsigned char plain[512];
	const char   *colon;

	if (digest_b64_decode(b64, plain, sizeof(plain)) < 0 ||
	    (colon = strchr((const char *)plain, ':')) == NULL)
		return (false);
	return ((size_t)snprintf(out, outlen, "%s", colon + 1) < outlen);
}

static bool
auth_apikey(struct api_work *w, const char *key)
{
	enum metadb_status st;
	char               tid[25], hash[DIGEST_HEX_LEN + 1], purpose[80];
	char               err[256];
	json_t            *doc, *filter;
	bool               failed;

	if (!auth_key_tenant(key, tid))
		return (auth_fail(
		    w, "invalid_api_key", "the API key is not valid"));
	if (!auth_tenant_or_fail(w, tid))
		return (false);
	digest_sha256_hex(key, strlen(key), hash);
	snprintf(purpose, sizeof(purpose), "apikey:%s", hash);
	if (!auth_state_or_fail(w, purpose, NULL, &doc, &failed))
		return (false);
	if (doc == NULL) {
		filter = json_pack("{s:s}", "hash", hash);
		doc = metadb_find_one(
		    &w->who.tenant, "api_keys", filter, &st, err, sizeof(err));
		json_decref(filter);
		if (st == METADB_NOT_FOUND)
			return (auth_fail_uncount(
			    w, "invalid_api_key", "the API key is not valid"));
		if (st != METADB_OK) {
			api_work_store_error(w, "authentication", err);
			return (auth_fail_uncount(w, NULL, NULL));
		}
		(void)session_cache_fill(
		    &w->who.tenant, purpose, doc, 300, err, sizeof(err));
	}
	if (!auth_key_record(&w->who, doc)) {
		json_decref(doc);
		return (auth_fail_uncount(
		    w, "invalid_api_key", "this API key was revoked"));
	}
	json_decref(doc);
	w->who.kind = WHO_APIKEY;
	return (true);
}

/* Basic credentials: the password is a key. */
static bool
auth_basic(struct api_work *w, const char *b64)
{
	char key[512];

	if (!auth_basic_key(b64, key, sizeof(key)))
		return (auth_fail(
		    w, "invalid_api_key", "the API key is not valid"));
	return (auth_apikey(w, key));
}

/*
 * Establishes w->who from the Authorization header. Returns false after
 * setting the error answer (401, 403 for a suspended tenant, 503 when a
 * store is down).
 */
bool
auth_resolve(struct api_work *w)
{
	const char *h;

	h = w->authorization;
	if (*h == '\0')
		return (auth_fail(w, "unauthenticated",
		    "this endpoint needs an Authorization header"));
	if (strncasecmp(h, "Bearer ", 7) == 0)
		return (auth_bearer(w, h + 7));
	if (w->ep->auth == API_AUTH_TOKEN) {
		if (strncasecmp(h, "ApiKey ", 7) == 0)
			return (auth_apikey(w, h + 7));
		if (strncasecmp(h, "Basic ", 6) == 0)
			return (auth_basic(w, h + 6));
	}
	return (auth_fail(w, "unauthenticated",
	    "unsupported Authorization scheme for this endpoint"));
}

/*
 * w->who from records the event loop read for it (api/fast.c): the
 * tenant's and the caller's, with the token's claims for a person. False
 * when they do not establish an allowed caller (the task thread then
 * authenticates as usual and gives the answer).
 */
bool
auth_from_records(struct api_work *w, const struct auth_records *r)
{
	memset(&w->who, 0, sizeof(w->who));
	if (!session_tenant_parse(r->tenant_id, r->tenant, &w->who.tenant) ||
	    !w->who.tenant.active)
		goto refused;
	if (r->user_id != NULL) {
		if (!auth_user_record(&w->who, r->who))
			goto refused;
		snprintf(
		    w->who.user_id, sizeof(w->who.user_id), "%s", r->user_id);
		snprintf(w->who.jti, sizeof(w->who.jti), "%s", r->jti);
		w->who.exp = r->exp;
		w->who.kind = WHO_USER;
	} else {
		if (!auth_key_record(&w->who, r->who))
			goto refused;
		w->who.kind = WHO_APIKEY;
	}
	if (auth_permits(w))
		return (true);
refused:
	memset(&w->who, 0, sizeof(w->who));
	return (false);
}

bool
auth_permits(const struct api_work *w)
{
	return (auth_can(w, w->ep->perm));
}

/* Whether the caller holds perm (an endpoint may need more than one). */
bool
auth_can(const struct api_work *w, enum perm perm)
{
	switch (w->who.kind) {
	case WHO_USER:
		return (perm_role_allows(w->who.role, perm));
	case WHO_APIKEY:
		return (perm_scopes_allow(w->who.scopes, perm));
	case WHO_ADMIN:
		return (w->ep->auth == API_AUTH_ADMIN);
	case WHO_NOBODY:
		break;
	}
	return (false);
}
