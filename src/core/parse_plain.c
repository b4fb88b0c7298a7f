/*
 * Plain text lines: the whole line is the message. A timestamp at the
 * start (ISO-8601 with 'T' or a space and '.' or ',' before the
 * fraction, 2024/01/15 10:00:00, Apache's ctime form, syslog's
 * "Mmm dd hh:mm:ss", the access log's 10/Oct/2000:13:55:36 -0700, the
 * two-digit-year 17/06/09 20:10:40 and 081109 203615, each optionally in
 * brackets) gives @timestamp, else the ingestion time
 * does. A level is taken from one of the first words when it is written
 * in capitals (INFO, WARN, ERROR...), in brackets ([info]) or as
 * level=...
 */
#include <string.h>

#include "core/logparse_impl.h"
#include "core/timeparse.h"

#define PLAIN_LEVEL_WORDS 4

size_t
plain_timestamp(
    const char *s, size_t len, int year, int tz_offset_s, int64_t *ms)
{
	size_t off = 0, n;

	if (len > 0 && s[0] == '[')
		off = 1;
	if (len - off < 8)
		return (0);
	if (s[off] >= '0' && s[off] <= '9') {
		if ((n = timeparse_iso8601(
			 s + off, len - off, tz_offset_s, false, ms)) == 0 &&
		    (n = timeparse_slashed(
			 s + off, len - off, tz_offset_s, ms)) == 0 &&
		    (n = timeparse_access(s + off, len - off, ms)) == 0 &&
		    (n = timeparse_short_year(
			 s + off, len - off, tz_offset_s, ms)) == 0)
			return (0);
	} else if ((n = timeparse_ctime(s + off, len - off, tz_offset_s, ms)) ==
		0 &&
	    (n = timeparse_syslog(
		 s + off, len - off, year, tz_offset_s, ms, NULL)) == 0) {
		return (0);
	}
	n += off;
	if (off == 1) {
		if (n >= len || s[n] != ']')
			return (0);
		n++;
	}
	/* The stamp must end at a word boundary. */
	if (n < len && s[n] != ' ' && s[n] != '\t' && s[n] != ':' &&
	    s[n] != ',' && s[n] != '|' && s[n] != ']')
		return (0);
	return (n);
}

/* A level from one word, under the rules above; NONE if it is none. */
static enum event_level
plain_level_word(const char *w, size_t len)
{
	size_t i;

	if (len > 6 && strncmp(w, "level=", 6) == 0) {
		w += 6;
		len -= 6;
		if (len >= 2 && w[0] == '"' && w[len - 1] == '"') {
			w++;
			len -= 2;
		}
		return (record_level_parse(w, len));
	}
	if (len > 2 &&
	    ((w[0] == '[' && w[len - 1] == ']') ||
		(w[0] == '<' && w[len - 1] == '>')))
		return (record_level_parse(w + 1, len - 2));
	while (len > 0 && (w[len - 1] == ':' || w[len - 1] == ','))
		len--;
	if (len < 3)
		return (EVENT_LEVEL_NONE);
	for (i = 0; i < len; i++) {
		if (w[i] < 'A' || w[i] > 'Z')
			return (EVENT_LEVEL_NONE);
	}
	return (record_level_parse(w, len));
}

static enum event_level
plain_level(const char *s, size_t len)
{
	size_t           i = 0, start;
	int              words = 0;
	enum event_level level;

	while (i < len && words < PLAIN_LEVEL_WORDS) {
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		start = i;
		while (i < len && s[i] != ' ' && s[i] != '\t')
			i++;
		if (i == start)
			break;
		words++;
		if ((level = plain_level_word(s + start, i - start)) !=
		    EVENT_LEVEL_NONE)
			return (level);
	}
	return (EVENT_LEVEL_NONE);
}

static enum logparse_result
plain_line(struct logparse *p, const char *line, size_t len, long line_no,
    struct logparse_error *err)
{
	struct log_event *ev = &p->ev;
	size_t            n;
	int               year;

	(void)line_no;
	(void)err;
	if (logparse_blank(line, len))
		return (LOGPARSE_SKIP);
	year = p->opts.default_year > 0 ? p->opts.default_year
					: timeparse_year_of(p->opts.ingest_ms);
	n = plain_timestamp(line, len, year, p->opts.tz_offset_s, &ev->ts_ms);
	ev->has_ts = n > 0;
	ev->level = plain_level(line + n, len - n);
	ev->message.ptr = line;
	ev->message.len = len;
	ev->original = ev->message;
	return (LOGPARSE_RECORD);
}

const struct logparse_ops plain_ops = {
    .line = plain_line,
};
