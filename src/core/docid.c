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
