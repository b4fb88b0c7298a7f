/*
 * Unit tests for the small pure modules: buf, endpoint, trace, health.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/endpoint.h"
#include "core/health.h"
#include "core/text.h"
#include "core/trace.h"

static void
test_buf_grows_and_formats(void **state)
{
	struct buf b;
	int        i;

	(void)state;
	buf_init(&b, 1);
	for (i = 0; i < 1000; i++)
		buf_appendf(&b, "%d,", i);
	assert_int_equal(b.len, strlen(b.data));
	assert_memory_equal(b.data, "0,1,2,", 6);
	assert_string_equal(b.data + b.len - 4, "999,");
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	buf_free(&b);
}

static void
test_endpoint_full(void **state)
{
	struct endpoint ep;

	(void)state;
	assert_true(
	    endpoint_parse("redis://:s3cret@cache.local:6380/2", 6379, &ep));
	assert_string_equal(ep.scheme, "redis");
	assert_string_equal(ep.host, "cache.local");
	assert_int_equal(ep.port, 6380);
	assert_string_equal(ep.password, "s3cret");
	assert_string_equal(ep.path, "2");
}

static void
test_endpoint_defaults_and_ipv6(void **state)
{
	struct endpoint ep;

	(void)state;
	assert_true(endpoint_parse("redis://127.0.0.1", 6379, &ep));
	assert_int_equal(ep.port, 6379);
	assert_string_equal(ep.path, "");
	assert_true(endpoint_parse("redis://[::1]:7000/0", 6379, &ep));
	assert_string_equal(ep.host, "::1");
	assert_int_equal(ep.port, 7000);
}

static void
test_endpoint_rejects_garbage(void **state)
{
	struct endpoint ep;

	(void)state;
	assert_false(endpoint_parse("127.0.0.1:6379", 6379, &ep));
	assert_false(endpoint_parse("redis://", 6379, &ep));
	assert_false(endpoint_parse("redis://host:0/", 6379, &ep));
	assert_false(endpoint_parse("redis://host:70000/", 6379, &ep));
	assert_false(endpoint_parse("redis://host:12ab/", 6379, &ep));
	assert_false(endpoint_parse("redis://[::1/", 6379, &ep));
	assert_false(endpoint_parse("://host", 6379, &ep));
}

static void
test_trace_valid(void **state)
{
	struct trace_ctx tc;

	(void)state;
	assert_true(trace_parse(
	    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", &tc));
	assert_string_equal(tc.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
	assert_string_equal(tc.parent_id, "00f067aa0ba902b7");
	assert_int_equal(tc.flags, 1);
}

static void
test_trace_future_version(void **state)
{
	struct trace_ctx tc;

	(void)state;
	assert_true(trace_parse("cc-4bf92f3577b34da6a3ce929d0e0e4736-"
				"00f067aa0ba902b7-01-what-the-future-holds",
	    &tc));
	assert_false(trace_parse("00-4bf92f3577b34da6a3ce929d0e0e4736-"
				 "00f067aa0ba902b7-01-extra",
	    &tc));
}

static void
test_trace_invalid(void **state)
{
	struct trace_ctx tc;

	(void)state;
	assert_false(trace_parse(NULL, &tc));
	assert_false(trace_parse("", &tc));
	assert_false(trace_parse(
	    "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", &tc));
	assert_false(trace_parse(
	    "00-00000000000000000000000000000000-00f067aa0ba902b7-01", &tc));
	assert_false(trace_parse(
	    "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", &tc));
	assert_false(trace_parse(
	    "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", &tc));
	assert_false(trace_parse(
	    "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", &tc));
	assert_false(trace_parse(
	    "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", &tc));
	assert_false(trace_parse(
	    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g", &tc));
}

static void
test_trace_format_round_trip(void **state)
{
	struct trace_ctx tc, back;
	char             out[64];

	(void)state;
	assert_true(trace_parse(
	    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", &tc));
	memcpy(tc.span_id, "b7ad6b7169203331", 17);
	assert_int_equal(trace_format(&tc, out, sizeof(out)), 55);
	assert_true(trace_parse(out, &back));
	assert_string_equal(back.trace_id, tc.trace_id);
	assert_string_equal(back.parent_id, "b7ad6b7169203331");
}

static void
test_health_overall(void **state)
{
	struct dep_check c[3];

	(void)state;
	memset(c, 0, sizeof(c));
	c[0].name = "a";
	c[1].name = "b";
	c[2].name = "c";
	assert_int_equal(health_overall(c, 3, 500), DEP_UP);
	c[1].latency_ms = 900;
	assert_int_equal(health_overall(c, 3, 500), DEP_DEGRADED);
	c[1].latency_ms = 1;
	c[2].state = DEP_DEGRADED;
	assert_int_equal(health_overall(c, 3, 500), DEP_DEGRADED);
	c[0].state = DEP_DOWN;
	assert_int_equal(health_overall(c, 3, 500), DEP_DOWN);
}

static void
test_health_es_colours(void **state)
{
	(void)state;
	assert_int_equal(health_es_state("green"), DEP_UP);
	assert_int_equal(health_es_state("yellow"), DEP_DEGRADED);
	assert_int_equal(health_es_state("red"), DEP_DOWN);
	assert_int_equal(health_es_state(NULL), DEP_DOWN);
}

static void
test_health_report_shape(void **state)
{
	struct dep_check c[2];
	json_t          *r, *deps;

	(void)state;
	memset(c, 0, sizeof(c));
	c[0].name = "redis";
	c[0].latency_ms = 1.234;
	c[0].details = json_pack("{s:i}", "used_memory", 1024);
	c[1].name = "mongodb";
	c[1].state = DEP_DOWN;
	strcpy(c[1].error, "connection refused");
	r = health_report(c, 2, 500, "1.0", 42);
	assert_string_equal(
	    json_string_value(json_object_get(r, "status")), "down");
	deps = json_object_get(r, "dependencies");
	assert_string_equal(json_string_value(json_object_get(
				json_object_get(deps, "redis"), "status")),
	    "up");
	assert_int_equal(json_integer_value(json_object_get(
			     json_object_get(deps, "redis"), "used_memory")),
	    1024);
	assert_string_equal(json_string_value(json_object_get(
				json_object_get(deps, "mongodb"), "error")),
	    "connection refused");
	assert_int_equal(
	    json_integer_value(json_object_get(r, "uptime_s")), 42);
	json_decref(r);
	json_decref(c[0].details);
}

static void
test_text_helpers(void **state)
{
	char out[TEXT_ISO_LEN], small[4];

	(void)state;
	text_iso8601(0, out, sizeof(out));
	assert_string_equal(out, "1970-01-01T00:00:00Z");
	text_iso8601(4107542400L, out, sizeof(out)); /* 2100 is no leap year */
	assert_string_equal(out, "2100-03-01T00:00:00Z");
	text_iso8601(951782400L, out, sizeof(out));
	assert_string_equal(out, "2000-02-29T00:00:00Z");
	text_lower("Ann@Example.COM", out, sizeof(out));
	assert_string_equal(out, "ann@example.com");
	text_lower("ABCDEF", small, sizeof(small));
	assert_string_equal(small, "abc");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_buf_grows_and_formats),
	    cmocka_unit_test(test_endpoint_full),
	    cmocka_unit_test(test_endpoint_defaults_and_ipv6),
	    cmocka_unit_test(test_endpoint_rejects_garbage),
	    cmocka_unit_test(test_trace_valid),
	    cmocka_unit_test(test_trace_future_version),
	    cmocka_unit_test(test_trace_invalid),
	    cmocka_unit_test(test_trace_format_round_trip),
	    cmocka_unit_test(test_health_overall),
	    cmocka_unit_test(test_health_es_colours),
	    cmocka_unit_test(test_health_report_shape),
	    cmocka_unit_test(test_text_helpers),
	};

	return (cmocka_run_group_tests_name("core_basics", tests, NULL, NULL));
}
