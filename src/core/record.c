#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/mem.h"
#include "core/record.h"
#include "core/timeparse.h"
#include "core/utf8.h"

#define ARENA_BLOCK 16384

/* The first block is kept; later ones form a list freed on reset. */
struct arena_extra {
	struct arena_extra *next;
	char                data[];
};

enum record_target {
	RF_TS,
	RF_MSG,
	RF_LEVEL,
	RF_LOGGER,
	RF_SERVICE,
	RF_HOST,
	RF_CLIENT_IP,
	RF_CLIENT_PORT,
	RF_USER,
	RF_METHOD,
	RF_URL,
	RF_QUERY,
	RF_STATUS,
	RF_BYTES,
	RF_VERSION,
	RF_UA,
	RF_REFERRER,
	RF_DURATION_NS,
	RF_DURATION_US,
	RF_DURATION_MS,
	RF_DURATION_S,
	RF_TRACE,
	RF_SPAN,
	RF_PID,
	RF_TID,
};

struct record_alias {
	const char        *name;
	enum record_target target;
};

/*
 * Source field names (lowercase, '.', '-' and ' ' written '_'), sorted by
 * byte value for bsearch (a unit test checks the order).
 */
static const struct record_alias record_aliases[] = {
    {"@timestamp", RF_TS},
    {"agent", RF_UA},
    {"app", RF_SERVICE},
    {"app_name", RF_SERVICE},
    {"application", RF_SERVICE},
    {"appname", RF_SERVICE},
    {"body_bytes_sent", RF_BYTES},
    {"bytes", RF_BYTES},
    {"bytes_sent", RF_BYTES},
    {"client_addr", RF_CLIENT_IP},
    {"client_address", RF_CLIENT_IP},
    {"client_ip", RF_CLIENT_IP},
    {"client_port", RF_CLIENT_PORT},
    {"clientip", RF_CLIENT_IP},
    {"content", RF_MSG},
    {"content_length", RF_BYTES},
    {"date", RF_TS},
    {"date_time", RF_TS},
    {"datetime", RF_TS},
    {"duration", RF_DURATION_MS},
    {"duration_ms", RF_DURATION_MS},
    {"duration_ns", RF_DURATION_NS},
    {"duration_s", RF_DURATION_S},
    {"duration_us", RF_DURATION_US},
    {"elapsed", RF_DURATION_MS},
    {"elapsed_ms", RF_DURATION_MS},
    {"elapsed_ns", RF_DURATION_NS},
    {"elapsed_s", RF_DURATION_S},
    {"elapsed_us", RF_DURATION_US},
    {"event_duration", RF_DURATION_NS},
    {"event_time", RF_TS},
    {"eventtime", RF_TS},
    {"host", RF_HOST},
    {"host_hostname", RF_HOST},
    {"host_name", RF_HOST},
    {"hostname", RF_HOST},
    {"http_method", RF_METHOD},
    {"http_referer", RF_REFERRER},
    {"http_referrer", RF_REFERRER},
    {"http_request_method", RF_METHOD},
    {"http_request_referrer", RF_REFERRER},
    {"http_response_body_bytes", RF_BYTES},
    {"http_response_status_code", RF_STATUS},
    {"http_status", RF_STATUS},
    {"http_user_agent", RF_UA},
    {"http_version", RF_VERSION},
    {"ip", RF_CLIENT_IP},
    {"latency_ms", RF_DURATION_MS},
    {"level", RF_LEVEL},
    {"level_name", RF_LEVEL},
    {"levelname", RF_LEVEL},
    {"log", RF_MSG},
    {"log_level", RF_LEVEL},
    {"log_logger", RF_LOGGER},
    {"logger", RF_SERVICE},
    {"logger_name", RF_SERVICE},
    {"loglevel", RF_LEVEL},
    {"lvl", RF_LEVEL},
    {"message", RF_MSG},
    {"method", RF_METHOD},
    {"msg", RF_MSG},
    {"path", RF_URL},
    {"pid", RF_PID},
    {"process_id", RF_PID},
    {"process_pid", RF_PID},
    {"process_thread_id", RF_TID},
    {"processid", RF_PID},
    {"program", RF_SERVICE},
    {"protocol", RF_VERSION},
    {"query", RF_QUERY},
    {"query_string", RF_QUERY},
    {"querystring", RF_QUERY},
    {"referer", RF_REFERRER},
    {"referrer", RF_REFERRER},
    {"remote_addr", RF_CLIENT_IP},
    {"remote_ip", RF_CLIENT_IP},
    {"remote_port", RF_CLIENT_PORT},
    {"remote_user", RF_USER},
    {"remoteip", RF_CLIENT_IP},
    {"request_method", RF_METHOD},
    {"request_path", RF_URL},
    {"request_time", RF_DURATION_S},
    {"request_uri", RF_URL},
    {"response_bytes", RF_BYTES},
    {"response_code", RF_STATUS},
    {"response_size", RF_BYTES},
    {"response_status", RF_STATUS},
    {"response_time_ms", RF_DURATION_MS},
    {"server_protocol", RF_VERSION},
    {"service", RF_SERVICE},
    {"service_name", RF_SERVICE},
    {"severity", RF_LEVEL},
    {"severity_text", RF_LEVEL},
    {"short_message", RF_MSG},
    {"size", RF_BYTES},
    {"source_ip", RF_CLIENT_IP},
    {"span_id", RF_SPAN},
    {"spanid", RF_SPAN},
    {"src_ip", RF_CLIENT_IP},
    {"status", RF_STATUS},
    {"status_code", RF_STATUS},
    {"statuscode", RF_STATUS},
    {"syslog_identifier", RF_SERVICE},
    {"text", RF_MSG},
    {"thread_id", RF_TID},
    {"tid", RF_TID},
    {"time", RF_TS},
    {"time_iso8601", RF_TS},
    {"time_local", RF_TS},
    {"timestamp", RF_TS},
    {"took", RF_DURATION_MS},
    {"took_ms", RF_DURATION_MS},
    {"trace_id", RF_TRACE},
    {"traceid", RF_TRACE},
    {"ts", RF_TS},
    {"ua", RF_UA},
    {"uri", RF_URL},
    {"url", RF_URL},
    {"url_original", RF_URL},
    {"url_path", RF_URL},
    {"url_query", RF_QUERY},
    {"user", RF_USER},
    {"user_agent", RF_UA},
    {"user_agent_original", RF_UA},
    {"user_name", RF_USER},
    {"useragent", RF_UA},
    {"username", RF_USER},
    {"verb", RF_METHOD},
};

