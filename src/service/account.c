#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/env.h"
#include "common/log.h"
#include "core/digest.h"
#include "core/mem.h"
#include "core/text.h"
#include "core/password.h"
#include "core/perm.h"
#include "core/token.h"
#include "service/account.h"
#include "service/quotas.h"
#include "store/es.h"
#include "store/metadb.h"
#include "store/session.h"

static const struct settings *account_settings;
static struct token_key       account_user_key;
static struct token_key       account_admin_key;

static void
account_set(
    struct account_outcome *o, enum account_result r, const char *message)
{
	o->result = r;
	snprintf(o->message, sizeof(o->message), "%s", message);
}

void
account_configure(const struct settings *s)
{
	account_settings = s;
	account_user_key.secret = (const unsigned char *)s->jwt_secret;
	account_user_key.len = strlen(s->jwt_secret);
	account_user_key.iss = ACCOUNT_ISSUER;
	account_user_key.aud = ACCOUNT_AUDIENCE_USER;
	account_admin_key = account_user_key;
	account_admin_key.aud = ACCOUNT_AUDIENCE_ADMIN;
}

const struct token_key *
account_token_key(bool admin)
{
	return (admin ? &account_admin_key : &account_user_key);
}

/* Issues an access token; *token is freed with mem_free. */
bool
account_issue_access(bool admin, const char *tenant_id, const char *user_id,
    const char *role, long now, char **token, long *exp)
{
	struct token_claims c;

	memset(&c, 0, sizeof(c));
	snprintf(c.sub, sizeof(c.sub), "%s", user_id);
	snprintf(c.tid, sizeof(c.tid), "%s", tenant_id);
	snprintf(c.role, sizeof(c.role), "%s", role);
	env_random_hex(c.jti, 16);
	c.iat = now;
	c.nbf = now;
	c.exp = now + account_settings->access_ttl_s;
	*exp = c.exp;
	return (token_issue(account_token_key(admin), &c, token));
}

bool
account_hash_password(const char *password, char *out, size_t outlen)
{
	struct password_params p = PASSWORD_PARAMS_DEFAULT;
	unsigned char          salt[PASSWORD_SALT_LEN];

	p.m_kib = (uint32_t)account_settings->password_memory_kib;
	env_random(salt, sizeof(salt));
	return (password_hash(password, salt, &p, out, outlen));
}

/*
 * The tenant as authentication sees it: from Redis, else from MongoDB
 * (then cached). found is false for a tenant that does not exist or is
 * still being created.
 */
bool
account_tenant_load(const char *tenant_id, struct tenant_ctx *ctx, bool *found,
    char *err, size_t errlen)
{
	enum metadb_status st;
	json_t            *doc, *filter;
	const char        *status;
	bool               provisioning;

	if (!session_tenant_read(tenant_id, ctx, found, err, errlen))
		return (false);
	if (*found)
		return (true);
	filter = json_pack("{s:s}", "id", tenant_id);
	doc = metadb_platform_find_one("tenants", filter, &st, err, errlen);
	json_decref(filter);
	if (st == METADB_NOT_FOUND)
		return (true);
	if (st != METADB_OK)
		return (false);
	memset(ctx, 0, sizeof(*ctx));
	snprintf(ctx->id, sizeof(ctx->id), "%s", tenant_id);
	snprintf(ctx->slug, sizeof(ctx->slug), "%s",
	    json_string_value(json_object_get(doc, "slug")));
	snprintf(ctx->plan, sizeof(ctx->plan), "%s",
	    json_string_value(json_object_get(doc, "plan")));
	status = json_string_value(json_object_get(doc, "status"));
	ctx->active = status != NULL && strcmp(status, "active") == 0;
	/* status lives in doc: decide before letting it go. */
	provisioning = status == NULL || strcmp(status, "provisioning") == 0;
	json_decref(doc);
	if (provisioning)
		return (true);
	*found = tenant_ctx_check(ctx);
	if (*found)
		(void)session_tenant_fill(ctx, err, errlen);
	return (true);
}

/* ---- signup ------------------------------------------------------------ */

