#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

#include "core/gzip_tail.h"
#include "core/mem.h"

bool
gz_prefix_make(const char *text, size_t len, struct gz_prefix *p)
{
	z_stream z;
	size_t   cap;
	int      rc;

	memset(p, 0, sizeof(*p));
	memset(&z, 0, sizeof(z));
	if (len > (size_t)UINT32_MAX ||
	    deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return (false);
	/* Room for the worst case, and the flush's empty stored block. */
	cap = deflateBound(&z, (uLong)len) + 16;
	p->data = mem_alloc(cap);
	z.next_in = (Bytef *)(uintptr_t)text;
	z.avail_in = (uInt)len;
	z.next_out = p->data;
	z.avail_out = (uInt)cap;
	rc = deflate(&z, Z_SYNC_FLUSH);
	p->len = cap - z.avail_out;
	(void)deflateEnd(&z);
	if (rc != Z_OK || z.avail_in != 0) {
		gz_prefix_free(p);
		return (false);
	}
	p->crc = crc32(crc32(0L, Z_NULL, 0), (const Bytef *)text, (uInt)len);
	p->raw_len = len;
	return (true);
}

void
gz_prefix_free(struct gz_prefix *p)
{
	mem_free(p->data);
	memset(p, 0, sizeof(*p));
}

static void
gz_le32(struct buf *out, unsigned long v)
{
	unsigned char b[4];

	b[0] = (unsigned char)(v & 0xff);
	b[1] = (unsigned char)((v >> 8) & 0xff);
	b[2] = (unsigned char)((v >> 16) & 0xff);
	b[3] = (unsigned char)((v >> 24) & 0xff);
	buf_append(out, b, sizeof(b));
}

bool
gz_member(struct buf *out, const struct gz_prefix *p, const char *tail,
    size_t tail_len)
{
	/* ID1 ID2, deflate, no flags, no time, no extra flags, unknown OS. */
	static const unsigned char head[10] = {
	    0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff};
	unsigned char stored[5];
	unsigned long crc;

	if (tail_len > 0xffff)
		return (false);
	buf_append(out, head, sizeof(head));
	buf_append(out, p->data, p->len);
	/* A final stored block: BFINAL 1, BTYPE 00, LEN, NLEN. */
	stored[0] = 0x01;
	stored[1] = (unsigned char)(tail_len & 0xff);
	stored[2] = (unsigned char)(tail_len >> 8);
	stored[3] = (unsigned char)(~tail_len & 0xff);
	stored[4] = (unsigned char)((~tail_len >> 8) & 0xff);
	buf_append(out, stored, sizeof(stored));
	buf_append(out, tail, tail_len);
	crc = crc32_combine(p->crc,
	    crc32(crc32(0L, Z_NULL, 0), (const Bytef *)tail, (uInt)tail_len),
	    (z_off_t)tail_len);
	gz_le32(out, crc);
	gz_le32(out, (unsigned long)((p->raw_len + tail_len) & 0xffffffffUL));
	return (true);
}

/* The q value of a coding's parameters (";q=0.5"), 1 when absent. */
static double
gz_quality(const char *params, size_t len)
{
	const char *q;
	char        num[16];
	size_t      n;

	for (q = params; q + 1 < params + len; q++) {
		if ((*q == 'q' || *q == 'Q') && q[1] == '=') {
			n = (size_t)(params + len - (q + 2));
			if (n >= sizeof(num))
				n = sizeof(num) - 1;
			memcpy(num, q + 2, n);
			num[n] = '\0';
			return (strtod(num, NULL));
		}
	}
	return (1.0);
}

/*
 * gzip (or its alias x-gzip) listed with q > 0; when it is not listed,
 * "*" with q > 0 (RFC 9110, 12.5.3). Nothing listed: not accepted.
 */
bool
gz_accepted(const char *h)
{
	const char *item, *end, *semi;
	size_t      len, name;
	double      q;
	int         gzip, star; /* -1 not listed, 0 refused, 1 accepted */

	if (h == NULL)
		return (false);
	gzip = star = -1;
	for (item = h; *item != '\0'; item = *end == ',' ? end + 1 : end) {
		while (*item == ' ' || *item == '\t')
			item++;
		end = strchr(item, ',');
		if (end == NULL)
			end = item + strlen(item);
		len = (size_t)(end - item);
		semi = memchr(item, ';', len);
		name = semi != NULL ? (size_t)(semi - item) : len;
		while (name > 0 &&
		    (item[name - 1] == ' ' || item[name - 1] == '\t'))
			name--;
		q = semi != NULL ? gz_quality(semi, (size_t)(end - semi)) : 1.0;
		if ((name == 4 && strncasecmp(item, "gzip", 4) == 0) ||
		    (name == 6 && strncasecmp(item, "x-gzip", 6) == 0))
			gzip = gzip == 0 ? 0 : q > 0.0;
		else if (name == 1 && item[0] == '*')
			star = star == 0 ? 0 : q > 0.0;
	}
	return (gzip != -1 ? gzip == 1 : star == 1);
}
