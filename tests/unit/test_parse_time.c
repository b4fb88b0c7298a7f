/*
 * Unit tests of timeparse.c: civil-date arithmetic, every timestamp form
 * the parsers read, zones, leap years, the far future and impossible
 * dates.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/timeparse.h"

/* The ISO-8601 text of what a parser made of s (whole string), or "". */
static const char *
iso_of(size_t (*fn)(const char *, size_t, int, bool, int64_t *), const char *s,
    int tz, bool date_only, char *out)
{
	int64_t ms;

	out[0] = '\0';
	if (fn(s, strlen(s), tz, date_only, &ms) != strlen(s))
		return ("");
	timeparse_format_iso(ms, out);
	return (out);
}

static void
test_civil_round_trip(void **state)
{
	int64_t d;
	int     y, m, dd;

	(void)state;
	assert_int_equal(timeparse_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(timeparse_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(timeparse_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(timeparse_days_from_civil(1, 1, 1), -719162);
	assert_int_equal(timeparse_days_from_civil(9999, 12, 31), 2932896);
	for (d = -719162; d <= 2932896; d += 997) {
		timeparse_civil_from_days(d, &y, &m, &dd);
		assert_true(timeparse_date_valid(y, m, dd));
		assert_int_equal(timeparse_days_from_civil(y, m, dd), d);
	}
}

static void
test_leap_years(void **state)
{
	(void)state;
	assert_true(timeparse_date_valid(2024, 2, 29));
	assert_true(timeparse_date_valid(2000, 2, 29));
	assert_false(timeparse_date_valid(1900, 2, 29));
	assert_false(timeparse_date_valid(2023, 2, 29));
	assert_false(timeparse_date_valid(2024, 2, 30));
	assert_false(timeparse_date_valid(2024, 4, 31));
	assert_false(timeparse_date_valid(2024, 13, 1));
	assert_false(timeparse_date_valid(2024, 0, 1));
	assert_false(timeparse_date_valid(0, 1, 1));
}

static void
test_iso8601_forms(void **state)
{
	char out[32];

	(void)state;
	assert_string_equal(iso_of(timeparse_iso8601,
				"2024-02-29T23:59:59.123Z", 0, false, out),
	    "2024-02-29T23:59:59.123Z");
	assert_string_equal(
	    iso_of(timeparse_iso8601, "2015-10-18 18:01:47,978", 0, false, out),
	    "2015-10-18T18:01:47.978Z");
	/* Offsets: +hh:mm, +hhmm, +hh, a space before them. */
	assert_string_equal(iso_of(timeparse_iso8601,
				"2000-10-10T13:55:36-07:00", 0, false, out),
	    "2000-10-10T20:55:36.000Z");
	assert_string_equal(iso_of(timeparse_iso8601,
				"2000-10-10T13:55:36+0530", 0, false, out),
	    "2000-10-10T08:25:36.000Z");
	assert_string_equal(
	    iso_of(timeparse_iso8601, "2000-01-01T01:00:00+02", 0, false, out),
	    "1999-12-31T23:00:00.000Z");
	assert_string_equal(iso_of(timeparse_iso8601,
				"2024-01-15 10:00:00 +0100", 0, false, out),
	    "2024-01-15T09:00:00.000Z");
	/* Microseconds and nanoseconds are cut to milliseconds. */
	assert_string_equal(
	    iso_of(timeparse_iso8601, "2003-10-11T22:14:15.003123456Z", 0,
		false, out),
	    "2003-10-11T22:14:15.003Z");
	/* No seconds; lower-case t and z. */
	assert_string_equal(
	    iso_of(timeparse_iso8601, "2024-05-01t12:30z", 0, false, out),
	    "2024-05-01T12:30:00.000Z");
	/* No zone: the given offset (here UTC+1). */
	assert_string_equal(
	    iso_of(timeparse_iso8601, "2024-05-01T00:30:00", 3600, false, out),
	    "2024-04-30T23:30:00.000Z");
	/* Date only, when allowed. */
	assert_string_equal(
	    iso_of(timeparse_iso8601, "2024-05-01", 0, true, out),
	    "2024-05-01T00:00:00.000Z");
	assert_string_equal(
	    iso_of(timeparse_iso8601, "2024-05-01", 0, false, out), "");
}

static void
test_iso8601_refuses(void **state)
{
	int64_t            ms;
	static const char *bad[] = {"2023-02-29T00:00:00Z",
	    "2024-02-30T00:00:00Z", "2024-13-01T00:00:00Z",
	    "2024-00-10T00:00:00Z", "2024-01-32T00:00:00Z",
	    "2024-01-01T24:00:00Z", "2024-01-01T23:60:00Z",
	    "2024-01-01T23:59:61Z", "0000-01-01T00:00:00Z", "2024-1-01",
	    "2024/01/01T00:00:00", "20240101T000000Z", ""};
	size_t             i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_true(timeparse_iso8601(bad[i], strlen(bad[i]), 0, true,
				&ms) != strlen(bad[i]) ||
		    strlen(bad[i]) == 0);
	}
	/* A prefix is read, the rest is left: the caller decides. */
	assert_int_equal(
	    timeparse_iso8601("2024-01-01T10:00:00 - INFO", 26, 0, false, &ms),
	    19);
}

static void
test_far_future_and_past(void **state)
{
	char    out[32];
	int64_t ms;

	(void)state;
	/* 2038 and beyond: 64-bit all the way. */
	assert_string_equal(
	    iso_of(timeparse_iso8601, "2038-01-19T03:14:08Z", 0, false, out),
	    "2038-01-19T03:14:08.000Z");
	assert_true(
	    timeparse_iso8601("2038-01-19T03:14:08Z", 20, 0, false, &ms));
	assert_int_equal(ms, 2147483648000LL);
	assert_string_equal(
	    iso_of(timeparse_iso8601, "2400-02-29T12:00:00Z", 0, false, out),
	    "2400-02-29T12:00:00.000Z");
	assert_string_equal(iso_of(timeparse_iso8601,
				"9999-12-31T23:59:59.999Z", 0, false, out),
	    "9999-12-31T23:59:59.999Z");
	/* Before 1970. */
	assert_string_equal(iso_of(timeparse_iso8601,
				"1969-12-31T23:59:59.500Z", 0, false, out),
	    "1969-12-31T23:59:59.500Z");
	assert_true(
	    timeparse_iso8601("1969-12-31T23:59:59.500Z", 24, 0, false, &ms));
	assert_int_equal(ms, -500);
	/* Out of range once the offset is applied. */
	assert_int_equal(
	    timeparse_iso8601("9999-12-31T23:00:00-02:00", 25, 0, false, &ms),
	    0);
	assert_false(timeparse_format_iso(253402300800000LL, out));
}

static void
test_access_form(void **state)
{
	int64_t ms;
	char    out[32];

	(void)state;
	assert_int_equal(
	    timeparse_access("10/Oct/2000:13:55:36 -0700", 26, &ms), 26);
	timeparse_format_iso(ms, out);
	assert_string_equal(out, "2000-10-10T20:55:36.000Z");
	assert_int_equal(
	    timeparse_access("17/May/2015:10:05:03 +0000", 26, &ms), 26);
	timeparse_format_iso(ms, out);
	assert_string_equal(out, "2015-05-17T10:05:03.000Z");
	assert_int_equal(
	    timeparse_access("29/Feb/2023:00:00:00 +0000", 26, &ms), 0);
	assert_int_equal(
	    timeparse_access("10/Foo/2000:13:55:36 -0700", 26, &ms), 0);
	assert_int_equal(timeparse_access("10/Oct/2000:13:55:36", 20, &ms), 0);
}

static void
test_syslog_form(void **state)
{
	int64_t ms;
	int     month;
	char    out[32];

	(void)state;
	assert_int_equal(
	    timeparse_syslog("Mar 27 13:06:56 host", 20, 2017, 0, &ms, &month),
	    15);
	assert_int_equal(month, 3);
	timeparse_format_iso(ms, out);
	assert_string_equal(out, "2017-03-27T13:06:56.000Z");
	/* Space-padded day, and a zone east of UTC for the source. */
	assert_int_equal(
	    timeparse_syslog("Jun  4 01:02:03", 15, 2016, 7200, &ms, &month),
	    15);
	timeparse_format_iso(ms, out);
	assert_string_equal(out, "2016-06-03T23:02:03.000Z");
	/* Feb 29 exists in 2024, not in 2023. */
	assert_int_equal(
	    timeparse_syslog("Feb 29 10:00:00", 15, 2024, 0, &ms, &month), 15);
	assert_int_equal(
	    timeparse_syslog("Feb 29 10:00:00", 15, 2023, 0, &ms, &month), 0);
	assert_int_equal(
	    timeparse_syslog("Feb 30 10:00:00", 15, 2024, 0, &ms, &month), 0);
	assert_int_equal(
	    timeparse_syslog("Xyz 10 10:00:00", 15, 2024, 0, &ms, &month), 0);
}

static void
test_ctime_and_slashed(void **state)
{
	int64_t ms;
	char    out[32];

	(void)state;
	assert_int_equal(
	    timeparse_ctime("Sun Dec 04 04:47:44 2005", 24, 0, &ms), 24);
	timeparse_format_iso(ms, out);
	assert_string_equal(out, "2005-12-04T04:47:44.000Z");
	assert_int_equal(
	    timeparse_ctime("Sat Jun 04 12:34:56.123456 2016", 31, 0, &ms), 31);
	timeparse_format_iso(ms, out);
	assert_string_equal(out, "2016-06-04T12:34:56.123Z");
	assert_int_equal(
	    timeparse_ctime("Mon Feb  5 01:02:03 2024", 24, 0, &ms), 24);
	timeparse_format_iso(ms, out);
	assert_string_equal(out, "2024-02-05T01:02:03.000Z");
	assert_int_equal(
	    timeparse_ctime("Sun Feb 30 04:47:44 2005", 24, 0, &ms), 0);
	assert_int_equal(
	    timeparse_slashed("2024/01/15 10:00:00.250", 23, 0, &ms), 23);
	timeparse_format_iso(ms, out);
	assert_string_equal(out, "2024-01-15T10:00:00.250Z");
	assert_int_equal(
	    timeparse_short_year("17/06/09 20:10:40", 17, 0, &ms), 17);
	timeparse_format_iso(ms, out);
	assert_string_equal(out, "2017-06-09T20:10:40.000Z");
	assert_int_equal(
	    timeparse_short_year("99/12/31 23:59:59.5 x", 21, 3600, &ms), 19);
	timeparse_format_iso(ms, out);
	assert_string_equal(out, "1999-12-31T22:59:59.500Z");
	assert_int_equal(timeparse_short_year("081109 203615", 13, 0, &ms), 13);
	timeparse_format_iso(ms, out);
	assert_string_equal(out, "2008-11-09T20:36:15.000Z");
	/* 68 is 2068, 69 is 1969. */
	assert_int_equal(timeparse_short_year("680101 000000", 13, 0, &ms), 13);
	timeparse_format_iso(ms, out);
	assert_string_equal(out, "2068-01-01T00:00:00.000Z");
	assert_int_equal(timeparse_short_year("690101 000000", 13, 0, &ms), 13);
	timeparse_format_iso(ms, out);
	assert_string_equal(out, "1969-01-01T00:00:00.000Z");
	/* Impossible dates and short input. */
	assert_int_equal(timeparse_short_year("090229 120000", 13, 0, &ms), 0);
	assert_int_equal(timeparse_short_year("081109 246015", 13, 0, &ms), 0);
	assert_int_equal(
	    timeparse_short_year("17/13/09 20:10:40", 17, 0, &ms), 0);
	assert_int_equal(timeparse_short_year("081109 2036", 11, 0, &ms), 0);
}

static void
test_epoch_numbers(void **state)
{
	int64_t ms;

	(void)state;
	assert_true(timeparse_epoch("1117838570", 10, &ms));
	assert_int_equal(ms, 1117838570000LL);
	assert_true(timeparse_epoch("1117838570.675", 14, &ms));
	assert_int_equal(ms, 1117838570675LL);
	assert_true(timeparse_epoch("1700000000123", 13, &ms));
	assert_int_equal(ms, 1700000000123LL);
	assert_true(timeparse_epoch("1700000000123456", 16, &ms));
	assert_int_equal(ms, 1700000000123LL);
	assert_true(timeparse_epoch("1700000000123456789", 19, &ms));
	assert_int_equal(ms, 1700000000123LL);
	assert_true(timeparse_epoch("0", 1, &ms));
	assert_int_equal(ms, 0);
	assert_false(timeparse_epoch("17e9", 4, &ms));
	assert_false(timeparse_epoch("-5", 2, &ms));
	assert_false(timeparse_epoch("12.", 3, &ms));
	assert_false(timeparse_epoch("1700000000123.5", 15, &ms));
	assert_false(timeparse_epoch("", 0, &ms));
}

static void
test_any(void **state)
{
	int64_t ms;
	char    out[32];

	(void)state;
	assert_true(timeparse_any(" 2024-03-01T00:00:00Z ", 22, 2024, 0, &ms));
	assert_true(timeparse_any("10/Oct/2000:13:55:36 -0700", 26, 0, 0, &ms));
	assert_true(timeparse_any("Sun Dec 04 04:47:44 2005", 24, 0, 0, &ms));
	assert_true(timeparse_any("Dec 10 06:55:46", 15, 2021, 0, &ms));
	timeparse_format_iso(ms, out);
	assert_string_equal(out, "2021-12-10T06:55:46.000Z");
	assert_true(timeparse_any("1117838570", 10, 0, 0, &ms));
	assert_true(timeparse_any("2015-10-18 18:01:47,978", 23, 0, 0, &ms));
	assert_false(timeparse_any("yesterday", 9, 0, 0, &ms));
	assert_false(timeparse_any("18:01:47,978", 12, 0, 0, &ms));
	assert_false(timeparse_any("2024-02-30", 10, 0, 0, &ms));
	assert_false(timeparse_any("", 0, 0, 0, &ms));
	assert_int_equal(timeparse_year_of(0), 1970);
	assert_int_equal(timeparse_year_of(-1), 1969);
	assert_int_equal(timeparse_year_of(1709251200000LL), 2024);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_civil_round_trip),
	    cmocka_unit_test(test_leap_years),
	    cmocka_unit_test(test_iso8601_forms),
	    cmocka_unit_test(test_iso8601_refuses),
	    cmocka_unit_test(test_far_future_and_past),
	    cmocka_unit_test(test_access_form),
	    cmocka_unit_test(test_syslog_form),
	    cmocka_unit_test(test_ctime_and_slashed),
	    cmocka_unit_test(test_epoch_numbers),
	    cmocka_unit_test(test_any),
	};

	return (cmocka_run_group_tests_name("parse_time", tests, NULL, NULL));
}
