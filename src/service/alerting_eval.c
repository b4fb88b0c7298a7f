/*
 * Evaluating alert rules against a tenant's logs (through its alias
 * only) and acting on the verdicts: one open alert per (rule, group),
 * cooldown between alerts of a group, automatic resolution when the
 * condition clears, escalation by level, and a "notify" job per channel
 * for each of these events. Every state change is a conditional update
 * (on the state it was decided from), so a person acknowledging while the
 * worker escalates never loses either change.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "common/env.h"
#include "common/log.h"
#include "core/alert_eval.h"
#include "core/alert_life.h"
#include "core/alert_query.h"
#include "core/buf.h"
#include "core/mem.h"
#include "core/text.h"
#include "core/timeparse.h"
#include "service/alerting.h"
#include "service/account.h"
#include "service/notify.h"
#include "store/alert_due.h"
#include "store/es_alias.h"
#include "store/metadb.h"

#define ALERT_OPEN_MAX  500
#define ALERT_DUE_BATCH 500 /* organizations per tick, at most */
/* A tick stops starting evaluations after this; the rest stay due. */
#define ALERT_TICK_BUDGET_MS 5000

/*
 * Asks Elasticsearch for the numbers of the plan and fills t. Returns
 * false with the reason in err (a refused query or an unreachable
 * service): the caller records it on the rule.
 */
static bool
alert_eval_fetch(const struct tenant_ctx *ctx, const struct alert_rule *r,
    const struct alert_plan *p, struct alert_table *t, char *err, size_t errlen)
{
	json_t *body, *answer;
	bool    ok;

	alert_table_init(t, p->nranges);
	body = r->type == ALERT_PATTERN ? alert_pattern_body(r, p)
					: alert_query_body(r, p);
	if (body == NULL) {
		snprintf(err, errlen, "the rule's query cannot be built");
		return (false);
	}
	answer = es_alias_search(ctx, body, 0, err, errlen);
	json_decref(body);
	if (answer == NULL)
		return (false);
	ok = r->type == ALERT_PATTERN
	    ? alert_pattern_parse(r, p, answer, t, err, errlen)
	    : alert_query_parse(r, p, answer, t, err, errlen);
	json_decref(answer);
	return (ok);
}

/* ---- notifications -------------------------------------------------------- */

static void
alert_eval_urlenc(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (isalnum((unsigned char)*s) || strchr("-_.~", *s) != NULL)
			buf_append(b, s, 1);
		else
			buf_appendf(b, "%%%02X", (unsigned char)*s);
	}
}

/* The search page showing the documents of the alert's window. */
static char *
alert_eval_search_url(
    const struct alert_rule *r, const char *group, long started_s)
{
	struct buf b;
	unsigned   bit;
	char       from[32], to[32];
	int        i;

	text_iso8601(started_s - r->window_s, from, sizeof(from));
	text_iso8601(started_s + r->window_s, to, sizeof(to));
	buf_init(&b, 256);
	buf_appends(&b, "/app/search?q=");
	alert_eval_urlenc(&b, r->q);
	if (r->group_by[0] != '\0' && group[0] != '\0') {
		buf_appends(&b, r->q[0] != '\0' ? "%20" : "");
		alert_eval_urlenc(&b, r->group_by);
		buf_appends(&b, "%3A%22");
		alert_eval_urlenc(&b, group);
		buf_appends(&b, "%22");
	}
	buf_appends(&b, "&from=");
	alert_eval_urlenc(&b, from);
	buf_appends(&b, "&to=");
	alert_eval_urlenc(&b, to);
	for (bit = 1; bit <= ALERT_LEVEL_CRITICAL; bit <<= 1)
		if (r->levels & bit)
			buf_appendf(&b, "&level=%s", alert_level_name(bit));
	for (i = 0; i < r->nservices; i++) {
		buf_appends(&b, "&service=");
		alert_eval_urlenc(&b, r->services[i]);
	}
	return (buf_release(&b));
}

/*
 * The counts of the last two windows for the notification's chart, or
 * NULL (the chart is optional: a failure here never stops a
 * notification).
 */
static json_t *
alert_eval_series(const struct tenant_ctx *ctx, const struct alert_rule *r,
    const char *group, long now)
{
	json_t *body, *answer, *series;
	char    err[256];

	if ((body = alert_series_body(r, group, (int64_t)now * 1000)) == NULL)
		return (NULL);
	answer = es_alias_search(ctx, body, 5000, err, sizeof(err));
	json_decref(body);
	if (answer == NULL)
		return (NULL);
	series = alert_series_parse(answer);
	json_decref(answer);
	return (series);
}

