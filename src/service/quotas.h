/*
 * Quotas and metering, independent of HTTP: a tenant's effective limits
 * (plan + overrides from its record, cached in Redis), the admission of
 * an API request or an ingestion against them, the warnings at 80 % and
 * 95 %, the usage report, and the flush of the day's counters into
 * MongoDB usage_daily. Calls block on the stores: task thread or worker.
 */
#ifndef VIGIE_SERVICE_QUOTAS_H
#define VIGIE_SERVICE_QUOTAS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/quota.h"
#include "core/settings.h"
#include "core/tenant.h"
#include "store/usage.h"

#define QUOTAS_STORED_TTL_S 60 /* stored volume measured at most so often */
#define QUOTAS_HISTORY_MAX  366 /* days a usage report may span */

void quotas_configure(const struct settings *);
bool quotas_enabled(void);

/*
 * The tenant's effective limits: cached in Redis, else computed from its
 * record (plan, overrides) and the plan catalogue, then cached. False
 * with err when a store or the catalogue is unavailable.
 */
bool quotas_limits(
    const struct tenant_ctx *, struct quota_limits *, char *err, size_t errlen);
/* After a change of plan or overrides: the next request recomputes. */
void quotas_limits_changed(const struct tenant_ctx *);

enum quotas_verdict {
	QUOTAS_OK,
	QUOTAS_EXCEEDED, /* the outcome names the limit, usage and max */
	QUOTAS_UNAVAILABLE, /* a store failed: the caller decides */
};

/* One API request (the hot path: one Redis round trip when cached). */
enum quotas_verdict
quotas_api_request(const struct tenant_ctx *, const char *user_id, long now,
    struct usage_outcome *, char *err, size_t errlen);

/* A request admitted by authentication's count: warns at 80/95 %. */
void quotas_api_admitted(
    const struct tenant_ctx *, const struct usage_outcome *, long now);

/*
 * Before accepting bytes for ingestion: the stored volume, the day's
 * documents and the day's bytes. Admitted bytes are counted at once;
 * quotas_ingest_done() then counts the documents indexed and gives the
 * bytes back when nothing at all was accepted.
 */
enum quotas_verdict quotas_ingest_begin(const struct tenant_ctx *, long bytes,
    long now, struct usage_outcome *, char *err, size_t errlen);
void
quotas_ingest_done(const struct tenant_ctx *, long bytes, long docs, long now);
/* Documents of an uploaded file, counted once per file id. */
void quotas_file_docs(
    const struct tenant_ctx *, const char *file_id, long docs, long now);

/* Whether one more user fits; usage and max filled either way. */
enum quotas_verdict quotas_users_check(const struct tenant_ctx *, long users,
    long now, struct usage_outcome *, char *err, size_t errlen);

/*
 * A warning at threshold % of a limit: a record in MongoDB
 * "quota_warnings" and a "notify" job per notification channel, once per
 * tenant, limit, threshold and UTC day.
 */
void quotas_warn(const struct tenant_ctx *, enum quota_limit, int threshold,
    long used, long max, long now);

/* Bytes the tenant stores in Elasticsearch (cached QUOTAS_STORED_TTL_S). */
bool quotas_stored(const struct tenant_ctx *, bool fresh, long *bytes,
    char *err, size_t errlen);

/* GET /api/v1/usage: the body, or NULL with err. days: history span. */
json_t *quotas_report(
    const struct tenant_ctx *, long now, long days, char *err, size_t errlen);

/*
 * Writes the counters of yesterday and today into usage_daily for every
 * tenant (set, not add: running it twice changes nothing; a day whose
 * values did not change is not written again), with the bytes each
 * tenant stores, from two listings of Elasticsearch. One worker at a
 * time (a lock in Redis held by owner); tick (may be NULL) is called
 * between tenants, so a worker keeps its heartbeat. Returns the number of tenants
 * written (0 also when another worker holds the lock), -1 with err when
 * a store failed.
 */
long quotas_flush_all(
    const char *owner, long now, void (*tick)(void), char *err, size_t errlen);
bool quotas_flush_tenant(const struct tenant_ctx *, long now, long stored,
    bool *wrote, char *err, size_t errlen);

#endif
