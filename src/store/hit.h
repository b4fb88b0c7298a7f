/*
 * A cached answer with everything its request needs, in one round trip.
 *
 * For a read whose answer may be in the cache (api/fast.c), one Lua
 * script reads the tenant's cached record, the caller's cached record
 * (a user or an API key) and its revocation flag, the tenant's cache
 * generation and the answer stored under it, and only when all of them
 * are there counts the request against the day's quota (the same Lua as
 * usage_request_state()). Anything missing, or the quota refusing, and
 * nothing is counted or changed: the request takes the ordinary path.
 *
 * This module only builds the keys and arguments and reads the reply;
 * the caller sends the script (on the event loop, api/redis_loop.c).
 * The keys are derived from the tenant id here, like every Redis key.
 */
#ifndef VIGIE_STORE_HIT_H
#define VIGIE_STORE_HIT_H

#include <stdbool.h>
#include <stddef.h>

#include <hiredis/hiredis.h>
#include <jansson.h>

#include "core/buf.h"
#include "store/cache.h"
#include "store/usage.h"

#define HIT_KEYS 8
#define HIT_ARGS 8

extern const char hit_lua[];

struct hit_query {
	const char *tenant_id;
	const char *principal; /* "user:<id>" or "apikey:<sha-256 hex>" */
	const char *jti; /* a token's id (its revocation flag), or NULL */
	const char *user_id; /* counted among the day's users, or NULL */
	bool        count; /* count the request against the quota */
	const char *day; /* YYYY-MM-DD, the quota's day */
	const char *kind; /* search, stats (auth: no answer to look for) */
	const char *hash; /* search_cache_hash() of the answer's request */
	bool        look; /* look for the answer, or only the caller */
};

/* The keys of a caller's requests of a day, for one kind of answer. */
struct hit_keys {
	char keys[HIT_KEYS][USAGE_KEY_MAX];
	char prefix[CACHE_ANSWER_KEY_MAX];
	bool flag; /* a revocation flag to look at */
};

/*
 * The reply. The records are the cached texts, pointing into the reply
 * (valid until it is freed); the answer is either in the reply too
 * (answer != NULL) or the caller's local copy at gen is current.
 */
struct hit_reply {
	const char *tenant, *who, *answer;
	size_t      tenant_len, who_len, answer_len;
	long long   gen;
	bool        found; /* the answer is there (or the local copy is) */
	bool        settling; /* the generation is settling */
	bool        counted;
	long        before, after, max; /* the day's count, when counted */
};

/* The costly part, which depends on who, the day and the kind only. */
bool hit_keys_build(const struct hit_query *, struct hit_keys *);

/*
 * The command (RESP, core/resp.h) in two parts: its head, the same for
 * all of a caller's requests of a day (EVALSHA of the script whose SHA-1
 * is sha, and its keys), then the arguments of one request; held is the
 * generation of the caller's local copy of the answer (-1: none).
 */
void hit_command_head(const struct hit_keys *, const char *sha, struct buf *);
void hit_command_tail(const struct hit_keys *, const struct hit_query *,
    long long held, struct buf *);

/*
 * Reads the script's reply: true when the records were found and, when
 * asked, the request counted (out->found says whether the answer was
 * too); false when the request must take the ordinary path. When true
 * and the records turn out not to allow the request, the caller gives a
 * counted request back (HINCRBY -1 on keys[3], the day's counters).
 */
bool hit_reply_read(const redisReply *, struct hit_reply *out);

#endif
