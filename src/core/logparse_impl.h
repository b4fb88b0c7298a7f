/*
 * Inside the log parsers: what logparse.c (the dispatcher) shares with
 * the per-format files parse_*.c and with detect.c. Not for other
 * modules: they use logparse.h.
 */
#ifndef VIGIE_CORE_LOGPARSE_IMPL_H
#define VIGIE_CORE_LOGPARSE_IMPL_H

#include "core/logparse.h"

struct logparse;

/*
 * One format. line() parses into p->ev (reset before each call) and
 * returns RECORD, SKIP, NEED_MORE, ERROR or FATAL; next(), finish(),
 * overlong() and destroy() may be NULL.
 */
struct logparse_ops {
	void *(*create)(struct logparse *);
	void (*destroy)(void *);
	enum logparse_result (*line)(struct logparse *, const char *, size_t,
	    long, struct logparse_error *);
	enum logparse_result (*next)(
	    struct logparse *, struct logparse_error *);
	enum logparse_result (*finish)(
	    struct logparse *, struct logparse_error *);
	enum logparse_result (*overlong)(
	    struct logparse *, long, struct logparse_error *);
};

struct logparse {
	enum log_format            format;
	struct logparse_opts       opts;
	const struct logparse_ops *ops;
	void                      *state;
	struct log_event           ev;
	long                       records;
	long                       errors;
	bool                       started; /* a line was fed */
	bool                       fatal;
	struct logparse_error      fatal_err;
};

extern const struct logparse_ops csv_ops;
extern const struct logparse_ops jsonlog_ops;
extern const struct logparse_ops access_ops;
extern const struct logparse_ops apacheerr_ops;
extern const struct logparse_ops syslog_ops;
extern const struct logparse_ops plain_ops;

/* Fills err: "line N: ..." (column 0) or "line N column M: ...". */
void logparse_fail(struct logparse_error *, long line, long column,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* True when line[0..len) holds only blanks (or nothing). */
bool logparse_blank(const char *line, size_t len);

/*
 * The stateless line parsers, shared with detection. Each fills ev from
 * line[0..len) (strings point into the line or the event's arena) and
 * returns 0, or the 1-based column where the line stopped making sense.
 */
long access_parse(struct log_event *, const char *, size_t);
long apacheerr_parse(struct log_event *, const char *, size_t, int tz_offset_s);

/*
 * Syslog: everything but the RFC 3164 timestamp's year. For a 3164 line
 * *ts_at is the offset of "Mmm dd hh:mm:ss" and *month its month (the
 * caller then calls timeparse_syslog with the year it chose); for RFC
 * 5424 or a 3164 line with an ISO timestamp, *ts_at is -1 and ev->ts_ms
 * is set.
 */
long syslog_parse(struct log_event *, const char *, size_t, int tz_offset_s,
    long *ts_at, int *month);

/* JSON: nested objects flattened this deep; longest dotted name. */
#define JSONLOG_FLATTEN  3
#define JSONLOG_NAME_MAX 128

/* A JSON value as record text (strings as is, numbers printed, nested
 * values as compact JSON cut to RECORD_LABEL_VALUE_MAX); false for null. */
bool jsonlog_value_text(struct log_event *, json_t *, struct log_str *);

/*
 * Maps the JSON object text[0..len) into p->ev without a jansson tree.
 * False (the event reset) whenever it cannot give exactly what the
 * jansson path gives; the caller then uses that path.
 */
bool jsonflat_map(struct logparse *, const char *text, size_t len, int year);

/*
 * A timestamp at the start of a plain line: returns the bytes it takes
 * (0 if none) and sets *ms. year is for syslog-like stamps.
 */
size_t
plain_timestamp(const char *, size_t, int year, int tz_offset_s, int64_t *ms);

#endif
