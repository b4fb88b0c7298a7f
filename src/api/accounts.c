/*
 * Sign-up, login, token refresh, logout, "who am I", and the platform
 * administrator's login. The work is in service/account.c; this file maps
 * requests and outcomes to HTTP.
 */
#include <stdio.h>
#include <string.h>

#include "api/serve.h"
#include "service/account.h"

int api_signup(struct http_request *);
int api_login(struct http_request *);
int api_refresh(struct http_request *);
int api_logout(struct http_request *);
int api_me(struct http_request *);
int api_admin_login(struct http_request *);

/* Answers an account outcome; success_status on ACCOUNT_OK. */
static void
accounts_answer(
    struct api_work *w, struct account_outcome *o, int success_status)
{
	static const struct {
		enum account_result result;
		int                 status;
		const char         *code;
	} map[] = {
	    {ACCOUNT_INVALID, 422, "validation_failed"},
	    {ACCOUNT_SLUG_TAKEN, 409, "slug_taken"},
	    {ACCOUNT_EMAIL_TAKEN, 409, "email_taken"},
	    {ACCOUNT_BAD_LOGIN, 401, "invalid_credentials"},
	    {ACCOUNT_RATE_LIMITED, 429, "rate_limited"},
	    {ACCOUNT_SUSPENDED, 403, "tenant_suspended"},
	    {ACCOUNT_BAD_REFRESH, 401, "invalid_refresh_token"},
	    {ACCOUNT_REUSED, 401, "refresh_token_reused"},
	    {ACCOUNT_UNAVAILABLE, 503, "service_unavailable"},
	};
	size_t i;

	if (o->result == ACCOUNT_OK) {
		api_work_json(w, success_status, o->body);
		o->body = NULL;
		return;
	}
	json_decref(o->body);
	o->body = NULL;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (map[i].result != o->result)
			continue;
		if (o->result == ACCOUNT_RATE_LIMITED)
			snprintf(w->retry_after, sizeof(w->retry_after), "%ld",
			    (o->retry_ms + 999) / 1000 > 0
				? (o->retry_ms + 999) / 1000
				: 1);
		if (o->field[0] != '\0')
			api_work_error_details(w, map[i].status, map[i].code,
			    json_pack("{s:s}", "field", o->field), "%s",
			    o->message);
		else
			api_work_error(
			    w, map[i].status, map[i].code, "%s", o->message);
		return;
	}
	api_work_error(w, 500, "internal_error", "unexpected outcome");
}

static const char *
accounts_str(const struct api_work *w, const char *field)
{
	return (json_string_value(json_object_get(w->json, field)));
}

static const struct field_rule signup_rules[] = {
    {"organization_name", FIELD_STRING, true, 1, 100, validate_name},
    {"slug", FIELD_STRING, true, 1, 100, NULL},
    {"email", FIELD_STRING, true, 3, 254, validate_email},
    {"name", FIELD_STRING, true, 1, 100, validate_name},
    {"password", FIELD_STRING, true, 1, 1024, NULL},
};

static void
signup_run(struct api_work *w)
{
	struct account_signup  in;
	struct account_outcome o;

	if (!api_work_body_or_error(w, signup_rules,
		sizeof(signup_rules) / sizeof(signup_rules[0])))
		return;
	in.org_name = accounts_str(w, "organization_name");
	in.slug = accounts_str(w, "slug");
	in.email = accounts_str(w, "email");
	in.name = accounts_str(w, "name");
	in.password = accounts_str(w, "password");
	account_signup(&in, w->now, &o);
	accounts_answer(w, &o, HTTP_STATUS_CREATED);
}

static const struct field_rule login_rules[] = {
    {"email", FIELD_STRING, true, 1, 254, NULL},
    {"password", FIELD_STRING, true, 1, 1024, NULL},
};

static void
login_run(struct api_work *w)
{
	struct account_outcome o;

	if (!api_work_body_or_error(
		w, login_rules, sizeof(login_rules) / sizeof(login_rules[0])))
		return;
	account_login(accounts_str(w, "email"), accounts_str(w, "password"),
	    w->client_ip, w->now, &o);
	accounts_answer(w, &o, HTTP_STATUS_OK);
}

static void
admin_login_run(struct api_work *w)
{
	struct account_outcome o;

	if (!api_work_body_or_error(
		w, login_rules, sizeof(login_rules) / sizeof(login_rules[0])))
		return;
	account_admin_login(accounts_str(w, "email"),
	    accounts_str(w, "password"), w->client_ip, w->now, &o);
	accounts_answer(w, &o, HTTP_STATUS_OK);
}

