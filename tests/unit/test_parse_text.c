/*
 * Unit tests of the Apache error log parser (parse_apache_error.c, real
 * lines from Loghub's Apache sample and the 2.4 form) and of plain text
 * lines (parse_plain.c, real lines from Loghub's Hadoop, Zookeeper, HDFS
 * and Spark samples).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "parse_test.h"

static void
test_apache_error_22(void **state)
{
	struct logparse_error err;
	json_t               *r;

	(void)state;
	r = pt_line(LOG_FORMAT_APACHE_ERROR, NULL,
	    "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok "
	    "/etc/httpd/conf/workers2.properties",
	    &err);
	assert_non_null(r);
	PT_STR(r, "@timestamp", "2005-12-04T04:47:44.000Z");
	PT_STR(r, "log.level", "INFO");
	PT_STR(r, "message",
	    "workerEnv.init() ok /etc/httpd/conf/workers2.properties");
	PT_NONE(r, "log.logger");
	json_decref(r);
	r = pt_line(LOG_FORMAT_APACHE_ERROR, NULL,
	    "[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in "
	    "error state 6",
	    &err);
	PT_STR(r, "log.level", "ERROR");
	json_decref(r);
	r = pt_line(LOG_FORMAT_APACHE_ERROR, NULL,
	    "[Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] client "
	    "denied by server configuration: /export/home/live/ap/htdocs/test",
	    &err);
	assert_non_null(r);
	PT_STR(r, "client.ip", "127.0.0.1");
	PT_NONE(r, "client.port");
	PT_STR(r, "message",
	    "client denied by server configuration: "
	    "/export/home/live/ap/htdocs/test");
	json_decref(r);
}

static void
test_apache_error_24(void **state)
{
	struct logparse_error err;
	json_t               *r;

	(void)state;
	r = pt_line(LOG_FORMAT_APACHE_ERROR, NULL,
	    "[Sat Jun 04 12:34:56.123456 2016] [core:error] [pid 123:tid 456] "
	    "[client 1.2.3.4:5678] AH00128: File does not exist: "
	    "/var/www/favicon.ico",
	    &err);
	assert_non_null(r);
	PT_STR(r, "@timestamp", "2016-06-04T12:34:56.123Z");
	PT_STR(r, "log.level", "ERROR");
	PT_STR(r, "log.logger", "core");
	PT_INT(r, "process.pid", 123);
	PT_INT(r, "process.thread.id", 456);
	PT_STR(r, "client.ip", "1.2.3.4");
	PT_INT(r, "client.port", 5678);
	PT_STR(r, "labels.code", "AH00128");
	PT_STR(
	    r, "message", "AH00128: File does not exist: /var/www/favicon.ico");
	json_decref(r);
	/* IPv6 client with a port; pid without tid; trace level. */
	r = pt_line(LOG_FORMAT_APACHE_ERROR, NULL,
	    "[Sat Jun 04 12:34:56.123456 2016] [ssl:trace3] [pid 9] "
	    "[client 2001:db8::7:50001] [remote 10.0.0.1:80] handshake "
	    "[with brackets]",
	    &err);
	assert_non_null(r);
	PT_STR(r, "log.level", "DEBUG");
	PT_STR(r, "client.ip", "2001:db8::7");
	PT_INT(r, "client.port", 50001);
	PT_INT(r, "process.pid", 9);
	PT_NONE(r, "process.thread.id");
	PT_STR(r, "message", "handshake [with brackets]");
	json_decref(r);
	r = pt_line(LOG_FORMAT_APACHE_ERROR, NULL,
	    "[Sat Jun 04 12:34:56 2016] [mpm_event:warn] [pid 1:tid 2] AH00489: "
	    "x",
	    &err);
	PT_STR(r, "log.level", "WARNING");
	json_decref(r);
}

static void
test_apache_error_errors(void **state)
{
	struct logparse_error err;
	static const char    *bad[] = {"no brackets",
	       "[Sun Dec 04 04:47:44 2005] notice: missing brackets",
	       "[Sun Dec 32 04:47:44 2005] [notice] x",
	       "[Sun Dec 04 04:47:44 2005] [chatty] x", "[yesterday] [error] x",
	       "[Sun Dec 04 04:47:44 2005"};
	size_t                i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_null(
		    pt_line(LOG_FORMAT_APACHE_ERROR, NULL, bad[i], &err));
		assert_non_null(
		    strstr(err.message, "not an Apache error log line"));
	}
}

