/*
 * Uploaded files: POST a file (the raw bytes as the body), list them,
 * read one, and read its rejected lines. Ingestion itself is the
 * worker's (src/worker/ingest.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/auth.h"
#include "api/serve.h"
#include "api/usage.h"
#include "service/files.h"

int api_files(struct http_request *);
int api_file(struct http_request *);
int api_file_rejects(struct http_request *);

#define FILES_PAGE_MAX 200

/* A single-valued query argument, or def; NULL when given twice. */
static const char *
files_arg(const struct api_work *w, const char *name, const char *def)
{
	json_t *v;

	v = json_object_get(w->query, name);
	if (v == NULL)
		return (def);
	return (json_string_value(v));
}

/* A positive integer argument within [min, max], or -1. */
static long
files_int_arg(
    const struct api_work *w, const char *name, long def, long min, long max)
{
	const char *s;
	char       *end;
	long        n;

	if ((s = files_arg(w, name, NULL)) == NULL)
		return (json_object_get(w->query, name) == NULL ? def : -1);
	n = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || n < min || n > max)
		return (-1);
	return (n);
}

static void
files_upload_run(struct api_work *w)
{
	struct files_upload  in;
	struct files_outcome o;
	const char          *name, *type;
	long                 bytes;
	bool                 counted;

	name = files_arg(w, "name", "upload");
	type = files_arg(w, "type", "auto");
	if (name == NULL || type == NULL || strlen(name) > 255) {
		api_work_error(w, 400, "invalid_query",
		    "name (up to 255 bytes) and type may be given once each");
		return;
	}
	memset(&in, 0, sizeof(in));
	in.ctx = &w->who.tenant;
	in.uploader =
	    w->who.kind == WHO_APIKEY ? w->who.key_id : w->who.user_id;
	in.name = name;
	in.type = type;
	in.fd = w->body_fd;
	in.mem = w->body.data;
	in.len = w->body.len;
	in.spool_path = w->body_path;
	in.sha256 = w->body_sha256;
	in.now = w->now;
	bytes = in.fd != -1 ? (long)w->body_length : (long)in.len;
	if (!api_quota_ingest(w, bytes, false, &counted))
		return;
	files_store(&in, &o);
	/* Its documents are counted by the worker once ingested. */
	if (o.result != FILES_OK)
		api_quota_ingest_done(w, counted, bytes, 0);
	switch (o.result) {
	case FILES_OK:
		snprintf(w->location, sizeof(w->location), "/api/v1/files/%s",
		    json_string_value(json_object_get(o.file, "id")));
		api_audit(w, "file.upload",
		    json_pack("{s:O, s:O}", "file_id",
			json_object_get(o.file, "id"), "name",
			json_object_get(o.file, "name")));
		api_work_json(w, HTTP_STATUS_CREATED, o.file);
		return;
	case FILES_EMPTY:
		api_work_error(w, 422, "empty_file", "%s", o.message);
		return;
	case FILES_BINARY:
		api_work_error(w, HTTP_STATUS_UNSUPPORTED_MEDIA_TYPE,
		    "unsupported_content", "%s", o.message);
		return;
	case FILES_BAD_UTF8:
		api_work_error(w, 422, "invalid_encoding", "%s", o.message);
		return;
	case FILES_BAD_TYPE:
		api_work_error(w, 422, "validation_failed", "%s", o.message);
		return;
	default:
		api_work_error(w, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "service_unavailable", "%s", o.message);
		return;
	}
}

static bool
files_iso_ok(const char *s)
{
	int i;

	/* YYYY-MM-DD, optionally followed by THH:MM:SS and Z. */
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= 20)
			return (false);
		if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
			s[i] == 'T' || s[i] == ':' || s[i] == 'Z'))
			return (false);
	}
	return (i >= 10 && s[4] == '-' && s[7] == '-');
}

/* The list's query (status, from, to, sort, order, page, size), or
 * false after answering 400. */
