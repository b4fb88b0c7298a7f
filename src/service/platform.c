#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "core/text.h"
#include "core/plans.h"
#include "core/quota.h"
#include "service/members.h"
#include "service/platform.h"
#include "service/quotas.h"
#include "store/metadb.h"
#include "store/session.h"

/* Statuses an organization's record may have; only two are settable. */
static const char *const platform_statuses[] = {
    "active", "suspended", "provisioning"};

static void platform_set(struct platform_outcome *o, enum platform_result r,
    const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
platform_set(struct platform_outcome *o, enum platform_result r,
    const char *field, const char *fmt, ...)
{
	va_list ap;

	o->result = r;
	snprintf(o->field, sizeof(o->field), "%s", field != NULL ? field : "");
	va_start(ap, fmt);
	(void)vsnprintf(o->message, sizeof(o->message), fmt, ap);
	va_end(ap);
}

static void
platform_unavailable(
    struct platform_outcome *o, const char *what, const char *err)
{
	log_emit(LOG_LEVEL_ERROR, "platform", NULL,
	    json_pack("{s:s, s:s}", "what", what, "error", err),
	    "platform administration: %s failed", what);
	platform_set(o, PLATFORM_UNAVAILABLE, NULL,
	    "%s is unavailable now, try again shortly", what);
}

bool
platform_status_known(const char *status)
{
	size_t i;

	for (i = 0;
	     i < sizeof(platform_statuses) / sizeof(platform_statuses[0]);
	     i++) {
		if (strcmp(platform_statuses[i], status) == 0)
			return (true);
	}
	return (false);
}

/* ---- plans ------------------------------------------------------------- */

/*
 * The plan catalogue: the process's copy of tenants/plans.json, the one
 * the quotas are enforced with (service/members.c). NULL with err set
 * when it could not be loaded.
 */
static const struct plans *
platform_plans(char *err, size_t errlen)
{
	const struct plans *plans;

	if ((plans = members_plans()) == NULL)
		snprintf(
		    err, errlen, "%s could not be loaded", MEMBERS_PLANS_PATH);
	return (plans);
}

static json_t *
platform_plan_names(const struct plans *plans)
{
	json_t *names;
	size_t  i;

	names = json_array();
	for (i = 0; i < plans->count; i++)
		json_array_append_new(names, json_string(plans->plan[i].name));
	return (names);
}

/* A plan's display name and limits (0: unlimited), as JSON. */
static json_t *
platform_plan_view(const struct plan *p)
{
	return (json_pack("{s:s, s:{s:I, s:f, s:f, s:I, s:I, s:I}}",
	    "plan_display_name", p->display_name, "limits", "users",
	    (json_int_t)p->limits.users, "storage_gb", p->limits.storage_gb,
	    "ingest_gb_per_day", p->limits.ingest_gb_per_day,
	    "ingest_docs_per_day", (json_int_t)p->limits.ingest_docs_per_day,
	    "api_requests_per_day", (json_int_t)p->limits.api_requests_per_day,
	    "retention_days", (json_int_t)p->limits.retention_days));
}

/*
 * The overrides an administrator set and the limits in force with them
 * (volumes in bytes, 0: unlimited), added to a detail view.
 */
static void
platform_effective(json_t *view, const struct plan *p, const json_t *overrides)
{
	struct quota_limits l;
	json_t             *eff;
	int                 i;

	quota_limits_of(&p->limits, overrides, &l);
	eff = json_object();
	for (i = 0; i < QUOTA_COUNT; i++)
		json_object_set_new(eff, quota_limit_name((enum quota_limit)i),
		    json_integer(l.max[i]));
	json_object_set_new(
	    eff, "retention_days", json_integer(l.retention_days));
	json_object_set_new(view, "overrides",
	    json_is_object(overrides) ? json_deep_copy(overrides)
				      : json_object());
	json_object_set_new(view, "effective_limits", eff);
}

/* ---- views ------------------------------------------------------------- */

/* The tenant context of a record; false when the record is unusable. */
static bool
platform_ctx_of(const json_t *doc, struct tenant_ctx *ctx)
{
	const char *id, *slug, *plan, *status;

	id = json_string_value(json_object_get(doc, "id"));
	slug = json_string_value(json_object_get(doc, "slug"));
	plan = json_string_value(json_object_get(doc, "plan"));
	status = json_string_value(json_object_get(doc, "status"));
	memset(ctx, 0, sizeof(*ctx));
	if (id == NULL || slug == NULL || plan == NULL || status == NULL ||
	    strlen(plan) >= sizeof(ctx->plan))
		return (false);
	snprintf(ctx->id, sizeof(ctx->id), "%s", id);
	snprintf(ctx->slug, sizeof(ctx->slug), "%s", slug);
	snprintf(ctx->plan, sizeof(ctx->plan), "%s", plan);
	ctx->active = strcmp(status, "active") == 0;
	return (tenant_ctx_check(ctx));
}

/* Counts documents of one tenant's collection; -1 on failure. */
static long
platform_count(const struct tenant_ctx *ctx, const char *coll, json_t *filter,
    char *err, size_t errlen)
{
	long n;

	n = metadb_count(ctx, coll, filter, err, errlen);
	json_decref(filter);
	return (n);
}

static void
platform_copy(json_t *view, const json_t *doc, const char *field)
{
	json_t *v;

	v = json_object_get(doc, field);
	json_object_set_new(
	    view, field, json_is_string(v) ? json_incref(v) : json_null());
}

/*
 * What an administrator sees of one organization: its record without
 * internals, with the number of its users and of its API keys not
 * revoked (tenant-scoped counts). Sets *failed when a count could not be
 * made; the count is then null.
 */
static json_t *
platform_view(const json_t *doc, bool *failed)
{
	struct tenant_ctx ctx;
	json_t           *view;
	char              err[256];
	long              users, keys;

	view = json_object();
	platform_copy(view, doc, "id");
	platform_copy(view, doc, "name");
	platform_copy(view, doc, "slug");
	platform_copy(view, doc, "plan");
	platform_copy(view, doc, "status");
	platform_copy(view, doc, "created_at");
	if (json_is_string(json_object_get(doc, "updated_at")))
		platform_copy(view, doc, "updated_at");
	users = keys = -1;
	if (platform_ctx_of(doc, &ctx)) {
		users = platform_count(
		    &ctx, "users", json_object(), err, sizeof(err));
		if (users >= 0)
			keys = platform_count(&ctx, "api_keys",
			    json_pack("{s:n}", "revoked_at"), err, sizeof(err));
	} else {
		snprintf(err, sizeof(err), "unusable tenant record");
	}
	if (users < 0 || keys < 0) {
		*failed = true;
		log_emit(LOG_LEVEL_WARNING, "platform", NULL,
		    json_pack("{s:O, s:s}", "tenant_id",
			json_object_get(doc, "id"), "error", err),
		    "organization counts unavailable");
	}
	json_object_set_new(
	    view, "user_count", users >= 0 ? json_integer(users) : json_null());
	json_object_set_new(view, "api_key_count",
	    keys >= 0 ? json_integer(keys) : json_null());
	return (view);
}

/* ---- listing ----------------------------------------------------------- */

/*
 * Copies q into out with every regular-expression metacharacter escaped,
 * so that the text matches itself and only itself (MongoDB's PCRE and
 * FerretDB's RE2 both read "\x" as x for these characters). Returns
 * false when out is too small.
 */
static bool
platform_regex_quote(const char *q, char *out, size_t outlen)
{
	size_t i, n;

	for (i = 0, n = 0; q[i] != '\0'; i++) {
		if (n + 3 > outlen)
			return (false);
		if (strchr("\\^$.|?*+()[]{}", q[i]) != NULL)
			out[n++] = '\\';
		out[n++] = q[i];
	}
	if (n + 1 > outlen)
		return (false);
	out[n] = '\0';
	return (true);
}

/* The MongoDB filter of a listing; NULL when q is too long. */
static json_t *
platform_list_filter(const struct platform_filter *f)
{
	char    quoted[PLATFORM_QUERY_MAX * 2 + 1];
	json_t *filter;

	filter = json_object();
	if (f->status != NULL)
		json_object_set_new(filter, "status", json_string(f->status));
	if (f->q != NULL && f->q[0] != '\0') {
		if (!platform_regex_quote(f->q, quoted, sizeof(quoted))) {
			json_decref(filter);
			return (NULL);
		}
		json_object_set_new(filter, "$or",
		    json_pack("[{s:{s:s, s:s}}, {s:{s:s, s:s}}]", "slug",
			"$regex", quoted, "$options", "i", "name", "$regex",
			quoted, "$options", "i"));
	}
	return (filter);
}

/*
 * One page of organizations, newest first, with the total that matches
 * and the names of the plans (for an administrator's plan selector).
 */
void
platform_tenants_list(
    const struct platform_filter *f, struct platform_outcome *o)
{
	const struct plans *catalogue;
	enum metadb_status  st;
	json_t             *filter, *sort, *docs, *items, *doc, *plans;
	char                err[256];
	long                total;
	size_t              i;
	bool                failed;

	memset(o, 0, sizeof(*o));
	if ((filter = platform_list_filter(f)) == NULL) {
		platform_set(o, PLATFORM_INVALID, "q", "q is too long");
		return;
	}
	docs = NULL;
	items = NULL;
	plans = NULL;
	if ((total = metadb_platform_count(
		 "tenants", filter, err, sizeof(err))) < 0)
		goto unavailable;
	/* "_id", not "id": only filters translate "id". */
	sort = json_pack("{s:i, s:i}", "created_at", -1, "_id", -1);
	docs = metadb_platform_find("tenants", filter, sort,
	    (f->page - 1) * f->size, f->size, &st, err, sizeof(err));
	json_decref(sort);
	if (st != METADB_OK)
		goto unavailable;
	if ((catalogue = platform_plans(err, sizeof(err))) == NULL)
		goto unavailable;
	plans = platform_plan_names(catalogue);
	items = json_array();
	failed = false;
	json_array_foreach(docs, i, doc)
	{
		json_array_append_new(items, platform_view(doc, &failed));
		if (failed)
			goto unavailable;
	}
	o->result = PLATFORM_OK;
	o->body = json_pack("{s:o, s:I, s:I, s:I, s:o}", "items", items,
	    "total", (json_int_t)total, "page", (json_int_t)f->page, "size",
	    (json_int_t)f->size, "plans", plans);
	json_decref(docs);
	json_decref(filter);
	return;
unavailable:
	json_decref(items);
	json_decref(plans);
	json_decref(docs);
	json_decref(filter);
	platform_unavailable(o, "the organization directory", err);
}

/* ---- one organization -------------------------------------------------- */

/*
 * The record of one organization, or NULL with the outcome set: not
 * found for an unknown or malformed id (platform scope: the tenants
 * collection belongs to no tenant).
 */
static json_t *
platform_tenant_find(const char *tenant_id, struct platform_outcome *o)
{
	enum metadb_status st;
	json_t            *filter, *doc;
	char               err[256];

	if (!tenant_id_check(tenant_id)) {
		platform_set(
		    o, PLATFORM_NOT_FOUND, NULL, "no organization has this id");
		return (NULL);
	}
	filter = json_pack("{s:s}", "id", tenant_id);
	doc =
	    metadb_platform_find_one("tenants", filter, &st, err, sizeof(err));
	json_decref(filter);
	if (st == METADB_NOT_FOUND) {
		platform_set(
		    o, PLATFORM_NOT_FOUND, NULL, "no organization has this id");
		return (NULL);
	}
	if (st != METADB_OK) {
		platform_unavailable(o, "the organization directory", err);
		return (NULL);
	}
	return (doc);
}

/*
 * The view of one organization with its plan's display name and limits
 * (null when the catalogue cannot be read or no longer has the plan).
 */
static json_t *
platform_detail(const json_t *doc, bool *failed)
{
	const struct plans *catalogue;
	const struct plan  *p;
	json_t             *view, *plan;
	char                err[256];

	view = platform_view(doc, failed);
	p = NULL;
	if ((catalogue = platform_plans(err, sizeof(err))) != NULL &&
	    (plan = json_object_get(doc, "plan")) != NULL &&
	    json_is_string(plan))
		p = plans_find(catalogue, json_string_value(plan));
	if (p != NULL) {
		json_object_update(view, plan = platform_plan_view(p));
		json_decref(plan);
		platform_effective(view, p, json_object_get(doc, "overrides"));
	} else {
		json_object_set_new(view, "plan_display_name", json_null());
		json_object_set_new(view, "limits", json_null());
	}
	return (view);
}

void
platform_tenant_get(const char *tenant_id, struct platform_outcome *o)
{
	json_t *doc;
	bool    failed;

	memset(o, 0, sizeof(*o));
	if ((doc = platform_tenant_find(tenant_id, o)) == NULL)
		return;
	failed = false;
	o->body = platform_detail(doc, &failed);
	json_decref(doc);
	if (failed) {
		json_decref(o->body);
		o->body = NULL;
		platform_unavailable(
		    o, "the organization directory", "counts failed");
		return;
	}
	o->result = PLATFORM_OK;
}

/* ---- changes ----------------------------------------------------------- */

/*
 * Records an administrator's action in the organization's own audit
 * trail (tenant-scoped insert). Best effort: a lost record is logged.
 */
static void
platform_audit(const struct tenant_ctx *ctx, const struct platform_actor *a,
    const char *action, json_t *details, long now)
{
	json_t *doc;
	char    at[32], err[256];

	text_iso8601(now, at, sizeof(at));
	doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "at", at,
	    "action", action, "actor", a->admin_id, "actor_kind",
	    "platform_admin", "actor_email", a->admin_email, "ip", a->client_ip,
	    "trace_id", a->trace_id, "details", details);
	if (doc == NULL ||
	    metadb_insert(ctx, "audit", doc, NULL, err, sizeof(err)) !=
		METADB_OK)
		log_emit(LOG_LEVEL_WARNING, "audit", a->trace_id,
		    json_pack("{s:s, s:s, s:s}", "action", action, "tenant_id",
			ctx->id, "error", doc == NULL ? "bad record" : err),
		    "audit record lost");
	json_decref(doc);
}

