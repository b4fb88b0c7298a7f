#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "store/kv.h"
#include "store/usage.h"

/* t:<id>:<purpose formatted>; false for a bad context. */
static bool usage_key(const struct tenant_ctx *, char *out, char *err,
    size_t errlen, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static bool
usage_key(const struct tenant_ctx *ctx, char *out, char *err, size_t errlen,
    const char *fmt, ...)
{
	char    purpose[TENANT_PURPOSE_MAX + 1];
	va_list ap;
	int     n;

	va_start(ap, fmt);
	n = vsnprintf(purpose, sizeof(purpose), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(purpose) ||
	    !tenant_key(ctx, purpose, out, USAGE_KEY_MAX)) {
		snprintf(err, errlen, "invalid tenant key");
		return (false);
	}
	return (true);
}

static redisReply *
usage_cmd(char *err, size_t errlen, int argc, const char **argv)
{
	redisReply *r;

	if ((r = kv_commandv(argc, argv, NULL, err, errlen)) == NULL)
		return (NULL);
	if (r->type == REDIS_REPLY_ERROR) {
		snprintf(err, errlen, "%s", r->str);
		freeReplyObject(r);
		return (NULL);
	}
	return (r);
}

/* A reply element as a number (integers, or bulk strings of digits). */
static long
usage_num(const redisReply *r)
{
	if (r == NULL)
		return (0);
	if (r->type == REDIS_REPLY_INTEGER)
		return ((long)r->integer);
	if (r->type == REDIS_REPLY_STRING)
		return (strtol(r->str, NULL, 10));
	return (0);
}

/* SET key value EX ttl_s (NX when only_new): *set says whether it was. */
static bool
usage_set(const char *key, const char *value, long ttl_s, bool only_new,
    bool *set, char *err, size_t errlen)
{
	char        ttl[24];
	const char *argv[6];
	redisReply *r;

	snprintf(ttl, sizeof(ttl), "%ld", ttl_s < 1 ? 1 : ttl_s);
	argv[0] = "SET";
	argv[1] = key;
	argv[2] = value;
	argv[3] = "EX";
	argv[4] = ttl;
	argv[5] = "NX";
	if ((r = usage_cmd(err, errlen, only_new ? 6 : 5, argv)) == NULL)
		return (false);
	if (set != NULL)
		*set = r->type == REDIS_REPLY_STATUS;
	freeReplyObject(r);
	return (true);
}

/* GET key into out ("" when absent). */
static bool
usage_get(const char *key, char *out, size_t outlen, char *err, size_t errlen)
{
	const char *argv[2];
	redisReply *r;

	out[0] = '\0';
	argv[0] = "GET";
	argv[1] = key;
	if ((r = usage_cmd(err, errlen, 2, argv)) == NULL)
		return (false);
	if (r->type == REDIS_REPLY_STRING)
		snprintf(out, outlen, "%s", r->str);
	freeReplyObject(r);
	return (true);
}

/* ---- scripts ----------------------------------------------------------- */

struct usage_script {
	const char *text;
	char        sha[41]; /* per thread: see usage_eval */
};

/*
 * Runs a script by its digest (EVALSHA), loading it the first time and
 * again after Redis forgot it (restart, SCRIPT FLUSH). argv[0..1] are
 * filled here; the caller's arguments start at argv[2] (numkeys, keys,
 * args). Returns the reply (caller frees) or NULL with err.
 */
static redisReply *
usage_eval(struct usage_script *s, int argc, const char **argv, char *err,
    size_t errlen)
{
	const char *load[3];
	redisReply *r;
	int         attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		if (s->sha[0] == '\0') {
			load[0] = "SCRIPT";
			load[1] = "LOAD";
			load[2] = s->text;
			if ((r = usage_cmd(err, errlen, 3, load)) == NULL)
				return (NULL);
			if (r->type == REDIS_REPLY_STRING && r->len == 40)
				memcpy(s->sha, r->str, 41);
			freeReplyObject(r);
			if (s->sha[0] == '\0') {
				snprintf(err, errlen, "SCRIPT LOAD failed");
				return (NULL);
			}
		}
		argv[0] = "EVALSHA";
		argv[1] = s->sha;
		if ((r = kv_commandv(argc, argv, NULL, err, errlen)) == NULL)
			return (NULL);
		if (r->type != REDIS_REPLY_ERROR)
			return (r);
		snprintf(err, errlen, "%s", r->str);
		freeReplyObject(r);
		if (strncmp(err, "NOSCRIPT", 8) != 0)
			return (NULL);
		s->sha[0] = '\0';
	}
	return (NULL);
}

