/*
 * Invoices, independent of HTTP: closing a month into a tenant's invoice
 * (idempotent: one invoice per tenant and period, whoever closes it and
 * however often), listing and reading invoices and their stored PDF, and
 * the current month's consumption with its projected amount.
 *
 * Usage comes from the tenant-scoped MongoDB collection usage_daily (one
 * document per UTC day, written by metering); prices from the tenant's
 * plan (tenants/plans.json); arithmetic from core/invoice.c. The PDF is
 * made once, when the invoice is closed, and stored under
 * VIGIE_DATA_DIR/invoices/<tenant id>/<invoice id>.pdf: an issued
 * invoice never changes, even if the branding or the plan does later.
 *
 * Calls block on the stores: task thread or worker.
 */
#ifndef VIGIE_SERVICE_BILLING_H
#define VIGIE_SERVICE_BILLING_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/invoice.h"
#include "core/settings.h"
#include "core/tenant.h"

enum billing_result {
	BILLING_OK = 0,
	BILLING_INVALID, /* bad input: message says why */
	BILLING_NOT_FOUND, /* no such invoice in the tenant */
	BILLING_SKIPPED, /* nothing to bill: period not over, tenant newer */
	BILLING_UNAVAILABLE, /* a store failed; nothing was left half-done */
};

/* body belongs to the caller: billing_outcome_clear(). */
struct billing_outcome {
	enum billing_result result;
	char                message[256];
	json_t             *body;
};

void billing_configure(const struct settings *);
void billing_outcome_clear(struct billing_outcome *);

void billing_close(const struct tenant_ctx *, const struct invoice_period *,
    long now, struct billing_outcome *);
void billing_invoice_list(const struct tenant_ctx *, struct billing_outcome *);
void billing_invoice_get(
    const struct tenant_ctx *, const char *id, struct billing_outcome *);
/* The stored PDF's bytes appended to out. */
void billing_invoice_pdf(const struct tenant_ctx *, const char *id,
    struct buf *out, struct billing_outcome *);
void
billing_current(const struct tenant_ctx *, long now, struct billing_outcome *);

#endif
