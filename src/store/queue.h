/*
 * Reliable job queues on Redis. A job is taken by atomically moving it
 * from the queue to the taking worker's own processing list; it leaves
 * that list only when acknowledged. A worker that dies leaves its jobs
 * there, and queue_reap() puts them back once its heartbeat has expired.
 *
 * Keys: p:jobs (pending), p:jobs:processing:<worker>, p:jobs:dead,
 * p:workers (set of worker ids), p:worker:<id> (heartbeat, expires),
 * p:jobs:delayed (sorted set of jobs by due time, in ms of Redis's clock),
 * p:sched:<job type> (the claim on a periodic job's current period).
 */
#ifndef VIGIE_STORE_QUEUE_H
#define VIGIE_STORE_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/tenant.h"

#define QUEUE_WORKER_ID_MAX 96

bool queue_push(const char *job, char *err, size_t errlen);
char *
queue_take(const char *worker_id, int timeout_s, char *err, size_t errlen);
bool
queue_ack(const char *worker_id, const char *job, char *err, size_t errlen);
bool queue_dead(const char *worker_id, const char *job, const char *reason,
    char *err, size_t errlen);
bool queue_heartbeat(const char *worker_id, const char *info, int ttl_s,
    char *err, size_t errlen);
long queue_release(const char *worker_id, char *err, size_t errlen);
long queue_reap(char *err, size_t errlen);
void queue_leave(const char *worker_id);

bool
queue_push_delayed(const char *job, long delay_ms, char *err, size_t errlen);
long queue_promote_due(long max, char *err, size_t errlen);
int  queue_schedule_claim(const char *job_type, long period_ms,
     const char *worker_id, char *err, size_t errlen);

bool queue_tenant_ring(
    const struct tenant_ctx *, const char *name, char *err, size_t errlen);
bool  queue_tenant_push(const struct tenant_ctx *, const char *name,
     const char *job, char *err, size_t errlen);
char *queue_tenant_take(const struct tenant_ctx *, const char *name,
    const char *worker_id, char *err, size_t errlen);
bool  queue_tenant_done(const struct tenant_ctx *, const char *name,
     const char *worker_id, const char *job, char *err, size_t errlen);
bool  queue_tenant_retry(const struct tenant_ctx *, const char *name,
     const char *worker_id, const char *job, char *err, size_t errlen);
long  queue_tenant_recover(const struct tenant_ctx *, const char *name,
     const char *self, char *err, size_t errlen);

#endif
