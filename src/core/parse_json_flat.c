/*
 * The fast path of the JSON parser: one JSON object mapped straight into
 * the record (record_assign per member, nested objects flattened to
 * dotted names) without building a jansson tree, which is where most of
 * the time of the jansson path goes (see docs/PERFORMANCE.md, Parsing).
 *
 * It must give exactly what the jansson path gives (parse_json.c,
 * jsonlog_map), so it handles only what it can match byte for byte and
 * bails out on the rest: invalid JSON of any kind (the jansson path then
 * reports the error in jansson's words), duplicate keys (jansson keeps
 * the last value in the first one's place), integers beyond 64 bits,
 * reals that overflow, \u0000. Arrays and objects below the flattening
 * depth are handed to jansson alone, to be dumped as compact text the
 * same way. A fuzz target compares both paths on every input.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/logparse_impl.h"
#include "core/utf8.h"

#define JSONFLAT_KEYS_MAX 64 /* per object, for the duplicate check */

struct jsonflat {
	struct logparse *p;
	const char      *s; /* the next byte */
	const char      *end;
	int              year;
};

static void
jsonflat_ws(struct jsonflat *j)
{
	while (j->s < j->end &&
	    (*j->s == ' ' || *j->s == '\t' || *j->s == '\n' || *j->s == '\r'))
		j->s++;
}

static int
jsonflat_hex4(const char *s)
{
	int i, v = 0, c;

	for (i = 0; i < 4; i++) {
		c = (unsigned char)s[i];
		if (c >= '0' && c <= '9')
			c -= '0';
		else if (c >= 'a' && c <= 'f')
			c -= 'a' - 10;
		else if (c >= 'A' && c <= 'F')
			c -= 'A' - 10;
		else
			return (-1);
		v = v << 4 | c;
	}
	return (v);
}

/* Appends code point cp as UTF-8 at o; returns the new end. */
static char *
jsonflat_utf8(char *o, unsigned long cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xc0 | cp >> 6);
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | cp >> 12);
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | cp >> 18);
		*o++ = (char)(0x80 | (cp >> 12 & 0x3f));
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	return (o);
}

/*
 * A string at j->s ('"'): its text in *out (in place when it has no
 * escape, else unescaped into the event's arena). False when it is not a
 * string jansson would accept.
 */
static bool
jsonflat_string(struct jsonflat *j, struct log_str *out)
{
	const char *start = ++j->s, *s;
	char       *o;
	size_t      n;
	bool        esc = false;
	int         hi, lo;

	for (s = start; s < j->end && *s != '"'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20)
			return (false);
		if (c == '\\') {
			esc = true;
			if (++s >= j->end)
				return (false);
		} else if (c >= 0x80) {
			if ((n = utf8_char_len((const unsigned char *)s,
				 (size_t)(j->end - s))) == 0)
				return (false);
			s += n - 1;
		}
	}
	if (s >= j->end)
		return (false);
	j->s = s + 1;
	out->ptr = start;
	out->len = (size_t)(s - start);
	if (!esc)
		return (true);
	/* Unescaped text is never longer than the escaped one. */
	o = record_arena_alloc(&j->p->ev, out->len);
	out->ptr = o;
	for (s = start; *s != '"'; s++) {
		if (*s != '\\') {
			*o++ = *s;
			continue;
		}
		switch (*++s) {
		case '"':
		case '\\':
		case '/':
			*o++ = *s;
			break;
		case 'b':
			*o++ = '\b';
			break;
		case 'f':
			*o++ = '\f';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 't':
			*o++ = '\t';
			break;
		case 'u':
			if (j->end - s < 5 || (hi = jsonflat_hex4(s + 1)) < 0)
				return (false);
			s += 4;
			if (hi == 0 || (hi >= 0xdc00 && hi <= 0xdfff))
				return (false);
			if (hi >= 0xd800 && hi <= 0xdbff) {
				if (j->end - s < 7 || s[1] != '\\' ||
				    s[2] != 'u' ||
				    (lo = jsonflat_hex4(s + 3)) < 0 ||
				    lo < 0xdc00 || lo > 0xdfff)
					return (false);
				s += 6;
				o = jsonflat_utf8(o,
				    0x10000 +
					((unsigned long)(hi - 0xd800) << 10) +
					(unsigned long)(lo - 0xdc00));
			} else {
				o = jsonflat_utf8(o, (unsigned long)hi);
			}
			break;
		default:
			return (false);
		}
	}
	out->len = (size_t)(o - out->ptr);
	return (true);
}

