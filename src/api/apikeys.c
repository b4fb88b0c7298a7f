/*
 * The API keys of the caller's organization (/api/v1/api-keys,
 * /api/v1/api-keys/{id}): create (the key is shown once), list, show,
 * rename and revoke. Managed by people only (API_AUTH_USER): a key cannot
 * make or revoke keys. The work is in service/members.c.
 */
#include <stdio.h>
#include <string.h>

#include "api/serve.h"
#include "service/members.h"

int api_keys(struct http_request *);
int api_key(struct http_request *);

/* Answers a members outcome (success_status on MEMBERS_OK) and clears it. */
static void
apikeys_answer(
    struct api_work *w, struct members_outcome *o, int success_status)
{
	switch (o->result) {
	case MEMBERS_OK:
		api_work_json(w, success_status, o->body);
		o->body = NULL;
		break;
	case MEMBERS_INVALID:
		api_work_error(w, 422, "validation_failed", "%s", o->message);
		break;
	case MEMBERS_NOT_FOUND:
		api_work_error(
		    w, HTTP_STATUS_NOT_FOUND, "not_found", "%s", o->message);
		break;
	case MEMBERS_UNAVAILABLE:
		api_work_error(w, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "service_unavailable", "%s", o->message);
		break;
	default:
		api_work_error(w, 500, "internal_error", "unexpected outcome");
		break;
	}
	members_outcome_clear(o);
}

/* The audit record of a change that happened (o->audit is taken). */
static void
apikeys_audit(struct api_work *w, const char *action, struct members_outcome *o)
{
	if (o->result != MEMBERS_OK || o->audit == NULL)
		return;
	api_audit(w, action, o->audit);
	o->audit = NULL;
}

static void
apikeys_actor(const struct api_work *w, struct members_actor *a)
{
	a->tenant = &w->who.tenant;
	a->user_id = w->who.user_id;
	a->role = w->who.role;
	a->now = w->now;
}

static bool
apikeys_scope_check(const char *value, char *why, size_t whylen)
{
	if (strcmp(value, "ingest") == 0 || strcmp(value, "read") == 0)
		return (true);
	snprintf(why, whylen, "may contain only \"ingest\" and \"read\"");
	return (false);
}

/*
 * The id in the path, or NULL after answering 404. Read from the path,
 * not from w->capture: Kore 4.1 compiles route regexes with REG_NOSUB,
 * so no capture group is ever filled. The route already matched, so the
 * rest of the path holds no '/'; anything but an ObjectId is not found.
 */
static const char *
apikeys_id_or_404(struct api_work *w)
{
	static const char prefix[] = "/api/v1/api-keys/";
	const char       *id;

	id = w->path + sizeof(prefix) - 1;
	if (strncmp(w->path, prefix, sizeof(prefix) - 1) != 0 ||
	    !members_id_check(id)) {
		api_work_error(
		    w, HTTP_STATUS_NOT_FOUND, "not_found", "no such API key");
		return (NULL);
	}
	return (id);
}

/* ---- /api/v1/api-keys -------------------------------------------------- */

static void
apikeys_list_run(struct api_work *w)
{
	struct members_outcome o;

	members_key_list(&w->who.tenant, &o);
	apikeys_answer(w, &o, HTTP_STATUS_OK);
}

static const struct field_rule apikeys_create_rules[] = {
    {"name", FIELD_STRING, true, 1, 100, validate_name},
    {"scopes", FIELD_STRING_ARRAY, true, 1, 2, apikeys_scope_check},
};

static void
apikeys_create_run(struct api_work *w)
{
	struct members_actor   a;
	struct members_outcome o;

	if (!api_work_body_or_error(w, apikeys_create_rules,
		sizeof(apikeys_create_rules) / sizeof(apikeys_create_rules[0])))
		return;
	apikeys_actor(w, &a);
	members_key_create(&a,
	    json_string_value(json_object_get(w->json, "name")),
	    json_object_get(w->json, "scopes"), &o);
	apikeys_audit(w, "api_keys.create", &o);
	if (o.result == MEMBERS_OK)
		snprintf(w->location, sizeof(w->location),
		    "/api/v1/api-keys/%s",
		    json_string_value(json_object_get(o.body, "id")));
	apikeys_answer(w, &o, HTTP_STATUS_CREATED);
}

