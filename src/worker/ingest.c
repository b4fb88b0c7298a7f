#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zlib.h>

#include "common/env.h"
#include "common/log.h"
#include "core/bulk.h"
#include "core/docid.h"
#include "core/logparse.h"
#include "core/mem.h"
#include "core/text.h"
#include "core/updoc.h"
#include "service/files.h"
#include "store/cache.h"
#include "store/es_bulk.h"
#include "store/metadb.h"
#include "service/quotas.h"
#include "worker/ingest.h"

/* Refused lines kept per file with their reason (counting goes on). */
#define INGEST_REJECTS_KEPT 10000
/* Error samples kept in the file's record itself. */
#define INGEST_SAMPLES 20
/* Progress is written at most this often (ms), and at every flush. */
#define INGEST_PROGRESS_MS 1000

/*
 * The sender thread: sends one batch to Elasticsearch while the ingest
 * loop parses the next one, so that Elasticsearch never waits for our
 * parsing. One batch at a time is in flight; the loop collects its result
 * before it hands over the next (double buffering).
 */
struct ingest_sender {
	pthread_t                thread;
	bool                     started;
	pthread_mutex_t          mu;
	pthread_cond_t           cv;
	const struct tenant_ctx *ctx;
	struct bulk_batch       *inflight; /* handed over; NULL when idle */
	bool                     done; /* the result of inflight is ready */
	bool                     quit;
	enum es_bulk_status      st;
	struct es_bulk_result    res;
};

struct ingest {
	const struct tenant_ctx *ctx;
	const char              *file_id;
	struct logparse         *parser;
	struct bulk_batch        batches[2];
	struct bulk_batch       *batch; /* the one being filled */
	struct ingest_sender     snd;
	struct buf               doc;
	char                     received[32];
	struct updoc             updoc; /* Vigie's fields, rendered once */
	long                     records; /* ordinal: stable document ids */
	bool                     file_line_ids; /* docid_file_line() ids */
	long                     lines;
	long                     indexed;
	long                     rejected;
	long                     skipped;
	long                     kept; /* rejects stored */
	json_t                  *samples;
	uint64_t                 last_progress;
	bool                     gave_up;
	char                     reason[256];
};

static bool
ingest_update(struct ingest *in, json_t *set)
{
	json_t *filter;
	char    err[256], when[32];
	long    n;
	bool    ok;

	text_iso8601((long)time(NULL), when, sizeof(when));
	json_object_set_new(set, "updated_at", json_string(when));
	filter = json_pack("{s:s}", "id", in->file_id);
	ok = metadb_update(in->ctx, "files", filter, set, &n, err,
		 sizeof(err)) == METADB_OK;
	json_decref(filter);
	json_decref(set);
	return (ok);
}

static void
ingest_progress(struct ingest *in)
{
	uint64_t now;

	now = env_monotonic_us() / 1000;
	if (now - in->last_progress < INGEST_PROGRESS_MS)
		return;
	in->last_progress = now;
	(void)ingest_update(in,
	    json_pack("{s:I, s:I, s:I, s:O}", "indexed",
		(json_int_t)in->indexed, "rejected", (json_int_t)in->rejected,
		"lines_read", (json_int_t)in->lines, "error_samples",
		in->samples));
	jobs_tick();
}

/* Keeps a refused line: a sample in the record, a row in file_rejects. */
static void
ingest_reject(struct ingest *in, long line, const char *reason)
{
	json_t *doc;
	char    err[256];

	in->rejected++;
	if (json_array_size(in->samples) < INGEST_SAMPLES)
		json_array_append_new(in->samples,
		    json_pack("{s:I, s:s}", "line", (json_int_t)line, "reason",
			reason));
	if (in->kept >= INGEST_REJECTS_KEPT)
		return;
	doc = json_pack("{s:s, s:I, s:s}", "file_id", in->file_id, "line",
	    (json_int_t)line, "reason", reason);
	if (metadb_insert(in->ctx, "file_rejects", doc, NULL, err,
		sizeof(err)) == METADB_OK)
		in->kept++;
	json_decref(doc);
}

