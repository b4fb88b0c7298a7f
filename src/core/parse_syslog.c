/*
 * Syslog lines, either form, told apart line by line:
 *   RFC 3164: [<PRI>]Mmm dd hh:mm:ss [HOST] TAG[PID]: MSG
 *             (the timestamp may also be RFC 3339, as rsyslog writes it)
 *   RFC 5424: <PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG
 * PRI gives log.syslog.facility.code and severity.code (and log.level);
 * the tag or app is service.name; structured data params become labels
 * named <sd-id>_<param>. RFC 3164 has no year: see logparse_opts.
 */
#include <string.h>

#include "core/logparse_impl.h"
#include "core/mem.h"
#include "core/timeparse.h"

#define SYSLOG_TAG_MAX 64
#define MS_PER_DAY     86400000LL

struct syslog_state {
	int year; /* of the current 3164 line; 0 before the first */
	int last_month; /* for the December to January roll-over */
};

static bool
syslog_is_nil(struct log_str s)
{
	return (s.len == 1 && s.ptr[0] == '-');
}

static bool
syslog_digits(const char *s, size_t len, int64_t *v)
{
	size_t  i;
	int64_t x = 0;

	if (len == 0 || len > 18)
		return (false);
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (false);
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return (true);
}

/* A token up to the next space (or the end): NULL when empty. */
static const char *
syslog_token(const char *p, const char *end, struct log_str *out)
{
	const char *q = p;

	while (q < end && *q != ' ')
		q++;
	if (q == p)
		return (NULL);
	out->ptr = p;
	out->len = (size_t)(q - p);
	return (q);
}

/* <PRI>: returns the bytes used (0 if none), -1 when malformed. */
static long
syslog_pri(struct log_event *ev, const char *s, size_t len)
{
	size_t i;
	int    v = 0;

	if (len == 0 || s[0] != '<')
		return (0);
	for (i = 1; i < len && i <= 4 && s[i] >= '0' && s[i] <= '9'; i++)
		v = v * 10 + (s[i] - '0');
	if (i == 1 || i > 4 || i >= len || s[i] != '>' || v > 191)
		return (-1);
	ev->facility = v / 8;
	ev->severity = v % 8;
	ev->level = record_level_from_severity(ev->severity);
	return ((long)i + 1);
}

/* One SD-PARAM value with \" \\ \] escapes, unescaped if needed. */
static struct log_str
syslog_sd_value(struct log_event *ev, const char *s, size_t len)
{
	struct log_str out;
	char          *d;
	size_t         i, n = 0;

	out.ptr = s;
	out.len = len;
	if (memchr(s, '\\', len) == NULL)
		return (out);
	d = record_arena_alloc(ev, len);
	for (i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len &&
		    (s[i + 1] == '"' || s[i + 1] == '\\' || s[i + 1] == ']'))
			i++;
		d[n++] = s[i];
	}
	out.ptr = d;
	out.len = n;
	return (out);
}

/*
 * Structured data at p: "-" or [id name="value" ...]... Returns the byte
 * after it, or NULL when malformed.
 */
static const char *
syslog_sd(struct log_event *ev, const char *p, const char *end)
{
	const char    *id, *name, *v;
	size_t         idlen, nlen;
	char           key[2 * SYSLOG_TAG_MAX + 2];
	struct log_str val;

	if (p < end && *p == '-')
		return (p + 1);
	if (p >= end || *p != '[')
		return (NULL);
	while (p < end && *p == '[') {
		id = ++p;
		while (p < end && *p != ' ' && *p != ']')
			p++;
		if ((idlen = (size_t)(p - id)) == 0 || p >= end)
			return (NULL);
		while (p < end && *p == ' ') {
			name = ++p;
			while (p < end && *p != '=' && *p != ' ' && *p != ']')
				p++;
			nlen = (size_t)(p - name);
			if (nlen == 0 || end - p < 3 || p[0] != '=' ||
			    p[1] != '"')
				return (NULL);
			v = p += 2;
			while (p < end && *p != '"') {
				if (*p == '\\' && p + 1 < end)
					p++;
				p++;
			}
			if (p >= end)
				return (NULL);
			val = syslog_sd_value(ev, v, (size_t)(p - v));
			p++;
			if (idlen + nlen + 1 < sizeof(key)) {
				memcpy(key, id, idlen);
				key[idlen] = '_';
				memcpy(key + idlen + 1, name, nlen);
				(void)record_label_add(ev, key,
				    idlen + 1 + nlen, val.ptr, val.len);
			}
		}
		if (p >= end || *p != ']')
			return (NULL);
		p++;
	}
	return (p);
}