/*
 * One request's state: KEYS record, flag (or the record again), limits,
 * day counters, day users; ARGV use flag (1/0), count (1/0), user id,
 * TTL. Returns {record or nil, flagged, state, before, after, max}: state
 * as the API script's, or 2 when nothing was counted.
 */
static __thread struct usage_script usage_request_script = {USAGE_LUA_API_COUNT
    "local v = redis.call('GET', KEYS[1])\n"
    "if ARGV[1] == '1' and redis.call('EXISTS', KEYS[2]) == 1 then\n"
    "  return {v, 1, 2, 0, 0, 0}\n"
    "end\n"
    "if ARGV[2] ~= '1' then return {v, 0, 2, 0, 0, 0} end\n"
    "local st, b, a, m = api_count()\n"
    "return {v, 0, st, b, a, m}\n",
    ""};

/*
 * Reservation before ingestion: KEYS limits, day counters, stored;
 * ARGV bytes, TTL. Returns {state, limit index, before, after, max}:
 * state 1 admitted, 0 refused, -1 no limits, -2 stored not cached.
 * Limit indexes follow enum quota_limit (1 bytes, 2 docs, 3 storage).
 */
static __thread struct usage_script usage_ingest_script = {
    "local l = redis.call('HMGET', KEYS[1], 'ingest_bytes', 'ingest_docs',"
    " 'storage_bytes')\n"
    "if not l[1] or not l[2] or not l[3] then return {-1, 0, 0, 0, 0} end\n"
    "local maxb, maxd, maxs = tonumber(l[1]), tonumber(l[2]), "
    "tonumber(l[3])\n"
    "if maxs > 0 then\n"
    "  local s = redis.call('GET', KEYS[3])\n"
    "  if not s then return {-2, 0, 0, 0, 0} end\n"
    "  s = tonumber(s)\n"
    "  if s >= maxs then return {0, 3, s, s, maxs} end\n"
    "end\n"
    "local c = redis.call('HMGET', KEYS[2], 'ingested_bytes', "
    "'ingested_docs')\n"
    "local b, d = tonumber(c[1] or '0'), tonumber(c[2] or '0')\n"
    "if maxd > 0 and d >= maxd then return {0, 2, d, d, maxd} end\n"
    "local add = tonumber(ARGV[1])\n"
    "if maxb > 0 and b + add > maxb then return {0, 1, b, b, maxb} end\n"
    "redis.call('HINCRBY', KEYS[2], 'ingested_bytes', add)\n"
    "redis.call('EXPIRE', KEYS[2], ARGV[2])\n"
    "return {1, 1, b, b + add, maxb}\n",
    ""};

/*
 * Documents counted: KEYS day counters, once marker (or a dummy when
 * not used); ARGV docs, TTL, use once (1/0). Returns {counted, total}.
 */
static __thread struct usage_script usage_docs_script = {
    "if ARGV[3] == '1' then\n"
    "  if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[2]) then\n"
    "    local c = redis.call('HGET', KEYS[1], 'ingested_docs')\n"
    "    return {0, tonumber(c or '0')}\n"
    "  end\n"
    "end\n"
    "local n = redis.call('HINCRBY', KEYS[1], 'ingested_docs', ARGV[1])\n"
    "redis.call('EXPIRE', KEYS[1], ARGV[2])\n"
    "return {1, n}\n",
    ""};

/* ---- limits ------------------------------------------------------------ */

bool
usage_limits_put(const struct tenant_ctx *ctx, const struct quota_limits *l,
    char *err, size_t errlen)
{
	const char *argv[2 + 2 * QUOTA_COUNT + 2];
	char        key[USAGE_KEY_MAX], values[QUOTA_COUNT + 1][24];
	char        ttl[24];
	const char *expire[3];
	redisReply *r;
	int         i, argc;

	if (!usage_key(ctx, key, err, errlen, "quota:limits"))
		return (false);
	argc = 0;
	argv[argc++] = "HSET";
	argv[argc++] = key;
	for (i = 0; i < QUOTA_COUNT; i++) {
		snprintf(values[i], sizeof(values[i]), "%ld", l->max[i]);
		argv[argc++] = quota_limit_name((enum quota_limit)i);
		argv[argc++] = values[i];
	}
	snprintf(values[QUOTA_COUNT], sizeof(values[QUOTA_COUNT]), "%ld",
	    l->retention_days);
	argv[argc++] = "retention_days";
	argv[argc++] = values[QUOTA_COUNT];
	if ((r = usage_cmd(err, errlen, argc, argv)) == NULL)
		return (false);
	freeReplyObject(r);
	snprintf(ttl, sizeof(ttl), "%ld", USAGE_LIMITS_TTL_S);
	expire[0] = "EXPIRE";
	expire[1] = key;
	expire[2] = ttl;
	if ((r = usage_cmd(err, errlen, 3, expire)) == NULL)
		return (false);
	freeReplyObject(r);
	kv_changed(ctx->id);
	return (true);
}

