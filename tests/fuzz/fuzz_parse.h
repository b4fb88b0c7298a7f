/*
 * The body every parser fuzz target shares: the input's first byte picks
 * options (chunk size for the line splitter, a small max_line and
 * max_record to reach the overlong paths, CSV without header or with a
 * fixed delimiter), the rest is fed through logsplit and the parser of
 * the target's format. Each record is built both ways (jansson and the
 * fast writer) and the two must agree, so a bad escape or an invalid
 * UTF-8 byte in a bulk body is a crash here.
 */
#ifndef VIGIE_FUZZ_PARSE_H
#define VIGIE_FUZZ_PARSE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/logparse.h"

struct fuzz_run {
	struct logparse *p;
	struct buf       body;
	bool             stop;
	json_t          *out; /* records and errors in order, or NULL */
};

static void
fuzz_check(struct fuzz_run *run, json_t *rec)
{
	json_t      *back;
	json_error_t err;

	buf_reset(&run->body);
	record_append_json(&run->body, logparse_event(run->p));
	back = json_loadb(run->body.data, run->body.len, 0, &err);
	if (back == NULL) {
		fprintf(stderr, "fast path wrote invalid JSON: %s\n%s\n",
		    err.text, run->body.data);
		abort();
	}
	if (!json_equal(back, rec)) {
		fprintf(stderr, "fast path and jansson differ\n%s\n",
		    run->body.data);
		abort();
	}
	json_decref(back);
	if (run->out != NULL)
		json_array_append(run->out, rec);
	json_decref(rec);
}

static void
fuzz_drain(struct fuzz_run *run, enum logparse_result r, json_t *rec,
    struct logparse_error *err)
{
	int guard = 0;

	while (r != LOGPARSE_NEED_MORE) {
		if (r == LOGPARSE_RECORD)
			fuzz_check(run, rec);
		if ((r == LOGPARSE_ERROR || r == LOGPARSE_FATAL) &&
		    (err->message[0] == '\0' || err->line < 1))
			abort(); /* every error is located */
		if ((r == LOGPARSE_ERROR || r == LOGPARSE_FATAL) &&
		    run->out != NULL)
			json_array_append_new(run->out,
			    json_pack("{s:s, s:I, s:I}", "error", err->message,
				"line", (json_int_t)err->line, "column",
				(json_int_t)err->column));
		if (r == LOGPARSE_FATAL) {
			run->stop = true;
			return;
		}
		if (++guard > 1000000)
			abort(); /* logparse_next must come to an end */
		r = logparse_next(run->p, &rec, err);
	}
}

static bool
fuzz_line(const char *line, size_t len, long line_no, void *arg)
{
	struct fuzz_run      *run = arg;
	struct logparse_error err;
	json_t               *rec;
	enum logparse_result  r;

	memset(&err, 0, sizeof(err));
	r = logparse_line(run->p, line, len, line_no, &rec, &err);
	fuzz_drain(run, r, rec, &err);
	return (!run->stop);
}

/*
 * Parses data[1..size) as format f (data[0] holds the knobs). reference:
 * JSON through jansson only. out (may be NULL) gets every record and
 * error in order.
 */
static void
fuzz_parse(enum log_format f, const uint8_t *data, size_t size, bool reference,
    json_t *out)
{
	struct logparse_opts  o;
	struct logsplit       split;
	struct fuzz_run       run;
	struct logparse_error err;
	json_t               *rec;
	enum logparse_result  r;
	size_t                chunk, off, n;
	uint8_t               knobs;

	if (size == 0)
		return;
	knobs = data[0];
	data++;
	size--;
	memset(&o, 0, sizeof(o));
	o.ingest_ms = 1700000000000LL;
	if (knobs & 0x40) {
		o.max_line = 48;
		o.max_record = 96;
	}
	if (knobs & 0x80)
		o.csv_no_header = true;
	if ((knobs & 0x30) == 0x30)
		o.csv_delimiter = ';';
	o.json_reference = reference;
	chunk = 1 + (knobs & 0x0f) * 7;
	memset(&run, 0, sizeof(run));
	run.out = out;
	run.p = logparse_new(f, &o);
	buf_init(&run.body, 256);
	logsplit_init(&split, o.max_line);
	for (off = 0; off < size && !run.stop; off += n) {
		n = size - off < chunk ? size - off : chunk;
		(void)logsplit_feed(
		    &split, (const char *)data + off, n, fuzz_line, &run);
	}
	if (!run.stop)
		(void)logsplit_finish(&split, fuzz_line, &run);
	if (!run.stop) {
		memset(&err, 0, sizeof(err));
		r = logparse_finish(run.p, &rec, &err);
		fuzz_drain(&run, r, rec, &err);
	}
	logsplit_free(&split);
	buf_free(&run.body);
	logparse_free(run.p);
}

#endif