/*
 * Pushes one "notify" job per channel for an event of an alert, and
 * records each in the alert's trail. event_id is the same for every
 * channel and every retry of the same event, so that deliveries can be
 * de-duplicated.
 */
static void
alert_eval_notify(const struct tenant_ctx *ctx, const char *rule_id,
    const struct alert_rule *r, const json_t *alert, const char *kind,
    const char *event_suffix, int nchannels, char channels[][ALERT_ID_LEN + 1],
    long now)
{
	const char *aid, *group, *sev;
	json_t     *ids, *event, *series;
	char        event_id[96], msg[512], err[256], window[16], *url;
	bool        queued;
	int         i;

	aid = json_string_value(json_object_get(alert, "id"));
	group = json_string_value(json_object_get(alert, "group"));
	sev = json_string_value(json_object_get(alert, "severity"));
	if (aid == NULL || nchannels == 0)
		return;
	if (group == NULL)
		group = "";
	snprintf(event_id, sizeof(event_id), "alert:%s:%s", aid, event_suffix);
	alert_duration_format(r->window_s, window, sizeof(window));
	snprintf(msg, sizeof(msg),
	    "[%s] %s%s%s: %s, value %g (threshold %g, "
	    "window %s)",
	    sev != NULL ? sev : alert_severity_name(r->severity), r->name,
	    group[0] != '\0' ? " / " : "", group,
	    strcmp(kind, "alert.resolved") == 0        ? "resolved"
		: strcmp(kind, "alert.escalated") == 0 ? "escalated"
						       : "firing",
	    json_number_value(json_object_get(alert, "value")),
	    json_number_value(json_object_get(alert, "threshold")), window);
	url = alert_eval_search_url(r, group,
	    (long)json_integer_value(json_object_get(alert, "started_s")));
	series = alert_eval_series(ctx, r, group, now);
	event = json_pack("{s:s, s:{s:s, s:s, s:s}, "
			  "s:{s:s, s:s, s:O, s:O, s:s, s:O, s:O}, s:s, s:s}",
	    "kind", kind, "rule", "id", rule_id, "name", r->name, "severity",
	    sev != NULL ? sev : alert_severity_name(r->severity), "alert", "id",
	    aid, "group", group, "value", json_object_get(alert, "value"),
	    "threshold", json_object_get(alert, "threshold"), "window", window,
	    "started_at", json_object_get(alert, "started_at"), "level",
	    json_object_get(alert, "level"), "search_url", url, "message", msg);
	mem_free(url);
	if (series != NULL)
		json_object_set_new(
		    json_object_get(event, "alert"), "series", series);
	/* notify.c queues one job per channel (CONTRACTS.md). */
	ids = json_array();
	for (i = 0; i < nchannels; i++)
		json_array_append_new(ids, json_string(channels[i]));
	queued = notify_enqueue(ctx, ids, event_id, event, err, sizeof(err));
	json_decref(ids);
	if (!queued)
		log_emit(LOG_LEVEL_ERROR, "alerts", NULL,
		    json_pack("{s:s, s:s, s:s}", "tenant_id", ctx->id,
			"event_id", event_id, "error", err),
		    "notification could not be queued");
	for (i = 0; i < nchannels; i++)
		alert_ops_event(ctx, aid, rule_id, "system",
		    queued ? "notified" : "notify_failed", now,
		    json_pack("{s:s, s:s, s:s}", "kind", kind, "channel_id",
			channels[i], "event_id", event_id));
	json_decref(event);
}

/*
 * The channels of levels first..last (from 1), each once: level 1's for
 * a new alert, the levels it jumps over and lands on when it escalates
 * (a snooze may end past two delays), all it reached when it resolves.
 */
#define ALERT_NOTIFY_MAX (ALERT_CHANNELS_MAX * ALERT_LEVELS_MAX)

static int
alert_eval_channels(const struct alert_rule *r, int first, int last,
    char out[][ALERT_ID_LEN + 1])
{
	int n, i, j, k;

	n = 0;
	for (i = first - 1; i >= 0 && i < r->nlevels && i < last; i++)
		for (j = 0; j < r->levels_of[i].nchannels; j++) {
			for (k = 0; k < n; k++)
				if (strcmp(out[k],
					r->levels_of[i].channels[j]) == 0)
					break;
			if (k == n && n < ALERT_NOTIFY_MAX)
				memcpy(out[n++], r->levels_of[i].channels[j],
				    ALERT_ID_LEN + 1);
		}
	if (r->nlevels == 0 && first == 1)
		for (n = 0; n < r->nchannels; n++)
			memcpy(out[n], r->channels[n], ALERT_ID_LEN + 1);
	return (n);
}

