#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "common/env.h"
#include "core/bulk.h"
#include "core/digest.h"
#include "core/docid.h"
#include "core/logparse.h"
#include "core/mem.h"
#include "core/text.h"
#include "service/files.h"
#include "service/ingest_api.h"
#include "store/cache.h"
#include "store/es_bulk.h"

/* ------------------------------------------------------------ shared */

/* JSON's white space (a NUL byte is not); '\n' only when asked. */
static bool
ingest_blank(char c, bool newline)
{
	return (c == ' ' || c == '\t' || c == '\r' || (newline && c == '\n'));
}

/*
 * Closes the JSON of one record with Vigie's own fields. Returns false
 * when the record is not an object (never, from record_append_json).
 */
static bool
ingest_doc_close(struct buf *doc, const char *source, const char *received)
{
	if (doc->len < 2 || doc->data[doc->len - 1] != '}')
		return (false);
	doc->len--;
	buf_appendf(doc,
	    "%s\"vigie.ingest_source\":\"%s\",\"vigie.received_at\":\"%s\"}",
	    doc->len > 1 ? "," : "", source, received);
	return (true);
}

/* A parser of JSON documents: lines up to the body limit, no copy of
 * the raw text (the document is stored mapped already). */
static struct logparse *
ingest_json_parser(long now, bool keep_original)
{
	struct logparse_opts opts;

	memset(&opts, 0, sizeof(opts));
	opts.ingest_ms = (int64_t)now * 1000;
	opts.no_original = !keep_original;
	opts.max_line = INGEST_API_BODY_MAX;
	opts.max_record = INGEST_API_BODY_MAX;
	return (logparse_new(LOG_FORMAT_JSON, &opts));
}

/* ------------------------------------------------- POST /api/v1/ingest */

struct ingest_run {
	const struct tenant_ctx  *ctx;
	struct logparse          *parser;
	struct bulk_batch         batch;
	struct buf                doc;
	char                      source[40]; /* "api:<request id>" */
	char                      received[32];
	long                      elements; /* next element's index */
	long                      parsed; /* elements that were objects */
	bool                      stop; /* gave up, or a fatal parse error */
	struct ingest_api_result *res;
};

static void
ingest_api_reject(struct ingest_api_result *res, long index, const char *why)
{
	res->rejected++;
	if (json_array_size(res->errors) < INGEST_API_ERRORS_MAX)
		json_array_append_new(res->errors,
		    json_pack("{s:I, s:s}", "index", (json_int_t)index,
			"reason", why));
}

/* Sends the batch; false (and stop) when Elasticsearch stayed down. */
static bool
ingest_api_flush(struct ingest_run *run)
{
	struct es_bulk_result r;
	enum es_bulk_status   st;
	char                  why[BULK_REASON_MAX + 64];
	size_t                i;

	if (run->batch.n == 0)
		return (true);
	memset(&r, 0, sizeof(r));
	st = es_bulk_send(run->ctx, &run->batch, &r);
	if (r.indexed > 0)
		cache_logs_written(run->ctx);
	if (st != ES_BULK_DONE) {
		run->res->accepted += (long)r.indexed;
		snprintf(run->res->message, sizeof(run->res->message), "%s",
		    r.error);
		run->res->status = INGEST_API_UNAVAILABLE;
		run->stop = true;
		es_bulk_result_free(&r);
		return (false);
	}
	run->res->accepted += (long)r.indexed;
	for (i = 0; i < r.rejected_n; i++) {
		snprintf(why, sizeof(why), "%s: %s",
		    r.rejected[i].type != NULL ? r.rejected[i].type : "error",
		    r.rejected[i].reason != NULL ? r.rejected[i].reason : "");
		ingest_api_reject(run->res, (long)r.rejected[i].line, why);
	}
	es_bulk_result_free(&r);
	bulk_batch_reset(&run->batch);
	return (true);
}

