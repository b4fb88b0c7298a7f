/*
 * The organization's invoices and current bill (PERM_BILLING_READ):
 * /api/v1/invoices, /api/v1/invoices/{id}, /api/v1/invoices/{id}.pdf
 * (the PDF stored when the invoice was closed), /api/v1/billing/current;
 * and the platform administrators' on-demand close of a period,
 * /api/v1/admin/billing/close, which queues the worker's job. The work
 * is in service/billing.c and src/worker/billing.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/serve.h"
#include "core/invoice.h"
#include "service/account.h"
#include "service/billing.h"
#include "store/queue.h"

int api_invoices(struct http_request *);
int api_invoice(struct http_request *);
int api_invoice_pdf(struct http_request *);
int api_billing_current(struct http_request *);
int api_admin_billing_close(struct http_request *);

static void
invoices_answer(struct api_work *w, struct billing_outcome *o)
{
	switch (o->result) {
	case BILLING_OK:
		api_work_json(w, HTTP_STATUS_OK, o->body);
		o->body = NULL;
		break;
	case BILLING_NOT_FOUND:
		api_work_error(
		    w, HTTP_STATUS_NOT_FOUND, "not_found", "%s", o->message);
		break;
	case BILLING_UNAVAILABLE:
		api_work_error(w, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "service_unavailable", "%s", o->message);
		break;
	default:
		api_work_error(w, 422, "validation_failed", "%s", o->message);
		break;
	}
	billing_outcome_clear(o);
}

/*
 * The invoice id of the path (after prefix, up to suffix), or NULL after
 * answering 404: anything but an ObjectId is not found.
 */
static const char *
invoices_id_or_404(struct api_work *w, const char *suffix, char id[25])
{
	static const char prefix[] = "/api/v1/invoices/";
	size_t            len, slen = strlen(suffix);

	len = strlen(w->path);
	if (strncmp(w->path, prefix, sizeof(prefix) - 1) != 0 ||
	    len != sizeof(prefix) - 1 + 24 + slen ||
	    strcmp(w->path + len - slen, suffix) != 0) {
		api_work_error(
		    w, HTTP_STATUS_NOT_FOUND, "not_found", "no such invoice");
		return (NULL);
	}
	memcpy(id, w->path + sizeof(prefix) - 1, 24);
	id[24] = '\0';
	if (!tenant_id_check(id)) {
		api_work_error(
		    w, HTTP_STATUS_NOT_FOUND, "not_found", "no such invoice");
		return (NULL);
	}
	return (id);
}

static void
invoices_list_run(struct api_work *w)
{
	struct billing_outcome o;

	billing_invoice_list(&w->who.tenant, &o);
	invoices_answer(w, &o);
}

static void
invoices_get_run(struct api_work *w)
{
	struct billing_outcome o;
	char                   id[25];

	if (invoices_id_or_404(w, "", id) == NULL)
		return;
	billing_invoice_get(&w->who.tenant, id, &o);
	invoices_answer(w, &o);
}

static void
invoices_pdf_run(struct api_work *w)
{
	struct billing_outcome o;
	char                   id[25];

	if (invoices_id_or_404(w, ".pdf", id) == NULL)
		return;
	billing_invoice_pdf(&w->who.tenant, id, &w->raw, &o);
	if (o.result != BILLING_OK) {
		w->raw.len = 0;
		invoices_answer(w, &o);
		return;
	}
	billing_outcome_clear(&o);
	w->status = HTTP_STATUS_OK;
	w->content_type = "application/pdf";
	snprintf(w->disposition, sizeof(w->disposition),
	    "attachment; filename=\"invoice-%s.pdf\"", id);
}

static void
invoices_current_run(struct api_work *w)
{
	struct billing_outcome o;

	billing_current(&w->who.tenant, w->now, &o);
	invoices_answer(w, &o);
}

/* ---- administrators: close a period now ---------------------------------- */

static bool
invoices_period_rule(const char *v, char *why, size_t whylen)
{
	struct invoice_period p;

	if (invoice_period_parse(v, &p))
		return (true);
	snprintf(why, whylen, "must be a month written YYYY-MM");
	return (false);
}

static bool
invoices_tenant_rule(const char *v, char *why, size_t whylen)
{
	if (tenant_id_check(v))
		return (true);
	snprintf(why, whylen, "must be a tenant id (24 hex digits)");
	return (false);
}

