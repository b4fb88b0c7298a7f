/*
 * Bare Kore 4.1 application used as the HTTP baseline for Vigie: one
 * handler answering the same bytes as Vigie's GET /api/v1/ping, with no
 * per-request state, no ids, no clock read and no metrics. Anything
 * Vigie's ping costs on top of this is Vigie's own per-request path.
 *
 * Built by bench/http_baseline/run.sh:
 *   cc -O2 -shared -fPIC $(cat /usr/share/kore/features) hello.c
 */
#include <kore/kore.h>
#include <kore/http.h>

int hello_ping(struct http_request *);

int
hello_ping(struct http_request *req)
{
	static const char pong[] = "{\"status\":\"ok\"}";

	http_response_header(req, "content-type", "application/json");
	http_response(req, HTTP_STATUS_OK, pong, sizeof(pong) - 1);
	return (KORE_RESULT_OK);
}
