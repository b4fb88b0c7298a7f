#include <string.h>

#include "core/alert_life.h"

static const char *const alert_status_names[ALERT_STATUS_COUNT] = {
    "firing", "acknowledged", "resolved"};
static const char *const alert_action_names[ALERT_ACT_COUNT] = {
    "acknowledge", "resolve", "snooze", "comment"};

const char *
alert_status_name(enum alert_status s)
{
	return (s >= 0 && s < ALERT_STATUS_COUNT ? alert_status_names[s] : "?");
}

enum alert_status
alert_status_parse(const char *s)
{
	return ((enum alert_status)alert_name_find(
	    alert_status_names, ALERT_STATUS_COUNT, s));
}

const char *
alert_action_name(enum alert_action a)
{
	return (a >= 0 && a < ALERT_ACT_COUNT ? alert_action_names[a] : "?");
}

enum alert_action
alert_action_parse(const char *s)
{
	return ((enum alert_action)alert_name_find(
	    alert_action_names, ALERT_ACT_COUNT, s));
}

bool
alert_transition(enum alert_status from, enum alert_action a,
    enum alert_status *to, const char **why)
{
	*to = from;
	*why = NULL;
	if (from < 0 || from >= ALERT_STATUS_COUNT) {
		*why = "the alert is in an unknown state";
		return (false);
	}
	switch (a) {
	case ALERT_ACT_ACK:
		if (from != ALERT_FIRING) {
			*why = from == ALERT_ACKNOWLEDGED
			    ? "the alert is already acknowledged"
			    : "a resolved alert cannot be acknowledged";
			return (false);
		}
		*to = ALERT_ACKNOWLEDGED;
		return (true);
	case ALERT_ACT_RESOLVE:
		if (from == ALERT_RESOLVED) {
			*why = "the alert is already resolved";
			return (false);
		}
		*to = ALERT_RESOLVED;
		return (true);
	case ALERT_ACT_SNOOZE:
		if (from == ALERT_RESOLVED) {
			*why = "a resolved alert cannot be snoozed";
			return (false);
		}
		return (true);
	case ALERT_ACT_COMMENT:
		return (true);
	default:
		*why = "unknown action";
		return (false);
	}
}

int
alert_level_due(const struct alert_rule *r, long started_s, long now_s)
{
	int level, i;

	if (!r->escalation || r->nlevels < 1)
		return (1);
	level = 1;
	for (i = 1; i < r->nlevels; i++)
		if (now_s - started_s >= r->levels_of[i].after_s)
			level = i + 1;
	return (level);
}

bool
alert_snoozed(long snoozed_until_s, long now_s)
{
	return (snoozed_until_s > now_s);
}

bool
alert_escalate(const struct alert_rule *r, enum alert_status status, int level,
    long started_s, long snoozed_until_s, long now_s, int *new_level)
{
	int due;

	*new_level = level;
	if (status != ALERT_FIRING || alert_snoozed(snoozed_until_s, now_s))
		return (false);
	due = alert_level_due(r, started_s, now_s);
	if (due <= level)
		return (false);
	*new_level = due;
	return (true);
}

bool
alert_cooldown_over(const struct alert_rule *r, long last_started_s, long now_s)
{
	return (last_started_s <= 0 || now_s - last_started_s >= r->cooldown_s);
}

enum alert_severity
alert_level_severity(const struct alert_rule *r, int level)
{
	return (alert_severity_raise(r->severity, level - 1));
}
