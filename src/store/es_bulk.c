#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/env.h"
#include "common/log.h"
#include "core/mem.h"
#include "store/es_bulk.h"

/*
 * The answer is cut down to what is read: a 5 MiB batch of small lines
 * would otherwise come back as megabytes of _shards and _seq_no.
 */
#define ES_BULK_PATH \
	"/_bulk?filter_path=errors,items.*.status,items.*.error.type," \
	"items.*.error.reason,items.*.error.caused_by.reason"

/* The state of one send, between attempts. */
struct es_bulk_run {
	const struct bulk_batch      *batch;
	const struct es_bulk_options *opts;
	struct es_bulk_result        *res;
	size_t                       *pending; /* item numbers still to send */
	size_t                        npending;
	size_t                        rcap; /* room in res->rejected */
};

enum es_bulk_attempt {
	ES_BULK_ATTEMPT_SETTLED, /* every item sent got an answer */
	ES_BULK_ATTEMPT_AGAIN, /* worth another request */
	ES_BULK_ATTEMPT_STOP, /* an answer retrying cannot change */
};

static void es_bulk_sleep(long, void *);
static bool es_bulk_owned(
    const struct tenant_ctx *, const struct bulk_batch *, char *, size_t);
static enum es_bulk_attempt es_bulk_attempt(struct es_bulk_run *);
static enum es_bulk_attempt
es_bulk_settle(struct es_bulk_run *, struct bulk_outcome *);
static void
es_bulk_reject(struct es_bulk_run *, size_t, struct bulk_item_outcome *);
static int es_bulk_rejected_cmp(const void *, const void *);

void
es_bulk_options_default(struct es_bulk_options *o)
{
	memset(o, 0, sizeof(*o));
	o->max_attempts = ES_BULK_ATTEMPTS;
	o->base_ms = ES_BULK_BASE_MS;
	o->cap_ms = ES_BULK_CAP_MS;
	o->timeout_ms = ES_BULK_TIMEOUT_MS;
	o->sleep_ms = es_bulk_sleep;
	o->request = es_request;
}

/* es_bulk_send_with() and the default options. */
enum es_bulk_status
es_bulk_send(const struct tenant_ctx *ctx, const struct bulk_batch *batch,
    struct es_bulk_result *res)
{
	struct es_bulk_options o;

	es_bulk_options_default(&o);
	return (es_bulk_send_with(ctx, batch, &o, res));
}

/*
 * Sends batch, which must be tenant ctx's (every index one of its daily
 * indices), and fills res: how many items were indexed, which were
 * rejected (with their line and reason) and how many are still pending.
 * Up to opts->max_attempts requests are made (at least one), waiting
 * bulk_backoff_ms() between them; NULL hooks in opts mean the defaults. The answer is also res->status:
 *
 *   ES_BULK_DONE     nothing pending: the caller may mark the lines done
 *                    (indexed or reported as rejected).
 *   ES_BULK_GAVE_UP  Elasticsearch stayed unavailable or answered what
 *                    retrying cannot change (res->error): the caller must
 *                    not mark the lines done. Sending the batch again
 *                    later duplicates nothing (stable ids).
 *   ES_BULK_REFUSED  ctx invalid or not the batch's tenant: nothing sent.
 *
 * The batch is only read. res is the caller's, freed with
 * es_bulk_result_free() whatever the answer.
 */
