#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/env.h"
#include "common/later.h"
#include "common/log.h"
#include "core/buf.h"
#include "core/digest.h"
#include "core/export_csv.h"
#include "core/mem.h"
#include "core/search_answer.h"
#include "core/timeparse.h"
#include "service/search.h"
#include "store/cache.h"
#include "store/es.h"
#include "store/metadb.h"

#define SEARCH_ES_PARAMS   "ignore_unavailable=true&allow_no_indices=true"
#define SEARCH_EXPORT_PAGE 1000
#define SEARCH_FLUSH_BYTES (64 * 1024)
#define SEARCH_PIT_KEEP    "2m"

void
search_outcome_clear(struct search_outcome *o)
{
	json_decref(o->body);
	free(o->text);
	memset(o, 0, sizeof(*o));
}

static void
search_set(struct search_outcome *o, enum search_result r, const char *field,
    const char *message)
{
	o->result = r;
	snprintf(o->field, sizeof(o->field), "%s", field != NULL ? field : "");
	snprintf(o->message, sizeof(o->message), "%s", message);
}

static void
search_invalid(struct search_outcome *o, const struct search_error *err)
{
	search_set(o, SEARCH_INVALID, err->field, err->message);
}

static long
search_elapsed_ms(uint64_t start_us)
{
	return ((long)((env_monotonic_us() - start_us) / 1000));
}

/* An answer that is not a usable one: logged, SEARCH_UNAVAILABLE. */
static void
search_es_refused(
    const char *path, const struct es_response *r, struct search_outcome *o)
{
	log_emit(LOG_LEVEL_ERROR, "search", NULL,
	    json_pack("{s:s, s:i, s:s%}", "path", path, "status",
		(int)r->status, "body",
		r->body.data != NULL ? r->body.data : "",
		r->body.len < 300 ? r->body.len : 300),
	    "Elasticsearch refused a search");
	search_set(o, SEARCH_UNAVAILABLE, NULL,
	    "the log store is unavailable, try again shortly");
}

/*
 * Whether Elasticsearch's answer r to path is a usable 200 (reached:
 * whether it was reached at all). Otherwise sets o: 400 is the caller's
 * query (SEARCH_INVALID), anything else SEARCH_UNAVAILABLE.
 */
static bool
search_es_judge(const char *path, bool reached, const struct es_response *r,
    struct search_outcome *o)
{
	json_t *reply, *cause;
	char    why[256];

	if (!reached) {
		log_emit(LOG_LEVEL_ERROR, "search", NULL,
		    json_pack("{s:s, s:s}", "path", path, "error", r->error),
		    "Elasticsearch unreachable");
		search_set(o, SEARCH_UNAVAILABLE, NULL,
		    "the log store is unavailable, try again shortly");
		return (false);
	}
	if (r->status == 200)
		return (true);
	if (r->status == 400) {
		reply = json_loadb(r->body.data, r->body.len, 0, NULL);
		cause = json_array_get(
		    json_object_get(
			json_object_get(reply, "error"), "root_cause"),
		    0);
		snprintf(why, sizeof(why),
		    "the log store refused the query: %s",
		    json_string_value(json_object_get(cause, "reason")) != NULL
			? json_string_value(json_object_get(cause, "reason"))
			: "bad request");
		json_decref(reply);
		search_set(o, SEARCH_INVALID, "q", why);
	} else {
		search_es_refused(path, r, o);
	}
	return (false);
}

/*
 * Sends body (NULL: none) to path. Returns true with *r holding a 200
 * answer, or false with o set (search_es_judge()). *r is to be freed
 * with es_response_free() either way.
 */
static bool
search_es_text(const char *method, const char *path, const json_t *body,
    struct es_response *r, struct search_outcome *o)
{
	char *text;
	bool  reached;

	text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
	reached = es_request(
	    method, path, text, text != NULL ? strlen(text) : 0, 0, r);
	free(text);
	return (search_es_judge(path, reached, r, o));
}