/* Undoes whatever a failed signup created, in reverse order. */
static void
account_signup_undo(const struct tenant_ctx *ctx, bool users, bool es)
{
	json_t *filter;
	char    err[256];
	long    n;

	if (es && !es_tenant_template_delete(ctx, err, sizeof(err)))
		log_emit(LOG_LEVEL_ERROR, "signup", NULL,
		    json_pack("{s:s, s:s}", "tenant_id", ctx->id, "error", err),
		    "compensation: index template not removed");
	(void)session_tenant_purge(ctx->id, err, sizeof(err));
	if (users) {
		filter = json_object();
		(void)metadb_delete(ctx, "users", filter, &n, err, sizeof(err));
		json_decref(filter);
	}
	filter = json_pack("{s:s}", "id", ctx->id);
	if (metadb_platform_delete("tenants", filter, &n, err, sizeof(err)) !=
	    METADB_OK)
		log_emit(LOG_LEVEL_ERROR, "signup", NULL,
		    json_pack("{s:s, s:s}", "tenant_id", ctx->id, "error", err),
		    "compensation: tenant record not removed");
	json_decref(filter);
}

static bool
account_taken(const char *coll, const char *field, const char *value,
    bool *taken, char *err, size_t errlen)
{
	json_t *filter;
	long    n;

	filter = json_pack("{s:s}", field, value);
	n = metadb_platform_count(coll, filter, err, errlen);
	json_decref(filter);
	*taken = n > 0;
	return (n >= 0);
}

static json_t *
account_signup_body(const struct tenant_ctx *ctx, const char *org_name,
    const char *user_id, const char *email, const char *name)
{
	return (
	    json_pack("{s:{s:s, s:s, s:s, s:s, s:s}, s:{s:s, s:s, s:s, s:s}}",
		"tenant", "id", ctx->id, "slug", ctx->slug, "name", org_name,
		"plan", ctx->plan, "status", "active", "user", "id", user_id,
		"email", email, "name", name, "role", "owner"));
}

/*
 * Creates the organization: tenant record (provisioning), owner, index
 * template, Redis namespace, then marks the tenant active. When a step
 * fails, the steps before it are undone and nothing of the tenant
 * remains. Input must have passed the field checks.
 */
void
account_signup(
    const struct account_signup *in, long now, struct account_outcome *o)
{
	struct quota_limits limits;
	struct tenant_ctx   ctx;
	enum metadb_status  st;
	char                slug[64], email[256], hash[PASSWORD_ENCODED_MAX];
	char                err[512], why[200], when[32], user_id[25];
	json_t             *doc, *filter, *set;
	bool                taken;
	long                n;

	memset(o, 0, sizeof(*o));
	text_lower(in->slug, slug, sizeof(slug));
	text_lower(in->email, email, sizeof(email));
	if (strcmp(slug, in->slug) != 0 ||
	    !tenant_slug_check(slug, why, sizeof(why))) {
		snprintf(o->message, sizeof(o->message), "slug %s",
		    strcmp(slug, in->slug) != 0 ? "must be lower case" : why);
		snprintf(o->field, sizeof(o->field), "slug");
		o->result = ACCOUNT_INVALID;
		return;
	}
	if (!password_policy_check(in->password, email, why, sizeof(why))) {
		snprintf(o->message, sizeof(o->message), "password %s", why);
		snprintf(o->field, sizeof(o->field), "password");
		o->result = ACCOUNT_INVALID;
		return;
	}
	if (!account_taken("tenants", "slug", slug, &taken, err, sizeof(err)))
		goto unavailable;
	if (taken) {
		account_set(
		    o, ACCOUNT_SLUG_TAKEN, "this slug is already taken");
		return;
	}
	if (!account_taken("users", "email", email, &taken, err, sizeof(err)))
		goto unavailable;
	if (taken) {
		account_set(o, ACCOUNT_EMAIL_TAKEN,
		    "an account with this e-mail already exists");
		snprintf(o->field, sizeof(o->field), "email");
		return;
	}
	if (!account_hash_password(in->password, hash, sizeof(hash))) {
		snprintf(err, sizeof(err), "password hashing failed");
		goto unavailable;
	}

	text_iso8601(now, when, sizeof(when));
	memset(&ctx, 0, sizeof(ctx));
	snprintf(ctx.slug, sizeof(ctx.slug), "%s", slug);
	snprintf(ctx.plan, sizeof(ctx.plan), "%s", "free");
	ctx.active = 1;
	doc = json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", in->org_name,
	    "slug", slug, "plan", ctx.plan, "status", "provisioning",
	    "created_at", when);
	st = metadb_platform_insert("tenants", doc, ctx.id, err, sizeof(err));
	json_decref(doc);
	if (st == METADB_DUPLICATE) {
		account_set(
		    o, ACCOUNT_SLUG_TAKEN, "this slug is already taken");
		return;
	}
	if (st != METADB_OK)
		goto unavailable;

	doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "email", email,
	    "name", in->name, "role", "owner", "password", hash, "status",
	    "active", "created_at", when);
	st = metadb_insert(&ctx, "users", doc, user_id, err, sizeof(err));
	json_decref(doc);
	if (st != METADB_OK) {
		account_signup_undo(&ctx, true, false);
		if (st == METADB_DUPLICATE) {
			account_set(o, ACCOUNT_EMAIL_TAKEN,
			    "an account with this e-mail already exists");
			return;
		}
		goto unavailable;
	}
	if (!es_tenant_template_put(&ctx, err, sizeof(err))) {
		account_signup_undo(&ctx, true, true);
		goto unavailable;
	}
	if (!session_tenant_write(&ctx, err, sizeof(err))) {
		account_signup_undo(&ctx, true, true);
		goto unavailable;
	}
	filter = json_pack("{s:s}", "id", ctx.id);
	set = json_pack("{s:s}", "status", "active");
	st = metadb_platform_update(
	    "tenants", filter, set, &n, err, sizeof(err));
	json_decref(filter);
	json_decref(set);
	if (st != METADB_OK || n != 1) {
		account_signup_undo(&ctx, true, true);
		goto unavailable;
	}
	/* Best effort: the quota limits cached now, so that the first
	 * requests of the organization take the gate's fast path. */
	(void)quotas_limits(&ctx, &limits, err, sizeof(err));
	o->result = ACCOUNT_OK;
	o->body =
	    account_signup_body(&ctx, in->org_name, user_id, email, in->name);
	log_emit(LOG_LEVEL_INFO, "signup", NULL,
	    json_pack("{s:s, s:s}", "tenant_id", ctx.id, "slug", ctx.slug),
	    "organization created");
	return;
