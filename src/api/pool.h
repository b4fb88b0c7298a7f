/*
 * The task threads of a Kore worker, in place of Kore's own.
 *
 * Kore 4.1's task threads each keep a queue and wait on a condition
 * variable with `if (queue empty) wait`, then take the queue's first
 * task without looking again: a wake-up with nothing queued (which
 * pthread_cond_wait() may give) dereferences NULL and the Kore worker
 * dies with every request it holds (seen under load: a core showed the
 * fault just after pthread_cond_wait() returned). Kore also hands tasks
 * to its threads in turn, so a task may wait behind a slow one while
 * another thread is idle.
 *
 * Here the tasks are still Kore tasks (created, bound to their request,
 * finished and destroyed by Kore: the request is woken up and never
 * freed while its task runs), but they are run by VIGIE_TASK_THREADS
 * threads of our own that take them from one shared queue, waiting in a
 * loop that checks the queue after every wake-up.
 */
#ifndef VIGIE_API_POOL_H
#define VIGIE_API_POOL_H

#include <kore/kore.h>
#include <kore/tasks.h>

/* Queues t (made by kore_task_create()) for the next free thread. */
void pool_run(struct kore_task *);

#endif
