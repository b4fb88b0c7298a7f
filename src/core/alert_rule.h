/*
 * Alert rules: what a rule may say, checked in one place. A rule arrives
 * as JSON (the body of POST/PUT /api/v1/alert-rules), is parsed into a
 * struct alert_rule with every bound checked, and is written back as the
 * canonical JSON that the rules store keeps (defaults filled in).
 *
 * Durations are written "<n>s", "<n>m", "<n>h" or "<n>d". The window of a
 * rule is one of 5m, 15m, 1h, 24h; the evaluation interval is bounded
 * below by a setting (VIGIE_ALERT_MIN_INTERVAL_S) so that tests may use
 * seconds while production keeps a minute.
 */
#ifndef VIGIE_CORE_ALERT_RULE_H
#define VIGIE_CORE_ALERT_RULE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define ALERT_NAME_MAX     100
#define ALERT_DESC_MAX     1000
#define ALERT_Q_MAX        1024
#define ALERT_FIELD_MAX    64
#define ALERT_PATTERN_MAX  256
#define ALERT_SERVICES_MAX 20
#define ALERT_SERVICE_LEN  128
#define ALERT_CHANNELS_MAX 10
#define ALERT_LEVELS_MAX   5
#define ALERT_BASELINE_MIN 3
#define ALERT_BASELINE_MAX 48
#define ALERT_COOLDOWN_MAX (7L * 86400)
#define ALERT_INTERVAL_MAX 86400L
#define ALERT_ID_LEN       24

enum alert_type {
	ALERT_THRESHOLD = 0,
	ALERT_PATTERN,
	ALERT_ABSENCE,
	ALERT_ERROR_RATE,
	ALERT_ANOMALY,
	ALERT_TYPE_COUNT
};

enum alert_severity {
	ALERT_SEV_LOW = 0,
	ALERT_SEV_MEDIUM,
	ALERT_SEV_HIGH,
	ALERT_SEV_CRITICAL,
	ALERT_SEV_COUNT
};

enum alert_op {
	ALERT_OP_ABOVE = 0,
	ALERT_OP_BELOW,
	ALERT_OP_BOTH, /* anomaly only: either direction */
};

/* Bit per log level in alert_rule.levels. */
enum alert_level_bit {
	ALERT_LEVEL_DEBUG = 1 << 0,
	ALERT_LEVEL_INFO = 1 << 1,
	ALERT_LEVEL_WARNING = 1 << 2,
	ALERT_LEVEL_ERROR = 1 << 3,
	ALERT_LEVEL_CRITICAL = 1 << 4,
};

struct alert_escalation_level {
	long after_s; /* since the alert started */
	int  nchannels;
	char channels[ALERT_CHANNELS_MAX][ALERT_ID_LEN + 1];
};

struct alert_rule {
	char                name[ALERT_NAME_MAX + 1];
	char                description[ALERT_DESC_MAX + 1];
	bool                enabled;
	enum alert_severity severity;
	enum alert_type     type;

	/* What documents count: the search syntax's q plus filters. */
	char     q[ALERT_Q_MAX + 1];
	unsigned levels; /* enum alert_level_bit; 0: any level */
	int      nservices;
	char     services[ALERT_SERVICES_MAX][ALERT_SERVICE_LEN + 1];

	long window_s;
	long interval_s;
	char group_by[ALERT_FIELD_MAX + 1]; /* "" : one global group */
	long cooldown_s;
	bool auto_resolve;

	/* The condition; which fields matter depends on the type. */
	enum alert_op op;
	double        threshold; /* count, ratio (error rate) or matches */
	long          min_volume; /* error rate, anomaly */
	int           status_min; /* error rate: 400 or 500 */
	char          pattern[ALERT_PATTERN_MAX + 1];
	double        k; /* anomaly: robust standard deviations */
	int           baseline; /* anomaly: windows of history */

	int  nchannels;
	char channels[ALERT_CHANNELS_MAX][ALERT_ID_LEN + 1];

	bool                          escalation;
	bool                          levels_default; /* from settings */
	int                           nlevels;
	struct alert_escalation_level levels_of[ALERT_LEVELS_MAX];
};

/* Process-wide bounds and defaults that come from settings. */
struct alert_limits {
	long min_interval_s;
	long escalate_l2_s; /* default delay of level 2 */
	long escalate_l3_s; /* default delay of level 3 */
};

struct alert_rule_error {
	char field[64];
	char message[256];
};

bool alert_rule_parse(const json_t *in, const struct alert_limits *,
    struct alert_rule              *out, struct alert_rule_error *);
/* The canonical JSON of a parsed rule (new reference). */
json_t *alert_rule_to_json(const struct alert_rule *);

bool alert_duration_parse(const char *s, long *seconds);
void alert_duration_format(long seconds, char *out, size_t outlen);
bool alert_window_allowed(long seconds);
bool alert_group_field_check(const char *field);
bool alert_pattern_check(const char *pattern, char *why, size_t whylen);

/* The index of s in names[0..n), or -1. */
int         alert_name_find(const char *const *names, int n, const char *s);
const char *alert_type_name(enum alert_type);
const char *alert_severity_name(enum alert_severity);
enum alert_severity alert_severity_parse(const char *); /* -1 if unknown */
enum alert_severity alert_severity_raise(enum alert_severity, int steps);
const char         *alert_level_name(unsigned bit);

#endif
