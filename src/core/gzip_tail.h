/*
 * Gzip answers whose last bytes change per request.
 *
 * A cached answer is sent with a few bytes of its own at the end (the
 * time taken). Its compressed form is made once: the deflate blocks of
 * everything but those bytes, ended by a flush to a byte boundary. Each
 * answer is then that, one final stored (uncompressed) block with the
 * request's own bytes, and the gzip trailer, whose CRC-32 is combined
 * from the prefix's and the tail's: no compression per request.
 */
#ifndef VIGIE_CORE_GZIP_TAIL_H
#define VIGIE_CORE_GZIP_TAIL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

struct gz_prefix {
	unsigned char *data; /* raw deflate blocks, not final */
	size_t         len;
	unsigned long  crc; /* CRC-32 of the uncompressed prefix */
	size_t         raw_len;
};

/* Compresses text (len bytes); false if zlib failed. */
bool gz_prefix_make(const char *text, size_t len, struct gz_prefix *);
void gz_prefix_free(struct gz_prefix *);

/* Appends the gzip member of prefix + tail (tail at most 65535 bytes). */
bool gz_member(struct buf *out, const struct gz_prefix *, const char *tail,
    size_t tail_len);

/*
 * Whether an Accept-Encoding header value accepts gzip: "gzip" (or
 * "x-gzip") listed with q > 0, or, when neither is listed, "*" with
 * q > 0. A coding listed twice with one q=0 is refused.
 */
bool gz_accepted(const char *accept_encoding);

#endif
