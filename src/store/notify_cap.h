/*
 * The hourly notification counter of a tenant in Redis
 * (t:<tenant id>:notify:hour:<hours since the epoch>), incremented
 * atomically and expiring two hours later.
 */
#ifndef VIGIE_STORE_NOTIFY_CAP_H
#define VIGIE_STORE_NOTIFY_CAP_H

#include <stddef.h>

#include "core/tenant.h"

/* Counts one more notification in the hour of now; the new count, or
 * -1 with err. */
long
notify_cap_count(const struct tenant_ctx *, long now, char *err, size_t errlen);

#endif
