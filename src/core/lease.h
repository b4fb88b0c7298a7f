/*
 * What an event loop may take as still true without asking Redis
 * (api/fast.c): the pure decisions, with no clock or I/O of their own.
 *
 * A lease says that a caller's cached answer was found and allowed, at a
 * generation, by a reply to a command sent at a time under a change
 * epoch (api/redis_loop.h: bumped by every change announced on the
 * change channel and every loss of it). For window_us after that, and
 * while no change is announced, the same request is answered from the
 * local copy. Past half the window, one request asks Redis again (the
 * renewal) while the others keep using the lease.
 *
 * A tally is what one event loop knows of a tenant's request count of a
 * day: the count and limit Redis last told, the requests answered here
 * since and not yet sent to Redis, and those sent and not yet confirmed.
 * It admits a request without asking only while even the worst case
 * (every other event loop holding TALLY_LOCAL_MAX unconfirmed requests
 * of its own) stays under the limit, and crosses no warning threshold:
 * the last TALLY_MARGIN requests of an allowance, and the requests
 * around a threshold, are always counted by Redis one by one.
 */
#ifndef VIGIE_CORE_LEASE_H
#define VIGIE_CORE_LEASE_H

#include <stdbool.h>
#include <stdint.h>

struct lease {
	long long gen; /* the generation of the answer */
	uint64_t  epoch; /* the change epoch of the confirming command */
	uint64_t  at_us; /* when that command was sent */
	uint64_t  renew_us; /* when a renewal was sent, 0: none since */
};

enum lease_use {
	LEASE_ASK, /* ask Redis: no lease, an old one, or a change since */
	LEASE_USE, /* answer from the local copy */
	LEASE_RENEW /* ask Redis for this request; the others use it */
};

/* What to do for a request at now_us; marks the renewal when it says so. */
enum lease_use lease_check(
    struct lease *, uint64_t epoch, uint64_t now_us, uint64_t window_us);

/* A reply confirmed the answer at gen (for a command sent at sent_us). */
void
lease_confirm(struct lease *, long long gen, uint64_t epoch, uint64_t sent_us);

/* Unconfirmed requests one event loop may hold per tenant and day. */
#define TALLY_LOCAL_MAX 128
/* Event loops assumed at most to serve one tenant at once. */
#define TALLY_LOOPS_MAX 64
#define TALLY_MARGIN    ((long)TALLY_LOCAL_MAX * TALLY_LOOPS_MAX)

struct tally {
	long     counted; /* the day's count Redis last told */
	long     max; /* the day's limit then; 0: none */
	uint64_t epoch; /* the change epoch of the command that told max */
	uint64_t at_us; /* when it was sent */
	long     local; /* answered here, not sent to Redis yet */
	long     sending; /* sent, not confirmed yet */
};

/* Whether one more request may be answered and counted later. */
bool tally_admits(
    const struct tally *, uint64_t epoch, uint64_t now_us, uint64_t window_us);

/* A request answered on the tally's word. */
void tally_take(struct tally *);

/* Redis counted a request one by one: after of max (sent at sent_us). */
void tally_told(
    struct tally *, long after, long max, uint64_t epoch, uint64_t sent_us);

/* The local requests leave for Redis: how many. */
long tally_send(struct tally *);

/* Redis confirmed n of them, the day's count now being total. */
void tally_sent(struct tally *, long n, long total);

/* n of them could not be sent: they wait for the next time. */
void tally_unsent(struct tally *, long n);

#endif
