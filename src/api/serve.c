#include <arpa/inet.h>

#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/auth.h"
#include "api/fast.h"
#include "api/search_loop.h"
#include "api/serve.h"
#include "api/usage.h"
#include "common/log.h"
#include "core/mem.h"
#include "core/query.h"
#include "core/text.h"
#include "store/metadb.h"

static void
serve_work_free(void *arg)
{
	struct api_work *w = arg;

	fast_forget(w);
	search_loop_forget(w);
	if (w->body_fd != -1)
		close(w->body_fd);
	if (w->file_fd != -1)
		close(w->file_fd);
	json_decref(w->query);
	json_decref(w->json);
	json_decref(w->resp);
	buf_free(&w->body);
	buf_free(&w->raw);
	mem_free(w);
}

/* True when ip is one of the comma-separated addresses of list. */
static bool
serve_ip_listed(const char *list, const char *ip)
{
	const char *p, *comma;
	size_t      len, iplen;

	iplen = strlen(ip);
	for (p = list; *p != '\0'; p = *comma == ',' ? comma + 1 : comma) {
		while (*p == ' ')
			p++;
		comma = strchr(p, ',');
		if (comma == NULL)
			comma = p + strlen(p);
		len = (size_t)(comma - p);
		while (len > 0 && p[len - 1] == ' ')
			len--;
		if (len == iplen && strncmp(p, ip, len) == 0)
			return (true);
	}
	return (false);
}

/*
 * The client's address: the peer's, or, when the peer is a trusted proxy,
 * the last address of X-Forwarded-For (the one that proxy added).
 */
static void
serve_client_ip(struct http_request *req, char *out, size_t len)
{
	struct connection *c = req->owner;
	const char        *xff, *last;
	unsigned char      probe[sizeof(struct in6_addr)];
	char               candidate[64];

	out[0] = '\0';
	if (c == NULL)
		return;
	if (c->family == AF_INET)
		inet_ntop(AF_INET, &c->addr.ipv4.sin_addr, out, len);
	else if (c->family == AF_INET6)
		inet_ntop(AF_INET6, &c->addr.ipv6.sin6_addr, out, len);
	if (api_settings->trusted_proxies[0] == '\0' ||
	    !serve_ip_listed(api_settings->trusted_proxies, out) ||
	    !http_request_header(req, "x-forwarded-for", &xff))
		return;
	last = strrchr(xff, ',');
	last = last != NULL ? last + 1 : xff;
	while (*last == ' ')
		last++;
	snprintf(candidate, sizeof(candidate), "%s", last);
	candidate[strcspn(candidate, " ")] = '\0';
	if (inet_pton(AF_INET, candidate, probe) == 1 ||
	    inet_pton(AF_INET6, candidate, probe) == 1)
		snprintf(out, len, "%s", candidate);
}

/*
 * Kore compiles route patterns with REG_NOSUB, so it keeps no capture
 * groups: each worker compiles the patterns of its routes once more, with
 * groups, on first use (event loop only, so no locking).
 */
#define SERVE_PATTERNS_MAX 64

static struct {
	const struct kore_module_handle *hdlr;
	regex_t                          re;
	bool                             ok;
} serve_patterns[SERVE_PATTERNS_MAX];
static int serve_npatterns;

static regex_t *
serve_pattern(const struct kore_module_handle *hdlr)
{
	int i;

	for (i = 0; i < serve_npatterns; i++) {
		if (serve_patterns[i].hdlr == hdlr)
			return (serve_patterns[i].ok ? &serve_patterns[i].re
						     : NULL);
	}
	if (serve_npatterns == SERVE_PATTERNS_MAX)
		return (NULL);
	serve_patterns[i].hdlr = hdlr;
	serve_patterns[i].ok =
	    regcomp(&serve_patterns[i].re, hdlr->path, REG_EXTENDED) == 0;
	serve_npatterns++;
	return (serve_patterns[i].ok ? &serve_patterns[i].re : NULL);
}

