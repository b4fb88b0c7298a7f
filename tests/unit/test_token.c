/*
 * Access tokens. Most tests build tokens by hand, byte for byte, the way
 * an attacker would: base64url-encoded JSON joined by dots and an
 * HMAC computed here with OpenSSL, never with the code under test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/mem.h"
#include "core/token.h"

#define SECRET       "vigie-unit-test-secret-0123456789abcdef"
#define OTHER_SECRET "another-secret-of-enough-length-0123456789"
#define ISS          "https://vigie.test"
#define AUD          "vigie-api"
#define SUB          "5f1d7a3c9b8e4f2a1c0d3e4f"
#define TID          "64b7f0c2a1d3e5f708192a3b"
#define JTI          "c0ffee-jti_0001"
#define NOW          1700000000L
#define LEEWAY       30L
#define HDR_OK       "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"

static const struct token_key test_key = {
    (const unsigned char *)SECRET, sizeof(SECRET) - 1, ISS, AUD};

/* base64url without padding; the caller frees. */
static char *
b64url(const void *data, size_t len)
{
	char *out;
	int   n, i, t;

	out = malloc(4 * ((len + 2) / 3) + 1);
	assert_non_null(out);
	n = EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	for (i = t = 0; i < n; i++) {
		if (out[i] == '=')
			continue;
		out[t++] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
	}
	out[t] = '\0';
	return (out);
}

/*
 * "b64(header).b64(payload).b64(mac)" where mac is the HMAC with md and
 * secret over the first two parts, or empty when md is NULL.
 */
static char *
forge(const char *header, const char *payload, const EVP_MD *md,
    const char *secret)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int  mac_len;
	char         *h, *p, *s, *signing, *tok;
	size_t        len;

	h = b64url(header, strlen(header));
	p = b64url(payload, strlen(payload));
	len = strlen(h) + 1 + strlen(p);
	signing = malloc(len + 1);
	assert_non_null(signing);
	snprintf(signing, len + 1, "%s.%s", h, p);
	if (md != NULL) {
		assert_non_null(HMAC(md, secret, (int)strlen(secret),
		    (unsigned char *)signing, len, mac, &mac_len));
		s = b64url(mac, mac_len);
	} else
		s = strdup("");
	tok = malloc(len + 1 + strlen(s) + 1);
	assert_non_null(tok);
	sprintf(tok, "%s.%s", signing, s);
	free(h);
	free(p);
	free(s);
	free(signing);
	return (tok);
}

/*
 * The claims of a valid token as compact JSON; when name is set its
 * value is replaced by the raw JSON text raw, or removed if raw is NULL.
 */
static char *
payload_with(const char *name, const char *raw)
{
	json_t *obj, *v;
	char   *s;

	obj = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I}", "iss",
	    ISS, "aud", AUD, "sub", SUB, "tid", TID, "role", "analyst", "jti",
	    JTI, "iat", (json_int_t)(NOW - 60), "nbf", (json_int_t)(NOW - 60),
	    "exp", (json_int_t)(NOW + 900));
	assert_non_null(obj);
	if (name != NULL && raw == NULL)
		json_object_del(obj, name);
	else if (name != NULL) {
		v = json_loads(raw, JSON_DECODE_ANY, NULL);
		assert_non_null(v);
		json_object_set_new(obj, name, v);
	}
	s = json_dumps(obj, JSON_COMPACT);
	assert_non_null(s);
	json_decref(obj);
	return (s);
}

static char *
valid_token(void)
{
	char *p, *t;

	p = payload_with(NULL, NULL);
	t = forge(HDR_OK, p, EVP_sha256(), SECRET);
	free(p);
	return (t);
}

static void
expect_refused(const char *token, enum token_error want)
{
	struct token_claims c;
	enum token_error    why;

	memset(&c, 0x5a, sizeof(c));
	why = TOKEN_OK;
	assert_false(token_verify(&test_key, token, NOW, LEEWAY, &c, &why));
	assert_int_equal(why, want);
	/* Nothing of a refused token leaks out. */
	assert_int_equal(c.sub[0], '\0');
	assert_int_equal(c.tid[0], '\0');
	assert_int_equal(c.role[0], '\0');
	assert_int_equal(c.exp, 0);
}

static void
expect_accepted(const char *token)
{
	struct token_claims c;
	enum token_error    why;

	why = TOKEN_BAD_KEY;
	assert_true(token_verify(&test_key, token, NOW, LEEWAY, &c, &why));
	assert_int_equal(why, TOKEN_OK);
}

/* A properly signed HS256 token whose header is hdr. */
static void
refuse_header(const char *hdr, enum token_error want)
{
	char *p, *t;

	p = payload_with(NULL, NULL);
	t = forge(hdr, p, EVP_sha256(), SECRET);
	expect_refused(t, want);
	free(p);
	free(t);
}

