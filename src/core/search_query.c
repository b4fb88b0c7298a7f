#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/digest.h"
#include "core/buf.h"
#include "core/search_query.h"
#include "core/timeparse.h"
#include "core/utf8.h"

/* ---- free text: tokens ------------------------------------------------- */

enum sq_tok {
	SQ_END = 0,
	SQ_LPAREN,
	SQ_RPAREN,
	SQ_AND,
	SQ_OR,
	SQ_NOT, /* NOT, or '-' glued to what follows */
	SQ_TERM,
	SQ_BAD, /* the lexer already set the error */
};

struct sq_token {
	enum sq_tok type;
	char        field[101]; /* empty: none */
	char        value[SEARCH_Q_MAX + 1];
	size_t      vlen;
	bool        quoted;
};

struct sq_parser {
	const char          *s;
	size_t               len, pos;
	int                  depth, clauses;
	struct search_error *err;
	struct sq_token      tok; /* the current token, read by sq_next() */
};

static void sq_fail(struct sq_parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sq_fail(struct sq_parser *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err->message[0] != '\0')
		return; /* the first error wins */
	snprintf(p->err->field, sizeof(p->err->field), "q");
	va_start(ap, fmt);
	(void)vsnprintf(p->err->message, sizeof(p->err->message), fmt, ap);
	va_end(ap);
}

static bool
sq_space(char c)
{
	return (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v');
}

static bool
sq_word_char(char c)
{
	return (!sq_space(c) && c != '(' && c != ')' && c != '"' && c != '\0');
}

static bool
sq_field_char(char c)
{
	return (isalnum((unsigned char)c) || c == '_' || c == '.' || c == '@' ||
	    c == '-');
}

/* A quoted string from p->pos (on the opening '"'), escapes \" and \\. */
static bool
sq_lex_quoted(struct sq_parser *p, struct sq_token *t)
{
	char c;

	p->pos++;
	t->quoted = true;
	while (p->pos < p->len) {
		c = p->s[p->pos++];
		if (c == '"') {
			t->value[t->vlen] = '\0';
			return (true);
		}
		if (c == '\\' && p->pos < p->len &&
		    (p->s[p->pos] == '"' || p->s[p->pos] == '\\'))
			c = p->s[p->pos++];
		if (c == '\0')
			break;
		t->value[t->vlen++] = c; /* vlen < len <= SEARCH_Q_MAX */
	}
	sq_fail(p, "a quoted string is not closed");
	return (false);
}

static void
sq_lex_word(struct sq_parser *p, struct sq_token *t)
{
	while (p->pos < p->len && sq_word_char(p->s[p->pos]))
		t->value[t->vlen++] = p->s[p->pos++];
	t->value[t->vlen] = '\0';
}

/* "name:" at p->pos: the field, consumed; false (nothing consumed) if not. */
static bool
sq_lex_field(struct sq_parser *p, struct sq_token *t)
{
	size_t i, n;

	i = p->pos;
	if (!isalpha((unsigned char)p->s[i]) && p->s[i] != '@' &&
	    p->s[i] != '_')
		return (false);
	while (i < p->len && sq_field_char(p->s[i]))
		i++;
	n = i - p->pos;
	if (i >= p->len || p->s[i] != ':' || n >= sizeof(t->field))
		return (false);
	memcpy(t->field, p->s + p->pos, n);
	t->field[n] = '\0';
	p->pos = i + 1;
	return (true);
}

static void
sq_lex_term(struct sq_parser *p, struct sq_token *t)
{
	t->type = SQ_TERM;
	if (p->s[p->pos] == '"') {
		if (!sq_lex_quoted(p, t))
			t->type = SQ_BAD;
		return;
	}
	if (sq_lex_field(p, t)) {
		if (p->pos < p->len && p->s[p->pos] == '"') {
			if (!sq_lex_quoted(p, t))
				t->type = SQ_BAD;
			return;
		}
		sq_lex_word(p, t);
		if (t->vlen == 0) {
			sq_fail(p, "%s: has no value", t->field);
			t->type = SQ_BAD;
		}
		return;
	}
	sq_lex_word(p, t);
	if (strcmp(t->value, "AND") == 0)
		t->type = SQ_AND;
	else if (strcmp(t->value, "OR") == 0)
		t->type = SQ_OR;
	else if (strcmp(t->value, "NOT") == 0)
		t->type = SQ_NOT;
}

/* Reads the next token into p->tok. */
static void
sq_next(struct sq_parser *p)
{
	struct sq_token *t = &p->tok;
	char             c;

	t->field[0] = '\0';
	t->value[0] = '\0';
	t->vlen = 0;
	t->quoted = false;
	while (p->pos < p->len && sq_space(p->s[p->pos]))
		p->pos++;
	if (p->pos >= p->len) {
		t->type = SQ_END;
		return;
	}
	c = p->s[p->pos];
	if (c == '\0') {
		sq_fail(p, "the text holds a NUL byte");
		t->type = SQ_BAD;
	} else if (c == '(' || c == ')') {
		p->pos++;
		t->type = c == '(' ? SQ_LPAREN : SQ_RPAREN;
	} else if (c == '-' && p->pos + 1 < p->len &&
	    (sq_word_char(p->s[p->pos + 1]) || p->s[p->pos + 1] == '"' ||
		p->s[p->pos + 1] == '(')) {
		p->pos++;
		t->type = SQ_NOT;
	} else {
		sq_lex_term(p, t);
	}
}

/* ---- free text: clauses ------------------------------------------------ */

struct sq_alias {
	const char *name;
	const char *field;
};

/* Short names people type, to the stored (ECS) field. */
static const struct sq_alias sq_aliases[] = {
    {"bytes", "http.response.body.bytes"},
    {"client", "client.ip"},
    {"duration", "event.duration"},
    {"file", "vigie.file_id"},
    {"host", "host.name"},
    {"ip", "client.ip"},
    {"level", "log.level"},
    {"logger", "log.logger"},
    {"method", "http.request.method"},
    {"msg", "message"},
    {"path", "url.path"},
    {"pid", "process.pid"},
    {"service", "service.name"},
    {"source", "vigie.ingest_source"},
    {"span", "span.id"},
    {"status", "http.response.status_code"},
    {"trace", "trace.id"},
    {"url", "url.path"},
    {"user", "user.name"},
};

static const char *const sq_numeric[] = {
    "client.port",
    "event.duration",
    "http.response.body.bytes",
    "http.response.status_code",
    "log.syslog.facility.code",
    "log.syslog.severity.code",
    "process.pid",
    "process.thread.id",
    "vigie.line",
};

static const char *
sq_field_resolve(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(sq_aliases) / sizeof(sq_aliases[0]); i++)
		if (strcmp(sq_aliases[i].name, name) == 0)
			return (sq_aliases[i].field);
	return (name);
}