static void
ingest_api_record(struct ingest_run *run)
{
	const struct log_event *ev;
	enum bulk_add_status    st;
	char                    id[DOCID_LEN + 1];
	long                    index;

	index = run->elements++;
	run->parsed++;
	ev = logparse_event(run->parser);
	buf_reset(&run->doc);
	record_append_json(&run->doc, ev);
	if (!ingest_doc_close(&run->doc, "api", run->received)) {
		ingest_api_reject(run->res, index, "not a JSON object");
		return;
	}
	(void)docid_make(run->source, (unsigned long long)index + 1, id);
	st = bulk_add_raw(&run->batch, run->ctx, (long)(ev->ts_ms / 1000), id,
	    (unsigned long long)index, run->doc.data, run->doc.len);
	if (st != BULK_ADD_OK) {
		ingest_api_reject(run->res, index, bulk_add_status_text(st));
		return;
	}
	if (bulk_batch_full(&run->batch))
		(void)ingest_api_flush(run);
}

/* Every result the parser has after a line (or the end). */
static void
ingest_api_results(
    struct ingest_run *run, enum logparse_result r, struct logparse_error *e)
{
	while (r != LOGPARSE_NEED_MORE && !run->stop) {
		switch (r) {
		case LOGPARSE_RECORD:
			ingest_api_record(run);
			break;
		case LOGPARSE_ERROR:
		case LOGPARSE_FATAL:
			ingest_api_reject(
			    run->res, run->elements++, e->message);
			if (r == LOGPARSE_FATAL)
				run->stop = true;
			break;
		default:
			break;
		}
		if (run->stop)
			break;
		memset(e, 0, sizeof(*e));
		r = logparse_next(run->parser, NULL, e);
	}
}

static bool
ingest_api_line(const char *line, size_t len, long line_no, void *arg)
{
	struct ingest_run    *run = arg;
	struct logparse_error e;

	memset(&e, 0, sizeof(e));
	ingest_api_results(
	    run, logparse_line(run->parser, line, len, line_no, NULL, &e), &e);
	return (!run->stop);
}

void
ingest_api_json(const struct tenant_ctx *ctx, const char *body, size_t len,
    long now, struct ingest_api_result *res)
{
	struct ingest_run     run;
	struct logsplit       split;
	struct logparse_error e;
	char                  reqid[25];
	size_t                i;

	memset(res, 0, sizeof(*res));
	res->errors = json_array();
	for (i = 0; i < len && ingest_blank(body[i], true); i++)
		;
	if (i == len || (body[i] != '{' && body[i] != '[')) {
		res->status = INGEST_API_BAD_BODY;
		snprintf(res->message, sizeof(res->message), "%s",
		    i == len ? "the body is empty"
			     : "the body is not JSON (an object, an array of "
			       "objects, or one object per line)");
		return;
	}
	memset(&run, 0, sizeof(run));
	run.ctx = ctx;
	run.res = res;
	env_random_hex(reqid, 12);
	snprintf(run.source, sizeof(run.source), "api:%s", reqid);
	text_iso8601(now, run.received, sizeof(run.received));
	run.parser = ingest_json_parser(now, true);
	bulk_batch_init(&run.batch, BULK_FLUSH_BYTES);
	buf_init(&run.doc, 4096);

	logsplit_init(&split, INGEST_API_BODY_MAX);
	if (logsplit_feed(&split, body, len, ingest_api_line, &run) &&
	    logsplit_finish(&split, ingest_api_line, &run) && !run.stop) {
		memset(&e, 0, sizeof(e));
		ingest_api_results(
		    &run, logparse_finish(run.parser, NULL, &e), &e);
	}
	logsplit_free(&split);
	if (res->status == INGEST_API_OK && run.parsed == 0) {
		/* Nothing in the body was a JSON object: refuse it whole. */
		res->status = INGEST_API_BAD_BODY;
		snprintf(res->message, sizeof(res->message), "%s",
		    json_array_size(res->errors) > 0
			? json_string_value(json_object_get(
			      json_array_get(res->errors, 0), "reason"))
			: "no JSON object in the body");
	} else if (res->status == INGEST_API_OK)
		(void)ingest_api_flush(&run);
	logparse_free(run.parser);
	bulk_batch_free(&run.batch);
	buf_free(&run.doc);
}

void
ingest_api_result_free(struct ingest_api_result *res)
{
	json_decref(res->errors);
	res->errors = NULL;
}

