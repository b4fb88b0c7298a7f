#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api/call.h"
#include "api/pool.h"
#include "common/env.h"
#include "common/log.h"
#include "core/mem.h"

struct api_task {
	struct kore_task task; /* first: the entry point casts */
	void (*fn)(void *);
	void *arg;
};

const struct settings *api_settings;
struct metrics_table  *api_metrics;

static void api_call_end(struct http_request *);
static int  api_task_entry(struct kore_task *);

/* Requests slower than this are logged even when access_log = errors. */
#define API_SLOW_US 1000000

/*
 * Kore 4.1 ignores Content-Length on GET, HEAD, DELETE and OPTIONS: such
 * a body would be read as the next request of a keep-alive connection (a
 * request smuggled past a proxy). The connection is closed after this
 * answer, so nothing after it is ever read.
 */
static void
api_call_guard_body(struct http_request *req)
{
	const char *v;

	if (!(req->method &
		(HTTP_METHOD_GET | HTTP_METHOD_HEAD | HTTP_METHOD_DELETE |
		    HTTP_METHOD_OPTIONS)))
		return;
	if ((http_request_header(req, "content-length", &v) &&
		strcmp(v, "0") != 0) ||
	    http_request_header(req, "transfer-encoding", &v))
		req->owner->flags |= CONN_CLOSE_EMPTY;
}

/*
 * Returns the request's call, creating it on the first entry into the
 * handler (a handler re-entered after a task keeps the same call).
 */
struct api_call *
api_call_begin(struct http_request *req, enum route_id route)
{
	struct api_call *call;
	const char      *tp;

	if (req->hdlr_extra != NULL)
		return (req->hdlr_extra);
	api_call_guard_body(req);
	call = kore_calloc(1, sizeof(*call));
	call->route = route;
	call->start_us = env_monotonic_us();
	if (!http_request_header(req, "traceparent", &tp) ||
	    !trace_parse(tp, &call->trace)) {
		env_id_hex(call->trace.trace_id, TRACE_ID_LEN / 2);
		call->trace.parent_id[0] = '\0';
		call->trace.flags = 0;
	}
	env_id_hex(call->trace.span_id, SPAN_ID_LEN / 2);
	req->hdlr_extra = call;
	req->onfree = api_call_end;
	metrics_inflight_add(api_metrics, 1);
	return (call);
}

static void
api_access_log(struct http_request *req, struct api_call *call, uint64_t us)
{
	long mode;

	mode = api_settings->access_log; /* 0 off, 1 errors, 2 all */
	if (mode == 0 || (mode == 1 && req->status < 400 && us < API_SLOW_US))
		return;
	log_emit(req->status >= 500 ? LOG_LEVEL_ERROR : LOG_LEVEL_INFO, "http",
	    call->trace.trace_id,
	    json_pack("{s:s, s:s, s:s, s:i, s:f}", "method",
		http_method_text(req->method), "path", req->path, "route",
		route_names[call->route], "status", req->status, "duration_ms",
		(double)us / 1000.0),
	    "%s %s %d", http_method_text(req->method), req->path, req->status);
}

/*
 * Kore's onfree hook. Kore calls it every time it tries to free the
 * request; while a task still runs we do nothing and wait for the next
 * try, since the task may still write into the handler's state.
 */
static void
api_call_end(struct http_request *req)
{
	struct api_call *call;
	uint64_t         us;
	int              i;

	call = req->hdlr_extra;
	for (i = 0; i < call->ntasks; i++) {
		if (!kore_task_finished(&call->tasks[i]->task))
			return;
	}
	for (i = 0; i < call->ntasks; i++) {
		kore_task_destroy(&call->tasks[i]->task);
		mem_free(call->tasks[i]);
	}
	call->ntasks = 0;
	us = env_monotonic_us() - call->start_us;
	metrics_record(api_metrics, call->route, req->status, us);
	metrics_inflight_add(api_metrics, -1);
	api_access_log(req, call, us);
	if (call->state_free != NULL && call->state != NULL)
		call->state_free(call->state);
	call->state = NULL;
	req->onfree = NULL;
}

static int
api_task_entry(struct kore_task *t)
{
	struct api_task *at;

	at = (struct api_task *)t;
	at->fn(at->arg);
	return (KORE_RESULT_OK);
}

void
api_offload(struct http_request *req, struct api_call *call, void (*fn)(void *),
    void *arg)
{
	struct api_task *at;

	if (call->ntasks >= API_TASKS_MAX)
		fatal("api_offload: more than %d tasks", API_TASKS_MAX);
	at = mem_calloc(1, sizeof(*at));
	at->fn = fn;
	at->arg = arg;
	call->tasks[call->ntasks++] = at;
	kore_task_create(&at->task, api_task_entry);
	kore_task_bind_request(&at->task, req);
	pool_run(&at->task); /* our threads, not Kore's (api/pool.h) */
	/* The finished task wakes the request up through the event loop. */
	http_request_sleep(req);
}

/*
 * True when every offloaded task has finished; otherwise puts the request
 * back to sleep so the handler returns KORE_RESULT_RETRY.
 */
bool
api_offload_done(struct http_request *req, struct api_call *call)
{
	int i;

	for (i = 0; i < call->ntasks; i++) {
		if (!kore_task_finished(&call->tasks[i]->task)) {
			http_request_sleep(req);
			return (false);
		}
	}
	return (true);
}

bool
api_method_or_respond(struct http_request *req, int methods)
{
	static const struct {
		int         bit;
		const char *name;
	} names[] = {{HTTP_METHOD_GET, "GET"}, {HTTP_METHOD_HEAD, "HEAD"},
	    {HTTP_METHOD_POST, "POST"}, {HTTP_METHOD_PUT, "PUT"},
	    {HTTP_METHOD_PATCH, "PATCH"}, {HTTP_METHOD_DELETE, "DELETE"},
	    {HTTP_METHOD_OPTIONS, "OPTIONS"}};
	char   allow[64];
	size_t i, off;

	if (req->method & methods)
		return (true);
	allow[0] = '\0';
	for (i = 0, off = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(methods & names[i].bit))
			continue;
		off += (size_t)snprintf(allow + off, sizeof(allow) - off,
		    "%s%s", off > 0 ? ", " : "", names[i].name);
		if (off >= sizeof(allow))
			break;
	}
	http_response_header(req, "allow", allow);
	api_respond_error(req, HTTP_STATUS_METHOD_NOT_ALLOWED,
	    "method_not_allowed", "%s is not allowed on %s",
	    http_method_text(req->method), req->path);
	return (false);
}

/* Sends body (stolen) as the JSON answer. */
void
api_respond_json(struct http_request *req, int status, json_t *body)
{
	struct api_call *call;
	char            *text;

	text = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(8));
	json_decref(body);
	call = req->hdlr_extra;
	if (call != NULL)
		http_response_header(req, "x-trace-id", call->trace.trace_id);
	http_response_header(
	    req, "content-type", "application/json; charset=utf-8");
	if (text == NULL) {
		http_response(req, 500, NULL, 0);
		return;
	}
	http_response(req, status, text, strlen(text));
	free(text);
}

void
api_respond_error(struct http_request *req, int status, const char *code,
    const char *fmt, ...)
{
	char    message[512];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	api_respond_json(req, status,
	    json_pack(
		"{s:{s:s, s:s}}", "error", "code", code, "message", message));
}
