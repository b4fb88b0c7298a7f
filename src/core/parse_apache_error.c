/*
 * Apache httpd error logs, both forms:
 *   2.2: [Sun Dec 04 04:47:44 2005] [notice] message
 *        [Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] message
 *   2.4: [Sat Jun 04 12:34:56.123456 2016] [core:error] [pid 123:tid 456]
 *        [client 1.2.3.4:5678] AH00128: message
 * The module goes to log.logger, pid and tid to process.*, the client to
 * client.ip/client.port, an AHnnnnn code to labels.code.
 */
#include <string.h>

#include "core/logparse_impl.h"
#include "core/timeparse.h"

static bool
apacheerr_digits(const char *s, size_t len, int64_t *v)
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

/* "[pid 123:tid 456]" or "[pid 123]" contents. */
static void
apacheerr_pid(struct log_event *ev, const char *s, size_t len)
{
	const char *colon;

	colon = memchr(s, ':', len);
	if (colon == NULL) {
		(void)apacheerr_digits(s, len, &ev->pid);
		return;
	}
	(void)apacheerr_digits(s, (size_t)(colon - s), &ev->pid);
	len -= (size_t)(colon - s) + 1;
	s = colon + 1;
	if (len > 4 && memcmp(s, "tid ", 4) == 0)
		(void)apacheerr_digits(s + 4, len - 4, &ev->tid);
}

/* "[client 1.2.3.4:5678]" contents; with_port for the 2.4 form. */
static void
apacheerr_client(
    struct log_event *ev, const char *s, size_t len, bool with_port)
{
	const char *colon;
	int64_t     port;

	if (!with_port || memchr(s, ':', len) == NULL) {
		if (record_is_ip(s, len)) {
			ev->client_ip.ptr = s;
			ev->client_ip.len = len;
		}
		return;
	}
	colon = s + len;
	while (colon > s && colon[-1] != ':')
		colon--;
	if (colon == s)
		return;
	if (record_is_ip(s, (size_t)(colon - 1 - s))) {
		ev->client_ip.ptr = s;
		ev->client_ip.len = (size_t)(colon - 1 - s);
		if (apacheerr_digits(colon, (size_t)(s + len - colon), &port) &&
		    port <= 65535)
			ev->client_port = port;
	} else if (record_is_ip(s, len)) {
		ev->client_ip.ptr = s;
		ev->client_ip.len = len;
	}
}

/* "[core:error]" or "[error]" contents; false when no known level. */
static bool
apacheerr_level(struct log_event *ev, const char *s, size_t len)
{
	const char *colon;

	if ((colon = memchr(s, ':', len)) != NULL) {
		ev->logger.ptr = s;
		ev->logger.len = (size_t)(colon - s);
		len -= (size_t)(colon - s) + 1;
		s = colon + 1;
	}
	if (len >= 5 && len <= 6 && memcmp(s, "trace", 5) == 0)
		ev->level = EVENT_LEVEL_DEBUG; /* trace1..trace8 */
	else
		ev->level = record_level_parse(s, len);
	return (ev->level != EVENT_LEVEL_NONE);
}

long
apacheerr_parse(
    struct log_event *ev, const char *line, size_t len, int tz_offset_s)
{
	const char *p, *end = line + len, *close;
	size_t      n;
	bool        v24;

	if (len < 2 || line[0] != '[' ||
	    (close = memchr(line, ']', len)) == NULL)
		return (1);
	n = (size_t)(close - line - 1);
	if (n == 0 ||
	    timeparse_ctime(line + 1, n, tz_offset_s, &ev->ts_ms) != n)
		return (2);
	ev->has_ts = true;
	p = close + 1;
	if (end - p < 3 || p[0] != ' ' || p[1] != '[' ||
	    (close = memchr(p, ']', (size_t)(end - p))) == NULL)
		return ((long)(p - line) + 1);
	if (!apacheerr_level(ev, p + 2, (size_t)(close - p - 2)))
		return ((long)(p - line) + 3);
	v24 = ev->logger.ptr != NULL;
	p = close + 1;
	/* Known bracketed blocks; any other bracket is the message's. */
	while (end - p > 2 && p[0] == ' ' && p[1] == '[' &&
	    (close = memchr(p, ']', (size_t)(end - p))) != NULL) {
		const char *in = p + 2;
		size_t      inlen = (size_t)(close - in);

		if (inlen > 4 && memcmp(in, "pid ", 4) == 0) {
			apacheerr_pid(ev, in + 4, inlen - 4);
			v24 = true;
		} else if (inlen > 7 && memcmp(in, "client ", 7) == 0) {
			apacheerr_client(ev, in + 7, inlen - 7, v24);
		} else if (inlen > 7 && memcmp(in, "remote ", 7) == 0) {
			/* the peer (a proxy): client.ip is the client */
		} else {
			break;
		}
		p = close + 1;
	}
	while (p < end && *p == ' ')
		p++;
	ev->message.ptr = p;
	ev->message.len = (size_t)(end - p);
	/* False "always false" in cppcheck 2.10: test_parse_text.c has an
	 * AH00128 line. */
	/* cppcheck-suppress knownConditionTrueFalse */
	if (end - p > 8 && p[0] == 'A' && p[1] == 'H' && p[7] == ':' &&
	    strspn(p + 2, "0123456789") >= 5)
		(void)record_label_add(ev, "code", 4, p, 7);
	ev->original.ptr = line;
	ev->original.len = len;
	return (0);
}

static enum logparse_result
apacheerr_line(struct logparse *p, const char *line, size_t len, long line_no,
    struct logparse_error *err)
{
	long col;

	if (logparse_blank(line, len))
		return (LOGPARSE_SKIP);
	col = apacheerr_parse(&p->ev, line, len, p->opts.tz_offset_s);
	if (col != 0) {
		logparse_fail(
		    err, line_no, col, "not an Apache error log line");
		return (LOGPARSE_ERROR);
	}
	return (LOGPARSE_RECORD);
}

const struct logparse_ops apacheerr_ops = {
    .line = apacheerr_line,
};