/* ------------------------------------------------------------ POST /_bulk */

enum bulk_op_kind {
	BULK_OP_INDEX,
	BULK_OP_CREATE,
	BULK_OP_UPDATE,
	BULK_OP_DELETE,
};

static const char *const bulk_op_names[] = {
    "index", "create", "update", "delete"};

/* One action of the request; the document points into the body. */
struct bulk_op {
	enum bulk_op_kind kind;
	const char       *doc;
	size_t            doc_len;
	long              doc_line; /* 1-based line of the document */
	char              id[DOCID_LEN + 1]; /* ours; "" until known */
	char              index[BULK_INDEX_MAX];
	int               status; /* 0: not answered yet */
	const char       *err_type; /* static */
	char             *err_reason; /* owned */
};

struct bulk_run {
	const struct tenant_ctx *ctx;
	struct bulk_op          *ops;
	size_t                   n, cap;
	struct logparse         *parser;
	struct bulk_batch        batch;
	struct buf               doc;
	char                     source[40]; /* "bulk:<request id>" */
	char                     received[32];
	long                     now;
	long                     indexed;
};

static void
bulk_op_fail(
    struct bulk_op *op, int status, const char *type, const char *reason)
{
	op->status = status;
	op->err_type = type;
	mem_free(op->err_reason);
	op->err_reason = mem_strdup(reason);
}

/*
 * Our id for a client's _id: the same (tenant, _id) always gives the
 * same id, and another tenant's same _id another one.
 */
static void
bulk_client_id(const struct tenant_ctx *ctx, const char *client_id, size_t len,
    char out[DOCID_LEN + 1])
{
	struct digest_stream ds;
	char                 hex[DIGEST_HEX_LEN + 1];

	digest_stream_init(&ds);
	digest_stream_feed(&ds, ctx->id, strlen(ctx->id));
	digest_stream_feed(&ds, ":", 1);
	digest_stream_feed(&ds, client_id, len);
	digest_stream_hex(&ds, hex);
	digest_stream_free(&ds);
	(void)docid_make(hex, 0, out);
}

/* The next non-blank line from *pos: false at the end of the body. */
static bool
bulk_next_line(const char *body, size_t len, size_t *pos, long *line_no,
    const char **line, size_t *line_len)
{
	const char *nl;
	size_t      n, i;

	while (*pos < len) {
		nl = memchr(body + *pos, '\n', len - *pos);
		n = nl != NULL ? (size_t)(nl - (body + *pos)) : len - *pos;
		*line = body + *pos;
		*pos += n + (nl != NULL ? 1 : 0);
		(*line_no)++;
		for (i = 0; i < n && ingest_blank((*line)[i], false); i++)
			;
		if (i < n) {
			*line_len = n;
			return (true);
		}
	}
	return (false);
}

/*
 * Reads one action line into op. Returns false with why set when the
 * line is not an action at all (the request is refused whole, as
 * Elasticsearch does).
 */
static bool
bulk_action_read(struct bulk_run *run, const char *line, size_t len,
    struct bulk_op *op, char *why, size_t whylen)
{
	json_error_t jerr;
	json_t      *a, *meta, *id;
	const char  *key;
	size_t       k;

	if ((a = json_loadb(line, len, 0, &jerr)) == NULL) {
		snprintf(why, whylen, "malformed action line: %s", jerr.text);
		return (false);
	}
	if (!json_is_object(a) || json_object_size(a) != 1) {
		json_decref(a);
		snprintf(why, whylen,
		    "malformed action line: expected one action object");
		return (false);
	}
	key = json_object_iter_key(json_object_iter(a));
	meta = json_object_iter_value(json_object_iter(a));
	for (k = 0; k < 4 && strcmp(key, bulk_op_names[k]) != 0; k++)
		;
	if (k == 4 || !json_is_object(meta)) {
		snprintf(why, whylen,
		    "malformed action line: unknown action [%.40s]", key);
		json_decref(a);
		return (false);
	}
	op->kind = (enum bulk_op_kind)k;
	id = json_object_get(meta, "_id");
	if (id != NULL &&
	    (!json_is_string(id) || json_string_length(id) == 0 ||
		json_string_length(id) > BULK_ID_MAX))
		bulk_op_fail(op, 400, "illegal_argument_exception",
		    "_id must be a string of 1 to 512 bytes");
	else if (id != NULL)
		bulk_client_id(run->ctx, json_string_value(id),
		    json_string_length(id), op->id);
	json_decref(a);
	if (op->kind == BULK_OP_UPDATE || op->kind == BULK_OP_DELETE)
		bulk_op_fail(op, 400, "illegal_argument_exception",
		    op->kind == BULK_OP_UPDATE
			? "update is unsupported in Vigie"
			: "delete is unsupported in Vigie");
	return (true);
}

