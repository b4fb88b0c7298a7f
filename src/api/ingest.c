/*
 * Machine ingestion: JSON documents (POST /api/v1/ingest), the
 * Elasticsearch bulk API for log shippers (POST /_bulk, /<index>/_bulk,
 * and GET /, /_license, /_xpack they call first), and the preview of an
 * upload (POST /api/v1/files/preview). The work is the service's
 * (src/service/ingest_api.c); these handlers map requests and answers.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "api/auth.h"
#include "api/ingest.h"
#include "api/serve.h"
#include "api/usage.h"
#include "service/ingest_api.h"

/*
 * The body into out: w->body itself, or read from the spooled file (at
 * most max + 1 bytes, so that the caller can tell it was longer). Returns
 * false on a read error. out is released with buf_free().
 */
static bool
ingest_body_load(const struct api_work *w, size_t max, struct buf *out)
{
	size_t  want, off;
	ssize_t n;

	buf_init(out, 4096);
	if (w->body_fd == -1) {
		buf_append(out, w->body.data,
		    w->body.len > max + 1 ? max + 1 : w->body.len);
		return (true);
	}
	want = w->body_length > max + 1 ? max + 1 : w->body_length;
	off = 0;
	while (off < want) {
		char chunk[65536];
		n = pread(w->body_fd, chunk,
		    want - off < sizeof(chunk) ? want - off : sizeof(chunk),
		    (off_t)off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return (n == 0);
		buf_append(out, chunk, (size_t)n);
		off += (size_t)n;
	}
	return (true);
}

/* The body's full length, wherever it is. */
static size_t
ingest_body_length(const struct api_work *w)
{
	return (w->body_fd != -1 ? w->body_length : w->body.len);
}

/*
 * Loads a body of at most max bytes, inflated when it is gzip (max
 * applies to both sizes), or answers 400/413/500 and says no.
 */
static bool
ingest_body_or_error(struct api_work *w, size_t max, struct buf *out)
{
	enum ingest_gunzip_result gz;
	struct buf                plain;

	if (ingest_body_length(w) > max) {
		api_work_error(w, HTTP_STATUS_REQUEST_ENTITY_TOO_LARGE,
		    "payload_too_large", "the body is larger than %zu bytes",
		    max);
		return (false);
	}
	if (!ingest_body_load(w, max, out)) {
		buf_free(out);
		api_work_error(w, HTTP_STATUS_INTERNAL_ERROR, "internal_error",
		    "the body could not be read");
		return (false);
	}
	if (out->len < 2 || (unsigned char)out->data[0] != 0x1f ||
	    (unsigned char)out->data[1] != 0x8b)
		return (true);
	buf_init(&plain, out->len * 4 < max ? out->len * 4 : max);
	gz = ingest_api_gunzip(out->data, out->len, max, &plain);
	buf_free(out);
	*out = plain;
	if (gz == INGEST_GUNZIP_OK)
		return (true);
	buf_free(out);
	if (gz == INGEST_GUNZIP_TOO_LARGE)
		api_work_error(w, HTTP_STATUS_REQUEST_ENTITY_TOO_LARGE,
		    "payload_too_large",
		    "the body is larger than %zu bytes once inflated", max);
	else
		api_work_error(w, HTTP_STATUS_BAD_REQUEST, "invalid_body",
		    "the gzip body cannot be inflated");
	return (false);
}

/* ------------------------------------------------- POST /api/v1/ingest */

static void
ingest_json_run(struct api_work *w)
{
	struct ingest_api_result res;
	struct buf               body;
	long                     bytes;
	bool                     counted;

	if (!ingest_body_or_error(w, INGEST_API_BODY_MAX, &body))
		return;
	bytes = (long)body.len;
	if (!api_quota_ingest(w, bytes, false, &counted)) {
		buf_free(&body);
		return;
	}
	ingest_api_json(&w->who.tenant, body.data, body.len, w->now, &res);
	buf_free(&body);
	api_quota_ingest_done(w, counted, bytes,
	    res.status == INGEST_API_BAD_BODY ? 0 : res.accepted);
	switch (res.status) {
	case INGEST_API_OK:
		api_work_json(w, HTTP_STATUS_OK,
		    json_pack("{s:I, s:I, s:O}", "accepted",
			(json_int_t)res.accepted, "rejected",
			(json_int_t)res.rejected, "errors", res.errors));
		break;
	case INGEST_API_BAD_BODY:
		api_work_error_details(w, HTTP_STATUS_BAD_REQUEST,
		    "invalid_json", json_pack("{s:O}", "errors", res.errors),
		    "%s", res.message);
		break;
	case INGEST_API_UNAVAILABLE:
		snprintf(w->retry_after, sizeof(w->retry_after), "5");
		api_work_error_details(w, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "service_unavailable",
		    json_pack("{s:I, s:I}", "accepted",
			(json_int_t)res.accepted, "rejected",
			(json_int_t)res.rejected),
		    "the search store is unavailable: %ld document(s) were "
		    "indexed before it failed; send the request again",
		    res.accepted);
		break;
	}
	ingest_api_result_free(&res);
}

/* ------------------------------------------------------------ POST /_bulk */

/* An error both Vigie clients and Elasticsearch clients can read. */
static void
ingest_es_error(struct api_work *w, int status, const char *code,
    const char *type, const char *reason)
{
	api_work_json(w, status,
	    json_pack("{s:{s:s, s:s, s:s, s:s, s:[{s:s, s:s}]}, s:i}", "error",
		"code", code, "message", reason, "type", type, "reason", reason,
		"root_cause", "type", type, "reason", reason, "status",
		status));
}

static void
ingest_bulk_run(struct api_work *w)
{
	struct ingest_bulk_result res;
	struct buf                body;
	char                      why[320];
	long                      bytes;
	bool                      counted;

	if (!ingest_body_or_error(w, INGEST_API_BODY_MAX, &body))
		return;
	bytes = (long)body.len;
	if (!api_quota_ingest(w, bytes, true, &counted)) {
		buf_free(&body);
		return;
	}
	ingest_api_bulk(&w->who.tenant, body.data, body.len, w->now, &res);
	buf_free(&body);
	api_quota_ingest_done(w, counted, bytes,
	    res.status == INGEST_BULK_BAD_REQUEST ? 0 : res.indexed);
	switch (res.status) {
	case INGEST_BULK_OK:
		api_work_json(w, HTTP_STATUS_OK, json_incref(res.reply));
		break;
	case INGEST_BULK_BAD_REQUEST:
		ingest_es_error(w, HTTP_STATUS_BAD_REQUEST, "invalid_bulk",
		    "illegal_argument_exception", res.message);
		break;
	case INGEST_BULK_UNAVAILABLE:
		snprintf(w->retry_after, sizeof(w->retry_after), "5");
		snprintf(why, sizeof(why),
		    "the search store is unavailable: %ld document(s) were "
		    "indexed before it failed; send the request again",
		    res.indexed);
		ingest_es_error(w, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "service_unavailable", "unavailable_shards_exception", why);
		break;
	}
	ingest_bulk_result_free(&res);
}

/* ------------------------------------------- what shippers ask first */

static void
ingest_es_root_run(struct api_work *w)
{
	api_work_json(w, HTTP_STATUS_OK,
	    json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s}, s:s}",
		"name", "vigie", "cluster_name", "vigie", "cluster_uuid",
		"vigie", "version", "number", "8.11.0", "build_flavor",
		"default", "lucene_version", "9.8.0",
		"minimum_wire_compatibility_version", "7.17.0",
		"minimum_index_compatibility_version", "7.0.0", "tagline",
		"You Know, for Search"));
}

