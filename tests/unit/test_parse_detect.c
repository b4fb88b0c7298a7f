/*
 * Unit tests of format detection (detect.c): each format from real
 * samples, JSON arrays against Apache error lines that also start with
 * '[', the override, and refusals of binary and non-UTF-8 content. The
 * real files are read when the shared data is there (the reference data
 * beside the repository), so detection is also checked on whole 8 KiB
 * samples.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "parse_test.h"

static enum log_format
detect_text(const char *text, struct logdetect *d)
{
	if (!logdetect(text, strlen(text), false, LOG_FORMAT_UNKNOWN, d))
		return (LOG_FORMAT_UNKNOWN);
	return (d->format);
}

static void
test_detect_each_format(void **state)
{
	struct logdetect d;

	(void)state;
	assert_int_equal(detect_text("{\"msg\":\"a\"}\n{\"msg\":\"b\"}\n", &d),
	    LOG_FORMAT_JSON);
	assert_false(d.json_array);
	assert_int_equal(
	    detect_text("  [\n  {\"msg\":\"a\"}\n]\n", &d), LOG_FORMAT_JSON);
	assert_true(d.json_array);
	assert_int_equal(
	    detect_text("[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() "
			"ok /etc/httpd/conf/workers2.properties\n"
			"[Sun Dec 04 04:47:44 2005] [error] mod_jk child "
			"workerEnv in error state 6\n",
		&d),
	    LOG_FORMAT_APACHE_ERROR);
	assert_int_equal(
	    detect_text("83.149.9.216 - - [17/May/2015:10:05:03 +0000] \"GET "
			"/a HTTP/1.1\" 200 203023 \"-\" \"ua\"\n"
			"83.149.9.216 - - [17/May/2015:10:05:43 +0000] \"GET "
			"/b HTTP/1.1\" 200 171717 \"-\" \"ua\"\n",
		&d),
	    LOG_FORMAT_ACCESS);
	assert_int_equal(
	    detect_text("Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user "
			"webmaster from 173.234.31.186\n"
			"Dec 10 06:55:46 LabSZ sshd[24200]: "
			"input_userauth_request: invalid user webmaster "
			"[preauth]\n",
		&d),
	    LOG_FORMAT_SYSLOG);
	assert_int_equal(
	    detect_text(
		"<34>1 2003-10-11T22:14:15.003Z host su - ID47 - x\n", &d),
	    LOG_FORMAT_SYSLOG);
	assert_int_equal(
	    detect_text("LineId,Time,Level,Content\n"
			"1,Sun Dec 04 04:47:44 2005,notice,a\n"
			"2,Sun Dec 04 04:47:44 2005,error,\"b, c\"\n",
		&d),
	    LOG_FORMAT_CSV);
	assert_int_equal(d.csv_delimiter, ',');
	assert_int_equal(
	    detect_text("time;level;msg\n1;info;a\n2;warn;b\n", &d),
	    LOG_FORMAT_CSV);
	assert_int_equal(d.csv_delimiter, ';');
	assert_int_equal(detect_text("a\tb\n1\t2\n", &d), LOG_FORMAT_CSV);
	assert_int_equal(d.csv_delimiter, '\t');
	assert_int_equal(
	    detect_text("2015-10-18 18:01:47,978 INFO [main] Created\n"
			"2015-10-18 18:01:48,963 INFO [main] Executing, with\n",
		&d),
	    LOG_FORMAT_PLAIN);
	/* One comma per line is not CSV without a header of names. */
	assert_int_equal(detect_text("1,2\n3,4\n5,6\n", &d), LOG_FORMAT_PLAIN);
	assert_int_equal(detect_text("[INFO] starting\n[INFO] done\n", &d),
	    LOG_FORMAT_PLAIN);
	assert_non_null(strstr(d.reason, "plain"));
}

static void
test_detect_override_and_cut_sample(void **state)
{
	struct logdetect d;
	const char      *text = "a,b\n1,2\n3,4 and a cut li";

	(void)state;
	assert_true(logdetect(text, strlen(text), true, LOG_FORMAT_PLAIN, &d));
	assert_int_equal(d.format, LOG_FORMAT_PLAIN);
	assert_non_null(strstr(d.reason, "given"));
	/* The cut last line is not looked at. */
	assert_true(
	    logdetect(text, strlen(text), true, LOG_FORMAT_UNKNOWN, &d));
	assert_int_equal(d.format, LOG_FORMAT_CSV);
	assert_int_equal(d.lines, 2);
	/* A character cut by the end of the sample is fine. */
	assert_true(logdetect("caf\xc3", 4, true, LOG_FORMAT_UNKNOWN, &d));
	assert_false(logdetect("caf\xc3", 4, false, LOG_FORMAT_UNKNOWN, &d));
}

