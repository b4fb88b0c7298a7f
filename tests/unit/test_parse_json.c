/*
 * Unit tests of the JSON parser (parse_json.c): NDJSON, objects over
 * several lines, top-level arrays streamed element by element (on one
 * line or many, fed in small chunks), nested objects flattened to ECS
 * paths, values that do not fit, located errors and fatal structure
 * errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "parse_test.h"

static void
test_json_ndjson_fields(void **state)
{
	struct pt_run run;
	const char   *text =
	    "{\"@timestamp\":\"2024-03-01T10:00:00.5Z\",\"level\":\"warn\","
	    "\"message\":\"disk almost full\",\"service\":\"billing\","
	    "\"host\":\"db-2\",\"pid\":812,\"trace_id\":\"abc\","
	    "\"span_id\":\"def\",\"user\":\"ana\",\"disk\":\"/var\","
	    "\"pct\":91.5,\"ok\":false,\"none\":null,\"tags\":[\"a\",1]}\n"
	    "{\"ts\":1700000000123,\"lvl\":50,\"msg\":\"boom\","
	    "\"logger\":\"app.db\",\"duration\":1.5,\"status\":503,"
	    "\"remote_addr\":\"2001:db8::2\",\"method\":\"GET\","
	    "\"url\":\"https://x.org/a/b?c=d\",\"user_agent\":\"ua/1\","
	    "\"referer\":\"https://r/\",\"bytes\":10}\n";
	json_t *r;

	(void)state;
	pt_run_text(&run, LOG_FORMAT_JSON, NULL, text, strlen(text), 0);
	assert_int_equal(json_array_size(run.errors), 0);
	assert_int_equal(json_array_size(run.records), 2);
	r = json_array_get(run.records, 0);
	PT_STR(r, "@timestamp", "2024-03-01T10:00:00.500Z");
	PT_STR(r, "log.level", "WARNING");
	PT_STR(r, "message", "disk almost full");
	PT_STR(r, "service.name", "billing");
	PT_STR(r, "host.name", "db-2");
	PT_INT(r, "process.pid", 812);
	PT_STR(r, "trace.id", "abc");
	PT_STR(r, "span.id", "def");
	PT_STR(r, "user.name", "ana");
	PT_STR(r, "labels.disk", "/var");
	PT_STR(r, "labels.pct", "91.5");
	PT_STR(r, "labels.ok", "false");
	PT_NONE(r, "labels.none");
	PT_STR(r, "labels.tags", "[\"a\",1]");
	r = json_array_get(run.records, 1);
	PT_STR(r, "@timestamp", "2023-11-14T22:13:20.123Z");
	PT_STR(r, "log.level", "ERROR");
	PT_STR(r, "service.name", "app.db");
	PT_INT(r, "event.duration", 1500000);
	PT_INT(r, "http.response.status_code", 503);
	PT_STR(r, "client.ip", "2001:db8::2");
	PT_STR(r, "url.path", "/a/b");
	PT_STR(r, "url.query", "c=d");
	PT_STR(r, "user_agent.original", "ua/1");
	PT_STR(r, "http.request.referrer", "https://r/");
	PT_INT(r, "http.response.body.bytes", 10);
	pt_run_free(&run);
}

static void
test_json_nested_ecs_and_labels(void **state)
{
	struct pt_run run;
	const char   *text =
	    "{\"@timestamp\":\"2024-03-01T10:00:00Z\",\"log\":{\"level\":"
	    "\"error\",\"logger\":\"main\"},\"service\":{\"name\":\"api\"},"
	    "\"http\":{\"request\":{\"method\":\"PUT\"},\"response\":"
	    "{\"status_code\":404}},\"event\":{\"duration\":2500},"
	    "\"labels\":{\"env\":\"prod\"},\"kube\":{\"pod\":{\"name\":\"p-1\","
	    "\"meta\":{\"deep\":{\"er\":1}}}},\"message\":{\"not\":\"text\"}}\n";
	json_t *r;

	(void)state;
	pt_run_text(&run, LOG_FORMAT_JSON, NULL, text, strlen(text), 0);
	assert_int_equal(json_array_size(run.records), 1);
	r = json_array_get(run.records, 0);
	PT_STR(r, "log.level", "ERROR");
	PT_STR(r, "log.logger", "main");
	PT_STR(r, "service.name", "api");
	PT_STR(r, "http.request.method", "PUT");
	PT_INT(r, "http.response.status_code", 404);
	PT_INT(r, "event.duration", 2500);
	PT_STR(r, "labels.env", "prod");
	PT_STR(r, "labels.kube_pod_name", "p-1");
	PT_STR(r, "labels.kube_pod_meta_deep", "{\"er\":1}");
	/* A message that is an object is kept as its JSON text. */
	PT_STR(r, "labels.message_not", "text");
	pt_run_free(&run);
}

