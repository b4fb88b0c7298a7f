/*
 * "Expect: 100-continue" for Kore 4.1, which never answers it: a client
 * that waits for the interim answer before sending its body (curl does
 * for bodies over 1 MiB) would wait its own timeout on every upload —
 * one second for curl. A timer in each Kore worker answers "HTTP/1.1 100
 * Continue" to the requests whose headers are in and whose body has not
 * started (src/core/httpexpect.c decides which).
 */
#include <stdbool.h>
#include <stddef.h>

#include <kore/kore.h>
#include <kore/http.h>

#include "api/expect.h"
#include "core/httpexpect.h"

/* How often the waiting requests are looked for (ms): a client waits
 * that long at most instead of its timeout. Each tick wakes the worker:
 * every 5 ms cost an idle worker 0.3 % of a core, every 20 ms ~0.15 %. */
#define EXPECT_TICK_MS 20
/* Requests answered and still waiting for their body, remembered so as
 * to answer each once (a second 1xx would be harmless: RFC 9110, 15.2). */
#define EXPECT_KEPT 64

static const struct http_request *expect_answered[EXPECT_KEPT];
static size_t                     expect_n;

static bool
expect_was_answered(const struct http_request *req)
{
	size_t i;

	for (i = 0; i < expect_n; i++) {
		if (expect_answered[i] == req)
			return (true);
	}
	return (false);
}

/* Whether req, the oldest open request of its connection, waits for it. */
static bool
expect_waits(struct http_request *req)
{
	struct httpexpect_req r;
	const char           *value;

	if (req->flags & HTTP_REQUEST_DELETE)
		return (false);
	r.body_pending = (req->flags & HTTP_REQUEST_EXPECT_BODY) != 0;
	value = NULL;
	if (r.body_pending && !http_request_header(req, "expect", &value))
		value = NULL;
	r.expect = value;
	r.http11 = (req->flags & HTTP_VERSION_1_1) != 0;
	r.body_length = req->http_body_length;
	r.body_left = req->content_length;
	r.first = true;
	return (httpexpect_should_continue(&r));
}

static void
expect_tick(void *arg, u_int64_t now)
{
	static const char          reply[] = "HTTP/1.1 100 Continue\r\n\r\n";
	const struct http_request *kept[EXPECT_KEPT];
	struct http_request       *req;
	struct connection         *c, *next;
	size_t                     n;

	(void)arg;
	(void)now;
	n = 0;
	for (c = TAILQ_FIRST(&connections); c != NULL; c = next) {
		next = TAILQ_NEXT(c, list);
		if (c->proto != CONN_PROTO_HTTP ||
		    c->state != CONN_STATE_ESTABLISHED)
			continue;
		/* Only the oldest: an interim answer must not overtake the
		 * final answer of an earlier, pipelined request. */
		req = TAILQ_FIRST(&c->http_requests);
		if (req == NULL || !expect_waits(req))
			continue;
		if (!expect_was_answered(req)) {
			net_send_queue(c, reply, sizeof(reply) - 1);
			if (!net_send_flush(c)) {
				kore_connection_disconnect(c);
				continue;
			}
		}
		if (n < EXPECT_KEPT)
			kept[n++] = req;
	}
	/* Only those still waiting: the others' slots may be reused. */
	for (expect_n = 0; expect_n < n; expect_n++)
		expect_answered[expect_n] = kept[expect_n];
}

void
expect_start(void)
{
	kore_timer_add(expect_tick, EXPECT_TICK_MS, NULL, 0);
}