enum es_bulk_status
es_bulk_send_with(const struct tenant_ctx *ctx, const struct bulk_batch *batch,
    const struct es_bulk_options *opts, struct es_bulk_result *res)
{
	struct es_bulk_run   run;
	enum es_bulk_attempt step;
	uint32_t             rnd;
	size_t               i;
	long                 delay;
	int                  max;

	memset(res, 0, sizeof(*res));
	res->status = ES_BULK_REFUSED;
	if (!es_bulk_owned(ctx, batch, res->error, sizeof(res->error)))
		return (res->status);
	res->status = ES_BULK_DONE;
	if (batch->n == 0)
		return (res->status);

	memset(&run, 0, sizeof(run));
	run.batch = batch;
	run.opts = opts;
	run.res = res;
	run.pending = mem_calloc(batch->n, sizeof(*run.pending));
	for (i = 0; i < batch->n; i++)
		run.pending[i] = i;
	run.npending = batch->n;

	max = opts->max_attempts > 0 ? opts->max_attempts : 1;
	step = ES_BULK_ATTEMPT_AGAIN;
	while (run.npending > 0 && step == ES_BULK_ATTEMPT_AGAIN &&
	    res->attempts < max) {
		if (res->attempts > 0) {
			log_emit(LOG_LEVEL_WARNING, "es_bulk", NULL,
			    json_pack("{s:s, s:i, s:I, s:s}", "tenant_id",
				ctx->id, "attempt", res->attempts, "pending",
				(json_int_t)run.npending, "error", res->error),
			    "bulk request retrying");
			env_random(&rnd, sizeof(rnd));
			delay = bulk_backoff_ms(opts->base_ms, opts->cap_ms,
			    res->attempts - 1, rnd);
			if (opts->sleep_ms != NULL)
				opts->sleep_ms(delay, opts->sleep_arg);
			else
				es_bulk_sleep(delay, NULL);
		}
		res->attempts++;
		step = es_bulk_attempt(&run);
	}
	res->pending = run.npending;
	if (run.npending > 0)
		res->status = ES_BULK_GAVE_UP;
	else
		res->error[0] = '\0';
	if (res->rejected_n > 1)
		qsort(res->rejected, res->rejected_n, sizeof(*res->rejected),
		    es_bulk_rejected_cmp);
	mem_free(run.pending);
	return (res->status);
}

/*
 * True when ctx is valid and batch is its own: the tenant that filled it
 * and every item's index one of ctx's daily indices (a batch can only be
 * filled through bulk_add(), but the check costs nothing next to a
 * request). Otherwise false with a sentence in err.
 */
static bool
es_bulk_owned(const struct tenant_ctx *ctx, const struct bulk_batch *batch,
    char *err, size_t errlen)
{
	const char *last;
	size_t      i;

	if (!tenant_ctx_check(ctx)) {
		snprintf(err, errlen, "invalid tenant context");
		return (false);
	}
	if (batch->n == 0)
		return (true);
	last = NULL;
	if (strcmp(batch->tenant_id, ctx->id) != 0) {
		snprintf(err, errlen, "the batch is another tenant's");
		return (false);
	}
	for (i = 0; i < batch->n; i++) {
		/* Items of one day name one index: checked once, compared
		 * after (the full check costs a slug check per item). */
		if (last != NULL && strcmp(batch->items[i].index, last) == 0)
			continue;
		last = batch->items[i].index;
		if (!tenant_index_owned(ctx, batch->items[i].index)) {
			snprintf(err, errlen, "item %zu names index %s", i,
			    batch->items[i].index);
			return (false);
		}
	}
	return (true);
}

/*
 * One request with the pending items: the batch's own body the first
 * time, a body rebuilt from the pending items afterwards. Settles what
 * the answer settles and says whether another request is worth making.
 */
