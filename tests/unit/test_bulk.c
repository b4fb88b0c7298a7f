/*
 * _bulk bodies and answers: what a batch holds byte for byte, index
 * names taken from the tenant only, refusals, size accounting, the
 * classification of answered items, and the backoff.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/bulk.h"
#include "core/mem.h"

#define ID       "64b7f0c2a1d3e5f708192a3b"
#define OTHER_ID "64b7f0c2a1d3e5f708192a3c"
#define JAN1     1767225600L /* 2026-01-01T00:00:00Z */

static void
make_ctx(struct tenant_ctx *ctx, const char *id, const char *slug)
{
	memset(ctx, 0, sizeof(*ctx));
	snprintf(ctx->id, sizeof(ctx->id), "%s", id);
	snprintf(ctx->slug, sizeof(ctx->slug), "%s", slug);
	snprintf(ctx->plan, sizeof(ctx->plan), "%s", "team");
	ctx->active = 1;
}

static size_t
count_char(const char *s, size_t len, char c)
{
	size_t i, n;

	for (i = 0, n = 0; i < len; i++)
		n += s[i] == c;
	return (n);
}

/* ---- building ------------------------------------------------------------ */

static void
test_body_exact(void **state)
{
	struct tenant_ctx ctx;
	struct bulk_batch b;
	json_t           *doc;

	(void)state;
	make_ctx(&ctx, ID, "acme");
	bulk_batch_init(&b, 0);
	doc = json_pack("{s:s, s:s, s:i}", "@timestamp", "2026-01-01T00:00:00Z",
	    "message", "hello", "vigie.line", 1);
	assert_int_equal(bulk_add(&b, &ctx, JAN1, "id-1", 1, doc), BULK_ADD_OK);
	json_decref(doc);
	doc = json_pack("{s:s}", "message", "late");
	assert_int_equal(
	    bulk_add(&b, &ctx, JAN1 - 1, "id-2", 2, doc), BULK_ADD_OK);
	json_decref(doc);

	assert_string_equal(b.body.data,
	    "{\"index\":{\"_index\":\"logs-acme-2026.01.01\",\"_id\":\"id-1\"}}\n"
	    "{\"@timestamp\":\"2026-01-01T00:00:00Z\",\"message\":\"hello\","
	    "\"vigie.line\":1}\n"
	    "{\"index\":{\"_index\":\"logs-acme-2025.12.31\",\"_id\":\"id-2\"}}\n"
	    "{\"message\":\"late\"}\n");
	assert_int_equal(b.n, 2);
	assert_string_equal(b.tenant_id, ID);
	assert_string_equal(b.items[0].index, "logs-acme-2026.01.01");
	assert_string_equal(b.items[1].index, "logs-acme-2025.12.31");
	assert_int_equal(b.items[0].line, 1);
	assert_int_equal(b.items[1].line, 2);
	assert_int_equal(b.items[0].off, 0);
	assert_int_equal(b.items[1].off, b.items[0].len);
	assert_int_equal(b.items[0].len + b.items[1].len, b.body.len);
	assert_int_equal(bulk_batch_bytes(&b), b.body.len);
	bulk_batch_free(&b);
}

/* Quotes in an id, line breaks in a value: still two lines per item. */
static void
test_body_escaping(void **state)
{
	struct tenant_ctx ctx;
	struct bulk_batch b;
	json_t           *doc;

	(void)state;
	make_ctx(&ctx, ID, "acme");
	bulk_batch_init(&b, 0);
	doc = json_pack("{s:s, s:{s:s}}", "message",
	    "line one\nline two\r\n\"quoted\"\t\\", "labels", "k\nx", "v\n");
	assert_int_equal(
	    bulk_add(&b, &ctx, JAN1, "a\"b\\c\n", 9, doc), BULK_ADD_OK);
	json_decref(doc);
	assert_int_equal(count_char(b.body.data, b.body.len, '\n'), 2);
	assert_non_null(strstr(b.body.data, "\"_id\":\"a\\\"b\\\\c\\n\""));
	assert_non_null(strstr(b.body.data, "line one\\nline two\\r\\n"));
	bulk_batch_free(&b);
}

