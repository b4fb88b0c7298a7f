#include <stdio.h>
#include <time.h>

#include "common/log.h"
#include "service/quotas.h"
#include "worker/usage_flush.h"

enum job_result
usage_flush_job(json_t *job, char *reason, size_t len)
{
	char err[256];
	long n;

	(void)job;
	if ((n = quotas_flush_all(jobs_worker_id, (long)time(NULL), jobs_tick,
		 err, sizeof(err))) < 0) {
		snprintf(reason, len, "usage flush: %s", err);
		return (JOB_RETRY);
	}
	log_emit(LOG_LEVEL_DEBUG, "usage", NULL,
	    json_pack("{s:I}", "tenants", (json_int_t)n),
	    "usage counters flushed to usage_daily (tenants written)");
	return (JOB_DONE);
}
