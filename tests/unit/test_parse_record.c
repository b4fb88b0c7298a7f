/*
 * Unit tests of the common schema (record.c): levels, label names and
 * limits, field aliases, URL splitting, UTF-8 (utf8.c) and the fast JSON
 * writer against jansson on hostile strings; and of the line splitter
 * (logsplit.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/utf8.h"
#include "parse_test.h"

static void
test_levels(void **state)
{
	static const struct {
		const char      *in;
		enum event_level want;
	} cases[] = {
	    {"debug", EVENT_LEVEL_DEBUG},
	    {"TRACE", EVENT_LEVEL_DEBUG},
	    {"Info", EVENT_LEVEL_INFO},
	    {"notice", EVENT_LEVEL_INFO},
	    {"informational", EVENT_LEVEL_INFO},
	    {"WARN", EVENT_LEVEL_WARNING},
	    {"warning", EVENT_LEVEL_WARNING},
	    {"err", EVENT_LEVEL_ERROR},
	    {"ERRO", EVENT_LEVEL_ERROR},
	    {"Error", EVENT_LEVEL_ERROR},
	    {"SEVERE", EVENT_LEVEL_ERROR},
	    {"fatal", EVENT_LEVEL_CRITICAL},
	    {"crit", EVENT_LEVEL_CRITICAL},
	    {"emerg", EVENT_LEVEL_CRITICAL},
	    {"alert", EVENT_LEVEL_CRITICAL},
	    {"panic", EVENT_LEVEL_CRITICAL},
	    {" warn ", EVENT_LEVEL_WARNING},
	    {"3", EVENT_LEVEL_ERROR},
	    {"0", EVENT_LEVEL_CRITICAL},
	    {"7", EVENT_LEVEL_DEBUG},
	    {"30", EVENT_LEVEL_INFO},
	    {"40", EVENT_LEVEL_WARNING},
	    {"60", EVENT_LEVEL_CRITICAL},
	    {"8", EVENT_LEVEL_NONE},
	    {"chatty", EVENT_LEVEL_NONE},
	    {"", EVENT_LEVEL_NONE},
	    {"informationalandmore", EVENT_LEVEL_NONE},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(
		    record_level_parse(cases[i].in, strlen(cases[i].in)),
		    cases[i].want);
	assert_int_equal(record_level_from_status(200), EVENT_LEVEL_INFO);
	assert_int_equal(record_level_from_status(304), EVENT_LEVEL_INFO);
	assert_int_equal(record_level_from_status(404), EVENT_LEVEL_WARNING);
	assert_int_equal(record_level_from_status(503), EVENT_LEVEL_ERROR);
	assert_string_equal(record_level_name(EVENT_LEVEL_WARNING), "WARNING");
	assert_null(record_level_name(EVENT_LEVEL_NONE));
}

static void
test_labels_sanitized_deduplicated_capped(void **state)
{
	struct log_event ev;
	char             name[16];
	int              i;
	json_t          *r;
	char             big[RECORD_LABEL_VALUE_MAX + 10];

	(void)state;
	record_event_init(&ev);
	assert_true(record_label_add(&ev, "Kube.Pod-Name", 13, "p", 1));
	assert_false(record_label_add(&ev, "kube pod name", 13, "q", 1));
	assert_true(record_label_add(&ev, "@@weird!!key__", 14, "w", 1));
	assert_true(record_label_add(&ev, "!!!", 3, "e", 1));
	memset(big, 'x', sizeof(big));
	assert_true(record_label_add(&ev, "big", 3, big, sizeof(big)));
	r = record_to_json(&ev);
	PT_STR(r, "labels.kube_pod_name", "p");
	PT_STR(r, "labels.weird_key", "w");
	PT_STR(r, "labels.field", "e");
	assert_int_equal(
	    strlen(pt_str(r, "labels.big")), RECORD_LABEL_VALUE_MAX);
	json_decref(r);
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		(void)record_label_add(&ev, name, strlen(name), "v", 1);
	}
	assert_int_equal(ev.nlabels, RECORD_LABELS_MAX);
	record_event_free(&ev);
}

static void
test_aliases_and_urls(void **state)
{
	struct log_event ev;
	json_t          *r;

	(void)state;
	assert_true(record_aliases_sorted());
	record_event_init(&ev);
	record_assign(&ev, "Log.Level", 9, "Warn", 4, 2024, 0);
	record_assign(&ev, "Status", 6, "-", 1, 2024, 0);
	record_assign(&ev, "status_code", 11, "201", 3, 2024, 0);
	record_assign(&ev, "time", 4, "2024-01-01T00:00:00Z", 20, 2024, 0);
	record_assign(&ev, "timestamp", 9, "2024-01-02T00:00:00Z", 20, 2024, 0);
	record_assign(&ev, "request_time", 12, "0.250", 5, 2024, 0);
	record_assign(&ev, "url", 3, "http://h:8080?x=1", 17, 2024, 0);
	record_assign(&ev, "labels.team", 11, "core", 4, 2024, 0);
	record_assign(&ev, "empty", 5, "", 0, 2024, 0);
	r = record_to_json(&ev);
	PT_STR(r, "log.level", "WARNING");
	PT_INT(r, "http.response.status_code", 201);
	PT_STR(r, "@timestamp", "2024-01-01T00:00:00.000Z");
	/* A second timestamp is kept, as a label. */
	PT_STR(r, "labels.timestamp", "2024-01-02T00:00:00Z");
	PT_INT(r, "event.duration", 250000000);
	PT_STR(r, "url.path", "/");
	PT_STR(r, "url.query", "x=1");
	PT_STR(r, "labels.team", "core");
	PT_NONE(r, "labels.empty");
	json_decref(r);
	record_event_free(&ev);
	assert_true(record_is_ip("10.0.0.1", 8));
	assert_true(record_is_ip("::1", 3));
	assert_false(record_is_ip("10.0.0.256", 10));
	assert_false(record_is_ip("host", 4));
	assert_false(record_is_ip("", 0));
}

