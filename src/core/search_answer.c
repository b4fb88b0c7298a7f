#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/search_answer.h"
#include "core/utf8.h"

/* A cursor over the reply; every function leaves pos after what it read. */
struct sa_scan {
	const char *s;
	size_t      len, pos;
};

/* A value's place in the reply: s[start..end), empty when absent. */
struct sa_span {
	size_t start, end;
};

static bool
sa_span_set(const struct sa_span *v)
{
	return (v->end > v->start);
}

static void
sa_ws(struct sa_scan *sc)
{
	while (sc->pos < sc->len &&
	    (sc->s[sc->pos] == ' ' || sc->s[sc->pos] == '\t' ||
		sc->s[sc->pos] == '\n' || sc->s[sc->pos] == '\r'))
		sc->pos++;
}

/* The next byte after white space, '\0' at the end. */
static char
sa_peek(struct sa_scan *sc)
{
	sa_ws(sc);
	return (sc->pos < sc->len ? sc->s[sc->pos] : '\0');
}

/* Consumes c (after white space) or fails. */
static bool
sa_eat(struct sa_scan *sc, char c)
{
	if (sa_peek(sc) != c)
		return (false);
	sc->pos++;
	return (true);
}

static bool
sa_hex4(struct sa_scan *sc, unsigned *cp)
{
	size_t i;
	char   c;

	if (sc->len - sc->pos < 4)
		return (false);
	*cp = 0;
	for (i = 0; i < 4; i++) {
		c = sc->s[sc->pos++];
		*cp <<= 4;
		if (c >= '0' && c <= '9')
			*cp |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*cp |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*cp |= (unsigned)(c - 'A' + 10);
		else
			return (false);
	}
	return (true);
}

/* After a backslash: one escape (a surrogate pair as a whole). */
static bool
sa_escape(struct sa_scan *sc)
{
	unsigned cp, low;
	char     c;

	if (sc->pos >= sc->len)
		return (false);
	c = sc->s[sc->pos++];
	if (strchr("\"\\/bfnrt", c) != NULL)
		return (c != '\0');
	if (c != 'u' || !sa_hex4(sc, &cp))
		return (false);
	if (cp >= 0xDC00 && cp <= 0xDFFF)
		return (false); /* a low surrogate alone */
	if (cp < 0xD800 || cp > 0xDBFF)
		return (true);
	/* A high surrogate: its low half must follow. */
	if (sc->len - sc->pos < 2 || sc->s[sc->pos] != '\\' ||
	    sc->s[sc->pos + 1] != 'u')
		return (false);
	sc->pos += 2;
	return (sa_hex4(sc, &low) && low >= 0xDC00 && low <= 0xDFFF);
}

/* A string from its opening quote (at pos), checked, into *v. */
static bool
sa_string(struct sa_scan *sc, struct sa_span *v)
{
	unsigned char c;
	size_t        n;

	if (sa_peek(sc) != '"')
		return (false);
	v->start = sc->pos++;
	while (sc->pos < sc->len) {
		c = (unsigned char)sc->s[sc->pos];
		if (c == '"') {
			v->end = ++sc->pos;
			return (true);
		}
		if (c < 0x20)
			return (false);
		if (c == '\\') {
			sc->pos++;
			if (!sa_escape(sc))
				return (false);
		} else if (c < 0x80) {
			sc->pos++;
		} else {
			n = utf8_char_len(
			    (const unsigned char *)sc->s + sc->pos,
			    sc->len - sc->pos);
			if (n == 0)
				return (false);
			sc->pos += n;
		}
	}
	return (false);
}

static size_t
sa_digits(struct sa_scan *sc)
{
	size_t n;

	for (n = 0; sc->pos < sc->len && sc->s[sc->pos] >= '0' &&
	     sc->s[sc->pos] <= '9';
	     n++)
		sc->pos++;
	return (n);
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?; *integral if no . or e. */
static bool
sa_number(struct sa_scan *sc, bool *integral)
{
	size_t first;

	*integral = true;
	if (sc->pos < sc->len && sc->s[sc->pos] == '-')
		sc->pos++;
	first = sc->pos;
	if (sa_digits(sc) == 0 || (sc->s[first] == '0' && sc->pos - first > 1))
		return (false);
	if (sc->pos < sc->len && sc->s[sc->pos] == '.') {
		sc->pos++;
		*integral = false;
		if (sa_digits(sc) == 0)
			return (false);
	}
	if (sc->pos < sc->len &&
	    (sc->s[sc->pos] == 'e' || sc->s[sc->pos] == 'E')) {
		sc->pos++;
		*integral = false;
		if (sc->pos < sc->len &&
		    (sc->s[sc->pos] == '+' || sc->s[sc->pos] == '-'))
			sc->pos++;
		if (sa_digits(sc) == 0)
			return (false);
	}
	return (true);
}

/* A value that holds no other: string, number, true, false or null. */
static bool
sa_scalar(struct sa_scan *sc)
{
	static const char *const words[] = {"true", "false", "null"};
	struct sa_span           v;
	size_t                   i, n;
	bool                     integral;
	char                     c;

	c = sa_peek(sc);
	if (c == '"')
		return (sa_string(sc, &v));
	if (c == '-' || (c >= '0' && c <= '9'))
		return (sa_number(sc, &integral));
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		n = strlen(words[i]);
		if (sc->len - sc->pos >= n &&
		    memcmp(sc->s + sc->pos, words[i], n) == 0) {
			sc->pos += n;
			return (true);
		}
	}
	return (false);
}

