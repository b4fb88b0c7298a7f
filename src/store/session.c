#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "store/kv.h"
#include "store/session.h"

#define KEY_MAX 320

/* Builds t:<id>:<purpose>, refusing a bad context or purpose. */
static bool
session_key(const struct tenant_ctx *ctx, const char *purpose, char *out,
    char *err, size_t errlen)
{
	if (!tenant_key(ctx, purpose, out, KEY_MAX)) {
		snprintf(err, errlen, "invalid tenant key");
		return (false);
	}
	return (true);
}

static redisReply *
session_cmd(char *err, size_t errlen, int argc, ...)
{
	const char *argv[12];
	va_list     ap;
	int         i;

	va_start(ap, argc);
	for (i = 0; i < argc && i < 12; i++)
		argv[i] = va_arg(ap, const char *);
	va_end(ap);
	return (kv_commandv(argc, argv, NULL, err, errlen));
}

static bool
session_ok(redisReply *r, char *err, size_t errlen)
{
	bool ok;

	if (r == NULL)
		return (false);
	ok = r->type != REDIS_REPLY_ERROR;
	if (!ok)
		snprintf(err, errlen, "%s", r->str);
	freeReplyObject(r);
	return (ok);
}

/* A cached value's text as JSON; a tombstone reads as a miss (NULL). */
json_t *
session_cache_parse(const char *text, size_t len)
{
	json_t *doc;

	if (text == NULL)
		return (NULL);
	doc = json_loadb(text, len, 0, NULL);
	if (json_is_true(json_object_get(doc, "_gone"))) {
		json_decref(doc);
		doc = NULL;
	}
	return (doc);
}

json_t *
session_cache_get(const struct tenant_ctx *ctx, const char *purpose,
    bool *failed, char *err, size_t errlen)
{
	char        key[KEY_MAX];
	redisReply *r;
	json_t     *doc;

	*failed = true;
	if (!session_key(ctx, purpose, key, err, errlen))
		return (NULL);
	if ((r = session_cmd(err, errlen, 2, "GET", key)) == NULL)
		return (NULL);
	*failed = r->type == REDIS_REPLY_ERROR;
	doc = r->type == REDIS_REPLY_STRING
	    ? session_cache_parse(r->str, r->len)
	    : NULL;
	freeReplyObject(r);
	return (doc);
}

static bool
session_cache_set(const struct tenant_ctx *ctx, const char *purpose,
    const json_t *doc, long ttl_s, bool only_if_absent, char *err,
    size_t errlen)
{
	char  key[KEY_MAX], ttl[24];
	char *text;
	bool  ok;

	if (!session_key(ctx, purpose, key, err, errlen))
		return (false);
	if ((text = json_dumps(doc, JSON_COMPACT)) == NULL)
		return (false);
	snprintf(ttl, sizeof(ttl), "%ld", ttl_s);
	if (only_if_absent)
		ok = session_ok(session_cmd(err, errlen, 6, "SET", key, text,
				    "EX", ttl, "NX"),
		    err, errlen);
	else
		ok = session_ok(
		    session_cmd(err, errlen, 5, "SET", key, text, "EX", ttl),
		    err, errlen);
	free(text);
	/* A change (not a refill): the event loops' confirmations go. */
	if (ok && !only_if_absent)
		kv_changed(ctx->id);
	return (ok);
}

/* Stores a value that is the truth now (a change just made). */
bool
session_cache_put(const struct tenant_ctx *ctx, const char *purpose,
    const json_t *doc, long ttl_s, char *err, size_t errlen)
{
	return (
	    session_cache_set(ctx, purpose, doc, ttl_s, false, err, errlen));
}

/*
 * Refills the cache from MongoDB after a miss: only if nothing is there,
 * so that a change (or a tombstone) written meanwhile is never replaced
 * by what was read before it.
 */
bool
session_cache_fill(const struct tenant_ctx *ctx, const char *purpose,
    const json_t *doc, long ttl_s, char *err, size_t errlen)
{
	return (session_cache_set(ctx, purpose, doc, ttl_s, true, err, errlen));
}

/*
 * Forgets a cached value after a change. A tombstone stays for ten
 * minutes instead of nothing, so that a refill racing with the change
 * (read before it, written after) cannot bring the old value back.
 */
bool
session_cache_forget(
    const struct tenant_ctx *ctx, const char *purpose, char *err, size_t errlen)
{
	json_t *tomb;
	bool    ok;

	tomb = json_pack("{s:b}", "_gone", 1);
	ok = session_cache_set(ctx, purpose, tomb, 600, false, err, errlen);
	json_decref(tomb);
	return (ok);
}

