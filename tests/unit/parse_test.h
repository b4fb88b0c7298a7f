/*
 * Helpers shared by the test_parse_*.c unit tests: feed a text through a
 * parser the way the ingest worker will (logsplit, then the
 * logparse_line / logparse_next / logparse_finish loop) and collect what
 * comes out. Every record is also written by the fast path
 * (record_append_json) and must parse back to the same object.
 */
#ifndef VIGIE_TESTS_PARSE_TEST_H
#define VIGIE_TESTS_PARSE_TEST_H

#include <string.h>

#include "core/logparse.h"

struct pt_run {
	struct logparse *p;
	json_t          *records; /* array of record objects */
	json_t          *errors; /* array of error messages */
	json_t          *lines; /* array of error line numbers */
	bool             fatal;
};

/* The fast path must write exactly the object record_to_json built. */
static inline void
pt_check_fast(struct logparse *p, json_t *rec)
{
	struct buf   b;
	json_t      *back;
	json_error_t jerr;

	buf_init(&b, 256);
	record_append_json(&b, logparse_event(p));
	back = json_loadb(b.data, b.len, 0, &jerr);
	if (back == NULL || !json_equal(back, rec)) {
		char *want = json_dumps(rec, JSON_SORT_KEYS);

		fail_msg(
		    "fast path differs:\n  fast: %s\n  json: %s", b.data, want);
	}
	json_decref(back);
	buf_free(&b);
}

static inline void
pt_collect(struct pt_run *run, enum logparse_result r, json_t *rec,
    struct logparse_error *err)
{
	for (;;) {
		switch (r) {
		case LOGPARSE_RECORD:
			pt_check_fast(run->p, rec);
			json_array_append_new(run->records, rec);
			break;
		case LOGPARSE_ERROR:
		case LOGPARSE_FATAL:
			json_array_append_new(
			    run->errors, json_string(err->message));
			json_array_append_new(
			    run->lines, json_integer(err->line));
			if (r == LOGPARSE_FATAL) {
				run->fatal = true;
				return;
			}
			break;
		default:
			break;
		}
		if (r == LOGPARSE_NEED_MORE)
			return;
		r = logparse_next(run->p, &rec, err);
	}
}

static inline bool
pt_on_line(const char *line, size_t len, long line_no, void *arg)
{
	struct pt_run        *run = arg;
	struct logparse_error err;
	json_t               *rec;
	enum logparse_result  r;

	if (run->fatal)
		return (false);
	r = logparse_line(run->p, line, len, line_no, &rec, &err);
	pt_collect(run, r, rec, &err);
	return (true);
}

/* Parses text[0..len) in chunks of `chunk` bytes (0: all at once). */
static inline void
pt_run_text(struct pt_run *run, enum log_format f,
    const struct logparse_opts *o, const char *text, size_t len, size_t chunk)
{
	struct logsplit       split;
	struct logparse_error err;
	json_t               *rec;
	enum logparse_result  r;
	size_t                off, n;

	memset(run, 0, sizeof(*run));
	run->p = logparse_new(f, o);
	run->records = json_array();
	run->errors = json_array();
	run->lines = json_array();
	logsplit_init(&split, o != NULL ? o->max_line : 0);
	if (chunk == 0)
		chunk = len > 0 ? len : 1;
	for (off = 0; off < len; off += n) {
		n = len - off < chunk ? len - off : chunk;
		if (!logsplit_feed(&split, text + off, n, pt_on_line, run))
			break;
	}
	(void)logsplit_finish(&split, pt_on_line, run);
	logsplit_free(&split);
	if (!run->fatal) {
		r = logparse_finish(run->p, &rec, &err);
		pt_collect(run, r, rec, &err);
	}
}

static inline void
pt_run_free(struct pt_run *run)
{
	logparse_free(run->p);
	json_decref(run->records);
	json_decref(run->errors);
	json_decref(run->lines);
}

/* One line through a new parser: the record, or NULL (err filled). */
static inline json_t *
pt_line(enum log_format f, const struct logparse_opts *o, const char *line,
    struct logparse_error *err)
{
	struct logparse     *p;
	json_t              *rec = NULL;
	enum logparse_result r;

	p = logparse_new(f, o);
	memset(err, 0, sizeof(*err));
	r = logparse_line(p, line, strlen(line), 1, &rec, err);
	if (r == LOGPARSE_RECORD)
		pt_check_fast(p, rec);
	logparse_free(p);
	return (r == LOGPARSE_RECORD ? rec : NULL);
}

static inline const char *
pt_str(json_t *rec, const char *key)
{
	return (json_string_value(json_object_get(rec, key)));
}

static inline json_int_t
pt_int(json_t *rec, const char *key)
{
	json_t *v = json_object_get(rec, key);

	return (json_is_integer(v) ? json_integer_value(v) : -1);
}

#define PT_STR(rec, key, want) assert_string_equal(pt_str(rec, key), want)
#define PT_NONE(rec, key)      assert_null(json_object_get(rec, key))
#define PT_INT(rec, key, want) assert_int_equal(pt_int(rec, key), want)

#endif