static void
test_json_array_streamed(void **state)
{
	struct pt_run run;
	const char   *one_line = "[{\"msg\":\"a\"},{\"msg\":\"b\"}, {\"msg\":"
				 "\"c\"}]\n";
	const char   *pretty = "[\n"
			       "  {\n"
			       "    \"msg\": \"first\",\n"
			       "    \"level\": \"info\"\n"
			       "  },\n"
			       "  {\"msg\": \"second\", \"nested\": {\"list\": "
			       "[1, {\"x\": \"]\"}]}}\n"
			       "]\n";
	size_t        chunk;

	(void)state;
	pt_run_text(&run, LOG_FORMAT_JSON, NULL, one_line, strlen(one_line), 0);
	assert_int_equal(json_array_size(run.errors), 0);
	assert_int_equal(json_array_size(run.records), 3);
	PT_STR(json_array_get(run.records, 2), "message", "c");
	pt_run_free(&run);
	/* Fed in chunks of every size: always the same two records. */
	for (chunk = 1; chunk < 20; chunk++) {
		pt_run_text(
		    &run, LOG_FORMAT_JSON, NULL, pretty, strlen(pretty), chunk);
		assert_int_equal(json_array_size(run.errors), 0);
		assert_int_equal(json_array_size(run.records), 2);
		PT_STR(json_array_get(run.records, 0), "message", "first");
		PT_STR(json_array_get(run.records, 0), "log.level", "INFO");
		PT_STR(json_array_get(run.records, 1), "labels.nested_list",
		    "[1,{\"x\":\"]\"}]");
		pt_run_free(&run);
	}
	/* An empty array holds no record and no error. */
	pt_run_text(&run, LOG_FORMAT_JSON, NULL, "[ ]\n", 4, 0);
	assert_int_equal(json_array_size(run.records), 0);
	assert_int_equal(json_array_size(run.errors), 0);
	pt_run_free(&run);
}

static void
test_json_pretty_objects_in_a_row(void **state)
{
	struct pt_run run;
	const char   *text =
	    "{\n  \"msg\": \"one\"\n}\n{\n  \"msg\": \"two\"\n}\n"
	    "{\"msg\": \"three\"}\n";

	(void)state;
	pt_run_text(&run, LOG_FORMAT_JSON, NULL, text, strlen(text), 5);
	assert_int_equal(json_array_size(run.errors), 0);
	assert_int_equal(json_array_size(run.records), 3);
	PT_STR(json_array_get(run.records, 1), "message", "two");
	pt_run_free(&run);
}