static bool
sq_is_numeric(const char *field)
{
	size_t i;

	for (i = 0; i < sizeof(sq_numeric) / sizeof(sq_numeric[0]); i++)
		if (strcmp(sq_numeric[i], field) == 0)
			return (true);
	return (false);
}

/* A comparator prefix (">", ">=", "<", "<="): its range key, and skips it. */
static const char *
sq_comparator(const char **v)
{
	const char *s = *v;

	if (s[0] == '>' && s[1] == '=') {
		*v += 2;
		return ("gte");
	}
	if (s[0] == '<' && s[1] == '=') {
		*v += 2;
		return ("lte");
	}
	if (s[0] == '>' || s[0] == '<') {
		*v += 1;
		return (s[0] == '>' ? "gt" : "lt");
	}
	return (NULL);
}

static bool
sq_integer(const char *s, json_int_t *out)
{
	char     *end;
	long long v;

	if (*s == '\0' || strlen(s) > 18)
		return (false);
	v = strtoll(s, &end, 10);
	if (*end != '\0' || !(isdigit((unsigned char)*s) || *s == '-'))
		return (false);
	*out = (json_int_t)v;
	return (true);
}

static json_t *
sq_range(const char *field, const char *op, json_t *value)
{
	return (json_pack("{s:{s:{s:o}}}", "range", field, op, value));
}

/* status:404, status:>=500, status:5xx, bytes:<100. */
static json_t *
sq_numeric_clause(struct sq_parser *p, const char *field, const char *v)
{
	const char *op;
	json_int_t  n;

	if (strcmp(field, "http.response.status_code") == 0 && strlen(v) == 3 &&
	    v[0] >= '1' && v[0] <= '5' && (v[1] == 'x' || v[1] == 'X') &&
	    (v[2] == 'x' || v[2] == 'X'))
		return (json_pack("{s:{s:{s:i, s:i}}}", "range", field, "gte",
		    (v[0] - '0') * 100, "lte", (v[0] - '0') * 100 + 99));
	op = sq_comparator(&v);
	if (!sq_integer(v, &n)) {
		sq_fail(
		    p, "%s expects a whole number (or >, >=, <, <=)", field);
		return (NULL);
	}
	if (op != NULL)
		return (sq_range(field, op, json_integer(n)));
	return (json_pack("{s:{s:I}}", "term", field, n));
}

