/*
 * Quota arithmetic: plan + overrides, admission at the boundary, the
 * 80/95 thresholds, the daily reset and the error body.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/quota.h"

static const struct plan_limits free_plan = {
    .users = 3,
    .storage_gb = 1,
    .ingest_gb_per_day = 0.5,
    .ingest_docs_per_day = 500000,
    .api_requests_per_day = 10000,
    .retention_days = 7,
};

static json_t *
parse(const char *text)
{
	json_t *v;

	v = json_loads(text, JSON_DECODE_ANY, NULL);
	assert_non_null(v);
	return (v);
}

static void
test_limits_from_plan(void **state)
{
	struct quota_limits l;

	(void)state;
	quota_limits_of(&free_plan, NULL, &l);
	assert_int_equal(l.max[QUOTA_API_REQUESTS], 10000);
	assert_int_equal(l.max[QUOTA_INGEST_BYTES], 500000000L);
	assert_int_equal(l.max[QUOTA_INGEST_DOCS], 500000);
	assert_int_equal(l.max[QUOTA_STORAGE_BYTES], 1000000000L);
	assert_int_equal(l.max[QUOTA_USERS], 3);
	assert_int_equal(l.retention_days, 7);
}

static void
test_limits_with_overrides(void **state)
{
	struct quota_limits l;
	json_t             *o;

	(void)state;
	o = parse("{\"api_requests_per_day\": 5, \"storage_gb\": 2.5, "
		  "\"users\": 0, \"retention_days\": 90}");
	quota_limits_of(&free_plan, o, &l);
	assert_int_equal(l.max[QUOTA_API_REQUESTS], 5);
	assert_int_equal(l.max[QUOTA_STORAGE_BYTES], 2500000000L);
	assert_int_equal(l.max[QUOTA_USERS], 0); /* unlimited */
	assert_int_equal(l.retention_days, 90);
	json_decref(o);
	/* Out-of-range values in a stored record are ignored. */
	o = parse("{\"users\": 1e300, \"storage_gb\": 1e9, \"retention_days\": "
		  "-4, \"ingest_docs_per_day\": \"9\"}");
	quota_limits_of(&free_plan, o, &l);
	assert_int_equal(l.max[QUOTA_USERS], 3);
	assert_int_equal(l.max[QUOTA_STORAGE_BYTES], 1000000000L);
	assert_int_equal(l.retention_days, 7);
	assert_int_equal(l.max[QUOTA_INGEST_DOCS], 500000);
	json_decref(o);
	o = parse("{}");
	/* What is not overridden comes from the plan. */
	assert_int_equal(l.max[QUOTA_INGEST_DOCS], 500000);
	assert_int_equal(l.max[QUOTA_INGEST_BYTES], 500000000L);
	json_decref(o);
}

static void
test_overrides_check(void **state)
{
	static const char *const bad[][2] = {
	    {"[]", "overrides"},
	    {"{\"bogus\": 1}", "overrides.bogus"},
	    {"{\"users\": -1}", "overrides.users"},
	    {"{\"users\": 1.5}", "overrides.users"},
	    {"{\"users\": \"3\"}", "overrides.users"},
	    {"{\"storage_gb\": true}", "overrides.storage_gb"},
	    {"{\"storage_gb\": 1e7}", "overrides.storage_gb"},
	    {"{\"api_requests_per_day\": 2000000000000}",
		"overrides.api_requests_per_day"},
	};
	char    field[64], why[256];
	json_t *o;
	size_t  i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o = parse(bad[i][0]);
		assert_false(quota_overrides_check(
		    o, field, sizeof(field), why, sizeof(why)));
		assert_string_equal(field, bad[i][1]);
		json_decref(o);
	}
	o = parse(
	    "{\"users\": 10, \"storage_gb\": 0.25, \"ingest_gb_per_day\": "
	    "3, \"api_requests_per_day\": null}");
	assert_true(
	    quota_overrides_check(o, field, sizeof(field), why, sizeof(why)));
	json_decref(o);
}

static void
test_overrides_apply(void **state)
{
	json_t *cur, *patch, *out;

	(void)state;
	cur = parse("{\"users\": 10, \"storage_gb\": 5}");
	patch = parse("{\"users\": null, \"api_requests_per_day\": 7}");
	out = quota_overrides_apply(cur, patch);
	assert_null(json_object_get(out, "users"));
	assert_int_equal(
	    json_integer_value(json_object_get(out, "api_requests_per_day")),
	    7);
	assert_int_equal(
	    json_integer_value(json_object_get(out, "storage_gb")), 5);
	/* The current object is left alone. */
	assert_int_equal(json_integer_value(json_object_get(cur, "users")), 10);
	json_decref(out);
	out = quota_overrides_apply(NULL, patch);
	assert_int_equal(json_object_size(out), 1);
	json_decref(out);
	json_decref(cur);
	json_decref(patch);
}

static void
test_admits_boundary(void **state)
{
	(void)state;
	assert_true(quota_admits(9, 1, 10)); /* exactly at the limit */
	assert_false(quota_admits(10, 1, 10)); /* one over */
	assert_true(quota_admits(0, 10, 10));
	assert_false(quota_admits(0, 11, 10));
	assert_false(quota_admits(5, 6, 10));
	assert_true(quota_admits(1L << 60, 1L << 60, 0)); /* unlimited */
	assert_false(quota_admits(1, 0x7fffffffffffffffL, 10));
}