#define ALIASES_N (sizeof(record_aliases) / sizeof(record_aliases[0]))

struct record_level_word {
	const char      *word;
	enum event_level level;
};

static const struct record_level_word record_level_words[] = {
    {"trace", EVENT_LEVEL_DEBUG},
    {"trac", EVENT_LEVEL_DEBUG},
    {"debug", EVENT_LEVEL_DEBUG},
    {"debu", EVENT_LEVEL_DEBUG},
    {"dbg", EVENT_LEVEL_DEBUG},
    {"verbose", EVENT_LEVEL_DEBUG},
    {"fine", EVENT_LEVEL_DEBUG},
    {"finer", EVENT_LEVEL_DEBUG},
    {"finest", EVENT_LEVEL_DEBUG},
    {"d", EVENT_LEVEL_DEBUG},
    {"info", EVENT_LEVEL_INFO},
    {"inf", EVENT_LEVEL_INFO},
    {"information", EVENT_LEVEL_INFO},
    {"informational", EVENT_LEVEL_INFO},
    {"notice", EVENT_LEVEL_INFO},
    {"i", EVENT_LEVEL_INFO},
    {"warn", EVENT_LEVEL_WARNING},
    {"warning", EVENT_LEVEL_WARNING},
    {"wrn", EVENT_LEVEL_WARNING},
    {"w", EVENT_LEVEL_WARNING},
    {"err", EVENT_LEVEL_ERROR},
    {"erro", EVENT_LEVEL_ERROR},
    {"error", EVENT_LEVEL_ERROR},
    {"severe", EVENT_LEVEL_ERROR},
    {"fail", EVENT_LEVEL_ERROR},
    {"failure", EVENT_LEVEL_ERROR},
    {"e", EVENT_LEVEL_ERROR},
    {"crit", EVENT_LEVEL_CRITICAL},
    {"critical", EVENT_LEVEL_CRITICAL},
    {"fatal", EVENT_LEVEL_CRITICAL},
    {"fata", EVENT_LEVEL_CRITICAL},
    {"alert", EVENT_LEVEL_CRITICAL},
    {"emerg", EVENT_LEVEL_CRITICAL},
    {"emergency", EVENT_LEVEL_CRITICAL},
    {"panic", EVENT_LEVEL_CRITICAL},
    {"pani", EVENT_LEVEL_CRITICAL},
    {"f", EVENT_LEVEL_CRITICAL},
};

