#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alert_rule.h"
#include "core/search_query.h"
#include "core/tenant.h"
#include "core/utf8.h"

static const char *const alert_type_names[ALERT_TYPE_COUNT] = {
    "threshold", "pattern", "absence", "error_rate", "anomaly"};
static const char *const alert_sev_names[ALERT_SEV_COUNT] = {
    "low", "medium", "high", "critical"};
static const char *const alert_level_names[] = {
    "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"};
static const long        alert_windows[] = {300, 900, 3600, 86400};
static const char *const alert_group_fields[] = {"service.name", "url.path",
    "user.name", "client.ip", "host.name", "log.level", "http.request.method",
    "http.response.status_code", "event.dataset", "log.logger"};

/* Fields a rule body may hold; anything else is refused. */
static const char *const alert_rule_keys[] = {"name", "description", "enabled",
    "severity", "type", "query", "window", "interval", "group_by", "cooldown",
    "auto_resolve", "condition", "channels", "escalation"};
static const char *const alert_query_keys[] = {"q", "level", "service"};
static const char *const alert_cond_keys[] = {
    "op", "threshold", "min_volume", "status_min", "pattern", "k", "baseline"};
static const char *const alert_esc_keys[] = {"enabled", "levels"};
static const char *const alert_esc_level_keys[] = {"after", "channels"};

const char *
alert_type_name(enum alert_type t)
{
	return (t >= 0 && t < ALERT_TYPE_COUNT ? alert_type_names[t] : "?");
}

const char *
alert_severity_name(enum alert_severity s)
{
	return (s >= 0 && s < ALERT_SEV_COUNT ? alert_sev_names[s] : "?");
}

int
alert_name_find(const char *const *names, int n, const char *s)
{
	int i;

	for (i = 0; s != NULL && i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (i);
	return (-1);
}

enum alert_severity
alert_severity_parse(const char *s)
{
	return ((enum alert_severity)alert_name_find(
	    alert_sev_names, ALERT_SEV_COUNT, s));
}

enum alert_severity
alert_severity_raise(enum alert_severity s, int steps)
{
	int v;

	v = (int)s + (steps > 0 ? steps : 0);
	return ((enum alert_severity)(
	    v >= ALERT_SEV_COUNT ? ALERT_SEV_CRITICAL : v));
}

const char *
alert_level_name(unsigned bit)
{
	size_t i;

	for (i = 0; i < sizeof(alert_level_names) / sizeof(*alert_level_names);
	     i++)
		if (bit == (1u << i))
			return (alert_level_names[i]);
	return (NULL);
}

/*
 * "<n>s|m|h|d" into seconds: n from 0 to 10^7 without sign or spaces.
 */
bool
alert_duration_parse(const char *s, long *seconds)
{
	char *end;
	long  n, unit;

	if (s == NULL || !isdigit((unsigned char)s[0]))
		return (false);
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || n > 10000000 || end[0] == '\0' || end[1] != '\0')
		return (false);
	switch (end[0]) {
	case 's':
		unit = 1;
		break;
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	default:
		return (false);
	}
	*seconds = n * unit;
	return (true);
}

/* The largest whole unit: 86400 -> "1d", 90 -> "90s", 0 -> "0s". */
void
alert_duration_format(long seconds, char *out, size_t outlen)
{
	if (seconds > 0 && seconds % 86400 == 0)
		snprintf(out, outlen, "%ldd", seconds / 86400);
	else if (seconds > 0 && seconds % 3600 == 0)
		snprintf(out, outlen, "%ldh", seconds / 3600);
	else if (seconds > 0 && seconds % 60 == 0)
		snprintf(out, outlen, "%ldm", seconds / 60);
	else
		snprintf(out, outlen, "%lds", seconds);
}

bool
alert_window_allowed(long seconds)
{
	size_t i;

	for (i = 0; i < sizeof(alert_windows) / sizeof(alert_windows[0]); i++)
		if (alert_windows[i] == seconds)
			return (true);
	return (false);
}