/* Puts back fields of a record after a later step failed. */
static void
platform_revert(const char *tenant_id, const json_t *old)
{
	json_t *filter;
	char    err[256];
	long    n;

	filter = json_pack("{s:s}", "id", tenant_id);
	if (metadb_platform_update(
		"tenants", filter, old, &n, err, sizeof(err)) != METADB_OK)
		log_emit(LOG_LEVEL_CRITICAL, "platform", NULL,
		    json_pack("{s:s, s:O, s:s}", "tenant_id", tenant_id, "old",
			(json_t *)old, "error", err),
		    "compensation failed: the organization record and its "
		    "cached status may disagree");
	json_decref(filter);
}

/*
 * Applies set (fields of the tenant record) to one organization: MongoDB
 * first, then, from the record read back, the cached status in Redis
 * that authentication reads on every request, so the change takes effect
 * at once. When Redis cannot be written the record is put back and the
 * outcome is unavailable: the two never disagree for long. On success
 * the change is audited and the body is the organization's view.
 */
static void
platform_change(const char *tenant_id, json_t *set, const char *action,
    const struct platform_actor *actor, long now, struct platform_outcome *o)
{
	struct tenant_ctx  ctx;
	enum metadb_status st;
	json_t            *doc, *fresh, *old, *filter, *v;
	const char        *status, *key;
	char               err[256], when[32];
	long               n;
	bool               failed;

	fresh = old = NULL;
	if ((doc = platform_tenant_find(tenant_id, o)) == NULL)
		goto out;
	status = json_string_value(json_object_get(doc, "status"));
	if (status == NULL ||
	    (strcmp(status, "active") != 0 &&
		strcmp(status, "suspended") != 0)) {
		platform_set(o, PLATFORM_CONFLICT, NULL,
		    "this organization is still being created");
		goto out;
	}
	old = json_object();
	json_object_foreach(set, key, v)
	{
		if (strcmp(key, "updated_at") != 0)
			platform_copy(old, doc, key);
	}
	text_iso8601(now, when, sizeof(when));
	json_object_set_new(set, "updated_at", json_string(when));
	filter = json_pack("{s:s}", "id", tenant_id);
	st = metadb_platform_update(
	    "tenants", filter, set, &n, err, sizeof(err));
	json_decref(filter);
	if (st != METADB_OK) {
		platform_unavailable(o, "the organization directory", err);
		goto out;
	}
	if (n == 0) {
		platform_set(
		    o, PLATFORM_NOT_FOUND, NULL, "no organization has this id");
		goto out;
	}
	if ((fresh = platform_tenant_find(tenant_id, o)) == NULL) {
		platform_revert(tenant_id, old);
		goto out;
	}
	if (!platform_ctx_of(fresh, &ctx)) {
		platform_revert(tenant_id, old);
		platform_unavailable(
		    o, "the organization directory", "unusable record");
		goto out;
	}
	if (!session_tenant_write(&ctx, err, sizeof(err))) {
		platform_revert(tenant_id, old);
		platform_unavailable(o, "the session store", err);
		goto out;
	}
	quotas_limits_changed(&ctx);
	json_object_del(set, "updated_at");
	platform_audit(&ctx, actor, action,
	    json_pack("{s:O, s:O}", "from", old, "to", set), now);
	log_emit(LOG_LEVEL_INFO, "platform", actor->trace_id,
	    json_pack("{s:s, s:s, s:s, s:O}", "tenant_id", tenant_id, "action",
		action, "admin", actor->admin_email, "to", set),
	    "organization changed by a platform administrator");
	failed = false;
	o->body = platform_detail(fresh, &failed);
	o->result = PLATFORM_OK;
out:
	json_decref(old);
	json_decref(fresh);
	json_decref(doc);
}

