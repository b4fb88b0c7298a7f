/*
 * store/cache.c's answers stored after the request
 * (cache_answer_put_later()) against the real Redis: a look-up right
 * after the put finds the answer (queued or stored), the writer thread
 * stores it under the generation's key with its TTL, an answer queued
 * for another generation is never served, a new generation hides it,
 * and more puts than the queue holds are all stored; and the background
 * thread of common/later.h runs its work in order.
 * tests/integration/test_cache_later.py runs it with a tenant id of its
 * own (VIGIE_TEST_TENANT_ID) and removes the keys; without it, it skips.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "store_test.h"

#include "common/env.h"
#include "common/later.h"
#include "store/cache.h"
#include "store/kv.h"

static struct tenant_ctx ctx;

/* A hash of 64 hex digits made from n. */
static void
hash_of(int n, char out[65])
{
	snprintf(out, 65, "%064x", n);
}

/* The TTL of the stored answer, -2 when absent. */
static long long
stored_ttl(long long gen, const char *hash)
{
	char        key[256], err[192];
	const char *argv[2];
	redisReply *r;
	long long   ttl;

	snprintf(
	    key, sizeof(key), "t:%s:cache:search:%lld:%s", ctx.id, gen, hash);
	argv[0] = "TTL";
	argv[1] = key;
	r = kv_commandv(2, argv, NULL, err, sizeof(err));
	assert_non_null(r);
	ttl = r->integer;
	freeReplyObject(r);
	return (ttl);
}

/* Waits (at most 5 s) until the writer has stored the answer. */
static long long
wait_stored(long long gen, const char *hash)
{
	struct timespec pause = {0, 10 * 1000 * 1000};
	long long       ttl;
	int             i;

	for (i = 0; i < 500; i++) {
		if ((ttl = stored_ttl(gen, hash)) != -2)
			return (ttl);
		nanosleep(&pause, NULL);
	}
	return (-2);
}

/* The answer a look-up finds for hash, NULL on a miss; *gen set. */
static char *
look_up(const char *hash, long long *gen)
{
	char   err[192], *text;
	size_t len;
	bool   settling;

	assert_true(cache_answer_lookup(&ctx, "search", hash, gen, &settling,
	    &text, &len, err, sizeof(err)));
	if (text != NULL)
		assert_int_equal(len, strlen(text));
	return (text);
}

static void
test_put_then_hit(void **state)
{
	char      hash[65], *text;
	long long gen, g;

	(void)state;
	hash_of(1, hash);
	assert_null(look_up(hash, &gen));
	assert_true(cache_answer_put_later(
	    &ctx, "search", gen, hash, "{\"total\":1}", 11, 30, true));
	/* At once: the queued answer, or the stored one. */
	text = look_up(hash, &g);
	assert_int_equal(g, gen);
	assert_non_null(text);
	assert_string_equal(text, "{\"total\":1}");
	free(text);
	g = wait_stored(gen, hash);
	assert_true(g > 0 && g <= 30);
	text = look_up(hash, &g);
	assert_non_null(text);
	assert_string_equal(text, "{\"total\":1}");
	free(text);
}

static void
test_other_generation_never_served(void **state)
{
	char      hash[65], err[192], *text;
	long long gen;

	(void)state;
	hash_of(2, hash);
	assert_null(look_up(hash, &gen));
	/* Queued for a generation Redis does not give: not an answer. */
	assert_true(cache_answer_put_later(
	    &ctx, "search", gen + 7, hash, "{\"total\":2}", 11, 30, true));
	assert_null(look_up(hash, &gen));
	assert_true(wait_stored(gen + 7, hash) > 0);
	assert_null(look_up(hash, &gen));
	/* Stored for the current one, then logs are written: hidden. */
	assert_true(cache_answer_put_later(
	    &ctx, "search", gen, hash, "{\"total\":3}", 11, 30, true));
	assert_true(cache_gen_bump(&ctx, err, sizeof(err)));
	text = look_up(hash, &gen);
	assert_null(text);
	assert_true(wait_stored(gen - 1, hash) > 0);
	assert_null(look_up(hash, &gen));
}