/* Copies the route's capture groups (the path's variable parts). */
static void
serve_captures(struct http_request *req, struct api_work *w)
{
	regmatch_t m[API_CAPTURES + 1];
	regex_t   *re;
	size_t     len;
	int        i;

	if (req->hdlr == NULL || req->hdlr->type != HANDLER_TYPE_DYNAMIC ||
	    (re = serve_pattern(req->hdlr)) == NULL ||
	    regexec(re, req->path, API_CAPTURES + 1, m, 0) != 0)
		return;
	for (i = 1; i <= API_CAPTURES; i++) {
		if (m[i].rm_so < 0 || m[i].rm_eo < m[i].rm_so)
			break;
		len = (size_t)(m[i].rm_eo - m[i].rm_so);
		if (len >= API_CAPTURE_MAX)
			len = API_CAPTURE_MAX - 1;
		memcpy(w->capture[w->ncaptures], req->path + m[i].rm_so, len);
		w->capture[w->ncaptures++][len] = '\0';
	}
}

/* Reads the body, refusing more than max bytes. */
static bool
serve_read_body(struct http_request *req, struct api_work *w, size_t max)
{
	char    chunk[16384];
	ssize_t n;

	buf_init(&w->body, 1024);
	for (;;) {
		n = http_body_read(req, chunk, sizeof(chunk));
		if (n == -1)
			return (false);
		if (n == 0)
			break;
		if (w->body.len + (size_t)n > max) {
			api_respond_error(req,
			    HTTP_STATUS_REQUEST_ENTITY_TOO_LARGE,
			    "payload_too_large",
			    "the body is larger than %zu bytes", max);
			return (false);
		}
		buf_append(&w->body, chunk, (size_t)n);
	}
	return (true);
}

/*
 * Copies out of the request everything the work may need. Returns false
 * after answering when the request is refused before any work.
 */
static bool
serve_copy_request(struct http_request *req, struct api_work *w)
{
	const char  *value;
	json_error_t jerr;
	char         why[160];

	w->method = req->method;
	snprintf(w->path, sizeof(w->path), "%s", req->path);
	serve_captures(req, w);
	if (w->query == NULL &&
	    (w->query = query_parse(req->query_string, why, sizeof(why))) ==
		NULL) {
		api_respond_error(
		    req, HTTP_STATUS_BAD_REQUEST, "invalid_query", "%s", why);
		return (false);
	}
	if (w->ep->raw_body && w->ep->body_max != 0 &&
	    req->http_body_length > w->ep->body_max) {
		api_respond_error(req, HTTP_STATUS_REQUEST_ENTITY_TOO_LARGE,
		    "payload_too_large", "the body is larger than %zu bytes",
		    w->ep->body_max);
		return (false);
	}
	if (w->ep->raw_body && req->http_body_fd != -1) {
		/* Spooled to disk by Kore: the work reads its own copy of the
		 * descriptor; Kore still removes the file with the request. */
		if ((w->body_fd = dup(req->http_body_fd)) == -1) {
			api_respond_error(req, HTTP_STATUS_INTERNAL_ERROR,
			    "internal_error", "the body could not be read");
			return (false);
		}
		w->body_length = req->http_body_length;
		/* The upload may link it instead of copying it. */
		if (req->http_body_path != NULL)
			snprintf(w->body_path, sizeof(w->body_path), "%s",
			    req->http_body_path);
	} else if (!serve_read_body(req, w,
		       w->ep->body_max != 0  ? w->ep->body_max
			   : w->ep->raw_body ? http_body_max
					     : API_BODY_DEFAULT)) {
		if (req->status == 0)
			api_respond_error(req, HTTP_STATUS_BAD_REQUEST,
			    "invalid_body", "the body could not be read");
		return (false);
	}
	/* Kore hashed the body as it arrived (complete by now). */
	if (w->ep->raw_body)
		memcpy(w->body_sha256, req->http_body_digest,
		    sizeof(w->body_sha256));
	if (!w->ep->raw_body && w->body.len > 0) {
		w->json = json_loadb(
		    w->body.data, w->body.len, JSON_REJECT_DUPLICATES, &jerr);
		if (w->json == NULL) {
			api_respond_json(req, HTTP_STATUS_BAD_REQUEST,
			    json_pack("{s:{s:s, s:s, s:{s:i, s:i}}}", "error",
				"code", "invalid_json", "message", jerr.text,
				"details", "line", jerr.line, "column",
				jerr.column));
			return (false);
		}
	}
	serve_client_ip(req, w->client_ip, sizeof(w->client_ip));
	snprintf(w->user_agent, sizeof(w->user_agent), "%s",
	    req->agent != NULL ? req->agent : "");
	snprintf(
	    w->host, sizeof(w->host), "%s", req->host != NULL ? req->host : "");
	if (http_request_header(req, "authorization", &value)) {
		if (strlen(value) >= sizeof(w->authorization)) {
			api_respond_error(req, HTTP_STATUS_UNAUTHORIZED,
			    "invalid_token",
			    "the Authorization header is too long");
			return (false);
		}
		snprintf(
		    w->authorization, sizeof(w->authorization), "%s", value);
	}
	w->now = (long)time(NULL);
	return (true);
}

