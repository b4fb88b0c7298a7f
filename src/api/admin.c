/*
 * The platform administrators' API (organizations: list, read, suspend,
 * reactivate, change plan) and their console page. Only administrator
 * tokens (audience vigie-admin) reach these endpoints. The work is in
 * service/platform.c; this file maps requests and outcomes to HTTP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/serve.h"
#include "service/platform.h"

#define ADMIN_PAGE_FILE      "assets/admin.html"
#define ADMIN_TENANTS_PREFIX "/api/v1/admin/tenants/"

int api_admin_tenants(struct http_request *);
int api_admin_tenant(struct http_request *);
int api_admin_tenant_action(struct http_request *);
int page_admin(struct http_request *);

/* Answers a platform outcome; the body is handed to the work. */
static void
admin_answer(struct api_work *w, struct platform_outcome *o)
{
	switch (o->result) {
	case PLATFORM_OK:
		api_work_json(w, HTTP_STATUS_OK, o->body);
		o->body = NULL;
		return;
	case PLATFORM_INVALID:
		api_work_error_details(w, 422, "validation_failed",
		    json_pack("{s:s}", "field", o->field), "%s", o->message);
		break;
	case PLATFORM_NOT_FOUND:
		api_work_error(
		    w, HTTP_STATUS_NOT_FOUND, "not_found", "%s", o->message);
		break;
	case PLATFORM_CONFLICT:
		api_work_error(w, HTTP_STATUS_CONFLICT, "tenant_provisioning",
		    "%s", o->message);
		break;
	case PLATFORM_UNAVAILABLE:
		api_work_error(w, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "service_unavailable", "%s", o->message);
		break;
	}
	json_decref(o->body);
	o->body = NULL;
}

static void
admin_actor(const struct api_work *w, struct platform_actor *a)
{
	a->admin_id = w->who.user_id;
	a->admin_email = w->who.email;
	a->client_ip = w->client_ip;
	a->trace_id = w->trace.trace_id;
}

/* ---- query of the listing ---------------------------------------------- */

static bool
admin_check_status(const char *s, char *why, size_t whylen)
{
	if (platform_status_known(s))
		return (true);
	snprintf(why, whylen, "must be active, suspended or provisioning");
	return (false);
}

static bool
admin_check_text(const char *s, char *why, size_t whylen)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			snprintf(
			    why, whylen, "must not hold control characters");
			return (false);
		}
	}
	return (true);
}

static bool
admin_check_digits(const char *s, char *why, size_t whylen)
{
	if (s[0] != '0' && strspn(s, "0123456789") == strlen(s))
		return (true);
	snprintf(why, whylen, "must be a positive whole number");
	return (false);
}

/* Query arguments are strings; unknown or repeated ones are refused. */
static const struct field_rule list_rules[] = {
    {"status", FIELD_STRING, false, 1, 20, admin_check_status},
    {"q", FIELD_STRING, false, 1, PLATFORM_QUERY_MAX, admin_check_text},
    {"page", FIELD_STRING, false, 1, 6, admin_check_digits},
    {"size", FIELD_STRING, false, 1, 3, admin_check_digits},
};

static long
admin_query_long(const struct api_work *w, const char *name, long dflt)
{
	const char *v;

	v = json_string_value(json_object_get(w->query, name));
	return (v != NULL ? strtol(v, NULL, 10) : dflt);
}

static void
tenants_run(struct api_work *w)
{
	struct validate_error   err;
	struct platform_filter  f;
	struct platform_outcome o;

	if (!validate_body(w->query, list_rules,
		sizeof(list_rules) / sizeof(list_rules[0]), &err)) {
		api_work_error_details(w, 422, "validation_failed",
		    json_pack("{s:s}", "field", err.field), "%s %s", err.field,
		    err.message);
		return;
	}
	f.status = json_string_value(json_object_get(w->query, "status"));
	f.q = json_string_value(json_object_get(w->query, "q"));
	f.page = admin_query_long(w, "page", 1);
	f.size = admin_query_long(w, "size", PLATFORM_PAGE_SIZE_DEFAULT);
	if (f.page > PLATFORM_PAGE_MAX || f.size > PLATFORM_PAGE_SIZE_MAX) {
		api_work_error_details(w, 422, "validation_failed",
		    json_pack("{s:s}", "field",
			f.page > PLATFORM_PAGE_MAX ? "page" : "size"),
		    "page is at most %d and size at most %d", PLATFORM_PAGE_MAX,
		    PLATFORM_PAGE_SIZE_MAX);
		return;
	}
	platform_tenants_list(&f, &o);
	admin_answer(w, &o);
}

/* ---- one organization -------------------------------------------------- */

/*
 * The organization id and the action (may be empty) of a path that the
 * route already matched: /api/v1/admin/tenants/<id>[/<action>]. Read
 * from the path because Kore 4.1 compiles route regexes with REG_NOSUB:
 * regexec() fills no groups, so w->capture stays empty. Too long a part
 * is cut, which no valid id survives.
 */
static void
admin_path_parts(const struct api_work *w, char id[API_CAPTURE_MAX],
    char action[API_CAPTURE_MAX])
{
	const char *rest, *slash;
	size_t      len;

	id[0] = action[0] = '\0';
	if (strncmp(w->path, ADMIN_TENANTS_PREFIX,
		strlen(ADMIN_TENANTS_PREFIX)) != 0)
		return;
	rest = w->path + strlen(ADMIN_TENANTS_PREFIX);
	if ((slash = strchr(rest, '/')) == NULL)
		slash = rest + strlen(rest);
	len = (size_t)(slash - rest);
	if (len >= API_CAPTURE_MAX)
		len = API_CAPTURE_MAX - 1;
	memcpy(id, rest, len);
	id[len] = '\0';
	if (*slash == '/')
		snprintf(action, API_CAPTURE_MAX, "%s", slash + 1);
}

