/*
 * Tenancy rules: slugs, ids, index names and Redis keys, and what a
 * forged tenant context can and cannot produce.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/tenant.h"

#define ID "64b7f0c2a1d3e5f708192a3b"

static void
make_ctx(struct tenant_ctx *ctx, const char *id, const char *slug)
{
	memset(ctx, 0, sizeof(*ctx));
	snprintf(ctx->id, sizeof(ctx->id), "%s", id);
	snprintf(ctx->slug, sizeof(ctx->slug), "%s", slug);
	snprintf(ctx->plan, sizeof(ctx->plan), "%s", "team");
	ctx->active = 1;
}

static void
slug_refused(const char *slug)
{
	char why[128];

	memset(why, 0, sizeof(why));
	if (tenant_slug_check(slug, why, sizeof(why)))
		fail_msg(
		    "slug \"%s\" accepted", slug == NULL ? "(null)" : slug);
	assert_true(why[0] != '\0');
}

/* ---- slugs ----------------------------------------------------------------- */

static void
test_slug_valid(void **state)
{
	static const char *const good[] = {
	    "abc", "acme", "acme-corp", "a1b", "0ab", "a-b", "123", "admin1",
	    "my-logs", "a-b-c-d",
	    "abcdefghijklmnopqrstuvwxyz0123456789abcd", /* 40 */
	};
	char   why[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		strcpy(why, "unchanged");
		if (!tenant_slug_check(good[i], why, sizeof(why)))
			fail_msg("slug \"%s\" refused: %s", good[i], why);
		assert_string_equal(why, "");
	}
}

static void
test_slug_length(void **state)
{
	char s[160], why[128];

	(void)state;
	slug_refused("");
	slug_refused("a");
	slug_refused("ab");
	memset(s, 'a', 41);
	s[41] = '\0';
	slug_refused(s);
	assert_false(tenant_slug_check(s, why, sizeof(why)));
	assert_non_null(strstr(why, "40"));
	memset(s, 'a', 150);
	s[150] = '\0';
	slug_refused(s);
	slug_refused(NULL);
}

static void
test_slug_path_and_wildcards(void **state)
{
	(void)state;
	slug_refused("..");
	slug_refused("...");
	slug_refused("a/..");
	slug_refused("../etc");
	slug_refused("*");
	slug_refused("acme*");
	slug_refused("a?c");
	slug_refused("_all");
	slug_refused("acme_all");
	slug_refused(",");
	slug_refused("acme,logs-other");
	slug_refused("a.b");
	slug_refused("a#b");
	slug_refused("a:b");
	slug_refused("a|b");
	slug_refused("a\\b");
	slug_refused("a\"b");
	slug_refused("<ab>");
	slug_refused("+ab");
}

static void
test_slug_spaces_and_controls(void **state)
{
	(void)state;
	slug_refused("acme corp");
	slug_refused(" acme");
	slug_refused("acme ");
	slug_refused("ac\tme");
	slug_refused("acme\n");
	slug_refused("ac\rme");
	slug_refused("\x7f"
		     "abc");
}

static void
test_slug_upper_case(void **state)
{
	(void)state;
	slug_refused("Acme");
	slug_refused("ACME");
	slug_refused("acmE");
}

static void
test_slug_hyphens(void **state)
{
	(void)state;
	slug_refused("-acme");
	slug_refused("acme-");
	slug_refused("-ac-");
	slug_refused("---");
	slug_refused("ac--me");
	slug_refused("xn--80ak6aa92e"); /* punycode look-alike */
}

static void
test_slug_embedded_nul(void **state)
{
	static const char short_nul[] = "ab\0cd";
	static const char long_nul[] = "abc\0*,_all";

	(void)state;
	/* strlen semantics: "ab" is too short, "abc" is a fine slug. */
	slug_refused(short_nul);
	assert_true(tenant_slug_check(long_nul, NULL, 0));
}

static void
test_slug_unicode(void **state)
{
	(void)state;
	slug_refused("acm\xc3\xa9"); /* acmé */
	slug_refused("\xd0\xb0"
		     "cme"); /* Cyrillic a */
	slug_refused("\xef\xbd\x81\xef\xbd\x82\xef\xbd\x83"); /* fullwidth */
	slug_refused("ab\xe2\x80\x8b"
		     "c"); /* zero-width space */
	slug_refused("abc\xff");
}