bool
usage_limits_get(const struct tenant_ctx *ctx, struct quota_limits *l,
    bool *found, char *err, size_t errlen)
{
	const char *argv[2 + QUOTA_COUNT + 1];
	char        key[USAGE_KEY_MAX];
	redisReply *r;
	int         i, argc;

	*found = false;
	memset(l, 0, sizeof(*l));
	if (!usage_key(ctx, key, err, errlen, "quota:limits"))
		return (false);
	argc = 0;
	argv[argc++] = "HMGET";
	argv[argc++] = key;
	for (i = 0; i < QUOTA_COUNT; i++)
		argv[argc++] = quota_limit_name((enum quota_limit)i);
	argv[argc++] = "retention_days";
	if ((r = usage_cmd(err, errlen, argc, argv)) == NULL)
		return (false);
	if (r->type == REDIS_REPLY_ARRAY && r->elements == QUOTA_COUNT + 1) {
		*found = true;
		for (i = 0; i <= QUOTA_COUNT; i++)
			*found =
			    *found && r->element[i]->type == REDIS_REPLY_STRING;
		for (i = 0; *found && i < QUOTA_COUNT; i++)
			l->max[i] = usage_num(r->element[i]);
		if (*found)
			l->retention_days = usage_num(r->element[QUOTA_COUNT]);
	}
	freeReplyObject(r);
	return (true);
}

bool
usage_limits_forget(const struct tenant_ctx *ctx, char *err, size_t errlen)
{
	const char *argv[2];
	char        key[USAGE_KEY_MAX];
	redisReply *r;

	if (!usage_key(ctx, key, err, errlen, "quota:limits"))
		return (false);
	argv[0] = "DEL";
	argv[1] = key;
	if ((r = usage_cmd(err, errlen, 2, argv)) == NULL)
		return (false);
	freeReplyObject(r);
	kv_changed(ctx->id);
	return (true);
}

/* ---- admission --------------------------------------------------------- */

static bool
usage_day_keys(const struct tenant_ctx *ctx, const char *day, char *limits,
    char *counters, char *err, size_t errlen)
{
	if (strlen(day) != QUOTA_DAY_LEN - 1) {
		snprintf(err, errlen, "invalid day");
		return (false);
	}
	return (usage_key(ctx, limits, err, errlen, "quota:limits") &&
	    usage_key(ctx, counters, err, errlen, "usage:%s", day));
}

/*
 * The users this thread already added to a day's active users: their
 * request need not add them again (one Redis command less per request).
 * A small direct-mapped cache; a miss only costs the SADD.
 */
#define USAGE_SEEN_SLOTS 64

static __thread char usage_seen[USAGE_SEEN_SLOTS][TENANT_ID_LEN + 64];

static char *
usage_seen_slot(const struct tenant_ctx *ctx, const char *day,
    const char *user_id, char *key, size_t keylen)
{
	unsigned long h;
	const char   *p;

	snprintf(key, keylen, "%s:%s:%s", ctx->id, day, user_id);
	h = 5381;
	for (p = key; *p != '\0'; p++)
		h = h * 33 + (unsigned char)*p;
	return (usage_seen[h % USAGE_SEEN_SLOTS]);
}

bool
usage_request_keys(const struct tenant_ctx *ctx, const char *day,
    char limits[USAGE_KEY_MAX], char counters[USAGE_KEY_MAX],
    char users[USAGE_KEY_MAX], char *err, size_t errlen)
{
	return (usage_day_keys(ctx, day, limits, counters, err, errlen) &&
	    usage_key(ctx, users, err, errlen, "usage:%s:users", day));
}