static void
test_percent_and_thresholds(void **state)
{
	(void)state;
	assert_int_equal(quota_percent(0, 10), 0);
	assert_int_equal(quota_percent(8, 10), 80);
	assert_int_equal(quota_percent(12, 10), 120);
	assert_int_equal(quota_percent(5, 0), 0);
	assert_int_equal(
	    quota_percent(900000000000000000L, 1000000000000000000L), 90);

	assert_int_equal(quota_threshold_reached(79, 100), 0);
	assert_int_equal(quota_threshold_reached(80, 100), 80);
	assert_int_equal(quota_threshold_reached(94, 100), 80);
	assert_int_equal(quota_threshold_reached(95, 100), 95);
	assert_int_equal(quota_threshold_reached(100, 100), 95);
	assert_int_equal(quota_threshold_reached(50, 0), 0);
	/* 80 % of 7 is 5.6: 5 is under it, 6 reaches it. */
	assert_int_equal(quota_threshold_reached(5, 7), 0);
	assert_int_equal(quota_threshold_reached(6, 7), 80);

	assert_int_equal(quota_threshold_crossed(79, 80, 100), 80);
	assert_int_equal(quota_threshold_crossed(80, 81, 100), 0);
	assert_int_equal(quota_threshold_crossed(94, 95, 100), 95);
	assert_int_equal(quota_threshold_crossed(10, 99, 100), 95);
	assert_int_equal(quota_threshold_crossed(95, 200, 100), 0);
	assert_int_equal(quota_threshold_crossed(81, 80, 100), 0);
	assert_int_equal(quota_threshold_crossed(0, 100, 0), 0);
}

static void
test_threshold_crossed_once(void **state)
{
	long n, max, crossed80, crossed95;

	(void)state;
	/* Step by step, each threshold is crossed by exactly one step. */
	for (max = 1; max <= 300; max++) {
		crossed80 = crossed95 = 0;
		for (n = 0; n < max + 5; n++) {
			switch (quota_threshold_crossed(n, n + 1, max)) {
			case 80:
				crossed80++;
				break;
			case 95:
				crossed95++;
				break;
			}
		}
		/* A tiny limit may jump both at once: 95 wins then. */
		assert_true(crossed95 == 1);
		assert_true(crossed80 <= 1);
		if (max >= 20)
			assert_int_equal(crossed80, 1);
	}
}

static void
test_day_and_reset(void **state)
{
	char day[QUOTA_DAY_LEN];

	(void)state;
	/* 2026-11-21T07:30:00Z */
	assert_int_equal(quota_day_start(1795246200L), 1795219200L);
	assert_int_equal(quota_reset_at(1795246200L), 1795305600L);
	assert_int_equal(quota_retry_after(1795246200L), 59400);
	assert_int_equal(quota_retry_after(1795305599L), 1);
	/* Exactly midnight starts a new day. */
	assert_int_equal(quota_day_start(1795305600L), 1795305600L);
	assert_int_equal(quota_retry_after(1795305600L), 86400);
	quota_day(1795246200L, day);
	assert_string_equal(day, "2026-11-21");
	quota_day(1795305599L, day);
	assert_string_equal(day, "2026-11-21");
	quota_day(1795305600L, day);
	assert_string_equal(day, "2026-11-22");
}

static void
test_error_body(void **state)
{
	json_t *b, *e;

	(void)state;
	b = quota_error_body(QUOTA_API_REQUESTS, 10, 10, 1795246200L);
	e = json_object_get(b, "error");
	assert_string_equal(
	    json_string_value(json_object_get(e, "code")), "quota_exceeded");
	assert_string_equal(
	    json_string_value(json_object_get(e, "limit")), "api_requests");
	assert_int_equal(json_integer_value(json_object_get(e, "usage")), 10);
	assert_int_equal(json_integer_value(json_object_get(e, "max")), 10);
	assert_string_equal(json_string_value(json_object_get(e, "resets_at")),
	    "2026-11-22T00:00:00Z");
	assert_non_null(strstr(
	    json_string_value(json_object_get(e, "message")), "API requests"));
	json_decref(b);

	b = quota_error_body(QUOTA_STORAGE_BYTES, 12, 10, 1795246200L);
	e = json_object_get(b, "error");
	assert_string_equal(
	    json_string_value(json_object_get(e, "limit")), "storage_bytes");
	assert_true(json_is_null(json_object_get(e, "resets_at")));
	json_decref(b);
}

static void
test_names(void **state)
{
	char text[200];

	(void)state;
	assert_string_equal(quota_limit_name(QUOTA_USERS), "users");
	assert_string_equal(quota_limit_name(QUOTA_COUNT), "unknown");
	assert_true(quota_limit_daily(QUOTA_INGEST_DOCS));
	assert_false(quota_limit_daily(QUOTA_USERS));
	quota_warning_text(QUOTA_API_REQUESTS, 80, 8, 10, text, sizeof(text));
	assert_string_equal(text,
	    "API requests today: 8 of 10 used, past the 80% warning; the "
	    "allowance resets at midnight UTC");
	quota_warning_text(QUOTA_USERS, 95, 3, 3, text, sizeof(text));
	assert_string_equal(text, "Users: 3 of 3 used, past the 95% warning");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_limits_from_plan),
	    cmocka_unit_test(test_limits_with_overrides),
	    cmocka_unit_test(test_overrides_check),
	    cmocka_unit_test(test_overrides_apply),
	    cmocka_unit_test(test_admits_boundary),
	    cmocka_unit_test(test_percent_and_thresholds),
	    cmocka_unit_test(test_threshold_crossed_once),
	    cmocka_unit_test(test_day_and_reset),
	    cmocka_unit_test(test_error_body),
	    cmocka_unit_test(test_names),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