static void
test_slug_reserved(void **state)
{
	static const char *const reserved[] = {
	    "admin",
	    "api",
	    "www",
	    "root",
	    "system",
	    "platform",
	    "vigie",
	    "kibana",
	    "elastic",
	    "elasticsearch",
	    "logs",
	    "static",
	    "assets",
	    "health",
	    "metrics",
	    "login",
	    "signup",
	    "auth",
	    "billing",
	    "support",
	    "status",
	    "mail",
	    "smtp",
	    "test",
	    "null",
	    "undefined",
	    "internal",
	};
	char   why[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		slug_refused(reserved[i]);
		assert_false(tenant_slug_check(reserved[i], why, sizeof(why)));
		assert_non_null(strstr(why, "reserved"));
	}
	/* Only whole words are reserved. */
	assert_true(tenant_slug_check("admins-club", NULL, 0));
	assert_true(tenant_slug_check("testing", NULL, 0));
}

static void
test_slug_why_small(void **state)
{
	char why[5];

	(void)state;
	assert_false(tenant_slug_check("A", why, sizeof(why)));
	assert_int_equal(strlen(why), 4);
	assert_false(tenant_slug_check("A", NULL, 0));
}

/* ---- ids and contexts ----------------------------------------------------- */

static void
test_id_check(void **state)
{
	static const char nul_inside[] = "64b7f0c2a1d3\0e5f708192a3b";

	(void)state;
	assert_true(tenant_id_check(ID));
	assert_true(tenant_id_check("000000000000000000000000"));
	assert_false(tenant_id_check("64B7F0C2A1D3E5F708192A3B"));
	assert_false(tenant_id_check("64b7f0c2a1d3e5f708192a3"));
	assert_false(tenant_id_check("64b7f0c2a1d3e5f708192a3b0"));
	assert_false(tenant_id_check("64b7f0c2a1d3e5f708192a3g"));
	assert_false(tenant_id_check("64b7f0c2a1d3e5f708192a3 "));
	assert_false(tenant_id_check(" 64b7f0c2a1d3e5f708192a3"));
	assert_false(tenant_id_check("*"));
	assert_false(tenant_id_check(""));
	assert_false(tenant_id_check(NULL));
	assert_false(tenant_id_check(nul_inside));
}

static void
test_ctx_check(void **state)
{
	struct tenant_ctx ctx;

	(void)state;
	make_ctx(&ctx, ID, "acme");
	assert_true(tenant_ctx_check(&ctx));
	/* Activity is the caller's business. */
	ctx.active = 0;
	assert_true(tenant_ctx_check(&ctx));
	assert_false(tenant_ctx_check(NULL));
	make_ctx(&ctx, "", "acme");
	assert_false(tenant_ctx_check(&ctx));
	make_ctx(&ctx, ID, "");
	assert_false(tenant_ctx_check(&ctx));
	make_ctx(&ctx, ID, "admin");
	assert_false(tenant_ctx_check(&ctx));
	/* Arrays filled to the brim, no NUL anywhere. */
	make_ctx(&ctx, ID, "acme");
	memset(ctx.slug, 'a', sizeof(ctx.slug));
	assert_false(tenant_ctx_check(&ctx));
	make_ctx(&ctx, ID, "acme");
	memset(ctx.id, 'a', sizeof(ctx.id));
	assert_false(tenant_ctx_check(&ctx));
}

/* ---- index names ---------------------------------------------------------- */

static void
test_index_pattern(void **state)
{
	struct tenant_ctx ctx;
	char              out[64];

	(void)state;
	make_ctx(&ctx, ID, "acme-corp");
	assert_true(tenant_index_pattern(&ctx, out, sizeof(out)));
	assert_string_equal(out, "logs-acme-corp-*");
	/* Exactly big enough, then one byte short. */
	assert_true(
	    tenant_index_pattern(&ctx, out, strlen("logs-acme-corp-*") + 1));
	assert_false(
	    tenant_index_pattern(&ctx, out, strlen("logs-acme-corp-*")));
	assert_string_equal(out, "");
	assert_false(tenant_index_pattern(&ctx, NULL, 0));
	assert_false(tenant_index_pattern(NULL, out, sizeof(out)));
}

