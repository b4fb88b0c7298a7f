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

/* ---- delayed and periodic jobs ----------------------------------------- */

#define QUEUE_DELAYED "p:jobs:delayed"

/*
 * Both scripts read the time from Redis, so that every worker, wherever
 * it runs, agrees on when a job is due.
 */
static const char queue_delay_lua[] =
    "local t = redis.call('TIME')\n"
    "local now = t[1] * 1000 + math.floor(t[2] / 1000)\n"
    "redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[2])\n"
    "return now";

static const char queue_promote_lua[] =
    "local t = redis.call('TIME')\n"
    "local now = t[1] * 1000 + math.floor(t[2] / 1000)\n"
    "local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now,\n"
    "    'LIMIT', 0, tonumber(ARGV[1]))\n"
    "for _, job in ipairs(due) do\n"
    "  redis.call('ZREM', KEYS[1], job)\n"
    "  redis.call('LPUSH', KEYS[2], job)\n"
    "end\n"
    "return #due";

/* Runs a script that answers an integer; returns it, or -1 on error. */
static long
queue_eval_integer(const char *script, int nkeys, const char **keys,
    const char *arg1, const char *arg2, char *err, size_t errlen)
{
	const char *argv[8];
	char        n[16];
	redisReply *r;
	long        v;
	int         argc, i;

	snprintf(n, sizeof(n), "%d", nkeys);
	argc = 0;
	argv[argc++] = "EVAL";
	argv[argc++] = script;
	argv[argc++] = n;
	for (i = 0; i < nkeys; i++)
		argv[argc++] = keys[i];
	argv[argc++] = arg1;
	if (arg2 != NULL)
		argv[argc++] = arg2;
	if ((r = kv_commandv(argc, argv, NULL, err, errlen)) == NULL)
		return (-1);
	v = -1;
	if (r->type == REDIS_REPLY_INTEGER)
		v = (long)r->integer;
	else
		snprintf(err, errlen, "%s",
		    r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
	freeReplyObject(r);
	return (v);
}

/*
 * Puts a job aside until delay_ms from now; queue_promote_due() moves it
 * to p:jobs then. Identical job texts are one job: a job that must be
 * delayed twice needs something that tells the two apart (an attempt
 * number, an event id).
 */
bool
queue_push_delayed(const char *job, long delay_ms, char *err, size_t errlen)
{
	const char *keys[] = {QUEUE_DELAYED};
	char        delay[24];

	if (delay_ms < 0)
		delay_ms = 0;
	snprintf(delay, sizeof(delay), "%ld", delay_ms);
	return (queue_eval_integer(
		    queue_delay_lua, 1, keys, delay, job, err, errlen) >= 0);
}

/* Moves up to max due jobs to p:jobs. Returns how many, -1 on error. */
long
queue_promote_due(long max, char *err, size_t errlen)
{
	const char *keys[] = {QUEUE_DELAYED, QUEUE_PENDING};
	char        limit[24];

	snprintf(limit, sizeof(limit), "%ld", max);
	return (queue_eval_integer(
	    queue_promote_lua, 2, keys, limit, NULL, err, errlen));
}

/*
 * Claims the current period of a periodic job: SET NX with the period as
 * expiry, so that across all workers exactly one claim succeeds per
 * period. Returns 1 when this worker won, 0 when the period is taken, -1
 * on error.
 */
int
queue_schedule_claim(const char *job_type, long period_ms,
    const char *worker_id, char *err, size_t errlen)
{
	char        key[128], px[24];
	const char *argv[] = {"SET", key, worker_id, "NX", "PX", px};
	redisReply *r;
	int         won;

	snprintf(key, sizeof(key), "p:sched:%s", job_type);
	snprintf(px, sizeof(px), "%ld", period_ms);
	if ((r = kv_commandv(6, argv, NULL, err, errlen)) == NULL)
		return (-1);
	if (r->type == REDIS_REPLY_ERROR) {
		snprintf(err, errlen, "%s", r->str);
		won = -1;
	} else
		won = r->type == REDIS_REPLY_STATUS ? 1 : 0;
	freeReplyObject(r);
	return (won);
}

/* ---- tenant queues ----------------------------------------------------- */

/*
 * A tenant's jobs wait in t:<id>:queue:<name>; a worker moves the one it
 * takes to t:<id>:queue:<name>:wip:<worker id> until it is done. Each
 * push also rings the platform doorbell (a "tenant-queue" job on p:jobs)
 * that makes some worker look at that tenant's queue.
 */
static bool
queue_tenant_keys(const struct tenant_ctx *ctx, const char *name,
    const char *worker_id, char *queue, char *wip, size_t len)
{
	char purpose[QUEUE_WORKER_ID_MAX + 64];

	snprintf(purpose, sizeof(purpose), "queue:%s", name);
	if (!tenant_key(ctx, purpose, queue, len))
		return (false);
	if (wip == NULL)
		return (true);
	snprintf(purpose, sizeof(purpose), "queue:%s:wip:%s", name, worker_id);
	return (tenant_key(ctx, purpose, wip, len));
}

bool
queue_tenant_ring(
    const struct tenant_ctx *ctx, const char *name, char *err, size_t errlen)
{
	char bell[160];

	snprintf(bell, sizeof(bell),
	    "{\"type\":\"tenant-queue\",\"tenant_id\":\"%s\",\"queue\":\"%s\"}",
	    ctx->id, name);
	return (queue_push(bell, err, errlen));
}

bool
queue_tenant_push(const struct tenant_ctx *ctx, const char *name,
    const char *job, char *err, size_t errlen)
{
	char        queue[256];
	const char *argv[3];

	if (!queue_tenant_keys(ctx, name, NULL, queue, NULL, sizeof(queue))) {
		snprintf(err, errlen, "invalid tenant context or queue");
		return (false);
	}
	argv[0] = "LPUSH";
	argv[1] = queue;
	argv[2] = job;
	return (queue_run(3, argv, err, errlen) &&
	    queue_tenant_ring(ctx, name, err, errlen));
}

/* Takes the oldest job of the tenant's queue; NULL if none (err empty). */
char *
queue_tenant_take(const struct tenant_ctx *ctx, const char *name,
    const char *worker_id, char *err, size_t errlen)
{
	char        queue[256], wip[256];
	const char *argv[3];
	redisReply *r;
	char       *job;

	err[0] = '\0';
	if (!queue_tenant_keys(
		ctx, name, worker_id, queue, wip, sizeof(queue))) {
		snprintf(err, errlen, "invalid tenant context or queue");
		return (NULL);
	}
	argv[0] = "RPOPLPUSH";
	argv[1] = queue;
	argv[2] = wip;
	if ((r = kv_commandv(3, argv, NULL, err, errlen)) == NULL)
		return (NULL);
	job =
	    r->type == REDIS_REPLY_STRING ? mem_strndup(r->str, r->len) : NULL;
	if (r->type == REDIS_REPLY_ERROR)
		snprintf(err, errlen, "%s", r->str);
	freeReplyObject(r);
	return (job);
}

/* The job is finished (done or dead): it leaves the wip list. */
bool
queue_tenant_done(const struct tenant_ctx *ctx, const char *name,
    const char *worker_id, const char *job, char *err, size_t errlen)
{
	char        queue[256], wip[256];
	const char *argv[4];

	if (!queue_tenant_keys(ctx, name, worker_id, queue, wip, sizeof(queue)))
		return (false);
	argv[0] = "LREM";
	argv[1] = wip;
	argv[2] = "1";
	argv[3] = job;
	return (queue_run(4, argv, err, errlen));
}

/* The job must run again: back at the head of the queue, bell rung. */
bool
queue_tenant_retry(const struct tenant_ctx *ctx, const char *name,
    const char *worker_id, const char *job, char *err, size_t errlen)
{
	char        queue[256], wip[256];
	const char *argv[3];

	if (!queue_tenant_keys(ctx, name, worker_id, queue, wip, sizeof(queue)))
		return (false);
	argv[0] = "RPUSH";
	argv[1] = queue;
	argv[2] = job;
	return (queue_run(3, argv, err, errlen) &&
	    queue_tenant_done(ctx, name, worker_id, job, err, errlen) &&
	    queue_tenant_ring(ctx, name, err, errlen));
}

/*
 * Gives back the jobs that dead workers left in this tenant's wip lists
 * (their heartbeat expired). Returns how many went back, -1 on error.
 */
long
queue_tenant_recover(const struct tenant_ctx *ctx, const char *name,
    const char *self, char *err, size_t errlen)
{
	char queue[256], pattern[300], cursor[32],
	    beat[QUEUE_WORKER_ID_MAX + 16];
	const char *scan[6], *exists[2], *move[3];
	const char *wid;
	redisReply *r, *e;
	size_t      i, prefix;
	long        moved;
	bool        alive, more;

	if (!queue_tenant_keys(ctx, name, NULL, queue, NULL, sizeof(queue)))
		return (-1);
	snprintf(pattern, sizeof(pattern), "%s:wip:*", queue);
	prefix = strlen(queue) + strlen(":wip:");
	snprintf(cursor, sizeof(cursor), "0");
	moved = 0;
	do {
		scan[0] = "SCAN";
		scan[1] = cursor;
		scan[2] = "MATCH";
		scan[3] = pattern;
		scan[4] = "COUNT";
		scan[5] = "200";
		r = kv_commandv(6, scan, NULL, err, errlen);
		if (r == NULL || r->type != REDIS_REPLY_ARRAY ||
		    r->elements != 2) {
			freeReplyObject(r);
			return (-1);
		}
		snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
		for (i = 0; i < r->element[1]->elements; i++) {
			const char *wip = r->element[1]->element[i]->str;
			wid = wip + prefix;
			if (strlen(wip) <= prefix || strcmp(wid, self) == 0)
				continue;
			snprintf(beat, sizeof(beat), "p:worker:%s", wid);
			exists[0] = "EXISTS";
			exists[1] = beat;
			if ((e = kv_commandv(2, exists, NULL, err, errlen)) ==
			    NULL)
				continue;
			alive =
			    e->type == REDIS_REPLY_INTEGER && e->integer == 1;
			freeReplyObject(e);
			if (alive)
				continue;
			move[0] = "RPOPLPUSH";
			move[1] = wip;
			move[2] = queue;
			do {
				if ((e = kv_commandv(
					 3, move, NULL, err, errlen)) == NULL)
					break;
				more = e->type == REDIS_REPLY_STRING;
				freeReplyObject(e);
				if (more) {
					moved++;
					(void)queue_tenant_ring(
					    ctx, name, err, errlen);
				}
			} while (more);
		}
		freeReplyObject(r);
	} while (strcmp(cursor, "0") != 0);
	return (moved);
}