/*
 * Pass one: every action line read, documents located. Returns false
 * with why set for a request Elasticsearch would refuse whole.
 */
static bool
bulk_parse(struct bulk_run *run, const char *body, size_t len, char *why,
    size_t whylen)
{
	struct bulk_op *op;
	const char     *line;
	size_t          pos, n;
	long            line_no;

	pos = 0;
	line_no = 0;
	while (bulk_next_line(body, len, &pos, &line_no, &line, &n)) {
		if (run->n == run->cap) {
			run->cap = run->cap == 0 ? 64 : run->cap * 2;
			run->ops =
			    mem_realloc(run->ops, run->cap * sizeof(*run->ops));
		}
		op = &run->ops[run->n];
		memset(op, 0, sizeof(*op));
		run->n++;
		if (!bulk_action_read(run, line, n, op, why, whylen)) {
			snprintf(why + strlen(why), whylen - strlen(why),
			    " (line %ld)", line_no);
			return (false);
		}
		if (op->kind == BULK_OP_DELETE)
			continue;
		if (!bulk_next_line(
			body, len, &pos, &line_no, &op->doc, &op->doc_len)) {
			snprintf(why, whylen,
			    "the %s action of line %ld has no document",
			    bulk_op_names[op->kind], line_no);
			return (false);
		}
		op->doc_line = line_no;
	}
	if (run->n == 0) {
		snprintf(why, whylen, "request body is required");
		return (false);
	}
	return (true);
}

/* Sends the batch; answers its items. False when Elasticsearch is down. */
static bool
bulk_run_flush(struct bulk_run *run, char *why, size_t whylen)
{
	struct es_bulk_result r;
	enum es_bulk_status   st;
	struct bulk_op       *op;
	size_t                i;

	if (run->batch.n == 0)
		return (true);
	memset(&r, 0, sizeof(r));
	st = es_bulk_send(run->ctx, &run->batch, &r);
	if (r.indexed > 0)
		cache_logs_written(run->ctx);
	if (st != ES_BULK_DONE) {
		run->indexed += (long)r.indexed;
		snprintf(why, whylen, "%s", r.error);
		es_bulk_result_free(&r);
		return (false);
	}
	run->indexed += (long)r.indexed;
	for (i = 0; i < run->batch.n; i++) {
		op = &run->ops[run->batch.items[i].line];
		snprintf(op->index, sizeof(op->index), "%s",
		    run->batch.items[i].index);
		op->status = 201;
	}
	for (i = 0; i < r.rejected_n; i++) {
		op = &run->ops[r.rejected[i].line];
		bulk_op_fail(op,
		    r.rejected[i].status >= 400 ? r.rejected[i].status : 400,
		    "mapper_parsing_exception",
		    r.rejected[i].reason != NULL ? r.rejected[i].reason
						 : "rejected");
	}
	es_bulk_result_free(&r);
	bulk_batch_reset(&run->batch);
	return (true);
}