/* Task thread: authenticate, authorize, run. */
static void
serve_work_run(void *arg)
{
	struct api_work *w = arg;

	if (w->ep->auth != API_AUTH_NONE) {
		/* The event loop may have established the caller already. */
		if (w->who.kind == WHO_NOBODY && !auth_resolve(w))
			return;
		if (!auth_permits(w)) {
			api_work_error(w, HTTP_STATUS_FORBIDDEN, "forbidden",
			    "this action needs the %s permission",
			    perm_name(w->ep->perm));
			return;
		}
		if (!api_quota_gate(w))
			return;
	}
	w->ep->run(w);
	if (w->status == 0)
		api_work_error(w, HTTP_STATUS_INTERNAL_ERROR, "internal_error",
		    "the request was not answered");
}

/*
 * Sends w->file_fd with Kore's file references (sendfile on plain TCP):
 * the descriptor is Kore's from here on, closed when the answer is sent.
 */
static void
serve_respond_file(
    struct http_request *req, struct api_call *call, struct api_work *w)
{
	struct kore_fileref *ref;
	struct timespec      ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	http_response_header(req, "x-trace-id", call->trace.trace_id);
	http_response_header(req, "content-type",
	    w->content_type != NULL ? w->content_type
				    : "application/octet-stream");
	ref = req->owner == NULL
	    ? NULL
	    : kore_fileref_create(req->owner->owner->server, w->file_name,
		  w->file_fd, w->file_size, &ts);
	if (ref == NULL) {
		api_respond_error(req, HTTP_STATUS_INTERNAL_ERROR,
		    "internal_error", "the file could not be sent");
		return;
	}
	w->file_fd = -1;
	http_response_fileref(req, HTTP_STATUS_OK, ref);
}

static void
serve_respond(
    struct http_request *req, struct api_call *call, struct api_work *w)
{
	http_response_header(req, "cache-control", "no-store");
	if (w->retry_after[0] != '\0')
		http_response_header(req, "retry-after", w->retry_after);
	if (w->location[0] != '\0')
		http_response_header(req, "location", w->location);
	if (w->cache[0] != '\0')
		http_response_header(req, "x-cache", w->cache);
	if (w->disposition[0] != '\0')
		http_response_header(
		    req, "content-disposition", w->disposition);
	if (w->file_fd != -1 && w->status == HTTP_STATUS_OK) {
		serve_respond_file(req, call, w);
		return;
	}
	if (w->content_type != NULL) {
		if (w->encoding[0] != '\0') {
			http_response_header(
			    req, "content-encoding", w->encoding);
			http_response_header(req, "vary", "accept-encoding");
		}
		http_response_header(req, "x-trace-id", call->trace.trace_id);
		http_response_header(req, "content-type", w->content_type);
		http_response_header(req, "x-content-type-options", "nosniff");
		http_response(req, w->status, w->raw.data, w->raw.len);
		return;
	}
	api_respond_json(req, w->status,
	    w->resp != NULL ? json_incref(w->resp) : json_object());
}

