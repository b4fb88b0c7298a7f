/*
 * Secrets kept at rest (a webhook's signing secret): AES-256-GCM with a
 * key of the platform's (VIGIE_SECRETS_KEY), bound to the organization
 * (the tenant id is the additional data, so a sealed value copied into
 * another organization's record does not open there).
 *
 * Text form: "sealed:v1:" then the hex of nonce (12 bytes), ciphertext
 * and tag (16 bytes). The caller draws the nonce (core has no
 * randomness); a nonce must never be used twice with one key.
 */
#ifndef VIGIE_CORE_SEAL_H
#define VIGIE_CORE_SEAL_H

#include <stdbool.h>
#include <stddef.h>

#define SEAL_KEY_LEN   32
#define SEAL_NONCE_LEN 12
#define SEAL_TAG_LEN   16
#define SEAL_PREFIX    "sealed:v1:"
/* The text form of a secret of n bytes, with its NUL. */
#define SEAL_TEXT_LEN(n) \
	(sizeof(SEAL_PREFIX) + 2 * (SEAL_NONCE_LEN + (n) + SEAL_TAG_LEN))

/* The key from a configured secret (HMAC-SHA-256 with a fixed label). */
void seal_key_derive(const char *secret, unsigned char key[SEAL_KEY_LEN]);

bool seal_text(const unsigned char key[SEAL_KEY_LEN],
    const unsigned char nonce[SEAL_NONCE_LEN], const char *aad,
    const char *plain, char *out, size_t outlen);

/* False when the text is not sealed, was altered, or key or aad differ. */
bool seal_open(const unsigned char key[SEAL_KEY_LEN], const char *aad,
    const char *sealed, char *out, size_t outlen);

bool seal_is_sealed(const char *);

#endif
