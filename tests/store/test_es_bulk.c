/*
 * store/es_bulk.c: the retry logic against a scripted transport (no
 * network), then the real thing against the Elasticsearch of
 * VIGIE_ES_URL: 10,000 documents indexed, sent again without a
 * duplicate, one bad document reported with its line and reason.
 *
 * tests/integration/test_es_bulk.py runs it with a tenant it signed up
 * (VIGIE_TEST_TENANT_ID, VIGIE_TEST_TENANT_SLUG); without them a
 * synthetic tenant is made up. Indices it creates are deleted at the
 * end. Without VIGIE_ES_URL the Elasticsearch tests are skipped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/env.h"
#include "core/docid.h"
#include "core/mem.h"
#include "store/es_bulk.h"

#define ID       "64b7f0c2a1d3e5f708192a3b"
#define OTHER_ID "64b7f0c2a1d3e5f708192a3c"
#define JAN1     1767225600L /* 2026-01-01T00:00:00Z */
#define DAY      86400L
#define MANY     10000

/* ---- a scripted transport ---------------------------------------------- */

struct fake_answer {
	bool        reached;
	long        status;
	const char *body;
};

static struct {
	const struct fake_answer *script;
	size_t                    nscript;
	size_t                    calls;
	char                     *bodies[16]; /* what each request carried */
	long                      slept[16];
	size_t                    nslept;
} fake;

static void
fake_reset(const struct fake_answer *script, size_t n)
{
	size_t i;

	for (i = 0; i < fake.calls && i < 16; i++)
		mem_free(fake.bodies[i]);
	memset(&fake, 0, sizeof(fake));
	fake.script = script;
	fake.nscript = n;
}

/* Answers with the next line of the script (the last one repeats). */
static bool
fake_request(const char *method, const char *path, const char *body,
    size_t bodylen, long timeout_ms, struct es_response *out)
{
	const struct fake_answer *a;

	(void)timeout_ms;
	assert_string_equal(method, "POST");
	assert_true(strncmp(path, "/_bulk?", 7) == 0);
	memset(out, 0, sizeof(*out));
	buf_init(&out->body, 256);
	if (fake.calls < 16)
		fake.bodies[fake.calls] = mem_strndup(body, bodylen);
	a = &fake.script[fake.calls < fake.nscript ? fake.calls
						   : fake.nscript - 1];
	fake.calls++;
	if (!a->reached) {
		snprintf(out->error, sizeof(out->error), "Connection refused");
		return (false);
	}
	out->status = a->status;
	buf_appends(&out->body, a->body);
	return (true);
}

static void
fake_sleep(long ms, void *arg)
{
	(void)arg;
	if (fake.nslept < 16)
		fake.slept[fake.nslept++] = ms;
}

static void
fake_options(struct es_bulk_options *o)
{
	es_bulk_options_default(o);
	o->request = fake_request;
	o->sleep_ms = fake_sleep;
}

static void
make_ctx(struct tenant_ctx *ctx, const char *id, const char *slug)
{
	memset(ctx, 0, sizeof(*ctx));
	snprintf(ctx->id, sizeof(ctx->id), "%s", id);
	snprintf(ctx->slug, sizeof(ctx->slug), "%s", slug);
	ctx->active = 1;
}

/* A batch of n small documents of ctx, lines 1..n, ids "doc-<line>". */
static void
make_batch(struct bulk_batch *b, const struct tenant_ctx *ctx, size_t n)
{
	json_t *doc;
	char    id[32];
	size_t  i;

	bulk_batch_init(b, 0);
	for (i = 1; i <= n; i++) {
		snprintf(id, sizeof(id), "doc-%zu", i);
		doc = json_pack("{s:s, s:I}", "message", "hello", "vigie.line",
		    (json_int_t)i);
		assert_int_equal(
		    bulk_add(b, ctx, JAN1, id, i, doc), BULK_ADD_OK);
		json_decref(doc);
	}
}

#define OK3 \
	"{\"errors\":false,\"items\":[{\"index\":{\"status\":201}}," \
	"{\"index\":{\"status\":201}},{\"index\":{\"status\":200}}]}"

