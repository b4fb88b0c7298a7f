/*
 * Unit tests for the search language (free text to Elasticsearch
 * clauses), request arguments, relative times, cache keys, and CSV
 * cells of exports.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/export_csv.h"
#include "core/query.h"
#include "core/search_query.h"

#define NOW_MS 1700000000000LL /* 2023-11-14T22:13:20Z */

/* q parses to the JSON expected (compared as JSON, not as text). */
static void
parses_to(const char *q, const char *expected)
{
	struct search_error err;
	json_t             *got, *want;
	char               *text;

	got = search_text_parse(q, strlen(q), &err);
	if (got == NULL)
		fail_msg("q=%s refused: %s", q, err.message);
	want = json_loads(expected, 0, NULL);
	assert_non_null(want);
	if (!json_equal(got, want)) {
		text = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
		fail_msg("q=%s gave %s", q, text);
	}
	json_decref(got);
	json_decref(want);
}

/* q is refused, with a message containing why. */
static void
refused(const char *q, const char *why)
{
	struct search_error err;
	json_t             *got;

	got = search_text_parse(q, strlen(q), &err);
	if (got != NULL)
		fail_msg("q=%s was accepted", q);
	assert_string_equal(err.field, "q");
	if (strstr(err.message, why) == NULL)
		fail_msg(
		    "q=%s: message \"%s\" lacks \"%s\"", q, err.message, why);
}

static void
test_text_words_phrases_and_prefixes(void **state)
{
	(void)state;
	parses_to("", "{\"match_all\":{}}");
	parses_to("   ", "{\"match_all\":{}}");
	parses_to("*", "{\"match_all\":{}}");
	parses_to("timeout",
	    "{\"match\":{\"message\":{\"query\":\"timeout\","
	    "\"operator\":\"and\"}}}");
	parses_to("\"disk full\"",
	    "{\"match_phrase\":{\"message\":\"disk "
	    "full\"}}");
	parses_to("\"say \\\"hi\\\"\"",
	    "{\"match_phrase\":{\"message\":\"say \\\"hi\\\"\"}}");
	parses_to("Time*", "{\"prefix\":{\"message\":{\"value\":\"time\"}}}");
	parses_to("msg:oops",
	    "{\"match\":{\"message\":{\"query\":\"oops\","
	    "\"operator\":\"and\"}}}");
	/* Query-string syntax means nothing here: plain words. */
	parses_to("a:b~2^3",
	    "{\"term\":{\"a\":{\"value\":\"b~2^3\","
	    "\"case_insensitive\":true}}}");
	parses_to("12:30",
	    "{\"match\":{\"message\":{\"query\":\"12:30\","
	    "\"operator\":\"and\"}}}");
}

static void
test_text_fields(void **state)
{
	(void)state;
	parses_to("level:error", "{\"term\":{\"log.level\":\"ERROR\"}}");
	parses_to("level:warn", "{\"term\":{\"log.level\":\"WARNING\"}}");
	parses_to("service:Api",
	    "{\"term\":{\"service.name\":{\"value\":"
	    "\"Api\",\"case_insensitive\":true}}}");
	parses_to("service:\"my api\"",
	    "{\"term\":{\"service.name\":{\"value\":\"my api\","
	    "\"case_insensitive\":true}}}");
	parses_to("path:/api/*",
	    "{\"wildcard\":{\"url.path\":{\"value\":"
	    "\"/api/*\",\"case_insensitive\":true}}}");
	parses_to("path:/a?b*",
	    "{\"wildcard\":{\"url.path\":{\"value\":"
	    "\"/a\\\\?b*\",\"case_insensitive\":true}}}");
	parses_to("labels.env:42",
	    "{\"term\":{\"labels.env\":{\"value\":"
	    "\"42\"}}}");
	parses_to(
	    "status:404", "{\"term\":{\"http.response.status_code\":404}}");
	parses_to("status:>=500",
	    "{\"range\":{\"http.response.status_code\":"
	    "{\"gte\":500}}}");
	parses_to("status:5xx",
	    "{\"range\":{\"http.response.status_code\":"
	    "{\"gte\":500,\"lte\":599}}}");
	parses_to("bytes:<100",
	    "{\"range\":{\"http.response.body.bytes\":"
	    "{\"lt\":100}}}");
	parses_to("ip:10.0.0.0/8", "{\"term\":{\"client.ip\":\"10.0.0.0/8\"}}");
	parses_to(
	    "ip:2001:db8::1", "{\"term\":{\"client.ip\":\"2001:db8::1\"}}");
	parses_to("@timestamp:>now-1h",
	    "{\"range\":{\"@timestamp\":{\"gt\":\"now-1h\"}}}");
	parses_to("@timestamp:<=2023-11-14",
	    "{\"range\":{\"@timestamp\":{\"lte\":1699920000000,"
	    "\"format\":\"epoch_millis\"}}}");
}

