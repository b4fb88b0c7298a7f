/*
 * Notification channels and the delivery log of the caller's
 * organization:
 *
 *   /api/v1/notification-channels            GET list, POST create
 *   /api/v1/notification-channels/{id}       GET, PATCH, DELETE
 *   /api/v1/notification-channels/{id}/test  POST: queue a test event
 *   /api/v1/notifications                    GET the delivery log
 *   /api/v1/notifications/dead               GET the dead letters
 *   /api/v1/notifications/{id}/retry         POST: send a dead letter again
 *
 * Any signed-in member reads; changing and testing channels takes
 * PERM_ALERTS_EDIT. Secrets are shown in full once, when made. The work
 * is in service/notify.c; deliveries run in the worker (src/worker/
 * notify.c), so the server never speaks SMTP or calls a webhook.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/serve.h"
#include "service/notify.h"

int api_notify_channels(struct http_request *);
int api_notify_channel(struct http_request *);
int api_notify_channel_test(struct http_request *);
int api_notifications(struct http_request *);
int api_notifications_dead(struct http_request *);
int api_notification_retry(struct http_request *);

#define NOTIFY_PAGE_MAX 200

static void
notify_answer(struct api_work *w, struct notify_outcome *o, int success)
{
	switch (o->result) {
	case NOTIFY_OK:
		api_work_json(w, success, o->body);
		o->body = NULL;
		break;
	case NOTIFY_INVALID:
		api_work_error(w, 422, "validation_failed", "%s", o->message);
		break;
	case NOTIFY_NOT_FOUND:
		api_work_error(
		    w, HTTP_STATUS_NOT_FOUND, "not_found", "%s", o->message);
		break;
	case NOTIFY_CONFLICT:
		api_work_error(
		    w, HTTP_STATUS_CONFLICT, "conflict", "%s", o->message);
		break;
	default:
		api_work_error(w, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "service_unavailable", "%s", o->message);
		break;
	}
	notify_outcome_clear(o);
}

static void
notify_audit(struct api_work *w, const char *action, struct notify_outcome *o)
{
	if (o->result != NOTIFY_OK || o->audit == NULL)
		return;
	api_audit(w, action, o->audit);
	o->audit = NULL;
}

/*
 * The channel id of the path, or NULL after answering 404 (Kore fills
 * no capture: see apikeys.c). suffix is what follows the id ("" or
 * "/test").
 */
static const char *
notify_id_or_404(struct api_work *w, const char *suffix, char id[25])
{
	static const char prefix[] = "/api/v1/notification-channels/";
	const char       *p;
	size_t            n;

	p = w->path + sizeof(prefix) - 1;
	n = strlen(p);
	if (strncmp(w->path, prefix, sizeof(prefix) - 1) != 0 ||
	    n != 24 + strlen(suffix) || strcmp(p + 24, suffix) != 0 ||
	    strspn(p, "0123456789abcdef") != 24) {
		api_work_error(w, HTTP_STATUS_NOT_FOUND, "not_found",
		    "no such notification channel");
		return (NULL);
	}
	memcpy(id, p, 24);
	id[24] = '\0';
	return (id);
}

/* ---- channels ---------------------------------------------------------------- */

static void
channels_list_run(struct api_work *w)
{
	struct notify_outcome o;

	notify_channel_list(&w->who.tenant, &o);
	notify_answer(w, &o, HTTP_STATUS_OK);
}

static const struct field_rule channel_create_rules[] = {
    {"name", FIELD_STRING, true, 1, 100, validate_name},
    {"type", FIELD_STRING, true, 1, 20, NULL},
    {"config", FIELD_OBJECT, true, 0, 0, NULL},
    {"enabled", FIELD_BOOLEAN, false, 0, 0, NULL},
};

static void
channels_create_run(struct api_work *w)
{
	struct notify_outcome o;

	if (!api_work_body_or_error(w, channel_create_rules,
		sizeof(channel_create_rules) / sizeof(channel_create_rules[0])))
		return;
	notify_channel_create(
	    &w->who.tenant, w->who.user_id, w->json, w->now, &o);
	notify_audit(w, "notification_channels.create", &o);
	if (o.result == NOTIFY_OK)
		snprintf(w->location, sizeof(w->location),
		    "/api/v1/notification-channels/%s",
		    json_string_value(json_object_get(o.body, "id")));
	notify_answer(w, &o, HTTP_STATUS_CREATED);
}

