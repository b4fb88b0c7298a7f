#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/later.h"
#include "common/log.h"
#include "store/cache.h"
#include "store/kv.h"

#define CACHE_KEY_MAX 96

static bool
cache_keys(const struct tenant_ctx *ctx, char gen[CACHE_KEY_MAX],
    char settling[CACHE_KEY_MAX], char *err, size_t errlen)
{
	if (!tenant_key(ctx, "gen", gen, CACHE_KEY_MAX) ||
	    !tenant_key(ctx, "gen_settling", settling, CACHE_KEY_MAX)) {
		snprintf(err, errlen, "invalid tenant key");
		return (false);
	}
	return (true);
}

bool
cache_gen_read(const struct tenant_ctx *ctx, long long *gen, bool *settling,
    char *err, size_t errlen)
{
	char        kgen[CACHE_KEY_MAX], kset[CACHE_KEY_MAX];
	const char *argv[3];
	redisReply *r;
	bool        ok;

	*gen = 0;
	*settling = false;
	if (!cache_keys(ctx, kgen, kset, err, errlen))
		return (false);
	argv[0] = "MGET";
	argv[1] = kgen;
	argv[2] = kset;
	if ((r = kv_commandv(3, argv, NULL, err, errlen)) == NULL)
		return (false);
	ok = r->type == REDIS_REPLY_ARRAY && r->elements == 2;
	if (!ok)
		snprintf(err, errlen, "unexpected MGET answer");
	else {
		if (r->element[0]->type == REDIS_REPLY_STRING)
			*gen = strtoll(r->element[0]->str, NULL, 10);
		*settling = r->element[1]->type == REDIS_REPLY_STRING;
	}
	freeReplyObject(r);
	return (ok);
}

bool
cache_gen_bump(const struct tenant_ctx *ctx, char *err, size_t errlen)
{
	char        kgen[CACHE_KEY_MAX], kset[CACHE_KEY_MAX], ms[24];
	const char *argv[5];
	redisReply *r;
	bool        ok;

	if (!cache_keys(ctx, kgen, kset, err, errlen))
		return (false);
	/* Settling first: a reader that sees the new generation sees it. */
	snprintf(ms, sizeof(ms), "%d", CACHE_SETTLE_MS);
	argv[0] = "SET";
	argv[1] = kset;
	argv[2] = "1";
	argv[3] = "PX";
	argv[4] = ms;
	if ((r = kv_commandv(5, argv, NULL, err, errlen)) == NULL)
		return (false);
	ok = r->type != REDIS_REPLY_ERROR;
	freeReplyObject(r);
	if (!ok)
		return (false);
	argv[0] = "INCR";
	argv[1] = kgen;
	if ((r = kv_commandv(2, argv, NULL, err, errlen)) == NULL)
		return (false);
	ok = r->type == REDIS_REPLY_INTEGER;
	if (!ok)
		snprintf(err, errlen, "INCR refused");
	freeReplyObject(r);
	if (ok)
		kv_changed(ctx->id);
	return (ok);
}

void
cache_logs_written(const struct tenant_ctx *ctx)
{
	char err[192];

	if (!cache_gen_bump(ctx, err, sizeof(err)))
		log_emit(LOG_LEVEL_WARNING, "cache", NULL,
		    json_pack("{s:s, s:s}", "tenant_id", ctx->id, "error", err),
		    "cache generation not bumped: answers may lag until "
		    "they expire");
}

/*
 * Local copies: the Kore worker keeps the last CACHE_LOCAL_N answers it
 * read (each at most CACHE_LOCAL_MAX bytes), shared by its task threads.
 * A copy is used only when Redis says, in the same round trip as always,
 * that the very key (same tenant, generation and hash) still exists: the
 * copy is then an answer Redis holds, and a hit moves a few bytes instead
 * of the whole answer.
 */
#define CACHE_LOCAL_N   64
#define CACHE_LOCAL_MAX (256 * 1024)

struct cache_local {
	char      prefix[CACHE_ANSWER_KEY_MAX]; /* t:<id>:cache:<kind>: */
	char      hash[72];
	long long gen;
	char     *text; /* NULL: a free slot */
	size_t    len;
	uint64_t  used;
};

static struct cache_local cache_locals[CACHE_LOCAL_N];
static pthread_mutex_t    cache_local_mu = PTHREAD_MUTEX_INITIALIZER;
static uint64_t           cache_local_clock;

