/*
 * Alerting over HTTP: alert rules (/api/v1/alert-rules...), alerts and
 * their actions (/api/v1/alerts...), and error-rate analytics
 * (/api/v1/analytics/error-rate). The work is in service/alerting_*.c.
 *
 * Reading needs logs.read (API keys with the read scope too); changing
 * rules, replaying and calibrating need alerts.edit; acknowledging,
 * resolving, snoozing and commenting need alerts.ack.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/serve.h"
#include "core/alert_life.h"
#include "core/search_query.h"
#include "service/alerting.h"

int api_alert_rules(struct http_request *);
int api_alert_rule(struct http_request *);
int api_alert_rules_test(struct http_request *);
int api_alert_rule_test(struct http_request *);
int api_alert_rules_calibrate(struct http_request *);
int api_alert_calibration(struct http_request *);
int api_alerts(struct http_request *);
int api_alerts_stats(struct http_request *);
int api_alert(struct http_request *);
int api_alert_action(struct http_request *);
int api_error_rate(struct http_request *);

#define ALERTS_PAGE_MAX  200
#define ALERTS_RANGE_MAX (7L * 86400)

static void
alerts_answer(struct api_work *w, struct alerting_outcome *o, int ok_status)
{
	switch (o->result) {
	case ALERTING_OK:
		if (o->body == NULL && ok_status == HTTP_STATUS_OK)
			ok_status = HTTP_STATUS_NO_CONTENT;
		api_work_json(w, ok_status, o->body);
		o->body = NULL;
		break;
	case ALERTING_INVALID:
		api_work_error_details(
		    w, 422, "validation_failed", o->details, "%s", o->message);
		o->details = NULL;
		break;
	case ALERTING_NOT_FOUND:
		api_work_error(
		    w, HTTP_STATUS_NOT_FOUND, "not_found", "%s", o->message);
		break;
	case ALERTING_CONFLICT:
		api_work_error(w, 409, "conflict", "%s", o->message);
		break;
	default:
		api_work_store_error(w, "alerting", o->message);
		break;
	}
	alerting_outcome_clear(o);
}

static void
alerts_audit(struct api_work *w, const char *action, struct alerting_outcome *o)
{
	if (o->result != ALERTING_OK || o->audit == NULL)
		return;
	api_audit(w, action, o->audit);
	o->audit = NULL;
}

static void
alerts_actor(const struct api_work *w, struct alerting_actor *a)
{
	a->tenant = &w->who.tenant;
	a->user_id = w->who.user_id[0] != '\0' ? w->who.user_id : w->who.key_id;
	a->name = w->who.name;
	a->now = w->now;
}

/* A single-valued query argument, def when absent, NULL when repeated. */
static const char *
alerts_arg(const struct api_work *w, const char *name, const char *def)
{
	json_t *v;

	if ((v = json_object_get(w->query, name)) == NULL)
		return (def);
	return (json_string_value(v));
}

static bool
alerts_bad_query(struct api_work *w, const char *name, const char *what)
{
	api_work_error_details(w, 400, "invalid_query",
	    json_pack("{s:s}", "field", name), "%s %s", name, what);
	return (false);
}

static bool
alerts_int_arg(struct api_work *w, const char *name, long def, long min,
    long max, long *out)
{
	const char *s;
	char       *end;

	*out = def;
	if (json_object_get(w->query, name) == NULL)
		return (true);
	if ((s = alerts_arg(w, name, NULL)) == NULL)
		return (alerts_bad_query(w, name, "is given twice"));
	*out = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || *out < min || *out > max) {
		api_work_error_details(w, 400, "invalid_query",
		    json_pack("{s:s}", "field", name),
		    "%s must be an integer from %ld to %ld", name, min, max);
		return (false);
	}
	return (true);
}

static bool
alerts_duration_arg(struct api_work *w, const char *name, long def, long min,
    long max, long *out)
{
	const char *s;

	*out = def;
	if (json_object_get(w->query, name) == NULL)
		return (true);
	if ((s = alerts_arg(w, name, NULL)) == NULL ||
	    !alert_duration_parse(s, out) || *out < min || *out > max) {
		api_work_error_details(w, 400, "invalid_query",
		    json_pack("{s:s}", "field", name),
		    "%s must be a duration such as \"5m\" from %lds to %lds",
		    name, min, max);
		return (false);
	}
	return (true);
}

/*
 * ISO 8601, "now" or "now-<duration>" (the search API's times), in
 * seconds; def when absent.
 */