/* A properly signed HS256 token whose claim name is raw (or absent). */
static void
refuse_claim(const char *name, const char *raw, enum token_error want)
{
	char *p, *t;

	p = payload_with(name, raw);
	t = forge(HDR_OK, p, EVP_sha256(), SECRET);
	expect_refused(t, want);
	free(p);
	free(t);
}

/* Replaces the payload of a valid token, keeping its signature. */
static char *
swap_payload(const char *token, const char *payload)
{
	const char *d1, *d2;
	char       *p, *t;
	size_t      len;

	d1 = strchr(token, '.');
	d2 = strchr(d1 + 1, '.');
	p = b64url(payload, strlen(payload));
	len = (size_t)(d1 - token) + 1 + strlen(p) + strlen(d2) + 1;
	t = malloc(len);
	assert_non_null(t);
	snprintf(t, len, "%.*s.%s%s", (int)(d1 - token), token, p, d2);
	free(p);
	return (t);
}

static void
fill_claims(struct token_claims *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->sub, SUB);
	strcpy(c->tid, TID);
	strcpy(c->role, "owner");
	strcpy(c->jti, JTI);
	c->iat = NOW - 5;
	c->nbf = NOW - 5;
	c->exp = NOW + 900;
}

/* ---- what must work ------------------------------------------------ */

static void
test_roundtrip(void **state)
{
	struct token_claims in, out;
	enum token_error    why;
	char               *tok;

	(void)state;
	fill_claims(&in);
	assert_true(token_issue(&test_key, &in, &tok));
	assert_non_null(tok);
	assert_true(strlen(tok) <= TOKEN_MAX_LEN);
	assert_true(token_verify(&test_key, tok, NOW, 0, &out, &why));
	assert_int_equal(why, TOKEN_OK);
	assert_string_equal(out.sub, SUB);
	assert_string_equal(out.tid, TID);
	assert_string_equal(out.role, "owner");
	assert_string_equal(out.jti, JTI);
	assert_string_equal(out.iss, ISS);
	assert_string_equal(out.aud, AUD);
	assert_int_equal(out.iat, in.iat);
	assert_int_equal(out.nbf, in.nbf);
	assert_int_equal(out.exp, in.exp);
	/* The same token is refused once expired. */
	assert_false(token_verify(&test_key, tok, NOW + 900, 0, &out, &why));
	assert_int_equal(why, TOKEN_EXPIRED);
	mem_free(tok);
}

static void
test_issued_header_is_hs256(void **state)
{
	struct token_claims in;
	char               *tok, *hdr;

	(void)state;
	fill_claims(&in);
	assert_true(token_issue(&test_key, &in, &tok));
	hdr = b64url(HDR_OK, strlen(HDR_OK));
	assert_int_equal(strncmp(tok, hdr, strlen(hdr)), 0);
	assert_int_equal(tok[strlen(hdr)], '.');
	free(hdr);
	mem_free(tok);
}

static void
test_handmade_valid(void **state)
{
	struct token_claims c;
	char               *t;

	(void)state;
	t = valid_token();
	assert_true(token_verify(&test_key, t, NOW, LEEWAY, &c, NULL));
	assert_string_equal(c.role, "analyst");
	/* out and why are optional. */
	assert_true(token_verify(&test_key, t, NOW, LEEWAY, NULL, NULL));
	free(t);
}

static void
test_header_without_typ_and_with_kid(void **state)
{
	char *p, *t;

	(void)state;
	p = payload_with(NULL, NULL);
	t = forge("{\"alg\":\"HS256\"}", p, EVP_sha256(), SECRET);
	expect_accepted(t);
	free(t);
	t = forge("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"../../etc\"}",
	    p, EVP_sha256(), SECRET);
	expect_accepted(t);
	free(t);
	free(p);
}

static void
test_aud_array_with_ours(void **state)
{
	char *p, *t;

	(void)state;
	p = payload_with("aud", "[\"other\",\"" AUD "\"]");
	t = forge(HDR_OK, p, EVP_sha256(), SECRET);
	expect_accepted(t);
	free(p);
	free(t);
}

