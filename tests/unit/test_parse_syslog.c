/*
 * Unit tests of the syslog parser (parse_syslog.c): RFC 3164 with and
 * without PRI (real lines from auth.log, elastic/examples, Apache License
 * 2.0, and Loghub's Linux and OpenSSH samples), RFC 5424 with structured
 * data (the RFC's own examples), the year of 3164 lines, and errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "parse_test.h"

/* 2024-01-10T00:00:00Z */
#define INGEST_2024_01_10 1704844800000LL

static void
test_syslog_3164_without_pri(void **state)
{
	struct logparse_opts  o = {.default_year = 2017};
	struct logparse_error err;
	json_t               *r;

	(void)state;
	r = pt_line(LOG_FORMAT_SYSLOG, &o,
	    "Mar 27 13:06:56 ip-10-77-20-248 sshd[1291]: Server listening on "
	    "0.0.0.0 port 22.",
	    &err);
	assert_non_null(r);
	PT_STR(r, "@timestamp", "2017-03-27T13:06:56.000Z");
	PT_STR(r, "host.name", "ip-10-77-20-248");
	PT_STR(r, "service.name", "sshd");
	PT_INT(r, "process.pid", 1291);
	PT_STR(r, "message", "Server listening on 0.0.0.0 port 22.");
	PT_NONE(r, "log.level");
	PT_NONE(r, "log.syslog.facility.code");
	json_decref(r);
	/* No pid; the message's leading blanks dropped. */
	r = pt_line(LOG_FORMAT_SYSLOG, &o,
	    "Mar 27 13:09:37 ip-10-77-20-248 sudo:   ubuntu : TTY=pts/0 ; "
	    "PWD=/home/ubuntu ; USER=root ; COMMAND=/usr/bin/apt-get update",
	    &err);
	assert_non_null(r);
	PT_STR(r, "service.name", "sudo");
	PT_NONE(r, "process.pid");
	PT_STR(r, "message",
	    "ubuntu : TTY=pts/0 ; PWD=/home/ubuntu ; USER=root ; "
	    "COMMAND=/usr/bin/apt-get update");
	json_decref(r);
	/* Loghub Linux: a tag with parentheses. */
	r = pt_line(LOG_FORMAT_SYSLOG, &o,
	    "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication "
	    "failure; logname= uid=0 euid=0 tty=NODEVssh ruser= "
	    "rhost=218.188.2.4 ",
	    &err);
	assert_non_null(r);
	PT_STR(r, "service.name", "sshd(pam_unix)");
	PT_INT(r, "process.pid", 19939);
	json_decref(r);
	/* Space-padded day, no host name, kernel tag. */
	r = pt_line(LOG_FORMAT_SYSLOG, &o,
	    "Jun  4 01:02:03 kernel: Linux version 2.6.5", &err);
	assert_non_null(r);
	PT_STR(r, "@timestamp", "2017-06-04T01:02:03.000Z");
	PT_NONE(r, "host.name");
	PT_STR(r, "service.name", "kernel");
	PT_STR(r, "message", "Linux version 2.6.5");
	json_decref(r);
	/* No tag at all: the message follows the host. */
	r = pt_line(LOG_FORMAT_SYSLOG, &o,
	    "Dec 10 06:55:46 LabSZ just some text here", &err);
	assert_non_null(r);
	PT_STR(r, "host.name", "LabSZ");
	PT_NONE(r, "service.name");
	PT_STR(r, "message", "just some text here");
	json_decref(r);
}