unavailable:
	log_emit(LOG_LEVEL_ERROR, "signup", NULL,
	    json_pack("{s:s, s:s}", "slug", slug, "error", err),
	    "signup failed, nothing kept");
	account_set(o, ACCOUNT_UNAVAILABLE,
	    "the organization could not be created now; nothing was kept, "
	    "try again shortly");
}

/* ---- tokens ------------------------------------------------------------ */

/*
 * Refresh tokens read "vrt_<tenant id>_<family>_<secret>". Only the
 * SHA-256 of the whole token is stored, under the tenant's prefix.
 */
static bool
account_refresh_new(const struct tenant_ctx *ctx, const char *family,
    char *token, size_t len, char hash[DIGEST_HEX_LEN + 1])
{
	unsigned char raw[32];
	char          secret[48];

	env_random(raw, sizeof(raw));
	if (digest_b64url(raw, sizeof(raw), secret, sizeof(secret)) == 0)
		return (false);
	snprintf(token, len, "vrt_%s_%s_%s", ctx->id, family, secret);
	digest_sha256_hex(token, strlen(token), hash);
	return (true);
}

static bool
account_refresh_parse(const char *token, char tid[25], char family[33])
{
	size_t len;

	len = strlen(token);
	if (len < 4 + 24 + 1 + 32 + 1 + 40 || len > 120 ||
	    strncmp(token, "vrt_", 4) != 0 || token[28] != '_' ||
	    token[61] != '_')
		return (false);
	memcpy(tid, token + 4, 24);
	tid[24] = '\0';
	memcpy(family, token + 29, 32);
	family[32] = '\0';
	return (
	    tenant_id_check(tid) && strspn(family, "0123456789abcdef") == 32);
}