static bool
alerts_time_arg(struct api_work *w, const char *name, long def, long *out)
{
	const char *s;
	int64_t     ms;

	*out = def;
	if (json_object_get(w->query, name) == NULL)
		return (true);
	s = alerts_arg(w, name, NULL);
	if (s == NULL || !search_time_parse(s, (int64_t)w->now * 1000, &ms))
		return (alerts_bad_query(w, name,
		    "must be an ISO 8601 time, \"now\" or \"now-<duration>\""));
	*out = (long)(ms / 1000);
	return (true);
}

/*
 * The id after prefix in the path, copied into id (25 bytes), or false
 * after answering 404. Kore's regex routes fill no captures.
 */
static bool
alerts_id_or_404(
    struct api_work *w, const char *prefix, char *id, const char *what)
{
	size_t      plen;
	const char *p, *end;

	plen = strlen(prefix);
	p = w->path + plen;
	end = strchr(p, '/');
	if (strncmp(w->path, prefix, plen) != 0 ||
	    (end != NULL ? (size_t)(end - p) : strlen(p)) != 24) {
		api_work_error(
		    w, HTTP_STATUS_NOT_FOUND, "not_found", "no such %s", what);
		return (false);
	}
	memcpy(id, p, 24);
	id[24] = '\0';
	if (!alerting_id_check(id)) {
		api_work_error(
		    w, HTTP_STATUS_NOT_FOUND, "not_found", "no such %s", what);
		return (false);
	}
	return (true);
}

static bool
alerts_body_or_error(struct api_work *w)
{
	if (json_is_object(w->json))
		return (true);
	api_work_error(
	    w, 400, "invalid_json", "the body must be a JSON object");
	return (false);
}

/* ---- rules --------------------------------------------------------------- */

static void
alerts_rules_list_run(struct api_work *w)
{
	struct alerting_outcome o;

	alert_rules_list(&w->who.tenant, &o);
	alerts_answer(w, &o, HTTP_STATUS_OK);
}

static void
alerts_rules_create_run(struct api_work *w)
{
	struct alerting_actor   a;
	struct alerting_outcome o;

	if (!alerts_body_or_error(w))
		return;
	alerts_actor(w, &a);
	alert_rules_create(&a, w->json, &o);
	alerts_audit(w, "alert_rules.create", &o);
	if (o.result == ALERTING_OK)
		snprintf(w->location, sizeof(w->location),
		    "/api/v1/alert-rules/%s",
		    json_string_value(json_object_get(o.body, "id")));
	alerts_answer(w, &o, HTTP_STATUS_CREATED);
}

static void
alerts_rule_run(struct api_work *w)
{
	struct alerting_actor   a;
	struct alerting_outcome o;
	char                    id[25];

	if (!alerts_id_or_404(w, "/api/v1/alert-rules/", id, "alert rule"))
		return;
	alerts_actor(w, &a);
	switch (w->method) {
	case HTTP_METHOD_PUT:
	case HTTP_METHOD_PATCH:
		if (!alerts_body_or_error(w))
			return;
		alert_rules_update(
		    &a, id, w->json, w->method == HTTP_METHOD_PATCH, &o);
		alerts_audit(w, "alert_rules.update", &o);
		break;
	case HTTP_METHOD_DELETE:
		alert_rules_delete(&a, id, &o);
		alerts_audit(w, "alert_rules.delete", &o);
		break;
	default:
		alert_rules_get(&w->who.tenant, id, &o);
		break;
	}
	alerts_answer(w, &o, HTTP_STATUS_OK);
}

static void
alerts_test(struct api_work *w, const json_t *rule, const char *id)
{
	struct alerting_outcome o;
	long                    range;

	if (!alerts_duration_arg(
		w, "range", 86400, 60, ALERTS_RANGE_MAX, &range))
		return;
	alert_eval_test(&w->who.tenant, rule, id, range, w->now, &o);
	alerts_answer(w, &o, HTTP_STATUS_OK);
}

static void
alerts_rules_test_run(struct api_work *w)
{
	if (alerts_body_or_error(w))
		alerts_test(w, w->json, NULL);
}

static void
alerts_rule_test_run(struct api_work *w)
{
	char id[25];

	if (alerts_id_or_404(w, "/api/v1/alert-rules/", id, "alert rule"))
		alerts_test(w, NULL, id);
}

/* ---- calibration ------------------------------------------------------- */