const struct record_field record_fields[] = {
    {"@timestamp", "date"},
    {"message", "text"},
    {"log.level", "keyword"},
    {"log.logger", "keyword"},
    {"service.name", "keyword"},
    {"host.name", "keyword"},
    {"client.ip", "ip"},
    {"client.domain", "keyword"},
    {"client.port", "long"},
    {"user.name", "keyword"},
    {"url.path", "keyword"},
    {"url.query", "keyword"},
    {"http.request.method", "keyword"},
    {"http.response.status_code", "long"},
    {"http.response.body.bytes", "long"},
    {"http.version", "keyword"},
    {"user_agent.original", "keyword"},
    {"http.request.referrer", "keyword"},
    {"event.duration", "long"},
    {"trace.id", "keyword"},
    {"span.id", "keyword"},
    {"process.pid", "long"},
    {"process.thread.id", "long"},
    {"log.syslog.facility.code", "long"},
    {"log.syslog.severity.code", "long"},
    {"log.syslog.msgid", "keyword"},
    {"event.original", "keyword"},
    {"labels.*", "keyword"},
    {NULL, NULL},
};

/* ---------------------------------------------------------------- arena -- */

void
record_event_init(struct log_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	record_event_reset(ev);
}

void
record_event_free(struct log_event *ev)
{
	record_event_reset(ev);
	mem_free(ev->arena.block);
	ev->arena.block = NULL;
	ev->arena.size = 0;
}

void
record_event_reset(struct log_event *ev)
{
	struct record_arena arena = ev->arena;
	struct arena_extra *x, *next;

	for (x = arena.extra; x != NULL; x = next) {
		next = x->next;
		mem_free(x);
	}
	arena.extra = NULL;
	arena.used = 0;
	/* Clear the fixed fields only: the labels array is cut by nlabels. */
	memset(ev, 0, offsetof(struct log_event, labels));
	ev->client_port = ev->status = ev->bytes = -1;
	ev->duration_ns = ev->pid = ev->tid = -1;
	ev->facility = ev->severity = -1;
	ev->nlabels = 0;
	ev->arena = arena;
}

char *
record_arena_alloc(struct log_event *ev, size_t len)
{
	struct record_arena *a = &ev->arena;
	struct arena_extra  *x;
	char                *p;

	if (a->block == NULL) {
		a->size = ARENA_BLOCK;
		a->block = mem_alloc(a->size);
		a->used = 0;
	}
	if (len <= a->size - a->used) {
		p = a->block + a->used;
		a->used += len;
		return (p);
	}
	/* A block of its own: lines are bounded, so these stay few. */
	x = mem_alloc(sizeof(*x) + len + 1);
	x->next = a->extra;
	a->extra = x;
	return (x->data);
}

struct log_str
record_arena_copy(struct log_event *ev, const char *s, size_t len)
{
	struct log_str out;
	char          *p;

	p = record_arena_alloc(ev, len);
	if (len > 0)
		memcpy(p, s, len);
	out.ptr = p;
	out.len = len;
	return (out);
}

/* --------------------------------------------------------------- labels -- */

/* Sanitized label name of name[0..len) into out (RECORD_LABEL_NAME_MAX). */
static size_t
record_label_name(const char *name, size_t len, char *out)
{
	size_t i, n = 0;
	int    c;
	bool   under = true; /* drops leading '_' */

	for (i = 0; i < len && n < RECORD_LABEL_NAME_MAX; i++) {
		c = (unsigned char)name[i];
		if (c >= 'A' && c <= 'Z')
			c += 32;
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			out[n++] = (char)c;
			under = false;
		} else if (!under) {
			out[n++] = '_';
			under = true;
		}
	}
	while (n > 0 && out[n - 1] == '_')
		n--;
	if (n == 0) {
		memcpy(out, "field", 5);
		n = 5;
	}
	return (n);
}

bool
record_label_add(struct log_event *ev, const char *name, size_t name_len,
    const char *value, size_t value_len)
{
	char              clean[RECORD_LABEL_NAME_MAX];
	size_t            n;
	int               i;
	struct log_label *l;

	if (ev->nlabels >= RECORD_LABELS_MAX)
		return (false);
	n = record_label_name(name, name_len, clean);
	for (i = 0; i < ev->nlabels; i++) {
		if (ev->labels[i].name.len == n &&
		    memcmp(ev->labels[i].name.ptr, clean, n) == 0)
			return (false);
	}
	if (value_len > RECORD_LABEL_VALUE_MAX) {
		value_len = RECORD_LABEL_VALUE_MAX;
		/* Do not cut a UTF-8 character in two. */
		while (value_len > 0 &&
		    ((unsigned char)value[value_len] & 0xc0) == 0x80)
			value_len--;
	}
	l = &ev->labels[ev->nlabels++];
	l->name = record_arena_copy(ev, clean, n);
	l->value.ptr = value;
	l->value.len = value_len;
	return (true);
}