static void
test_index_from_tenant_only(void **state)
{
	struct tenant_ctx ctx;
	struct bulk_batch b;
	json_t           *doc;

	(void)state;
	make_ctx(&ctx, ID, "acme-corp");
	bulk_batch_init(&b, 0);
	doc = json_object();
	assert_int_equal(bulk_add(&b, &ctx, 0, "x", 1, doc), BULK_ADD_OK);
	assert_int_equal(
	    bulk_add(&b, &ctx, 253402300799L, "y", 2, doc), BULK_ADD_OK);
	assert_int_equal(bulk_add(&b, &ctx, 951782400L, "z", 3, doc),
	    BULK_ADD_OK); /* 2000-02-29 */
	assert_string_equal(b.items[0].index, "logs-acme-corp-1970.01.01");
	assert_string_equal(b.items[1].index, "logs-acme-corp-9999.12.31");
	assert_string_equal(b.items[2].index, "logs-acme-corp-2000.02.29");
	assert_true(tenant_index_owned(&ctx, b.items[2].index));
	json_decref(doc);
	bulk_batch_free(&b);
}

/* Each refusal leaves the batch as it was. */
static void
test_refusals(void **state)
{
	struct tenant_ctx ctx, bad, other;
	struct bulk_batch b;
	json_t           *doc, *arr, *str;
	char              longid[BULK_ID_MAX + 2];
	size_t            len;

	(void)state;
	make_ctx(&ctx, ID, "acme");
	bulk_batch_init(&b, 0);
	doc = json_object();
	arr = json_array();
	str = json_string("not an object");

	assert_int_equal(
	    bulk_add(&b, NULL, JAN1, "x", 1, doc), BULK_ADD_BAD_TENANT);
	make_ctx(&bad, "not-an-id", "acme");
	assert_int_equal(
	    bulk_add(&b, &bad, JAN1, "x", 1, doc), BULK_ADD_BAD_TENANT);
	make_ctx(&bad, ID, "Bad Slug");
	assert_int_equal(
	    bulk_add(&b, &bad, JAN1, "x", 1, doc), BULK_ADD_BAD_TENANT);
	make_ctx(&bad, ID, "admin"); /* reserved */
	assert_int_equal(
	    bulk_add(&b, &bad, JAN1, "x", 1, doc), BULK_ADD_BAD_TENANT);
	make_ctx(&bad, ID, "acme");
	memset(bad.slug, 'a', sizeof(bad.slug)); /* no NUL */
	assert_int_equal(
	    bulk_add(&b, &bad, JAN1, "x", 1, doc), BULK_ADD_BAD_TENANT);
	memset(&bad, 0, sizeof(bad));
	assert_int_equal(
	    bulk_add(&b, &bad, JAN1, "x", 1, doc), BULK_ADD_BAD_TENANT);

	assert_int_equal(
	    bulk_add(&b, &ctx, -1, "x", 1, doc), BULK_ADD_BAD_TIME);
	assert_int_equal(
	    bulk_add(&b, &ctx, 253402300800L, "x", 1, doc), BULK_ADD_BAD_TIME);

	assert_int_equal(
	    bulk_add(&b, &ctx, JAN1, NULL, 1, doc), BULK_ADD_BAD_ID);
	assert_int_equal(bulk_add(&b, &ctx, JAN1, "", 1, doc), BULK_ADD_BAD_ID);
	memset(longid, 'i', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	assert_int_equal(
	    bulk_add(&b, &ctx, JAN1, longid, 1, doc), BULK_ADD_BAD_ID);
	assert_int_equal(
	    bulk_add(&b, &ctx, JAN1, "bad\xff", 1, doc), BULK_ADD_BAD_ID);

	assert_int_equal(
	    bulk_add(&b, &ctx, JAN1, "x", 1, NULL), BULK_ADD_BAD_DOC);
	assert_int_equal(
	    bulk_add(&b, &ctx, JAN1, "x", 1, arr), BULK_ADD_BAD_DOC);
	assert_int_equal(
	    bulk_add(&b, &ctx, JAN1, "x", 1, str), BULK_ADD_BAD_DOC);

	assert_int_equal(b.n, 0);
	assert_int_equal(b.body.len, 0);
	assert_string_equal(b.tenant_id, "");

	/* An id of exactly BULK_ID_MAX bytes is fine. */
	longid[BULK_ID_MAX] = '\0';
	assert_int_equal(bulk_add(&b, &ctx, JAN1, longid, 1, doc), BULK_ADD_OK);

	/* Once the batch is acme's, another tenant cannot add to it. */
	make_ctx(&other, OTHER_ID, "globex");
	len = b.body.len;
	assert_int_equal(
	    bulk_add(&b, &other, JAN1, "y", 2, doc), BULK_ADD_BAD_TENANT);
	/* Nor can a context with acme's slug and another id. */
	make_ctx(&other, OTHER_ID, "acme");
	assert_int_equal(
	    bulk_add(&b, &other, JAN1, "y", 2, doc), BULK_ADD_BAD_TENANT);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.body.len, len);

	/* After a reset it can. */
	bulk_batch_reset(&b);
	assert_int_equal(b.n, 0);
	assert_int_equal(b.body.len, 0);
	assert_int_equal(bulk_add(&b, &other, JAN1, "y", 2, doc), BULK_ADD_OK);
	assert_string_equal(b.tenant_id, OTHER_ID);
	assert_string_equal(b.items[0].index, "logs-acme-2026.01.01");

	assert_string_equal(bulk_add_status_text(BULK_ADD_OK), "ok");
	assert_non_null(
	    strstr(bulk_add_status_text(BULK_ADD_BAD_TIME), "1970"));
	json_decref(doc);
	json_decref(arr);
	json_decref(str);
	bulk_batch_free(&b);
}

