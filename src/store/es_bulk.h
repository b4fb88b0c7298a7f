/*
 * Sending a tenant's batch (core/bulk.h) to Elasticsearch's /_bulk, with
 * retries: the whole request again after a transport error, 429 or 5xx;
 * only the items answered 429/5xx/busy otherwise, in a body rebuilt from
 * them. Waits between attempts grow exponentially with full jitter.
 * Blocking: call it from the worker or a task thread.
 */
#ifndef VIGIE_STORE_ES_BULK_H
#define VIGIE_STORE_ES_BULK_H

#include <stdbool.h>
#include <stddef.h>

#include "core/bulk.h"
#include "core/tenant.h"
#include "store/es.h"

#define ES_BULK_ATTEMPTS   8 /* requests in all, the first included */
#define ES_BULK_BASE_MS    200
#define ES_BULK_CAP_MS     10000
#define ES_BULK_TIMEOUT_MS 30000 /* per request */

typedef bool (*es_bulk_request_fn)(const char *method, const char *path,
    const char *body, size_t bodylen, long timeout_ms, struct es_response *);

/* How to send; es_bulk_options_default() fills in the defaults above. */
struct es_bulk_options {
	int  max_attempts;
	long base_ms;
	long cap_ms;
	long timeout_ms;
	/* Waits ms milliseconds; tests record instead of sleeping. */
	void (*sleep_ms)(long ms, void *arg);
	void *sleep_arg;
	/* es_request by default; tests answer without a network. */
	es_bulk_request_fn request;
};

enum es_bulk_status {
	ES_BULK_DONE, /* every item indexed or rejected: its lines are done */
	ES_BULK_GAVE_UP, /* Elasticsearch stayed unavailable: pending > 0 */
	ES_BULK_REFUSED, /* bad context or another tenant's batch: not sent */
};

/* A document Elasticsearch refused; sending it again would not help. */
struct es_bulk_rejected {
	size_t             item; /* position in the batch */
	unsigned long long line; /* as given to bulk_add() */
	int                status;
	char              *type; /* owned */
	char              *reason; /* owned */
};

struct es_bulk_result {
	enum es_bulk_status      status;
	size_t                   indexed;
	size_t                   pending; /* neither indexed nor rejected */
	size_t                   rejected_n;
	struct es_bulk_rejected *rejected; /* in batch order; owned */
	int                      attempts; /* requests sent */
	char                     error[256]; /* why GAVE_UP or REFUSED */
};

void                es_bulk_options_default(struct es_bulk_options *);
enum es_bulk_status es_bulk_send(const struct tenant_ctx *,
    const struct bulk_batch *, struct es_bulk_result *);
enum es_bulk_status
     es_bulk_send_with(const struct tenant_ctx *, const struct bulk_batch *,
	 const struct es_bulk_options *, struct es_bulk_result *);
void es_bulk_result_free(struct es_bulk_result *);

#endif
