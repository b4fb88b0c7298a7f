#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "core/mem.h"
#include "service/account.h"
#include "store/es.h"
#include "store/queue.h"
#include "worker/billing.h"
#include "worker/alerts.h"
#include "worker/ingest.h"
#include "worker/jobs.h"
#include "worker/usage_flush.h"
#include "worker/notify.h"

/* Checks Elasticsearch from the worker's side and logs what it sees. */
static enum job_result
job_probe(json_t *job, char *reason, size_t len)
{
	struct dep_check dc;

	(void)job;
	memset(&dc, 0, sizeof(dc));
	es_check(&dc, 2000);
	json_decref(dc.details);
	if (dc.state == DEP_DOWN) {
		snprintf(reason, len, "elasticsearch: %s", dc.error);
		return (JOB_RETRY);
	}
	log_emit(LOG_LEVEL_INFO, "worker.probe", NULL,
	    json_pack("{s:f}", "latency_ms", dc.latency_ms),
	    "probe job: elasticsearch answered");
	return (JOB_DONE);
}

/*
 * A doorbell for a tenant's queue: take one job from it and run it. Jobs
 * left by dead workers in that tenant's work-in-progress lists go back
 * to the queue first.
 */
static enum job_result
job_tenant_queue(json_t *job, char *reason, size_t len)
{
	struct tenant_ctx ctx;
	enum job_result   res;
	const char       *tid, *queue, *file_id;
	json_t           *inner;
	char              err[256];
	char             *text;
	bool              found;

	tid = json_string_value(json_object_get(job, "tenant_id"));
	queue = json_string_value(json_object_get(job, "queue"));
	if (tid == NULL || queue == NULL || strcmp(queue, "ingest") != 0) {
		snprintf(
		    reason, len, "tenant-queue job without tenant or queue");
		return (JOB_DEAD);
	}
	if (!account_tenant_load(tid, &ctx, &found, err, sizeof(err))) {
		snprintf(reason, len, "tenant look-up: %s", err);
		return (JOB_RETRY);
	}
	if (!found)
		return (JOB_DONE); /* the tenant is gone: nothing to do */
	(void)queue_tenant_recover(
	    &ctx, queue, jobs_worker_id, err, sizeof(err));
	text = queue_tenant_take(&ctx, queue, jobs_worker_id, err, sizeof(err));
	if (text == NULL) {
		if (err[0] == '\0')
			return (JOB_DONE); /* another worker took it */
		snprintf(reason, len, "redis: %s", err);
		return (JOB_RETRY);
	}
	inner = json_loads(text, 0, NULL);
	file_id = json_string_value(json_object_get(inner, "file_id"));
	if (file_id == NULL || !tenant_id_check(file_id)) {
		snprintf(reason, len, "malformed ingest job");
		res = JOB_DEAD;
	} else {
		res = ingest_file(&ctx, file_id, reason, len);
	}
	if (res == JOB_RETRY)
		(void)queue_tenant_retry(
		    &ctx, queue, jobs_worker_id, text, err, sizeof(err));
	else
		(void)queue_tenant_done(
		    &ctx, queue, jobs_worker_id, text, err, sizeof(err));
	json_decref(inner);
	mem_free(text);
	/* The doorbell itself is done either way: a retry rang anew. */
	return (res == JOB_RETRY ? JOB_DONE : res == JOB_DEAD ? JOB_DONE : res);
}

static const struct job_handler job_handlers[] = {
    {"probe", job_probe},
    {"tenant-queue", job_tenant_queue},
    {"usage-flush", usage_flush_job},
    {"billing-close", job_billing_close},
    {"retention", job_retention},
    {"notify", job_notify},
    {"alert-eval", alerts_job_eval},
    {"alert-calibrate", alerts_job_calibrate},
};

/*
 * Parses one job and runs its handler. Malformed jobs and unknown types
 * are JOB_DEAD with a reason: retrying them would never help.
 */
enum job_result
jobs_dispatch(const char *text, char *reason, size_t len)
{
	json_error_t    jerr;
	json_t         *job;
	const char     *type;
	enum job_result res;
	size_t          i;

	if ((job = json_loads(text, 0, &jerr)) == NULL) {
		snprintf(reason, len, "job is not JSON: %s", jerr.text);
		return (JOB_DEAD);
	}
	type = json_string_value(json_object_get(job, "type"));
	if (type == NULL) {
		json_decref(job);
		snprintf(reason, len, "job has no \"type\"");
		return (JOB_DEAD);
	}
	res = JOB_DEAD;
	snprintf(reason, len, "unknown job type \"%.64s\"", type);
	for (i = 0; i < sizeof(job_handlers) / sizeof(job_handlers[0]); i++) {
		if (strcmp(job_handlers[i].type, type) == 0) {
			reason[0] = '\0';
			res = job_handlers[i].run(job, reason, len);
			break;
		}
	}
	json_decref(job);
	return (res);
}
