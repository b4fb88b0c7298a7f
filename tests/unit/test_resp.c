/* RESP requests: the exact bytes Redis expects, binary-safe. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/resp.h"

static void
test_resp_command(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	resp_array(&b, 4);
	resp_str(&b, "SET");
	resp_bulk(&b, "a\r\nb\0c", 6);
	resp_num(&b, 0);
	resp_num(&b, -1234567890123LL);
	assert_int_equal(b.len,
	    strlen("*4\r\n$3\r\nSET\r\n$6\r\n") + 6 +
		strlen("\r\n$1\r\n0\r\n$14\r\n-1234567890123\r\n"));
	assert_memory_equal(b.data,
	    "*4\r\n$3\r\nSET\r\n$6\r\na\r\nb\0c\r\n$1\r\n0\r\n"
	    "$14\r\n-1234567890123\r\n",
	    b.len);
	buf_reset(&b);
	resp_array(&b, 0);
	resp_str(&b, "");
	resp_num(&b, 9223372036854775807LL);
	assert_memory_equal(
	    b.data, "*0\r\n$0\r\n\r\n$19\r\n9223372036854775807\r\n", b.len);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_resp_command),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
