/*
 * A search that misses the cache, answered on the event loop: once
 * api/fast.c has established the caller, counted the request and found
 * no answer in the cache, the `_search` request is built on the loop,
 * sent with api/es_loop.c, and the answer written from Elasticsearch's
 * reply there too (core/search_answer.c); the cache SET and a person's
 * history entry still go to the background thread (common/later.c),
 * once the answer is sent. Anything unusual (a quota warning to send, bad
 * arguments, no generation known) stays with the task thread.
 */
#ifndef VIGIE_API_SEARCH_LOOP_H
#define VIGIE_API_SEARCH_LOOP_H

#include <stdbool.h>

#include "api/serve.h"
#include "service/search.h"

/*
 * Starts w's search on the loop: true with w->phase SERVE_LOOP (the
 * request asleep until the answer is in, then SERVE_FAST_HIT), or
 * SERVE_FAST_HIT at once; false when the task thread is to do it.
 */
bool search_loop_start(struct http_request *, struct api_work *);

/*
 * The request is going away (serve_work_free()): a search in flight is
 * abandoned; an answered one has its answer's cache SET (and a person's
 * history entry) queued now that the answer is sent.
 */
void search_loop_forget(struct api_work *);

/* api/search.c: a search outcome as the answer of GET /api/v1/logs. */
void search_api_logs_answer(struct api_work *, struct search_outcome *);

#endif
