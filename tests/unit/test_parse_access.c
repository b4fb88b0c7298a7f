/*
 * Unit tests of the access log parser (parse_access.c) and its mapping
 * to the common schema, with real lines from the shared data
 * (elastic/examples apache_logs, Apache License 2.0) and the nasty
 * cases: escaped quotes in user agents, IPv6 clients, '-' sizes, no
 * referer, the common format, requests that are not requests, CRLF.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "parse_test.h"

static void
test_access_combined_real(void **state)
{
	struct logparse_error err;
	json_t               *r;

	(void)state;
	r = pt_line(LOG_FORMAT_ACCESS, NULL,
	    "83.149.9.216 - - [17/May/2015:10:05:03 +0000] \"GET "
	    "/presentations/logstash-monitorama-2013/images/kibana-search.png "
	    "HTTP/1.1\" 200 203023 "
	    "\"http://semicomplete.com/presentations/logstash-monitorama-2013/"
	    "\" \"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) "
	    "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 "
	    "Safari/537.36\"",
	    &err);
	assert_non_null(r);
	PT_STR(r, "@timestamp", "2015-05-17T10:05:03.000Z");
	PT_STR(r, "client.ip", "83.149.9.216");
	PT_STR(r, "http.request.method", "GET");
	PT_STR(r, "url.path",
	    "/presentations/logstash-monitorama-2013/images/kibana-search.png");
	PT_NONE(r, "url.query");
	PT_STR(r, "http.version", "1.1");
	PT_INT(r, "http.response.status_code", 200);
	PT_INT(r, "http.response.body.bytes", 203023);
	PT_STR(r, "http.request.referrer",
	    "http://semicomplete.com/presentations/logstash-monitorama-2013/");
	PT_STR(r, "user_agent.original",
	    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 "
	    "(KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36");
	PT_STR(r, "log.level", "INFO");
	PT_NONE(r, "user.name");
	/* The line is the message; it is not stored a second time. */
	assert_non_null(pt_str(r, "message"));
	PT_NONE(r, "event.original");
	json_decref(r);
}

static void
test_access_status_levels_and_dash_size(void **state)
{
	struct logparse_error err;
	json_t               *r;

	(void)state;
	/* 500 with '-' for the size: ERROR, no bytes. */
	r = pt_line(LOG_FORMAT_ACCESS, NULL,
	    "66.249.73.135 - - [18/May/2015:03:05:34 +0000] \"GET "
	    "/misc/Title.php.txt HTTP/1.1\" 500 - \"-\" \"Mozilla/5.0 "
	    "(compatible; Googlebot/2.1; +http://www.google.com/bot.html)\"",
	    &err);
	assert_non_null(r);
	PT_STR(r, "log.level", "ERROR");
	PT_NONE(r, "http.response.body.bytes");
	PT_NONE(r, "http.request.referrer");
	json_decref(r);
	/* 404 with a query string: WARNING, path and query apart. */
	r = pt_line(LOG_FORMAT_ACCESS, NULL,
	    "66.249.73.185 - - [17/May/2015:10:05:22 +0000] \"GET "
	    "/doc/index.html?org/elasticsearch/action/search/"
	    "SearchResponse.html HTTP/1.1\" 404 294 \"-\" \"Mozilla/5.0 "
	    "(compatible; Googlebot/2.1; +http://www.google.com/bot.html)\"",
	    &err);
	assert_non_null(r);
	PT_STR(r, "log.level", "WARNING");
	PT_STR(r, "url.path", "/doc/index.html");
	PT_STR(r, "url.query",
	    "org/elasticsearch/action/search/SearchResponse.html");
	json_decref(r);
	/* "-" "-": neither referer nor agent. */
	r = pt_line(LOG_FORMAT_ACCESS, NULL,
	    "200.49.190.101 - - [17/May/2015:10:05:36 +0000] \"GET /reset.css "
	    "HTTP/1.1\" 200 1015 \"-\" \"-\"",
	    &err);
	assert_non_null(r);
	PT_NONE(r, "user_agent.original");
	PT_NONE(r, "http.request.referrer");
	PT_INT(r, "http.response.body.bytes", 1015);
	json_decref(r);
}

