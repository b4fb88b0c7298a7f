#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "core/text.h"
#include "service/members.h"
#include "service/notify.h"
#include "service/quotas.h"
#include "store/es.h"
#include "store/metadb.h"
#include "store/queue.h"

static bool quotas_on = true;

void
quotas_configure(const struct settings *s)
{
	quotas_on = s->quotas == 0;
}

bool
quotas_enabled(void)
{
	return (quotas_on);
}

static void
quotas_log(const struct tenant_ctx *ctx, const char *what, const char *err)
{
	log_emit(LOG_LEVEL_WARNING, "quotas", NULL,
	    json_pack("{s:s, s:s, s:s}", "tenant_id", ctx->id, "what", what,
		"error", err),
	    "quotas: %s failed", what);
}

/* ---- limits ------------------------------------------------------------ */

/* Computes the limits from the tenant record and the plan catalogue. */
static bool
quotas_limits_compute(const struct tenant_ctx *ctx, struct quota_limits *l,
    char *err, size_t errlen)
{
	const struct plans *plans;
	const struct plan  *plan;
	enum metadb_status  st;
	json_t             *filter, *doc;

	if ((plans = members_plans()) == NULL) {
		snprintf(err, errlen, "the plan catalogue is not loaded");
		return (false);
	}
	filter = json_pack("{s:s}", "id", ctx->id);
	doc = metadb_platform_find_one("tenants", filter, &st, err, errlen);
	json_decref(filter);
	if (st != METADB_OK) {
		if (st == METADB_NOT_FOUND)
			snprintf(err, errlen, "no tenant record");
		return (false);
	}
	plan =
	    plans_find(plans, json_string_value(json_object_get(doc, "plan")));
	if (plan == NULL)
		plan = plans_default(plans);
	quota_limits_of(&plan->limits, json_object_get(doc, "overrides"), l);
	json_decref(doc);
	return (true);
}

bool
quotas_limits(const struct tenant_ctx *ctx, struct quota_limits *l, char *err,
    size_t errlen)
{
	bool found;

	if (!usage_limits_get(ctx, l, &found, err, errlen))
		return (false);
	if (found)
		return (true);
	if (!quotas_limits_compute(ctx, l, err, errlen))
		return (false);
	if (!usage_limits_put(ctx, l, err, errlen))
		quotas_log(ctx, "caching the limits", err);
	return (true);
}

void
quotas_limits_changed(const struct tenant_ctx *ctx)
{
	char err[256];

	if (!usage_limits_forget(ctx, err, sizeof(err)))
		quotas_log(ctx, "forgetting the cached limits", err);
}

/* Fills the limits cache after a miss; false when it cannot. */
static bool
quotas_limits_fill(const struct tenant_ctx *ctx, char *err, size_t errlen)
{
	struct quota_limits l;

	if (!quotas_limits_compute(ctx, &l, err, errlen))
		return (false);
	return (usage_limits_put(ctx, &l, err, errlen));
}

/* ---- warnings ---------------------------------------------------------- */

/*
 * The event to every notification channel of the tenant, through the
 * notify worker (service/notify.h: one "notify" job per channel).
 */
static void
quotas_notify_channels(
    const struct tenant_ctx *ctx, const char *event_id, json_t *event)
{
	enum metadb_status st;
	json_t            *channels, *ch, *ids;
	char               err[256];
	size_t             i;

	channels = metadb_find(ctx, "notification_channels", NULL, NULL, 0,
	    NOTIFY_CHANNEL_IDS_MAX, &st, err, sizeof(err));
	if (st != METADB_OK) {
		quotas_log(ctx, "reading the notification channels", err);
		json_decref(channels);
		return;
	}
	ids = json_array();
	json_array_foreach(channels, i, ch)
	{
		if (json_is_string(json_object_get(ch, "id")))
			json_array_append(ids, json_object_get(ch, "id"));
	}
	if (json_array_size(ids) > 0 &&
	    !notify_enqueue(ctx, ids, event_id, event, err, sizeof(err)))
		quotas_log(ctx, "queueing a quota notification", err);
	json_decref(ids);
	json_decref(channels);
}

