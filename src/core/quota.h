/*
 * Quota arithmetic, pure: a tenant's effective limits (its plan's limits
 * with an administrator's overrides), what a counter may still admit,
 * the 80 % and 95 % warning thresholds, when a daily allowance resets,
 * and the error body a refused request gets.
 *
 * Volumes are bytes; a plan's "GB" is 10^9 bytes. A limit of 0 means
 * unlimited. Daily limits follow the UTC day.
 */
#ifndef VIGIE_CORE_QUOTA_H
#define VIGIE_CORE_QUOTA_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/plans.h"

#define QUOTA_GB              1000000000.0
#define QUOTA_DAY_S           86400L
#define QUOTA_DAY_LEN         11 /* "YYYY-MM-DD" and a NUL */
#define QUOTA_OVERRIDE_MAX    1e12 /* largest count an override sets */
#define QUOTA_OVERRIDE_GB_MAX 1e6 /* largest volume (GB), a petabyte */

enum quota_limit {
	QUOTA_API_REQUESTS = 0, /* requests per UTC day */
	QUOTA_INGEST_BYTES, /* bytes ingested per UTC day */
	QUOTA_INGEST_DOCS, /* documents ingested per UTC day */
	QUOTA_STORAGE_BYTES, /* bytes stored in Elasticsearch */
	QUOTA_USERS, /* members of the organization */
	QUOTA_COUNT
};

struct quota_limits {
	long max[QUOTA_COUNT]; /* 0: unlimited */
	long retention_days;
};

const char *quota_limit_name(enum quota_limit);
bool        quota_limit_daily(enum quota_limit);

/* Plan limits with overrides applied, then in bytes and counts. */
void quota_limits_of(const struct plan_limits *plan, const json_t *overrides,
    struct quota_limits *out);

/*
 * Checks a patch of overrides: an object whose keys are plan limit names
 * (users, storage_gb, ingest_gb_per_day, ingest_docs_per_day,
 * api_requests_per_day, retention_days) and whose values are
 * non-negative numbers (whole numbers except the *_gb ones), or null to
 * drop an override. Returns false with the offending key in field.
 */
bool quota_overrides_check(const json_t *patch, char *field, size_t fieldlen,
    char *why, size_t whylen);

/* current with patch applied (null removes a key). Caller owns it. */
json_t *quota_overrides_apply(const json_t *current, const json_t *patch);

/* Whether used + add stays within max (equal to it passes). */
bool quota_admits(long used, long add, long max);

/* Whole percent of max used (may pass 100); 0 when unlimited. */
long quota_percent(long used, long max);

/*
 * The highest warning threshold (95 or 80) that a counter passed in
 * going from before to after, or 0. Passing means before was under
 * threshold % of max and after is at or over it, so exactly one step
 * of a counter crosses each threshold.
 */
int quota_threshold_crossed(long before, long after, long max);

/* The highest threshold (95 or 80) that used has reached, or 0. */
int quota_threshold_reached(long used, long max);

/* Start of the UTC day holding now, the next one, and its date. */
long quota_day_start(long now);
long quota_reset_at(long now);
void quota_day(long when, char out[QUOTA_DAY_LEN]);

/* Seconds until the next reset (Retry-After), at least 1. */
long quota_retry_after(long now);

/*
 * {"error":{"code":"quota_exceeded","message","limit","usage","max",
 * "resets_at"}}: resets_at is the ISO 8601 time of the reset for a daily
 * limit, null otherwise. Caller owns it.
 */
json_t *quota_error_body(enum quota_limit, long usage, long max, long now);

/* The warning text of a threshold, e.g. for a banner or a notification. */
void quota_warning_text(enum quota_limit, int threshold, long used, long max,
    char *out, size_t outlen);

#endif
