/*
 * The fields closing an uploaded line's document: the same bytes as the
 * printf they replace, and what is refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/updoc.h"

#define ID   "64b7f0c2a1d3e5f708192a3b"
#define WHEN "2026-11-21T10:00:00Z"

/* What ingest_record() wrote with buf_appendf() before. */
static void
reference(struct buf *b, const char *doc, long line)
{
	buf_reset(b);
	buf_appends(b, doc);
	b->len--;
	buf_appendf(b,
	    "%s\"vigie.file_id\":\"%s\",\"vigie.line\":%ld,"
	    "\"vigie.ingest_source\":\"upload\",\"vigie.received_at\":\"%s\"}",
	    b->len > 1 ? "," : "", ID, line, WHEN);
}

static void
test_updoc_same_bytes(void **state)
{
	static const char *docs[] = {
	    "{}", "{\"message\":\"GET / 200\"}", "{\"a\":{\"b\":1}}"};
	static const long lines[] = {
	    0, 1, 9, 10, 12345, 2147483648L, 9223372036854775807L, -1, -42};
	struct updoc u;
	struct buf   got, want;
	size_t       i, j;

	(void)state;
	assert_true(updoc_init(&u, ID, WHEN));
	buf_init(&got, 16);
	buf_init(&want, 16);
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		for (j = 0; j < sizeof(lines) / sizeof(lines[0]); j++) {
			buf_reset(&got);
			buf_appends(&got, docs[i]);
			assert_true(updoc_close(&u, &got, lines[j]));
			reference(&want, docs[i], lines[j]);
			assert_int_equal(got.len, want.len);
			assert_string_equal(got.data, want.data);
		}
	}
	buf_free(&got);
	buf_free(&want);
}

static void
test_updoc_refused(void **state)
{
	struct updoc u;
	struct buf   b;
	char         big[UPDOC_ID_MAX + 2];

	(void)state;
	assert_false(updoc_init(&u, NULL, WHEN));
	assert_false(updoc_init(&u, ID, NULL));
	assert_false(updoc_init(&u, "", WHEN));
	assert_false(updoc_init(&u, "a\"b", WHEN));
	assert_false(updoc_init(&u, ID, "x\\y"));
	assert_false(updoc_init(&u, ID, "x\ny"));
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_false(updoc_init(&u, big, WHEN));
	big[UPDOC_ID_MAX] = '\0';
	assert_true(updoc_init(&u, big, WHEN));
	/* Not an object: left as it was. */
	assert_true(updoc_init(&u, ID, WHEN));
	buf_init(&b, 16);
	buf_appends(&b, "[1]");
	assert_false(updoc_close(&u, &b, 1));
	assert_string_equal(b.data, "[1]");
	buf_reset(&b);
	buf_appends(&b, "}");
	assert_false(updoc_close(&u, &b, 1));
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_updoc_same_bytes),
	    cmocka_unit_test(test_updoc_refused),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