static void
test_transport_errors_then_ok(void **state)
{
	static const struct fake_answer script[] = {{false, 0, ""},
	    {true, 503, "busy"}, {true, 429, ""}, {true, 200, OK3}};
	struct es_bulk_options          o;
	struct es_bulk_result           res;
	struct tenant_ctx               ctx;
	struct bulk_batch               b;

	(void)state;
	make_ctx(&ctx, ID, "acme");
	make_batch(&b, &ctx, 3);
	fake_reset(script, 4);
	fake_options(&o);
	assert_int_equal(es_bulk_send_with(&ctx, &b, &o, &res), ES_BULK_DONE);
	assert_int_equal(res.indexed, 3);
	assert_int_equal(res.pending, 0);
	assert_int_equal(res.rejected_n, 0);
	assert_int_equal(res.attempts, 4);
	assert_string_equal(res.error, "");
	/* The whole body every time, and a wait before each retry. */
	assert_string_equal(fake.bodies[3], b.body.data);
	assert_string_equal(fake.bodies[1], b.body.data);
	assert_int_equal(fake.nslept, 3);
	assert_true(fake.slept[0] >= 0 && fake.slept[0] <= 200);
	assert_true(fake.slept[1] <= 400);
	assert_true(fake.slept[2] <= 800);
	es_bulk_result_free(&res);
	bulk_batch_free(&b);
	fake_reset(NULL, 0);
}

/*
 * Item 2 is busy, item 3 refused: the second request carries item 2
 * alone, item 3 is reported with its line and reason.
 */
static void
test_only_retryable_items_resent(void **state)
{
	static const struct fake_answer script[] = {
	    {true, 200,
		"{\"errors\":true,\"items\":[{\"index\":{\"status\":201}},"
		"{\"index\":{\"status\":429,\"error\":{\"type\":"
		"\"es_rejected_execution_exception\",\"reason\":\"queue "
		"full\"}}},{\"index\":{\"status\":400,\"error\":{\"type\":"
		"\"document_parsing_exception\",\"reason\":\"failed to parse "
		"field [log.level]\"}}}]}"},
	    {true, 200,
		"{\"errors\":false,\"items\":[{\"index\":{\"status\":"
		"201}}]}"}};
	struct es_bulk_options o;
	struct es_bulk_result  res;
	struct tenant_ctx      ctx;
	struct bulk_batch      b;
	struct buf             expect;
	const size_t           second[] = {1};

	(void)state;
	make_ctx(&ctx, ID, "acme");
	make_batch(&b, &ctx, 3);
	fake_reset(script, 2);
	fake_options(&o);
	assert_int_equal(es_bulk_send_with(&ctx, &b, &o, &res), ES_BULK_DONE);
	assert_int_equal(res.attempts, 2);
	assert_int_equal(res.indexed, 2);
	assert_int_equal(res.rejected_n, 1);
	assert_int_equal(res.rejected[0].item, 2);
	assert_int_equal(res.rejected[0].line, 3);
	assert_int_equal(res.rejected[0].status, 400);
	assert_string_equal(res.rejected[0].type, "document_parsing_exception");
	assert_string_equal(
	    res.rejected[0].reason, "failed to parse field [log.level]");
	buf_init(&expect, 128);
	bulk_batch_subset(&b, second, 1, &expect);
	assert_string_equal(fake.bodies[1], expect.data);
	assert_non_null(strstr(fake.bodies[1], "\"_id\":\"doc-2\""));
	buf_free(&expect);
	es_bulk_result_free(&res);
	bulk_batch_free(&b);
	fake_reset(NULL, 0);
}

/* Elasticsearch never comes back: give up after max_attempts. */
static void
test_gives_up(void **state)
{
	static const struct fake_answer script[] = {{false, 0, ""}};
	struct es_bulk_options          o;
	struct es_bulk_result           res;
	struct tenant_ctx               ctx;
	struct bulk_batch               b;
	size_t                          i;

	(void)state;
	make_ctx(&ctx, ID, "acme");
	make_batch(&b, &ctx, 3);
	fake_reset(script, 1);
	fake_options(&o);
	o.max_attempts = 9;
	o.base_ms = 1000;
	o.cap_ms = 3000;
	assert_int_equal(
	    es_bulk_send_with(&ctx, &b, &o, &res), ES_BULK_GAVE_UP);
	assert_int_equal(res.status, ES_BULK_GAVE_UP);
	assert_int_equal(res.attempts, 9);
	assert_int_equal(fake.calls, 9);
	assert_int_equal(res.pending, 3);
	assert_int_equal(res.indexed, 0);
	assert_non_null(strstr(res.error, "Connection refused"));
	assert_int_equal(fake.nslept, 8);
	for (i = 0; i < fake.nslept; i++)
		assert_true(fake.slept[i] >= 0 && fake.slept[i] <= 3000);
	es_bulk_result_free(&res);
	bulk_batch_free(&b);
	fake_reset(NULL, 0);
}

