/*
 * Small text helpers shared by the services: lower-casing identifiers
 * (slugs, e-mails) and writing timestamps as ISO 8601 UTC to the second,
 * the form every stored document uses.
 */
#ifndef VIGIE_CORE_TEXT_H
#define VIGIE_CORE_TEXT_H

#include <stddef.h>

#define TEXT_ISO_LEN 21 /* "YYYY-MM-DDTHH:MM:SSZ" and a NUL */

void text_lower(const char *in, char *out, size_t outlen);
void text_iso8601(long when, char *out, size_t outlen);

/* The value of a hex digit (either case), or -1. */
int text_hexval(char c);

#endif
