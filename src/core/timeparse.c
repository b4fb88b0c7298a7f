#include <stdio.h>
#include <string.h>

#include "core/timeparse.h"

#define MS_PER_DAY   86400000LL
#define MS_MAX_YEAR  253402300799999LL /* 9999-12-31T23:59:59.999Z */
#define MS_MIN_YEAR  (-62135596800000LL) /* 0001-01-01T00:00:00Z */
#define OFFSET_MAX_S (24 * 3600 - 1)

static const char timeparse_months[12][4] = {"jan", "feb", "mar", "apr", "may",
    "jun", "jul", "aug", "sep", "oct", "nov", "dec"};

static const char timeparse_wdays[7][4] = {
    "mon", "tue", "wed", "thu", "fri", "sat", "sun"};

static int
timeparse_lower(int c)
{
	return (c >= 'A' && c <= 'Z' ? c + 32 : c);
}

/* Reads exactly n digits at s[0..n) (n <= len) into *v. */
static bool
timeparse_digits(const char *s, size_t len, size_t n, int *v)
{
	size_t i;
	int    x = 0;

	if (len < n)
		return (false);
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (false);
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return (true);
}

/* Three letters naming a month (any case): 1..12, or 0. */
static int
timeparse_month(const char *s, size_t len)
{
	int i;

	if (len < 3)
		return (0);
	for (i = 0; i < 12; i++) {
		if (timeparse_lower(s[0]) == timeparse_months[i][0] &&
		    timeparse_lower(s[1]) == timeparse_months[i][1] &&
		    timeparse_lower(s[2]) == timeparse_months[i][2])
			return (i + 1);
	}
	return (0);
}

static bool
timeparse_wday(const char *s, size_t len)
{
	int i;

	if (len < 3)
		return (false);
	for (i = 0; i < 7; i++) {
		if (timeparse_lower(s[0]) == timeparse_wdays[i][0] &&
		    timeparse_lower(s[1]) == timeparse_wdays[i][1] &&
		    timeparse_lower(s[2]) == timeparse_wdays[i][2])
			return (true);
	}
	return (false);
}

int64_t
timeparse_days_from_civil(int y, int m, int d)
{
	int64_t  yy, era;
	unsigned yoe, doy, doe;

	yy = (int64_t)y - (m <= 2);
	era = (yy >= 0 ? yy : yy - 399) / 400;
	yoe = (unsigned)(yy - era * 400);
	doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + (int64_t)doe - 719468);
}

void
timeparse_civil_from_days(int64_t days, int *y, int *m, int *d)
{
	int64_t  z, era;
	unsigned doe, yoe, doy, mp;

	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)((int64_t)yoe + era * 400 + (*m <= 2));
}

