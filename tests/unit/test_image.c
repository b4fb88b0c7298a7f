/*
 * Image headers: PNG (IHDR, CRC, IEND) and JPEG (markers up to SOFn),
 * dimensions capped; anything else refused, whatever it claims to be.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "core/image.h"

static void
be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* A PNG of w x h: signature, IHDR, an empty IDAT, IEND (57 bytes). */
static size_t
make_png(unsigned char *out, uint32_t w, uint32_t h, int depth, int color)
{
	static const unsigned char sig[8] = {
	    0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	size_t n = 0;

	memcpy(out, sig, 8);
	n = 8;
	be32(out + n, 13);
	memcpy(out + n + 4, "IHDR", 4);
	be32(out + n + 8, w);
	be32(out + n + 12, h);
	out[n + 16] = (unsigned char)depth;
	out[n + 17] = (unsigned char)color;
	out[n + 18] = out[n + 19] = out[n + 20] = 0;
	be32(out + n + 21, (uint32_t)crc32(0, out + n + 4, 17));
	n += 25;
	be32(out + n, 0);
	memcpy(out + n + 4, "IDAT", 4);
	be32(out + n + 8, (uint32_t)crc32(0, out + n + 4, 4));
	n += 12;
	be32(out + n, 0);
	memcpy(out + n + 4, "IEND", 4);
	be32(out + n + 8, (uint32_t)crc32(0, out + n + 4, 4));
	return (n + 12);
}

/* SOI, APP0 (JFIF), DQT-like filler, fill bytes, SOFn of w x h, SOS. */
static size_t
make_jpeg(unsigned char *out, unsigned sof, unsigned w, unsigned h)
{
	static const unsigned char head[] = {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10,
	    'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xdb, 0x00,
	    0x04, 0x00, 0x00, 0xff, 0xff};
	size_t                     n = sizeof(head);

	memcpy(out, head, n);
	out[n++] = (unsigned char)sof;
	out[n++] = 0;
	out[n++] = 17; /* 8 + 3 x 3 components */
	out[n++] = 8;
	out[n++] = (unsigned char)(h >> 8);
	out[n++] = (unsigned char)h;
	out[n++] = (unsigned char)(w >> 8);
	out[n++] = (unsigned char)w;
	out[n++] = 3;
	memset(out + n, 0x11, 9);
	n += 9;
	out[n++] = 0xff;
	out[n++] = 0xda;
	out[n++] = 0;
	out[n++] = 2;
	out[n++] = 0xff;
	out[n++] = 0xd9;
	return (n);
}

static void
test_png_ok(void **state)
{
	unsigned char     png[64];
	struct image_info info;
	size_t            n;

	(void)state;
	n = make_png(png, 300, 120, 8, 6);
	assert_true(image_probe(png, n, 2048, &info, NULL, 0));
	assert_int_equal(info.type, IMAGE_PNG);
	assert_int_equal(info.width, 300);
	assert_int_equal(info.height, 120);
	assert_string_equal(image_content_type(info.type), "image/png");
	n = make_png(png, 1, 1, 1, 0);
	assert_true(image_probe(png, n, 2048, &info, NULL, 0));
	n = make_png(png, 2048, 2048, 8, 3);
	assert_true(image_probe(png, n, 2048, &info, NULL, 0));
}

static void
test_png_refused(void **state)
{
	unsigned char     png[64];
	struct image_info info;
	char              why[128];
	size_t            n, cut;

	(void)state;
	n = make_png(png, 2049, 10, 8, 6);
	assert_false(image_probe(png, n, 2048, &info, why, sizeof(why)));
	assert_non_null(strstr(why, "2049x10"));
	assert_int_equal(info.type, IMAGE_NONE);
	n = make_png(png, 10, 0, 8, 6);
	assert_false(image_probe(png, n, 2048, &info, why, sizeof(why)));
	n = make_png(png, 10, 10, 16, 3); /* palette of 16 bits */
	assert_false(image_probe(png, n, 2048, &info, why, sizeof(why)));
	n = make_png(png, 10, 10, 8, 5); /* no colour type 5 */
	assert_false(image_probe(png, n, 2048, &info, why, sizeof(why)));
	n = make_png(png, 10, 10, 8, 6);
	png[20] ^= 1; /* width changed after the CRC */
	assert_false(image_probe(png, n, 2048, &info, why, sizeof(why)));
	assert_non_null(strstr(why, "checksum"));
	n = make_png(png, 10, 10, 8, 6);
	png[n - 1] ^= 1; /* IEND damaged */
	assert_false(image_probe(png, n, 2048, &info, why, sizeof(why)));
	n = make_png(png, 10, 10, 8, 6);
	for (cut = 0; cut < n; cut++)
		assert_false(image_probe(png, cut, 2048, &info, NULL, 0));
}

static void
test_jpeg_ok(void **state)
{
	unsigned char     jpg[128];
	struct image_info info;
	size_t            n;

	(void)state;
	n = make_jpeg(jpg, 0xc0, 640, 480);
	assert_true(image_probe(jpg, n, 2048, &info, NULL, 0));
	assert_int_equal(info.type, IMAGE_JPEG);
	assert_int_equal(info.width, 640);
	assert_int_equal(info.height, 480);
	assert_int_equal(info.channels, 3);
	assert_string_equal(image_content_type(info.type), "image/jpeg");
	n = make_jpeg(jpg, 0xc2, 16, 16); /* progressive */
	assert_true(image_probe(jpg, n, 2048, &info, NULL, 0));
}

static void
test_jpeg_refused(void **state)
{
	unsigned char     jpg[128];
	struct image_info info;
	char              why[128];
	size_t            n, cut;

	(void)state;
	n = make_jpeg(jpg, 0xc0, 4000, 10);
	assert_false(image_probe(jpg, n, 2048, &info, why, sizeof(why)));
	n = make_jpeg(jpg, 0xc0, 10, 0); /* height from DNL: refused */
	assert_false(image_probe(jpg, n, 2048, &info, why, sizeof(why)));
	n = make_jpeg(jpg, 0xc4, 10, 10); /* DHT is no frame header */
	assert_false(image_probe(jpg, n, 2048, &info, why, sizeof(why)));
	n = make_jpeg(jpg, 0xc0, 10, 10);
	jpg[5] = 0xff; /* APP0 length past the end */
	assert_false(image_probe(jpg, n, 2048, &info, why, sizeof(why)));
	n = make_jpeg(jpg, 0xc0, 10, 10);
	for (cut = 0; cut < 40; cut++)
		assert_false(image_probe(jpg, cut, 2048, &info, NULL, 0));
}

static void
test_other_types_refused(void **state)
{
	static const char gif[] = "GIF89a\x01\x00\x01\x00";
	static const char svg[] = "<svg xmlns=\"http://www.w3.org/2000/"
				  "svg\"><script>alert(1)</script></svg>";
	static const char html[] = "<html><body>hi</body></html>";
	static const unsigned char bmp[] = {'B', 'M', 0, 0, 0, 0};
	struct image_info          info;
	char                       why[128];

	(void)state;
	assert_false(image_probe((const unsigned char *)gif, sizeof(gif) - 1,
	    2048, &info, why, sizeof(why)));
	assert_string_equal(why, "the image must be a PNG or a JPEG file");
	assert_false(image_probe((const unsigned char *)svg, sizeof(svg) - 1,
	    2048, &info, why, sizeof(why)));
	assert_false(image_probe((const unsigned char *)html, sizeof(html) - 1,
	    2048, &info, why, sizeof(why)));
	assert_false(image_probe(bmp, sizeof(bmp), 2048, &info, NULL, 0));
	assert_false(image_probe(NULL, 0, 2048, &info, NULL, 0));
	assert_null(image_content_type(IMAGE_NONE));
	assert_int_equal(
	    image_probe_type((const unsigned char *)gif, 6), IMAGE_NONE);
	assert_int_equal(
	    image_probe_type((const unsigned char *)"\x89PNG\r\n\x1a\n", 8),
	    IMAGE_PNG);
	assert_int_equal(
	    image_probe_type((const unsigned char *)"\xff\xd8\xff", 3),
	    IMAGE_JPEG);
	assert_int_equal(image_probe_type(NULL, 0), IMAGE_NONE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_png_ok),
	    cmocka_unit_test(test_png_refused),
	    cmocka_unit_test(test_jpeg_ok),
	    cmocka_unit_test(test_jpeg_refused),
	    cmocka_unit_test(test_other_types_refused),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
