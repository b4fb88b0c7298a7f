/*
 * Alert rules: create, list, show, change and delete, checked by
 * core/alert_rule.c. A stored rule is the rule's canonical JSON plus
 * bookkeeping: created_at/by, updated_at, next_eval_s (when the worker
 * evaluates it next, seconds since the epoch) and eval (the outcome of
 * the last evaluation, errors included, so that none is silent).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "core/text.h"
#include "service/alerting.h"
#include "service/notify.h"
#include "store/alert_due.h"
#include "store/metadb.h"

static struct alert_limits alerting_lim = {
    .min_interval_s = 60, .escalate_l2_s = 900, .escalate_l3_s = 3600};

static void (*alerting_beat_fn)(void);

void
alerting_set_beat(void (*fn)(void))
{
	alerting_beat_fn = fn;
}

void
alerting_beat(void)
{
	if (alerting_beat_fn != NULL)
		alerting_beat_fn();
}

void
alerting_configure(const struct settings *s)
{
	alerting_lim.min_interval_s = s->alert_min_interval_s;
	alerting_lim.escalate_l2_s = s->alert_escalate_l2_s;
	alerting_lim.escalate_l3_s = s->alert_escalate_l3_s;
}

const struct alert_limits *
alerting_limits(void)
{
	return (&alerting_lim);
}

void
alerting_outcome_clear(struct alerting_outcome *o)
{
	json_decref(o->body);
	json_decref(o->details);
	json_decref(o->audit);
	o->body = o->details = o->audit = NULL;
}

bool
alerting_id_check(const char *s)
{
	return (s != NULL && tenant_id_check(s));
}

void
alerting_fail(
    struct alerting_outcome *o, enum alerting_result r, const char *fmt, ...)
{
	va_list ap;

	o->result = r;
	va_start(ap, fmt);
	vsnprintf(o->message, sizeof(o->message), fmt, ap);
	va_end(ap);
}

json_t *
alerting_load(const struct tenant_ctx *ctx, const char *coll, const char *id,
    const char *what, struct alerting_outcome *o)
{
	enum metadb_status st;
	json_t            *filter, *doc;
	char               err[256];

	if (!alerting_id_check(id)) {
		alerting_fail(o, ALERTING_NOT_FOUND, "no such %s", what);
		return (NULL);
	}
	filter = json_pack("{s:s}", "id", id);
	doc = metadb_find_one(ctx, coll, filter, &st, err, sizeof(err));
	json_decref(filter);
	if (st == METADB_NOT_FOUND)
		alerting_fail(o, ALERTING_NOT_FOUND, "no such %s", what);
	else if (doc == NULL)
		alerting_fail(o, ALERTING_UNAVAILABLE, "%s: %s", coll, err);
	return (doc);
}

/* The worker's next tick looks at this organization (best effort). */
static void
alert_rules_due_now(const struct alerting_actor *a)
{
	char err[256];

	if (!alert_due_mark(a->tenant->id, a->now, err, sizeof(err)))
		log_emit(LOG_LEVEL_WARNING, "alerts", NULL,
		    json_pack(
			"{s:s, s:s}", "tenant_id", a->tenant->id, "error", err),
		    "rule change not signalled to the evaluator; the next "
		    "sweep finds it");
}

bool
alert_rules_parse(
    const json_t *body, struct alert_rule *r, struct alerting_outcome *o)
{
	struct alert_rule_error e;

	if (alert_rule_parse(body, &alerting_lim, r, &e))
		return (true);
	o->result = ALERTING_INVALID;
	snprintf(o->message, sizeof(o->message), "%s%s%s", e.field,
	    e.field[0] != '\0' ? " " : "", e.message);
	o->details = json_pack("{s:s}", "field", e.field);
	return (false);
}

/* Whether the stored rule before names channel id. */
static bool
alert_rules_named(const json_t *before, const char *id)
{
	const json_t *v, *lv;
	size_t        i, j;

	json_array_foreach(json_object_get(before, "channels"), i, v)
	{
		if (json_is_string(v) && strcmp(json_string_value(v), id) == 0)
			return (true);
	}
	json_array_foreach(
	    json_object_get(json_object_get(before, "escalation"), "levels"), i,
	    lv)
	{
		json_array_foreach(json_object_get(lv, "channels"), j, v)
		{
			if (json_is_string(v) &&
			    strcmp(json_string_value(v), id) == 0)
				return (true);
		}
	}
	return (false);
}