static void
test_text_boolean_operators(void **state)
{
	(void)state;
	parses_to("a b",
	    "{\"bool\":{\"filter\":["
	    "{\"match\":{\"message\":{\"query\":\"a\","
	    "\"operator\":\"and\"}}},"
	    "{\"match\":{\"message\":{\"query\":\"b\","
	    "\"operator\":\"and\"}}}]}}");
	parses_to("a AND b",
	    "{\"bool\":{\"filter\":["
	    "{\"match\":{\"message\":{\"query\":\"a\","
	    "\"operator\":\"and\"}}},"
	    "{\"match\":{\"message\":{\"query\":\"b\","
	    "\"operator\":\"and\"}}}]}}");
	parses_to("status:404 OR status:500",
	    "{\"bool\":{\"should\":["
	    "{\"term\":{\"http.response.status_code\":404}},"
	    "{\"term\":{\"http.response.status_code\":500}}],"
	    "\"minimum_should_match\":1}}");
	parses_to("-level:info",
	    "{\"bool\":{\"must_not\":[{\"term\":{"
	    "\"log.level\":\"INFO\"}}]}}");
	parses_to("NOT (status:1 OR status:2)",
	    "{\"bool\":{\"must_not\":[{\"bool\":{\"should\":["
	    "{\"term\":{\"http.response.status_code\":1}},"
	    "{\"term\":{\"http.response.status_code\":2}}],"
	    "\"minimum_should_match\":1}}]}}");
	/* AND binds tighter than OR. */
	parses_to("status:1 status:2 OR status:3",
	    "{\"bool\":{\"should\":[{\"bool\":{\"filter\":["
	    "{\"term\":{\"http.response.status_code\":1}},"
	    "{\"term\":{\"http.response.status_code\":2}}]}},"
	    "{\"term\":{\"http.response.status_code\":3}}],"
	    "\"minimum_should_match\":1}}");
	/* Lower-case words are words. */
	parses_to("or",
	    "{\"match\":{\"message\":{\"query\":\"or\","
	    "\"operator\":\"and\"}}}");
}

static void
test_text_errors(void **state)
{
	char big[SEARCH_Q_MAX + 2];
	int  i;

	(void)state;
	refused("\"open", "not closed");
	refused("(a b", "parenthesis");
	refused("a)", "unexpected ')'");
	refused("a OR", "ends where a term");
	refused("OR a", "OR where a term");
	refused("NOT", "ends where");
	refused("status:abc", "whole number");
	refused("status:>", "whole number");
	refused("ip:300.1.1.1", "IP address");
	refused("ip:10.0.0.0/33", "IP address");
	refused("level:loud", "unknown level");
	refused("level:3", "unknown level");
	refused("service:", "no value");
	refused("service:\"\"", "empty value");
	refused("_id:abc", "not a field");
	refused("_index:logs-x", "not a field");
	refused("a*b", "'*' may only end");
	refused("*abc", "'*' may only end");
	refused("@timestamp:2023", "expects >");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	refused(big, "longer than");
	memset(big, '(', 40);
	big[40] = '\0';
	refused(big, "nested more than");
	big[0] = '\0';
	for (i = 0; i < SEARCH_CLAUSES_MAX + 1; i++)
		strcat(big, "a ");
	refused(big, "more than 64 terms");
	refused("caf\xc3", "UTF-8");
	{
		struct search_error err;

		assert_null(search_text_parse("a\0b", 3, &err));
		assert_string_equal(err.field, "q");
	}
}

