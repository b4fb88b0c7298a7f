#include <string.h>

#include "core/resp.h"

/* Decimal digits of v into the end of out[24]; returns where they start. */
static char *
resp_digits(char out[24], unsigned long long v)
{
	char *p = out + 24;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return (p);
}

static void
resp_head(struct buf *b, char type, long long v)
{
	char  tmp[26], *p;
	char *end = tmp + 24;

	p = resp_digits(
	    tmp, v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v);
	if (v < 0)
		*--p = '-';
	*--p = type;
	end[0] = '\r';
	end[1] = '\n';
	buf_append(b, p, (size_t)(end + 2 - p));
}

void
resp_array(struct buf *b, size_t n)
{
	resp_head(b, '*', (long long)n);
}

void
resp_bulk(struct buf *b, const void *data, size_t len)
{
	resp_head(b, '$', (long long)len);
	buf_append(b, data, len);
	buf_append(b, "\r\n", 2);
}

void
resp_str(struct buf *b, const char *s)
{
	resp_bulk(b, s, strlen(s));
}

void
resp_num(struct buf *b, long long v)
{
	char tmp[26], *p;

	p = resp_digits(
	    tmp, v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v);
	if (v < 0)
		*--p = '-';
	resp_bulk(b, p, (size_t)(tmp + 24 - p));
}
