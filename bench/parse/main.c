/*
 * Parse-only benchmark of the log parsers (no I/O in the timed part):
 * each input file is read once, repeated in memory up to BENCH_LINES
 * lines (1,000,000 by default), then timed on one core in four passes:
 *
 *   split    find the lines only (memchr), the floor of any pass
 *   parse    split + parse each line into a struct log_event
 *   +fast    split + parse + the ECS record written as JSON text into a
 *            reused buffer (record_append_json: the bulk-body fast path)
 *   +jansson split + parse + the record built as a jansson object
 *            (logparse_line with record_out), then freed
 *
 * Each pass runs BENCH_ROUNDS times (3); the best round is reported, in
 * thousands of lines per second of the process's CPU time (the machine
 * may be shared; one thread, so CPU time is the time of one core). The access log target (>= 500,000
 * lines/s for parse + jansson) is checked and printed; the program exits
 * 0 whenever the measurement itself ran.
 *
 * Usage: parse-bench [DATA_DIR]   (default: ../shared/data beside the
 * repository). Run it through bench/parse/run.sh. BENCH_LINES,
 * BENCH_ROUNDS and BENCH_ONLY (a prefix of the input names) narrow it;
 * BENCH_STREAM=N reads the access log N times from disk first, to show
 * the memory stays flat (0: skip; default BENCH_LINES / 10,000).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "core/logparse.h"
#include "core/mem.h"

#define TARGET_ACCESS 500000.0

struct dataset {
	const char     *name;
	const char     *file;
	enum log_format format;
	bool            skip_header; /* CSV: repeat the rows, not the header */
	bool            from_access; /* JSON: NDJSON made from access records */
	bool            reference; /* JSON: through a jansson tree only */
};

#define DATA(n, f, fmt) .name = n, .file = f, .format = fmt

static const struct dataset bench_sets[] = {
    {DATA("access", "apache_access_10k.log", LOG_FORMAT_ACCESS)},
    {DATA("json (ndjson)", "apache_access_10k.log", LOG_FORMAT_JSON),
	.from_access = true},
    {DATA("json, jansson", "apache_access_10k.log", LOG_FORMAT_JSON),
	.from_access = true, .reference = true},
    {DATA("syslog auth.log", "auth.log", LOG_FORMAT_SYSLOG)},
    {DATA("syslog OpenSSH", "loghub_2k/OpenSSH/OpenSSH_2k.log",
	LOG_FORMAT_SYSLOG)},
    {DATA("apache_error", "loghub_2k/Apache/Apache_2k.log",
	LOG_FORMAT_APACHE_ERROR)},
    {DATA("csv (Hadoop)", "loghub_2k/Hadoop/Hadoop_2k.log_structured.csv",
	 LOG_FORMAT_CSV),
	.skip_header = true},
    {DATA(
	"plain (Hadoop)", "loghub_2k/Hadoop/Hadoop_2k.log", LOG_FORMAT_PLAIN)},
    {DATA("plain (HDFS)", "loghub_2k/HDFS/HDFS_2k.log", LOG_FORMAT_PLAIN)},
};

enum pass { PASS_SPLIT, PASS_PARSE, PASS_FAST, PASS_JANSSON, PASS_N };

/*
 * CPU time of this process: on a machine shared with other work it
 * measures the parser rather than the neighbours (wall time is printed
 * too, for the access log).
 */
static double
bench_cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

static char *
bench_read(const char *path, size_t *len)
{
	FILE *f;
	char *data;
	long  n;

	if ((f = fopen(path, "rb")) == NULL)
		return (NULL);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	data = mem_alloc((size_t)n + 1);
	*len = fread(data, 1, (size_t)n, f);
	fclose(f);
	data[*len] = '\0';
	return (data);
}

/* NDJSON lines made of the access log's records (no event.original). */
static char *
bench_ndjson(const char *text, size_t len, size_t *out_len)
{
	struct logparse_opts  o = {.no_original = true};
	struct logparse      *p;
	struct logparse_error err;
	struct buf            b;
	const char           *s = text, *end = text + len, *nl;
	long                  no = 0;

	p = logparse_new(LOG_FORMAT_ACCESS, &o);
	buf_init(&b, len * 2);
	while (s < end) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (nl == NULL)
			nl = end;
		if (logparse_line(p, s, (size_t)(nl - s), ++no, NULL, &err) ==
		    LOGPARSE_RECORD) {
			record_append_json(&b, logparse_event(p));
			buf_append(&b, "\n", 1);
		}
		s = nl + 1;
	}
	logparse_free(p);
	*out_len = b.len;
	return (buf_release(&b));
}