static void
test_leeway_bounds(void **state)
{
	struct token_claims c;
	enum token_error    why;
	char               *t;

	(void)state;
	t = valid_token(); /* exp = NOW + 900, nbf = iat = NOW - 60 */
	assert_true(token_verify(&test_key, t, NOW + 899, 0, &c, &why));
	assert_false(token_verify(&test_key, t, NOW + 900, 0, &c, &why));
	assert_int_equal(why, TOKEN_EXPIRED);
	assert_true(token_verify(&test_key, t, NOW + 929, 30, &c, &why));
	assert_false(token_verify(&test_key, t, NOW + 930, 30, &c, &why));
	/* nbf = NOW - 60: valid from NOW - 60 - leeway. */
	assert_true(token_verify(&test_key, t, NOW - 60, 0, &c, &why));
	assert_false(token_verify(&test_key, t, NOW - 61, 0, &c, &why));
	assert_int_equal(why, TOKEN_NOT_YET_VALID);
	assert_true(token_verify(&test_key, t, NOW - 90, 30, &c, &why));
	/* A huge leeway is clamped to TOKEN_LEEWAY_MAX, a negative to 0. */
	assert_false(token_verify(
	    &test_key, t, NOW + 900 + TOKEN_LEEWAY_MAX, 1000000, &c, &why));
	assert_int_equal(why, TOKEN_EXPIRED);
	assert_false(token_verify(&test_key, t, NOW + 900, -1000, &c, &why));
	assert_int_equal(why, TOKEN_EXPIRED);
	free(t);
}

static void
test_nul_ends_token(void **state)
{
	char  *t, *buf;
	size_t len;

	(void)state;
	/* C-string semantics: what follows a NUL is never seen. */
	t = valid_token();
	len = strlen(t);
	buf = malloc(len + 16);
	assert_non_null(buf);
	memcpy(buf, t, len);
	memcpy(buf + len, "\0.garbage.x", 12);
	expect_accepted(buf);
	free(buf);
	free(t);
}

static void
test_error_texts(void **state)
{
	int i, j;

	(void)state;
	for (i = TOKEN_OK; i <= TOKEN_BAD_KEY; i++) {
		assert_non_null(token_error_text((enum token_error)i));
		for (j = TOKEN_OK; j < i; j++)
			assert_string_not_equal(
			    token_error_text((enum token_error)i),
			    token_error_text((enum token_error)j));
	}
}

/* ---- algorithm confusion -------------------------------------------- */

static void
test_alg_none_unsigned(void **state)
{
	char *p, *t;

	(void)state;
	p = payload_with(NULL, NULL);
	t = forge("{\"alg\":\"none\",\"typ\":\"JWT\"}", p, NULL, NULL);
	expect_refused(t, TOKEN_BAD_ALG);
	free(p);
	free(t);
}

static void
test_alg_none_signed(void **state)
{
	(void)state;
	refuse_header("{\"alg\":\"none\",\"typ\":\"JWT\"}", TOKEN_BAD_ALG);
}

static void
test_alg_none_capitalised(void **state)
{
	(void)state;
	refuse_header("{\"alg\":\"None\"}", TOKEN_BAD_ALG);
}

static void
test_alg_none_mixed_case(void **state)
{
	char *p, *t;

	(void)state;
	refuse_header("{\"alg\":\"nOnE\"}", TOKEN_BAD_ALG);
	p = payload_with(NULL, NULL);
	t = forge("{\"alg\":\"NONE\"}", p, NULL, NULL);
	expect_refused(t, TOKEN_BAD_ALG);
	free(p);
	free(t);
}

static void
test_alg_lowercase_hs256(void **state)
{
	(void)state;
	/* libjwt's jwt_str_alg() would take this: it uses strcasecmp. */
	refuse_header("{\"alg\":\"hs256\",\"typ\":\"JWT\"}", TOKEN_BAD_ALG);
}

static void
test_alg_hs384(void **state)
{
	char *p, *t;

	(void)state;
	p = payload_with(NULL, NULL);
	t = forge(
	    "{\"alg\":\"HS384\",\"typ\":\"JWT\"}", p, EVP_sha384(), SECRET);
	expect_refused(t, TOKEN_BAD_ALG);
	free(p);
	free(t);
}

static void
test_alg_hs512(void **state)
{
	char *p, *t;

	(void)state;
	p = payload_with(NULL, NULL);
	t = forge(
	    "{\"alg\":\"HS512\",\"typ\":\"JWT\"}", p, EVP_sha512(), SECRET);
	expect_refused(t, TOKEN_BAD_ALG);
	free(p);
	free(t);
}

static void
test_alg_rs256(void **state)
{
	(void)state;
	refuse_header("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", TOKEN_BAD_ALG);
}

static void
test_alg_es256_with_hs256_signature(void **state)
{
	(void)state;
	refuse_header("{\"alg\":\"ES256\",\"typ\":\"JWT\"}", TOKEN_BAD_ALG);
}

static void
test_alg_missing(void **state)
{
	(void)state;
	refuse_header("{\"typ\":\"JWT\"}", TOKEN_BAD_ALG);
}