/* --------------------------------------------------------------- levels -- */

static bool
record_int_parse(const char *s, size_t len, int64_t *v)
{
	size_t  i = 0;
	int64_t x = 0;
	bool    neg = false;

	if (len > 0 && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i++;
	}
	if (i == len || len - i > 18)
		return (false);
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (false);
		x = x * 10 + (s[i] - '0');
	}
	*v = neg ? -x : x;
	return (true);
}

/* A decimal number with an optional fraction, as a double. */
static bool
record_num_parse(const char *s, size_t len, double *v)
{
	char   tmp[40], *end;
	size_t i;

	if (len == 0 || len >= sizeof(tmp))
		return (false);
	for (i = 0; i < len; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
			(i == 0 && s[i] == '-') || s[i] == 'e' || s[i] == 'E' ||
			s[i] == '+'))
			return (false);
	}
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	*v = strtod(tmp, &end);
	return (end == tmp + len && *v == *v);
}

static void
record_trim(const char **s, size_t *len)
{
	while (*len > 0 && ((*s)[0] == ' ' || (*s)[0] == '\t')) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
		(*len)--;
}

enum event_level
record_level_from_severity(int severity)
{
	if (severity < 0 || severity > 7)
		return (EVENT_LEVEL_NONE);
	if (severity <= 2)
		return (EVENT_LEVEL_CRITICAL);
	if (severity == 3)
		return (EVENT_LEVEL_ERROR);
	if (severity == 4)
		return (EVENT_LEVEL_WARNING);
	if (severity <= 6)
		return (EVENT_LEVEL_INFO);
	return (EVENT_LEVEL_DEBUG);
}

enum event_level
record_level_from_status(int64_t status)
{
	if (status >= 500)
		return (EVENT_LEVEL_ERROR);
	if (status >= 400)
		return (EVENT_LEVEL_WARNING);
	return (EVENT_LEVEL_INFO);
}