/*
 * Reads t:<id>:meta. found is false on a cache miss (the caller then asks
 * MongoDB and writes it back). A bad id is simply not found.
 */
bool
session_tenant_read(const char *tenant_id, struct tenant_ctx *out, bool *found,
    char *err, size_t errlen)
{
	struct tenant_ctx probe;
	json_t           *doc;
	bool              failed;

	*found = false;
	memset(&probe, 0, sizeof(probe));
	if (!tenant_id_check(tenant_id))
		return (true);
	/* Any valid slug does to build the key; only the id is used. */
	snprintf(probe.id, sizeof(probe.id), "%s", tenant_id);
	snprintf(probe.slug, sizeof(probe.slug), "probe");
	doc = session_cache_get(&probe, "meta", &failed, err, errlen);
	if (doc == NULL)
		return (!failed);
	*found = session_tenant_parse(tenant_id, doc, out);
	json_decref(doc);
	return (true);
}

/* The tenant's context from its cached record; false if incomplete. */
bool
session_tenant_parse(
    const char *tenant_id, const json_t *doc, struct tenant_ctx *out)
{
	const char *slug, *plan, *status;

	slug = json_string_value(json_object_get(doc, "slug"));
	plan = json_string_value(json_object_get(doc, "plan"));
	status = json_string_value(json_object_get(doc, "status"));
	if (slug == NULL || plan == NULL || status == NULL)
		return (false);
	memset(out, 0, sizeof(*out));
	snprintf(out->id, sizeof(out->id), "%s", tenant_id);
	snprintf(out->slug, sizeof(out->slug), "%s", slug);
	snprintf(out->plan, sizeof(out->plan), "%s", plan);
	out->active = strcmp(status, "active") == 0;
	return (tenant_ctx_check(out));
}

static bool
session_tenant_set(
    const struct tenant_ctx *ctx, bool fill, char *err, size_t errlen)
{
	json_t *doc;
	bool    ok;

	doc = json_pack("{s:s, s:s, s:s}", "slug", ctx->slug, "plan", ctx->plan,
	    "status", ctx->active ? "active" : "suspended");
	ok = session_cache_set(ctx, "meta", doc, 3600, fill, err, errlen);
	json_decref(doc);
	return (ok);
}

/* Writes the tenant's status as it is now (sign-up, suspension, plan). */
bool
session_tenant_write(const struct tenant_ctx *ctx, char *err, size_t errlen)
{
	return (session_tenant_set(ctx, false, err, errlen));
}

/* Refills it after a miss; never overwrites a newer write. */
bool
session_tenant_fill(const struct tenant_ctx *ctx, char *err, size_t errlen)
{
	return (session_tenant_set(ctx, true, err, errlen));
}

static bool
session_exists(const char *key, bool *exists, char *err, size_t errlen)
{
	redisReply *r;

	if ((r = session_cmd(err, errlen, 2, "EXISTS", key)) == NULL)
		return (false);
	*exists = r->type == REDIS_REPLY_INTEGER && r->integer > 0;
	freeReplyObject(r);
	return (true);
}

static bool
session_set_ttl(const char *key, long ttl_s, char *err, size_t errlen)
{
	char ttl[24];

	snprintf(ttl, sizeof(ttl), "%ld", ttl_s < 1 ? 1 : ttl_s);
	return (
	    session_ok(session_cmd(err, errlen, 5, "SET", key, "1", "EX", ttl),
		err, errlen));
}

/* The purpose of a revoked token's marker, t:<id>:revoked:<jti>. */
void
session_jti_purpose(const char *jti, char *out, size_t outlen)
{
	snprintf(out, outlen, "revoked:%s", jti);
}

bool
session_jti_revoke(const struct tenant_ctx *ctx, const char *jti, long ttl_s,
    char *err, size_t errlen)
{
	char key[KEY_MAX], purpose[64];

	session_jti_purpose(jti, purpose, sizeof(purpose));
	if (!session_key(ctx, purpose, key, err, errlen) ||
	    !session_set_ttl(key, ttl_s, err, errlen))
		return (false);
	kv_changed(ctx->id);
	return (true);
}

bool
session_jti_revoked(const struct tenant_ctx *ctx, const char *jti,
    bool *revoked, char *err, size_t errlen)
{
	char key[KEY_MAX], purpose[64];

	session_jti_purpose(jti, purpose, sizeof(purpose));
	if (!session_key(ctx, purpose, key, err, errlen))
		return (false);
	return (session_exists(key, revoked, err, errlen));
}

