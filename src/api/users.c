/*
 * The users of the caller's organization: list, add, show, change and
 * remove (/api/v1/users, /api/v1/users/{id}). People only: an API key is
 * refused here (API_AUTH_USER). The rules live in service/members.c; this
 * file maps requests and outcomes to HTTP and writes the audit trail.
 */
#include <stdio.h>
#include <string.h>

#include "api/serve.h"
#include "service/members.h"

int api_users(struct http_request *);
int api_user(struct http_request *);

/* Answers a members outcome (success_status on MEMBERS_OK) and clears it. */
static void
users_answer(struct api_work *w, struct members_outcome *o, int success_status)
{
	static const struct {
		enum members_result result;
		int                 status;
		const char         *code;
	} map[] = {
	    {MEMBERS_INVALID, 422, "validation_failed"},
	    {MEMBERS_NOT_FOUND, HTTP_STATUS_NOT_FOUND, "not_found"},
	    {MEMBERS_FORBIDDEN, HTTP_STATUS_FORBIDDEN, "forbidden"},
	    {MEMBERS_EMAIL_TAKEN, HTTP_STATUS_CONFLICT, "email_taken"},
	    {MEMBERS_LAST_OWNER, HTTP_STATUS_CONFLICT, "last_owner"},
	    {MEMBERS_QUOTA, HTTP_STATUS_FORBIDDEN, "quota_exceeded"},
	    {MEMBERS_UNAVAILABLE, HTTP_STATUS_SERVICE_UNAVAILABLE,
		"service_unavailable"},
	};
	size_t i;

	if (o->result == MEMBERS_OK) {
		api_work_json(w, success_status, o->body);
		o->body = NULL;
		members_outcome_clear(o);
		return;
	}
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (map[i].result != o->result)
			continue;
		api_work_error_details(w, map[i].status, map[i].code,
		    o->details, "%s", o->message);
		/* A quota refusal also carries its figures in the error
		 * itself, like every quota_exceeded (CONTRACTS). */
		if (o->result == MEMBERS_QUOTA && o->details != NULL)
			json_object_update(
			    json_object_get(w->resp, "error"), o->details);
		o->details = NULL;
		members_outcome_clear(o);
		return;
	}
	members_outcome_clear(o);
	api_work_error(w, 500, "internal_error", "unexpected outcome");
}

/* The audit record of a change that happened (o->audit is taken). */
static void
users_audit(struct api_work *w, const char *action, struct members_outcome *o)
{
	if (o->result != MEMBERS_OK || o->audit == NULL)
		return;
	api_audit(w, action, o->audit);
	o->audit = NULL;
}

static void
users_actor(const struct api_work *w, struct members_actor *a)
{
	a->tenant = &w->who.tenant;
	a->user_id = w->who.user_id;
	a->role = w->who.role;
	a->now = w->now;
}

static const char *
users_str(const struct api_work *w, const char *field)
{
	return (json_string_value(json_object_get(w->json, field)));
}

static bool
users_role_check(const char *value, char *why, size_t whylen)
{
	if (strcmp(value, "viewer") == 0 || strcmp(value, "analyst") == 0 ||
	    strcmp(value, "admin") == 0 || strcmp(value, "owner") == 0)
		return (true);
	snprintf(why, whylen, "must be viewer, analyst, admin or owner");
	return (false);
}

/*
 * The id in the path, or NULL after answering 404. Read from the path,
 * not from w->capture: Kore 4.1 compiles route regexes with REG_NOSUB,
 * so no capture group is ever filled. The route already matched, so the
 * rest of the path holds no '/'; anything but an ObjectId is not found.
 */
static const char *
users_id_or_404(struct api_work *w)
{
	static const char prefix[] = "/api/v1/users/";
	const char       *id;

	id = w->path + sizeof(prefix) - 1;
	if (strncmp(w->path, prefix, sizeof(prefix) - 1) != 0 ||
	    !members_id_check(id)) {
		api_work_error(
		    w, HTTP_STATUS_NOT_FOUND, "not_found", "no such user");
		return (NULL);
	}
	return (id);
}

/* ---- /api/v1/users ----------------------------------------------------- */

static void
users_list_run(struct api_work *w)
{
	struct members_outcome o;

	members_user_list(&w->who.tenant, &o);
	users_answer(w, &o, HTTP_STATUS_OK);
}

static const struct field_rule users_create_rules[] = {
    {"email", FIELD_STRING, true, 3, 254, validate_email},
    {"name", FIELD_STRING, true, 1, 100, validate_name},
    {"role", FIELD_STRING, true, 1, 20, users_role_check},
    {"password", FIELD_STRING, true, 1, 1024, NULL},
};