/* The answer of a login or refresh: a new access token, refresh, who. */
static bool
account_tokens_body(const struct tenant_ctx *ctx, const json_t *user,
    const char *refresh, long now, struct account_outcome *o)
{
	char *access;
	long  exp;

	if (!account_issue_access(false, ctx->id,
		json_string_value(json_object_get(user, "id")),
		json_string_value(json_object_get(user, "role")), now, &access,
		&exp))
		return (false);
	json_decref(o->body);
	o->body = json_pack("{s:s, s:s, s:I, s:s, s:{s:O, s:O, s:O, s:O}, "
			    "s:{s:s, s:s, s:s}}",
	    "access_token", access, "token_type", "Bearer", "expires_in",
	    (json_int_t)(exp - now), "refresh_token", refresh, "user", "id",
	    json_object_get(user, "id"), "email",
	    json_object_get(user, "email"), "name",
	    json_object_get(user, "name"), "role",
	    json_object_get(user, "role"), "tenant", "id", ctx->id, "slug",
	    ctx->slug, "plan", ctx->plan);
	mem_free(access);
	return (o->body != NULL);
}

/* Both limits count every attempt, good or bad. */
static bool
account_login_limited(const char *purpose_ip, const struct tenant_ctx *ctx,
    const char *purpose_user, struct account_outcome *o)
{
	char err[256];
	long retry;
	int  r;

	if (ctx == NULL)
		r = session_limit_platform(purpose_ip, 60000,
		    account_settings->login_ip_limit, &retry, err, sizeof(err));
	else
		r = session_limit_tenant(ctx, purpose_user, 60000,
		    account_settings->login_limit, &retry, err, sizeof(err));
	if (r == 1)
		return (false);
	if (r == 0) {
		o->retry_ms = retry;
		account_set(o, ACCOUNT_RATE_LIMITED,
		    "too many login attempts; try again later");
	} else {
		account_set(o, ACCOUNT_UNAVAILABLE,
		    "login is unavailable now, try again shortly");
	}
	return (true);
}

/* A hash to verify against when the account does not exist, so that an
 * unknown e-mail costs the same time as a wrong password. */
static const char *
account_dummy_hash(void)
{
	static __thread char dummy[PASSWORD_ENCODED_MAX];

	if (dummy[0] == '\0')
		(void)account_hash_password(
		    "not-a-real-password-at-all", dummy, sizeof(dummy));
	return (dummy);
}

void
account_login(const char *email_in, const char *password, const char *client_ip,
    long now, struct account_outcome *o)
{
	struct tenant_ctx  ctx;
	enum metadb_status st;
	char               email[256], purpose[128], err[256], family[33];
	char               refresh[160], hash[DIGEST_HEX_LEN + 1], record[64];
	json_t            *filter, *user;
	const char        *stored, *tid;
	bool               found;

	memset(o, 0, sizeof(*o));
	text_lower(email_in, email, sizeof(email));
	snprintf(purpose, sizeof(purpose), "login:ip:%s", client_ip);
	if (account_login_limited(purpose, NULL, NULL, o))
		return;
	filter = json_pack("{s:s}", "email", email);
	user = metadb_platform_find_one("users", filter, &st, err, sizeof(err));
	json_decref(filter);
	if (st == METADB_NOT_FOUND) {
		(void)password_verify(password, account_dummy_hash());
		account_set(o, ACCOUNT_BAD_LOGIN, "wrong e-mail or password");
		return;
	}
	if (st != METADB_OK) {
		account_set(o, ACCOUNT_UNAVAILABLE,
		    "login is unavailable now, try again shortly");
		return;
	}
	tid = json_string_value(json_object_get(user, "tenant_id"));
	if (tid == NULL ||
	    !account_tenant_load(tid, &ctx, &found, err, sizeof(err)) ||
	    !found) {
		json_decref(user);
		account_set(o, ACCOUNT_UNAVAILABLE,
		    "login is unavailable now, try again shortly");
		return;
	}
	snprintf(purpose, sizeof(purpose), "login:%s",
	    json_string_value(json_object_get(user, "id")));
	if (account_login_limited(NULL, &ctx, purpose, o)) {
		json_decref(user);
		return;
	}
	stored = json_string_value(json_object_get(user, "password"));
	if (stored == NULL || !password_verify(password, stored)) {
		json_decref(user);
		account_set(o, ACCOUNT_BAD_LOGIN, "wrong e-mail or password");
		return;
	}
	if (!ctx.active) {
		json_decref(user);
		account_set(
		    o, ACCOUNT_SUSPENDED, "this organization is suspended");
		return;
	}
	env_random_hex(family, 16);
	snprintf(record, sizeof(record), "{\"uid\":\"%s\"}",
	    json_string_value(json_object_get(user, "id")));
	if (!account_refresh_new(
		&ctx, family, refresh, sizeof(refresh), hash) ||
	    !session_refresh_start(&ctx, hash, family, record,
		account_settings->refresh_ttl_s, err, sizeof(err)) ||
	    !account_tokens_body(&ctx, user, refresh, now, o)) {
		json_decref(user);
		account_set(o, ACCOUNT_UNAVAILABLE,
		    "login is unavailable now, try again shortly");
		return;
	}
	json_decref(user);
	o->result = ACCOUNT_OK;
}

