/*
 * The ceiling's input: renders a log file into the Elasticsearch _bulk
 * bodies the worker would send for it, with the worker's code path
 * (src/worker/ingest.c: logsplit, logparse, record_append_json, Vigie's
 * own fields (updoc_close), docid_file_line, bulk_add_raw, a flush every BULK_FLUSH_BYTES),
 * and writes each body to OUT_DIR/body-NNNNN.ndjson. Nothing is sent.
 *
 *   render FILE[.gz] OUT_DIR TENANT_ID SLUG FILE_ID
 *
 * Documents go to the daily indices logs-SLUG-YYYY.MM.DD (the logs-*
 * template gives them the mapping of Vigie's indices). Prints one line:
 * "lines=.. records=.. bodies=.. bytes=.. cpu_s=.. rate=.." where rate
 * is parse + render lines per second of CPU time (file writes included).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zlib.h>

#include "core/bulk.h"
#include "core/docid.h"
#include "core/logparse.h"
#include "core/mem.h"
#include "core/record.h"
#include "core/updoc.h"

struct render {
	struct tenant_ctx ctx;
	const char       *file_id;
	const char       *out_dir;
	struct logparse  *parser;
	struct bulk_batch batch;
	struct buf        doc;
	char              received[32];
	struct updoc      updoc;
	long              records;
	long              lines;
	long              bodies;
	long long         bytes;
	bool              failed;
};

/* Writes the batch's body to the next file, then empties the batch. */
static bool
render_flush(struct render *r)
{
	char  path[1024];
	FILE *f;
	bool  ok;

	if (r->batch.n == 0)
		return (true);
	snprintf(
	    path, sizeof(path), "%s/body-%05ld.ndjson", r->out_dir, r->bodies);
	if ((f = fopen(path, "wb")) == NULL) {
		perror(path);
		return (false);
	}
	ok = fwrite(r->batch.body.data, 1, r->batch.body.len, f) ==
	    r->batch.body.len;
	ok = fclose(f) == 0 && ok;
	r->bodies++;
	r->bytes += (long long)r->batch.body.len;
	bulk_batch_reset(&r->batch);
	return (ok);
}

/* As ingest_record(): the event, Vigie's fields, a stable id. */
static bool
render_record(struct render *r, long line)
{
	const struct log_event *ev;
	char                    id[DOCID_MAX + 1];

	ev = logparse_event(r->parser);
	buf_reset(&r->doc);
	record_append_json(&r->doc, ev);
	if (!updoc_close(&r->updoc, &r->doc, line))
		return (true);
	r->records++;
	if (!docid_file_line(r->file_id, (unsigned long long)r->records, id))
		return (false);
	if (bulk_add_raw(&r->batch, &r->ctx, (long)(ev->ts_ms / 1000), id,
		(unsigned long long)line, r->doc.data,
		r->doc.len) != BULK_ADD_OK)
		return (true);
	if (bulk_batch_full(&r->batch))
		return (render_flush(r));
	return (true);
}

static bool
render_line(const char *line, size_t len, long line_no, void *arg)
{
	struct render        *r = arg;
	struct logparse_error perr;
	enum logparse_result  res;

	r->lines = line_no;
	memset(&perr, 0, sizeof(perr));
	res = logparse_line(r->parser, line, len, line_no, NULL, &perr);
	while (res != LOGPARSE_NEED_MORE) {
		if (res == LOGPARSE_RECORD &&
		    !render_record(r, perr.line > 0 ? perr.line : line_no)) {
			r->failed = true;
			return (false);
		}
		if (res == LOGPARSE_FATAL)
			break;
		memset(&perr, 0, sizeof(perr));
		res = logparse_next(r->parser, NULL, &perr);
	}
	return (true);
}

int
main(int argc, char **argv)
{
	struct logparse_opts opts;
	struct logsplit      split;
	struct render        r;
	struct tm            tm;
	time_t               now;
	clock_t              t0;
	gzFile               gz;
	char                *chunk;
	double               cpu;
	int                  n;

	if (argc != 6) {
		fprintf(stderr,
		    "usage: render FILE[.gz] OUT_DIR TENANT_ID SLUG FILE_ID\n");
		return (2);
	}
	memset(&r, 0, sizeof(r));
	snprintf(r.ctx.id, sizeof(r.ctx.id), "%s", argv[3]);
	snprintf(r.ctx.slug, sizeof(r.ctx.slug), "%s", argv[4]);
	snprintf(r.ctx.plan, sizeof(r.ctx.plan), "free");
	r.ctx.active = 1;
	r.out_dir = argv[2];
	r.file_id = argv[5];
	if (!tenant_ctx_check(&r.ctx)) {
		fprintf(stderr, "render: bad tenant id or slug\n");
		return (2);
	}
	if ((gz = gzopen(argv[1], "rb")) == NULL) {
		perror(argv[1]);
		return (1);
	}
	(void)gzbuffer(gz, 128 * 1024);
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(r.received, sizeof(r.received), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!updoc_init(&r.updoc, r.file_id, r.received)) {
		fprintf(stderr, "render: bad FILE_ID\n");
		return (1);
	}
	memset(&opts, 0, sizeof(opts));
	opts.ingest_ms = (int64_t)now * 1000;
	r.parser = logparse_new(LOG_FORMAT_ACCESS, &opts);
	bulk_batch_init(&r.batch, BULK_FLUSH_BYTES);
	buf_init(&r.doc, 4096);
	chunk = mem_alloc(128 * 1024);
	logsplit_init(&split, LOGPARSE_LINE_MAX);

	t0 = clock();
	while ((n = gzread(gz, chunk, 128 * 1024)) > 0)
		if (!logsplit_feed(&split, chunk, (size_t)n, render_line, &r))
			break;
	if (!r.failed)
		(void)logsplit_finish(&split, render_line, &r);
	if (!r.failed && !render_flush(&r))
		r.failed = true;
	cpu = (double)(clock() - t0) / CLOCKS_PER_SEC;

	printf("lines=%ld records=%ld bodies=%ld bytes=%lld cpu_s=%.2f "
	       "rate=%.0f\n",
	    r.lines, r.records, r.bodies, r.bytes, cpu,
	    cpu > 0 ? (double)r.lines / cpu : 0.0);
	logsplit_free(&split);
	logparse_free(r.parser);
	bulk_batch_free(&r.batch);
	buf_free(&r.doc);
	mem_free(chunk);
	gzclose(gz);
	return (r.failed || n < 0 ? 1 : 0);
}