static void
test_access_escaped_quotes_ipv6_user(void **state)
{
	struct logparse_error err;
	json_t               *r;

	(void)state;
	r = pt_line(LOG_FORMAT_ACCESS, NULL,
	    "2001:db8::1 - frank [10/Oct/2000:13:55:36 -0700] \"POST "
	    "/api/v1/items?id=7&x=\\\"y\\\" HTTP/2.0\" 201 12 "
	    "\"https://example.org/a?b=c\" \"curl/8.0 \\\"quoted\\\" "
	    "\\\\backslash \\x41\"",
	    &err);
	assert_non_null(r);
	PT_STR(r, "client.ip", "2001:db8::1");
	PT_STR(r, "user.name", "frank");
	PT_STR(r, "@timestamp", "2000-10-10T20:55:36.000Z");
	PT_STR(r, "http.request.method", "POST");
	PT_STR(r, "url.path", "/api/v1/items");
	PT_STR(r, "url.query", "id=7&x=\"y\"");
	PT_STR(r, "http.version", "2.0");
	PT_STR(
	    r, "user_agent.original", "curl/8.0 \"quoted\" \\backslash \\x41");
	PT_STR(r, "http.request.referrer", "https://example.org/a?b=c");
	json_decref(r);
	/* An IPv4-mapped address and a host name instead of an address. */
	r = pt_line(LOG_FORMAT_ACCESS, NULL,
	    "::ffff:10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] \"GET / "
	    "HTTP/1.0\" 304 0",
	    &err);
	assert_non_null(r);
	PT_STR(r, "client.ip", "::ffff:10.0.0.1");
	json_decref(r);
	r = pt_line(LOG_FORMAT_ACCESS, NULL,
	    "proxy.example.org - - [10/Oct/2000:13:55:36 +0000] \"GET / "
	    "HTTP/1.0\" 200 5",
	    &err);
	assert_non_null(r);
	PT_NONE(r, "client.ip");
	PT_STR(r, "client.domain", "proxy.example.org");
	json_decref(r);
}

static void
test_access_common_and_odd_requests(void **state)
{
	struct logparse_error err;
	json_t               *r;

	(void)state;
	/* Common format (Apache's own example). */
	r = pt_line(LOG_FORMAT_ACCESS, NULL,
	    "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET "
	    "/apache_pb.gif HTTP/1.0\" 200 2326",
	    &err);
	assert_non_null(r);
	PT_INT(r, "http.response.body.bytes", 2326);
	PT_NONE(r, "user_agent.original");
	json_decref(r);
	/* A TLS handshake sent to a plain port: kept as labels.request. */
	r = pt_line(LOG_FORMAT_ACCESS, NULL,
	    "192.0.2.7 - - [10/Oct/2000:13:55:36 +0000] "
	    "\"\\x16\\x03\\x01\\x00\\xa5\" 400 226 \"-\" \"-\"",
	    &err);
	assert_non_null(r);
	PT_NONE(r, "http.request.method");
	PT_STR(r, "labels.request", "\\x16\\x03\\x01\\x00\\xa5");
	PT_STR(r, "log.level", "WARNING");
	json_decref(r);
	/* "-" as the request (Nginx on a closed connection). */
	r = pt_line(LOG_FORMAT_ACCESS, NULL,
	    "192.0.2.7 - - [10/Oct/2000:13:55:36 +0000] \"-\" 408 0 \"-\" "
	    "\"-\"",
	    &err);
	assert_non_null(r);
	PT_NONE(r, "url.path");
	json_decref(r);
	/* HTTP/0.9 style: no protocol. Extra Nginx fields at the end. */
	r = pt_line(LOG_FORMAT_ACCESS, NULL,
	    "192.0.2.7 - - [10/Oct/2000:13:55:36 +0000] \"GET /x\" 200 1 "
	    "\"-\" \"agent\" \"10.1.1.1\" rt=0.005",
	    &err);
	assert_non_null(r);
	PT_STR(r, "url.path", "/x");
	PT_NONE(r, "http.version");
	PT_STR(r, "user_agent.original", "agent");
	json_decref(r);
}

static void
test_access_errors_are_located(void **state)
{
	struct logparse_error err;
	static const char    *bad[] = {
	       "not an access log line at all",
	       "1.2.3.4 - - [17/May/2015:10:05:03 +0000] GET / HTTP/1.1 200 5",
	       "1.2.3.4 - - [17/May/2015:10:05:03] \"GET /\" 200 5",
	       "1.2.3.4 - - [30/Feb/2015:10:05:03 +0000] \"GET /\" 200 5",
	       "1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET / 200 5",
	       "1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET /\" 2000 5",
	       "1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET /\" 200 5x",
	       "1.2.3.4 - - [17/May/2015:10:05:03 +0000] \"GET /\" 200",
	       "1.2.3.4",
        };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_null(pt_line(LOG_FORMAT_ACCESS, NULL, bad[i], &err));
		assert_non_null(strstr(
		    err.message, "not a combined/common access log line"));
		assert_int_equal(err.line, 1);
		assert_true(err.column >= 1);
	}
	assert_null(pt_line(LOG_FORMAT_ACCESS, NULL, bad[3], &err));
	assert_string_equal(err.message,
	    "line 1 column 14: not a combined/common access log line");
}