static void
test_alg_not_a_string(void **state)
{
	(void)state;
	refuse_header("{\"alg\":[\"HS256\"],\"typ\":\"JWT\"}", TOKEN_BAD_ALG);
	refuse_header("{\"alg\":null}", TOKEN_BAD_ALG);
}

static void
test_alg_with_suffix(void **state)
{
	(void)state;
	refuse_header("{\"alg\":\"HS256 \"}", TOKEN_BAD_ALG);
}

static void
test_typ_not_jwt(void **state)
{
	(void)state;
	refuse_header(
	    "{\"alg\":\"HS256\",\"typ\":\"at+jwt\"}", TOKEN_BAD_HEADER);
	refuse_header("{\"alg\":\"HS256\",\"typ\":1}", TOKEN_BAD_HEADER);
}

static void
test_crit_header(void **state)
{
	(void)state;
	refuse_header("{\"alg\":\"HS256\",\"b64\":false,\"crit\":[\"b64\"]}",
	    TOKEN_BAD_HEADER);
}

static void
test_duplicate_alg(void **state)
{
	(void)state;
	refuse_header("{\"alg\":\"none\",\"alg\":\"HS256\"}", TOKEN_MALFORMED);
}

/* ---- structure --------------------------------------------------------- */

static void
test_header_not_json(void **state)
{
	(void)state;
	refuse_header("alg=HS256", TOKEN_MALFORMED);
}

static void
test_header_json_array(void **state)
{
	(void)state;
	refuse_header("[\"alg\",\"HS256\"]", TOKEN_MALFORMED);
}

static void
test_header_trailing_bytes(void **state)
{
	(void)state;
	refuse_header(HDR_OK "x", TOKEN_MALFORMED);
}

static void
test_payload_not_json(void **state)
{
	char *t;

	(void)state;
	t = forge(HDR_OK, "sub=" SUB, EVP_sha256(), SECRET);
	expect_refused(t, TOKEN_MALFORMED);
	free(t);
}

static void
test_payload_json_array(void **state)
{
	char *t;

	(void)state;
	t = forge(HDR_OK, "[{\"sub\":\"" SUB "\"}]", EVP_sha256(), SECRET);
	expect_refused(t, TOKEN_MALFORMED);
	free(t);
}

static void
test_payload_duplicate_claim(void **state)
{
	char  *p, *t, *dup;
	size_t len;

	(void)state;
	/* {"role":"viewer", ..., "role":"owner"}: refused, not last-wins. */
	p = payload_with("role", "\"viewer\"");
	len = strlen(p) + 32;
	dup = malloc(len);
	assert_non_null(dup);
	snprintf(dup, len, "%.*s,\"role\":\"owner\"}", (int)strlen(p) - 1, p);
	t = forge(HDR_OK, dup, EVP_sha256(), SECRET);
	expect_refused(t, TOKEN_MALFORMED);
	free(dup);
	free(p);
	free(t);
}

static void
test_stripped_signature(void **state)
{
	char *t;

	(void)state;
	t = valid_token();
	*(strrchr(t, '.') + 1) = '\0'; /* "a.b." */
	expect_refused(t, TOKEN_BAD_SIGNATURE);
	free(t);
}

static void
test_two_segments(void **state)
{
	char *t;

	(void)state;
	t = valid_token();
	*strrchr(t, '.') = '\0'; /* "a.b" */
	expect_refused(t, TOKEN_MALFORMED);
	free(t);
}

static void
test_four_segments(void **state)
{
	char  *t, *four;
	size_t len;

	(void)state;
	t = valid_token();
	len = strlen(t) + 8;
	four = malloc(len);
	assert_non_null(four);
	snprintf(four, len, "%s.AAAA", t);
	expect_refused(four, TOKEN_MALFORMED);
	/* JWE-like, five parts. */
	snprintf(four, len, "%s..", t);
	expect_refused(four, TOKEN_MALFORMED);
	free(four);
	free(t);
}

static void
test_empty_header_or_payload(void **state)
{
	char *t, *p;

	(void)state;
	t = valid_token();
	p = strchr(t, '.');
	expect_refused(p, TOKEN_MALFORMED); /* ".payload.sig" */
	expect_refused("..", TOKEN_MALFORMED);
	free(t);
}

static void
test_bad_base64_char(void **state)
{
	char *t;

	(void)state;
	t = valid_token();
	t[3] = '!';
	expect_refused(t, TOKEN_MALFORMED);
	free(t);
	/* '+' and '/' belong to base64, not base64url. */
	t = valid_token();
	t[3] = '+';
	expect_refused(t, TOKEN_MALFORMED);
	free(t);
}

static void
test_base64_padding(void **state)
{
	char  *t, *padded;
	size_t len;

	(void)state;
	t = valid_token();
	len = strlen(t) + 2;
	padded = malloc(len);
	assert_non_null(padded);
	snprintf(padded, len, "%s=", t);
	expect_refused(padded, TOKEN_MALFORMED);
	free(padded);
	free(t);
}

