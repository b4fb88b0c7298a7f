/*
 * libFuzzer target: Accept-Encoding as clients send it (core/gzip_tail.c)
 * and the gzip answer built for them. Whatever the header, nothing
 * crashes and the verdict is stable: the same header gives the same
 * answer, and so does the header with a coding of no concern to gzip
 * ("identity") added; an explicit "gzip;q=0" added always refuses it.
 * The input's bytes
 * also serve as an answer: its gzip member, with a tail, must inflate
 * back to exactly those bytes followed by the tail.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "core/gzip_tail.h"
#include "core/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_roundtrip(const uint8_t *data, size_t size)
{
	static const char tail[] = ",\"took_ms\":12}";
	struct gz_prefix  p;
	struct buf        gz;
	z_stream          z;
	unsigned char    *out;
	size_t            want;

	if (!gz_prefix_make((const char *)data, size, &p))
		abort();
	buf_init(&gz, 64);
	if (!gz_member(&gz, &p, tail, sizeof(tail) - 1))
		abort();
	want = size + sizeof(tail) - 1;
	out = mem_alloc(want + 1);
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + 15) != Z_OK)
		abort();
	z.next_in = (Bytef *)gz.data;
	z.avail_in = (uInt)gz.len;
	z.next_out = out;
	z.avail_out = (uInt)(want + 1);
	if (inflate(&z, Z_FINISH) != Z_STREAM_END || z.avail_out != 1 ||
	    z.avail_in != 0 || memcmp(out, data, size) != 0 ||
	    memcmp(out + size, tail, sizeof(tail) - 1) != 0)
		abort();
	inflateEnd(&z);
	mem_free(out);
	buf_free(&gz);
	gz_prefix_free(&p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *twice;
	bool  yes;

	if (size > 4096)
		return (0);
	text = mem_alloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	yes = gz_accepted(text);
	if (gz_accepted(text) != yes)
		abort();
	twice = mem_alloc(size + 32);
	memcpy(twice, text, strlen(text));
	memcpy(twice + strlen(text), ", identity", 11);
	if (gz_accepted(twice) != yes)
		abort();
	memcpy(twice + strlen(text), ", gzip;q=0", 11);
	if (gz_accepted(twice))
		abort();
	mem_free(twice);
	mem_free(text);
	fuzz_roundtrip(data, size);
	return (0);
}