enum event_level
record_level_parse(const char *s, size_t len)
{
	char    low[16];
	size_t  i, nwords;
	int64_t n;

	record_trim(&s, &len);
	if (len == 0 || len >= sizeof(low))
		return (EVENT_LEVEL_NONE);
	if (record_int_parse(s, len, &n)) {
		if (n >= 0 && n <= 7)
			return (record_level_from_severity((int)n));
		switch (n) {
		case 10:
		case 20:
			return (EVENT_LEVEL_DEBUG);
		case 30:
			return (EVENT_LEVEL_INFO);
		case 40:
			return (EVENT_LEVEL_WARNING);
		case 50:
			return (EVENT_LEVEL_ERROR);
		case 60:
			return (EVENT_LEVEL_CRITICAL);
		default:
			return (EVENT_LEVEL_NONE);
		}
	}
	for (i = 0; i < len; i++)
		low[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	low[len] = '\0';
	nwords = sizeof(record_level_words) / sizeof(record_level_words[0]);
	for (i = 0; i < nwords; i++) {
		if (strcmp(low, record_level_words[i].word) == 0)
			return (record_level_words[i].level);
	}
	return (EVENT_LEVEL_NONE);
}

const char *
record_level_name(enum event_level level)
{
	switch (level) {
	case EVENT_LEVEL_DEBUG:
		return ("DEBUG");
	case EVENT_LEVEL_INFO:
		return ("INFO");
	case EVENT_LEVEL_WARNING:
		return ("WARNING");
	case EVENT_LEVEL_ERROR:
		return ("ERROR");
	case EVENT_LEVEL_CRITICAL:
		return ("CRITICAL");
	default:
		return (NULL);
	}
}

/* ----------------------------------------------------------- assignment -- */

bool
record_is_ip(const char *s, size_t len)
{
	char          tmp[64];
	unsigned char addr[16];

	if (len == 0 || len >= sizeof(tmp))
		return (false);
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (memchr(s, ':', len) != NULL)
		return (inet_pton(AF_INET6, tmp, addr) == 1);
	return (inet_pton(AF_INET, tmp, addr) == 1);
}

void
record_set_url(struct log_event *ev, const char *s, size_t len)
{
	const char *q, *scheme;

	if (len > 0 && s[0] != '/' && (scheme = memchr(s, ':', len)) != NULL &&
	    (size_t)(scheme - s) + 3 <= len && scheme[1] == '/' &&
	    scheme[2] == '/') {
		/* scheme://host[:port]/path: keep the path. */
		const char *host = scheme + 3;
		const char *slash;
		size_t      rest = len - (size_t)(host - s);

		slash = memchr(host, '/', rest);
		q = memchr(host, '?', rest);
		if (slash == NULL || (q != NULL && q < slash)) {
			ev->path.ptr = "/";
			ev->path.len = 1;
			if (q != NULL) {
				ev->query.ptr = q + 1;
				ev->query.len = len - (size_t)(q + 1 - s);
			}
			return;
		}
		len -= (size_t)(slash - s);
		s = slash;
	}
	if ((q = memchr(s, '?', len)) != NULL) {
		ev->path.ptr = s;
		ev->path.len = (size_t)(q - s);
		ev->query.ptr = q + 1;
		ev->query.len = len - (size_t)(q - s) - 1;
	} else {
		ev->path.ptr = s;
		ev->path.len = len;
	}
}

static int
record_alias_cmp(const void *key, const void *elem)
{
	return (strcmp(key, ((const struct record_alias *)elem)->name));
}

bool
record_aliases_sorted(void)
{
	size_t i;

	for (i = 1; i < ALIASES_N; i++) {
		if (strcmp(record_aliases[i - 1].name,
			record_aliases[i].name) >= 0)
			return (false);
	}
	return (true);
}

/* Looks a source name up; returns -1 when it is not a known field. */
static int
record_alias_find(const char *name, size_t len)
{
	char                       key[40];
	size_t                     i;
	int                        c;
	const struct record_alias *a;

	if (len == 0 || len >= sizeof(key))
		return (-1);
	for (i = 0; i < len; i++) {
		c = (unsigned char)name[i];
		if (c >= 'A' && c <= 'Z')
			c += 32;
		else if (c == '.' || c == '-' || c == ' ')
			c = '_';
		key[i] = (char)c;
	}
	key[len] = '\0';
	a = bsearch(key, record_aliases, ALIASES_N, sizeof(record_aliases[0]),
	    record_alias_cmp);
	return (a == NULL ? -1 : (int)a->target);
}

static bool
record_set_str(struct log_str *dst, const char *value, size_t len)
{
	if (dst->ptr != NULL)
		return (false);
	dst->ptr = value;
	dst->len = len;
	return (true);
}

static bool
record_set_int(int64_t *dst, const char *value, size_t len)
{
	int64_t v;

	if (*dst >= 0 || !record_int_parse(value, len, &v) || v < 0)
		return (false);
	*dst = v;
	return (true);
}

static bool
record_set_duration(
    struct log_event *ev, const char *value, size_t len, double scale)
{
	double v;

	if (ev->duration_ns >= 0 || !record_num_parse(value, len, &v) ||
	    v < 0 || v * scale > 9.2e18)
		return (false);
	ev->duration_ns = (int64_t)(v * scale + 0.5);
	return (true);
}

/* Assigns a value to a known field; false when it does not fit. */
static bool
record_assign_target(struct log_event *ev, int target, const char *v,
    size_t len, int year, int tz_offset_s)
{
	const char *t = v;
	size_t      tlen = len;
	int64_t     ms;

	record_trim(&t, &tlen);
	switch (target) {
	case RF_TS:
		if (ev->has_ts ||
		    !timeparse_any(t, tlen, year, tz_offset_s, &ms))
			return (false);
		ev->ts_ms = ms;
		ev->has_ts = true;
		return (true);
	case RF_MSG:
		return (record_set_str(&ev->message, v, len));
	case RF_LEVEL:
		if (ev->level != EVENT_LEVEL_NONE)
			return (false);
		ev->level = record_level_parse(t, tlen);
		return (ev->level != EVENT_LEVEL_NONE);
	case RF_LOGGER:
		return (record_set_str(&ev->logger, t, tlen));
	case RF_SERVICE:
		return (record_set_str(&ev->service, t, tlen));
	case RF_HOST:
		return (record_set_str(&ev->host, t, tlen));
	case RF_CLIENT_IP:
		if (!record_is_ip(t, tlen))
			return (false);
		return (record_set_str(&ev->client_ip, t, tlen));
	case RF_CLIENT_PORT:
		return (record_set_int(&ev->client_port, t, tlen));
	case RF_USER:
		return (record_set_str(&ev->user, t, tlen));
	case RF_METHOD:
		return (record_set_str(&ev->method, t, tlen));
	case RF_URL:
		if (ev->path.ptr != NULL)
			return (false);
		record_set_url(ev, t, tlen);
		return (true);
	case RF_QUERY:
		return (record_set_str(&ev->query, t, tlen));
	case RF_STATUS:
		return (record_set_int(&ev->status, t, tlen));
	case RF_BYTES:
		return (record_set_int(&ev->bytes, t, tlen));
	case RF_VERSION:
		if (tlen > 5 && memcmp(t, "HTTP/", 5) == 0) {
			t += 5;
			tlen -= 5;
		}
		return (record_set_str(&ev->http_version, t, tlen));
	case RF_UA:
		return (record_set_str(&ev->user_agent, t, tlen));
	case RF_REFERRER:
		return (record_set_str(&ev->referrer, t, tlen));
	case RF_DURATION_NS:
		return (record_set_duration(ev, t, tlen, 1.0));
	case RF_DURATION_US:
		return (record_set_duration(ev, t, tlen, 1e3));
	case RF_DURATION_MS:
		return (record_set_duration(ev, t, tlen, 1e6));
	case RF_DURATION_S:
		return (record_set_duration(ev, t, tlen, 1e9));
	case RF_TRACE:
		return (record_set_str(&ev->trace_id, t, tlen));
	case RF_SPAN:
		return (record_set_str(&ev->span_id, t, tlen));
	case RF_PID:
		return (record_set_int(&ev->pid, t, tlen));
	case RF_TID:
		return (record_set_int(&ev->tid, t, tlen));
	default:
		return (false);
	}
}

void
record_assign(struct log_event *ev, const char *name, size_t name_len,
    const char *value, size_t value_len, int year, int tz_offset_s)
{
	int target;

	if (value_len == 0)
		return;
	target = record_alias_find(name, name_len);
	if (target >= 0 && value_len == 1 && value[0] == '-' &&
	    target != RF_MSG)
		return; /* "-" is how many formats write "absent" */
	if (target >= 0 &&
	    record_assign_target(
		ev, target, value, value_len, year, tz_offset_s))
		return;
	if (name_len > 7 && strncasecmp(name, "labels", 6) == 0 &&
	    (name[6] == '.' || name[6] == '_')) {
		name += 7;
		name_len -= 7;
	}
	(void)record_label_add(ev, name, name_len, value, value_len);
}

/* -------------------------------------------------------------- jansson -- */

/*
 * A jansson string of s[0..len), bad UTF-8 bytes and NUL bytes replaced
 * by U+FFFD (jansson, and so the bulk builder, refuses \u0000).
 */
static json_t *
record_json_string(const char *s, size_t len)
{
	struct buf b;
	json_t    *v;
	size_t     i, n;

	if (utf8_valid(s, len) && memchr(s, '\0', len) == NULL)
		return (json_stringn_nocheck(s, len));
	buf_init(&b, len + 16);
	for (i = 0; i < len; i += n) {
		if (s[i] == '\0' ||
		    (n = utf8_char_len(
			 (const unsigned char *)s + i, len - i)) == 0) {
			buf_append(&b, "\xef\xbf\xbd", 3);
			n = 1;
		} else {
			buf_append(&b, s + i, n);
		}
	}
	v = json_stringn_nocheck(b.data, b.len);
	buf_free(&b);
	return (v);
}

static void
record_json_set_str(json_t *o, const char *key, struct log_str s)
{
	if (s.ptr != NULL)
		json_object_set_new_nocheck(
		    o, key, record_json_string(s.ptr, s.len));
}

/*
 * The original text, unless it is the message itself (an access line, a
 * JSON object without a message field): then the message already holds
 * it, and storing it twice would only double the document.
 */
static struct log_str
record_original(const struct log_event *ev)
{
	struct log_str none = {NULL, 0};

	if (ev->original.ptr == NULL)
		return (none);
	if (ev->message.ptr != NULL && ev->message.len == ev->original.len &&
	    (ev->message.ptr == ev->original.ptr ||
		memcmp(ev->message.ptr, ev->original.ptr, ev->original.len) ==
		    0))
		return (none);
	return (ev->original);
}

static void
record_json_set_int(json_t *o, const char *key, int64_t v)
{
	if (v >= 0)
		json_object_set_new_nocheck(o, key, json_integer(v));
}

json_t *
record_to_json(const struct log_event *ev)
{
	json_t     *o;
	char        ts[TIMEPARSE_ISO_LEN + 1], key[8 + RECORD_LABEL_NAME_MAX];
	const char *level;
	int         i;

	if ((o = json_object()) == NULL)
		abort();
	if (ev->has_ts && timeparse_format_iso(ev->ts_ms, ts))
		json_object_set_new_nocheck(o, "@timestamp",
		    json_stringn_nocheck(ts, TIMEPARSE_ISO_LEN));
	record_json_set_str(o, "message", ev->message);
	if ((level = record_level_name(ev->level)) != NULL)
		json_object_set_new_nocheck(
		    o, "log.level", json_string_nocheck(level));
	record_json_set_str(o, "log.logger", ev->logger);
	record_json_set_str(o, "service.name", ev->service);
	record_json_set_str(o, "host.name", ev->host);
	record_json_set_str(o, "client.ip", ev->client_ip);
	record_json_set_str(o, "client.domain", ev->client_domain);
	record_json_set_int(o, "client.port", ev->client_port);
	record_json_set_str(o, "user.name", ev->user);
	record_json_set_str(o, "url.path", ev->path);
	record_json_set_str(o, "url.query", ev->query);
	record_json_set_str(o, "http.request.method", ev->method);
	record_json_set_int(o, "http.response.status_code", ev->status);
	record_json_set_int(o, "http.response.body.bytes", ev->bytes);
	record_json_set_str(o, "http.version", ev->http_version);
	record_json_set_str(o, "user_agent.original", ev->user_agent);
	record_json_set_str(o, "http.request.referrer", ev->referrer);
	record_json_set_int(o, "event.duration", ev->duration_ns);
	record_json_set_str(o, "trace.id", ev->trace_id);
	record_json_set_str(o, "span.id", ev->span_id);
	record_json_set_int(o, "process.pid", ev->pid);
	record_json_set_int(o, "process.thread.id", ev->tid);
	record_json_set_int(o, "log.syslog.facility.code", ev->facility);
	record_json_set_int(o, "log.syslog.severity.code", ev->severity);
	record_json_set_str(o, "log.syslog.msgid", ev->msgid);
	for (i = 0; i < ev->nlabels; i++) {
		memcpy(key, "labels.", 7);
		memcpy(key + 7, ev->labels[i].name.ptr, ev->labels[i].name.len);
		key[7 + ev->labels[i].name.len] = '\0';
		json_object_set_new_nocheck(o, key,
		    record_json_string(
			ev->labels[i].value.ptr, ev->labels[i].value.len));
	}
	record_json_set_str(o, "event.original", record_original(ev));
	return (o);
}

/* ----------------------------------------------------------- fast path -- */

/*
 * Room for n more bytes (and the NUL struct buf keeps) at the end of b:
 * the writer below fills it directly rather than through buf_append()
 * call by call. Same growth rule as buf.c.
 */
static char *
record_reserve(struct buf *b, size_t n)
{
	size_t need;

	if (b->data == NULL)
		buf_init(b, n + 1);
	need = b->len + n + 1;
	if (need > b->cap) {
		while (b->cap < need)
			b->cap *= 2;
		b->data = mem_realloc(b->data, b->cap);
	}
	return (b->data + b->len);
}

/* Ends a direct write at o. */
static void
record_commit(struct buf *b, const char *o)
{
	b->len = (size_t)(o - b->data);
	b->data[b->len] = '\0';
}

/*
 * True when none of the 8 bytes at p needs escaping: each is printable
 * ASCII (0x20..0x7f) and neither '"' nor a backslash. Word-at-a-time
 * tests ("has a zero byte": (v - 0x01..) & ~v & 0x80..).
 */
static bool
record_safe8(const unsigned char *p)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t high = 0x8080808080808080ULL;
	uint64_t       w, q, bs;

	memcpy(&w, p, 8);
	q = w ^ (ones * '"');
	bs = w ^ (ones * '\\');
	return (((w | ((w - ones * 0x20) & ~w) | ((q - ones) & ~q) |
		     ((bs - ones) & ~bs)) &
		    high) == 0);
}