static void
channel_get_run(struct api_work *w)
{
	struct notify_outcome o;
	char                  id[25];

	if (notify_id_or_404(w, "", id) == NULL)
		return;
	notify_channel_get(&w->who.tenant, id, &o);
	notify_answer(w, &o, HTTP_STATUS_OK);
}

static const struct field_rule channel_update_rules[] = {
    {"name", FIELD_STRING, false, 1, 100, validate_name},
    {"type", FIELD_STRING, false, 1, 20, NULL},
    {"config", FIELD_OBJECT, false, 0, 0, NULL},
    {"enabled", FIELD_BOOLEAN, false, 0, 0, NULL},
    {"rotate_secret", FIELD_BOOLEAN, false, 0, 0, NULL},
};

static void
channel_update_run(struct api_work *w)
{
	struct notify_outcome o;
	char                  id[25];

	if (notify_id_or_404(w, "", id) == NULL)
		return;
	if (!api_work_body_or_error(w, channel_update_rules,
		sizeof(channel_update_rules) / sizeof(channel_update_rules[0])))
		return;
	notify_channel_update(&w->who.tenant, id, w->json, w->now, &o);
	notify_audit(w, "notification_channels.update", &o);
	notify_answer(w, &o, HTTP_STATUS_OK);
}

static void
channel_delete_run(struct api_work *w)
{
	struct notify_outcome o;
	char                  id[25];

	if (notify_id_or_404(w, "", id) == NULL)
		return;
	notify_channel_delete(&w->who.tenant, id, &o);
	notify_audit(w, "notification_channels.delete", &o);
	notify_answer(w, &o, HTTP_STATUS_OK);
}

static void
channel_test_run(struct api_work *w)
{
	struct notify_outcome o;
	char                  id[25];

	if (notify_id_or_404(w, "/test", id) == NULL)
		return;
	notify_channel_test(&w->who.tenant, id, w->who.email, &o);
	notify_audit(w, "notification_channels.test", &o);
	notify_answer(w, &o, HTTP_STATUS_ACCEPTED);
}

/* ---- delivery log ------------------------------------------------------------ */

static bool
notify_check_limit(const char *v, char *why, size_t whylen)
{
	char *end;
	long  n;

	n = strtol(v, &end, 10);
	if (*end != '\0' || n < 1 || n > NOTIFY_PAGE_MAX) {
		snprintf(why, whylen, "must be a number from 1 to %d",
		    NOTIFY_PAGE_MAX);
		return (false);
	}
	return (true);
}

static const struct field_rule deliveries_rules[] = {
    {"status", FIELD_STRING, false, 1, 20, NULL},
    {"channel_id", FIELD_STRING, false, 1, 24, NULL},
    {"event_id", FIELD_STRING, false, 1, NOTIFY_EVENT_ID_MAX, NULL},
    {"limit", FIELD_STRING, false, 1, 3, notify_check_limit},
};

static void
notify_deliveries(struct api_work *w, const char *status)
{
	struct validate_error err;
	struct notify_outcome o;
	const char           *limit;

	if (!validate_body(w->query, deliveries_rules,
		sizeof(deliveries_rules) / sizeof(deliveries_rules[0]), &err)) {
		api_work_error_details(w, 422, "validation_failed",
		    json_pack("{s:s}", "field", err.field), "%s %s", err.field,
		    err.message);
		return;
	}
	if (status == NULL)
		status = json_string_value(json_object_get(w->query, "status"));
	limit = json_string_value(json_object_get(w->query, "limit"));
	notify_delivery_list(&w->who.tenant, status,
	    json_string_value(json_object_get(w->query, "channel_id")),
	    json_string_value(json_object_get(w->query, "event_id")),
	    limit != NULL ? strtol(limit, NULL, 10) : 50, &o);
	notify_answer(w, &o, HTTP_STATUS_OK);
}

static void
deliveries_run(struct api_work *w)
{
	notify_deliveries(w, NULL);
}

static void
dead_run(struct api_work *w)
{
	notify_deliveries(w, "dead");
}

