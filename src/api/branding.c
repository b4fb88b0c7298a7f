/*
 * Branding of the caller's organization (/api/v1/branding,
 * /api/v1/branding/logo) and, without credentials, the branding of the
 * organization whose custom domain the request's Host names
 * (/api/v1/branding/public, /api/v1/branding/public/logo) for its login
 * page. The work is in service/branding.c.
 */
#include <stdio.h>
#include <string.h>

#include "api/serve.h"
#include "common/log.h"
#include "core/brand.h"
#include "service/branding.h"

int api_branding(struct http_request *);
int api_branding_logo(struct http_request *);
int api_branding_public(struct http_request *);
int api_branding_public_logo(struct http_request *);

#define BRANDING_LOGO_URL        "/api/v1/branding/logo"
#define BRANDING_PUBLIC_LOGO_URL "/api/v1/branding/public/logo"

static void
branding_answer(struct api_work *w, struct branding_outcome *o)
{
	switch (o->result) {
	case BRANDING_INVALID:
		api_work_error(w, 422, "validation_failed", "%s", o->message);
		break;
	case BRANDING_UNSUPPORTED:
		api_work_error(w, HTTP_STATUS_UNSUPPORTED_MEDIA_TYPE,
		    "unsupported_media_type", "%s", o->message);
		break;
	case BRANDING_NOT_FOUND:
		api_work_error(
		    w, HTTP_STATUS_NOT_FOUND, "not_found", "%s", o->message);
		break;
	case BRANDING_DOMAIN_TAKEN:
		api_work_error(
		    w, HTTP_STATUS_CONFLICT, "domain_taken", "%s", o->message);
		break;
	case BRANDING_UNAVAILABLE:
		api_work_error(w, HTTP_STATUS_SERVICE_UNAVAILABLE,
		    "service_unavailable", "%s", o->message);
		break;
	default:
		api_work_error(w, 500, "internal_error", "unexpected outcome");
		break;
	}
}

/* Answers the tenant's branding (200) or 503. */
static void
branding_show(struct api_work *w, const struct tenant_ctx *ctx, bool public)
{
	struct branding b;
	json_t         *body;
	char            err[256];

	if (!branding_get(ctx, &b, err, sizeof(err))) {
		api_work_store_error(w, "branding", err);
		return;
	}
	body = branding_json(
	    &b, public ? BRANDING_PUBLIC_LOGO_URL : BRANDING_LOGO_URL);
	if (public) {
		json_object_del(body, "custom_domain");
		json_object_del(body, "billing_address");
	}
	api_work_json(w, HTTP_STATUS_OK, body);
}

/* ---- /api/v1/branding -------------------------------------------------- */

static void
branding_get_run(struct api_work *w)
{
	branding_show(w, &w->who.tenant, false);
}

/* A colour, or "" for the default. */
static bool
branding_color_rule(const char *v, char *why, size_t whylen)
{
	return (v[0] == '\0' || brand_color_check(v, why, whylen));
}

static bool
branding_domain_rule(const char *v, char *why, size_t whylen)
{
	return (v[0] == '\0' || brand_host_check(v, why, whylen));
}

static bool
branding_name_rule(const char *v, char *why, size_t whylen)
{
	return (v[0] == '\0' || validate_name(v, why, whylen));
}

static const struct field_rule branding_put_rules[] = {
    {"display_name", FIELD_STRING, false, 0, BRANDING_NAME_MAX,
	branding_name_rule},
    {"primary_color", FIELD_STRING, false, 0, 7, branding_color_rule},
    {"accent_color", FIELD_STRING, false, 0, 7, branding_color_rule},
    {"billing_address", FIELD_STRING, false, 0, BRANDING_ADDRESS_MAX, NULL},
    {"custom_domain", FIELD_STRING, false, 0, BRAND_HOST_MAX,
	branding_domain_rule},
};