static enum es_bulk_attempt
es_bulk_attempt(struct es_bulk_run *run)
{
	struct es_response   r;
	struct bulk_outcome  out;
	struct buf           again;
	es_bulk_request_fn   request;
	enum es_bulk_attempt step;
	const char          *body;
	size_t               len;
	bool                 reached;

	memset(&again, 0, sizeof(again));
	if (run->npending == run->batch->n) {
		body = run->batch->body.data;
		len = run->batch->body.len;
	} else {
		buf_init(&again, run->npending * 256);
		bulk_batch_subset(
		    run->batch, run->pending, run->npending, &again);
		body = again.data;
		len = again.len;
	}
	request = run->opts->request != NULL ? run->opts->request : es_request;
	reached =
	    request("POST", ES_BULK_PATH, body, len, run->opts->timeout_ms, &r);
	if (again.data != NULL)
		buf_free(&again);

	step = ES_BULK_ATTEMPT_AGAIN;
	if (!reached) {
		snprintf(run->res->error, sizeof(run->res->error),
		    "Elasticsearch not reached: %s", r.error);
	} else if (r.status == 429 || r.status >= 500) {
		snprintf(run->res->error, sizeof(run->res->error),
		    "Elasticsearch answered HTTP %ld", r.status);
	} else if (r.status != 200) {
		snprintf(run->res->error, sizeof(run->res->error),
		    "Elasticsearch answered HTTP %ld: %.160s", r.status,
		    r.body.data != NULL ? r.body.data : "");
		step = ES_BULK_ATTEMPT_STOP;
	} else if (!bulk_response_read(r.body.data, r.body.len, &out) ||
	    out.n != run->npending) {
		snprintf(run->res->error, sizeof(run->res->error),
		    "unreadable _bulk answer (%zu items for %zu sent)", out.n,
		    run->npending);
		bulk_outcome_free(&out);
	} else {
		step = es_bulk_settle(run, &out);
		bulk_outcome_free(&out);
	}
	es_response_free(&r);
	return (step);
}

/*
 * Counts the items answered, keeps the rejected ones and leaves in
 * run->pending, in order, only those to send again.
 */
static enum es_bulk_attempt
es_bulk_settle(struct es_bulk_run *run, struct bulk_outcome *out)
{
	struct bulk_item_outcome *o;
	size_t                    i, kept;

	kept = 0;
	for (i = 0; i < out->n; i++) {
		o = &out->items[i];
		switch (o->state) {
		case BULK_ITEM_OK:
			run->res->indexed++;
			break;
		case BULK_ITEM_REJECTED:
			es_bulk_reject(run, run->pending[i], o);
			break;
		case BULK_ITEM_RETRY:
			snprintf(run->res->error, sizeof(run->res->error),
			    "item answered %d %s: %.160s", o->status,
			    o->type != NULL ? o->type : "",
			    o->reason != NULL ? o->reason : "");
			run->pending[kept++] = run->pending[i];
			break;
		}
	}
	run->npending = kept;
	return (kept == 0 ? ES_BULK_ATTEMPT_SETTLED : ES_BULK_ATTEMPT_AGAIN);
}

/* Adds item to the rejected list, taking o's type and reason. */
static void
es_bulk_reject(
    struct es_bulk_run *run, size_t item, struct bulk_item_outcome *o)
{
	struct es_bulk_result   *res;
	struct es_bulk_rejected *rej;

	res = run->res;
	if (res->rejected_n == run->rcap) {
		run->rcap = run->rcap == 0 ? 16 : run->rcap * 2;
		res->rejected = mem_realloc(
		    res->rejected, run->rcap * sizeof(*res->rejected));
	}
	rej = &res->rejected[res->rejected_n++];
	rej->item = item;
	rej->line = run->batch->items[item].line;
	rej->status = o->status;
	rej->type = o->type;
	rej->reason = o->reason;
	o->type = NULL;
	o->reason = NULL;
}

static int
es_bulk_rejected_cmp(const void *a, const void *b)
{
	const struct es_bulk_rejected *x = a, *y = b;

	return (x->item < y->item ? -1 : x->item > y->item);
}

void
es_bulk_result_free(struct es_bulk_result *res)
{
	size_t i;

	for (i = 0; i < res->rejected_n; i++) {
		mem_free(res->rejected[i].type);
		mem_free(res->rejected[i].reason);
	}
	mem_free(res->rejected);
	res->rejected = NULL;
	res->rejected_n = 0;
}

/* Sleeps ms milliseconds, resuming after signals. */
static void
es_bulk_sleep(long ms, void *arg)
{
	struct timespec ts;

	(void)arg;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}
