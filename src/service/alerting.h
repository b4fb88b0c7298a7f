/*
 * Alerting, independent of HTTP: alert rules (alerting_rules.c), their
 * evaluation against the tenant's logs and what it does to alerts
 * (alerting_eval.c), people's actions on alerts and the dashboard's figures
 * (alerting_ops.c), error-rate analytics and threshold calibration
 * (alerting_analytics.c).
 *
 * MongoDB collections (tenant-scoped): alert_rules, alerts, alert_events
 * (the audit trail of each alert: fired, notified, escalated,
 * acknowledged, snoozed, commented, resolved). Notifications leave as
 * "notify" jobs on p:jobs, one per channel, with a stable event_id.
 *
 * Every call blocks on the stores: run it on a task thread or in the
 * worker. Every call is scoped to one tenant: another tenant's ids are
 * not found.
 */
#ifndef VIGIE_SERVICE_ALERTING_H
#define VIGIE_SERVICE_ALERTING_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/alert_rule.h"
#include "core/settings.h"
#include "core/tenant.h"

enum alerting_result {
	ALERTING_OK = 0,
	ALERTING_INVALID, /* bad input: message, details.field */
	ALERTING_NOT_FOUND,
	ALERTING_CONFLICT, /* the action does not fit the alert's state */
	ALERTING_UNAVAILABLE, /* a store failed */
};

/* body, details and audit belong to the caller: alerting_outcome_clear. */
struct alerting_outcome {
	enum alerting_result result;
	char                 message[256];
	json_t              *body;
	json_t              *details;
	json_t              *audit;
};

struct alerting_actor {
	const struct tenant_ctx *tenant;
	const char              *user_id;
	const char              *name;
	long                     now;
};

void                       alerting_configure(const struct settings *);
const struct alert_limits *alerting_limits(void);
void                       alerting_outcome_clear(struct alerting_outcome *);
/*
 * A function the worker gives to be called during long work (between
 * rules, organizations, calibration requests): its heartbeat, so that a
 * long tick never makes it look dead. None by default.
 */
void alerting_set_beat(void (*)(void));
void alerting_beat(void);
/* Sets o's result and message (printf format). */
void alerting_fail(struct alerting_outcome *, enum alerting_result,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/*
 * The tenant's document of coll with that id, or NULL with o set to
 * ALERTING_NOT_FOUND ("no such <what>") or ALERTING_UNAVAILABLE.
 */
json_t *alerting_load(const struct tenant_ctx *, const char *coll,
    const char *id, const char *what, struct alerting_outcome *);
/* An object id: 24 lower-case hex digits. */
bool alerting_id_check(const char *);

/* ---- rules (alerting_rules.c) --------------------------------------------- */

void alert_rules_list(const struct tenant_ctx *, struct alerting_outcome *);
void alert_rules_get(
    const struct tenant_ctx *, const char *id, struct alerting_outcome *);
void alert_rules_create(const struct alerting_actor *, const json_t *body,
    struct alerting_outcome *);
/* merge: PATCH (the body's fields over the stored rule), else PUT. */
void alert_rules_update(const struct alerting_actor *, const char *id,
    const json_t *body, bool merge, struct alerting_outcome *);
void alert_rules_delete(
    const struct alerting_actor *, const char *id, struct alerting_outcome *);
/* Parses a body into r, or fills o with the 422 and returns false. */
bool alert_rules_parse(
    const json_t *body, struct alert_rule *r, struct alerting_outcome *o);
/* The stored rule document as a parsed rule. */
bool alert_rules_of_doc(const json_t *doc, struct alert_rule *r);

/* ---- evaluation (alerting_eval.c) ------------------------------------------ */

/*
 * Evaluates the tenant's enabled rules whose time has come: each one is
 * claimed first (a conditional update of its next evaluation time), so
 * two workers never evaluate the same rule at once. Returns the number
 * evaluated, or -1 when MongoDB failed (err says why).
 */
int
alert_eval_due(const struct tenant_ctx *, long now, char *err, size_t errlen);
/*
 * One evaluation tick: the organizations whose rules are due (the set
 * p:alerts:due), or every active one when this worker (who) wins the
 * periodic sweep. Returns the number of rules evaluated, or -1 when the
 * tenants could not be listed.
 */
int alert_eval_all(long now, const char *who, char *err, size_t errlen);
/*
 * Notifies the channels of a resolved alert (resolved by a person): the
 * channels of every level it reached. Best effort.
 */
void alert_eval_notify_resolved(
    const struct tenant_ctx *, const json_t *alert, long now);
/*
 * Replays a rule over the past range_s seconds (body: a rule, or NULL
 * with rule_id) and says when it would have fired.
 */
void alert_eval_test(const struct tenant_ctx *, const json_t *rule_body,
    const char *rule_id, long range_s, long now, struct alerting_outcome *);

/* ---- alerts (alerting_ops.c) ------------------------------------------------ */

struct alert_filter {
	const char *status; /* firing, acknowledged, resolved, open, or NULL */
	const char *rule_id;
	const char *severity;
	long        from; /* started at or after; 0: any */
	long        to; /* started before; 0: any */
	long        page;
	long        size;
};

void alert_ops_list(const struct tenant_ctx *, const struct alert_filter *,
    struct alerting_outcome *);
void alert_ops_get(
    const struct tenant_ctx *, const char *id, struct alerting_outcome *);
/* action: acknowledge, resolve, snooze (until), comment (text). */
void alert_ops_act(const struct alerting_actor *, const char *id,
    const char *action, const json_t *body, struct alerting_outcome *);
void alert_ops_stats(
    const struct tenant_ctx *, long days, long now, struct alerting_outcome *);

/* Writes an event of an alert's trail (best effort, logged on failure). */
void alert_ops_event(const struct tenant_ctx *, const char *alert_id,
    const char *rule_id, const char *actor, const char *action, long now,
    json_t *details);

/* ---- analytics (alerting_analytics.c) ---------------------------------------- */

/*
 * Error rate over sliding windows: by = "global", "url" or "user";
 * window and step in seconds over [from, to).
 */
void alert_analytics_error_rate(const struct tenant_ctx *, const char *by,
    long from, long to, long window_s, long step_s, long min_volume,
    struct alerting_outcome *);
/*
 * Thresholds that would have fired in target of the evaluation windows
 * of the history, fitted on its first fit_share and checked on the rest.
 */
void alert_analytics_calibrate(const struct tenant_ctx *, long history_s,
    long window_s, double target, double fit_share, long min_volume,
    const json_t *query, long now, struct alerting_outcome *);
/* The same in the worker: recorded, queued; o->body {id, status}. */
void alert_analytics_calibrate_later(const struct tenant_ctx *,
    const json_t *params, const char *user_id, struct alerting_outcome *);
/* A recorded calibration (pending, done or failed), or not found. */
void alert_analytics_calibration(
    const struct tenant_ctx *, const char *id, struct alerting_outcome *);

#endif