static void
branding_put_run(struct api_work *w)
{
	struct branding_change  c;
	struct branding_outcome o;

	if (!api_work_body_or_error(w, branding_put_rules,
		sizeof(branding_put_rules) / sizeof(branding_put_rules[0])))
		return;
	memset(&c, 0, sizeof(c));
	c.display_name =
	    json_string_value(json_object_get(w->json, "display_name"));
	c.primary_color =
	    json_string_value(json_object_get(w->json, "primary_color"));
	c.accent_color =
	    json_string_value(json_object_get(w->json, "accent_color"));
	c.billing_address =
	    json_string_value(json_object_get(w->json, "billing_address"));
	c.custom_domain =
	    json_string_value(json_object_get(w->json, "custom_domain"));
	branding_update(&w->who.tenant, &c, w->now, &o);
	if (o.result != BRANDING_OK) {
		branding_answer(w, &o);
		return;
	}
	api_audit(w, "branding.update", json_deep_copy(w->json));
	branding_show(w, &w->who.tenant, false);
}

/* ---- /api/v1/branding/logo --------------------------------------------- */

/* Answers the logo's bytes with their type, never sniffed by browsers. */
static void
branding_logo_send(struct api_work *w, const struct tenant_ctx *ctx)
{
	struct branding_outcome o;
	char                    type[16];

	branding_logo_get(ctx, &w->raw, type, &o);
	if (o.result != BRANDING_OK) {
		branding_answer(w, &o);
		return;
	}
	w->status = HTTP_STATUS_OK;
	w->content_type =
	    strcmp(type, "image/png") == 0 ? "image/png" : "image/jpeg";
}

static void
branding_logo_get_run(struct api_work *w)
{
	branding_logo_send(w, &w->who.tenant);
}

static void
branding_logo_put_run(struct api_work *w)
{
	struct branding_outcome o;
	struct branding         b;
	char                    err[256];

	if (w->body.len == 0) {
		api_work_error(w, HTTP_STATUS_BAD_REQUEST, "invalid_body",
		    "send the PNG or JPEG file as the request body");
		return;
	}
	branding_logo_put(&w->who.tenant, (const unsigned char *)w->body.data,
	    w->body.len, w->now, &o);
	if (o.result != BRANDING_OK) {
		branding_answer(w, &o);
		return;
	}
	if (!branding_get(&w->who.tenant, &b, err, sizeof(err))) {
		api_work_store_error(w, "branding", err);
		return;
	}
	api_audit(w, "branding.logo",
	    json_pack("{s:s, s:I, s:i, s:i}", "content_type", b.logo_type,
		"size", (json_int_t)w->body.len, "width", (int)b.logo_width,
		"height", (int)b.logo_height));
	api_work_json(w, HTTP_STATUS_OK,
	    json_pack("{s:s, s:s, s:I, s:i, s:i, s:s}", "logo_url",
		BRANDING_LOGO_URL, "content_type", b.logo_type, "size",
		(json_int_t)w->body.len, "width", (int)b.logo_width, "height",
		(int)b.logo_height, "sha256", b.logo_sha256));
}

static void
branding_logo_delete_run(struct api_work *w)
{
	struct branding_outcome o;

	branding_logo_delete(&w->who.tenant, w->now, &o);
	if (o.result != BRANDING_OK) {
		branding_answer(w, &o);
		return;
	}
	api_audit(w, "branding.logo_delete", NULL);
	w->status = HTTP_STATUS_NO_CONTENT;
	w->content_type = "text/plain";
}

/* ---- public, by Host ----------------------------------------------------- */

/*
 * The tenant whose custom domain is the request's Host. False after
 * answering when a store failed; *found false: no such tenant (default
 * branding).
 */
static bool
branding_host_tenant(struct api_work *w, struct tenant_ctx *ctx, bool *found)
{
	char host[BRAND_HOST_MAX + 1], err[256];

	*found = false;
	if (!brand_host_header(w->host, host, sizeof(host)))
		return (true);
	if (!branding_for_host(host, ctx, found, err, sizeof(err))) {
		api_work_store_error(w, "branding", err);
		return (false);
	}
	return (true);
}