/* The 200 answer of search_es_text() parsed, or NULL with o set. */
static json_t *
search_es(const char *method, const char *path, const json_t *body,
    struct search_outcome *o)
{
	struct es_response r;
	json_t            *reply;

	reply = NULL;
	if (search_es_text(method, path, body, &r, o) &&
	    (reply = json_loadb(r.body.data, r.body.len, 0, NULL)) == NULL)
		search_es_refused(path, &r, o);
	es_response_free(&r);
	return (reply);
}

static bool
search_path(const struct tenant_ctx *ctx, const char *what, char *out,
    size_t outlen, struct search_outcome *o)
{
	char alias[64];

	if (!search_tenant_alias(ctx, alias, sizeof(alias))) {
		search_set(o, SEARCH_UNAVAILABLE, NULL, "invalid tenant");
		return (false);
	}
	snprintf(out, outlen, "/%s/%s?%s", alias, what, SEARCH_ES_PARAMS);
	return (true);
}

/* ---- the answer cache ------------------------------------------------------ */

/*
 * The cached answer text for what, or NULL with slot set: slot->store
 * tells whether a fresh answer may be stored (not when the cache is
 * unusable, nor while the generation settles).
 */
static char *
search_cache_lookup(const struct tenant_ctx *ctx, const char *kind,
    const json_t *what, const struct search_cache_hint *hint,
    struct search_slot *slot, size_t *len)
{
	char  err[192], key[160];
	bool  settling;
	char *text;

	slot->kind = kind;
	slot->store = false;
	slot->no_wait = false;
	search_cache_hash(what, slot->hash);
	/* A kind the key allows, before anything is read. */
	if (!search_cache_key_hashed(kind, 0, slot->hash, key, sizeof(key)))
		return (NULL);
	if (hint != NULL && hint->known) {
		slot->gen = hint->gen;
		settling = hint->settling;
		if (!cache_answer_known(
			ctx, kind, slot->hash, hint->gen, &text, len))
			return (NULL);
	} else if (!cache_answer_lookup(ctx, kind, slot->hash, &slot->gen,
		       &settling, &text, len, err, sizeof(err))) {
		return (NULL);
	}
	slot->store = !settling;
	if (text != NULL && (*len < 2 || text[*len - 1] != '}')) {
		free(text); /* not one of ours: recompute */
		text = NULL;
	}
	return (text);
}

/*
 * Sets o->text to text (an object's JSON, taken) with the time taken
 * added as its last member.
 */
static void
search_text_finish(
    struct search_outcome *o, char *text, size_t len, uint64_t start)
{
	struct buf b;

	buf_init(&b, len + 32);
	search_answer_finish(&b, text, len, search_elapsed_ms(start));
	free(text);
	o->text_len = b.len;
	o->text = buf_release(&b);
}

/*
 * Has a copy of text (len bytes) stored in slot when it may be and the
 * TTL allows; the SET is done after the answer is sent.
 */
static void
search_answer_keep(const struct tenant_ctx *ctx, const char *text, size_t len,
    const struct search_slot *slot, long ttl_s)
{
	if (slot->store && ttl_s > 0)
		(void)cache_answer_put_later(ctx, slot->kind, slot->gen,
		    slot->hash, text, len, ttl_s, !slot->no_wait);
}

/* Sets o->text to the answer in b (taken) with took_ms added last. */
static void
search_buf_finish(struct search_outcome *o, struct buf *b, uint64_t start)
{
	b->len--; /* the closing brace */
	buf_appendf(b, ",\"took_ms\":%ld}", search_elapsed_ms(start));
	o->text_len = b->len;
	o->text = buf_release(b);
}

/*
 * Answers body (taken; without took_ms): as text, stored in slot when it
 * may be and the TTL allows.
 */