/* Text written by the caller goes in as it is, one line or nothing. */
static void
test_raw(void **state)
{
	static const char *const bad[] = {
	    "",
	    "{",
	    "[1]",
	    "\"text\"",
	    "{\"a\":\n1}",
	    "{\"a\":1}\r",
	    " {\"a\":1}",
	    /* An attempt to slip an action line for another index in. */
	    "{\"a\":1}\n{\"index\":{\"_index\":\"logs-globex-2026.01.01\"}}"
	    "\n{\"b\":2}",
	};
	struct tenant_ctx ctx, other;
	struct bulk_batch b, j;
	json_t           *doc;
	const char       *raw = "{\"message\":\"hello\",\"vigie.line\":1}";
	size_t            i;

	(void)state;
	make_ctx(&ctx, ID, "acme");
	bulk_batch_init(&b, 0);
	bulk_batch_init(&j, 0);
	assert_int_equal(
	    bulk_add_raw(&b, &ctx, JAN1, "r1", 7, raw, strlen(raw)),
	    BULK_ADD_OK);
	doc = json_pack("{s:s, s:i}", "message", "hello", "vigie.line", 1);
	assert_int_equal(bulk_add(&j, &ctx, JAN1, "r1", 7, doc), BULK_ADD_OK);
	json_decref(doc);
	assert_string_equal(b.body.data, j.body.data);
	assert_int_equal(b.items[0].len, j.items[0].len);
	assert_string_equal(b.items[0].index, "logs-acme-2026.01.01");
	assert_int_equal(b.items[0].line, 7);
	bulk_batch_free(&j);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (bulk_add_raw(&b, &ctx, JAN1, "x", 1, bad[i],
			strlen(bad[i])) != BULK_ADD_BAD_DOC)
			fail_msg("raw document accepted: %s", bad[i]);
	}
	assert_int_equal(
	    bulk_add_raw(&b, &ctx, JAN1, "x", 1, NULL, 0), BULK_ADD_BAD_DOC);
	/* Only len bytes count: a longer buffer may be passed. */
	assert_int_equal(
	    bulk_add_raw(&b, &ctx, JAN1, "x", 1, "{}\n{}", 2), BULK_ADD_OK);
	assert_int_equal(b.n, 2);
	make_ctx(&other, OTHER_ID, "globex");
	assert_int_equal(
	    bulk_add_raw(&b, &other, JAN1, "x", 1, raw, strlen(raw)),
	    BULK_ADD_BAD_TENANT);
	assert_int_equal(bulk_add_raw(&b, &ctx, -5, "x", 1, raw, strlen(raw)),
	    BULK_ADD_BAD_TIME);
	assert_int_equal(bulk_add_raw(&b, &ctx, JAN1, "", 1, raw, strlen(raw)),
	    BULK_ADD_BAD_ID);
	assert_int_equal(b.n, 2);
	assert_int_equal(count_char(b.body.data, b.body.len, '\n'), 4);
	assert_int_equal(b.items[1].off + b.items[1].len, b.body.len);
	bulk_batch_free(&b);
}

