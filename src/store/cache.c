#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "store/cache.h"
#include "store/kv.h"

#define CACHE_KEY_MAX        96
#define CACHE_ANSWER_KEY_MAX (TENANT_PURPOSE_MAX + 32)

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

static const char cache_lookup_lua[] =
    "local g = redis.call('GET', KEYS[1]) or '0'\n"
    "local s = redis.call('EXISTS', KEYS[2])\n"
    "local v = redis.call('GET', ARGV[1] .. g .. ':' .. ARGV[2])\n"
    "return {g, s, v}\n";

bool
cache_answer_lookup(const struct tenant_ctx *ctx, const char *kind,
    const char *hash, long long *gen, bool *settling, char **text, size_t *len,
    char *err, size_t errlen)
{
	char        kgen[CACHE_KEY_MAX], kset[CACHE_KEY_MAX];
	char        purpose[48], prefix[CACHE_ANSWER_KEY_MAX];
	const char *argv[7];
	redisReply *r, *v;
	bool        ok;

	*gen = 0;
	*settling = false;
	*text = NULL;
	*len = 0;
	snprintf(purpose, sizeof(purpose), "cache:%s:", kind);
	if (!cache_keys(ctx, kgen, kset, err, errlen) ||
	    !tenant_key(ctx, purpose, prefix, sizeof(prefix))) {
		snprintf(err, errlen, "invalid cache key");
		return (false);
	}
	argv[0] = "EVAL";
	argv[1] = cache_lookup_lua;
	argv[2] = "2";
	argv[3] = kgen;
	argv[4] = kset;
	argv[5] = prefix;
	argv[6] = hash;
	if ((r = kv_commandv(7, argv, NULL, err, errlen)) == NULL)
		return (false);
	ok = r->type == REDIS_REPLY_ARRAY && r->elements == 3 &&
	    r->element[0]->type == REDIS_REPLY_STRING &&
	    r->element[1]->type == REDIS_REPLY_INTEGER;
	if (!ok) {
		snprintf(err, errlen, "unexpected cache look-up answer");
		freeReplyObject(r);
		return (false);
	}
	*gen = strtoll(r->element[0]->str, NULL, 10);
	*settling = r->element[1]->integer != 0;
	v = r->element[2];
	if (v->type == REDIS_REPLY_STRING && v->len > 0) {
		if ((*text = malloc(v->len + 1)) == NULL)
			abort();
		memcpy(*text, v->str, v->len);
		(*text)[v->len] = '\0';
		*len = v->len;
	}
	freeReplyObject(r);
	return (true);
}

bool
cache_answer_put(const struct tenant_ctx *ctx, const char *purpose,
    const char *text, size_t len, long ttl_s, char *err, size_t errlen)
{
	char        key[CACHE_ANSWER_KEY_MAX], ttl[24];
	const char *argv[5];
	size_t      lens[5];
	redisReply *r;
	bool        ok;

	if (!tenant_key(ctx, purpose, key, sizeof(key))) {
		snprintf(err, errlen, "invalid cache key");
		return (false);
	}
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
	if ((r = kv_commandv(5, argv, lens, err, errlen)) == NULL)
		return (false);
	ok = r->type != REDIS_REPLY_ERROR;
	freeReplyObject(r);
	return (ok);
}
