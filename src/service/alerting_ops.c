/*
 * Alerts as people see and handle them: lists with filters, one alert
 * with its trail, acknowledge / resolve / snooze / comment, and the
 * dashboard's figures (per-day counts, top rules, MTTR).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "core/alert_life.h"
#include "core/mem.h"
#include "core/text.h"
#include "core/timeparse.h"
#include "service/alerting.h"
#include "store/metadb.h"

#define ALERT_STATS_MAX   10000
#define ALERT_EVENTS_MAX  500
#define ALERT_SNOOZE_MAX  (30L * 86400)
#define ALERT_COMMENT_MAX 2000

void
alert_ops_event(const struct tenant_ctx *ctx, const char *alert_id,
    const char *rule_id, const char *actor, const char *action, long now,
    json_t *details)
{
	json_t *doc;
	char    err[256], at[32];

	text_iso8601(now, at, sizeof(at));
	doc = json_pack("{s:s, s:s?, s:s, s:I, s:s, s:s, s:o}", "alert_id",
	    alert_id, "rule_id", rule_id, "at", at, "at_s", (json_int_t)now,
	    "actor", actor, "action", action, "details",
	    details != NULL ? details : json_object());
	if (metadb_insert(ctx, "alert_events", doc, NULL, err, sizeof(err)) !=
	    METADB_OK)
		log_emit(LOG_LEVEL_WARNING, "alerts", NULL,
		    json_pack("{s:s, s:s, s:s}", "alert_id", alert_id, "action",
			action, "error", err),
		    "alert event lost");
	json_decref(doc);
}

static json_t *
alert_ops_view(json_t *doc)
{
	json_object_del(doc, "tenant_id");
	return (doc);
}

void
alert_ops_list(const struct tenant_ctx *ctx, const struct alert_filter *f,
    struct alerting_outcome *o)
{
	enum metadb_status st;
	json_t            *filter, *sort, *items, *range, *doc;
	char               err[256];
	long               total;
	size_t             i;

	memset(o, 0, sizeof(*o));
	filter = json_object();
	if (f->status != NULL && strcmp(f->status, "open") == 0)
		json_object_set_new(filter, "open", json_true());
	else if (f->status != NULL)
		json_object_set_new(filter, "status", json_string(f->status));
	if (f->rule_id != NULL)
		json_object_set_new(filter, "rule_id", json_string(f->rule_id));
	if (f->severity != NULL)
		json_object_set_new(
		    filter, "severity", json_string(f->severity));
	if (f->from > 0 || f->to > 0) {
		range = json_object();
		if (f->from > 0)
			json_object_set_new(
			    range, "$gte", json_integer(f->from));
		if (f->to > 0)
			json_object_set_new(range, "$lt", json_integer(f->to));
		json_object_set_new(filter, "started_s", range);
	}
	sort = json_pack("{s:i}", "started_s", -1);
	items = metadb_find(ctx, "alerts", filter, sort,
	    (f->page - 1) * f->size, f->size, &st, err, sizeof(err));
	total = st == METADB_OK
	    ? metadb_count(ctx, "alerts", filter, err, sizeof(err))
	    : -1;
	json_decref(sort);
	json_decref(filter);
	if (st != METADB_OK || total < 0) {
		json_decref(items);
		alerting_fail(o, ALERTING_UNAVAILABLE, "alerts unavailable");
		return;
	}
	json_array_foreach(items, i, doc) alert_ops_view(doc);
	o->body = json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total",
	    (json_int_t)total, "page", (json_int_t)f->page, "size",
	    (json_int_t)f->size);
}

void
alert_ops_get(
    const struct tenant_ctx *ctx, const char *id, struct alerting_outcome *o)
{
	enum metadb_status st;
	json_t            *doc, *filter, *sort, *events, *e;
	char               err[256];
	size_t             i;

	memset(o, 0, sizeof(*o));
	if ((doc = alerting_load(ctx, "alerts", id, "alert", o)) == NULL)
		return;
	filter = json_pack("{s:s}", "alert_id", id);
	sort = json_pack("{s:i}", "at_s", 1);
	events = metadb_find(ctx, "alert_events", filter, sort, 0,
	    ALERT_EVENTS_MAX, &st, err, sizeof(err));
	json_decref(filter);
	json_decref(sort);
	json_array_foreach(events, i, e)
	{
		json_object_del(e, "tenant_id");
		json_object_del(e, "at_s");
	}
	json_object_set_new(doc, "events", events);
	o->body = alert_ops_view(doc);
}

/* "until": an ISO time, or "for": a duration; in the future, bounded. */
static bool
alert_ops_snooze_until(
    const json_t *body, long now, long *until, struct alerting_outcome *o)
{
	const char *s;
	int64_t     ms;
	long        d;

	if ((s = json_string_value(json_object_get(body, "until"))) != NULL) {
		if (timeparse_iso8601(s, strlen(s), 0, false, &ms) !=
		    strlen(s)) {
			alerting_fail(o, ALERTING_INVALID,
			    "until must be an ISO 8601 time");
			o->details = json_pack("{s:s}", "field", "until");
			return (false);
		}
		*until = (long)(ms / 1000);
	} else if ((s = json_string_value(json_object_get(body, "for"))) !=
	    NULL) {
		if (!alert_duration_parse(s, &d)) {
			alerting_fail(o, ALERTING_INVALID,
			    "for must be a duration such as \"30m\"");
			o->details = json_pack("{s:s}", "field", "for");
			return (false);
		}
		*until = now + d;
	} else {
		alerting_fail(o, ALERTING_INVALID,
		    "a snooze needs \"until\" (ISO 8601) or \"for\" "
		    "(duration)");
		o->details = json_pack("{s:s}", "field", "until");
		return (false);
	}
	if (*until <= now || *until > now + ALERT_SNOOZE_MAX) {
		alerting_fail(o, ALERTING_INVALID,
		    "a snooze ends in the future, within 30 days");
		o->details = json_pack("{s:s}", "field", "until");
		return (false);
	}
	return (true);
}

