/*
 * "Expect: 100-continue": which values ask for it, and which requests
 * get the interim answer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/httpexpect.h"

static void
test_httpexpect_values(void **state)
{
	(void)state;
	assert_true(httpexpect_is_continue("100-continue"));
	assert_true(httpexpect_is_continue("100-Continue"));
	assert_true(httpexpect_is_continue(" \t100-CONTINUE \t"));
	assert_false(httpexpect_is_continue(NULL));
	assert_false(httpexpect_is_continue(""));
	assert_false(httpexpect_is_continue("100"));
	assert_false(httpexpect_is_continue("100-continued"));
	assert_false(httpexpect_is_continue("100-continue, x"));
	assert_false(httpexpect_is_continue("200-continue"));
}

/* A request that should be answered: each field changed in turn is not. */
static void
test_httpexpect_requests(void **state)
{
	struct httpexpect_req r,
	    base = {"100-continue", true, true, 5000000, 5000000, true};

	(void)state;
	r = base;
	assert_true(httpexpect_should_continue(&r));
	r = base;
	r.http11 = false;
	assert_false(httpexpect_should_continue(&r));
	r = base;
	r.body_pending = false;
	assert_false(httpexpect_should_continue(&r));
	r = base;
	r.body_left = base.body_length - 1; /* the client did not wait */
	assert_false(httpexpect_should_continue(&r));
	r = base;
	r.body_length = r.body_left = 0;
	assert_false(httpexpect_should_continue(&r));
	r = base;
	r.first = false; /* behind a pipelined request */
	assert_false(httpexpect_should_continue(&r));
	r = base;
	r.expect = NULL;
	assert_false(httpexpect_should_continue(&r));
	r = base;
	r.expect = "something-else";
	assert_false(httpexpect_should_continue(&r));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_httpexpect_values),
	    cmocka_unit_test(test_httpexpect_requests),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