void
quotas_warn(const struct tenant_ctx *ctx, enum quota_limit limit, int threshold,
    long used, long max, long now)
{
	char    day[QUOTA_DAY_LEN], message[256], at[TEXT_ISO_LEN];
	char    event_id[96], resets[TEXT_ISO_LEN], err[256];
	json_t *doc, *event;
	bool    first;

	if (threshold == 0)
		return;
	quota_day(now, day);
	if (!usage_warn_once(
		ctx, day, limit, threshold, &first, err, sizeof(err))) {
		quotas_log(ctx, "recording a warning", err);
		return;
	}
	if (!first)
		return;
	quota_warning_text(
	    limit, threshold, used, max, message, sizeof(message));
	text_iso8601(now, at, sizeof(at));
	text_iso8601(quota_reset_at(now), resets, sizeof(resets));
	snprintf(event_id, sizeof(event_id), "quota:%s:%s:%d", day,
	    quota_limit_name(limit), threshold);
	doc = json_pack("{s:s, s:s, s:s, s:i, s:I, s:I, s:s, s:s, s:s, s:b}",
	    "kind", "quota.warning", "event_id", event_id, "limit",
	    quota_limit_name(limit), "threshold", threshold, "usage",
	    (json_int_t)used, "max", (json_int_t)max, "period", day, "message",
	    message, "created_at", at, "read", 0);
	if (metadb_insert(ctx, "quota_warnings", doc, NULL, err, sizeof(err)) !=
	    METADB_OK)
		quotas_log(ctx, "storing a warning", err);
	json_decref(doc);
	event = json_pack("{s:s, s:s, s:{s:s, s:i, s:I, s:I, s:s*}}", "kind",
	    "quota.warning", "message", message, "quota", "limit",
	    quota_limit_name(limit), "threshold", threshold, "usage",
	    (json_int_t)used, "max", (json_int_t)max, "resets_at",
	    quota_limit_daily(limit) ? resets : NULL);
	quotas_notify_channels(ctx, event_id, event);
	json_decref(event);
	log_emit(LOG_LEVEL_INFO, "quotas", NULL,
	    json_pack("{s:s, s:s, s:i}", "tenant_id", ctx->id, "limit",
		quota_limit_name(limit), "threshold", threshold),
	    "quota warning: %s", message);
}

/* Warns when a counter's step crossed 80 % or 95 %. */
static void
quotas_warn_step(const struct tenant_ctx *ctx, enum quota_limit limit,
    long before, long after, long max, long now)
{
	int t;

	if ((t = quota_threshold_crossed(before, after, max)) != 0)
		quotas_warn(ctx, limit, t, after, max, now);
}

/* ---- admission --------------------------------------------------------- */

enum quotas_verdict
quotas_api_request(const struct tenant_ctx *ctx, const char *user_id, long now,
    struct usage_outcome *o, char *err, size_t errlen)
{
	char             day[QUOTA_DAY_LEN];
	enum usage_admit a;
	int              attempt;

	quota_day(now, day);
	for (attempt = 0; attempt < 2; attempt++) {
		a = usage_api_hit(ctx, day, user_id, o, err, errlen);
		if (a != USAGE_NO_LIMITS)
			break;
		if (!quotas_limits_fill(ctx, err, errlen))
			return (QUOTAS_UNAVAILABLE);
	}
	switch (a) {
	case USAGE_ADMITTED:
		quotas_warn_step(
		    ctx, QUOTA_API_REQUESTS, o->before, o->after, o->max, now);
		return (QUOTAS_OK);
	case USAGE_REFUSED:
		return (QUOTAS_EXCEEDED);
	default:
		if (a == USAGE_NO_LIMITS)
			snprintf(err, errlen, "the limits could not be cached");
		return (QUOTAS_UNAVAILABLE);
	}
}

void
quotas_api_admitted(
    const struct tenant_ctx *ctx, const struct usage_outcome *o, long now)
{
	quotas_warn_step(
	    ctx, QUOTA_API_REQUESTS, o->before, o->after, o->max, now);
}