/*
 * A number at j->s, as the text jansson's value would print as
 * (parse_json.c: integers with %lld, reals with %.15g or %.17g).
 */
static bool
jsonflat_number(struct jsonflat *j, struct log_str *out)
{
	const char *s = j->s, *start = j->s;
	char        tmp[64];
	bool        real = false, neg = false;
	uint64_t    v = 0;
	double      d;
	int         n;

	if (s < j->end && *s == '-') {
		neg = true;
		s++;
	}
	if (s >= j->end || *s < '0' || *s > '9')
		return (false);
	if (*s == '0') {
		s++;
	} else {
		while (s < j->end && *s >= '0' && *s <= '9') {
			if (v > (UINT64_MAX - 9) / 10)
				return (false);
			v = v * 10 + (uint64_t)(*s++ - '0');
		}
	}
	if (s < j->end && *s == '.') {
		real = true;
		if (++s >= j->end || *s < '0' || *s > '9')
			return (false);
		while (s < j->end && *s >= '0' && *s <= '9')
			s++;
	}
	if (s < j->end && (*s == 'e' || *s == 'E')) {
		real = true;
		if (++s < j->end && (*s == '+' || *s == '-'))
			s++;
		if (s >= j->end || *s < '0' || *s > '9')
			return (false);
		while (s < j->end && *s >= '0' && *s <= '9')
			s++;
	}
	if ((size_t)(s - start) >= sizeof(tmp))
		return (false);
	j->s = s;
	if (!real) {
		if ((!neg && v > (uint64_t)INT64_MAX) ||
		    (neg && v > (uint64_t)INT64_MAX + 1))
			return (false); /* jansson: too big integer */
		if (neg && v == (uint64_t)INT64_MAX + 1)
			n = snprintf(
			    tmp, sizeof(tmp), "%lld", (long long)INT64_MIN);
		else
			n = snprintf(tmp, sizeof(tmp), "%lld",
			    neg ? -(long long)v : (long long)v);
	} else {
		memcpy(tmp, start, (size_t)(s - start));
		tmp[s - start] = '\0';
		d = strtod(tmp, NULL);
		if (isinf(d))
			return (false); /* jansson: real number overflow */
		n = snprintf(tmp, sizeof(tmp), "%.15g", d);
		if (strtod(tmp, NULL) != d)
			n = snprintf(tmp, sizeof(tmp), "%.17g", d);
	}
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return (false);
	*out = record_arena_copy(&j->p->ev, tmp, (size_t)n);
	return (true);
}

/*
 * An array, or an object too deep to flatten, at j->s: jansson parses
 * that value alone and it becomes compact text, as in the jansson path.
 */
static bool
jsonflat_subtree(struct jsonflat *j, struct log_str *out)
{
	const char *start = j->s, *s;
	int         depth = 0;
	bool        in_str = false;
	json_t     *v;
	bool        ok;

	for (s = j->s; s < j->end; s++) {
		if (in_str) {
			if (*s == '\\' && s + 1 < j->end)
				s++;
			else if (*s == '"')
				in_str = false;
			continue;
		}
		if (*s == '"')
			in_str = true;
		else if (*s == '[' || *s == '{')
			depth++;
		else if ((*s == ']' || *s == '}') && --depth == 0)
			break;
	}
	if (s >= j->end)
		return (false);
	j->s = s + 1;
	v = json_loadb(start, (size_t)(j->s - start), 0, NULL);
	if (v == NULL)
		return (false);
	ok = jsonlog_value_text(&j->p->ev, v, out);
	json_decref(v);
	return (ok);
}

static bool jsonflat_object(struct jsonflat *, const char *, size_t, int);