bool
session_admin_jti_revoke(const char *jti, long ttl_s, char *err, size_t errlen)
{
	char key[KEY_MAX];

	snprintf(key, sizeof(key), "p:admin:revoked:%s", jti);
	return (session_set_ttl(key, ttl_s, err, errlen));
}

bool
session_admin_jti_revoked(
    const char *jti, bool *revoked, char *err, size_t errlen)
{
	char key[KEY_MAX];

	snprintf(key, sizeof(key), "p:admin:revoked:%s", jti);
	return (session_exists(key, revoked, err, errlen));
}

bool
session_refresh_start(const struct tenant_ctx *ctx, const char *hash,
    const char *family, const char *record, long ttl_s, char *err,
    size_t errlen)
{
	char key[KEY_MAX], fam[KEY_MAX], purpose[128], ttl[24];

	snprintf(purpose, sizeof(purpose), "refresh:%s", hash);
	if (!session_key(ctx, purpose, key, err, errlen))
		return (false);
	snprintf(purpose, sizeof(purpose), "rfam:%s", family);
	if (!session_key(ctx, purpose, fam, err, errlen))
		return (false);
	snprintf(ttl, sizeof(ttl), "%ld", ttl_s);
	return (session_ok(session_cmd(
			       err, errlen, 5, "SET", fam, "active", "EX", ttl),
		    err, errlen) &&
	    session_ok(
		session_cmd(err, errlen, 5, "SET", key, record, "EX", ttl), err,
		errlen));
}

/*
 * One atomic step: the old token must exist, be unspent and its family
 * active; it is marked spent ("U" prefix) and the new one stored. A spent
 * token presented again revokes the family: someone holds a copy. The
 * new token gets the old one's record (the user it belongs to).
 */
static const char session_rotate_lua[] =
    "local rec = redis.call('GET', KEYS[1])\n"
    "if not rec then return {'unknown'} end\n"
    "local fam = redis.call('GET', KEYS[2])\n"
    "if fam ~= 'active' then return {'revoked'} end\n"
    "if string.sub(rec, 1, 1) == 'U' then\n"
    "  redis.call('SET', KEYS[2], 'revoked', 'KEEPTTL')\n"
    "  return {'reused'}\n"
    "end\n"
    "redis.call('SET', KEYS[1], 'U' .. rec, 'KEEPTTL')\n"
    "redis.call('SET', KEYS[3], rec, 'EX', ARGV[1])\n"
    "redis.call('EXPIRE', KEYS[2], ARGV[1])\n"
    "return {'rotated', rec}\n";

enum session_refresh
session_refresh_rotate(const struct tenant_ctx *ctx, const char *old_hash,
    const char *family, const char *new_hash, long ttl_s, char **old_record,
    char *err, size_t errlen)
{
	char                 oldk[KEY_MAX], famk[KEY_MAX], newk[KEY_MAX];
	char                 purpose[128], ttl[24];
	enum session_refresh res;
	redisReply          *r;

	*old_record = NULL;
	snprintf(purpose, sizeof(purpose), "refresh:%s", old_hash);
	if (!session_key(ctx, purpose, oldk, err, errlen))
		return (SESSION_UNKNOWN);
	snprintf(purpose, sizeof(purpose), "rfam:%s", family);
	if (!session_key(ctx, purpose, famk, err, errlen))
		return (SESSION_UNKNOWN);
	snprintf(purpose, sizeof(purpose), "refresh:%s", new_hash);
	if (!session_key(ctx, purpose, newk, err, errlen))
		return (SESSION_UNKNOWN);
	snprintf(ttl, sizeof(ttl), "%ld", ttl_s);
	r = session_cmd(err, errlen, 7, "EVAL", session_rotate_lua, "3", oldk,
	    famk, newk, ttl);
	if (r == NULL)
		return (SESSION_FAILED);
	res = SESSION_FAILED;
	if (r->type == REDIS_REPLY_ARRAY && r->elements >= 1 &&
	    r->element[0]->type == REDIS_REPLY_STRING) {
		if (strcmp(r->element[0]->str, "unknown") == 0)
			res = SESSION_UNKNOWN;
		else if (strcmp(r->element[0]->str, "revoked") == 0)
			res = SESSION_REVOKED;
		else if (strcmp(r->element[0]->str, "reused") == 0)
			res = SESSION_REUSED;
		else if (r->elements == 2) {
			res = SESSION_ROTATED;
			*old_record =
			    mem_strndup(r->element[1]->str, r->element[1]->len);
		}
	} else if (r->type == REDIS_REPLY_ERROR) {
		snprintf(err, errlen, "%s", r->str);
	}
	freeReplyObject(r);
	return (res);
}

