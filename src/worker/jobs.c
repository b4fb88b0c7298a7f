#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "store/es.h"
#include "worker/jobs.h"

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

static const struct job_handler job_handlers[] = {
    {"probe", job_probe},
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