bool
usage_request_state(const struct tenant_ctx *ctx, struct usage_request *q,
    char *err, size_t errlen)
{
	char        record[USAGE_KEY_MAX], flag[USAGE_KEY_MAX];
	char        limits[USAGE_KEY_MAX], counters[USAGE_KEY_MAX];
	char        users[USAGE_KEY_MAX], ttl[24];
	const char *argv[12];
	const char *day, *user;
	char        seen[sizeof(usage_seen[0])], *slot;
	redisReply *r, *e;
	long        state;

	q->value = NULL;
	q->flagged = false;
	q->admit = USAGE_FAILED;
	memset(&q->outcome, 0, sizeof(q->outcome));
	q->outcome.limit = QUOTA_API_REQUESTS;
	day = q->count && q->day != NULL ? q->day : "0000-00-00";
	if (!usage_key(ctx, record, err, errlen, "%s", q->read_purpose) ||
	    !usage_key(ctx, flag, err, errlen, "%s",
		q->flag_purpose != NULL ? q->flag_purpose : q->read_purpose) ||
	    !usage_request_keys(ctx, day, limits, counters, users, err, errlen))
		return (false);
	snprintf(ttl, sizeof(ttl), "%ld", USAGE_DAY_TTL_S);
	argv[2] = "5";
	argv[3] = record;
	argv[4] = flag;
	argv[5] = limits;
	argv[6] = counters;
	argv[7] = users;
	argv[8] = q->flag_purpose != NULL ? "1" : "0";
	argv[9] = q->count ? "1" : "0";
	user = q->user_id != NULL && q->count ? q->user_id : "";
	slot = NULL;
	if (*user != '\0') {
		slot = usage_seen_slot(ctx, day, user, seen, sizeof(seen));
		if (strcmp(slot, seen) == 0)
			user = ""; /* already among the day's active users */
	}
	argv[10] = user;
	argv[11] = ttl;
	if ((r = usage_eval(&usage_request_script, 12, argv, err, errlen)) ==
	    NULL)
		return (false);
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 6) {
		snprintf(
		    err, errlen, "unexpected answer of the request script");
		freeReplyObject(r);
		return (false);
	}
	e = r->element[0];
	if (e->type == REDIS_REPLY_STRING) {
		q->value = mem_strndup(e->str, e->len);
	}
	q->flagged = usage_num(r->element[1]) == 1;
	state = usage_num(r->element[2]);
	q->outcome.before = usage_num(r->element[3]);
	q->outcome.after = usage_num(r->element[4]);
	q->outcome.max = usage_num(r->element[5]);
	freeReplyObject(r);
	if (state == 1 && slot != NULL && *user != '\0')
		memcpy(slot, seen, sizeof(seen));
	q->admit = state == 1 ? USAGE_ADMITTED
	    : state == 0      ? USAGE_REFUSED
	    : state == -1     ? USAGE_NO_LIMITS
			      : USAGE_FAILED;
	return (true);
}

bool
usage_api_refund(
    const struct tenant_ctx *ctx, const char *day, char *err, size_t errlen)
{
	char        limits[USAGE_KEY_MAX], counters[USAGE_KEY_MAX];
	const char *argv[4];
	redisReply *r;

	if (!usage_day_keys(ctx, day, limits, counters, err, errlen))
		return (false);
	argv[0] = "HINCRBY";
	argv[1] = counters;
	argv[2] = "api_requests";
	argv[3] = "-1";
	if ((r = usage_cmd(err, errlen, 4, argv)) == NULL)
		return (false);
	freeReplyObject(r);
	return (true);
}

enum usage_admit
usage_ingest_reserve(const struct tenant_ctx *ctx, const char *day, long bytes,
    struct usage_outcome *o, char *err, size_t errlen)
{
	char        limits[USAGE_KEY_MAX], counters[USAGE_KEY_MAX];
	char        stored[USAGE_KEY_MAX], add[24], ttl[24];
	const char *argv[8];
	redisReply *r;
	long        state, which;

