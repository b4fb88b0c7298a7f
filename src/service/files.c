#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/env.h"
#include "common/log.h"
#include "core/digest.h"
#include "core/text.h"
#include "core/textcheck.h"
#include "core/trace.h"
#include "service/files.h"
#include "store/queue.h"
#include "store/metadb.h"

static char files_root[SETTINGS_STR_MAX];

/* Formats an upload may be declared as; "auto" detects from content. */
static const char *const files_types[] = {
    "auto", "csv", "json", "access", "apache_error", "syslog", "plain"};

void
files_configure(const struct settings *s)
{
	snprintf(files_root, sizeof(files_root), "%s/uploads", s->data_dir);
}

const char *
files_dir(void)
{
	return (files_root);
}

bool
files_type_known(const char *type)
{
	size_t i;

	for (i = 0; i < sizeof(files_types) / sizeof(files_types[0]); i++) {
		if (strcmp(files_types[i], type) == 0)
			return (true);
	}
	return (false);
}

/* <data dir>/uploads/<tenant id>/<file id>: no part comes from a client. */
bool
files_path(
    const struct tenant_ctx *ctx, const char *file_id, char *out, size_t outlen)
{
	if (!tenant_ctx_check(ctx) || !tenant_id_check(file_id))
		return (false);
	return (snprintf(out, outlen, "%s/%s/%s", files_root, ctx->id,
		    file_id) < (int)outlen);
}

/*
 * Makes dir and its missing parents (mode 0700). Also used for the other
 * stored files (invoices).
 */
bool
files_mkdir_p(const char *path, char *err, size_t errlen)
{
	char dir[SETTINGS_STR_MAX + 64], *p;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir)) {
		snprintf(err, errlen, "path too long");
		return (false);
	}
	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
			snprintf(
			    err, errlen, "mkdir %s: %s", dir, strerror(errno));
			return (false);
		}
		*p = '/';
	}
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "mkdir %s: %s", dir, strerror(errno));
		return (false);
	}
	return (true);
}

static bool
files_mkdirs(const struct tenant_ctx *ctx, char *err, size_t errlen)
{
	char dir[SETTINGS_STR_MAX + 64];

	snprintf(dir, sizeof(dir), "%s/%s", files_root, ctx->id);
	return (files_mkdir_p(dir, err, errlen));
}

/* Keeps a display name printable: no path, no control characters. */
static void
files_clean_name(const char *in, char *out, size_t outlen)
{
	const char *base;
	size_t      i, o;

	base = in != NULL ? strrchr(in, '/') : NULL;
	base = base != NULL ? base + 1 : (in != NULL ? in : "");
	for (i = 0, o = 0; base[i] != '\0' && o + 1 < outlen; i++) {
		unsigned char c = (unsigned char)base[i];
		out[o++] = (c < 0x20 || c == 0x7f || c == '\\') ? '_' : (char)c;
	}
	out[o] = '\0';
	if (o == 0)
		snprintf(out, outlen, "upload");
}

struct files_copy {
	struct textcheck     text;
	struct digest_stream digest;
	bool                 hashing; /* no digest given: computed here */
	uint64_t             size;
	bool                 gzip;
};

/*
 * Reads the body, writing it into out unless out is -1 (the file is
 * already in place, linked), hashing it unless its digest was given, and
 * unless it is gzip, checking that it is UTF-8 text. A gzip body neither
 * copied nor hashed is read no further than its first bytes. Returns
 * false with err set on an I/O error; a content verdict is left in
 * copy->text.
 */