static void
test_base64_impossible_length(void **state)
{
	char *t, *p;

	(void)state;
	/* A header of 4n+1 characters decodes to no byte string. */
	p = payload_with(NULL, NULL);
	t = forge(HDR_OK, p, EVP_sha256(), SECRET);
	free(p);
	p = malloc(strlen(t) + 2);
	assert_non_null(p);
	sprintf(p, "A%s", t);
	expect_refused(p, TOKEN_MALFORMED);
	free(p);
	free(t);
}

static void
test_empty_string(void **state)
{
	(void)state;
	expect_refused("", TOKEN_MALFORMED);
}

static void
test_null_token(void **state)
{
	(void)state;
	expect_refused(NULL, TOKEN_MALFORMED);
}

static void
test_oversized_garbage(void **state)
{
	char *big;

	(void)state;
	big = malloc(5001);
	assert_non_null(big);
	memset(big, 'A', 5000);
	big[5000] = '\0';
	expect_refused(big, TOKEN_TOO_LONG);
	free(big);
}

static void
test_oversized_but_signed(void **state)
{
	char *pad, *p, *t;

	(void)state;
	/* Properly signed, just too big: refused before being parsed. */
	pad = malloc(5000);
	assert_non_null(pad);
	memset(pad, 'x', 4997);
	pad[0] = '"';
	pad[4997] = '"';
	pad[4998] = '\0';
	p = payload_with("pad", pad);
	t = forge(HDR_OK, p, EVP_sha256(), SECRET);
	assert_true(strlen(t) > TOKEN_MAX_LEN);
	expect_refused(t, TOKEN_TOO_LONG);
	free(pad);
	free(p);
	free(t);
}

static void
test_whitespace_inside(void **state)
{
	char  *t, *ws;
	size_t len;

	(void)state;
	t = valid_token();
	len = strlen(t) + 2;
	ws = malloc(len);
	assert_non_null(ws);
	snprintf(ws, len, "%.*s %s", (int)(strchr(t, '.') - t + 1), t,
	    strchr(t, '.') + 1);
	expect_refused(ws, TOKEN_MALFORMED);
	snprintf(ws, len, "%s\n", t);
	expect_refused(ws, TOKEN_MALFORMED);
	free(ws);
	free(t);
}

static void
test_trailing_garbage(void **state)
{
	char  *t, *g;
	size_t len;

	(void)state;
	t = valid_token();
	len = strlen(t) + 8;
	g = malloc(len);
	assert_non_null(g);
	snprintf(g, len, "%sAAAA", t);
	expect_refused(g, TOKEN_BAD_SIGNATURE);
	free(g);
	free(t);
}

/* ---- signature ---------------------------------------------------------- */

static void
test_altered_signature_byte(void **state)
{
	char *t, *c;

	(void)state;
	t = valid_token();
	c = strrchr(t, '.') + 5;
	*c = *c == 'A' ? 'B' : 'A';
	expect_refused(t, TOKEN_BAD_SIGNATURE);
	free(t);
}

static void
test_signature_unused_bits(void **state)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "abcdefghijklmnopqrstuvwxyz0123456789-_";
	char             *t, *last;
	int               v;

	(void)state;
	/*
	 * 43 characters carry 258 bits for 256: flipping one of the two
	 * spare bits gives the same bytes. Such a second spelling of a good
	 * signature is refused.
	 */
	t = valid_token();
	last = t + strlen(t) - 1;
	v = (int)(strchr(alphabet, *last) - alphabet);
	*last = alphabet[v ^ 1];
	expect_refused(t, TOKEN_BAD_SIGNATURE);
	free(t);
}

static void
test_signature_other_secret(void **state)
{
	char *p, *t;

	(void)state;
	p = payload_with(NULL, NULL);
	t = forge(HDR_OK, p, EVP_sha256(), OTHER_SECRET);
	expect_refused(t, TOKEN_BAD_SIGNATURE);
	free(p);
	free(t);
}

static void
test_signature_empty_secret(void **state)
{
	char *p, *t;

	(void)state;
	p = payload_with(NULL, NULL);
	t = forge(HDR_OK, p, EVP_sha256(), "");
	expect_refused(t, TOKEN_BAD_SIGNATURE);
	free(p);
	free(t);
}

static void
test_altered_tid(void **state)
{
	char *t, *p, *forged;

	(void)state;
	t = valid_token();
	p = payload_with("tid", "\"aaaaaaaaaaaaaaaaaaaaaaaa\"");
	forged = swap_payload(t, p);
	expect_refused(forged, TOKEN_BAD_SIGNATURE);
	free(forged);
	free(p);
	free(t);
}

