/*
 * Machine ingestion without a file: JSON documents posted to
 * /api/v1/ingest, Elasticsearch-compatible _bulk bodies from log
 * shippers, and the preview of an upload (parsed, nothing stored).
 *
 * Every document goes through the JSON parser of core/logparse.h (known
 * fields mapped to ECS names), lands in the caller's tenant's daily index
 * chosen from its own @timestamp (bulk_add_raw: no client ever names an
 * index), and gets a stable id (core/docid.h).
 */
#ifndef VIGIE_SERVICE_INGEST_API_H
#define VIGIE_SERVICE_INGEST_API_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/tenant.h"

/* Largest body of /api/v1/ingest and /_bulk. */
#define INGEST_API_BODY_MAX (10 * 1024 * 1024)
/* Per-document errors listed in an answer (all are counted). */
#define INGEST_API_ERRORS_MAX 100
/* What the preview looks at, and how many records it shows. */
#define INGEST_PREVIEW_BYTES   (64 * 1024)
#define INGEST_PREVIEW_RECORDS 10

enum ingest_api_status {
	INGEST_API_OK,
	INGEST_API_BAD_BODY, /* not JSON at all, or nothing usable */
	INGEST_API_UNAVAILABLE, /* Elasticsearch stayed down */
};

struct ingest_api_result {
	enum ingest_api_status status;
	long                   accepted; /* indexed */
	long                   rejected; /* refused: parse or Elasticsearch */
	json_t *errors; /* [{index, reason}], the first ones; owned */
	char    message[256]; /* why BAD_BODY or UNAVAILABLE */
};

/*
 * Indexes body (a JSON object, an array of objects, or NDJSON) into the
 * tenant. Element i (0-based, in order) gets the id docid(request id,
 * i + 1). On UNAVAILABLE, accepted says how many were indexed before
 * Elasticsearch gave up. The caller frees with ingest_api_result_free().
 */
void ingest_api_json(const struct tenant_ctx *, const char *body, size_t len,
    long now, struct ingest_api_result *);
void ingest_api_result_free(struct ingest_api_result *);

enum ingest_bulk_status {
	INGEST_BULK_OK, /* reply is the Elasticsearch bulk answer */
	INGEST_BULK_BAD_REQUEST, /* a malformed action line: nothing sent */
	INGEST_BULK_UNAVAILABLE, /* Elasticsearch stayed down */
};

struct ingest_bulk_result {
	enum ingest_bulk_status status;
	json_t *reply; /* {"took","errors","items"} on OK; owned */
	long    indexed; /* documents indexed (also on UNAVAILABLE) */
	char    message[256];
};

/*
 * Runs an Elasticsearch _bulk body (NDJSON action/document pairs) for
 * the tenant. "index" and "create" are indexed; "update" and "delete"
 * answer a per-item 400. The client's _index is ignored; its _id is
 * hashed with the tenant into ours (re-sending deduplicates). The caller
 * frees with ingest_bulk_result_free().
 */
void ingest_api_bulk(const struct tenant_ctx *, const char *body, size_t len,
    long now, struct ingest_bulk_result *);
void ingest_bulk_result_free(struct ingest_bulk_result *);

enum ingest_gunzip_result {
	INGEST_GUNZIP_OK,
	INGEST_GUNZIP_BAD, /* not gzip, or cut short */
	INGEST_GUNZIP_TOO_LARGE, /* more than max bytes once inflated */
};

/*
 * Inflates a whole gzip body (shippers compress theirs: Filebeat by
 * default) into out, up to max bytes. out must be initialized; the
 * caller frees it.
 */
enum ingest_gunzip_result
ingest_api_gunzip(const char *data, size_t len, size_t max, struct buf *out);

enum ingest_preview_status {
	INGEST_PREVIEW_OK,
	INGEST_PREVIEW_EMPTY,
	INGEST_PREVIEW_BINARY,
	INGEST_PREVIEW_BAD_UTF8,
	INGEST_PREVIEW_BAD_TYPE,
	INGEST_PREVIEW_UNREADABLE, /* the format was refused otherwise */
};

/*
 * Parses the first INGEST_PREVIEW_BYTES of an upload (more_follows: the
 * upload is longer) as it would be ingested: *out is {"format",
 * "detected", "records", "errors"} on OK (and "compressed": true for
 * gzip, whose start is inflated first). Nothing is stored. message says
 * why otherwise.
 */
enum ingest_preview_status
ingest_preview(const char *data, size_t len, bool more_follows,
    const char *type, long now, json_t **out, char *message, size_t msglen);

#endif