static bool
files_list_query(struct api_work *w, struct files_query *q)
{
	const char *sort, *order;

	memset(q, 0, sizeof(*q));
	q->status = files_arg(w, "status", "");
	q->from = files_arg(w, "from", "");
	q->to = files_arg(w, "to", "");
	sort = files_arg(w, "sort", "date");
	order = files_arg(w, "order", "desc");
	q->page = files_int_arg(w, "page", 1, 1, 100000);
	q->size = files_int_arg(w, "size", 50, 1, FILES_PAGE_MAX);
	q->sort = sort != NULL ? files_sort_field(sort) : NULL;
	q->ascending = order != NULL && strcmp(order, "asc") == 0;
	if (q->sort == NULL || order == NULL ||
	    (strcmp(order, "asc") != 0 && strcmp(order, "desc") != 0) ||
	    q->page < 0 || q->size < 0) {
		api_work_error(w, 400, "invalid_query",
		    "sort must be name, date, size, status or count; order asc or "
		    "desc; page >= 1; size 1 to %d",
		    FILES_PAGE_MAX);
		return (false);
	}
	if (q->status == NULL || q->from == NULL || q->to == NULL ||
	    (q->status[0] != '\0' && !files_status_known(q->status)) ||
	    (q->from[0] != '\0' && !files_iso_ok(q->from)) ||
	    (q->to[0] != '\0' && !files_iso_ok(q->to))) {
		api_work_error(w, 400, "invalid_query",
		    "status must be one of uploaded, queued, ingesting, done, "
		    "partial, failed; from and to must be ISO 8601 dates");
		return (false);
	}
	return (true);
}

/* A page of records as the API answers it. */
static void
files_page_answer(struct api_work *w, enum files_result r,
    struct files_page *pg, long page, long size, const char *what,
    const char *err)
{
	switch (r) {
	case FILES_OK:
		api_work_json(w, HTTP_STATUS_OK,
		    json_pack("{s:o, s:I, s:i, s:i}", "items", pg->items,
			"total", (json_int_t)pg->total, "page", (int)page,
			"size", (int)size));
		return;
	case FILES_NOT_FOUND:
		api_work_error(
		    w, HTTP_STATUS_NOT_FOUND, "not_found", "no such file");
		return;
	default:
		api_work_store_error(w, what, err);
		return;
	}
}

static void
files_list_run(struct api_work *w)
{
	struct files_query q;
	struct files_page  pg;
	enum files_result  r;
	char               err[256];

	if (!files_list_query(w, &q))
		return;
	r = files_list(&w->who.tenant, &q, &pg, err, sizeof(err));
	files_page_answer(w, r, &pg, q.page, q.size, "the file list", err);
}

static void
files_root_run(struct api_work *w)
{
	enum perm need;

	need = w->method == HTTP_METHOD_POST ? PERM_LOGS_WRITE : PERM_LOGS_READ;
	if (!auth_can(w, need)) {
		api_work_error(w, HTTP_STATUS_FORBIDDEN, "forbidden",
		    "this action needs the %s permission", perm_name(need));
		return;
	}
	if (w->method == HTTP_METHOD_POST)
		files_upload_run(w);
	else
		files_list_run(w);
}

static void
files_one_run(struct api_work *w)
{
	enum files_result r;
	json_t           *file;
	char              err[256];

	r = files_get(&w->who.tenant, w->capture[0], &file, err, sizeof(err));
	if (r == FILES_OK)
		api_work_json(w, HTTP_STATUS_OK, file);
	else if (r == FILES_NOT_FOUND)
		api_work_error(
		    w, HTTP_STATUS_NOT_FOUND, "not_found", "no such file");
	else
		api_work_store_error(w, "the file", err);
}

static void
files_rejects_run(struct api_work *w)
{
	struct files_page pg;
	enum files_result r;
	char              err[256];
	long              page, size;

	page = files_int_arg(w, "page", 1, 1, 100000);
	size = files_int_arg(w, "size", 50, 1, FILES_PAGE_MAX);
	if (page < 0 || size < 0) {
		api_work_error(w, 400, "invalid_query",
		    "page >= 1 and size 1 to %d", FILES_PAGE_MAX);
		return;
	}
	r = files_rejects(
	    &w->who.tenant, w->capture[0], page, size, &pg, err, sizeof(err));
	files_page_answer(w, r, &pg, page, size, "the rejected lines", err);
}

static const struct api_endpoint ep_files = {ROUTE_FILES,
    HTTP_METHOD_GET | HTTP_METHOD_POST, API_AUTH_TOKEN, PERM_NONE, 0,
    files_root_run, true};
static const struct api_endpoint ep_file = {ROUTE_FILE, HTTP_METHOD_GET,
    API_AUTH_TOKEN, PERM_LOGS_READ, 0, files_one_run};
static const struct api_endpoint ep_file_rejects = {ROUTE_FILE_REJECTS,
    HTTP_METHOD_GET, API_AUTH_TOKEN, PERM_LOGS_READ, 0, files_rejects_run};

int
api_files(struct http_request *req)
{
	return (api_serve(req, &ep_files));
}

int
api_file(struct http_request *req)
{
	return (api_serve(req, &ep_file));
}

int
api_file_rejects(struct http_request *req)
{
	return (api_serve(req, &ep_file_rejects));
}