static void
search_answer_fresh(const struct tenant_ctx *ctx, struct search_outcome *o,
    json_t *body, const struct search_slot *slot, long ttl_s, uint64_t start)
{
	char  *text;
	size_t len;

	text = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(8));
	json_decref(body);
	if (text == NULL) {
		search_set(
		    o, SEARCH_UNAVAILABLE, NULL, "the answer was too large");
		return;
	}
	len = strlen(text);
	search_answer_keep(ctx, text, len, slot, ttl_s);
	search_text_finish(o, text, len, start);
}

/* ---- search ------------------------------------------------------------------ */

static json_t *
search_hits(const json_t *reply)
{
	const json_t *h;
	json_t       *out;
	size_t        i;

	out = json_array();
	json_array_foreach(
	    json_object_get(json_object_get(reply, "hits"), "hits"), i, h)
	{
		json_array_append_new(out,
		    json_pack("{s:O, s:O, s:O}", "id",
			json_object_get(h, "_id"), "index",
			json_object_get(h, "_index"), "source",
			json_object_get(h, "_source")));
	}
	return (out);
}

bool
search_miss_begin(const struct tenant_ctx *ctx, const struct search_params *p,
    const struct search_cache_hint *hint, struct search_miss *m,
    struct search_outcome *o)
{
	struct search_error err;
	json_t             *body, *what;
	char               *text;
	size_t              len;

	memset(o, 0, sizeof(*o));
	memset(m, 0, sizeof(*m));
	m->start = env_monotonic_us();
	what = search_cache_what(p);
	text = search_cache_lookup(ctx, "search", what, hint, &m->slot, &len);
	json_decref(what);
	if (text != NULL) {
		/* The answer starts with its total (search_answer_from_es). */
		if (strncmp(text, "{\"total\":", 9) == 0)
			o->total = strtoll(text + 9, NULL, 10);
		o->cached = true;
		search_text_finish(o, text, len, m->start);
		return (false);
	}
	if ((body = search_body_build(p, &err)) == NULL) {
		search_invalid(o, &err);
		return (false);
	}
	if (!search_path(ctx, "_search", m->path, sizeof(m->path), o)) {
		json_decref(body);
		return (false);
	}
	m->body = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (m->body == NULL) {
		search_set(
		    o, SEARCH_UNAVAILABLE, NULL, "the query was too large");
		return (false);
	}
	m->body_len = strlen(m->body);
	return (true);
}

void
search_miss_end(const struct tenant_ctx *ctx, const struct search_params *p,
    long ttl_s, struct search_miss *m, bool reached,
    const struct es_response *r, struct search_outcome *o)
{
	struct buf answer;

	memset(o, 0, sizeof(*o));
	free(m->body);
	m->body = NULL;
	if (!search_es_judge(m->path, reached, r, o))
		return;
	/* Written from the reply's text: no tree parsed or dumped. */
	buf_init(&answer, r->body.len + 128);
	if (search_answer_from_es(r->body.data, r->body.len, p->page, p->size,
		&answer, &o->total)) {
		if (!m->defer) {
			search_answer_keep(
			    ctx, answer.data, answer.len, &m->slot, ttl_s);
		} else if (m->slot.store && ttl_s > 0) {
			m->kept = mem_alloc(answer.len);
			memcpy(m->kept, answer.data, answer.len);
			m->kept_len = answer.len;
		}
		search_buf_finish(o, &answer, m->start);
	} else {
		search_es_refused(m->path, r, o);
		buf_free(&answer);
	}
}

void
search_miss_keep(
    const struct tenant_ctx *ctx, struct search_miss *m, long ttl_s)
{
	if (m->kept != NULL)
		search_answer_keep(ctx, m->kept, m->kept_len, &m->slot, ttl_s);
	mem_free(m->kept);
	m->kept = NULL;
}

bool
search_miss_cached(struct search_miss *m, const char *text, size_t len,
    struct search_outcome *o)
{
	char *copy;