/*
 * One whole value from pos, checked, into *v: containers without
 * recursion (a stack of the open ones), so that no input can exhaust the
 * thread's stack.
 */
static bool
sa_value(struct sa_scan *sc, struct sa_span *v)
{
	char   open[SEARCH_ANSWER_DEPTH_MAX];
	size_t depth;
	char   c;

	depth = 0;
	(void)sa_peek(sc);
	v->start = sc->pos;
	for (;;) {
		/* A value is expected here. */
		c = sa_peek(sc);
		if (c == '{' || c == '[') {
			if (depth == SEARCH_ANSWER_DEPTH_MAX)
				return (false);
			open[depth++] = c;
			sc->pos++;
			if (sa_eat(sc, c == '{' ? '}' : ']'))
				depth--;
			else if (c == '[')
				continue;
			else if (!sa_string(sc, &(struct sa_span){0, 0}) ||
			    !sa_eat(sc, ':'))
				return (false);
			else
				continue;
		} else if (!sa_scalar(sc)) {
			return (false);
		}
		/* After a value: close what ends here, then the next one. */
		for (;;) {
			if (depth == 0) {
				v->end = sc->pos;
				return (true);
			}
			c = sa_peek(sc);
			if (c == (open[depth - 1] == '{' ? '}' : ']')) {
				sc->pos++;
				depth--;
				continue;
			}
			if (c != ',')
				return (false);
			sc->pos++;
			if (open[depth - 1] == '{' &&
			    (!sa_string(sc, &(struct sa_span){0, 0}) ||
				!sa_eat(sc, ':')))
				return (false);
			break;
		}
	}
}

/* True when the key at k (quotes included) is the literal name. */
static bool
sa_key_is(const struct sa_scan *sc, const struct sa_span *k, const char *name)
{
	size_t n;

	n = strlen(name);
	return (k->end - k->start == n + 2 &&
	    memcmp(sc->s + k->start + 1, name, n) == 0);
}

/*
 * Reads an object member by member: on_member(sc, key, arg) reads the
 * value (or skips it with sa_value) and returns false to fail.
 */
static bool
sa_object(struct sa_scan *sc,
    bool (*on_member)(struct sa_scan *, const struct sa_span *, void *),
    void *arg)
{
	struct sa_span k;

	if (!sa_eat(sc, '{'))
		return (false);
	if (sa_eat(sc, '}'))
		return (true);
	for (;;) {
		if (!sa_string(sc, &k) || !sa_eat(sc, ':') ||
		    !on_member(sc, &k, arg))
			return (false);
		if (sa_eat(sc, '}'))
			return (true);
		if (!sa_eat(sc, ','))
			return (false);
	}
}

/* What the reply says, as json_object_get() would have found it. */
struct sa_reply {
	long long   total;
	bool        gte;
	struct buf *hits; /* the answer's hits, written as they are read */
	bool        wrote; /* hits holds one at least */
};

/*
 * json_integer_value() of the (checked) number at v: 0 for anything but
 * an integer, and for one beyond 64 bits.
 */
static long long
sa_integer(const char *s, const struct sa_span *v)
{
	long long n;
	size_t    i;
	int       d;
	bool      neg;

	if (s[v->start] != '-' && (s[v->start] < '0' || s[v->start] > '9'))
		return (0);
	neg = s[v->start] == '-';
	for (n = 0, i = v->start + (neg ? 1 : 0); i < v->end; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (0); /* a fraction or an exponent */
		d = s[i] - '0';
		if (n > (LLONG_MAX - d) / 10)
			return (0);
		n = n * 10 + d;
	}
	return (neg ? -n : n);
}

/* hits.total: {"value": N, "relation": "eq"|"gte"}. */
static bool
sa_total_member(struct sa_scan *sc, const struct sa_span *k, void *arg)
{
	struct sa_reply *r = arg;
	struct sa_span   v;

	if (!sa_value(sc, &v))
		return (false);
	if (sa_key_is(sc, k, "value"))
		r->total = sa_integer(sc->s, &v);
	else if (sa_key_is(sc, k, "relation"))
		r->gte = v.end - v.start == 5 &&
		    memcmp(sc->s + v.start, "\"gte\"", 5) == 0;
	return (true);
}