/* max_attempts below one still sends once; no wait without a retry. */
static void
test_at_least_one_attempt(void **state)
{
	static const struct fake_answer script[] = {{false, 0, ""}};
	struct es_bulk_options          o;
	struct es_bulk_result           res;
	struct tenant_ctx               ctx;
	struct bulk_batch               b;

	(void)state;
	make_ctx(&ctx, ID, "acme");
	make_batch(&b, &ctx, 2);
	fake_reset(script, 1);
	fake_options(&o);
	o.max_attempts = 0;
	o.sleep_ms = NULL; /* the real sleep: never called here */
	assert_int_equal(
	    es_bulk_send_with(&ctx, &b, &o, &res), ES_BULK_GAVE_UP);
	assert_int_equal(res.attempts, 1);
	assert_int_equal(fake.calls, 1);
	assert_int_equal(res.pending, 2);
	es_bulk_result_free(&res);
	bulk_batch_free(&b);
	fake_reset(NULL, 0);
}

/* Some items stay busy until the end: indexed ones count, others pend. */
static void
test_gives_up_on_busy_items(void **state)
{
	static const struct fake_answer script[] = {
	    {true, 200,
		"{\"errors\":true,\"items\":[{\"index\":{\"status\":201}},"
		"{\"index\":{\"status\":503}},{\"index\":{\"status\":503}}]}"},
	    {true, 200,
		"{\"errors\":true,\"items\":[{\"index\":{\"status\":503}},"
		"{\"index\":{\"status\":503}}]}"}};
	struct es_bulk_options o;
	struct es_bulk_result  res;
	struct tenant_ctx      ctx;
	struct bulk_batch      b;

	(void)state;
	make_ctx(&ctx, ID, "acme");
	make_batch(&b, &ctx, 3);
	fake_reset(script, 2);
	fake_options(&o);
	o.max_attempts = 3;
	assert_int_equal(
	    es_bulk_send_with(&ctx, &b, &o, &res), ES_BULK_GAVE_UP);
	assert_int_equal(res.indexed, 1);
	assert_int_equal(res.pending, 2);
	assert_int_equal(res.attempts, 3);
	assert_non_null(strstr(res.error, "503"));
	es_bulk_result_free(&res);
	bulk_batch_free(&b);
	fake_reset(NULL, 0);
}

/* An answer retrying cannot change stops at once; so does nonsense. */
static void
test_unretryable_and_unreadable(void **state)
{
	static const struct fake_answer bad_request[] = {{true, 400,
	    "{\"error\":{\"type\":\"illegal_argument_exception\"}}"}};
	static const struct fake_answer short_answer[] = {
	    {true, 200, "{\"errors\":false,\"items\":[{\"index\":{}}]}"},
	    {true, 200, "not json"}, {true, 200, OK3}};
	struct es_bulk_options o;
	struct es_bulk_result  res;
	struct tenant_ctx      ctx;
	struct bulk_batch      b;

	(void)state;
	make_ctx(&ctx, ID, "acme");
	make_batch(&b, &ctx, 3);
	fake_options(&o);

	fake_reset(bad_request, 1);
	assert_int_equal(
	    es_bulk_send_with(&ctx, &b, &o, &res), ES_BULK_GAVE_UP);
	assert_int_equal(res.attempts, 1);
	assert_int_equal(res.pending, 3);
	assert_non_null(strstr(res.error, "HTTP 400"));
	es_bulk_result_free(&res);

	/* One item for three sent, then not JSON: both retried. */
	fake_reset(short_answer, 3);
	assert_int_equal(es_bulk_send_with(&ctx, &b, &o, &res), ES_BULK_DONE);
	assert_int_equal(res.attempts, 3);
	assert_int_equal(res.indexed, 3);
	es_bulk_result_free(&res);
	bulk_batch_free(&b);
	fake_reset(NULL, 0);
}

