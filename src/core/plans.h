/*
 * Subscription plans (tenants/plans.json): each plan's limits and prices,
 * parsed from the file's text. Pure: the caller reads the file and keeps
 * the result (service/members.c holds the process's copy).
 *
 * A limit of 0 means unlimited. Prices are integer minor units of the
 * currency. Unknown keys are refused (keys starting with '_' are
 * comments), every limit and price must be present, none may be
 * negative.
 */
#ifndef VIGIE_CORE_PLANS_H
#define VIGIE_CORE_PLANS_H

#include <stdbool.h>
#include <stddef.h>

#define PLANS_MAX         16
#define PLANS_NAME_MAX    23 /* fits struct tenant_ctx's plan */
#define PLANS_DISPLAY_MAX 64
#define PLANS_TEXT_MAX    (1024 * 1024) /* largest file accepted */

struct plan_limits {
	long   users;
	double storage_gb;
	double ingest_gb_per_day;
	long   ingest_docs_per_day;
	long   api_requests_per_day;
	long   retention_days;
};

struct plan_prices {
	long monthly_fee;
	long ingest_per_gb;
	long storage_per_gb_month;
	bool overage_allowed;
};

struct plan {
	char               name[PLANS_NAME_MAX + 1];
	char               display_name[PLANS_DISPLAY_MAX + 1];
	struct plan_limits limits;
	struct plan_prices prices;
};

struct plans {
	char        currency[4];
	char        default_plan[PLANS_NAME_MAX + 1];
	size_t      count;
	struct plan plan[PLANS_MAX];
};

bool plans_parse(
    const char *text, size_t len, struct plans *out, char *err, size_t errlen);
const struct plan *plans_find(const struct plans *, const char *name);
const struct plan *plans_default(const struct plans *);
bool               plans_limit_reached(long limit, long usage);

#endif