bool
session_family_revoke(
    const struct tenant_ctx *ctx, const char *family, char *err, size_t errlen)
{
	char key[KEY_MAX], purpose[128];

	snprintf(purpose, sizeof(purpose), "rfam:%s", family);
	if (!session_key(ctx, purpose, key, err, errlen))
		return (false);
	return (session_ok(
	    session_cmd(err, errlen, 4, "SET", key, "revoked", "KEEPTTL"), err,
	    errlen));
}

/*
 * Sliding window log in a sorted set: drop entries older than the
 * window, count, admit if under the limit. Redis' own clock is used so
 * that every server agrees. Returns {admitted, retry_after_ms}.
 */
static const char session_limit_lua[] =
    "local t = redis.call('TIME')\n"
    "local now = t[1] * 1000 + math.floor(t[2] / 1000)\n"
    "local window = tonumber(ARGV[1])\n"
    "local limit = tonumber(ARGV[2])\n"
    "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)\n"
    "local n = redis.call('ZCARD', KEYS[1])\n"
    "if n >= limit then\n"
    "  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')\n"
    "  local retry = window\n"
    "  if oldest[2] then retry = tonumber(oldest[2]) + window - now end\n"
    "  return {0, retry}\n"
    "end\n"
    "redis.call('ZADD', KEYS[1], now, now .. '-' .. ARGV[3])\n"
    "redis.call('PEXPIRE', KEYS[1], window)\n"
    "return {1, 0}\n";

static int
session_limit_key(const char *key, long window_ms, long limit, long *retry_ms,
    char *err, size_t errlen)
{
	static __thread unsigned long counter;
	char                          window[24], lim[24], member[48];
	redisReply                   *r;
	int                           res;

	snprintf(window, sizeof(window), "%ld", window_ms);
	snprintf(lim, sizeof(lim), "%ld", limit);
	/* Unique per hit: thread-local counter and the thread's address. */
	snprintf(member, sizeof(member), "%lx-%lu", (unsigned long)&counter,
	    ++counter);
	r = session_cmd(err, errlen, 7, "EVAL", session_limit_lua, "1", key,
	    window, lim, member);
	if (r == NULL)
		return (-1);
	res = -1;
	*retry_ms = 0;
	if (r->type == REDIS_REPLY_ARRAY && r->elements == 2) {
		res = (int)r->element[0]->integer;
		*retry_ms = (long)r->element[1]->integer;
	} else if (r->type == REDIS_REPLY_ERROR) {
		snprintf(err, errlen, "%s", r->str);
	}
	freeReplyObject(r);
	return (res);
}

int
session_limit_tenant(const struct tenant_ctx *ctx, const char *purpose,
    long window_ms, long limit, long *retry_ms, char *err, size_t errlen)
{
	char key[KEY_MAX], p[200];

	snprintf(p, sizeof(p), "rl:%s", purpose);
	if (!session_key(ctx, p, key, err, errlen))
		return (-1);
	return (
	    session_limit_key(key, window_ms, limit, retry_ms, err, errlen));
}

int
session_limit_platform(const char *purpose, long window_ms, long limit,
    long *retry_ms, char *err, size_t errlen)
{
	char key[KEY_MAX];

	snprintf(key, sizeof(key), "p:rl:%s", purpose);
	return (
	    session_limit_key(key, window_ms, limit, retry_ms, err, errlen));
}

bool
session_tenant_purge(const char *tenant_id, char *err, size_t errlen)
{
	char        pattern[64], cursor[32];
	redisReply *r;
	size_t      i;

	if (!tenant_id_check(tenant_id))
		return (false);
	snprintf(pattern, sizeof(pattern), "t:%s:*", tenant_id);
	snprintf(cursor, sizeof(cursor), "0");
	do {
		r = session_cmd(err, errlen, 6, "SCAN", cursor, "MATCH",
		    pattern, "COUNT", "500");
		if (r == NULL || r->type != REDIS_REPLY_ARRAY ||
		    r->elements != 2) {
			freeReplyObject(r);
			return (false);
		}
		snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
		for (i = 0; i < r->element[1]->elements; i++)
			(void)session_ok(session_cmd(err, errlen, 2, "DEL",
					     r->element[1]->element[i]->str),
			    err, errlen);
		freeReplyObject(r);
	} while (strcmp(cursor, "0") != 0);
	kv_changed(tenant_id);
	return (true);
}