/*
 * Every channel the rule names (its own and its escalation levels') must
 * be a notification channel of the tenant: false with o set otherwise.
 * Channels the stored rule (before, NULL for a new rule) already named
 * are not checked again, so that a rule whose channel was deleted can
 * still be changed (disabled, or given another channel).
 */
static bool
alert_rules_channels_exist(const struct tenant_ctx *ctx,
    const struct alert_rule *r, const json_t *before,
    struct alerting_outcome *o)
{
	const char *id;
	json_t     *doc;
	char        err[256];
	bool        found;
	int         l, i, n;

	for (l = -1; l < r->nlevels; l++) {
		n = l < 0 ? r->nchannels : r->levels_of[l].nchannels;
		for (i = 0; i < n; i++) {
			id = l < 0 ? r->channels[i]
				   : r->levels_of[l].channels[i];
			if (alert_rules_named(before, id))
				continue; /* kept from before: not checked */
			doc = notify_channel_load(
			    ctx, id, &found, err, sizeof(err));
			json_decref(doc);
			if (doc == NULL && !found && err[0] != '\0') {
				alerting_fail(o, ALERTING_UNAVAILABLE,
				    "notification channels: %s", err);
				return (false);
			}
			if (!found) {
				alerting_fail(o, ALERTING_INVALID,
				    "channels: %s is not a notification channel "
				    "of this organization",
				    id);
				o->details = json_pack("{s:s}", "field",
				    l < 0 ? "channels" : "escalation.levels");
				return (false);
			}
		}
	}
	return (true);
}

/* The rule fields of a stored document (bookkeeping left out). */
static json_t *
alert_rules_fields(const json_t *doc)
{
	static const char *const keep[] = {"name", "description", "enabled",
	    "severity", "type", "query", "window", "interval", "group_by",
	    "cooldown", "auto_resolve", "condition", "channels", "escalation"};
	json_t                  *out, *v;
	size_t                   i;

	out = json_object();
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if ((v = json_object_get(doc, keep[i])) != NULL)
			json_object_set(out, keep[i], v);
	return (out);
}

bool
alert_rules_of_doc(const json_t *doc, struct alert_rule *r)
{
	struct alert_rule_error e;
	json_t                 *fields;
	bool                    ok;

	fields = alert_rules_fields(doc);
	ok = alert_rule_parse(fields, &alerting_lim, r, &e);
	json_decref(fields);
	return (ok);
}

/* A stored rule as the API shows it. */
static json_t *
alert_rules_view(json_t *doc)
{
	json_object_del(doc, "tenant_id");
	return (doc);
}

void
alert_rules_list(const struct tenant_ctx *ctx, struct alerting_outcome *o)
{
	enum metadb_status st;
	json_t            *items, *sort, *doc;
	char               err[256];
	size_t             i;

	memset(o, 0, sizeof(*o));
	sort = json_pack("{s:i}", "created_at", -1);
	items = metadb_find(
	    ctx, "alert_rules", NULL, sort, 0, 1000, &st, err, sizeof(err));
	json_decref(sort);
	if (items == NULL) {
		alerting_fail(o, ALERTING_UNAVAILABLE, "rules: %s", err);
		return;
	}
	json_array_foreach(items, i, doc) alert_rules_view(doc);
	o->body = json_pack("{s:o, s:I}", "items", items, "total",
	    (json_int_t)json_array_size(items));
}

void
alert_rules_get(
    const struct tenant_ctx *ctx, const char *id, struct alerting_outcome *o)
{
	json_t *doc;

	memset(o, 0, sizeof(*o));
	if ((doc = alerting_load(ctx, "alert_rules", id, "alert rule", o)) !=
	    NULL)
		o->body = alert_rules_view(doc);
}

void
alert_rules_create(const struct alerting_actor *a, const json_t *body,
    struct alerting_outcome *o)
{
	struct alert_rule r;
	json_t           *doc;
	char              err[256], id[25], at[32];