static void
test_altered_role(void **state)
{
	char *t, *p, *forged;

	(void)state;
	t = valid_token();
	p = payload_with("role", "\"owner\"");
	forged = swap_payload(t, p);
	expect_refused(forged, TOKEN_BAD_SIGNATURE);
	free(forged);
	free(p);
	free(t);
}

/* ---- time claims ---------------------------------------------------------- */

static void
test_expired(void **state)
{
	char raw[32];

	(void)state;
	snprintf(raw, sizeof(raw), "%ld", NOW - LEEWAY - 1);
	refuse_claim("exp", raw, TOKEN_EXPIRED);
}

static void
test_exp_missing(void **state)
{
	(void)state;
	refuse_claim("exp", NULL, TOKEN_BAD_CLAIMS);
}

static void
test_exp_string(void **state)
{
	char raw[32];

	(void)state;
	snprintf(raw, sizeof(raw), "\"%ld\"", NOW + 900);
	refuse_claim("exp", raw, TOKEN_BAD_CLAIMS);
}

static void
test_exp_float(void **state)
{
	char raw[32];

	(void)state;
	snprintf(raw, sizeof(raw), "%ld.5", NOW + 900);
	refuse_claim("exp", raw, TOKEN_BAD_CLAIMS);
	refuse_claim("exp", "1.7e9", TOKEN_BAD_CLAIMS);
}

static void
test_exp_out_of_range(void **state)
{
	char  *p, *t;
	size_t len;

	(void)state;
	refuse_claim("exp", "-1", TOKEN_BAD_CLAIMS);
	refuse_claim("exp", "9223372036854775807", TOKEN_BAD_CLAIMS);
	refuse_claim("exp", "true", TOKEN_BAD_CLAIMS);
	/* Does not fit a 64-bit integer: the JSON parser refuses it. */
	len = 256;
	p = malloc(len);
	assert_non_null(p);
	snprintf(p, len,
	    "{\"iss\":\"%s\",\"aud\":\"%s\",\"sub\":\"%s\","
	    "\"tid\":\"%s\",\"role\":\"viewer\",\"jti\":\"%s\",\"iat\":%ld,"
	    "\"nbf\":%ld,\"exp\":99999999999999999999}",
	    ISS, AUD, SUB, TID, JTI, NOW, NOW);
	t = forge(HDR_OK, p, EVP_sha256(), SECRET);
	expect_refused(t, TOKEN_MALFORMED);
	free(p);
	free(t);
}

static void
test_nbf_future(void **state)
{
	char raw[32];

	(void)state;
	snprintf(raw, sizeof(raw), "%ld", NOW + LEEWAY + 1);
	refuse_claim("nbf", raw, TOKEN_NOT_YET_VALID);
}

static void
test_nbf_missing(void **state)
{
	(void)state;
	refuse_claim("nbf", NULL, TOKEN_BAD_CLAIMS);
}

static void
test_iat_far_future(void **state)
{
	char raw[32];

	(void)state;
	snprintf(raw, sizeof(raw), "%ld", NOW + 86400 * 365);
	refuse_claim("iat", raw, TOKEN_NOT_YET_VALID);
}

static void
test_iat_missing(void **state)
{
	(void)state;
	refuse_claim("iat", NULL, TOKEN_BAD_CLAIMS);
}

/* ---- issuer, audience, identity -------------------------------------------- */

static void
test_wrong_iss(void **state)
{
	(void)state;
	refuse_claim("iss", "\"https://evil.test\"", TOKEN_BAD_ISSUER);
	refuse_claim("iss", "\"" ISS "/\"", TOKEN_BAD_ISSUER);
}

static void
test_iss_missing_or_typed(void **state)
{
	(void)state;
	refuse_claim("iss", NULL, TOKEN_BAD_ISSUER);
	refuse_claim("iss", "[\"" ISS "\"]", TOKEN_BAD_ISSUER);
}

static void
test_wrong_aud(void **state)
{
	(void)state;
	refuse_claim("aud", "\"vigie-admin\"", TOKEN_BAD_AUDIENCE);
	refuse_claim("aud", NULL, TOKEN_BAD_AUDIENCE);
}

static void
test_aud_array_without_ours(void **state)
{
	(void)state;
	refuse_claim("aud", "[\"a\",\"b\"]", TOKEN_BAD_AUDIENCE);
	refuse_claim("aud", "[]", TOKEN_BAD_AUDIENCE);
	refuse_claim("aud", "[\"" AUD "\",42]", TOKEN_BAD_AUDIENCE);
}