enum quotas_verdict
quotas_ingest_begin(const struct tenant_ctx *ctx, long bytes, long now,
    struct usage_outcome *o, char *err, size_t errlen)
{
	char             day[QUOTA_DAY_LEN];
	enum usage_admit a;
	long             stored;
	int              attempt;

	quota_day(now, day);
	for (attempt = 0; attempt < 3; attempt++) {
		a = usage_ingest_reserve(ctx, day, bytes, o, err, errlen);
		if (a == USAGE_NO_LIMITS) {
			if (!quotas_limits_fill(ctx, err, errlen))
				return (QUOTAS_UNAVAILABLE);
		} else if (a == USAGE_NO_STORED) {
			if (!quotas_stored(ctx, true, &stored, err, errlen))
				return (QUOTAS_UNAVAILABLE);
		} else {
			break;
		}
	}
	switch (a) {
	case USAGE_ADMITTED:
		quotas_warn_step(
		    ctx, QUOTA_INGEST_BYTES, o->before, o->after, o->max, now);
		return (QUOTAS_OK);
	case USAGE_REFUSED:
		return (QUOTAS_EXCEEDED);
	default:
		if (a != USAGE_FAILED)
			snprintf(err, errlen, "the quota state is not cached");
		return (QUOTAS_UNAVAILABLE);
	}
}

/* Counts documents and warns on the docs limit. */
static void
quotas_docs(const struct tenant_ctx *ctx, const char *once, long docs, long now)
{
	struct quota_limits l;
	char                day[QUOTA_DAY_LEN], err[256];
	long                after;
	bool                counted;

	if (docs <= 0)
		return;
	quota_day(now, day);
	if (!usage_docs_add(
		ctx, day, docs, once, &after, &counted, err, sizeof(err))) {
		quotas_log(ctx, "counting documents", err);
		return;
	}
	if (counted && quotas_limits(ctx, &l, err, sizeof(err)))
		quotas_warn_step(ctx, QUOTA_INGEST_DOCS, after - docs, after,
		    l.max[QUOTA_INGEST_DOCS], now);
}

void
quotas_ingest_done(
    const struct tenant_ctx *ctx, long bytes, long docs, long now)
{
	char day[QUOTA_DAY_LEN], err[256];

	if (docs <= 0) {
		quota_day(now, day);
		if (!usage_ingest_refund(ctx, day, bytes, err, sizeof(err)))
			quotas_log(ctx, "refunding ingest bytes", err);
		return;
	}
	quotas_docs(ctx, NULL, docs, now);
}

void
quotas_file_docs(
    const struct tenant_ctx *ctx, const char *file_id, long docs, long now)
{
	quotas_docs(ctx, file_id, docs, now);
}

enum quotas_verdict
quotas_users_check(const struct tenant_ctx *ctx, long users, long now,
    struct usage_outcome *o, char *err, size_t errlen)
{
	struct quota_limits l;

	memset(o, 0, sizeof(*o));
	o->limit = QUOTA_USERS;
	o->before = o->after = users;
	if (!quotas_limits(ctx, &l, err, errlen))
		return (QUOTAS_UNAVAILABLE);
	o->max = l.max[QUOTA_USERS];
	if (!quota_admits(users, 1, o->max))
		return (QUOTAS_EXCEEDED);
	quotas_warn_step(ctx, QUOTA_USERS, users, users + 1, o->max, now);
	return (QUOTAS_OK);
}

/* ---- stored volume ----------------------------------------------------- */

