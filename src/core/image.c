#include <stdio.h>
#include <string.h>

#include "core/image.h"

static const unsigned char image_png_sig[8] = {
    0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
static const unsigned char image_png_iend[12] = {
    0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};

static bool
image_refuse(char *why, size_t whylen, const char *text)
{
	if (why != NULL && whylen > 0)
		snprintf(why, whylen, "%s", text);
	return (false);
}

static uint32_t
image_be32(const unsigned char *p)
{
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3]);
}

static uint32_t
image_be16(const unsigned char *p)
{
	return ((uint32_t)p[0] << 8 | (uint32_t)p[1]);
}

/* CRC-32 of PNG chunks (ISO 3309, reflected 0xedb88320), bit by bit. */
static uint32_t
image_crc32(const unsigned char *p, size_t len)
{
	uint32_t crc = 0xffffffffu;
	size_t   i;
	int      k;

	for (i = 0; i < len; i++) {
		crc ^= p[i];
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return (crc ^ 0xffffffffu);
}

/* Bit depths PNG allows for each colour type. */
static bool
image_png_depth_ok(int color, int depth)
{
	switch (color) {
	case 0:
		return (depth == 1 || depth == 2 || depth == 4 || depth == 8 ||
		    depth == 16);
	case 3:
		return (depth == 1 || depth == 2 || depth == 4 || depth == 8);
	case 2:
	case 4:
	case 6:
		return (depth == 8 || depth == 16);
	default:
		return (false);
	}
}

/* Signature, IHDR (length 13, CRC), fields in range, IEND at the end. */
static bool
image_png(const unsigned char *d, size_t len, struct image_info *info,
    char *why, size_t whylen)
{
	const unsigned char *ihdr = d + 8;

	if (len < 8 + 25 + 12)
		return (image_refuse(why, whylen, "the PNG file is truncated"));
	if (image_be32(ihdr) != 13 || memcmp(ihdr + 4, "IHDR", 4) != 0)
		return (image_refuse(
		    why, whylen, "the PNG file does not start with IHDR"));
	if (image_crc32(ihdr + 4, 17) != image_be32(ihdr + 21))
		return (image_refuse(
		    why, whylen, "the PNG header's checksum is wrong"));
	info->width = image_be32(ihdr + 8);
	info->height = image_be32(ihdr + 12);
	info->bit_depth = ihdr[16];
	info->channels = ihdr[17];
	if (!image_png_depth_ok(ihdr[17], ihdr[16]) || ihdr[18] != 0 ||
	    ihdr[19] != 0 || ihdr[20] > 1)
		return (image_refuse(why, whylen,
		    "the PNG header has an invalid colour type, depth or "
		    "method"));
	if (memcmp(d + len - 12, image_png_iend, 12) != 0)
		return (image_refuse(
		    why, whylen, "the PNG file does not end with IEND"));
	info->type = IMAGE_PNG;
	return (true);
}

/* SOF0..SOF15 but DHT (c4), JPG (c8) and DAC (cc): a frame header. */
static bool
image_jpeg_sof(unsigned m)
{
	return (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc);
}

/*
 * Walks the markers from SOI to the first frame header. Standalone
 * markers have no length; every other segment's length must fit.
 */
static bool
image_jpeg(const unsigned char *d, size_t len, struct image_info *info,
    char *why, size_t whylen)
{
	size_t   pos = 2, seg;
	unsigned m;

	for (;;) {
		if (pos >= len || d[pos] != 0xff)
			return (image_refuse(
			    why, whylen, "the JPEG file has no frame header"));
		while (pos < len && d[pos] == 0xff)
			pos++;
		if (pos >= len)
			return (image_refuse(
			    why, whylen, "the JPEG file is truncated"));
		m = d[pos++];
		if (m == 0x01 || (m >= 0xd0 && m <= 0xd8))
			continue;
		if (m == 0xd9 || m == 0xda || m == 0x00)
			return (image_refuse(
			    why, whylen, "the JPEG file has no frame header"));
		if (pos + 2 > len || (seg = image_be16(d + pos)) < 2 ||
		    seg > len - pos)
			return (image_refuse(why, whylen,
			    "the JPEG file has a truncated segment"));
		if (image_jpeg_sof(m)) {
			if (seg < 8)
				return (image_refuse(why, whylen,
				    "the JPEG frame header is too short"));
			info->bit_depth = d[pos + 2];
			info->height = image_be16(d + pos + 3);
			info->width = image_be16(d + pos + 5);
			info->channels = d[pos + 7];
			if ((info->bit_depth != 8 && info->bit_depth != 12) ||
			    (info->channels != 1 && info->channels != 3 &&
				info->channels != 4) ||
			    seg < 8 + 3 * (size_t)info->channels)
				return (image_refuse(why, whylen,
				    "the JPEG frame header is invalid"));
			info->type = IMAGE_JPEG;
			return (true);
		}
		pos += seg;
	}
}

enum image_type
image_probe_type(const unsigned char *data, size_t len)
{
	if (data != NULL && len >= 8 && memcmp(data, image_png_sig, 8) == 0)
		return (IMAGE_PNG);
	if (data != NULL && len >= 3 && data[0] == 0xff && data[1] == 0xd8 &&
	    data[2] == 0xff)
		return (IMAGE_JPEG);
	return (IMAGE_NONE);
}

bool
image_probe(const unsigned char *data, size_t len, uint32_t max_dim,
    struct image_info *info, char *why, size_t whylen)
{
	bool ok;

	memset(info, 0, sizeof(*info));
	if (data == NULL)
		return (image_refuse(why, whylen, "no image"));
	switch (image_probe_type(data, len)) {
	case IMAGE_PNG:
		ok = image_png(data, len, info, why, whylen);
		break;
	case IMAGE_JPEG:
		ok = image_jpeg(data, len, info, why, whylen);
		break;
	default:
		return (image_refuse(
		    why, whylen, "the image must be a PNG or a JPEG file"));
	}
	if (!ok) {
		info->type = IMAGE_NONE;
		return (false);
	}
	if (info->width == 0 || info->height == 0 || info->width > max_dim ||
	    info->height > max_dim) {
		if (why != NULL && whylen > 0)
			snprintf(why, whylen,
			    "the image is %ux%u pixels; each side must be 1 "
			    "to %u",
			    info->width, info->height, max_dim);
		info->type = IMAGE_NONE;
		return (false);
	}
	return (true);
}

const char *
image_content_type(enum image_type t)
{
	switch (t) {
	case IMAGE_PNG:
		return ("image/png");
	case IMAGE_JPEG:
		return ("image/jpeg");
	default:
		return (NULL);
	}
}