/*
 * Writes s[0..len) as a JSON string with its quotes at o, which has room
 * for 6 * len + 2 bytes; returns the new end.
 */
static char *
record_escape(char *o, const char *s, size_t len)
{
	static const char    hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t               i = 0, start, n;
	unsigned char        c;

	*o++ = '"';
	while (i < len) {
		start = i;
		while (i + 8 <= len && record_safe8(p + i))
			i += 8;
		while (i < len && p[i] >= 0x20 && p[i] < 0x80 && p[i] != '"' &&
		    p[i] != '\\')
			i++;
		memcpy(o, s + start, i - start);
		o += i - start;
		if (i >= len)
			break;
		c = p[i];
		if (c >= 0x80 && (n = utf8_char_len(p + i, len - i)) > 0) {
			memcpy(o, s + i, n);
			o += n;
			i += n;
			continue;
		}
		i++;
		if (c >= 0x80 || c == 0) {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
		} else if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
		} else if (c == '\n') {
			*o++ = '\\';
			*o++ = 'n';
		} else if (c == '\r') {
			*o++ = '\\';
			*o++ = 'r';
		} else if (c == '\t') {
			*o++ = '\\';
			*o++ = 't';
		} else {
			memcpy(o, "\\u00", 4);
			o[4] = hex[c >> 4];
			o[5] = hex[c & 15];
			o += 6;
		}
	}
	*o++ = '"';
	return (o);
}

