#include <stdio.h>
#include <string.h>

#include <openssl/sha.h>

#include "core/digest.h"
#include "core/docid.h"

/*
 * Writes the id of line seq of source source_id into out: base64url (no
 * padding) of the first 16 bytes of SHA-256("<source_id>:<seq>"), 22
 * characters of [A-Za-z0-9_-]. 128 bits keep collisions out of reach for
 * any number of lines a tenant can send. source_id names what the line
 * came from and must be unique on the platform (an upload's file id, an
 * API batch id), 1 to DOCID_SOURCE_MAX bytes. The text hashed is
 * unambiguous although source_id may hold ':', because seq is the digits
 * after the last one. Returns false (out empty) when source_id is
 * refused.
 */
bool
docid_make(
    const char *source_id, unsigned long long seq, char out[DOCID_LEN + 1])
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	char          text[DOCID_SOURCE_MAX + 32];
	char          b64[(DOCID_BYTES + 2) / 3 * 4 + 1]; /* room it asks */
	size_t        len;
	int           n;

	out[0] = '\0';
	if (source_id == NULL)
		return (false);
	len = strnlen(source_id, DOCID_SOURCE_MAX + 1);
	if (len == 0 || len > DOCID_SOURCE_MAX)
		return (false);
	n = snprintf(text, sizeof(text), "%s:%llu", source_id, seq);
	if (n < 0 || (size_t)n >= sizeof(text))
		return (false);
	SHA256((const unsigned char *)text, (size_t)n, md);
	if (digest_b64url(md, DOCID_BYTES, b64, sizeof(b64)) != DOCID_LEN)
		return (false);
	memcpy(out, b64, DOCID_LEN + 1);
	return (true);
}

static int
docid_hex(char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	return (-1);
}

/*
 * The id of line of an uploaded file, without hashing: base64url of the
 * file id's 12 bytes (it is 24 lowercase hex digits, chosen at random by
 * the server) followed by line as 6 bytes big-endian; DOCID_FILE_LEN
 * characters of [A-Za-z0-9_-]. The encoding is one-to-one, so two
 * (file, line) pairs never share an id, and its length differs from
 * docid_make()'s, so it never meets one of those either. A file's ids
 * share their first 16 characters, which Elasticsearch's lookup of
 * existing ids likes better than random ones. Returns false (out empty)
 * when file_id is not 24 lowercase hex digits or line is over
 * DOCID_FILE_LINES.
 */
bool
docid_file_line(
    const char *file_id, unsigned long long line, char out[DOCID_MAX + 1])
{
	unsigned char raw[18];
	int           hi, lo, i;

	out[0] = '\0';
	if (file_id == NULL || line > DOCID_FILE_LINES)
		return (false);
	for (i = 0; i < 12; i++) {
		if ((hi = docid_hex(file_id[2 * i])) < 0 ||
		    (lo = docid_hex(file_id[2 * i + 1])) < 0)
			return (false);
		raw[i] = (unsigned char)(hi << 4 | lo);
	}
	if (file_id[24] != '\0')
		return (false);
	for (i = 17; i >= 12; i--) {
		raw[i] = (unsigned char)(line & 0xff);
		line >>= 8;
	}
	return (digest_b64url(raw, sizeof(raw), out, DOCID_MAX + 1) ==
	    DOCID_FILE_LEN);
}
