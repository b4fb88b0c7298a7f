/*
 * W3C Trace Context (traceparent header) parsing and formatting.
 * A trace id is 32 lower-case hex characters, a span id 16.
 */
#ifndef VIGIE_CORE_TRACE_H
#define VIGIE_CORE_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRACE_ID_LEN 32
#define SPAN_ID_LEN  16

struct trace_ctx {
	char    trace_id[TRACE_ID_LEN + 1];
	char    parent_id[SPAN_ID_LEN + 1];
	char    span_id[SPAN_ID_LEN + 1];
	uint8_t flags;
};

bool   trace_parse(const char *header, struct trace_ctx *);
void   trace_hex(const uint8_t *, size_t, char *);
size_t trace_format(const struct trace_ctx *, char *, size_t);

#endif
