/*
 * Streaming checks of uploaded text: fed chunk by chunk, it counts lines
 * and finds the first NUL byte (binary content) or the first byte that is
 * not valid UTF-8, with its line and column, whatever the chunk borders.
 */
#ifndef VIGIE_CORE_TEXTCHECK_H
#define VIGIE_CORE_TEXTCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum textcheck_verdict {
	TEXTCHECK_OK = 0,
	TEXTCHECK_BINARY, /* a NUL byte */
	TEXTCHECK_BAD_UTF8,
};

struct textcheck {
	enum textcheck_verdict verdict;
	uint64_t               bytes;
	uint64_t               lines; /* complete lines so far */
	uint64_t               bad_line; /* 1-based, where verdict was set */
	uint64_t               bad_col; /* 1-based byte column */
	uint64_t               col; /* bytes since the last newline */
	int                    need; /* continuation bytes still expected */
	uint32_t               cp; /* code point being decoded */
	int                    seqlen; /* length of the current sequence */
};

void     textcheck_init(struct textcheck *);
bool     textcheck_feed(struct textcheck *, const unsigned char *, size_t);
bool     textcheck_finish(struct textcheck *);
uint64_t textcheck_lines(const struct textcheck *);

#endif
