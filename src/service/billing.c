#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/env.h"
#include "common/log.h"
#include "core/digest.h"
#include "core/money.h"
#include "core/text.h"
#include "service/billing.h"
#include "service/branding.h"
#include "service/files.h"
#include "service/invoice_pdf.h"
#include "service/members.h"
#include "store/metadb.h"

#define BILLING_ATTEMPTS 5
#define BILLING_PDF_MAX  (16 * 1024 * 1024)

static long billing_tax_bp = 2000;
static char billing_issuer[SETTINGS_STR_MAX] = "Vigie";
static char billing_root[SETTINGS_STR_MAX + 16] = "var/data/invoices";

void
billing_configure(const struct settings *s)
{
	billing_tax_bp = s->billing_tax_bp;
	snprintf(
	    billing_issuer, sizeof(billing_issuer), "%s", s->billing_issuer);
	snprintf(
	    billing_root, sizeof(billing_root), "%s/invoices", s->data_dir);
}

void
billing_outcome_clear(struct billing_outcome *o)
{
	json_decref(o->body);
	o->body = NULL;
}

static void
billing_set(
    struct billing_outcome *o, enum billing_result r, const char *message)
{
	o->result = r;
	snprintf(o->message, sizeof(o->message), "%s", message);
}

static void
billing_unavailable(struct billing_outcome *o, const struct tenant_ctx *ctx,
    const char *what, const char *err)
{
	log_emit(LOG_LEVEL_ERROR, "billing", NULL,
	    json_pack("{s:s, s:s, s:s}", "tenant_id", ctx->id, "what", what,
		"error", err),
	    "store failure: %s", what);
	json_decref(o->body);
	o->body = NULL;
	billing_set(o, BILLING_UNAVAILABLE,
	    "billing is unavailable now; try again shortly");
}

/* A stored count: integers as they are, reals rounded, others 0. */
static int64_t
billing_count(const json_t *v)
{
	if (json_is_integer(v))
		return ((int64_t)json_integer_value(v));
	if (json_is_real(v) && json_real_value(v) >= 0 &&
	    json_real_value(v) < 9e18)
		return ((int64_t)(json_real_value(v) + 0.5));
	return (0);
}

/*
 * Reads the usage_daily records of days 1..upto of the period into u and
 * returns the days as [{day, ingested_bytes, stored_bytes}] (every day,
 * 0 where no record). A day with several records counts the largest.
 */
static json_t *
billing_usage_read(const struct tenant_ctx *ctx, const struct invoice_period *p,
    int upto, const struct plan_limits *lim, struct invoice_usage *u, char *err,
    size_t errlen)
{
	enum metadb_status st;
	int64_t            in[32] = {0}, stored[32] = {0}, v;
	json_t            *filter, *sort, *docs, *doc, *days;
	char               first[INVOICE_DAY_LEN], last[INVOICE_DAY_LEN];
	size_t             i;
	int                d;

	invoice_period_day(p, 1, first);
	invoice_period_day(p, upto, last);
	filter =
	    json_pack("{s:{s:s, s:s}}", "day", "$gte", first, "$lte", last);
	sort = json_pack("{s:i}", "day", 1);
	docs = metadb_find(
	    ctx, "usage_daily", filter, sort, 0, 0, &st, err, errlen);
	json_decref(filter);
	json_decref(sort);
	if (st != METADB_OK) {
		json_decref(docs);
		return (NULL);
	}
	json_array_foreach(docs, i, doc)
	{
		d = invoice_period_day_of(
		    p, json_string_value(json_object_get(doc, "day")));
		if (d == 0 || d > upto)
			continue;
		if ((v = billing_count(
			 json_object_get(doc, "ingested_bytes"))) > in[d])
			in[d] = v;
		if ((v = billing_count(json_object_get(doc, "stored_bytes"))) >
		    stored[d])
			stored[d] = v;
	}
	json_decref(docs);
	invoice_usage_init(u, p);
	days = json_array();
	for (d = 1; d <= upto; d++) {
		if (!invoice_usage_add_day(u, lim, in[d], stored[d])) {
			snprintf(err, errlen, "usage too large to add up");
			json_decref(days);
			return (NULL);
		}
		invoice_period_day(p, d, first);
		json_array_append_new(days,
		    json_pack("{s:s, s:I, s:I}", "day", first, "ingested_bytes",
			(json_int_t)in[d], "stored_bytes",
			(json_int_t)stored[d]));
	}
	return (days);
}

