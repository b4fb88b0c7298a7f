/*
 * service/notify.c's notify_enqueue() against the real Redis queue: what
 * it refuses (nothing queued then), and one event queued for two
 * channels. tests/integration/test_notify_enqueue.py runs it with a
 * tenant and two channels it made (VIGIE_TEST_TENANT_ID,
 * VIGIE_TEST_TENANT_SLUG, VIGIE_TEST_CHANNELS "id,id",
 * VIGIE_TEST_EVENT_ID) and checks that the worker delivers the event to
 * both. Without them it skips.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store_test.h"

#include "common/env.h"
#include "core/mem.h"
#include "service/notify.h"
#include "store/kv.h"

static struct tenant_ctx ctx;
static json_t           *channels;
static const char       *event_id;

static long
queued(void)
{
	const char *argv[] = {"LLEN", "p:jobs"};
	redisReply *r;
	char        err[256];
	long        n;

	r = kv_commandv(2, argv, NULL, err, sizeof(err));
	assert_non_null(r);
	n = (long)r->integer;
	freeReplyObject(r);
	return (n);
}

static json_t *
event(void)
{
	return (json_pack("{s:s, s:{s:s, s:s}, s:{s:i, s:i}, s:s}", "kind",
	    "alert.firing", "rule", "name", "enqueued from C", "severity",
	    "warning", "alert", "value", 7, "threshold", 5, "search_url",
	    "/app/search?q=x"));
}

static void
refused(const struct tenant_ctx *c, const json_t *ids, const char *id,
    const json_t *ev, const char *words)
{
	char err[256];
	long before;

	before = queued();
	err[0] = '\0';
	assert_false(notify_enqueue(c, ids, id, ev, err, sizeof(err)));
	if (strstr(err, words) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", err, words);
	assert_true(queued() <= before); /* nothing added */
}

static void
test_refusals(void **state)
{
	struct tenant_ctx bad;
	json_t           *ev, *many, *ids, *big;
	char             *pad;
	int               i;

	(void)state;
	ev = event();
	refused(&ctx, NULL, "e1", ev, "channel_ids");
	ids = json_array();
	refused(&ctx, ids, "e1", ev, "channel_ids");
	json_array_append_new(ids, json_string("not-an-id"));
	refused(&ctx, ids, "e1", ev, "channel_ids[0]");
	many = json_array();
	for (i = 0; i <= NOTIFY_CHANNEL_IDS_MAX; i++)
		json_array_append_new(
		    many, json_string("64b7f0c2a1d3e5f708192a3b"));
	refused(&ctx, many, "e1", ev, "channel_ids");
	refused(&ctx, channels, "has space", ev, "event_id");
	refused(&ctx, channels, "", ev, "event_id");
	pad = mem_alloc(NOTIFY_EVENT_MAX + 10);
	memset(pad, 'x', NOTIFY_EVENT_MAX + 9);
	pad[NOTIFY_EVENT_MAX + 9] = '\0';
	big = json_pack("{s:s, s:s}", "kind", "test", "message", pad);
	mem_free(pad);
	refused(&ctx, channels, "e1", big, "larger");
	json_object_set_new(ev, "kind", json_string("alert.exploded"));
	refused(&ctx, channels, "e1", ev, "kind");
	memset(&bad, 0, sizeof(bad));
	refused(&bad, channels, "e1", event(), "tenant");
	json_decref(big);
	json_decref(many);
	json_decref(ids);
	json_decref(ev);
}

static void
test_one_job_per_channel(void **state)
{
	json_t *ev;
	char    err[256];

	(void)state;
	ev = event();
	if (!notify_enqueue(&ctx, channels, event_id, ev, err, sizeof(err)))
		fail_msg("refused: %s", err);
	json_decref(ev);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_one_job_per_channel),
	};
	struct settings s;
	const char     *tid, *slug, *list;
	char           *copy, *tok, *save;

	tid = getenv("VIGIE_TEST_TENANT_ID");
	slug = getenv("VIGIE_TEST_TENANT_SLUG");
	list = getenv("VIGIE_TEST_CHANNELS");
	event_id = getenv("VIGIE_TEST_EVENT_ID");
	if (tid == NULL || slug == NULL || list == NULL || event_id == NULL) {
		printf("SKIPPED: no tenant, channels or event id given\n");
		return (0);
	}
	if (!store_test_open(&s, &ctx, tid, slug))
		return (1);
	channels = json_array();
	copy = mem_strdup(list);
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save))
		json_array_append_new(channels, json_string(tok));
	mem_free(copy);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
