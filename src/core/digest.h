/*
 * Digests and encodings for secrets: SHA-256 in hex (how API keys and
 * refresh tokens are stored) and base64url (how random secrets are
 * written).
 */
#ifndef VIGIE_CORE_DIGEST_H
#define VIGIE_CORE_DIGEST_H

#include <stddef.h>

#define DIGEST_HEX_LEN 64

void   digest_sha256_hex(const void *, size_t, char out[DIGEST_HEX_LEN + 1]);
size_t digest_b64url(const unsigned char *, size_t, char *out, size_t outlen);
long   digest_b64_decode(const char *in, unsigned char *out, size_t outlen);

#endif