static json_t *
billing_lines_json(const struct invoice_calc *c)
{
	json_t *lines;
	char    qty[32];
	size_t  i;

	lines = json_array();
	for (i = 0; i < c->nlines; i++) {
		(void)money_format_milli(
		    c->line[i].quantity_milli, qty, sizeof(qty));
		json_array_append_new(lines,
		    json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "code",
			c->line[i].code, "description", c->line[i].description,
			"quantity", qty, "unit", c->line[i].unit, "unit_price",
			(json_int_t)c->line[i].unit_price, "amount",
			(json_int_t)c->line[i].amount));
	}
	return (lines);
}

/* {lines, subtotal, tax_rate_bp, taxes, total} of a computation. */
static json_t *
billing_calc_json(const struct invoice_calc *c)
{
	return (json_pack("{s:o, s:I, s:i, s:I, s:I}", "lines",
	    billing_lines_json(c), "subtotal", (json_int_t)c->subtotal,
	    "tax_rate_bp", (int)c->tax_bp, "taxes", (json_int_t)c->taxes,
	    "total", (json_int_t)c->total));
}

/* What the API shows of a stored invoice; full adds lines and usage. */
static json_t *
billing_public(const json_t *doc, bool full)
{
	static const char *const brief[] = {"id", "number", "sequence",
	    "period", "period_start", "period_end", "status", "currency",
	    "plan", "plan_name", "subtotal", "tax_rate_bp", "taxes", "total",
	    "issued_at"};
	static const char *const more[] = {
	    "lines", "bill_to", "issuer", "usage", "pdf"};
	json_t *out;
	char    url[64];
	size_t  i;

	out = json_object();
	for (i = 0; i < sizeof(brief) / sizeof(brief[0]); i++)
		json_object_set(out, brief[i], json_object_get(doc, brief[i]));
	for (i = 0; full && i < sizeof(more) / sizeof(more[0]); i++)
		json_object_set(out, more[i], json_object_get(doc, more[i]));
	snprintf(url, sizeof(url), "/api/v1/invoices/%s.pdf",
	    json_string_value(json_object_get(doc, "id")));
	json_object_set_new(out, "pdf_url", json_string(url));
	return (out);
}

static bool
billing_pdf_path(
    const struct tenant_ctx *ctx, const char *id, char *out, size_t outlen)
{
	return (tenant_ctx_check(ctx) && tenant_id_check(id) &&
	    snprintf(out, outlen, "%s/%s/%s.pdf", billing_root, ctx->id, id) <
		(int)outlen);
}

/* Writes the PDF under a temporary name, syncs it, renames it in place. */
static bool
billing_pdf_write(const struct tenant_ctx *ctx, const char *id,
    const struct buf *pdf, char *err, size_t errlen)
{
	char    dir[SETTINGS_STR_MAX + 64], path[SETTINGS_STR_MAX + 96];
	char    part[sizeof(path) + 8];
	size_t  off;
	ssize_t n;
	int     fd;

	snprintf(dir, sizeof(dir), "%s/%s", billing_root, ctx->id);
	if (!files_mkdir_p(dir, err, errlen) ||
	    !billing_pdf_path(ctx, id, path, sizeof(path)))
		return (false);
	snprintf(part, sizeof(part), "%s.part", path);
	if ((fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) ==
	    -1) {
		snprintf(err, errlen, "open %s: %s", part, strerror(errno));
		return (false);
	}
	for (off = 0; off < pdf->len; off += (size_t)n) {
		if ((n = write(fd, pdf->data + off, pdf->len - off)) <= 0) {
			snprintf(err, errlen, "write: %s", strerror(errno));
			close(fd);
			unlink(part);
			return (false);
		}
	}
	if (fsync(fd) == -1 || close(fd) == -1 || rename(part, path) == -1) {
		snprintf(err, errlen, "store %s: %s", path, strerror(errno));
		unlink(part);
		return (false);
	}
	return (true);
}

static void
billing_pdf_remove(const struct tenant_ctx *ctx, const char *id)
{
	char path[SETTINGS_STR_MAX + 96];

	if (billing_pdf_path(ctx, id, path, sizeof(path)))
		(void)unlink(path);
}

