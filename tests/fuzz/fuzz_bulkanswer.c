/*
 * libFuzzer target: reading Elasticsearch's _bulk answers. The usual
 * all-indexed answer is counted by a shortcut (bulk_response_clean in
 * src/core/bulk.c) instead of jansson; a space after the opening brace
 * changes nothing for JSON but sends the same answer down the jansson
 * path. Both readings must agree: read or not, the same counts. Also the
 * "Expect" header check (src/core/httpexpect.c), on the same bytes.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/bulk.h"
#include "core/httpexpect.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_expect(const char *text)
{
	struct httpexpect_req r = {text, true, true, 10, 10, true};

	if (httpexpect_should_continue(&r) != httpexpect_is_continue(text))
		abort();
	r.first = false;
	if (httpexpect_should_continue(&r))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bulk_outcome a, b;
	char               *text, *spaced;
	bool                ra, rb;

	if (size > 1 << 20)
		return (0);
	text = malloc(size + 1);
	spaced = malloc(size + 2);
	if (text == NULL || spaced == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	fuzz_expect(text);
	ra = bulk_response_read(text, size, &a);
	if (size > 0 && text[0] == '{') {
		spaced[0] = '{';
		spaced[1] = ' ';
		memcpy(spaced + 2, text + 1, size - 1);
		rb = bulk_response_read(spaced, size + 1, &b);
		if (ra != rb ||
		    (ra &&
			(a.n != b.n || a.ok != b.ok || a.retry != b.retry ||
			    a.rejected != b.rejected || a.errors != b.errors)))
			abort();
		bulk_outcome_free(&b);
	}
	if (ra && a.ok + a.retry + a.rejected != a.n)
		abort();
	bulk_outcome_free(&a);
	free(text);
	free(spaced);
	return (0);
}
