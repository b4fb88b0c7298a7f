#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/env.h"
#include "common/log.h"
#include "core/digest.h"
#include "core/mem.h"
#include "core/text.h"
#include "core/password.h"
#include "service/account.h"
#include "service/members.h"
#include "service/quotas.h"
#include "store/metadb.h"
#include "store/session.h"

#define MEMBERS_KEY_SECRET_BYTES 32
#define MEMBERS_KEY_PREFIX_LEN   12

/* ---- plans ------------------------------------------------------------- */

static pthread_once_t members_plans_once = PTHREAD_ONCE_INIT;
static struct plans   members_plans_table;
static bool           members_plans_loaded;

/*
 * Reads and parses tenants/plans.json, relative to the working directory
 * (the server and the worker start from the repository root or from a
 * folder that links it). Runs once per process; a failure is logged and
 * stays: the plans are then unavailable until the process restarts.
 */
static void
members_plans_load(void)
{
	char  *text, err[256];
	size_t len, n;
	FILE  *fp;

	if ((fp = fopen(MEMBERS_PLANS_PATH, "rb")) == NULL) {
		log_emit(LOG_LEVEL_ERROR, "plans", NULL,
		    json_pack("{s:s}", "path", MEMBERS_PLANS_PATH),
		    "the plans file cannot be opened");
		return;
	}
	text = mem_alloc(PLANS_TEXT_MAX + 1);
	len = 0;
	while (len <= PLANS_TEXT_MAX &&
	    (n = fread(text + len, 1, PLANS_TEXT_MAX + 1 - len, fp)) > 0)
		len += n;
	if (ferror(fp)) {
		snprintf(err, sizeof(err), "the plans file cannot be read");
		members_plans_loaded = false;
	} else {
		members_plans_loaded = plans_parse(
		    text, len, &members_plans_table, err, sizeof(err));
	}
	fclose(fp);
	mem_free(text);
	if (!members_plans_loaded)
		log_emit(LOG_LEVEL_ERROR, "plans", NULL,
		    json_pack(
			"{s:s, s:s}", "path", MEMBERS_PLANS_PATH, "error", err),
		    "the plans file is refused");
	else
		log_emit(LOG_LEVEL_INFO, "plans", NULL,
		    json_pack("{s:s, s:i}", "path", MEMBERS_PLANS_PATH, "plans",
			(int)members_plans_table.count),
		    "plans loaded");
}

/* The plans of this process, loaded on first use; NULL if unusable. */
const struct plans *
members_plans(void)
{
	(void)pthread_once(&members_plans_once, members_plans_load);
	return (members_plans_loaded ? &members_plans_table : NULL);
}

/*
 * The plan a tenant is on. A plan name that plans.json no longer defines
 * falls back to the default plan (logged). NULL when the plans could not
 * be loaded.
 */
const struct plan *
members_plan_of(const struct tenant_ctx *ctx)
{
	const struct plans *plans;
	const struct plan  *p;

	if ((plans = members_plans()) == NULL)
		return (NULL);
	if ((p = plans_find(plans, ctx->plan)) != NULL)
		return (p);
	log_emit(LOG_LEVEL_WARNING, "plans", NULL,
	    json_pack("{s:s, s:s, s:s}", "tenant_id", ctx->id, "plan",
		ctx->plan, "fallback", plans->default_plan),
	    "tenant on an unknown plan: the default plan applies");
	return (plans_default(plans));
}

/* ---- helpers ----------------------------------------------------------- */