static const struct field_rule refresh_rules[] = {
    {"refresh_token", FIELD_STRING, true, 1, 200, NULL},
};

static void
refresh_run(struct api_work *w)
{
	struct account_outcome o;

	if (!api_work_body_or_error(w, refresh_rules,
		sizeof(refresh_rules) / sizeof(refresh_rules[0])))
		return;
	account_refresh(accounts_str(w, "refresh_token"), w->now, &o);
	accounts_answer(w, &o, HTTP_STATUS_OK);
}

static const struct field_rule logout_rules[] = {
    {"refresh_token", FIELD_STRING, false, 1, 200, NULL},
};

static void
logout_run(struct api_work *w)
{
	struct account_outcome o;

	if (w->json != NULL &&
	    !api_work_body_or_error(w, logout_rules,
		sizeof(logout_rules) / sizeof(logout_rules[0])))
		return;
	account_logout(&w->who.tenant, w->who.jti, w->who.exp,
	    accounts_str(w, "refresh_token"), w->now, &o);
	if (o.result == ACCOUNT_OK) {
		api_audit(w, "auth.logout", NULL);
		o.body = json_pack("{s:s}", "status", "logged_out");
	}
	accounts_answer(w, &o, HTTP_STATUS_OK);
}

static void
me_run(struct api_work *w)
{
	json_t *body;

	if (w->who.kind == WHO_APIKEY) {
		body = json_pack("{s:s, s:{s:s, s:s, s:s}, s:{s:s, s:[]}}",
		    "kind", "api_key", "tenant", "id", w->who.tenant.id, "slug",
		    w->who.tenant.slug, "plan", w->who.tenant.plan, "api_key",
		    "id", w->who.key_id, "scopes");
		if (w->who.scopes & SCOPE_INGEST)
			json_array_append_new(
			    json_object_get(
				json_object_get(body, "api_key"), "scopes"),
			    json_string("ingest"));
		if (w->who.scopes & SCOPE_READ)
			json_array_append_new(
			    json_object_get(
				json_object_get(body, "api_key"), "scopes"),
			    json_string("read"));
	} else {
		body = json_pack("{s:s, s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s}}",
		    "kind", "user", "tenant", "id", w->who.tenant.id, "slug",
		    w->who.tenant.slug, "plan", w->who.tenant.plan, "user",
		    "id", w->who.user_id, "email", w->who.email, "role",
		    perm_role_name(w->who.role));
	}
	api_work_json(w, HTTP_STATUS_OK, body);
}

static const struct api_endpoint ep_signup = {
    ROUTE_SIGNUP, HTTP_METHOD_POST, API_AUTH_NONE, PERM_NONE, 0, signup_run};
static const struct api_endpoint ep_login = {
    ROUTE_LOGIN, HTTP_METHOD_POST, API_AUTH_NONE, PERM_NONE, 0, login_run};
static const struct api_endpoint ep_refresh = {
    ROUTE_REFRESH, HTTP_METHOD_POST, API_AUTH_NONE, PERM_NONE, 0, refresh_run};
static const struct api_endpoint ep_logout = {ROUTE_LOGOUT, HTTP_METHOD_POST,
    API_AUTH_USER, PERM_NONE, 0, logout_run, false,
    true}; /* never refused by the API-request quota */
static const struct api_endpoint ep_me = {
    ROUTE_ME, HTTP_METHOD_GET, API_AUTH_TOKEN, PERM_NONE, 0, me_run};
static const struct api_endpoint ep_admin_login = {ROUTE_ADMIN_LOGIN,
    HTTP_METHOD_POST, API_AUTH_NONE, PERM_NONE, 0, admin_login_run};

int
api_signup(struct http_request *req)
{
	return (api_serve(req, &ep_signup));
}

int
api_login(struct http_request *req)
{
	return (api_serve(req, &ep_login));
}

int
api_refresh(struct http_request *req)
{
	return (api_serve(req, &ep_refresh));
}

int
api_logout(struct http_request *req)
{
	return (api_serve(req, &ep_logout));
}

int
api_me(struct http_request *req)
{
	return (api_serve(req, &ep_me));
}

int
api_admin_login(struct http_request *req)
{
	return (api_serve(req, &ep_admin_login));
}
