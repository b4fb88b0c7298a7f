/*
 * Billing arithmetic: money in minor units with one rounding rule,
 * billing periods, usage sums and the priced lines of an invoice.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/invoice.h"
#include "core/money.h"

static void
test_scale_rounds_half_up(void **state)
{
	int64_t v;

	(void)state;
	assert_true(money_scale(1, 1, 2, &v)); /* 0.5 -> 1 */
	assert_int_equal(v, 1);
	assert_true(money_scale(1, 1, 3, &v)); /* 0.333 -> 0 */
	assert_int_equal(v, 0);
	assert_true(money_scale(2, 1, 3, &v)); /* 0.667 -> 1 */
	assert_int_equal(v, 1);
	assert_true(money_scale(499999999, 1, 1000000000, &v));
	assert_int_equal(v, 0);
	assert_true(money_scale(500000000, 1, 1000000000, &v));
	assert_int_equal(v, 1);
	assert_true(money_scale(0, 25, 7, &v));
	assert_int_equal(v, 0);
	/* Products beyond 64 bits are exact. */
	assert_true(money_scale(INT64_MAX, 3, 4, &v));
	assert_int_equal(v, 6917529027641081855LL);
}

static void
test_scale_refuses_bad_input_and_overflow(void **state)
{
	int64_t v = 42;

	(void)state;
	assert_false(money_scale(-1, 1, 1, &v));
	assert_false(money_scale(1, -1, 1, &v));
	assert_false(money_scale(1, 1, 0, &v));
	assert_false(money_scale(INT64_MAX, 2, 1, &v));
	assert_int_equal(v, 42);
	assert_false(money_add(INT64_MAX, 1, &v));
	assert_false(money_add(-1, 1, &v));
	assert_true(money_add(40, 2, &v));
	assert_int_equal(v, 42);
}

static void
test_format(void **state)
{
	char out[32];

	(void)state;
	assert_true(money_format(0, out, sizeof(out)));
	assert_string_equal(out, "0.00");
	assert_true(money_format(5, out, sizeof(out)));
	assert_string_equal(out, "0.05");
	assert_true(money_format(123456, out, sizeof(out)));
	assert_string_equal(out, "1234.56");
	assert_true(money_format(-5, out, sizeof(out)));
	assert_string_equal(out, "-0.05");
	assert_true(money_format(INT64_MIN, out, sizeof(out)));
	assert_string_equal(out, "-92233720368547758.08");
	assert_true(money_format_milli(12345, out, sizeof(out)));
	assert_string_equal(out, "12.345");
	assert_true(money_format_milli(7, out, sizeof(out)));
	assert_string_equal(out, "0.007");
	assert_false(money_format(123456, out, 4));
}

static void
test_period_parse(void **state)
{
	struct invoice_period p;
	char                  out[8];

	(void)state;
	assert_true(invoice_period_parse("2026-02", &p));
	assert_int_equal(p.year, 2026);
	assert_int_equal(p.month, 2);
	invoice_period_format(&p, out);
	assert_string_equal(out, "2026-02");
	assert_false(invoice_period_parse("2026-13", &p));
	assert_false(invoice_period_parse("2026-00", &p));
	assert_false(invoice_period_parse("1999-12", &p));
	assert_false(invoice_period_parse("2026-2", &p));
	assert_false(invoice_period_parse("2026-02-01", &p));
	assert_false(invoice_period_parse("2026/02", &p));
	assert_false(invoice_period_parse("+026-02", &p));
	assert_false(invoice_period_parse("", &p));
	assert_false(invoice_period_parse(NULL, &p));
}

static void
test_period_bounds(void **state)
{
	struct invoice_period p = {2024, 2};
	char                  day[11];

	(void)state;
	assert_int_equal(invoice_period_days(&p), 29);
	p.year = 2100;
	assert_int_equal(invoice_period_days(&p), 28);
	p.year = 2000;
	assert_int_equal(invoice_period_days(&p), 29);
	p = (struct invoice_period){2026, 12};
	assert_int_equal(invoice_period_days(&p), 31);
	assert_int_equal(invoice_period_start(&p), 1796083200L);
	assert_int_equal(invoice_period_end(&p), 1798761600L);
	invoice_period_day(&p, 9, day);
	assert_string_equal(day, "2026-12-09");
	assert_int_equal(invoice_period_day_of(&p, "2026-12-31"), 31);
	assert_int_equal(invoice_period_day_of(&p, "2026-12-01"), 1);
	assert_int_equal(invoice_period_day_of(&p, "2026-12-32"), 0);
	assert_int_equal(invoice_period_day_of(&p, "2026-12-00"), 0);
	assert_int_equal(invoice_period_day_of(&p, "2026-11-30"), 0);
	assert_int_equal(invoice_period_day_of(&p, "2026-12-1"), 0);
	assert_int_equal(invoice_period_day_of(&p, NULL), 0);
}