/* Another tenant's context, or a forged one: nothing is sent. */
static void
test_refused(void **state)
{
	static const struct fake_answer script[] = {{true, 200, OK3}};
	struct es_bulk_options          o;
	struct es_bulk_result           res;
	struct tenant_ctx               ctx, other, forged;
	struct bulk_batch               b, empty;

	(void)state;
	make_ctx(&ctx, ID, "acme");
	make_batch(&b, &ctx, 3);
	fake_reset(script, 1);
	fake_options(&o);

	make_ctx(&other, OTHER_ID, "globex");
	assert_int_equal(
	    es_bulk_send_with(&other, &b, &o, &res), ES_BULK_REFUSED);
	assert_non_null(strstr(res.error, "another tenant"));
	es_bulk_result_free(&res);
	/* Same slug, other id. */
	make_ctx(&other, OTHER_ID, "acme");
	assert_int_equal(
	    es_bulk_send_with(&other, &b, &o, &res), ES_BULK_REFUSED);
	es_bulk_result_free(&res);
	/* Same id, other slug: the indices are not its own. */
	make_ctx(&other, ID, "acme-corp");
	assert_int_equal(
	    es_bulk_send_with(&other, &b, &o, &res), ES_BULK_REFUSED);
	assert_non_null(strstr(res.error, "logs-acme-2026.01.01"));
	es_bulk_result_free(&res);
	make_ctx(&forged, "zzz", "acme");
	assert_int_equal(
	    es_bulk_send_with(&forged, &b, &o, &res), ES_BULK_REFUSED);
	assert_non_null(strstr(res.error, "invalid tenant"));
	es_bulk_result_free(&res);
	assert_int_equal(
	    es_bulk_send_with(NULL, &b, &o, &res), ES_BULK_REFUSED);
	es_bulk_result_free(&res);
	/* A batch whose item was tampered with. */
	memcpy(b.items[1].index, "logs-globex-2026.01.01", 23);
	assert_int_equal(
	    es_bulk_send_with(&ctx, &b, &o, &res), ES_BULK_REFUSED);
	es_bulk_result_free(&res);
	assert_int_equal(fake.calls, 0);

	/* An empty batch is done without a request. */
	bulk_batch_init(&empty, 0);
	assert_int_equal(
	    es_bulk_send_with(&ctx, &empty, &o, &res), ES_BULK_DONE);
	assert_int_equal(fake.calls, 0);
	es_bulk_result_free(&res);
	bulk_batch_free(&empty);
	bulk_batch_free(&b);
	fake_reset(NULL, 0);
}

static void
test_default_options(void **state)
{
	struct es_bulk_options o;

	(void)state;
	es_bulk_options_default(&o);
	assert_int_equal(o.max_attempts, ES_BULK_ATTEMPTS);
	assert_int_equal(o.base_ms, 200);
	assert_int_equal(o.cap_ms, 10000);
	assert_non_null(o.sleep_ms);
	assert_true(o.request == es_request);
}

/* ---- against Elasticsearch --------------------------------------------- */

static struct {
	bool              on;
	struct tenant_ctx ctx;
	char              source[64]; /* of this run's document ids */
} live;

static const long live_days[] = {JAN1, JAN1 + DAY, JAN1 + 2 * DAY};

static long
live_status(const char *method, const char *path, struct buf *answer)
{
	struct es_response r;
	long               status;

	if (!es_request(method, path, NULL, 0, 30000, &r))
		fail_msg("%s %s: %s", method, path, r.error);
	status = r.status;
	if (answer != NULL)
		buf_appends(answer, r.body.data);
	es_response_free(&r);
	return (status);
}

/* Documents in the tenant's three test indices, after a refresh. */
static long
live_count(void)
{
	struct buf b;
	json_t    *doc;
	char       path[512], idx[3][BULK_INDEX_MAX];
	long       n;
	size_t     i;

	for (i = 0; i < 3; i++)
		assert_true(tenant_index_daily(
		    &live.ctx, live_days[i], idx[i], sizeof(idx[i])));
	snprintf(path, sizeof(path),
	    "/%s,%s,%s/_refresh?ignore_unavailable=true", idx[0], idx[1],
	    idx[2]);
	assert_int_equal(live_status("POST", path, NULL), 200);
	snprintf(path, sizeof(path), "/%s,%s,%s/_count?ignore_unavailable=true",
	    idx[0], idx[1], idx[2]);
	buf_init(&b, 256);
	assert_int_equal(live_status("GET", path, &b), 200);
	doc = json_loads(b.data, 0, NULL);
	n = (long)json_integer_value(json_object_get(doc, "count"));
	json_decref(doc);
	buf_free(&b);
	return (n);
}