/*
 * Waits between two bulk attempts in slices of at most 250 ms, beating
 * between them: the retries of one batch can wait 20 s and more in all,
 * longer than the heartbeat lives, and a worker whose heartbeat expired
 * has its job handed to another worker while it still runs it.
 */
static void
ingest_sleep(long ms, void *arg)
{
	struct timespec ts;
	long            slice;

	(void)arg;
	while (ms > 0) {
		slice = ms < 250 ? ms : 250;
		ts.tv_sec = 0;
		ts.tv_nsec = slice * 1000000L;
		(void)nanosleep(&ts, NULL);
		ms -= slice;
		jobs_tick();
	}
}

static void *
ingest_sender_main(void *arg)
{
	struct ingest_sender  *snd = arg;
	struct es_bulk_options opts;
	struct es_bulk_result  res;
	struct bulk_batch     *b;
	enum es_bulk_status    st;

	es_bulk_options_default(&opts);
	opts.sleep_ms = ingest_sleep;
	pthread_mutex_lock(&snd->mu);
	for (;;) {
		while (!snd->quit && (snd->inflight == NULL || snd->done))
			pthread_cond_wait(&snd->cv, &snd->mu);
		if (snd->quit)
			break;
		b = snd->inflight;
		pthread_mutex_unlock(&snd->mu);
		memset(&res, 0, sizeof(res));
		st = es_bulk_send_with(snd->ctx, b, &opts, &res);
		pthread_mutex_lock(&snd->mu);
		snd->st = st;
		snd->res = res;
		snd->done = true;
		pthread_cond_broadcast(&snd->cv);
	}
	pthread_mutex_unlock(&snd->mu);
	return (NULL);
}

static bool
ingest_sender_start(struct ingest *in)
{
	pthread_mutex_init(&in->snd.mu, NULL);
	pthread_cond_init(&in->snd.cv, NULL);
	in->snd.ctx = in->ctx;
	if (pthread_create(
		&in->snd.thread, NULL, ingest_sender_main, &in->snd) != 0)
		return (false);
	in->snd.started = true;
	return (true);
}

static void
ingest_sender_stop(struct ingest *in)
{
	if (!in->snd.started)
		return;
	pthread_mutex_lock(&in->snd.mu);
	in->snd.quit = true;
	pthread_cond_broadcast(&in->snd.cv);
	pthread_mutex_unlock(&in->snd.mu);
	pthread_join(in->snd.thread, NULL);
	if (in->snd.done)
		es_bulk_result_free(&in->snd.res);
	pthread_cond_destroy(&in->snd.cv);
	pthread_mutex_destroy(&in->snd.mu);
	in->snd.started = false;
}

/*
 * Waits for the batch in flight, if any, and counts its result: indexed
 * and refused items. When Elasticsearch stayed unavailable the whole job
 * gives up, to be taken again (stable ids: nothing is indexed twice).
 */
static bool
ingest_collect(struct ingest *in)
{
	struct es_bulk_result res;
	struct bulk_batch    *b;
	enum es_bulk_status   st;
	char                  reason[BULK_REASON_MAX + 64];
	size_t                i;

	pthread_mutex_lock(&in->snd.mu);
	if (in->snd.inflight == NULL) {
		pthread_mutex_unlock(&in->snd.mu);
		return (!in->gave_up);
	}
	while (!in->snd.done)
		pthread_cond_wait(&in->snd.cv, &in->snd.mu);
	b = in->snd.inflight;
	st = in->snd.st;
	res = in->snd.res;
	in->snd.inflight = NULL;
	in->snd.done = false;
	pthread_mutex_unlock(&in->snd.mu);

	if (res.indexed > 0)
		cache_logs_written(in->ctx);
	if (st != ES_BULK_DONE) {
		snprintf(in->reason, sizeof(in->reason), "elasticsearch: %s",
		    res.error);
		in->gave_up = true;
		es_bulk_result_free(&res);
		return (false);
	}
	in->indexed += (long)res.indexed;
	for (i = 0; i < res.rejected_n; i++) {
		snprintf(reason, sizeof(reason), "%s: %s", res.rejected[i].type,
		    res.rejected[i].reason);
		ingest_reject(in, (long)res.rejected[i].line, reason);
	}
	es_bulk_result_free(&res);
	bulk_batch_reset(b);
	return (true);
}