static const char *const calibrate_keys[] = {
    "history", "window", "target", "fit_share", "min_volume", "query"};

/* Reads the calibration parameters; false after answering 422. */
static bool
alerts_calibrate_params(struct api_work *w, json_t **params)
{
	const char *key, *s;
	json_t     *v, *q;
	double      target, fit;
	long        history, window, volume;
	size_t      i;

	json_object_foreach(w->json, key, v)
	{
		for (i = 0;
		     i < sizeof(calibrate_keys) / sizeof(*calibrate_keys); i++)
			if (strcmp(calibrate_keys[i], key) == 0)
				break;
		if (i == sizeof(calibrate_keys) / sizeof(*calibrate_keys)) {
			api_work_error_details(w, 422, "validation_failed",
			    json_pack("{s:s}", "field", key),
			    "%s is not a known field", key);
			return (false);
		}
	}
	s = json_string_value(json_object_get(w->json, "history"));
	if (s == NULL)
		s = "7d";
	if (!alert_duration_parse(s, &history) || history > 90L * 86400) {
		api_work_error_details(w, 422, "validation_failed",
		    json_pack("{s:s}", "field", "history"),
		    "history must be a duration of at most 90d");
		return (false);
	}
	s = json_string_value(json_object_get(w->json, "window"));
	if (!alert_duration_parse(s != NULL ? s : "5m", &window) ||
	    !alert_window_allowed(window)) {
		api_work_error_details(w, 422, "validation_failed",
		    json_pack("{s:s}", "field", "window"),
		    "window must be 5m, 15m, 1h or 24h");
		return (false);
	}
	v = json_object_get(w->json, "target");
	target = v != NULL ? json_number_value(v) : 0.01;
	v = json_object_get(w->json, "fit_share");
	fit = v != NULL ? json_number_value(v) : 0.5;
	v = json_object_get(w->json, "min_volume");
	volume = v != NULL ? (long)json_number_value(v) : 10;
	if (!(target > 0 && target <= 0.5) || !(fit >= 0.1 && fit <= 1) ||
	    volume < 1 || volume > 1000000) {
		api_work_error_details(w, 422, "validation_failed",
		    json_pack("{s:s}", "field", "target"),
		    "target must be in (0, 0.5], fit_share in [0.1, 1], "
		    "min_volume in [1, 1000000]");
		return (false);
	}
	q = json_object_get(w->json, "query");
	*params = json_pack("{s:I, s:I, s:f, s:f, s:I, s:O?, s:I}", "history_s",
	    (json_int_t)history, "window_s", (json_int_t)window, "target",
	    target, "fit_share", fit, "min_volume", (json_int_t)volume, "query",
	    q, "now", (json_int_t)w->now);
	return (true);
}

/* Queues the calibration for the worker; 202 with where to read it. */
static void
alerts_calibrate_async(struct api_work *w, json_t *params)
{
	struct alerting_outcome o;
	const char             *id;

	alert_analytics_calibrate_later(
	    &w->who.tenant, params, w->who.user_id, &o);
	if (o.result == ALERTING_OK) {
		id = json_string_value(json_object_get(o.body, "id"));
		snprintf(w->location, sizeof(w->location),
		    "/api/v1/alert-rules/calibrations/%s", id);
		json_object_set_new(o.body, "url", json_string(w->location));
	}
	alerts_answer(w, &o, 202);
}

static void
alerts_calibrate_run(struct api_work *w)
{
	struct alerting_outcome o;
	json_t                 *p;
	const char             *async;

	if (!alerts_body_or_error(w) || !alerts_calibrate_params(w, &p))
		return;
	async = alerts_arg(w, "async", "0");
	if (async != NULL && strcmp(async, "1") == 0) {
		alerts_calibrate_async(w, p);
		json_decref(p);
		return;
	}
	alert_analytics_calibrate(&w->who.tenant,
	    (long)json_integer_value(json_object_get(p, "history_s")),
	    (long)json_integer_value(json_object_get(p, "window_s")),
	    json_number_value(json_object_get(p, "target")),
	    json_number_value(json_object_get(p, "fit_share")),
	    (long)json_integer_value(json_object_get(p, "min_volume")),
	    json_object_get(p, "query"), w->now, &o);
	json_decref(p);
	alerts_answer(w, &o, HTTP_STATUS_OK);
}

