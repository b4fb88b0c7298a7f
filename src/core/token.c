#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <jwt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/mem.h"
#include "core/token.h"

#define TOKEN_ALG          "HS256"
#define TOKEN_TYP          "JWT"
#define TOKEN_MAC_LEN      32 /* SHA-256 output */
#define TOKEN_TIME_MAX     253402300799L /* 9999-12-31T23:59:59Z */
#define TOKEN_OBJECTID_LEN 24
#define TOKEN_AUD_MAX      16 /* members of an aud array */

/* Where the three parts of a compact token lie inside it. */
struct token_parts {
	const char *header;
	size_t      header_len;
	const char *payload;
	size_t      payload_len;
	const char *sig;
	size_t      sig_len;
	size_t      signed_len; /* header "." payload */
};

static const char *const token_roles[] = {
    "owner", "admin", "analyst", "viewer"};

static bool token_key_ok(const struct token_key *);
static bool token_claims_ok(const struct token_claims *);
static bool token_objectid(const char *);
static bool token_role_ok(const char *);
static bool token_jti_ok(const char *);
static bool token_time_ok(long);
static int  token_b64_value(unsigned char);
static bool
token_b64_decode(const char *, size_t, unsigned char *, size_t, size_t *);
static bool             token_split(const char *, size_t, struct token_parts *);
static json_t          *token_json(const char *, size_t);
static enum token_error token_header_check(const struct token_parts *);
static enum token_error token_signature_check(
    const struct token_key *, const char *, const struct token_parts *);
static enum token_error token_claims_read(
    const struct token_key *, json_t *, long, long, struct token_claims *);
static bool token_claim_str(json_t *, const char *, char *, size_t);
static bool token_claim_time(json_t *, const char *, long *);
static bool token_audience(json_t *, const char *);

/*
 * Signs claims into a compact JWT with the key's secret, iss and aud (the
 * iss and aud fields of claims are ignored). Refuses a key whose secret
 * is shorter than TOKEN_SECRET_MIN and claims that token_verify() would
 * refuse. On success *out is a NUL-terminated token the caller frees
 * with mem_free(); on failure *out is NULL.
 */
bool
token_issue(
    const struct token_key *key, const struct token_claims *claims, char **out)
{
	jwt_t *jwt;
	char  *encoded;
	bool   ok;

	jwt = NULL;
	encoded = NULL;
	ok = false;
	*out = NULL;

	if (!token_key_ok(key) || claims == NULL || !token_claims_ok(claims))
		goto out;
	if (jwt_new(&jwt) != 0)
		goto out;
	if (jwt_set_alg(jwt, JWT_ALG_HS256, key->secret, (int)key->len) != 0)
		goto out;
	if (jwt_add_grant(jwt, "iss", key->iss) != 0 ||
	    jwt_add_grant(jwt, "aud", key->aud) != 0 ||
	    jwt_add_grant(jwt, "sub", claims->sub) != 0 ||
	    jwt_add_grant(jwt, "tid", claims->tid) != 0 ||
	    jwt_add_grant(jwt, "role", claims->role) != 0 ||
	    jwt_add_grant(jwt, "jti", claims->jti) != 0 ||
	    jwt_add_grant_int(jwt, "iat", claims->iat) != 0 ||
	    jwt_add_grant_int(jwt, "nbf", claims->nbf) != 0 ||
	    jwt_add_grant_int(jwt, "exp", claims->exp) != 0)
		goto out;
	if ((encoded = jwt_encode_str(jwt)) == NULL)
		goto out;
	if (strlen(encoded) > TOKEN_MAX_LEN)
		goto out;
	*out = mem_strdup(encoded);
	ok = true;

out:
	/* libjwt 1.10 allocates with malloc() and has no jwt_free_str(). */
	free(encoded);
	if (jwt != NULL)
		jwt_free(jwt);
	return (ok);
}

/*
 * Verifies token against key at time now (Unix seconds), allowing
 * leeway_s seconds of clock skew (clamped to 0..TOKEN_LEEWAY_MAX).
 * Only a token of at most TOKEN_MAX_LEN bytes, made of exactly three
 * unpadded base64url parts, whose header says alg "HS256", whose
 * HMAC-SHA256 over "header.payload" matches (compared in constant time)
 * and whose claims all pass, is accepted. Returns true and fills out;
 * otherwise returns false, leaves out zeroed and names the first reason
 * in *why (why may be NULL). A NUL ends the token: bytes after it are
 * never seen.
 */
