/*
 * Password hashing and policy. Low cost (m=256 KiB, t=1) everywhere
 * except test_default_params, which runs the real cost once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <argon2.h>
#include <cmocka.h>

#include "core/password.h"

#define PW    "correct horse battery staple"
#define EMAIL "Alice.Martin@Example.org"

static const struct password_params low = {256, 1, 1};

static const unsigned char salt_a[PASSWORD_SALT_LEN] = {
    0x00,
    0x11,
    0x22,
    0x33,
    0x44,
    0x55,
    0x66,
    0x77,
    0x88,
    0x99,
    0xaa,
    0xbb,
    0xcc,
    0xdd,
    0xee,
    0xff,
};
static const unsigned char salt_b[PASSWORD_SALT_LEN] = {
    0xff,
    0xee,
    0xdd,
    0xcc,
    0xbb,
    0xaa,
    0x99,
    0x88,
    0x77,
    0x66,
    0x55,
    0x44,
    0x33,
    0x22,
    0x11,
    0x00,
};

static void
hash_low(const char *pw, char *out)
{
	assert_true(password_hash(pw, salt_a, &low, out, PASSWORD_ENCODED_MAX));
}

/* ---- hashing and verifying --------------------------------------------- */

static void
test_hash_verify(void **state)
{
	char enc[PASSWORD_ENCODED_MAX];

	(void)state;
	hash_low(PW, enc);
	assert_true(password_verify(PW, enc));
	assert_false(password_verify("correct horse battery stapler", enc));
	assert_false(password_verify("Correct horse battery staple", enc));
	assert_false(password_verify("", enc));
}

static void
test_phc_format(void **state)
{
	char        enc[PASSWORD_ENCODED_MAX];
	const char *salt, *hash;

	(void)state;
	hash_low(PW, enc);
	assert_int_equal(strncmp(enc, "$argon2id$v=19$m=256,t=1,p=1$", 29), 0);
	salt = enc + 29;
	hash = strchr(salt, '$');
	assert_non_null(hash);
	assert_int_equal(hash - salt, 22); /* 16 bytes, unpadded */
	assert_int_equal(strlen(hash + 1), 43); /* 32 bytes, unpadded */
	assert_null(strchr(salt, '=')); /* no padding */
}

static void
test_salt_changes_hash(void **state)
{
	char a1[PASSWORD_ENCODED_MAX], a2[PASSWORD_ENCODED_MAX];
	char b[PASSWORD_ENCODED_MAX];

	(void)state;
	hash_low(PW, a1);
	hash_low(PW, a2);
	assert_string_equal(a1, a2);
	assert_true(password_hash(PW, salt_b, &low, b, sizeof(b)));
	assert_string_not_equal(a1, b);
	assert_true(password_verify(PW, b));
}

static void
test_default_params(void **state)
{
	char enc[PASSWORD_ENCODED_MAX];

	(void)state;
	assert_true(password_hash(PW, salt_a, NULL, enc, sizeof(enc)));
	assert_int_equal(
	    strncmp(enc, "$argon2id$v=19$m=19456,t=2,p=1$", 31), 0);
	assert_true(password_verify(PW, enc));
	assert_false(password_needs_rehash(enc, NULL));
	assert_false(password_needs_rehash(enc, &PASSWORD_PARAMS_DEFAULT));
}

static void
test_params_read_from_string(void **state)
{
	struct password_params p = {512, 2, 2};
	char                   enc[PASSWORD_ENCODED_MAX];

	(void)state;
	assert_true(password_hash(PW, salt_a, &p, enc, sizeof(enc)));
	assert_non_null(strstr(enc, "$m=512,t=2,p=2$"));
	assert_true(password_verify(PW, enc));
}

static void
test_unicode_password(void **state)
{
	char enc[PASSWORD_ENCODED_MAX];

	(void)state;
	hash_low("mot de passe \xc3\xa9t\xc3\xa9 \xf0\x9f\x94\x91", enc);
	assert_true(password_verify("mot de passe \xc3\xa9t\xc3\xa9 "
				    "\xf0\x9f\x94\x91",
	    enc));
	/* Same letters, other normalisation form: a different password. */
	assert_false(password_verify("mot de passe e\xcc\x81te\xcc\x81 "
				     "\xf0\x9f\x94\x91",
	    enc));
}

