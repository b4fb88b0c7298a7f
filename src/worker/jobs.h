/*
 * The jobs vigie-worker knows, by type. A job is a JSON object with at
 * least "type"; each handler reads the rest.
 */
#ifndef VIGIE_WORKER_JOBS_H
#define VIGIE_WORKER_JOBS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

enum job_result {
	JOB_DONE, /* acknowledged */
	JOB_RETRY, /* left in processing; requeued later */
	JOB_DEAD, /* can never succeed: kept in p:jobs:dead */
};

struct job_handler {
	const char *type;
	enum job_result (*run)(json_t *job, char *reason, size_t len);
};

enum job_result jobs_dispatch(const char *text, char *reason, size_t len);

/*
 * Set by main: this worker's id and settings, and a beat to call during
 * long jobs.
 */
struct settings;
extern const char            *jobs_worker_id;
extern const struct settings *jobs_settings;
void                          jobs_tick(void);

#endif
