/*
 * Apache/Nginx access logs, common and combined:
 *   %h %l %u %t "%r" %>s %b ["%{Referer}i" "%{User-agent}i"]
 * parsed by hand (no regex). Quoted fields may hold \" and \\ escapes
 * (Apache's and Nginx's); other escapes (\xhh) are kept as written.
 * Anything after the user agent (extra fields some setups add) is
 * ignored.
 */
#include <string.h>

#include "core/logparse_impl.h"
#include "core/timeparse.h"

/* A token up to the next space; NULL when empty or at the end. */
static const char *
access_token(const char *p, const char *end, struct log_str *out)
{
	const char *sp;

	sp = memchr(p, ' ', (size_t)(end - p));
	if (sp == NULL || sp == p)
		return (NULL);
	out->ptr = p;
	out->len = (size_t)(sp - p);
	return (sp + 1);
}

/*
 * A quoted field at p ('"' expected): the text between the quotes in
 * *out, *escaped when it holds a backslash. Returns the byte after the
 * closing quote, or NULL.
 */
static const char *
access_quoted(
    const char *p, const char *end, struct log_str *out, bool *escaped)
{
	const char *q, *start;
	size_t      nbs;

	if (p >= end || *p != '"')
		return (NULL);
	start = ++p;
	for (;;) {
		q = memchr(p, '"', (size_t)(end - p));
		if (q == NULL)
			return (NULL);
		for (nbs = 0; q - nbs > start && q[-1 - (long)nbs] == '\\';
		     nbs++)
			;
		if (nbs % 2 == 0)
			break;
		p = q + 1;
	}
	out->ptr = start;
	out->len = (size_t)(q - start);
	*escaped = memchr(start, '\\', out->len) != NULL;
	return (q + 1);
}

/* access_quoted(), or the rest of the line when the quote is not closed. */
static const char *
access_last_quoted(
    const char *p, const char *end, struct log_str *out, bool *escaped)
{
	const char *q;

	if ((q = access_quoted(p, end, out, escaped)) != NULL)
		return (q);
	out->ptr = p + 1;
	out->len = (size_t)(end - p - 1);
	*escaped = memchr(out->ptr, '\\', out->len) != NULL;
	return (end);
}

/* \" and \\ unescaped into the arena; other escapes stay. */
static struct log_str
access_unescape(struct log_event *ev, struct log_str s)
{
	struct log_str out;
	char          *d;
	size_t         i, n = 0;

	d = record_arena_alloc(ev, s.len);
	for (i = 0; i < s.len; i++) {
		if (s.ptr[i] == '\\' && i + 1 < s.len &&
		    (s.ptr[i + 1] == '"' || s.ptr[i + 1] == '\\'))
			i++;
		d[n++] = s.ptr[i];
	}
	out.ptr = d;
	out.len = n;
	return (out);
}

static bool
access_is_dash(struct log_str s)
{
	return (s.len == 1 && s.ptr[0] == '-');
}

/* "GET /a?b HTTP/1.1" into method, path, query and version. */
static void
access_request(struct log_event *ev, struct log_str r)
{
	const char *sp1, *sp2;
	size_t      i, mlen;

	if (r.len == 0 || access_is_dash(r))
		return;
	sp1 = memchr(r.ptr, ' ', r.len);
	mlen = sp1 == NULL ? 0 : (size_t)(sp1 - r.ptr);
	for (i = 0; i < mlen; i++) {
		if (r.ptr[i] < 'A' || r.ptr[i] > 'Z')
			break;
	}
	if (mlen == 0 || mlen > 20 || i != mlen) {
		/* Not a request (a TLS handshake sent in clear...): keep it. */
		(void)record_label_add(ev, "request", 7, r.ptr, r.len);
		return;
	}
	ev->method.ptr = r.ptr;
	ev->method.len = mlen;
	sp2 = r.ptr + r.len;
	while (sp2 > sp1 + 1 && sp2[-1] != ' ')
		sp2--;
	if (sp2 > sp1 + 1 && (size_t)(r.ptr + r.len - sp2) > 5 &&
	    memcmp(sp2, "HTTP/", 5) == 0) {
		ev->http_version.ptr = sp2 + 5;
		ev->http_version.len = (size_t)(r.ptr + r.len - sp2 - 5);
		record_set_url(ev, sp1 + 1, (size_t)(sp2 - 1 - (sp1 + 1)));
	} else {
		record_set_url(ev, sp1 + 1, (size_t)(r.ptr + r.len - sp1 - 1));
	}
}

