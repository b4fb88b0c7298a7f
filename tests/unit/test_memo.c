/*
 * The memo: what was put comes back under the same bytes only, a longer
 * key than allowed is never kept, and a colliding key replaces the old.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/memo.h"

struct value {
	int  n;
	char text[16];
};

static void
test_memo_get_put(void **state)
{
	struct memo        *m;
	struct value        v = {7, "seven"};
	const struct value *got;

	(void)state;
	m = memo_new(16, 32, sizeof(v));
	assert_null(memo_get(m, "a", 1));
	assert_true(memo_put(m, "a", 1, &v));
	got = memo_get(m, "a", 1);
	assert_non_null(got);
	assert_int_equal(got->n, 7);
	assert_string_equal(got->text, "seven");
	/* A prefix, a longer key or other bytes are other keys. */
	assert_null(memo_get(m, "ab", 2));
	assert_null(memo_get(m, "b", 1));
	assert_null(memo_get(m, "", 0));
	/* The value is a copy. */
	v.n = 8;
	assert_int_equal(((const struct value *)memo_get(m, "a", 1))->n, 7);
	assert_true(memo_put(m, "a", 1, &v));
	assert_int_equal(((const struct value *)memo_get(m, "a", 1))->n, 8);
	memo_free(m);
}

static void
test_memo_limits(void **state)
{
	char         key[64];
	struct memo *m;
	int          v = 1, i, kept;

	(void)state;
	m = memo_new(5, 8, sizeof(v)); /* 8 slots */
	assert_false(memo_put(m, "123456789", 9, &v));
	assert_null(memo_get(m, "123456789", 9));
	assert_true(memo_put(m, "12345678", 8, &v));
	assert_non_null(memo_get(m, "12345678", 8));
	/* 100 keys in 8 slots: at most 8 are kept, each with its value. */
	for (i = 0; i < 100; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_true(memo_put(m, key, strlen(key), &i));
	}
	kept = 0;
	for (i = 0; i < 100; i++) {
		const int *got;
		snprintf(key, sizeof(key), "k%d", i);
		if ((got = memo_get(m, key, strlen(key))) != NULL) {
			assert_int_equal(*got, i);
			kept++;
		}
	}
	assert_true(kept >= 1 && kept <= 8);
	memo_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_memo_get_put),
	    cmocka_unit_test(test_memo_limits),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
