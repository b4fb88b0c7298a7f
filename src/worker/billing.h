/*
 * Periodic tenant jobs of billing: closing months into invoices
 * ("billing-close") and applying retention ("retention"). Without a
 * "tenant_id", a job fans out: it pushes one job per tenant, so that one
 * tenant's failure is retried alone.
 *
 *   {"type":"billing-close"[, "tenant_id"][, "period":"YYYY-MM"]}
 *       period defaults to the month before the current one
 *   {"type":"retention"[, "tenant_id"]}
 */
#ifndef VIGIE_WORKER_BILLING_H
#define VIGIE_WORKER_BILLING_H

#include <stddef.h>

#include <jansson.h>

#include "worker/jobs.h"

enum job_result job_billing_close(json_t *job, char *reason, size_t len);
enum job_result job_retention(json_t *job, char *reason, size_t len);

#endif
