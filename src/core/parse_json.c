/*
 * JSON logs, streamed: NDJSON (one object per line), objects written
 * over several lines one after the other (as `jq .` prints them), or one
 * top-level array of objects, however it is laid out over lines. A small
 * tokenizer of our own (strings, escapes, a stack of brackets) finds
 * where each element ends; jansson then parses that element alone, so
 * memory holds one element at most (max_record bytes).
 *
 * Errors are located: "line N column M: <jansson's message>". A broken
 * element is skipped and parsing goes on with the next one; in a stream
 * of objects, an object still open when a line starts with '{' in column
 * 1 is reported unterminated and the new line starts afresh. In an array,
 * brackets that do not match and text after the closing ']' are FATAL.
 *
 * Keys map by name (record_assign) after nested objects are flattened
 * to dotted paths up to three levels ("log": {"level": "warn"} is
 * log.level); deeper objects and arrays are kept as compact JSON text in
 * labels. Most elements are mapped without a jansson tree by the fast
 * path in parse_json_flat.c; jansson parses what it leaves (and every
 * error, so messages are jansson's).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/logparse_impl.h"
#include "core/mem.h"
#include "core/timeparse.h"

#define JSONLOG_DEPTH_MAX 256
#define JSONLOG_FLATTEN   3
#define JSONLOG_NAME_MAX  128

enum jsonlog_mode {
	JL_START, /* nothing but blanks seen yet */
	JL_STREAM, /* objects one after the other (NDJSON) */
	JL_ARRAY, /* inside a top-level array */
	JL_END, /* after the array's ']' */
};

enum jsonlog_expect {
	JL_FIRST, /* after '[': an element or ']' */
	JL_VALUE, /* after ',': an element */
	JL_SEP, /* after an element: ',' or ']' */
};

struct jsonlog_state {
	enum jsonlog_mode   mode;
	enum jsonlog_expect expect;

	/* The element being read. */
	bool          in_elem;
	bool          in_str;
	bool          esc;
	bool          scalar; /* a bare number, true, null (arrays) */
	bool          overflow; /* longer than max_record: not kept */
	bool          broken; /* a bracket that did not match */
	int           depth;
	unsigned char stack[JSONLOG_DEPTH_MAX];
	long          elem_line;
	long          elem_col;
	long          elem_start; /* in the current line; -1: in elem */
	struct buf    elem;

	/* The line being consumed (the caller's memory). */
	const char *line;
	size_t      len;
	size_t      pos;
	long        line_no;

	json_t *doc; /* the last element parsed: the event points into it */
};

static void *
jsonlog_create(struct logparse *p)
{
	struct jsonlog_state *st;

	(void)p;
	st = mem_calloc(1, sizeof(*st));
	buf_init(&st->elem, 1024);
	return (st);
}

static void
jsonlog_destroy(void *arg)
{
	struct jsonlog_state *st = arg;

	json_decref(st->doc);
	buf_free(&st->elem);
	mem_free(st);
}

static bool
jsonlog_ws(char c)
{
	return (c == ' ' || c == '\t' || c == '\n' || c == '\r');
}

/* Keeps line[from..to) of an element that goes on past this line. */
static void
jsonlog_keep(
    struct logparse *p, struct jsonlog_state *st, size_t from, size_t to)
{
	if (st->overflow)
		return;
	if (st->elem.len + (to - from) > p->opts.max_record) {
		st->overflow = true;
		return;
	}
	buf_append(&st->elem, st->line + from, to - from);
}

static void
jsonlog_begin(struct jsonlog_state *st, size_t at)
{
	st->in_elem = true;
	st->in_str = st->esc = st->scalar = st->overflow = st->broken = false;
	st->depth = 0;
	st->elem_line = st->line_no;
	st->elem_col = (long)at + 1;
	st->elem_start = (long)at;
	buf_reset(&st->elem);
}