/* A known field, or labels.<name> with name of [A-Za-z0-9_-]. */
bool
alert_group_field_check(const char *field)
{
	const char *p;
	size_t      i;

	for (i = 0;
	     i < sizeof(alert_group_fields) / sizeof(*alert_group_fields); i++)
		if (strcmp(field, alert_group_fields[i]) == 0)
			return (true);
	if (strncmp(field, "labels.", 7) != 0 || field[7] == '\0' ||
	    strlen(field) > ALERT_FIELD_MAX)
		return (false);
	for (p = field + 7; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			return (false);
	return (true);
}

/*
 * Refuses what could make POSIX regex matching slow or its compilation
 * large: more than ALERT_PATTERN_MAX bytes, back-references, a repeated
 * group that itself holds a repetition ("(a+)+", "(a*b?)*"), bounds over
 * 100, more than 10 groups, control characters and invalid UTF-8. The
 * pattern is matched with regexec() on capped messages, which has no
 * catastrophic backtracking for such patterns.
 */
bool
alert_pattern_check(const char *pat, char *why, size_t whylen)
{
	regex_t re;
	int     depth, groups, bound, total_bound;
	bool    inner_rep[16], last_group_rep, last_quant, in_class;
	size_t  i, len;

	len = strlen(pat);
	if (len == 0 || len > ALERT_PATTERN_MAX) {
		snprintf(
		    why, whylen, "must be 1 to %d bytes", ALERT_PATTERN_MAX);
		return (false);
	}
	if (!utf8_valid(pat, len)) {
		snprintf(why, whylen, "is not valid UTF-8");
		return (false);
	}
	depth = groups = total_bound = 0;
	last_group_rep = last_quant = in_class = false;
	memset(inner_rep, 0, sizeof(inner_rep));
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)pat[i];
		bool          closed = false, quant = false;

		if (c < 0x20 || c == 0x7f) {
			snprintf(why, whylen, "holds a control character");
			return (false);
		}
		if (c == '\\') {
			if (i + 1 < len && isdigit((unsigned char)pat[i + 1])) {
				snprintf(why, whylen,
				    "back-references are not allowed");
				return (false);
			}
			i++;
			last_group_rep = last_quant = false;
			continue;
		}
		if (in_class) {
			if (c == ']')
				in_class = false;
			continue;
		}
		switch (c) {
		case '[':
			in_class = true;
			if (i + 1 < len && pat[i + 1] == ']')
				i++;
			break;
		case '(':
			if (++groups > 10 || depth + 1 >= 16) {
				snprintf(why, whylen, "has too many groups");
				return (false);
			}
			inner_rep[++depth] = false;
			break;
		case ')':
			if (depth == 0) {
				snprintf(why, whylen, "has an unmatched ')'");
				return (false);
			}
			last_group_rep = inner_rep[depth];
			depth--;
			if (last_group_rep)
				inner_rep[depth] = true;
			closed = true;
			break;
		case '*':
		case '+':
		case '?':
		case '{':
			if (c == '{') {
				bound = 0;
				for (i++; i < len && pat[i] != '}'; i++) {
					if (isdigit((unsigned char)pat[i])) {
						bound =
						    bound * 10 + pat[i] - '0';
						if (bound > 100)
							break;
					} else if (pat[i] == ',') {
						bound = 0;
					} else {
						break;
					}
				}
				if (i >= len || pat[i] != '}' || bound > 100) {
					snprintf(why, whylen,
					    "repetition bounds must be "
					    "{n}, {n,} or {n,m} with m <= 100");
					return (false);
				}
			}
			if (last_group_rep || last_quant) {
				snprintf(why, whylen,
				    "a repetition may not be repeated "
				    "(catastrophic pattern)");
				return (false);
			}
			if ((total_bound += c == '{' ? bound : 1) > 1000) {
				snprintf(why, whylen,
				    "repeats too much (bounds add up past "
				    "1000)");
				return (false);
			}
			inner_rep[depth] = true;
			quant = true;
			break;
		default:
			break;
		}
		if (!closed)
			last_group_rep = false;
		last_quant = quant;
	}
	if (depth != 0 || in_class) {
		snprintf(why, whylen, "has an unclosed group or class");
		return (false);
	}
	if (regcomp(&re, pat, REG_EXTENDED | REG_NOSUB) != 0) {
		snprintf(why, whylen,
		    "is not a valid POSIX extended regular expression");
		return (false);
	}
	regfree(&re);
	return (true);
}

/* ---- parsing ------------------------------------------------------------ */