static void
test_role_superuser(void **state)
{
	(void)state;
	refuse_claim("role", "\"superuser\"", TOKEN_BAD_CLAIMS);
	refuse_claim("role", "\"Owner\"", TOKEN_BAD_CLAIMS);
	refuse_claim("role", "\"owner \"", TOKEN_BAD_CLAIMS);
}

static void
test_role_missing_or_typed(void **state)
{
	(void)state;
	refuse_claim("role", NULL, TOKEN_BAD_CLAIMS);
	refuse_claim("role", "[\"owner\"]", TOKEN_BAD_CLAIMS);
	refuse_claim("role", "1", TOKEN_BAD_CLAIMS);
}

static void
test_tid_not_hex(void **state)
{
	(void)state;
	refuse_claim("tid", "\"64B7F0C2A1D3E5F708192A3B\"", TOKEN_BAD_CLAIMS);
	refuse_claim("tid", "\"64b7f0c2a1d3e5f708192a3g\"", TOKEN_BAD_CLAIMS);
	refuse_claim("tid", "\"*\"", TOKEN_BAD_CLAIMS);
}

static void
test_tid_wrong_length(void **state)
{
	(void)state;
	refuse_claim("tid", "\"64b7f0c2a1d3e5f708192a3\"", TOKEN_BAD_CLAIMS);
	refuse_claim("tid", "\"64b7f0c2a1d3e5f708192a3b0\"", TOKEN_BAD_CLAIMS);
	refuse_claim("tid", "\"\"", TOKEN_BAD_CLAIMS);
	refuse_claim("tid", NULL, TOKEN_BAD_CLAIMS);
}

static void
test_sub_not_hex(void **state)
{
	(void)state;
	refuse_claim("sub", "\"admin@vigie.test\"", TOKEN_BAD_CLAIMS);
	refuse_claim("sub", "12345", TOKEN_BAD_CLAIMS);
	refuse_claim("sub", NULL, TOKEN_BAD_CLAIMS);
}

static void
test_jti_bad(void **state)
{
	(void)state;
	refuse_claim("jti", NULL, TOKEN_BAD_CLAIMS);
	refuse_claim("jti", "\"\"", TOKEN_BAD_CLAIMS);
	refuse_claim("jti", "\"a:b\"", TOKEN_BAD_CLAIMS);
	refuse_claim("jti", "\"a b\"", TOKEN_BAD_CLAIMS);
	refuse_claim("jti", "\"0123456789012345678901234567890123456789\"",
	    TOKEN_BAD_CLAIMS);
}

static void
test_claim_with_escaped_nul(void **state)
{
	char  *p, *t;
	size_t len;

	(void)state;
	/* "\u0000" would cut a C string short: the parser refuses it. */
	len = 512;
	p = malloc(len);
	assert_non_null(p);
	snprintf(p, len,
	    "{\"iss\":\"%s\\u0000evil\",\"aud\":\"%s\","
	    "\"sub\":\"%s\",\"tid\":\"%s\",\"role\":\"viewer\","
	    "\"jti\":\"%s\",\"iat\":%ld,\"nbf\":%ld,\"exp\":%ld}",
	    ISS, AUD, SUB, TID, JTI, NOW, NOW, NOW + 60);
	t = forge(HDR_OK, p, EVP_sha256(), SECRET);
	expect_refused(t, TOKEN_MALFORMED);
	free(p);
	free(t);
}

/* ---- keys ------------------------------------------------------------------ */

static void
test_issue_short_secret(void **state)
{
	struct token_key    k;
	struct token_claims c;
	char               *tok;

	(void)state;
	k = test_key;
	k.len = TOKEN_SECRET_MIN - 1;
	fill_claims(&c);
	tok = (char *)1;
	assert_false(token_issue(&k, &c, &tok));
	assert_null(tok);
	k.len = TOKEN_SECRET_MIN;
	assert_true(token_issue(&k, &c, &tok));
	mem_free(tok);
}

static void
test_verify_short_secret(void **state)
{
	struct token_key k;
	enum token_error why;
	char            *t;

	(void)state;
	t = valid_token();
	k = test_key;
	k.len = 31;
	assert_false(token_verify(&k, t, NOW, LEEWAY, NULL, &why));
	assert_int_equal(why, TOKEN_BAD_KEY);
	k = test_key;
	k.iss = NULL;
	assert_false(token_verify(&k, t, NOW, LEEWAY, NULL, &why));
	assert_int_equal(why, TOKEN_BAD_KEY);
	assert_false(token_verify(NULL, t, NOW, LEEWAY, NULL, &why));
	assert_int_equal(why, TOKEN_BAD_KEY);
	free(t);
}

