#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "core/bulk.h"
#include "core/mem.h"

#define BULK_ITEMS_FIRST 256

static enum bulk_add_status bulk_action(
    struct bulk_batch *, const struct tenant_ctx *, long, const char *, char *);
static void bulk_item_push(struct bulk_batch *, const struct tenant_ctx *,
    const char *, unsigned long long, size_t);
static void bulk_rollback(struct bulk_batch *, size_t);
static int  bulk_dump_cb(const char *, size_t, void *);
static void bulk_item_read(const json_t *, struct bulk_item_outcome *);
static void bulk_reason_make(const json_t *, struct bulk_item_outcome *);
static void bulk_count(struct bulk_outcome *, enum bulk_item_state);

/* An empty batch; flush_bytes 0 means BULK_FLUSH_BYTES. */
void
bulk_batch_init(struct bulk_batch *b, size_t flush_bytes)
{
	memset(b, 0, sizeof(*b));
	buf_init(&b->body, 64 * 1024);
	b->flush_bytes = flush_bytes > 0 ? flush_bytes : BULK_FLUSH_BYTES;
}

/* Empties the batch (keeping its memory) so another tenant may use it. */
void
bulk_batch_reset(struct bulk_batch *b)
{
	buf_reset(&b->body);
	b->n = 0;
	b->tenant_id[0] = '\0';
}

void
bulk_batch_free(struct bulk_batch *b)
{
	buf_free(&b->body);
	mem_free(b->items);
	memset(b, 0, sizeof(*b));
}

/*
 * Appends one document of tenant ctx, dated when (Unix seconds, UTC):
 *
 *   {"index":{"_index":"logs-<slug>-YYYY.MM.DD","_id":"<id>"}}\n
 *   <doc as compact JSON>\n
 *
 * The index is computed here from ctx, never given by the caller. line
 * is kept for the caller's reports. doc is only read. The batch is left
 * unchanged when anything is refused: a context that does not pass
 * tenant_ctx_check() or belongs to another tenant than the batch's, a
 * time outside 1970..9999, an id that is empty, longer than BULK_ID_MAX
 * or not UTF-8, a doc that is not an object.
 */
enum bulk_add_status
bulk_add(struct bulk_batch *b, const struct tenant_ctx *ctx, long when,
    const char *id, unsigned long long line, const json_t *doc)
{
	enum bulk_add_status st;
	size_t               start;
	char                 index[BULK_INDEX_MAX];

	if (!json_is_object(doc))
		return (BULK_ADD_BAD_DOC);
	start = b->body.len;
	if ((st = bulk_action(b, ctx, when, id, index)) != BULK_ADD_OK)
		return (st);
	if (json_dump_callback(doc, bulk_dump_cb, &b->body, JSON_COMPACT) !=
	    0) {
		bulk_rollback(b, start);
		return (BULK_ADD_BAD_DOC);
	}
	bulk_item_push(b, ctx, index, line, start);
	return (BULK_ADD_OK);
}

/*
 * bulk_add() for a document already written as JSON text (len bytes,
 * e.g. by record_append_json()), copied as it is. The text must be one
 * line holding an object: it starts with '{', ends with '}' and holds no
 * CR or LF, so it can never be read as an action line (and point at
 * another index). Whether it is valid JSON is Elasticsearch's to say:
 * the item is then rejected on its own.
 */
enum bulk_add_status
bulk_add_raw(struct bulk_batch *b, const struct tenant_ctx *ctx, long when,
    const char *id, unsigned long long line, const char *json, size_t len)
{
	enum bulk_add_status st;
	size_t               start;
	char                 index[BULK_INDEX_MAX];

	if (json == NULL || len < 2 || json[0] != '{' || json[len - 1] != '}' ||
	    memchr(json, '\n', len) != NULL || memchr(json, '\r', len) != NULL)
		return (BULK_ADD_BAD_DOC);
	start = b->body.len;
	if ((st = bulk_action(b, ctx, when, id, index)) != BULK_ADD_OK)
		return (st);
	buf_append(&b->body, json, len);
	bulk_item_push(b, ctx, index, line, start);
	return (BULK_ADD_OK);
}

#define BULK_APPEND_LIT(b, lit) buf_append(b, lit, sizeof(lit) - 1)

/* Whether id is only [A-Za-z0-9_-] (base64url): nothing to escape. */
static bool
bulk_id_plain(const char *id, size_t len)
{
	size_t i;
	char   c;

	for (i = 0; i < len; i++) {
		c = id[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '_' || c == '-'))
			return (false);
	}
	return (true);
}

/*
 * Checks ctx, when and id as bulk_add() says and appends the action line
 * and its newline; the batch is unchanged unless BULK_ADD_OK. The item's
 * index name is written to index. The context is checked in full once
 * per batch and then compared, and the index name computed once per day:
 * most items of a batch share both.
 */
