#include <strings.h>

#include "core/httpexpect.h"

/*
 * Whether an Expect value is "100-continue": the token is
 * case-insensitive and may have spaces or tabs around it.
 */
bool
httpexpect_is_continue(const char *value)
{
	static const char token[] = "100-continue";
	const char       *end;

	if (value == NULL)
		return (false);
	while (*value == ' ' || *value == '\t')
		value++;
	if (strncasecmp(value, token, sizeof(token) - 1) != 0)
		return (false);
	for (end = value + sizeof(token) - 1; *end == ' ' || *end == '\t';)
		end++;
	return (*end == '\0');
}

/*
 * Whether to send "100 Continue" now: an HTTP/1.1 request asking for
 * it, whose body is announced and has not started (a client that did
 * not wait needs no answer), and which is the oldest open request of its
 * connection (an interim answer must not overtake the final answer of
 * an earlier, pipelined request).
 */
bool
httpexpect_should_continue(const struct httpexpect_req *r)
{
	return (r->http11 && r->body_pending && r->body_length > 0 &&
	    r->body_left == r->body_length && r->first &&
	    httpexpect_is_continue(r->expect));
}
