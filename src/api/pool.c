#include <pthread.h>

#include "api/pool.h"

/* The queue: tasks chained through their own list entry (Kore's). */
static TAILQ_HEAD(, kore_task) pool_queue = TAILQ_HEAD_INITIALIZER(pool_queue);
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t  pool_ready = PTHREAD_COND_INITIALIZER;
static int             pool_threads; /* started, on the event loop */

static void *
pool_thread(void *arg)
{
	struct kore_task *t;

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&pool_lock);
		while ((t = TAILQ_FIRST(&pool_queue)) == NULL)
			pthread_cond_wait(&pool_ready, &pool_lock);
		TAILQ_REMOVE(&pool_queue, t, list);
		pthread_mutex_unlock(&pool_lock);
		/* As Kore's own task threads do. */
		kore_task_set_state(t, KORE_TASK_STATE_RUNNING);
		kore_task_set_result(t, t->entry(t));
		kore_task_finish(t); /* its socket's end wakes the loop */
	}
	return (NULL);
}

void
pool_run(struct kore_task *t)
{
	pthread_t tid;
	int       want;

	/* Its end of the socket pair: read by Kore, which marks the task
	 * finished and wakes its request up when our end closes. */
	kore_platform_schedule_read(t->fds[0], t);
	t->thread = NULL; /* no channel: Kore's task threads only */
	want = kore_task_threads > 0 ? kore_task_threads : 1;
	if (pool_threads < want) {
		if (pthread_create(&tid, NULL, pool_thread, NULL) == 0) {
			(void)pthread_detach(tid);
			pool_threads++;
		} else if (pool_threads == 0) {
			fatal("pool_run: no task thread could be started");
		}
	}
	pthread_mutex_lock(&pool_lock);
	TAILQ_INSERT_TAIL(&pool_queue, t, list);
	pthread_mutex_unlock(&pool_lock);
	pthread_cond_signal(&pool_ready);
}
