/*
 * Work done after the answer: one background thread per process runs
 * what request threads hand it (a cache SET, a search history entry),
 * in the order given, so that the answer does not wait for writes the
 * client does not read. Reads that must see such a write call
 * later_wait() first. Work still queued when the process ends is lost:
 * hand only best-effort writes here.
 */
#ifndef VIGIE_COMMON_LATER_H
#define VIGIE_COMMON_LATER_H

#include <stdbool.h>

/* At most this many pieces of work wait; past it, callers run their own. */
#define LATER_MAX 64

/*
 * Queues fn(arg) for the background thread (started on first use).
 * Returns false when the queue is full or the thread could not start:
 * the caller then runs fn(arg) itself.
 */
bool later_run(void (*fn)(void *), void *arg);

/* Returns once everything queued before the call has run. */
void later_wait(void);

#endif