static void
test_syslog_3164_with_pri(void **state)
{
	struct logparse_opts  o = {.default_year = 2003};
	struct logparse_error err;
	json_t               *r;

	(void)state;
	r = pt_line(LOG_FORMAT_SYSLOG, &o,
	    "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on "
	    "/dev/pts/8",
	    &err);
	assert_non_null(r);
	PT_INT(r, "log.syslog.facility.code", 4);
	PT_INT(r, "log.syslog.severity.code", 2);
	PT_STR(r, "log.level", "CRITICAL");
	PT_STR(r, "host.name", "mymachine");
	PT_STR(r, "service.name", "su");
	PT_STR(r, "@timestamp", "2003-10-11T22:14:15.000Z");
	json_decref(r);
	/* Every severity maps to a level. */
	r = pt_line(LOG_FORMAT_SYSLOG, &o, "<11>Oct 11 22:14:15 h a: x", &err);
	PT_STR(r, "log.level", "ERROR");
	json_decref(r);
	r = pt_line(LOG_FORMAT_SYSLOG, &o, "<12>Oct 11 22:14:15 h a: x", &err);
	PT_STR(r, "log.level", "WARNING");
	json_decref(r);
	r = pt_line(LOG_FORMAT_SYSLOG, &o, "<13>Oct 11 22:14:15 h a: x", &err);
	PT_STR(r, "log.level", "INFO");
	json_decref(r);
	r = pt_line(LOG_FORMAT_SYSLOG, &o, "<14>Oct 11 22:14:15 h a: x", &err);
	PT_STR(r, "log.level", "INFO");
	json_decref(r);
	r = pt_line(LOG_FORMAT_SYSLOG, &o, "<15>Oct 11 22:14:15 h a: x", &err);
	PT_STR(r, "log.level", "DEBUG");
	json_decref(r);
	r = pt_line(LOG_FORMAT_SYSLOG, &o, "<8>Oct 11 22:14:15 h a: x", &err);
	PT_STR(r, "log.level", "CRITICAL");
	PT_INT(r, "log.syslog.facility.code", 1);
	json_decref(r);
	/* rsyslog's RFC 3339 timestamp in a 3164 line. */
	r = pt_line(LOG_FORMAT_SYSLOG, &o,
	    "<30>2024-01-15T10:00:00.123456+01:00 web1 nginx[77]: started",
	    &err);
	assert_non_null(r);
	PT_STR(r, "@timestamp", "2024-01-15T09:00:00.123Z");
	PT_STR(r, "service.name", "nginx");
	PT_INT(r, "process.pid", 77);
	json_decref(r);
}

static void
test_syslog_5424(void **state)
{
	struct logparse_error err;
	json_t               *r;

	(void)state;
	r = pt_line(LOG_FORMAT_SYSLOG, NULL,
	    "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - "
	    "\xef\xbb\xbf'su root' failed for lonvick on /dev/pts/8",
	    &err);
	assert_non_null(r);
	PT_STR(r, "@timestamp", "2003-10-11T22:14:15.003Z");
	PT_STR(r, "host.name", "mymachine.example.com");
	PT_STR(r, "service.name", "su");
	PT_NONE(r, "process.pid");
	PT_STR(r, "log.syslog.msgid", "ID47");
	PT_STR(r, "message", "'su root' failed for lonvick on /dev/pts/8");
	json_decref(r);
	r = pt_line(LOG_FORMAT_SYSLOG, NULL,
	    "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - "
	    "%% It's time to make the do-nuts.",
	    &err);
	assert_non_null(r);
	PT_STR(r, "@timestamp", "2003-08-24T12:14:15.000Z");
	PT_INT(r, "process.pid", 8710);
	PT_INT(r, "log.syslog.facility.code", 20);
	PT_INT(r, "log.syslog.severity.code", 5);
	PT_STR(r, "log.level", "INFO");
	PT_NONE(r, "log.syslog.msgid");
	json_decref(r);
	/* Structured data, two elements, an escaped quote and bracket. */
	r = pt_line(LOG_FORMAT_SYSLOG, NULL,
	    "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog "
	    "- ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Appli\\\"cation\" "
	    "eventID=\"1011\"][examplePriority@32473 class=\"high\\]\"] An "
	    "application event log entry...",
	    &err);
	assert_non_null(r);
	PT_STR(r, "labels.examplesdid_32473_iut", "3");
	PT_STR(r, "labels.examplesdid_32473_eventsource", "Appli\"cation");
	PT_STR(r, "labels.examplesdid_32473_eventid", "1011");
	PT_STR(r, "labels.examplepriority_32473_class", "high]");
	PT_STR(r, "message", "An application event log entry...");
	json_decref(r);
	/* Nil timestamp (ingest time), no message, text procid. */
	r = pt_line(
	    LOG_FORMAT_SYSLOG, NULL, "<13>1 - - app worker-1 - -", &err);
	assert_non_null(r);
	PT_STR(r, "@timestamp", "1970-01-01T00:00:00.000Z");
	PT_STR(r, "labels.procid", "worker-1");
	PT_STR(r, "message", "");
	PT_NONE(r, "host.name");
	json_decref(r);
}