static void
test_json_errors_located(void **state)
{
	struct pt_run run;
	const char   *text = "{\"msg\":\"ok\"}\n"
			     "{\"msg\": tru}\n"
			     "not json\n"
			     "{\"msg\":\"unterminated\"\n"
			     "{\"msg\":\"after\"}\n"
			     "[1,2]\n"
			     "{\"a\":1}";

	(void)state;
	pt_run_text(&run, LOG_FORMAT_JSON, NULL, text, strlen(text), 0);
	assert_int_equal(json_array_size(run.records), 3);
	assert_int_equal(json_array_size(run.errors), 4);
	assert_string_equal(json_string_value(json_array_get(run.errors, 0)),
	    "line 2 column 11: invalid token near 'tru'");
	assert_string_equal(json_string_value(json_array_get(run.errors, 1)),
	    "line 3 column 1: expected a JSON object");
	assert_string_equal(json_string_value(json_array_get(run.errors, 2)),
	    "line 4 column 1: JSON object not closed before line 5");
	assert_string_equal(json_string_value(json_array_get(run.errors, 3)),
	    "line 6 column 1: expected a JSON object");
	PT_STR(json_array_get(run.records, 1), "message", "after");
	/* Without a message, the object's text is the message. */
	PT_STR(json_array_get(run.records, 2), "message", "{\"a\":1}");
	pt_run_free(&run);
}

static void
test_json_array_errors(void **state)
{
	struct pt_run run;
	const char   *elems = "[{\"msg\":\"a\"}, 42, {\"msg\": nope},\n"
			      " {\"msg\":\"b\"}]\n";
	const char   *sep = "[{\"msg\":\"a\"} {\"msg\":\"b\"}]";
	const char   *after = "[{\"msg\":\"a\"}] {\"msg\":\"b\"}";
	const char   *open = "[{\"msg\":\"a\"},\n{\"msg\":\"b\"";
	const char   *mismatch = "[{\"msg\":[\"a\"}, {\"msg\":\"b\"}]";

	(void)state;
	pt_run_text(&run, LOG_FORMAT_JSON, NULL, elems, strlen(elems), 0);
	assert_int_equal(json_array_size(run.records), 2);
	assert_int_equal(json_array_size(run.errors), 2);
	assert_string_equal(json_string_value(json_array_get(run.errors, 0)),
	    "line 1 column 15: expected a JSON object");
	assert_string_equal(json_string_value(json_array_get(run.errors, 1)),
	    "line 1 column 30: invalid token near 'nope'");
	pt_run_free(&run);
	pt_run_text(&run, LOG_FORMAT_JSON, NULL, sep, strlen(sep), 0);
	assert_true(run.fatal);
	assert_string_equal(json_string_value(json_array_get(run.errors, 0)),
	    "line 1 column 14: expected ',' or ']' after an array element");
	pt_run_free(&run);
	pt_run_text(&run, LOG_FORMAT_JSON, NULL, after, strlen(after), 0);
	assert_true(run.fatal);
	assert_int_equal(json_array_size(run.records), 1);
	pt_run_free(&run);
	pt_run_text(&run, LOG_FORMAT_JSON, NULL, open, strlen(open), 0);
	assert_int_equal(json_array_size(run.records), 1);
	assert_string_equal(json_string_value(json_array_get(run.errors, 0)),
	    "line 2 column 1: JSON value not closed at the end of the file");
	pt_run_free(&run);
	pt_run_text(&run, LOG_FORMAT_JSON, NULL, mismatch, strlen(mismatch), 0);
	assert_int_equal(json_array_size(run.records), 1);
	assert_string_equal(json_string_value(json_array_get(run.errors, 0)),
	    "line 1 column 2: brackets do not match");
	PT_STR(json_array_get(run.records, 0), "message", "b");
	pt_run_free(&run);
}

static void
test_json_bounded_element(void **state)
{
	struct pt_run        run;
	struct logparse_opts o = {.max_line = 32, .max_record = 64};
	const char *text = "[\n{\"msg\":\n\"0123456789012345678901\",\n"
			   "\"x\":\"0123456789012345678901\",\n"
			   "\"y\":\"0123456789012345678901\"},\n"
			   "{\"msg\":\"small\"}]\n";

	(void)state;
	pt_run_text(&run, LOG_FORMAT_JSON, &o, text, strlen(text), 0);
	assert_int_equal(json_array_size(run.records), 1);
	assert_string_equal(json_string_value(json_array_get(run.errors, 0)),
	    "line 2 column 1: JSON element longer than 64 bytes");
	PT_STR(json_array_get(run.records, 0), "message", "small");
	pt_run_free(&run);
}

