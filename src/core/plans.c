#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core/plans.h"

enum plans_type {
	PLANS_INT, /* a JSON integer, stored in a long */
	PLANS_NUMBER, /* a JSON integer or real, stored in a double */
	PLANS_BOOL,
};

struct plans_field {
	const char     *name;
	enum plans_type type;
	size_t          offset;
};

/* Every field of "limits" and of "prices"; all are required. */
static const struct plans_field plans_limit_fields[] = {
    {"users", PLANS_INT, offsetof(struct plan_limits, users)},
    {"storage_gb", PLANS_NUMBER, offsetof(struct plan_limits, storage_gb)},
    {"ingest_gb_per_day", PLANS_NUMBER,
	offsetof(struct plan_limits, ingest_gb_per_day)},
    {"ingest_docs_per_day", PLANS_INT,
	offsetof(struct plan_limits, ingest_docs_per_day)},
    {"api_requests_per_day", PLANS_INT,
	offsetof(struct plan_limits, api_requests_per_day)},
    {"retention_days", PLANS_INT, offsetof(struct plan_limits, retention_days)},
};

static const struct plans_field plans_price_fields[] = {
    {"monthly_fee", PLANS_INT, offsetof(struct plan_prices, monthly_fee)},
    {"ingest_per_gb", PLANS_INT, offsetof(struct plan_prices, ingest_per_gb)},
    {"storage_per_gb_month", PLANS_INT,
	offsetof(struct plan_prices, storage_per_gb_month)},
    {"overage_allowed", PLANS_BOOL,
	offsetof(struct plan_prices, overage_allowed)},
};

/* Largest value of a number field (a petabyte, a billion euros). */
#define PLANS_NUMBER_MAX 1e12

static bool plans_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes the error message; always returns false. */
static bool
plans_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return (false);
}

static bool
plans_comment(const char *key)
{
	return (key[0] == '_');
}