/* ---- the life of alerts ------------------------------------------------- */

struct alert_run {
	const struct tenant_ctx *ctx;
	const char              *rule_id;
	const struct alert_rule *rule;
	long                     now;
	int                      firing;
	int                      opened;
	int                      resolved;
	int                      escalated;
	int                      suppressed;
	long                     open_before; /* eval.open of the rule, -1 */
	long                     open_after;
};

/* Opens an alert for a group, unless a previous one is within cooldown. */
static void
alert_eval_open(
    struct alert_run *run, const char *group, const struct alert_verdict *v)
{
	enum metadb_status       st;
	const struct alert_rule *r = run->rule;
	json_t                  *filter, *sort, *last, *doc;
	char err[256], at[32], id[25], ch[ALERT_NOTIFY_MAX][25];
	long last_started;
	int  n;

	filter =
	    json_pack("{s:s, s:s}", "rule_id", run->rule_id, "group", group);
	sort = json_pack("{s:i}", "started_s", -1);
	last = metadb_find(
	    run->ctx, "alerts", filter, sort, 0, 1, &st, err, sizeof(err));
	json_decref(filter);
	json_decref(sort);
	last_started = (long)json_integer_value(
	    json_object_get(json_array_get(last, 0), "started_s"));
	json_decref(last);
	if (st != METADB_OK)
		return;
	if (!alert_cooldown_over(r, last_started, run->now)) {
		run->suppressed++;
		return;
	}
	text_iso8601(run->now, at, sizeof(at));
	doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:i, s:f, "
			"s:f, s:f, s:f, s:s, s:I, s:s, s:s, s:I}",
	    "rule_id", run->rule_id, "rule_name", r->name, "rule_type",
	    alert_type_name(r->type), "group", group, "status", "firing",
	    "open", 1, "severity", alert_severity_name(r->severity),
	    "base_severity", alert_severity_name(r->severity), "level", 1,
	    "value", v->value, "threshold", v->threshold, "volume", v->volume,
	    "score", v->score, "started_at", at, "started_s",
	    (json_int_t)run->now, "last_seen_at", at, "updated_at", at,
	    "snoozed_until_s", (json_int_t)0);
	json_object_set_new(doc, "group_by",
	    r->group_by[0] != '\0' ? json_string(r->group_by) : json_null());
	json_object_set_new(doc, "window", json_integer(r->window_s));
	if (metadb_insert(run->ctx, "alerts", doc, id, err, sizeof(err)) !=
	    METADB_OK) {
		log_emit(LOG_LEVEL_ERROR, "alerts", NULL,
		    json_pack(
			"{s:s, s:s}", "rule_id", run->rule_id, "error", err),
		    "alert could not be stored");
		json_decref(doc);
		return;
	}
	json_object_set_new(doc, "id", json_string(id));
	run->opened++;
	alert_ops_event(run->ctx, id, run->rule_id, "system", "fired", run->now,
	    json_pack("{s:f, s:f, s:s}", "value", v->value, "threshold",
		v->threshold, "group", group));
	n = alert_eval_channels(r, 1, 1, ch);
	alert_eval_notify(run->ctx, run->rule_id, r, doc, "alert.firing",
	    "firing", n, ch, run->now);
	json_decref(doc);
}

/* Keeps an open alert's figures current; escalates it when due. */
static void
alert_eval_still(
    struct alert_run *run, json_t *alert, const struct alert_verdict *v)
{
	const struct alert_rule *r = run->rule;
	enum alert_status        status;
	json_t                  *filter, *set;
	char                     err[256], at[32], suffix[16];
	char                     ch[ALERT_NOTIFY_MAX][25];
	const char              *seen;
	int64_t                  seen_ms;
	long                     matched, started, snoozed;
	int                      level, to, n;

	text_iso8601(run->now, at, sizeof(at));
	/*
	 * The figures are written when they change (and the time seen once
	 * a minute): fewer writes to a document people also change, which
	 * matters where an update rewrites the whole document (FerretDB).
	 */
	seen = json_string_value(json_object_get(alert, "last_seen_at"));
	if (json_number_value(json_object_get(alert, "value")) != v->value ||
	    json_number_value(json_object_get(alert, "threshold")) !=
		v->threshold ||
	    seen == NULL ||
	    timeparse_iso8601(seen, strlen(seen), 0, false, &seen_ms) == 0 ||
	    run->now - seen_ms / 1000 >= 60) {
		filter = json_pack("{s:O, s:b}", "id",
		    json_object_get(alert, "id"), "open", 1);
		set = json_pack("{s:f, s:f, s:f, s:f, s:s}", "value", v->value,
		    "threshold", v->threshold, "volume", v->volume, "score",
		    v->score, "last_seen_at", at);
		(void)metadb_update(run->ctx, "alerts", filter, set, &matched,
		    err, sizeof(err));
		json_decref(filter);
		json_decref(set);
		json_object_set_new(alert, "value", json_real(v->value));
		json_object_set_new(
		    alert, "threshold", json_real(v->threshold));
	}

