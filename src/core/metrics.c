#include <stddef.h>

#include "core/metrics.h"

const uint64_t metrics_bucket_us[METRICS_BUCKETS] = {250, 500, 1000, 2500, 5000,
    10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000, UINT64_MAX};

/*
 * Codes with a slot of their own. Slots past the list are the classes
 * 1xx..5xx for codes not listed ("other" codes keep their class).
 */
static const int status_codes[] = {200, 201, 202, 204, 206, 301, 302, 304, 400,
    401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 502, 503, 504, 0};

#define STATUS_LISTED (int)(sizeof(status_codes) / sizeof(status_codes[0]) - 1)

int
metrics_status_slot(int status)
{
	int i, klass;

	for (i = 0; i < STATUS_LISTED; i++) {
		if (status_codes[i] == status)
			return (i);
	}
	klass = status / 100;
	if (klass < 1 || klass > 5)
		klass = 5;
	return (STATUS_LISTED + klass - 1);
}

/* The label for a slot: a code, or 1xx..5xx written as 100..500. */
int
metrics_status_code(int slot)
{
	if (slot < STATUS_LISTED)
		return (status_codes[slot]);
	return ((slot - STATUS_LISTED + 1) * 100);
}

int
metrics_bucket_index(uint64_t us)
{
	int i;

	for (i = 0; i < METRICS_BUCKETS - 1; i++) {
		if (us <= metrics_bucket_us[i])
			return (i);
	}
	return (METRICS_BUCKETS - 1);
}