static const struct field_rule invoices_close_rules[] = {
    {"period", FIELD_STRING, false, 7, 7, invoices_period_rule},
    {"tenant_id", FIELD_STRING, false, 24, 24, invoices_tenant_rule},
};

/*
 * Queues {"type":"billing-close", "period", "tenant_id"?}: one tenant,
 * or every tenant when none is named. The period defaults to the
 * previous month and must be over.
 */
static void
invoices_close_run(struct api_work *w)
{
	struct invoice_period p, now;
	struct tenant_ctx     ctx;
	const char           *tid;
	json_t               *job;
	char                  period[INVOICE_PERIOD_LEN], err[256], *text;
	bool                  found, ok;

	if (w->json == NULL)
		w->json = json_object();
	if (!api_work_body_or_error(w, invoices_close_rules,
		sizeof(invoices_close_rules) / sizeof(invoices_close_rules[0])))
		return;
	invoice_period_of(w->now, &now);
	if (!invoice_period_parse(
		json_string_value(json_object_get(w->json, "period")), &p)) {
		p = now;
		invoice_period_prev(&p);
	}
	if (invoice_period_end(&p) > w->now) {
		api_work_error(w, 422, "period_not_over",
		    "a period can be closed once it is over");
		return;
	}
	invoice_period_format(&p, period);
	tid = json_string_value(json_object_get(w->json, "tenant_id"));
	if (tid != NULL) {
		if (!account_tenant_load(tid, &ctx, &found, err, sizeof(err))) {
			api_work_store_error(w, "tenants", err);
			return;
		}
		if (!found) {
			api_work_error(w, HTTP_STATUS_NOT_FOUND, "not_found",
			    "no such tenant");
			return;
		}
	}
	job =
	    json_pack("{s:s, s:s}", "type", "billing-close", "period", period);
	if (tid != NULL)
		json_object_set_new(job, "tenant_id", json_string(tid));
	text = json_dumps(job, JSON_COMPACT);
	ok = text != NULL && queue_push(text, err, sizeof(err));
	free(text);
	if (!ok) {
		json_decref(job);
		api_work_store_error(w, "the job queue", err);
		return;
	}
	json_object_del(job, "type");
	json_object_set_new(job, "queued", json_true());
	api_work_json(w, HTTP_STATUS_ACCEPTED, job);
}

static const struct api_endpoint ep_invoices = {.route = ROUTE_INVOICES,
    .methods = HTTP_METHOD_GET,
    .auth = API_AUTH_USER,
    .perm = PERM_BILLING_READ,
    .run = invoices_list_run};
static const struct api_endpoint ep_invoice = {.route = ROUTE_INVOICE,
    .methods = HTTP_METHOD_GET,
    .auth = API_AUTH_USER,
    .perm = PERM_BILLING_READ,
    .run = invoices_get_run};
static const struct api_endpoint ep_invoice_pdf = {.route = ROUTE_INVOICE_PDF,
    .methods = HTTP_METHOD_GET,
    .auth = API_AUTH_USER,
    .perm = PERM_BILLING_READ,
    .run = invoices_pdf_run};
static const struct api_endpoint ep_current = {.route = ROUTE_BILLING_CURRENT,
    .methods = HTTP_METHOD_GET,
    .auth = API_AUTH_USER,
    .perm = PERM_BILLING_READ,
    .run = invoices_current_run};
static const struct api_endpoint ep_close = {.route = ROUTE_ADMIN_BILLING_CLOSE,
    .methods = HTTP_METHOD_POST,
    .auth = API_AUTH_ADMIN,
    .perm = PERM_NONE,
    .body_max = 1024,
    .run = invoices_close_run};

int
api_invoices(struct http_request *req)
{
	return (api_serve(req, &ep_invoices));
}

int
api_invoice(struct http_request *req)
{
	return (api_serve(req, &ep_invoice));
}

int
api_invoice_pdf(struct http_request *req)
{
	return (api_serve(req, &ep_invoice_pdf));
}

int
api_billing_current(struct http_request *req)
{
	return (api_serve(req, &ep_current));
}

int
api_admin_billing_close(struct http_request *req)
{
	return (api_serve(req, &ep_close));
}