	status = alert_status_parse(
	    json_string_value(json_object_get(alert, "status")));
	level = (int)json_integer_value(json_object_get(alert, "level"));
	started = (long)json_integer_value(json_object_get(alert, "started_s"));
	snoozed =
	    (long)json_integer_value(json_object_get(alert, "snoozed_until_s"));
	if (!alert_escalate(r, status, level, started, snoozed, run->now, &to))
		return;
	filter = json_pack("{s:O, s:s, s:i}", "id",
	    json_object_get(alert, "id"), "status", "firing", "level", level);
	set = json_pack("{s:i, s:s, s:s}", "level", to, "severity",
	    alert_severity_name(alert_level_severity(r, to)), "updated_at", at);
	if (metadb_update(run->ctx, "alerts", filter, set, &matched, err,
		sizeof(err)) == METADB_OK &&
	    matched == 1) {
		run->escalated++;
		json_object_update(alert, set);
		alert_ops_event(run->ctx,
		    json_string_value(json_object_get(alert, "id")),
		    run->rule_id, "system", "escalated", run->now,
		    json_pack("{s:i, s:i, s:s}", "from", level, "to", to,
			"severity",
			alert_severity_name(alert_level_severity(r, to))));
		snprintf(suffix, sizeof(suffix), "level:%d", to);
		n = alert_eval_channels(r, level + 1, to, ch);
		alert_eval_notify(run->ctx, run->rule_id, r, alert,
		    "alert.escalated", suffix, n, ch, run->now);
	}
	json_decref(set);
}

/* The condition cleared: resolve (when the rule says so) and notify. */
static void
alert_eval_clear(struct alert_run *run, json_t *alert)
{
	json_t *filter, *set;
	char    err[256], at[32], ch[ALERT_NOTIFY_MAX][25];
	long    matched;
	int     n;

	if (!run->rule->auto_resolve)
		return;
	text_iso8601(run->now, at, sizeof(at));
	filter = json_pack(
	    "{s:O, s:b}", "id", json_object_get(alert, "id"), "open", 1);
	set = json_pack("{s:s, s:b, s:s, s:s, s:I, s:s}", "status", "resolved",
	    "open", 0, "resolved_at", at, "resolved_by", "system", "resolved_s",
	    (json_int_t)run->now, "updated_at", at);
	if (metadb_update(run->ctx, "alerts", filter, set, &matched, err,
		sizeof(err)) == METADB_OK &&
	    matched == 1) {
		run->resolved++;
		json_object_update(alert, set);
		alert_ops_event(run->ctx,
		    json_string_value(json_object_get(alert, "id")),
		    run->rule_id, "system", "resolved", run->now,
		    json_pack("{s:s}", "reason", "the condition cleared"));
		n = alert_eval_channels(run->rule, 1,
		    (int)json_integer_value(json_object_get(alert, "level")),
		    ch);
		alert_eval_notify(run->ctx, run->rule_id, run->rule, alert,
		    "alert.resolved", "resolved", n, ch, run->now);
	}
	json_decref(set);
	json_decref(filter);
}

void
alert_eval_notify_resolved(
    const struct tenant_ctx *ctx, const json_t *alert, long now)
{
	enum metadb_status st;
	struct alert_rule  r;
	json_t            *filter, *doc;
	const char        *rule_id;
	char               err[256], ch[ALERT_NOTIFY_MAX][25];
	int                n;

	rule_id = json_string_value(json_object_get(alert, "rule_id"));
	if (rule_id == NULL || !alerting_id_check(rule_id))
		return;
	filter = json_pack("{s:s}", "id", rule_id);
	doc =
	    metadb_find_one(ctx, "alert_rules", filter, &st, err, sizeof(err));
	json_decref(filter);
	if (doc == NULL)
		return;
	if (alert_rules_of_doc(doc, &r)) {
		n = alert_eval_channels(&r, 1,
		    (int)json_integer_value(json_object_get(alert, "level")),
		    ch);
		alert_eval_notify(ctx, rule_id, &r, alert, "alert.resolved",
		    "resolved", n, ch, now);
	}
	json_decref(doc);
}