static bool
files_copy_body(const struct files_upload *in, int out, struct files_copy *cp,
    char *err, size_t errlen)
{
	unsigned char chunk[65536];
	struct stat   st;
	ssize_t       n;
	size_t        off;

	textcheck_init(&cp->text);
	digest_stream_init(&cp->digest);
	cp->size = 0;
	off = 0;
	for (;;) {
		if (in->fd != -1) {
			n = pread(in->fd, chunk, sizeof(chunk), (off_t)off);
			if (n == -1) {
				snprintf(
				    err, errlen, "read: %s", strerror(errno));
				return (false);
			}
		} else {
			n = (ssize_t)(in->len - off < sizeof(chunk)
				? in->len - off
				: sizeof(chunk));
			memcpy(chunk, in->mem + off, (size_t)n);
		}
		if (n == 0)
			break;
		if (off == 0)
			cp->gzip =
			    n >= 2 && chunk[0] == 0x1f && chunk[1] == 0x8b;
		if (cp->gzip && out == -1 && !cp->hashing && in->fd != -1) {
			/* Nothing left to do with the bytes: only the size. */
			if (fstat(in->fd, &st) == -1) {
				snprintf(
				    err, errlen, "fstat: %s", strerror(errno));
				return (false);
			}
			cp->size = (uint64_t)st.st_size;
			return (true);
		}
		if (!cp->gzip)
			(void)textcheck_feed(&cp->text, chunk, (size_t)n);
		if (cp->hashing)
			digest_stream_feed(&cp->digest, chunk, (size_t)n);
		if (out != -1 && write(out, chunk, (size_t)n) != n) {
			snprintf(err, errlen, "write: %s", strerror(errno));
			return (false);
		}
		off += (size_t)n;
		cp->size += (uint64_t)n;
	}
	if (!cp->gzip)
		(void)textcheck_finish(&cp->text);
	return (true);
}

/*
 * Puts the body at part: a hard link to Kore's spooled file when there is
 * one on the same file system (no copy), else a copy. Checks and sizes it
 * on the way and makes it durable (fsync). Returns false with err set on
 * an I/O error, part removed.
 */
static bool
files_place_body(const struct files_upload *in, const char *part,
    struct files_copy *cp, char *err, size_t errlen)
{
	bool linked;
	int  fd;

