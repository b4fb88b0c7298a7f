/*
 * libFuzzer target: the JSON parser, differential. Every input is parsed
 * twice, through the fast path (parse_json_flat.c) and through jansson
 * alone (json_reference); both must give the same records and errors, in
 * the same order.
 */
#include "fuzz_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *fast, *ref;

	fast = json_array();
	ref = json_array();
	fuzz_parse(LOG_FORMAT_JSON, data, size, false, fast);
	fuzz_parse(LOG_FORMAT_JSON, data, size, true, ref);
	if (!json_equal(fast, ref)) {
		char *a = json_dumps(fast, JSON_INDENT(1) | JSON_SORT_KEYS);
		char *b = json_dumps(ref, JSON_INDENT(1) | JSON_SORT_KEYS);

		fprintf(stderr, "fast path:\n%s\njansson path:\n%s\n", a, b);
		abort();
	}
	json_decref(fast);
	json_decref(ref);
	return (0);
}