static json_t *
alert_eval_open_of(json_t *open, const char *group)
{
	json_t *a;
	size_t  i;

	json_array_foreach(open, i, a)
	{
		const char *g = json_string_value(json_object_get(a, "group"));

		if (g != NULL && strcmp(g, group) == 0)
			return (a);
	}
	return (NULL);
}

/*
 * Applies the verdicts of one evaluation (the last point of the plan) to
 * the rule's alerts.
 */
static bool
alert_eval_apply(struct alert_run *run, const struct alert_plan *p,
    const struct alert_table *t, char *err, size_t errlen)
{
	enum metadb_status   st;
	struct alert_verdict v;
	json_t              *filter, *open, *a, *seen;
	const char          *g;
	size_t               i;
	int                  row;
	bool                 firing;

	/*
	 * The rule's open alerts. When the last evaluation left none open and
	 * nothing fires now, there is nothing to look up (only evaluations
	 * open alerts, so that count is never too low).
	 */
	for (row = 0, firing = false; row < t->nrows && !firing; row++) {
		alert_verdict_of(
		    run->rule, p, &t->rows[row], p->npoints - 1, &v);
		firing = v.fire;
	}
	if (run->open_before == 0 && !firing) {
		run->open_after = 0;
		return (true);
	}
	filter = json_pack("{s:s, s:b}", "rule_id", run->rule_id, "open", 1);
	open = metadb_find(run->ctx, "alerts", filter, NULL, 0, ALERT_OPEN_MAX,
	    &st, err, errlen);
	json_decref(filter);
	if (st != METADB_OK) {
		json_decref(open);
		return (false);
	}
	seen = json_object();
	for (row = 0; row < t->nrows; row++) {
		alert_verdict_of(
		    run->rule, p, &t->rows[row], p->npoints - 1, &v);
		json_object_set_new(seen, t->rows[row].key, json_true());
		if (!v.fire) {
			json_object_set_new(
			    seen, t->rows[row].key, json_false());
			continue;
		}
		run->firing++;
		if ((a = alert_eval_open_of(open, t->rows[row].key)) != NULL)
			alert_eval_still(run, a, &v);
		else
			alert_eval_open(run, t->rows[row].key, &v);
	}
	json_array_foreach(open, i, a)
	{
		g = json_string_value(json_object_get(a, "group"));
		if (g == NULL || json_is_true(json_object_get(seen, g)))
			continue;
		/* A group cut off by the group limit is not known to be ok. */
		if (t->truncated && json_object_get(seen, g) == NULL)
			continue;
		alert_eval_clear(run, a);
	}
	run->open_after =
	    (long)json_array_size(open) + run->opened - run->resolved;
	json_decref(seen);
	json_decref(open);
	return (true);
}

/* Records the outcome of an evaluation on the rule (errors included). */
static void
alert_eval_record(const struct tenant_ctx *ctx, const char *rule_id,
    const json_t *rule_doc, const struct alert_run *run, bool ok,
    const char *error, long took_ms, bool truncated)
{
	json_t *filter, *set;
	char    err[256], at[32];
	long    matched, errors;

	text_iso8601(run->now, at, sizeof(at));
	errors = (long)json_integer_value(json_object_get(
	    json_object_get(rule_doc, "eval"), "consecutive_errors"));
	set = json_pack("{s:{s:s, s:s, s:s?, s:I, s:I, s:i, s:i, s:i, s:i, "
			"s:i, s:b}}",
	    "eval", "status", ok ? "ok" : "error", "at", at, "error",
	    ok ? NULL : error, "took_ms", (json_int_t)took_ms,
	    "consecutive_errors", (json_int_t)(ok ? 0 : errors + 1), "firing",
	    run->firing, "opened", run->opened, "resolved", run->resolved,
	    "escalated", run->escalated, "suppressed", run->suppressed,
	    "truncated", truncated);
	/* Unknown after a failure: the next evaluation looks again. */
	json_object_set_new(json_object_get(set, "eval"), "open",
	    ok ? json_integer(run->open_after) : json_null());
	if (ok)
		json_object_set_new(
		    json_object_get(set, "eval"), "error", json_null());
	else
		json_object_set(json_object_get(set, "eval"), "last_error_at",
		    json_object_get(json_object_get(set, "eval"), "at"));
	filter = json_pack("{s:s}", "id", rule_id);
	(void)metadb_update(
	    ctx, "alert_rules", filter, set, &matched, err, sizeof(err));
	json_decref(filter);
	json_decref(set);
	if (!ok)
		log_emit(LOG_LEVEL_WARNING, "alerts", NULL,
		    json_pack("{s:s, s:s, s:s}", "tenant_id", ctx->id,
			"rule_id", rule_id, "error", error),
		    "alert rule evaluation failed");
}

