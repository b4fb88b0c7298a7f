#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <curl/curl.h>

#include "store/outbound.h"

/* What the open-socket callback needs and reports. */
struct outbound_guard {
	const struct netguard_cidrs *allow;
	bool                         refused;
	char                         why[200];
};

struct outbound_sink {
	char  *data;
	size_t len;
};

/*
 * curl calls this with each address it is about to connect to. Refusing
 * returns CURL_SOCKET_BAD: curl then tries the next address, or fails
 * with CURLE_COULDNT_CONNECT.
 */
static curl_socket_t
outbound_open(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct outbound_guard *g = arg;
	struct netguard_addr   na;

	memset(&na, 0, sizeof(na));
	if (purpose != CURLSOCKTYPE_IPCXN)
		na.family = 0;
	else if (a->family == AF_INET &&
	    a->addrlen >= sizeof(struct sockaddr_in)) {
		na.family = 4;
		memcpy(na.b, &((struct sockaddr_in *)&a->addr)->sin_addr, 4);
	} else if (a->family == AF_INET6 &&
	    a->addrlen >= sizeof(struct sockaddr_in6)) {
		na.family = 6;
		memcpy(na.b, &((struct sockaddr_in6 *)&a->addr)->sin6_addr, 16);
	}
	if (na.family == 0) {
		g->refused = true;
		snprintf(g->why, sizeof(g->why), "unsupported socket");
		return (CURL_SOCKET_BAD);
	}
	if (!netguard_allowed(g->allow, &na, g->why, sizeof(g->why))) {
		g->refused = true;
		return (CURL_SOCKET_BAD);
	}
	return (socket(a->family, a->socktype, a->protocol));
}

static size_t
outbound_write(char *data, size_t size, size_t n, void *arg)
{
	struct outbound_sink *s = arg;
	size_t                room, take;

	room = OUTBOUND_RESPONSE_MAX - 1 - s->len;
	take = size * n < room ? size * n : room;
	memcpy(s->data + s->len, data, take);
	s->len += take;
	s->data[s->len] = '\0';
	return (size * n);
}

static void
outbound_options(CURL *c, const struct outbound_request *rq,
    struct curl_slist *headers, struct outbound_guard *g,
    struct outbound_sink *sink)
{
	curl_easy_setopt(c, CURLOPT_URL, rq->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROXY, ""); /* ignore *_proxy variables */
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, rq->timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, rq->timeout_ms);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, outbound_open);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, g);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body);
	curl_easy_setopt(
	    c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, outbound_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, sink);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "Vigie-Notify/1");
}

bool
outbound_post(const struct outbound_request *rq, struct outbound_result *r)
{
	struct outbound_guard g;
	struct outbound_sink  sink;
	struct curl_slist    *headers, *h;
	CURLcode              rc;
	CURL                 *c;
	size_t                i;

	memset(r, 0, sizeof(*r));
	memset(&g, 0, sizeof(g));
	g.allow = rq->allow;
	if (!netguard_url_check(
		rq->url, rq->allow, NULL, g.why, sizeof(g.why))) {
		r->refused = true;
		snprintf(r->error, sizeof(r->error), "refused: %s", g.why);
		return (false);
	}
	if ((c = curl_easy_init()) == NULL) {
		snprintf(r->error, sizeof(r->error), "curl_easy_init failed");
		return (false);
	}
	headers = curl_slist_append(NULL, "Content-Type: application/json");
	headers = curl_slist_append(headers, "Expect:");
	for (i = 0;
	     headers != NULL && rq->headers != NULL && rq->headers[i] != NULL;
	     i++)
		if ((h = curl_slist_append(headers, rq->headers[i])) != NULL)
			headers = h;
	sink.data = r->response;
	sink.len = 0;
	outbound_options(c, rq, headers, &g, &sink);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_cleanup(c);
	curl_slist_free_all(headers);
	if (g.refused && rc != CURLE_OK) {
		r->refused = true;
		snprintf(r->error, sizeof(r->error), "refused: %s", g.why);
		return (false);
	}
	if (rc != CURLE_OK) {
		snprintf(
		    r->error, sizeof(r->error), "%s", curl_easy_strerror(rc));
		return (false);
	}
	if (r->status < 200 || r->status > 299) {
		snprintf(r->error, sizeof(r->error), "HTTP %ld", r->status);
		return (false);
	}
	return (true);
}