/* The slot of (prefix, hash), or NULL. Called with the mutex held. */
static struct cache_local *
cache_local_find(const char *prefix, const char *hash)
{
	int i;

	for (i = 0; i < CACHE_LOCAL_N; i++)
		if (cache_locals[i].text != NULL &&
		    strcmp(cache_locals[i].hash, hash) == 0 &&
		    strcmp(cache_locals[i].prefix, prefix) == 0)
			return (&cache_locals[i]);
	return (NULL);
}

/* The generation of the local copy of (prefix, hash), or -1. */
long long
cache_local_gen(const char *prefix, const char *hash)
{
	struct cache_local *l;
	long long           gen;

	pthread_mutex_lock(&cache_local_mu);
	gen = (l = cache_local_find(prefix, hash)) != NULL ? l->gen : -1;
	pthread_mutex_unlock(&cache_local_mu);
	return (gen);
}

/* A new copy of the local text of (prefix, hash) at gen, or NULL. */
static char *
cache_local_take(
    const char *prefix, const char *hash, long long gen, size_t *len)
{
	struct cache_local *l;
	char               *text;

	text = NULL;
	pthread_mutex_lock(&cache_local_mu);
	if ((l = cache_local_find(prefix, hash)) != NULL && l->gen == gen) {
		if ((text = malloc(l->len + 1)) == NULL)
			abort();
		memcpy(text, l->text, l->len + 1);
		*len = l->len;
		l->used = ++cache_local_clock;
	}
	pthread_mutex_unlock(&cache_local_mu);
	return (text);
}

/*
 * Calls fn with the local text of (prefix, hash) if it is at gen, under
 * the lock (fn must be quick and must not come back here). False if none.
 */
bool
cache_local_use(const char *prefix, const char *hash, long long gen,
    void (*fn)(const char *, size_t, void *), void *arg)
{
	struct cache_local *l;
	bool                found;

	pthread_mutex_lock(&cache_local_mu);
	l = cache_local_find(prefix, hash);
	found = l != NULL && l->gen == gen;
	if (found) {
		l->used = ++cache_local_clock;
		fn(l->text, l->len, arg);
	}
	pthread_mutex_unlock(&cache_local_mu);
	return (found);
}

/* Keeps a copy of text at gen, in place of the least recently used. */
void
cache_local_keep(const char *prefix, const char *hash, long long gen,
    const char *text, size_t len)
{
	struct cache_local *l;
	char               *copy;
	int                 i;

	if (len > CACHE_LOCAL_MAX || strlen(prefix) >= sizeof(l->prefix) ||
	    strlen(hash) >= sizeof(l->hash))
		return;
	if ((copy = malloc(len + 1)) == NULL)
		abort();
	memcpy(copy, text, len);
	copy[len] = '\0';
	pthread_mutex_lock(&cache_local_mu);
	if ((l = cache_local_find(prefix, hash)) == NULL) {
		l = &cache_locals[0];
		for (i = 1; i < CACHE_LOCAL_N && l->text != NULL; i++)
			if (cache_locals[i].text == NULL ||
			    cache_locals[i].used < l->used)
				l = &cache_locals[i];
		snprintf(l->prefix, sizeof(l->prefix), "%s", prefix);
		snprintf(l->hash, sizeof(l->hash), "%s", hash);
	}
	free(l->text);
	l->text = copy;
	l->len = len;
	l->gen = gen;
	l->used = ++cache_local_clock;
	pthread_mutex_unlock(&cache_local_mu);
}

/*
 * Answers written after the request: cache_answer_put_later() queues a
 * copy and hands its SET to the process's background thread
 * (common/later.h; its Redis connection is its own, kv.c keeps one per
 * thread), so the answer that a miss computed is sent without waiting
 * for Redis to store it. Until the SET is done, the copy stays in the
 * pending list, where a look-up of this process finds it: it is the
 * answer Redis is about to hold under that very key, used only when
 * Redis gives the same generation in the same look-up, as for local
 * copies. Once stored, the text becomes the local copy, so that the
 * first hit does not fetch it back from Redis.
 */
struct cache_pending {
	struct cache_pending *next;
	char                  prefix[CACHE_ANSWER_KEY_MAX];
	char                  hash[72];
	long long             gen;
	long                  ttl_s;
	char                 *text;
	size_t                len;
};

static struct cache_pending *cache_pending_list;
static pthread_mutex_t       cache_pending_mu = PTHREAD_MUTEX_INITIALIZER;

