#include <stdio.h>
#include <string.h>

#include "core/trace.h"

static bool     trace_hexfield(const char *, size_t, char *);
static bool     trace_all_zero(const char *);
static unsigned trace_hexval(char);

/*
 * Parses "VV-TRACEID-PARENTID-FLAGS" (version 00 layout; later versions
 * are read the same way, as the spec asks, if they carry at least those
 * fields). Returns false for anything malformed, for version ff and for
 * all-zero ids; the caller then starts a new trace.
 */
bool
trace_parse(const char *h, struct trace_ctx *tc)
{
	char   version[3], flags[3];
	size_t len;

	if (h == NULL)
		return (false);
	len = strlen(h);
	if (len < 55)
		return (false);
	if (!trace_hexfield(h, 2, version) || h[2] != '-')
		return (false);
	if (strcmp(version, "ff") == 0)
		return (false);
	if (strcmp(version, "00") == 0 && len != 55)
		return (false);
	if (len > 55 && h[55] != '-')
		return (false);
	if (!trace_hexfield(h + 3, TRACE_ID_LEN, tc->trace_id) || h[35] != '-')
		return (false);
	if (!trace_hexfield(h + 36, SPAN_ID_LEN, tc->parent_id) || h[52] != '-')
		return (false);
	if (!trace_hexfield(h + 53, 2, flags))
		return (false);
	if (trace_all_zero(tc->trace_id) || trace_all_zero(tc->parent_id))
		return (false);
	tc->flags =
	    (uint8_t)(trace_hexval(flags[0]) << 4 | trace_hexval(flags[1]));
	return (true);
}

/* Value of one lower-case hex digit already checked by trace_hexfield. */
static unsigned
trace_hexval(char c)
{
	return (c <= '9' ? (unsigned)(c - '0') : (unsigned)(c - 'a') + 10u);
}

/* Copies n lower-case hex characters to out (NUL-terminated). */
static bool
trace_hexfield(const char *s, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') ||
			(s[i] >= 'a' && s[i] <= 'f')))
			return (false);
		out[i] = s[i];
	}
	out[n] = '\0';
	return (true);
}

static bool
trace_all_zero(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s != '0')
			return (false);
	}
	return (true);
}

/* Writes len bytes as 2*len hex characters plus a NUL into out. */
void
trace_hex(const uint8_t *bytes, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t            i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

/* Formats the traceparent to send downstream (our span as parent). */
size_t
trace_format(const struct trace_ctx *tc, char *out, size_t len)
{
	int n;

	n = snprintf(
	    out, len, "00-%s-%s-%02x", tc->trace_id, tc->span_id, tc->flags);
	return (n < 0 ? 0 : (size_t)n);
}
