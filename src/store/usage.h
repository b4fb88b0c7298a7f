/*
 * Usage counters and quota state in Redis, always under the tenant's
 * prefix:
 *
 *   t:<id>:quota:limits        hash, the effective limits (cached, TTL)
 *   t:<id>:usage:<day>         hash: api_requests, ingested_bytes,
 *                              ingested_docs of one UTC day (kept 3 days)
 *   t:<id>:usage:<day>:users   set of the users active that day
 *   t:<id>:usage:stored        bytes stored in Elasticsearch (cached)
 *   t:<id>:usage:counted:<id>  marks a file whose documents were counted
 *   t:<id>:quota:warned:<day>:<limit>:<threshold>   a warning was sent
 *
 * Admission is one Lua script per call, so concurrent callers can never
 * both take the last unit of an allowance. Calls block: run them on a
 * task thread or in the worker.
 */
#ifndef VIGIE_STORE_USAGE_H
#define VIGIE_STORE_USAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/quota.h"
#include "core/tenant.h"

#define USAGE_DAY_TTL_S    (3 * 86400L)
#define USAGE_LIMITS_TTL_S 3600L

enum usage_admit {
	USAGE_ADMITTED,
	USAGE_REFUSED, /* a limit is reached; the outcome says which */
	USAGE_NO_LIMITS, /* limits not cached: fill them, then call again */
	USAGE_NO_STORED, /* stored volume not cached: measure, call again */
	USAGE_FAILED, /* Redis unavailable */
};

/* What a call admitted or refused, with the counts around it. */
struct usage_outcome {
	enum quota_limit limit; /* the one refused, or the one counted */
	long             before; /* that counter before the call */
	long             after; /* and after (== before when refused) */
	long             max; /* its limit, 0: unlimited */
};

bool usage_limits_put(const struct tenant_ctx *, const struct quota_limits *,
    char *err, size_t errlen);
bool usage_limits_get(const struct tenant_ctx *, struct quota_limits *,
    bool *found, char *err, size_t errlen);
bool usage_limits_forget(const struct tenant_ctx *, char *err, size_t errlen);

/*
 * Counts one API request of the day and admits it when the count stays
 * within the limit; a refused request is not counted. user_id (may be
 * NULL) joins the day's active users when admitted.
 */
enum usage_admit usage_api_hit(const struct tenant_ctx *, const char *day,
    const char *user_id, struct usage_outcome *, char *err, size_t errlen);

/*
 * The Redis state one authenticated request needs, in one call: a cached
 * record (GET of t:<id>:<read_purpose>), whether a flag exists (EXISTS of
 * t:<id>:<flag_purpose>, e.g. a revoked token; NULL: none) and, with
 * count, the request counted and admitted like usage_api_hit() (not
 * counted when the flag is set). Authentication uses it so that the
 * quota rides on a round trip it makes anyway.
 */
#define USAGE_KEY_MAX 320

/*
 * Lua that counts one API request of the day, shared by the scripts that
 * take the count along with their own reads (usage_request_state() and
 * store/hit.c). It defines api_count(), which expects KEYS[3] the limits,
 * KEYS[4] the day's counters, KEYS[5] the day's users, ARGV[3] a user id
 * (or '') and ARGV[4] the counters' TTL, and returns state (1 admitted,
 * 0 refused, -1 limits not cached), before, after and max.
 */
#define USAGE_LUA_API_COUNT \
	"local function api_count()\n" \
	"  local lim = redis.call('HGET', KEYS[3], 'api_requests')\n" \
	"  if not lim then return -1, 0, 0, 0 end\n" \
	"  lim = tonumber(lim)\n" \
	"  local n = redis.call('HINCRBY', KEYS[4], 'api_requests', 1)\n" \
	"  if lim > 0 and n > lim then\n" \
	"    redis.call('HINCRBY', KEYS[4], 'api_requests', -1)\n" \
	"    return 0, n - 1, n - 1, lim\n" \
	"  end\n" \
	"  if n == 1 then redis.call('EXPIRE', KEYS[4], ARGV[4]) end\n" \
	"  if ARGV[3] ~= '' and redis.call('SADD', KEYS[5], ARGV[3]) == 1 " \
	"then\n" \
	"    redis.call('EXPIRE', KEYS[5], ARGV[4])\n" \
	"  end\n" \
	"  return 1, n - 1, n, lim\n" \
	"end\n"

