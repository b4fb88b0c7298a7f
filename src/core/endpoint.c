#include <stdlib.h>
#include <string.h>

#include "core/endpoint.h"

static bool
endpoint_copy(char *dst, size_t dstlen, const char *s, size_t len)
{
	if (len >= dstlen)
		return (false);
	memcpy(dst, s, len);
	dst[len] = '\0';
	return (true);
}

/*
 * Splits url into its parts. An IPv6 host is written in brackets, as in
 * redis://[::1]:6379/0. Returns false when any part is malformed.
 */
bool
endpoint_parse(const char *url, int default_port, struct endpoint *ep)
{
	const char *p, *at, *hostend, *slash, *colon;
	char       *end;
	long        port;

	memset(ep, 0, sizeof(*ep));
	if ((p = strstr(url, "://")) == NULL ||
	    !endpoint_copy(
		ep->scheme, sizeof(ep->scheme), url, (size_t)(p - url)) ||
	    p == url)
		return (false);
	p += 3;
	slash = strchr(p, '/');
	if (slash == NULL)
		slash = p + strlen(p);
	at = memchr(p, '@', (size_t)(slash - p));
	if (at != NULL) {
		colon = memchr(p, ':', (size_t)(at - p));
		if (colon != NULL &&
		    !endpoint_copy(ep->password, sizeof(ep->password),
			colon + 1, (size_t)(at - colon - 1)))
			return (false);
		p = at + 1;
	}
	if (*p == '[') {
		if ((hostend = memchr(p, ']', (size_t)(slash - p))) == NULL ||
		    !endpoint_copy(ep->host, sizeof(ep->host), p + 1,
			(size_t)(hostend - p - 1)))
			return (false);
		colon = hostend[1] == ':' ? hostend + 1 : NULL;
	} else {
		colon = memchr(p, ':', (size_t)(slash - p));
		hostend = colon != NULL ? colon : slash;
		if (!endpoint_copy(
			ep->host, sizeof(ep->host), p, (size_t)(hostend - p)))
			return (false);
	}
	if (ep->host[0] == '\0')
		return (false);
	ep->port = default_port;
	if (colon != NULL) {
		port = strtol(colon + 1, &end, 10);
		if (end != slash || port < 1 || port > 65535)
			return (false);
		ep->port = (int)port;
	}
	if (*slash == '/' &&
	    !endpoint_copy(
		ep->path, sizeof(ep->path), slash + 1, strlen(slash + 1)))
		return (false);
	return (true);
}
