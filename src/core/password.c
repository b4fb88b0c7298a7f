#include <stdio.h>
#include <string.h>

#include <argon2.h>

#include "core/password.h"

#define PASSWORD_PREFIX   "$argon2id$v=19$m="
#define PASSWORD_SALT_MIN 8 /* bytes, libargon2's minimum */
#define PASSWORD_SALT_MAX 32
#define PASSWORD_OUT_MIN  16 /* bytes of hash accepted, at least */
#define PASSWORD_OUT_MAX  64

static bool password_params_ok(const struct password_params *);
static bool
password_parse(const char *, struct password_params *, size_t *, size_t *);
static bool password_number(const char **, uint32_t *);
static bool password_b64_run(const char **, size_t *);
static bool password_utf8(const char *, size_t, size_t *);
static bool password_equal_fold(const char *, size_t, const char *, size_t);
static bool password_refuse(char *, size_t, const char *);

/*
 * Hashes pw with Argon2id, the 16 bytes of salt16 and params (NULL means
 * PASSWORD_PARAMS_DEFAULT), into out as a NUL-terminated PHC string.
 * Returns false, with out empty, for parameters out of bounds, a
 * password over PASSWORD_INPUT_MAX bytes, or an out too small (256 bytes
 * always suffice).
 */
bool
password_hash(const char *pw, const unsigned char *salt16,
    const struct password_params *params, char *out, size_t outlen)
{
	const struct password_params *pp;
	size_t                        pwlen;
	int                           rc;

	if (out == NULL || outlen == 0)
		return (false);
	out[0] = '\0';
	pp = params != NULL ? params : &PASSWORD_PARAMS_DEFAULT;
	if (pw == NULL || salt16 == NULL || !password_params_ok(pp))
		return (false);
	if ((pwlen = strnlen(pw, PASSWORD_INPUT_MAX + 1)) > PASSWORD_INPUT_MAX)
		return (false);

	rc = argon2id_hash_encoded(pp->t_cost, pp->m_kib, pp->parallelism, pw,
	    pwlen, salt16, PASSWORD_SALT_LEN, PASSWORD_HASH_LEN, out, outlen);
	if (rc != ARGON2_OK) {
		out[0] = '\0';
		return (false);
	}
	return (true);
}

/*
 * Checks pw against a PHC string made by password_hash(), with the cost
 * written in the string. Only "$argon2id$v=19$..." strings whose cost is
 * within bounds are tried, so a planted string cannot make one login
 * allocate gigabytes. The comparison is libargon2's constant-time one.
 */
bool
password_verify(const char *pw, const char *encoded)
{
	struct password_params params;
	size_t                 saltlen, hashlen, pwlen;

	if (pw == NULL || encoded == NULL)
		return (false);
	if (!password_parse(encoded, &params, &saltlen, &hashlen))
		return (false);
	if ((pwlen = strnlen(pw, PASSWORD_INPUT_MAX + 1)) > PASSWORD_INPUT_MAX)
		return (false);
	return (argon2id_verify(encoded, pw, pwlen) == ARGON2_OK);
}

/*
 * True when encoded was not made with exactly params (NULL means
 * PASSWORD_PARAMS_DEFAULT), our salt and hash sizes, or cannot be read:
 * after a successful login the caller then stores a fresh hash.
 */
bool
password_needs_rehash(const char *encoded, const struct password_params *params)
{
	const struct password_params *want;
	struct password_params        got;
	size_t                        saltlen, hashlen;

	want = params != NULL ? params : &PASSWORD_PARAMS_DEFAULT;
	if (encoded == NULL ||
	    !password_parse(encoded, &got, &saltlen, &hashlen))
		return (true);
	return (got.m_kib != want->m_kib || got.t_cost != want->t_cost ||
	    got.parallelism != want->parallelism ||
	    saltlen != PASSWORD_SALT_LEN || hashlen != PASSWORD_HASH_LEN);
}

/*
 * The policy for a new password (NIST SP 800-63B style: length, not
 * composition): valid UTF-8, at least PASSWORD_MIN_CHARS code points,
 * at most PASSWORD_MAX_BYTES bytes, and neither the account's email nor
 * its local part, compared without ASCII case. email may be NULL.
 * Returns false with a sentence for the user in why (why may be NULL).
 */
bool
password_policy_check(
    const char *pw, const char *email, char *why, size_t whylen)
{
	const char *at;
	size_t      len, chars, elen;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (pw == NULL)
		return (password_refuse(why, whylen, "a password is required"));
	if ((len = strnlen(pw, PASSWORD_MAX_BYTES + 1)) > PASSWORD_MAX_BYTES)
		return (password_refuse(why, whylen,
		    "the password must be at most 256 bytes long"));
	if (!password_utf8(pw, len, &chars))
		return (password_refuse(
		    why, whylen, "the password must be valid UTF-8 text"));
	if (chars < PASSWORD_MIN_CHARS)
		return (password_refuse(why, whylen,
		    "the password must be at least 12 characters long"));

	if (email == NULL || email[0] == '\0')
		return (true);
	elen = strlen(email);
	if (password_equal_fold(pw, len, email, elen))
		return (password_refuse(why, whylen,
		    "the password must not be your email address"));
	if ((at = strrchr(email, '@')) != NULL && at != email &&
	    password_equal_fold(pw, len, email, (size_t)(at - email)))
		return (password_refuse(why, whylen,
		    "the password must not be the name in your email "
		    "address"));
	return (true);
}