void
platform_tenant_set_active(const char *tenant_id, bool active,
    const struct platform_actor *actor, long now, struct platform_outcome *o)
{
	json_t *set;

	memset(o, 0, sizeof(*o));
	set = json_pack("{s:s}", "status", active ? "active" : "suspended");
	platform_change(tenant_id, set,
	    active ? "admin.tenant.reactivate" : "admin.tenant.suspend", actor,
	    now, o);
	json_decref(set);
}

/*
 * Changes the plan and/or the per-tenant overrides of the plan's limits
 * (plan may be NULL; patch may be NULL: keys set or, with null, removed).
 */
void
platform_tenant_set_limits(const char *tenant_id, const char *plan,
    const json_t *patch, const struct platform_actor *actor, long now,
    struct platform_outcome *o)
{
	const struct plans *catalogue;
	json_t             *set, *doc;
	char                err[256], field[64], why[200];

	memset(o, 0, sizeof(*o));
	if ((catalogue = platform_plans(err, sizeof(err))) == NULL) {
		platform_unavailable(o, "the plan catalogue", err);
		return;
	}
	if (plan != NULL && plans_find(catalogue, plan) == NULL) {
		platform_set(o, PLATFORM_INVALID, "plan",
		    "plan is not one of the platform's plans");
		return;
	}
	if (patch != NULL &&
	    !quota_overrides_check(
		patch, field, sizeof(field), why, sizeof(why))) {
		platform_set(o, PLATFORM_INVALID, field, "%s %s", field, why);
		return;
	}
	set = json_object();
	if (plan != NULL)
		json_object_set_new(set, "plan", json_string(plan));
	if (patch != NULL) {
		if ((doc = platform_tenant_find(tenant_id, o)) == NULL) {
			json_decref(set);
			return;
		}
		json_object_set_new(set, "overrides",
		    quota_overrides_apply(
			json_object_get(doc, "overrides"), patch));
		json_decref(doc);
	}
	platform_change(tenant_id, set,
	    patch != NULL ? "admin.tenant.limits" : "admin.tenant.plan", actor,
	    now, o);
	json_decref(set);
}