bool
token_verify(const struct token_key *key, const char *token, long now,
    long leeway_s, struct token_claims *out, enum token_error *why)
{
	struct token_parts  parts;
	struct token_claims claims;
	json_t             *payload;
	enum token_error    err;
	size_t              len;

	payload = NULL;
	memset(&claims, 0, sizeof(claims));
	if (out != NULL)
		memset(out, 0, sizeof(*out));

	if (!token_key_ok(key)) {
		err = TOKEN_BAD_KEY;
		goto out;
	}
	if (token == NULL) {
		err = TOKEN_MALFORMED;
		goto out;
	}
	/* Never look further than one byte past the limit. */
	if ((len = strnlen(token, TOKEN_MAX_LEN + 1)) > TOKEN_MAX_LEN) {
		err = TOKEN_TOO_LONG;
		goto out;
	}
	if (!token_split(token, len, &parts)) {
		err = TOKEN_MALFORMED;
		goto out;
	}
	if ((err = token_header_check(&parts)) != TOKEN_OK)
		goto out;
	if ((err = token_signature_check(key, token, &parts)) != TOKEN_OK)
		goto out;
	if ((payload = token_json(parts.payload, parts.payload_len)) == NULL) {
		err = TOKEN_MALFORMED;
		goto out;
	}

	if (leeway_s < 0)
		leeway_s = 0;
	if (leeway_s > TOKEN_LEEWAY_MAX)
		leeway_s = TOKEN_LEEWAY_MAX;
	err = token_claims_read(key, payload, now, leeway_s, &claims);

out:
	if (payload != NULL)
		json_decref(payload);
	if (why != NULL)
		*why = err;
	if (err != TOKEN_OK)
		return (false);
	if (out != NULL)
		*out = claims;
	return (true);
}

const char *
token_error_text(enum token_error err)
{
	switch (err) {
	case TOKEN_OK:
		return ("token valid");
	case TOKEN_TOO_LONG:
		return ("token too long");
	case TOKEN_MALFORMED:
		return ("token malformed");
	case TOKEN_BAD_ALG:
		return ("token algorithm not accepted");
	case TOKEN_BAD_HEADER:
		return ("token header not accepted");
	case TOKEN_BAD_SIGNATURE:
		return ("token signature invalid");
	case TOKEN_EXPIRED:
		return ("token expired");
	case TOKEN_NOT_YET_VALID:
		return ("token not yet valid");
	case TOKEN_BAD_ISSUER:
		return ("token issuer not accepted");
	case TOKEN_BAD_AUDIENCE:
		return ("token audience not accepted");
	case TOKEN_BAD_CLAIMS:
		return ("token claims invalid");
	case TOKEN_BAD_KEY:
		return ("token key unusable");
	}
	return ("token error");
}

static bool
token_key_ok(const struct token_key *key)
{
	if (key == NULL || key->secret == NULL || key->iss == NULL ||
	    key->aud == NULL)
		return (false);
	if (key->len < TOKEN_SECRET_MIN || key->len > TOKEN_SECRET_MAX)
		return (false);
	if (key->iss[0] == '\0' ||
	    strlen(key->iss) >= sizeof(((struct token_claims *)0)->iss))
		return (false);
	if (key->aud[0] == '\0' ||
	    strlen(key->aud) >= sizeof(((struct token_claims *)0)->aud))
		return (false);
	return (true);
}

/* The claims token_issue() is willing to sign (iss and aud aside). */
static bool
token_claims_ok(const struct token_claims *c)
{
	if (!token_objectid(c->sub) || !token_objectid(c->tid))
		return (false);
	if (!token_role_ok(c->role) || !token_jti_ok(c->jti))
		return (false);
	if (!token_time_ok(c->iat) || !token_time_ok(c->nbf) ||
	    !token_time_ok(c->exp))
		return (false);
	return (c->exp > c->iat && c->exp > c->nbf);
}

/* A MongoDB ObjectId in hex: exactly 24 lower-case hex characters. */
static bool
token_objectid(const char *s)
{
	size_t i;

	for (i = 0; i < TOKEN_OBJECTID_LEN; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') ||
			(s[i] >= 'a' && s[i] <= 'f')))
			return (false);
	}
	return (s[i] == '\0');
}

static bool
token_role_ok(const char *role)
{
	size_t i;

	for (i = 0; i < sizeof(token_roles) / sizeof(token_roles[0]); i++) {
		if (strcmp(role, token_roles[i]) == 0)
			return (true);
	}
	return (false);
}

/* jti ends up in a Redis key: keep it to [A-Za-z0-9_-]{1,39}. */
static bool
token_jti_ok(const char *jti)
{
	size_t i;

	for (i = 0; jti[i] != '\0'; i++) {
		if (i >= sizeof(((struct token_claims *)0)->jti) - 1)
			return (false);
		if (token_b64_value((unsigned char)jti[i]) < 0)
			return (false);
	}
	return (i > 0);
}