/* The tenant's invoice of a period: NULL with st NOT_FOUND if none. */
static json_t *
billing_find_period(const struct tenant_ctx *ctx, const char *period,
    enum metadb_status *st, char *err, size_t errlen)
{
	json_t *filter, *doc;

	filter = json_pack("{s:s}", "period", period);
	doc = metadb_find_one(ctx, "invoices", filter, st, err, errlen);
	json_decref(filter);
	return (doc);
}

/* Everything a close needs before numbering: plan, usage, branding. */
struct billing_draft {
	const struct plan *plan;
	struct plan_limits limits; /* the plan's, with the tenant's overrides */
	struct invoice_calc  calc;
	json_t              *usage_days;
	struct invoice_usage usage;
	struct branding      brand;
	struct buf           logo;
};

static void
billing_draft_free(struct billing_draft *d)
{
	json_decref(d->usage_days);
	buf_free(&d->logo);
}

/*
 * The invoice document for sequence seq with id, as stored (the PDF
 * fields are added once it is rendered).
 */
static json_t *
billing_doc(const struct tenant_ctx *ctx, const struct invoice_period *p,
    const struct billing_draft *d, long seq, const char *id, long now)
{
	const struct plans *plans = members_plans();
	char                period[INVOICE_PERIOD_LEN], first[INVOICE_DAY_LEN];
	char                last[INVOICE_DAY_LEN], number[80], when[32];
	json_t             *doc, *head;

	invoice_period_format(p, period);
	invoice_period_day(p, 1, first);
	invoice_period_day(p, invoice_period_days(p), last);
	snprintf(number, sizeof(number), "INV-%s-%05ld", ctx->slug, seq);
	text_iso8601(now, when, sizeof(when));
	head = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	    "id", id, "number", number, "sequence", (json_int_t)seq, "period",
	    period, "period_start", first, "period_end", last, "status",
	    "issued", "currency", plans != NULL ? plans->currency : "EUR",
	    "plan", d->plan->name, "plan_name", d->plan->display_name);
	json_object_set_new(head, "bill_to",
	    json_pack("{s:s, s:s}", "name", d->brand.display_name, "address",
		d->brand.billing_address));
	json_object_set_new(head, "issuer", json_string(billing_issuer));
	json_object_set_new(head, "usage",
	    json_pack("{s:I, s:I, s:O}", "ingested_bytes",
		(json_int_t)d->usage.ingested_bytes, "stored_byte_days",
		(json_int_t)d->usage.stored_byte_days, "days", d->usage_days));
	json_object_set_new(head, "issued_at", json_string(when));
	json_object_set_new(head, "created_at", json_string(when));
	doc = billing_calc_json(&d->calc);
	json_object_update(doc, head);
	json_decref(head);
	return (doc);
}

/*
 * The plan's limits with the tenant's overrides of the two the invoice
 * uses (an administrator's "overrides" on the tenant record:
 * ingest_gb_per_day, storage_gb), so that overage starts where the
 * quotas do. False when the tenant record cannot be read.
 */
static bool
billing_limits(const struct tenant_ctx *ctx, const struct plan *plan,
    struct plan_limits *out, char *err, size_t errlen)
{
	enum metadb_status st;
	json_t            *filter, *doc, *over, *v;

	*out = plan->limits;
	filter = json_pack("{s:s}", "id", ctx->id);
	doc = metadb_platform_find_one("tenants", filter, &st, err, errlen);
	json_decref(filter);
	if (st != METADB_OK && st != METADB_NOT_FOUND)
		return (false);
	over = json_object_get(doc, "overrides");
	if (json_is_number(v = json_object_get(over, "ingest_gb_per_day")) &&
	    json_number_value(v) >= 0)
		out->ingest_gb_per_day = json_number_value(v);
	if (json_is_number(v = json_object_get(over, "storage_gb")) &&
	    json_number_value(v) >= 0)
		out->storage_gb = json_number_value(v);
	json_decref(doc);
	return (true);
}

/* Plan, usage of the whole period, priced lines, branding and logo. */
static bool
billing_draft_make(const struct tenant_ctx *ctx, const struct invoice_period *p,
    struct billing_draft *d, char *err, size_t errlen)
{
	struct branding_outcome bo;
	char                    type[16];

