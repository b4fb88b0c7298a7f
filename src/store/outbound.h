/*
 * Outbound HTTP to user-supplied URLs (webhooks), guarded against
 * server-side request forgery: http and https only, no redirects, no
 * proxy, and every address curl is about to connect to is checked with
 * netguard_allowed() in curl's open-socket callback, after resolution,
 * so a name that resolves (or rebinds) to a refused address is never
 * connected to. Calls block: run them in the worker.
 */
#ifndef VIGIE_STORE_OUTBOUND_H
#define VIGIE_STORE_OUTBOUND_H

#include <stdbool.h>
#include <stddef.h>

#include "core/netguard.h"

#define OUTBOUND_RESPONSE_MAX 512

struct outbound_request {
	const char                  *url;
	const char *const           *headers; /* "Name: value", NULL-ended */
	const char                  *body;
	size_t                       body_len;
	long                         timeout_ms;
	const struct netguard_cidrs *allow; /* may be NULL */
};

struct outbound_result {
	long status; /* HTTP status; 0 when none came */
	bool refused; /* the guard refused the URL or every address */
	char error[256]; /* why, when status is not 2xx */
	char response[OUTBOUND_RESPONSE_MAX]; /* start of the answer */
};

/* POSTs the body. True on a 2xx answer; otherwise r says what happened. */
bool outbound_post(const struct outbound_request *, struct outbound_result *r);

#endif