/* A literal (true, false, null) at j->s. */
static bool
jsonflat_word(struct jsonflat *j, const char *word, size_t len)
{
	if ((size_t)(j->end - j->s) < len || memcmp(j->s, word, len) != 0)
		return (false);
	j->s += len;
	return (true);
}

/*
 * One member's value at j->s, named name[0..nlen); skip: the name was too
 * long, and jsonlog_map leaves such members out, nested ones included.
 */
static bool
jsonflat_value(
    struct jsonflat *j, const char *name, size_t nlen, bool skip, int level)
{
	struct log_str text;
	bool           have = true;

	switch (*j->s) {
	case '{':
		if (level < JSONLOG_FLATTEN && !skip)
			return (jsonflat_object(j, name, nlen, level + 1));
		if (!jsonflat_subtree(j, &text))
			return (false);
		break;
	case '[':
		if (!jsonflat_subtree(j, &text))
			return (false);
		break;
	case '"':
		if (!jsonflat_string(j, &text))
			return (false);
		break;
	case 't':
		if (!jsonflat_word(j, "true", 4))
			return (false);
		text.ptr = "true";
		text.len = 4;
		break;
	case 'f':
		if (!jsonflat_word(j, "false", 5))
			return (false);
		text.ptr = "false";
		text.len = 5;
		break;
	case 'n':
		if (!jsonflat_word(j, "null", 4))
			return (false);
		have = false;
		break;
	default:
		if (!jsonflat_number(j, &text))
			return (false);
		break;
	}
	if (have && !skip)
		record_assign(&j->p->ev, name, nlen, text.ptr, text.len,
		    j->year, j->p->opts.tz_offset_s);
	return (true);
}

/* The object at j->s ('{'), its members named under prefix. */
static bool
jsonflat_object(struct jsonflat *j, const char *prefix, size_t plen, int level)
{
	struct log_str keys[JSONFLAT_KEYS_MAX], key;
	char           name[JSONLOG_NAME_MAX];
	size_t         nlen;
	int            nkeys = 0, i;
	bool           skip;

	j->s++;
	jsonflat_ws(j);
	if (j->s < j->end && *j->s == '}') {
		j->s++;
		return (true);
	}
	for (;;) {
		if (j->s >= j->end || *j->s != '"' || !jsonflat_string(j, &key))
			return (false);
		if (nkeys == JSONFLAT_KEYS_MAX ||
		    memchr(key.ptr, '\0', key.len))
			return (false);
		for (i = 0; i < nkeys; i++) {
			if (keys[i].len == key.len &&
			    memcmp(keys[i].ptr, key.ptr, key.len) == 0)
				return (false); /* duplicate: jansson's way */
		}
		keys[nkeys++] = key;
		nlen = 0;
		skip = plen + 1 + key.len >= sizeof(name);
		if (!skip) {
			if (plen > 0) {
				memcpy(name, prefix, plen);
				/* plen + 1 + key.len < sizeof(name): !skip */
				/* cppcheck-suppress arrayIndexOutOfBoundsCond */
				name[plen] = '.';
				nlen = plen + 1;
			}
			memcpy(name + nlen, key.ptr, key.len);
			nlen += key.len;
		}
		jsonflat_ws(j);
		if (j->s >= j->end || *j->s != ':')
			return (false);
		j->s++;
		jsonflat_ws(j);
		if (j->s >= j->end)
			return (false);
		if (!jsonflat_value(j, name, nlen, skip, level))
			return (false);
		jsonflat_ws(j);
		if (j->s >= j->end)
			return (false);
		if (*j->s == '}') {
			j->s++;
			return (true);
		}
		if (*j->s != ',')
			return (false);
		j->s++;
		jsonflat_ws(j);
	}
}

bool
jsonflat_map(struct logparse *p, const char *text, size_t len, int year)
{
	struct jsonflat j;

	j.p = p;
	j.s = text;
	j.end = text + len;
	j.year = year;
	jsonflat_ws(&j);
	if (j.s >= j.end || *j.s != '{' || !jsonflat_object(&j, "", 0, 0))
		goto fail;
	jsonflat_ws(&j);
	if (j.s != j.end)
		goto fail;
	return (true);
fail:
	record_event_reset(&p->ev);
	return (false);
}
