#include <stdlib.h>

#include "api/auth.h"
#include "api/es_loop.h"
#include "api/redis_loop.h"
#include "api/search_loop.h"
#include "api/usage.h"
#include "common/env.h"
#include "common/log.h"
#include "core/mem.h"
#include "core/quota.h"
#include "store/cache.h"

struct search_look;

/* A search waiting for Elasticsearch, or answered and being sent. */
struct search_loop {
	struct search_loop  *next;
	struct search_look  *look; /* the cache looked at meanwhile */
	struct http_request *req;
	struct api_work     *w;
	struct es_loop_req  *es;
	struct search_params p;
	struct search_miss   m;
	bool                 history; /* a person's first page, answered */
	long long            total;
};

static struct search_loop *search_loops; /* this worker's, until freed */

/*
 * A look at the cache for a miss sent on a caller's lease (api/fast.c),
 * made while Elasticsearch computes. It belongs to the Redis callback;
 * a search freed meanwhile only clears s.
 */
struct search_look {
	struct search_loop *s;
};

/*
 * Whether serve.c's quota gate would let w through without a store:
 * counted on the loop already, no threshold crossed (whose warning the
 * task thread sends).
 */
static bool
search_loop_quota_done(const struct api_work *w)
{
	if (!api_quota_counts(w) ||
	    (w->who.kind != WHO_USER && w->who.kind != WHO_APIKEY))
		return (true);
	return (w->quota_state == 1 &&
	    quota_threshold_crossed(
		w->quota_before, w->quota_after, w->quota_max) == 0);
}

/* Whether o goes into the caller's history (search_api_run_params()). */
static bool
search_loop_history(const struct api_work *w, const struct search_params *p,
    const struct search_outcome *o)
{
	return (
	    o->result == SEARCH_OK && p->page == 1 && w->who.kind == WHO_USER);
}

static void
search_loop_free(struct search_loop *s)
{
	struct search_loop **p;

	for (p = &search_loops; *p != NULL; p = &(*p)->next) {
		if (*p == s) {
			*p = s->next;
			break;
		}
	}
	if (s->look != NULL)
		s->look->s = NULL;
	free(s->m.body);
	mem_free(s->m.kept);
	mem_free(s);
}

/*
 * redis_loop_fn: the cache's answer, if it came before Elasticsearch's:
 * then it is the answer, and Elasticsearch's request is abandoned.
 */
static void
search_loop_looked(redisReply *reply, void *arg)
{
	struct search_look   *look = arg;
	struct search_loop   *s = look->s;
	struct search_outcome o;

	mem_free(look);
	if (s == NULL)
		return;
	s->look = NULL;
	if (s->es == NULL || reply == NULL ||
	    reply->type != REDIS_REPLY_STRING ||
	    !search_miss_cached(&s->m, reply->str, (size_t)reply->len, &o))
		return;
	es_loop_cancel(s->es);
	s->es = NULL;
	search_api_logs_answer(s->w, &o);
	s->w->phase = SERVE_FAST_HIT;
	http_request_wakeup(s->req);
}

/* Asks Redis for the answer of s at the generation the lease gave. */
static void
search_loop_look(struct search_loop *s, long long gen)
{
	struct search_look *look;
	const char         *argv[2];
	char                key[CACHE_ANSWER_KEY_MAX + 96];

	if (!cache_answer_key(&s->w->who.tenant, "search", gen, s->m.slot.hash,
		key, sizeof(key)))
		return;
	look = mem_calloc(1, sizeof(*look));
	look->s = s;
	argv[0] = "GET";
	argv[1] = key;
	if (!redis_loop_command(2, argv, NULL, search_loop_looked, look)) {
		mem_free(look);
		return;
	}
	s->look = look;
}

/* es_loop_fn: the answer, as the task thread would have written it. */
static void
search_loop_answer(bool reached, const struct es_response *r, void *arg)
{
	struct search_loop   *s = arg;
	struct search_outcome o;

	search_miss_end(&s->w->who.tenant, &s->p,
	    api_settings->search_cache_ttl_s, &s->m, reached, r, &o);
	/* Recorded once the answer is sent (search_loop_forget()). */
	s->history = search_loop_history(s->w, &s->p, &o);
	s->total = o.total;
	search_api_logs_answer(s->w, &o);
	if (log_enabled(LOG_LEVEL_DEBUG))
		log_emit(LOG_LEVEL_DEBUG, "search", s->w->trace.trace_id, NULL,
		    "search answered on the event loop (%d)", s->w->status);
	s->w->phase = SERVE_FAST_HIT;
	http_request_wakeup(s->req);
	/* Kept until the request is freed, its answer sent: then the
	 * answer's cache SET and the history entry are queued
	 * (search_loop_forget()). */
	s->es = NULL;
}

bool
search_loop_start(struct http_request *req, struct api_work *w)
{
	const struct search_cache_hint *hint;
	struct search_outcome           o;
	struct search_error             err;
	struct search_loop             *s;
	bool                            leased;

	/* The caller established on the loop, allowed, counted; what the
	 * cache holds known, or the generation a caller's lease gives (the
	 * cache is then looked at while Elasticsearch computes). */
	leased = !w->cache_hint.known && w->cache_lease.known;
	hint = leased ? &w->cache_lease : &w->cache_hint;
	if (w->ep->route != ROUTE_LOGS || w->method != HTTP_METHOD_GET ||
	    w->who.kind == WHO_NOBODY || !hint->known || !auth_permits(w) ||
	    !search_loop_quota_done(w))
		return (false);
	s = mem_calloc(1, sizeof(*s));
	/* Bad arguments: the task thread says what is wrong. */
	if (!search_params_from_args(
		w->query, (int64_t)(env_now_us() / 1000), &s->p, &err)) {
		mem_free(s);
		return (false);
	}
	if (!search_miss_begin(&w->who.tenant, &s->p, hint, &s->m, &o)) {
		/* Answered already (an answer queued for the cache, say). */
		if (search_loop_history(w, &s->p, &o))
			searches_record(&w->who.tenant, w->who.user_id, &s->p,
			    o.total, w->now, false);
		search_api_logs_answer(w, &o);
		w->phase = SERVE_FAST_HIT;
		mem_free(s);
		return (true);
	}
	s->m.slot.no_wait = true; /* never a Redis SET on the loop */
	s->m.defer = true;
	s->es = es_loop_send(
	    "POST", s->m.path, s->m.body, s->m.body_len, search_loop_answer, s);
	if (s->es == NULL) {
		free(s->m.body);
		mem_free(s);
		return (false);
	}
	s->req = req;
	s->w = w;
	s->next = search_loops;
	search_loops = s;
	if (leased)
		search_loop_look(s, hint->gen);
	w->phase = SERVE_LOOP;
	http_request_sleep(req);
	return (true);
}

void
search_loop_forget(struct api_work *w)
{
	struct search_loop *s;

	for (s = search_loops; s != NULL; s = s->next) {
		if (s->w != w)
			continue;
		if (s->es != NULL) {
			log_emit(LOG_LEVEL_DEBUG, "search", w->trace.trace_id,
			    NULL, "search abandoned: the request went away");
			es_loop_cancel(s->es);
		} else {
			/* Answered and sent: the background thread stores the
			 * answer now, not while the answer was going out. */
			search_miss_keep(&w->who.tenant, &s->m,
			    api_settings->search_cache_ttl_s);
			if (s->history)
				searches_record(&w->who.tenant, w->who.user_id,
				    &s->p, s->total, w->now, false);
		}
		search_loop_free(s);
		return;
	}
}