static void
users_create_run(struct api_work *w)
{
	struct members_user_new in;
	struct members_actor    a;
	struct members_outcome  o;

	if (!api_work_body_or_error(w, users_create_rules,
		sizeof(users_create_rules) / sizeof(users_create_rules[0])))
		return;
	in.email = users_str(w, "email");
	in.name = users_str(w, "name");
	in.role = users_str(w, "role");
	in.password = users_str(w, "password");
	users_actor(w, &a);
	members_user_create(&a, &in, &o);
	users_audit(w, "users.create", &o);
	if (o.result == MEMBERS_OK)
		snprintf(w->location, sizeof(w->location), "/api/v1/users/%s",
		    json_string_value(json_object_get(o.body, "id")));
	users_answer(w, &o, HTTP_STATUS_CREATED);
}

/* ---- /api/v1/users/{id} ------------------------------------------------ */

static void
users_get_run(struct api_work *w)
{
	struct members_outcome o;
	const char            *id;

	if ((id = users_id_or_404(w)) == NULL)
		return;
	members_user_get(&w->who.tenant, id, &o);
	users_answer(w, &o, HTTP_STATUS_OK);
}

static const struct field_rule users_update_rules[] = {
    {"name", FIELD_STRING, false, 1, 100, validate_name},
    {"role", FIELD_STRING, false, 1, 20, users_role_check},
};

static void
users_update_run(struct api_work *w)
{
	struct members_actor   a;
	struct members_outcome o;
	const char            *id;

	if ((id = users_id_or_404(w)) == NULL)
		return;
	if (!api_work_body_or_error(w, users_update_rules,
		sizeof(users_update_rules) / sizeof(users_update_rules[0])))
		return;
	if (users_str(w, "name") == NULL && users_str(w, "role") == NULL) {
		api_work_error_details(w, 422, "validation_failed",
		    json_pack("{s:s}", "field", ""),
		    "nothing to change: give name and/or role");
		return;
	}
	users_actor(w, &a);
	members_user_update(
	    &a, id, users_str(w, "name"), users_str(w, "role"), &o);
	users_audit(w, "users.update", &o);
	users_answer(w, &o, HTTP_STATUS_OK);
}

static void
users_remove_run(struct api_work *w)
{
	struct members_actor   a;
	struct members_outcome o;
	const char            *id;

	if ((id = users_id_or_404(w)) == NULL)
		return;
	users_actor(w, &a);
	members_user_remove(&a, id, &o);
	users_audit(w, "users.remove", &o);
	users_answer(w, &o, HTTP_STATUS_OK);
}

/*
 * One endpoint per method, each with its permission; all of a path
 * declare the same methods, so any other method is answered 405.
 */
#define USERS_METHODS (HTTP_METHOD_GET | HTTP_METHOD_POST)
#define USER_METHODS  (HTTP_METHOD_GET | HTTP_METHOD_PATCH | HTTP_METHOD_DELETE)

static const struct api_endpoint ep_users_list = {.route = ROUTE_USERS,
    .methods = USERS_METHODS,
    .auth = API_AUTH_USER,
    .perm = PERM_USERS_READ,
    .run = users_list_run};
static const struct api_endpoint ep_users_create = {.route = ROUTE_USERS,
    .methods = USERS_METHODS,
    .auth = API_AUTH_USER,
    .perm = PERM_USERS_MANAGE,
    .run = users_create_run};
static const struct api_endpoint ep_user_get = {.route = ROUTE_USER,
    .methods = USER_METHODS,
    .auth = API_AUTH_USER,
    .perm = PERM_USERS_READ,
    .run = users_get_run};
static const struct api_endpoint ep_user_update = {.route = ROUTE_USER,
    .methods = USER_METHODS,
    .auth = API_AUTH_USER,
    .perm = PERM_USERS_MANAGE,
    .run = users_update_run};
static const struct api_endpoint ep_user_remove = {.route = ROUTE_USER,
    .methods = USER_METHODS,
    .auth = API_AUTH_USER,
    .perm = PERM_USERS_MANAGE,
    .run = users_remove_run};

int
api_users(struct http_request *req)
{
	return (api_serve(req,
	    req->method == HTTP_METHOD_POST ? &ep_users_create
					    : &ep_users_list));
}

int
api_user(struct http_request *req)
{
	const struct api_endpoint *ep;

	if (req->method == HTTP_METHOD_PATCH)
		ep = &ep_user_update;
	else if (req->method == HTTP_METHOD_DELETE)
		ep = &ep_user_remove;
	else
		ep = &ep_user_get;
	return (api_serve(req, ep));
}