/* client.ip: an address or a CIDR block (term queries accept both). */
static json_t *
sq_ip_clause(struct sq_parser *p, const char *field, const char *v)
{
	unsigned char addr[16];
	char          host[64];
	const char   *slash;
	size_t        n;
	long          bits;
	char         *end;
	int           family;

	slash = strchr(v, '/');
	n = slash != NULL ? (size_t)(slash - v) : strlen(v);
	if (n == 0 || n >= sizeof(host))
		goto bad;
	memcpy(host, v, n);
	host[n] = '\0';
	family = strchr(host, ':') != NULL ? AF_INET6 : AF_INET;
	if (inet_pton(family, host, addr) != 1)
		goto bad;
	if (slash != NULL) {
		bits = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || bits < 0 ||
		    bits > (family == AF_INET ? 32 : 128))
			goto bad;
	}
	return (json_pack("{s:{s:s}}", "term", field, v));
bad:
	sq_fail(p, "%s expects an IP address or a CIDR block", field);
	return (NULL);
}

/* @timestamp:>now-1h, @timestamp:<=2024-05-01 */
static json_t *
sq_time_clause(struct sq_parser *p, const char *field, const char *v)
{
	const char *op;
	int64_t     ms;

	/* Relative times are resolved by Elasticsearch (date math "now"). */
	op = sq_comparator(&v);
	if (op == NULL || !search_time_parse(v, 0, &ms)) {
		sq_fail(p,
		    "%s expects >, >=, < or <= and a time (ISO 8601 or now-1h)",
		    field);
		return (NULL);
	}
	if (strncmp(v, "now", 3) == 0)
		return (json_pack("{s:{s:{s:s}}}", "range", field, op, v));
	return (json_pack("{s:{s:{s:I, s:s}}}", "range", field, op,
	    (json_int_t)ms, "format", "epoch_millis"));
}

static bool
sq_has_letter(const char *v)
{
	for (; *v != '\0'; v++)
		if (isalpha((unsigned char)*v) || (unsigned char)*v >= 0x80)
			return (true);
	return (false);
}

/* Escapes '?' and '\' so that only '*' is a wildcard; returns a string. */
static json_t *
sq_wildcard_pattern(const char *v)
{
	char   out[2 * SEARCH_Q_MAX + 1];
	size_t o;

	for (o = 0; *v != '\0' && o + 2 < sizeof(out); v++) {
		if (*v == '?' || *v == '\\')
			out[o++] = '\\';
		out[o++] = *v;
	}
	out[o] = '\0';
	return (json_string(out));
}

/* Keyword fields: exact (any case), prefix/wildcard with '*', ranges. */
static json_t *
sq_keyword_clause(const char *field, const char *v, bool quoted)
{
	const char *op;
	json_t     *clause;

	if (!quoted && (op = sq_comparator(&v)) != NULL && *v != '\0')
		return (sq_range(field, op, json_string(v)));
	if (!quoted && strchr(v, '*') != NULL)
		return (json_pack("{s:{s:{s:o, s:b}}}", "wildcard", field,
		    "value", sq_wildcard_pattern(v), "case_insensitive", 1));
	clause = json_pack("{s:{s:{s:s}}}", "term", field, "value", v);
	if (sq_has_letter(v))
		json_object_set_new(
		    json_object_get(json_object_get(clause, "term"), field),
		    "case_insensitive", json_true());
	return (clause);
}

/* Words of the message (analysed text). */
static json_t *
sq_text_clause(struct sq_parser *p, const char *v, size_t len, bool quoted)
{
	char   stem[SEARCH_Q_MAX + 1];
	size_t i;

	if (quoted)
		return (json_pack("{s:{s:s}}", "match_phrase", "message", v));
	if (strcmp(v, "*") == 0)
		return (json_pack("{s:{}}", "match_all"));
	if (strchr(v, '*') == NULL)
		return (json_pack("{s:{s:{s:s, s:s}}}", "match", "message",
		    "query", v, "operator", "and"));
	if (v[len - 1] != '*' || memchr(v, '*', len - 1) != NULL) {
		sq_fail(p, "in free text, '*' may only end a word (%s)", v);
		return (NULL);
	}
	/* The index holds lower-cased words: match their beginning. */
	for (i = 0; i + 1 < len; i++)
		stem[i] = (char)tolower((unsigned char)v[i]);
	stem[i] = '\0';
	return (json_pack("{s:{s:{s:s}}}", "prefix", "message", "value", stem));
}