/* The batch says it is full once its body reaches the flush size. */
static void
test_size_accounting(void **state)
{
	struct tenant_ctx ctx;
	struct bulk_batch b;
	json_t           *doc;
	char              id[32];
	size_t            before, i;

	(void)state;
	make_ctx(&ctx, ID, "acme");
	bulk_batch_init(&b, 0);
	assert_int_equal(b.flush_bytes, BULK_FLUSH_BYTES);
	assert_int_equal(BULK_FLUSH_BYTES, 5 * 1024 * 1024);
	bulk_batch_free(&b);

	bulk_batch_init(&b, 1000);
	doc = json_pack("{s:s}", "message", "0123456789012345678901234567890");
	for (i = 0; !bulk_batch_full(&b); i++) {
		before = bulk_batch_bytes(&b);
		assert_true(before < 1000);
		snprintf(id, sizeof(id), "doc-%zu", i);
		assert_int_equal(
		    bulk_add(&b, &ctx, JAN1, id, i, doc), BULK_ADD_OK);
		assert_int_equal(bulk_batch_bytes(&b) - before,
		    strlen("{\"index\":{\"_index\":\"logs-acme-2026.01.01\","
			   "\"_id\":\"\"}}\n") +
			strlen(id) +
			strlen("{\"message\":\"0123456789012345678901234567890"
			       "\"}\n"));
	}
	assert_true(bulk_batch_bytes(&b) >= 1000);
	assert_int_equal(bulk_batch_bytes(&b), strlen(b.body.data));
	assert_int_equal(count_char(b.body.data, b.body.len, '\n'), 2 * b.n);
	json_decref(doc);
	bulk_batch_free(&b);
}

static void
test_subset(void **state)
{
	struct tenant_ctx ctx;
	struct bulk_batch b;
	struct buf        out;
	json_t           *doc;
	const size_t      which[] = {2, 0, 99};

	(void)state;
	make_ctx(&ctx, ID, "acme");
	bulk_batch_init(&b, 0);
	doc = json_pack("{s:s}", "m", "a");
	bulk_add(&b, &ctx, JAN1, "a", 1, doc);
	json_decref(doc);
	doc = json_pack("{s:s}", "m", "b");
	bulk_add(&b, &ctx, JAN1, "b", 2, doc);
	json_decref(doc);
	doc = json_pack("{s:s}", "m", "c");
	bulk_add(&b, &ctx, JAN1, "c", 3, doc);
	json_decref(doc);
	buf_init(&out, 16);
	bulk_batch_subset(&b, which, 3, &out);
	assert_string_equal(out.data,
	    "{\"index\":{\"_index\":\"logs-acme-2026.01.01\",\"_id\":\"c\"}}\n"
	    "{\"m\":\"c\"}\n"
	    "{\"index\":{\"_index\":\"logs-acme-2026.01.01\",\"_id\":\"a\"}}\n"
	    "{\"m\":\"a\"}\n");
	buf_free(&out);
	bulk_batch_free(&b);
}

/* ---- reading ------------------------------------------------------------- */

/* The shape of the Elasticsearch documentation's example, all indexed. */
static const char answer_ok[] =
    "{\"took\":30,\"errors\":false,\"items\":["
    "{\"index\":{\"_index\":\"logs-acme-2026.01.01\",\"_id\":\"1\","
    "\"_version\":1,\"result\":\"created\",\"_shards\":{\"total\":1,"
    "\"successful\":1,\"failed\":0},\"status\":201,\"_seq_no\":0,"
    "\"_primary_term\":1}},"
    "{\"index\":{\"_index\":\"logs-acme-2026.01.01\",\"_id\":\"2\","
    "\"_version\":2,\"result\":\"updated\",\"_shards\":{\"total\":1,"
    "\"successful\":1,\"failed\":0},\"status\":200,\"_seq_no\":1,"
    "\"_primary_term\":1}}]}";