int
api_serve(struct http_request *req, const struct api_endpoint *ep)
{
	struct api_call *call;
	struct api_work *w;

	call = api_call_begin(req, ep->route);
	if (call->state == NULL) {
		if (!api_method_or_respond(req, ep->methods))
			return (KORE_RESULT_OK);
		w = mem_calloc(1, sizeof(*w));
		w->ep = ep;
		w->body_fd = -1;
		w->file_fd = -1;
		w->trace = call->trace;
		buf_init(&w->raw, 64);
		call->state = w;
		call->state_free = serve_work_free;
		/* A cached answer needs nothing else of the request; any other
		 * is checked (arguments, body) before its caller is. */
		if (ep->cached == NULL || req->method != HTTP_METHOD_GET) {
			if (!serve_copy_request(req, w))
				return (KORE_RESULT_OK);
			w->copied = true;
		}
		if (fast_begin(req, call, w))
			return (KORE_RESULT_RETRY);
	}
	w = call->state;
	switch (w->phase) {
	case SERVE_FAST_WAIT:
	case SERVE_LOOP:
		http_request_sleep(req); /* woken by the reply only */
		return (KORE_RESULT_RETRY);
	case SERVE_NEW:
	case SERVE_FAST_MISS:
		if (!w->copied && !serve_copy_request(req, w))
			return (KORE_RESULT_OK);
		if (w->phase == SERVE_FAST_MISS && search_loop_start(req, w))
			return (KORE_RESULT_RETRY);
		w->phase = SERVE_TASK;
		api_offload(req, call, serve_work_run, w);
		return (KORE_RESULT_RETRY);
	case SERVE_TASK:
		if (!api_offload_done(req, call))
			return (KORE_RESULT_RETRY);
		break;
	case SERVE_FAST_HIT:
		break;
	}
	serve_respond(req, call, w);
	return (KORE_RESULT_OK);
}

/* Sets the answer; body is stolen. */
void
api_work_json(struct api_work *w, int status, json_t *body)
{
	json_decref(w->resp);
	w->status = status;
	w->resp = body;
}

static void
api_work_verror(struct api_work *w, int status, const char *code,
    json_t *details, const char *fmt, va_list ap)
{
	char    message[512];
	json_t *err;

	(void)vsnprintf(message, sizeof(message), fmt, ap);
	err = json_pack("{s:s, s:s}", "code", code, "message", message);
	if (details != NULL)
		json_object_set_new(err, "details", details);
	api_work_json(w, status, json_pack("{s:o}", "error", err));
}

void
api_work_error(
    struct api_work *w, int status, const char *code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	api_work_verror(w, status, code, NULL, fmt, ap);
	va_end(ap);
}

void
api_work_error_details(struct api_work *w, int status, const char *code,
    json_t *details, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	api_work_verror(w, status, code, details, fmt, ap);
	va_end(ap);
}

/*
 * Checks the JSON body against rules. Returns false after setting a 400
 * (or 422 for a well-formed body with a bad field) naming the field.
 */
bool
api_work_body_or_error(
    struct api_work *w, const struct field_rule *rules, size_t n)
{
	struct validate_error err;

	if (w->json == NULL) {
		api_work_error(w, HTTP_STATUS_BAD_REQUEST, "invalid_body",
		    "a JSON object body is required");
		return (false);
	}
	if (!validate_body(w->json, rules, n, &err)) {
		api_work_error_details(w, 422, "validation_failed",
		    json_pack("{s:s}", "field", err.field), "%s%s%s", err.field,
		    err.field[0] != '\0' ? " " : "", err.message);
		return (false);
	}
	return (true);
}

/* A store failed: log what, answer 503 without leaking internals. */
void
api_work_store_error(struct api_work *w, const char *what, const char *err)
{
	log_emit(LOG_LEVEL_ERROR, "api", w->trace.trace_id,
	    json_pack(
		"{s:s, s:s, s:s}", "what", what, "error", err, "path", w->path),
	    "store failure: %s", what);
	api_work_error(w, HTTP_STATUS_SERVICE_UNAVAILABLE,
	    "service_unavailable", "%s is unavailable, try again shortly",
	    what);
}

/* Records who did what in the tenant's audit trail (best effort). */
void
api_audit(struct api_work *w, const char *action, json_t *details)
{
	char    err[256], at[32];
	json_t *doc;

	if (w->who.kind == WHO_NOBODY || !tenant_ctx_check(&w->who.tenant)) {
		json_decref(details);
		return;
	}
	text_iso8601(w->now, at, sizeof(at));
	doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "at", at, "action",
	    action, "actor",
	    w->who.user_id[0] != '\0' ? w->who.user_id : w->who.key_id, "ip",
	    w->client_ip, "trace_id", w->trace.trace_id, "details",
	    details != NULL ? details : json_object());
	if (metadb_insert(&w->who.tenant, "audit", doc, NULL, err,
		sizeof(err)) != METADB_OK)
		log_emit(LOG_LEVEL_WARNING, "audit", w->trace.trace_id,
		    json_pack("{s:s, s:s}", "action", action, "error", err),
		    "audit record lost");
	json_decref(doc);
}
