/*
 * Password hashing with Argon2id, stored as a self-describing PHC string
 * ("$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>"), and the password
 * policy. The string carries its own cost parameters, so they can be
 * raised later: password_verify() reads them from the string and
 * password_needs_rehash() tells the caller to store a new hash after a
 * successful login.
 *
 * Pure functions: the caller passes the random salt in. To keep login
 * time the same whether or not an account exists, callers verify against
 * a dummy hash when the user is unknown.
 */
#ifndef VIGIE_CORE_PASSWORD_H
#define VIGIE_CORE_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PASSWORD_SALT_LEN    16 /* bytes of random salt */
#define PASSWORD_HASH_LEN    32 /* bytes of Argon2id output */
#define PASSWORD_ENCODED_MAX 256 /* longest PHC string accepted */

#define PASSWORD_MIN_CHARS 12 /* policy: code points, at least */
#define PASSWORD_MAX_BYTES 256 /* policy: bytes, at most */
#define PASSWORD_INPUT_MAX 1024 /* longest input hashed or verified */

/* Bounds on the cost of one hash, for hashing and for verifying. */
#define PASSWORD_M_MAX 262144 /* KiB (256 MiB) */
#define PASSWORD_T_MAX 16
#define PASSWORD_P_MAX 16

struct password_params {
	uint32_t m_kib; /* memory, KiB; at least 8 * p */
	uint32_t t_cost; /* passes over memory */
	uint32_t parallelism; /* lanes */
};

/* OWASP's minimum for Argon2id: 19 MiB, 2 passes, 1 lane. */
#define PASSWORD_PARAMS_DEFAULT ((const struct password_params){19456, 2, 1})

bool password_hash(const char *pw, const unsigned char *salt16,
    const struct password_params *, char *out, size_t outlen);
bool password_verify(const char *pw, const char *encoded);
bool password_needs_rehash(const char *encoded, const struct password_params *);
bool password_policy_check(
    const char *pw, const char *email, char *why, size_t whylen);

#endif
