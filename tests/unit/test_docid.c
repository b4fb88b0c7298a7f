/*
 * Stable document ids: fixed vectors, stability, no collisions over many
 * lines, and what source ids are refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/docid.h"

/* Computed independently: base64url(SHA-256("<source>:<seq>")[0:16]). */
static void
test_docid_vectors(void **state)
{
	static const struct {
		const char        *source;
		unsigned long long seq;
		const char        *id;
	} v[] = {
	    {"file-1", 0, "8EgBoMzKjWlAHUxTF7qc2g"},
	    {"file-1", 1, "-3P663gpygSMQtpid2S5Dg"},
	    {"64b7f0c2a1d3e5f708192a3b", 42, "aOisXxQOw-MUtjFMSBDS2Q"},
	    {"x", 18446744073709551615ULL, "Yend96tl6DbiaiRjKX0KEQ"},
	};
	char   id[DOCID_LEN + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_true(docid_make(v[i].source, v[i].seq, id));
		assert_string_equal(id, v[i].id);
	}
}

static void
test_docid_stable_and_safe(void **state)
{
	char   a[DOCID_LEN + 1], b[DOCID_LEN + 1];
	size_t i;

	(void)state;
	assert_true(docid_make("upload:64b7f0c2a1d3e5f708192a3b", 7, a));
	assert_true(docid_make("upload:64b7f0c2a1d3e5f708192a3b", 7, b));
	assert_string_equal(a, b);
	assert_int_equal(strlen(a), DOCID_LEN);
	for (i = 0; i < DOCID_LEN; i++)
		assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "abcdefghijklmnopqrstuvwxyz0123456789-_",
		    a[i]));
	/* The same line number of another source is another document. */
	assert_true(docid_make("upload:64b7f0c2a1d3e5f708192a3c", 7, b));
	assert_string_not_equal(a, b);
	/* "a:1" line 2 and "a" line 12 hash different texts. */
	assert_true(docid_make("a:1", 2, a));
	assert_true(docid_make("a", 12, b));
	assert_string_not_equal(a, b);
}

static int
docid_cmp(const void *x, const void *y)
{
	return (strcmp(x, y));
}

/*
 * 50,000 lines of sources a and b made by make: no two ids alike; with
 * prefix, the ids of a source share their first prefix characters.
 */
static void
docid_assert_distinct(bool (*make)(const char *, unsigned long long, char *),
    const char *a, const char *b, size_t prefix)
{
	enum { LINES = 25000 };
	char(*ids)[DOCID_MAX + 1];
	size_t i;

	ids = calloc(2 * LINES, sizeof(*ids));
	assert_non_null(ids);
	for (i = 0; i < LINES; i++) {
		assert_true(make(a, i, ids[i]));
		assert_true(make(b, i, ids[LINES + i]));
		assert_memory_equal(ids[i], ids[0], prefix);
	}
	qsort(ids, 2 * LINES, sizeof(*ids), docid_cmp);
	for (i = 1; i < 2 * LINES; i++)
		assert_string_not_equal(ids[i - 1], ids[i]);
	free(ids);
}

static void
test_docid_distinct(void **state)
{
	(void)state;
	docid_assert_distinct(docid_make, "file-a", "file-b", 0);
}

static void
test_docid_refused_sources(void **state)
{
	char id[DOCID_LEN + 1], big[DOCID_SOURCE_MAX + 2];

	(void)state;
	strcpy(id, "unchanged");
	assert_false(docid_make(NULL, 1, id));
	assert_string_equal(id, "");
	assert_false(docid_make("", 1, id));
	memset(big, 's', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_false(docid_make(big, 1, id));
	big[DOCID_SOURCE_MAX] = '\0';
	assert_true(docid_make(big, 1, id));
	assert_int_equal(strlen(id), DOCID_LEN);
}

/* Computed independently: base64url(bytes.fromhex(file) + line, 6 bytes BE). */
static void
test_docid_file_line_vectors(void **state)
{
	static const struct {
		const char        *file;
		unsigned long long line;
		const char        *id;
	} v[] = {
	    {"0123456789abcdef01234567", 1, "ASNFZ4mrze8BI0VnAAAAAAAB"},
	    {"64b7f0c2a1d3e5f708192a3b", 42, "ZLfwwqHT5fcIGSo7AAAAAAAq"},
	    {"ffffffffffffffffffffffff", DOCID_FILE_LINES,
		"________________________"},
	    {"000000000000000000000000", 0, "AAAAAAAAAAAAAAAAAAAAAAAA"},
	};
	char   id[DOCID_MAX + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_true(docid_file_line(v[i].file, v[i].line, id));
		assert_string_equal(id, v[i].id);
		assert_int_equal(strlen(id), DOCID_FILE_LEN);
	}
}

/* Lines of two files: all distinct; a file's ids share its prefix. */
static void
test_docid_file_line_distinct(void **state)
{
	(void)state;
	docid_assert_distinct(docid_file_line, "64b7f0c2a1d3e5f708192a3b",
	    "64b7f0c2a1d3e5f708192a3c", 16);
}

static void
test_docid_file_line_refused(void **state)
{
	char id[DOCID_MAX + 1];

	(void)state;
	strcpy(id, "unchanged");
	assert_false(docid_file_line(NULL, 1, id));
	assert_string_equal(id, "");
	assert_false(docid_file_line("", 1, id));
	assert_false(docid_file_line("64b7f0c2a1d3e5f708192a3", 1, id));
	assert_false(docid_file_line("64b7f0c2a1d3e5f708192a3bc", 1, id));
	assert_false(docid_file_line("64B7F0C2A1D3E5F708192A3B", 1, id));
	assert_false(docid_file_line("64b7f0c2a1d3e5f708192a3g", 1, id));
	assert_false(docid_file_line(
	    "64b7f0c2a1d3e5f708192a3b", DOCID_FILE_LINES + 1, id));
	assert_string_equal(id, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_docid_vectors),
	    cmocka_unit_test(test_docid_stable_and_safe),
	    cmocka_unit_test(test_docid_distinct),
	    cmocka_unit_test(test_docid_refused_sources),
	    cmocka_unit_test(test_docid_file_line_vectors),
	    cmocka_unit_test(test_docid_file_line_distinct),
	    cmocka_unit_test(test_docid_file_line_refused),
	};

	return (cmocka_run_group_tests_name("docid", tests, NULL, NULL));
}