static void
test_access_file_crlf_blank_and_counts(void **state)
{
	struct pt_run        run;
	struct logparse_opts o = {.ingest_ms = 1};
	const char          *text =
	    "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 1\r\n"
	    "\r\n"
	    "garbage\r\n"
	    "127.0.0.1 - - [10/Oct/2000:13:55:37 -0700] \"GET /b HTTP/1.0\" 200 2";

	(void)state;
	pt_run_text(&run, LOG_FORMAT_ACCESS, &o, text, strlen(text), 7);
	assert_int_equal(json_array_size(run.records), 2);
	assert_int_equal(json_array_size(run.errors), 1);
	assert_int_equal(json_integer_value(json_array_get(run.lines, 0)), 3);
	PT_STR(json_array_get(run.records, 1), "url.path", "/b");
	PT_INT(json_array_get(run.records, 1), "http.response.body.bytes", 2);
	/* No '\r' left in the line kept as the message. */
	assert_null(
	    strchr(pt_str(json_array_get(run.records, 0), "message"), '\r'));
	assert_int_equal(logparse_records(run.p), 2);
	assert_int_equal(logparse_errors(run.p), 1);
	pt_run_free(&run);
}

static void
test_access_overlong_line(void **state)
{
	struct pt_run        run;
	struct logparse_opts o = {.max_line = 100};
	char                 text[400];
	const char          *line =
	    "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 1\n";

	(void)state;
	memset(text, 'a', sizeof(text));
	text[250] = '\n';
	memcpy(text + 251, line, strlen(line));
	pt_run_text(&run, LOG_FORMAT_ACCESS, &o, text, 251 + strlen(line), 16);
	assert_int_equal(json_array_size(run.records), 1);
	assert_int_equal(json_array_size(run.errors), 1);
	assert_string_equal(json_string_value(json_array_get(run.errors, 0)),
	    "line 1: line longer than 100 bytes");
	pt_run_free(&run);
}

static void
test_access_no_original_and_fast_path(void **state)
{
	struct logparse_opts  o = {.no_original = true};
	struct logparse      *p;
	struct logparse_error err;
	struct buf            b;
	const char *line = "10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "
			   "\"GET /\\\"q HTTP/1.1\" 200 3 \"-\" \"ua\"";

	(void)state;
	p = logparse_new(LOG_FORMAT_ACCESS, &o);
	assert_int_equal(logparse_line(p, line, strlen(line), 1, NULL, &err),
	    LOGPARSE_RECORD);
	buf_init(&b, 64);
	record_append_json(&b, logparse_event(p));
	assert_string_equal(b.data,
	    "{\"@timestamp\":\"2000-10-10T20:55:36.000Z\",\"message\":"
	    "\"10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \\\"GET /\\\\\\\"q "
	    "HTTP/1.1\\\" 200 3 \\\"-\\\" \\\"ua\\\"\",\"log.level\":\"INFO\","
	    "\"client.ip\":\"10.0.0.1\",\"url.path\":\"/\\\"q\","
	    "\"http.request.method\":\"GET\","
	    "\"http.response.status_code\":200,"
	    "\"http.response.body.bytes\":3,\"http.version\":\"1.1\","
	    "\"user_agent.original\":\"ua\"}");
	buf_free(&b);
	logparse_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_access_combined_real),
	    cmocka_unit_test(test_access_status_levels_and_dash_size),
	    cmocka_unit_test(test_access_escaped_quotes_ipv6_user),
	    cmocka_unit_test(test_access_common_and_odd_requests),
	    cmocka_unit_test(test_access_errors_are_located),
	    cmocka_unit_test(test_access_file_crlf_blank_and_counts),
	    cmocka_unit_test(test_access_overlong_line),
	    cmocka_unit_test(test_access_no_original_and_fast_path),
	};

	return (cmocka_run_group_tests_name("parse_access", tests, NULL, NULL));
}