static void
test_forged_ctx_gives_nothing(void **state)
{
	static const char *const slugs[] = {
	    "",
	    "*",
	    "_all",
	    "..",
	    ",",
	    "a,b",
	    "acme corp",
	    "Acme",
	    "-ab",
	    "ab-",
	    "a--b",
	    "logs",
	    "acm\xc3\xa9",
	};
	struct tenant_ctx ctx;
	char              out[128];
	size_t            i;

	(void)state;
	for (i = 0; i < sizeof(slugs) / sizeof(slugs[0]); i++) {
		make_ctx(&ctx, ID, slugs[i]);
		strcpy(out, "untouched");
		assert_false(tenant_index_pattern(&ctx, out, sizeof(out)));
		assert_string_equal(out, "");
		assert_false(
		    tenant_index_daily(&ctx, 1700000000L, out, sizeof(out)));
		assert_string_equal(out, "");
		assert_false(tenant_key(&ctx, "cache", out, sizeof(out)));
		assert_string_equal(out, "");
	}
	/* A bad id blocks everything too, index names included. */
	make_ctx(&ctx, "", "acme");
	assert_false(tenant_key(&ctx, "cache", out, sizeof(out)));
	assert_string_equal(out, "");
	assert_false(tenant_index_pattern(&ctx, out, sizeof(out)));
	make_ctx(&ctx, "64B7F0C2A1D3E5F708192A3B", "acme");
	assert_false(tenant_index_daily(&ctx, 0, out, sizeof(out)));
}

static void
test_index_daily(void **state)
{
	static const struct {
		long        when;
		const char *name;
	} cases[] = {
	    {0L, "logs-acme-1970.01.01"},
	    {86399L, "logs-acme-1970.01.01"},
	    {86400L, "logs-acme-1970.01.02"},
	    {951782400L, "logs-acme-2000.02.29"},
	    {1700000000L, "logs-acme-2023.11.14"},
	    {1709164800L, "logs-acme-2024.02.29"},
	    {1735689599L, "logs-acme-2024.12.31"},
	    {1735689600L, "logs-acme-2025.01.01"},
	    {4107456000L, "logs-acme-2100.02.28"},
	    {4107542400L, "logs-acme-2100.03.01"},
	    {253402300799L, "logs-acme-9999.12.31"},
	};
	struct tenant_ctx ctx;
	char              out[64];
	size_t            i;

	(void)state;
	make_ctx(&ctx, ID, "acme");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_true(
		    tenant_index_daily(&ctx, cases[i].when, out, sizeof(out)));
		assert_string_equal(out, cases[i].name);
	}
	assert_false(tenant_index_daily(&ctx, -1L, out, sizeof(out)));
	assert_string_equal(out, "");
	assert_false(tenant_index_daily(&ctx, 253402300800L, out, sizeof(out)));
	assert_false(tenant_index_daily(&ctx, 0L, out, 20));
	assert_string_equal(out, "");
}