/* Primary store size of the tenant's indices, through its alias. */
static bool
quotas_stored_measure(
    const struct tenant_ctx *ctx, long *bytes, char *err, size_t errlen)
{
	struct es_response r;
	json_t            *doc, *v;
	char               path[96];
	bool               ok;

	snprintf(path, sizeof(path), "/vigie-t-%s/_stats/store", ctx->id);
	memset(&r, 0, sizeof(r));
	*bytes = 0;
	if (!es_request("GET", path, NULL, 0, 5000, &r)) {
		snprintf(err, errlen, "elasticsearch: %s", r.error);
		es_response_free(&r);
		return (false);
	}
	if (r.status == 404) { /* no index yet */
		es_response_free(&r);
		return (true);
	}
	ok = false;
	if (r.status == 200 &&
	    (doc = json_loadb(r.body.data, r.body.len, 0, NULL)) != NULL) {
		v = json_object_get(
		    json_object_get(
			json_object_get(
			    json_object_get(doc, "_all"), "primaries"),
			"store"),
		    "size_in_bytes");
		if (json_is_integer(v)) {
			*bytes = (long)json_integer_value(v);
			ok = true;
		}
		json_decref(doc);
	}
	if (!ok)
		snprintf(
		    err, errlen, "elasticsearch stats answered %ld", r.status);
	es_response_free(&r);
	return (ok);
}

bool
quotas_stored(const struct tenant_ctx *ctx, bool fresh, long *bytes, char *err,
    size_t errlen)
{
	if (!fresh) {
		if (!usage_stored_get(ctx, bytes, err, errlen))
			return (false);
		if (*bytes >= 0)
			return (true);
	}
	if (!quotas_stored_measure(ctx, bytes, err, errlen))
		return (false);
	if (!usage_stored_put(ctx, *bytes, QUOTAS_STORED_TTL_S, err, errlen))
		quotas_log(ctx, "caching the stored volume", err);
	return (true);
}

/* ---- report ------------------------------------------------------------ */

static json_t *
quotas_limit_view(enum quota_limit l, long used, long max, long now)
{
	char at[TEXT_ISO_LEN];

	text_iso8601(quota_reset_at(now), at, sizeof(at));
	return (json_pack("{s:s, s:I, s:o, s:o, s:o}", "name",
	    quota_limit_name(l), "used", (json_int_t)used, "limit",
	    max > 0 ? json_integer(max) : json_null(), "percent",
	    max > 0 ? json_integer(quota_percent(used, max)) : json_null(),
	    "resets_at", quota_limit_daily(l) ? json_string(at) : json_null()));
}

static json_t *
quotas_day_view(const char *day, const struct usage_day *d, long stored)
{
	return (json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}", "day", day,
	    "ingested_bytes", (json_int_t)d->ingested_bytes, "ingested_docs",
	    (json_int_t)d->ingested_docs, "stored_bytes", (json_int_t)stored,
	    "api_requests", (json_int_t)d->api_requests, "active_users",
	    (json_int_t)d->active_users));
}

/* usage_daily of the last days, oldest first, today from the counters. */
static json_t *
quotas_history(const struct tenant_ctx *ctx, long now, long days,
    const struct usage_day *today, long stored, char *err, size_t errlen)
{
	enum metadb_status st;
	json_t            *filter, *sort, *docs, *doc, *out, *item;
	char               from[QUOTA_DAY_LEN], day[QUOTA_DAY_LEN];
	size_t             i;

	quota_day(now - (days - 1) * QUOTA_DAY_S, from);
	quota_day(now, day);
	filter = json_pack("{s:{s:s, s:s}}", "day", "$gte", from, "$lt", day);
	sort = json_pack("{s:i}", "day", 1);
	docs = metadb_find(
	    ctx, "usage_daily", filter, sort, 0, days, &st, err, errlen);
	json_decref(filter);
	json_decref(sort);
	if (st != METADB_OK) {
		json_decref(docs);
		return (NULL);
	}
	out = json_array();
	json_array_foreach(docs, i, doc)
	{
		item = json_pack("{s:O, s:I, s:I, s:I, s:I, s:I}", "day",
		    json_object_get(doc, "day"), "ingested_bytes",
		    json_integer_value(json_object_get(doc, "ingested_bytes")),
		    "ingested_docs",
		    json_integer_value(json_object_get(doc, "ingested_docs")),
		    "stored_bytes",
		    json_integer_value(json_object_get(doc, "stored_bytes")),
		    "api_requests",
		    json_integer_value(json_object_get(doc, "api_requests")),
		    "active_users",
		    json_integer_value(json_object_get(doc, "active_users")));
		json_array_append_new(out, item);
	}
	json_decref(docs);
	json_array_append_new(out, quotas_day_view(day, today, stored));
	return (out);
}

