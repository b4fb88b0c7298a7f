/*
 * The dashboard's statistics (GET /api/v1/stats): the one aggregation
 * request sent to Elasticsearch and the answer shaped from its reply.
 * Pure: no I/O, unit-tested.
 *
 *   total      every log of the tenant
 *   today      logs since 00:00 UTC
 *   errors     ERROR and CRITICAL logs in [from, to)
 *   in_range   logs in [from, to)
 *   histogram  per interval in [from, to): count and errors
 *   levels, top_services (10), top_errors (the 10 most frequent messages
 *   among the STATS_ERROR_SAMPLE latest errors of the range: messages
 *   are analysed text, which Elasticsearch cannot count exactly)
 *   access     logs with an HTTP status: status classes per interval, top
 *              URL paths, response bytes and duration (ms) percentiles
 *              (null when no log has the field)
 */
#ifndef VIGIE_CORE_STATS_QUERY_H
#define VIGIE_CORE_STATS_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/search_query.h"

#define STATS_BUCKETS_MAX   1500 /* histogram buckets of one answer */
#define STATS_ERROR_SAMPLE  100 /* errors read for top_errors */
#define STATS_TOP_N         10
#define STATS_RANGE_DEFAULT "now-24h"

struct stats_params {
	int64_t from_ms, to_ms;
	char    from[SEARCH_TIME_TEXT_MAX + 1]; /* as given */
	char    to[SEARCH_TIME_TEXT_MAX + 1];
	int64_t interval_ms;
	char    interval[8]; /* "1m", "5m", "1h", "1d" */
};

/*
 * from (default now-24h), to (default now), interval (auto, 1m, 5m, 1h,
 * 1d; auto picks the finest with at most 300 buckets). False with err
 * set for bad values, from >= to, or more than STATS_BUCKETS_MAX
 * buckets.
 */
bool stats_params_from_args(const json_t *args, int64_t now_ms,
    struct stats_params *, struct search_error *);

/* The canonical description of a request, for its cache key. */
json_t *stats_params_to_json(const struct stats_params *);

/* What identifies the answer in the cache (search_cache_hash()). */
json_t *stats_cache_what(const struct stats_params *, int64_t now_ms);

/* The _search body (size 0, aggregations). now_ms gives "today". */
json_t *stats_body_build(const struct stats_params *, int64_t now_ms);

/*
 * The answer from Elasticsearch's reply (taken as read-only) and the
 * number of files (negative: unknown, null). Never fails: missing parts
 * of the reply read as zero.
 */
json_t *
stats_answer(const struct stats_params *, const json_t *reply, long long files);

#endif
