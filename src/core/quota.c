#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/quota.h"
#include "core/text.h"

static const char *const quota_names[QUOTA_COUNT] = {
    [QUOTA_API_REQUESTS] = "api_requests",
    [QUOTA_INGEST_BYTES] = "ingest_bytes",
    [QUOTA_INGEST_DOCS] = "ingest_docs",
    [QUOTA_STORAGE_BYTES] = "storage_bytes",
    [QUOTA_USERS] = "users",
};

/* What each limit is called at the start of a warning. */
static const char *const quota_titles[QUOTA_COUNT] = {
    [QUOTA_API_REQUESTS] = "API requests today",
    [QUOTA_INGEST_BYTES] = "Bytes ingested today",
    [QUOTA_INGEST_DOCS] = "Documents ingested today",
    [QUOTA_STORAGE_BYTES] = "Bytes stored",
    [QUOTA_USERS] = "Users",
};

/* What each limit is called in a sentence. */
static const char *const quota_nouns[QUOTA_COUNT] = {
    [QUOTA_API_REQUESTS] = "API requests today",
    [QUOTA_INGEST_BYTES] = "bytes ingested today",
    [QUOTA_INGEST_DOCS] = "documents ingested today",
    [QUOTA_STORAGE_BYTES] = "bytes stored",
    [QUOTA_USERS] = "users",
};

const char *
quota_limit_name(enum quota_limit l)
{
	return (l >= 0 && l < QUOTA_COUNT ? quota_names[l] : "unknown");
}

bool
quota_limit_daily(enum quota_limit l)
{
	return (l == QUOTA_API_REQUESTS || l == QUOTA_INGEST_BYTES ||
	    l == QUOTA_INGEST_DOCS);
}

/* ---- overrides --------------------------------------------------------- */

/* The plan limits an override may name: whole numbers or GB. */
static const struct {
	const char *name;
	bool        gb; /* a double of GB; else a long */
	size_t      offset;
} quota_fields[] = {
    {"users", false, offsetof(struct plan_limits, users)},
    {"storage_gb", true, offsetof(struct plan_limits, storage_gb)},
    {"ingest_gb_per_day", true,
	offsetof(struct plan_limits, ingest_gb_per_day)},
    {"ingest_docs_per_day", false,
	offsetof(struct plan_limits, ingest_docs_per_day)},
    {"api_requests_per_day", false,
	offsetof(struct plan_limits, api_requests_per_day)},
    {"retention_days", false, offsetof(struct plan_limits, retention_days)},
};

/*
 * Stores v into field i of l through memcpy: the field is a double or a
 * long at its offset, never reached through a cast pointer.
 */
static void
quota_field_set(struct plan_limits *l, int i, double v)
{
	char *at = (char *)l + quota_fields[i].offset;
	long  n;

	if (quota_fields[i].gb)
		memcpy(at, &v, sizeof(v));
	else {
		n = (long)v;
		memcpy(at, &n, sizeof(n));
	}
}

#define QUOTA_NFIELDS (sizeof(quota_fields) / sizeof(quota_fields[0]))

static int
quota_field_find(const char *name)
{
	size_t i;

	for (i = 0; i < QUOTA_NFIELDS; i++) {
		if (strcmp(quota_fields[i].name, name) == 0)
			return ((int)i);
	}
	return (-1);
}

bool
quota_overrides_check(
    const json_t *patch, char *field, size_t fieldlen, char *why, size_t whylen)
{
	const char *key;
	json_t     *v;
	double      max;
	int         i;

	snprintf(field, fieldlen, "overrides");
	if (!json_is_object(patch)) {
		snprintf(why, whylen, "must be an object");
		return (false);
	}
	json_object_foreach((json_t *)patch, key, v)
	{
		snprintf(field, fieldlen, "overrides.%.40s", key);
		if ((i = quota_field_find(key)) < 0) {
			snprintf(why, whylen,
			    "is not a plan limit (users, storage_gb, "
			    "ingest_gb_per_day, ingest_docs_per_day, "
			    "api_requests_per_day, retention_days)");
			return (false);
		}
		if (json_is_null(v))
			continue;
		if (quota_fields[i].gb ? !json_is_number(v)
				       : !json_is_integer(v)) {
			snprintf(why, whylen, "must be %s or null",
			    quota_fields[i].gb ? "a number" : "a whole number");
			return (false);
		}
		max = quota_fields[i].gb ? QUOTA_OVERRIDE_GB_MAX
					 : QUOTA_OVERRIDE_MAX;
		if (json_number_value(v) < 0 || json_number_value(v) > max) {
			snprintf(
			    why, whylen, "must be between 0 and %.0f", max);
			return (false);
		}
	}
	return (true);
}

json_t *
quota_overrides_apply(const json_t *current, const json_t *patch)
{
	const char *key;
	json_t     *out, *v;

	out = json_is_object(current) ? json_deep_copy(current) : json_object();
	json_object_foreach((json_t *)patch, key, v)
	{
		if (json_is_null(v))
			json_object_del(out, key);
		else
			json_object_set(out, key, v);
	}
	return (out);
}