static void
test_read_fast_path(void **state)
{
	struct bulk_outcome out;

	(void)state;
	assert_true(bulk_response_read(answer_ok, strlen(answer_ok), &out));
	assert_false(out.errors);
	assert_int_equal(out.n, 2);
	assert_int_equal(out.ok, 2);
	assert_int_equal(out.retry + out.rejected, 0);
	assert_int_equal(out.items[0].state, BULK_ITEM_OK);
	assert_int_equal(out.items[1].state, BULK_ITEM_OK);
	assert_null(out.items[1].reason);
	bulk_outcome_free(&out);
}

/* Every kind of item in one answer, as Elasticsearch 8 writes them. */
static const char answer_mixed[] =
    "{\"errors\":true,\"took\":807,\"items\":["
    /* 0: created */
    "{\"index\":{\"_index\":\"logs-acme-2026.01.01\",\"_id\":\"a\","
    "\"_version\":1,\"result\":\"created\",\"status\":201}},"
    /* 1: a mapping error */
    "{\"index\":{\"_index\":\"logs-acme-2026.01.01\",\"_id\":\"b\","
    "\"status\":400,\"error\":{\"type\":\"document_parsing_exception\","
    "\"reason\":\"[1:56] failed to parse field [log.level] of type "
    "[keyword] in document with id 'b'. Preview of field's value: "
    "'{a=1}'\",\"caused_by\":{\"type\":\"illegal_argument_exception\","
    "\"reason\":\"Expected text at 1:50 but found START_OBJECT\"}}}},"
    /* 2: a full write queue */
    "{\"index\":{\"_index\":\"logs-acme-2026.01.01\",\"_id\":\"c\","
    "\"status\":429,\"error\":{\"type\":"
    "\"es_rejected_execution_exception\",\"reason\":\"rejected execution "
    "of coordinating operation [coordinating_and_primary_bytes=0, "
    "replica_bytes=0, all_bytes=0, coordinating_operation_bytes=1024, "
    "max_coordinating_and_primary_bytes=512]\"}}},"
    /* 3: a shard not there yet */
    "{\"index\":{\"_index\":\"logs-acme-2026.01.01\",\"_id\":\"d\","
    "\"status\":503,\"error\":{\"type\":\"unavailable_shards_exception\","
    "\"reason\":\"[logs-acme-2026.01.01][0] primary shard is not "
    "active\"}}},"
    /* 4: updated */
    "{\"index\":{\"_index\":\"logs-acme-2026.01.01\",\"_id\":\"e\","
    "\"result\":\"updated\",\"status\":200}},"
    /* 5: a create of a document already there */
    "{\"create\":{\"_index\":\"logs-acme-2026.01.01\",\"_id\":\"f\","
    "\"status\":409,\"error\":{\"type\":"
    "\"version_conflict_engine_exception\",\"reason\":\"[f]: version "
    "conflict, document already exists (current version [1])\","
    "\"index_uuid\":\"e4XHPe_BQWeONwuBzHm-sA\",\"shard\":\"0\","
    "\"index\":\"logs-acme-2026.01.01\"}}},"
    /* 6: no status at all */
    "{\"index\":{\"_index\":\"logs-acme-2026.01.01\",\"_id\":\"g\"}},"
    /* 7: the read-only block of a full disk */
    "{\"index\":{\"_index\":\"logs-acme-2026.01.01\",\"_id\":\"h\","
    "\"status\":403,\"error\":{\"type\":\"cluster_block_exception\","
    "\"reason\":\"index [logs-acme-2026.01.01] blocked by: "
    "[TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, "
    "index has read-only-allow-delete block];\"}}}"
    "]}";

