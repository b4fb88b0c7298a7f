#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "core/invoice.h"
#include "service/account.h"
#include "service/billing.h"
#include "service/retention.h"
#include "store/metadb.h"
#include "store/queue.h"
#include "worker/billing.h"

/*
 * Pushes a copy of job with each tenant's id (active or suspended
 * tenants: a suspended one is still billed and still expires data).
 */
static enum job_result
billing_fan_out(json_t *job, char *reason, size_t len)
{
	enum metadb_status st;
	const char        *tid;
	json_t            *filter, *tenants, *t, *one;
	char               err[256], *text;
	size_t             i;
	bool               ok = true;

	filter =
	    json_pack("{s:{s:[s, s]}}", "status", "$in", "active", "suspended");
	tenants = metadb_platform_find(
	    "tenants", filter, NULL, 0, 0, &st, err, sizeof(err));
	json_decref(filter);
	if (st != METADB_OK) {
		json_decref(tenants);
		snprintf(reason, len, "tenants: %s", err);
		return (JOB_RETRY);
	}
	json_array_foreach(tenants, i, t)
	{
		if ((tid = json_string_value(json_object_get(t, "id"))) == NULL)
			continue;
		one = json_deep_copy(job);
		json_object_set_new(one, "tenant_id", json_string(tid));
		text = json_dumps(one, JSON_COMPACT);
		json_decref(one);
		if (text == NULL || !queue_push(text, err, sizeof(err)))
			ok = false;
		free(text);
	}
	log_emit(ok ? LOG_LEVEL_INFO : LOG_LEVEL_ERROR, "worker.billing", NULL,
	    json_pack("{s:O, s:I}", "type", json_object_get(job, "type"),
		"tenants", (json_int_t)json_array_size(tenants)),
	    "periodic job fanned out to tenants");
	json_decref(tenants);
	if (!ok) {
		/* Pushing again is harmless: both jobs are idempotent. */
		snprintf(reason, len, "queue: %s", err);
		return (JOB_RETRY);
	}
	return (JOB_DONE);
}

/*
 * The tenant a job is for. False when the job is over without running
 * for one, *res then says how: fanned out (no tenant_id), the tenant is
 * gone (done), a bad id (dead), or the look-up failed (retry).
 */
static bool
billing_job_tenant(json_t *job, struct tenant_ctx *ctx, enum job_result *res,
    char *reason, size_t len)
{
	const json_t *id = json_object_get(job, "tenant_id");
	char          err[256];
	bool          found;

	if (id == NULL) {
		*res = billing_fan_out(job, reason, len);
		return (false);
	}
	if (!tenant_id_check(json_string_value(id))) {
		snprintf(reason, len, "bad tenant_id");
		*res = JOB_DEAD;
		return (false);
	}
	if (!account_tenant_load(
		json_string_value(id), ctx, &found, err, sizeof(err))) {
		snprintf(reason, len, "tenant look-up: %s", err);
		*res = JOB_RETRY;
		return (false);
	}
	*res = JOB_DONE;
	return (found);
}

enum job_result
job_billing_close(json_t *job, char *reason, size_t len)
{
	struct billing_outcome o;
	struct invoice_period  p;
	struct tenant_ctx      ctx;
	enum job_result        res;
	const char            *period;
	long                   now = (long)time(NULL);

	period = json_string_value(json_object_get(job, "period"));
	if (period == NULL) {
		invoice_period_of(now, &p);
		invoice_period_prev(&p);
	} else if (!invoice_period_parse(period, &p)) {
		snprintf(reason, len, "bad period");
		return (JOB_DEAD);
	}
	if (!billing_job_tenant(job, &ctx, &res, reason, len))
		return (res);
	billing_close(&ctx, &p, now, &o);
	billing_outcome_clear(&o);
	switch (o.result) {
	case BILLING_OK:
	case BILLING_SKIPPED:
		return (JOB_DONE);
	case BILLING_UNAVAILABLE:
		snprintf(reason, len, "%s", o.message);
		return (JOB_RETRY);
	default:
		snprintf(reason, len, "%s", o.message);
		return (JOB_DEAD);
	}
}

enum job_result
job_retention(json_t *job, char *reason, size_t len)
{
	struct retention_report rep;
	struct tenant_ctx       ctx;
	enum job_result         res;
	char                    err[256];

	if (!billing_job_tenant(job, &ctx, &res, reason, len))
		return (res);
	if (!retention_run(&ctx, (long)time(NULL), &rep, err, sizeof(err))) {
		snprintf(reason, len, "retention: %s", err);
		return (JOB_RETRY);
	}
	return (JOB_DONE);
}