static void members_set(struct members_outcome *, enum members_result,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
members_set(
    struct members_outcome *o, enum members_result r, const char *fmt, ...)
{
	va_list ap;

	o->result = r;
	va_start(ap, fmt);
	(void)vsnprintf(o->message, sizeof(o->message), fmt, ap);
	va_end(ap);
}

/* A store failed: log it (with what was being done), answer unavailable. */
static void
members_unavailable(struct members_outcome *o, const struct tenant_ctx *ctx,
    const char *what, const char *err)
{
	log_emit(LOG_LEVEL_ERROR, "members", NULL,
	    json_pack("{s:s, s:s, s:s}", "tenant_id", ctx->id, "what", what,
		"error", err),
	    "store failure: %s", what);
	json_decref(o->body);
	o->body = NULL;
	json_decref(o->audit);
	o->audit = NULL;
	members_set(o, MEMBERS_UNAVAILABLE,
	    "this cannot be done now; nothing was changed, try again shortly");
}

static void
members_begin(struct members_outcome *o)
{
	memset(o, 0, sizeof(*o));
}

void
members_outcome_clear(struct members_outcome *o)
{
	json_decref(o->body);
	json_decref(o->details);
	json_decref(o->audit);
	o->body = o->details = o->audit = NULL;
}

/* Ids are MongoDB ObjectIds: 24 lower-case hex digits, nothing else. */
bool
members_id_check(const char *id)
{
	return (id != NULL && strlen(id) == 24 &&
	    strspn(id, "0123456789abcdef") == 24);
}

/*
 * Drops a cached document so that authentication reads MongoDB again on
 * the next request. Tried twice; a failure is logged as an error, since
 * the old state then lives until the cache entry expires (5 minutes).
 */
static void
members_forget(const struct tenant_ctx *ctx, const char *purpose)
{
	char err[256];

	if (session_cache_forget(ctx, purpose, err, sizeof(err)) ||
	    session_cache_forget(ctx, purpose, err, sizeof(err)))
		return;
	log_emit(LOG_LEVEL_ERROR, "members", NULL,
	    json_pack("{s:s, s:s, s:s}", "tenant_id", ctx->id, "key", purpose,
		"error", err),
	    "cache entry not forgotten: the change applies when it expires");
}

static void
members_forget_user(const struct tenant_ctx *ctx, const char *user_id)
{
	char purpose[40];

	snprintf(purpose, sizeof(purpose), "user:%s", user_id);
	members_forget(ctx, purpose);
}

/* What anyone may see of a user: never the password hash. */
static json_t *
members_user_public(const json_t *doc)
{
	return (json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?}", "id",
	    json_object_get(doc, "id"), "email", json_object_get(doc, "email"),
	    "name", json_object_get(doc, "name"), "role",
	    json_object_get(doc, "role"), "status",
	    json_object_get(doc, "status"), "created_at",
	    json_object_get(doc, "created_at")));
}

/* What an administrator may see of a key: never its hash or secret. */
static json_t *
members_key_public(const json_t *doc)
{
	return (json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?}", "id",
	    json_object_get(doc, "id"), "name", json_object_get(doc, "name"),
	    "prefix", json_object_get(doc, "prefix"), "scopes",
	    json_object_get(doc, "scopes"), "created_at",
	    json_object_get(doc, "created_at"), "revoked_at",
	    json_object_get(doc, "revoked_at"), "created_by",
	    json_object_get(doc, "created_by")));
}

/* One document of the tenant by id; sets NOT_FOUND or UNAVAILABLE. */
static json_t *
members_fetch(const struct tenant_ctx *ctx, const char *coll, const char *id,
    const char *what, struct members_outcome *o)
{
	enum metadb_status st;
	json_t            *filter, *doc;
	char               err[256];

	if (!members_id_check(id)) {
		members_set(o, MEMBERS_NOT_FOUND, "no such %s", what);
		return (NULL);
	}
	filter = json_pack("{s:s}", "id", id);
	doc = metadb_find_one(ctx, coll, filter, &st, err, sizeof(err));
	json_decref(filter);
	if (st == METADB_NOT_FOUND) {
		members_set(o, MEMBERS_NOT_FOUND, "no such %s", what);
		return (NULL);
	}
	if (st != METADB_OK) {
		members_unavailable(o, ctx, coll, err);
		return (NULL);
	}
	return (doc);
}

/* Owners that count: role owner and not being removed. -1 on error. */
static long
members_owners(const struct tenant_ctx *ctx, char *err, size_t errlen)
{
	json_t *filter;
	long    n;

	filter = json_pack("{s:s, s:s}", "role", "owner", "status", "active");
	n = metadb_count(ctx, "users", filter, err, errlen);
	json_decref(filter);
	return (n);
}

/* Sets fields of one document by id; matched says whether it was there. */
static enum metadb_status
members_set_fields(const struct tenant_ctx *ctx, const char *coll,
    const char *id, const json_t *set, long *matched, char *err, size_t errlen)
{
	enum metadb_status st;
	json_t            *filter;

	filter = json_pack("{s:s}", "id", id);
	st = metadb_update(ctx, coll, filter, set, matched, err, errlen);
	json_decref(filter);
	return (st);
}

/* ---- users ------------------------------------------------------------- */