static bool
token_time_ok(long t)
{
	return (t >= 0 && t <= TOKEN_TIME_MAX);
}

static int
token_b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return (c - 'A');
	if (c >= 'a' && c <= 'z')
		return (c - 'a' + 26);
	if (c >= '0' && c <= '9')
		return (c - '0' + 52);
	if (c == '-')
		return (62);
	if (c == '_')
		return (63);
	return (-1);
}

/*
 * Decodes len base64url characters (RFC 4648 section 5, no padding) into
 * out, which holds cap bytes; *outlen is the decoded length. Refuses any
 * other character, a length no byte string encodes to, and non-zero
 * unused bits in the last character, so that a byte string has exactly
 * one accepted encoding.
 */
static bool
token_b64_decode(
    const char *s, size_t len, unsigned char *out, size_t cap, size_t *outlen)
{
	uint32_t acc;
	size_t   i, n, need;
	int      bits, v;

	if (len % 4 == 1)
		return (false);
	need = len / 4 * 3 + (len % 4 == 0 ? 0 : len % 4 - 1);
	if (need > cap)
		return (false);

	acc = 0;
	bits = 0;
	n = 0;
	for (i = 0; i < len; i++) {
		if ((v = token_b64_value((unsigned char)s[i])) < 0)
			return (false);
		acc = ((acc << 6) | (uint32_t)v) & 0xfff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	if (bits > 0 && (acc & ((1U << bits) - 1)) != 0)
		return (false);
	*outlen = n;
	return (true);
}

/*
 * Splits a token of len bytes into header, payload and signature at its
 * two dots. Refuses any other number of dots, any byte outside the
 * base64url alphabet and an empty header or payload; an empty signature
 * is left for the signature check to refuse.
 */
static bool
token_split(const char *token, size_t len, struct token_parts *p)
{
	const char *dots[2];
	size_t      i, ndots;

	ndots = 0;
	for (i = 0; i < len; i++) {
		if (token[i] == '.') {
			if (ndots == 2)
				return (false);
			dots[ndots++] = token + i;
			continue;
		}
		if (token_b64_value((unsigned char)token[i]) < 0)
			return (false);
	}
	if (ndots != 2)
		return (false);

	p->header = token;
	p->header_len = (size_t)(dots[0] - token);
	p->payload = dots[0] + 1;
	p->payload_len = (size_t)(dots[1] - p->payload);
	p->sig = dots[1] + 1;
	p->sig_len = len - (size_t)(p->sig - token);
	p->signed_len = (size_t)(dots[1] - token);
	return (p->header_len > 0 && p->payload_len > 0);
}

/*
 * Decodes one base64url part and parses it as a JSON object, refusing
 * duplicate member names. Returns a new reference or NULL.
 */
static json_t *
token_json(const char *seg, size_t len)
{
	unsigned char buf[TOKEN_MAX_LEN];
	json_error_t  jerr;
	json_t       *js;
	size_t        n;

	if (!token_b64_decode(seg, len, buf, sizeof(buf), &n))
		return (NULL);
	js = json_loadb((const char *)buf, n, JSON_REJECT_DUPLICATES, &jerr);
	if (js != NULL && !json_is_object(js)) {
		json_decref(js);
		js = NULL;
	}
	return (js);
}

/*
 * The header must be a JSON object with alg exactly "HS256" (RFC 8725
 * 3.1: the verifier, not the token, picks the algorithm), typ "JWT" if
 * present, and no crit (we implement no extension). kid, jku, jwk, x5u
 * and x5c are ignored: the key is never taken from the token.
 */
static enum token_error
token_header_check(const struct token_parts *p)
{
	json_t          *hdr, *v;
	enum token_error err;

	if ((hdr = token_json(p->header, p->header_len)) == NULL)
		return (TOKEN_MALFORMED);

	err = TOKEN_OK;
	v = json_object_get(hdr, "alg");
	if (!json_is_string(v) || strcmp(json_string_value(v), TOKEN_ALG) != 0)
		err = TOKEN_BAD_ALG;
	else if ((v = json_object_get(hdr, "typ")) != NULL &&
	    (!json_is_string(v) ||
		strcmp(json_string_value(v), TOKEN_TYP) != 0))
		err = TOKEN_BAD_HEADER;
	else if (json_object_get(hdr, "crit") != NULL)
		err = TOKEN_BAD_HEADER;

	json_decref(hdr);
	return (err);
}

/* HMAC-SHA256 over "header.payload", compared in constant time. */
static enum token_error
token_signature_check(
    const struct token_key *key, const char *token, const struct token_parts *p)
{
	unsigned char given[TOKEN_MAC_LEN], mac[EVP_MAX_MD_SIZE];
	unsigned int  mac_len;
	size_t        given_len;

	if (!token_b64_decode(
		p->sig, p->sig_len, given, sizeof(given), &given_len) ||
	    given_len != TOKEN_MAC_LEN)
		return (TOKEN_BAD_SIGNATURE);
	if (HMAC(EVP_sha256(), key->secret, (int)key->len,
		(const unsigned char *)token, p->signed_len, mac,
		&mac_len) == NULL ||
	    mac_len != TOKEN_MAC_LEN)
		return (TOKEN_BAD_SIGNATURE);
	if (CRYPTO_memcmp(given, mac, TOKEN_MAC_LEN) != 0)
		return (TOKEN_BAD_SIGNATURE);
	return (TOKEN_OK);
}

/*
 * Reads and checks the claims of a payload whose signature is good.
 * Returns the first problem found, or TOKEN_OK with c filled.
 */
static enum token_error
token_claims_read(const struct token_key *key, json_t *payload, long now,
    long leeway, struct token_claims *c)
{
	if (!token_claim_str(payload, "iss", c->iss, sizeof(c->iss)) ||
	    strcmp(c->iss, key->iss) != 0)
		return (TOKEN_BAD_ISSUER);
	if (!token_audience(json_object_get(payload, "aud"), key->aud))
		return (TOKEN_BAD_AUDIENCE);
	/* token_key_ok() made sure it fits. */
	memcpy(c->aud, key->aud, strlen(key->aud) + 1);

	if (!token_claim_time(payload, "exp", &c->exp) ||
	    !token_claim_time(payload, "nbf", &c->nbf) ||
	    !token_claim_time(payload, "iat", &c->iat))
		return (TOKEN_BAD_CLAIMS);
	/* now < exp + leeway, written so that nothing can overflow. */
	if (now - leeway >= c->exp)
		return (TOKEN_EXPIRED);
	if (c->nbf > now + leeway || c->iat > now + leeway)
		return (TOKEN_NOT_YET_VALID);

	if (!token_claim_str(payload, "sub", c->sub, sizeof(c->sub)) ||
	    !token_objectid(c->sub))
		return (TOKEN_BAD_CLAIMS);
	if (!token_claim_str(payload, "tid", c->tid, sizeof(c->tid)) ||
	    !token_objectid(c->tid))
		return (TOKEN_BAD_CLAIMS);
	if (!token_claim_str(payload, "role", c->role, sizeof(c->role)) ||
	    !token_role_ok(c->role))
		return (TOKEN_BAD_CLAIMS);
	if (!token_claim_str(payload, "jti", c->jti, sizeof(c->jti)) ||
	    !token_jti_ok(c->jti))
		return (TOKEN_BAD_CLAIMS);
	return (TOKEN_OK);
}

/* Copies a non-empty string claim that fits in size bytes with its NUL. */
static bool
token_claim_str(json_t *obj, const char *name, char *dst, size_t size)
{
	json_t *v;
	size_t  len;

	v = json_object_get(obj, name);
	if (!json_is_string(v))
		return (false);
	len = json_string_length(v);
	if (len == 0 || len >= size)
		return (false);
	if (memchr(json_string_value(v), '\0', len) != NULL)
		return (false);
	memcpy(dst, json_string_value(v), len);
	dst[len] = '\0';
	return (true);
}

/* A NumericDate that is a JSON integer (not 1.0, not "1") in range. */
static bool
token_claim_time(json_t *obj, const char *name, long *t)
{
	json_t    *v;
	json_int_t n;

	v = json_object_get(obj, name);
	if (!json_is_integer(v))
		return (false);
	n = json_integer_value(v);
	if (n < 0 || n > TOKEN_TIME_MAX)
		return (false);
	*t = (long)n;
	return (true);
}

/* aud is our audience, or an array of strings that holds it. */
static bool
token_audience(json_t *aud, const char *ours)
{
	json_t *v;
	size_t  i;
	bool    found;

	if (json_is_string(aud))
		return (strcmp(json_string_value(aud), ours) == 0);
	if (!json_is_array(aud) || json_array_size(aud) == 0 ||
	    json_array_size(aud) > TOKEN_AUD_MAX)
		return (false);
	found = false;
	json_array_foreach(aud, i, v)
	{
		if (!json_is_string(v))
			return (false);
		if (strcmp(json_string_value(v), ours) == 0)
			found = true;
	}
	return (found);
}