	memset(o, 0, sizeof(*o));
	if (!usage_day_keys(ctx, day, limits, counters, err, errlen) ||
	    !usage_key(ctx, stored, err, errlen, "usage:stored"))
		return (USAGE_FAILED);
	snprintf(add, sizeof(add), "%ld", bytes < 0 ? 0 : bytes);
	snprintf(ttl, sizeof(ttl), "%ld", USAGE_DAY_TTL_S);
	argv[2] = "3";
	argv[3] = limits;
	argv[4] = counters;
	argv[5] = stored;
	argv[6] = add;
	argv[7] = ttl;
	if ((r = usage_eval(&usage_ingest_script, 8, argv, err, errlen)) ==
	    NULL)
		return (USAGE_FAILED);
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 5) {
		snprintf(err, errlen, "unexpected answer of the quota script");
		freeReplyObject(r);
		return (USAGE_FAILED);
	}
	state = usage_num(r->element[0]);
	which = usage_num(r->element[1]);
	o->limit = which == 2 ? QUOTA_INGEST_DOCS
	    : which == 3      ? QUOTA_STORAGE_BYTES
			      : QUOTA_INGEST_BYTES;
	o->before = usage_num(r->element[2]);
	o->after = usage_num(r->element[3]);
	o->max = usage_num(r->element[4]);
	freeReplyObject(r);
	switch (state) {
	case 1:
		return (USAGE_ADMITTED);
	case 0:
		return (USAGE_REFUSED);
	case -2:
		return (USAGE_NO_STORED);
	default:
		return (USAGE_NO_LIMITS);
	}
}

enum usage_admit
usage_api_hit(const struct tenant_ctx *ctx, const char *day,
    const char *user_id, struct usage_outcome *o, char *err, size_t errlen)
{
	struct usage_request q;

	memset(&q, 0, sizeof(q));
	q.read_purpose = "usage:none"; /* nothing to read */
	q.count = true;
	q.day = day;
	q.user_id = user_id;
	if (!usage_request_state(ctx, &q, err, errlen))
		return (USAGE_FAILED);
	mem_free(q.value);
	*o = q.outcome;
	return (q.admit);
}

bool
usage_ingest_refund(const struct tenant_ctx *ctx, const char *day, long bytes,
    char *err, size_t errlen)
{
	char        limits[USAGE_KEY_MAX], counters[USAGE_KEY_MAX], n[24];
	const char *argv[4];
	redisReply *r;

	if (bytes <= 0)
		return (true);
	if (!usage_day_keys(ctx, day, limits, counters, err, errlen))
		return (false);
	snprintf(n, sizeof(n), "%ld", -bytes);
	argv[0] = "HINCRBY";
	argv[1] = counters;
	argv[2] = "ingested_bytes";
	argv[3] = n;
	if ((r = usage_cmd(err, errlen, 4, argv)) == NULL)
		return (false);
	freeReplyObject(r);
	return (true);
}

bool
usage_docs_add(const struct tenant_ctx *ctx, const char *day, long docs,
    const char *once, long *after, bool *counted, char *err, size_t errlen)
{
	char        limits[USAGE_KEY_MAX], counters[USAGE_KEY_MAX];
	char        marker[USAGE_KEY_MAX], n[24], ttl[24];
	const char *argv[8];
	redisReply *r;
	bool        ok;

	*after = 0;
	*counted = false;
	if (!usage_day_keys(ctx, day, limits, counters, err, errlen) ||
	    !usage_key(ctx, marker, err, errlen, "usage:counted:%s",
		once != NULL ? once : "-"))
		return (false);
	snprintf(n, sizeof(n), "%ld", docs < 0 ? 0 : docs);
	snprintf(ttl, sizeof(ttl), "%ld", USAGE_DAY_TTL_S);
	argv[2] = "2";
	argv[3] = counters;
	argv[4] = marker;
	argv[5] = n;
	argv[6] = ttl;
	argv[7] = once != NULL ? "1" : "0";
	if ((r = usage_eval(&usage_docs_script, 8, argv, err, errlen)) == NULL)
		return (false);
	ok = r->type == REDIS_REPLY_ARRAY && r->elements == 2;
	if (ok) {
		*counted = usage_num(r->element[0]) == 1;
		*after = usage_num(r->element[1]);
	} else {
		snprintf(err, errlen, "unexpected answer of the usage script");
	}
	freeReplyObject(r);
	return (ok);
}

/* ---- reading ----------------------------------------------------------- */

bool
usage_stored_put(const struct tenant_ctx *ctx, long bytes, long ttl_s,
    char *err, size_t errlen)
{
	char key[USAGE_KEY_MAX], n[24];

	if (!usage_key(ctx, key, err, errlen, "usage:stored"))
		return (false);
	snprintf(n, sizeof(n), "%ld", bytes);
	return (usage_set(key, n, ttl_s, false, NULL, err, errlen));
}