/*
 * Lists a tenant collection in creation order (order 1 oldest first, -1
 * newest first), each document through public (which drops secrets),
 * as {key: [...]}.
 */
static void
members_list(const struct tenant_ctx *ctx, const char *coll, int order,
    json_t *(*public)(const json_t *), const char *key,
    struct members_outcome *o)
{
	enum metadb_status st;
	json_t            *all, *list, *sort, *doc;
	char               err[256];
	size_t             i;

	members_begin(o);
	sort = json_pack("{s:i}", "created_at", order);
	all = metadb_find(ctx, coll, NULL, sort, 0, 0, &st, err, sizeof(err));
	json_decref(sort);
	if (st != METADB_OK) {
		json_decref(all);
		members_unavailable(o, ctx, coll, err);
		return;
	}
	list = json_array();
	json_array_foreach(all, i, doc)
	    json_array_append_new(list, public(doc));
	json_decref(all);
	o->body = json_pack("{s:o}", key, list);
	o->result = MEMBERS_OK;
}

void
members_user_list(const struct tenant_ctx *ctx, struct members_outcome *o)
{
	members_list(ctx, "users", 1, members_user_public, "users", o);
}

void
members_user_get(
    const struct tenant_ctx *ctx, const char *id, struct members_outcome *o)
{
	json_t *doc;

	members_begin(o);
	if ((doc = members_fetch(ctx, "users", id, "user", o)) == NULL)
		return;
	o->body = members_user_public(doc);
	json_decref(doc);
	o->result = MEMBERS_OK;
}

static void
members_quota(struct members_outcome *o, const struct usage_outcome *u)
{
	members_set(o, MEMBERS_QUOTA,
	    "quota exceeded: the plan allows %ld users and the organization "
	    "has %ld",
	    u->max, u->after);
	o->details =
	    json_pack("{s:s, s:I, s:I, s:n}", "limit", "users", "usage",
		(json_int_t)u->after, "max", (json_int_t)u->max, "resets_at");
}

/* Users of the tenant now, against its limit (plan and overrides). */
static bool
members_quota_allows(
    const struct tenant_ctx *ctx, long now, struct members_outcome *o)
{
	struct usage_outcome u;
	char                 err[256];
	long                 usage;

	if ((usage = metadb_count(ctx, "users", NULL, err, sizeof(err))) < 0) {
		members_unavailable(o, ctx, "users", err);
		return (false);
	}
	switch (quotas_users_check(ctx, usage, now, &u, err, sizeof(err))) {
	case QUOTAS_OK:
		return (true);
	case QUOTAS_EXCEEDED:
		members_quota(o, &u);
		return (false);
	case QUOTAS_UNAVAILABLE:
		break;
	}
	members_unavailable(o, ctx, "quotas", err);
	return (false);
}

/*
 * Checks what only the service can check (role, password policy, quota,
 * e-mail free), then stores the user. Returns the stored document (the
 * caller owns it) with its id, or NULL with o set.
 */
static json_t *
members_user_insert(const struct members_actor *a, const char *email,
    const struct members_user_new *in, struct members_outcome *o)
{
	enum metadb_status st;
	enum role          role;
	json_t            *filter, *doc;
	char               err[256], why[200], when[32], id[25];
	char               hash[PASSWORD_ENCODED_MAX];
	long               n;

	role = perm_role_parse(in->role);
	if (role == ROLE_NONE) {
		members_set(o, MEMBERS_INVALID,
		    "role must be viewer, analyst, admin or owner");
		return (NULL);
	}
	if (role == ROLE_OWNER && a->role != ROLE_OWNER) {
		members_set(o, MEMBERS_FORBIDDEN,
		    "only an owner may make someone an owner");
		return (NULL);
	}
	if (!password_policy_check(in->password, email, why, sizeof(why))) {
		members_set(o, MEMBERS_INVALID, "password %s", why);
		return (NULL);
	}
	if (!members_quota_allows(a->tenant, a->now, o))
		return (NULL);
	filter = json_pack("{s:s}", "email", email);
	n = metadb_platform_count("users", filter, err, sizeof(err));
	json_decref(filter);
	if (n < 0) {
		members_unavailable(o, a->tenant, "users", err);
		return (NULL);
	}
	if (n > 0) {
		members_set(o, MEMBERS_EMAIL_TAKEN,
		    "an account with this e-mail already exists");
		return (NULL);
	}
	if (!account_hash_password(in->password, hash, sizeof(hash))) {
		members_unavailable(o, a->tenant, "password", "hashing failed");
		return (NULL);
	}
	text_iso8601(a->now, when, sizeof(when));
	doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "email", email,
	    "name", in->name, "role", perm_role_name(role), "password", hash,
	    "status", "active", "created_at", when, "created_by", a->user_id);
	explicit_bzero(hash, sizeof(hash));
	st = metadb_insert(a->tenant, "users", doc, id, err, sizeof(err));
	json_object_del(doc, "password");
	if (st == METADB_DUPLICATE) {
		json_decref(doc);
		members_set(o, MEMBERS_EMAIL_TAKEN,
		    "an account with this e-mail already exists");
		return (NULL);
	}
	if (st != METADB_OK) {
		json_decref(doc);
		members_unavailable(o, a->tenant, "users", err);
		return (NULL);
	}
	json_object_set_new(doc, "id", json_string(id));
	return (doc);
}