static bool
alert_ops_comment_text(
    const json_t *body, const char **text, struct alerting_outcome *o)
{
	const json_t *v;

	v = json_object_get(body, "text");
	if (!json_is_string(v) || json_string_length(v) < 1 ||
	    json_string_length(v) > ALERT_COMMENT_MAX ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		alerting_fail(
		    o, ALERTING_INVALID, "text must be 1 to 2000 bytes");
		o->details = json_pack("{s:s}", "field", "text");
		return (false);
	}
	*text = json_string_value(v);
	return (true);
}

/* The update of an action (NULL for a comment) and its filter. */
static json_t *
alert_ops_change(const struct alerting_actor *a, enum alert_action act,
    const char *id, long until, json_t **filter)
{
	char at[32], u[32];

	text_iso8601(a->now, at, sizeof(at));
	switch (act) {
	case ALERT_ACT_ACK:
		*filter = json_pack("{s:s, s:s}", "id", id, "status", "firing");
		return (json_pack("{s:s, s:s, s:s, s:s}", "status",
		    "acknowledged", "acknowledged_at", at, "acknowledged_by",
		    a->user_id, "updated_at", at));
	case ALERT_ACT_RESOLVE:
		*filter = json_pack("{s:s, s:b}", "id", id, "open", 1);
		return (json_pack("{s:s, s:b, s:s, s:s, s:I, s:s}", "status",
		    "resolved", "open", 0, "resolved_at", at, "resolved_by",
		    a->user_id, "resolved_s", (json_int_t)a->now, "updated_at",
		    at));
	case ALERT_ACT_SNOOZE:
		text_iso8601(until, u, sizeof(u));
		*filter = json_pack("{s:s, s:b}", "id", id, "open", 1);
		return (json_pack("{s:s, s:I, s:s}", "snoozed_until", u,
		    "snoozed_until_s", (json_int_t)until, "updated_at", at));
	default:
		*filter = NULL;
		return (NULL);
	}
}

void
alert_ops_act(const struct alerting_actor *a, const char *id,
    const char *action, const json_t *body, struct alerting_outcome *o)
{
	enum alert_action act;
	enum alert_status from, to;
	const char       *why, *text;
	json_t           *doc, *filter, *set, *details;
	char              err[256];
	long              until, matched;

	memset(o, 0, sizeof(*o));
	if ((doc = alerting_load(a->tenant, "alerts", id, "alert", o)) == NULL)
		return;
	act = alert_action_parse(action);
	from = alert_status_parse(
	    json_string_value(json_object_get(doc, "status")));
	until = 0;
	text = NULL;
	if ((int)act < 0) {
		json_decref(doc);
		alerting_fail(o, ALERTING_NOT_FOUND, "no such action");
		return;
	}
	if (!alert_transition(from, act, &to, &why)) {
		json_decref(doc);
		alerting_fail(o, ALERTING_CONFLICT, "%s", why);
		return;
	}
	if ((act == ALERT_ACT_SNOOZE &&
		!alert_ops_snooze_until(body, a->now, &until, o)) ||
	    (act == ALERT_ACT_COMMENT &&
		!alert_ops_comment_text(body, &text, o))) {
		json_decref(doc);
		return;
	}
	set = alert_ops_change(a, act, id, until, &filter);
	if (set != NULL) {
		if (metadb_update(a->tenant, "alerts", filter, set, &matched,
			err, sizeof(err)) != METADB_OK) {
			alerting_fail(
			    o, ALERTING_UNAVAILABLE, "alerts unavailable");
		} else if (matched == 0) {
			alerting_fail(o, ALERTING_CONFLICT,
			    "the alert changed meanwhile; reload it");
		} else {
			json_object_update(doc, set);
		}
		json_decref(filter);
	}
	if (o->result != ALERTING_OK) {
		json_decref(set);
		json_decref(doc);
		return;
	}
	details = act == ALERT_ACT_COMMENT ? json_pack("{s:s}", "text", text)
	    : act == ALERT_ACT_SNOOZE
	    ? json_pack("{s:O}", "until", json_object_get(set, "snoozed_until"))
	    : json_object();
	json_object_set_new(details, "name", json_string(a->name));
	alert_ops_event(a->tenant, id,
	    json_string_value(json_object_get(doc, "rule_id")), a->user_id,
	    act == ALERT_ACT_ACK           ? "acknowledged"
		: act == ALERT_ACT_RESOLVE ? "resolved"
		: act == ALERT_ACT_SNOOZE  ? "snoozed"
					   : "commented",
	    a->now, details);
	if (act == ALERT_ACT_RESOLVE)
		alert_eval_notify_resolved(a->tenant, doc, a->now);
	json_decref(set);
	json_decref(doc);
	alert_ops_get(a->tenant, id, o);
	if (o->result == ALERTING_OK)
		o->audit =
		    json_pack("{s:s, s:s}", "alert_id", id, "action", action);
}

