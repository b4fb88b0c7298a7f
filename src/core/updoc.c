#include <stdio.h>
#include <string.h>

#include "core/updoc.h"

/* Whether s can be written between JSON quotes as it is. */
static bool
updoc_plain(const char *s, size_t max)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i >= max || (unsigned char)s[i] < 0x20 || s[i] == '"' ||
		    s[i] == '\\')
			return (false);
	}
	return (i > 0);
}

/*
 * Renders the fields every document of the file ends with. False when
 * file_id or received is empty, too long, or would need escaping (they
 * are Vigie's own: an id of hex digits, an ISO 8601 time).
 */
bool
updoc_init(struct updoc *u, const char *file_id, const char *received)
{
	int n;

	memset(u, 0, sizeof(*u));
	if (file_id == NULL || received == NULL ||
	    !updoc_plain(file_id, UPDOC_ID_MAX) ||
	    !updoc_plain(received, UPDOC_TIME_MAX))
		return (false);
	n = snprintf(u->head, sizeof(u->head),
	    "\"vigie.file_id\":\"%s\",\"vigie.line\":", file_id);
	u->headlen = (size_t)n;
	n = snprintf(u->tail, sizeof(u->tail),
	    ",\"vigie.ingest_source\":\"upload\",\"vigie.received_at\":\"%s\"}",
	    received);
	u->taillen = (size_t)n;
	return (true);
}

/*
 * Closes doc, a JSON object, with the file's fields and the line number:
 * {...,"vigie.file_id":"..","vigie.line":N,"vigie.ingest_source":"upload",
 * "vigie.received_at":".."}. False (doc unchanged) when doc does not end
 * with '}'.
 */
bool
updoc_close(const struct updoc *u, struct buf *doc, long line)
{
	char          digits[24];
	size_t        n;
	unsigned long v;

	if (doc->len < 2 || doc->data[doc->len - 1] != '}' || u->headlen == 0)
		return (false);
	doc->len--;
	if (doc->len > 1)
		buf_append(doc, ",", 1);
	buf_append(doc, u->head, u->headlen);
	v = line < 0 ? 0UL - (unsigned long)line : (unsigned long)line;
	n = sizeof(digits);
	do {
		digits[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	if (line < 0)
		digits[--n] = '-';
	buf_append(doc, digits + n, sizeof(digits) - n);
	buf_append(doc, u->tail, u->taillen);
	return (true);
}