json_t *
quotas_report(
    const struct tenant_ctx *ctx, long now, long days, char *err, size_t errlen)
{
	struct quota_limits l;
	struct usage_day    today;
	json_t             *limits, *warnings, *history;
	char                day[QUOTA_DAY_LEN], text[256];
	long                used[QUOTA_COUNT], users, stored;
	int                 i, t;

	quota_day(now, day);
	if (!quotas_limits(ctx, &l, err, errlen) ||
	    !usage_day_read(ctx, day, &today, err, errlen) ||
	    !quotas_stored(ctx, false, &stored, err, errlen))
		return (NULL);
	if ((users = metadb_count(ctx, "users", NULL, err, errlen)) < 0)
		return (NULL);
	used[QUOTA_API_REQUESTS] = today.api_requests;
	used[QUOTA_INGEST_BYTES] = today.ingested_bytes;
	used[QUOTA_INGEST_DOCS] = today.ingested_docs;
	used[QUOTA_STORAGE_BYTES] = stored;
	used[QUOTA_USERS] = users;
	limits = json_array();
	warnings = json_array();
	for (i = 0; i < QUOTA_COUNT; i++) {
		json_array_append_new(limits,
		    quotas_limit_view(
			(enum quota_limit)i, used[i], l.max[i], now));
		if ((t = quota_threshold_reached(used[i], l.max[i])) == 0)
			continue;
		quota_warning_text((enum quota_limit)i, t, used[i], l.max[i],
		    text, sizeof(text));
		json_array_append_new(warnings,
		    json_pack("{s:s, s:i, s:s}", "limit",
			quota_limit_name((enum quota_limit)i), "threshold", t,
			"message", text));
	}
	history = quotas_history(ctx, now, days, &today, stored, err, errlen);
	if (history == NULL) {
		json_decref(limits);
		json_decref(warnings);
		return (NULL);
	}
	return (json_pack("{s:s, s:I, s:o, s:o, s:o}", "plan", ctx->plan,
	    "retention_days", (json_int_t)l.retention_days, "limits", limits,
	    "warnings", warnings, "history", history));
}

/* ---- flush ------------------------------------------------------------- */

/* Sets one day's document of usage_daily (inserted the first time). */
static bool
quotas_flush_day(const struct tenant_ctx *ctx, const char *day,
    const struct usage_day *d, long stored, long now, char *err, size_t errlen)
{
	enum metadb_status st;
	json_t            *filter, *set;
	char               at[TEXT_ISO_LEN];
	long               matched;
	int                attempt;

	text_iso8601(now, at, sizeof(at));
	filter = json_pack("{s:s}", "day", day);
	set = json_pack("{s:I, s:I, s:I, s:I, s:s}", "ingested_bytes",
	    (json_int_t)d->ingested_bytes, "ingested_docs",
	    (json_int_t)d->ingested_docs, "api_requests",
	    (json_int_t)d->api_requests, "active_users",
	    (json_int_t)d->active_users, "updated_at", at);
	if (stored >= 0)
		json_object_set_new(set, "stored_bytes", json_integer(stored));
	st = METADB_ERROR;
	for (attempt = 0; attempt < 2; attempt++) {
		st = metadb_update(
		    ctx, "usage_daily", filter, set, &matched, err, errlen);
		if (st != METADB_OK || matched > 0)
			break;
		json_object_set_new(set, "day", json_string(day));
		if (json_object_get(set, "stored_bytes") == NULL)
			json_object_set_new(
			    set, "stored_bytes", json_integer(0));
		st = metadb_insert(ctx, "usage_daily", set, NULL, err, errlen);
		json_object_del(set, "day");
		if (st != METADB_DUPLICATE)
			break; /* a concurrent flush inserted it: update */
	}
	json_decref(filter);
	json_decref(set);
	return (st == METADB_OK);
}