static int
live_setup(void **state)
{
	struct settings s;
	const char     *url, *id, *slug;
	char            hex[17];

	(void)state;
	if ((url = getenv("VIGIE_ES_URL")) == NULL || url[0] == '\0')
		return (0);
	memset(&s, 0, sizeof(s));
	snprintf(s.es_url, sizeof(s.es_url), "%s", url);
	s.es_timeout_ms = 30000;
	es_configure(&s);
	id = getenv("VIGIE_TEST_TENANT_ID");
	slug = getenv("VIGIE_TEST_TENANT_SLUG");
	env_random_hex(hex, 8);
	if (id != NULL && slug != NULL) {
		make_ctx(&live.ctx, id, slug);
	} else {
		char synth_id[TENANT_ID_LEN + 1], synth_slug[32];

		env_random_hex(synth_id, TENANT_ID_LEN / 2);
		snprintf(synth_slug, sizeof(synth_slug), "bulktest-%.8s", hex);
		make_ctx(&live.ctx, synth_id, synth_slug);
	}
	if (!tenant_ctx_check(&live.ctx)) {
		fprintf(stderr, "invalid test tenant %s/%s\n", live.ctx.id,
		    live.ctx.slug);
		return (-1);
	}
	snprintf(live.source, sizeof(live.source), "es-bulk-test-%s", hex);
	live.on = true;
	return (0);
}

/* Deletes the indices the tests made (by exact name). */
static int
live_teardown(void **state)
{
	struct es_response r;
	char               idx[BULK_INDEX_MAX], path[128];
	size_t             i;

	(void)state;
	if (!live.on)
		return (0);
	for (i = 0; i < 3; i++) {
		if (!tenant_index_daily(
			&live.ctx, live_days[i], idx, sizeof(idx)))
			continue;
		snprintf(path, sizeof(path), "/%s", idx);
		(void)es_request("DELETE", path, NULL, 0, 30000, &r);
		es_response_free(&r);
	}
	return (0);
}

/*
 * Adds document number i of the run to b, sending b first when full.
 * Its day is one of three, its id stable for the run.
 */
static void
live_add(struct bulk_batch *b, size_t i, size_t *indexed)
{
	struct es_bulk_result res;
	json_t               *doc;
	char                  id[DOCID_LEN + 1], ts[32];
	long                  when;

	when = live_days[i % 3] + (long)(i % 86400);
	snprintf(ts, sizeof(ts), "2026-01-%02ldT%02ld:%02ld:%02ldZ",
	    (when - JAN1) / DAY + 1, when % DAY / 3600, when % 3600 / 60,
	    when % 60);
	assert_true(docid_make(live.source, i, id));
	doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:I, s:s, s:{s:s}}",
	    "@timestamp", ts, "message", "GET /index.html 200 synthetic line",
	    "log.level", i % 10 == 0 ? "error" : "info", "service.name", "web",
	    "client.ip", "192.0.2.10", "http.response.status_code",
	    i % 10 == 0 ? 500 : 200, "vigie.line", (json_int_t)i,
	    "vigie.ingest_source", "bulk", "labels", "run", live.source);
	assert_int_equal(bulk_add(b, &live.ctx, when, id, i, doc), BULK_ADD_OK);
	json_decref(doc);
	if (!bulk_batch_full(b))
		return;
	assert_int_equal(es_bulk_send(&live.ctx, b, &res), ES_BULK_DONE);
	assert_int_equal(res.rejected_n, 0);
	*indexed += res.indexed;
	es_bulk_result_free(&res);
	bulk_batch_reset(b);
}

static size_t
live_send_many(void)
{
	struct es_bulk_result res;
	struct bulk_batch     b;
	size_t                i, indexed, flushes;

	bulk_batch_init(&b, 1024 * 1024); /* several flushes */
	indexed = 0;
	flushes = 0;
	for (i = 0; i < MANY; i++) {
		live_add(&b, i, &indexed);
		flushes += b.n == 0;
	}
	assert_true(flushes >= 2);
	assert_int_equal(es_bulk_send(&live.ctx, &b, &res), ES_BULK_DONE);
	indexed += res.indexed;
	assert_int_equal(res.attempts, 1);
	es_bulk_result_free(&res);
	bulk_batch_free(&b);
	return (indexed);
}

static void
test_live_many_then_again(void **state)
{
	(void)state;
	if (!live.on)
		skip();
	assert_int_equal(live_send_many(), MANY);
	assert_int_equal(live_count(), MANY);
	/* The same lines again: overwritten, not added. */
	assert_int_equal(live_send_many(), MANY);
	assert_int_equal(live_count(), MANY);
}

