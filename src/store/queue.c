#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/mem.h"
#include "store/kv.h"
#include "store/queue.h"

#define QUEUE_PENDING "p:jobs"
#define QUEUE_DEAD    "p:jobs:dead"
#define QUEUE_WORKERS "p:workers"

static void
queue_processing_key(const char *worker_id, char *out, size_t len)
{
	snprintf(out, len, "p:jobs:processing:%s", worker_id);
}

/* Runs a command whose reply only needs to be a non-error. */
static bool
queue_run(int argc, const char **argv, char *err, size_t errlen)
{
	redisReply *r;
	bool        ok;

	if ((r = kv_commandv(argc, argv, NULL, err, errlen)) == NULL)
		return (false);
	ok = r->type != REDIS_REPLY_ERROR;
	if (!ok)
		snprintf(err, errlen, "%s", r->str);
	freeReplyObject(r);
	return (ok);
}

bool
queue_push(const char *job, char *err, size_t errlen)
{
	const char *argv[] = {"LPUSH", QUEUE_PENDING, job};

	return (queue_run(3, argv, err, errlen));
}

/*
 * Waits up to timeout_s for a job and moves it to this worker's
 * processing list. Returns the job (caller frees with mem_free), or NULL:
 * no job in time (err empty) or an error (err set).
 */
char *
queue_take(const char *worker_id, int timeout_s, char *err, size_t errlen)
{
	char        processing[QUEUE_WORKER_ID_MAX + 32], timeout[16];
	const char *argv[4];
	redisReply *r;
	char       *job;

	err[0] = '\0';
	queue_processing_key(worker_id, processing, sizeof(processing));
	snprintf(timeout, sizeof(timeout), "%d", timeout_s);
	argv[0] = "BRPOPLPUSH";
	argv[1] = QUEUE_PENDING;
	argv[2] = processing;
	argv[3] = timeout;
	if ((r = kv_commandv(4, argv, NULL, err, errlen)) == NULL)
		return (NULL);
	job = NULL;
	if (r->type == REDIS_REPLY_STRING)
		job = mem_strndup(r->str, r->len);
	else if (r->type == REDIS_REPLY_ERROR)
		snprintf(err, errlen, "%s", r->str);
	freeReplyObject(r);
	return (job);
}

bool
queue_ack(const char *worker_id, const char *job, char *err, size_t errlen)
{
	char        processing[QUEUE_WORKER_ID_MAX + 32];
	const char *argv[4];

	queue_processing_key(worker_id, processing, sizeof(processing));
	argv[0] = "LREM";
	argv[1] = processing;
	argv[2] = "1";
	argv[3] = job;
	return (queue_run(4, argv, err, errlen));
}

/* Records a job that can never succeed, with why, then acknowledges it. */
bool
queue_dead(const char *worker_id, const char *job, const char *reason,
    char *err, size_t errlen)
{
	const char *argv[3];
	json_t     *entry;
	char       *text;
	bool        ok;

	entry = json_pack("{s:s, s:s, s:s}", "job", job, "reason", reason,
	    "worker", worker_id);
	text = json_dumps(entry, JSON_COMPACT);
	json_decref(entry);
	argv[0] = "LPUSH";
	argv[1] = QUEUE_DEAD;
	argv[2] = text;
	ok = queue_run(3, argv, err, errlen);
	free(text);
	return (ok && queue_ack(worker_id, job, err, errlen));
}

bool
queue_heartbeat(const char *worker_id, const char *info, int ttl_s, char *err,
    size_t errlen)
{
	char        key[QUEUE_WORKER_ID_MAX + 16], ttl[16];
	const char *set[] = {"SET", key, info, "EX", ttl};
	const char *add[] = {"SADD", QUEUE_WORKERS, worker_id};

	snprintf(key, sizeof(key), "p:worker:%s", worker_id);
	snprintf(ttl, sizeof(ttl), "%d", ttl_s);
	return (
	    queue_run(5, set, err, errlen) && queue_run(3, add, err, errlen));
}

/* Moves every job of a dead worker back to the pending queue. */
long
queue_release(const char *worker_id, char *err, size_t errlen)
{
	char        processing[QUEUE_WORKER_ID_MAX + 32];
	const char *argv[3];
	redisReply *r;
	long        moved;
	bool        more;

	queue_processing_key(worker_id, processing, sizeof(processing));
	argv[0] = "RPOPLPUSH";
	argv[1] = processing;
	argv[2] = QUEUE_PENDING;
	moved = 0;
	do {
		if ((r = kv_commandv(3, argv, NULL, err, errlen)) == NULL)
			return (-1);
		more = r->type == REDIS_REPLY_STRING;
		freeReplyObject(r);
		if (more)
			moved++;
	} while (more);
	return (moved);
}

/*
 * Looks for workers whose heartbeat expired and gives their jobs back to
 * the queue. Returns how many jobs were requeued, -1 on error.
 */
long
queue_reap(char *err, size_t errlen)
{
	const char *members[] = {"SMEMBERS", QUEUE_WORKERS};
	const char *exists[2], *srem[3];
	char        key[QUEUE_WORKER_ID_MAX + 16];
	redisReply *set, *r;
	long        total, n;
	size_t      i;
	bool        alive;

	if ((set = kv_commandv(2, members, NULL, err, errlen)) == NULL)
		return (-1);
	total = 0;
	for (i = 0; set->type == REDIS_REPLY_ARRAY && i < set->elements; i++) {
		snprintf(key, sizeof(key), "p:worker:%s", set->element[i]->str);
		exists[0] = "EXISTS";
		exists[1] = key;
		if ((r = kv_commandv(2, exists, NULL, err, errlen)) == NULL)
			break;
		alive = r->type == REDIS_REPLY_INTEGER && r->integer == 1;
		freeReplyObject(r);
		if (alive)
			continue;
		if ((n = queue_release(set->element[i]->str, err, errlen)) < 0)
			break;
		total += n;
		srem[0] = "SREM";
		srem[1] = QUEUE_WORKERS;
		srem[2] = set->element[i]->str;
		(void)queue_run(3, srem, err, errlen);
	}
	freeReplyObject(set);
	return (total);
}

/* A clean stop: give back anything still held, forget the heartbeat. */
void
queue_leave(const char *worker_id)
{
	char        key[QUEUE_WORKER_ID_MAX + 16], err[128];
	const char *del[] = {"DEL", key};
	const char *srem[] = {"SREM", QUEUE_WORKERS, worker_id};

	(void)queue_release(worker_id, err, sizeof(err));
	snprintf(key, sizeof(key), "p:worker:%s", worker_id);
	(void)queue_run(2, del, err, sizeof(err));
	(void)queue_run(3, srem, err, sizeof(err));
}