static enum bulk_add_status
bulk_action(struct bulk_batch *b, const struct tenant_ctx *ctx, long when,
    const char *id, char *index)
{
	json_t *action;
	size_t  start, idlen;
	long    day;
	int     rc;

	if (ctx == NULL)
		return (BULK_ADD_BAD_TENANT);
	/*
	 * Byte comparison on purpose (hot path): padding or bytes after a
	 * string's NUL can only make equal contexts differ, which costs one
	 * more check, never a wrong tenant.
	 */
	/* NOLINTNEXTLINE(bugprone-suspicious-memory-comparison) */
	if (!b->checked_ok || memcmp(&b->checked, ctx, sizeof(*ctx)) != 0) {
		b->checked_ok = false;
		if (!tenant_ctx_check(ctx) ||
		    (b->tenant_id[0] != '\0' &&
			strcmp(b->tenant_id, ctx->id) != 0))
			return (BULK_ADD_BAD_TENANT);
		b->checked = *ctx;
		b->checked_ok = true;
		b->day = LONG_MIN;
	}
	day = when >= 0 ? when / 86400 : -1 - (-1 - when) / 86400;
	if (day != b->day) {
		if (!tenant_index_daily(
			ctx, when, b->day_index, sizeof(b->day_index)))
			return (BULK_ADD_BAD_TIME);
		b->day = day;
	}
	memcpy(index, b->day_index, BULK_INDEX_MAX);
	if (id == NULL || id[0] == '\0' ||
	    (idlen = strnlen(id, BULK_ID_MAX + 1)) > BULK_ID_MAX)
		return (BULK_ADD_BAD_ID);
	/* Ids of our own making need no escaping: written directly (the
	 * index name is ours too: a slug and a date). */
	if (bulk_id_plain(id, idlen)) {
		BULK_APPEND_LIT(&b->body, "{\"index\":{\"_index\":\"");
		buf_append(&b->body, index, strlen(index));
		BULK_APPEND_LIT(&b->body, "\",\"_id\":\"");
		buf_append(&b->body, id, idlen);
		BULK_APPEND_LIT(&b->body, "\"}}\n");
		return (BULK_ADD_OK);
	}
	action =
	    json_pack("{s:{s:s, s:s}}", "index", "_index", index, "_id", id);
	if (action == NULL)
		return (BULK_ADD_BAD_ID); /* jansson refuses invalid UTF-8 */
	start = b->body.len;
	rc = json_dump_callback(action, bulk_dump_cb, &b->body, JSON_COMPACT);
	json_decref(action);
	if (rc != 0) {
		bulk_rollback(b, start);
		return (BULK_ADD_BAD_ID);
	}
	buf_append(&b->body, "\n", 1);
	return (BULK_ADD_OK);
}

/* Ends the item begun at start (its document is in) and records it. */
static void
bulk_item_push(struct bulk_batch *b, const struct tenant_ctx *ctx,
    const char *index, unsigned long long line, size_t start)
{
	struct bulk_item *it;

	buf_append(&b->body, "\n", 1);
	if (b->n == b->cap) {
		b->cap = b->cap == 0 ? BULK_ITEMS_FIRST : b->cap * 2;
		b->items = mem_realloc(b->items, b->cap * sizeof(*b->items));
	}
	it = &b->items[b->n++];
	memcpy(it->index, index, sizeof(it->index));
	it->line = line;
	it->off = start;
	it->len = b->body.len - start;
	if (b->tenant_id[0] == '\0')
		memcpy(b->tenant_id, ctx->id, sizeof(b->tenant_id));
}

/* Cuts the body back to len bytes (an item that failed half-way). */
static void
bulk_rollback(struct bulk_batch *b, size_t len)
{
	b->body.len = len;
	if (b->body.data != NULL)
		b->body.data[len] = '\0';
}

/* Appends a piece of jansson's output to the body (a struct buf). */
static int
bulk_dump_cb(const char *data, size_t len, void *arg)
{
	buf_append(arg, data, len);
	return (0);
}

const char *
bulk_add_status_text(enum bulk_add_status st)
{
	switch (st) {
	case BULK_ADD_OK:
		return ("ok");
	case BULK_ADD_BAD_TENANT:
		return ("invalid tenant, or not the batch's tenant");
	case BULK_ADD_BAD_TIME:
		return ("timestamp outside 1970 to 9999");
	case BULK_ADD_BAD_ID:
		return ("document id empty, too long or not UTF-8");
	case BULK_ADD_BAD_DOC:
		return ("document is not a JSON object");
	}
	return ("unknown");
}