static void
test_index_daily_matches_gmtime(void **state)
{
	struct tenant_ctx ctx;
	struct tm         tm;
	time_t            t;
	char              out[64], want[64];
	long              day;

	(void)state;
	make_ctx(&ctx, ID, "acme");
	/* Every day from 1970 to 2200, at a moment inside the day. */
	for (day = 0; day < 84000; day++) {
		t = (time_t)(day * 86400L + (day % 86400));
		assert_non_null(gmtime_r(&t, &tm));
		snprintf(want, sizeof(want), "logs-acme-%04d.%02d.%02d",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		assert_true(
		    tenant_index_daily(&ctx, (long)t, out, sizeof(out)));
		assert_string_equal(out, want);
	}
}

static void
test_index_owned(void **state)
{
	struct tenant_ctx acme, corp;

	(void)state;
	make_ctx(&acme, ID, "acme");
	make_ctx(&corp, "aaaaaaaaaaaaaaaaaaaaaaaa", "acme-corp");
	assert_true(tenant_index_owned(&acme, "logs-acme-2024.05.01"));
	assert_true(tenant_index_owned(&corp, "logs-acme-corp-2024.05.01"));
	/* The pattern logs-acme-* matches this, ownership does not. */
	assert_false(tenant_index_owned(&acme, "logs-acme-corp-2024.05.01"));
	assert_false(tenant_index_owned(&corp, "logs-acme-2024.05.01"));
	assert_false(tenant_index_owned(&acme, "logs-acme-2024.02.30"));
	assert_false(tenant_index_owned(&acme, "logs-acme-2023.02.29"));
	assert_true(tenant_index_owned(&acme, "logs-acme-2024.02.29"));
	assert_false(tenant_index_owned(&acme, "logs-acme-2024.13.01"));
	assert_false(tenant_index_owned(&acme, "logs-acme-2024.00.10"));
	assert_false(tenant_index_owned(&acme, "logs-acme-2024.5.1"));
	assert_false(tenant_index_owned(&acme, "logs-acme-2024.05.01x"));
	assert_false(tenant_index_owned(&acme, "logs-acme-2024-05-01"));
	assert_false(tenant_index_owned(&acme, "logs-acme-*"));
	assert_false(tenant_index_owned(&acme, "logs-acme"));
	assert_false(tenant_index_owned(&acme, "logs-acme-"));
	assert_false(tenant_index_owned(&acme, ".logs-acme-2024.05.01"));
	assert_false(tenant_index_owned(&acme, "logs-acm-2024.05.01"));
	assert_false(tenant_index_owned(&acme, NULL));
	assert_false(tenant_index_owned(NULL, "logs-acme-2024.05.01"));
}

/* ---- Redis keys ----------------------------------------------------------- */

static void
test_key(void **state)
{
	struct tenant_ctx ctx;
	char              out[128];

	(void)state;
	make_ctx(&ctx, ID, "acme");
	assert_true(tenant_key(&ctx, "cache:search:9f2c", out, sizeof(out)));
	assert_string_equal(out, "t:" ID ":cache:search:9f2c");
	assert_true(tenant_key(&ctx, "rate_limit.ingest-1", out, sizeof(out)));
	assert_string_equal(out, "t:" ID ":rate_limit.ingest-1");
	assert_true(tenant_key(&ctx, "q", out, strlen("t:" ID ":q") + 1));
	assert_false(tenant_key(&ctx, "q", out, strlen("t:" ID ":q")));
	assert_string_equal(out, "");
}

static void
test_key_bad_purpose(void **state)
{
	static const char *const bad[] = {
	    "",
	    "Cache",
	    "a b",
	    "a*",
	    "*",
	    "a?",
	    "[a]",
	    "{tag}",
	    "a\r\n",
	    "a\nDEL x",
	    "a/b",
	    "a,b",
	    "caf\xc3\xa9",
	    "\"x\"",
	};
	struct tenant_ctx ctx;
	char              out[512], big[TENANT_PURPOSE_MAX + 2];
	size_t            i;

	(void)state;
	make_ctx(&ctx, ID, "acme");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strcpy(out, "untouched");
		if (tenant_key(&ctx, bad[i], out, sizeof(out)))
			fail_msg("purpose \"%s\" accepted", bad[i]);
		assert_string_equal(out, "");
	}
	assert_false(tenant_key(&ctx, NULL, out, sizeof(out)));
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_false(tenant_key(&ctx, big, out, sizeof(out)));
	big[TENANT_PURPOSE_MAX] = '\0';
	assert_true(tenant_key(&ctx, big, out, sizeof(out)));
	assert_false(tenant_key(&ctx, "cache", NULL, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_slug_valid),
	    cmocka_unit_test(test_slug_length),
	    cmocka_unit_test(test_slug_path_and_wildcards),
	    cmocka_unit_test(test_slug_spaces_and_controls),
	    cmocka_unit_test(test_slug_upper_case),
	    cmocka_unit_test(test_slug_hyphens),
	    cmocka_unit_test(test_slug_embedded_nul),
	    cmocka_unit_test(test_slug_unicode),
	    cmocka_unit_test(test_slug_reserved),
	    cmocka_unit_test(test_slug_why_small),
	    cmocka_unit_test(test_id_check),
	    cmocka_unit_test(test_ctx_check),
	    cmocka_unit_test(test_index_pattern),
	    cmocka_unit_test(test_forged_ctx_gives_nothing),
	    cmocka_unit_test(test_index_daily),
	    cmocka_unit_test(test_index_daily_matches_gmtime),
	    cmocka_unit_test(test_index_owned),
	    cmocka_unit_test(test_key),
	    cmocka_unit_test(test_key_bad_purpose),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
