/*
 * Log parsers: one line in, one record out, memory flat whatever the
 * size of the file.
 *
 *	struct logparse *p = logparse_new(LOG_FORMAT_ACCESS, &opts);
 *	for each line (without its '\n'; see logsplit below):
 *		r = logparse_line(p, line, len, line_no, &rec, &err);
 *		while (r != LOGPARSE_NEED_MORE) {
 *			RECORD: use rec (yours to json_decref)
 *			ERROR:  err.message, e.g. "line 7: expected 5 columns,
 *			        found 4"; the parser goes on with the next line
 *			FATAL:  the rest cannot be parsed (a broken JSON array)
 *			SKIP:   nothing to do (blank line, CSV header)
 *			if (r == LOGPARSE_FATAL) stop;
 *			r = logparse_next(p, &rec, &err);
 *		}
 *	at the end: the same loop from logparse_finish(p, &rec, &err)
 *	logparse_free(p);
 *
 * logparse_next() exists because one line can hold several records (a
 * JSON array written on one line) and logparse_finish() because a record
 * can be left open at the end (a CSV quoted field or a JSON array never
 * closed). For the other formats they answer LOGPARSE_NEED_MORE at once.
 *
 * record_out may be NULL: no jansson object is built, and the parsed
 * event is read with logparse_event() instead (then record_append_json()
 * writes the bulk body line directly: the fast path).
 *
 * A parser is not thread-safe; use one per file.
 */
#ifndef VIGIE_CORE_LOGPARSE_H
#define VIGIE_CORE_LOGPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/record.h"

/* Longest line accepted by default (bytes, without the newline). */
#define LOGPARSE_LINE_MAX 65536
/* Largest record spanning lines (CSV quoted newlines, a JSON element). */
#define LOGPARSE_RECORD_MAX (1024 * 1024)
/* Most CSV columns. */
#define LOGPARSE_CSV_COLUMNS_MAX 512

enum log_format {
	LOG_FORMAT_UNKNOWN = 0,
	LOG_FORMAT_CSV,
	LOG_FORMAT_JSON, /* NDJSON, or one top-level array */
	LOG_FORMAT_ACCESS, /* Apache/Nginx combined or common */
	LOG_FORMAT_APACHE_ERROR, /* Apache httpd error log (2.2 and 2.4) */
	LOG_FORMAT_SYSLOG, /* RFC 3164 (PRI optional) and RFC 5424 */
	LOG_FORMAT_PLAIN, /* message only, leading timestamp if any */
};

enum logparse_result {
	LOGPARSE_RECORD, /* *record_out (or logparse_event()) is a record */
	LOGPARSE_SKIP, /* nothing: blank line, CSV header */
	LOGPARSE_NEED_MORE, /* the input so far is consumed */
	LOGPARSE_ERROR, /* err says where; the next line is parsed anew */
	LOGPARSE_FATAL, /* err says where; nothing more can be parsed */
};

struct logparse_opts {
	/* Time of ingestion (UTC ms): @timestamp of lines without one. */
	int64_t ingest_ms;
	/*
	 * Year of syslog RFC 3164 lines, which have none. 0: the year of
	 * ingest_ms, or the one before when that puts the first line more
	 * than a day after ingest_ms. Either way the year goes up by one
	 * when the month goes from December to January.
	 */
	int default_year;
	/* Seconds east of UTC of timestamps written without a zone. */
	int tz_offset_s;
	/* CSV: ',' ';' or '\t'; 0 detects it from the first line. */
	char csv_delimiter;
	/* CSV: the first row is data, columns are named col1, col2, ... */
	bool csv_no_header;
	/* Do not write event.original (the raw line). */
	bool no_original;
	/*
	 * JSON: map every element through a jansson tree, not the fast
	 * path (the reference the fast path is tested against; slower).
	 */
	bool json_reference;
	/* Longest line (0: LOGPARSE_LINE_MAX) and record (0: the default). */
	size_t max_line;
	size_t max_record;
};

