/*
 * Deciding what kind of log a file holds from its first bytes
 * (logdetect() in logparse.h). Binary content is refused first: a NUL
 * byte, a UTF-16 byte order mark, or bytes that are not UTF-8 (our own
 * validator, tolerant of a character cut by the end of the sample). Then
 * the first lines are tried: '{' or '[{' starts JSON; otherwise the
 * access, Apache error and syslog parsers each try every line, and the
 * one accepting most (at least 60%) wins; then CSV (a header of names
 * and the same column count on most lines); else plain text.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/logparse_impl.h"
#include "core/utf8.h"

#define DETECT_LINES_MAX 50
#define DETECT_SHARE     60 /* percent of lines a format must accept */

struct detect_line {
	const char *s;
	size_t      len;
};

static bool detect_fail(struct logdetect *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static bool
detect_fail(struct logdetect *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
	va_end(ap);
	return (false);
}

/* Non-blank lines of the sample; a cut last line is left out. */
static int
detect_lines(
    const char *buf, size_t len, bool more_follows, struct detect_line *lines)
{
	const char *p = buf, *end = buf + len, *nl;
	size_t      n;
	int         count = 0;

	while (p < end && count < DETECT_LINES_MAX) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL && more_follows && count > 0)
			break;
		n = nl == NULL ? (size_t)(end - p) : (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (!logparse_blank(p, n)) {
			lines[count].s = p;
			lines[count].len = n;
			count++;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return (count);
}

/* Fields of a CSV line (quote-aware), or -1 for a quote left open. */
static int
detect_csv_fields(const char *s, size_t len, char delim)
{
	size_t i;
	int    n = 1;
	bool   quoted = false;

	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			quoted = !quoted;
		else if (!quoted && s[i] == delim)
			n++;
	}
	return (quoted ? -1 : n);
}

/* A header cell: a short name, not a number, no odd characters. */
static bool
detect_csv_name(const char *s, size_t len)
{
	size_t i;
	bool   alpha = false;

	if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
		s++;
		len -= 2;
	}
	if (len == 0 || len > 64)
		return (false);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    c >= 0x80)
			alpha = true;
		else if (!(c >= '0' && c <= '9') &&
		    strchr(" _.-@#/()", c) == NULL)
			return (false);
	}
	return (alpha);
}

static bool
detect_csv_header(const char *s, size_t len, char delim)
{
	const char *p = s, *end = s + len, *q;

	for (;;) {
		q = memchr(p, delim, (size_t)(end - p));
		if (q == NULL)
			q = end;
		if (!detect_csv_name(p, (size_t)(q - p)))
			return (false);
		if (q == end)
			return (true);
		p = q + 1;
	}
}

static bool
detect_csv(struct detect_line *lines, int n, struct logdetect *out)
{
	static const char delims[] = {',', ';', '\t'};
	int               d, i, cols, same;

	if (n < 2)
		return (false);
	for (d = 0; d < 3; d++) {
		cols = detect_csv_fields(lines[0].s, lines[0].len, delims[d]);
		if (cols < 2 ||
		    !detect_csv_header(lines[0].s, lines[0].len, delims[d]))
			continue;
		for (same = 0, i = 1; i < n; i++) {
			if (detect_csv_fields(
				lines[i].s, lines[i].len, delims[d]) == cols)
				same++;
		}
		if (same * 100 >= (n - 1) * 80) {
			out->csv_delimiter = delims[d];
			out->matched = same + 1;
			return (true);
		}
	}
	return (false);
}

/* JSON by its first character: '{', or '[' then '{', ']' or nothing. */
static bool
detect_json(const char *s, size_t len, struct logdetect *out)
{
	size_t i = 0;

	while (len > 0 && (s[0] == ' ' || s[0] == '\t')) {
		s++;
		len--;
	}
	if (len == 0)
		return (false);
	if (s[0] == '{')
		return (true);
	if (s[0] != '[')
		return (false);
	for (i = 1; i < len; i++) {
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')
			continue;
		if (s[i] != '{' && s[i] != ']')
			return (false);
		break;
	}
	out->json_array = true;
	return (true);
}