static void
test_time_parse(void **state)
{
	int64_t ms;

	(void)state;
	assert_true(search_time_parse("now", NOW_MS, &ms));
	assert_int_equal(ms, NOW_MS);
	assert_true(search_time_parse("now-15m", NOW_MS, &ms));
	assert_int_equal(ms, NOW_MS - 15 * 60000);
	assert_true(search_time_parse("now-24h", NOW_MS, &ms));
	assert_int_equal(ms, NOW_MS - 86400000LL);
	assert_true(search_time_parse("now-7d", NOW_MS, &ms));
	assert_int_equal(ms, NOW_MS - 7 * 86400000LL);
	assert_true(search_time_parse("now-2w", NOW_MS, &ms));
	assert_true(search_time_parse("now-30s", NOW_MS, &ms));
	assert_int_equal(ms, NOW_MS - 30000);
	assert_true(search_time_parse("2024-05-01", NOW_MS, &ms));
	assert_int_equal(ms, 1714521600000LL);
	assert_true(search_time_parse("2024-05-01T10:00:00Z", NOW_MS, &ms));
	assert_int_equal(ms, 1714557600000LL);
	assert_true(
	    search_time_parse("2024-05-01T12:00:00+02:00", NOW_MS, &ms));
	assert_int_equal(ms, 1714557600000LL);
	assert_false(search_time_parse("", NOW_MS, &ms));
	assert_false(search_time_parse("now-", NOW_MS, &ms));
	assert_false(search_time_parse("now-5", NOW_MS, &ms));
	assert_false(search_time_parse("now-5y", NOW_MS, &ms));
	assert_false(search_time_parse("now-5hh", NOW_MS, &ms));
	assert_false(search_time_parse("now+5h", NOW_MS, &ms));
	assert_false(search_time_parse("now-99999999999999h", NOW_MS, &ms));
	assert_false(search_time_parse("yesterday", NOW_MS, &ms));
	assert_false(search_time_parse("2024-13-01", NOW_MS, &ms));
	assert_false(search_time_parse("2024-05-01 junk", NOW_MS, &ms));
}

/* Parses a query string into params; returns the verdict. */
static bool
params(const char *qs, struct search_params *p, struct search_error *err)
{
	json_t *args;
	char    why[128];
	bool    ok;

	args = query_parse(qs, why, sizeof(why));
	assert_non_null(args);
	ok = search_params_from_args(args, NOW_MS, p, err);
	json_decref(args);
	return (ok);
}

static void
bad_param(const char *qs, const char *field)
{
	struct search_params p;
	struct search_error  err;

	if (params(qs, &p, &err))
		fail_msg("%s was accepted", qs);
	assert_string_equal(err.field, field);
	assert_true(err.message[0] != '\0');
}

static void
test_params_defaults_and_lists(void **state)
{
	struct search_params p;
	struct search_error  err;
	json_t              *j;
	char                *text;

	(void)state;
	assert_true(params("", &p, &err));
	assert_int_equal(p.page, 1);
	assert_int_equal(p.size, SEARCH_SIZE_DEFAULT);
	assert_int_equal(p.sort, SEARCH_SORT_TIME);
	assert_false(p.asc);
	assert_false(p.f.has_from);
	assert_true(params("level=error,CRITICAL&level=warn&service=web&"
			   "service=api,%20web%20&from=now-24h&to=now&"
			   "sort=service.name&order=asc&page=3&size=500&"
			   "q=a+b&utm=x",
	    &p, &err));
	assert_int_equal(p.f.levels,
	    SEARCH_LEVELS_ERRORS | SEARCH_LEVEL_BIT(EVENT_LEVEL_WARNING));
	assert_int_equal(p.f.nservices, 2);
	assert_string_equal(p.f.services[0], "api");
	assert_string_equal(p.f.services[1], "web");
	assert_true(p.f.has_from && p.f.has_to);
	assert_int_equal(p.f.from_ms, NOW_MS - 86400000LL);
	assert_int_equal(p.f.to_ms, NOW_MS);
	assert_int_equal(p.sort, SEARCH_SORT_SERVICE);
	assert_true(p.asc);
	assert_int_equal(p.page, 3);
	assert_int_equal(p.size, 500);
	assert_string_equal(p.q, "a b");
	j = search_params_to_json(&p);
	text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(text,
	    "{\"from\":\"now-24h\",\"level\":[\"WARNING\",\"ERROR\","
	    "\"CRITICAL\"],\"order\":\"asc\",\"q\":\"a b\",\"service\":"
	    "[\"api\",\"web\"],\"sort\":\"service.name\",\"to\":\"now\"}");
	/* A saved query object reads back to the same parameters. */
	{
		struct search_params again;

		assert_true(search_params_from_args(j, NOW_MS, &again, &err));
		assert_int_equal(again.f.levels, p.f.levels);
		assert_int_equal(again.f.nservices, 2);
		assert_int_equal(again.f.from_ms, p.f.from_ms);
		assert_int_equal(again.sort, p.sort);
		assert_true(again.asc);
		assert_string_equal(again.q, "a b");
	}
	free(text);
	json_decref(j);
}