/* GB to bytes; beyond an exabyte counts as unlimited (0). */
static long
quota_bytes(double gb)
{
	if (gb <= 0 || gb > QUOTA_GB)
		return (0);
	return ((long)llround(gb * QUOTA_GB));
}

void
quota_limits_of(const struct plan_limits *plan, const json_t *overrides,
    struct quota_limits *out)
{
	struct plan_limits l;
	const char        *key;
	json_t            *v;
	int                i;

	l = *plan;
	if (json_is_object(overrides)) {
		json_object_foreach((json_t *)overrides, key, v)
		{
			/* Checked on the way in; a record edited by other
			 * means is still never trusted out of range. */
			if ((i = quota_field_find(key)) < 0 ||
			    !json_is_number(v) || json_number_value(v) < 0 ||
			    json_number_value(v) >
				(quota_fields[i].gb ? QUOTA_OVERRIDE_GB_MAX
						    : QUOTA_OVERRIDE_MAX))
				continue;
			quota_field_set(&l, i, json_number_value(v));
		}
	}
	memset(out, 0, sizeof(*out));
	out->max[QUOTA_API_REQUESTS] = l.api_requests_per_day;
	out->max[QUOTA_INGEST_BYTES] = quota_bytes(l.ingest_gb_per_day);
	out->max[QUOTA_INGEST_DOCS] = l.ingest_docs_per_day;
	out->max[QUOTA_STORAGE_BYTES] = quota_bytes(l.storage_gb);
	out->max[QUOTA_USERS] = l.users;
	out->retention_days = l.retention_days;
}

/* ---- arithmetic -------------------------------------------------------- */

bool
quota_admits(long used, long add, long max)
{
	if (max <= 0)
		return (true);
	return (add <= max && used <= max - add);
}

long
quota_percent(long used, long max)
{
	if (max <= 0 || used <= 0)
		return (0);
	return ((long)((__int128)used * 100 / max));
}

/* Whether used has reached threshold % of max (exact, no rounding). */
static bool
quota_at(long used, long max, int threshold)
{
	return ((__int128)used * 100 >= (__int128)threshold * max);
}

int
quota_threshold_reached(long used, long max)
{
	if (max <= 0)
		return (0);
	if (quota_at(used, max, 95))
		return (95);
	if (quota_at(used, max, 80))
		return (80);
	return (0);
}

int
quota_threshold_crossed(long before, long after, long max)
{
	int hi, lo;

	if (max <= 0 || after <= before)
		return (0);
	hi = quota_threshold_reached(after, max);
	lo = quota_threshold_reached(before, max);
	return (hi > lo ? hi : 0);
}

/* ---- time -------------------------------------------------------------- */

long
quota_day_start(long now)
{
	return (now - ((now % QUOTA_DAY_S) + QUOTA_DAY_S) % QUOTA_DAY_S);
}

long
quota_reset_at(long now)
{
	return (quota_day_start(now) + QUOTA_DAY_S);
}

long
quota_retry_after(long now)
{
	long s;

	s = quota_reset_at(now) - now;
	return (s < 1 ? 1 : s);
}

void
quota_day(long when, char out[QUOTA_DAY_LEN])
{
	char iso[TEXT_ISO_LEN];

	text_iso8601(when, iso, sizeof(iso));
	snprintf(out, QUOTA_DAY_LEN, "%.10s", iso);
}

/* ---- answers ----------------------------------------------------------- */

json_t *
quota_error_body(enum quota_limit l, long usage, long max, long now)
{
	char    message[256], at[TEXT_ISO_LEN];
	json_t *resets;

	if (quota_limit_daily(l)) {
		text_iso8601(quota_reset_at(now), at, sizeof(at));
		resets = json_string(at);
		snprintf(message, sizeof(message),
		    "quota exceeded: the plan allows %ld %s and %ld are used; "
		    "it resets at %s",
		    max, quota_nouns[l], usage, at);
	} else {
		resets = json_null();
		snprintf(message, sizeof(message),
		    "quota exceeded: the plan allows %ld %s and %ld are used",
		    max, quota_nouns[l], usage);
	}
	return (json_pack("{s:{s:s, s:s, s:s, s:I, s:I, s:o}}", "error", "code",
	    "quota_exceeded", "message", message, "limit", quota_names[l],
	    "usage", (json_int_t)usage, "max", (json_int_t)max, "resets_at",
	    resets));
}

void
quota_warning_text(enum quota_limit l, int threshold, long used, long max,
    char *out, size_t outlen)
{
	snprintf(out, outlen, "%s: %ld of %ld used, past the %d%% warning%s",
	    l >= 0 && l < QUOTA_COUNT ? quota_titles[l] : "Limit", used, max,
	    threshold,
	    quota_limit_daily(l) ? "; the allowance resets at midnight UTC"
				 : "");
}