static void
test_read_mixed(void **state)
{
	struct bulk_outcome out;

	(void)state;
	assert_true(
	    bulk_response_read(answer_mixed, strlen(answer_mixed), &out));
	assert_true(out.errors);
	assert_int_equal(out.n, 8);
	assert_int_equal(out.ok, 2);
	assert_int_equal(out.retry, 4);
	assert_int_equal(out.rejected, 2);

	assert_int_equal(out.items[0].state, BULK_ITEM_OK);
	assert_int_equal(out.items[0].status, 201);
	assert_null(out.items[0].type);

	assert_int_equal(out.items[1].state, BULK_ITEM_REJECTED);
	assert_int_equal(out.items[1].status, 400);
	assert_string_equal(out.items[1].type, "document_parsing_exception");
	assert_string_equal(out.items[1].reason,
	    "[1:56] failed to parse field [log.level] of type [keyword] in "
	    "document with id 'b'. Preview of field's value: '{a=1}': "
	    "Expected text at 1:50 but found START_OBJECT");

	assert_int_equal(out.items[2].state, BULK_ITEM_RETRY);
	assert_int_equal(out.items[2].status, 429);
	assert_string_equal(
	    out.items[2].type, "es_rejected_execution_exception");
	assert_int_equal(out.items[3].state, BULK_ITEM_RETRY);
	assert_int_equal(out.items[4].state, BULK_ITEM_OK);
	assert_int_equal(out.items[4].status, 200);

	assert_int_equal(out.items[5].state, BULK_ITEM_REJECTED);
	assert_int_equal(out.items[5].status, 409);
	assert_non_null(strstr(out.items[5].reason, "already exists"));

	assert_int_equal(out.items[6].state, BULK_ITEM_RETRY);
	assert_int_equal(out.items[6].status, 0);
	assert_string_equal(out.items[6].type, "unreadable_item");

	assert_int_equal(out.items[7].state, BULK_ITEM_RETRY);
	assert_int_equal(out.items[7].status, 403);
	bulk_outcome_free(&out);
	assert_null(out.items);
	assert_int_equal(out.n, 0);
}

/* What es_bulk asks for: the answer cut down with filter_path. */
static void
test_read_filtered(void **state)
{
	static const char answer[] =
	    "{\"errors\":true,\"items\":[{\"index\":{\"status\":400,\"error\":"
	    "{\"type\":\"document_parsing_exception\",\"reason\":\"[1:20] "
	    "failed to parse field [log.level] of type [keyword]\","
	    "\"caused_by\":{\"reason\":\"Expected text at 1:14 but found "
	    "START_OBJECT\"}}}},{\"index\":{\"status\":200}}]}";
	static const char clean[] =
	    "{\"errors\":false,\"items\":[{\"index\":{\"status\":201}}]}";
	struct bulk_outcome out;

	(void)state;
	assert_true(bulk_response_read(answer, strlen(answer), &out));
	assert_int_equal(out.n, 2);
	assert_int_equal(out.rejected, 1);
	assert_int_equal(out.ok, 1);
	assert_non_null(strstr(out.items[0].reason, "START_OBJECT"));
	bulk_outcome_free(&out);
	assert_true(bulk_response_read(clean, strlen(clean), &out));
	assert_int_equal(out.n, 1);
	assert_int_equal(out.ok, 1);
	bulk_outcome_free(&out);
	/* An empty batch's answer. */
	assert_true(
	    bulk_response_read("{\"errors\":false,\"items\":[]}", 27, &out));
	assert_int_equal(out.n, 0);
	bulk_outcome_free(&out);
}

static void
test_read_not_an_answer(void **state)
{
	static const char *const bad[] = {
	    "",
	    "not json",
	    "[]",
	    "{\"errors\":false}",
	    "{\"items\":[]}",
	    "{\"errors\":\"false\",\"items\":[]}",
	    "{\"errors\":false,\"items\":{}}",
	    "{\"error\":{\"root_cause\":[{\"type\":\"illegal_argument_"
	    "exception\",\"reason\":\"The bulk request must be terminated by "
	    "a newline [\\n]\"}],\"type\":\"illegal_argument_exception\"},"
	    "\"status\":400}",
	    "{\"errors\":true,\"items\":[{\"index\":{\"status\":201}}",
	};
	struct bulk_outcome out;
	size_t              i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (bulk_response_read(bad[i], strlen(bad[i]), &out))
			fail_msg("read as an answer: %s", bad[i]);
		assert_int_equal(out.n, 0);
		assert_null(out.items);
		bulk_outcome_free(&out);
	}
	assert_false(bulk_response_read(NULL, 0, &out));
}

