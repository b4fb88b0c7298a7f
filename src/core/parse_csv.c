/*
 * CSV (RFC 4180): the delimiter is ',', ';' or TAB, detected from the
 * first line unless given; the first row names the columns (unless
 * csv_no_header: col1, col2...); quoted fields may hold the delimiter,
 * doubled quotes and newlines (the parser then answers NEED_MORE and
 * gathers the following lines, up to max_record bytes). Columns are
 * mapped by name (record_assign); "date" and "time" columns together
 * make one timestamp. A quote inside an unquoted field is kept as a
 * character; text after a closing quote is an error.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/logparse_impl.h"
#include "core/mem.h"
#include "core/timeparse.h"

enum csv_scan {
	CSV_FIELD_START,
	CSV_UNQUOTED,
	CSV_QUOTED,
	CSV_QUOTE_IN_QUOTED, /* a '"' inside quotes: closing or doubled */
};

struct csv_state {
	char           delim;
	bool           have_header;
	int            ncols;
	char         **names;
	int            date_col; /* -1 when absent */
	int            time_col;
	struct buf     rec; /* a record spanning lines */
	bool           pending; /* rec holds an open record */
	long           rec_line;
	enum csv_scan  scan; /* where the open record's scan stopped */
	struct log_str fields[LOGPARSE_CSV_COLUMNS_MAX];
	int            nfields;
};

static void *
csv_create(struct logparse *p)
{
	struct csv_state *st;

	st = mem_calloc(1, sizeof(*st));
	st->delim = p->opts.csv_delimiter;
	st->date_col = st->time_col = -1;
	buf_init(&st->rec, 256);
	return (st);
}

static void
csv_destroy(void *arg)
{
	struct csv_state *st = arg;
	int               i;

	for (i = 0; i < st->ncols; i++)
		mem_free(st->names[i]);
	mem_free(st->names);
	buf_free(&st->rec);
	mem_free(st);
}

/* The delimiter of a first line: the most frequent outside quotes. */
static char
csv_detect_delim(const char *s, size_t len)
{
	size_t i, comma = 0, semi = 0, tab = 0;
	bool   quoted = false;

	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			quoted = !quoted;
		else if (quoted)
			continue;
		else if (s[i] == ',')
			comma++;
		else if (s[i] == ';')
			semi++;
		else if (s[i] == '\t')
			tab++;
	}
	if (tab > comma && tab >= semi)
		return ('\t');
	if (semi > comma)
		return (';');
	return (',');
}

/*
 * Carries the quote scan over s[0..len) from state; the record is
 * complete at the end of s unless the result is CSV_QUOTED.
 */
static enum csv_scan
csv_scan(enum csv_scan state, char delim, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		char c = s[i];

		switch (state) {
		case CSV_FIELD_START:
			if (c == '"')
				state = CSV_QUOTED;
			else if (c != delim)
				state = CSV_UNQUOTED;
			break;
		case CSV_UNQUOTED:
			if (c == delim)
				state = CSV_FIELD_START;
			break;
		case CSV_QUOTED: {
			const char *q = memchr(s + i, '"', len - i);

			if (q == NULL)
				return (CSV_QUOTED);
			i = (size_t)(q - s);
			state = CSV_QUOTE_IN_QUOTED;
			break;
		}
		case CSV_QUOTE_IN_QUOTED:
			if (c == '"')
				state = CSV_QUOTED;
			else if (c == delim)
				state = CSV_FIELD_START;
			else
				state =
				    CSV_UNQUOTED; /* an error csv_split finds */
			break;
		}
	}
	return (state);
}

/*
 * Splits a complete record into st->fields (pointing into s or the
 * event's arena). Returns 0, or the 1-based column of an error (*why
 * set), or -1 for too many columns.
 */
static long
csv_split(struct csv_state *st, struct log_event *ev, const char *s, size_t len,
    const char **why)
{
	size_t i = 0, start, n;
	char  *d;
	bool   doubled;

	st->nfields = 0;
	for (;;) {
		if (st->nfields >= LOGPARSE_CSV_COLUMNS_MAX) {
			*why = "too many columns";
			return ((long)i + 1);
		}
		if (i < len && s[i] == '"') {
			start = ++i;
			doubled = false;
			for (;;) {
				const char *q = memchr(s + i, '"', len - i);

				if (q == NULL) {
					*why = "quoted field not closed";
					return ((long)start);
				}
				i = (size_t)(q - s);
				if (i + 1 < len && s[i + 1] == '"') {
					doubled = true;
					i += 2;
					continue;
				}
				break;
			}
			n = i - start;
			if (doubled) {
				size_t k, o = 0;

				d = record_arena_alloc(ev, n);
				for (k = start; k < i; k++) {
					d[o++] = s[k];
					if (s[k] == '"')
						k++;
				}
				st->fields[st->nfields].ptr = d;
				st->fields[st->nfields].len = o;
			} else {
				st->fields[st->nfields].ptr = s + start;
				st->fields[st->nfields].len = n;
			}
			st->nfields++;
			i++; /* the closing quote */
			if (i < len && s[i] != st->delim) {
				*why = "unexpected text after a closing quote";
				return ((long)i + 1);
			}
		} else {
			const char *q = memchr(s + i, st->delim, len - i);

			start = i;
			i = q == NULL ? len : (size_t)(q - s);
			st->fields[st->nfields].ptr = s + start;
			st->fields[st->nfields].len = i - start;
			st->nfields++;
		}
		if (i >= len)
			return (0);
		i++; /* the delimiter */
	}
}

