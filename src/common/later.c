#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/later.h"

struct later_work {
	void (*fn)(void *);
	void *arg;
};

/* A ring of LATER_MAX slots: queued counts what was handed, done what ran. */
static struct later_work later_ring[LATER_MAX];
static uint64_t          later_queued, later_done;
static pthread_mutex_t   later_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t    later_more = PTHREAD_COND_INITIALIZER;
static pthread_cond_t    later_ran = PTHREAD_COND_INITIALIZER;
static pthread_once_t    later_once = PTHREAD_ONCE_INIT;
static bool              later_up;

static void *
later_loop(void *unused)
{
	struct later_work w;

	(void)unused;
	pthread_mutex_lock(&later_mu);
	for (;;) {
		while (later_done == later_queued)
			pthread_cond_wait(&later_more, &later_mu);
		w = later_ring[later_done % LATER_MAX];
		pthread_mutex_unlock(&later_mu);
		w.fn(w.arg);
		pthread_mutex_lock(&later_mu);
		later_done++; /* its slot is free from here */
		pthread_cond_broadcast(&later_ran);
	}
	return (NULL);
}

static void
later_start(void)
{
	pthread_attr_t attr;
	pthread_t      t;

	if (pthread_attr_init(&attr) != 0)
		return;
	(void)pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	later_up = pthread_create(&t, &attr, later_loop, NULL) == 0;
	pthread_attr_destroy(&attr);
}

bool
later_run(void (*fn)(void *), void *arg)
{
	bool queued;

	(void)pthread_once(&later_once, later_start);
	pthread_mutex_lock(&later_mu);
	queued = later_up && later_queued - later_done < LATER_MAX;
	if (queued) {
		later_ring[later_queued % LATER_MAX] =
		    (struct later_work){fn, arg};
		later_queued++;
		pthread_cond_signal(&later_more);
	}
	pthread_mutex_unlock(&later_mu);
	return (queued);
}

void
later_wait(void)
{
	uint64_t target;

	pthread_mutex_lock(&later_mu);
	target = later_queued;
	while (later_done < target)
		pthread_cond_wait(&later_ran, &later_mu);
	pthread_mutex_unlock(&later_mu);
}
