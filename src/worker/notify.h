/* The "notify" job (src/worker/notify.c): one event to one channel. */
#ifndef VIGIE_WORKER_NOTIFY_H
#define VIGIE_WORKER_NOTIFY_H

#include <stddef.h>

#include <jansson.h>

#include "worker/jobs.h"

enum job_result job_notify(json_t *job, char *reason, size_t len);

#endif