/* Maps one document and adds it to the batch, or answers its error. */
static void
bulk_run_doc(struct bulk_run *run, size_t k)
{
	struct bulk_op         *op = &run->ops[k];
	struct logparse_error   e;
	enum logparse_result    r;
	enum bulk_add_status    st;
	const struct log_event *ev;
	size_t                  i;

	for (i = 0; i < op->doc_len && ingest_blank(op->doc[i], false); i++)
		;
	if (op->doc[i] != '{') {
		bulk_op_fail(op, 400, "mapper_parsing_exception",
		    "the document is not a JSON object");
		return;
	}
	memset(&e, 0, sizeof(e));
	r = logparse_line(
	    run->parser, op->doc, op->doc_len, op->doc_line, NULL, &e);
	if (r != LOGPARSE_RECORD) {
		bulk_op_fail(op, 400, "mapper_parsing_exception",
		    r == LOGPARSE_NEED_MORE
			? "the document is not complete JSON"
			: e.message);
		/* Whatever the parser holds is dropped with it. */
		logparse_free(run->parser);
		run->parser = ingest_json_parser(run->now, false);
		return;
	}
	ev = logparse_event(run->parser);
	buf_reset(&run->doc);
	record_append_json(&run->doc, ev);
	if (!ingest_doc_close(&run->doc, "bulk", run->received)) {
		bulk_op_fail(op, 400, "mapper_parsing_exception",
		    "the document is not a JSON object");
		return;
	}
	if (op->id[0] == '\0')
		(void)docid_make(
		    run->source, (unsigned long long)k + 1, op->id);
	st = bulk_add_raw(&run->batch, run->ctx, (long)(ev->ts_ms / 1000),
	    op->id, (unsigned long long)k, run->doc.data, run->doc.len);
	if (st != BULK_ADD_OK)
		bulk_op_fail(op, 400, "mapper_parsing_exception",
		    bulk_add_status_text(st));
	/* A line holding more than one element: the rest is ignored. */
	while (logparse_next(run->parser, NULL, &e) != LOGPARSE_NEED_MORE)
		;
}

/* The Elasticsearch bulk answer, items in the order of the request. */
static json_t *
bulk_reply(struct bulk_run *run, long took_ms)
{
	struct bulk_op *op;
	json_t         *items, *item;
	char            fallback[BULK_INDEX_MAX];
	size_t          k;
	bool            errors;

	if (!tenant_index_daily(run->ctx, run->now, fallback, sizeof(fallback)))
		fallback[0] = '\0';
	items = json_array();
	errors = false;
	for (k = 0; k < run->n; k++) {
		op = &run->ops[k];
		item = json_pack("{s:s, s:s, s:i}", "_index",
		    op->index[0] != '\0' ? op->index : fallback, "_id", op->id,
		    "status", op->status);
		if (op->err_type != NULL) {
			errors = true;
			json_object_set_new(item, "error",
			    json_pack("{s:s, s:s}", "type", op->err_type,
				"reason", op->err_reason));
		} else {
			json_object_set_new(item, "_version", json_integer(1));
			json_object_set_new(
			    item, "result", json_string("created"));
		}
		json_array_append_new(
		    items, json_pack("{s:o}", bulk_op_names[op->kind], item));
	}
	return (json_pack("{s:I, s:b, s:o}", "took", (json_int_t)took_ms,
	    "errors", errors, "items", items));
}

void
ingest_api_bulk(const struct tenant_ctx *ctx, const char *body, size_t len,
    long now, struct ingest_bulk_result *res)
{
	struct bulk_run run;
	char            reqid[25];
	uint64_t        start;
	size_t          k;

	memset(res, 0, sizeof(*res));
	start = env_monotonic_us();
	memset(&run, 0, sizeof(run));
	run.ctx = ctx;
	run.now = now;
	env_random_hex(reqid, 12);
	snprintf(run.source, sizeof(run.source), "bulk:%s", reqid);
	text_iso8601(now, run.received, sizeof(run.received));
	bulk_batch_init(&run.batch, BULK_FLUSH_BYTES);
	buf_init(&run.doc, 4096);
	if (!bulk_parse(&run, body, len, res->message, sizeof(res->message))) {
		res->status = INGEST_BULK_BAD_REQUEST;
		goto out;
	}
	run.parser = ingest_json_parser(now, false);
	for (k = 0; k < run.n; k++) {
		if (run.ops[k].status != 0)
			continue;
		bulk_run_doc(&run, k);
		if (bulk_batch_full(&run.batch) &&
		    !bulk_run_flush(&run, res->message, sizeof(res->message)))
			break;
	}
	if (k < run.n ||
	    !bulk_run_flush(&run, res->message, sizeof(res->message))) {
		res->status = INGEST_BULK_UNAVAILABLE;
		res->indexed = run.indexed;
		goto out;
	}
	res->status = INGEST_BULK_OK;
	res->indexed = run.indexed;
	res->reply =
	    bulk_reply(&run, (long)((env_monotonic_us() - start) / 1000));
out:
	for (k = 0; k < run.n; k++)
		mem_free(run.ops[k].err_reason);
	mem_free(run.ops);
	if (run.parser != NULL)
		logparse_free(run.parser);
	bulk_batch_free(&run.batch);
	buf_free(&run.doc);
}