static void
ingest_es_license_run(struct api_work *w)
{
	api_work_json(w, HTTP_STATUS_OK,
	    json_pack("{s:{s:s, s:s, s:s}}", "license", "status", "active",
		"type", "basic", "uid", "vigie"));
}

static void
ingest_es_xpack_run(struct api_work *w)
{
	api_work_json(w, HTTP_STATUS_OK,
	    json_pack("{s:{s:s}, s:{s:s, s:s, s:s}, s:{}}", "build", "hash",
		"vigie", "license", "uid", "vigie", "type", "basic", "status",
		"active", "features"));
}

/* ------------------------------------------ POST /api/v1/files/preview */

static void
ingest_preview_run(struct api_work *w)
{
	enum ingest_preview_status st;
	struct buf                 body;
	const char                *type;
	json_t                    *v, *out;
	char                       message[256];

	v = json_object_get(w->query, "type");
	type = v == NULL ? "auto" : json_string_value(v);
	if (type == NULL) {
		api_work_error(
		    w, 400, "invalid_query", "type may be given once");
		return;
	}
	if (!ingest_body_load(w, INGEST_PREVIEW_BYTES, &body)) {
		buf_free(&body);
		api_work_error(w, HTTP_STATUS_INTERNAL_ERROR, "internal_error",
		    "the body could not be read");
		return;
	}
	st = ingest_preview(body.data, body.len,
	    ingest_body_length(w) > body.len, type, w->now, &out, message,
	    sizeof(message));
	buf_free(&body);
	switch (st) {
	case INGEST_PREVIEW_OK:
		api_work_json(w, HTTP_STATUS_OK, out);
		return;
	case INGEST_PREVIEW_EMPTY:
		api_work_error(w, 422, "empty_file", "%s", message);
		return;
	case INGEST_PREVIEW_BINARY:
		api_work_error(w, HTTP_STATUS_UNSUPPORTED_MEDIA_TYPE,
		    "unsupported_content", "%s", message);
		return;
	case INGEST_PREVIEW_BAD_UTF8:
		api_work_error(w, 422, "invalid_encoding", "%s", message);
		return;
	case INGEST_PREVIEW_BAD_TYPE:
	case INGEST_PREVIEW_UNREADABLE:
		api_work_error(w, 422, "validation_failed", "%s", message);
		return;
	}
}

