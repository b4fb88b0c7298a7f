/*
 * What the store tests share: the settings from the environment (the
 * test stack's, set by scripts/integration.sh), Redis configured, and a
 * tenant context for a tenant the integration test made.
 */
#ifndef VIGIE_TESTS_STORE_TEST_H
#define VIGIE_TESTS_STORE_TEST_H

#include <stdbool.h>
#include <stdio.h>

#include "common/env.h"
#include "core/tenant.h"
#include "store/kv.h"

/* False after printing why; s and ctx filled otherwise. */
static inline bool
store_test_open(struct settings *s, struct tenant_ctx *ctx,
    const char *tenant_id, const char *slug)
{
	char err[256];

	if (!env_settings_load(s, err, sizeof(err)) ||
	    !kv_configure(s, err, sizeof(err))) {
		fprintf(stderr, "settings: %s\n", err);
		return (false);
	}
	snprintf(ctx->id, sizeof(ctx->id), "%s", tenant_id);
	snprintf(ctx->slug, sizeof(ctx->slug), "%s", slug);
	snprintf(ctx->plan, sizeof(ctx->plan), "free");
	ctx->active = 1;
	return (true);
}

#endif