static void
test_utf8(void **state)
{
	(void)state;
	assert_true(utf8_valid("plain ascii", 11));
	assert_true(utf8_valid("h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 12));
	assert_false(utf8_valid("\xc0\xaf", 2)); /* overlong '/' */
	assert_false(utf8_valid("\xe0\x80\xaf", 3)); /* overlong */
	assert_false(utf8_valid("\xed\xa0\x80", 3)); /* surrogate */
	assert_false(utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
	assert_false(utf8_valid("\xff", 1));
	assert_false(utf8_valid("\x80", 1));
	assert_false(utf8_valid("ab\xe2\x82", 4));
	assert_int_equal(utf8_valid_prefix("ab\xe2\x82", 4, false), 2);
	assert_int_equal(utf8_valid_prefix("ab\xe2\x82", 4, true), 4);
	assert_int_equal(utf8_valid_prefix("ab\xe2\x28", 4, true), 2);
	assert_int_equal(utf8_valid_prefix("abcdefghij\xff", 11, true), 10);
}

static void
test_fast_path_hostile_strings(void **state)
{
	struct log_event  ev;
	struct buf        b;
	json_t           *r, *back;
	static const char msg[] =
	    "quote\" back\\ nl\n cr\r tab\t bel\x07 "
	    "del\x7f bad\xff\xfe utf8 \xc3\xa9 cut\xe2\x82";

	(void)state;
	record_event_init(&ev);
	ev.message.ptr = msg;
	ev.message.len = sizeof(msg) - 1;
	ev.has_ts = true;
	ev.ts_ms = 0;
	ev.status = 0;
	(void)record_label_add(&ev, "k", 1, msg, sizeof(msg) - 1);
	r = record_to_json(&ev);
	buf_init(&b, 64);
	record_append_json(&b, &ev);
	back = json_loadb(b.data, b.len, 0, NULL);
	assert_non_null(back);
	assert_true(json_equal(r, back));
	assert_string_equal(pt_str(r, "message"),
	    "quote\" back\\ nl\n cr\r tab\t bel\x07 del\x7f "
	    "bad\xef\xbf\xbd\xef\xbf\xbd utf8 \xc3\xa9 cut\xef\xbf\xbd\xef\xbf\xbd");
	PT_INT(r, "http.response.status_code", 0);
	json_decref(r);
	json_decref(back);
	buf_free(&b);
	record_event_free(&ev);
}

/* Every special byte at every offset against the 8-byte fast scan. */
static void
test_fast_path_every_position(void **state)
{
	static const char specials[] = {
	    '"', '\\', '\n', 0x01, 0x1f, 0x7f, (char)0x80, (char)0xc3, 0};
	struct log_event ev;
	struct buf       b;
	char             text[40];
	size_t           k, pos;
	json_t          *r, *back;

	(void)state;
	record_event_init(&ev);
	buf_init(&b, 256);
	for (k = 0; k < sizeof(specials); k++) {
		for (pos = 0; pos < 24; pos++) {
			memset(text, 'a', sizeof(text));
			text[pos] = specials[k];
			record_event_reset(&ev);
			ev.message.ptr = text;
			ev.message.len = 24;
			r = record_to_json(&ev);
			buf_reset(&b);
			record_append_json(&b, &ev);
			back = json_loadb(b.data, b.len, 0, NULL);
			assert_non_null(back);
			assert_true(json_equal(r, back));
			json_decref(r);
			json_decref(back);
		}
	}
	buf_free(&b);
	record_event_free(&ev);
}

struct split_seen {
	char lines[16][80];
	long nos[16];
	int  n;
	int  stop_after;
};

static bool
split_cb(const char *line, size_t len, long no, void *arg)
{
	struct split_seen *s = arg;

	if (s->n < 16) {
		snprintf(s->lines[s->n], sizeof(s->lines[0]), "%.*s", (int)len,
		    line);
		s->nos[s->n] = no;
	}
	s->n++;
	return (s->stop_after == 0 || s->n < s->stop_after);
}

static void
test_logsplit(void **state)
{
	const char       *text = "one\r\ntwo\n\nthree-is-long\nfour";
	struct logsplit   ls;
	struct split_seen seen;
	size_t            chunk, off, n;

	(void)state;
	for (chunk = 1; chunk <= strlen(text); chunk++) {
		memset(&seen, 0, sizeof(seen));
		logsplit_init(&ls, 8);
		for (off = 0; off < strlen(text); off += n) {
			n = strlen(text) - off < chunk ? strlen(text) - off
						       : chunk;
			assert_true(
			    logsplit_feed(&ls, text + off, n, split_cb, &seen));
		}
		assert_true(logsplit_finish(&ls, split_cb, &seen));
		logsplit_free(&ls);
		assert_int_equal(seen.n, 5);
		assert_string_equal(seen.lines[0], "one");
		assert_string_equal(seen.lines[1], "two");
		assert_string_equal(seen.lines[2], "");
		/* Cut to max_line + 1 so that the parser refuses it. */
		assert_string_equal(seen.lines[3], "three-is-");
		assert_string_equal(seen.lines[4], "four");
		assert_int_equal(seen.nos[4], 5);
	}
	/* The callback can stop the feed. */
	memset(&seen, 0, sizeof(seen));
	seen.stop_after = 2;
	logsplit_init(&ls, 0);
	assert_false(logsplit_feed(&ls, text, strlen(text), split_cb, &seen));
	assert_int_equal(seen.n, 2);
	logsplit_free(&ls);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_levels),
	    cmocka_unit_test(test_labels_sanitized_deduplicated_capped),
	    cmocka_unit_test(test_aliases_and_urls),
	    cmocka_unit_test(test_utf8),
	    cmocka_unit_test(test_fast_path_hostile_strings),
	    cmocka_unit_test(test_fast_path_every_position),
	    cmocka_unit_test(test_logsplit),
	};

	return (cmocka_run_group_tests_name("parse_record", tests, NULL, NULL));
}