/* Hands the filled batch to the sender and goes on with the other one. */
static bool
ingest_handover(struct ingest *in)
{
	if (in->batch->n == 0)
		return (true);
	if (!ingest_collect(in))
		return (false);
	pthread_mutex_lock(&in->snd.mu);
	in->snd.inflight = in->batch;
	in->snd.done = false;
	pthread_cond_broadcast(&in->snd.cv);
	pthread_mutex_unlock(&in->snd.mu);
	in->batch =
	    in->batch == &in->batches[0] ? &in->batches[1] : &in->batches[0];
	/* Once the next batch is on its way, not before: Elasticsearch
	 * would wait for MongoDB. At most once a second: MongoDB shares the
	 * CPU with Elasticsearch. */
	ingest_progress(in);
	return (true);
}

/* The end of the file: the last batch sent, every result counted. */
static bool
ingest_flush(struct ingest *in)
{
	return (ingest_handover(in) && ingest_collect(in));
}

/* Adds one parsed record, with Vigie's own fields, to the batch. */
static bool
ingest_record(struct ingest *in, long line)
{
	const struct log_event *ev;
	enum bulk_add_status    st;
	char                    id[DOCID_MAX + 1];

	ev = logparse_event(in->parser);
	buf_reset(&in->doc);
	record_append_json(&in->doc, ev);
	/* Close the object with our fields: {...,"vigie.file_id":...} */
	if (!updoc_close(&in->updoc, &in->doc, line))
		return (false);
	in->records++;
	if (!in->file_line_ids ||
	    !docid_file_line(in->file_id, (unsigned long long)in->records, id))
		(void)docid_make(
		    in->file_id, (unsigned long long)in->records, id);
	st = bulk_add_raw(in->batch, in->ctx, (long)(ev->ts_ms / 1000), id,
	    (unsigned long long)line, in->doc.data, in->doc.len);
	if (st != BULK_ADD_OK) {
		ingest_reject(in, line, bulk_add_status_text(st));
		return (true);
	}
	if (bulk_batch_full(in->batch))
		return (ingest_handover(in));
	return (true);
}

/* Handles every result the parser has for the line just fed. */
static bool
ingest_results(struct ingest *in, enum logparse_result r, long line,
    struct logparse_error *perr)
{
	while (r != LOGPARSE_NEED_MORE) {
		switch (r) {
		case LOGPARSE_RECORD:
			if (!ingest_record(
				in, perr->line > 0 ? perr->line : line))
				return (false);
			break;
		case LOGPARSE_SKIP:
			in->skipped++;
			break;
		case LOGPARSE_ERROR:
		case LOGPARSE_FATAL:
			ingest_reject(in, perr->line > 0 ? perr->line : line,
			    perr->message);
			if (r == LOGPARSE_FATAL)
				return (true);
			break;
		case LOGPARSE_NEED_MORE:
			break;
		}
		memset(perr, 0, sizeof(*perr));
		r = logparse_next(in->parser, NULL, perr);
	}
	return (true);
}

static bool
ingest_line(const char *line, size_t len, long line_no, void *arg)
{
	struct ingest        *in = arg;
	struct logparse_error perr;

	in->lines = line_no;
	memset(&perr, 0, sizeof(perr));
	if (!ingest_results(in,
		logparse_line(in->parser, line, len, line_no, NULL, &perr),
		line_no, &perr))
		return (false);
	if ((line_no & 0x3fff) == 0)
		ingest_progress(in);
	return (true);
}

