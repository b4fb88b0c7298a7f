#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/export_csv.h"

const char *const export_csv_fields[EXPORT_CSV_COLUMNS - 1] = {
    "@timestamp",
    "log.level",
    "service.name",
    "host.name",
    "message",
    "client.ip",
    "http.request.method",
    "url.path",
    "http.response.status_code",
    "http.response.body.bytes",
    "event.duration",
    "trace.id",
};

void
export_csv_cell(struct buf *b, const char *s, size_t len)
{
	bool   quote, formula;
	size_t i, start;

	formula = len > 0 && strchr("=+-@\t\r", s[0]) != NULL;
	quote = false;
	for (i = 0; i < len && !quote; i++)
		quote =
		    s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
	if (quote)
		buf_append(b, "\"", 1);
	if (formula)
		buf_append(b, "'", 1);
	for (i = 0, start = 0; i < len; i++) {
		if (s[i] != '"')
			continue;
		buf_append(b, s + start, i + 1 - start); /* up to the '"' */
		buf_append(b, "\"", 1);
		start = i + 1;
	}
	buf_append(b, s + start, len - start);
	if (quote)
		buf_append(b, "\"", 1);
}

void
export_csv_header(struct buf *b)
{
	size_t i;

	/* Our own names: "timestamp", as a leading '@' would be escaped. */
	buf_appends(b, "id,timestamp");
	for (i = 1; i < EXPORT_CSV_COLUMNS - 1; i++) {
		buf_append(b, ",", 1);
		export_csv_cell(
		    b, export_csv_fields[i], strlen(export_csv_fields[i]));
	}
	buf_append(b, "\r\n", 2);
}

/* A field of _source: the flat key, else the path through objects. */
static const json_t *
export_csv_lookup(const json_t *source, const char *field)
{
	const json_t *v;
	const char   *dot;
	char          head[64];
	size_t        n;

	if ((v = json_object_get(source, field)) != NULL)
		return (v);
	while ((dot = strchr(field, '.')) != NULL && json_is_object(source)) {
		n = (size_t)(dot - field);
		if (n >= sizeof(head))
			return (NULL);
		memcpy(head, field, n);
		head[n] = '\0';
		if ((source = json_object_get(source, head)) == NULL)
			return (NULL);
		field = dot + 1;
		if ((v = json_object_get(source, field)) != NULL)
			return (v);
	}
	return (NULL);
}

static void
export_csv_value(struct buf *b, const json_t *v)
{
	char *text;

	if (v == NULL || json_is_null(v))
		return;
	if (json_is_string(v)) {
		export_csv_cell(b, json_string_value(v), json_string_length(v));
		return;
	}
	text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (text != NULL) {
		export_csv_cell(b, text, strlen(text));
		free(text);
	}
}

void
export_csv_row(struct buf *b, const char *id, const json_t *source)
{
	size_t i;

	export_csv_cell(b, id, strlen(id));
	for (i = 0; i < EXPORT_CSV_COLUMNS - 1; i++) {
		buf_append(b, ",", 1);
		export_csv_value(
		    b, export_csv_lookup(source, export_csv_fields[i]));
	}
	buf_append(b, "\r\n", 2);
}
