#include <pthread.h>

#include "api/pool.h"
#include "core/mem.h"

/* One queued task. */
struct pool_job {
	struct kore_task *t;
	struct pool_job  *next;
};

static struct pool_job *pool_head, *pool_tail;
static pthread_mutex_t  pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t   pool_ready = PTHREAD_COND_INITIALIZER;
static int              pool_threads; /* started, on the event loop */

static void *
pool_thread(void *arg)
{
	struct pool_job  *job;
	struct kore_task *t;

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&pool_lock);
		while ((job = pool_head) == NULL)
			pthread_cond_wait(&pool_ready, &pool_lock);
		if ((pool_head = job->next) == NULL)
			pool_tail = NULL;
		pthread_mutex_unlock(&pool_lock);
		t = job->t;
		mem_free(job);
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
	struct pool_job *job;
	pthread_t        tid;
	int              want;

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
	job = mem_calloc(1, sizeof(*job));
	job->t = t;
	pthread_mutex_lock(&pool_lock);
	if (pool_tail != NULL)
		pool_tail->next = job;
	else
		pool_head = job;
	pool_tail = job;
	pthread_mutex_unlock(&pool_lock);
	pthread_cond_signal(&pool_ready);
}
