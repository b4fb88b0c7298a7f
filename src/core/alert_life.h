/*
 * The life of an alert: firing -> acknowledged -> resolved (a firing
 * alert may also be resolved directly), snoozes, escalation levels and
 * cooldowns, as decisions on numbers and states. The store applies them
 * with conditional updates, so a decision taken on a stale state is
 * simply not applied.
 */
#ifndef VIGIE_CORE_ALERT_LIFE_H
#define VIGIE_CORE_ALERT_LIFE_H

#include <stdbool.h>

#include "core/alert_rule.h"

enum alert_status {
	ALERT_FIRING = 0,
	ALERT_ACKNOWLEDGED,
	ALERT_RESOLVED,
	ALERT_STATUS_COUNT
};

enum alert_action {
	ALERT_ACT_ACK = 0,
	ALERT_ACT_RESOLVE,
	ALERT_ACT_SNOOZE,
	ALERT_ACT_COMMENT,
	ALERT_ACT_COUNT
};

const char       *alert_status_name(enum alert_status);
enum alert_status alert_status_parse(const char *); /* -1 if unknown */
const char       *alert_action_name(enum alert_action);
enum alert_action alert_action_parse(const char *); /* -1 if unknown */

/*
 * Whether a person may apply action to an alert in state from; *to is
 * the state after it. False with a reason when the action makes no sense
 * (acknowledging a resolved alert, resolving twice).
 */
bool alert_transition(enum alert_status from, enum alert_action,
    enum alert_status *to, const char **why);

/*
 * The escalation level an alert started at started_s has reached at
 * now_s: 1 at once, then each level whose delay has passed. Level 1 when
 * the rule does not escalate.
 */
int alert_level_due(const struct alert_rule *, long started_s, long now_s);

/*
 * Whether the alert should move to a higher level now, and which: only a
 * firing alert (not acknowledged, resolved or snoozed) escalates.
 */
bool alert_escalate(const struct alert_rule *, enum alert_status, int level,
    long started_s, long snoozed_until_s, long now_s, int *new_level);

/* A snoozed alert neither notifies nor escalates until the time. */
bool alert_snoozed(long snoozed_until_s, long now_s);

/*
 * Whether a new alert of a (rule, group) may open: not within the rule's
 * cooldown after the previous one of the same group started.
 * last_started_s is 0 when there was none.
 */
bool
alert_cooldown_over(const struct alert_rule *, long last_started_s, long now_s);

/* The severity of an alert at a level: one step higher per level. */
enum alert_severity alert_level_severity(const struct alert_rule *, int level);

#endif