/* The text repeated until it holds at least want lines. */
static char *
bench_repeat(
    const char *text, size_t len, long want, size_t *out_len, long *lines)
{
	struct buf b;
	long       per = 0, n = 0;
	size_t     i;

	for (i = 0; i < len; i++)
		per += text[i] == '\n';
	if (len > 0 && text[len - 1] != '\n')
		per++;
	buf_init(&b, (size_t)((double)len * ((double)want / per + 1)));
	while (n < want) {
		buf_append(&b, text, len);
		if (text[len - 1] != '\n')
			buf_append(&b, "\n", 1);
		n += per;
	}
	*lines = n;
	*out_len = b.len;
	return (buf_release(&b));
}

/*
 * One timed pass; returns lines per CPU second (and in *wall lines per
 * second of wall time), counts records and errors.
 */
static double
bench_pass(const struct dataset *ds, enum pass pass, const char *text,
    size_t len, long *records, long *errors, double *wall)
{
	struct logparse_opts o = {
	    .ingest_ms = 1700000000000LL, .default_year = 2017};
	struct logparse      *p = NULL;
	struct logparse_error err;
	struct buf            body;
	json_t               *rec;
	const char           *s = text, *end = text + len, *nl;
	long                  no = 0;
	enum logparse_result  r;
	double                t0, t1, w0, w1;
	size_t                sink = 0;

	o.json_reference = ds->reference;
	if (pass != PASS_SPLIT)
		p = logparse_new(ds->format, &o);
	buf_init(&body, 8 * 1024 * 1024);
	*records = *errors = 0;
	w0 = bench_now();
	t0 = bench_cpu();
	while (s < end) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (nl == NULL)
			nl = end;
		no++;
		switch (pass) {
		case PASS_SPLIT:
			sink += (size_t)(nl - s);
			break;
		case PASS_PARSE:
		case PASS_FAST:
		case PASS_JANSSON:
			r = logparse_line(p, s, (size_t)(nl - s), no,
			    pass == PASS_JANSSON ? &rec : NULL, &err);
			while (r != LOGPARSE_NEED_MORE) {
				if (r == LOGPARSE_RECORD) {
					(*records)++;
					if (pass == PASS_JANSSON)
						json_decref(rec);
					else if (pass == PASS_FAST) {
						if (body.len > 5 * 1024 * 1024)
							buf_reset(&body);
						record_append_json(
						    &body, logparse_event(p));
						buf_append(&body, "\n", 1);
					}
				} else if (r == LOGPARSE_ERROR ||
				    r == LOGPARSE_FATAL) {
					(*errors)++;
					if (r == LOGPARSE_FATAL)
						break;
				}
				r = logparse_next(p,
				    pass == PASS_JANSSON ? &rec : NULL, &err);
			}
			break;
		default:
			break;
		}
		s = nl + 1;
	}
	t1 = bench_cpu();
	w1 = bench_now();
	*wall = (double)no / (w1 - w0);
	if (pass == PASS_SPLIT)
		*records = sink > 0 ? no : 0;
	buf_free(&body);
	logparse_free(p);
	return ((double)no / (t1 - t0));
}

struct bench_stream {
	struct logparse *p;
	struct buf       body;
	long             records;
};

static bool
bench_stream_line(const char *line, size_t len, long no, void *arg)
{
	struct bench_stream  *bs = arg;
	struct logparse_error err;
	enum logparse_result  r;

	r = logparse_line(bs->p, line, len, no, NULL, &err);
	while (r != LOGPARSE_NEED_MORE && r != LOGPARSE_FATAL) {
		if (r == LOGPARSE_RECORD) {
			bs->records++;
			buf_reset(&bs->body);
			record_append_json(&bs->body, logparse_event(bs->p));
		}
		r = logparse_next(bs->p, NULL, &err);
	}
	return (true);
}

/*
 * Memory stays flat whatever the size of the input: the access log read
 * `times` times from disk in 64 KiB chunks through logsplit, the parser
 * and the fast writer, before anything else grows the heap. Prints the
 * peak resident size.
 */
static void
bench_stream_file(const char *path, int times)
{
	static char         chunk[65536];
	struct logsplit     split;
	struct bench_stream bs;
	struct rusage       ru;
	FILE               *f;
	size_t              n;
	double              t0;
	int                 i;
	unsigned long long  bytes = 0;

	memset(&bs, 0, sizeof(bs));
	bs.p = logparse_new(LOG_FORMAT_ACCESS, NULL);
	buf_init(&bs.body, 4096);
	logsplit_init(&split, 0);
	t0 = bench_now();
	for (i = 0; i < times; i++) {
		if ((f = fopen(path, "rb")) == NULL)
			break;
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
			bytes += n;
			(void)logsplit_feed(
			    &split, chunk, n, bench_stream_line, &bs);
		}
		fclose(f);
	}
	(void)logsplit_finish(&split, bench_stream_line, &bs);
	getrusage(RUSAGE_SELF, &ru);
	printf("streaming: %s read %d times in 64 KiB chunks (%.0f MB), "
	       "%ld records in %.1f s, peak resident size %.1f MB\n\n",
	    path, times, bytes / 1e6, bs.records, bench_now() - t0,
	    ru.ru_maxrss / 1024.0);
	logsplit_free(&split);
	buf_free(&bs.body);
	logparse_free(bs.p);
}