	linked = in->fd != -1 && in->spool_path != NULL &&
	    in->spool_path[0] != '\0' && link(in->spool_path, part) == 0;
	fd = linked ? -1
		    : open(part, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (!linked && fd == -1) {
		snprintf(err, errlen, "open: %s", strerror(errno));
		return (false);
	}
	if (!files_copy_body(in, fd, cp, err, errlen) ||
	    fsync(linked ? in->fd : fd) == -1) {
		if (err[0] == '\0')
			snprintf(err, errlen, "fsync: %s", strerror(errno));
		if (fd != -1)
			close(fd);
		unlink(part);
		return (false);
	}
	if (fd != -1)
		close(fd);
	log_emit(LOG_LEVEL_DEBUG, "files", NULL,
	    json_pack(
		"{s:b, s:I}", "linked", linked, "size", (json_int_t)cp->size),
	    "upload stored");
	return (true);
}

/* Queues the file's ingestion on the tenant's queue (and rings). */
bool
files_queue_ingest(
    const struct tenant_ctx *ctx, const char *file_id, char *err, size_t errlen)
{
	char job[128];

	snprintf(job, sizeof(job), "{\"type\":\"ingest\",\"file_id\":\"%s\"}",
	    file_id);
	return (queue_tenant_push(ctx, "ingest", job, err, errlen));
}

static void
files_fail(struct files_outcome *o, enum files_result r, const char *message)
{
	o->result = r;
	snprintf(o->message, sizeof(o->message), "%s", message);
}

/*
 * Stores an upload: bytes to <root>/<tenant>/<id>.part, checked and
 * hashed on the way, renamed into place; then the "files" record
 * (status queued) and the ingestion job. Any failure removes what was
 * made: the file, the record.
 */
void
files_store(const struct files_upload *in, struct files_outcome *o)
{
	struct files_copy cp;
	char    id[25], path[SETTINGS_STR_MAX + 64], part[sizeof(path) + 8];
	char    err[256], name[256], sha[DIGEST_HEX_LEN + 1], when[32];
	char    msg[128];
	json_t *doc, *filter;
	long    n;

	memset(o, 0, sizeof(*o));
	memset(&cp, 0, sizeof(cp));
	if (!files_type_known(in->type)) {
		files_fail(o, FILES_BAD_TYPE,
		    "type must be one of auto, csv, json, access, apache_error, "
		    "syslog, plain");
		return;
	}
	env_random_hex(id, 12);
	if (!files_mkdirs(in->ctx, err, sizeof(err)) ||
	    !files_path(in->ctx, id, path, sizeof(path))) {
		log_emit(LOG_LEVEL_ERROR, "files", NULL,
		    json_pack("{s:s}", "error", err), "cannot prepare storage");
		files_fail(o, FILES_UNAVAILABLE, "file storage is unavailable");
		return;
	}
	snprintf(part, sizeof(part), "%s.part", path);
	/* Kore's digest of the body, when there is a body to trust it for. */
	cp.hashing = in->sha256 == NULL || (in->fd == -1 && in->len == 0);
	err[0] = '\0';
	if (!files_place_body(in, part, &cp, err, sizeof(err))) {
		digest_stream_free(&cp.digest);
		log_emit(LOG_LEVEL_ERROR, "files", NULL,
		    json_pack("{s:s}", "error", err), "cannot store an upload");
		files_fail(o, FILES_UNAVAILABLE, "file storage is unavailable");
		return;
	}
	if (cp.hashing)
		digest_stream_hex(&cp.digest, sha); /* frees it */
	else {
		digest_stream_free(&cp.digest);
		trace_hex(in->sha256, 32, sha);
	}
	if (cp.size == 0 || cp.text.verdict != TEXTCHECK_OK) {
		unlink(part);
		if (cp.size == 0)
			files_fail(o, FILES_EMPTY, "the file is empty");
		else if (cp.text.verdict == TEXTCHECK_BINARY)
			snprintf(msg, sizeof(msg),
			    "binary content (a NUL byte at line %llu, byte %llu): "
			    "not a text log",
			    (unsigned long long)cp.text.bad_line,
			    (unsigned long long)cp.text.bad_col);
		else
			snprintf(msg, sizeof(msg),
			    "invalid UTF-8 at line %llu, byte %llu",
			    (unsigned long long)cp.text.bad_line,
			    (unsigned long long)cp.text.bad_col);
		if (cp.size != 0)
			files_fail(o,
			    cp.text.verdict == TEXTCHECK_BINARY
				? FILES_BINARY
				: FILES_BAD_UTF8,
			    msg);
		return;
	}
	if (rename(part, path) == -1) {
		unlink(part);
		files_fail(o, FILES_UNAVAILABLE, "file storage is unavailable");
		return;
	}

	files_clean_name(in->name, name, sizeof(name));
	text_iso8601(in->now, when, sizeof(when));
	doc = json_pack("{s:s, s:s, s:I, s:s, s:s, s:b, s:s, s:s, s:I, s:I, "
			"s:I, s:[], s:s, s:s, s:s}",
	    "id", id, "name", name, "size", (json_int_t)cp.size, "sha256", sha,
	    "type", in->type, "compressed", cp.gzip, "uploader", in->uploader,
	    "status", "queued", "lines",
	    (json_int_t)(cp.gzip ? -1 : (long long)textcheck_lines(&cp.text)),
	    "indexed", (json_int_t)0, "rejected", (json_int_t)0,
	    "error_samples", "created_at", when, "updated_at", when, "doc_ids",
	    FILES_DOC_IDS);
	if (metadb_insert(in->ctx, "files", doc, NULL, err, sizeof(err)) !=
	    METADB_OK) {
		json_decref(doc);
		unlink(path);
		files_fail(o, FILES_UNAVAILABLE,
		    "the file could not be recorded; nothing was kept");
		return;
	}
	if (!files_queue_ingest(in->ctx, id, err, sizeof(err))) {
		filter = json_pack("{s:s}", "id", id);
		(void)metadb_delete(
		    in->ctx, "files", filter, &n, err, sizeof(err));
		json_decref(filter);
		json_decref(doc);
		unlink(path);
		files_fail(o, FILES_UNAVAILABLE,
		    "the ingestion queue is unavailable; nothing was kept");
		return;
	}
	o->result = FILES_OK;
	o->file = doc;
}

/* ---- reading the records ---------------------------------------------- */

static const char *const files_sorts[][2] = {{"name", "name"},
    {"date", "created_at"}, {"created_at", "created_at"}, {"size", "size"},
    {"status", "status"}, {"count", "indexed"}, {"lines", "lines"}};

static const char *const files_statuses[] = {
    "uploaded", "queued", "ingesting", "done", "partial", "failed"};

const char *
files_sort_field(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(files_sorts) / sizeof(files_sorts[0]); i++)
		if (strcmp(files_sorts[i][0], name) == 0)
			return (files_sorts[i][1]);
	return (NULL);
}