static bool alert_fail(struct alert_rule_error *e, const char *field,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static bool
alert_fail(struct alert_rule_error *e, const char *field, const char *fmt, ...)
{
	va_list ap;

	snprintf(e->field, sizeof(e->field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	return (false);
}

static bool
alert_keys_known(const json_t *obj, const char *const *keys, size_t n,
    const char *where, struct alert_rule_error *e)
{
	const char *key;
	json_t     *v;
	size_t      i;
	char        field[64];

	json_object_foreach((json_t *)obj, key, v)
	{
		(void)v;
		for (i = 0; i < n; i++)
			if (strcmp(keys[i], key) == 0)
				break;
		if (i == n) {
			snprintf(field, sizeof(field), "%s%s", where, key);
			return (alert_fail(e, field, "is not a known field"));
		}
	}
	return (true);
}

/* A string of 0..max bytes of valid UTF-8, NULL (absent) allowed. */
static bool
alert_string(const json_t *v, const char *field, size_t min, size_t max,
    char *out, size_t outlen, struct alert_rule_error *e)
{
	const char *s;
	size_t      len;

	if (v == NULL || json_is_null(v)) {
		if (min > 0)
			return (alert_fail(e, field, "is required"));
		out[0] = '\0';
		return (true);
	}
	if (!json_is_string(v))
		return (alert_fail(e, field, "must be a string"));
	s = json_string_value(v);
	len = json_string_length(v);
	if (len < min || len > max || len >= outlen)
		return (alert_fail(
		    e, field, "must be %zu to %zu bytes long", min, max));
	if (strlen(s) != len || !utf8_valid(s, len))
		return (alert_fail(e, field, "must be valid UTF-8 text"));
	memcpy(out, s, len + 1);
	return (true);
}

static bool
alert_bool(const json_t *v, const char *field, bool def, bool *out,
    struct alert_rule_error *e)
{
	if (v == NULL) {
		*out = def;
		return (true);
	}
	if (!json_is_boolean(v))
		return (alert_fail(e, field, "must be true or false"));
	*out = json_is_true(v);
	return (true);
}

static bool
alert_number(const json_t *v, const char *field, double def, double min,
    double max, double *out, struct alert_rule_error *e)
{
	double d;

	if (v == NULL || json_is_null(v)) {
		*out = def;
		return (true);
	}
	if (!json_is_number(v))
		return (alert_fail(e, field, "must be a number"));
	d = json_number_value(v);
	if (!isfinite(d) || d < min || d > max)
		return (
		    alert_fail(e, field, "must be from %g to %g", min, max));
	*out = d;
	return (true);
}

static bool
alert_duration(const json_t *v, const char *field, long def, long min, long max,
    long *out, struct alert_rule_error *e)
{
	if (v == NULL || json_is_null(v)) {
		*out = def;
		return (true);
	}
	if (!json_is_string(v) ||
	    !alert_duration_parse(json_string_value(v), out))
		return (alert_fail(e, field,
		    "must be a duration such as \"30s\", \"5m\", \"1h\""));
	if (*out < min || *out > max)
		return (alert_fail(
		    e, field, "must be from %lds to %lds", min, max));
	return (true);
}

static bool
alert_id_check(const char *s)
{
	return (tenant_id_check(s)); /* an ObjectId, like a tenant's */
}

static bool
alert_channels(const json_t *v, const char *field, int *n,
    char out[][ALERT_ID_LEN + 1], struct alert_rule_error *e)
{
	json_t *item;
	size_t  i, j;

	*n = 0;
	if (v == NULL || json_is_null(v))
		return (true);
	if (!json_is_array(v) || json_array_size(v) > ALERT_CHANNELS_MAX)
		return (alert_fail(e, field,
		    "must be an array of at most %d channel ids",
		    ALERT_CHANNELS_MAX));
	json_array_foreach(v, i, item)
	{
		if (!json_is_string(item) ||
		    !alert_id_check(json_string_value(item)))
			return (alert_fail(e, field,
			    "item %zu is not a channel id (24 hex)", i));
		for (j = 0; j < (size_t)*n; j++)
			if (strcmp(out[j], json_string_value(item)) == 0)
				return (alert_fail(
				    e, field, "item %zu is repeated", i));
		memcpy(out[(*n)++], json_string_value(item), ALERT_ID_LEN + 1);
	}
	return (true);
}

static bool
alert_parse_query(
    const json_t *q, struct alert_rule *r, struct alert_rule_error *e)
{
	struct search_error se;
	json_t             *v, *item, *parsed;
	size_t              i, k, nlevels;
	const char         *s;
	char                name[16];

	if (q == NULL || json_is_null(q))
		return (true);
	if (!json_is_object(q))
		return (alert_fail(e, "query", "must be an object"));
	if (!alert_keys_known(q, alert_query_keys,
		sizeof(alert_query_keys) / sizeof(*alert_query_keys), "query.",
		e))
		return (false);
	if (!alert_string(json_object_get(q, "q"), "query.q", 0, ALERT_Q_MAX,
		r->q, sizeof(r->q), e))
		return (false);
	/* The search language's own parser: what it refuses, we refuse. */
	if ((parsed = search_text_parse(r->q, strlen(r->q), &se)) == NULL)
		return (alert_fail(e, "query.q", "%s", se.message));
	json_decref(parsed);
	nlevels = sizeof(alert_level_names) / sizeof(*alert_level_names);
	if ((v = json_object_get(q, "level")) != NULL && !json_is_null(v)) {
		if (!json_is_array(v) || json_array_size(v) > nlevels)
			return (alert_fail(e, "query.level",
			    "must be an array of log levels"));
		json_array_foreach(v, i, item)
		{
			s = json_string_value(item);
			if (s == NULL || strlen(s) >= sizeof(name))
				return (alert_fail(e, "query.level",
				    "item %zu is not a log level", i));
			for (k = 0; s[k] != '\0'; k++)
				name[k] = (char)toupper((unsigned char)s[k]);
			name[k] = '\0';
			for (k = 0; k < nlevels; k++)
				if (strcmp(name, alert_level_names[k]) == 0)
					break;
			if (k == nlevels)
				return (alert_fail(e, "query.level",
				    "item %zu must be one of DEBUG, INFO, "
				    "WARNING, ERROR, CRITICAL",
				    i));
			r->levels |= 1u << k;
		}
	}
	if ((v = json_object_get(q, "service")) != NULL && !json_is_null(v)) {
		if (!json_is_array(v) ||
		    json_array_size(v) > ALERT_SERVICES_MAX)
			return (alert_fail(e, "query.service",
			    "must be an array of at most %d names",
			    ALERT_SERVICES_MAX));
		json_array_foreach(v, i, item)
		{
			if (!alert_string(item, "query.service", 1,
				ALERT_SERVICE_LEN, r->services[r->nservices],
				sizeof(r->services[0]), e))
				return (false);
			r->nservices++;
		}
	}
	return (true);
}

static bool
alert_parse_op(const json_t *v, bool both_ok, enum alert_op *op,
    struct alert_rule_error *e)
{
	const char *s;

	*op = ALERT_OP_ABOVE;
	if (v == NULL || json_is_null(v))
		return (true);
	s = json_string_value(v);
	if (s != NULL && strcmp(s, "above") == 0)
		*op = ALERT_OP_ABOVE;
	else if (s != NULL && strcmp(s, "below") == 0)
		*op = ALERT_OP_BELOW;
	else if (s != NULL && both_ok && strcmp(s, "both") == 0)
		*op = ALERT_OP_BOTH;
	else
		return (alert_fail(e, "condition.op",
		    both_ok ? "must be \"above\", \"below\" or \"both\""
			    : "must be \"above\" or \"below\""));
	return (true);
}

/* Which condition fields each type accepts (others are refused). */
static bool
alert_cond_allowed(enum alert_type t, const char *key)
{
	switch (t) {
	case ALERT_THRESHOLD:
		return (
		    strcmp(key, "op") == 0 || strcmp(key, "threshold") == 0);
	case ALERT_PATTERN:
		return (strcmp(key, "pattern") == 0 ||
		    strcmp(key, "threshold") == 0);
	case ALERT_ABSENCE:
		return (false);
	case ALERT_ERROR_RATE:
		return (strcmp(key, "threshold") == 0 ||
		    strcmp(key, "min_volume") == 0 ||
		    strcmp(key, "status_min") == 0);
	case ALERT_ANOMALY:
		return (strcmp(key, "op") == 0 || strcmp(key, "k") == 0 ||
		    strcmp(key, "baseline") == 0 ||
		    strcmp(key, "min_volume") == 0);
	default:
		return (false);
	}
}

static bool
alert_parse_condition(
    const json_t *c, struct alert_rule *r, struct alert_rule_error *e)
{
	const char *key;
	json_t     *v;
	double      d;
	char        field[64];

	if (c != NULL && !json_is_null(c) && !json_is_object(c))
		return (alert_fail(e, "condition", "must be an object"));
	if (c != NULL && json_is_object(c)) {
		if (!alert_keys_known(c, alert_cond_keys,
			sizeof(alert_cond_keys) / sizeof(*alert_cond_keys),
			"condition.", e))
			return (false);
		json_object_foreach((json_t *)c, key, v)
		{
			(void)v;
			if (!alert_cond_allowed(r->type, key)) {
				snprintf(
				    field, sizeof(field), "condition.%s", key);
				return (alert_fail(e, field,
				    "does not apply to a %s rule",
				    alert_type_name(r->type)));
			}
		}
	}
	r->status_min = 400;
	switch (r->type) {
	case ALERT_THRESHOLD:
		if (!alert_parse_op(json_object_get(c, "op"), false, &r->op, e))
			return (false);
		if (json_object_get(c, "threshold") == NULL)
			return (alert_fail(
			    e, "condition.threshold", "is required"));
		return (alert_number(json_object_get(c, "threshold"),
		    "condition.threshold", 0, 0, 1e12, &r->threshold, e));
	case ALERT_PATTERN:
		if (!alert_string(json_object_get(c, "pattern"),
			"condition.pattern", 1, ALERT_PATTERN_MAX, r->pattern,
			sizeof(r->pattern), e))
			return (false);
		if (!alert_pattern_check(
			r->pattern, e->message, sizeof(e->message))) {
			snprintf(
			    e->field, sizeof(e->field), "condition.pattern");
			return (false);
		}
		return (alert_number(json_object_get(c, "threshold"),
		    "condition.threshold", 0, 0, 1e9, &r->threshold, e));
	case ALERT_ABSENCE:
		r->threshold = 0;
		r->op = ALERT_OP_BELOW;
		return (true);
	case ALERT_ERROR_RATE:
		if (json_object_get(c, "threshold") == NULL)
			return (alert_fail(e, "condition.threshold",
			    "is required (a ratio from 0 to 1)"));
		if (!alert_number(json_object_get(c, "threshold"),
			"condition.threshold", 0, 0, 1, &r->threshold, e) ||
		    !alert_number(json_object_get(c, "min_volume"),
			"condition.min_volume", 10, 1, 1e9, &d, e))
			return (false);
		r->min_volume = (long)d;
		if (!alert_number(json_object_get(c, "status_min"),
			"condition.status_min", 400, 400, 500, &d, e))
			return (false);
		if (d != 400 && d != 500)
			return (alert_fail(e, "condition.status_min",
			    "must be 400 (4xx and 5xx) or 500 (5xx)"));
		r->status_min = (int)d;
		r->op = ALERT_OP_ABOVE;
		return (true);
	case ALERT_ANOMALY:
		if (!alert_parse_op(
			json_object_get(c, "op"), true, &r->op, e) ||
		    !alert_number(json_object_get(c, "k"), "condition.k", 3,
			0.5, 100, &r->k, e) ||
		    !alert_number(json_object_get(c, "baseline"),
			"condition.baseline", 12, ALERT_BASELINE_MIN,
			ALERT_BASELINE_MAX, &d, e))
			return (false);
		r->baseline = (int)d;
		if (!alert_number(json_object_get(c, "min_volume"),
			"condition.min_volume", 0, 0, 1e9, &d, e))
			return (false);
		r->min_volume = (long)d;
		return (true);
	default:
		return (alert_fail(e, "type", "unknown type"));
	}
}

static bool
alert_parse_escalation(const json_t *esc, const struct alert_limits *lim,
    struct alert_rule *r, struct alert_rule_error *e)
{
	const json_t                  *levels, *lv;
	struct alert_escalation_level *L;
	size_t                         i;
	char                           field[64];

	if (esc != NULL && !json_is_null(esc) && !json_is_object(esc))
		return (alert_fail(e, "escalation", "must be an object"));
	if (esc != NULL && json_is_object(esc) &&
	    !alert_keys_known(esc, alert_esc_keys,
		sizeof(alert_esc_keys) / sizeof(*alert_esc_keys), "escalation.",
		e))
		return (false);
	if (!alert_bool(json_object_get(esc, "enabled"), "escalation.enabled",
		true, &r->escalation, e))
		return (false);
	levels = json_object_get(esc, "levels");
	if (levels == NULL || json_is_null(levels)) {
		/* Level 1 at once, 2 and 3 after the configured delays. */
		r->levels_default = true;
		r->nlevels = 3;
		r->levels_of[0].after_s = 0;
		r->levels_of[1].after_s = lim->escalate_l2_s;
		r->levels_of[2].after_s = lim->escalate_l3_s;
		for (i = 0; i < 3; i++) {
			r->levels_of[i].nchannels = r->nchannels;
			memcpy(r->levels_of[i].channels, r->channels,
			    sizeof(r->channels));
		}
		return (true);
	}
	if (!json_is_array(levels) || json_array_size(levels) < 1 ||
	    json_array_size(levels) > ALERT_LEVELS_MAX)
		return (alert_fail(e, "escalation.levels",
		    "must be an array of 1 to %d levels", ALERT_LEVELS_MAX));
	json_array_foreach(levels, i, lv)
	{
		L = &r->levels_of[i];
		snprintf(field, sizeof(field), "escalation.levels[%zu]", i);
		if (!json_is_object(lv))
			return (alert_fail(e, field, "must be an object"));
		if (!alert_keys_known(lv, alert_esc_level_keys, 2, field, e))
			return (false);
		if (!alert_duration(json_object_get(lv, "after"), field, 0, 0,
			ALERT_COOLDOWN_MAX, &L->after_s, e) ||
		    !alert_channels(json_object_get(lv, "channels"), field,
			&L->nchannels, L->channels, e))
			return (false);
		if (json_object_get(lv, "channels") == NULL) {
			L->nchannels = r->nchannels;
			memcpy(L->channels, r->channels, sizeof(r->channels));
		}
		if (i == 0 && L->after_s != 0)
			return (alert_fail(e, field,
			    "the first level starts at once (\"after\": "
			    "\"0s\")"));
		if (i > 0 && L->after_s <= r->levels_of[i - 1].after_s)
			return (alert_fail(e, field,
			    "levels must come later one after the other"));
	}
	r->nlevels = (int)json_array_size(levels);
	return (true);
}

/*
 * Parses and checks a rule body. Returns false with the first faulty
 * field named in e. Nothing is allocated.
 */
bool
alert_rule_parse(const json_t *in, const struct alert_limits *lim,
    struct alert_rule *r, struct alert_rule_error *e)
{
	const char *s;
	json_t     *v;
	int         i;

	memset(r, 0, sizeof(*r));
	memset(e, 0, sizeof(*e));
	if (!json_is_object(in))
		return (alert_fail(e, "", "the body must be a JSON object"));
	if (!alert_keys_known(in, alert_rule_keys,
		sizeof(alert_rule_keys) / sizeof(*alert_rule_keys), "", e))
		return (false);
	if (!alert_string(json_object_get(in, "name"), "name", 1,
		ALERT_NAME_MAX, r->name, sizeof(r->name), e) ||
	    !alert_string(json_object_get(in, "description"), "description", 0,
		ALERT_DESC_MAX, r->description, sizeof(r->description), e) ||
	    !alert_bool(json_object_get(in, "enabled"), "enabled", true,
		&r->enabled, e) ||
	    !alert_bool(json_object_get(in, "auto_resolve"), "auto_resolve",
		true, &r->auto_resolve, e))
		return (false);
	s = json_string_value(json_object_get(in, "severity"));
	if (json_object_get(in, "severity") == NULL)
		r->severity = ALERT_SEV_MEDIUM;
	else if ((int)(r->severity = alert_severity_parse(s)) < 0)
		return (alert_fail(e, "severity",
		    "must be one of low, medium, high, critical"));
	s = json_string_value(json_object_get(in, "type"));
	if ((i = alert_name_find(alert_type_names, ALERT_TYPE_COUNT, s)) < 0)
		return (alert_fail(e, "type",
		    "must be one of threshold, pattern, absence, error_rate, "
		    "anomaly"));
	r->type = (enum alert_type)i;
	if (!alert_parse_query(json_object_get(in, "query"), r, e))
		return (false);
	if (!alert_duration(json_object_get(in, "window"), "window", 300, 1,
		86400, &r->window_s, e))
		return (false);
	if (!alert_window_allowed(r->window_s))
		return (alert_fail(e, "window", "must be 5m, 15m, 1h or 24h"));
	if (!alert_duration(json_object_get(in, "interval"), "interval",
		lim->min_interval_s > 60 ? lim->min_interval_s : 60,
		lim->min_interval_s, ALERT_INTERVAL_MAX, &r->interval_s, e) ||
	    !alert_duration(json_object_get(in, "cooldown"), "cooldown", 900, 0,
		ALERT_COOLDOWN_MAX, &r->cooldown_s, e))
		return (false);
	v = json_object_get(in, "group_by");
	if (!alert_string(v, "group_by", 0, ALERT_FIELD_MAX, r->group_by,
		sizeof(r->group_by), e))
		return (false);
	if (r->group_by[0] != '\0' && !alert_group_field_check(r->group_by))
		return (alert_fail(e, "group_by",
		    "must be one of service.name, url.path, user.name, "
		    "client.ip, host.name, log.level, http.request.method, "
		    "http.response.status_code, event.dataset, log.logger or "
		    "labels.<name>"));
	if (!alert_parse_condition(json_object_get(in, "condition"), r, e) ||
	    !alert_channels(json_object_get(in, "channels"), "channels",
		&r->nchannels, r->channels, e) ||
	    !alert_parse_escalation(
		json_object_get(in, "escalation"), lim, r, e))
		return (false);
	return (true);
}

static json_t *
alert_channels_json(int n, char ch[][ALERT_ID_LEN + 1])
{
	json_t *a;
	int     i;

	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(ch[i]));
	return (a);
}

static json_t *
alert_condition_json(const struct alert_rule *r)
{
	static const char *const ops[] = {"above", "below", "both"};

	switch (r->type) {
	case ALERT_THRESHOLD:
		return (json_pack(
		    "{s:s, s:f}", "op", ops[r->op], "threshold", r->threshold));
	case ALERT_PATTERN:
		return (json_pack("{s:s, s:f}", "pattern", r->pattern,
		    "threshold", r->threshold));
	case ALERT_ERROR_RATE:
		return (json_pack("{s:f, s:I, s:i}", "threshold", r->threshold,
		    "min_volume", (json_int_t)r->min_volume, "status_min",
		    r->status_min));
	case ALERT_ANOMALY:
		return (json_pack("{s:s, s:f, s:i, s:I}", "op", ops[r->op], "k",
		    r->k, "baseline", r->baseline, "min_volume",
		    (json_int_t)r->min_volume));
	default:
		return (json_object());
	}
}

json_t *
alert_rule_to_json(const struct alert_rule *r)
{
	json_t  *levels, *services, *lv;
	unsigned bit;
	char     d[32];
	int      i;

	levels = json_array();
	for (bit = 1; bit <= ALERT_LEVEL_CRITICAL; bit <<= 1)
		if (r->levels & bit)
			json_array_append_new(
			    levels, json_string(alert_level_name(bit)));
	services = json_array();
	for (i = 0; i < r->nservices; i++)
		json_array_append_new(services, json_string(r->services[i]));
	lv = json_array();
	for (i = 0; i < r->nlevels; i++) {
		alert_duration_format(r->levels_of[i].after_s, d, sizeof(d));
		json_array_append_new(lv,
		    json_pack("{s:s, s:o}", "after", d, "channels",
			alert_channels_json(r->levels_of[i].nchannels,
			    (char(*)[ALERT_ID_LEN + 1]) r->levels_of[i]
				.channels)));
	}
	json_t *o = json_pack("{s:s, s:s, s:b, s:s, s:s, s:{s:s, s:o, s:o}, "
			      "s:o, s:b, s:o, s:o, s:{s:b, s:o}}",
	    "name", r->name, "description", r->description, "enabled",
	    r->enabled, "severity", alert_severity_name(r->severity), "type",
	    alert_type_name(r->type), "query", "q", r->q, "level", levels,
	    "service", services, "group_by",
	    r->group_by[0] != '\0' ? json_string(r->group_by) : json_null(),
	    "auto_resolve", r->auto_resolve, "condition",
	    alert_condition_json(r), "channels",
	    alert_channels_json(
		r->nchannels, (char(*)[ALERT_ID_LEN + 1]) r->channels),
	    "escalation", "enabled", r->escalation, "levels", lv);
	if (r->levels_default) /* not written: the settings decide */
		json_object_del(json_object_get(o, "escalation"), "levels");
	alert_duration_format(r->window_s, d, sizeof(d));
	json_object_set_new(o, "window", json_string(d));
	alert_duration_format(r->interval_s, d, sizeof(d));
	json_object_set_new(o, "interval", json_string(d));
	alert_duration_format(r->cooldown_s, d, sizeof(d));
	json_object_set_new(o, "cooldown", json_string(d));
	return (o);
}