static void
alerts_calibration_run(struct api_work *w)
{
	struct alerting_outcome o;
	char                    id[25];

	if (!alerts_id_or_404(
		w, "/api/v1/alert-rules/calibrations/", id, "calibration"))
		return;
	alert_analytics_calibration(&w->who.tenant, id, &o);
	alerts_answer(w, &o, HTTP_STATUS_OK);
}

/* ---- alerts ---------------------------------------------------------------- */

static void
alerts_list_run(struct api_work *w)
{
	struct alerting_outcome o;
	struct alert_filter     f;

	memset(&f, 0, sizeof(f));
	f.status = alerts_arg(w, "status", NULL);
	f.rule_id = alerts_arg(w, "rule_id", NULL);
	f.severity = alerts_arg(w, "severity", NULL);
	if (f.status != NULL && strcmp(f.status, "open") != 0 &&
	    (int)alert_status_parse(f.status) < 0) {
		alerts_bad_query(w, "status",
		    "must be firing, acknowledged, resolved or open");
		return;
	}
	if (f.severity != NULL && (int)alert_severity_parse(f.severity) < 0) {
		alerts_bad_query(
		    w, "severity", "must be low, medium, high or critical");
		return;
	}
	if (f.rule_id != NULL && !alerting_id_check(f.rule_id)) {
		alerts_bad_query(w, "rule_id", "must be a rule id");
		return;
	}
	if (!alerts_time_arg(w, "from", 0, &f.from) ||
	    !alerts_time_arg(w, "to", 0, &f.to) ||
	    !alerts_int_arg(w, "page", 1, 1, 100000, &f.page) ||
	    !alerts_int_arg(w, "size", 50, 1, ALERTS_PAGE_MAX, &f.size))
		return;
	alert_ops_list(&w->who.tenant, &f, &o);
	alerts_answer(w, &o, HTTP_STATUS_OK);
}

static void
alerts_stats_run(struct api_work *w)
{
	struct alerting_outcome o;
	long                    days;

	if (!alerts_int_arg(w, "days", 30, 1, 90, &days))
		return;
	alert_ops_stats(&w->who.tenant, days, w->now, &o);
	alerts_answer(w, &o, HTTP_STATUS_OK);
}

static void
alerts_get_run(struct api_work *w)
{
	struct alerting_outcome o;
	char                    id[25];

	if (!alerts_id_or_404(w, "/api/v1/alerts/", id, "alert"))
		return;
	alert_ops_get(&w->who.tenant, id, &o);
	alerts_answer(w, &o, HTTP_STATUS_OK);
}

static void
alerts_action_run(struct api_work *w)
{
	struct alerting_actor   a;
	struct alerting_outcome o;
	const char             *action;
	char                    id[25], audit[48];

	if (!alerts_id_or_404(w, "/api/v1/alerts/", id, "alert"))
		return;
	action = strrchr(w->path, '/') + 1;
	if (w->json != NULL && !json_is_object(w->json)) {
		api_work_error(
		    w, 400, "invalid_json", "the body must be a JSON object");
		return;
	}
	alerts_actor(w, &a);
	alert_ops_act(&a, id, action, w->json, &o);
	snprintf(audit, sizeof(audit), "alerts.%s", action);
	alerts_audit(w, audit, &o);
	alerts_answer(w, &o, HTTP_STATUS_OK);
}

/* ---- analytics ----------------------------------------------------------- */

static void
alerts_error_rate_run(struct api_work *w)
{
	struct alerting_outcome o;
	const char             *by;
	long                    from, to, window, step, volume;

	by = alerts_arg(w, "by", "global");
	if (by == NULL ||
	    (strcmp(by, "global") != 0 && strcmp(by, "url") != 0 &&
		strcmp(by, "user") != 0)) {
		alerts_bad_query(w, "by", "must be global, url or user");
		return;
	}
	if (!alerts_time_arg(w, "from", w->now - 86400, &from) ||
	    !alerts_time_arg(w, "to", w->now, &to) ||
	    !alerts_duration_arg(w, "step", 300, 60, 86400, &step) ||
	    !alerts_duration_arg(
		w, "window", step, step, 7L * 86400, &window) ||
	    !alerts_int_arg(w, "min_volume", 1, 1, 1000000000, &volume))
		return;
	if (window % step != 0) {
		alerts_bad_query(w, "window", "must be a multiple of step");
		return;
	}
	if (to <= from || to - from > 31L * 86400) {
		alerts_bad_query(
		    w, "from", "must come before to, within 31 days");
		return;
	}
	alert_analytics_error_rate(
	    &w->who.tenant, by, from, to, window, step, volume, &o);
	alerts_answer(w, &o, HTTP_STATUS_OK);
}