static void
test_period_of_and_prev(void **state)
{
	struct invoice_period p;

	(void)state;
	invoice_period_of(1798761599L, &p); /* 2026-12-31T23:59:59Z */
	assert_int_equal(p.year, 2026);
	assert_int_equal(p.month, 12);
	invoice_period_of(1798761600L, &p); /* 2027-01-01T00:00:00Z */
	assert_int_equal(p.year, 2027);
	assert_int_equal(p.month, 1);
	invoice_period_prev(&p);
	assert_int_equal(p.year, 2026);
	assert_int_equal(p.month, 12);
	invoice_period_prev(&p);
	assert_int_equal(p.month, 11);
}

static struct plan
pro_plan(void)
{
	struct plan p;

	memset(&p, 0, sizeof(p));
	snprintf(p.name, sizeof(p.name), "pro");
	snprintf(p.display_name, sizeof(p.display_name), "Pro");
	p.limits.storage_gb = 50;
	p.limits.ingest_gb_per_day = 10;
	p.prices.monthly_fee = 4900;
	p.prices.ingest_per_gb = 25;
	p.prices.storage_per_gb_month = 10;
	p.prices.overage_allowed = true;
	return (p);
}

static void
test_usage_sums_and_excess(void **state)
{
	struct invoice_period p = {2026, 11};
	struct invoice_usage  u;
	struct plan           plan = pro_plan();

	(void)state;
	invoice_usage_init(&u, &p);
	assert_int_equal(u.days, 30);
	assert_true(invoice_usage_add_day(
	    &u, &plan.limits, 12 * INVOICE_GB, 60 * INVOICE_GB));
	assert_true(invoice_usage_add_day(&u, &plan.limits, INVOICE_GB, 0));
	assert_int_equal(u.ingested_bytes, 13 * INVOICE_GB);
	assert_int_equal(u.stored_byte_days, 60 * INVOICE_GB);
	assert_int_equal(u.over_ingest_bytes, 2 * INVOICE_GB);
	assert_int_equal(u.over_storage_byte_days, 10 * INVOICE_GB);
	assert_false(invoice_usage_add_day(&u, &plan.limits, -1, 0));
	assert_false(invoice_usage_add_day(&u, &plan.limits, 0, -1));
	/* Unlimited (0) never exceeds. */
	plan.limits.ingest_gb_per_day = 0;
	invoice_usage_init(&u, &p);
	assert_true(
	    invoice_usage_add_day(&u, &plan.limits, 900 * INVOICE_GB, 0));
	assert_int_equal(u.over_ingest_bytes, 0);
}

/*
 * November 2026 (30 days) on Pro: 12.5 GB ingested over two days, 3 GB stored for 10
 * days -> 1 GB-month; no overage. 49.00 + 12.5 x 0.25 = 3.125 -> 3.13
 * (half up) + 1 x 0.10 = 52.23; tax 20 % = 10.446 -> 10.45; 62.68.
 */
