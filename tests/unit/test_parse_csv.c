/*
 * Unit tests of the CSV parser (parse_csv.c): delimiters, RFC 4180
 * quoting (delimiters and doubled quotes inside quotes, newlines inside
 * quotes spanning lines), column mapping and labels, located errors.
 * Real rows from Loghub's structured samples (loghub_2k, *_structured.csv
 * files).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "parse_test.h"

static void
test_csv_loghub_apache(void **state)
{
	struct pt_run run;
	const char   *text =
	    "LineId,Time,Level,Content,EventId,EventTemplate\n"
	    "1,Sun Dec 04 04:47:44 2005,notice,workerEnv.init() ok "
	    "/etc/httpd/conf/workers2.properties,E2,workerEnv.init() ok <*>\n"
	    "2,Sun Dec 04 04:47:44 2005,error,mod_jk child workerEnv in error "
	    "state 6,E3,mod_jk child workerEnv in error state <*>\n";
	json_t *r;

	(void)state;
	pt_run_text(&run, LOG_FORMAT_CSV, NULL, text, strlen(text), 0);
	assert_int_equal(json_array_size(run.errors), 0);
	assert_int_equal(json_array_size(run.records), 2);
	r = json_array_get(run.records, 1);
	PT_STR(r, "@timestamp", "2005-12-04T04:47:44.000Z");
	PT_STR(r, "log.level", "ERROR");
	PT_STR(r, "message", "mod_jk child workerEnv in error state 6");
	PT_STR(r, "labels.lineid", "2");
	PT_STR(r, "labels.eventid", "E3");
	PT_STR(r, "labels.eventtemplate",
	    "mod_jk child workerEnv in error state <*>");
	PT_STR(json_array_get(run.records, 0), "log.level", "INFO");
	pt_run_free(&run);
}

static void
test_csv_quotes_and_date_time(void **state)
{
	struct pt_run run;
	/* Loghub Hadoop: a quoted time with a comma, a quoted message. */
	const char *text =
	    "LineId,Date,Time,Level,Process,Component,Content,EventId,"
	    "EventTemplate\n"
	    "3,2015-10-18,\"18:01:48,963\",INFO,main,org.apache.hadoop."
	    "mapreduce.v2.app.MRAppMaster,\"Kind: YARN_AM_RM_TOKEN, Service: , "
	    "Ident: (appAttemptId { application_id { id: 20 cluster_timestamp: "
	    "1445144423722 } attemptId: 1 } keyId: -127633188)\",E61,\"Kind: "
	    "YARN_AM_RM_TOKEN, Service: , Ident: <*>\"\n"
	    "4,2015-10-18,\"18:01:49,228\",WARN,main,x,\"say \"\"hi\"\", "
	    "twice\",E1,t\n";
	json_t *r;

	(void)state;
	pt_run_text(&run, LOG_FORMAT_CSV, NULL, text, strlen(text), 0);
	assert_int_equal(json_array_size(run.errors), 0);
	assert_int_equal(json_array_size(run.records), 2);
	r = json_array_get(run.records, 0);
	PT_STR(r, "@timestamp", "2015-10-18T18:01:48.963Z");
	PT_STR(r, "message",
	    "Kind: YARN_AM_RM_TOKEN, Service: , Ident: (appAttemptId { "
	    "application_id { id: 20 cluster_timestamp: 1445144423722 } "
	    "attemptId: 1 } keyId: -127633188)");
	PT_STR(r, "labels.process", "main");
	PT_STR(r, "labels.component",
	    "org.apache.hadoop.mapreduce.v2.app.MRAppMaster");
	PT_NONE(r, "labels.date");
	r = json_array_get(run.records, 1);
	PT_STR(r, "message", "say \"hi\", twice");
	PT_STR(r, "log.level", "WARNING");
	pt_run_free(&run);
}