static json_t *
sq_level_clause(struct sq_parser *p, const char *field, const char *v)
{
	enum event_level l;

	l = isdigit((unsigned char)v[0]) ? EVENT_LEVEL_NONE
					 : record_level_parse(v, strlen(v));
	if (l == EVENT_LEVEL_NONE) {
		sq_fail(p,
		    "unknown level %s (DEBUG, INFO, WARNING, ERROR, "
		    "CRITICAL)",
		    v);
		return (NULL);
	}
	return (json_pack("{s:{s:s}}", "term", field, record_level_name(l)));
}

/* The clause of the current SQ_TERM token. */
static json_t *
sq_clause(struct sq_parser *p)
{
	struct sq_token *t = &p->tok;
	const char      *field;

	if (++p->clauses > SEARCH_CLAUSES_MAX) {
		sq_fail(p, "more than %d terms", SEARCH_CLAUSES_MAX);
		return (NULL);
	}
	if (t->field[0] == '\0')
		return (sq_text_clause(p, t->value, t->vlen, t->quoted));
	field = sq_field_resolve(t->field);
	if (field[0] == '_' || strstr(field, "..") != NULL) {
		sq_fail(p, "%s is not a field one can search", t->field);
		return (NULL);
	}
	if (t->vlen == 0) {
		sq_fail(p, "%s: has an empty value", t->field);
		return (NULL);
	}
	if (strcmp(field, "message") == 0)
		return (sq_text_clause(p, t->value, t->vlen, t->quoted));
	if (strcmp(field, "log.level") == 0)
		return (sq_level_clause(p, field, t->value));
	if (sq_is_numeric(field))
		return (sq_numeric_clause(p, field, t->value));
	if (strcmp(field, "client.ip") == 0)
		return (sq_ip_clause(p, field, t->value));
	if (strcmp(field, "@timestamp") == 0)
		return (sq_time_clause(p, field, t->value));
	return (sq_keyword_clause(field, t->value, t->quoted));
}

/* ---- free text: grammar ------------------------------------------------ */

/*
 * or    := and ("OR" and)*
 * and   := unary (["AND"] unary)*
 * unary := ("NOT" | "-") unary | "(" or ")" | term
 */
static json_t *sq_or(struct sq_parser *);

/* Wraps clauses as a bool of kind ("filter", "should"), or the one. */
static json_t *
sq_bool(const char *kind, json_t *clauses)
{
	json_t *one;

	if (json_array_size(clauses) == 1) {
		one = json_incref(json_array_get(clauses, 0));
		json_decref(clauses);
		return (one);
	}
	if (strcmp(kind, "should") == 0)
		return (json_pack("{s:{s:o, s:i}}", "bool", kind, clauses,
		    "minimum_should_match", 1));
	return (json_pack("{s:{s:o}}", "bool", kind, clauses));
}

static bool
sq_enter(struct sq_parser *p)
{
	if (++p->depth > SEARCH_DEPTH_MAX) {
		sq_fail(p, "nested more than %d levels deep", SEARCH_DEPTH_MAX);
		return (false);
	}
	return (true);
}

static json_t *
sq_unary(struct sq_parser *p)
{
	json_t *inner;

	switch (p->tok.type) {
	case SQ_NOT:
		if (!sq_enter(p))
			return (NULL);
		sq_next(p);
		if ((inner = sq_unary(p)) == NULL)
			return (NULL);
		p->depth--;
		return (json_pack("{s:{s:[o]}}", "bool", "must_not", inner));
	case SQ_LPAREN:
		if (!sq_enter(p))
			return (NULL);
		sq_next(p);
		if ((inner = sq_or(p)) == NULL)
			return (NULL);
		if (p->tok.type != SQ_RPAREN) {
			json_decref(inner);
			sq_fail(p, "a parenthesis is not closed");
			return (NULL);
		}
		p->depth--;
		sq_next(p);
		return (inner);
	case SQ_TERM:
		inner = sq_clause(p);
		if (inner != NULL)
			sq_next(p);
		return (inner);
	case SQ_END:
		sq_fail(p, "the text ends where a term was expected");
		return (NULL);
	case SQ_BAD:
		return (NULL);
	default:
		sq_fail(p, "%s where a term was expected",
		    p->tok.type == SQ_RPAREN   ? "')'"
			: p->tok.type == SQ_OR ? "OR"
					       : "AND");
		return (NULL);
	}
}

static json_t *
sq_and(struct sq_parser *p)
{
	json_t *all, *one;

	all = json_array();
	for (;;) {
		if ((one = sq_unary(p)) == NULL)
			goto fail;
		json_array_append_new(all, one);
		if (p->tok.type == SQ_AND)
			sq_next(p);
		else if (p->tok.type == SQ_END || p->tok.type == SQ_OR ||
		    p->tok.type == SQ_RPAREN)
			break;
	}
	return (sq_bool("filter", all));
fail:
	json_decref(all);
	return (NULL);
}

