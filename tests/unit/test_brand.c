/* Branding rules: colours, custom domains, Host headers; retention. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/brand.h"
#include "core/retention.h"

static void
test_colors(void **state)
{
	char out[8];
	int  rgb[3];

	(void)state;
	assert_true(brand_color_check("#0d6efd", NULL, 0));
	assert_true(brand_color_check("#ABCDEF", NULL, 0));
	assert_false(brand_color_check("0d6efd", NULL, 0));
	assert_false(brand_color_check("#0d6ef", NULL, 0));
	assert_false(brand_color_check("#0d6efd0", NULL, 0));
	assert_false(brand_color_check("#0g6efd", NULL, 0));
	assert_false(brand_color_check("red", NULL, 0));
	assert_false(brand_color_check("#fff", NULL, 0));
	assert_false(brand_color_check("#12345\n", NULL, 0));
	assert_false(brand_color_check("", NULL, 0));
	assert_false(brand_color_check(NULL, NULL, 0));
	brand_color_normal("#ABcdEF", out);
	assert_string_equal(out, "#abcdef");
	brand_color_rgb("#FF8000", rgb);
	assert_int_equal(rgb[0], 255);
	assert_int_equal(rgb[1], 128);
	assert_int_equal(rgb[2], 0);
}

static void
test_hosts_valid(void **state)
{
	char out[256];

	(void)state;
	assert_true(brand_host_check("logs.example.com", NULL, 0));
	assert_true(brand_host_check("a.io", NULL, 0));
	assert_true(brand_host_check("x-1.y2.example", NULL, 0));
	assert_true(brand_host_normal("Logs.Example.COM", out, sizeof(out)));
	assert_string_equal(out, "logs.example.com");
	assert_false(brand_host_normal("logs.example.com", out, 5));
}

static void
test_hosts_invalid(void **state)
{
	static const char *bad[] = {"", "localhost", "example.", ".example.com",
	    "a..b.com", "-a.com", "a-.com", "a.-b.com", "1.2.3.4",
	    "logs.example.com:443", "logs example.com", "logs_x.example.com",
	    "logs.example.com/x", "exa\x01mple.com", "\xc3\xa9t\xc3\xa9.fr",
	    "*.example.com"};
	char               why[128], label[70], longname[300];
	size_t             i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_false(brand_host_check(bad[i], why, sizeof(why)));
		assert_true(why[0] != '\0');
	}
	memset(label, 'a', 64);
	memcpy(label + 64, ".com", 5);
	assert_false(brand_host_check(label, NULL, 0));
	assert_true(brand_host_check(label + 1, NULL, 0)); /* 63 bytes */
	memset(longname, 'a', sizeof(longname));
	for (i = 50; i < 260; i += 50)
		longname[i] = '.';
	longname[254] = '\0';
	assert_false(brand_host_check(longname, NULL, 0));
	assert_false(brand_host_check(NULL, NULL, 0));
}

static void
test_host_header(void **state)
{
	char out[256];

	(void)state;
	assert_true(brand_host_header("Logs.Example.com:18106", out, 256));
	assert_string_equal(out, "logs.example.com");
	assert_true(brand_host_header("logs.example.com", out, 256));
	assert_false(brand_host_header("127.0.0.1:18106", out, 256));
	assert_false(brand_host_header("logs.example.com:", out, 256));
	assert_false(brand_host_header("logs.example.com:12x", out, 256));
	assert_false(brand_host_header("logs.example.com:123456", out, 256));
	assert_false(brand_host_header("[::1]:80", out, 256));
	assert_false(brand_host_header("", out, 256));
	assert_false(brand_host_header(NULL, out, 256));
}

static void
test_host_reserved(void **state)
{
	const char *list = "vigie.example.com, Status.Example.org";

	(void)state;
	assert_true(brand_host_reserved("vigie.example.com", list));
	assert_true(brand_host_reserved("acme.vigie.example.com", list));
	assert_true(brand_host_reserved("status.example.org", list));
	assert_false(brand_host_reserved("evilvigie.example.com", list));
	assert_false(brand_host_reserved("example.com", list));
	assert_false(brand_host_reserved("logs.acme.com", list));
	assert_false(brand_host_reserved("vigie.example.com", ""));
	assert_false(brand_host_reserved("vigie.example.com", " , "));
	assert_false(brand_host_reserved(NULL, list));
}

static struct tenant_ctx
ctx_of(const char *slug)
{
	struct tenant_ctx c;

	memset(&c, 0, sizeof(c));
	snprintf(c.id, sizeof(c.id), "0123456789abcdef01234567");
	snprintf(c.slug, sizeof(c.slug), "%s", slug);
	return (c);
}

/* now = 2026-11-21T07:00:00Z; 7 days: 2026.11.14 kept, .13 expired. */
static void
test_retention_indices(void **state)
{
	struct tenant_ctx acme = ctx_of("acme");
	long              now = 1795244400L;

	(void)state;
	assert_int_equal(retention_cutoff(now, 7), 1794614400L);
	assert_false(
	    retention_index_expired(&acme, "logs-acme-2026.11.21", now, 7));
	assert_false(
	    retention_index_expired(&acme, "logs-acme-2026.11.14", now, 7));
	assert_true(
	    retention_index_expired(&acme, "logs-acme-2026.11.13", now, 7));
	assert_true(
	    retention_index_expired(&acme, "logs-acme-2020.01.01", now, 7));
	/* Another tenant's index, even with a slug extending ours. */
	assert_false(retention_index_expired(
	    &acme, "logs-acme-corp-2020.01.01", now, 7));
	assert_false(
	    retention_index_expired(&acme, "logs-other-2020.01.01", now, 7));
	/* Not a daily index, or a bad date. */
	assert_false(
	    retention_index_expired(&acme, "logs-acme-2020.13.01", now, 7));
	assert_false(
	    retention_index_expired(&acme, "logs-acme-2020.01.01x", now, 7));
	assert_false(retention_index_expired(&acme, "logs-acme-*", now, 7));
	assert_false(retention_index_expired(&acme, NULL, now, 7));
	/* Zero keeps forever. */
	assert_false(
	    retention_index_expired(&acme, "logs-acme-2020.01.01", now, 0));
	assert_int_equal(retention_cutoff(now, 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_colors),
	    cmocka_unit_test(test_hosts_valid),
	    cmocka_unit_test(test_hosts_invalid),
	    cmocka_unit_test(test_host_header),
	    cmocka_unit_test(test_host_reserved),
	    cmocka_unit_test(test_retention_indices),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