/*
 * Adds a user to the actor's organization. Refuses: a bad role or
 * password (INVALID), an owner made by a non-owner (FORBIDDEN), the
 * user limit reached (QUOTA, details {limit, usage, max, resets_at}),
 * an e-mail used anywhere on the platform (EMAIL_TAKEN).
 *
 * The quota is count-then-insert (no transactions on FerretDB/MongoDB
 * without a replica set): two concurrent creations could both pass the
 * count. The count is taken again after the insert and the new user
 * removed if the organization went over its limit, so the limit holds;
 * in the worst case both racing creations are refused.
 */
void
members_user_create(const struct members_actor *a,
    const struct members_user_new *in, struct members_outcome *o)
{
	struct quota_limits  limits;
	struct usage_outcome u;
	json_t              *doc, *filter;
	char                 email[256], err[256];
	long                 usage, limit, n;

	members_begin(o);
	text_lower(in->email, email, sizeof(email));
	if ((doc = members_user_insert(a, email, in, o)) == NULL)
		return;
	limit = quotas_limits(a->tenant, &limits, err, sizeof(err))
	    ? limits.max[QUOTA_USERS]
	    : 0;
	usage = metadb_count(a->tenant, "users", NULL, err, sizeof(err));
	if (limit > 0 && usage > limit) {
		filter = json_pack("{s:O}", "id", json_object_get(doc, "id"));
		if (metadb_delete(a->tenant, "users", filter, &n, err,
			sizeof(err)) != METADB_OK)
			log_emit(LOG_LEVEL_ERROR, "members", NULL,
			    json_pack("{s:s, s:O, s:s}", "tenant_id",
				a->tenant->id, "user_id",
				json_object_get(doc, "id"), "error", err),
			    "user over quota not removed");
		json_decref(filter);
		json_decref(doc);
		memset(&u, 0, sizeof(u));
		u.limit = QUOTA_USERS;
		u.before = u.after = usage - 1;
		u.max = limit;
		members_quota(o, &u);
		return;
	}
	o->body = members_user_public(doc);
	o->audit = json_pack("{s:O, s:O, s:O}", "user_id",
	    json_object_get(doc, "id"), "email", json_object_get(doc, "email"),
	    "role", json_object_get(doc, "role"));
	json_decref(doc);
	o->result = MEMBERS_OK;
}

/*
 * After a write that may have removed the last owner: when no owner is
 * left, puts undo back and answers LAST_OWNER. Returns true when the
 * write stands. A failed count is logged and the write kept (the store
 * is then likely down for the undo too).
 */
static bool
members_owner_recheck(const struct members_actor *a, const char *id,
    const json_t *undo, struct members_outcome *o)
{
	char err[256];
	long n;

	n = members_owners(a->tenant, err, sizeof(err));
	if (n < 0) {
		log_emit(LOG_LEVEL_ERROR, "members", NULL,
		    json_pack("{s:s, s:s, s:s}", "tenant_id", a->tenant->id,
			"user_id", id, "error", err),
		    "owners not re-counted after a change");
		return (true);
	}
	if (n > 0)
		return (true);
	if (members_set_fields(a->tenant, "users", id, undo, &n, err,
		sizeof(err)) != METADB_OK)
		log_emit(LOG_LEVEL_ERROR, "members", NULL,
		    json_pack("{s:s, s:s, s:s}", "tenant_id", a->tenant->id,
			"user_id", id, "error", err),
		    "last owner change not undone");
	members_forget_user(a->tenant, id);
	members_set(o, MEMBERS_LAST_OWNER,
	    "the organization must keep at least one owner");
	return (false);
}

