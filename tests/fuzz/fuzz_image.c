/*
 * libFuzzer target: the uploaded logo's header parser (core/image.c),
 * and, on the same bytes taken as text, the Host header and custom
 * domain checks of branding (core/brand.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/brand.h"
#include "core/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct image_info info;
	char              why[160], host[BRAND_HOST_MAX + 1], *text;

	if (image_probe(data, size, 2048, &info, why, sizeof(why)) &&
	    (info.width == 0 || info.height == 0 || info.width > 2048 ||
		info.height > 2048 || image_content_type(info.type) == NULL))
		abort();
	text = malloc(size + 1);
	if (text == NULL)
		return (0);
	memcpy(text, data, size);
	text[size] = '\0';
	if (brand_host_header(text, host, sizeof(host)) &&
	    !brand_host_check(host, NULL, 0))
		abort();
	(void)brand_color_check(text, why, sizeof(why));
	free(text);
	return (0);
}
