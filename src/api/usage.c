#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/usage.h"
#include "common/log.h"
#include "service/quotas.h"

int api_usage(struct http_request *);

#define USAGE_DAYS_DEFAULT 30

void
api_quota_refuse(
    struct api_work *w, const struct usage_outcome *o, bool es_style)
{
	json_t *body, *err;
	int     status;

	body = quota_error_body(o->limit, o->after, o->max, w->now);
	err = json_object_get(body, "error");
	if (quota_limit_daily(o->limit)) {
		status = 429;
		snprintf(w->retry_after, sizeof(w->retry_after), "%ld",
		    quota_retry_after(w->now));
	} else {
		status = HTTP_STATUS_FORBIDDEN;
	}
	if (es_style) {
		json_object_set_new(
		    err, "type", json_string("quota_exceeded_exception"));
		json_object_set(err, "reason", json_object_get(err, "message"));
		json_object_set_new(body, "status", json_integer(status));
	}
	api_work_json(w, status, body);
}

bool
api_quota_counts(const struct api_work *w)
{
	return (!w->ep->quota_exempt && quotas_enabled());
}

/*
 * Acts on a verdict: true to go on (admitted, or not checked because a
 * store failed: the quota is a commercial limit, not a security control,
 * so a failure lets the request through, logged), false after answering
 * a refusal.
 */
static bool
api_quota_verdict(struct api_work *w, enum quotas_verdict v,
    const struct usage_outcome *o, bool es_style, const char *what,
    const char *err)
{
	switch (v) {
	case QUOTAS_OK:
		return (true);
	case QUOTAS_EXCEEDED:
		api_quota_refuse(w, o, es_style);
		return (false);
	case QUOTAS_UNAVAILABLE:
		break;
	}
	log_emit(LOG_LEVEL_WARNING, "quotas", w->trace.trace_id,
	    json_pack(
		"{s:s, s:s}", "tenant_id", w->who.tenant.id, "error", err),
	    "%s quota not checked", what);
	return (true);
}

/*
 * After authentication (which usually counted the request already, in
 * the same Redis call as its own look-ups): refuses a request over the
 * day's allowance, warns at 80/95 %, and counts here only when
 * authentication could not (limits not cached yet, a failure).
 */
bool
api_quota_gate(struct api_work *w)
{
	struct usage_outcome o;
	enum quotas_verdict  v;
	char                 err[256];

	if (!api_quota_counts(w) ||
	    (w->who.kind != WHO_USER && w->who.kind != WHO_APIKEY))
		return (true);
	memset(&o, 0, sizeof(o));
	o.limit = QUOTA_API_REQUESTS;
	o.before = w->quota_before;
	o.after = w->quota_after;
	o.max = w->quota_max;
	switch (w->quota_state) {
	case 1:
		quotas_api_admitted(&w->who.tenant, &o, w->now);
		return (true);
	case 2:
		api_quota_refuse(w, &o, false);
		return (false);
	}
	err[0] = '\0';
	v = quotas_api_request(&w->who.tenant,
	    w->who.kind == WHO_USER ? w->who.user_id : NULL, w->now, &o, err,
	    sizeof(err));
	return (api_quota_verdict(w, v, &o, false, "API request", err));
}

bool
api_quota_ingest(struct api_work *w, long bytes, bool es_style, bool *counted)
{
	struct usage_outcome o;
	enum quotas_verdict  v;
	char                 err[256];

	*counted = false;
	if (!quotas_enabled())
		return (true);
	err[0] = '\0';
	v = quotas_ingest_begin(
	    &w->who.tenant, bytes, w->now, &o, err, sizeof(err));
	*counted = v == QUOTAS_OK;
	return (api_quota_verdict(w, v, &o, es_style, "ingest", err));
}

void
api_quota_ingest_done(struct api_work *w, bool counted, long bytes, long docs)
{
	if (counted)
		quotas_ingest_done(&w->who.tenant, bytes, docs, w->now);
}

/* ------------------------------------------------------ GET /api/v1/usage */

static void
usage_run(struct api_work *w)
{
	const char *s;
	json_t     *v, *body;
	char        err[256], *end;
	long        days;

	days = USAGE_DAYS_DEFAULT;
	if ((v = json_object_get(w->query, "days")) != NULL) {
		s = json_string_value(v);
		days = s != NULL && *s != '\0' ? strtol(s, &end, 10) : -1;
		if (s == NULL || *s == '\0' || *end != '\0' || days < 1 ||
		    days > QUOTAS_HISTORY_MAX) {
			api_work_error(w, HTTP_STATUS_BAD_REQUEST,
			    "invalid_query",
			    "days must be a whole number from 1 to %d, given "
			    "once",
			    QUOTAS_HISTORY_MAX);
			return;
		}
	}
	if (json_object_size(w->query) > (v != NULL ? 1u : 0u)) {
		api_work_error(w, HTTP_STATUS_BAD_REQUEST, "invalid_query",
		    "the only query argument is days");
		return;
	}
	if ((body = quotas_report(
		 &w->who.tenant, w->now, days, err, sizeof(err))) == NULL) {
		api_work_store_error(w, "usage", err);
		return;
	}
	api_work_json(w, HTTP_STATUS_OK, body);
}

/* Not counted: a tenant over its allowance can still see why. */
static const struct api_endpoint ep_usage = {ROUTE_USAGE, HTTP_METHOD_GET,
    API_AUTH_USER, PERM_BILLING_READ, 0, usage_run, false, true};

int
api_usage(struct http_request *req)
{
	return (api_serve(req, &ep_usage));
}