static void
test_hash_refuses_bad_params(void **state)
{
	struct password_params p;
	char                   enc[PASSWORD_ENCODED_MAX];

	(void)state;
	p = low;
	p.m_kib = 7;
	assert_false(password_hash(PW, salt_a, &p, enc, sizeof(enc)));
	assert_string_equal(enc, "");
	p = low;
	p.t_cost = 0;
	assert_false(password_hash(PW, salt_a, &p, enc, sizeof(enc)));
	p = low;
	p.parallelism = 0;
	assert_false(password_hash(PW, salt_a, &p, enc, sizeof(enc)));
	p = low;
	p.parallelism = 64;
	assert_false(password_hash(PW, salt_a, &p, enc, sizeof(enc)));
	p = low;
	p.m_kib = PASSWORD_M_MAX + 1;
	assert_false(password_hash(PW, salt_a, &p, enc, sizeof(enc)));
	p = low;
	p.t_cost = PASSWORD_T_MAX + 1;
	assert_false(password_hash(PW, salt_a, &p, enc, sizeof(enc)));
}

static void
test_hash_refuses_bad_input(void **state)
{
	char enc[PASSWORD_ENCODED_MAX], small[40], big[PASSWORD_INPUT_MAX + 2];

	(void)state;
	assert_false(password_hash(NULL, salt_a, &low, enc, sizeof(enc)));
	assert_false(password_hash(PW, NULL, &low, enc, sizeof(enc)));
	assert_false(password_hash(PW, salt_a, &low, NULL, sizeof(enc)));
	assert_false(password_hash(PW, salt_a, &low, enc, 0));
	/* Output buffer too small: refused, left empty, not truncated. */
	memset(small, 'x', sizeof(small));
	assert_false(password_hash(PW, salt_a, &low, small, sizeof(small)));
	assert_string_equal(small, "");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_false(password_hash(big, salt_a, &low, enc, sizeof(enc)));
	big[PASSWORD_INPUT_MAX] = '\0';
	assert_true(password_hash(big, salt_a, &low, enc, sizeof(enc)));
	assert_true(password_verify(big, enc));
}

/* ---- verify refuses what it did not make ----------------------------------- */

static void
test_verify_null_and_empty(void **state)
{
	char enc[PASSWORD_ENCODED_MAX];

	(void)state;
	hash_low(PW, enc);
	assert_false(password_verify(NULL, enc));
	assert_false(password_verify(PW, NULL));
	assert_false(password_verify(PW, ""));
	assert_false(password_verify(PW, "$"));
	assert_false(password_verify(PW, PW));
}

static void
test_verify_other_argon2_types(void **state)
{
	char enc[PASSWORD_ENCODED_MAX];

	(void)state;
	/* A genuine argon2i and argon2d hash of the right password. */
	assert_int_equal(argon2i_hash_encoded(1, 256, 1, PW, strlen(PW), salt_a,
			     sizeof(salt_a), 32, enc, sizeof(enc)),
	    ARGON2_OK);
	assert_false(password_verify(PW, enc));
	assert_true(password_needs_rehash(enc, &low));
	assert_int_equal(argon2d_hash_encoded(1, 256, 1, PW, strlen(PW), salt_a,
			     sizeof(salt_a), 32, enc, sizeof(enc)),
	    ARGON2_OK);
	assert_false(password_verify(PW, enc));
}

static void
test_verify_old_version(void **state)
{
	char enc[PASSWORD_ENCODED_MAX], old[PASSWORD_ENCODED_MAX];

	(void)state;
	hash_low(PW, enc);
	/* Version 0x10 and the pre-version form are not ours. */
	snprintf(old, sizeof(old), "$argon2id$v=16%s", enc + 14);
	assert_false(password_verify(PW, old));
	snprintf(old, sizeof(old), "$argon2id%s", enc + 14);
	assert_false(password_verify(PW, old));
}

static void
test_verify_cost_bombs(void **state)
{
	char  enc[PASSWORD_ENCODED_MAX], bomb[PASSWORD_ENCODED_MAX];
	char *params_end;

	(void)state;
	hash_low(PW, enc);
	params_end = strchr(enc + 15, '$');
	/* Would allocate 4 GiB or loop for hours if tried: refused first. */
	snprintf(bomb, sizeof(bomb), "$argon2id$v=19$m=4194304,t=1,p=1%s",
	    params_end);
	assert_false(password_verify(PW, bomb));
	snprintf(bomb, sizeof(bomb), "$argon2id$v=19$m=256,t=4294967295,p=1%s",
	    params_end);
	assert_false(password_verify(PW, bomb));
	snprintf(bomb, sizeof(bomb), "$argon2id$v=19$m=256,t=1,p=16777215%s",
	    params_end);
	assert_false(password_verify(PW, bomb));
	snprintf(bomb, sizeof(bomb), "$argon2id$v=19$m=99999999999,t=1,p=1%s",
	    params_end);
	assert_false(password_verify(PW, bomb));
}