static json_t *
sq_or(struct sq_parser *p)
{
	json_t *any, *one;

	any = json_array();
	for (;;) {
		if ((one = sq_and(p)) == NULL)
			goto fail;
		json_array_append_new(any, one);
		if (p->tok.type != SQ_OR)
			break;
		sq_next(p);
	}
	return (sq_bool("should", any));
fail:
	json_decref(any);
	return (NULL);
}

json_t *
search_text_parse(const char *q, size_t len, struct search_error *err)
{
	struct sq_parser *p;
	json_t           *out;

	memset(err, 0, sizeof(*err));
	out = NULL;
	if (len > SEARCH_Q_MAX) {
		snprintf(err->field, sizeof(err->field), "q");
		snprintf(err->message, sizeof(err->message),
		    "is longer than %d bytes", SEARCH_Q_MAX);
		return (NULL);
	}
	if (!utf8_valid(q, len) || memchr(q, '\0', len) != NULL) {
		snprintf(err->field, sizeof(err->field), "q");
		snprintf(err->message, sizeof(err->message),
		    "is not valid UTF-8 text");
		return (NULL);
	}
	/* The token buffers are large: keep them off small thread stacks. */
	if ((p = calloc(1, sizeof(*p))) == NULL)
		abort();
	p->s = q;
	p->len = len;
	p->err = err;
	sq_next(p);
	if (p->tok.type == SQ_END)
		out = json_pack("{s:{}}", "match_all");
	else if ((out = sq_or(p)) != NULL && p->tok.type != SQ_END) {
		json_decref(out);
		out = NULL;
		sq_fail(p, "unexpected %s",
		    p->tok.type == SQ_RPAREN    ? "')'"
			: p->tok.type == SQ_BAD ? "text"
						: "term");
	}
	if (out == NULL && err->message[0] == '\0')
		sq_fail(p, "the text could not be read");
	free(p);
	return (out);
}

/* ---- filters and the whole query --------------------------------------- */

void
search_filters_init(struct search_filters *f)
{
	memset(f, 0, sizeof(*f));
}

/* What a NULL filter set means: none (the text alone). */
static const struct search_filters sq_no_filters;

json_t *
search_query_build(
    const char *q, const struct search_filters *f, struct search_error *err)
{
	json_t     *all, *text, *names, *range;
	const char *name;
	int         l, i;

	if (f == NULL)
		f = &sq_no_filters;

	text = search_text_parse(
	    q != NULL ? q : "", q != NULL ? strlen(q) : 0, err);
	if (text == NULL)
		return (NULL);
	all = json_array();
	if (json_object_get(text, "match_all") == NULL)
		json_array_append_new(all, text);
	else
		json_decref(text);
	if (f->levels != 0) {
		names = json_array();
		for (l = EVENT_LEVEL_DEBUG; l <= EVENT_LEVEL_CRITICAL; l++)
			if ((f->levels & SEARCH_LEVEL_BIT(l)) != 0 &&
			    (name = record_level_name(l)) != NULL)
				json_array_append_new(names, json_string(name));
		json_array_append_new(
		    all, json_pack("{s:{s:o}}", "terms", "log.level", names));
	}
	if (f->nservices > 0) {
		names = json_array();
		for (i = 0; i < f->nservices && i < SEARCH_SERVICES_MAX; i++)
			json_array_append_new(
			    names, json_string(f->services[i]));
		json_array_append_new(all,
		    json_pack("{s:{s:o}}", "terms", "service.name", names));
	}
	if (f->has_from || f->has_to) {
		range = json_pack("{s:s}", "format", "epoch_millis");
		if (f->has_from)
			json_object_set_new(
			    range, "gte", json_integer((json_int_t)f->from_ms));
		if (f->has_to)
			json_object_set_new(
			    range, "lt", json_integer((json_int_t)f->to_ms));
		json_array_append_new(
		    all, json_pack("{s:{s:o}}", "range", "@timestamp", range));
	}
	if (json_array_size(all) == 0) {
		json_decref(all);
		return (json_pack("{s:{}}", "match_all"));
	}
	return (json_pack("{s:{s:o}}", "bool", "filter", all));
}

/* ---- times ------------------------------------------------------------- */

