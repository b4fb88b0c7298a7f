/*
 * Platform administration use cases, independent of HTTP: listing the
 * organizations, reading one, suspending and reactivating it, moving it
 * to another plan. Every change is written to MongoDB ("tenants") and at
 * once to the tenant's cached status in Redis, which authentication
 * reads on every request, and is recorded in the tenant's audit trail.
 * Each call blocks on the stores: run it on a task thread.
 */
#ifndef VIGIE_SERVICE_PLATFORM_H
#define VIGIE_SERVICE_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define PLATFORM_PAGE_SIZE_DEFAULT 50
#define PLATFORM_PAGE_SIZE_MAX     200
#define PLATFORM_PAGE_MAX          100000
#define PLATFORM_QUERY_MAX         100

enum platform_result {
	PLATFORM_OK = 0,
	PLATFORM_INVALID, /* bad input; field and message say which */
	PLATFORM_NOT_FOUND, /* no such organization (or a malformed id) */
	PLATFORM_CONFLICT, /* the organization is still being created */
	PLATFORM_UNAVAILABLE, /* a store failed; nothing was left changed */
};

struct platform_outcome {
	enum platform_result result;
	char                 field[32];
	char                 message[256];
	json_t              *body; /* answer on success; owned by the caller */
};

/* A listing: status and q may be NULL (any); q is plain text. */
struct platform_filter {
	const char *status;
	const char *q;
	long        page; /* from 1 */
	long        size;
};

/* Who acts, for the audit trail. Pointers are borrowed for the call. */
struct platform_actor {
	const char *admin_id;
	const char *admin_email;
	const char *client_ip;
	const char *trace_id;
};

bool platform_status_known(const char *status);
void platform_tenants_list(
    const struct platform_filter *, struct platform_outcome *);
void platform_tenant_get(const char *tenant_id, struct platform_outcome *);
void platform_tenant_set_active(const char *tenant_id, bool active,
    const struct platform_actor *, long now, struct platform_outcome *);

void platform_tenant_set_limits(const char *tenant_id, const char *plan,
    const json_t *overrides_patch, const struct platform_actor *, long now,
    struct platform_outcome *);

#endif