static void
test_verify_sloppy_numbers(void **state)
{
	char  enc[PASSWORD_ENCODED_MAX], bad[PASSWORD_ENCODED_MAX];
	char *params_end;

	(void)state;
	hash_low(PW, enc);
	params_end = strchr(enc + 15, '$');
	snprintf(
	    bad, sizeof(bad), "$argon2id$v=19$m=0256,t=1,p=1%s", params_end);
	assert_false(password_verify(PW, bad));
	snprintf(
	    bad, sizeof(bad), "$argon2id$v=19$m=+256,t=1,p=1%s", params_end);
	assert_false(password_verify(PW, bad));
	snprintf(
	    bad, sizeof(bad), "$argon2id$v=19$t=1,m=256,p=1%s", params_end);
	assert_false(password_verify(PW, bad));
	snprintf(
	    bad, sizeof(bad), "$argon2id$v=19$m=256,t=1,p=1,x=1%s", params_end);
	assert_false(password_verify(PW, bad));
	/* The untouched string still verifies. */
	snprintf(
	    bad, sizeof(bad), "$argon2id$v=19$m=256,t=1,p=1%s", params_end);
	assert_true(password_verify(PW, bad));
}

static void
test_verify_tampered(void **state)
{
	char   enc[PASSWORD_ENCODED_MAX], bad[PASSWORD_ENCODED_MAX];
	size_t len;

	(void)state;
	hash_low(PW, enc);
	len = strlen(enc);
	/* Last hash character changed. */
	memcpy(bad, enc, len + 1);
	bad[len - 2] = bad[len - 2] == 'A' ? 'B' : 'A';
	assert_false(password_verify(PW, bad));
	/* First salt character changed. */
	memcpy(bad, enc, len + 1);
	bad[29] = bad[29] == 'A' ? 'B' : 'A';
	assert_false(password_verify(PW, bad));
	/* Trailing data, padding, truncated hash, missing hash. */
	snprintf(bad, sizeof(bad), "%s$", enc);
	assert_false(password_verify(PW, bad));
	snprintf(bad, sizeof(bad), "%s=", enc);
	assert_false(password_verify(PW, bad));
	memcpy(bad, enc, len + 1);
	bad[len - 1] = '\0';
	assert_false(password_verify(PW, bad));
	memcpy(bad, enc, len + 1);
	*strrchr(bad, '$') = '\0';
	assert_false(password_verify(PW, bad));
}

static void
test_verify_overlong_string(void **state)
{
	char enc[PASSWORD_ENCODED_MAX], big[PASSWORD_ENCODED_MAX * 2];

	(void)state;
	hash_low(PW, enc);
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, enc, strlen(enc));
	assert_false(password_verify(PW, big));
}

/* ---- rehash ---------------------------------------------------------------- */

static void
test_needs_rehash(void **state)
{
	struct password_params p;
	char                   enc[PASSWORD_ENCODED_MAX];

	(void)state;
	hash_low(PW, enc);
	assert_false(password_needs_rehash(enc, &low));
	assert_true(password_needs_rehash(enc, NULL));
	p = low;
	p.m_kib = 512;
	assert_true(password_needs_rehash(enc, &p));
	p = low;
	p.t_cost = 3;
	assert_true(password_needs_rehash(enc, &p));
	p = low;
	p.parallelism = 2;
	assert_true(password_needs_rehash(enc, &p));
	assert_true(password_needs_rehash("garbage", &low));
	assert_true(password_needs_rehash(NULL, &low));
}

static void
test_needs_rehash_other_sizes(void **state)
{
	char enc[PASSWORD_ENCODED_MAX];

	(void)state;
	/* Right cost, 8-byte salt and 16-byte hash: verifies, rehash due. */
	assert_int_equal(argon2id_hash_encoded(1, 256, 1, PW, strlen(PW),
			     salt_a, 8, 16, enc, sizeof(enc)),
	    ARGON2_OK);
	assert_true(password_verify(PW, enc));
	assert_true(password_needs_rehash(enc, &low));
}

/* ---- policy ---------------------------------------------------------------- */

static void
test_policy_accepts(void **state)
{
	char why[128], max[PASSWORD_MAX_BYTES + 1];

	(void)state;
	assert_true(
	    password_policy_check("twelve chars", EMAIL, why, sizeof(why)));
	assert_string_equal(why, "");
	assert_true(password_policy_check(PW, NULL, why, sizeof(why)));
	assert_true(password_policy_check(PW, "", NULL, 0));
	memset(max, 'z', PASSWORD_MAX_BYTES);
	max[PASSWORD_MAX_BYTES] = '\0';
	assert_true(password_policy_check(max, EMAIL, why, sizeof(why)));
	/* Twelve code points, 24 bytes. */
	assert_true(password_policy_check(
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
	    EMAIL, why, sizeof(why)));
}

