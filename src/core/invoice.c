#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/invoice.h"
#include "core/money.h"
#include "core/timeparse.h"

#define INVOICE_DAY_S 86400L

/* "YYYY-MM", year 2000..9999, month 01..12, nothing else. */
bool
invoice_period_parse(const char *text, struct invoice_period *p)
{
	int i;

	if (text == NULL || strlen(text) != 7 || text[4] != '-')
		return (false);
	for (i = 0; i < 7; i++) {
		if (i != 4 && (text[i] < '0' || text[i] > '9'))
			return (false);
	}
	p->year = (text[0] - '0') * 1000 + (text[1] - '0') * 100 +
	    (text[2] - '0') * 10 + (text[3] - '0');
	p->month = (text[5] - '0') * 10 + (text[6] - '0');
	return (p->year >= 2000 && p->month >= 1 && p->month <= 12);
}

void
invoice_period_format(const struct invoice_period *p, char out[8])
{
	snprintf(out, INVOICE_PERIOD_LEN, "%04d-%02d", p->year % 10000,
	    p->month % 100);
}

int
invoice_period_days(const struct invoice_period *p)
{
	static const int days[] = {
	    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap;

	leap = (p->year % 4 == 0 && p->year % 100 != 0) || p->year % 400 == 0;
	return (days[p->month - 1] + (p->month == 2 && leap));
}

/* The month holding when (Unix seconds, UTC). */
void
invoice_period_of(long when, struct invoice_period *p)
{
	int d;

	timeparse_civil_from_days(
	    (when >= 0 ? when : when - INVOICE_DAY_S + 1) / INVOICE_DAY_S,
	    &p->year, &p->month, &d);
}

void
invoice_period_prev(struct invoice_period *p)
{
	if (--p->month == 0) {
		p->month = 12;
		p->year--;
	}
}

/* First second of the period. */
long
invoice_period_start(const struct invoice_period *p)
{
	return ((long)timeparse_days_from_civil(p->year, p->month, 1) *
	    INVOICE_DAY_S);
}

/* First second after the period (the next month's start). */
long
invoice_period_end(const struct invoice_period *p)
{
	return (invoice_period_start(p) +
	    (long)invoice_period_days(p) * INVOICE_DAY_S);
}

/* "YYYY-MM-DD" of day (1..days) of the period. */
void
invoice_period_day(const struct invoice_period *p, int day, char out[11])
{
	snprintf(out, INVOICE_DAY_LEN, "%04d-%02d-%02d", p->year % 10000,
	    p->month % 100, day % 100);
}

/* The day number (1..days) of "YYYY-MM-DD" in the period, 0 if outside. */
int
invoice_period_day_of(const struct invoice_period *p, const char *day)
{
	char prefix[INVOICE_PERIOD_LEN];
	int  d;

	invoice_period_format(p, prefix);
	if (day == NULL || strlen(day) != 10 || strncmp(day, prefix, 7) != 0 ||
	    day[7] != '-' || day[8] < '0' || day[8] > '9' || day[9] < '0' ||
	    day[9] > '9')
		return (0);
	d = (day[8] - '0') * 10 + (day[9] - '0');
	return (d >= 1 && d <= invoice_period_days(p) ? d : 0);
}

void
invoice_usage_init(struct invoice_usage *u, const struct invoice_period *p)
{
	memset(u, 0, sizeof(*u));
	u->days = invoice_period_days(p);
}

/* A plan limit in GB as bytes; 0 (unlimited) stays 0. */
static int64_t
invoice_limit_bytes(double gb)
{
	if (!(gb > 0) || gb > 1e9)
		return (0);
	return ((int64_t)llround(gb * (double)INVOICE_GB));
}

static int64_t
invoice_excess(int64_t used, int64_t limit)
{
	return (limit > 0 && used > limit ? used - limit : 0);
}

/*
 * Adds one day's record. Negative counts are refused (false), as is a
 * sum that would overflow.
 */
bool
invoice_usage_add_day(struct invoice_usage *u, const struct plan_limits *lim,
    int64_t ingested_bytes, int64_t stored_bytes)
{
	int64_t over_in, over_st;

	if (ingested_bytes < 0 || stored_bytes < 0)
		return (false);
	over_in = invoice_excess(
	    ingested_bytes, invoice_limit_bytes(lim->ingest_gb_per_day));
	over_st =
	    invoice_excess(stored_bytes, invoice_limit_bytes(lim->storage_gb));
	return (
	    money_add(u->ingested_bytes, ingested_bytes, &u->ingested_bytes) &&
	    money_add(
		u->stored_byte_days, stored_bytes, &u->stored_byte_days) &&
	    money_add(u->over_ingest_bytes, over_in, &u->over_ingest_bytes) &&
	    money_add(u->over_storage_byte_days, over_st,
		&u->over_storage_byte_days));
}

/*
 * The whole period's usage if the rest of it goes on as the first
 * days_elapsed days did: every sum times days / days_elapsed.
 */
bool
invoice_usage_project(
    const struct invoice_usage *u, int days_elapsed, struct invoice_usage *out)
{
	if (days_elapsed < 1 || days_elapsed > u->days)
		return (false);
	out->days = u->days;
	return (money_scale(u->ingested_bytes, u->days, days_elapsed,
		    &out->ingested_bytes) &&
	    money_scale(u->stored_byte_days, u->days, days_elapsed,
		&out->stored_byte_days) &&
	    money_scale(u->over_ingest_bytes, u->days, days_elapsed,
		&out->over_ingest_bytes) &&
	    money_scale(u->over_storage_byte_days, u->days, days_elapsed,
		&out->over_storage_byte_days));
}

/*
 * Prices one line: quantity is amount_num / amount_den units. The
 * amount is quantity x unit price rounded once; the quantity shown is
 * rounded to thousandths separately (display only).
 */
static bool
invoice_line_add(struct invoice_calc *c, enum invoice_line_kind kind,
    const char *code, const char *description, const char *unit, int64_t num,
    int64_t den, int64_t unit_price)
{
	struct invoice_line *l;

	if (c->nlines == INVOICE_LINES_MAX || unit_price < 0)
		return (false);
	l = &c->line[c->nlines];
	memset(l, 0, sizeof(*l));
	l->kind = kind;
	l->code = code;
	l->unit = unit;
	l->unit_price = unit_price;
	snprintf(l->description, sizeof(l->description), "%s", description);
	if (!money_scale(num, 1000, den, &l->quantity_milli) ||
	    !money_scale(num, unit_price, den, &l->amount) ||
	    !money_add(c->subtotal, l->amount, &c->subtotal))
		return (false);
	c->nlines++;
	return (true);
}

/*
 * The lines, subtotal, taxes (tax_bp basis points of the subtotal) and
 * total of an invoice for usage u on plan. False with a reason in err on
 * a bad rate or an amount too large to represent.
 */
bool
invoice_compute(const struct plan *plan, const struct invoice_usage *u,
    long tax_bp, struct invoice_calc *c, char *err, size_t errlen)
{
	const struct plan_prices *pr = &plan->prices;
	char                      what[96];
	int64_t                   month_den;
	bool                      ok;

	memset(c, 0, sizeof(*c));
	if (tax_bp < 0 || tax_bp > INVOICE_TAX_BP_MAX || u->days < 28 ||
	    u->days > 31) {
		snprintf(err, errlen, "bad tax rate or period");
		return (false);
	}
	c->tax_bp = tax_bp;
	month_den = (int64_t)u->days * INVOICE_GB;
	snprintf(
	    what, sizeof(what), "%s plan, monthly fee", plan->display_name);
	ok = invoice_line_add(c, INVOICE_LINE_PLAN, "plan", what, "month", 1, 1,
		 pr->monthly_fee) &&
	    invoice_line_add(c, INVOICE_LINE_INGEST, "ingest", "Data ingested",
		"GB", u->ingested_bytes, INVOICE_GB, pr->ingest_per_gb) &&
	    invoice_line_add(c, INVOICE_LINE_STORAGE, "storage",
		"Storage (average over the month)", "GB-month",
		u->stored_byte_days, month_den, pr->storage_per_gb_month);
	if (ok && pr->overage_allowed && u->over_ingest_bytes > 0)
		ok = invoice_line_add(c, INVOICE_LINE_OVERAGE_INGEST, "overage",
		    "Overage: ingest above the daily allowance", "GB",
		    u->over_ingest_bytes, INVOICE_GB, pr->ingest_per_gb);
	if (ok && pr->overage_allowed && u->over_storage_byte_days > 0)
		ok = invoice_line_add(c, INVOICE_LINE_OVERAGE_STORAGE,
		    "overage", "Overage: storage above the plan's limit",
		    "GB-month", u->over_storage_byte_days, month_den,
		    pr->storage_per_gb_month);
	if (ok)
		ok = money_scale(c->subtotal, tax_bp, 10000, &c->taxes) &&
		    money_add(c->subtotal, c->taxes, &c->total);
	if (!ok) {
		snprintf(err, errlen, "an amount is too large");
		return (false);
	}
	return (true);
}