/* Reads the first bytes to decide the format (unless one was given). */
static bool
ingest_detect(gzFile gz, const char *type, enum log_format *fmt,
    struct logdetect *d, char *sample, int *nsample, char *reason, size_t len)
{
	int n;

	n = gzread(gz, sample, LOGDETECT_SAMPLE);
	if (n < 0) {
		snprintf(reason, len, "the stored file cannot be read");
		return (false);
	}
	*nsample = n;
	if (!logdetect(sample, (size_t)n, n == LOGDETECT_SAMPLE,
		logformat_from_name(type), d)) {
		snprintf(reason, len, "%s", d->reason);
		return (false);
	}
	*fmt = d->format;
	return (true);
}

static void
ingest_free(struct ingest *in)
{
	if (in->parser != NULL)
		logparse_free(in->parser);
	ingest_sender_stop(in);
	bulk_batch_free(&in->batches[0]);
	bulk_batch_free(&in->batches[1]);
	buf_free(&in->doc);
	json_decref(in->samples);
}

/* Starts over: counters back to zero, old refused lines forgotten. */
static bool
ingest_start(struct ingest *in, const char *format)
{
	json_t *filter;
	char    err[256], when[32];
	long    n;

	filter = json_pack("{s:s}", "file_id", in->file_id);
	(void)metadb_delete(
	    in->ctx, "file_rejects", filter, &n, err, sizeof(err));
	json_decref(filter);
	text_iso8601((long)time(NULL), when, sizeof(when));
	return (ingest_update(in,
	    json_pack("{s:s, s:s, s:I, s:I, s:I, s:[], s:s}", "status",
		"ingesting", "format", format, "indexed", (json_int_t)0,
		"rejected", (json_int_t)0, "lines_read", (json_int_t)0,
		"error_samples", "started_at", when)));
}

/* The file's documents join the day's usage (once per file). */
static void
ingest_meter(const struct ingest *in)
{
	if (quotas_enabled())
		quotas_file_docs(
		    in->ctx, in->file_id, in->indexed, (long)time(NULL));
}

static enum job_result
ingest_finish(struct ingest *in, const char *reason_in)
{
	const char *status;
	char        when[32];

	if (reason_in != NULL) {
		(void)ingest_update(in,
		    json_pack("{s:s, s:s}", "status", "failed", "failure",
			reason_in));
		ingest_meter(in);
		return (JOB_DONE);
	}
	status = in->rejected == 0 ? "done"
	    : in->indexed == 0     ? "failed"
				   : "partial";
	text_iso8601((long)time(NULL), when, sizeof(when));
	if (!ingest_update(in,
		json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:O, s:s}", "status",
		    status, "lines", (json_int_t)in->lines, "lines_read",
		    (json_int_t)in->lines, "indexed", (json_int_t)in->indexed,
		    "rejected", (json_int_t)in->rejected, "skipped",
		    (json_int_t)in->skipped, "error_samples", in->samples,
		    "finished_at", when)))
		return (JOB_RETRY);
	ingest_meter(in);
	return (JOB_DONE);
}

/*
 * Ingests file_id of the tenant from the start (a retried job redoes it
 * all: documents keep their ids, counters start again). JOB_RETRY when a
 * store stayed unavailable; JOB_DONE otherwise, the file's status saying
 * done, partial or failed.
 */