/* A JSON answer of Elasticsearch to GET path; NULL with err. */
static json_t *
quotas_es_json(const char *path, char *err, size_t errlen)
{
	struct es_response r;
	json_t            *doc;

	memset(&r, 0, sizeof(r));
	doc = NULL;
	if (!es_request("GET", path, NULL, 0, 30000, &r))
		snprintf(err, errlen, "elasticsearch: %s", r.error);
	else if (r.status != 200 ||
	    (doc = json_loadb(r.body.data, r.body.len, 0, NULL)) == NULL)
		snprintf(err, errlen, "elasticsearch answered %ld to %s",
		    r.status, path);
	es_response_free(&r);
	return (doc);
}

/*
 * Bytes stored by every tenant, {"<tenant id>": bytes}, from two
 * listings whatever the number of tenants: the indices behind each
 * tenant's alias, and the primary store size of each log index.
 */
static json_t *
quotas_stored_all(char *err, size_t errlen)
{
	json_t     *aliases, *indices, *sizes, *out, *e;
	const char *alias, *index, *size;
	size_t      i;

	aliases = quotas_es_json(
	    "/_cat/aliases/vigie-t-*?format=json&h=alias,index", err, errlen);
	indices = quotas_es_json("/_cat/indices/logs-*?format=json&h=index,"
				 "pri.store.size&bytes=b",
	    err, errlen);
	out = NULL;
	if (!json_is_array(aliases) || !json_is_array(indices))
		goto done;
	sizes = json_object();
	json_array_foreach(indices, i, e)
	{
		index = json_string_value(json_object_get(e, "index"));
		size = json_string_value(json_object_get(e, "pri.store.size"));
		if (index != NULL && size != NULL)
			json_object_set_new(
			    sizes, index, json_integer(strtol(size, NULL, 10)));
	}
	out = json_object();
	json_array_foreach(aliases, i, e)
	{
		alias = json_string_value(json_object_get(e, "alias"));
		index = json_string_value(json_object_get(e, "index"));
		if (alias == NULL || index == NULL ||
		    strncmp(alias, "vigie-t-", 8) != 0 ||
		    !tenant_id_check(alias + 8))
			continue;
		json_object_set_new(out, alias + 8,
		    json_integer(
			json_integer_value(json_object_get(out, alias + 8)) +
			json_integer_value(json_object_get(sizes, index))));
	}
	json_decref(sizes);
done:
	json_decref(aliases);
	json_decref(indices);
	return (out);
}

/*
 * Writes one day of one tenant unless the last flush wrote the same
 * values (a signature kept in Redis); stored < 0 keeps the stored bytes
 * already written. Sets *wrote.
 */
static bool
quotas_flush_one(const struct tenant_ctx *ctx, const char *day,
    const struct usage_day *d, long stored, long now, bool *wrote, char *err,
    size_t errlen)
{
	char sig[160], last[160];

	*wrote = false;
	snprintf(sig, sizeof(sig), "%ld:%ld:%ld:%ld:%ld", d->api_requests,
	    d->ingested_bytes, d->ingested_docs, d->active_users, stored);
	if (!usage_flushed_get(ctx, day, last, sizeof(last), err, errlen))
		return (false);
	if (strcmp(sig, last) == 0)
		return (true);
	if (!quotas_flush_day(ctx, day, d, stored, now, err, errlen))
		return (false);
	*wrote = true;
	return (usage_flushed_put(ctx, day, sig, err, errlen));
}

/*
 * Yesterday's last counts (when its counters still exist) and today's,
 * with stored, the bytes the tenant stores now. A tenant with nothing
 * counted and nothing stored has no document written.
 */
