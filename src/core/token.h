/*
 * Access tokens: compact JWS (JWT) signed with HMAC-SHA256, one fixed
 * algorithm, verified the way RFC 8725 asks: the algorithm is never taken
 * from the token, the signature is checked before any claim is believed,
 * and every claim Vigie relies on must be present, typed and bounded.
 *
 * Pure functions: the caller passes the current time in. Revocation (jti
 * denylist) and "is the tenant still active" need I/O and are the
 * caller's job, after token_verify() has succeeded.
 */
#ifndef VIGIE_CORE_TOKEN_H
#define VIGIE_CORE_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#define TOKEN_MAX_LEN    4096 /* longest token looked at, bytes */
#define TOKEN_SECRET_MIN 32 /* shortest HMAC secret, bytes */
#define TOKEN_SECRET_MAX 1024 /* longest HMAC secret, bytes */
#define TOKEN_LEEWAY_MAX 300 /* clock skew allowed at most, s */

/* The HMAC secret and the iss/aud this service issues and accepts. */
struct token_key {
	const unsigned char *secret;
	size_t               len;
	const char          *iss;
	const char          *aud;
};

struct token_claims {
	char sub[64]; /* user id, 24 lower-case hex */
	char tid[64]; /* tenant id, 24 lower-case hex */
	char role[16]; /* owner, admin, analyst or viewer */
	char jti[40]; /* token id, [A-Za-z0-9_-]{1,39} */
	char iss[128];
	char aud[128];
	long iat;
	long nbf;
	long exp;
};

enum token_error {
	TOKEN_OK = 0,
	TOKEN_TOO_LONG, /* longer than TOKEN_MAX_LEN */
	TOKEN_MALFORMED, /* not three strict base64url parts of JSON */
	TOKEN_BAD_ALG, /* alg missing or other than "HS256" */
	TOKEN_BAD_HEADER, /* typ other than "JWT", crit, ... */
	TOKEN_BAD_SIGNATURE,
	TOKEN_EXPIRED,
	TOKEN_NOT_YET_VALID, /* nbf or iat in the future */
	TOKEN_BAD_ISSUER,
	TOKEN_BAD_AUDIENCE,
	TOKEN_BAD_CLAIMS, /* a claim missing, mistyped or out of range */
	TOKEN_BAD_KEY, /* the server's own key is unusable */
};

bool
token_issue(const struct token_key *, const struct token_claims *, char **out);
bool        token_verify(const struct token_key *, const char *token, long now,
	   long leeway_s, struct token_claims *out, enum token_error *why);
const char *token_error_text(enum token_error);

#endif
