/*
 * Timestamps found in log lines, turned into UTC epoch milliseconds, and
 * back into ISO-8601. Civil-date arithmetic is our own (days_from_civil,
 * after H. Hinnant's algorithms), so nothing depends on the TZ
 * environment or the C library's time zone database.
 *
 * Every parser reads a prefix of s[0..len), stores the instant in *ms and
 * returns the number of bytes it used, or 0 when the text is not such a
 * timestamp or names an impossible date (Feb 30, hour 24, month 13...).
 * Times without a zone are taken at tz_offset_s seconds east of UTC (0 for
 * UTC). Years run from 1 to 9999.
 */
#ifndef VIGIE_CORE_TIMEPARSE_H
#define VIGIE_CORE_TIMEPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "2024-02-29T23:59:59.123Z": 24 characters and a NUL. */
#define TIMEPARSE_ISO_LEN 24

/*
 * ISO-8601 / RFC 3339 / RFC 5424: YYYY-MM-DD, then 'T' or one space,
 * hh:mm[:ss[(.|,)fraction]], then optionally 'Z' or +hh:mm, +hhmm, +hh
 * (a space may come before the zone). A date alone (YYYY-MM-DD) is
 * accepted only when date_only is true.
 */
size_t timeparse_iso8601(
    const char *s, size_t len, int tz_offset_s, bool date_only, int64_t *ms);

/* Apache/Nginx access log: 10/Oct/2000:13:55:36 -0700 (no brackets). */
size_t timeparse_access(const char *s, size_t len, int64_t *ms);

/*
 * Syslog RFC 3164: "Mmm dd hh:mm:ss" (day may be space-padded), in the
 * given year. *month gets 1..12 (for the caller's year roll-over).
 */
size_t timeparse_syslog(const char *s, size_t len, int year, int tz_offset_s,
    int64_t *ms, int *month);

/*
 * ctime-like, as in Apache error logs: "Sun Dec 04 04:47:44 2005", with
 * optional fractional seconds ("04:47:44.123456"). The weekday is
 * checked for shape, not against the date.
 */
size_t timeparse_ctime(const char *s, size_t len, int tz_offset_s, int64_t *ms);

/*
 * Slashed date: "YYYY/MM/DD hh:mm:ss[.fff]" (as some Java and Go
 * loggers write it).
 */
size_t
timeparse_slashed(const char *s, size_t len, int tz_offset_s, int64_t *ms);

/*
 * Two-digit years, as log4j patterns write them: "yy/MM/dd HH:mm:ss[.fff]"
 * (Spark) and the compact "yyMMdd HHmmss" (Hadoop HDFS). Years 00-68 are
 * 2000-2068 and 69-99 are 1969-1999 (the POSIX %y rule).
 */
size_t
timeparse_short_year(const char *s, size_t len, int tz_offset_s, int64_t *ms);

/*
 * A number of seconds, milliseconds, microseconds or nanoseconds since
 * the epoch, told apart by magnitude (below 1e11: seconds; below 1e14:
 * milliseconds; below 1e17: microseconds; else nanoseconds); seconds may
 * have a fraction ("1117838570.675"). The whole of s[0..len) must be the
 * number.
 */
bool timeparse_epoch(const char *s, size_t len, int64_t *ms);

/*
 * Any of the forms above (ISO-8601 with date_only allowed, access, ctime,
 * slashed, syslog in `year`, epoch), where the whole of s[0..len) apart
 * from surrounding blanks must be the timestamp. Returns true and sets
 * *ms, or false.
 */
bool timeparse_any(
    const char *s, size_t len, int year, int tz_offset_s, int64_t *ms);

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
int64_t timeparse_days_from_civil(int y, int m, int d);

/* The civil date of a count of days since 1970-01-01. */
void timeparse_civil_from_days(int64_t days, int *y, int *m, int *d);

/* True when y-m-d exists (1 <= m <= 12, d within the month). */
bool timeparse_date_valid(int y, int m, int d);

/* Year (UTC) of an instant. */
int timeparse_year_of(int64_t ms);

/*
 * Writes "YYYY-MM-DDTHH:MM:SS.mmmZ" and a NUL into out (at least
 * TIMEPARSE_ISO_LEN + 1 bytes). Returns false, writing nothing useful,
 * when the instant falls outside the years 1..9999.
 */
bool timeparse_format_iso(int64_t ms, char *out);

#endif