/* Evaluates one claimed rule now. */
static void
alert_eval_rule(const struct tenant_ctx *ctx, const json_t *doc, long now)
{
	struct alert_rule  r;
	struct alert_plan  p;
	struct alert_table t;
	struct alert_run   run;
	const char        *rule_id;
	uint64_t           start;
	char               err[512];
	bool               ok;

	rule_id = json_string_value(json_object_get(doc, "id"));
	memset(&run, 0, sizeof(run));
	run.ctx = ctx;
	run.rule_id = rule_id;
	run.rule = &r;
	run.now = now;
	run.open_before = json_is_integer(json_object_get(
			      json_object_get(doc, "eval"), "open"))
	    ? (long)json_integer_value(
		  json_object_get(json_object_get(doc, "eval"), "open"))
	    : -1;
	run.open_after = -1;
	start = env_monotonic_us();
	err[0] = '\0';
	if (!alert_rules_of_doc(doc, &r)) {
		alert_eval_record(ctx, rule_id, doc, &run, false,
		    "the stored rule is no longer valid", 0, false);
		return;
	}
	if (!alert_plan_build(
		&r, (int64_t)now * 1000, r.interval_s * 1000, 1, &p)) {
		alert_eval_record(
		    ctx, rule_id, doc, &run, false, "rule too large", 0, false);
		return;
	}
	ok = alert_eval_fetch(ctx, &r, &p, &t, err, sizeof(err)) &&
	    alert_eval_apply(&run, &p, &t, err, sizeof(err));
	alert_eval_record(ctx, rule_id, doc, &run, ok, err,
	    (long)((env_monotonic_us() - start) / 1000), t.truncated);
	alert_table_free(&t);
	alert_plan_free(&p);
}

/*
 * Records when the tenant's next rule is due (p:alerts:due), or, when
 * next is 0, that it has no enabled rule. Best effort: the periodic
 * sweep repairs a miss.
 */
static void
alert_eval_next_due(const struct tenant_ctx *ctx, long next)
{
	char err[256];

	if (next > 0 ? alert_due_mark(ctx->id, next, err, sizeof(err))
		     : alert_due_forget(ctx->id, err, sizeof(err)))
		return;
	log_emit(LOG_LEVEL_WARNING, "alerts", NULL,
	    json_pack("{s:s, s:s}", "tenant_id", ctx->id, "error", err),
	    "next evaluation time not recorded");
}

/* Claims one due rule (moves its next_eval_s) and evaluates it. */
static bool
alert_eval_claimed(const struct tenant_ctx *ctx, const json_t *doc, long now,
    long interval, char *err, size_t errlen)
{
	json_t *claim, *set;
	long    matched;
	bool    won;

	/* Claim: only the worker that moves next_eval_s evaluates. */
	claim = json_pack("{s:O, s:O}", "id", json_object_get(doc, "id"),
	    "next_eval_s", json_object_get(doc, "next_eval_s"));
	set = json_pack(
	    "{s:I}", "next_eval_s", (json_int_t)now + (json_int_t)interval);
	won = metadb_update(ctx, "alert_rules", claim, set, &matched, err,
		  errlen) == METADB_OK &&
	    matched == 1;
	json_decref(claim);
	json_decref(set);
	if (won)
		alert_eval_rule(ctx, doc, now);
	return (won);
}

/*
 * One query gives the tenant's enabled rules, soonest due first: those
 * due are claimed and evaluated, and the soonest of the next times is
 * recorded in p:alerts:due.
 */
static int
alert_eval_due_by(const struct tenant_ctx *ctx, long now, uint64_t deadline,
    char *err, size_t errlen)
{
	enum metadb_status st;
	json_t            *filter, *sort, *rules, *doc;
	size_t             i;
	long               interval, at, next;
	int                n;

	filter = json_pack("{s:b}", "enabled", 1);
	sort = json_pack("{s:i}", "next_eval_s", 1);
	rules = metadb_find(
	    ctx, "alert_rules", filter, sort, 0, 500, &st, err, errlen);
	json_decref(filter);
	json_decref(sort);
	if (st != METADB_OK) {
		json_decref(rules);
		return (-1);
	}
	n = 0;
	next = 0;
	json_array_foreach(rules, i, doc)
	{
		if (!alert_duration_parse(
			json_string_value(json_object_get(doc, "interval")),
			&interval) ||
		    interval < 1)
			interval = 60;
		at = (long)json_integer_value(
		    json_object_get(doc, "next_eval_s"));
		/* Past the tick's budget, due rules wait for the next one. */
		if (at <= now &&
		    (deadline == 0 || env_monotonic_us() < deadline)) {
			if (alert_eval_claimed(
				ctx, doc, now, interval, err, errlen))
				n++;
			at = now + interval;
			alerting_beat();
		}
		if (next == 0 || at < next)
			next = at;
	}
	json_decref(rules);
	alert_eval_next_due(ctx, next);
	return (n);
}

