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
#include "store/metadb.h"

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

static const char *const files_sorts[][2] = {{"name", "name"},
    {"date", "created_at"}, {"created_at", "created_at"}, {"size", "size"},
    {"status", "status"}, {"count", "indexed"}, {"lines", "lines"}};

static const char *const files_statuses[] = {
    "uploaded", "queued", "ingesting", "done", "partial", "failed"};

/* Builds the MongoDB filter from status/from/to; NULL after an error. */
static json_t *
files_list_filter(struct api_work *w)
{
	const char *status, *from, *to;
	json_t     *filter, *range;
	size_t      i;
	bool        known;

	filter = json_object();
	if ((status = files_arg(w, "status", "")) == NULL)
		goto bad;
	if (*status != '\0') {
		known = false;
		for (i = 0;
		     i < sizeof(files_statuses) / sizeof(files_statuses[0]);
		     i++)
			known = known || strcmp(files_statuses[i], status) == 0;
		if (!known)
			goto bad;
		json_object_set_new(filter, "status", json_string(status));
	}
	from = files_arg(w, "from", "");
	to = files_arg(w, "to", "");
	if (from == NULL || to == NULL ||
	    (*from != '\0' && !files_iso_ok(from)) ||
	    (*to != '\0' && !files_iso_ok(to)))
		goto bad;
	if (*from != '\0' || *to != '\0') {
		range = json_object();
		if (*from != '\0')
			json_object_set_new(range, "$gte", json_string(from));
		if (*to != '\0')
			json_object_set_new(range, "$lte", json_string(to));
		json_object_set_new(filter, "created_at", range);
	}
	return (filter);
bad:
	json_decref(filter);
	api_work_error(w, 400, "invalid_query",
	    "status must be one of uploaded, queued, ingesting, done, partial, "
	    "failed; from and to must be ISO 8601 dates");
	return (NULL);
}

static void
files_list_run(struct api_work *w)
{
	enum metadb_status st;
	const char        *sort, *order, *field;
	json_t            *filter, *items, *sortdoc;
	char               err[256];
	long               page, size, total;
	size_t             i;

	sort = files_arg(w, "sort", "date");
	order = files_arg(w, "order", "desc");
	page = files_int_arg(w, "page", 1, 1, 100000);
	size = files_int_arg(w, "size", 50, 1, FILES_PAGE_MAX);
	field = NULL;
	for (i = 0;
	     sort != NULL && i < sizeof(files_sorts) / sizeof(files_sorts[0]);
	     i++) {
		if (strcmp(files_sorts[i][0], sort) == 0)
			field = files_sorts[i][1];
	}
	if (field == NULL || order == NULL ||
	    (strcmp(order, "asc") != 0 && strcmp(order, "desc") != 0) ||
	    page < 0 || size < 0) {
		api_work_error(w, 400, "invalid_query",
		    "sort must be name, date, size, status or count; order asc or "
		    "desc; page >= 1; size 1 to %d",
		    FILES_PAGE_MAX);
		return;
	}
	if ((filter = files_list_filter(w)) == NULL)
		return;
	total = metadb_count(&w->who.tenant, "files", filter, err, sizeof(err));
	/* Ties are broken by date, newest first (object keys keep their
	 * order: it is the sort order). */
	sortdoc = json_pack("{s:i}", field, strcmp(order, "asc") == 0 ? 1 : -1);
	if (strcmp(field, "created_at") != 0)
		json_object_set_new(sortdoc, "created_at", json_integer(-1));
	items = metadb_find(&w->who.tenant, "files", filter, sortdoc,
	    (page - 1) * size, size, &st, err, sizeof(err));
	json_decref(sortdoc);
	json_decref(filter);
	if (total < 0 || st != METADB_OK) {
		json_decref(items);
		api_work_store_error(w, "the file list", err);
		return;
	}
	for (i = 0; i < json_array_size(items); i++)
		json_object_del(json_array_get(items, i), "tenant_id");
	api_work_json(w, HTTP_STATUS_OK,
	    json_pack("{s:o, s:I, s:i, s:i}", "items", items, "total",
		(json_int_t)total, "page", (int)page, "size", (int)size));
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
	enum metadb_status st;
	json_t            *filter, *doc;
	char               err[256];

	filter = json_pack("{s:s}", "id", w->capture[0]);
	doc = metadb_find_one(
	    &w->who.tenant, "files", filter, &st, err, sizeof(err));
	json_decref(filter);
	if (st == METADB_NOT_FOUND) {
		api_work_error(
		    w, HTTP_STATUS_NOT_FOUND, "not_found", "no such file");
		return;
	}
	if (st != METADB_OK) {
		api_work_store_error(w, "the file", err);
		return;
	}
	json_object_del(doc, "tenant_id");
	api_work_json(w, HTTP_STATUS_OK, doc);
}

static void
files_rejects_run(struct api_work *w)
{
	enum metadb_status st;
	json_t            *filter, *items, *sortdoc;
	char               err[256];
	long               page, size, total;
	size_t             i;

	page = files_int_arg(w, "page", 1, 1, 100000);
	size = files_int_arg(w, "size", 50, 1, FILES_PAGE_MAX);
	if (page < 0 || size < 0) {
		api_work_error(w, 400, "invalid_query",
		    "page >= 1 and size 1 to %d", FILES_PAGE_MAX);
		return;
	}
	/* The file must be the tenant's: otherwise 404, like a missing one. */
	filter = json_pack("{s:s}", "id", w->capture[0]);
	if (metadb_count(&w->who.tenant, "files", filter, err, sizeof(err)) !=
	    1) {
		json_decref(filter);
		api_work_error(
		    w, HTTP_STATUS_NOT_FOUND, "not_found", "no such file");
		return;
	}
	json_decref(filter);
	filter = json_pack("{s:s}", "file_id", w->capture[0]);
	total = metadb_count(
	    &w->who.tenant, "file_rejects", filter, err, sizeof(err));
	sortdoc = json_pack("{s:i}", "line", 1);
	items = metadb_find(&w->who.tenant, "file_rejects", filter, sortdoc,
	    (page - 1) * size, size, &st, err, sizeof(err));
	json_decref(sortdoc);
	json_decref(filter);
	if (total < 0 || st != METADB_OK) {
		json_decref(items);
		api_work_store_error(w, "the rejected lines", err);
		return;
	}
	for (i = 0; i < json_array_size(items); i++) {
		json_object_del(json_array_get(items, i), "tenant_id");
		json_object_del(json_array_get(items, i), "id");
	}
	api_work_json(w, HTTP_STATUS_OK,
	    json_pack("{s:o, s:I, s:i, s:i}", "items", items, "total",
		(json_int_t)total, "page", (int)page, "size", (int)size));
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