/* Five good documents and one whose log.level is an object. */
static void
test_live_one_bad_document(void **state)
{
	struct es_bulk_result res;
	struct bulk_batch     b;
	json_t               *doc;
	char                  id[DOCID_LEN + 1];
	long                  before;
	size_t                i;

	(void)state;
	if (!live.on)
		skip();
	before = live_count();
	bulk_batch_init(&b, 0);
	for (i = 0; i < 6; i++) {
		assert_true(docid_make(live.source, 1000000 + i, id));
		if (i == 3)
			doc = json_pack("{s:s, s:{s:s}}", "@timestamp",
			    "2026-01-01T12:00:00Z", "log.level", "nested",
			    "object");
		else if (i == 4) /* ignored, not refused */
			doc = json_pack("{s:s, s:s}", "@timestamp",
			    "2026-01-01T12:00:00Z", "client.ip", "not-an-ip");
		else
			doc = json_pack("{s:s, s:s}", "@timestamp",
			    "2026-01-01T12:00:00Z", "log.level", "warn");
		assert_int_equal(
		    bulk_add(&b, &live.ctx, JAN1 + 43200, id, 500 + i, doc),
		    BULK_ADD_OK);
		json_decref(doc);
	}
	assert_int_equal(es_bulk_send(&live.ctx, &b, &res), ES_BULK_DONE);
	assert_int_equal(res.indexed, 5);
	assert_int_equal(res.pending, 0);
	assert_int_equal(res.rejected_n, 1);
	assert_int_equal(res.rejected[0].item, 3);
	assert_int_equal(res.rejected[0].line, 503);
	assert_int_equal(res.rejected[0].status, 400);
	assert_string_equal(res.rejected[0].type, "document_parsing_exception");
	assert_non_null(strstr(res.rejected[0].reason, "[log.level]"));
	printf("rejected line %llu: %s: %s\n", res.rejected[0].line,
	    res.rejected[0].type, res.rejected[0].reason);
	es_bulk_result_free(&res);
	bulk_batch_free(&b);
	assert_int_equal(live_count(), before + 5);
}

/* Nothing listens: the real transport fails and the send gives up. */
static void
test_live_unreachable(void **state)
{
	struct es_bulk_options o;
	struct es_bulk_result  res;
	struct settings        s;
	struct tenant_ctx      ctx;
	struct bulk_batch      b;

	(void)state;
	if (!live.on)
		skip();
	memset(&s, 0, sizeof(s));
	snprintf(s.es_url, sizeof(s.es_url), "http://127.0.0.1:9");
	s.es_timeout_ms = 2000;
	es_configure(&s);
	make_ctx(&ctx, ID, "acme");
	make_batch(&b, &ctx, 3);
	fake_reset(NULL, 0);
	es_bulk_options_default(&o);
	o.sleep_ms = fake_sleep;
	o.max_attempts = 3;
	assert_int_equal(
	    es_bulk_send_with(&ctx, &b, &o, &res), ES_BULK_GAVE_UP);
	assert_int_equal(res.attempts, 3);
	assert_int_equal(res.pending, 3);
	assert_int_equal(fake.nslept, 2);
	assert_non_null(strstr(res.error, "not reached"));
	es_bulk_result_free(&res);
	bulk_batch_free(&b);
	snprintf(s.es_url, sizeof(s.es_url), "%s", getenv("VIGIE_ES_URL"));
	es_configure(&s);
}

int
main(void)
{
	const struct CMUnitTest offline[] = {
	    cmocka_unit_test(test_transport_errors_then_ok),
	    cmocka_unit_test(test_only_retryable_items_resent),
	    cmocka_unit_test(test_gives_up),
	    cmocka_unit_test(test_at_least_one_attempt),
	    cmocka_unit_test(test_gives_up_on_busy_items),
	    cmocka_unit_test(test_unretryable_and_unreadable),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_default_options),
	};
	const struct CMUnitTest elasticsearch[] = {
	    cmocka_unit_test(test_live_many_then_again),
	    cmocka_unit_test(test_live_one_bad_document),
	    cmocka_unit_test(test_live_unreachable),
	};
	int failed;

	failed = cmocka_run_group_tests_name("es_bulk", offline, NULL, NULL);
	failed += cmocka_run_group_tests_name(
	    "es_bulk_elasticsearch", elasticsearch, live_setup, live_teardown);
	return (failed == 0 ? 0 : 1);
}