/*
 * Changes a user's name and/or role. Only an owner may make an owner or
 * change an owner; the last owner cannot be demoted (LAST_OWNER). The
 * check is count-then-write, re-checked after the write and undone if no
 * owner is left: two owners demoting each other at once are both
 * refused rather than both accepted. The user's cached record is
 * forgotten, so a new role applies to their next request.
 */
void
members_user_update(const struct members_actor *a, const char *id,
    const char *name, const char *role_name, struct members_outcome *o)
{
	enum role old_role, new_role;
	json_t   *target, *set, *undo;
	char      err[256];
	long      n;
	bool      demote;

	members_begin(o);
	new_role = role_name != NULL ? perm_role_parse(role_name) : ROLE_NONE;
	if (role_name != NULL && new_role == ROLE_NONE) {
		members_set(o, MEMBERS_INVALID,
		    "role must be viewer, analyst, admin or owner");
		return;
	}
	if ((target = members_fetch(a->tenant, "users", id, "user", o)) == NULL)
		return;
	undo = set = NULL;
	old_role =
	    perm_role_parse(json_string_value(json_object_get(target, "role")));
	if (role_name == NULL)
		new_role = old_role;
	if ((old_role == ROLE_OWNER || new_role == ROLE_OWNER) &&
	    a->role != ROLE_OWNER) {
		members_set(
		    o, MEMBERS_FORBIDDEN, "only an owner may change an owner");
		goto out;
	}
	demote = old_role == ROLE_OWNER && new_role != ROLE_OWNER;
	if (demote) {
		if ((n = members_owners(a->tenant, err, sizeof(err))) < 0) {
			members_unavailable(o, a->tenant, "users", err);
			goto out;
		}
		if (n <= 1) {
			members_set(o, MEMBERS_LAST_OWNER,
			    "the organization must keep at least one owner");
			goto out;
		}
	}
	set = json_object();
	undo = json_object();
	if (name != NULL) {
		json_object_set_new(set, "name", json_string(name));
		json_object_set(undo, "name", json_object_get(target, "name"));
	}
	if (role_name != NULL) {
		json_object_set_new(
		    set, "role", json_string(perm_role_name(new_role)));
		json_object_set(undo, "role", json_object_get(target, "role"));
	}
	if (members_set_fields(a->tenant, "users", id, set, &n, err,
		sizeof(err)) != METADB_OK) {
		members_unavailable(o, a->tenant, "users", err);
		goto out;
	}
	if (n == 0) {
		members_set(o, MEMBERS_NOT_FOUND, "no such user");
		goto out;
	}
	if (demote && !members_owner_recheck(a, id, undo, o))
		goto out;
	members_forget_user(a->tenant, id);
	o->audit = json_pack("{s:s, s:{s:O?, s:O?}, s:O}", "user_id", id,
	    "before", "name", json_object_get(target, "name"), "role",
	    json_object_get(target, "role"), "after", set);
	json_object_update(target, set);
	o->body = members_user_public(target);
	o->result = MEMBERS_OK;
out:
	json_decref(undo);
	json_decref(set);
	json_decref(target);
}

/*
 * Removes a user. Only an owner may remove an owner, and never the last
 * one (which covers an owner removing themselves). An owner is first
 * marked "removing", which takes them out of the owner count; the count
 * is then re-checked and the mark undone if no owner is left, so two
 * owners removing each other at once cannot leave the organization
 * without one. The user's cached record is forgotten: their tokens are
 * refused from the next request on, and their refresh tokens on use.
 */