/* One hit's members of interest (the last of each name, as in jansson). */
struct sa_hit {
	struct sa_span id, index, source;
};

static bool
sa_hit_member(struct sa_scan *sc, const struct sa_span *k, void *arg)
{
	struct sa_hit *h = arg;
	struct sa_span v, *dst;

	dst = sa_key_is(sc, k, "_id")     ? &h->id
	    : sa_key_is(sc, k, "_index")  ? &h->index
	    : sa_key_is(sc, k, "_source") ? &h->source
					  : NULL;
	if (!sa_value(sc, &v))
		return (false);
	if (dst != NULL)
		*dst = v;
	return (true);
}

/* Appends h to r->hits when it has its three members. */
static void
sa_hit_write(const char *reply, const struct sa_hit *h, struct sa_reply *r)
{
	if (!sa_span_set(&h->id) || !sa_span_set(&h->index) ||
	    !sa_span_set(&h->source))
		return;
	buf_appends(r->hits, r->wrote ? ",{\"id\":" : "{\"id\":");
	buf_append(r->hits, reply + h->id.start, h->id.end - h->id.start);
	buf_appends(r->hits, ",\"index\":");
	buf_append(
	    r->hits, reply + h->index.start, h->index.end - h->index.start);
	buf_appends(r->hits, ",\"source\":");
	buf_append(
	    r->hits, reply + h->source.start, h->source.end - h->source.start);
	buf_appends(r->hits, "}");
	r->wrote = true;
}

/* The hits array from its '[': each element checked, complete hits kept. */
static bool
sa_hits_array(struct sa_scan *sc, struct sa_reply *r)
{
	struct sa_hit  h;
	struct sa_span v;

	if (!sa_eat(sc, '['))
		return (false);
	if (sa_eat(sc, ']'))
		return (true);
	for (;;) {
		memset(&h, 0, sizeof(h));
		if (sa_peek(sc) == '{') {
			if (!sa_object(sc, sa_hit_member, &h))
				return (false);
			sa_hit_write(sc->s, &h, r);
		} else if (!sa_value(sc, &v)) {
			return (false);
		}
		if (sa_eat(sc, ']'))
			return (true);
		if (!sa_eat(sc, ','))
			return (false);
	}
}

/* The "hits" object: total and the hits array. */
static bool
sa_hits_member(struct sa_scan *sc, const struct sa_span *k, void *arg)
{
	struct sa_reply *r = arg;
	struct sa_span   v;

	if (sa_key_is(sc, k, "total")) {
		r->total = 0;
		r->gte = false;
		if (sa_peek(sc) == '{')
			return (sa_object(sc, sa_total_member, r));
		return (sa_value(sc, &v));
	}
	if (!sa_key_is(sc, k, "hits"))
		return (sa_value(sc, &v));
	/* A later "hits" replaces an earlier one, as in jansson. */
	buf_reset(r->hits);
	r->wrote = false;
	if (sa_peek(sc) == '[')
		return (sa_hits_array(sc, r));
	return (sa_value(sc, &v));
}

static bool
sa_reply_member(struct sa_scan *sc, const struct sa_span *k, void *arg)
{
	struct sa_reply *r = arg;
	struct sa_span   v;

	if (!sa_key_is(sc, k, "hits"))
		return (sa_value(sc, &v));
	/* A later "hits" replaces an earlier one, as in jansson. */
	r->total = 0;
	r->gte = false;
	buf_reset(r->hits);
	r->wrote = false;
	if (sa_peek(sc) == '{')
		return (sa_object(sc, sa_hits_member, r));
	return (sa_value(sc, &v));
}

bool
search_answer_from_es(const char *reply, size_t len, long long page,
    long long size, struct buf *out, long long *total)
{
	struct sa_scan  sc = {reply, len, 0};
	struct sa_reply r;
	struct buf      hits;
	bool            ok;

	memset(&r, 0, sizeof(r));
	buf_init(&hits, len);
	r.hits = &hits;
	*total = 0;
	ok = sa_peek(&sc) == '{' && sa_object(&sc, sa_reply_member, &r);
	sa_ws(&sc);
	if (ok && sc.pos == len) {
		*total = r.total;
		buf_appendf(out,
		    "{\"total\":%lld,\"total_relation\":\"%s\",\"page\":%lld,"
		    "\"size\":%lld,\"hits\":[",
		    r.total, r.gte ? "gte" : "eq", page, size);
		buf_append(out, hits.data, hits.len);
		buf_appends(out, "]}");
	}
	buf_free(&hits);
	return (ok && sc.pos == len);
}

bool
search_answer_json_valid(const char *text, size_t len)
{
	struct sa_scan sc = {text, len, 0};
	struct sa_span v;

	if (!sa_value(&sc, &v))
		return (false);
	sa_ws(&sc);
	return (sc.pos == len);
}
