/*
 * Searches of one tenant's logs, through its alias vigie-t-<tenant id>
 * only: the index name is derived here from a checked tenant context, so
 * a caller cannot reach another tenant's indices.
 */
#ifndef VIGIE_STORE_ES_ALIAS_H
#define VIGIE_STORE_ES_ALIAS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/tenant.h"

/*
 * POSTs body to the tenant's alias _search and returns the parsed answer
 * (the caller owns it), or NULL with a readable reason in err: the
 * service could not be reached, or refused the query (its reason).
 * A tenant without any index yet gets an empty answer, not an error.
 */
json_t *es_alias_search(const struct tenant_ctx *, const json_t *body,
    long timeout_ms, char *err, size_t errlen);

#endif
