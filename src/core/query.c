#include <stdio.h>
#include <string.h>

#include "core/query.h"
#include "core/text.h"

/*
 * Percent-decodes s[0..len) into out ('+' is a space). Returns false on
 * a bad escape, an encoded NUL, or when out is too small.
 */
bool
query_decode(const char *s, size_t len, char *out, size_t outlen)
{
	size_t i, o;
	int    hi, lo;

	for (i = 0, o = 0; i < len; i++) {
		if (o + 1 >= outlen)
			return (false);
		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] == '%') {
			if (i + 2 >= len)
				return (false);
			if ((hi = text_hexval(s[i + 1])) < 0 ||
			    (lo = text_hexval(s[i + 2])) < 0)
				return (false);
			if (hi == 0 && lo == 0)
				return (false);
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return (true);
}

static bool
query_add(json_t *obj, const char *name, const char *value)
{
	json_t *v, *prev, *arr;

	if ((v = json_string(value)) == NULL)
		return (false); /* not UTF-8 */
	prev = json_object_get(obj, name);
	if (prev == NULL)
		return (json_object_set_new(obj, name, v) == 0);
	if (json_is_array(prev))
		return (json_array_append_new(prev, v) == 0);
	arr = json_array();
	json_array_append(arr, prev);
	json_array_append_new(arr, v);
	return (json_object_set_new(obj, name, arr) == 0);
}

/*
 * Parses qs (may be NULL). Returns a new object, or NULL with why set for
 * malformed escapes, non-UTF-8 text, too many or too long arguments.
 */
json_t *
query_parse(const char *qs, char *why, size_t whylen)
{
	char        name[128], value[QUERY_VALUE_MAX + 1];
	const char *p, *amp, *eq;
	json_t     *obj;
	size_t      len;
	int         count;

	obj = json_object();
	if (qs == NULL)
		return (obj);
	for (p = qs, count = 0; *p != '\0'; p = *amp == '&' ? amp + 1 : amp) {
		amp = strchr(p, '&');
		if (amp == NULL)
			amp = p + strlen(p);
		len = (size_t)(amp - p);
		if (len == 0)
			continue;
		if (++count > QUERY_ARGS_MAX) {
			snprintf(why, whylen, "more than %d query arguments",
			    QUERY_ARGS_MAX);
			goto fail;
		}
		eq = memchr(p, '=', len);
		if (!query_decode(p, eq != NULL ? (size_t)(eq - p) : len, name,
			sizeof(name)) ||
		    name[0] == '\0') {
			snprintf(
			    why, whylen, "a query argument name is malformed");
			goto fail;
		}
		value[0] = '\0';
		if (eq != NULL &&
		    !query_decode(
			eq + 1, (size_t)(amp - eq - 1), value, sizeof(value))) {
			snprintf(why, whylen,
			    "query argument %s is malformed or too long", name);
			goto fail;
		}
		if (!query_add(obj, name, value)) {
			snprintf(why, whylen,
			    "query argument %s is not valid UTF-8", name);
			goto fail;
		}
	}
	return (obj);
fail:
	json_decref(obj);
	return (NULL);
}
