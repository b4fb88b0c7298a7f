/*
 * Elasticsearch _bulk without I/O: building a request body for one
 * tenant and reading the answer item by item. store/es_bulk.c sends
 * what is built here.
 *
 * Every action is "index" with a stable id (core/docid.h): sending an
 * item again overwrites the same document, so a retry or a re-run job
 * never duplicates. ("create" would answer 409 for a document already
 * there, which would have to be told apart from a real conflict.)
 */
#ifndef VIGIE_CORE_BULK_H
#define VIGIE_CORE_BULK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/tenant.h"

#define BULK_FLUSH_BYTES (5 * 1024 * 1024) /* default body size to send at */
#define BULK_ID_MAX      512 /* bytes of an _id Elasticsearch accepts */
#define BULK_INDEX_MAX   64 /* "logs-" slug "-YYYY.MM.DD" and a NUL */
#define BULK_REASON_MAX  512 /* bytes of an error reason kept */

/* ---- building ------------------------------------------------------------ */

enum bulk_add_status {
	BULK_ADD_OK,
	BULK_ADD_BAD_TENANT, /* invalid ctx, or not the batch's tenant */
	BULK_ADD_BAD_TIME, /* timestamp before 1970 or after 9999 */
	BULK_ADD_BAD_ID, /* empty, too long, or not UTF-8 */
	BULK_ADD_BAD_DOC, /* not a JSON object, or raw text with a line break */
};

/* Where one item lies in the body; its index is the tenant's. */
struct bulk_item {
	char               index[BULK_INDEX_MAX];
	unsigned long long line; /* the caller's reference, for reports */
	size_t             off; /* first byte of its action line in body */
	size_t             len; /* both lines, newlines included */
};

/*
 * One tenant's batch: the NDJSON body and its items in order. The
 * tenant is fixed by the first bulk_add(); index names come only from
 * it. The batch owns everything; bulk_batch_free() releases it.
 */
struct bulk_batch {
	char              tenant_id[TENANT_ID_LEN + 1]; /* "" while empty */
	struct buf        body;
	struct bulk_item *items;
	size_t            n;
	size_t            cap;
	size_t            flush_bytes;
	/* Per-item work done once: the context last checked, and the
	 * index of the last day seen (most items share both). */
	struct tenant_ctx checked;
	bool              checked_ok;
	long              day;
	char              day_index[BULK_INDEX_MAX];
};

void                 bulk_batch_init(struct bulk_batch *, size_t flush_bytes);
void                 bulk_batch_reset(struct bulk_batch *);
void                 bulk_batch_free(struct bulk_batch *);
enum bulk_add_status bulk_add(struct bulk_batch *, const struct tenant_ctx *,
    long when, const char *id, unsigned long long line, const json_t *doc);
enum bulk_add_status
bulk_add_raw(struct bulk_batch *, const struct tenant_ctx *, long when,
    const char *id, unsigned long long line, const char *json, size_t len);
const char *bulk_add_status_text(enum bulk_add_status);
size_t      bulk_batch_bytes(const struct bulk_batch *);
bool        bulk_batch_full(const struct bulk_batch *);
void        bulk_batch_subset(
	   const struct bulk_batch *, const size_t *which, size_t n, struct buf *out);

/* ---- reading ------------------------------------------------------------- */

enum bulk_item_state {
	BULK_ITEM_OK, /* indexed (200 or 201) */
	BULK_ITEM_RETRY, /* 429, 5xx, or Elasticsearch was busy */
	BULK_ITEM_REJECTED, /* the document itself was refused: do not resend */
};

struct bulk_item_outcome {
	enum bulk_item_state state;
	int                  status; /* the item's status; 0 when not read */
	char                *type; /* error.type, or NULL; owned */
	char                *reason; /* error.reason (+ caused_by), or NULL */
};

/* An answer read; bulk_outcome_free() releases it. */
struct bulk_outcome {
	bool                      errors; /* the answer's "errors" flag */
	size_t                    n; /* items, in the order sent */
	size_t                    ok, retry, rejected;
	struct bulk_item_outcome *items;
};

bool bulk_response_read(const char *body, size_t len, struct bulk_outcome *);
void bulk_outcome_free(struct bulk_outcome *);
enum bulk_item_state bulk_item_classify(int status, const char *error_type);

/* ---- retrying ------------------------------------------------------------ */

long bulk_backoff_ms(long base_ms, long cap_ms, int retry, uint32_t random);

#endif
