/*
 * libFuzzer target: format detection on the input, then a parse of the
 * input with whatever format was detected (so the Apache error and plain
 * parsers are fuzzed here too). Detection must always decide or give a
 * reason, and a format it accepts must be one the parsers know.
 */
#include "fuzz_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct logdetect d;
	bool             more;

	if (size == 0)
		return (0);
	more = data[0] & 1;
	if (!logdetect((const char *)data + 1, size - 1, more,
		LOG_FORMAT_UNKNOWN, &d)) {
		if (d.reason[0] == '\0')
			abort();
		return (0);
	}
	if (d.format == LOG_FORMAT_UNKNOWN || d.reason[0] == '\0')
		abort();
	fuzz_parse(d.format, data, size, false, NULL);
	if (d.format != LOG_FORMAT_APACHE_ERROR && d.format != LOG_FORMAT_PLAIN)
		fuzz_parse(
		    data[0] & 2 ? LOG_FORMAT_APACHE_ERROR : LOG_FORMAT_PLAIN,
		    data, size, false, NULL);
	return (0);
}
