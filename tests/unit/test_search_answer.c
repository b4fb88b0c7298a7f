/*
 * Unit tests for the search answer written from Elasticsearch's _search
 * text (core/search_answer.c): the same answer as the jansson tree gave,
 * hits without _id, _index or _source left out, values copied as sent,
 * and every malformed reply refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/search_answer.h"

/* The answer as service/search.c built it with jansson before. */
static json_t *
tree_answer(const char *reply, long long page, long long size)
{
	json_t       *r, *total, *hits, *out;
	const json_t *h;
	const char   *relation;
	size_t        i;

	r = json_loads(reply, 0, NULL);
	assert_non_null(r);
	total = json_object_get(json_object_get(r, "hits"), "total");
	relation = json_string_value(json_object_get(total, "relation"));
	hits = json_array();
	json_array_foreach(
	    json_object_get(json_object_get(r, "hits"), "hits"), i, h)
	{
		json_array_append_new(hits,
		    json_pack("{s:O, s:O, s:O}", "id",
			json_object_get(h, "_id"), "index",
			json_object_get(h, "_index"), "source",
			json_object_get(h, "_source")));
	}
	out = json_pack("{s:I, s:s, s:I, s:I, s:o}", "total",
	    json_integer_value(json_object_get(total, "value")),
	    "total_relation",
	    relation != NULL && strcmp(relation, "gte") == 0 ? "gte" : "eq",
	    "page", (json_int_t)page, "size", (json_int_t)size, "hits", hits);
	json_decref(r);
	return (out);
}

/* Our text for reply, checked to parse to what the tree gave. */
static char *
same_as_tree(const char *reply, long long page, long long size)
{
	struct buf out;
	json_t    *got, *want;
	long long  total;
	char      *a, *b;

	buf_init(&out, 256);
	if (!search_answer_from_es(
		reply, strlen(reply), page, size, &out, &total))
		fail_msg("refused: %s", reply);
	got = json_loadb(out.data, out.len, JSON_REJECT_DUPLICATES, NULL);
	if (got == NULL)
		fail_msg("not JSON: %s", out.data);
	want = tree_answer(reply, page, size);
	if (!json_equal(got, want)) {
		a = json_dumps(got, JSON_COMPACT);
		b = json_dumps(want, JSON_COMPACT);
		fail_msg("got %s\nwant %s", a, b);
	}
	assert_int_equal(
	    total, json_integer_value(json_object_get(want, "total")));
	json_decref(got);
	json_decref(want);
	return (buf_release(&out));
}