	memset(d, 0, sizeof(*d));
	buf_init(&d->logo, 1024);
	if ((d->plan = members_plan_of(ctx)) == NULL) {
		snprintf(err, errlen, "plans not loaded");
		return (false);
	}
	if (!billing_limits(ctx, d->plan, &d->limits, err, errlen))
		return (false);
	d->usage_days = billing_usage_read(
	    ctx, p, invoice_period_days(p), &d->limits, &d->usage, err, errlen);
	if (d->usage_days == NULL ||
	    !invoice_compute(
		d->plan, &d->usage, billing_tax_bp, &d->calc, err, errlen) ||
	    !branding_get(ctx, &d->brand, err, errlen))
		return (false);
	if (d->brand.has_logo) {
		branding_logo_get(ctx, &d->logo, type, &bo);
		if (bo.result == BRANDING_UNAVAILABLE) {
			snprintf(err, errlen, "logo: %s", bo.message);
			return (false);
		}
	}
	return (true);
}

/* The highest sequence number used by the tenant, 0 if none; -1 error. */
static long
billing_last_sequence(const struct tenant_ctx *ctx, char *err, size_t errlen)
{
	enum metadb_status st;
	json_t            *sort, *docs;
	long               seq;

	sort = json_pack("{s:i}", "sequence", -1);
	docs = metadb_find(ctx, "invoices", NULL, sort, 0, 1, &st, err, errlen);
	json_decref(sort);
	if (st != METADB_OK) {
		json_decref(docs);
		return (-1);
	}
	seq = (long)json_integer_value(
	    json_object_get(json_array_get(docs, 0), "sequence"));
	json_decref(docs);
	return (seq);
}

/* Renders and stores the PDF of doc, then records its size and digest. */
static bool
billing_pdf_make(const struct tenant_ctx *ctx, json_t *doc,
    const struct billing_draft *d, char *err, size_t errlen)
{
	struct invoice_pdf_input in;
	struct buf               pdf;
	char                     sha[DIGEST_HEX_LEN + 1];
	bool                     ok;

	memset(&in, 0, sizeof(in));
	in.invoice = doc;
	in.brand = &d->brand;
	in.logo = d->logo.len > 0 ? (const unsigned char *)d->logo.data : NULL;
	in.logo_len = d->logo.len;
	in.issuer = billing_issuer;
	buf_init(&pdf, 64 * 1024);
	ok = invoice_pdf_render(&in, &pdf, err, errlen) &&
	    billing_pdf_write(ctx,
		json_string_value(json_object_get(doc, "id")), &pdf, err,
		errlen);
	if (ok) {
		digest_sha256_hex(pdf.data, pdf.len, sha);
		json_object_set_new(doc, "pdf",
		    json_pack("{s:I, s:s}", "size", (json_int_t)pdf.len,
			"sha256", sha));
	}
	buf_free(&pdf);
	return (ok);
}

/*
 * Tries to record the invoice with the next sequence number. Returns 1
 * when recorded or found recorded by someone else (o->body set), 0 to
 * try again (another period took the number), -1 on failure (o set).
 */
static int
billing_close_once(const struct tenant_ctx *ctx, const struct invoice_period *p,
    const struct billing_draft *d, long now, struct billing_outcome *o)
{
	enum metadb_status st;
	json_t            *doc, *existing;
	char               id[25], err[256], period[INVOICE_PERIOD_LEN];
	long               seq;

	invoice_period_format(p, period);
	if ((seq = billing_last_sequence(ctx, err, sizeof(err))) < 0) {
		billing_unavailable(o, ctx, "invoices", err);
		return (-1);
	}
	env_random_hex(id, 12);
	doc = billing_doc(ctx, p, d, seq + 1, id, now);
	if (!billing_pdf_make(ctx, doc, d, err, sizeof(err))) {
		json_decref(doc);
		billing_unavailable(o, ctx, "invoice pdf", err);
		return (-1);
	}
	st = metadb_insert(ctx, "invoices", doc, NULL, err, sizeof(err));
	if (st == METADB_OK) {
		o->body = billing_public(doc, true);
		json_decref(doc);
		log_emit(LOG_LEVEL_INFO, "billing", NULL,
		    json_pack("{s:s, s:s, s:s, s:I}", "tenant_id", ctx->id,
			"period", period, "invoice_id", id, "sequence",
			(json_int_t)seq + 1),
		    "invoice issued");
		return (1);
	}
	json_decref(doc);
	billing_pdf_remove(ctx, id);
	if (st != METADB_DUPLICATE) {
		billing_unavailable(o, ctx, "invoices", err);
		return (-1);
	}
	existing = billing_find_period(ctx, period, &st, err, sizeof(err));
	if (st == METADB_OK) {
		o->body = billing_public(existing, true);
		json_decref(existing);
		return (1);
	}
	if (st != METADB_NOT_FOUND) {
		billing_unavailable(o, ctx, "invoices", err);
		return (-1);
	}
	return (0);
}

