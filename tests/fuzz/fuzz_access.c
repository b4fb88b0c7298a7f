/* libFuzzer target: the access parser (see fuzz_parse.h). */
#include "fuzz_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_parse(LOG_FORMAT_ACCESS, data, size, false, NULL);
	return (0);
}
