/*
 * Searching a tenant's logs, independent of HTTP: the search itself
 * (with the answer cache), one log by id, the statistics, the CSV export,
 * and each user's history and saved searches (MongoDB "searches").
 *
 * Every read of logs goes to the tenant's alias vigie-t-<tenant id> and
 * nothing else, so another tenant's log is simply not found. Cached
 * answers live under t:<tenant id>:cache:<kind>:<generation>:<hash>
 * (see store/cache.h). Calls block on the stores: task threads only.
 */
#ifndef VIGIE_SERVICE_SEARCH_H
#define VIGIE_SERVICE_SEARCH_H

#include <stdbool.h>

#include <jansson.h>

#include "core/search_query.h"
#include "core/stats_query.h"
#include "core/tenant.h"
#include "store/es.h"

#define SEARCH_HISTORY_MAX 100 /* history entries kept per user */
#define SEARCH_SAVED_MAX   200 /* saved searches per user */

enum search_result {
	SEARCH_OK = 0,
	SEARCH_INVALID, /* bad input: field and message say why (400) */
	SEARCH_NOT_FOUND,
	SEARCH_LIMIT, /* too many saved searches (422) */
	SEARCH_UNAVAILABLE, /* a store failed */
};

/*
 * body (the answer on success) belongs to the caller; searches and stats
 * answer text instead (the JSON as sent, NUL-terminated, free()d by
 * search_outcome_clear), as cached answers are never parsed again.
 */
struct search_outcome {
	enum search_result result;
	json_t            *body;
	char              *text;
	size_t             text_len;
	long long          total; /* searches: the total of the answer */
	bool               cached; /* answered from the cache */
	char               field[32];
	char               message[256];
};

void search_outcome_clear(struct search_outcome *);

/* The search of p, answered from the cache when it can (ttl_s > 0). */
void search_logs(const struct tenant_ctx *, const struct search_params *,
    long ttl_s, const struct search_cache_hint *, struct search_outcome *);

/* Where an answer is cached: what the look-up found out. */
struct search_slot {
	const char *kind;
	char        hash[65];
	long long   gen;
	bool        store; /* a fresh answer may be stored there */
	bool        no_wait; /* never wait for Redis to store it */
};

/*
 * search_logs() in two halves around the Elasticsearch request, for a
 * caller that sends it itself without blocking (api/search_loop.c):
 * search_miss_begin() looks the answer up and builds the request (path,
 * body); it blocks on Redis only when hint does not say what the event
 * loop found. False when o is the outcome already (an answer found, bad
 * arguments); true when body (free()d by search_miss_end) is to be POSTed
 * to path and its answer handed to search_miss_end(): reached says
 * whether Elasticsearch was reached at all, r is its answer. With
 * slot.no_wait set, the answer's cache SET never runs on the caller's
 * thread (dropped when the background thread's queue is full).
 */
struct search_miss {
	struct search_slot slot;
	char               path[160];
	char              *body;
	size_t             body_len;
	uint64_t           start;
	/* defer: search_miss_end() keeps a copy of the answer to be cached
	 * (kept) instead of queueing its SET; search_miss_keep() queues it
	 * (after the answer is sent) and frees it. */
	bool   defer;
	char  *kept;
	size_t kept_len;
};

bool search_miss_begin(const struct tenant_ctx *, const struct search_params *,
    const struct search_cache_hint *, struct search_miss *,
    struct search_outcome *);
void search_miss_end(const struct tenant_ctx *, const struct search_params *,
    long ttl_s, struct search_miss *, bool reached, const struct es_response *,
    struct search_outcome *);
void
search_miss_keep(const struct tenant_ctx *, struct search_miss *, long ttl_s);
/*
 * The answer of the miss found in the cache after all, as text (len
 * bytes, copied): o the outcome of a hit, nothing to store. False when
 * the text is not one of ours.
 */
bool search_miss_cached(struct search_miss *, const char *text, size_t len,
    struct search_outcome *);

/* One log, with all its fields. Not found: another tenant's, or none. */
void search_log_get(
    const struct tenant_ctx *, const char *id, struct search_outcome *);

/* The statistics of p; files is counted in MongoDB. */
void search_stats(const struct tenant_ctx *, const struct stats_params *,
    int64_t now_ms, long ttl_s, const struct search_cache_hint *,
    struct search_outcome *);

/*
 * Writes the CSV of p's matches (header first, newest first unless p
 * says otherwise, at most max_rows rows) to fd, reading pages of hits
 * through a point in time with search_after: memory stays constant
 * whatever the number of rows. *rows is the number of rows written;
 * *truncated is set when more matched than max_rows.
 */
void search_export(const struct tenant_ctx *, const struct search_params *,
    long max_rows, int fd, long *rows, bool *truncated,
    struct search_outcome *);

/*
 * History (best effort: a failure is logged, the search still answers).
 * The entry is written by the background thread (common/later.h); when
 * its queue is full, here if may_wait, else not at all (an event loop's
 * search, api/search_loop.c: logged).
 */
void searches_record(const struct tenant_ctx *, const char *user_id,
    const struct search_params *, long long total, long now, bool may_wait);

/* kind: "history" or "saved"; newest first. */
void searches_list(const struct tenant_ctx *, const char *user_id,
    const char *kind, struct search_outcome *);
void
searches_save(const struct tenant_ctx *, const char *user_id, const char *name,
    const struct search_params *, long now, struct search_outcome *);
void searches_get(const struct tenant_ctx *, const char *user_id,
    const char *id, struct search_outcome *);
void searches_delete(const struct tenant_ctx *, const char *user_id,
    const char *id, struct search_outcome *);
void searches_clear_history(
    const struct tenant_ctx *, const char *user_id, struct search_outcome *);

#endif