static void
test_csv_delimiters_and_known_columns(void **state)
{
	struct pt_run run;
	const char   *semi =
	    "timestamp;severity;service;host;client_ip;user;method;url;status;"
	    "bytes;duration_ms;trace_id;span_id;pid;odd Name!\n"
	    "2024-03-01T10:00:00+01:00;err;checkout;web-1;10.0.0.9;ana;POST;"
	    "/pay?x=1;502;123;12.5;4bf92f3577b34da6a3ce929d0e0e4736;"
	    "00f067aa0ba902b7;4242;v\n";
	const char *tab = "time\tlevel\tmsg\n1700000000\twarn\thello\tthere\n"
			  "1700000001\tdebug\tsecond\n";
	json_t     *r;

	(void)state;
	pt_run_text(&run, LOG_FORMAT_CSV, NULL, semi, strlen(semi), 0);
	assert_int_equal(json_array_size(run.records), 1);
	r = json_array_get(run.records, 0);
	PT_STR(r, "@timestamp", "2024-03-01T09:00:00.000Z");
	PT_STR(r, "log.level", "ERROR");
	PT_STR(r, "service.name", "checkout");
	PT_STR(r, "host.name", "web-1");
	PT_STR(r, "client.ip", "10.0.0.9");
	PT_STR(r, "user.name", "ana");
	PT_STR(r, "http.request.method", "POST");
	PT_STR(r, "url.path", "/pay");
	PT_STR(r, "url.query", "x=1");
	PT_INT(r, "http.response.status_code", 502);
	PT_INT(r, "http.response.body.bytes", 123);
	PT_INT(r, "event.duration", 12500000);
	PT_STR(r, "trace.id", "4bf92f3577b34da6a3ce929d0e0e4736");
	PT_STR(r, "span.id", "00f067aa0ba902b7");
	PT_INT(r, "process.pid", 4242);
	PT_STR(r, "labels.odd_name", "v");
	/* No message column: the row is the message. */
	assert_non_null(pt_str(r, "message"));
	pt_run_free(&run);
	/* Tabs, epoch seconds, and a row with one column too many. */
	pt_run_text(&run, LOG_FORMAT_CSV, NULL, tab, strlen(tab), 0);
	assert_int_equal(json_array_size(run.records), 1);
	assert_string_equal(json_string_value(json_array_get(run.errors, 0)),
	    "line 2: expected 3 columns, found 4");
	r = json_array_get(run.records, 0);
	PT_STR(r, "@timestamp", "2023-11-14T22:13:21.000Z");
	PT_STR(r, "log.level", "DEBUG");
	PT_STR(r, "message", "second");
	pt_run_free(&run);
}

static void
test_csv_values_that_do_not_fit_become_labels(void **state)
{
	struct pt_run run;
	const char   *text = "time,level,status,ip,msg\n"
			     "yesterday,chatty,ok,not-an-ip,m\n";
	json_t       *r;

	(void)state;
	pt_run_text(&run, LOG_FORMAT_CSV, NULL, text, strlen(text), 0);
	r = json_array_get(run.records, 0);
	PT_STR(r, "labels.time", "yesterday");
	PT_STR(r, "labels.level", "chatty");
	PT_STR(r, "labels.status", "ok");
	PT_STR(r, "labels.ip", "not-an-ip");
	PT_NONE(r, "log.level");
	PT_NONE(r, "client.ip");
	pt_run_free(&run);
}

static void
test_csv_newline_in_quotes_spans_lines(void **state)
{
	struct pt_run run;
	const char   *text =
	    "id,message,level\r\n"
	    "1,\"first line\r\nsecond, line\r\n\"\"third\"\"\",info\r\n"
	    "2,plain,warn\r\n";
	json_t *r;

	(void)state;
	pt_run_text(&run, LOG_FORMAT_CSV, NULL, text, strlen(text), 3);
	assert_int_equal(json_array_size(run.errors), 0);
	assert_int_equal(json_array_size(run.records), 2);
	r = json_array_get(run.records, 0);
	PT_STR(r, "message", "first line\nsecond, line\n\"third\"");
	PT_STR(r, "log.level", "INFO");
	PT_STR(json_array_get(run.records, 1), "message", "plain");
	pt_run_free(&run);
}

