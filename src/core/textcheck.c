#include <string.h>

#include "core/textcheck.h"

void
textcheck_init(struct textcheck *tc)
{
	memset(tc, 0, sizeof(*tc));
}

static bool
textcheck_fail(struct textcheck *tc, enum textcheck_verdict v)
{
	tc->verdict = v;
	tc->bad_line = tc->lines + 1;
	tc->bad_col = tc->col + 1;
	return (false);
}

/*
 * Feeds len bytes. Returns false (and stops looking) at the first NUL or
 * invalid UTF-8 byte: overlong forms, surrogates, code points past
 * U+10FFFF and truncated sequences are invalid.
 */
bool
textcheck_feed(struct textcheck *tc, const unsigned char *p, size_t len)
{
	size_t        i;
	unsigned char c;

	if (tc->verdict != TEXTCHECK_OK)
		return (false);
	for (i = 0; i < len; i++, tc->bytes++, tc->col++) {
		c = p[i];
		if (tc->need > 0) {
			if ((c & 0xc0) != 0x80)
				return (textcheck_fail(tc, TEXTCHECK_BAD_UTF8));
			tc->cp = tc->cp << 6 | (c & 0x3f);
			if (--tc->need == 0 &&
			    ((tc->seqlen == 2 && tc->cp < 0x80) ||
				(tc->seqlen == 3 && tc->cp < 0x800) ||
				(tc->seqlen == 4 && tc->cp < 0x10000) ||
				tc->cp > 0x10ffff ||
				(tc->cp >= 0xd800 && tc->cp <= 0xdfff)))
				return (textcheck_fail(tc, TEXTCHECK_BAD_UTF8));
			continue;
		}
		if (c == 0)
			return (textcheck_fail(tc, TEXTCHECK_BINARY));
		if (c == '\n') {
			tc->lines++;
			tc->col = (uint64_t)-1; /* the loop's ++ makes it 0 */
			continue;
		}
		if (c < 0x80)
			continue;
		if ((c & 0xe0) == 0xc0) {
			tc->need = 1;
			tc->cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			tc->need = 2;
			tc->cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			tc->need = 3;
			tc->cp = c & 0x07;
		} else {
			return (textcheck_fail(tc, TEXTCHECK_BAD_UTF8));
		}
		tc->seqlen = tc->need + 1;
	}
	return (true);
}

/* The end of the input: a sequence cut short is invalid. */
bool
textcheck_finish(struct textcheck *tc)
{
	if (tc->verdict != TEXTCHECK_OK)
		return (false);
	if (tc->need > 0)
		return (textcheck_fail(tc, TEXTCHECK_BAD_UTF8));
	return (true);
}

/* Lines, counting a last line without a newline. */
uint64_t
textcheck_lines(const struct textcheck *tc)
{
	return (tc->lines + (tc->col > 0 ? 1 : 0));
}
