/*
 * Cutting a byte stream into lines for the log parsers (logparse.h).
 * Complete lines inside a fed chunk are handed over in place; only a
 * line split across two chunks is copied, and never beyond max_line + 1
 * bytes.
 */
#include <string.h>

#include "core/logparse.h"

void
logsplit_init(struct logsplit *s, size_t max_line)
{
	memset(s, 0, sizeof(*s));
	s->max_line = max_line == 0 ? LOGPARSE_LINE_MAX : max_line;
	buf_init(&s->pending, 256);
}

void
logsplit_free(struct logsplit *s)
{
	buf_free(&s->pending);
}

/* Hands one complete line over, cut if needed; false when fn said stop. */
static bool
logsplit_emit(
    struct logsplit *s, const char *line, size_t len, logsplit_fn fn, void *arg)
{
	s->line_no++;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len > s->max_line)
		len = s->max_line + 1;
	return (fn(line, len, s->line_no, arg));
}

/* Keeps the start of a line that goes on in the next chunk. */
static bool
logsplit_keep(
    struct logsplit *s, const char *data, size_t len, logsplit_fn fn, void *arg)
{
	size_t room;

	if (s->overlong)
		return (true);
	room = s->max_line + 1 - s->pending.len;
	if (len < room) {
		buf_append(&s->pending, data, len);
		return (true);
	}
	/* Too long already: hand it over cut now, skip the rest of it. */
	buf_append(&s->pending, data, room);
	s->overlong = true;
	s->line_no++;
	return (fn(s->pending.data, s->pending.len, s->line_no, arg));
}

bool
logsplit_feed(
    struct logsplit *s, const char *data, size_t len, logsplit_fn fn, void *arg)
{
	const char *nl;
	size_t      n;
	bool        go = true;

	while (len > 0 && go) {
		if ((nl = memchr(data, '\n', len)) == NULL)
			return (logsplit_keep(s, data, len, fn, arg));
		n = (size_t)(nl - data);
		if (s->overlong) {
			s->overlong = false; /* already handed over */
			buf_reset(&s->pending);
		} else if (s->pending.len > 0) {
			if (!logsplit_keep(s, data, n, fn, arg))
				return (false);
			if (s->overlong)
				s->overlong = false;
			else
				go = logsplit_emit(s, s->pending.data,
				    s->pending.len, fn, arg);
			buf_reset(&s->pending);
		} else {
			go = logsplit_emit(s, data, n, fn, arg);
		}
		data += n + 1;
		len -= n + 1;
	}
	return (go);
}

bool
logsplit_finish(struct logsplit *s, logsplit_fn fn, void *arg)
{
	bool go = true;

	if (!s->overlong && s->pending.len > 0)
		go = logsplit_emit(s, s->pending.data, s->pending.len, fn, arg);
	s->overlong = false;
	buf_reset(&s->pending);
	return (go);
}
