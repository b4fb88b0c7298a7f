/*
 * Request metrics kept in one fixed-size table that lives in memory shared
 * by every Kore worker process, updated with atomic operations only, and
 * rendered in the Prometheus text exposition format.
 */
#ifndef VIGIE_CORE_METRICS_H
#define VIGIE_CORE_METRICS_H

#include <stdint.h>

#include "core/buf.h"

#define METRICS_ROUTES_MAX 64
#define METRICS_PROCS_MAX  72
#define METRICS_BUCKETS    14

/* Status codes counted one by one; anything else lands in its class. */
#define METRICS_STATUS_SLOTS 28

struct metrics_route {
	uint64_t status[METRICS_STATUS_SLOTS];
	uint64_t bucket[METRICS_BUCKETS]; /* not cumulative */
	uint64_t count;
	uint64_t sum_us;
};

struct metrics_table {
	struct metrics_route route[METRICS_ROUTES_MAX];
	int64_t              inflight;
	uint64_t             loop_answers; /* cached reads sent by the loop */
	uint64_t             loop_leased; /* ... of them on a lease's word */
	uint64_t leased_misses; /* misses sent on a caller's lease */
	uint64_t rss_bytes[METRICS_PROCS_MAX];
	uint64_t started_unix;
};

/* Bucket upper bounds in microseconds (the last one is +Inf). */
extern const uint64_t metrics_bucket_us[METRICS_BUCKETS];

int  metrics_status_slot(int status);
int  metrics_status_code(int slot);
int  metrics_bucket_index(uint64_t us);
void metrics_record(struct metrics_table *, int route, int status, uint64_t us);
void metrics_inflight_add(struct metrics_table *, int64_t);
void metrics_loop_answer(struct metrics_table *);
void metrics_loop_leased(struct metrics_table *);
void metrics_loop_leased_miss(struct metrics_table *);
void metrics_render(const struct metrics_table *, const char *const *names,
    int nroutes, struct buf *);

#endif