static void
test_syslog_year(void **state)
{
	struct pt_run        run;
	struct logparse_opts o = {.ingest_ms = INGEST_2024_01_10};
	const char          *text = "Dec 30 23:59:59 h a: last year\n"
				    "Dec 31 23:59:59 h a: still last year\n"
				    "Jan  1 00:00:01 h a: new year\n"
				    "Jan  9 12:00:00 h a: yesterday\n";

	(void)state;
	/* Ingested on 10 Jan 2024: December is 2023, then January 2024. */
	pt_run_text(&run, LOG_FORMAT_SYSLOG, &o, text, strlen(text), 0);
	assert_int_equal(json_array_size(run.records), 4);
	PT_STR(json_array_get(run.records, 0), "@timestamp",
	    "2023-12-30T23:59:59.000Z");
	PT_STR(json_array_get(run.records, 2), "@timestamp",
	    "2024-01-01T00:00:01.000Z");
	PT_STR(json_array_get(run.records, 3), "@timestamp",
	    "2024-01-09T12:00:00.000Z");
	pt_run_free(&run);
	/* A given year is used as is (and rolls over the same way). */
	o.default_year = 2016;
	pt_run_text(&run, LOG_FORMAT_SYSLOG, &o, text, strlen(text), 0);
	PT_STR(json_array_get(run.records, 0), "@timestamp",
	    "2016-12-30T23:59:59.000Z");
	PT_STR(json_array_get(run.records, 2), "@timestamp",
	    "2017-01-01T00:00:01.000Z");
	pt_run_free(&run);
	/* Feb 29 in a year without it is a located error. */
	o.default_year = 2023;
	text = "Feb 29 10:00:00 h a: x\n";
	pt_run_text(&run, LOG_FORMAT_SYSLOG, &o, text, strlen(text), 0);
	assert_int_equal(json_array_size(run.records), 0);
	assert_string_equal(json_string_value(json_array_get(run.errors, 0)),
	    "line 1 column 1: no such date in 2023");
	pt_run_free(&run);
}

static void
test_syslog_errors(void **state)
{
	struct logparse_error err;
	static const char    *bad[] = {"hello world", "<999>Oct 11 22:14:15 h",
	       "<34>Oct 11 22:14:15", "<34 Oct 11 22:14:15 h a: x",
	       "Oct 41 22:14:15 h a: x", "<34>1 yesterday host app - - - x",
	       "<34>1 2003-10-11T22:14:15Z host app - - [unclosed x=\"1\" m",
	       "<34>1 2003-10-11T22:14:15Z host app - - [id x=1] m",
	       "<34>1 2003-10-11T22:14:15Z host"};
	size_t                i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_null(pt_line(LOG_FORMAT_SYSLOG, NULL, bad[i], &err));
		assert_non_null(strstr(err.message, "not a syslog line"));
		assert_true(err.column >= 1);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_syslog_3164_without_pri),
	    cmocka_unit_test(test_syslog_3164_with_pri),
	    cmocka_unit_test(test_syslog_5424),
	    cmocka_unit_test(test_syslog_year),
	    cmocka_unit_test(test_syslog_errors),
	};

	return (cmocka_run_group_tests_name("parse_syslog", tests, NULL, NULL));
}