int
main(int argc, char **argv)
{
	const char        *dir = argc > 1 ? argv[1] : "../shared/data";
	const char        *env, *only = getenv("BENCH_ONLY");
	long               want = 1000000, lines, records, errors;
	int                rounds = 3, k, pass;
	double             best[PASS_N], v, w, wall_best, access_jansson = 0;
	double             access_wall = 0;
	size_t             i_ds;
	static const char *pass_names[PASS_N] = {
	    "split", "parse", "+fast", "+jansson"};

	if ((env = getenv("BENCH_LINES")) != NULL && atol(env) > 0)
		want = atol(env);
	if ((env = getenv("BENCH_ROUNDS")) != NULL && atoi(env) > 0)
		rounds = atoi(env);
	printf("parse benchmark: %ld lines per input, best of %d rounds, "
	       "thousands of lines per CPU second; fastMB/s: input MB per CPU "
	       "second of +fast\n\n",
	    want, rounds);
	if ((env = getenv("BENCH_STREAM")) == NULL || atoi(env) > 0) {
		char path[512];

		snprintf(path, sizeof(path), "%s/apache_access_10k.log", dir);
		bench_stream_file(
		    path, env != NULL ? atoi(env) : (int)(want / 10000));
	}
	printf("%-17s %9s %8s", "input", "lines", "MB");
	for (pass = 0; pass < PASS_N; pass++)
		printf(" %9s", pass_names[pass]);
	printf(" %9s %8s\n", "fastMB/s", "errors");
	for (i_ds = 0; i_ds < sizeof(bench_sets) / sizeof(bench_sets[0]);
	     i_ds++) {
		const struct dataset *ds = &bench_sets[i_ds];
		char                  path[512];
		char                 *raw, *text, *src;
		size_t                rawlen, len, srclen;

		if (only != NULL && strncmp(ds->name, only, strlen(only)) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, ds->file);
		if ((raw = bench_read(path, &rawlen)) == NULL) {
			printf("%-17s (missing %s)\n", ds->name, path);
			continue;
		}
		src = raw;
		srclen = rawlen;
		if (ds->skip_header &&
		    (src = memchr(raw, '\n', rawlen)) != NULL) {
			src++;
			srclen = rawlen - (size_t)(src - raw);
		}
		if (ds->from_access) {
			src = bench_ndjson(raw, rawlen, &srclen);
			mem_free(raw);
			raw = src;
		}
		text = bench_repeat(src, srclen, want, &len, &lines);
		mem_free(raw);
		if (ds->skip_header) {
			/* The header once at the start, as in a real file. */
			char             *withhdr = mem_alloc(len + 64);
			static const char hdr[] = "LineId,Date,Time,Level,"
						  "Process,Component,Content,"
						  "EventId,EventTemplate\n";

			memcpy(withhdr, hdr, sizeof(hdr) - 1);
			memcpy(withhdr + sizeof(hdr) - 1, text, len);
			len += sizeof(hdr) - 1;
			mem_free(text);
			text = withhdr;
		}
		printf("%-17s %9ld %8.1f", ds->name, lines, len / 1e6);
		fflush(stdout);
		errors = 0;
		for (pass = 0; pass < PASS_N; pass++) {
			best[pass] = wall_best = 0;
			for (k = 0; k < rounds; k++) {
				v = bench_pass(ds, (enum pass)pass, text, len,
				    &records, &errors, &w);
				if (v > best[pass])
					best[pass] = v;
				if (w > wall_best)
					wall_best = w;
			}
			printf(" %9.0f", best[pass] / 1e3);
			fflush(stdout);
		}
		printf(" %9.0f %8ld\n",
		    best[PASS_FAST] * (double)len / (double)lines / 1e6,
		    errors);
		if (ds->format == LOG_FORMAT_ACCESS)
			access_jansson = best[PASS_JANSSON];
		if (ds->format == LOG_FORMAT_ACCESS)
			access_wall = wall_best;
		mem_free(text);
	}
	printf("\naccess log, parse + jansson record: %.0f lines per CPU "
	       "second (%.0f per wall second), target %.0f: %s\n",
	    access_jansson, access_wall, TARGET_ACCESS,
	    access_jansson >= TARGET_ACCESS ? "PASS" : "FAIL");
	return (0);
}