void
ingest_bulk_result_free(struct ingest_bulk_result *res)
{
	json_decref(res->reply);
	res->reply = NULL;
}

/* ----------------------------------------------------------- preview */

struct preview_run {
	struct logparse *parser;
	json_t          *records;
	json_t          *errors;
};

static void
preview_results(struct preview_run *pr, enum logparse_result r, json_t *rec,
    struct logparse_error *e)
{
	while (r != LOGPARSE_NEED_MORE) {
		if (r == LOGPARSE_RECORD) {
			if (json_array_size(pr->records) <
			    INGEST_PREVIEW_RECORDS)
				json_array_append(pr->records, rec);
		} else if (r == LOGPARSE_ERROR || r == LOGPARSE_FATAL)
			json_array_append_new(pr->errors,
			    json_pack("{s:I, s:I, s:s}", "line",
				(json_int_t)e->line, "column",
				(json_int_t)e->column, "reason", e->message));
		json_decref(rec);
		rec = NULL;
		if (r == LOGPARSE_FATAL)
			return;
		memset(e, 0, sizeof(*e));
		r = logparse_next(pr->parser, &rec, e);
	}
	json_decref(rec);
}

static bool
preview_line(const char *line, size_t len, long line_no, void *arg)
{
	struct preview_run   *pr = arg;
	struct logparse_error e;
	json_t               *rec = NULL;

	enum logparse_result r;

	memset(&e, 0, sizeof(e));
	r = logparse_line(pr->parser, line, len, line_no, &rec, &e);
	preview_results(pr, r, rec, &e);
	return (json_array_size(pr->records) < INGEST_PREVIEW_RECORDS);
}

static enum ingest_preview_status
preview_refused(const struct logdetect *d, char *message, size_t msglen)
{
	snprintf(message, msglen, "%s", d->reason);
	if (strncmp(d->reason, "binary", 6) == 0)
		return (INGEST_PREVIEW_BINARY);
	if (strncmp(d->reason, "empty", 5) == 0 ||
	    strncmp(d->reason, "no text", 7) == 0)
		return (INGEST_PREVIEW_EMPTY);
	if (strstr(d->reason, "UTF") != NULL)
		return (INGEST_PREVIEW_BAD_UTF8);
	return (INGEST_PREVIEW_UNREADABLE);
}

