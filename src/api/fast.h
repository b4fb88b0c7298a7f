/*
 * Cached answers on the event loop.
 *
 * A read whose endpoint declares where its answer may be cached
 * (api_endpoint.cached) is first tried here, before any task thread: the
 * credentials are checked locally (a token's signature and expiry, an
 * API key's form and hash), then one Lua script over the event loop's
 * Redis connection (store/hit.c) finds the tenant's and the caller's
 * cached records, the revocation flag, the current cache generation and
 * the answer, and counts the request against the quota. When everything
 * is there and allows the request, the answer is sent from the event
 * loop, X-Cache: HIT. When the records allow the caller but the answer
 * must come from a task thread (a miss, a person's first page, which
 * goes to their history, a quota warning to send), the request goes
 * there with its caller established and counted. Otherwise nothing was
 * changed (or the count is given back) and the request goes to a task
 * thread as any other, which answers exactly as it would have without
 * this path: 401, 403, 429, a store failure.
 *
 * Replies that allowed a request also give leases (core/lease.h): for
 * VIGIE_HIT_LEASE_MS, while no change of the tenant is announced
 * (api/redis_loop.h), the same hit is answered, and a miss of the same
 * caller sent to be computed, without asking Redis first; the requests
 * are counted on the tally of the tenant's day and flushed to Redis at
 * the next turn of the loop.
 */
#ifndef VIGIE_API_FAST_H
#define VIGIE_API_FAST_H

#include <stdbool.h>

#include "api/serve.h"

/*
 * Starts the attempt: true when the request now sleeps until Redis
 * answers (w->phase says what came of it when it wakes up).
 */
bool fast_begin(struct http_request *, struct api_call *, struct api_work *);

/* The request is being freed: its pending attempt lets go of it. */
void fast_forget(struct api_work *);

#endif