static void
test_params_refused(void **state)
{
	(void)state;
	bad_param("size=501", "size");
	bad_param("size=0", "size");
	bad_param("size=-1", "size");
	bad_param("size=ten", "size");
	bad_param("size=10&size=20", "size");
	bad_param("page=0", "page");
	bad_param("page=201&size=50", "page"); /* past 10000 */
	bad_param("sort=message", "sort");
	bad_param("sort=@timestamp&order=up", "order");
	bad_param("from=yesterday", "from");
	bad_param("to=2024-02-30", "to");
	bad_param("from=now&to=now-1h", "from");
	bad_param("level=loud", "level");
	bad_param("level=4", "level");
	bad_param("q=%22open", "q");
	bad_param("q=a&q=b", "q");
	bad_param(
	    "service=a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u", "service");
}

static void
test_body_and_query_build(void **state)
{
	struct search_params p;
	struct search_error  err;
	json_t              *body, *want;
	char                *text;

	(void)state;
	assert_true(params("q=timeout&level=error&service=api&from=2024-05-01&"
			   "to=2024-05-02&page=2&size=10&sort=log.level",
	    &p, &err));
	body = search_body_build(&p, &err);
	assert_non_null(body);
	want = json_loads(
	    "{\"query\":{\"bool\":{\"filter\":["
	    "{\"match\":{\"message\":{\"query\":\"timeout\",\"operator\":\"and\"}}},"
	    "{\"terms\":{\"log.level\":[\"ERROR\"]}},"
	    "{\"terms\":{\"service.name\":[\"api\"]}},"
	    "{\"range\":{\"@timestamp\":{\"format\":\"epoch_millis\","
	    "\"gte\":1714521600000,\"lt\":1714608000000}}}]}},"
	    "\"sort\":[{\"log.level\":{\"order\":\"desc\",\"unmapped_type\":"
	    "\"keyword\"}},{\"@timestamp\":{\"order\":\"desc\","
	    "\"unmapped_type\":\"date\"}}],"
	    "\"from\":10,\"size\":10,\"track_total_hits\":10000}",
	    0, NULL);
	assert_non_null(want);
	if (!json_equal(body, want)) {
		text = json_dumps(body, JSON_COMPACT);
		fail_msg("body: %s", text);
	}
	json_decref(body);
	json_decref(want);
	/* No filter at all: match_all. */
	assert_true(params("", &p, &err));
	body = search_body_build(&p, &err);
	assert_non_null(
	    json_object_get(json_object_get(body, "query"), "match_all"));
	json_decref(body);
}

static void
test_cache_key(void **state)
{
	json_t *a, *b, *c;
	char    ka[160], kb[160], kc[160], kd[160];

	(void)state;
	a = json_loads("{\"q\":\"x\",\"page\":1}", 0, NULL);
	b = json_loads("{\"page\":1,\"q\":\"x\"}", 0, NULL);
	c = json_loads("{\"q\":\"x\",\"page\":2}", 0, NULL);
	assert_true(search_cache_key("search", 7, a, ka, sizeof(ka)));
	assert_true(search_cache_key("search", 7, b, kb, sizeof(kb)));
	assert_true(search_cache_key("search", 7, c, kc, sizeof(kc)));
	assert_true(search_cache_key("search", 8, a, kd, sizeof(kd)));
	assert_string_equal(ka, kb); /* key order does not matter */
	assert_string_not_equal(ka, kc);
	assert_string_not_equal(ka, kd); /* a new generation: a new key */
	assert_memory_equal(ka, "cache:search:7:", 15);
	assert_int_equal(strlen(ka), 15 + 64);
	assert_true(search_cache_key("stats", 7, a, kd, sizeof(kd)));
	assert_string_not_equal(ka, kd);
	assert_false(search_cache_key("Search", 7, a, kd, sizeof(kd)));
	assert_false(search_cache_key("a:b", 7, a, kd, sizeof(kd)));
	assert_false(search_cache_key("search", 7, a, kd, 20));
	json_decref(a);
	json_decref(b);
	json_decref(c);
}