int
alert_eval_due(const struct tenant_ctx *ctx, long now, char *err, size_t errlen)
{
	return (alert_eval_due_by(ctx, now, 0, err, errlen));
}

/* Every active organization: the sweep that also rebuilds p:alerts:due. */
static int
alert_eval_sweep(long now, uint64_t deadline, char *err, size_t errlen)
{
	enum metadb_status st;
	struct tenant_ctx  ctx;
	json_t            *filter, *tenants, *t;
	size_t             i;
	int                n, got;

	filter = json_pack("{s:s}", "status", "active");
	tenants = metadb_platform_find(
	    "tenants", filter, NULL, 0, 0, &st, err, errlen);
	json_decref(filter);
	if (st != METADB_OK) {
		json_decref(tenants);
		return (-1);
	}
	n = 0;
	json_array_foreach(tenants, i, t)
	{
		memset(&ctx, 0, sizeof(ctx));
		snprintf(ctx.id, sizeof(ctx.id), "%s",
		    json_string_value(json_object_get(t, "id")));
		snprintf(ctx.slug, sizeof(ctx.slug), "%s",
		    json_string_value(json_object_get(t, "slug")));
		snprintf(ctx.plan, sizeof(ctx.plan), "%s",
		    json_string_value(json_object_get(t, "plan")));
		ctx.active = 1;
		if (!tenant_ctx_check(&ctx))
			continue;
		if ((got = alert_eval_due_by(
			 &ctx, now, deadline, err, errlen)) > 0)
			n += got;
		alerting_beat();
	}
	json_decref(tenants);
	return (n);
}

/*
 * One tick: the organizations p:alerts:due says are due; once every
 * ALERT_DUE_SWEEP_S (one worker, by a Redis claim) every active
 * organization instead, so that a lost or stale set only delays.
 */
int
alert_eval_all(long now, const char *who, char *err, size_t errlen)
{
	struct tenant_ctx ctx;
	char(*ids)[25];
	uint64_t deadline;
	bool     found;
	int      n, got, i, count;

	deadline = env_monotonic_us() + ALERT_TICK_BUDGET_MS * 1000ULL;
	if (alert_due_sweep_claim(who, err, errlen) != 0)
		return (alert_eval_sweep(now, deadline, err, errlen));
	ids = mem_calloc(ALERT_DUE_BATCH, sizeof(*ids));
	if ((count = alert_due_list(now, ids, ALERT_DUE_BATCH, err, errlen)) <
	    0) {
		mem_free(ids);
		return (alert_eval_sweep(now, deadline, err, errlen));
	}
	n = 0;
	for (i = 0; i < count && env_monotonic_us() < deadline; i++) {
		if (!account_tenant_load(ids[i], &ctx, &found, err, errlen))
			continue;
		if (!found || !ctx.active) {
			(void)alert_due_forget(ids[i], err, errlen);
			continue;
		}
		if ((got = alert_eval_due_by(
			 &ctx, now, deadline, err, errlen)) > 0)
			n += got;
	}
	mem_free(ids);
	return (n);
}

/* ---- replay (POST /api/v1/alert-rules/test) ------------------------------ */

/*
 * Replays the rule's verdicts point after point and turns them into the
 * alerts it would have raised: one per group while the condition holds,
 * none within the cooldown after the previous one.
 */