static void
test_policy_too_short(void **state)
{
	char why[128];

	(void)state;
	assert_false(
	    password_policy_check("eleven char", EMAIL, why, sizeof(why)));
	assert_non_null(strstr(why, "12"));
	assert_false(password_policy_check("", EMAIL, why, sizeof(why)));
	assert_false(password_policy_check(NULL, EMAIL, why, sizeof(why)));
	/* Twelve bytes, four characters. */
	assert_false(password_policy_check("\xe2\x82\xac\xe2\x82\xac"
					   "\xe2\x82\xac\xe2\x82\xac",
	    EMAIL, why, sizeof(why)));
}

static void
test_policy_too_long(void **state)
{
	char why[128], big[PASSWORD_MAX_BYTES + 2];

	(void)state;
	memset(big, 'z', PASSWORD_MAX_BYTES + 1);
	big[PASSWORD_MAX_BYTES + 1] = '\0';
	assert_false(password_policy_check(big, EMAIL, why, sizeof(why)));
	assert_non_null(strstr(why, "256"));
}

static void
test_policy_bad_utf8(void **state)
{
	static const char *const bad[] = {
	    "password1234\x80", /* lone continuation */
	    "password1234\xc0\xaf", /* overlong '/' */
	    "password1234\xe0\x80\xaf", /* overlong, 3 bytes */
	    "password1234\xf0\x8f\xbf\xbf", /* overlong, 4 bytes */
	    "password1234\xed\xa0\x80", /* surrogate D800 */
	    "password1234\xf4\x90\x80\x80", /* above U+10FFFF */
	    "password1234\xf5\x80\x80\x80", "password1234\xff",
	    "password1234\xc3", /* truncated */
	    "password1234\xe2\x82", /* truncated */
	    "password1234\xc3(", /* bad continuation */
	};
	char   why[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(
		    password_policy_check(bad[i], NULL, why, sizeof(why)));
		assert_non_null(strstr(why, "UTF-8"));
	}
	/* The largest code point and the last before the surrogates pass. */
	assert_true(password_policy_check("password1234\xf4\x8f\xbf\xbf"
					  "\xed\x9f\xbf",
	    NULL, why, sizeof(why)));
}

static void
test_policy_email(void **state)
{
	char why[128];

	(void)state;
	assert_false(password_policy_check(EMAIL, EMAIL, why, sizeof(why)));
	assert_non_null(strstr(why, "email"));
	assert_false(password_policy_check(
	    "alice.martin@example.org", EMAIL, why, sizeof(why)));
	assert_false(password_policy_check(
	    "ALICE.MARTIN@EXAMPLE.ORG", EMAIL, why, sizeof(why)));
}

static void
test_policy_email_local_part(void **state)
{
	char why[128];

	(void)state;
	assert_false(
	    password_policy_check("alice.martin", EMAIL, why, sizeof(why)));
	assert_false(
	    password_policy_check("ALICE.Martin", EMAIL, why, sizeof(why)));
	assert_non_null(strstr(why, "email"));
	/* Longer than the local part is fine. */
	assert_true(
	    password_policy_check("alice.martin!", EMAIL, why, sizeof(why)));
	/* Quoted local part with an '@': the last '@' splits. */
	assert_false(password_policy_check("\"a@b\".twelve!",
	    "\"a@b\".twelve!@example.org", why, sizeof(why)));
}

static void
test_policy_why_optional(void **state)
{
	char tiny[4];

	(void)state;
	assert_false(password_policy_check("short", NULL, NULL, 0));
	assert_false(password_policy_check("short", NULL, tiny, sizeof(tiny)));
	assert_int_equal(strlen(tiny), 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hash_verify),
	    cmocka_unit_test(test_phc_format),
	    cmocka_unit_test(test_salt_changes_hash),
	    cmocka_unit_test(test_default_params),
	    cmocka_unit_test(test_params_read_from_string),
	    cmocka_unit_test(test_unicode_password),
	    cmocka_unit_test(test_hash_refuses_bad_params),
	    cmocka_unit_test(test_hash_refuses_bad_input),
	    cmocka_unit_test(test_verify_null_and_empty),
	    cmocka_unit_test(test_verify_other_argon2_types),
	    cmocka_unit_test(test_verify_old_version),
	    cmocka_unit_test(test_verify_cost_bombs),
	    cmocka_unit_test(test_verify_sloppy_numbers),
	    cmocka_unit_test(test_verify_tampered),
	    cmocka_unit_test(test_verify_overlong_string),
	    cmocka_unit_test(test_needs_rehash),
	    cmocka_unit_test(test_needs_rehash_other_sizes),
	    cmocka_unit_test(test_policy_accepts),
	    cmocka_unit_test(test_policy_too_short),
	    cmocka_unit_test(test_policy_too_long),
	    cmocka_unit_test(test_policy_bad_utf8),
	    cmocka_unit_test(test_policy_email),
	    cmocka_unit_test(test_policy_email_local_part),
	    cmocka_unit_test(test_policy_why_optional),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