/* ---- endpoints ------------------------------------------------------------- */

#define EP(var, r, m, a, p, fn) \
	static const struct api_endpoint var = {.route = (r), \
	    .methods = (m), \
	    .auth = (a), \
	    .perm = (p), \
	    .run = (fn)}

#define RULES_M (HTTP_METHOD_GET | HTTP_METHOD_POST)
#define RULE_M \
	(HTTP_METHOD_GET | HTTP_METHOD_PUT | HTTP_METHOD_PATCH | \
	    HTTP_METHOD_DELETE)

EP(ep_rules_list, ROUTE_ALERT_RULES, RULES_M, API_AUTH_TOKEN, PERM_LOGS_READ,
    alerts_rules_list_run);
EP(ep_rules_create, ROUTE_ALERT_RULES, RULES_M, API_AUTH_USER, PERM_ALERTS_EDIT,
    alerts_rules_create_run);
EP(ep_rule_get, ROUTE_ALERT_RULE, RULE_M, API_AUTH_TOKEN, PERM_LOGS_READ,
    alerts_rule_run);
EP(ep_rule_change, ROUTE_ALERT_RULE, RULE_M, API_AUTH_USER, PERM_ALERTS_EDIT,
    alerts_rule_run);
EP(ep_rules_test, ROUTE_ALERT_RULES_TEST, HTTP_METHOD_POST, API_AUTH_USER,
    PERM_ALERTS_EDIT, alerts_rules_test_run);
EP(ep_rule_test, ROUTE_ALERT_RULE_TEST, HTTP_METHOD_POST, API_AUTH_USER,
    PERM_ALERTS_EDIT, alerts_rule_test_run);
EP(ep_calibrate, ROUTE_ALERT_RULES_CALIBRATE, HTTP_METHOD_POST, API_AUTH_USER,
    PERM_ALERTS_EDIT, alerts_calibrate_run);
EP(ep_calibration, ROUTE_ALERT_CALIBRATION, HTTP_METHOD_GET, API_AUTH_USER,
    PERM_ALERTS_EDIT, alerts_calibration_run);
EP(ep_alerts, ROUTE_ALERTS, HTTP_METHOD_GET, API_AUTH_TOKEN, PERM_LOGS_READ,
    alerts_list_run);
EP(ep_alerts_stats, ROUTE_ALERTS_STATS, HTTP_METHOD_GET, API_AUTH_TOKEN,
    PERM_LOGS_READ, alerts_stats_run);
EP(ep_alert, ROUTE_ALERT, HTTP_METHOD_GET, API_AUTH_TOKEN, PERM_LOGS_READ,
    alerts_get_run);
EP(ep_alert_action, ROUTE_ALERT_ACTION, HTTP_METHOD_POST, API_AUTH_USER,
    PERM_ALERTS_ACK, alerts_action_run);
EP(ep_error_rate, ROUTE_ERROR_RATE, HTTP_METHOD_GET, API_AUTH_TOKEN,
    PERM_LOGS_READ, alerts_error_rate_run);

int
api_alert_rules(struct http_request *req)
{
	return (api_serve(req,
	    req->method == HTTP_METHOD_POST ? &ep_rules_create
					    : &ep_rules_list));
}

int
api_alert_rule(struct http_request *req)
{
	return (api_serve(req,
	    req->method == HTTP_METHOD_GET ? &ep_rule_get : &ep_rule_change));
}

int
api_alert_rules_test(struct http_request *req)
{
	return (api_serve(req, &ep_rules_test));
}

int
api_alert_rule_test(struct http_request *req)
{
	return (api_serve(req, &ep_rule_test));
}

int
api_alert_rules_calibrate(struct http_request *req)
{
	return (api_serve(req, &ep_calibrate));
}

int
api_alert_calibration(struct http_request *req)
{
	return (api_serve(req, &ep_calibration));
}

int
api_alerts(struct http_request *req)
{
	return (api_serve(req, &ep_alerts));
}

int
api_alerts_stats(struct http_request *req)
{
	return (api_serve(req, &ep_alerts_stats));
}

int
api_alert(struct http_request *req)
{
	return (api_serve(req, &ep_alert));
}

int
api_alert_action(struct http_request *req)
{
	return (api_serve(req, &ep_alert_action));
}

int
api_error_rate(struct http_request *req)
{
	return (api_serve(req, &ep_error_rate));
}