/*
 * Spends a refresh token for a new pair. The rotation is one atomic step
 * in Redis; a token spent twice revokes its whole family.
 */
void
account_refresh(const char *token, long now, struct account_outcome *o)
{
	struct tenant_ctx    ctx;
	enum session_refresh res;
	enum metadb_status   st;
	char                 tid[25], family[33], err[256], refresh[160];
	char    old_hash[DIGEST_HEX_LEN + 1], hash[DIGEST_HEX_LEN + 1];
	json_t *filter, *user, *rec;
	char   *old_record;
	bool    found;

	memset(o, 0, sizeof(*o));
	if (!account_refresh_parse(token, tid, family)) {
		account_set(
		    o, ACCOUNT_BAD_REFRESH, "the refresh token is not valid");
		return;
	}
	if (!account_tenant_load(tid, &ctx, &found, err, sizeof(err))) {
		account_set(o, ACCOUNT_UNAVAILABLE, "try again shortly");
		return;
	}
	if (!found) {
		account_set(
		    o, ACCOUNT_BAD_REFRESH, "the refresh token is not valid");
		return;
	}
	if (!ctx.active) {
		account_set(
		    o, ACCOUNT_SUSPENDED, "this organization is suspended");
		return;
	}
	digest_sha256_hex(token, strlen(token), old_hash);
	if (!account_refresh_new(
		&ctx, family, refresh, sizeof(refresh), hash)) {
		account_set(o, ACCOUNT_UNAVAILABLE, "try again shortly");
		return;
	}
	res = session_refresh_rotate(&ctx, old_hash, family, hash,
	    account_settings->refresh_ttl_s, &old_record, err, sizeof(err));
	switch (res) {
	case SESSION_ROTATED:
		break;
	case SESSION_REUSED:
		account_set(o, ACCOUNT_REUSED,
		    "this refresh token was already used; every session of its "
		    "family is now revoked");
		return;
	case SESSION_FAILED:
		account_set(o, ACCOUNT_UNAVAILABLE, "try again shortly");
		return;
	default:
		account_set(
		    o, ACCOUNT_BAD_REFRESH, "the refresh token is not valid");
		return;
	}
	rec = json_loads(old_record, 0, NULL);
	mem_free(old_record);
	filter = json_pack("{s:O?}", "id", json_object_get(rec, "uid"));
	json_decref(rec);
	user = metadb_find_one(&ctx, "users", filter, &st, err, sizeof(err));
	json_decref(filter);
	if (st != METADB_OK) {
		(void)session_family_revoke(&ctx, family, err, sizeof(err));
		account_set(o,
		    st == METADB_NOT_FOUND ? ACCOUNT_BAD_REFRESH
					   : ACCOUNT_UNAVAILABLE,
		    "the refresh token is not valid");
		return;
	}
	if (!account_tokens_body(&ctx, user, refresh, now, o)) {
		json_decref(user);
		account_set(o, ACCOUNT_UNAVAILABLE, "try again shortly");
		return;
	}
	json_decref(user);
	o->result = ACCOUNT_OK;
}

/* Revokes the access token and, if given, the refresh token's family. */
void
account_logout(const struct tenant_ctx *ctx, const char *jti, long exp,
    const char *refresh_token, long now, struct account_outcome *o)
{
	char tid[25], family[33], err[256];

	memset(o, 0, sizeof(*o));
	if (!session_jti_revoke(
		ctx, jti, exp - now + ACCOUNT_LEEWAY_S, err, sizeof(err))) {
		account_set(o, ACCOUNT_UNAVAILABLE, "try again shortly");
		return;
	}
	if (refresh_token != NULL &&
	    account_refresh_parse(refresh_token, tid, family) &&
	    strcmp(tid, ctx->id) == 0)
		(void)session_family_revoke(ctx, family, err, sizeof(err));
	o->result = ACCOUNT_OK;
}