static json_t *
alert_eval_replay(const struct alert_rule *r, const struct alert_plan *p,
    const struct alert_table *t, int *nfiring)
{
	struct alert_verdict v;
	json_t              *alerts, *timeline, *cur, *groups;
	long                 last_start, ts;
	char                 at[32];
	int                  row, i, firing;

	alerts = json_array();
	timeline = json_array();
	*nfiring = 0;
	for (i = 0; i < p->npoints; i++) {
		groups = json_array();
		for (row = 0; row < t->nrows; row++) {
			alert_verdict_of(r, p, &t->rows[row], i, &v);
			if (v.fire)
				json_array_append_new(groups,
				    json_pack("{s:s, s:f, s:f}", "group",
					t->rows[row].key, "value", v.value,
					"threshold", v.threshold));
		}
		firing = (int)json_array_size(groups);
		if (firing > 0)
			(*nfiring)++;
		text_iso8601((long)(p->point_ms[i] / 1000), at, sizeof(at));
		json_array_append_new(timeline,
		    json_pack("{s:s, s:b, s:o}", "t", at, "fire", firing > 0,
			"groups", groups));
	}
	for (row = 0; row < t->nrows; row++) {
		cur = NULL;
		last_start = 0;
		for (i = 0; i < p->npoints; i++) {
			alert_verdict_of(r, p, &t->rows[row], i, &v);
			ts = (long)(p->point_ms[i] / 1000);
			text_iso8601(ts, at, sizeof(at));
			if (v.fire && cur == NULL &&
			    alert_cooldown_over(r, last_start, ts)) {
				cur = json_pack("{s:s, s:s, s:n, s:f, s:f}",
				    "group", t->rows[row].key, "started_at", at,
				    "resolved_at", "peak", v.value, "threshold",
				    v.threshold);
				json_array_append_new(alerts, cur);
				last_start = ts;
			} else if (v.fire && cur != NULL) {
				if (v.value > json_number_value(
						  json_object_get(cur, "peak")))
					json_object_set_new(
					    cur, "peak", json_real(v.value));
			} else if (!v.fire && cur != NULL) {
				json_object_set_new(
				    cur, "resolved_at", json_string(at));
				cur = NULL;
			}
		}
	}
	return (
	    json_pack("{s:o, s:o}", "alerts", alerts, "timeline", timeline));
}

void
alert_eval_test(const struct tenant_ctx *ctx, const json_t *rule_body,
    const char *rule_id, long range_s, long now, struct alerting_outcome *o)
{
	struct alert_rule  r;
	struct alert_plan  p;
	struct alert_table t;
	json_t            *doc, *out;
	long               step;
	int                npoints, per, nfiring;
	char               err[512], d[16];

	memset(o, 0, sizeof(*o));
	if (rule_body == NULL) {
		doc =
		    alerting_load(ctx, "alert_rules", rule_id, "alert rule", o);
		if (doc == NULL)
			return;
		if (!alert_rules_of_doc(doc, &r)) {
			json_decref(doc);
			alerting_fail(o, ALERTING_INVALID,
			    "the stored rule is no longer valid");
			return;
		}
		json_decref(doc);
	} else if (!alert_rules_parse(rule_body, &r, o)) {
		return;
	}
	/* As many points as fit, one interval apart at least. */
	per = r.type == ALERT_ANOMALY ? 1 + r.baseline
	    : (r.type == ALERT_ABSENCE || r.op == ALERT_OP_BELOW) ? 2
								  : 1;
	npoints = ALERT_RANGES_MAX / per;
	if (npoints > ALERT_POINTS_MAX)
		npoints = ALERT_POINTS_MAX;
	step = r.interval_s;
	if (range_s / step + 1 > npoints)
		step = (range_s + npoints - 1) / npoints;
	npoints = (int)(range_s / step) + 1;
	if (npoints > ALERT_POINTS_MAX)
		npoints = ALERT_POINTS_MAX;
	if (!alert_plan_build(
		&r, (int64_t)now * 1000, (int64_t)step * 1000, npoints, &p)) {
		o->result = ALERTING_INVALID;
		snprintf(o->message, sizeof(o->message),
		    "the range needs too many evaluations");
		return;
	}
	if (!alert_eval_fetch(ctx, &r, &p, &t, err, sizeof(err))) {
		o->result = strncmp(err, "elasticsearch unreachable", 25) == 0
		    ? ALERTING_UNAVAILABLE
		    : ALERTING_INVALID;
		snprintf(o->message, sizeof(o->message),
		    "evaluation failed: %s", err);
		o->details = json_pack("{s:s}", "field", "query");
		alert_table_free(&t);
		alert_plan_free(&p);
		return;
	}
	out = alert_eval_replay(&r, &p, &t, &nfiring);
	alert_duration_format(step, d, sizeof(d));
	json_object_set_new(out, "step", json_string(d));
	json_object_set_new(out, "evaluations", json_integer(p.npoints));
	json_object_set_new(out, "firing_evaluations", json_integer(nfiring));
	json_object_set_new(out, "groups_truncated", json_boolean(t.truncated));
	json_object_set_new(out, "rule", alert_rule_to_json(&r));
	o->body = out;
	alert_table_free(&t);
	alert_plan_free(&p);
}
