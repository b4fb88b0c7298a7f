#include <string.h>

#include "core/utf8.h"

/*
 * Length of the valid character at s[0], or 0. See RFC 3629 section 4
 * for the table of well-formed byte sequences this follows.
 */
size_t
utf8_char_len(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return (1);
	if (c < 0xc2 || c > 0xf4)
		return (0);
	if (c < 0xe0) {
		if (len < 2 || (s[1] & 0xc0) != 0x80)
			return (0);
		return (2);
	}
	if (c < 0xf0) {
		if (len < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return (0);
		if (c == 0xe0 && s[1] < 0xa0)
			return (0); /* overlong */
		if (c == 0xed && s[1] > 0x9f)
			return (0); /* surrogate */
		return (3);
	}
	if (len < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
	    (s[3] & 0xc0) != 0x80)
		return (0);
	if (c == 0xf0 && s[1] < 0x90)
		return (0); /* overlong */
	if (c == 0xf4 && s[1] > 0x8f)
		return (0); /* above U+10FFFF */
	return (4);
}

/* True when s[0..len) is the valid beginning of one character. */
static bool
utf8_truncated_char(const unsigned char *s, size_t len)
{
	unsigned char buf[4];
	size_t        need, i;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return (false);
	need = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (len >= need)
		return (false);
	/* Complete it with the smallest continuation bytes and check. */
	memcpy(buf, s, len);
	for (i = len; i < need; i++)
		buf[i] = 0x80;
	if (s[0] == 0xe0 && len == 1)
		buf[1] = 0xa0;
	if (s[0] == 0xf0 && len == 1)
		buf[1] = 0x90;
	return (utf8_char_len(buf, need) == need);
}

size_t
utf8_valid_prefix(const char *s, size_t len, bool truncated_ok)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t               i, n;

	i = 0;
	while (i < len) {
		/* Fast path over runs of ASCII, eight bytes at a time. */
		while (i + 8 <= len) {
			unsigned long long w;

			memcpy(&w, p + i, 8);
			if (w & 0x8080808080808080ULL)
				break;
			i += 8;
		}
		if (i >= len)
			break;
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((n = utf8_char_len(p + i, len - i)) == 0) {
			if (truncated_ok && utf8_truncated_char(p + i, len - i))
				return (len);
			return (i);
		}
		i += n;
	}
	return (len);
}

bool
utf8_valid(const char *s, size_t len)
{
	return (utf8_valid_prefix(s, len, false) == len);
}