/* ,"key": (the comma unless first) at o; key is a literal. */
static char *
record_key(char *o, bool *first, const char *key, size_t klen)
{
	if (!*first)
		*o++ = ',';
	*first = false;
	*o++ = '"';
	memcpy(o, key, klen);
	o += klen;
	*o++ = '"';
	*o++ = ':';
	return (o);
}

#define RECORD_KEY_ROOM 48 /* longer than any key above, with ,"": */

static void
record_write_str(
    struct buf *b, bool *first, const char *key, size_t klen, struct log_str s)
{
	char *o;

	if (s.ptr == NULL)
		return;
	o = record_reserve(b, RECORD_KEY_ROOM + 6 * s.len + 2);
	o = record_key(o, first, key, klen);
	record_commit(b, record_escape(o, s.ptr, s.len));
}

static void
record_write_int(
    struct buf *b, bool *first, const char *key, size_t klen, int64_t v)
{
	char     tmp[24], *o;
	size_t   n = sizeof(tmp);
	uint64_t u = (uint64_t)v;

	if (v < 0)
		return;
	do {
		tmp[--n] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	o = record_reserve(b, RECORD_KEY_ROOM + sizeof(tmp));
	o = record_key(o, first, key, klen);
	memcpy(o, tmp + n, sizeof(tmp) - n);
	record_commit(b, o + sizeof(tmp) - n);
}

#define WSTR(key, s) record_write_str(b, &first, key, sizeof(key) - 1, s)
#define WINT(key, v) record_write_int(b, &first, key, sizeof(key) - 1, v)

void
record_append_json(struct buf *b, const struct log_event *ev)
{
	char           ts[TIMEPARSE_ISO_LEN + 1], *o;
	const char    *level;
	bool           first = true;
	int            i;
	struct log_str s;

	o = record_reserve(b, 1);
	*o++ = '{';
	record_commit(b, o);
	if (ev->has_ts && timeparse_format_iso(ev->ts_ms, ts)) {
		s.ptr = ts;
		s.len = TIMEPARSE_ISO_LEN;
		WSTR("@timestamp", s);
	}
	WSTR("message", ev->message);
	if ((level = record_level_name(ev->level)) != NULL) {
		s.ptr = level;
		s.len = strlen(level);
		WSTR("log.level", s);
	}
	WSTR("log.logger", ev->logger);
	WSTR("service.name", ev->service);
	WSTR("host.name", ev->host);
	WSTR("client.ip", ev->client_ip);
	WSTR("client.domain", ev->client_domain);
	WINT("client.port", ev->client_port);
	WSTR("user.name", ev->user);
	WSTR("url.path", ev->path);
	WSTR("url.query", ev->query);
	WSTR("http.request.method", ev->method);
	WINT("http.response.status_code", ev->status);
	WINT("http.response.body.bytes", ev->bytes);
	WSTR("http.version", ev->http_version);
	WSTR("user_agent.original", ev->user_agent);
	WSTR("http.request.referrer", ev->referrer);
	WINT("event.duration", ev->duration_ns);
	WSTR("trace.id", ev->trace_id);
	WSTR("span.id", ev->span_id);
	WINT("process.pid", ev->pid);
	WINT("process.thread.id", ev->tid);
	WINT("log.syslog.facility.code", ev->facility);
	WINT("log.syslog.severity.code", ev->severity);
	WSTR("log.syslog.msgid", ev->msgid);
	for (i = 0; i < ev->nlabels; i++) {
		const struct log_label *l = &ev->labels[i];

		o = record_reserve(
		    b, RECORD_LABEL_NAME_MAX + 16 + 6 * l->value.len + 2);
		if (!first)
			*o++ = ',';
		first = false;
		memcpy(o, "\"labels.", 8);
		memcpy(o + 8, l->name.ptr, l->name.len);
		o += 8 + l->name.len;
		*o++ = '"';
		*o++ = ':';
		record_commit(b, record_escape(o, l->value.ptr, l->value.len));
	}
	WSTR("event.original", record_original(ev));
	o = record_reserve(b, 1);
	*o++ = '}';
	record_commit(b, o);
}