void
members_user_remove(
    const struct members_actor *a, const char *id, struct members_outcome *o)
{
	json_t *target, *filter, *mark, *undo;
	char    err[256];
	long    n;

	members_begin(o);
	if ((target = members_fetch(a->tenant, "users", id, "user", o)) == NULL)
		return;
	mark = undo = NULL;
	if (perm_role_parse(json_string_value(
		json_object_get(target, "role"))) == ROLE_OWNER) {
		if (a->role != ROLE_OWNER) {
			members_set(o, MEMBERS_FORBIDDEN,
			    "only an owner may remove an owner");
			goto out;
		}
		if ((n = members_owners(a->tenant, err, sizeof(err))) < 0) {
			members_unavailable(o, a->tenant, "users", err);
			goto out;
		}
		if (n <= 1) {
			members_set(o, MEMBERS_LAST_OWNER,
			    "the organization must keep at least one owner");
			goto out;
		}
		mark = json_pack("{s:s}", "status", "removing");
		undo = json_pack(
		    "{s:O?}", "status", json_object_get(target, "status"));
		if (members_set_fields(a->tenant, "users", id, mark, &n, err,
			sizeof(err)) != METADB_OK) {
			members_unavailable(o, a->tenant, "users", err);
			goto out;
		}
		if (n == 0) {
			members_set(o, MEMBERS_NOT_FOUND, "no such user");
			goto out;
		}
		if (!members_owner_recheck(a, id, undo, o))
			goto out;
	}
	filter = json_pack("{s:s}", "id", id);
	if (metadb_delete(a->tenant, "users", filter, &n, err, sizeof(err)) !=
	    METADB_OK) {
		json_decref(filter);
		if (undo != NULL)
			(void)members_set_fields(
			    a->tenant, "users", id, undo, &n, err, sizeof(err));
		members_unavailable(o, a->tenant, "users", err);
		goto out;
	}
	json_decref(filter);
	if (n == 0) {
		members_set(o, MEMBERS_NOT_FOUND, "no such user");
		goto out;
	}
	members_forget_user(a->tenant, id);
	o->body = members_user_public(target);
	o->audit = json_pack("{s:s, s:O?, s:O?}", "user_id", id, "email",
	    json_object_get(target, "email"), "role",
	    json_object_get(target, "role"));
	o->result = MEMBERS_OK;
out:
	json_decref(mark);
	json_decref(undo);
	json_decref(target);
}

/* ---- API keys ---------------------------------------------------------- */

/* The scopes as stored: each known one once, in a fixed order. */
static json_t *
members_scopes(const json_t *names)
{
	const char *name;
	json_t     *item, *out;
	unsigned    bits, bit;
	size_t      i;

	if (!json_is_array(names) || json_array_size(names) == 0)
		return (NULL);
	bits = 0;
	json_array_foreach(names, i, item)
	{
		name = json_string_value(item);
		if (!perm_scopes_parse(&name, 1, &bit))
			return (NULL);
		bits |= bit;
	}
	out = json_array();
	if (bits & SCOPE_INGEST)
		json_array_append_new(out, json_string("ingest"));
	if (bits & SCOPE_READ)
		json_array_append_new(out, json_string("read"));
	return (out);
}

/*
 * Creates an API key "vgk_<tenant id>_<secret>", the secret being 32
 * random bytes in base64url. Only the SHA-256 of the whole key is stored
 * (with the first 12 characters of the secret, to recognize it in a
 * list); the answer is the only place the key ever appears.
 */
void
members_key_create(const struct members_actor *a, const char *name,
    const json_t *scope_names, struct members_outcome *o)
{
	enum metadb_status st;
	unsigned char      raw[MEMBERS_KEY_SECRET_BYTES];
	char               secret[64], key[128], hash[DIGEST_HEX_LEN + 1];
	char               prefix[MEMBERS_KEY_PREFIX_LEN + 1], when[32];
	char               id[25], err[256];
	json_t            *scopes, *doc;

	members_begin(o);
	if ((scopes = members_scopes(scope_names)) == NULL) {
		members_set(o, MEMBERS_INVALID,
		    "scopes must be a non-empty list of \"ingest\" and "
		    "\"read\"");
		return;
	}
	env_random(raw, sizeof(raw));
	if (digest_b64url(raw, sizeof(raw), secret, sizeof(secret)) == 0) {
		json_decref(scopes);
		members_unavailable(o, a->tenant, "api_keys", "encoding");
		return;
	}
	snprintf(key, sizeof(key), "vgk_%s_%s", a->tenant->id, secret);
	digest_sha256_hex(key, strlen(key), hash);
	snprintf(
	    prefix, sizeof(prefix), "%.*s", MEMBERS_KEY_PREFIX_LEN, secret);
	text_iso8601(a->now, when, sizeof(when));
	doc = json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:n}", "name", name,
	    "prefix", prefix, "hash", hash, "scopes", scopes, "created_by",
	    a->user_id, "created_at", when, "revoked_at");
	st = metadb_insert(a->tenant, "api_keys", doc, id, err, sizeof(err));
	if (st != METADB_OK) {
		json_decref(doc);
		members_unavailable(o, a->tenant, "api_keys", err);
		goto out;
	}
	json_object_set_new(doc, "id", json_string(id));
	o->body = members_key_public(doc);
	json_object_set_new(o->body, "key", json_string(key));
	o->audit = json_pack("{s:s, s:O, s:s, s:O}", "key_id", id, "name",
	    json_object_get(doc, "name"), "prefix", prefix, "scopes",
	    json_object_get(doc, "scopes"));
	json_decref(doc);
	o->result = MEMBERS_OK;
