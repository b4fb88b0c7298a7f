#include "core/lease.h"
#include "core/quota.h"

enum lease_use
lease_check(
    struct lease *l, uint64_t epoch, uint64_t now_us, uint64_t window_us)
{
	if (window_us == 0 || l->at_us == 0 || l->epoch != epoch ||
	    now_us < l->at_us || now_us - l->at_us >= window_us)
		return (LEASE_ASK);
	if (now_us - l->at_us < window_us / 2 || l->renew_us >= l->at_us)
		return (LEASE_USE);
	l->renew_us = now_us;
	return (LEASE_RENEW);
}

void
lease_confirm(struct lease *l, long long gen, uint64_t epoch, uint64_t sent_us)
{
	/* A reply to an older command than the one that confirmed it last
	 * (replies come in order, but renewals overlap) changes nothing. */
	if (l->epoch == epoch && l->gen == gen && sent_us <= l->at_us)
		return;
	l->gen = gen;
	l->epoch = epoch;
	l->at_us = sent_us;
	l->renew_us = 0;
}

bool
tally_admits(
    const struct tally *t, uint64_t epoch, uint64_t now_us, uint64_t window_us)
{
	long worst;

	if (window_us == 0 || t->at_us == 0 || t->epoch != epoch ||
	    now_us < t->at_us || now_us - t->at_us >= window_us ||
	    t->local + t->sending >= TALLY_LOCAL_MAX)
		return (false);
	if (t->max <= 0)
		return (true);
	/* This one, those not confirmed here, and as many on every other
	 * event loop. */
	worst = t->counted + t->local + t->sending + 1 + TALLY_MARGIN;
	return (worst <= t->max &&
	    quota_threshold_crossed(t->counted, worst, t->max) == 0);
}

void
tally_take(struct tally *t)
{
	t->local++;
}

void
tally_told(
    struct tally *t, long after, long max, uint64_t epoch, uint64_t sent_us)
{
	if (after > t->counted || t->epoch != epoch)
		t->counted = after;
	t->max = max;
	if (sent_us >= t->at_us || t->epoch != epoch) {
		t->epoch = epoch;
		t->at_us = sent_us;
	}
}

long
tally_send(struct tally *t)
{
	long n = t->local;

	t->sending += n;
	t->local = 0;
	return (n);
}

void
tally_sent(struct tally *t, long n, long total)
{
	t->sending -= n;
	if (total > t->counted)
		t->counted = total;
}

void
tally_unsent(struct tally *t, long n)
{
	t->sending -= n;
	t->local += n;
}