/* ---- /api/v1/api-keys/{id} --------------------------------------------- */

static void
apikeys_get_run(struct api_work *w)
{
	struct members_outcome o;
	const char            *id;

	if ((id = apikeys_id_or_404(w)) == NULL)
		return;
	members_key_get(&w->who.tenant, id, &o);
	apikeys_answer(w, &o, HTTP_STATUS_OK);
}

static const struct field_rule apikeys_rename_rules[] = {
    {"name", FIELD_STRING, true, 1, 100, validate_name},
};

static void
apikeys_rename_run(struct api_work *w)
{
	struct members_actor   a;
	struct members_outcome o;
	const char            *id;

	if ((id = apikeys_id_or_404(w)) == NULL)
		return;
	if (!api_work_body_or_error(w, apikeys_rename_rules,
		sizeof(apikeys_rename_rules) / sizeof(apikeys_rename_rules[0])))
		return;
	apikeys_actor(w, &a);
	members_key_rename(
	    &a, id, json_string_value(json_object_get(w->json, "name")), &o);
	apikeys_audit(w, "api_keys.rename", &o);
	apikeys_answer(w, &o, HTTP_STATUS_OK);
}

static void
apikeys_revoke_run(struct api_work *w)
{
	struct members_actor   a;
	struct members_outcome o;
	const char            *id;

	if ((id = apikeys_id_or_404(w)) == NULL)
		return;
	apikeys_actor(w, &a);
	members_key_revoke(&a, id, &o);
	apikeys_audit(w, "api_keys.revoke", &o);
	apikeys_answer(w, &o, HTTP_STATUS_OK);
}

#define KEYS_METHODS (HTTP_METHOD_GET | HTTP_METHOD_POST)
#define KEY_METHODS  (HTTP_METHOD_GET | HTTP_METHOD_PATCH | HTTP_METHOD_DELETE)

static const struct api_endpoint ep_keys_list = {.route = ROUTE_API_KEYS,
    .methods = KEYS_METHODS,
    .auth = API_AUTH_USER,
    .perm = PERM_KEYS_MANAGE,
    .run = apikeys_list_run};
static const struct api_endpoint ep_keys_create = {.route = ROUTE_API_KEYS,
    .methods = KEYS_METHODS,
    .auth = API_AUTH_USER,
    .perm = PERM_KEYS_MANAGE,
    .run = apikeys_create_run};
static const struct api_endpoint ep_key_get = {.route = ROUTE_API_KEY,
    .methods = KEY_METHODS,
    .auth = API_AUTH_USER,
    .perm = PERM_KEYS_MANAGE,
    .run = apikeys_get_run};
static const struct api_endpoint ep_key_rename = {.route = ROUTE_API_KEY,
    .methods = KEY_METHODS,
    .auth = API_AUTH_USER,
    .perm = PERM_KEYS_MANAGE,
    .run = apikeys_rename_run};
static const struct api_endpoint ep_key_revoke = {.route = ROUTE_API_KEY,
    .methods = KEY_METHODS,
    .auth = API_AUTH_USER,
    .perm = PERM_KEYS_MANAGE,
    .run = apikeys_revoke_run};

int
api_keys(struct http_request *req)
{
	return (api_serve(req,
	    req->method == HTTP_METHOD_POST ? &ep_keys_create : &ep_keys_list));
}

int
api_key(struct http_request *req)
{
	const struct api_endpoint *ep;

	if (req->method == HTTP_METHOD_PATCH)
		ep = &ep_key_rename;
	else if (req->method == HTTP_METHOD_DELETE)
		ep = &ep_key_revoke;
	else
		ep = &ep_key_get;
	return (api_serve(req, ep));
}