static bool
password_params_ok(const struct password_params *pp)
{
	if (pp->parallelism < 1 || pp->parallelism > PASSWORD_P_MAX)
		return (false);
	if (pp->t_cost < 1 || pp->t_cost > PASSWORD_T_MAX)
		return (false);
	return (
	    pp->m_kib >= 8 * pp->parallelism && pp->m_kib <= PASSWORD_M_MAX);
}

/*
 * Reads "$argon2id$v=19$m=M,t=T,p=P$SALT$HASH" exactly, SALT and HASH in
 * unpadded standard base64. Fills the cost and the decoded sizes; refuses
 * anything else, including costs or sizes out of bounds.
 */
static bool
password_parse(const char *enc, struct password_params *pp, size_t *saltlen,
    size_t *hashlen)
{
	const char *s;

	if (strnlen(enc, PASSWORD_ENCODED_MAX + 1) > PASSWORD_ENCODED_MAX)
		return (false);
	if (strncmp(enc, PASSWORD_PREFIX, sizeof(PASSWORD_PREFIX) - 1) != 0)
		return (false);
	s = enc + sizeof(PASSWORD_PREFIX) - 1;
	if (!password_number(&s, &pp->m_kib) || strncmp(s, ",t=", 3) != 0)
		return (false);
	s += 3;
	if (!password_number(&s, &pp->t_cost) || strncmp(s, ",p=", 3) != 0)
		return (false);
	s += 3;
	if (!password_number(&s, &pp->parallelism) || *s++ != '$')
		return (false);
	if (!password_b64_run(&s, saltlen) || *s++ != '$')
		return (false);
	if (!password_b64_run(&s, hashlen) || *s != '\0')
		return (false);
	if (!password_params_ok(pp))
		return (false);
	return (*saltlen >= PASSWORD_SALT_MIN &&
	    *saltlen <= PASSWORD_SALT_MAX && *hashlen >= PASSWORD_OUT_MIN &&
	    *hashlen <= PASSWORD_OUT_MAX);
}

/* A decimal without sign or leading zero, at most 10 digits, in 32 bits. */
static bool
password_number(const char **sp, uint32_t *out)
{
	const char *s;
	uint64_t    n;
	size_t      digits;

	s = *sp;
	if (*s < '1' || *s > '9')
		return (false);
	n = 0;
	for (digits = 0; *s >= '0' && *s <= '9'; s++, digits++) {
		if (digits == 10)
			return (false);
		n = n * 10 + (uint64_t)(*s - '0');
	}
	if (n > UINT32_MAX)
		return (false);
	*out = (uint32_t)n;
	*sp = s;
	return (true);
}

/* A run of unpadded base64 characters; *bytes is what it decodes to. */
static bool
password_b64_run(const char **sp, size_t *bytes)
{
	const char *s;
	size_t      n;

	for (s = *sp, n = 0;
	     (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
	     (*s >= '0' && *s <= '9') || *s == '+' || *s == '/';
	     s++)
		n++;
	if (n == 0 || n % 4 == 1)
		return (false);
	*bytes = n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1);
	*sp = s;
	return (true);
}

/*
 * Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing
 * above U+10FFFF. *chars is the number of code points.
 */
static bool
password_utf8(const char *str, size_t len, size_t *chars)
{
	const unsigned char *s;
	size_t               i, n, k;
	unsigned char        lo, hi;

	s = (const unsigned char *)str;
	for (i = 0, n = 0; i < len; n++) {
		lo = 0x80;
		hi = 0xbf;
		if (s[i] < 0x80) {
			i++;
			continue;
		} else if (s[i] >= 0xc2 && s[i] <= 0xdf)
			k = 1;
		else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			k = 2;
			if (s[i] == 0xe0)
				lo = 0xa0;
			else if (s[i] == 0xed)
				hi = 0x9f;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			k = 3;
			if (s[i] == 0xf0)
				lo = 0x90;
			else if (s[i] == 0xf4)
				hi = 0x8f;
		} else
			return (false);
		if (len - i - 1 < k)
			return (false);
		if (s[i + 1] < lo || s[i + 1] > hi)
			return (false);
		for (i += 2; k > 1; k--, i++) {
			if (s[i] < 0x80 || s[i] > 0xbf)
				return (false);
		}
	}
	*chars = n;
	return (true);
}

/* Byte strings equal once ASCII letters are folded to lower case. */
static bool
password_equal_fold(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t        i;
	unsigned char ca, cb;

	if (alen != blen)
		return (false);
	for (i = 0; i < alen; i++) {
		ca = (unsigned char)a[i];
		cb = (unsigned char)b[i];
		if (ca >= 'A' && ca <= 'Z')
			ca = (unsigned char)(ca - 'A' + 'a');
		if (cb >= 'A' && cb <= 'Z')
			cb = (unsigned char)(cb - 'A' + 'a');
		if (ca != cb)
			return (false);
	}
	return (true);
}

static bool
password_refuse(char *why, size_t whylen, const char *msg)
{
	if (why != NULL && whylen > 0)
		snprintf(why, whylen, "%s", msg);
	return (false);
}