enum job_result
ingest_file(
    const struct tenant_ctx *ctx, const char *file_id, char *reason, size_t len)
{
	struct logparse_opts  opts;
	struct logparse_error perr;
	struct logsplit       split;
	struct logdetect      det;
	struct ingest         in;
	enum metadb_status    st;
	enum log_format       fmt;
	enum job_result       res;
	json_t               *filter, *file;
	char                  path[1024], err[256], *chunk;
	const char           *type;
	gzFile                gz;
	int                   n, nsample;

	memset(&in, 0, sizeof(in));
	in.ctx = ctx;
	in.file_id = file_id;
	filter = json_pack("{s:s}", "id", file_id);
	file = metadb_find_one(ctx, "files", filter, &st, err, sizeof(err));
	json_decref(filter);
	if (st == METADB_NOT_FOUND) {
		snprintf(reason, len, "file %s no longer exists", file_id);
		return (JOB_DEAD);
	}
	if (st != METADB_OK) {
		snprintf(reason, len, "mongodb: %s", err);
		return (JOB_RETRY);
	}
	type = json_string_value(json_object_get(file, "type"));
	/* Files recorded before these ids keep the hashed ones: a file
	 * half-ingested then is redone with the ids it started with. */
	in.file_line_ids = json_is_string(json_object_get(file, "doc_ids")) &&
	    strcmp(json_string_value(json_object_get(file, "doc_ids")),
		FILES_DOC_IDS) == 0;
	if (!files_path(ctx, file_id, path, sizeof(path)) ||
	    (gz = gzopen(path, "rb")) == NULL) {
		json_decref(file);
		in.samples = json_array();
		(void)ingest_finish(&in, "the stored file is missing");
		ingest_free(&in);
		snprintf(reason, len, "stored file missing");
		return (JOB_DONE);
	}
	(void)gzbuffer(gz, 128 * 1024);
	chunk = mem_alloc(128 * 1024);
	in.samples = json_array();
	bulk_batch_init(&in.batches[0], BULK_FLUSH_BYTES);
	bulk_batch_init(&in.batches[1], BULK_FLUSH_BYTES);
	in.batch = &in.batches[0];
	buf_init(&in.doc, 4096);
	text_iso8601((long)time(NULL), in.received, sizeof(in.received));
	/* Cannot fail: files_path() accepted the id. */
	(void)updoc_init(&in.updoc, file_id, in.received);

	if (!ingest_detect(gz, type != NULL ? type : "auto", &fmt, &det, chunk,
		&nsample, err, sizeof(err))) {
		res = ingest_finish(&in, err);
		goto out;
	}
	if (!ingest_start(&in, logformat_name(fmt))) {
		snprintf(reason, len, "mongodb: cannot update the file");
		res = JOB_RETRY;
		goto out;
	}
	memset(&opts, 0, sizeof(opts));
	opts.ingest_ms = (int64_t)(env_now_us() / 1000);
	in.parser = logparse_new(fmt, &opts);
	if (!ingest_sender_start(&in)) {
		snprintf(reason, len, "cannot start the bulk sender thread");
		res = JOB_RETRY;
		goto out;
	}
	logsplit_init(&split, LOGPARSE_LINE_MAX);
	n = nsample;
	do {
		if (!logsplit_feed(&split, chunk, (size_t)n, ingest_line, &in))
			break;
	} while ((n = gzread(gz, chunk, 128 * 1024)) > 0);
	if (!in.gave_up && n >= 0 &&
	    logsplit_finish(&split, ingest_line, &in)) {
		memset(&perr, 0, sizeof(perr));
		(void)ingest_results(&in,
		    logparse_finish(in.parser, NULL, &perr), in.lines, &perr);
	}
	logsplit_free(&split);
	if (!in.gave_up && n < 0) {
		(void)ingest_collect(&in);
		res = ingest_finish(&in,
		    "the stored file is corrupt "
		    "(gzip data cannot be read)");
		goto out;
	}
	if (in.gave_up || !ingest_flush(&in)) {
		snprintf(reason, len, "%s", in.reason);
		res = JOB_RETRY;
		goto out;
	}
	res = ingest_finish(&in, NULL);
	log_emit(LOG_LEVEL_INFO, "ingest", NULL,
	    json_pack("{s:s, s:s, s:I, s:I, s:I}", "tenant_id", ctx->id,
		"file_id", file_id, "lines", (json_int_t)in.lines, "indexed",
		(json_int_t)in.indexed, "rejected", (json_int_t)in.rejected),
	    "file ingested");
out:
	gzclose(gz);
	mem_free(chunk);
	json_decref(file);
	ingest_free(&in);
	return (res);
}