static void
detect_decided(struct logdetect *out, enum log_format f, const char *how)
{
	out->format = f;
	snprintf(out->reason, sizeof(out->reason), "%s: %s (%d of %d lines)",
	    logformat_name(f), how, out->matched, out->lines);
}

/* Counts the lines each line parser accepts; the best one, or 0. */
static enum log_format
detect_by_parsers(struct detect_line *lines, int n, int *best_count)
{
	struct log_event             ev;
	int                          i, counts[3] = {0, 0, 0}, month, best = -1;
	long                         ts_at;
	static const enum log_format fmts[3] = {
	    LOG_FORMAT_ACCESS, LOG_FORMAT_APACHE_ERROR, LOG_FORMAT_SYSLOG};

	record_event_init(&ev);
	for (i = 0; i < n; i++) {
		record_event_reset(&ev);
		if (access_parse(&ev, lines[i].s, lines[i].len) == 0)
			counts[0]++;
		record_event_reset(&ev);
		if (apacheerr_parse(&ev, lines[i].s, lines[i].len, 0) == 0)
			counts[1]++;
		record_event_reset(&ev);
		if (syslog_parse(
			&ev, lines[i].s, lines[i].len, 0, &ts_at, &month) == 0)
			counts[2]++;
	}
	record_event_free(&ev);
	for (i = 0; i < 3; i++) {
		if (counts[i] * 100 >= n * DETECT_SHARE &&
		    (best < 0 || counts[i] > counts[best]))
			best = i;
	}
	if (best < 0)
		return (LOG_FORMAT_UNKNOWN);
	*best_count = counts[best];
	return (fmts[best]);
}

bool
logdetect(const char *buf, size_t len, bool more_follows, enum log_format hint,
    struct logdetect *out)
{
	struct detect_line lines[DETECT_LINES_MAX];
	const char        *nul;
	size_t             valid;
	int                n, count = 0;
	enum log_format    f;

	memset(out, 0, sizeof(*out));
	if (len > LOGDETECT_SAMPLE) {
		len = LOGDETECT_SAMPLE;
		more_follows = true;
	}
	if (len == 0)
		return (detect_fail(out, "empty content"));
	if (len >= 2 &&
	    ((buf[0] == '\xff' && buf[1] == '\xfe') ||
		(buf[0] == '\xfe' && buf[1] == '\xff')))
		return (detect_fail(
		    out, "UTF-16 text is not supported (convert it to UTF-8)"));
	if ((nul = memchr(buf, '\0', len)) != NULL)
		return (
		    detect_fail(out, "binary content (NUL byte at offset %zu)",
			(size_t)(nul - buf)));
	if ((valid = utf8_valid_prefix(buf, len, more_follows)) != len)
		return (detect_fail(
		    out, "not UTF-8 text (invalid byte at offset %zu)", valid));
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	n = detect_lines(buf, len, more_follows, lines);
	out->lines = n;
	if (n == 0)
		return (detect_fail(out, "no text, only blank lines"));
	if (hint != LOG_FORMAT_UNKNOWN) {
		if (hint == LOG_FORMAT_JSON)
			(void)detect_json(
			    lines[0].s, (size_t)(buf + len - lines[0].s), out);
		if (hint == LOG_FORMAT_CSV && !detect_csv(lines, n, out))
			out->csv_delimiter = 0;
		out->matched = n;
		detect_decided(out, hint, "given");
		return (true);
	}
	if (detect_json(lines[0].s, (size_t)(buf + len - lines[0].s), out)) {
		out->matched = n;
		detect_decided(out, LOG_FORMAT_JSON,
		    out->json_array ? "a top-level array" : "objects");
		return (true);
	}
	if ((f = detect_by_parsers(lines, n, &count)) != LOG_FORMAT_UNKNOWN) {
		out->matched = count;
		detect_decided(out, f, "lines parsed");
		return (true);
	}
	if (detect_csv(lines, n, out)) {
		detect_decided(out, LOG_FORMAT_CSV, "a header and columns");
		return (true);
	}
	out->matched = n;
	detect_decided(out, LOG_FORMAT_PLAIN, "no structure recognized");
	return (true);
}