static void
test_tenant_alias(void **state)
{
	struct tenant_ctx ctx;
	char              out[64];

	(void)state;
	memset(&ctx, 0, sizeof(ctx));
	snprintf(ctx.id, sizeof(ctx.id), "0123456789abcdef01234567");
	snprintf(ctx.slug, sizeof(ctx.slug), "acme");
	assert_true(search_tenant_alias(&ctx, out, sizeof(out)));
	assert_string_equal(out, "vigie-t-0123456789abcdef01234567");
	snprintf(ctx.id, sizeof(ctx.id), "*");
	assert_false(search_tenant_alias(&ctx, out, sizeof(out)));
	assert_string_equal(out, "");
}

static void
cell_is(const char *in, const char *want)
{
	struct buf b;

	buf_init(&b, 16);
	export_csv_cell(&b, in, strlen(in));
	buf_append(&b, "", 1);
	assert_string_equal(b.data, want);
	buf_free(&b);
}

static void
test_csv_cells(void **state)
{
	(void)state;
	cell_is("plain", "plain");
	cell_is("", "");
	cell_is("a,b", "\"a,b\"");
	cell_is("say \"hi\"", "\"say \"\"hi\"\"\"");
	cell_is("two\nlines", "\"two\nlines\"");
	cell_is("cr\rhere", "\"cr\rhere\"");
	cell_is("=1+1", "'=1+1");
	cell_is("+33 1 23", "'+33 1 23");
	cell_is("-2", "'-2");
	cell_is("@SUM(A1)", "'@SUM(A1)");
	cell_is("\tx", "'\tx");
	cell_is("\rx", "\"'\rx\"");
	cell_is("=HYPERLINK(\"http://x\",\"y\")",
	    "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
	cell_is("a=b", "a=b");
}

static void
test_csv_rows(void **state)
{
	struct buf b;
	json_t    *src;

	(void)state;
	buf_init(&b, 64);
	export_csv_header(&b);
	buf_append(&b, "", 1);
	assert_string_equal(b.data,
	    "id,timestamp,log.level,service.name,host.name,message,client.ip,"
	    "http.request.method,url.path,http.response.status_code,"
	    "http.response.body.bytes,event.duration,trace.id\r\n");
	buf_reset(&b);
	src =
	    json_loads("{\"@timestamp\":\"2024-05-01T00:00:00.000Z\","
		       "\"log.level\":\"ERROR\",\"service\":{\"name\":\"api\"},"
		       "\"message\":\"=cmd|' /C calc'!A0, boom\","
		       "\"http.response.status_code\":500,"
		       "\"trace.id\":[\"a\",\"b\"]}",
		0, NULL);
	assert_non_null(src);
	export_csv_row(&b, "id-1", src);
	buf_append(&b, "", 1);
	assert_string_equal(b.data,
	    "id-1,2024-05-01T00:00:00.000Z,ERROR,api,,\"'=cmd|' /C calc'!A0, "
	    "boom\",,,,500,,,\"[\"\"a\"\",\"\"b\"\"]\"\r\n");
	json_decref(src);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_text_words_phrases_and_prefixes),
	    cmocka_unit_test(test_text_fields),
	    cmocka_unit_test(test_text_boolean_operators),
	    cmocka_unit_test(test_text_errors),
	    cmocka_unit_test(test_time_parse),
	    cmocka_unit_test(test_params_defaults_and_lists),
	    cmocka_unit_test(test_params_refused),
	    cmocka_unit_test(test_body_and_query_build),
	    cmocka_unit_test(test_cache_key),
	    cmocka_unit_test(test_tenant_alias),
	    cmocka_unit_test(test_csv_cells),
	    cmocka_unit_test(test_csv_rows),
	};

	return (cmocka_run_group_tests_name("search", tests, NULL, NULL));
}
