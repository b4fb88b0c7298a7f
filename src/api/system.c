/*
 * Operational endpoints: /api/v1/ping, /health and /metrics.
 */
#include <string.h>
#include <time.h>

#include "api/call.h"
#include "core/health.h"
#include "core/mem.h"
#include "store/es.h"
#include "store/kv.h"
#include "store/metadb.h"

#ifndef VIGIE_VERSION
#define VIGIE_VERSION "0.0.0-dev"
#endif

int api_ping(struct http_request *);
int api_health(struct http_request *);
int api_metrics_page(struct http_request *);

int
api_ping(struct http_request *req)
{
	static const char pong[] = "{\"status\":\"ok\"}";

	(void)api_call_begin(req, ROUTE_PING);
	if (!api_method_or_respond(req, HTTP_METHOD_GET | HTTP_METHOD_HEAD))
		return (KORE_RESULT_OK);
	http_response_header(req, "content-type", "application/json");
	http_response(req, HTTP_STATUS_OK, pong, sizeof(pong) - 1);
	return (KORE_RESULT_OK);
}

/* The three checks run at once, each on its own task thread. */
struct health_state {
	struct dep_check check[3];
};

static void
health_state_free(void *arg)
{
	struct health_state *st = arg;
	int                  i;

	for (i = 0; i < 3; i++)
		json_decref(st->check[i].details);
	mem_free(st);
}

static void
health_check_es(void *arg)
{
	es_check(arg, api_settings->health_timeout_ms);
}

static void
health_check_mongo(void *arg)
{
	metadb_check(arg);
}

static void
health_check_redis(void *arg)
{
	kv_check(arg, api_settings->health_timeout_ms);
}

int
api_health(struct http_request *req)
{
	struct api_call     *call;
	struct health_state *st;
	json_t              *report;
	const char          *status;

	call = api_call_begin(req, ROUTE_HEALTH);
	if (call->state == NULL) {
		if (!api_method_or_respond(
			req, HTTP_METHOD_GET | HTTP_METHOD_HEAD))
			return (KORE_RESULT_OK);
		st = mem_calloc(1, sizeof(*st));
		call->state = st;
		call->state_free = health_state_free;
		api_offload(req, call, health_check_es, &st->check[0]);
		api_offload(req, call, health_check_mongo, &st->check[1]);
		api_offload(req, call, health_check_redis, &st->check[2]);
		return (KORE_RESULT_RETRY);
	}
	if (!api_offload_done(req, call))
		return (KORE_RESULT_RETRY);

	st = call->state;
	report = health_report(st->check, 3,
	    (double)api_settings->health_timeout_ms, VIGIE_VERSION,
	    (long)(time(NULL) - (time_t)api_metrics->started_unix));
	status = json_string_value(json_object_get(report, "status"));
	http_response_header(req, "cache-control", "no-store");
	api_respond_json(req,
	    strcmp(status, "down") == 0 ? HTTP_STATUS_SERVICE_UNAVAILABLE
					: HTTP_STATUS_OK,
	    report);
	return (KORE_RESULT_OK);
}

int
api_metrics_page(struct http_request *req)
{
	struct buf out;

	(void)api_call_begin(req, ROUTE_METRICS);
	if (!api_method_or_respond(req, HTTP_METHOD_GET))
		return (KORE_RESULT_OK);
	buf_init(&out, 16384);
	metrics_render(api_metrics, route_names, ROUTE_COUNT, &out);
	http_response_header(
	    req, "content-type", "text/plain; version=0.0.4; charset=utf-8");
	http_response(req, HTTP_STATUS_OK, out.data, out.len);
	buf_free(&out);
	return (KORE_RESULT_OK);
}