static void
retry_run(struct api_work *w)
{
	static const char     prefix[] = "/api/v1/notifications/";
	struct notify_outcome o;
	const char           *p;
	char                  id[25];

	p = w->path + sizeof(prefix) - 1;
	if (strncmp(w->path, prefix, sizeof(prefix) - 1) != 0 ||
	    strlen(p) != 24 + 6 || strcmp(p + 24, "/retry") != 0 ||
	    strspn(p, "0123456789abcdef") != 24) {
		api_work_error(w, HTTP_STATUS_NOT_FOUND, "not_found",
		    "no such notification");
		return;
	}
	memcpy(id, p, 24);
	id[24] = '\0';
	notify_delivery_retry(&w->who.tenant, id, &o);
	notify_audit(w, "notifications.retry", &o);
	notify_answer(w, &o, HTTP_STATUS_ACCEPTED);
}

/* ---- endpoints --------------------------------------------------------------- */

#define CHANNELS_METHODS (HTTP_METHOD_GET | HTTP_METHOD_POST)
#define CHANNEL_METHODS \
	(HTTP_METHOD_GET | HTTP_METHOD_PATCH | HTTP_METHOD_DELETE)

static const struct api_endpoint ep_channels_list = {
    .route = ROUTE_NOTIFY_CHANNELS,
    .methods = CHANNELS_METHODS,
    .auth = API_AUTH_USER,
    .perm = PERM_NONE,
    .run = channels_list_run};
static const struct api_endpoint ep_channels_create = {
    .route = ROUTE_NOTIFY_CHANNELS,
    .methods = CHANNELS_METHODS,
    .auth = API_AUTH_USER,
    .perm = PERM_ALERTS_EDIT,
    .run = channels_create_run};
static const struct api_endpoint ep_channel_get = {
    .route = ROUTE_NOTIFY_CHANNEL,
    .methods = CHANNEL_METHODS,
    .auth = API_AUTH_USER,
    .perm = PERM_NONE,
    .run = channel_get_run};
static const struct api_endpoint ep_channel_update = {
    .route = ROUTE_NOTIFY_CHANNEL,
    .methods = CHANNEL_METHODS,
    .auth = API_AUTH_USER,
    .perm = PERM_ALERTS_EDIT,
    .run = channel_update_run};
static const struct api_endpoint ep_channel_delete = {
    .route = ROUTE_NOTIFY_CHANNEL,
    .methods = CHANNEL_METHODS,
    .auth = API_AUTH_USER,
    .perm = PERM_ALERTS_EDIT,
    .run = channel_delete_run};
static const struct api_endpoint ep_channel_test = {
    .route = ROUTE_NOTIFY_CHANNEL_TEST,
    .methods = HTTP_METHOD_POST,
    .auth = API_AUTH_USER,
    .perm = PERM_ALERTS_EDIT,
    .run = channel_test_run};
static const struct api_endpoint ep_notifications = {
    .route = ROUTE_NOTIFICATIONS,
    .methods = HTTP_METHOD_GET,
    .auth = API_AUTH_USER,
    .perm = PERM_NONE,
    .run = deliveries_run};
static const struct api_endpoint ep_notifications_dead = {
    .route = ROUTE_NOTIFICATIONS_DEAD,
    .methods = HTTP_METHOD_GET,
    .auth = API_AUTH_USER,
    .perm = PERM_NONE,
    .run = dead_run};

static const struct api_endpoint ep_notification_retry = {
    .route = ROUTE_NOTIFICATION_RETRY,
    .methods = HTTP_METHOD_POST,
    .auth = API_AUTH_USER,
    .perm = PERM_ALERTS_EDIT,
    .run = retry_run};

int
api_notify_channels(struct http_request *req)
{
	return (api_serve(req,
	    req->method == HTTP_METHOD_POST ? &ep_channels_create
					    : &ep_channels_list));
}

int
api_notify_channel(struct http_request *req)
{
	const struct api_endpoint *ep;

	if (req->method == HTTP_METHOD_PATCH)
		ep = &ep_channel_update;
	else if (req->method == HTTP_METHOD_DELETE)
		ep = &ep_channel_delete;
	else
		ep = &ep_channel_get;
	return (api_serve(req, ep));
}

int
api_notify_channel_test(struct http_request *req)
{
	return (api_serve(req, &ep_channel_test));
}

int
api_notifications(struct http_request *req)
{
	return (api_serve(req, &ep_notifications));
}

int
api_notifications_dead(struct http_request *req)
{
	return (api_serve(req, &ep_notifications_dead));
}

int
api_notification_retry(struct http_request *req)
{
	return (api_serve(req, &ep_notification_retry));
}
