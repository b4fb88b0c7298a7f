/*
 * The alerting jobs of vigie-worker: "alert-eval" (pushed by the
 * schedule every VIGIE_ALERT_TICK_S; evaluates every rule whose time has
 * come, for every active tenant) and "alert-calibrate" (a threshold
 * calibration asked for through the API, stored for the API to show).
 */
#ifndef VIGIE_WORKER_ALERTS_H
#define VIGIE_WORKER_ALERTS_H

#include <stddef.h>

#include <jansson.h>

#include "worker/jobs.h"

enum job_result alerts_job_eval(json_t *job, char *reason, size_t len);
enum job_result alerts_job_calibrate(json_t *job, char *reason, size_t len);
long            alerts_tick_s(void);

#endif