bool
quotas_flush_tenant(const struct tenant_ctx *ctx, long now, long stored,
    bool *wrote, char *err, size_t errlen)
{
	struct usage_day d;
	char             day[QUOTA_DAY_LEN];
	bool             w;

	*wrote = false;
	quota_day(now - QUOTA_DAY_S, day);
	if (!usage_day_read(ctx, day, &d, err, errlen))
		return (false);
	if (d.present &&
	    !quotas_flush_one(ctx, day, &d, -1, now, wrote, err, errlen))
		return (false);
	quota_day(now, day);
	if (!usage_day_read(ctx, day, &d, err, errlen))
		return (false);
	if (!usage_stored_put(ctx, stored, QUOTAS_STORED_TTL_S, err, errlen))
		quotas_log(ctx, "caching the stored volume", err);
	if (!d.present && stored == 0)
		return (true);
	if (!quotas_flush_one(ctx, day, &d, stored, now, &w, err, errlen))
		return (false);
	*wrote = *wrote || w;
	return (true);
}

#define QUOTAS_FLUSH_PAGE    200
#define QUOTAS_FLUSH_LOCK_MS (10 * 60 * 1000L)

/* Builds the context of a tenant record; false when it is unusable. */
static bool
quotas_ctx_of(const json_t *doc, struct tenant_ctx *ctx)
{
	const char *id, *slug, *plan;

	id = json_string_value(json_object_get(doc, "id"));
	slug = json_string_value(json_object_get(doc, "slug"));
	plan = json_string_value(json_object_get(doc, "plan"));
	memset(ctx, 0, sizeof(*ctx));
	snprintf(ctx->id, sizeof(ctx->id), "%s", id ? id : "");
	snprintf(ctx->slug, sizeof(ctx->slug), "%s", slug ? slug : "");
	snprintf(ctx->plan, sizeof(ctx->plan), "%s", plan ? plan : "");
	return (tenant_ctx_check(ctx));
}

/* Every active or suspended tenant, a page at a time. */
static long
quotas_flush_pages(
    json_t *stored, long now, void (*tick)(void), char *err, size_t errlen)
{
	struct tenant_ctx  ctx;
	enum metadb_status st;
	json_t            *filter, *sort, *docs, *doc;
	char               why[256];
	long               skip, written;
	size_t             i, n;
	bool               wrote;

	filter =
	    json_pack("{s:{s:[s, s]}}", "status", "$in", "active", "suspended");
	sort = json_pack("{s:i}", "_id", 1);
	written = 0;
	for (skip = 0;; skip += QUOTAS_FLUSH_PAGE) {
		docs = metadb_platform_find("tenants", filter, sort, skip,
		    QUOTAS_FLUSH_PAGE, &st, err, errlen);
		if (st != METADB_OK) {
			json_decref(docs);
			written = -1;
			break;
		}
		n = json_array_size(docs);
		json_array_foreach(docs, i, doc)
		{
			if (tick != NULL)
				tick();
			if (!quotas_ctx_of(doc, &ctx))
				continue;
			if (!quotas_flush_tenant(&ctx, now,
				json_integer_value(
				    json_object_get(stored, ctx.id)),
				&wrote, why, sizeof(why)))
				quotas_log(&ctx, "flushing usage", why);
			else if (wrote)
				written++;
		}
		json_decref(docs);
		if (n < QUOTAS_FLUSH_PAGE)
			break;
	}
	json_decref(filter);
	json_decref(sort);
	return (written);
}

long
quotas_flush_all(
    const char *owner, long now, void (*tick)(void), char *err, size_t errlen)
{
	json_t *stored;
	char    why[256];
	long    written;
	bool    won;

	if (!usage_flush_lock(owner, QUOTAS_FLUSH_LOCK_MS, &won, err, errlen))
		return (-1);
	if (!won)
		return (0); /* another worker is flushing */
	written = -1;
	if ((stored = quotas_stored_all(err, errlen)) != NULL) {
		written = quotas_flush_pages(stored, now, tick, err, errlen);
		json_decref(stored);
	}
	if (!usage_flush_unlock(owner, why, sizeof(why)))
		log_emit(LOG_LEVEL_WARNING, "quotas", NULL,
		    json_pack("{s:s}", "error", why),
		    "usage flush lock not released (it expires)");
	return (written);
}