/* SETs text under prefix<gen>:hash (the look-up script's key) for ttl_s. */
static bool
cache_answer_set(const char *prefix, long long gen, const char *hash,
    const char *text, size_t len, long ttl_s)
{
	char        key[CACHE_ANSWER_KEY_MAX + 96], ttl[24], err[192];
	const char *argv[5];
	size_t      lens[5];
	redisReply *r;
	bool        ok;

	if (!cache_answer_key_at(prefix, gen, hash, key, sizeof(key)))
		return (false);
	snprintf(ttl, sizeof(ttl), "%ld", ttl_s);
	argv[0] = "SET";
	argv[1] = key;
	argv[2] = text;
	argv[3] = "EX";
	argv[4] = ttl;
	lens[0] = 3;
	lens[1] = strlen(key);
	lens[2] = len;
	lens[3] = 2;
	lens[4] = strlen(ttl);
	if ((r = kv_commandv(5, argv, lens, err, sizeof(err))) == NULL)
		return (false);
	ok = r->type != REDIS_REPLY_ERROR;
	freeReplyObject(r);
	return (ok);
}

/*
 * Stores a pending answer, then drops it from the list and frees it.
 * Returns whether Redis took it.
 */
static void cache_pending_drop(struct cache_pending *);

static bool
cache_pending_write(struct cache_pending *e)
{
	bool stored;

	stored = cache_answer_set(
	    e->prefix, e->gen, e->hash, e->text, e->len, e->ttl_s);
	if (stored)
		cache_local_keep(e->prefix, e->hash, e->gen, e->text, e->len);
	cache_pending_drop(e);
	return (stored);
}

/* Takes a pending answer off the list and frees it. */
static void
cache_pending_drop(struct cache_pending *e)
{
	struct cache_pending **p;

	pthread_mutex_lock(&cache_pending_mu);
	for (p = &cache_pending_list; *p != NULL; p = &(*p)->next) {
		if (*p == e) {
			*p = e->next;
			break;
		}
	}
	pthread_mutex_unlock(&cache_pending_mu);
	free(e->text);
	free(e);
}

/* cache_pending_write() for the background thread. */
static void
cache_pending_store(void *arg)
{
	(void)cache_pending_write(arg);
}

/* A copy of the queued text of (prefix, hash) and its generation, or NULL. */
static char *
cache_pending_copy(
    const char *prefix, const char *hash, long long *gen, size_t *len)
{
	struct cache_pending *e, *last;
	char                 *text;

	text = NULL;
	last = NULL;
	pthread_mutex_lock(&cache_pending_mu);
	for (e = cache_pending_list; e != NULL && last == NULL; e = e->next)
		if (strcmp(e->hash, hash) == 0 &&
		    strcmp(e->prefix, prefix) == 0)
			last = e; /* the newest one queued (the list's head) */
	if (last != NULL) {
		if ((text = malloc(last->len + 1)) == NULL)
			abort();
		memcpy(text, last->text, last->len + 1);
		*len = last->len;
		*gen = last->gen;
	}
	pthread_mutex_unlock(&cache_pending_mu);
	return (text);
}

/*
 * ARGV[3] is the generation of the caller's local copy: when it is the
 * current one, only whether the key still exists comes back (1 or 0).
 */
static const char cache_lookup_lua[] =
    "local g = redis.call('GET', KEYS[1]) or '0'\n"
    "local s = redis.call('EXISTS', KEYS[2])\n"
    "local k = ARGV[1] .. g .. ':' .. ARGV[2]\n"
    "if g == ARGV[3] then return {g, s, redis.call('EXISTS', k)} end\n"
    "return {g, s, redis.call('GET', k)}\n";

bool
cache_answer_key_at(const char *prefix, long long gen, const char *hash,
    char *out, size_t outlen)
{
	int n;

	n = snprintf(out, outlen, "%s%lld:%s", prefix, gen, hash);
	return (n >= 0 && (size_t)n < outlen);
}

bool
cache_answer_key(const struct tenant_ctx *ctx, const char *kind, long long gen,
    const char *hash, char *out, size_t outlen)
{
	char prefix[CACHE_ANSWER_KEY_MAX];

	return (cache_answer_prefix(ctx, kind, prefix, sizeof(prefix)) &&
	    cache_answer_key_at(prefix, gen, hash, out, outlen));
}

bool
cache_answer_prefix(
    const struct tenant_ctx *ctx, const char *kind, char *out, size_t outlen)
{
	char purpose[48];

	snprintf(purpose, sizeof(purpose), "cache:%s:", kind);
	return (tenant_key(ctx, purpose, out, outlen));
}

