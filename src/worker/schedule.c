#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "core/settings.h"
#include "store/queue.h"
#include "worker/alerts.h"
#include "worker/jobs.h"
#include "worker/schedule.h"

/* Delayed jobs moved to p:jobs per tick, at most. */
#define SCHEDULE_PROMOTE_MAX 500

static long
period_probe(void)
{
	return (jobs_settings->probe_interval_s);
}

static long
period_usage_flush(void)
{
	return (jobs_settings->usage_flush_s);
}

static long
period_billing_close(void)
{
	return (jobs_settings->billing_close_interval_s);
}

static long
period_retention(void)
{
	return (jobs_settings->retention_interval_s);
}

/* One line per periodic job; its handler is in jobs.c's table. */
static const struct schedule_entry schedule[] = {
    {"probe", period_probe},
    {"usage-flush", period_usage_flush},
    {"billing-close", period_billing_close},
    {"retention", period_retention},
    {"alert-eval", alerts_tick_s},
};

static void
schedule_warn(const char *what, const char *err)
{
	log_emit(LOG_LEVEL_WARNING, "worker.schedule", NULL,
	    json_pack("{s:s, s:s}", "job", what, "error", err),
	    "scheduling failed, trying again at the next tick");
}

/* Pushes the periodic jobs whose period has come; at most once a second. */
void
schedule_tick(void)
{
	static time_t last;
	char          err[256], job[160];
	time_t        now;
	size_t        i;
	long          period;
	int           won;

	now = time(NULL);
	if (now == last)
		return;
	last = now;
	if (queue_promote_due(SCHEDULE_PROMOTE_MAX, err, sizeof(err)) < 0)
		schedule_warn("delayed", err);
	for (i = 0; i < sizeof(schedule) / sizeof(schedule[0]); i++) {
		if ((period = schedule[i].period_s()) <= 0)
			continue;
		won = queue_schedule_claim(schedule[i].job_type, period * 1000,
		    jobs_worker_id, err, sizeof(err));
		if (won < 0) {
			schedule_warn(schedule[i].job_type, err);
			continue;
		}
		if (won == 0)
			continue;
		snprintf(job, sizeof(job),
		    "{\"type\":\"%s\",\"scheduled_at\":%ld}",
		    schedule[i].job_type, (long)now);
		if (!queue_push(job, err, sizeof(err)))
			schedule_warn(schedule[i].job_type, err);
	}
}
