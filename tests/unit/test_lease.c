/*
 * Leases and tallies (core/lease.h): a lease holds for its window and
 * its epoch only, one request renews it past half the window; a tally
 * admits a request only while the worst case stays under the limit and
 * crosses no warning threshold, and its counts add up through sending,
 * confirming and failing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/lease.h"

#define MS 1000ULL

static void
test_lease_window_and_epoch(void **state)
{
	struct lease l;

	(void)state;
	memset(&l, 0, sizeof(l));
	/* Never confirmed. */
	assert_int_equal(lease_check(&l, 1, 5 * MS, 200 * MS), LEASE_ASK);
	lease_confirm(&l, 7, 3, 1000 * MS);
	assert_int_equal(l.gen, 7);
	assert_int_equal(lease_check(&l, 3, 1000 * MS, 200 * MS), LEASE_USE);
	assert_int_equal(lease_check(&l, 3, 1099 * MS, 200 * MS), LEASE_USE);
	/* A change announced since: ask. */
	assert_int_equal(lease_check(&l, 4, 1001 * MS, 200 * MS), LEASE_ASK);
	/* The window is over, exactly at its end too. */
	assert_int_equal(lease_check(&l, 3, 1200 * MS, 200 * MS), LEASE_ASK);
	assert_int_equal(
	    lease_check(&l, 3, 1200 * MS - 1, 200 * MS), LEASE_RENEW);
	/* A window of 0: leases are off. */
	assert_int_equal(lease_check(&l, 3, 1000 * MS, 0), LEASE_ASK);
	/* A clock before the confirmation (never in practice): ask. */
	assert_int_equal(lease_check(&l, 3, 999 * MS, 200 * MS), LEASE_ASK);
}

static void
test_lease_renewal_once(void **state)
{
	struct lease l;

	(void)state;
	memset(&l, 0, sizeof(l));
	lease_confirm(&l, 2, 1, 1000 * MS);
	/* Past half the window: the first request renews, the next use. */
	assert_int_equal(lease_check(&l, 1, 1100 * MS, 200 * MS), LEASE_RENEW);
	assert_int_equal(l.renew_us, 1100 * MS);
	assert_int_equal(lease_check(&l, 1, 1101 * MS, 200 * MS), LEASE_USE);
	assert_int_equal(lease_check(&l, 1, 1150 * MS, 200 * MS), LEASE_USE);
	/* The renewal's reply confirms it again, from its sending time. */
	lease_confirm(&l, 2, 1, 1100 * MS);
	assert_int_equal(l.renew_us, 0);
	assert_int_equal(lease_check(&l, 1, 1250 * MS, 200 * MS), LEASE_RENEW);
	/* An older reply arriving late changes nothing. */
	lease_confirm(&l, 2, 1, 1050 * MS);
	assert_int_equal(l.at_us, 1100 * MS);
	/* A new generation replaces it whatever the time. */
	lease_confirm(&l, 3, 1, 1090 * MS);
	assert_int_equal(l.gen, 3);
	assert_int_equal(l.at_us, 1090 * MS);
}

static struct tally
tally_at(long counted, long max)
{
	struct tally t;

	memset(&t, 0, sizeof(t));
	tally_told(&t, counted, max, 5, 1000 * MS);
	return (t);
}

static void
test_tally_margin_boundary(void **state)
{
	struct tally t;
	long         max = 1000000;

	(void)state;
	/* Exactly at the margin: this request and the margin fit (past
	 * 95 %, with no warning left before the limit itself); one more
	 * does not. */
	t = tally_at(max - TALLY_MARGIN - 1, max);
	assert_true(tally_admits(&t, 5, 1001 * MS, 200 * MS));
	t = tally_at(max - TALLY_MARGIN, max);
	assert_false(tally_admits(&t, 5, 1001 * MS, 200 * MS));
	/* Those answered here and not confirmed count in the worst case. */
	t = tally_at(max - TALLY_MARGIN - 1, max);
	tally_take(&t);
	assert_false(tally_admits(&t, 5, 1001 * MS, 200 * MS));
	/* Far from any threshold (below 80 %). */
	t = tally_at(100, max);
	assert_true(tally_admits(&t, 5, 1001 * MS, 200 * MS));
	/* The last request before the 80 % warning's margin, and one over. */
	t = tally_at(max * 80 / 100 - TALLY_MARGIN - 2, max);
	assert_true(tally_admits(&t, 5, 1001 * MS, 200 * MS));
	t = tally_at(max * 80 / 100 - TALLY_MARGIN - 1, max);
	assert_false(tally_admits(&t, 5, 1001 * MS, 200 * MS));
	/* A small allowance is always counted one by one. */
	t = tally_at(0, 17);
	assert_false(tally_admits(&t, 5, 1001 * MS, 200 * MS));
	/* No limit. */
	t = tally_at(123456789, 0);
	assert_true(tally_admits(&t, 5, 1001 * MS, 200 * MS));
}

static void
test_tally_window_epoch_and_cap(void **state)
{
	struct tally t;
	int          i;

	(void)state;
	memset(&t, 0, sizeof(t));
	/* Never told. */
	assert_false(tally_admits(&t, 1, 1 * MS, 200 * MS));
	t = tally_at(0, 0);
	assert_false(tally_admits(&t, 6, 1001 * MS, 200 * MS));
	assert_false(tally_admits(&t, 5, 1200 * MS, 200 * MS));
	assert_false(tally_admits(&t, 5, 1001 * MS, 0));
	/* No more than TALLY_LOCAL_MAX unconfirmed, sent or not. */
	for (i = 0; i < TALLY_LOCAL_MAX - 1; i++) {
		assert_true(tally_admits(&t, 5, 1001 * MS, 200 * MS));
		tally_take(&t);
	}
	assert_int_equal(tally_send(&t), TALLY_LOCAL_MAX - 1);
	assert_true(tally_admits(&t, 5, 1001 * MS, 200 * MS));
	tally_take(&t);
	assert_false(tally_admits(&t, 5, 1001 * MS, 200 * MS));
}

static void
test_tally_counts_add_up(void **state)
{
	struct tally t;
	long         n;

	(void)state;
	t = tally_at(10, 1000000);
	tally_take(&t);
	tally_take(&t);
	tally_take(&t);
	n = tally_send(&t);
	assert_int_equal(n, 3);
	assert_int_equal(t.local, 0);
	assert_int_equal(t.sending, 3);
	tally_take(&t);
	/* Redis counted them, and others' requests meanwhile. */
	tally_sent(&t, n, 20);
	assert_int_equal(t.sending, 0);
	assert_int_equal(t.counted, 20);
	assert_int_equal(t.local, 1);
	/* A failed send: they wait to be sent again, nothing is lost. */
	n = tally_send(&t);
	tally_unsent(&t, n);
	assert_int_equal(t.local, 1);
	assert_int_equal(t.sending, 0);
	/* A count told one by one never goes back, within an epoch. */
	tally_told(&t, 15, 1000000, 5, 1002 * MS);
	assert_int_equal(t.counted, 20);
	assert_int_equal(t.at_us, 1002 * MS);
	/* A new epoch takes what it says. */
	tally_told(&t, 15, 2000000, 6, 1003 * MS);
	assert_int_equal(t.counted, 15);
	assert_int_equal(t.max, 2000000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lease_window_and_epoch),
	    cmocka_unit_test(test_lease_renewal_once),
	    cmocka_unit_test(test_tally_margin_boundary),
	    cmocka_unit_test(test_tally_window_epoch_and_cap),
	    cmocka_unit_test(test_tally_counts_add_up),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
