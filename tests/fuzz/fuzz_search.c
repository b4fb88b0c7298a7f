/*
 * libFuzzer target: the free-text search parser (search_text_parse) and
 * the whole query built from it. Whatever the bytes, the parser either
 * refuses them with a message or returns a query object that jansson can
 * serialise; it never crashes, leaks or reads out of bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/search_query.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct search_filters f;
	struct search_error   err;
	json_t               *q;
	char                  text[SEARCH_Q_MAX + 1];
	char                 *dump;

	q = search_text_parse((const char *)data, size, &err);
	if (q == NULL) {
		if (err.message[0] == '\0' || strcmp(err.field, "q") != 0)
			abort(); /* a refusal always says why */
	} else {
		if ((dump = json_dumps(q, JSON_COMPACT)) == NULL)
			abort();
		free(dump);
		json_decref(q);
	}
	/* The same text through the full builder, as a C string. */
	if (size <= SEARCH_Q_MAX && memchr(data, '\0', size) == NULL) {
		memcpy(text, data, size);
		text[size] = '\0';
		search_filters_init(&f);
		f.levels = SEARCH_LEVELS_ERRORS;
		json_decref(search_query_build(text, &f, &err));
	}
	return (0);
}
