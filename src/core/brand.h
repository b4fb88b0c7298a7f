/*
 * Branding rules: what a colour and a custom domain may look like.
 * Pure checks; the service stores what passes.
 */
#ifndef VIGIE_CORE_BRAND_H
#define VIGIE_CORE_BRAND_H

#include <stdbool.h>
#include <stddef.h>

#define BRAND_HOST_MAX        253
#define BRAND_DEFAULT_PRIMARY "#0b5fff"
#define BRAND_DEFAULT_ACCENT  "#00a88f"

/* "#RRGGBB", hex digits of either case. */
bool brand_color_check(const char *, char *why, size_t whylen);

/* Writes "#rrggbb" of a checked colour into out[8]. */
void brand_color_normal(const char *in, char out[8]);

/* The colour's red, green and blue in 0..255 (checked colour). */
void brand_color_rgb(const char *in, int rgb[3]);

/*
 * A custom domain: a host name of 2 to 127 labels of 1..63 bytes of
 * [a-z0-9-] (upper case accepted and lowered by brand_host_normal), no
 * label starting or ending with '-', a top-level label that is not all
 * digits (no IP addresses), at most 253 bytes, no port, no trailing dot.
 */
bool brand_host_check(const char *, char *why, size_t whylen);
bool brand_host_normal(const char *in, char *out, size_t outlen);

/*
 * True when host (normalized) is one of the comma-separated domains of
 * list, or a name under one of them: the platform's own names, which no
 * organization may claim.
 */
bool brand_host_reserved(const char *host, const char *list);

/*
 * The host name of a Host header value: lower-cased, without its port
 * (":8080"); false when what remains is not a valid host name.
 */
bool brand_host_header(const char *in, char *out, size_t outlen);

#endif
