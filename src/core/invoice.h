/*
 * Invoices as arithmetic: billing periods (calendar months, UTC), the
 * usage of a period summed from daily records, and the priced lines,
 * taxes and total of an invoice. Pure: the worker reads the records and
 * the plan, stores and renders the result. Money rules: core/money.h.
 *
 * Lines, in this order:
 *   plan      the plan's monthly fee (whole month, no proration)
 *   ingest    GB ingested in the period (10^9 bytes) x ingest price
 *   storage   GB-month stored: the sum over the period's days of the
 *             bytes stored that day, divided by the days of the month,
 *             x storage price; a day without a record counts as 0
 *   overage   only on plans that allow overage, only when non-zero:
 *             bytes ingested above the daily allowance, summed over the
 *             days, billed at the ingest price again (so an excess GB
 *             costs twice the normal rate); same for storage above the
 *             plan's storage limit, at the storage price again
 */
#ifndef VIGIE_CORE_INVOICE_H
#define VIGIE_CORE_INVOICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/plans.h"

#define INVOICE_GB         1000000000LL /* bytes */
#define INVOICE_LINES_MAX  5
#define INVOICE_PERIOD_LEN 8 /* "YYYY-MM" and a NUL */
#define INVOICE_TAX_BP_MAX 10000 /* basis points: 100 % */
#define INVOICE_DAY_LEN    11 /* "YYYY-MM-DD" and a NUL */

struct invoice_period {
	int year; /* 2000..9999 */
	int month; /* 1..12 */
};

enum invoice_line_kind {
	INVOICE_LINE_PLAN = 0,
	INVOICE_LINE_INGEST,
	INVOICE_LINE_STORAGE,
	INVOICE_LINE_OVERAGE_INGEST,
	INVOICE_LINE_OVERAGE_STORAGE,
};

/* The usage of one period, accumulated day by day. */
struct invoice_usage {
	int     days; /* days of the period */
	int64_t ingested_bytes;
	int64_t stored_byte_days;
	int64_t over_ingest_bytes; /* above the daily allowance */
	int64_t over_storage_byte_days; /* above the storage limit */
};

struct invoice_line {
	enum invoice_line_kind kind;
	const char            *code; /* "plan", "ingest", ... (static) */
	char                   description[96];
	int64_t                quantity_milli; /* thousandths of the unit */
	const char            *unit; /* "month", "GB", "GB-month" */
	int64_t                unit_price; /* minor units */
	int64_t                amount; /* minor units, rounded */
};

struct invoice_calc {
	struct invoice_line line[INVOICE_LINES_MAX];
	size_t              nlines;
	int64_t             subtotal;
	long                tax_bp;
	int64_t             taxes;
	int64_t             total;
};

bool invoice_period_parse(const char *text, struct invoice_period *);
void invoice_period_format(const struct invoice_period *, char out[8]);
int  invoice_period_days(const struct invoice_period *);
void invoice_period_of(long when, struct invoice_period *);
void invoice_period_prev(struct invoice_period *);
long invoice_period_start(const struct invoice_period *);
long invoice_period_end(const struct invoice_period *);
void invoice_period_day(const struct invoice_period *, int day, char out[11]);
int  invoice_period_day_of(const struct invoice_period *, const char *day);

void invoice_usage_init(struct invoice_usage *, const struct invoice_period *);
bool invoice_usage_add_day(struct invoice_usage *, const struct plan_limits *,
    int64_t ingested_bytes, int64_t stored_bytes);
bool invoice_usage_project(
    const struct invoice_usage *, int days_elapsed, struct invoice_usage *out);

bool invoice_compute(const struct plan *, const struct invoice_usage *,
    long tax_bp, struct invoice_calc *, char *err, size_t errlen);

#endif