void
metrics_record(struct metrics_table *t, int route, int status, uint64_t us)
{
	struct metrics_route *r;

	if (route < 0 || route >= METRICS_ROUTES_MAX)
		return;
	r = &t->route[route];
	__atomic_fetch_add(
	    &r->status[metrics_status_slot(status)], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(
	    &r->bucket[metrics_bucket_index(us)], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&r->count, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&r->sum_us, us, __ATOMIC_RELAXED);
}

void
metrics_loop_answer(struct metrics_table *t)
{
	__atomic_fetch_add(&t->loop_answers, 1, __ATOMIC_RELAXED);
}

void
metrics_loop_leased(struct metrics_table *t)
{
	__atomic_fetch_add(&t->loop_leased, 1, __ATOMIC_RELAXED);
}

void
metrics_loop_leased_miss(struct metrics_table *t)
{
	__atomic_fetch_add(&t->leased_misses, 1, __ATOMIC_RELAXED);
}

void
metrics_inflight_add(struct metrics_table *t, int64_t delta)
{
	__atomic_fetch_add(&t->inflight, delta, __ATOMIC_RELAXED);
}

static void
metrics_render_requests(const struct metrics_table *t, const char *const *names,
    int nroutes, struct buf *out)
{
	uint64_t n;
	int      r, s, code;

	buf_appends(out,
	    "# HELP vigie_http_requests_total HTTP requests "
	    "answered, by route and status code.\n"
	    "# TYPE vigie_http_requests_total counter\n");
	for (r = 0; r < nroutes; r++) {
		for (s = 0; s < METRICS_STATUS_SLOTS; s++) {
			n = __atomic_load_n(
			    &t->route[r].status[s], __ATOMIC_RELAXED);
			if (n == 0)
				continue;
			code = metrics_status_code(s);
			if (s < STATUS_LISTED)
				buf_appendf(out,
				    "vigie_http_requests_total"
				    "{route=\"%s\",status=\"%d\"} %lu\n",
				    names[r], code, (unsigned long)n);
			else
				buf_appendf(out,
				    "vigie_http_requests_total"
				    "{route=\"%s\",status=\"%dxx\"} %lu\n",
				    names[r], code / 100, (unsigned long)n);
		}
	}
}

static void
metrics_render_latency(const struct metrics_table *t, const char *const *names,
    int nroutes, struct buf *out)
{
	const struct metrics_route *rt;
	uint64_t                    cumulative, count;
	int                         r, b;

	buf_appends(out,
	    "# HELP vigie_http_request_duration_seconds Time "
	    "from request start to response, by route.\n"
	    "# TYPE vigie_http_request_duration_seconds histogram\n");
	for (r = 0; r < nroutes; r++) {
		rt = &t->route[r];
		count = __atomic_load_n(&rt->count, __ATOMIC_RELAXED);
		if (count == 0)
			continue;
		cumulative = 0;
		for (b = 0; b < METRICS_BUCKETS; b++) {
			cumulative +=
			    __atomic_load_n(&rt->bucket[b], __ATOMIC_RELAXED);
			if (b == METRICS_BUCKETS - 1)
				buf_appendf(out,
				    "vigie_http_request_duration_"
				    "seconds_bucket{route=\"%s\",le=\"+Inf\"} "
				    "%lu\n",
				    names[r], (unsigned long)cumulative);
			else
				buf_appendf(out,
				    "vigie_http_request_duration_"
				    "seconds_bucket{route=\"%s\",le=\"%g\"} "
				    "%lu\n",
				    names[r],
				    (double)metrics_bucket_us[b] / 1e6,
				    (unsigned long)cumulative);
		}
		buf_appendf(out,
		    "vigie_http_request_duration_seconds_sum"
		    "{route=\"%s\"} %.6f\n",
		    names[r],
		    (double)__atomic_load_n(&rt->sum_us, __ATOMIC_RELAXED) /
			1e6);
		buf_appendf(out,
		    "vigie_http_request_duration_seconds_count"
		    "{route=\"%s\"} %lu\n",
		    names[r], (unsigned long)cumulative);
	}
}

/*
 * Appends the whole exposition to out. names[i] is the label of route i;
 * only the first nroutes routes are rendered.
 */
void
metrics_render(const struct metrics_table *t, const char *const *names,
    int nroutes, struct buf *out)
{
	uint64_t rss;
	int      i;

	if (nroutes > METRICS_ROUTES_MAX)
		nroutes = METRICS_ROUTES_MAX;
	metrics_render_requests(t, names, nroutes, out);
	metrics_render_latency(t, names, nroutes, out);

	buf_appendf(out,
	    "# HELP vigie_http_requests_in_flight Requests "
	    "being handled now.\n# TYPE vigie_http_requests_in_flight gauge\n"
	    "vigie_http_requests_in_flight %ld\n",
	    (long)__atomic_load_n(&t->inflight, __ATOMIC_RELAXED));

	buf_appendf(out,
	    "# HELP vigie_http_event_loop_answers_total Cached answers sent "
	    "from the event loop, without a task thread.\n"
	    "# TYPE vigie_http_event_loop_answers_total counter\n"
	    "vigie_http_event_loop_answers_total %lu\n",
	    (unsigned long)__atomic_load_n(&t->loop_answers, __ATOMIC_RELAXED));
	buf_appendf(out,
	    "# HELP vigie_http_event_loop_leased_answers_total Those of them "
	    "sent on a lease, without asking Redis (VIGIE_HIT_LEASE_MS).\n"
	    "# TYPE vigie_http_event_loop_leased_answers_total counter\n"
	    "vigie_http_event_loop_leased_answers_total %lu\n",
	    (unsigned long)__atomic_load_n(&t->loop_leased, __ATOMIC_RELAXED));
	buf_appendf(out,
	    "# HELP vigie_http_leased_misses_total Cache misses sent to be "
	    "computed on a caller's lease, without asking Redis first.\n"
	    "# TYPE vigie_http_leased_misses_total counter\n"
	    "vigie_http_leased_misses_total %lu\n",
	    (unsigned long)__atomic_load_n(
		&t->leased_misses, __ATOMIC_RELAXED));

	buf_appends(out,
	    "# HELP vigie_process_resident_memory_bytes "
	    "Resident memory of each server process (0 = parent).\n"
	    "# TYPE vigie_process_resident_memory_bytes gauge\n");
	for (i = 0; i < METRICS_PROCS_MAX; i++) {
		rss = __atomic_load_n(&t->rss_bytes[i], __ATOMIC_RELAXED);
		if (rss == 0)
			continue;
		buf_appendf(out,
		    "vigie_process_resident_memory_bytes"
		    "{process=\"%d\"} %lu\n",
		    i, (unsigned long)rss);
	}
	buf_appendf(out,
	    "# HELP vigie_process_start_time_seconds Start time "
	    "of the server, seconds since the epoch.\n"
	    "# TYPE vigie_process_start_time_seconds gauge\n"
	    "vigie_process_start_time_seconds %lu\n",
	    (unsigned long)t->started_unix);
}