bool
search_time_parse(const char *s, int64_t now_ms, int64_t *ms)
{
	const char *p;
	long long   n;
	int64_t     unit;
	size_t      len;

	len = strlen(s);
	if (len == 0 || len > SEARCH_TIME_TEXT_MAX)
		return (false);
	if (strcmp(s, "now") == 0) {
		*ms = now_ms;
		return (true);
	}
	if (strncmp(s, "now-", 4) == 0) {
		for (p = s + 4, n = 0; isdigit((unsigned char)*p); p++) {
			if (n > 100000000LL)
				return (false);
			n = n * 10 + (*p - '0');
		}
		if (p == s + 4 || p[1] != '\0')
			return (false);
		switch (*p) {
		case 's':
			unit = 1000;
			break;
		case 'm':
			unit = 60000;
			break;
		case 'h':
			unit = 3600000;
			break;
		case 'd':
			unit = 86400000;
			break;
		case 'w':
			unit = 7 * 86400000LL;
			break;
		default:
			return (false);
		}
		*ms = now_ms - (int64_t)n * unit;
		return (true);
	}
	return (timeparse_iso8601(s, len, 0, true, ms) == len);
}

/* ---- request arguments ------------------------------------------------- */

static bool sp_fail(struct search_error *err, const char *field,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static bool
sp_fail(struct search_error *err, const char *field, const char *fmt, ...)
{
	va_list ap;

	snprintf(err->field, sizeof(err->field), "%s", field);
	va_start(ap, fmt);
	(void)vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return (false);
}

/* The one string value of name (absent or null: NULL, no error). */
static bool
sp_string(const json_t *args, const char *name, const char **out,
    struct search_error *err)
{
	const json_t *v;

	*out = NULL;
	v = json_object_get(args, name);
	if (v == NULL || json_is_null(v))
		return (true);
	if (!json_is_string(v))
		return (sp_fail(err, name, "must be given once, as text"));
	*out = json_string_value(v);
	return (true);
}

/*
 * Calls add(item) for each piece of a value that is a string or an array
 * of strings, each string a comma-separated list.
 */
static bool
sp_list(const json_t *args, const char *name,
    bool (*add)(const char *, size_t, void *, struct search_error *), void *ctx,
    struct search_error *err)
{
	const json_t *v, *one;
	const char   *s, *comma;
	size_t        i, n, count;

	v = json_object_get(args, name);
	if (v == NULL || json_is_null(v))
		return (true);
	count = json_is_array(v) ? json_array_size(v) : 1;
	for (i = 0; i < count; i++) {
		one = json_is_array(v) ? json_array_get(v, i) : v;
		if (!json_is_string(one))
			return (sp_fail(err, name, "must be text"));
		for (s = json_string_value(one); *s != '\0';
		     s = *comma == ',' ? comma + 1 : comma) {
			comma = strchr(s, ',');
			if (comma == NULL)
				comma = s + strlen(s);
			n = (size_t)(comma - s);
			while (n > 0 && s[0] == ' ') {
				s++;
				n--;
			}
			while (n > 0 && s[n - 1] == ' ')
				n--;
			if (n > 0 && !add(s, n, ctx, err))
				return (false);
		}
	}
	return (true);
}

static bool
sp_add_level(const char *s, size_t n, void *ctx, struct search_error *err)
{
	struct search_params *p = ctx;
	enum event_level      l;
	char                  word[32];

	l = n < sizeof(word) && !isdigit((unsigned char)s[0])
	    ? record_level_parse(s, n)
	    : EVENT_LEVEL_NONE;
	if (l == EVENT_LEVEL_NONE) {
		snprintf(word, sizeof(word), "%.*s", (int)(n < 24 ? n : 24), s);
		return (sp_fail(err, "level",
		    "has an unknown level %s (DEBUG, INFO, WARNING, ERROR, "
		    "CRITICAL)",
		    word));
	}
	p->f.levels |= SEARCH_LEVEL_BIT(l);
	return (true);
}

static bool
sp_add_service(const char *s, size_t n, void *ctx, struct search_error *err)
{
	struct search_params *p = ctx;
	int                   i;

	if (n > SEARCH_SERVICE_LEN)
		return (sp_fail(
		    err, "service", "has a name longer than %s bytes", "128"));
	for (i = 0; i < p->f.nservices; i++)
		if (strlen(p->f.services[i]) == n &&
		    memcmp(p->f.services[i], s, n) == 0)
			return (true);
	if (p->f.nservices == SEARCH_SERVICES_MAX)
		return (sp_fail(
		    err, "service", "names more than %s services", "20"));
	memcpy(p->f.services[p->f.nservices], s, n);
	p->f.services[p->f.nservices++][n] = '\0';
	return (true);
}

static int
sp_service_cmp(const void *a, const void *b)
{
	return (strcmp(a, b));
}

static bool
sp_time(const json_t *args, const char *name, int64_t now_ms, char *text,
    bool *has, int64_t *ms, struct search_error *err)
{
	const char *s;

	if (!sp_string(args, name, &s, err))
		return (false);
	if (s == NULL || s[0] == '\0')
		return (true);
	if (!search_time_parse(s, now_ms, ms))
		return (sp_fail(err, name,
		    "must be ISO 8601 (2024-05-01T10:00:00Z) or relative "
		    "(now, now-15m, now-24h, now-7d)"));
	snprintf(text, SEARCH_TIME_TEXT_MAX + 1, "%s", s);
	*has = true;
	return (true);
}

static bool
sp_number(const json_t *args, const char *name, long lo, long hi, long *out,
    struct search_error *err)
{
	const char *s;
	char       *end;
	long        v;
	char        why[96];

	if (!sp_string(args, name, &s, err))
		return (false);
	if (s == NULL || s[0] == '\0')
		return (true);
	v = strtol(s, &end, 10);
	if (!isdigit((unsigned char)s[0]) || *end != '\0' || strlen(s) > 9 ||
	    v < lo || v > hi) {
		snprintf(why, sizeof(why),
		    "must be a whole number from %ld to %ld", lo, hi);
		return (sp_fail(err, name, "%s", why));
	}
	*out = v;
	return (true);
}

static bool
sp_sort(const json_t *args, struct search_params *p, struct search_error *err)
{
	const char *s;

	if (!sp_string(args, "sort", &s, err))
		return (false);
	if (s == NULL || s[0] == '\0' || strcmp(s, "@timestamp") == 0)
		p->sort = SEARCH_SORT_TIME;
	else if (strcmp(s, "log.level") == 0)
		p->sort = SEARCH_SORT_LEVEL;
	else if (strcmp(s, "service.name") == 0)
		p->sort = SEARCH_SORT_SERVICE;
	else
		return (sp_fail(err, "sort",
		    "must be @timestamp, log.level or service.name"));
	if (!sp_string(args, "order", &s, err))
		return (false);
	if (s == NULL || s[0] == '\0' || strcmp(s, "desc") == 0)
		p->asc = false;
	else if (strcmp(s, "asc") == 0)
		p->asc = true;
	else
		return (sp_fail(err, "order", "must be asc or desc"));
	return (true);
}

bool
search_params_from_args(const json_t *args, int64_t now_ms,
    struct search_params *p, struct search_error *err)
{
	const char *q;
	json_t     *probe;

	memset(p, 0, sizeof(*p));
	memset(err, 0, sizeof(*err));
	p->page = 1;
	p->size = SEARCH_SIZE_DEFAULT;
	if (!json_is_object(args))
		return (sp_fail(err, "query", "must be an object"));
	if (!sp_string(args, "q", &q, err))
		return (false);
	if (q != NULL) {
		if (strlen(q) > SEARCH_Q_MAX)
			return (sp_fail(
			    err, "q", "is longer than %s bytes", "1024"));
		snprintf(p->q, sizeof(p->q), "%s", q);
	}
	if (!sp_list(args, "level", sp_add_level, p, err) ||
	    !sp_list(args, "service", sp_add_service, p, err))
		return (false);
	qsort(p->f.services, (size_t)p->f.nservices, sizeof(p->f.services[0]),
	    sp_service_cmp);
	if (!sp_time(args, "from", now_ms, p->from, &p->f.has_from,
		&p->f.from_ms, err) ||
	    !sp_time(args, "to", now_ms, p->to, &p->f.has_to, &p->f.to_ms, err))
		return (false);
	if (p->f.has_from && p->f.has_to && p->f.from_ms >= p->f.to_ms)
		return (sp_fail(err, "from", "must be before to"));
	if (!sp_sort(args, p, err) ||
	    !sp_number(args, "page", 1, SEARCH_WINDOW_MAX, &p->page, err) ||
	    !sp_number(args, "size", 1, SEARCH_SIZE_MAX, &p->size, err))
		return (false);
	if (p->page * p->size > SEARCH_WINDOW_MAX)
		return (sp_fail(err, "page",
		    "lies past the first 10000 results: narrow the search or "
		    "export it"));
	/* The free text is checked now, so that a bad q is a 400 early. */
	if ((probe = search_text_parse(p->q, strlen(p->q), err)) == NULL)
		return (false);
	json_decref(probe);
	return (true);
}

static const char *const sp_sort_names[] = {
    "@timestamp", "log.level", "service.name"};

json_t *
search_params_to_json(const struct search_params *p)
{
	json_t     *levels, *services;
	const char *name;
	int         l, i;

	levels = json_array();
	for (l = EVENT_LEVEL_DEBUG; l <= EVENT_LEVEL_CRITICAL; l++)
		if ((p->f.levels & SEARCH_LEVEL_BIT(l)) != 0 &&
		    (name = record_level_name(l)) != NULL)
			json_array_append_new(levels, json_string(name));
	services = json_array();
	for (i = 0; i < p->f.nservices; i++)
		json_array_append_new(services, json_string(p->f.services[i]));
	return (json_pack("{s:s, s:o, s:o, s:s?, s:s?, s:s, s:s}", "q", p->q,
	    "level", levels, "service", services, "from",
	    p->f.has_from ? p->from : NULL, "to", p->f.has_to ? p->to : NULL,
	    "sort", sp_sort_names[p->sort], "order", p->asc ? "asc" : "desc"));
}

/*
 * The answer sent: a cached or fresh answer's text (an object's JSON)
 * with the time taken added as its last member.
 */
void
search_answer_finish(struct buf *b, const char *text, size_t len, long took_ms)
{
	buf_append(b, text, len - 1);
	buf_appendf(b, "%s\"took_ms\":%ld}", len > 2 ? "," : "", took_ms);
}

json_t *
search_cache_what(const struct search_params *p)
{
	return (json_pack("{s:o, s:I, s:I}", "query", search_params_to_json(p),
	    "page", (json_int_t)p->page, "size", (json_int_t)p->size));
}

static json_t *
sb_sort_key(const char *field, const char *order, const char *type)
{
	return (json_pack(
	    "{s:{s:s, s:s}}", field, "order", order, "unmapped_type", type));
}

json_t *
search_body_build(const struct search_params *p, struct search_error *err)
{
	json_t     *query, *sort;
	const char *order;

	if ((query = search_query_build(p->q, &p->f, err)) == NULL)
		return (NULL);
	if (p->page < 1 || p->size < 1 || p->size > SEARCH_SIZE_MAX ||
	    p->page * p->size > SEARCH_WINDOW_MAX) {
		json_decref(query);
		return (sp_fail(err, "page", "is out of range"), NULL);
	}
	order = p->asc ? "asc" : "desc";
	sort = json_array();
	if (p->sort == SEARCH_SORT_LEVEL)
		json_array_append_new(
		    sort, sb_sort_key("log.level", order, "keyword"));
	else if (p->sort == SEARCH_SORT_SERVICE)
		json_array_append_new(
		    sort, sb_sort_key("service.name", order, "keyword"));
	json_array_append_new(sort,
	    sb_sort_key("@timestamp",
		p->sort == SEARCH_SORT_TIME ? order : "desc", "date"));
	return (
	    json_pack("{s:o, s:o, s:I, s:I, s:i}", "query", query, "sort", sort,
		"from", (json_int_t)(p->page - 1) * (json_int_t)p->size, "size",
		(json_int_t)p->size, "track_total_hits", SEARCH_TOTAL_LIMIT));
}

/* ---- keys and names ------------------------------------------------------ */

void
search_cache_hash(const json_t *what, char hex[65])
{
	char *text;

	text = json_dumps(what, JSON_COMPACT | JSON_SORT_KEYS);
	digest_sha256_hex(
	    text != NULL ? text : "", text != NULL ? strlen(text) : 0, hex);
	free(text);
}

bool
search_cache_key_hashed(
    const char *kind, long long gen, const char *hash, char *out, size_t outlen)
{
	const char *k;
	int         n;

	if (kind == NULL || kind[0] == '\0')
		return (false);
	for (k = kind; *k != '\0'; k++)
		if (*k < 'a' || *k > 'z')
			return (false);
	n = snprintf(out, outlen, "cache:%s:%lld:%s", kind, gen, hash);
	return (n > 0 && (size_t)n < outlen);
}

bool
search_cache_key(const char *kind, long long gen, const json_t *what, char *out,
    size_t outlen)
{
	char hex[DIGEST_HEX_LEN + 1];

	search_cache_hash(what, hex);
	return (search_cache_key_hashed(kind, gen, hex, out, outlen));
}

bool
search_tenant_alias(const struct tenant_ctx *ctx, char *out, size_t outlen)
{
	int n;

	if (outlen > 0)
		out[0] = '\0';
	if (!tenant_ctx_check(ctx))
		return (false);
	n = snprintf(out, outlen, "vigie-t-%s", ctx->id);
	return (n > 0 && (size_t)n < outlen);
}