static void
test_detect_refusals(void **state)
{
	struct logdetect d;

	(void)state;
	assert_false(logdetect("", 0, false, LOG_FORMAT_UNKNOWN, &d));
	assert_string_equal(d.reason, "empty content");
	assert_false(logdetect("abc\0def", 7, false, LOG_FORMAT_UNKNOWN, &d));
	assert_string_equal(d.reason, "binary content (NUL byte at offset 3)");
	assert_false(
	    logdetect("\x89PNG\r\n\x1a\n", 8, false, LOG_FORMAT_UNKNOWN, &d));
	assert_string_equal(
	    d.reason, "not UTF-8 text (invalid byte at offset 0)");
	assert_false(
	    logdetect("\xff\xfeh\0i\0", 6, false, LOG_FORMAT_UNKNOWN, &d));
	assert_non_null(strstr(d.reason, "UTF-16"));
	assert_false(logdetect(
	    "ok line\nlatin1 caf\xe9\n", 20, false, LOG_FORMAT_UNKNOWN, &d));
	assert_string_equal(
	    d.reason, "not UTF-8 text (invalid byte at offset 18)");
	/* Refused even when the format is given. */
	assert_false(logdetect("a\0", 2, false, LOG_FORMAT_CSV, &d));
	assert_false(logdetect(" \n\t\n", 4, false, LOG_FORMAT_UNKNOWN, &d));
	assert_int_equal(
	    logformat_from_name("apache_error"), LOG_FORMAT_APACHE_ERROR);
	assert_int_equal(logformat_from_name("ndjson"), LOG_FORMAT_JSON);
	assert_int_equal(logformat_from_name("auto"), LOG_FORMAT_UNKNOWN);
	assert_string_equal(logformat_name(LOG_FORMAT_SYSLOG), "syslog");
}

/* The first LOGDETECT_SAMPLE bytes of a shared data file, if present. */
static size_t
sample_of(const char *rel, char *buf, size_t cap)
{
	static const char *roots[] = {
	    "../shared/data/", "../../shared/data/", "/work/shared/data/"};
	char   path[256];
	FILE  *f;
	size_t i, n = 0;

	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", roots[i], rel);
		if ((f = fopen(path, "rb")) != NULL) {
			n = fread(buf, 1, cap, f);
			fclose(f);
			return (n);
		}
	}
	return (0);
}

static void
test_detect_real_files(void **state)
{
	static const struct {
		const char     *file;
		enum log_format want;
	} files[] = {
	    {"apache_access_10k.log", LOG_FORMAT_ACCESS},
	    {"auth.log", LOG_FORMAT_SYSLOG},
	    {"loghub_2k/Apache/Apache_2k.log", LOG_FORMAT_APACHE_ERROR},
	    {"loghub_2k/Linux/Linux_2k.log", LOG_FORMAT_SYSLOG},
	    {"loghub_2k/OpenSSH/OpenSSH_2k.log", LOG_FORMAT_SYSLOG},
	    {"loghub_2k/Hadoop/Hadoop_2k.log", LOG_FORMAT_PLAIN},
	    {"loghub_2k/HDFS/HDFS_2k.log", LOG_FORMAT_PLAIN},
	    {"loghub_2k/Zookeeper/Zookeeper_2k.log", LOG_FORMAT_PLAIN},
	    {"loghub_2k/BGL/BGL_2k.log", LOG_FORMAT_PLAIN},
	    {"loghub_2k/Spark/Spark_2k.log", LOG_FORMAT_PLAIN},
	    {"loghub_2k/Apache/Apache_2k.log_structured.csv", LOG_FORMAT_CSV},
	    {"loghub_2k/Hadoop/Hadoop_2k.log_structured.csv", LOG_FORMAT_CSV},
	};
	static char      buf[LOGDETECT_SAMPLE + 1];
	struct logdetect d;
	size_t           i, n;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if ((n = sample_of(files[i].file, buf, LOGDETECT_SAMPLE + 1)) ==
		    0) {
			print_message(
			    "skipped %s: no shared data\n", files[i].file);
			continue;
		}
		assert_true(logdetect(
		    buf, n, n > LOGDETECT_SAMPLE, LOG_FORMAT_UNKNOWN, &d));
		if (d.format != files[i].want)
			fail_msg("%s: %s", files[i].file, d.reason);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_detect_each_format),
	    cmocka_unit_test(test_detect_override_and_cut_sample),
	    cmocka_unit_test(test_detect_refusals),
	    cmocka_unit_test(test_detect_real_files),
	};

	return (cmocka_run_group_tests_name("parse_detect", tests, NULL, NULL));
}