/* Takes the first row as the column names. */
static void
csv_header(struct csv_state *st, bool named)
{
	int  i;
	char name[24];

	st->ncols = st->nfields;
	st->names = mem_calloc((size_t)st->ncols, sizeof(char *));
	for (i = 0; i < st->ncols; i++) {
		struct log_str f = st->fields[i];

		while (f.len > 0 && (f.ptr[0] == ' ' || f.ptr[0] == '\t')) {
			f.ptr++;
			f.len--;
		}
		while (f.len > 0 &&
		    (f.ptr[f.len - 1] == ' ' || f.ptr[f.len - 1] == '\t'))
			f.len--;
		if (!named || f.len == 0) {
			snprintf(name, sizeof(name), "col%d", i + 1);
			st->names[i] = mem_strdup(name);
		} else {
			st->names[i] = mem_strndup(f.ptr, f.len);
		}
		if (strcasecmp(st->names[i], "date") == 0)
			st->date_col = i;
		else if (strcasecmp(st->names[i], "time") == 0)
			st->time_col = i;
	}
	if (st->date_col < 0 || st->time_col < 0)
		st->date_col = st->time_col = -1;
	st->have_header = true;
}

/* Maps the fields of one row to the event. */
static void
csv_map(struct logparse *p, struct csv_state *st, const char *text, size_t len)
{
	struct log_event *ev = &p->ev;
	int               i, year;
	char             *both;
	struct log_str    d, t;

	year = p->opts.default_year > 0 ? p->opts.default_year
					: timeparse_year_of(p->opts.ingest_ms);
	if (st->date_col >= 0) {
		d = st->fields[st->date_col];
		t = st->fields[st->time_col];
		both = record_arena_alloc(ev, d.len + 1 + t.len);
		memcpy(both, d.ptr, d.len);
		both[d.len] = ' ';
		memcpy(both + d.len + 1, t.ptr, t.len);
		record_assign(ev, "timestamp", 9, both, d.len + 1 + t.len, year,
		    p->opts.tz_offset_s);
	}
	for (i = 0; i < st->nfields; i++) {
		if (i == st->date_col || i == st->time_col)
			continue;
		record_assign(ev, st->names[i], strlen(st->names[i]),
		    st->fields[i].ptr, st->fields[i].len, year,
		    p->opts.tz_offset_s);
	}
	if (ev->message.ptr == NULL) {
		ev->message.ptr = text;
		ev->message.len = len;
	}
	ev->original.ptr = text;
	ev->original.len = len;
}

/* A complete record in text[0..len), begun on line `first`. */
static enum logparse_result
csv_record(struct logparse *p, struct csv_state *st, const char *text,
    size_t len, long first, struct logparse_error *err)
{
	const char *why = NULL;
	long        col;

	if ((col = csv_split(st, &p->ev, text, len, &why)) != 0) {
		logparse_fail(err, first, col, "%s", why);
		return (LOGPARSE_ERROR);
	}
	if (!st->have_header) {
		csv_header(st, !p->opts.csv_no_header);
		if (!p->opts.csv_no_header)
			return (LOGPARSE_SKIP);
	}
	if (st->nfields != st->ncols) {
		logparse_fail(err, first, 0, "expected %d columns, found %d",
		    st->ncols, st->nfields);
		return (LOGPARSE_ERROR);
	}
	csv_map(p, st, text, len);
	return (LOGPARSE_RECORD);
}

static enum logparse_result
csv_line(struct logparse *p, const char *line, size_t len, long line_no,
    struct logparse_error *err)
{
	struct csv_state *st = p->state;

	if (!st->pending) {
		if (logparse_blank(line, len))
			return (LOGPARSE_SKIP);
		if (st->delim == 0)
			st->delim = csv_detect_delim(line, len);
		st->scan = csv_scan(CSV_FIELD_START, st->delim, line, len);
		if (st->scan != CSV_QUOTED)
			return (csv_record(p, st, line, len, line_no, err));
		buf_reset(&st->rec);
		buf_append(&st->rec, line, len);
		st->pending = true;
		st->rec_line = line_no;
		return (LOGPARSE_NEED_MORE);
	}
	if (st->rec.len + 1 + len > p->opts.max_record) {
		st->pending = false;
		logparse_fail(err, st->rec_line, 0,
		    "quoted field not closed within %zu bytes",
		    p->opts.max_record);
		return (LOGPARSE_ERROR);
	}
	buf_append(&st->rec, "\n", 1);
	buf_append(&st->rec, line, len);
	st->scan = csv_scan(CSV_QUOTED, st->delim, "\n", 1);
	st->scan = csv_scan(st->scan, st->delim, line, len);
	if (st->scan == CSV_QUOTED)
		return (LOGPARSE_NEED_MORE);
	st->pending = false;
	return (
	    csv_record(p, st, st->rec.data, st->rec.len, st->rec_line, err));
}

static enum logparse_result
csv_finish(struct logparse *p, struct logparse_error *err)
{
	struct csv_state *st = p->state;

	if (!st->pending)
		return (LOGPARSE_NEED_MORE);
	st->pending = false;
	logparse_fail(err, st->rec_line, 0,
	    "quoted field not closed at the end of the file");
	return (LOGPARSE_ERROR);
}

static enum logparse_result
csv_overlong(struct logparse *p, long line_no, struct logparse_error *err)
{
	struct csv_state *st = p->state;

	st->pending = false;
	logparse_fail(
	    err, line_no, 0, "line longer than %zu bytes", p->opts.max_line);
	return (LOGPARSE_ERROR);
}

const struct logparse_ops csv_ops = {
    .create = csv_create,
    .destroy = csv_destroy,
    .line = csv_line,
    .finish = csv_finish,
    .overlong = csv_overlong,
};