bool
cache_answer_lookup(const struct tenant_ctx *ctx, const char *kind,
    const char *hash, long long *gen, bool *settling, char **text, size_t *len,
    char *err, size_t errlen)
{
	char        kgen[CACHE_KEY_MAX], kset[CACHE_KEY_MAX], held[24];
	char        prefix[CACHE_ANSWER_KEY_MAX], *queued;
	const char *argv[8];
	redisReply *r, *v;
	long long   qgen;
	size_t      qlen;
	bool        ok;

	*gen = 0;
	*settling = false;
	*text = NULL;
	*len = 0;
	if (!cache_keys(ctx, kgen, kset, err, errlen) ||
	    !cache_answer_prefix(ctx, kind, prefix, sizeof(prefix))) {
		snprintf(err, errlen, "invalid cache key");
		return (false);
	}
	snprintf(held, sizeof(held), "%lld", cache_local_gen(prefix, hash));
	/* Before Redis is asked: a write that lands meanwhile is then in
	 * one or the other. */
	qgen = -1;
	qlen = 0;
	queued = cache_pending_copy(prefix, hash, &qgen, &qlen);
	argv[0] = "EVAL";
	argv[1] = cache_lookup_lua;
	argv[2] = "2";
	argv[3] = kgen;
	argv[4] = kset;
	argv[5] = prefix;
	argv[6] = hash;
	argv[7] = held;
	if ((r = kv_commandv(8, argv, NULL, err, errlen)) == NULL) {
		free(queued);
		return (false);
	}
	ok = r->type == REDIS_REPLY_ARRAY && r->elements == 3 &&
	    r->element[0]->type == REDIS_REPLY_STRING &&
	    r->element[1]->type == REDIS_REPLY_INTEGER;
	if (!ok) {
		snprintf(err, errlen, "unexpected cache look-up answer");
		freeReplyObject(r);
		free(queued);
		return (false);
	}
	*gen = strtoll(r->element[0]->str, NULL, 10);
	*settling = r->element[1]->integer != 0;
	v = r->element[2];
	if (v->type == REDIS_REPLY_INTEGER && v->integer == 1) {
		*text = cache_local_take(prefix, hash, *gen, len);
	} else if (v->type == REDIS_REPLY_STRING && v->len > 0) {
		if ((*text = malloc(v->len + 1)) == NULL)
			abort();
		memcpy(*text, v->str, v->len);
		(*text)[v->len] = '\0';
		*len = v->len;
		cache_local_keep(prefix, hash, *gen, *text, *len);
	}
	if (*text == NULL && queued != NULL && qgen == *gen) {
		*text = queued; /* about to be in Redis under this very key */
		*len = qlen;
		queued = NULL;
	}
	free(queued);
	freeReplyObject(r);
	return (true);
}

/*
 * The answer at gen, when the caller already knows (one Redis round trip
 * earlier, api/fast.c) that Redis had none: only a write this process
 * has queued and not done yet. *text is NULL when there is none.
 */
bool
cache_answer_known(const struct tenant_ctx *ctx, const char *kind,
    const char *hash, long long gen, char **text, size_t *len)
{
	char      prefix[CACHE_ANSWER_KEY_MAX];
	long long qgen;

	*text = NULL;
	*len = 0;
	if (!cache_answer_prefix(ctx, kind, prefix, sizeof(prefix)))
		return (false);
	qgen = -1;
	*text = cache_pending_copy(prefix, hash, &qgen, len);
	if (*text != NULL && qgen != gen) {
		free(*text);
		*text = NULL;
	}
	/* Not the local copy: Redis has no such key, so neither may we. */
	return (true);
}

bool
cache_answer_put_later(const struct tenant_ctx *ctx, const char *kind,
    long long gen, const char *hash, const char *text, size_t len, long ttl_s,
    bool may_wait)
{
	struct cache_pending *e;

	e = calloc(1, sizeof(*e));
	if (e == NULL || (e->text = malloc(len + 1)) == NULL)
		abort();
	if (!cache_answer_prefix(ctx, kind, e->prefix, sizeof(e->prefix)) ||
	    strlen(hash) >= sizeof(e->hash)) {
		free(e->text);
		free(e);
		return (false);
	}
	snprintf(e->hash, sizeof(e->hash), "%s", hash);
	memcpy(e->text, text, len);
	e->text[len] = '\0';
	e->len = len;
	e->gen = gen;
	e->ttl_s = ttl_s;
	pthread_mutex_lock(&cache_pending_mu);
	e->next = cache_pending_list;
	cache_pending_list = e;
	pthread_mutex_unlock(&cache_pending_mu);
	if (later_run(cache_pending_store, e))
		return (true);
	/* The background thread is busy or missing: stored before the
	 * answer goes, or not at all when the caller may not wait. */
	if (may_wait)
		return (cache_pending_write(e));
	cache_pending_drop(e);
	return (false);
}
