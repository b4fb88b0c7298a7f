/*
 * The dispatcher of the log parsers: line hygiene (CR, BOM, length),
 * the per-format parser, then the record (see logparse.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/logparse_impl.h"
#include "core/mem.h"

static const struct {
	enum log_format format;
	const char     *name;
} logparse_names[] = {
    {LOG_FORMAT_CSV, "csv"},
    {LOG_FORMAT_JSON, "json"},
    {LOG_FORMAT_ACCESS, "access"},
    {LOG_FORMAT_APACHE_ERROR, "apache_error"},
    {LOG_FORMAT_SYSLOG, "syslog"},
    {LOG_FORMAT_PLAIN, "plain"},
};

#define LOGPARSE_NAMES_N (sizeof(logparse_names) / sizeof(logparse_names[0]))

const char *
logformat_name(enum log_format f)
{
	size_t i;

	for (i = 0; i < LOGPARSE_NAMES_N; i++) {
		if (logparse_names[i].format == f)
			return (logparse_names[i].name);
	}
	return ("unknown");
}

enum log_format
logformat_from_name(const char *name)
{
	size_t i;

	if (name == NULL)
		return (LOG_FORMAT_UNKNOWN);
	for (i = 0; i < LOGPARSE_NAMES_N; i++) {
		if (strcmp(logparse_names[i].name, name) == 0)
			return (logparse_names[i].format);
	}
	if (strcmp(name, "ndjson") == 0)
		return (LOG_FORMAT_JSON);
	return (LOG_FORMAT_UNKNOWN);
}

void
logparse_fail(
    struct logparse_error *err, long line, long column, const char *fmt, ...)
{
	va_list ap;
	int     n;

	err->line = line;
	err->column = column;
	if (column > 0)
		n = snprintf(err->message, sizeof(err->message),
		    "line %ld column %ld: ", line, column);
	else
		n = snprintf(
		    err->message, sizeof(err->message), "line %ld: ", line);
	if (n < 0 || (size_t)n >= sizeof(err->message))
		return;
	va_start(ap, fmt);
	(void)vsnprintf(
	    err->message + n, sizeof(err->message) - (size_t)n, fmt, ap);
	va_end(ap);
}

bool
logparse_blank(const char *line, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (line[i] != ' ' && line[i] != '\t')
			return (false);
	}
	return (true);
}

struct logparse *
logparse_new(enum log_format format, const struct logparse_opts *opts)
{
	struct logparse *p;

	p = mem_calloc(1, sizeof(*p));
	p->format = format;
	if (opts != NULL)
		p->opts = *opts;
	if (p->opts.max_line == 0)
		p->opts.max_line = LOGPARSE_LINE_MAX;
	if (p->opts.max_record == 0)
		p->opts.max_record = LOGPARSE_RECORD_MAX;
	if (p->opts.max_record < p->opts.max_line)
		p->opts.max_record = p->opts.max_line;
	switch (format) {
	case LOG_FORMAT_CSV:
		p->ops = &csv_ops;
		break;
	case LOG_FORMAT_JSON:
		p->ops = &jsonlog_ops;
		break;
	case LOG_FORMAT_ACCESS:
		p->ops = &access_ops;
		break;
	case LOG_FORMAT_APACHE_ERROR:
		p->ops = &apacheerr_ops;
		break;
	case LOG_FORMAT_SYSLOG:
		p->ops = &syslog_ops;
		break;
	default:
		p->format = LOG_FORMAT_PLAIN;
		p->ops = &plain_ops;
		break;
	}
	record_event_init(&p->ev);
	if (p->ops->create != NULL)
		p->state = p->ops->create(p);
	return (p);
}

void
logparse_free(struct logparse *p)
{
	if (p == NULL)
		return;
	if (p->ops->destroy != NULL)
		p->ops->destroy(p->state);
	record_event_free(&p->ev);
	mem_free(p);
}

/* Counts a result and, for a record, completes it and builds the object. */
static enum logparse_result
logparse_emit(struct logparse *p, enum logparse_result r, json_t **record_out,
    const struct logparse_error *err)
{
	if (record_out != NULL)
		*record_out = NULL;
	switch (r) {
	case LOGPARSE_RECORD:
		p->records++;
		if (!p->ev.has_ts) {
			p->ev.ts_ms = p->opts.ingest_ms;
			p->ev.has_ts = true;
		}
		if (p->opts.no_original)
			p->ev.original.ptr = NULL;
		if (record_out != NULL)
			*record_out = record_to_json(&p->ev);
		break;
	case LOGPARSE_ERROR:
		p->errors++;
		break;
	case LOGPARSE_FATAL:
		p->errors++;
		p->fatal = true;
		p->fatal_err = *err;
		break;
	default:
		break;
	}
	return (r);
}

enum logparse_result
logparse_line(struct logparse *p, const char *line, size_t len, long line_no,
    json_t **record_out, struct logparse_error *err)
{
	enum logparse_result r;

	if (record_out != NULL)
		*record_out = NULL;
	if (p->fatal) {
		*err = p->fatal_err;
		return (LOGPARSE_FATAL);
	}
	record_event_reset(&p->ev);
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (!p->started) {
		p->started = true;
		if (len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
			line += 3;
			len -= 3;
		}
	}
	if (len > p->opts.max_line) {
		if (p->ops->overlong != NULL)
			r = p->ops->overlong(p, line_no, err);
		else {
			logparse_fail(err, line_no, 0,
			    "line longer than %zu bytes", p->opts.max_line);
			r = LOGPARSE_ERROR;
		}
		return (logparse_emit(p, r, record_out, err));
	}
	r = p->ops->line(p, line, len, line_no, err);
	return (logparse_emit(p, r, record_out, err));
}

enum logparse_result
logparse_next(
    struct logparse *p, json_t **record_out, struct logparse_error *err)
{
	if (record_out != NULL)
		*record_out = NULL;
	if (p->fatal || p->ops->next == NULL)
		return (LOGPARSE_NEED_MORE);
	record_event_reset(&p->ev);
	return (logparse_emit(p, p->ops->next(p, err), record_out, err));
}

enum logparse_result
logparse_finish(
    struct logparse *p, json_t **record_out, struct logparse_error *err)
{
	if (record_out != NULL)
		*record_out = NULL;
	if (p->fatal || p->ops->finish == NULL)
		return (LOGPARSE_NEED_MORE);
	record_event_reset(&p->ev);
	return (logparse_emit(p, p->ops->finish(p, err), record_out, err));
}

const struct log_event *
logparse_event(const struct logparse *p)
{
	return (&p->ev);
}

long
logparse_records(const struct logparse *p)
{
	return (p->records);
}

long
logparse_errors(const struct logparse *p)
{
	return (p->errors);
}
