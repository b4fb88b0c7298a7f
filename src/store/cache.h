/*
 * The per-tenant generation of cached search and stats answers, in Redis.
 *
 * t:<tenant id>:gen counts the batches of logs written for the tenant;
 * every cache key of an answer holds the generation it was computed at
 * (search_cache_key()), so a bump makes every earlier answer unreachable
 * (they expire on their own, after their short TTL). Elasticsearch makes
 * new documents visible up to one refresh interval (1 s) after the write
 * that bumped the generation, so for CACHE_SETTLE_MS after a bump
 * t:<tenant id>:gen_settling exists and answers are not stored: an
 * answer computed before the refresh can never be cached under the new
 * generation.
 *
 * The answers are stored as the JSON text sent to clients, so a hit is
 * answered without parsing or serialising anything.
 */
#ifndef VIGIE_STORE_CACHE_H
#define VIGIE_STORE_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/tenant.h"

#define CACHE_SETTLE_MS      3000
#define CACHE_ANSWER_KEY_MAX (TENANT_PURPOSE_MAX + 32)

/* The generation (0 before any write) and whether it is settling. */
bool cache_gen_read(const struct tenant_ctx *, long long *gen, bool *settling,
    char *err, size_t errlen);

/* After logs were written for the tenant: a new generation. */
bool cache_gen_bump(const struct tenant_ctx *, char *err, size_t errlen);

/*
 * One round trip (a Lua script): the generation, whether it settles, and
 * the answer stored under t:<tenant id>:cache:<kind>:<gen>:<hash>, a new
 * string (free() it) of *len bytes or NULL on a miss. False with err set
 * when Redis failed.
 */
bool cache_answer_lookup(const struct tenant_ctx *, const char *kind,
    const char *hash, long long *gen, bool *settling, char **text, size_t *len,
    char *err, size_t errlen);

/*
 * The answer at gen that this process has queued for Redis and not
 * written yet, for a caller that knows Redis had none a moment ago.
 */
bool cache_answer_known(const struct tenant_ctx *, const char *kind,
    const char *hash, long long gen, char **text, size_t *len);

/*
 * Stores a copy of text (len bytes) for ttl_s under the key that
 * cache_answer_lookup() reads for (kind, gen, hash), after the caller
 * has moved on: the process's background thread (common/later.h) does
 * the SET, and until it has, a look-up of this process finds the queued
 * answer (for the generation Redis gives). When that thread's queue is
 * full or it could not start, the SET is done here if may_wait (not on
 * an event loop), else not at all. False when it could not be stored
 * (best effort: the next look-up misses).
 */
bool cache_answer_put_later(const struct tenant_ctx *, const char *kind,
    long long gen, const char *hash, const char *text, size_t len, long ttl_s,
    bool may_wait);

/* "t:<tenant id>:cache:<kind>:", to which "<gen>:<hash>" is added. */
bool cache_answer_prefix(
    const struct tenant_ctx *, const char *kind, char *out, size_t outlen);
/* The key of the answer at gen under prefix (false when out is short). */
bool cache_answer_key_at(const char *prefix, long long gen, const char *hash,
    char *out, size_t outlen);
/* The same from the tenant and the kind. */
bool cache_answer_key(const struct tenant_ctx *, const char *kind,
    long long gen, const char *hash, char *out, size_t outlen);

/*
 * The Kore worker's local copies of answers it read (shared by its task
 * threads and its event loop): the generation of the copy of (prefix,
 * hash) or -1; keeping a copy (the least recently used one makes room).
 */
long long cache_local_gen(const char *prefix, const char *hash);
void      cache_local_keep(const char *prefix, const char *hash, long long gen,
	 const char *text, size_t len);
/* Lends the local text at gen to fn, under the lock; false if none. */
bool cache_local_use(const char *prefix, const char *hash, long long gen,
    void (*fn)(const char *text, size_t len, void *arg), void *arg);

/* cache_gen_bump() for ingestion, which carries on if Redis fails: logged. */
void cache_logs_written(const struct tenant_ctx *);

#endif