/* ---- platform administrators ------------------------------------------- */

void
account_admin_login(const char *email_in, const char *password,
    const char *client_ip, long now, struct account_outcome *o)
{
	enum metadb_status st;
	char               email[256], purpose[128], err[256];
	json_t            *filter, *admin;
	const char        *stored;
	char              *access;
	long               exp;

	memset(o, 0, sizeof(*o));
	text_lower(email_in, email, sizeof(email));
	snprintf(purpose, sizeof(purpose), "admin-login:ip:%s", client_ip);
	if (account_login_limited(purpose, NULL, NULL, o))
		return;
	filter = json_pack("{s:s}", "email", email);
	admin = metadb_platform_find_one(
	    "platform_admins", filter, &st, err, sizeof(err));
	json_decref(filter);
	if (st == METADB_NOT_FOUND) {
		(void)password_verify(password, account_dummy_hash());
		account_set(o, ACCOUNT_BAD_LOGIN, "wrong e-mail or password");
		return;
	}
	if (st != METADB_OK) {
		account_set(o, ACCOUNT_UNAVAILABLE, "try again shortly");
		return;
	}
	stored = json_string_value(json_object_get(admin, "password"));
	if (stored == NULL || !password_verify(password, stored)) {
		json_decref(admin);
		account_set(o, ACCOUNT_BAD_LOGIN, "wrong e-mail or password");
		return;
	}
	/* An administrator's token names the administrator as subject and
	 * tenant; its audience keeps it away from every tenant endpoint. */
	if (!account_issue_access(true,
		json_string_value(json_object_get(admin, "id")),
		json_string_value(json_object_get(admin, "id")), "admin", now,
		&access, &exp)) {
		json_decref(admin);
		account_set(o, ACCOUNT_UNAVAILABLE, "try again shortly");
		return;
	}
	o->body =
	    json_pack("{s:s, s:s, s:I, s:{s:O, s:O}}", "access_token", access,
		"token_type", "Bearer", "expires_in", (json_int_t)(exp - now),
		"admin", "id", json_object_get(admin, "id"), "email",
		json_object_get(admin, "email"));
	mem_free(access);
	json_decref(admin);
	o->result = ACCOUNT_OK;
}

/*
 * Creates the platform administrator named by VIGIE_ADMIN_EMAIL, or sets
 * its password when it changed. Does nothing when the variable is empty.
 */
bool
account_admin_bootstrap(char *err, size_t errlen)
{
	enum metadb_status st;
	char               email[256], hash[PASSWORD_ENCODED_MAX], why[200];
	json_t            *filter, *admin, *doc;
	const char        *stored;
	long               n;
	bool               ok;

	if (account_settings->admin_email[0] == '\0')
		return (true);
	text_lower(account_settings->admin_email, email, sizeof(email));
	if (!password_policy_check(
		account_settings->admin_password, email, why, sizeof(why))) {
		snprintf(err, errlen, "VIGIE_ADMIN_PASSWORD %s", why);
		return (false);
	}
	filter = json_pack("{s:s}", "email", email);
	admin = metadb_platform_find_one(
	    "platform_admins", filter, &st, err, errlen);
	if (st == METADB_OK) {
		stored = json_string_value(json_object_get(admin, "password"));
		ok = stored != NULL &&
		    password_verify(account_settings->admin_password, stored);
		json_decref(admin);
		if (ok) {
			json_decref(filter);
			return (true);
		}
	} else if (st != METADB_NOT_FOUND) {
		json_decref(filter);
		return (false);
	}
	if (!account_hash_password(
		account_settings->admin_password, hash, sizeof(hash))) {
		json_decref(filter);
		snprintf(err, errlen, "password hashing failed");
		return (false);
	}
	if (st == METADB_OK) {
		doc = json_pack("{s:s}", "password", hash);
		st = metadb_platform_update(
		    "platform_admins", filter, doc, &n, err, errlen);
	} else {
		doc = json_pack("{s:s, s:s}", "email", email, "password", hash);
		st = metadb_platform_insert(
		    "platform_admins", doc, NULL, err, errlen);
	}
	json_decref(doc);
	json_decref(filter);
	return (st == METADB_OK || st == METADB_DUPLICATE);
}
