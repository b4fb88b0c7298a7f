/*
 * Gzip answers with a per-request tail: what zlib inflates is exactly
 * prefix + tail, whatever the tail's length, and Accept-Encoding is read
 * as RFC 9110 says.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "core/gzip_tail.h"

/* Inflates a gzip stream (checking its CRC and length) into out. */
static size_t
inflate_all(const struct buf *gz, char *out, size_t cap)
{
	z_stream z;
	int      rc;

	memset(&z, 0, sizeof(z));
	assert_int_equal(inflateInit2(&z, 16 + 15), Z_OK);
	z.next_in = (Bytef *)gz->data;
	z.avail_in = (uInt)gz->len;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	rc = inflate(&z, Z_FINISH);
	assert_int_equal(rc, Z_STREAM_END);
	assert_int_equal(z.avail_in, 0); /* nothing after the trailer */
	inflateEnd(&z);
	return (cap - z.avail_out);
}

static void
test_gz_member_roundtrip(void **state)
{
	static char      text[200000], got[210000], want[210000];
	const char      *tails[] = {"", "}", ",\"took_ms\":7}", NULL};
	struct gz_prefix p;
	struct buf       gz;
	size_t           i, n, sizes[] = {0, 1, 17, 65536, sizeof(text)};
	int              k;

	(void)state;
	for (i = 0; i < sizeof(text); i++) /* compressible, not trivial */
		text[i] = (char)("{\"total\":42,\"hits\":[]abcdefgh"[i % 29] +
		    (char)(i / 977 % 3));
	for (k = 0; k < (int)(sizeof(sizes) / sizeof(sizes[0])); k++) {
		for (i = 0; tails[i] != NULL; i++) {
			assert_true(gz_prefix_make(text, sizes[k], &p));
			assert_int_equal(p.raw_len, sizes[k]);
			buf_init(&gz, 64);
			assert_true(
			    gz_member(&gz, &p, tails[i], strlen(tails[i])));
			n = inflate_all(&gz, got, sizeof(got));
			memcpy(want, text, sizes[k]);
			memcpy(want + sizes[k], tails[i], strlen(tails[i]));
			assert_int_equal(n, sizes[k] + strlen(tails[i]));
			assert_memory_equal(got, want, n);
			/* The same prefix serves again, with another tail. */
			buf_reset(&gz);
			assert_true(gz_member(&gz, &p, "xy", 2));
			assert_int_equal(
			    inflate_all(&gz, got, sizeof(got)), sizes[k] + 2);
			buf_free(&gz);
			gz_prefix_free(&p);
		}
	}
	assert_true(gz_prefix_make(text, 100, &p));
	buf_init(&gz, 64);
	assert_false(gz_member(&gz, &p, text, 70000)); /* tail too long */
	buf_free(&gz);
	gz_prefix_free(&p);
}

static void
test_gz_accepted(void **state)
{
	(void)state;
	assert_true(gz_accepted("gzip"));
	assert_true(gz_accepted("gzip, deflate, br"));
	assert_true(gz_accepted("br;q=1.0, GZIP;q=0.5"));
	assert_true(gz_accepted("deflate, x-gzip"));
	assert_true(gz_accepted("*"));
	assert_true(gz_accepted(" identity , gzip ; q=0.001"));
	assert_false(gz_accepted(NULL));
	assert_false(gz_accepted(""));
	assert_false(gz_accepted("identity"));
	assert_false(gz_accepted("br, deflate"));
	assert_false(gz_accepted("gzip;q=0"));
	assert_false(gz_accepted("gzip; q=0.0, deflate"));
	assert_false(gz_accepted("gzipx, xgzip"));
	assert_false(gz_accepted("*;q=0"));
	/* An explicit refusal wins over "*", wherever it stands. */
	assert_false(gz_accepted("*, gzip;q=0"));
	assert_false(gz_accepted("gzip;q=0, *"));
	assert_true(gz_accepted("*, br;q=0"));
	assert_false(gz_accepted("gzip, gzip;q=0"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_gz_member_roundtrip),
	    cmocka_unit_test(test_gz_accepted),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
