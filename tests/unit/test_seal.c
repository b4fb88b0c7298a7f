/*
 * Sealed secrets: they open with the key and organization they were
 * sealed for, and with nothing else; any altered byte is refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/seal.h"

static const unsigned char nonce[SEAL_NONCE_LEN] = {
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

static void
test_seal_roundtrip(void **state)
{
	unsigned char key[SEAL_KEY_LEN];
	char          sealed[SEAL_TEXT_LEN(64)], plain[128];
	const char *secret = "whsec_0123456789abcdefghijklmnopqrstuvwxyzABCDEF";

	(void)state;
	seal_key_derive("a platform secret of at least 32 bytes", key);
	assert_true(
	    seal_text(key, nonce, "tenant-a", secret, sealed, sizeof(sealed)));
	assert_true(seal_is_sealed(sealed));
	assert_null(strstr(sealed, "whsec_"));
	assert_int_equal(strlen(sealed),
	    strlen(SEAL_PREFIX) +
		2 * (SEAL_NONCE_LEN + strlen(secret) + SEAL_TAG_LEN));
	assert_true(seal_open(key, "tenant-a", sealed, plain, sizeof(plain)));
	assert_string_equal(plain, secret);
	/* Another organization, another key: refused. */
	assert_false(seal_open(key, "tenant-b", sealed, plain, sizeof(plain)));
	seal_key_derive("another platform secret of 32 bytes...", key);
	assert_false(seal_open(key, "tenant-a", sealed, plain, sizeof(plain)));
}

static void
test_seal_refuses_altered_or_foreign_text(void **state)
{
	unsigned char key[SEAL_KEY_LEN];
	char          sealed[SEAL_TEXT_LEN(16)], bad[SEAL_TEXT_LEN(16)];
	char          plain[64];
	size_t        i;

	(void)state;
	seal_key_derive("a platform secret of at least 32 bytes", key);
	assert_true(seal_text(
	    key, nonce, "t", "0123456789abcdef", sealed, sizeof(sealed)));
	for (i = strlen(SEAL_PREFIX); i < strlen(sealed); i++) {
		memcpy(bad, sealed, sizeof(bad));
		bad[i] = bad[i] == '0' ? '1' : '0';
		assert_false(seal_open(key, "t", bad, plain, sizeof(plain)));
	}
	memcpy(bad, sealed, sizeof(bad));
	bad[strlen(bad) - 2] = '\0'; /* one byte short */
	assert_false(seal_open(key, "t", bad, plain, sizeof(plain)));
	assert_false(seal_open(key, "t", "whsec_plain", plain, sizeof(plain)));
	assert_false(seal_open(key, "t", "sealed:v1:zz", plain, sizeof(plain)));
	assert_false(seal_open(key, "t", "sealed:v1:", plain, sizeof(plain)));
	/* Too small a buffer, either way. */
	assert_false(seal_open(key, "t", sealed, plain, 16));
	assert_false(seal_text(key, nonce, "t", "0123456789abcdef", bad, 20));
	assert_false(seal_is_sealed("sealed:v2:00"));
	assert_false(seal_is_sealed(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_seal_roundtrip),
	    cmocka_unit_test(test_seal_refuses_altered_or_foreign_text),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
