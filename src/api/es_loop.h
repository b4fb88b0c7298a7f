/*
 * Elasticsearch requests from a Kore worker's event loop, never blocking:
 * libcurl's multi interface driven by Kore's poller (its sockets are
 * Kore events, its timeouts Kore timers). One multi handle per worker
 * keeps the connections to Elasticsearch alive between requests, as
 * store/es.c's handle per task thread does. Event loop only.
 */
#ifndef VIGIE_API_ES_LOOP_H
#define VIGIE_API_ES_LOOP_H

#include <stdbool.h>
#include <stddef.h>

#include "store/es.h"

/* At most this many requests in flight per worker. */
#define ES_LOOP_MAX 64

struct es_loop_req;

/*
 * Called on the event loop with the answer: reached is false when
 * Elasticsearch was not reached (r->error says why, timeouts included),
 * as es_request()'s return. r is freed after the call.
 */
typedef void (*es_loop_fn)(
    bool reached, const struct es_response *r, void *arg);

/*
 * Sends method path (which starts with '/') with body (len bytes, kept
 * by the caller until fn is called or the request cancelled), with the
 * timeout of store/es.c. NULL when it cannot be sent from here (no
 * settings, too many in flight): the caller then does it elsewhere. fn
 * is never called before es_loop_send() has returned.
 */
struct es_loop_req *es_loop_send(const char *method, const char *path,
    const char *body, size_t len, es_loop_fn fn, void *arg);

/* Abandons a request in flight: its fn is not called. */
void es_loop_cancel(struct es_loop_req *);

#endif