out:
	explicit_bzero(raw, sizeof(raw));
	explicit_bzero(secret, sizeof(secret));
	explicit_bzero(key, sizeof(key));
}

void
members_key_list(const struct tenant_ctx *ctx, struct members_outcome *o)
{
	members_list(ctx, "api_keys", -1, members_key_public, "api_keys", o);
}

void
members_key_get(
    const struct tenant_ctx *ctx, const char *id, struct members_outcome *o)
{
	json_t *doc;

	members_begin(o);
	if ((doc = members_fetch(ctx, "api_keys", id, "API key", o)) == NULL)
		return;
	o->body = members_key_public(doc);
	json_decref(doc);
	o->result = MEMBERS_OK;
}

/* Renames a key; its scopes never change (create another key). */
void
members_key_rename(const struct members_actor *a, const char *id,
    const char *name, struct members_outcome *o)
{
	json_t *doc, *set;
	char    err[256];
	long    n;

	members_begin(o);
	if ((doc = members_fetch(a->tenant, "api_keys", id, "API key", o)) ==
	    NULL)
		return;
	set = json_pack("{s:s}", "name", name);
	if (members_set_fields(a->tenant, "api_keys", id, set, &n, err,
		sizeof(err)) != METADB_OK)
		members_unavailable(o, a->tenant, "api_keys", err);
	else if (n == 0)
		members_set(o, MEMBERS_NOT_FOUND, "no such API key");
	else {
		o->audit = json_pack("{s:s, s:O?, s:s}", "key_id", id, "before",
		    json_object_get(doc, "name"), "after", name);
		json_object_update(doc, set);
		o->body = members_key_public(doc);
		o->result = MEMBERS_OK;
	}
	json_decref(set);
	json_decref(doc);
}

/*
 * Revokes a key: sets revoked_at (once; revoking again changes nothing)
 * and forgets the key in the authentication cache, so it is refused from
 * the next request on. Answers the key as stored.
 */
void
members_key_revoke(
    const struct members_actor *a, const char *id, struct members_outcome *o)
{
	enum metadb_status st;
	json_t            *doc, *filter, *set;
	const char        *hash;
	char               err[256], when[32], purpose[80];
	long               n;

	members_begin(o);
	if ((doc = members_fetch(a->tenant, "api_keys", id, "API key", o)) ==
	    NULL)
		return;
	if (!json_is_string(json_object_get(doc, "revoked_at"))) {
		text_iso8601(a->now, when, sizeof(when));
		filter = json_pack("{s:s, s:n}", "id", id, "revoked_at");
		set = json_pack("{s:s}", "revoked_at", when);
		st = metadb_update(
		    a->tenant, "api_keys", filter, set, &n, err, sizeof(err));
		json_decref(filter);
		json_decref(set);
		if (st != METADB_OK) {
			members_unavailable(o, a->tenant, "api_keys", err);
			goto out;
		}
		/* n == 0: revoked meanwhile by another request, which
		 * audits it; the time shown is then ours, near enough. */
		json_object_set_new(doc, "revoked_at", json_string(when));
		if (n > 0)
			o->audit = json_pack("{s:s, s:O?, s:O?}", "key_id", id,
			    "name", json_object_get(doc, "name"), "prefix",
			    json_object_get(doc, "prefix"));
	}
	hash = json_string_value(json_object_get(doc, "hash"));
	if (hash != NULL) {
		snprintf(purpose, sizeof(purpose), "apikey:%s", hash);
		members_forget(a->tenant, purpose);
	}
	o->body = members_key_public(doc);
	o->result = MEMBERS_OK;
out:
	json_decref(doc);
}
