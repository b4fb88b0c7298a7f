/*
 * Digests and encodings for secrets: SHA-256 in hex (how API keys and
 * refresh tokens are stored) and base64url (how random secrets are
 * written).
 */
#ifndef VIGIE_CORE_DIGEST_H
#define VIGIE_CORE_DIGEST_H

#include <stddef.h>

#include <openssl/evp.h>

#define DIGEST_HEX_LEN 64

/* Incremental SHA-256, for files streamed through. */
struct digest_stream {
	EVP_MD_CTX *ctx;
};

void   digest_stream_init(struct digest_stream *);
void   digest_stream_feed(struct digest_stream *, const void *, size_t);
void   digest_stream_hex(struct digest_stream *, char out[DIGEST_HEX_LEN + 1]);
void   digest_stream_free(struct digest_stream *);
void   digest_sha256_hex(const void *, size_t, char out[DIGEST_HEX_LEN + 1]);
size_t digest_b64url(const unsigned char *, size_t, char *out, size_t outlen);
long   digest_b64_decode(const char *in, unsigned char *out, size_t outlen);

#endif
