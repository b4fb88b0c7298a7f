/*
 * Unit tests for the statistics: arguments and intervals, the
 * aggregation request, and the answer built from a reply.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/query.h"
#include "core/stats_query.h"

#define NOW_MS 1700000000000LL /* 2023-11-14T22:13:20Z */

static bool
params(const char *qs, struct stats_params *p, struct search_error *err)
{
	json_t *args;
	char    why[128];
	bool    ok;

	args = query_parse(qs, why, sizeof(why));
	assert_non_null(args);
	ok = stats_params_from_args(args, NOW_MS, p, err);
	json_decref(args);
	return (ok);
}

static void
test_params_and_intervals(void **state)
{
	struct stats_params p;
	struct search_error err;

	(void)state;
	assert_true(params("", &p, &err));
	assert_int_equal(p.from_ms, NOW_MS - 86400000LL);
	assert_int_equal(p.to_ms, NOW_MS);
	assert_string_equal(p.interval, "5m"); /* 288 buckets */
	assert_true(params("from=now-1h", &p, &err));
	assert_string_equal(p.interval, "1m");
	assert_true(params("from=now-7d", &p, &err));
	assert_string_equal(p.interval, "1h");
	assert_true(params("from=now-90d", &p, &err));
	assert_string_equal(p.interval, "1d");
	assert_true(params("from=now-2d&interval=1h", &p, &err));
	assert_int_equal(p.interval_ms, 3600000);
	assert_false(params("interval=2h", &p, &err));
	assert_string_equal(err.field, "interval");
	assert_false(params("from=now-30d&interval=1m", &p, &err));
	assert_string_equal(err.field, "interval");
	assert_false(params("from=soon", &p, &err));
	assert_string_equal(err.field, "from");
	assert_false(params("from=now&to=now-1h", &p, &err));
	assert_string_equal(err.field, "from");
}

static void
test_body(void **state)
{
	struct stats_params p;
	struct search_error err;
	json_t             *body, *aggs, *hist;

	(void)state;
	assert_true(
	    params("from=2023-11-14&to=2023-11-15&interval=1h", &p, &err));
	body = stats_body_build(&p, NOW_MS);
	assert_non_null(body);
	assert_int_equal(json_integer_value(json_object_get(body, "size")), 0);
	aggs = json_object_get(body, "aggs");
	assert_int_equal(
	    json_integer_value(json_object_get(
		json_object_get(
		    json_object_get(
			json_object_get(
			    json_object_get(aggs, "today"), "filter"),
			"range"),
		    "@timestamp"),
		"gte")),
	    1699920000000LL);
	hist = json_object_get(
	    json_object_get(
		json_object_get(json_object_get(aggs, "range"), "aggs"),
		"histogram"),
	    "date_histogram");
	assert_string_equal(
	    json_string_value(json_object_get(hist, "fixed_interval")), "1h");
	assert_non_null(json_object_get(
	    json_object_get(
		json_object_get(json_object_get(aggs, "range"), "aggs"),
		"access"),
	    "aggs"));
	json_decref(body);
}

static void
test_answer(void **state)
{
	struct stats_params p;
	struct search_error err;
	json_t             *reply, *out;
	char               *text;

	(void)state;
	assert_true(params("from=2023-11-14&to=2023-11-14T02:00:00Z&"
			   "interval=1h",
	    &p, &err));
	reply = json_loads(
	    "{\"hits\":{\"total\":{\"value\":42,\"relation\":\"eq\"}},"
	    "\"aggregations\":{\"today\":{\"doc_count\":7},"
	    "\"range\":{\"doc_count\":20,"
	    "\"errors\":{\"doc_count\":3,\"latest\":{\"hits\":{\"hits\":["
	    "{\"_source\":{\"message\":\"disk full\"}},"
	    "{\"_source\":{\"message\":\"timeout\"}},"
	    "{\"_source\":{\"message\":\"disk full\"}}]}}},"
	    "\"levels\":{\"buckets\":[{\"key\":\"ERROR\",\"doc_count\":3},"
	    "{\"key\":\"INFO\",\"doc_count\":17}]},"
	    "\"services\":{\"buckets\":[{\"key\":\"api\",\"doc_count\":20}]},"
	    "\"histogram\":{\"buckets\":[{\"key\":1699920000000,"
	    "\"doc_count\":12,\"errors\":{\"doc_count\":1}},"
	    "{\"key\":1699923600000,\"doc_count\":8,\"errors\":"
	    "{\"doc_count\":2}}]},"
	    "\"access\":{\"doc_count\":5,\"over_time\":{\"buckets\":["
	    "{\"key\":1699920000000,\"classes\":{\"buckets\":["
	    "{\"key\":\"2xx\",\"doc_count\":4},{\"key\":\"3xx\",\"doc_count\":0},"
	    "{\"key\":\"4xx\",\"doc_count\":1},{\"key\":\"5xx\","
	    "\"doc_count\":0}]}}]},"
	    "\"urls\":{\"buckets\":[{\"key\":\"/\",\"doc_count\":5}]},"
	    "\"bytes\":{\"values\":{\"50.0\":100.0,\"95.0\":900.0,"
	    "\"99.0\":1000.0}},\"bytes_n\":{\"value\":5},"
	    "\"duration\":{\"values\":{\"50.0\":null}},"
	    "\"duration_n\":{\"value\":0}}}}}",
	    0, NULL);
	assert_non_null(reply);
	out = stats_answer(&p, reply, 3);
	assert_non_null(out);
	text = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(text,
	    "{\"access\":{\"bytes\":{\"p50\":100.0,\"p95\":900.0,\"p99\":1000.0},"
	    "\"count\":5,\"duration_ms\":null,\"status_classes\":[{\"2xx\":4,"
	    "\"3xx\":0,\"4xx\":1,\"5xx\":0,\"t\":\"2023-11-14T00:00:00.000Z\"}],"
	    "\"top_urls\":[{\"count\":5,\"key\":\"/\"}]},\"errors\":3,"
	    "\"files\":3,\"from\":\"2023-11-14\",\"histogram\":[{\"count\":12,"
	    "\"errors\":1,\"t\":\"2023-11-14T00:00:00.000Z\"},{\"count\":8,"
	    "\"errors\":2,\"t\":\"2023-11-14T01:00:00.000Z\"}],\"in_range\":20,"
	    "\"interval\":\"1h\",\"levels\":{\"CRITICAL\":0,\"DEBUG\":0,"
	    "\"ERROR\":3,\"INFO\":17,\"WARNING\":0},\"to\":"
	    "\"2023-11-14T02:00:00Z\",\"today\":7,\"top_errors\":[{\"count\":2,"
	    "\"message\":\"disk full\"},{\"count\":1,\"message\":\"timeout\"}],"
	    "\"top_errors_sample\":3,\"top_services\":[{\"count\":20,\"key\":"
	    "\"api\"}],\"total\":42}");
	free(text);
	json_decref(out);
	/* An empty reply: zeros and nulls, never a crash. */
	out = stats_answer(&p, json_object_get(reply, "nothing"), -1);
	assert_non_null(out);
	assert_true(json_is_null(json_object_get(out, "files")));
	assert_int_equal(json_integer_value(json_object_get(out, "total")), 0);
	json_decref(out);
	json_decref(reply);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_params_and_intervals),
	    cmocka_unit_test(test_body),
	    cmocka_unit_test(test_answer),
	};

	return (cmocka_run_group_tests_name("stats", tests, NULL, NULL));
}
