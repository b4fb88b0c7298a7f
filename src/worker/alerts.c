#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "core/text.h"
#include "service/account.h"
#include "service/alerting.h"
#include "store/metadb.h"
#include "worker/alerts.h"

long
alerts_tick_s(void)
{
	return (jobs_settings->alert_tick_s);
}

/*
 * One tick of alert evaluation. A tenant_id in the job limits it to that
 * tenant (what the API's tests and tools use); otherwise every active
 * tenant is visited. Rules are claimed one by one, so several workers
 * running ticks at once share the work without evaluating a rule twice.
 */
enum job_result
alerts_job_eval(json_t *job, char *reason, size_t len)
{
	struct tenant_ctx ctx;
	const char       *tid;
	char              err[256];
	bool              found;
	int               n;

	tid = json_string_value(json_object_get(job, "tenant_id"));
	err[0] = '\0';
	if (tid != NULL) {
		if (!tenant_id_check(tid)) {
			snprintf(reason, len, "alert-eval: bad tenant_id");
			return (JOB_DEAD);
		}
		if (!account_tenant_load(tid, &ctx, &found, err, sizeof(err))) {
			snprintf(reason, len, "tenant look-up: %s", err);
			return (JOB_RETRY);
		}
		if (!found || !ctx.active)
			return (JOB_DONE);
		n = alert_eval_due(&ctx, (long)time(NULL), err, sizeof(err));
	} else {
		n = alert_eval_all(
		    (long)time(NULL), jobs_worker_id, err, sizeof(err));
	}
	if (n < 0) {
		/* The next tick tries again; retrying this one adds nothing. */
		log_emit(LOG_LEVEL_WARNING, "worker.alerts", NULL,
		    json_pack("{s:s}", "error", err),
		    "alert evaluation tick failed");
		return (JOB_DONE);
	}
	if (n > 0)
		log_emit(LOG_LEVEL_DEBUG, "worker.alerts", NULL,
		    json_pack("{s:i}", "rules", n), "alert rules evaluated");
	return (JOB_DONE);
}

/*
 * {"type":"alert-calibrate","tenant_id","calibration_id"}: runs the
 * calibration stored as pending in alert_calibrations and stores its
 * result (or its error) there.
 */
enum job_result
alerts_job_calibrate(json_t *job, char *reason, size_t len)
{
	struct alerting_outcome o;
	struct tenant_ctx       ctx;
	enum metadb_status      st;
	const char             *tid, *cid;
	json_t                 *filter, *doc, *p, *set;
	char                    err[256], at[32];
	bool                    found;
	long                    matched;

	tid = json_string_value(json_object_get(job, "tenant_id"));
	cid = json_string_value(json_object_get(job, "calibration_id"));
	if (tid == NULL || cid == NULL || !tenant_id_check(tid) ||
	    !alerting_id_check(cid)) {
		snprintf(reason, len, "alert-calibrate: bad ids");
		return (JOB_DEAD);
	}
	if (!account_tenant_load(tid, &ctx, &found, err, sizeof(err))) {
		snprintf(reason, len, "tenant look-up: %s", err);
		return (JOB_RETRY);
	}
	if (!found)
		return (JOB_DONE);
	filter = json_pack("{s:s}", "id", cid);
	doc = metadb_find_one(
	    &ctx, "alert_calibrations", filter, &st, err, sizeof(err));
	if (doc == NULL) {
		json_decref(filter);
		if (st == METADB_NOT_FOUND)
			return (JOB_DONE);
		snprintf(reason, len, "mongodb: %s", err);
		return (JOB_RETRY);
	}
	p = json_object_get(doc, "params");
	alert_analytics_calibrate(&ctx,
	    (long)json_integer_value(json_object_get(p, "history_s")),
	    (long)json_integer_value(json_object_get(p, "window_s")),
	    json_number_value(json_object_get(p, "target")),
	    json_number_value(json_object_get(p, "fit_share")),
	    (long)json_integer_value(json_object_get(p, "min_volume")),
	    json_object_get(p, "query"),
	    (long)json_integer_value(json_object_get(p, "now")), &o);
	text_iso8601((long)time(NULL), at, sizeof(at));
	if (o.result == ALERTING_OK)
		set = json_pack("{s:s, s:O, s:s}", "status", "done", "result",
		    o.body, "finished_at", at);
	else
		set = json_pack("{s:s, s:s, s:s}", "status", "failed", "error",
		    o.message, "finished_at", at);
	(void)metadb_update(&ctx, "alert_calibrations", filter, set, &matched,
	    err, sizeof(err));
	json_decref(set);
	json_decref(filter);
	json_decref(doc);
	alerting_outcome_clear(&o);
	return (JOB_DONE);
}