/* Bytes of the body: what a request would carry. */
size_t
bulk_batch_bytes(const struct bulk_batch *b)
{
	return (b->body.len);
}

/* True once the body reached the batch's flush size: send it now. */
bool
bulk_batch_full(const struct bulk_batch *b)
{
	return (b->body.len >= b->flush_bytes);
}

/*
 * Appends to out the body of the items numbered in which[0..n-1] (in
 * that order), e.g. those to send again. Numbers past the batch's end
 * are skipped.
 */
void
bulk_batch_subset(
    const struct bulk_batch *b, const size_t *which, size_t n, struct buf *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (which[i] < b->n)
			buf_append(out, b->body.data + b->items[which[i]].off,
			    b->items[which[i]].len);
	}
}

/*
 * What to do with an item that answered status (and error.type, which
 * may be NULL): 2xx is done; 429, 5xx and the errors of a busy or
 * blocked cluster (whatever their status) are worth sending again;
 * anything else is the document's fault and will fail the same way.
 */
enum bulk_item_state
bulk_item_classify(int status, const char *error_type)
{
	static const char *const busy[] = {"es_rejected_execution_exception",
	    "circuit_breaking_exception", "cluster_block_exception",
	    "unavailable_shards_exception",
	    "process_cluster_event_timeout_exception"};
	size_t                   i;

	for (i = 0; error_type != NULL && i < sizeof(busy) / sizeof(busy[0]);
	     i++) {
		if (strcmp(error_type, busy[i]) == 0)
			return (BULK_ITEM_RETRY);
	}
	if (status >= 200 && status <= 299)
		return (BULK_ITEM_OK);
	if (status == 429 || status >= 500 || status <= 0)
		return (BULK_ITEM_RETRY);
	return (BULK_ITEM_REJECTED);
}

/* Skips the literal lit at *p: false (and *p unchanged) when absent. */
static bool
bulk_skip(const char **p, const char *end, const char *lit, size_t litlen)
{
	if ((size_t)(end - *p) < litlen || memcmp(*p, lit, litlen) != 0)
		return (false);
	*p += litlen;
	return (true);
}

#define BULK_SKIP(p, end, lit) bulk_skip(p, end, lit, sizeof(lit) - 1)

/*
 * The usual answer to a request of ours, every item indexed, read
 * without building a tree: exactly {"errors":false,"items":[...]} as
 * filter_path leaves it, each item {"<action>":{"status":2xx}} with
 * action index, create, update or delete, and nothing else but
 * whitespace after the end. Counts the items into *n. False for anything
 * else, which jansson then reads (pretty-printed, other fields, errors):
 * this is a shortcut, not a second parser to trust.
 */
static bool
bulk_response_clean(const char *body, size_t len, size_t *n)
{
	static const char *const actions[] = {"{\"index\":{\"status\":2",
	    "{\"create\":{\"status\":2", "{\"update\":{\"status\":2",
	    "{\"delete\":{\"status\":2"};
	const char              *p, *end;
	size_t                   count, a;

	p = body;
	end = body + len;
	*n = 0;
	if (!BULK_SKIP(&p, end, "{\"errors\":false,\"items\":["))
		return (false);
	count = 0;
	if (!BULK_SKIP(&p, end, "]")) {
		for (;;) {
			for (a = 0; a < sizeof(actions) / sizeof(actions[0]);
			     a++) {
				if (bulk_skip(&p, end, actions[a],
					strlen(actions[a])))
					break;
			}
			if (a == sizeof(actions) / sizeof(actions[0]) ||
			    end - p < 4 || p[0] < '0' || p[0] > '9' ||
			    p[1] < '0' || p[1] > '9' || p[2] != '}' ||
			    p[3] != '}')
				return (false);
			p += 4;
			count++;
			if (BULK_SKIP(&p, end, "]"))
				break;
			if (!BULK_SKIP(&p, end, ","))
				return (false);
		}
	}
	if (!BULK_SKIP(&p, end, "}"))
		return (false);
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	if (p != end)
		return (false);
	*n = count;
	return (true);
}

/*
 * Reads a _bulk answer (also one cut down by filter_path) into out, one
 * outcome per item in the order they were sent. With "errors":false
 * every item is indexed and the items are not walked (their status stays
 * 0); the usual such answer is only counted (bulk_response_clean()). An item that cannot be read (no status) counts as to retry.
 * Returns false, with out empty, when body is not a _bulk answer. The
 * caller frees out with bulk_outcome_free() in both cases.
 */