	memset(o, 0, sizeof(*o));
	if (len < 2 || text[len - 1] != '}' || (copy = malloc(len)) == NULL)
		return (false);
	memcpy(copy, text, len);
	if (strncmp(copy, "{\"total\":", 9) == 0)
		o->total = strtoll(copy + 9, NULL, 10);
	o->cached = true;
	m->slot.store = false;
	search_text_finish(o, copy, len, m->start);
	return (true);
}

void
search_logs(const struct tenant_ctx *ctx, const struct search_params *p,
    long ttl_s, const struct search_cache_hint *hint, struct search_outcome *o)
{
	struct search_miss m;
	struct es_response r;
	bool               reached;

	if (!search_miss_begin(ctx, p, hint, &m, o))
		return;
	reached = es_request("POST", m.path, m.body, m.body_len, 0, &r);
	search_miss_end(ctx, p, ttl_s, &m, reached, &r, o);
	es_response_free(&r);
}

/* Document ids: ours (base64url) or a shipper's; never a path. */
static bool
search_id_check(const char *id)
{
	size_t i, n;

	n = strlen(id);
	if (n == 0 || n > 128)
		return (false);
	for (i = 0; i < n; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') ||
			(id[i] >= 'A' && id[i] <= 'Z') ||
			(id[i] >= '0' && id[i] <= '9') || id[i] == '-' ||
			id[i] == '_'))
			return (false);
	return (true);
}

void
search_log_get(
    const struct tenant_ctx *ctx, const char *id, struct search_outcome *o)
{
	json_t *body, *reply, *hits;
	char    path[160];

	memset(o, 0, sizeof(*o));
	if (!search_id_check(id)) {
		search_set(o, SEARCH_NOT_FOUND, NULL, "no such log");
		return;
	}
	if (!search_path(ctx, "_search", path, sizeof(path), o))
		return;
	body = json_pack("{s:{s:{s:[s]}}, s:i, s:[{s:s}]}", "query", "ids",
	    "values", id, "size", 1, "sort", "@timestamp", "desc");
	reply = search_es("POST", path, body, o);
	json_decref(body);
	if (reply == NULL)
		return;
	hits = search_hits(reply);
	json_decref(reply);
	if (json_array_size(hits) == 0) {
		json_decref(hits);
		search_set(o, SEARCH_NOT_FOUND, NULL, "no such log");
		return;
	}
	o->body = json_incref(json_array_get(hits, 0));
	json_decref(hits);
}

/* ---- statistics ---------------------------------------------------------------- */

void
search_stats(const struct tenant_ctx *ctx, const struct stats_params *p,
    int64_t now_ms, long ttl_s, const struct search_cache_hint *hint,
    struct search_outcome *o)
{
	json_t            *body, *reply, *what;
	struct search_slot slot;
	char               path[160], err[192], *text;
	long long          files;
	uint64_t           start;
	size_t             len;

	memset(o, 0, sizeof(*o));
	start = env_monotonic_us();
	what = stats_cache_what(p, now_ms);
	text = search_cache_lookup(ctx, "stats", what, hint, &slot, &len);
	json_decref(what);
	if (text != NULL) {
		o->cached = true;
		search_text_finish(o, text, len, start);
		return;
	}
	if (!search_path(ctx, "_search", path, sizeof(path), o))
		return;
	body = stats_body_build(p, now_ms);
	reply = search_es("POST", path, body, o);
	json_decref(body);
	if (reply == NULL)
		return;
	files = metadb_count(ctx, "files", NULL, err, sizeof(err));
	body = stats_answer(p, reply, files);
	json_decref(reply);
	slot.store = slot.store && files >= 0;
	search_answer_fresh(ctx, o, body, &slot, ttl_s, start);
}

/* ---- export ------------------------------------------------------------------- */

