/*
 * The common schema every parsed log line is mapped to: ECS-style field
 * names as flat dotted keys ("log.level": "ERROR"), which Elasticsearch
 * accepts under an explicit mapping.
 *
 * A parser fills a struct log_event whose strings point into memory the
 * parser owns (the line, its own buffers, or the event's arena); the
 * event is valid until the parser's next call. record_to_json() turns it
 * into a new jansson object; record_append_json() writes the same object
 * as compact JSON text straight into a buffer (the fast path for bulk
 * bodies: no jansson allocation at all). Both produce the same keys and
 * values; strings that are not valid UTF-8 get U+FFFD for each bad byte
 * (and for each NUL byte: jansson refuses \u0000).
 *
 * Fields written (see record_fields[] for the Elasticsearch type of each):
 *   @timestamp, message, log.level, log.logger, service.name, host.name,
 *   client.ip, client.domain, client.port, user.name, url.path, url.query,
 *   http.request.method, http.response.status_code,
 *   http.response.body.bytes, http.version, user_agent.original,
 *   http.request.referrer, event.duration, trace.id, span.id,
 *   process.pid, process.thread.id, log.syslog.facility.code,
 *   log.syslog.severity.code, log.syslog.msgid, event.original,
 *   labels.<name>.
 */
#ifndef VIGIE_CORE_RECORD_H
#define VIGIE_CORE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/buf.h"

/* At most this many labels per record; more are dropped. */
#define RECORD_LABELS_MAX 50
/* Label names are cut to this many bytes after sanitizing. */
#define RECORD_LABEL_NAME_MAX 64
/* Label values (nested JSON dumped as text) are cut to this many bytes. */
#define RECORD_LABEL_VALUE_MAX 8192

enum event_level {
	EVENT_LEVEL_NONE = 0,
	EVENT_LEVEL_DEBUG,
	EVENT_LEVEL_INFO,
	EVENT_LEVEL_WARNING,
	EVENT_LEVEL_ERROR,
	EVENT_LEVEL_CRITICAL,
};

/* A string that points into memory someone else owns. */
struct log_str {
	const char *ptr;
	size_t      len;
};

struct log_label {
	struct log_str name; /* already sanitized: [a-z0-9_] */
	struct log_str value;
};

/* Blocks of memory for strings a parser makes (unescaped values...). */
struct record_arena {
	char  *block; /* the first block, kept across resets */
	size_t size;
	size_t used;
	void  *extra; /* more blocks, freed on reset */
};

/*
 * One parsed line. Absent strings have ptr == NULL; absent numbers are
 * negative (status, bytes, pid, tid, facility, severity, duration_ns,
 * client_port).
 */
struct log_event {
	int64_t          ts_ms;
	bool             has_ts;
	enum event_level level;
	struct log_str   message;
	struct log_str   logger;
	struct log_str   service;
	struct log_str   host;
	struct log_str   client_ip;
	struct log_str   client_domain;
	struct log_str   user;
	struct log_str   method;
	struct log_str   path;
	struct log_str   query;
	struct log_str   http_version;
	struct log_str   referrer;
	struct log_str   user_agent;
	struct log_str   trace_id;
	struct log_str   span_id;
	struct log_str   msgid;
	struct log_str   original;
	int64_t          client_port;
	int64_t          status;
	int64_t          bytes;
	int64_t          duration_ns;
	int64_t          pid;
	int64_t          tid;
	int              facility;
	int              severity;

	struct log_label labels[RECORD_LABELS_MAX];
	int              nlabels;

	struct record_arena arena;
};

/* One output field and its Elasticsearch type, for the index mapping. */
struct record_field {
	const char *name;
	const char *es_type; /* date, keyword, text, long, integer, ip */
};

/* The fields above, NULL-terminated ("labels.*" is a dynamic keyword). */
extern const struct record_field record_fields[];

/* Sets up an empty event with an empty arena; record_event_free() ends. */
void record_event_init(struct log_event *);
void record_event_free(struct log_event *);

/* Empties the event for the next line; keeps the arena's first block. */
void record_event_reset(struct log_event *);

/* len bytes from the event's arena, valid until the next reset. */
char *record_arena_alloc(struct log_event *, size_t len);

/* A copy of s[0..len) in the arena. */
struct log_str record_arena_copy(struct log_event *, const char *s, size_t len);

/*
 * Adds labels.<name> = value: the name is lowercased and sanitized to
 * [a-z0-9_] (other bytes become '_', runs collapse, cut to
 * RECORD_LABEL_NAME_MAX), the value is cut to RECORD_LABEL_VALUE_MAX.
 * Returns false when the event has RECORD_LABELS_MAX labels already or
 * the name is taken (the first value wins).
 */
bool record_label_add(struct log_event *, const char *name, size_t name_len,
    const char *value, size_t value_len);

/*
 * A level word or number to a level: trace/debug/dbg/verbose/fine →
 * DEBUG, info/information/notice/ok → INFO, warn/warning → WARNING,
 * err/error/severe/fail → ERROR, crit/critical/fatal/alert/emerg/panic →
 * CRITICAL (any case); numbers are syslog severities 0..7 or the pino /
 * bunyan levels 10..60. EVENT_LEVEL_NONE when unknown.
 */
enum event_level record_level_parse(const char *s, size_t len);

/* Syslog severity 0..7 to a level. */
enum event_level record_level_from_severity(int severity);

/* HTTP status to a level: >= 500 ERROR, 4xx WARNING, else INFO. */
enum event_level record_level_from_status(int64_t status);

/* "DEBUG", "INFO", ... or NULL for EVENT_LEVEL_NONE. */
const char *record_level_name(enum event_level);

/*
 * Assigns a field of a JSON or CSV record by its source name (any case;
 * '.', '-' and ' ' alike; "Level", "log.level", "severity", "ts",
 * "@timestamp", "status", "remote_addr", ...) to the event field it
 * means. Values that do not fit the field (a status that is not a number,
 * an unparsable timestamp, an unknown level word, a client address that
 * is not an IP) and unknown names become labels. The value's memory must
 * live as long as the event. year and tz_offset_s are for timestamps
 * without them.
 */
void record_assign(struct log_event *, const char *name, size_t name_len,
    const char *value, size_t value_len, int year, int tz_offset_s);

/* True when s[0..len) is an IPv4 or IPv6 address literal. */
bool record_is_ip(const char *s, size_t len);

/*
 * Splits a request target or URL into path and query (a scheme and host
 * are dropped: "http://h/a?b" gives "/a" and "b").
 */
void record_set_url(struct log_event *, const char *s, size_t len);

/* A new object holding the record (never NULL: aborts on OOM). */
json_t *record_to_json(const struct log_event *);

/* Appends the record as one line of compact JSON (no newline). */
void record_append_json(struct buf *, const struct log_event *);

/* For the unit tests: checks the alias table is sorted. */
bool record_aliases_sorted(void);

#endif