bool
jsonlog_value_text(struct log_event *ev, json_t *v, struct log_str *out)
{
	char   tmp[64];
	int    n;
	size_t need, cap;
	char  *d;

	switch (json_typeof(v)) {
	case JSON_STRING:
		out->ptr = json_string_value(v);
		out->len = json_string_length(v);
		return (true);
	case JSON_INTEGER:
		n = snprintf(tmp, sizeof(tmp), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		break;
	case JSON_REAL:
		n = snprintf(tmp, sizeof(tmp), "%.15g", json_real_value(v));
		if (strtod(tmp, NULL) != json_real_value(v))
			n = snprintf(
			    tmp, sizeof(tmp), "%.17g", json_real_value(v));
		break;
	case JSON_TRUE:
		n = snprintf(tmp, sizeof(tmp), "true");
		break;
	case JSON_FALSE:
		n = snprintf(tmp, sizeof(tmp), "false");
		break;
	case JSON_NULL:
		return (false);
	default:
		/* An object or array: compact JSON, cut to the label size. */
		need = json_dumpb(v, NULL, 0, JSON_COMPACT);
		if (need == 0)
			return (false);
		cap = need > RECORD_LABEL_VALUE_MAX ? RECORD_LABEL_VALUE_MAX
						    : need;
		d = record_arena_alloc(ev, need);
		(void)json_dumpb(v, d, need, JSON_COMPACT);
		out->ptr = d;
		out->len = cap;
		return (true);
	}
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return (false);
	*out = record_arena_copy(ev, tmp, (size_t)n);
	return (true);
}

/* Maps the members of obj (named under prefix) to the event. */
static void
jsonlog_map(struct logparse *p, json_t *obj, const char *prefix, size_t plen,
    int level, int year)
{
	const char    *key;
	json_t        *v;
	char           name[JSONLOG_NAME_MAX];
	size_t         klen, nlen;
	struct log_str text;

	json_object_foreach(obj, key, v)
	{
		klen = strlen(key);
		if (plen + 1 + klen >= sizeof(name))
			continue;
		nlen = 0;
		if (plen > 0) {
			memcpy(name, prefix, plen);
			/* plen + 1 + klen < sizeof(name), checked above */
			/* cppcheck-suppress arrayIndexOutOfBoundsCond */
			name[plen] = '.';
			nlen = plen + 1;
		}
		memcpy(name + nlen, key, klen);
		nlen += klen;
		name[nlen] = '\0';
		if (json_is_object(v) && level < JSONLOG_FLATTEN) {
			jsonlog_map(p, v, name, nlen, level + 1, year);
			continue;
		}
		if (!jsonlog_value_text(&p->ev, v, &text))
			continue;
		record_assign(&p->ev, name, nlen, text.ptr, text.len, year,
		    p->opts.tz_offset_s);
	}
}

/*
 * Parses one complete element text[0..len) into the event. Returns
 * RECORD or ERROR (located from the element's first byte).
 */
static enum logparse_result
jsonlog_element(struct logparse *p, struct jsonlog_state *st, const char *text,
    size_t len, struct logparse_error *err)
{
	json_error_t jerr;
	long         line, col;
	int          year;

	if (st->overflow) {
		logparse_fail(err, st->elem_line, st->elem_col,
		    "JSON element longer than %zu bytes", p->opts.max_record);
		return (LOGPARSE_ERROR);
	}
	year = p->opts.default_year > 0 ? p->opts.default_year
					: timeparse_year_of(p->opts.ingest_ms);
	if (!p->opts.json_reference && jsonflat_map(p, text, len, year))
		goto mapped;
	json_decref(st->doc);
	st->doc = json_loadb(text, len, JSON_DECODE_ANY, &jerr);
	if (st->doc == NULL) {
		line = st->elem_line + (jerr.line > 0 ? jerr.line - 1 : 0);
		col = jerr.line <= 1 ? st->elem_col + jerr.column - 1
				     : jerr.column;
		logparse_fail(err, line, col < 1 ? 1 : col, "%s", jerr.text);
		return (LOGPARSE_ERROR);
	}
	if (!json_is_object(st->doc)) {
		logparse_fail(
		    err, st->elem_line, st->elem_col, "expected a JSON object");
		return (LOGPARSE_ERROR);
	}
	jsonlog_map(p, st->doc, "", 0, 0, year);
mapped:
	p->ev.original.ptr = text;
	p->ev.original.len = len;
	if (p->ev.message.ptr == NULL)
		p->ev.message = p->ev.original;
	return (LOGPARSE_RECORD);
}

/* The element ends at line[i] (included): parse it. */
static enum logparse_result
jsonlog_complete(struct logparse *p, struct jsonlog_state *st, size_t end,
    struct logparse_error *err)
{
	const char *text;
	size_t      len;

	st->in_elem = false;
	if (st->mode == JL_ARRAY)
		st->expect = JL_SEP;
	if (st->elem_start >= 0) {
		text = st->line + st->elem_start;
		len = end - (size_t)st->elem_start;
	} else {
		jsonlog_keep(p, st, 0, end);
		text = st->elem.data;
		len = st->elem.len;
	}
	if (st->broken) {
		logparse_fail(
		    err, st->elem_line, st->elem_col, "brackets do not match");
		return (LOGPARSE_ERROR);
	}
	return (jsonlog_element(p, st, text, len, err));
}

/*
 * Scans inside an element from line[pos]; returns true with *end set
 * (one past the last byte) when the element ends on this line.
 */
static bool
jsonlog_scan(struct jsonlog_state *st, size_t *end)
{
	const char   *s = st->line;
	size_t        i;
	unsigned char open;

	for (i = st->pos; i < st->len; i++) {
		char c = s[i];

		if (st->scalar) {
			if (jsonlog_ws(c) || c == ',' || c == ']' || c == '}' ||
			    c == '[' || c == '{') {
				*end = i;
				return (true);
			}
			continue;
		}
		if (st->in_str) {
			if (st->esc)
				st->esc = false;
			else if (c == '\\')
				st->esc = true;
			else if (c == '"') {
				st->in_str = false;
				if (st->depth == 0) {
					*end = i + 1;
					return (true);
				}
			}
			continue;
		}
		switch (c) {
		case '"':
			st->in_str = true;
			break;
		case '{':
		case '[':
			if (st->depth >= JSONLOG_DEPTH_MAX) {
				st->broken = true;
				*end = i + 1;
				return (true);
			}
			st->stack[st->depth++] = (unsigned char)c;
			break;
		case '}':
		case ']':
			open = c == '}' ? '{' : '[';
			if (st->depth == 0 ||
			    st->stack[st->depth - 1] != open) {
				st->broken = true;
				*end = i + 1;
				return (true);
			}
			if (--st->depth == 0) {
				*end = i + 1;
				return (true);
			}
			break;
		default:
			break;
		}
	}
	return (false);
}

/* Starts an element at line[i]: a container, a string or a scalar. */
static void
jsonlog_start(struct jsonlog_state *st, size_t i)
{
	char c = st->line[i];

	jsonlog_begin(st, i);
	if (c == '{' || c == '[') {
		st->stack[0] = (unsigned char)c;
		st->depth = 1;
	} else if (c == '"') {
		st->in_str = true;
	} else {
		st->scalar = true;
	}
	st->pos = i + 1;
}

/*
 * Consumes the current line from st->pos until it yields a result;
 * NEED_MORE when the line is used up.
 */
static enum logparse_result
jsonlog_run(struct logparse *p, struct logparse_error *err)
{
	struct jsonlog_state *st = p->state;
	size_t                end;
	char                  c;

	while (st->pos < st->len || st->in_elem) {
		if (st->in_elem) {
			if (jsonlog_scan(st, &end)) {
				st->pos = end;
				return (jsonlog_complete(p, st, end, err));
			}
			/* Goes on past this line. */
			jsonlog_keep(p, st,
			    st->elem_start >= 0 ? (size_t)st->elem_start : 0,
			    st->len);
			st->elem_start = -1;
			st->pos = st->len;
			return (LOGPARSE_NEED_MORE);
		}
		c = st->line[st->pos];
		if (jsonlog_ws(c)) {
			st->pos++;
			continue;
		}
		switch (st->mode) {
		case JL_START:
			if (c == '[') {
				st->mode = JL_ARRAY;
				st->expect = JL_FIRST;
				st->pos++;
				continue;
			}
			st->mode = JL_STREAM;
			/* FALLTHROUGH */
		case JL_STREAM:
			if (c != '{') {
				logparse_fail(err, st->line_no,
				    (long)st->pos + 1,
				    "expected a JSON object");
				st->pos = st->len; /* the rest of the line */
				return (LOGPARSE_ERROR);
			}
			jsonlog_start(st, st->pos);
			continue;
		case JL_ARRAY:
			if (c == ']' && st->expect != JL_VALUE) {
				st->mode = JL_END;
				st->pos++;
				continue;
			}
			if (c == ',' && st->expect == JL_SEP) {
				st->expect = JL_VALUE;
				st->pos++;
				continue;
			}
			if (st->expect == JL_SEP) {
				logparse_fail(err, st->line_no,
				    (long)st->pos + 1,
				    "expected ',' or ']' after an array element");
				return (LOGPARSE_FATAL);
			}
			if (c == ',' || c == ']') {
				logparse_fail(err, st->line_no,
				    (long)st->pos + 1,
				    "expected an array element");
				return (LOGPARSE_FATAL);
			}
			jsonlog_start(st, st->pos);
			continue;
		case JL_END:
			logparse_fail(err, st->line_no, (long)st->pos + 1,
			    "text after the end of the JSON array");
			return (LOGPARSE_FATAL);
		}
	}
	return (LOGPARSE_NEED_MORE);
}

static enum logparse_result
jsonlog_line(struct logparse *p, const char *line, size_t len, long line_no,
    struct logparse_error *err)
{
	struct jsonlog_state *st = p->state;

	st->line = line;
	st->len = len;
	st->pos = 0;
	st->line_no = line_no;
	if (!st->in_elem)
		return (jsonlog_run(p, err));
	if (st->scalar) /* a newline ends a bare value */
		return (jsonlog_complete(p, st, 0, err));
	if (st->mode == JL_STREAM && len > 0 && line[0] == '{') {
		/* An object left open: report it, start afresh here. */
		st->in_elem = false;
		logparse_fail(err, st->elem_line, st->elem_col,
		    "JSON object not closed before line %ld", line_no);
		return (LOGPARSE_ERROR);
	}
	/* The element goes on: the newline is part of its text. */
	if (!st->overflow) {
		if (st->elem.len + 1 > p->opts.max_record)
			st->overflow = true;
		else
			buf_append(&st->elem, "\n", 1);
	}
	return (jsonlog_run(p, err));
}

static enum logparse_result
jsonlog_next(struct logparse *p, struct logparse_error *err)
{
	return (jsonlog_run(p, err));
}

static enum logparse_result
jsonlog_finish(struct logparse *p, struct logparse_error *err)
{
	struct jsonlog_state *st = p->state;

	st->pos = st->len; /* nothing more of the last line */
	if (st->in_elem) {
		st->in_elem = false;
		logparse_fail(err, st->elem_line, st->elem_col,
		    "JSON value not closed at the end of the file");
		if (st->mode == JL_ARRAY)
			st->mode = JL_END;
		return (LOGPARSE_ERROR);
	}
	if (st->mode == JL_ARRAY) {
		st->mode = JL_END;
		logparse_fail(err, st->line_no, 0,
		    "JSON array not closed at the end of the file");
		return (LOGPARSE_ERROR);
	}
	return (LOGPARSE_NEED_MORE);
}

static enum logparse_result
jsonlog_overlong(struct logparse *p, long line_no, struct logparse_error *err)
{
	struct jsonlog_state *st = p->state;

	logparse_fail(
	    err, line_no, 0, "line longer than %zu bytes", p->opts.max_line);
	if (st->mode == JL_ARRAY) {
		/* Part of the structure is gone: nothing after it holds. */
		return (LOGPARSE_FATAL);
	}
	st->in_elem = false; /* a stream resumes at the next object */
	return (LOGPARSE_ERROR);
}

const struct logparse_ops jsonlog_ops = {
    .create = jsonlog_create,
    .destroy = jsonlog_destroy,
    .line = jsonlog_line,
    .next = jsonlog_next,
    .finish = jsonlog_finish,
    .overlong = jsonlog_overlong,
};
