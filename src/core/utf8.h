/*
 * UTF-8 validation of our own (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), used to refuse binary uploads and
 * to keep every string we hand to jansson or write into a bulk body
 * valid.
 */
#ifndef VIGIE_CORE_UTF8_H
#define VIGIE_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Length of the valid UTF-8 prefix of s[0..len): len when the whole text
 * is valid. When truncated_ok is true a sequence cut by the end of the
 * buffer (the first bytes of a valid character) counts as valid, for
 * buffers that are a prefix of a longer text.
 */
size_t utf8_valid_prefix(const char *s, size_t len, bool truncated_ok);

/* True when s[0..len) is valid UTF-8 in full. */
bool utf8_valid(const char *s, size_t len);

/*
 * Length of the valid character starting at s[0] (1 to 4), or 0 when the
 * bytes there are not a valid character within len.
 */
size_t utf8_char_len(const unsigned char *s, size_t len);

#endif
