#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "core/digest.h"
#include "core/trace.h"

void
digest_sha256_hex(const void *data, size_t len, char out[DIGEST_HEX_LEN + 1])
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256(data, len, md);
	trace_hex(md, sizeof(md), out);
}

/* Writes base64url without padding; returns its length (0 if no room). */
size_t
digest_b64url(const unsigned char *in, size_t len, char *out, size_t outlen)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t   i, o;
	uint32_t v;

	if (outlen < (len + 2) / 3 * 4 + 1)
		return (0);
	for (i = 0, o = 0; i + 2 < len; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = alphabet[v >> 6 & 63];
		out[o++] = alphabet[v & 63];
	}
	if (len - i == 1) {
		v = (uint32_t)in[i] << 16;
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
	} else if (len - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = alphabet[v >> 6 & 63];
	}
	out[o] = '\0';
	return (o);
}

/*
 * Decodes standard base64 (with padding), as sent in HTTP Basic
 * credentials. Returns the decoded length, or -1 when malformed or too
 * long for out (which is NUL-terminated).
 */
long
digest_b64_decode(const char *in, unsigned char *out, size_t outlen)
{
	size_t len;
	int    n;

	len = strlen(in);
	if (len == 0 || len % 4 != 0 || len / 4 * 3 + 1 > outlen)
		return (-1);
	n = EVP_DecodeBlock(out, (const unsigned char *)in, (int)len);
	if (n < 0)
		return (-1);
	if (len >= 1 && in[len - 1] == '=')
		n--;
	if (len >= 2 && in[len - 2] == '=')
		n--;
	out[n] = '\0';
	return (n);
}

void
digest_stream_init(struct digest_stream *ds)
{
	if ((ds->ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ds->ctx, EVP_sha256(), NULL) != 1)
		abort();
}

void
digest_stream_feed(struct digest_stream *ds, const void *data, size_t len)
{
	(void)EVP_DigestUpdate(ds->ctx, data, len);
}

/* Writes the digest and releases the stream. */
void
digest_stream_hex(struct digest_stream *ds, char out[DIGEST_HEX_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int  len;

	len = 0;
	(void)EVP_DigestFinal_ex(ds->ctx, md, &len);
	trace_hex(md, len, out);
	digest_stream_free(ds);
}

/* Releases a stream without reading it (an abandoned upload). */
void
digest_stream_free(struct digest_stream *ds)
{
	EVP_MD_CTX_free(ds->ctx);
	ds->ctx = NULL;
}
