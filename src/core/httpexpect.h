/*
 * "Expect: 100-continue" (RFC 9110, 10.1.1): when a server answers it.
 */
#ifndef VIGIE_CORE_HTTPEXPECT_H
#define VIGIE_CORE_HTTPEXPECT_H

#include <stdbool.h>
#include <stddef.h>

/* What the server knows of a request whose headers are in. */
struct httpexpect_req {
	const char *expect; /* the Expect header's value, or NULL */
	bool        http11; /* HTTP/1.1 (1.0 clients get no 1xx) */
	bool        body_pending; /* a body is announced and still expected */
	size_t      body_length; /* Content-Length */
	size_t      body_left; /* bytes of it not received yet */
	bool        first; /* no earlier request of the connection is open */
};

bool httpexpect_is_continue(const char *value);
bool httpexpect_should_continue(const struct httpexpect_req *);

#endif