/* The fast path and the jansson path give the same on hard cases. */
static void
test_json_fast_path_matches_jansson(void **state)
{
	static const char *cases[] = {
	    "{\"msg\":\"esc \\\" \\\\ \\/ \\b\\f\\n\\r\\t \\u00e9 "
	    "\\ud83d\\ude00 \\u20ac\"}",
	    "{\"dup\":1,\"level\":\"info\",\"dup\":2}",
	    "{\"n\":-0,\"r\":1.0e2,\"s\":0.1,\"t\":1e-7,\"m\":-9223372036854775808}",
	    "{\"big\":123456789012345678901}",
	    "{\"big\":123456789012345678901.5}",
	    "{\"a\":1e400}",
	    "{\"u\":\"\\u0000\"}",
	    "{\"s\":\"\\ud800 lone\"}",
	    "{\"s\":\"\\udc00 lone\"}",
	    "{\"s\":\"\\x\"}",
	    "{\"\":\"empty\",\"e\":\"\",\"t\":true,\"f\":false,\"z\":null}",
	    "{\"\":{\"level\":\"error\"}}",
	    "{\"x\":{\"y\":{\"z\":{\"w\":[1,2.5,\"s\",{\"k\":null}]}}}}",
	    "{\"x\":{\"y\":{\"z\":{\"w\":{\"d\":1,\"d\":2}}}}}",
	    "{\"a\":[{\"b\":1,\"b\":2}],\"c\":[]  ,  \"d\" : { } }",
	    "{\"0123456789012345678901234567890123456789012345678901234567890123"
	    "456789012345678901234567890123456789012345678901234567890123456789"
	    "\":{\"level\":\"error\"},\"ok\":1}",
	    "{\"a\":01}",
	    "{\"a\":1,}",
	    "{\"a\" 1}",
	    "{\"a\":tru}",
	    "{\"a\":\"tab\there\"}",
	    "{\"a\":\"\xc3\x28\"}",
	    "{\"@timestamp\":1700000000.5,\"level\":40,\"status\":\"503\"}",
	    "  {\"pad\":1}  ",
	};
	struct logparse_opts fast = {.ingest_ms = 1};
	struct logparse_opts ref = {.ingest_ms = 1, .json_reference = true};
	struct pt_run        a, b;
	size_t               i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pt_run_text(
		    &a, LOG_FORMAT_JSON, &fast, cases[i], strlen(cases[i]), 0);
		pt_run_text(
		    &b, LOG_FORMAT_JSON, &ref, cases[i], strlen(cases[i]), 0);
		if (!json_equal(a.records, b.records) ||
		    !json_equal(a.errors, b.errors))
			fail_msg("case %zu differs: %s", i, cases[i]);
		pt_run_free(&a);
		pt_run_free(&b);
	}
	/* And the values themselves, on the first case. */
	pt_run_text(&a, LOG_FORMAT_JSON, &fast, cases[0], strlen(cases[0]), 0);
	PT_STR(json_array_get(a.records, 0), "message",
	    "esc \" \\ / \b\f\n\r\t \xc3\xa9 \xf0\x9f\x98\x80 \xe2\x82\xac");
	pt_run_free(&a);
	pt_run_text(&a, LOG_FORMAT_JSON, &fast, cases[1], strlen(cases[1]), 0);
	PT_STR(json_array_get(a.records, 0), "labels.dup", "2");
	pt_run_free(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_json_ndjson_fields),
	    cmocka_unit_test(test_json_nested_ecs_and_labels),
	    cmocka_unit_test(test_json_array_streamed),
	    cmocka_unit_test(test_json_pretty_objects_in_a_row),
	    cmocka_unit_test(test_json_errors_located),
	    cmocka_unit_test(test_json_array_errors),
	    cmocka_unit_test(test_json_bounded_element),
	    cmocka_unit_test(test_json_fast_path_matches_jansson),
	};

	return (cmocka_run_group_tests_name("parse_json", tests, NULL, NULL));
}