static void
test_more_puts_than_the_queue(void **state)
{
	char      hash[65], answer[32], *text;
	long long gen;
	int       i;

	(void)state;
	hash_of(1000, hash);
	assert_null(look_up(hash, &gen));
	for (i = 0; i < 200; i++) {
		hash_of(1000 + i, hash);
		snprintf(answer, sizeof(answer), "{\"total\":%d}", i);
		assert_true(cache_answer_put_later(&ctx, "search", gen, hash,
		    answer, strlen(answer), 30, true));
	}
	for (i = 0; i < 200; i++) {
		hash_of(1000 + i, hash);
		assert_true(wait_stored(gen, hash) > 0);
		snprintf(answer, sizeof(answer), "{\"total\":%d}", i);
		text = look_up(hash, &gen);
		assert_non_null(text);
		assert_string_equal(text, answer);
		free(text);
	}
}

/* common/later.h: work runs in the order given, all of it by later_wait(). */
static int later_seen[300], later_count;

static void
later_note(void *arg)
{
	later_seen[later_count++] = (int)(intptr_t)arg;
}

static void
later_nap(void *arg)
{
	nanosleep(arg, NULL);
}

static void
test_later_in_order(void **state)
{
	struct timespec pause = {0, 2 * 1000 * 1000};
	int             i;

	(void)state;
	later_wait();
	later_count = 0;
	/* The first one keeps the thread busy while the queue fills. */
	assert_true(later_run(later_nap, &pause));
	for (i = 0; i < LATER_MAX - 1; i++)
		assert_true(later_run(later_note, (void *)(intptr_t)i));
	/* Full: the caller runs its own. */
	assert_false(later_run(later_note, (void *)(intptr_t)-1));
	later_wait();
	assert_int_equal(later_count, LATER_MAX - 1);
	for (i = 0; i < LATER_MAX - 1; i++)
		assert_int_equal(later_seen[i], i);
}

/*
 * A put that may not wait (an event loop's, api/search_loop.c) never
 * stores on the caller's thread: with the queue full it is dropped, and
 * neither Redis nor this process's queue ever holds it.
 */
static void
test_a_put_that_may_not_wait_is_dropped_when_the_queue_is_full(void **state)
{
	struct timespec pause = {0, 200 * 1000 * 1000};
	char            hash[65], *text;
	long long       gen;
	size_t          len;
	int             i;

	(void)state;
	hash_of(3, hash);
	assert_null(look_up(hash, &gen));
	later_wait();
	/* The first one keeps the thread busy while the queue fills. */
	assert_true(later_run(later_nap, &pause));
	for (i = 0; i < LATER_MAX - 1; i++)
		assert_true(later_run(later_note, (void *)(intptr_t)i));
	assert_false(cache_answer_put_later(
	    &ctx, "search", gen, hash, "{\"total\":4}", 11, 30, false));
	/* Neither queued for this process's look-ups nor stored. */
	assert_true(cache_answer_known(&ctx, "search", hash, gen, &text, &len));
	assert_null(text);
	later_wait();
	assert_int_equal(stored_ttl(gen, hash), -2);
	assert_null(look_up(hash, &gen));
	/* With room again, it is queued, then stored, as any other. */
	assert_true(cache_answer_put_later(
	    &ctx, "search", gen, hash, "{\"total\":5}", 11, 30, false));
	assert_true(wait_stored(gen, hash) > 0);
	text = look_up(hash, &gen);
	assert_non_null(text);
	assert_string_equal(text, "{\"total\":5}");
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_put_then_hit),
	    cmocka_unit_test(test_other_generation_never_served),
	    cmocka_unit_test(test_more_puts_than_the_queue),
	    cmocka_unit_test(test_later_in_order),
	    cmocka_unit_test(
		test_a_put_that_may_not_wait_is_dropped_when_the_queue_is_full),
	};
	struct settings s;
	const char     *tid;

	if ((tid = getenv("VIGIE_TEST_TENANT_ID")) == NULL) {
		printf("SKIPPED: no tenant id given\n");
		return (0);
	}
	if (!store_test_open(&s, &ctx, tid, "cachelater"))
		return (1);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
