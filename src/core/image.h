/*
 * The headers of uploaded images, read without decoding them: what type
 * the bytes are (PNG or JPEG, by their magic bytes, never by a name or a
 * Content-Type a client sent) and the picture's dimensions, from the PNG
 * IHDR chunk (its CRC checked, and the file must end with IEND) or the
 * JPEG SOFn frame header. Anything else, truncated or inconsistent, is
 * refused with a reason.
 */
#ifndef VIGIE_CORE_IMAGE_H
#define VIGIE_CORE_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum image_type {
	IMAGE_NONE = 0,
	IMAGE_PNG,
	IMAGE_JPEG,
};

struct image_info {
	enum image_type type;
	uint32_t        width;
	uint32_t        height;
	int             bit_depth; /* PNG bit depth, JPEG sample precision */
	int             channels; /* JPEG components; PNG colour type */
};

/*
 * Reads the image's header. Both dimensions must be 1..max_dim. Returns
 * false with a reason in why (an invalid image, an unknown type, or a
 * picture too large).
 */
bool image_probe(const unsigned char *data, size_t len, uint32_t max_dim,
    struct image_info *, char *why, size_t whylen);

/* The type announced by the magic bytes alone (nothing else checked). */
enum image_type image_probe_type(const unsigned char *data, size_t len);

/* "image/png", "image/jpeg"; NULL for IMAGE_NONE. */
const char *image_content_type(enum image_type);

#endif