/* A long reason is cut at 512 bytes, never inside a UTF-8 character. */
static void
test_read_long_reason(void **state)
{
	struct bulk_outcome out;
	struct buf          b;
	json_t             *check;
	size_t              i, len;

	(void)state;
	buf_init(&b, 4096);
	buf_appends(&b,
	    "{\"errors\":true,\"items\":[{\"index\":{\"status\":400,"
	    "\"error\":{\"type\":\"x\",\"reason\":\"a");
	for (i = 0; i < 600; i++)
		buf_appends(&b, "\xc3\xa9"); /* é */
	buf_appends(&b, "\"}}}]}");
	assert_true(bulk_response_read(b.data, b.len, &out));
	len = strlen(out.items[0].reason);
	assert_true(len <= BULK_REASON_MAX);
	assert_true(len >= BULK_REASON_MAX - 1);
	assert_int_equal(len % 2, 1); /* "a" then whole two-byte characters */
	check = json_string(out.items[0].reason); /* NULL if not UTF-8 */
	assert_non_null(check);
	json_decref(check);
	bulk_outcome_free(&out);
	buf_free(&b);
}

/*
 * The usual all-indexed answer is only counted; answers of other shapes
 * (which jansson reads) give the same outcome, or none when they are not
 * answers at all.
 */
static void
test_read_clean_shortcut(void **state)
{
	static const struct {
		const char *body;
		bool        read;
		size_t      n;
	} v[] = {
	    {"{\"errors\":false,\"items\":[{\"index\":{\"status\":201}},"
	     "{\"create\":{\"status\":201}},{\"index\":{\"status\":200}}]}\n",
		true, 3},
	    /* Other shapes, read by jansson: the same counts. */
	    {"{ \"errors\" : false, \"items\" : [ {\"index\":{\"status\":201}} ] }",
		true, 1},
	    {"{\"took\":3,\"errors\":false,\"items\":[{\"index\":{\"status\":"
	     "201,\"_id\":\"x\"}}]}",
		true, 1},
	    {"{\"errors\":false,\"items\":[{\"index\":{\"status\":409}}]}",
		true, 1},
	    {"{\"errors\":false,\"items\":[{\"other\":{\"status\":201}}]}",
		true, 1},
	    /* Not answers: refused by both. */
	    {"{\"errors\":false,\"items\":[{\"index\":{\"status\":201}}]}x",
		false, 0},
	    {"{\"errors\":false,\"items\":[{\"index\":{\"status\":201}}", false,
		0},
	    {"{\"errors\":false,\"items\":[{\"index\":{\"status\":201}},]}",
		false, 0},
	    {"{\"errors\":false,\"items\":[{\"index\":{\"status\":2x1}}]}",
		false, 0},
	};
	struct bulk_outcome out;
	struct buf          b;
	size_t              i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(
		    bulk_response_read(v[i].body, strlen(v[i].body), &out),
		    v[i].read);
		assert_int_equal(out.n, v[i].n);
		assert_int_equal(out.ok, v[i].n);
		assert_int_equal(out.retry + out.rejected, 0);
		assert_false(out.errors);
		if (v[i].n > 0) {
			assert_int_equal(out.items[0].state, BULK_ITEM_OK);
			assert_int_equal(out.items[0].status, 0);
			assert_null(out.items[0].type);
		}
		bulk_outcome_free(&out);
	}
	/* A batch's worth, as Elasticsearch writes it. */
	buf_init(&b, 1 << 16);
	buf_appends(&b, "{\"errors\":false,\"items\":[");
	for (i = 0; i < 6000; i++)
		buf_appendf(&b, "%s{\"index\":{\"status\":%d}}",
		    i > 0 ? "," : "", i % 7 == 0 ? 200 : 201);
	buf_appends(&b, "]}");
	assert_true(bulk_response_read(b.data, b.len, &out));
	assert_int_equal(out.n, 6000);
	assert_int_equal(out.ok, 6000);
	assert_int_equal(out.items[5999].state, BULK_ITEM_OK);
	bulk_outcome_free(&out);
	/* One item in error: every item is walked, as before. */
	buf_reset(&b);
	buf_appends(&b,
	    "{\"errors\":true,\"items\":[{\"index\":{\"status\":201}},"
	    "{\"index\":{\"status\":400,\"error\":{\"type\":"
	    "\"mapper_parsing_exception\",\"reason\":\"bad\"}}}]}");
	assert_true(bulk_response_read(b.data, b.len, &out));
	assert_int_equal(out.n, 2);
	assert_int_equal(out.ok, 1);
	assert_int_equal(out.rejected, 1);
	assert_int_equal(out.items[0].status, 201);
	bulk_outcome_free(&out);
	buf_free(&b);
}

