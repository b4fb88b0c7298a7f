#include <stdio.h>
#include <stdlib.h>

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