static void
test_issue_refuses_bad_claims(void **state)
{
	struct token_claims c;
	char               *tok;

	(void)state;
	fill_claims(&c);
	strcpy(c.role, "root");
	assert_false(token_issue(&test_key, &c, &tok));
	fill_claims(&c);
	strcpy(c.tid, "64B7F0C2A1D3E5F708192A3B");
	assert_false(token_issue(&test_key, &c, &tok));
	fill_claims(&c);
	strcpy(c.jti, "a:b");
	assert_false(token_issue(&test_key, &c, &tok));
	fill_claims(&c);
	c.exp = c.iat;
	assert_false(token_issue(&test_key, &c, &tok));
	fill_claims(&c);
	c.iat = -1;
	assert_false(token_issue(&test_key, &c, &tok));
	assert_null(tok);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roundtrip),
	    cmocka_unit_test(test_issued_header_is_hs256),
	    cmocka_unit_test(test_handmade_valid),
	    cmocka_unit_test(test_header_without_typ_and_with_kid),
	    cmocka_unit_test(test_aud_array_with_ours),
	    cmocka_unit_test(test_leeway_bounds),
	    cmocka_unit_test(test_nul_ends_token),
	    cmocka_unit_test(test_error_texts),

	    cmocka_unit_test(test_alg_none_unsigned),
	    cmocka_unit_test(test_alg_none_signed),
	    cmocka_unit_test(test_alg_none_capitalised),
	    cmocka_unit_test(test_alg_none_mixed_case),
	    cmocka_unit_test(test_alg_lowercase_hs256),
	    cmocka_unit_test(test_alg_hs384),
	    cmocka_unit_test(test_alg_hs512),
	    cmocka_unit_test(test_alg_rs256),
	    cmocka_unit_test(test_alg_es256_with_hs256_signature),
	    cmocka_unit_test(test_alg_missing),
	    cmocka_unit_test(test_alg_not_a_string),
	    cmocka_unit_test(test_alg_with_suffix),
	    cmocka_unit_test(test_typ_not_jwt),
	    cmocka_unit_test(test_crit_header),
	    cmocka_unit_test(test_duplicate_alg),

	    cmocka_unit_test(test_header_not_json),
	    cmocka_unit_test(test_header_json_array),
	    cmocka_unit_test(test_header_trailing_bytes),
	    cmocka_unit_test(test_payload_not_json),
	    cmocka_unit_test(test_payload_json_array),
	    cmocka_unit_test(test_payload_duplicate_claim),
	    cmocka_unit_test(test_stripped_signature),
	    cmocka_unit_test(test_two_segments),
	    cmocka_unit_test(test_four_segments),
	    cmocka_unit_test(test_empty_header_or_payload),
	    cmocka_unit_test(test_bad_base64_char),
	    cmocka_unit_test(test_base64_padding),
	    cmocka_unit_test(test_base64_impossible_length),
	    cmocka_unit_test(test_empty_string),
	    cmocka_unit_test(test_null_token),
	    cmocka_unit_test(test_oversized_garbage),
	    cmocka_unit_test(test_oversized_but_signed),
	    cmocka_unit_test(test_whitespace_inside),
	    cmocka_unit_test(test_trailing_garbage),

	    cmocka_unit_test(test_altered_signature_byte),
	    cmocka_unit_test(test_signature_unused_bits),
	    cmocka_unit_test(test_signature_other_secret),
	    cmocka_unit_test(test_signature_empty_secret),
	    cmocka_unit_test(test_altered_tid),
	    cmocka_unit_test(test_altered_role),

	    cmocka_unit_test(test_expired),
	    cmocka_unit_test(test_exp_missing),
	    cmocka_unit_test(test_exp_string),
	    cmocka_unit_test(test_exp_float),
	    cmocka_unit_test(test_exp_out_of_range),
	    cmocka_unit_test(test_nbf_future),
	    cmocka_unit_test(test_nbf_missing),
	    cmocka_unit_test(test_iat_far_future),
	    cmocka_unit_test(test_iat_missing),

	    cmocka_unit_test(test_wrong_iss),
	    cmocka_unit_test(test_iss_missing_or_typed),
	    cmocka_unit_test(test_wrong_aud),
	    cmocka_unit_test(test_aud_array_without_ours),
	    cmocka_unit_test(test_role_superuser),
	    cmocka_unit_test(test_role_missing_or_typed),
	    cmocka_unit_test(test_tid_not_hex),
	    cmocka_unit_test(test_tid_wrong_length),
	    cmocka_unit_test(test_sub_not_hex),
	    cmocka_unit_test(test_jti_bad),
	    cmocka_unit_test(test_claim_with_escaped_nul),

	    cmocka_unit_test(test_issue_short_secret),
	    cmocka_unit_test(test_verify_short_secret),
	    cmocka_unit_test(test_issue_refuses_bad_claims),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
