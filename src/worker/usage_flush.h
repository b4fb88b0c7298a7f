/*
 * The "usage-flush" job: the day's usage counters of every tenant (Redis)
 * written into MongoDB usage_daily, yesterday's and today's, idempotently
 * (values set, never added). Scheduled periodically (worker/schedule.c).
 */
#ifndef VIGIE_WORKER_USAGE_FLUSH_H
#define VIGIE_WORKER_USAGE_FLUSH_H

#include <stddef.h>

#include "worker/jobs.h"

enum job_result usage_flush_job(json_t *job, char *reason, size_t len);

#endif