bool
timeparse_date_valid(int y, int m, int d)
{
	static const int mdays[12] = {
	    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap, max;

	if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
		return (false);
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	max = mdays[m - 1] + (m == 2 && leap);
	return (d <= max);
}

/*
 * The instant of a civil date and time at offset_s east of UTC, or false
 * when a field is out of range or the result falls outside 1..9999.
 */
static bool
timeparse_build(int y, int mo, int d, int h, int mi, int s, int msec,
    int offset_s, int64_t *ms)
{
	int64_t v;

	if (!timeparse_date_valid(y, mo, d) || h > 23 || mi > 59 || s > 60)
		return (false);
	if (offset_s < -OFFSET_MAX_S || offset_s > OFFSET_MAX_S)
		return (false);
	v = timeparse_days_from_civil(y, mo, d) * MS_PER_DAY;
	v += ((int64_t)h * 3600 + mi * 60 + s - offset_s) * 1000 + msec;
	if (v < MS_MIN_YEAR || v > MS_MAX_YEAR)
		return (false);
	*ms = v;
	return (true);
}

/*
 * Fractional seconds after a '.' or ',' at s[0]: returns the bytes used
 * (0 when there is no fraction) and the milliseconds (truncated).
 */
static size_t
timeparse_fraction(const char *s, size_t len, int *msec)
{
	size_t i;
	int    v = 0, n = 0;

	*msec = 0;
	if (len < 2 || (s[0] != '.' && s[0] != ',') || s[1] < '0' || s[1] > '9')
		return (0);
	for (i = 1; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		if (n < 3) {
			v = v * 10 + (s[i] - '0');
			n++;
		}
	}
	while (n++ < 3)
		v *= 10;
	*msec = v;
	return (i);
}

/* hh:mm:ss at s[0]: 8 bytes, or 0. */
static size_t
timeparse_hms(const char *s, size_t len, int *h, int *mi, int *sec)
{
	if (len < 8 || s[2] != ':' || s[5] != ':')
		return (0);
	if (!timeparse_digits(s, len, 2, h) ||
	    !timeparse_digits(s + 3, len - 3, 2, mi) ||
	    !timeparse_digits(s + 6, len - 6, 2, sec))
		return (0);
	return (8);
}

/*
 * A zone: 'Z', or +hh:mm, +hhmm, +hh (or '-'). Returns bytes used (0 if
 * none) and the offset in seconds east of UTC.
 */
static size_t
timeparse_zone(const char *s, size_t len, int *offset_s)
{
	int    hh, mm = 0, sign;
	size_t used;

	if (len >= 1 && (s[0] == 'Z' || s[0] == 'z')) {
		*offset_s = 0;
		return (1);
	}
	if (len < 3 || (s[0] != '+' && s[0] != '-'))
		return (0);
	sign = s[0] == '-' ? -1 : 1;
	if (!timeparse_digits(s + 1, len - 1, 2, &hh) || hh > 23)
		return (0);
	used = 3;
	if (len >= 6 && s[3] == ':' && timeparse_digits(s + 4, len - 4, 2, &mm))
		used = 6;
	else if (len >= 5 && timeparse_digits(s + 3, len - 3, 2, &mm))
		used = 5;
	if (mm > 59)
		return (0);
	/* "+hh" must not be followed by more digits ("+123"). */
	if (used < len && s[used] >= '0' && s[used] <= '9')
		return (0);
	*offset_s = sign * (hh * 3600 + mm * 60);
	return (used);
}

size_t
timeparse_iso8601(
    const char *s, size_t len, int tz_offset_s, bool date_only, int64_t *ms)
{
	int    y, mo, d, h = 0, mi = 0, sec = 0, msec = 0, off = tz_offset_s;
	size_t i, n;

	if (len < 10 || s[4] != '-' || s[7] != '-')
		return (0);
	if (!timeparse_digits(s, len, 4, &y) ||
	    !timeparse_digits(s + 5, len - 5, 2, &mo) ||
	    !timeparse_digits(s + 8, len - 8, 2, &d))
		return (0);
	i = 10;
	if (i + 6 <= len && (s[i] == 'T' || s[i] == 't' || s[i] == ' ') &&
	    s[i + 1] >= '0' && s[i + 1] <= '9') {
		i++;
		if (!timeparse_digits(s + i, len - i, 2, &h) ||
		    s[i + 2] != ':' ||
		    !timeparse_digits(s + i + 3, len - i - 3, 2, &mi))
			return (0);
		i += 5;
		if (i + 3 <= len && s[i] == ':' &&
		    timeparse_digits(s + i + 1, len - i - 1, 2, &sec)) {
			i += 3;
			i += timeparse_fraction(s + i, len - i, &msec);
		}
		if ((n = timeparse_zone(s + i, len - i, &off)) > 0)
			i += n;
		else if (i + 1 < len && s[i] == ' ' && s[i + 1] != 'Z' &&
		    (n = timeparse_zone(s + i + 1, len - i - 1, &off)) > 0)
			i += 1 + n;
	} else if (!date_only) {
		return (0);
	}
	if (!timeparse_build(y, mo, d, h, mi, sec, msec, off, ms))
		return (0);
	return (i);
}

size_t
timeparse_access(const char *s, size_t len, int64_t *ms)
{
	int y, mo, d, h, mi, sec, off;

	/* 10/Oct/2000:13:55:36 -0700 */
	if (len < 26 || s[2] != '/' || s[6] != '/' || s[11] != ':' ||
	    s[20] != ' ')
		return (0);
	if (!timeparse_digits(s, len, 2, &d) ||
	    (mo = timeparse_month(s + 3, 3)) == 0 ||
	    !timeparse_digits(s + 7, len - 7, 4, &y) ||
	    timeparse_hms(s + 12, len - 12, &h, &mi, &sec) == 0)
		return (0);
	if (timeparse_zone(s + 21, 5, &off) != 5)
		return (0);
	if (!timeparse_build(y, mo, d, h, mi, sec, 0, off, ms))
		return (0);
	return (26);
}

size_t
timeparse_syslog(const char *s, size_t len, int year, int tz_offset_s,
    int64_t *ms, int *month)
{
	int    mo, d, h, mi, sec, msec = 0;
	size_t i;

	/* Mmm dd hh:mm:ss, Mmm  d hh:mm:ss or Mmm d hh:mm:ss */
	if (len < 14 || (mo = timeparse_month(s, len)) == 0 || s[3] != ' ')
		return (0);
	i = 4;
	if (s[i] == ' ')
		i++;
	if (i + 1 < len && s[i + 1] == ' ') {
		if (!timeparse_digits(s + i, len - i, 1, &d))
			return (0);
		i += 2;
	} else {
		if (!timeparse_digits(s + i, len - i, 2, &d) || i + 2 >= len ||
		    s[i + 2] != ' ')
			return (0);
		i += 3;
	}
	if (timeparse_hms(s + i, len - i, &h, &mi, &sec) == 0)
		return (0);
	i += 8;
	i += timeparse_fraction(s + i, len - i, &msec);
	if (!timeparse_build(year, mo, d, h, mi, sec, msec, tz_offset_s, ms))
		return (0);
	if (month != NULL)
		*month = mo;
	return (i);
}

size_t
timeparse_ctime(const char *s, size_t len, int tz_offset_s, int64_t *ms)
{
	int    y, mo, d, h, mi, sec, msec = 0;
	size_t i;

	/* Sun Dec 04 04:47:44 2005 ("Dec  4" too) */
	if (len < 24 || !timeparse_wday(s, len) || s[3] != ' ' ||
	    (mo = timeparse_month(s + 4, len - 4)) == 0 || s[7] != ' ')
		return (0);
	if (s[8] == ' ') {
		if (!timeparse_digits(s + 9, len - 9, 1, &d))
			return (0);
	} else if (!timeparse_digits(s + 8, len - 8, 2, &d)) {
		return (0);
	}
	if (s[10] != ' ' || timeparse_hms(s + 11, len - 11, &h, &mi, &sec) == 0)
		return (0);
	i = 19;
	i += timeparse_fraction(s + i, len - i, &msec);
	if (i + 5 > len || s[i] != ' ' ||
	    !timeparse_digits(s + i + 1, len - i - 1, 4, &y))
		return (0);
	i += 5;
	if (!timeparse_build(y, mo, d, h, mi, sec, msec, tz_offset_s, ms))
		return (0);
	return (i);
}

size_t
timeparse_slashed(const char *s, size_t len, int tz_offset_s, int64_t *ms)
{
	int    y, mo, d, h, mi, sec, msec = 0;
	size_t i;

	/* 2024/01/15 10:00:00[.123] */
	if (len < 19 || s[4] != '/' || s[7] != '/' || s[10] != ' ')
		return (0);
	if (!timeparse_digits(s, len, 4, &y) ||
	    !timeparse_digits(s + 5, len - 5, 2, &mo) ||
	    !timeparse_digits(s + 8, len - 8, 2, &d) ||
	    timeparse_hms(s + 11, len - 11, &h, &mi, &sec) == 0)
		return (0);
	i = 19;
	i += timeparse_fraction(s + i, len - i, &msec);
	if (!timeparse_build(y, mo, d, h, mi, sec, msec, tz_offset_s, ms))
		return (0);
	return (i);
}

static int
timeparse_pivot(int yy)
{
	return (yy < 69 ? 2000 + yy : 1900 + yy);
}

size_t
timeparse_short_year(const char *s, size_t len, int tz_offset_s, int64_t *ms)
{
	int    y, mo, d, h, mi, sec, msec = 0;
	size_t i;

	if (len >= 17 && s[2] == '/' && s[5] == '/' && s[8] == ' ') {
		/* 17/06/09 20:10:40[.123] */
		if (!timeparse_digits(s, len, 2, &y) ||
		    !timeparse_digits(s + 3, len - 3, 2, &mo) ||
		    !timeparse_digits(s + 6, len - 6, 2, &d) ||
		    timeparse_hms(s + 9, len - 9, &h, &mi, &sec) == 0)
			return (0);
		i = 17;
		i += timeparse_fraction(s + i, len - i, &msec);
	} else if (len >= 13 && s[6] == ' ') {
		/* 081109 203615 */
		if (!timeparse_digits(s, len, 2, &y) ||
		    !timeparse_digits(s + 2, len - 2, 2, &mo) ||
		    !timeparse_digits(s + 4, len - 4, 2, &d) ||
		    !timeparse_digits(s + 7, len - 7, 2, &h) ||
		    !timeparse_digits(s + 9, len - 9, 2, &mi) ||
		    !timeparse_digits(s + 11, len - 11, 2, &sec))
			return (0);
		i = 13;
	} else
		return (0);
	if (!timeparse_build(
		timeparse_pivot(y), mo, d, h, mi, sec, msec, tz_offset_s, ms))
		return (0);
	return (i);
}

bool
timeparse_epoch(const char *s, size_t len, int64_t *ms)
{
	uint64_t v = 0;
	size_t   i, ndig = 0;
	int      frac = 0, fdig = 0;

	for (i = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		if (++ndig > 19)
			return (false);
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (ndig == 0)
		return (false);
	if (i < len && s[i] == '.') {
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
			if (fdig < 3) {
				frac = frac * 10 + (s[i] - '0');
				fdig++;
			}
		}
		if (fdig == 0)
			return (false);
		while (fdig++ < 3)
			frac *= 10;
	}
	if (i != len)
		return (false);
	if (v < 100000000000ULL)
		v = v * 1000 + (uint64_t)frac; /* seconds */
	else if (frac != 0)
		return (false); /* a fraction only makes sense on seconds */
	else if (v >= 100000000000000000ULL)
		v /= 1000000; /* nanoseconds */
	else if (v >= 100000000000000ULL)
		v /= 1000; /* microseconds */
	if (v > (uint64_t)MS_MAX_YEAR)
		return (false);
	*ms = (int64_t)v;
	return (true);
}

bool
timeparse_any(const char *s, size_t len, int year, int tz_offset_s, int64_t *ms)
{
	while (len > 0 && (s[0] == ' ' || s[0] == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0)
		return (false);
	if (s[0] >= '0' && s[0] <= '9') {
		if (timeparse_iso8601(s, len, tz_offset_s, true, ms) == len)
			return (true);
		if (timeparse_access(s, len, ms) == len)
			return (true);
		if (timeparse_slashed(s, len, tz_offset_s, ms) == len)
			return (true);
		return (timeparse_epoch(s, len, ms));
	}
	if (timeparse_ctime(s, len, tz_offset_s, ms) == len)
		return (true);
	return (timeparse_syslog(s, len, year, tz_offset_s, ms, NULL) == len);
}

int
timeparse_year_of(int64_t ms)
{
	int64_t days;
	int     y, m, d;

	days =
	    ms >= 0 ? ms / MS_PER_DAY : -((-ms + MS_PER_DAY - 1) / MS_PER_DAY);
	timeparse_civil_from_days(days, &y, &m, &d);
	return (y);
}

bool
timeparse_format_iso(int64_t ms, char *out)
{
	int64_t days, rem;
	int     y, mo, d;

	if (ms < MS_MIN_YEAR || ms > MS_MAX_YEAR) {
		out[0] = '\0';
		return (false);
	}
	days =
	    ms >= 0 ? ms / MS_PER_DAY : -((-ms + MS_PER_DAY - 1) / MS_PER_DAY);
	rem = ms - days * MS_PER_DAY;
	timeparse_civil_from_days(days, &y, &mo, &d);
	/* Written by hand: snprintf is slow on the ingestion hot path. */
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + mo / 10);
	out[6] = (char)('0' + mo % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = 'T';
	out[11] = (char)('0' + rem / 36000000);
	out[12] = (char)('0' + rem / 3600000 % 10);
	out[13] = ':';
	out[14] = (char)('0' + rem / 600000 % 6);
	out[15] = (char)('0' + rem / 60000 % 10);
	out[16] = ':';
	out[17] = (char)('0' + rem / 10000 % 6);
	out[18] = (char)('0' + rem / 1000 % 10);
	out[19] = '.';
	out[20] = (char)('0' + rem / 100 % 10);
	out[21] = (char)('0' + rem / 10 % 10);
	out[22] = (char)('0' + rem % 10);
	out[23] = 'Z';
	out[24] = '\0';
	return (true);
}