	memset(o, 0, sizeof(*o));
	if (!alert_rules_parse(body, &r, o) ||
	    !alert_rules_channels_exist(a->tenant, &r, NULL, o))
		return;
	doc = alert_rule_to_json(&r);
	text_iso8601(a->now, at, sizeof(at));
	json_object_set_new(doc, "created_at", json_string(at));
	json_object_set_new(doc, "updated_at", json_string(at));
	json_object_set_new(doc, "created_by", json_string(a->user_id));
	json_object_set_new(doc, "next_eval_s", json_integer(a->now));
	json_object_set_new(doc, "eval",
	    json_pack("{s:s, s:n, s:n, s:i}", "status", "pending", "at",
		"error", "consecutive_errors", 0));
	if (metadb_insert(a->tenant, "alert_rules", doc, id, err,
		sizeof(err)) != METADB_OK) {
		json_decref(doc);
		alerting_fail(o, ALERTING_UNAVAILABLE, "rules: %s", err);
		return;
	}
	json_object_set_new(doc, "id", json_string(id));
	if (r.enabled)
		alert_rules_due_now(a);
	o->audit = json_pack("{s:s, s:s}", "rule_id", id, "name", r.name);
	o->body = doc;
}

void
alert_rules_update(const struct alerting_actor *a, const char *id,
    const json_t *body, bool merge, struct alerting_outcome *o)
{
	struct alert_rule r;
	json_t           *old, *fields, *set, *filter, *doc;
	char              err[256], at[32];
	long              matched;

	memset(o, 0, sizeof(*o));
	if ((old = alerting_load(
		 a->tenant, "alert_rules", id, "alert rule", o)) == NULL)
		return;
	if (!json_is_object(body)) {
		json_decref(old);
		alerting_fail(
		    o, ALERTING_INVALID, "the body must be a JSON object");
		return;
	}
	if (merge) {
		fields = alert_rules_fields(old);
		json_object_update(fields, (json_t *)body);
	} else {
		fields = json_deep_copy(body);
	}
	if (!alert_rules_parse(fields, &r, o) ||
	    !alert_rules_channels_exist(a->tenant, &r, old, o)) {
		json_decref(fields);
		json_decref(old);
		return;
	}
	json_decref(fields);
	set = alert_rule_to_json(&r);
	text_iso8601(a->now, at, sizeof(at));
	json_object_set_new(set, "updated_at", json_string(at));
	/* A changed rule is evaluated at once. */
	json_object_set_new(set, "next_eval_s", json_integer(a->now));
	filter = json_pack("{s:s}", "id", id);
	if (metadb_update(a->tenant, "alert_rules", filter, set, &matched, err,
		sizeof(err)) != METADB_OK) {
		alerting_fail(o, ALERTING_UNAVAILABLE, "rules: %s", err);
	} else if (matched == 0) {
		alerting_fail(o, ALERTING_NOT_FOUND, "no such alert rule");
	} else {
		if (r.enabled)
			alert_rules_due_now(a);
		doc = old;
		json_object_update(doc, set);
		old = NULL;
		o->audit =
		    json_pack("{s:s, s:s}", "rule_id", id, "name", r.name);
		o->body = alert_rules_view(doc);
	}
	json_decref(filter);
	json_decref(set);
	json_decref(old);
}

/*
 * Deletes the rule; its open alerts are resolved (by the person who
 * deleted it) so that nothing stays firing without a rule.
 */
void
alert_rules_delete(
    const struct alerting_actor *a, const char *id, struct alerting_outcome *o)
{
	json_t *filter, *set;
	char    err[256], at[32];
	long    deleted, matched;

	memset(o, 0, sizeof(*o));
	if (!alerting_id_check(id)) {
		alerting_fail(o, ALERTING_NOT_FOUND, "no such alert rule");
		return;
	}
	filter = json_pack("{s:s}", "id", id);
	if (metadb_delete(a->tenant, "alert_rules", filter, &deleted, err,
		sizeof(err)) != METADB_OK) {
		json_decref(filter);
		alerting_fail(o, ALERTING_UNAVAILABLE, "rules: %s", err);
		return;
	}
	json_decref(filter);
	if (deleted == 0) {
		alerting_fail(o, ALERTING_NOT_FOUND, "no such alert rule");
		return;
	}
	text_iso8601(a->now, at, sizeof(at));
	filter = json_pack("{s:s, s:b}", "rule_id", id, "open", 1);
	set = json_pack("{s:s, s:b, s:s, s:s, s:I}", "status", "resolved",
	    "open", 0, "resolved_at", at, "resolved_by", a->user_id,
	    "resolved_s", (json_int_t)a->now);
	(void)metadb_update(
	    a->tenant, "alerts", filter, set, &matched, err, sizeof(err));
	json_decref(filter);
	json_decref(set);
	o->audit = json_pack("{s:s}", "rule_id", id);
	o->body = NULL;
}