/* Plan names: 1 to PLANS_NAME_MAX of [a-z0-9_-]. */
static bool
plans_name_check(const char *name)
{
	size_t len;

	len = strlen(name);
	return (len >= 1 && len <= PLANS_NAME_MAX &&
	    strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") == len);
}

/*
 * Fills the struct at base from obj following the field table: every
 * field present with the right type, none negative, no unknown key.
 * where names the object in error messages ("free.limits").
 */
static bool
plans_fields(const json_t *obj, const struct plans_field *fields, size_t n,
    void *base, const char *plan, const char *where, char *err, size_t errlen)
{
	const char *key;
	json_t     *v;
	size_t      i;
	double      num;
	bool        known;

	if (!json_is_object(obj))
		return (plans_fail(
		    err, errlen, "plans.%s.%s must be an object", plan, where));
	json_object_foreach((json_t *)obj, key, v)
	{
		known = plans_comment(key);
		for (i = 0; i < n && !known; i++)
			known = strcmp(fields[i].name, key) == 0;
		if (!known)
			return (plans_fail(err, errlen,
			    "plans.%s.%s.%s is not a known field", plan, where,
			    key));
	}
	for (i = 0; i < n; i++) {
		v = json_object_get(obj, fields[i].name);
		if (v == NULL)
			return (plans_fail(err, errlen,
			    "plans.%s.%s.%s is required", plan, where,
			    fields[i].name));
		switch (fields[i].type) {
		case PLANS_INT:
			if (!json_is_integer(v))
				return (plans_fail(err, errlen,
				    "plans.%s.%s.%s must be an integer", plan,
				    where, fields[i].name));
			if (json_integer_value(v) < 0)
				return (plans_fail(err, errlen,
				    "plans.%s.%s.%s must not be negative", plan,
				    where, fields[i].name));
			*(long *)((char *)base + fields[i].offset) =
			    (long)json_integer_value(v);
			break;
		case PLANS_NUMBER:
			if (!json_is_number(v))
				return (plans_fail(err, errlen,
				    "plans.%s.%s.%s must be a number", plan,
				    where, fields[i].name));
			if (json_number_value(v) < 0)
				return (plans_fail(err, errlen,
				    "plans.%s.%s.%s must not be negative", plan,
				    where, fields[i].name));
			if (json_number_value(v) > PLANS_NUMBER_MAX)
				return (plans_fail(err, errlen,
				    "plans.%s.%s.%s is too large", plan, where,
				    fields[i].name));
			num = json_number_value(v);
			memcpy(
			    (char *)base + fields[i].offset, &num, sizeof(num));
			break;
		case PLANS_BOOL:
			if (!json_is_boolean(v))
				return (plans_fail(err, errlen,
				    "plans.%s.%s.%s must be true or false",
				    plan, where, fields[i].name));
			*(bool *)((char *)base + fields[i].offset) =
			    json_is_true(v);
			break;
		}
	}
	return (true);
}

static bool
plans_one(const char *name, const json_t *obj, struct plan *p, char *err,
    size_t errlen)
{
	const char *key, *display;
	json_t     *v;

	if (!plans_name_check(name))
		return (plans_fail(err, errlen,
		    "plan name \"%.40s\" must be 1 to 23 of a-z 0-9 _ -",
		    name));
	if (!json_is_object(obj))
		return (plans_fail(
		    err, errlen, "plans.%s must be an object", name));
	json_object_foreach((json_t *)obj, key, v)
	{
		if (!plans_comment(key) && strcmp(key, "display_name") != 0 &&
		    strcmp(key, "limits") != 0 && strcmp(key, "prices") != 0)
			return (plans_fail(err, errlen,
			    "plans.%s.%s is not a known field", name, key));
	}
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	display = json_string_value(json_object_get(obj, "display_name"));
	if (display == NULL || display[0] == '\0' ||
	    strlen(display) > PLANS_DISPLAY_MAX)
		return (plans_fail(err, errlen,
		    "plans.%s.display_name must be a string of 1 to 64 bytes",
		    name));
	snprintf(p->display_name, sizeof(p->display_name), "%s", display);
	if (!plans_fields(json_object_get(obj, "limits"), plans_limit_fields,
		sizeof(plans_limit_fields) / sizeof(plans_limit_fields[0]),
		&p->limits, name, "limits", err, errlen))
		return (false);
	return (plans_fields(json_object_get(obj, "prices"), plans_price_fields,
	    sizeof(plans_price_fields) / sizeof(plans_price_fields[0]),
	    &p->prices, name, "prices", err, errlen));
}

static bool
plans_top(const json_t *root, struct plans *out, char *err, size_t errlen)
{
	const char *key, *currency, *def;
	json_t     *v, *all;

	json_object_foreach((json_t *)root, key, v)
	{
		if (!plans_comment(key) && strcmp(key, "currency") != 0 &&
		    strcmp(key, "plans") != 0 &&
		    strcmp(key, "default_plan") != 0)
			return (plans_fail(
			    err, errlen, "%s is not a known field", key));
	}
	currency = json_string_value(json_object_get(root, "currency"));
	if (currency == NULL || strlen(currency) != 3 ||
	    strspn(currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3)
		return (plans_fail(err, errlen,
		    "currency must be a three-letter ISO 4217 code"));
	snprintf(out->currency, sizeof(out->currency), "%s", currency);
	all = json_object_get(root, "plans");
	if (!json_is_object(all) || json_object_size(all) == 0 ||
	    json_object_size(all) > PLANS_MAX)
		return (plans_fail(
		    err, errlen, "plans must be an object of 1 to 16 plans"));
	json_object_foreach(all, key, v)
	{
		if (plans_comment(key))
			continue;
		if (!plans_one(key, v, &out->plan[out->count], err, errlen))
			return (false);
		out->count++;
	}
	if (out->count == 0)
		return (plans_fail(err, errlen, "plans defines no plan"));
	def = json_string_value(json_object_get(root, "default_plan"));
	if (def == NULL || plans_find(out, def) == NULL)
		return (plans_fail(
		    err, errlen, "default_plan must name one of the plans"));
	snprintf(out->default_plan, sizeof(out->default_plan), "%s", def);
	return (true);
}

/*
 * Parses the text of plans.json into out. Returns false with err saying
 * what is wrong (malformed JSON with its line and column, a missing,
 * unknown, mistyped or negative field); out is then left empty.
 */
bool
plans_parse(
    const char *text, size_t len, struct plans *out, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t      *root;
	bool         ok;

	memset(out, 0, sizeof(*out));
	if (text == NULL || len == 0 || len > PLANS_TEXT_MAX) {
		snprintf(err, errlen, "the plans file is empty or too large");
		return (false);
	}
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		snprintf(err, errlen, "not JSON at line %d, column %d: %s",
		    jerr.line, jerr.column, jerr.text);
		return (false);
	}
	ok = json_is_object(root);
	if (!ok)
		snprintf(err, errlen, "the plans file must be a JSON object");
	else
		ok = plans_top(root, out, err, errlen);
	json_decref(root);
	if (!ok)
		memset(out, 0, sizeof(*out));
	return (ok);
}

/* The plan called name, or NULL. The pointer lives as long as plans. */
const struct plan *
plans_find(const struct plans *plans, const char *name)
{
	size_t i;

	if (plans == NULL || name == NULL)
		return (NULL);
	for (i = 0; i < plans->count; i++) {
		if (strcmp(plans->plan[i].name, name) == 0)
			return (&plans->plan[i]);
	}
	return (NULL);
}

const struct plan *
plans_default(const struct plans *plans)
{
	return (plans != NULL ? plans_find(plans, plans->default_plan) : NULL);
}

/* True when usage has reached a limit (0 is unlimited: never reached). */
bool
plans_limit_reached(long limit, long usage)
{
	return (limit > 0 && usage >= limit);
}
