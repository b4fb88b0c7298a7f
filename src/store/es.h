/*
 * Elasticsearch adapter (libcurl). Each thread keeps its own easy handle
 * so connections are reused. Calls block: run them in a task thread or in
 * the worker, never on a Kore event loop.
 */
#ifndef VIGIE_STORE_ES_H
#define VIGIE_STORE_ES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/health.h"
#include "core/settings.h"
#include "core/tenant.h"

struct es_response {
	long       status; /* HTTP status, 0 when not reached */
	struct buf body; /* owned; free with es_response_free */
	char       error[192]; /* transport error, empty if none */
};

void es_configure(const struct settings *);
bool es_request(const char *method, const char *path, const char *body,
    size_t bodylen, long timeout_ms, struct es_response *);
void es_response_free(struct es_response *);
void es_check(struct dep_check *, long timeout_ms);
bool es_tenant_template_put(const struct tenant_ctx *, char *err, size_t);
bool es_tenant_template_delete(const struct tenant_ctx *, char *err, size_t);

#endif