bool
usage_stored_get(
    const struct tenant_ctx *ctx, long *bytes, char *err, size_t errlen)
{
	char key[USAGE_KEY_MAX], v[24];

	*bytes = -1;
	if (!usage_key(ctx, key, err, errlen, "usage:stored") ||
	    !usage_get(key, v, sizeof(v), err, errlen))
		return (false);
	if (v[0] != '\0')
		*bytes = strtol(v, NULL, 10);
	return (true);
}

bool
usage_day_read(const struct tenant_ctx *ctx, const char *day,
    struct usage_day *d, char *err, size_t errlen)
{
	char        limits[USAGE_KEY_MAX], counters[USAGE_KEY_MAX];
	char        users[USAGE_KEY_MAX];
	const char *argv[5];
	redisReply *r;

	memset(d, 0, sizeof(*d));
	if (!usage_day_keys(ctx, day, limits, counters, err, errlen) ||
	    !usage_key(ctx, users, err, errlen, "usage:%s:users", day))
		return (false);
	argv[0] = "HMGET";
	argv[1] = counters;
	argv[2] = "api_requests";
	argv[3] = "ingested_bytes";
	argv[4] = "ingested_docs";
	if ((r = usage_cmd(err, errlen, 5, argv)) == NULL)
		return (false);
	if (r->type == REDIS_REPLY_ARRAY && r->elements == 3) {
		d->present = r->element[0]->type == REDIS_REPLY_STRING ||
		    r->element[1]->type == REDIS_REPLY_STRING ||
		    r->element[2]->type == REDIS_REPLY_STRING;
		d->api_requests = usage_num(r->element[0]);
		d->ingested_bytes = usage_num(r->element[1]);
		d->ingested_docs = usage_num(r->element[2]);
	}
	freeReplyObject(r);
	argv[0] = "SCARD";
	argv[1] = users;
	if ((r = usage_cmd(err, errlen, 2, argv)) == NULL)
		return (false);
	d->active_users = usage_num(r);
	d->present = d->present || d->active_users > 0;
	freeReplyObject(r);
	return (true);
}

bool
usage_warn_once(const struct tenant_ctx *ctx, const char *day,
    enum quota_limit limit, int threshold, bool *first, char *err,
    size_t errlen)
{
	char key[USAGE_KEY_MAX];

	*first = false;
	if (!usage_key(ctx, key, err, errlen, "quota:warned:%s:%s:%d", day,
		quota_limit_name(limit), threshold))
		return (false);
	return (usage_set(key, "1", USAGE_DAY_TTL_S, true, first, err, errlen));
}

bool
usage_flushed_get(const struct tenant_ctx *ctx, const char *day, char *sig,
    size_t siglen, char *err, size_t errlen)
{
	char key[USAGE_KEY_MAX];

	sig[0] = '\0';
	return (usage_key(ctx, key, err, errlen, "usage:%s:flushed", day) &&
	    usage_get(key, sig, siglen, err, errlen));
}

bool
usage_flushed_put(const struct tenant_ctx *ctx, const char *day,
    const char *sig, char *err, size_t errlen)
{
	char key[USAGE_KEY_MAX];

	return (usage_key(ctx, key, err, errlen, "usage:%s:flushed", day) &&
	    usage_set(key, sig, USAGE_DAY_TTL_S, false, NULL, err, errlen));
}

bool
usage_flush_lock(
    const char *owner, long ttl_ms, bool *won, char *err, size_t errlen)
{
	/* Whole seconds are enough for a lock held minutes at most. */
	return (usage_set("p:usage:flush", owner, (ttl_ms + 999) / 1000, true,
	    won, err, errlen));
}

/* Releases the lock only when owner still holds it. */
static __thread struct usage_script usage_unlock_script = {
    "if redis.call('GET', KEYS[1]) == ARGV[1] then\n"
    "  return redis.call('DEL', KEYS[1])\n"
    "end\n"
    "return 0\n",
    ""};

bool
usage_flush_unlock(const char *owner, char *err, size_t errlen)
{
	const char *argv[5];
	redisReply *r;

	argv[2] = "1";
	argv[3] = "p:usage:flush";
	argv[4] = owner;
	if ((r = usage_eval(&usage_unlock_script, 5, argv, err, errlen)) ==
	    NULL)
		return (false);
	freeReplyObject(r);
	return (true);
}