bool
bulk_response_read(const char *body, size_t len, struct bulk_outcome *out)
{
	json_t *root, *items, *errors;
	size_t  i;
	bool    ok;

	memset(out, 0, sizeof(*out));
	ok = false;
	if (body != NULL && bulk_response_clean(body, len, &out->n)) {
		/* What jansson would have made of it, without the tree. */
		out->items =
		    mem_calloc(out->n == 0 ? 1 : out->n, sizeof(*out->items));
		out->ok = out->n;
		return (true);
	}
	if (body == NULL || (root = json_loadb(body, len, 0, NULL)) == NULL)
		return (false);
	items = json_object_get(root, "items");
	errors = json_object_get(root, "errors");
	if (!json_is_array(items) || !json_is_boolean(errors))
		goto out;
	out->errors = json_is_true(errors);
	out->n = json_array_size(items);
	out->items = mem_calloc(out->n == 0 ? 1 : out->n, sizeof(*out->items));
	for (i = 0; i < out->n; i++) {
		if (out->errors)
			bulk_item_read(
			    json_array_get(items, i), &out->items[i]);
		else
			out->items[i].state = BULK_ITEM_OK;
		bulk_count(out, out->items[i].state);
	}
	ok = true;
out:
	json_decref(root);
	return (ok);
}

static void
bulk_count(struct bulk_outcome *out, enum bulk_item_state st)
{
	switch (st) {
	case BULK_ITEM_OK:
		out->ok++;
		break;
	case BULK_ITEM_RETRY:
		out->retry++;
		break;
	case BULK_ITEM_REJECTED:
		out->rejected++;
		break;
	}
}

/*
 * One item, {"<action>":{"status":N, "error":{...}}}: its status and,
 * unless indexed, its error's type and reason.
 */
static void
bulk_item_read(const json_t *item, struct bulk_item_outcome *o)
{
	const char *action, *type;
	json_t     *inner, *status, *error;

	inner = NULL;
	json_object_foreach((json_t *)item, action, inner)
	{
		(void)action;
		break;
	}
	status = json_object_get(inner, "status");
	error = json_object_get(inner, "error");
	o->status =
	    json_is_integer(status) ? (int)json_integer_value(status) : 0;
	type = json_string_value(json_object_get(error, "type"));
	o->state = bulk_item_classify(o->status, type);
	if (o->state == BULK_ITEM_OK)
		return;
	if (o->status == 0) {
		o->type = mem_strdup("unreadable_item");
		o->reason = mem_strdup("the answer's item has no status");
		return;
	}
	o->type = mem_strdup(type != NULL ? type : "unknown");
	bulk_reason_make(error, o);
}

/*
 * The reason kept for a report: error.reason, then ": " and the reason
 * it was caused by when there is one (Elasticsearch puts the useful part
 * of a mapping error there), cut to BULK_REASON_MAX bytes without
 * splitting a UTF-8 character. error may be a plain string in old
 * answers.
 */
static void
bulk_reason_make(const json_t *error, struct bulk_item_outcome *o)
{
	const char *reason, *cause;
	struct buf  b;
	size_t      cut;

	if (json_is_string(error))
		reason = json_string_value(error);
	else
		reason = json_string_value(json_object_get(error, "reason"));
	cause = json_string_value(
	    json_object_get(json_object_get(error, "caused_by"), "reason"));
	buf_init(&b, 128);
	buf_appends(&b, reason != NULL ? reason : "no reason given");
	if (cause != NULL && (reason == NULL || strcmp(cause, reason) != 0))
		buf_appendf(&b, ": %s", cause);
	if (b.len > BULK_REASON_MAX) {
		cut = BULK_REASON_MAX;
		while (cut > 0 && ((unsigned char)b.data[cut] & 0xC0) == 0x80)
			cut--;
		b.len = cut;
		b.data[cut] = '\0';
	}
	o->reason = buf_release(&b);
}

void
bulk_outcome_free(struct bulk_outcome *out)
{
	size_t i;

	for (i = 0; out->items != NULL && i < out->n; i++) {
		mem_free(out->items[i].type);
		mem_free(out->items[i].reason);
	}
	mem_free(out->items);
	memset(out, 0, sizeof(*out));
}

/*
 * "Full jitter" exponential backoff: the wait before retry number retry
 * (0 for the first) is uniform in [0, min(cap, base * 2^retry)], drawn
 * from random (any 32 random bits; the caller draws them, this stays
 * pure).
 */
long
bulk_backoff_ms(long base_ms, long cap_ms, int retry, uint32_t random)
{
	long ceiling;
	int  i;

	if (base_ms <= 0 || cap_ms <= 0)
		return (0);
	ceiling = base_ms;
	for (i = 0; i < retry && ceiling < cap_ms; i++)
		ceiling *= 2;
	if (ceiling > cap_ms)
		ceiling = cap_ms;
	return ((long)(random % ((uint32_t)ceiling + 1)));
}