/* Whether the tenant existed before the period ended. */
static bool
billing_tenant_existed(const struct tenant_ctx *ctx,
    const struct invoice_period *p, bool *existed, char *err, size_t errlen)
{
	enum metadb_status st;
	const char        *created;
	json_t            *filter, *doc;
	char               end[32];

	filter = json_pack("{s:s}", "id", ctx->id);
	doc = metadb_platform_find_one("tenants", filter, &st, err, errlen);
	json_decref(filter);
	if (st != METADB_OK && st != METADB_NOT_FOUND)
		return (false);
	text_iso8601(invoice_period_end(p), end, sizeof(end));
	created = json_string_value(json_object_get(doc, "created_at"));
	*existed =
	    st == METADB_OK && created != NULL && strcmp(created, end) < 0;
	json_decref(doc);
	return (true);
}

void
billing_close(const struct tenant_ctx *ctx, const struct invoice_period *p,
    long now, struct billing_outcome *o)
{
	struct billing_draft d;
	enum metadb_status   st;
	json_t              *existing;
	char                 err[256], period[INVOICE_PERIOD_LEN];
	bool                 existed;
	int                  attempt, r;

	memset(o, 0, sizeof(*o));
	invoice_period_format(p, period);
	if (invoice_period_end(p) > now) {
		billing_set(o, BILLING_SKIPPED, "the period is not over yet");
		return;
	}
	existing = billing_find_period(ctx, period, &st, err, sizeof(err));
	if (st == METADB_OK) {
		o->body = billing_public(existing, true);
		json_decref(existing);
		return;
	}
	if (st != METADB_NOT_FOUND) {
		billing_unavailable(o, ctx, "invoices", err);
		return;
	}
	if (!billing_tenant_existed(ctx, p, &existed, err, sizeof(err))) {
		billing_unavailable(o, ctx, "tenants", err);
		return;
	}
	if (!existed) {
		billing_set(o, BILLING_SKIPPED,
		    "the organization did not exist during this period");
		return;
	}
	if (!billing_draft_make(ctx, p, &d, err, sizeof(err))) {
		billing_draft_free(&d);
		billing_unavailable(o, ctx, "invoice data", err);
		return;
	}
	r = 0;
	for (attempt = 0; attempt < BILLING_ATTEMPTS && r == 0; attempt++)
		r = billing_close_once(ctx, p, &d, now, o);
	billing_draft_free(&d);
	if (r == 0)
		billing_unavailable(
		    o, ctx, "invoices", "numbering kept colliding");
}

/* ---- reading ----------------------------------------------------------- */

void
billing_invoice_list(const struct tenant_ctx *ctx, struct billing_outcome *o)
{
	enum metadb_status st;
	json_t            *sort, *docs, *doc, *items;
	char               err[256];
	size_t             i;

	memset(o, 0, sizeof(*o));
	sort = json_pack("{s:i}", "period", -1);
	docs = metadb_find(
	    ctx, "invoices", NULL, sort, 0, 0, &st, err, sizeof(err));
	json_decref(sort);
	if (st != METADB_OK) {
		json_decref(docs);
		billing_unavailable(o, ctx, "invoices", err);
		return;
	}
	items = json_array();
	json_array_foreach(docs, i, doc)
	    json_array_append_new(items, billing_public(doc, false));
	json_decref(docs);
	o->body = json_pack("{s:o, s:I}", "invoices", items, "total",
	    (json_int_t)json_array_size(items));
}