static void
test_answer_like_the_tree(void **state)
{
	static const char *replies[] = {
	    /* An ordinary reply: _score, sort and _shards are dropped. */
	    "{\"took\":3,\"timed_out\":false,\"_shards\":{\"total\":1,"
	    "\"successful\":1,\"skipped\":0,\"failed\":0},\"hits\":{\"total\":"
	    "{\"value\":12,\"relation\":\"eq\"},\"max_score\":null,\"hits\":["
	    "{\"_index\":\"logs-acme-2026.11.21\",\"_id\":\"a1\",\"_score\":"
	    "null,\"_source\":{\"@timestamp\":\"2026-11-21T10:00:00.000Z\","
	    "\"message\":\"disk \\\"full\\\" \\u00e9t\\u00e9 \xc3\xa9\",\"log\":"
	    "{\"level\":\"ERROR\"},\"http\":{\"status\":500},\"tags\":[1,2.5,"
	    "true,null,{}]},\"sort\":[1763719200000]},{\"_index\":\"logs-acme-"
	    "2026.11.20\",\"_id\":\"b2\",\"_source\":{}}]}}",
	    /* A lower bound, members in another order, white space. */
	    " {\n \"hits\" : { \"hits\" : [ ] , \"total\" : { \"relation\" : "
	    "\"gte\" , \"value\" : 10000 } } , \"took\" : 1 } \n",
	    /* No hits member at all; then one that is not an object. */
	    "{\"took\":1}",
	    "{\"hits\":[1,2]}",
	    "{\"hits\":{\"hits\":{}}}",
	    /* total as a bare number (json_integer_value() of nothing). */
	    "{\"hits\":{\"total\":7,\"hits\":[]}}",
	    "{\"hits\":{\"total\":{\"value\":1.5},\"hits\":[]}}",
	    /* Hits lacking a member, or not objects, are left out. */
	    "{\"hits\":{\"total\":{\"value\":3},\"hits\":[{\"_id\":\"x\"},"
	    "{\"_index\":\"i\",\"_source\":{}},7,[],{\"_id\":\"y\",\"_index\":"
	    "\"i\",\"_source\":null},{\"_id\":\"z\",\"_index\":\"i\","
	    "\"_source\":{\"a\":[[[]]]}}]}}",
	    /* Repeated members: the last one counts, as in jansson. */
	    "{\"hits\":{\"total\":{\"value\":1},\"hits\":[]},\"hits\":{"
	    "\"total\":{\"value\":2,\"relation\":\"gte\"},\"hits\":[{\"_id\":"
	    "\"a\",\"_id\":\"b\",\"_index\":\"i\",\"_source\":1}]}}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(replies) / sizeof(replies[0]); i++)
		free(same_as_tree(replies[i], 2, 25));
}

static void
test_answer_text_and_total(void **state)
{
	char *text;

	(void)state;
	text = same_as_tree("{\"hits\":{\"total\":{\"value\":2,\"relation\":"
			    "\"gte\"},\"hits\":[{\"_id\":\"a\",\"_index\":"
			    "\"i\",\"_source\":{\"n\":1.123456789012}}]}}",
	    1, 50);
	/* Total first (service/search.c reads it from a cached answer),
	 * and numbers keep every digit. */
	assert_string_equal(text,
	    "{\"total\":2,\"total_relation\":\"gte\",\"page\":1,\"size\":50,"
	    "\"hits\":[{\"id\":\"a\",\"index\":\"i\",\"source\":{\"n\":"
	    "1.123456789012}}]}");
	free(text);
}

/* What jansson could not hold: copied, and a total beyond 64 bits is 0. */
static void
test_answer_big_numbers(void **state)
{
	static const char reply[] =
	    "{\"hits\":{\"total\":{\"value\":99999999999999999999},\"hits\":"
	    "[{\"_id\":\"a\",\"_index\":\"i\",\"_source\":{\"n\":"
	    "123456789012345678901234567890}}]}}";
	struct buf out;
	long long  total;

	(void)state;
	buf_init(&out, 64);
	assert_true(
	    search_answer_from_es(reply, strlen(reply), 1, 1, &out, &total));
	assert_int_equal(total, 0);
	assert_non_null(
	    strstr(out.data, "{\"n\":123456789012345678901234567890}"));
	buf_reset(&out);
	assert_true(search_answer_from_es("{\"hits\":{\"total\":{\"value\":"
					  "9223372036854775807}}}",
	    strlen("{\"hits\":{\"total\":{\"value\":9223372036854775807}}}"), 1,
	    1, &out, &total));
	assert_true(total == 9223372036854775807LL);
	buf_free(&out);
}

static void
test_answer_refuses_bad_replies(void **state)
{
	static const char *bad[] = {"", "null", "{", "{\"hits\":}",
	    "{\"hits\":{\"hits\":[}}", "{\"a\":1}x", "{\"a\":1,}", "{\"a\" 1}",
	    "{'a':1}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":-}", "{\"a\":1e}",
	    "{\"a\":tru}", "{\"a\":\"\\x\"}", "{\"a\":\"\\ud800\"}",
	    "{\"a\":\"\\udc00\"}", "{\"a\":\"\\u12g4\"}", "{\"a\":\"\x01\"}",
	    "{\"a\":\"\xc3\"}", "{\"a\":\"\xed\xa0\x80\"}", "{\"a\":\"open}",
	    "{\"hits\":{\"hits\":[{\"_id\":\"a\",}]}}",
	    "{\"hits\":{\"hits\":[1 2]}}", "{\"a\":[1,]}", "{\"a\":{\"b\"}}",
	    "{\"a\":{\"b\":1 \"c\":2}}", "{\"a\":]}", "{\"a\":[}"};
	struct buf         out;
	long long          total;
	size_t             i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_init(&out, 64);
		if (search_answer_from_es(
			bad[i], strlen(bad[i]), 1, 50, &out, &total))
			fail_msg("accepted: %s", bad[i]);
		/* jansson refuses them too. */
		if (json_loads(bad[i], 0, NULL) != NULL)
			fail_msg("jansson accepts: %s", bad[i]);
		buf_free(&out);
	}
	/* Not an object: no _search reply (the tree found no hits in it). */
	buf_init(&out, 64);
	assert_false(search_answer_from_es("[]", 2, 1, 50, &out, &total));
	buf_free(&out);
}

static void
test_json_valid_and_depth(void **state)
{
	struct buf deep;
	size_t     i;

	(void)state;
	assert_true(search_answer_json_valid(" [1, -0.5e+3, \"\\ud83d\\ude00\","
					     " {\"a\": {}}, [], true, false,"
					     " null] ",
	    strlen(" [1, -0.5e+3, \"\\ud83d\\ude00\", {\"a\": {}}, [], true,"
		   " false, null] ")));
	assert_true(search_answer_json_valid("\"x\"", 3));
	assert_false(search_answer_json_valid("1 2", 3));
	assert_false(search_answer_json_valid("", 0));
	/* The nesting limit, and no stack spent beyond it. */
	buf_init(&deep, 2 * SEARCH_ANSWER_DEPTH_MAX + 8);
	for (i = 0; i < SEARCH_ANSWER_DEPTH_MAX; i++)
		buf_appends(&deep, "[");
	for (i = 0; i < SEARCH_ANSWER_DEPTH_MAX; i++)
		buf_appends(&deep, "]");
	assert_true(search_answer_json_valid(deep.data, deep.len));
	buf_reset(&deep);
	for (i = 0; i <= SEARCH_ANSWER_DEPTH_MAX; i++)
		buf_appends(&deep, "[");
	for (i = 0; i <= SEARCH_ANSWER_DEPTH_MAX; i++)
		buf_appends(&deep, "]");
	assert_false(search_answer_json_valid(deep.data, deep.len));
	buf_reset(&deep);
	for (i = 0; i < 100000; i++)
		buf_appends(&deep, "{\"a\":");
	assert_false(search_answer_json_valid(deep.data, deep.len));
	buf_free(&deep);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_answer_like_the_tree),
	    cmocka_unit_test(test_answer_text_and_total),
	    cmocka_unit_test(test_answer_big_numbers),
	    cmocka_unit_test(test_answer_refuses_bad_replies),
	    cmocka_unit_test(test_json_valid_and_depth),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
