/*
 * Uploaded files: storing the bytes under a server-chosen name outside
 * any served folder, recording them in MongoDB "files", and queueing
 * their ingestion in the tenant's Redis queue.
 */
#ifndef VIGIE_SERVICE_FILES_H
#define VIGIE_SERVICE_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/settings.h"
#include "core/tenant.h"

/* The "doc_ids" of a file's record: its documents' ids are
 * docid_file_line() of its id and each record's ordinal. */
#define FILES_DOC_IDS "file-line"

enum files_result {
	FILES_OK = 0,
	FILES_EMPTY, /* no bytes */
	FILES_BINARY, /* a NUL byte: not a text log */
	FILES_BAD_UTF8, /* text, but not UTF-8 */
	FILES_BAD_TYPE, /* unknown type override */
	FILES_NOT_FOUND,
	FILES_UNAVAILABLE, /* a store failed; nothing was kept */
};

struct files_upload {
	const struct tenant_ctx *ctx;
	const char              *uploader; /* user or key id */
	const char              *name; /* the client's name, metadata only */
	const char              *type; /* "auto" or a format name */
	int                      fd; /* the body, from offset 0, or -1 */
	const char              *mem; /* or the body in memory */
	size_t                   len;
	const char              *spool_path; /* fd's file (linked), or "" */
	const unsigned char     *sha256; /* the body's (32 bytes), or NULL */
	long                     now;
};

struct files_outcome {
	enum files_result result;
	char              message[256];
	json_t           *file; /* the record, on success; caller owns */
};

/* What the file list shows: filters ("" for none), order and page. */
struct files_query {
	const char *status; /* files_status_known(), or "" */
	const char *from, *to; /* ISO 8601 bounds of created_at, or "" */
	const char *sort; /* a field of the record (files_sort_field()) */
	bool        ascending;
	long        page, size; /* page from 1 */
};

/* One page of records (tenant_id left out) and how many there are. */
struct files_page {
	json_t *items; /* caller owns */
	long    total;
};

/* The record field a sort name of the API stands for, or NULL. */
const char *files_sort_field(const char *name);
bool        files_status_known(const char *);

/* FILES_OK or FILES_UNAVAILABLE (err says why). */
enum files_result files_list(const struct tenant_ctx *,
    const struct files_query *, struct files_page *, char *err, size_t);
/* FILES_OK with *file (caller owns), FILES_NOT_FOUND (another tenant's
 * too), FILES_UNAVAILABLE. */
enum files_result files_get(const struct tenant_ctx *, const char *id,
    json_t **file, char *err, size_t errlen);
/* The file's rejected lines by line number; FILES_NOT_FOUND when the
 * file is not the tenant's. */
enum files_result files_rejects(const struct tenant_ctx *, const char *id,
    long page, long size, struct files_page *, char *err, size_t errlen);

void        files_configure(const struct settings *);
void        files_store(const struct files_upload *, struct files_outcome *);
bool        files_type_known(const char *);
const char *files_dir(void);
bool        files_path(
	   const struct tenant_ctx *, const char *file_id, char *out, size_t outlen);
bool files_mkdir_p(const char *dir, char *err, size_t errlen);
bool files_queue_ingest(
    const struct tenant_ctx *, const char *file_id, char *err, size_t errlen);

#endif
