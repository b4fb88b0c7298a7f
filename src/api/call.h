/*
 * The life of one request as Vigie sees it: start time, trace context,
 * metrics and access log at the end, blocking work offloaded to task
 * threads (Kore tasks run by api/pool.c), and JSON answers.
 *
 * Every handler starts with api_call_begin(); the call lives in
 * req->hdlr_extra and is freed by Kore with the request.
 */
#ifndef VIGIE_API_CALL_H
#define VIGIE_API_CALL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <kore/kore.h>
#include <kore/http.h>
#include <kore/tasks.h>

#include "core/metrics.h"
#include "core/settings.h"
#include "core/trace.h"
#include "api/routes.h"

#define API_TASKS_MAX 4

struct api_task;

struct api_call {
	int              route;
	uint64_t         start_us;
	struct trace_ctx trace;
	int              ntasks;
	struct api_task *tasks[API_TASKS_MAX];
	void            *state; /* the handler's own */
	void (*state_free)(void *);
};

/* Set once per worker by app.c. */
extern const struct settings *api_settings;
extern struct metrics_table  *api_metrics;

struct api_call *api_call_begin(struct http_request *, enum route_id);

/*
 * Runs fn(arg) on a task thread; the handler is called again when it is
 * done. arg must stay valid until the request ends (keep it in state).
 */
void api_offload(
    struct http_request *, struct api_call *, void (*fn)(void *), void *arg);
bool api_offload_done(struct http_request *, struct api_call *);

bool api_method_or_respond(struct http_request *, int methods);
void api_respond_json(struct http_request *, int status, json_t *);
void api_respond_error(struct http_request *, int status, const char *code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
