#include <stdio.h>
#include <string.h>

#include "core/validate.h"

static bool
validate_fail(struct validate_error *err, const char *field, const char *msg)
{
	snprintf(err->field, sizeof(err->field), "%s", field);
	snprintf(err->message, sizeof(err->message), "%s", msg);
	return (false);
}

static bool
validate_string(
    const struct field_rule *r, const char *s, struct validate_error *err)
{
	char   why[200];
	size_t len;

	len = strlen(s);
	if ((long)len < r->min || (long)len > r->max) {
		snprintf(why, sizeof(why), "must be %ld to %ld bytes long",
		    r->min, r->max);
		return (validate_fail(err, r->name, why));
	}
	if (r->check != NULL && !r->check(s, why, sizeof(why)))
		return (validate_fail(err, r->name, why));
	return (true);
}

static bool
validate_field(
    const struct field_rule *r, const json_t *v, struct validate_error *err)
{
	char   why[200];
	size_t i;

	switch (r->type) {
	case FIELD_STRING:
		if (!json_is_string(v))
			return (
			    validate_fail(err, r->name, "must be a string"));
		return (validate_string(r, json_string_value(v), err));
	case FIELD_INTEGER:
		if (!json_is_integer(v) || json_integer_value(v) < r->min ||
		    json_integer_value(v) > r->max) {
			snprintf(why, sizeof(why),
			    "must be an integer from %ld to %ld", r->min,
			    r->max);
			return (validate_fail(err, r->name, why));
		}
		return (true);
	case FIELD_BOOLEAN:
		if (!json_is_boolean(v))
			return (validate_fail(
			    err, r->name, "must be true or false"));
		return (true);
	case FIELD_OBJECT:
		if (!json_is_object(v))
			return (
			    validate_fail(err, r->name, "must be an object"));
		return (true);
	case FIELD_STRING_ARRAY:
		if (!json_is_array(v) || (long)json_array_size(v) < r->min ||
		    (long)json_array_size(v) > r->max) {
			snprintf(why, sizeof(why),
			    "must be a list of %ld to %ld strings", r->min,
			    r->max);
			return (validate_fail(err, r->name, why));
		}
		for (i = 0; i < json_array_size(v); i++) {
			const json_t *item = json_array_get(v, i);
			if (!json_is_string(item) ||
			    json_string_length(item) == 0 ||
			    json_string_length(item) > 256)
				return (validate_fail(err, r->name,
				    "must contain only non-empty strings"));
			if (r->check != NULL &&
			    !r->check(
				json_string_value(item), why, sizeof(why)))
				return (validate_fail(err, r->name, why));
		}
		return (true);
	}
	return (validate_fail(err, r->name, "has an unknown type"));
}

/*
 * Checks body against the rules. Returns false with err naming the first
 * offending field: a missing required one, a wrong type or bound, or one
 * that no rule names.
 */
bool
validate_body(const json_t *body, const struct field_rule *rules, size_t n,
    struct validate_error *err)
{
	const char *key;
	json_t     *v;
	size_t      i;
	bool        known;

	if (!json_is_object(body))
		return (
		    validate_fail(err, "", "the body must be a JSON object"));
	json_object_foreach((json_t *)body, key, v)
	{
		known = false;
		for (i = 0; i < n && !known; i++)
			known = strcmp(rules[i].name, key) == 0;
		if (!known)
			return (
			    validate_fail(err, key, "is not a known field"));
	}
	for (i = 0; i < n; i++) {
		v = json_object_get(body, rules[i].name);
		if (v == NULL || json_is_null(v)) {
			if (rules[i].required)
				return (validate_fail(
				    err, rules[i].name, "is required"));
			continue;
		}
		if (!validate_field(&rules[i], v, err))
			return (false);
	}
	return (true);
}

/*
 * A deliberately plain e-mail check: one '@', a non-empty local part of
 * printable ASCII without spaces or quotes, a domain of letters, digits,
 * '-' and '.', with a dot, not starting or ending with '.' or '-'.
 */
bool
validate_email(const char *s, char *why, size_t whylen)
{
	const char *at, *p;

	at = strchr(s, '@');
	if (at == NULL || at == s || strchr(at + 1, '@') != NULL) {
		snprintf(why, whylen, "must be an e-mail address");
		return (false);
	}
	for (p = s; p < at; p++) {
		if (*p <= ' ' || *p >= 0x7f || *p == '"' || *p == '\\' ||
		    *p == '<' || *p == '>' || *p == ',' || *p == ';') {
			snprintf(why, whylen, "must be an e-mail address");
			return (false);
		}
	}
	p = at + 1;
	if (*p == '\0' || *p == '.' || *p == '-' || strchr(p, '.') == NULL ||
	    p[strlen(p) - 1] == '.' || p[strlen(p) - 1] == '-' ||
	    strstr(p, "..") != NULL) {
		snprintf(why, whylen, "must be an e-mail address");
		return (false);
	}
	for (; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			(*p >= '0' && *p <= '9') || *p == '-' || *p == '.')) {
			snprintf(why, whylen, "must be an e-mail address");
			return (false);
		}
	}
	return (true);
}

/* A display name: no control characters, not only spaces. */
bool
validate_name(const char *s, char *why, size_t whylen)
{
	const unsigned char *p;
	bool                 visible;

	visible = false;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			snprintf(
			    why, whylen, "must not contain control characters");
			return (false);
		}
		if (*p != ' ')
			visible = true;
	}
	if (!visible) {
		snprintf(why, whylen, "must not be blank");
		return (false);
	}
	return (true);
}