struct logparse_error {
	long line; /* 1-based line of the input */
	long column; /* 1-based byte column, 0 when not known */
	char message[256]; /* "line N[ column M]: what" */
};

struct logparse;

/*
 * A parser for one format (not LOG_FORMAT_UNKNOWN: detect first). opts
 * may be NULL (all defaults, ingest_ms 0); it is copied.
 */
struct logparse *logparse_new(enum log_format, const struct logparse_opts *);
void             logparse_free(struct logparse *);

/*
 * Feeds one line: line[0..len) without its '\n' (a trailing '\r' is
 * dropped here too; a UTF-8 byte order mark on the first line as well).
 * line_no is the 1-based line number for error messages. A line longer
 * than max_line is an ERROR (logsplit hands such lines over cut to
 * max_line + 1 bytes). The line must stay valid until the next call.
 */
enum logparse_result logparse_line(struct logparse *, const char *line,
    size_t len, long line_no, json_t **record_out, struct logparse_error *);

/* The next result from input already fed; see the loop above. */
enum logparse_result
logparse_next(struct logparse *, json_t **record_out, struct logparse_error *);

/* After the last line: reports a record left open. Same loop. */
enum logparse_result logparse_finish(
    struct logparse *, json_t **record_out, struct logparse_error *);

/* The event of the last LOGPARSE_RECORD, valid until the next call. */
const struct log_event *logparse_event(const struct logparse *);

/* Records and errors so far. */
long logparse_records(const struct logparse *);
long logparse_errors(const struct logparse *);

/* "csv", "json", "access", "apache_error", "syslog", "plain". */
const char *logformat_name(enum log_format);
/* The inverse ("auto" and unknown names give LOG_FORMAT_UNKNOWN). */
enum log_format logformat_from_name(const char *);

/* ------------------------------------------------------------- detection */

/* How much of the start of a file detection looks at. */
#define LOGDETECT_SAMPLE 8192

struct logdetect {
	enum log_format format;
	bool            json_array; /* JSON: a top-level array */
	char            csv_delimiter; /* CSV: the delimiter seen */
	int             lines; /* sample lines looked at */
	int             matched; /* of which the format accepted */
	char            reason[160]; /* why refused, or how decided */
};

/*
 * Decides the format of a file from its first bytes (up to
 * LOGDETECT_SAMPLE are looked at; more_follows says the sample was cut
 * from a longer file, so its last line may be incomplete). hint forces
 * the format when it is not LOG_FORMAT_UNKNOWN (the text is still
 * checked). Returns false, with a reason, for content we refuse: empty,
 * a NUL byte ("binary content (NUL byte at offset 12)"), UTF-16, or text
 * that is not UTF-8 ("not UTF-8 text (invalid byte at offset 40)").
 */
bool logdetect(const char *buf, size_t len, bool more_follows,
    enum log_format hint, struct logdetect *out);

/* ------------------------------------------------------- line splitting */

/*
 * Cuts a stream of bytes into lines for logparse_line(): '\n' ends a
 * line, a '\r' before it is dropped, the last line needs no newline.
 * Memory stays under max_line whatever comes in: a longer line is handed
 * over cut to max_line + 1 bytes (so that the parser reports it) and the
 * rest of it is skipped.
 */
struct logsplit {
	struct buf pending;
	size_t     max_line;
	long       line_no;
	bool       overlong; /* inside a line already handed over cut */
};

/* Called once per line; return false to stop. */
typedef bool (*logsplit_fn)(
    const char *line, size_t len, long line_no, void *arg);

void logsplit_init(struct logsplit *, size_t max_line);
void logsplit_free(struct logsplit *);
/* Feeds data; returns false when fn asked to stop. */
bool logsplit_feed(
    struct logsplit *, const char *data, size_t len, logsplit_fn fn, void *arg);
/* Hands over the last line if it had no newline. */
bool logsplit_finish(struct logsplit *, logsplit_fn fn, void *arg);

#endif