static long
access_col(const char *line, const char *p)
{
	return ((long)(p - line) + 1);
}

long
access_parse(struct log_event *ev, const char *line, size_t len)
{
	const char    *p = line, *end = line + len, *q;
	struct log_str host, ident, user, t, req, ref, ua, status, bytes;
	bool           esc;
	int64_t        v;
	size_t         i;

	(void)ident;
	if ((p = access_token(p, end, &host)) == NULL)
		return (1);
	q = p;
	if ((p = access_token(p, end, &ident)) == NULL)
		return (access_col(line, q));
	q = p;
	if ((p = access_token(p, end, &user)) == NULL)
		return (access_col(line, q));
	if (p >= end || *p != '[' ||
	    (q = memchr(p, ']', (size_t)(end - p))) == NULL)
		return (access_col(line, p));
	t.ptr = p + 1;
	t.len = (size_t)(q - p - 1);
	if (timeparse_access(t.ptr, t.len, &ev->ts_ms) != t.len || t.len == 0)
		return (access_col(line, p + 1));
	ev->has_ts = true;
	p = q + 1;
	if (p + 1 >= end || *p != ' ')
		return (access_col(line, p));
	q = ++p;
	if ((p = access_quoted(p, end, &req, &esc)) == NULL)
		return (access_col(line, q));
	if (esc)
		req = access_unescape(ev, req);
	if (p >= end || *p != ' ')
		return (access_col(line, p));
	q = ++p;
	if ((p = access_token(p, end, &status)) == NULL) {
		/* The status may end a line with no size: not access log. */
		return (access_col(line, q));
	}
	if (access_is_dash(status)) {
		ev->status = -1;
	} else {
		if (status.len != 3)
			return (access_col(line, q));
		for (v = 0, i = 0; i < 3; i++) {
			if (status.ptr[i] < '0' || status.ptr[i] > '9')
				return (access_col(line, q));
			v = v * 10 + (status.ptr[i] - '0');
		}
		ev->status = v;
	}
	q = p;
	bytes.ptr = p;
	while (p < end && *p != ' ')
		p++;
	bytes.len = (size_t)(p - bytes.ptr);
	if (bytes.len == 0 || bytes.len > 18)
		return (access_col(line, q));
	if (!access_is_dash(bytes)) {
		for (v = 0, i = 0; i < bytes.len; i++) {
			if (bytes.ptr[i] < '0' || bytes.ptr[i] > '9')
				return (access_col(line, q));
			v = v * 10 + (bytes.ptr[i] - '0');
		}
		ev->bytes = v;
	}
	/*
	 * Combined: referer and user agent. A last field cut before its
	 * closing quote (seen in real files) runs to the end of the line.
	 */
	if (p + 1 < end && p[1] == '"') {
		p = access_last_quoted(p + 1, end, &ref, &esc);
		if (!access_is_dash(ref) && ref.len > 0)
			ev->referrer = esc ? access_unescape(ev, ref) : ref;
		if (p + 1 < end && p[0] == ' ' && p[1] == '"') {
			(void)access_last_quoted(p + 1, end, &ua, &esc);
			if (!access_is_dash(ua) && ua.len > 0)
				ev->user_agent =
				    esc ? access_unescape(ev, ua) : ua;
		}
	}
	if (record_is_ip(host.ptr, host.len))
		ev->client_ip = host;
	else if (!access_is_dash(host))
		ev->client_domain = host;
	if (!access_is_dash(user))
		ev->user = user;
	access_request(ev, req);
	if (ev->status >= 0)
		ev->level = record_level_from_status(ev->status);
	ev->message.ptr = line;
	ev->message.len = len;
	ev->original = ev->message;
	return (0);
}

static enum logparse_result
access_line(struct logparse *p, const char *line, size_t len, long line_no,
    struct logparse_error *err)
{
	long col;

	if (logparse_blank(line, len))
		return (LOGPARSE_SKIP);
	if ((col = access_parse(&p->ev, line, len)) != 0) {
		logparse_fail(
		    err, line_no, col, "not a combined/common access log line");
		return (LOGPARSE_ERROR);
	}
	return (LOGPARSE_RECORD);
}

const struct logparse_ops access_ops = {
    .line = access_line,
};