/* A plan, overrides of its limits (core/quota.h), or both. */
static const struct field_rule plan_rules[] = {
    {"plan", FIELD_STRING, false, 1, 23, NULL},
    {"overrides", FIELD_OBJECT, false, 0, 0, NULL},
};

static void
tenant_run(struct api_work *w)
{
	struct platform_actor   actor;
	struct platform_outcome o;
	json_t                 *plan, *overrides;
	char                    id[API_CAPTURE_MAX], action[API_CAPTURE_MAX];

	admin_path_parts(w, id, action);
	if (w->method == HTTP_METHOD_GET) {
		platform_tenant_get(id, &o);
		admin_answer(w, &o);
		return;
	}
	if (!api_work_body_or_error(
		w, plan_rules, sizeof(plan_rules) / sizeof(plan_rules[0])))
		return;
	plan = json_object_get(w->json, "plan");
	overrides = json_object_get(w->json, "overrides");
	if ((plan != NULL && !json_is_string(plan)) ||
	    (overrides != NULL && !json_is_object(overrides)) ||
	    (plan == NULL && overrides == NULL)) {
		api_work_error_details(w, 422, "validation_failed",
		    json_pack("{s:s}", "field",
			plan != NULL && !json_is_string(plan) ? "plan"
							      : "overrides"),
		    "give a plan (a string), overrides (an object), or both");
		return;
	}
	admin_actor(w, &actor);
	platform_tenant_set_limits(
	    id, json_string_value(plan), overrides, &actor, w->now, &o);
	admin_answer(w, &o);
}

/* POST .../suspend or .../reactivate (the route allows only these). */
static void
tenant_action_run(struct api_work *w)
{
	struct platform_actor   actor;
	struct platform_outcome o;
	char                    id[API_CAPTURE_MAX], action[API_CAPTURE_MAX];

	/* No body is expected; one that names fields is refused. */
	if (w->json != NULL && !api_work_body_or_error(w, NULL, 0))
		return;
	admin_path_parts(w, id, action);
	if (strcmp(action, "suspend") != 0 &&
	    strcmp(action, "reactivate") != 0) {
		api_work_error(w, HTTP_STATUS_NOT_FOUND, "not_found",
		    "no such action on an organization");
		return;
	}
	admin_actor(w, &actor);
	platform_tenant_set_active(
	    id, strcmp(action, "reactivate") == 0, &actor, w->now, &o);
	admin_answer(w, &o);
}

static const struct api_endpoint ep_tenants = {ROUTE_ADMIN_TENANTS,
    HTTP_METHOD_GET, API_AUTH_ADMIN, PERM_NONE, 0, tenants_run};
static const struct api_endpoint ep_tenant = {ROUTE_ADMIN_TENANT,
    HTTP_METHOD_GET | HTTP_METHOD_PATCH, API_AUTH_ADMIN, PERM_NONE, 4096,
    tenant_run};
static const struct api_endpoint ep_tenant_action = {ROUTE_ADMIN_TENANT_ACTION,
    HTTP_METHOD_POST, API_AUTH_ADMIN, PERM_NONE, 4096, tenant_action_run};

int
api_admin_tenants(struct http_request *req)
{
	return (api_serve(req, &ep_tenants));
}

int
api_admin_tenant(struct http_request *req)
{
	return (api_serve(req, &ep_tenant));
}

int
api_admin_tenant_action(struct http_request *req)
{
	return (api_serve(req, &ep_tenant_action));
}

/* ---- the console page -------------------------------------------------- */

/*
 * Serves assets/admin.html, read once per worker on first use (the event
 * loop is the only thread that touches it). The page holds no data: it
 * logs in and calls the API above from the browser.
 */
int
page_admin(struct http_request *req)
{
	static struct buf page;
	static bool       loaded;
	char              chunk[4096];
	size_t            n;
	FILE             *fp;

	(void)api_call_begin(req, ROUTE_PAGE);
	if (!api_method_or_respond(req, HTTP_METHOD_GET | HTTP_METHOD_HEAD))
		return (KORE_RESULT_OK);
	if (!loaded) {
		buf_init(&page, 8192);
		if ((fp = fopen(ADMIN_PAGE_FILE, "r")) != NULL) {
			while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
				buf_append(&page, chunk, n);
			fclose(fp);
			loaded = true;
		}
	}
	if (!loaded) {
		api_respond_error(req, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "service_unavailable",
		    "%s is missing from this installation", ADMIN_PAGE_FILE);
		buf_free(&page);
		return (KORE_RESULT_OK);
	}
	http_response_header(req, "content-type", "text/html; charset=utf-8");
	http_response_header(req, "cache-control", "no-store");
	http_response_header(req, "x-content-type-options", "nosniff");
	http_response_header(req, "x-frame-options", "DENY");
	http_response_header(req, "referrer-policy", "no-referrer");
	http_response_header(req, "content-security-policy",
	    "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
	    "base-uri 'none'; form-action 'self'");
	http_response(req, HTTP_STATUS_OK, page.data, page.len);
	return (KORE_RESULT_OK);
}