/* ---- dashboard figures ---------------------------------------------------- */

struct alert_ops_rule_count {
	const char *id;
	const char *name;
	long        count;
};

static int
alert_ops_by_count(const void *a, const void *b)
{
	const struct alert_ops_rule_count *x = a, *y = b;

	return ((y->count > x->count) - (y->count < x->count));
}

void
alert_ops_stats(const struct tenant_ctx *ctx, long days, long now,
    struct alerting_outcome *o)
{
	struct alert_ops_rule_count *rules;
	enum metadb_status           st;
	json_t                      *filter, *items, *a, *per_day, *top, *sev;
	const char                  *rid, *status;
	long  *counts, start, day0, d, resolved, open_firing, open_ack;
	double mttr_sum;
	size_t i, nrules, k;
	char   err[256], day[32];

	memset(o, 0, sizeof(*o));
	day0 = (now / 86400 - (days - 1)) * 86400;
	filter = json_pack("{s:{s:I}}", "started_s", "$gte", (json_int_t)day0);
	items = metadb_find(ctx, "alerts", filter, NULL, 0, ALERT_STATS_MAX,
	    &st, err, sizeof(err));
	json_decref(filter);
	if (st != METADB_OK) {
		json_decref(items);
		alerting_fail(o, ALERTING_UNAVAILABLE, "alerts unavailable");
		return;
	}
	counts = mem_calloc((size_t)days, sizeof(*counts));
	rules = mem_calloc(json_array_size(items) + 1, sizeof(*rules));
	nrules = 0;
	resolved = open_firing = open_ack = 0;
	mttr_sum = 0;
	sev = json_pack("{s:i, s:i, s:i, s:i}", "low", 0, "medium", 0, "high",
	    0, "critical", 0);
	json_array_foreach(items, i, a)
	{
		start =
		    (long)json_integer_value(json_object_get(a, "started_s"));
		d = (start - day0) / 86400;
		if (d >= 0 && d < days)
			counts[d]++;
		status = json_string_value(json_object_get(a, "status"));
		if (status != NULL && strcmp(status, "resolved") == 0) {
			resolved++;
			mttr_sum += (double)(json_integer_value(json_object_get(
						 a, "resolved_s")) -
			    start);
		} else if (status != NULL && strcmp(status, "firing") == 0) {
			open_firing++;
		} else {
			open_ack++;
		}
		status = json_string_value(json_object_get(a, "base_severity"));
		if (status != NULL && json_object_get(sev, status) != NULL)
			json_object_set_new(sev, status,
			    json_integer(json_integer_value(
					     json_object_get(sev, status)) +
				1));
		rid = json_string_value(json_object_get(a, "rule_id"));
		for (k = 0; rid != NULL && k < nrules; k++)
			if (strcmp(rules[k].id, rid) == 0)
				break;
		if (rid == NULL)
			continue;
		if (k == nrules) {
			rules[nrules].id = rid;
			rules[nrules].name =
			    json_string_value(json_object_get(a, "rule_name"));
			nrules++;
		}
		rules[k].count++;
	}
	per_day = json_array();
	for (d = 0; d < days; d++) {
		text_iso8601(day0 + d * 86400, day, sizeof(day));
		day[10] = '\0';
		json_array_append_new(per_day,
		    json_pack("{s:s, s:I}", "day", day, "count",
			(json_int_t)counts[d]));
	}
	qsort(rules, nrules, sizeof(*rules), alert_ops_by_count);
	top = json_array();
	for (k = 0; k < nrules && k < 10; k++)
		json_array_append_new(top,
		    json_pack("{s:s, s:s?, s:I}", "rule_id", rules[k].id,
			"name", rules[k].name, "count",
			(json_int_t)rules[k].count));
	o->body = json_pack("{s:I, s:I, s:o, s:o, s:o, s:{s:I, s:I}, s:I, s:b}",
	    "days", (json_int_t)days, "total",
	    (json_int_t)json_array_size(items), "per_day", per_day, "top_rules",
	    top, "by_severity", sev, "open", "firing", (json_int_t)open_firing,
	    "acknowledged", (json_int_t)open_ack, "resolved",
	    (json_int_t)resolved, "truncated",
	    json_array_size(items) >= ALERT_STATS_MAX);
	json_object_set_new(o->body, "mttr_s",
	    resolved > 0 ? json_real(mttr_sum / (double)resolved)
			 : json_null());
	mem_free(counts);
	mem_free(rules);
	json_decref(items);
}