static long
syslog_col(const char *line, const char *p)
{
	return ((long)(p - line) + 1);
}

/* RFC 5424 after "<PRI>1 " at p. */
static long
syslog_parse_5424(struct log_event *ev, const char *line, const char *p,
    const char *end, int tz_offset_s)
{
	struct log_str ts, host, app, procid, msgid;
	const char    *q;
	int64_t        pid;

	q = p;
	if ((p = syslog_token(p, end, &ts)) == NULL)
		return (syslog_col(line, q));
	if (!syslog_is_nil(ts)) {
		if (timeparse_iso8601(ts.ptr, ts.len, tz_offset_s, false,
			&ev->ts_ms) != ts.len)
			return (syslog_col(line, q));
		ev->has_ts = true;
	}
	if (p >= end || (q = ++p, p = syslog_token(p, end, &host)) == NULL)
		return (syslog_col(line, q));
	if (p >= end || (q = ++p, p = syslog_token(p, end, &app)) == NULL)
		return (syslog_col(line, q));
	if (p >= end || (q = ++p, p = syslog_token(p, end, &procid)) == NULL)
		return (syslog_col(line, q));
	if (p >= end || (q = ++p, p = syslog_token(p, end, &msgid)) == NULL)
		return (syslog_col(line, q));
	if (p >= end || *p != ' ')
		return (syslog_col(line, p));
	q = ++p;
	if ((p = syslog_sd(ev, p, end)) == NULL)
		return (syslog_col(line, q));
	if (p < end && *p != ' ')
		return (syslog_col(line, p));
	if (p < end)
		p++;
	if (end - p >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	if (!syslog_is_nil(host))
		ev->host = host;
	if (!syslog_is_nil(app))
		ev->service = app;
	if (!syslog_is_nil(procid)) {
		if (syslog_digits(procid.ptr, procid.len, &pid))
			ev->pid = pid;
		else
			(void)record_label_add(
			    ev, "procid", 6, procid.ptr, procid.len);
	}
	if (!syslog_is_nil(msgid))
		ev->msgid = msgid;
	ev->message.ptr = p;
	ev->message.len = (size_t)(end - p);
	return (0);
}

/*
 * A 3164 tag at p: "name[pid]:" or "name:" followed by a space or the
 * end. Returns the byte after the colon, or NULL when p is no tag.
 */
static const char *
syslog_tag(struct log_event *ev, const char *p, const char *end)
{
	const char *name = p, *lb = NULL, *q;
	int64_t     pid;

	for (q = p; q < end && *q != ' ' && *q != ':' && *q != '['; q++)
		;
	if (q == name || q - name > SYSLOG_TAG_MAX || q >= end)
		return (NULL);
	if (*q == '[') {
		lb = q;
		while (q < end && *q != ']' && *q != ' ')
			q++;
		if (q + 1 >= end || q[0] != ']' || q[1] != ':')
			return (NULL);
		q++;
	}
	if (*q != ':' || (q + 1 < end && q[1] != ' '))
		return (NULL);
	ev->service.ptr = name;
	ev->service.len = (size_t)((lb != NULL ? lb : q) - name);
	if (lb != NULL) {
		if (syslog_digits(lb + 1, (size_t)(q - 2 - lb), &pid))
			ev->pid = pid;
		else
			(void)record_label_add(
			    ev, "procid", 6, lb + 1, (size_t)(q - 2 - lb));
	}
	return (q + 1);
}

long
syslog_parse(struct log_event *ev, const char *line, size_t len,
    int tz_offset_s, long *ts_at, int *month)
{
	const char    *p = line, *end = line + len, *q, *after;
	struct log_str host;
	long           n;
	size_t         used;
	int64_t        ms;

	*ts_at = -1;
	*month = 0;
	if ((n = syslog_pri(ev, line, len)) < 0)
		return (1);
	p += n;
	if (n > 0 && end - p >= 2 && p[0] == '1' && p[1] == ' ')
		n = syslog_parse_5424(ev, line, p + 2, end, tz_offset_s);
	else {
		/* RFC 3164: Mmm dd hh:mm:ss, or an RFC 3339 timestamp. */
		used =
		    timeparse_syslog(p, (size_t)(end - p), 2000, 0, &ms, month);
		if (used > 0) {
			*ts_at = (long)(p - line);
		} else {
			/* RFC 3339 proper: a 'T', not a space. */
			used = timeparse_iso8601(p, (size_t)(end - p),
			    tz_offset_s, false, &ev->ts_ms);
			if (used == 0 || p[10] != 'T')
				return (syslog_col(line, p));
			ev->has_ts = true;
		}
		p += used;
		if (p >= end || *p != ' ')
			return (syslog_col(line, p));
		p++;
		/* HOST, unless the tag comes straight away. */
		if ((after = syslog_tag(ev, p, end)) == NULL) {
			q = p;
			if ((p = syslog_token(p, end, &host)) == NULL)
				return (syslog_col(line, q));
			ev->host = host;
			if (p < end)
				p++;
			if ((after = syslog_tag(ev, p, end)) != NULL)
				p = after;
		} else {
			p = after;
		}
		while (p < end && *p == ' ')
			p++;
		ev->message.ptr = p;
		ev->message.len = (size_t)(end - p);
		n = 0;
	}
	if (n == 0) {
		ev->original.ptr = line;
		ev->original.len = len;
	}
	return (n);
}

static void *
syslog_create(struct logparse *p)
{
	(void)p;
	return (mem_calloc(1, sizeof(struct syslog_state)));
}

/* The year of a 3164 line (see logparse_opts.default_year). */
static int
syslog_year(struct logparse *p, struct syslog_state *st, const char *ts,
    size_t len, int month)
{
	int64_t ms;

	if (st->year == 0) {
		if (p->opts.default_year > 0) {
			st->year = p->opts.default_year;
		} else {
			st->year = timeparse_year_of(p->opts.ingest_ms);
			if (timeparse_syslog(ts, len, st->year,
				p->opts.tz_offset_s, &ms, NULL) > 0 &&
			    ms > p->opts.ingest_ms + MS_PER_DAY)
				st->year--;
		}
	} else if (st->last_month == 12 && month == 1) {
		st->year++;
	}
	st->last_month = month;
	return (st->year);
}

static enum logparse_result
syslog_line(struct logparse *p, const char *line, size_t len, long line_no,
    struct logparse_error *err)
{
	struct syslog_state *st = p->state;
	long                 col, ts_at;
	int                  month, year;
	size_t               n;

	if (logparse_blank(line, len))
		return (LOGPARSE_SKIP);
	col = syslog_parse(
	    &p->ev, line, len, p->opts.tz_offset_s, &ts_at, &month);
	if (col != 0) {
		logparse_fail(err, line_no, col, "not a syslog line");
		return (LOGPARSE_ERROR);
	}
	if (ts_at >= 0) {
		year = syslog_year(
		    p, st, line + ts_at, len - (size_t)ts_at, month);
		n = timeparse_syslog(line + ts_at, len - (size_t)ts_at, year,
		    p->opts.tz_offset_s, &p->ev.ts_ms, NULL);
		if (n == 0) {
			logparse_fail(err, line_no, ts_at + 1,
			    "no such date in %d", year);
			return (LOGPARSE_ERROR);
		}
		p->ev.has_ts = true;
	}
	return (LOGPARSE_RECORD);
}

const struct logparse_ops syslog_ops = {
    .create = syslog_create,
    .destroy = mem_free,
    .line = syslog_line,
};