static void
test_classify(void **state)
{
	(void)state;
	assert_int_equal(bulk_item_classify(200, NULL), BULK_ITEM_OK);
	assert_int_equal(bulk_item_classify(201, NULL), BULK_ITEM_OK);
	assert_int_equal(bulk_item_classify(429, NULL), BULK_ITEM_RETRY);
	assert_int_equal(bulk_item_classify(500, NULL), BULK_ITEM_RETRY);
	assert_int_equal(bulk_item_classify(503, NULL), BULK_ITEM_RETRY);
	assert_int_equal(bulk_item_classify(0, NULL), BULK_ITEM_RETRY);
	assert_int_equal(
	    bulk_item_classify(400, "es_rejected_execution_exception"),
	    BULK_ITEM_RETRY);
	assert_int_equal(bulk_item_classify(400, "document_parsing_exception"),
	    BULK_ITEM_REJECTED);
	assert_int_equal(bulk_item_classify(400, "mapper_parsing_exception"),
	    BULK_ITEM_REJECTED);
	assert_int_equal(bulk_item_classify(400, "illegal_argument_exception"),
	    BULK_ITEM_REJECTED);
	assert_int_equal(bulk_item_classify(404, "index_not_found_exception"),
	    BULK_ITEM_REJECTED);
	assert_int_equal(bulk_item_classify(413, NULL), BULK_ITEM_REJECTED);
}

/* ---- backoff ------------------------------------------------------------- */

static void
test_backoff(void **state)
{
	int i;

	(void)state;
	/* The ceiling doubles from the base up to the cap. */
	assert_int_equal(bulk_backoff_ms(200, 10000, 0, 200), 200);
	assert_int_equal(bulk_backoff_ms(200, 10000, 0, 201), 0);
	assert_int_equal(bulk_backoff_ms(200, 10000, 1, 400), 400);
	assert_int_equal(bulk_backoff_ms(200, 10000, 3, 1600), 1600);
	assert_int_equal(bulk_backoff_ms(200, 10000, 5, 6400), 6400);
	assert_int_equal(bulk_backoff_ms(200, 10000, 6, 10000), 10000);
	assert_int_equal(bulk_backoff_ms(200, 10000, 6, 10001), 0);
	assert_int_equal(bulk_backoff_ms(200, 10000, 3, 7), 7);
	for (i = 0; i < 200; i++) {
		assert_true(
		    bulk_backoff_ms(200, 10000, i, UINT32_MAX) <= 10000);
		assert_true(bulk_backoff_ms(200, 10000, i, 0) == 0);
	}
	assert_int_equal(bulk_backoff_ms(0, 10000, 3, 99), 0);
	assert_int_equal(bulk_backoff_ms(200, 0, 3, 99), 0);
	assert_int_equal(bulk_backoff_ms(200, 100, 0, 100), 100);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_body_exact),
	    cmocka_unit_test(test_body_escaping),
	    cmocka_unit_test(test_index_from_tenant_only),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_raw),
	    cmocka_unit_test(test_size_accounting),
	    cmocka_unit_test(test_subset),
	    cmocka_unit_test(test_read_fast_path),
	    cmocka_unit_test(test_read_mixed),
	    cmocka_unit_test(test_read_filtered),
	    cmocka_unit_test(test_read_not_an_answer),
	    cmocka_unit_test(test_read_long_reason),
	    cmocka_unit_test(test_read_clean_shortcut),
	    cmocka_unit_test(test_classify),
	    cmocka_unit_test(test_backoff),
	};

	return (cmocka_run_group_tests_name("bulk", tests, NULL, NULL));
}
