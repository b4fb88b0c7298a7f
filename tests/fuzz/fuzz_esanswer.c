/*
 * libFuzzer target: the search answer written from an Elasticsearch
 * _search reply (core/search_answer.c). Whatever the bytes, the reply is
 * refused, or the answer written is valid JSON that jansson reads, with
 * the total the scanner returned; and the scanner's validity check
 * agrees with jansson's on objects and arrays (but for numbers jansson
 * cannot hold).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/search_answer.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf   out;
	json_error_t jerr;
	json_t      *doc;
	long long    total;
	bool         valid;

	buf_init(&out, 256);
	if (search_answer_from_es(
		(const char *)data, size, 3, 20, &out, &total)) {
		doc = json_loadb(out.data, out.len, JSON_ALLOW_NUL, &jerr);
		if (doc == NULL
			? json_error_code(&jerr) != json_error_numeric_overflow
			: json_integer_value(json_object_get(doc, "total")) !=
			    total)
			abort();
		json_decref(doc);
	}
	buf_free(&out);
	/* Where jansson has no quirk of its own to differ on: escapes, a
	 * NUL byte (the end of the text for it), and numbers beyond 64 bits
	 * or a double, which it refuses and the scanner copies. */
	if (size > 0 && (data[0] == '{' || data[0] == '[') &&
	    memchr(data, '\\', size) == NULL && memchr(data, 0, size) == NULL) {
		valid = search_answer_json_valid((const char *)data, size);
		doc = json_loadb((const char *)data, size, 0, &jerr);
		if (doc != NULL ? !valid
				: valid &&
			    json_error_code(&jerr) !=
				json_error_numeric_overflow)
			abort();
		json_decref(doc);
	}
	return (0);
}