static void
test_plain_timestamps_and_levels(void **state)
{
	struct logparse_opts o = {
	    .ingest_ms = 1700000000000LL, .default_year = 2015};
	struct logparse_error err;
	json_t               *r;

	(void)state;
	r = pt_line(LOG_FORMAT_PLAIN, &o,
	    "2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.mapreduce."
	    "v2.app.MRAppMaster: Created MRAppMaster for application "
	    "appattempt_1445144423722_0020_000001",
	    &err);
	assert_non_null(r);
	PT_STR(r, "@timestamp", "2015-10-18T18:01:47.978Z");
	PT_STR(r, "log.level", "INFO");
	assert_non_null(strstr(pt_str(r, "message"), "Created MRAppMaster"));
	json_decref(r);
	r = pt_line(LOG_FORMAT_PLAIN, &o,
	    "2015-07-29 19:04:29,071 - WARN  [SendWorker:188978561024:"
	    "QuorumCnxManager$SendWorker@688] - Send worker leaving thread",
	    &err);
	PT_STR(r, "@timestamp", "2015-07-29T19:04:29.071Z");
	PT_STR(r, "log.level", "WARNING");
	json_decref(r);
	/* HDFS: compact two-digit-year stamp, a level in capitals. */
	r = pt_line(LOG_FORMAT_PLAIN, &o,
	    "081109 203615 148 INFO dfs.DataNode$PacketResponder: "
	    "PacketResponder 1 for block blk_38865049064139660 terminating",
	    &err);
	PT_STR(r, "@timestamp", "2008-11-09T20:36:15.000Z");
	PT_STR(r, "log.level", "INFO");
	json_decref(r);
	/* Spark (log4j yy/MM/dd). */
	r = pt_line(LOG_FORMAT_PLAIN, &o,
	    "17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: "
	    "Registered signal handlers for [TERM, HUP, INT]",
	    &err);
	PT_STR(r, "@timestamp", "2017-06-09T20:10:40.000Z");
	PT_STR(r, "log.level", "INFO");
	json_decref(r);
	/* Six digits that are no date stay a message: month 13. */
	r = pt_line(LOG_FORMAT_PLAIN, &o, "081309 203615 INFO x", &err);
	PT_STR(r, "@timestamp", "2023-11-14T22:13:20.000Z");
	json_decref(r);
	/* Bracketed ISO stamp, bracketed lower-case level. */
	r = pt_line(LOG_FORMAT_PLAIN, &o,
	    "[2024-02-29T08:00:00+02:00] [error] something broke", &err);
	PT_STR(r, "@timestamp", "2024-02-29T06:00:00.000Z");
	PT_STR(r, "log.level", "ERROR");
	json_decref(r);
	/* logfmt level, syslog-like stamp in the given year. */
	r = pt_line(LOG_FORMAT_PLAIN, &o,
	    "Dec 10 06:55:46 time=x level=debug msg=\"hi\"", &err);
	PT_STR(r, "@timestamp", "2015-12-10T06:55:46.000Z");
	PT_STR(r, "log.level", "DEBUG");
	json_decref(r);
	/* Lower-case words are not levels; an impossible date no stamp. */
	r = pt_line(LOG_FORMAT_PLAIN, &o,
	    "2023-02-29 10:00:00 the info page was shown", &err);
	PT_STR(r, "@timestamp", "2023-11-14T22:13:20.000Z");
	PT_NONE(r, "log.level");
	json_decref(r);
	/* A stamp glued to a word is not a stamp. */
	r = pt_line(
	    LOG_FORMAT_PLAIN, &o, "2024-01-01T10:00:00Zfoo FATAL x", &err);
	PT_STR(r, "@timestamp", "2023-11-14T22:13:20.000Z");
	PT_STR(r, "log.level", "CRITICAL");
	json_decref(r);
}

static void
test_plain_file(void **state)
{
	struct pt_run        run;
	struct logparse_opts o = {.ingest_ms = 0};
	const char          *text = "\xef\xbb\xbf"
				    "first line\r\n"
				    "   \r\n"
				    "\tsecond line\n"
				    "last line without newline";

	(void)state;
	pt_run_text(&run, LOG_FORMAT_PLAIN, &o, text, strlen(text), 4);
	assert_int_equal(json_array_size(run.records), 3);
	assert_int_equal(json_array_size(run.errors), 0);
	PT_STR(json_array_get(run.records, 0), "message", "first line");
	PT_STR(json_array_get(run.records, 1), "message", "\tsecond line");
	PT_STR(json_array_get(run.records, 2), "message",
	    "last line without newline");
	pt_run_free(&run);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_apache_error_22),
	    cmocka_unit_test(test_apache_error_24),
	    cmocka_unit_test(test_apache_error_errors),
	    cmocka_unit_test(test_plain_timestamps_and_levels),
	    cmocka_unit_test(test_plain_file),
	};

	return (cmocka_run_group_tests_name("parse_text", tests, NULL, NULL));
}