/* The keys of the request count of a day: limits, counters, users. */
bool usage_request_keys(const struct tenant_ctx *, const char *day,
    char limits[USAGE_KEY_MAX], char counters[USAGE_KEY_MAX],
    char users[USAGE_KEY_MAX], char *err, size_t errlen);

struct usage_request {
	const char *read_purpose;
	const char *flag_purpose; /* may be NULL */
	bool        count;
	const char *day; /* with count */
	const char *user_id; /* with count; may be NULL */
	/* Out. */
	char                *value; /* the record, NULL if absent; mem_free() */
	bool                 flagged;
	enum usage_admit     admit; /* with count and not flagged */
	struct usage_outcome outcome;
};

bool usage_request_state(const struct tenant_ctx *, struct usage_request *,
    char *err, size_t errlen);
/*
 * Takes back one counted request (its authentication failed after). The
 * user, if any, stays among the day's active users: its token was
 * genuine.
 */
bool usage_api_refund(
    const struct tenant_ctx *, const char *day, char *err, size_t errlen);

/*
 * Before an ingestion of bytes: refused when the stored volume has
 * reached its limit, when the day's documents have reached theirs, or
 * when the bytes would take the day past its byte limit; otherwise the
 * bytes are counted at once (a reservation: see usage_ingest_refund).
 */
enum usage_admit
usage_ingest_reserve(const struct tenant_ctx *, const char *day, long bytes,
    struct usage_outcome *, char *err, size_t errlen);
bool usage_ingest_refund(const struct tenant_ctx *, const char *day, long bytes,
    char *err, size_t errlen);

/*
 * Adds documents ingested on day. With once (a file id), only the first
 * call for that id counts (a retried job does not count twice). *after
 * is the day's total, *counted false when once had already counted.
 */
bool usage_docs_add(const struct tenant_ctx *, const char *day, long docs,
    const char *once, long *after, bool *counted, char *err, size_t errlen);

bool usage_stored_put(const struct tenant_ctx *, long bytes, long ttl_s,
    char *err, size_t errlen);

struct usage_day {
	bool present; /* the day's counters exist */
	long api_requests;
	long ingested_bytes;
	long ingested_docs;
	long active_users;
};

bool usage_day_read(const struct tenant_ctx *, const char *day,
    struct usage_day *, char *err, size_t errlen);
/* Stored bytes as cached, -1 when not cached. */
bool usage_stored_get(
    const struct tenant_ctx *, long *bytes, char *err, size_t errlen);

/*
 * What the last flush wrote for a day (t:<id>:usage:<day>:flushed, a
 * signature of the values; "" when none), so an unchanged day is not
 * written again.
 */
bool usage_flushed_get(const struct tenant_ctx *, const char *day, char *sig,
    size_t siglen, char *err, size_t errlen);
bool usage_flushed_put(const struct tenant_ctx *, const char *day,
    const char *sig, char *err, size_t errlen);

/*
 * The platform-wide flush lock (p:usage:flush, expires after ttl_ms):
 * true in *won for the one caller that got it.
 */
bool usage_flush_lock(
    const char *owner, long ttl_ms, bool *won, char *err, size_t errlen);
bool usage_flush_unlock(const char *owner, char *err, size_t errlen);

/* True in *first for the first caller of (day, limit, threshold). */
bool usage_warn_once(const struct tenant_ctx *, const char *day,
    enum quota_limit, int threshold, bool *first, char *err, size_t errlen);

#endif