static enum ingest_preview_status
preview_text(const char *data, size_t len, bool more_follows, const char *type,
    long now, json_t **out, char *message, size_t msglen)
{
	struct logparse_opts  opts;
	struct logparse_error e;
	struct logsplit       split;
	struct logdetect      d;
	struct preview_run    pr;
	enum logparse_result  r;
	json_t               *rec = NULL;
	char                  delim[2];

	*out = NULL;
	if (!files_type_known(type)) {
		snprintf(message, msglen,
		    "type must be one of auto, csv, json, access, "
		    "apache_error, syslog, plain");
		return (INGEST_PREVIEW_BAD_TYPE);
	}
	if (len > INGEST_PREVIEW_BYTES) {
		len = INGEST_PREVIEW_BYTES;
		more_follows = true;
	}
	memset(&d, 0, sizeof(d));
	if (!logdetect(data, len < LOGDETECT_SAMPLE ? len : LOGDETECT_SAMPLE,
		more_follows || len > LOGDETECT_SAMPLE,
		logformat_from_name(type), &d))
		return (preview_refused(&d, message, msglen));
	memset(&opts, 0, sizeof(opts));
	opts.ingest_ms = (int64_t)now * 1000;
	pr.parser = logparse_new(d.format, &opts);
	pr.records = json_array();
	pr.errors = json_array();
	logsplit_init(&split, LOGPARSE_LINE_MAX);
	/* A cut last line is not parsed: it would be a false error. */
	if (logsplit_feed(&split, data, len, preview_line, &pr) &&
	    !more_follows && logsplit_finish(&split, preview_line, &pr)) {
		memset(&e, 0, sizeof(e));
		r = logparse_finish(pr.parser, &rec, &e);
		preview_results(&pr, r, rec, &e);
	}
	logsplit_free(&split);
	logparse_free(pr.parser);
	delim[0] = d.csv_delimiter;
	delim[1] = '\0';
	*out = json_pack("{s:s, s:{s:s, s:b, s:s?, s:i, s:i, s:s}, s:o, s:o}",
	    "format", logformat_name(d.format), "detected", "format",
	    logformat_name(d.format), "json_array", d.json_array,
	    "csv_delimiter",
	    d.format == LOG_FORMAT_CSV && delim[0] != '\0' ? delim : NULL,
	    "lines", d.lines, "matched", d.matched, "reason", d.reason,
	    "records", pr.records, "errors", pr.errors);
	return (INGEST_PREVIEW_OK);
}

/*
 * Inflates the start of a gzip upload into out (INGEST_PREVIEW_BYTES).
 * Returns the bytes made, or -1 when the data is not gzip after all;
 * *more says there is more than that.
 */
static long
preview_gunzip(
    const char *data, size_t len, bool more_follows, char *out, bool *more)
{
	z_stream z;
	int      rc;
	long     n;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return (-1);
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out;
	z.avail_out = INGEST_PREVIEW_BYTES;
	rc = inflate(&z, Z_SYNC_FLUSH);
	n = (long)(INGEST_PREVIEW_BYTES - z.avail_out);
	*more = rc != Z_STREAM_END && (z.avail_out == 0 || more_follows);
	(void)inflateEnd(&z);
	if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
		return (-1);
	return (n);
}

enum ingest_preview_status
ingest_preview(const char *data, size_t len, bool more_follows,
    const char *type, long now, json_t **out, char *message, size_t msglen)
{
	enum ingest_preview_status st;
	char                      *plain;
	long                       n;
	bool                       more;

	if (len < 2 || (unsigned char)data[0] != 0x1f ||
	    (unsigned char)data[1] != 0x8b)
		return (preview_text(
		    data, len, more_follows, type, now, out, message, msglen));
	plain = mem_alloc(INGEST_PREVIEW_BYTES);
	if ((n = preview_gunzip(data, len, more_follows, plain, &more)) < 0) {
		mem_free(plain);
		snprintf(message, msglen, "the gzip data cannot be read");
		*out = NULL;
		return (INGEST_PREVIEW_UNREADABLE);
	}
	st = preview_text(
	    plain, (size_t)n, more, type, now, out, message, msglen);
	mem_free(plain);
	if (st == INGEST_PREVIEW_OK)
		json_object_set_new(*out, "compressed", json_true());
	return (st);
}

enum ingest_gunzip_result
ingest_api_gunzip(const char *data, size_t len, size_t max, struct buf *out)
{
	z_stream z;
	char     chunk[65536];
	size_t   made;
	int      rc;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return (INGEST_GUNZIP_BAD);
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	do {
		z.next_out = (Bytef *)chunk;
		z.avail_out = sizeof(chunk);
		rc = inflate(&z, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END) {
			(void)inflateEnd(&z);
			return (INGEST_GUNZIP_BAD);
		}
		made = sizeof(chunk) - z.avail_out;
		if (out->len + made > max) {
			(void)inflateEnd(&z);
			return (INGEST_GUNZIP_TOO_LARGE);
		}
		buf_append(out, chunk, made);
	} while (rc != Z_STREAM_END && (z.avail_in > 0 || made > 0));
	(void)inflateEnd(&z);
	return (rc == Z_STREAM_END ? INGEST_GUNZIP_OK : INGEST_GUNZIP_BAD);
}