static void
test_compute_lines(void **state)
{
	struct invoice_period p = {2026, 11};
	struct invoice_usage  u;
	struct invoice_calc   c;
	struct plan           plan = pro_plan();
	char                  err[128];
	int                   d;

	(void)state;
	invoice_usage_init(&u, &p);
	assert_true(invoice_usage_add_day(
	    &u, &plan.limits, 6 * INVOICE_GB + INVOICE_GB / 4, 0));
	assert_true(invoice_usage_add_day(
	    &u, &plan.limits, 6 * INVOICE_GB + INVOICE_GB / 4, 0));
	for (d = 0; d < 10; d++)
		assert_true(
		    invoice_usage_add_day(&u, &plan.limits, 0, 3 * INVOICE_GB));
	assert_true(invoice_compute(&plan, &u, 2000, &c, err, sizeof(err)));
	assert_int_equal(c.nlines, 3);
	assert_string_equal(c.line[0].code, "plan");
	assert_int_equal(c.line[0].amount, 4900);
	assert_int_equal(c.line[0].quantity_milli, 1000);
	assert_string_equal(c.line[1].code, "ingest");
	assert_int_equal(c.line[1].quantity_milli, 12500);
	assert_int_equal(c.line[1].amount, 313);
	assert_string_equal(c.line[2].code, "storage");
	assert_int_equal(c.line[2].quantity_milli, 1000);
	assert_int_equal(c.line[2].amount, 10);
	assert_int_equal(c.subtotal, 5223);
	assert_int_equal(c.taxes, 1045);
	assert_int_equal(c.total, 6268);
}

static void
test_compute_overage_only_when_allowed(void **state)
{
	struct invoice_period p = {2026, 11};
	struct invoice_usage  u;
	struct invoice_calc   c;
	struct plan           plan = pro_plan();
	char                  err[128];

	(void)state;
	invoice_usage_init(&u, &p);
	assert_true(invoice_usage_add_day(
	    &u, &plan.limits, 14 * INVOICE_GB, 80 * INVOICE_GB));
	assert_true(invoice_compute(&plan, &u, 0, &c, err, sizeof(err)));
	assert_int_equal(c.nlines, 5);
	assert_int_equal(c.line[3].kind, INVOICE_LINE_OVERAGE_INGEST);
	assert_int_equal(c.line[3].amount, 100); /* 4 GB x 0.25 */
	assert_int_equal(c.line[4].kind, INVOICE_LINE_OVERAGE_STORAGE);
	assert_int_equal(c.line[4].amount, 10); /* 30/30 GB-month x 0.10 */
	assert_int_equal(c.taxes, 0);
	assert_int_equal(c.total, c.subtotal);
	assert_int_equal(c.subtotal, 4900 + 350 + 27 + 100 + 10);
	plan.prices.overage_allowed = false;
	assert_true(invoice_compute(&plan, &u, 0, &c, err, sizeof(err)));
	assert_int_equal(c.nlines, 3);
}

static void
test_compute_refuses(void **state)
{
	struct invoice_period p = {2026, 11};
	struct invoice_usage  u;
	struct invoice_calc   c;
	struct plan           plan = pro_plan();
	char                  err[128];

	(void)state;
	invoice_usage_init(&u, &p);
	assert_false(invoice_compute(&plan, &u, -1, &c, err, sizeof(err)));
	assert_false(invoice_compute(&plan, &u, 10001, &c, err, sizeof(err)));
	u.ingested_bytes = INT64_MAX;
	plan.prices.ingest_per_gb = INT64_MAX / 2;
	assert_false(invoice_compute(&plan, &u, 0, &c, err, sizeof(err)));
	assert_string_equal(err, "an amount is too large");
}

static void
test_projection(void **state)
{
	struct invoice_period p = {2026, 11};
	struct invoice_usage  u, proj;
	struct plan           plan = pro_plan();

	(void)state;
	invoice_usage_init(&u, &p);
	assert_true(
	    invoice_usage_add_day(&u, &plan.limits, 2 * INVOICE_GB, 100));
	assert_true(
	    invoice_usage_add_day(&u, &plan.limits, 1 * INVOICE_GB, 200));
	assert_true(invoice_usage_project(&u, 2, &proj));
	assert_int_equal(proj.ingested_bytes, 45 * INVOICE_GB);
	assert_int_equal(proj.stored_byte_days, 4500);
	assert_false(invoice_usage_project(&u, 0, &proj));
	assert_false(invoice_usage_project(&u, 31, &proj));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scale_rounds_half_up),
	    cmocka_unit_test(test_scale_refuses_bad_input_and_overflow),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_period_parse),
	    cmocka_unit_test(test_period_bounds),
	    cmocka_unit_test(test_period_of_and_prev),
	    cmocka_unit_test(test_usage_sums_and_excess),
	    cmocka_unit_test(test_compute_lines),
	    cmocka_unit_test(test_compute_overage_only_when_allowed),
	    cmocka_unit_test(test_compute_refuses),
	    cmocka_unit_test(test_projection),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
