/*
 * Quotas at the HTTP edge: the gate every authenticated request passes
 * (one API request counted against the day's allowance, on the task
 * thread after authentication) and the refusal a caller over a limit
 * gets. GET /api/v1/usage is in usage.c too.
 */
#ifndef VIGIE_API_USAGE_H
#define VIGIE_API_USAGE_H

#include <stdbool.h>

#include "api/serve.h"
#include "store/usage.h"

/* Whether this request counts as one of the day's API requests. */
bool api_quota_counts(const struct api_work *);

/* False after answering 429 when the day's API requests are used up. */
bool api_quota_gate(struct api_work *);

/*
 * Answers a refusal: 429 with Retry-After for a daily limit, 403 for
 * stored volume and users. es_style adds the fields Elasticsearch
 * clients read (type, reason, status) for /_bulk.
 */
void api_quota_refuse(
    struct api_work *, const struct usage_outcome *, bool es_style);

/*
 * Before ingesting bytes (/api/v1/ingest, /_bulk, uploads): false after
 * answering when a quota refuses them. *counted says whether the bytes
 * were counted, in which case the caller reports the documents accepted
 * with api_quota_ingest_done() (or 0 when nothing was).
 */
bool
api_quota_ingest(struct api_work *, long bytes, bool es_style, bool *counted);
void
api_quota_ingest_done(struct api_work *, bool counted, long bytes, long docs);

#endif