static const struct api_endpoint ep_ingest = {ROUTE_INGEST, HTTP_METHOD_POST,
    API_AUTH_TOKEN, PERM_LOGS_WRITE, INGEST_API_BODY_MAX, ingest_json_run, true,
    true};
static const struct api_endpoint ep_bulk = {ROUTE_BULK,
    HTTP_METHOD_POST | HTTP_METHOD_PUT, API_AUTH_TOKEN, PERM_LOGS_WRITE,
    INGEST_API_BODY_MAX, ingest_bulk_run, true, true};
static const struct api_endpoint ep_es_root = {ROUTE_ES_INFO,
    HTTP_METHOD_GET | HTTP_METHOD_HEAD, API_AUTH_TOKEN, PERM_NONE, 0,
    ingest_es_root_run, false, true};
static const struct api_endpoint ep_es_license = {ROUTE_ES_INFO,
    HTTP_METHOD_GET, API_AUTH_TOKEN, PERM_NONE, 0, ingest_es_license_run, false,
    true};
static const struct api_endpoint ep_es_xpack = {ROUTE_ES_INFO, HTTP_METHOD_GET,
    API_AUTH_TOKEN, PERM_NONE, 0, ingest_es_xpack_run, false, true};
static const struct api_endpoint ep_preview = {ROUTE_FILES_PREVIEW,
    HTTP_METHOD_POST, API_AUTH_TOKEN, PERM_LOGS_WRITE, 0, ingest_preview_run,
    true};

int
api_ingest(struct http_request *req)
{
	return (api_serve(req, &ep_ingest));
}

int
api_es_bulk(struct http_request *req)
{
	return (api_serve(req, &ep_bulk));
}

int
api_es_root(struct http_request *req)
{
	return (api_serve(req, &ep_es_root));
}

int
api_es_license(struct http_request *req)
{
	return (api_serve(req, &ep_es_license));
}

int
api_es_xpack(struct http_request *req)
{
	return (api_serve(req, &ep_es_xpack));
}

int
api_files_preview(struct http_request *req)
{
	return (api_serve(req, &ep_preview));
}

bool
api_es_root_wanted(struct http_request *req)
{
	const char *accept;

	if (http_request_header(req, "authorization", &accept))
		return (true);
	if (!http_request_header(req, "accept", &accept))
		return (false);
	return (strcasestr(accept, "application/json") != NULL &&
	    strcasestr(accept, "text/html") == NULL);
}