/* The stored invoice by id; sets NOT_FOUND or UNAVAILABLE otherwise. */
static json_t *
billing_fetch(
    const struct tenant_ctx *ctx, const char *id, struct billing_outcome *o)
{
	enum metadb_status st;
	json_t            *filter, *doc;
	char               err[256];

	memset(o, 0, sizeof(*o));
	if (!tenant_id_check(id)) {
		billing_set(o, BILLING_NOT_FOUND, "no such invoice");
		return (NULL);
	}
	filter = json_pack("{s:s}", "id", id);
	doc = metadb_find_one(ctx, "invoices", filter, &st, err, sizeof(err));
	json_decref(filter);
	if (st == METADB_NOT_FOUND)
		billing_set(o, BILLING_NOT_FOUND, "no such invoice");
	else if (st != METADB_OK)
		billing_unavailable(o, ctx, "invoices", err);
	return (st == METADB_OK ? doc : NULL);
}

void
billing_invoice_get(
    const struct tenant_ctx *ctx, const char *id, struct billing_outcome *o)
{
	json_t *doc;

	if ((doc = billing_fetch(ctx, id, o)) == NULL)
		return;
	o->body = billing_public(doc, true);
	json_decref(doc);
}

void
billing_invoice_pdf(const struct tenant_ctx *ctx, const char *id,
    struct buf *out, struct billing_outcome *o)
{
	struct stat sb;
	json_t     *doc;
	char        path[SETTINGS_STR_MAX + 96], chunk[65536], err[256];
	ssize_t     n;
	int         fd;

	/* The record first: the file of another tenant's id is never read. */
	if ((doc = billing_fetch(ctx, id, o)) == NULL)
		return;
	json_decref(doc);
	if (!billing_pdf_path(ctx, id, path, sizeof(path)) ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(
		    err, sizeof(err), "open invoice pdf: %s", strerror(errno));
		billing_unavailable(o, ctx, "invoice pdf", err);
		return;
	}
	if (fstat(fd, &sb) == -1 || sb.st_size > BILLING_PDF_MAX) {
		close(fd);
		billing_unavailable(o, ctx, "invoice pdf", "unreadable file");
		return;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_append(out, chunk, (size_t)n);
	close(fd);
	if (n < 0) {
		billing_unavailable(o, ctx, "invoice pdf", strerror(errno));
		return;
	}
}

/* ---- the current month ------------------------------------------------- */

void
billing_current(
    const struct tenant_ctx *ctx, long now, struct billing_outcome *o)
{
	const struct plans   *plans = members_plans();
	const struct plan    *plan;
	struct plan_limits    limits;
	struct invoice_period p;
	struct invoice_usage  u, proj;
	struct invoice_calc   to_date, projected;
	json_t               *days;
	char                  err[256], period[INVOICE_PERIOD_LEN];
	int                   today;

	memset(o, 0, sizeof(*o));
	if ((plan = members_plan_of(ctx)) == NULL) {
		billing_unavailable(o, ctx, "plans", "plans not loaded");
		return;
	}
	if (!billing_limits(ctx, plan, &limits, err, sizeof(err))) {
		billing_unavailable(o, ctx, "tenants", err);
		return;
	}
	invoice_period_of(now, &p);
	invoice_period_format(&p, period);
	today = (int)((now - invoice_period_start(&p)) / 86400) + 1;
	days =
	    billing_usage_read(ctx, &p, today, &limits, &u, err, sizeof(err));
	if (days == NULL) {
		billing_unavailable(o, ctx, "usage_daily", err);
		return;
	}
	if (!invoice_compute(
		plan, &u, billing_tax_bp, &to_date, err, sizeof(err)) ||
	    !invoice_usage_project(&u, today, &proj) ||
	    !invoice_compute(
		plan, &proj, billing_tax_bp, &projected, err, sizeof(err))) {
		json_decref(days);
		billing_unavailable(o, ctx, "billing", "amounts too large");
		return;
	}
	o->body = json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:o, s:o, s:o}",
	    "period", period, "currency",
	    plans != NULL ? plans->currency : "EUR", "plan", plan->name,
	    "plan_name", plan->display_name, "days_elapsed", today,
	    "days_in_period", u.days, "to_date", billing_calc_json(&to_date),
	    "projected", billing_calc_json(&projected), "usage", days);
}
