/*
 * libFuzzer target: a platform administrator's limit overrides (the
 * "overrides" object of PATCH /api/v1/admin/tenants/{id}). Any JSON is
 * checked; what passes is applied to no overrides and to itself, then
 * merged with a plan: no limit may come out negative, and applying the
 * same patch twice changes nothing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/quota.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct plan_limits fuzz_plan = {
    .users = 3,
    .storage_gb = 1,
    .ingest_gb_per_day = 0.5,
    .ingest_docs_per_day = 500000,
    .api_requests_per_day = 10000,
    .retention_days = 7,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct quota_limits l;
	json_t             *patch, *once, *twice;
	char                field[64], why[256];
	int                 i;

	patch = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	if (patch == NULL)
		return (0);
	if (quota_overrides_check(
		patch, field, sizeof(field), why, sizeof(why))) {
		once = quota_overrides_apply(NULL, patch);
		twice = quota_overrides_apply(once, patch);
		if (!json_equal(once, twice))
			abort();
		quota_limits_of(&fuzz_plan, once, &l);
		for (i = 0; i < QUOTA_COUNT; i++) {
			if (l.max[i] < 0)
				abort();
		}
		if (l.retention_days < 0)
			abort();
		json_decref(once);
		json_decref(twice);
	}
	/* Unchecked input must not crash the merge either. */
	quota_limits_of(&fuzz_plan, patch, &l);
	json_decref(patch);
	return (0);
}