bool
files_status_known(const char *status)
{
	size_t i;

	for (i = 0; i < sizeof(files_statuses) / sizeof(files_statuses[0]); i++)
		if (strcmp(files_statuses[i], status) == 0)
			return (true);
	return (false);
}

/* A page of coll under filter and sort, tenant_id (and drop) left out. */
static enum files_result
files_page_read(const struct tenant_ctx *ctx, const char *coll,
    const json_t *filter, const json_t *sort, long page, long size,
    const char *drop, struct files_page *out, char *err, size_t errlen)
{
	enum metadb_status st;
	json_t            *item;
	size_t             i;

	out->items = NULL;
	out->total = metadb_count(ctx, coll, filter, err, errlen);
	out->items = metadb_find(
	    ctx, coll, filter, sort, (page - 1) * size, size, &st, err, errlen);
	if (out->total < 0 || st != METADB_OK) {
		json_decref(out->items);
		out->items = NULL;
		return (FILES_UNAVAILABLE);
	}
	json_array_foreach(out->items, i, item)
	{
		json_object_del(item, "tenant_id");
		if (drop != NULL)
			json_object_del(item, drop);
	}
	return (FILES_OK);
}

enum files_result
files_list(const struct tenant_ctx *ctx, const struct files_query *q,
    struct files_page *out, char *err, size_t errlen)
{
	enum files_result r;
	json_t           *filter, *range, *sort;

	filter = json_object();
	if (q->status[0] != '\0')
		json_object_set_new(filter, "status", json_string(q->status));
	if (q->from[0] != '\0' || q->to[0] != '\0') {
		range = json_object();
		if (q->from[0] != '\0')
			json_object_set_new(
			    range, "$gte", json_string(q->from));
		if (q->to[0] != '\0')
			json_object_set_new(range, "$lte", json_string(q->to));
		json_object_set_new(filter, "created_at", range);
	}
	/* Ties are broken by date, newest first (object keys keep their
	 * order: it is the sort order). */
	sort = json_pack("{s:i}", q->sort, q->ascending ? 1 : -1);
	if (strcmp(q->sort, "created_at") != 0)
		json_object_set_new(sort, "created_at", json_integer(-1));
	r = files_page_read(ctx, "files", filter, sort, q->page, q->size, NULL,
	    out, err, errlen);
	json_decref(sort);
	json_decref(filter);
	return (r);
}

enum files_result
files_get(const struct tenant_ctx *ctx, const char *id, json_t **file,
    char *err, size_t errlen)
{
	enum metadb_status st;
	json_t            *filter;

	filter = json_pack("{s:s}", "id", id);
	*file = metadb_find_one(ctx, "files", filter, &st, err, errlen);
	json_decref(filter);
	if (st == METADB_NOT_FOUND)
		return (FILES_NOT_FOUND);
	if (st != METADB_OK) {
		json_decref(*file);
		*file = NULL;
		return (FILES_UNAVAILABLE);
	}
	json_object_del(*file, "tenant_id");
	return (FILES_OK);
}

enum files_result
files_rejects(const struct tenant_ctx *ctx, const char *id, long page,
    long size, struct files_page *out, char *err, size_t errlen)
{
	enum files_result r;
	json_t           *filter, *sort;
	long              n;

	/* The file must be the tenant's: otherwise not found, like a
	 * missing one. */
	filter = json_pack("{s:s}", "id", id);
	n = metadb_count(ctx, "files", filter, err, errlen);
	json_decref(filter);
	if (n < 0)
		return (FILES_UNAVAILABLE);
	if (n != 1)
		return (FILES_NOT_FOUND);
	filter = json_pack("{s:s}", "file_id", id);
	sort = json_pack("{s:i}", "line", 1);
	r = files_page_read(ctx, "file_rejects", filter, sort, page, size, "id",
	    out, err, errlen);
	json_decref(sort);
	json_decref(filter);
	return (r);
}
