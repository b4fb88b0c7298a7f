#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/seal.h"

#define SEAL_LABEL "vigie sealed secrets v1"

void
seal_key_derive(const char *secret, unsigned char key[SEAL_KEY_LEN])
{
	unsigned int len = SEAL_KEY_LEN;

	if (HMAC(EVP_sha256(), secret, (int)strlen(secret),
		(const unsigned char *)SEAL_LABEL, strlen(SEAL_LABEL), key,
		&len) == NULL ||
	    len != SEAL_KEY_LEN)
		memset(key, 0, SEAL_KEY_LEN);
}

bool
seal_is_sealed(const char *s)
{
	return (s != NULL && strncmp(s, SEAL_PREFIX, strlen(SEAL_PREFIX)) == 0);
}

static void
seal_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t            i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
}

static int
seal_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	return (-1);
}

/*
 * One AES-256-GCM pass: encrypts (enc) or decrypts in into out (n bytes)
 * with tag written (enc) or checked. False on any failure.
 */
static bool
seal_gcm(bool enc, const unsigned char *key, const unsigned char *nonce,
    const char *aad, const unsigned char *in, size_t n, unsigned char *out,
    unsigned char *tag)
{
	EVP_CIPHER_CTX *c;
	int             len, ok;

	if ((c = EVP_CIPHER_CTX_new()) == NULL)
		return (false);
	ok = EVP_CipherInit_ex(
		 c, EVP_aes_256_gcm(), NULL, NULL, NULL, enc ? 1 : 0) == 1 &&
	    EVP_CIPHER_CTX_ctrl(
		c, EVP_CTRL_GCM_SET_IVLEN, SEAL_NONCE_LEN, NULL) == 1 &&
	    EVP_CipherInit_ex(c, NULL, NULL, key, nonce, -1) == 1 &&
	    EVP_CipherUpdate(c, NULL, &len, (const unsigned char *)aad,
		(int)strlen(aad)) == 1 &&
	    EVP_CipherUpdate(c, out, &len, in, (int)n) == 1;
	if (ok && !enc)
		ok = EVP_CIPHER_CTX_ctrl(
			 c, EVP_CTRL_GCM_SET_TAG, SEAL_TAG_LEN, tag) == 1;
	ok = ok && EVP_CipherFinal_ex(c, out + len, &len) == 1;
	if (ok && enc)
		ok = EVP_CIPHER_CTX_ctrl(
			 c, EVP_CTRL_GCM_GET_TAG, SEAL_TAG_LEN, tag) == 1;
	EVP_CIPHER_CTX_free(c);
	return (ok);
}

bool
seal_text(const unsigned char key[SEAL_KEY_LEN],
    const unsigned char nonce[SEAL_NONCE_LEN], const char *aad,
    const char *plain, char *out, size_t outlen)
{
	unsigned char blob[SEAL_NONCE_LEN + 256 + SEAL_TAG_LEN];
	size_t        n, p;

	n = strlen(plain);
	if (n > 256 || outlen < SEAL_TEXT_LEN(n))
		return (false);
	memcpy(blob, nonce, SEAL_NONCE_LEN);
	if (!seal_gcm(true, key, nonce, aad, (const unsigned char *)plain, n,
		blob + SEAL_NONCE_LEN, blob + SEAL_NONCE_LEN + n))
		return (false);
	p = strlen(SEAL_PREFIX);
	memcpy(out, SEAL_PREFIX, p);
	seal_hex(blob, SEAL_NONCE_LEN + n + SEAL_TAG_LEN, out + p);
	out[p + 2 * (SEAL_NONCE_LEN + n + SEAL_TAG_LEN)] = '\0';
	return (true);
}

bool
seal_open(const unsigned char key[SEAL_KEY_LEN], const char *aad,
    const char *sealed, char *out, size_t outlen)
{
	unsigned char blob[SEAL_NONCE_LEN + 256 + SEAL_TAG_LEN];
	const char   *hex;
	size_t        len, i, n;
	int           hi, lo;

	if (!seal_is_sealed(sealed))
		return (false);
	hex = sealed + strlen(SEAL_PREFIX);
	len = strlen(hex);
	if (len % 2 != 0 || len / 2 < SEAL_NONCE_LEN + SEAL_TAG_LEN ||
	    len / 2 > sizeof(blob))
		return (false);
	for (i = 0; i < len / 2; i++) {
		if ((hi = seal_nibble(hex[2 * i])) < 0 ||
		    (lo = seal_nibble(hex[2 * i + 1])) < 0)
			return (false);
		blob[i] = (unsigned char)(hi << 4 | lo);
	}
	n = len / 2 - SEAL_NONCE_LEN - SEAL_TAG_LEN;
	if (outlen < n + 1 ||
	    !seal_gcm(false, key, blob, aad, blob + SEAL_NONCE_LEN, n,
		(unsigned char *)out, blob + SEAL_NONCE_LEN + n))
		return (false);
	out[n] = '\0';
	/* A secret is text: a NUL inside would cut it short. */
	return (strlen(out) == n);
}