static void
test_csv_unclosed_quote(void **state)
{
	struct pt_run        run;
	struct logparse_opts o = {.max_record = 64, .max_line = 64};
	const char          *end = "a,b\n1,\"never closed\nmore\n";
	const char          *big = "a,b\n1,\"x\n"
				   "0123456789012345678901234567890123456789\n"
				   "0123456789012345678901234567890123456789\n"
				   "3,4\n";

	(void)state;
	pt_run_text(&run, LOG_FORMAT_CSV, NULL, end, strlen(end), 0);
	assert_int_equal(json_array_size(run.records), 0);
	assert_string_equal(json_string_value(json_array_get(run.errors, 0)),
	    "line 2: quoted field not closed at the end of the file");
	pt_run_free(&run);
	/* Bounded: past max_record the record is dropped, parsing goes on. */
	pt_run_text(&run, LOG_FORMAT_CSV, &o, big, strlen(big), 0);
	assert_string_equal(json_string_value(json_array_get(run.errors, 0)),
	    "line 2: quoted field not closed within 64 bytes");
	assert_int_equal(json_array_size(run.records), 1);
	PT_STR(json_array_get(run.records, 0), "labels.a", "3");
	pt_run_free(&run);
}

static void
test_csv_text_after_quote_and_no_header(void **state)
{
	struct pt_run        run;
	struct logparse_opts o = {.csv_no_header = true, .csv_delimiter = ';'};
	const char          *bad = "a,b\n\"x\"y,2\n1,2\n";
	const char          *nohdr = "1;hello\n2;world\n";

	(void)state;
	pt_run_text(&run, LOG_FORMAT_CSV, NULL, bad, strlen(bad), 0);
	assert_string_equal(json_string_value(json_array_get(run.errors, 0)),
	    "line 2 column 4: unexpected text after a closing quote");
	assert_int_equal(json_array_size(run.records), 1);
	pt_run_free(&run);
	pt_run_text(&run, LOG_FORMAT_CSV, &o, nohdr, strlen(nohdr), 0);
	assert_int_equal(json_array_size(run.records), 2);
	PT_STR(json_array_get(run.records, 0), "labels.col1", "1");
	PT_STR(json_array_get(run.records, 1), "labels.col2", "world");
	pt_run_free(&run);
}

static void
test_csv_label_cap(void **state)
{
	struct buf    b;
	struct pt_run run;
	int           i;
	json_t       *r;

	(void)state;
	buf_init(&b, 1024);
	for (i = 0; i < 80; i++)
		buf_appendf(&b, "%sc%d", i ? "," : "", i);
	buf_appends(&b, "\n");
	for (i = 0; i < 80; i++)
		buf_appendf(&b, "%sv%d", i ? "," : "", i);
	buf_appends(&b, "\n");
	pt_run_text(&run, LOG_FORMAT_CSV, NULL, b.data, b.len, 0);
	r = json_array_get(run.records, 0);
	PT_STR(r, "labels.c49", "v49");
	PT_NONE(r, "labels.c50");
	pt_run_free(&run);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csv_loghub_apache),
	    cmocka_unit_test(test_csv_quotes_and_date_time),
	    cmocka_unit_test(test_csv_delimiters_and_known_columns),
	    cmocka_unit_test(test_csv_values_that_do_not_fit_become_labels),
	    cmocka_unit_test(test_csv_newline_in_quotes_spans_lines),
	    cmocka_unit_test(test_csv_unclosed_quote),
	    cmocka_unit_test(test_csv_text_after_quote_and_no_header),
	    cmocka_unit_test(test_csv_label_cap),
	};

	return (cmocka_run_group_tests_name("parse_csv", tests, NULL, NULL));
}