static void
branding_public_run(struct api_work *w)
{
	struct tenant_ctx ctx;
	struct branding   b;
	bool              found;

	if (!branding_host_tenant(w, &ctx, &found))
		return;
	if (found) {
		branding_show(w, &ctx, true);
		return;
	}
	branding_defaults(&b, NULL);
	api_work_json(w, HTTP_STATUS_OK,
	    json_pack("{s:s, s:s, s:s, s:n}", "display_name", b.display_name,
		"primary_color", b.primary_color, "accent_color",
		b.accent_color, "logo_url"));
}

static void
branding_public_logo_run(struct api_work *w)
{
	struct tenant_ctx ctx;
	bool              found;

	if (!branding_host_tenant(w, &ctx, &found))
		return;
	if (!found) {
		api_work_error(w, HTTP_STATUS_NOT_FOUND, "not_found",
		    "no logo for this host");
		return;
	}
	branding_logo_send(w, &ctx);
}

#define BRANDING_METHODS (HTTP_METHOD_GET | HTTP_METHOD_PUT)
#define LOGO_METHODS     (HTTP_METHOD_GET | HTTP_METHOD_PUT | HTTP_METHOD_DELETE)

static const struct api_endpoint ep_branding_get = {.route = ROUTE_BRANDING,
    .methods = BRANDING_METHODS,
    .auth = API_AUTH_USER,
    .perm = PERM_NONE,
    .run = branding_get_run};
static const struct api_endpoint ep_branding_put = {.route = ROUTE_BRANDING,
    .methods = BRANDING_METHODS,
    .auth = API_AUTH_USER,
    .perm = PERM_BRANDING,
    .body_max = 4096,
    .run = branding_put_run};
static const struct api_endpoint ep_logo_get = {.route = ROUTE_BRANDING_LOGO,
    .methods = LOGO_METHODS,
    .auth = API_AUTH_USER,
    .perm = PERM_NONE,
    .run = branding_logo_get_run};
static const struct api_endpoint ep_logo_put = {.route = ROUTE_BRANDING_LOGO,
    .methods = LOGO_METHODS,
    .auth = API_AUTH_USER,
    .perm = PERM_BRANDING,
    .body_max = BRANDING_LOGO_MAX,
    .raw_body = true,
    .run = branding_logo_put_run};
static const struct api_endpoint ep_logo_delete = {.route = ROUTE_BRANDING_LOGO,
    .methods = LOGO_METHODS,
    .auth = API_AUTH_USER,
    .perm = PERM_BRANDING,
    .run = branding_logo_delete_run};
static const struct api_endpoint ep_public = {.route = ROUTE_BRANDING_PUBLIC,
    .methods = HTTP_METHOD_GET,
    .auth = API_AUTH_NONE,
    .run = branding_public_run};
static const struct api_endpoint ep_public_logo = {
    .route = ROUTE_BRANDING_PUBLIC_LOGO,
    .methods = HTTP_METHOD_GET,
    .auth = API_AUTH_NONE,
    .run = branding_public_logo_run};

int
api_branding(struct http_request *req)
{
	return (api_serve(req,
	    req->method == HTTP_METHOD_PUT ? &ep_branding_put
					   : &ep_branding_get));
}

int
api_branding_logo(struct http_request *req)
{
	const struct api_endpoint *ep;

	if (req->method == HTTP_METHOD_PUT)
		ep = &ep_logo_put;
	else if (req->method == HTTP_METHOD_DELETE)
		ep = &ep_logo_delete;
	else
		ep = &ep_logo_get;
	return (api_serve(req, ep));
}

int
api_branding_public(struct http_request *req)
{
	return (api_serve(req, &ep_public));
}

int
api_branding_public_logo(struct http_request *req)
{
	return (api_serve(req, &ep_public_logo));
}