static bool
search_write_all(int fd, struct buf *b)
{
	size_t  off;
	ssize_t n;

	for (off = 0; off < b->len; off += (size_t)n) {
		n = write(fd, b->data + off, b->len - off);
		if (n == -1 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (n <= 0)
			return (false);
	}
	buf_reset(b);
	return (true);
}

/* Opens a point in time on the alias: its id, NULL when no index yet. */
static char *
search_pit_open(
    const struct tenant_ctx *ctx, bool *failed, struct search_outcome *o)
{
	struct es_response r;
	char               alias[64], path[160];
	json_t            *reply;
	char              *id;

	*failed = true;
	id = NULL;
	if (!search_tenant_alias(ctx, alias, sizeof(alias))) {
		search_set(o, SEARCH_UNAVAILABLE, NULL, "invalid tenant");
		return (NULL);
	}
	snprintf(path, sizeof(path), "/%s/_pit?keep_alive=%s&%s", alias,
	    SEARCH_PIT_KEEP, SEARCH_ES_PARAMS);
	if (!es_request("POST", path, NULL, 0, 0, &r)) {
		search_set(o, SEARCH_UNAVAILABLE, NULL,
		    "the log store is unavailable, try again shortly");
		goto out;
	}
	if (r.status == 404) { /* the tenant has no log yet */
		*failed = false;
		goto out;
	}
	reply = json_loadb(r.body.data, r.body.len, 0, NULL);
	if (r.status == 200 && json_is_string(json_object_get(reply, "id"))) {
		id = strdup(json_string_value(json_object_get(reply, "id")));
		*failed = id == NULL;
	} else {
		search_set(o, SEARCH_UNAVAILABLE, NULL,
		    "the log store is unavailable, try again shortly");
	}
	json_decref(reply);
out:
	es_response_free(&r);
	return (id);
}

static void
search_pit_close(const char *pit)
{
	struct es_response r;
	json_t            *body;
	char              *text;

	body = json_pack("{s:s}", "id", pit);
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (text != NULL)
		(void)es_request("DELETE", "/_pit", text, strlen(text), 0, &r);
	else
		memset(&r, 0, sizeof(r));
	es_response_free(&r);
	free(text);
}

/* The body of one export page (the query object is shared, not stolen). */
static json_t *
search_export_body(json_t *query, const struct search_params *p,
    const char *pit, const json_t *after, long size)
{
	json_t     *body, *sort, *fields;
	const char *order;
	size_t      i;

	order = p->asc ? "asc" : "desc";
	sort = json_array();
	if (p->sort == SEARCH_SORT_LEVEL)
		json_array_append_new(sort,
		    json_pack("{s:{s:s, s:s}}", "log.level", "order", order,
			"unmapped_type", "keyword"));
	else if (p->sort == SEARCH_SORT_SERVICE)
		json_array_append_new(sort,
		    json_pack("{s:{s:s, s:s}}", "service.name", "order", order,
			"unmapped_type", "keyword"));
	json_array_append_new(sort,
	    json_pack("{s:{s:s, s:s}}", "@timestamp", "order",
		p->sort == SEARCH_SORT_TIME ? order : "desc", "unmapped_type",
		"date"));
	json_array_append_new(sort, json_pack("{s:s}", "_shard_doc", "asc"));
	fields = json_array();
	for (i = 0; i < EXPORT_CSV_COLUMNS - 1; i++) {
		json_array_append_new(
		    fields, json_string(export_csv_fields[i]));
	}
	body = json_pack("{s:O, s:o, s:I, s:b, s:{s:s, s:s}, s:o}", "query",
	    query, "sort", sort, "size", (json_int_t)size, "track_total_hits",
	    0, "pit", "id", pit, "keep_alive", SEARCH_PIT_KEEP, "_source",
	    fields);
	if (after != NULL)
		json_object_set(body, "search_after", (json_t *)after);
	return (body);
}

/*
 * Writes pages of rows until max_rows, the end of the matches, or an
 * error. Returns false with o set on a failure.
 */
static bool
search_export_pages(json_t *query, const struct search_params *p, char **pit,
    long max_rows, int fd, long *rows, bool *truncated,
    struct search_outcome *o)
{
	struct buf    out;
	json_t       *body, *reply, *after, *hits;
	const json_t *h, *next;
	const char   *id;
	long          want;
	size_t        i;
	bool          ok;

	buf_init(&out, SEARCH_FLUSH_BYTES + 4096);
	export_csv_header(&out);
	after = NULL;
	ok = true;
	for (;;) {
		/* One more than needed at the end tells if there is more. */
		want = max_rows - *rows;
		want =
		    want >= SEARCH_EXPORT_PAGE ? SEARCH_EXPORT_PAGE : want + 1;
		body = search_export_body(query, p, *pit, after, want);
		reply = search_es("POST", "/_search", body, o);
		json_decref(body);
		if (reply == NULL) {
			ok = false;
			break;
		}
		if ((next = json_object_get(reply, "pit_id")) != NULL &&
		    json_is_string(next)) {
			free(*pit);
			*pit = strdup(json_string_value(next));
		}
		hits = json_object_get(json_object_get(reply, "hits"), "hits");
		json_array_foreach(hits, i, h)
		{
			if (*rows == max_rows) {
				*truncated = true;
				break;
			}
			id = json_string_value(json_object_get(h, "_id"));
			export_csv_row(&out, id != NULL ? id : "",
			    json_object_get(h, "_source"));
			(*rows)++;
			if (out.len >= SEARCH_FLUSH_BYTES &&
			    !search_write_all(fd, &out)) {
				ok = false;
				break;
			}
		}
		json_decref(after);
		after = json_incref(json_object_get(
		    json_array_get(hits, json_array_size(hits) - 1), "sort"));
		if (!ok || *truncated || (long)json_array_size(hits) < want ||
		    after == NULL || *pit == NULL) {
			json_decref(reply);
			break;
		}
		json_decref(reply);
	}
	json_decref(after);
	if (ok && !search_write_all(fd, &out))
		ok = false;
	if (!ok && o->result == SEARCH_OK)
		search_set(o, SEARCH_UNAVAILABLE, NULL,
		    "the export could not be written");
	buf_free(&out);
	return (ok);
}

void
search_export(const struct tenant_ctx *ctx, const struct search_params *p,
    long max_rows, int fd, long *rows, bool *truncated,
    struct search_outcome *o)
{
	struct search_error err;
	struct buf          header;
	json_t             *query;
	char               *pit;
	bool                failed;

	memset(o, 0, sizeof(*o));
	*rows = 0;
	*truncated = false;
	if ((query = search_query_build(p->q, &p->f, &err)) == NULL) {
		search_invalid(o, &err);
		return;
	}
	pit = search_pit_open(ctx, &failed, o);
	if (pit == NULL) {
		if (!failed) { /* nothing to export: the header alone */
			buf_init(&header, 256);
			export_csv_header(&header);
			if (!search_write_all(fd, &header))
				search_set(o, SEARCH_UNAVAILABLE, NULL,
				    "the export could not be written");
			buf_free(&header);
		}
		json_decref(query);
		return;
	}
	(void)search_export_pages(
	    query, p, &pit, max_rows, fd, rows, truncated, o);
	if (pit != NULL)
		search_pit_close(pit);
	free(pit);
	json_decref(query);
}

/* ---- history and saved searches ------------------------------------------------ */

#define SEARCHES_COLL "searches"

static void
searches_now(char *out)
{
	if (!timeparse_format_iso((int64_t)(env_now_us() / 1000), out))
		out[0] = '\0';
}

/* A stored document as the API shows it. */
static json_t *
searches_item(const json_t *doc)
{
	return (json_pack("{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?}", "id",
	    json_object_get(doc, "id"), "kind", json_object_get(doc, "kind"),
	    "name", json_object_get(doc, "name"), "query",
	    json_object_get(doc, "query"), "created_at",
	    json_object_get(doc, "created_at"), "total",
	    json_object_get(doc, "total")));
}

/* Keeps the newest SEARCH_HISTORY_MAX entries of the user's history. */
static void
searches_prune(const struct tenant_ctx *ctx, const char *user_id)
{
	enum metadb_status st;
	json_t            *filter, *sort, *older, *doc;
	char               err[192];
	long               n;

	filter = json_pack("{s:s, s:s}", "user_id", user_id, "kind", "history");
	sort = json_pack("{s:i}", "created_at", -1);
	older = metadb_find(ctx, SEARCHES_COLL, filter, sort,
	    SEARCH_HISTORY_MAX, 1, &st, err, sizeof(err));
	if ((doc = json_array_get(older, 0)) != NULL) {
		json_object_set_new(filter, "created_at",
		    json_pack(
			"{s:O}", "$lte", json_object_get(doc, "created_at")));
		(void)metadb_delete(
		    ctx, SEARCHES_COLL, filter, &n, err, sizeof(err));
	}
	json_decref(older);
	json_decref(sort);
	json_decref(filter);
}

/* A history entry on its way to the database. */
struct searches_entry {
	struct tenant_ctx ctx;
	char              user_id[64];
	json_t           *doc;
};

/* Inserts the entry (then prunes the user's history) and frees it. */
static void
searches_store(void *arg)
{
	struct searches_entry *e = arg;
	char                   err[192];

	if (metadb_insert(&e->ctx, SEARCHES_COLL, e->doc, NULL, err,
		sizeof(err)) != METADB_OK)
		log_emit(LOG_LEVEL_WARNING, "search", NULL,
		    json_pack("{s:s}", "error", err),
		    "search history entry lost");
	else
		searches_prune(&e->ctx, e->user_id);
	json_decref(e->doc);
	free(e);
}

void
searches_record(const struct tenant_ctx *ctx, const char *user_id,
    const struct search_params *p, long long total, long now, bool may_wait)
{
	struct searches_entry *e;
	char                   at[TIMEPARSE_ISO_LEN + 1];

	(void)now;
	if (user_id == NULL || user_id[0] == '\0' ||
	    strlen(user_id) >= sizeof(e->user_id))
		return; /* an API key has no history */
	if ((e = calloc(1, sizeof(*e))) == NULL)
		abort();
	e->ctx = *ctx;
	snprintf(e->user_id, sizeof(e->user_id), "%s", user_id);
	/* Stamped now: entries keep the order of the searches. */
	searches_now(at);
	e->doc = json_pack("{s:s, s:s, s:n, s:o, s:s, s:I}", "user_id", user_id,
	    "kind", "history", "name", "query", search_params_to_json(p),
	    "created_at", at, "total", (json_int_t)total);
	/* After the answer; the readers below wait for it (later_wait). */
	if (later_run(searches_store, e))
		return;
	if (may_wait) {
		searches_store(e);
		return;
	}
	log_emit(LOG_LEVEL_WARNING, "search", NULL, NULL,
	    "search history entry lost: the background queue is full");
	json_decref(e->doc);
	free(e);
}

void
searches_list(const struct tenant_ctx *ctx, const char *user_id,
    const char *kind, struct search_outcome *o)
{
	enum metadb_status st;
	json_t            *filter, *sort, *docs, *items, *d;
	char               err[192];
	size_t             i;

	later_wait(); /* this process's history entries written */
	memset(o, 0, sizeof(*o));
	filter = json_pack("{s:s, s:s}", "user_id", user_id, "kind", kind);
	sort = json_pack("{s:i}", "created_at", -1);
	docs = metadb_find(ctx, SEARCHES_COLL, filter, sort, 0,
	    SEARCH_SAVED_MAX, &st, err, sizeof(err));
	json_decref(filter);
	json_decref(sort);
	if (docs == NULL) {
		search_set(o, SEARCH_UNAVAILABLE, NULL,
		    "the database is unavailable, try again shortly");
		return;
	}
	items = json_array();
	json_array_foreach(docs, i, d)
	{
		json_array_append_new(items, searches_item(d));
	}
	json_decref(docs);
	o->body = json_pack("{s:I, s:o}", "total",
	    (json_int_t)json_array_size(items), "items", items);
}

void
searches_save(const struct tenant_ctx *ctx, const char *user_id,
    const char *name, const struct search_params *p, long now,
    struct search_outcome *o)
{
	json_t *doc, *count_filter;
	char    at[TIMEPARSE_ISO_LEN + 1], err[192], id[25];
	long    n;

	(void)now;
	memset(o, 0, sizeof(*o));
	count_filter =
	    json_pack("{s:s, s:s}", "user_id", user_id, "kind", "saved");
	n = metadb_count(ctx, SEARCHES_COLL, count_filter, err, sizeof(err));
	json_decref(count_filter);
	if (n < 0) {
		search_set(o, SEARCH_UNAVAILABLE, NULL,
		    "the database is unavailable, try again shortly");
		return;
	}
	if (n >= SEARCH_SAVED_MAX) {
		search_set(o, SEARCH_LIMIT, "name",
		    "at most 200 saved searches per user: delete one first");
		return;
	}
	searches_now(at);
	doc = json_pack("{s:s, s:s, s:s, s:o, s:s, s:n}", "user_id", user_id,
	    "kind", "saved", "name", name, "query", search_params_to_json(p),
	    "created_at", at, "total");
	if (metadb_insert(ctx, SEARCHES_COLL, doc, id, err, sizeof(err)) !=
	    METADB_OK) {
		json_decref(doc);
		search_set(o, SEARCH_UNAVAILABLE, NULL,
		    "the database is unavailable, try again shortly");
		return;
	}
	json_object_set_new(doc, "id", json_string(id));
	o->body = searches_item(doc);
	json_decref(doc);
}

void
searches_get(const struct tenant_ctx *ctx, const char *user_id, const char *id,
    struct search_outcome *o)
{
	enum metadb_status st;
	json_t            *filter, *doc;
	char               err[192];

	later_wait(); /* this process's history entries written */
	memset(o, 0, sizeof(*o));
	filter = json_pack("{s:s, s:s}", "id", id, "user_id", user_id);
	doc =
	    metadb_find_one(ctx, SEARCHES_COLL, filter, &st, err, sizeof(err));
	json_decref(filter);
	if (doc == NULL) {
		if (st == METADB_ERROR)
			search_set(o, SEARCH_UNAVAILABLE, NULL,
			    "the database is unavailable, try again shortly");
		else
			search_set(o, SEARCH_NOT_FOUND, NULL, "no such search");
		return;
	}
	o->body = searches_item(doc);
	json_decref(doc);
}

void
searches_delete(const struct tenant_ctx *ctx, const char *user_id,
    const char *id, struct search_outcome *o)
{
	json_t *filter;
	char    err[192];
	long    n;

	later_wait(); /* this process's history entries written */
	memset(o, 0, sizeof(*o));
	n = 0;
	filter = json_pack("{s:s, s:s}", "id", id, "user_id", user_id);
	if (metadb_delete(ctx, SEARCHES_COLL, filter, &n, err, sizeof(err)) ==
	    METADB_ERROR)
		search_set(o, SEARCH_UNAVAILABLE, NULL,
		    "the database is unavailable, try again shortly");
	else if (n == 0)
		search_set(o, SEARCH_NOT_FOUND, NULL, "no such search");
	json_decref(filter);
}

void
searches_clear_history(
    const struct tenant_ctx *ctx, const char *user_id, struct search_outcome *o)
{
	json_t *filter;
	char    err[192];
	long    n;

	later_wait(); /* this process's history entries written */
	memset(o, 0, sizeof(*o));
	filter = json_pack("{s:s, s:s}", "user_id", user_id, "kind", "history");
	if (metadb_delete(ctx, SEARCHES_COLL, filter, &n, err, sizeof(err)) ==
	    METADB_ERROR)
		search_set(o, SEARCH_UNAVAILABLE, NULL,
		    "the database is unavailable, try again shortly");
	json_decref(filter);
}
