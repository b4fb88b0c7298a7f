#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api/auth.h"
#include "api/fast.h"
#include "api/redis_loop.h"
#include "api/routes.h"
#include "api/usage.h"
#include "common/env.h"
#include "core/digest.h"
#include "core/gzip_tail.h"
#include "core/lease.h"
#include "core/mem.h"
#include "core/memo.h"
#include "core/query.h"
#include "core/quota.h"
#include "core/search_query.h"
#include "core/token.h"
#include "service/account.h"
#include "store/hit.h"
#include "store/session.h"

/*
 * What the credentials of an Authorization header say, once checked
 * (a token's signature, an API key's form and hash), with the keys of
 * the caller's requests of a day for a kind of answer. Remembered per
 * (kind, day, header): a signature is checked once, its expiry always.
 */
struct fast_caller {
	char            tenant_id[25];
	char            principal[96]; /* user:<id>, apikey:<hash> */
	char            jti[64];
	char            user_id[25];
	bool            user; /* a person's token, not an API key */
	long            exp; /* a token's expiry, 0 for a key */
	struct hit_keys keys;
	char            head[1024]; /* hit_command_head() */
	size_t          headlen;
};

/* Where the answer to a request is cached, per (route, day, query). */
struct fast_where {
	char kind[16];
	char hash[65];
	bool history;
	bool valid; /* false: the arguments are refused (the task says why) */
};

#define FAST_AUTH_MAX    1024
#define FAST_QUERY_MAX   2048
#define FAST_RECORDS_MAX 4096
#define FAST_LEASE_MAX   (FAST_AUTH_MAX + 128)

static struct memo *fast_callers, *fast_wheres, *fast_verdicts, *fast_leases;
static struct memo *fast_caller_leases;

/*
 * A caller's lease: the records allowed this caller (as established in
 * who) for a route, at a generation, as a reply confirmed. Under it a
 * miss goes to be computed without asking Redis first.
 */
struct fast_caller_lease {
	struct lease l;
	bool         settling;
	struct who   who;
};

/*
 * An attempt in flight. It belongs to the Redis callback until the reply
 * is in; a request freed meanwhile only clears req and w.
 */
struct fast_wait {
	struct http_request *req;
	struct api_work     *w;
	char                 prefix[CACHE_ANSWER_KEY_MAX];
	char                 hash[72];
	char                 tenant_id[25];
	char                 counters[USAGE_KEY_MAX];
	char                 user_id[25]; /* a person's token: its claims */
	char                 jti[64];
	long                 exp;
	bool                 user;
	bool                 handoff; /* the task thread answers (history) */
	bool                 look; /* an answer was looked for */
	bool                 gzip; /* the client accepts gzip */
	uint64_t             start_us;
	/* What the reply may confirm (core/lease.h). */
	uint64_t sent_us;
	uint64_t epoch; /* 0: sent while not watching for changes */
	char     lease[FAST_LEASE_MAX]; /* the lease's key, "" for none */
	size_t   leaselen;
	size_t   callerlen; /* its first part: the caller's lease's key */
};

static struct redis_loop_script fast_script = {hit_lua, "", 0};

/* "a|b|c" into out; its length, or 0 when it does not fit. */
static size_t
fast_join(char *out, size_t cap, const char *const *parts, int n)
{
	size_t len, off;
	int    i;

	for (i = 0, off = 0; i < n; i++) {
		len = strlen(parts[i]);
		if (off + len + 2 > cap)
			return (0);
		if (i > 0)
			out[off++] = '|';
		memcpy(out + off, parts[i], len);
		off += len;
	}
	out[off] = '\0';
	return (off);
}

/* The quota's day of now, computed once a second. */
static const char *
fast_day(long now)
{
	static long last = -1;
	static char day[QUOTA_DAY_LEN];

	if (now != last) {
		quota_day(now, day);
		last = now;
	}
	return (day);
}

/* ---- the caller ---- */

static bool
fast_caller_check(struct api_work *w, struct fast_caller *c)
{
	struct token_claims claims;
	enum token_error    why;
	const char         *h = w->authorization;
	char                key[512], hash[DIGEST_HEX_LEN + 1];

	memset(c, 0, sizeof(*c));
	if (strncasecmp(h, "Bearer ", 7) == 0) {
		if (!token_verify(account_token_key(false), h + 7, w->now,
			ACCOUNT_LEEWAY_S, &claims, &why) ||
		    !tenant_id_check(claims.tid) ||
		    !tenant_id_check(claims.sub))
			return (false);
		snprintf(c->tenant_id, sizeof(c->tenant_id), "%s", claims.tid);
		snprintf(
		    c->principal, sizeof(c->principal), "user:%s", claims.sub);
		snprintf(c->jti, sizeof(c->jti), "%s", claims.jti);
		snprintf(c->user_id, sizeof(c->user_id), "%s", claims.sub);
		c->user = true;
		c->exp = claims.exp;
		return (true);
	}
	if (w->ep->auth != API_AUTH_TOKEN)
		return (false);
	if (strncasecmp(h, "Basic ", 6) == 0) {
		if (!auth_basic_key(h + 6, key, sizeof(key)))
			return (false);
	} else if (strncasecmp(h, "ApiKey ", 7) == 0) {
		snprintf(key, sizeof(key), "%s", h + 7);
	} else {
		return (false);
	}
	if (!auth_key_tenant(key, c->tenant_id))
		return (false);
	digest_sha256_hex(key, strlen(key), hash);
	snprintf(c->principal, sizeof(c->principal), "apikey:%s", hash);
	return (true);
}

/* The caller of w for kind on day, or NULL when only a task can tell. */
static const struct fast_caller *
fast_caller(struct api_work *w, const char *kind, const char *day)
{
	static struct fast_caller c;
	const struct fast_caller *known;
	struct hit_query          q;
	const char               *parts[3] = {kind, day, w->authorization};
	const char               *sha;
	struct buf                head;
	char                      mkey[FAST_AUTH_MAX + 32];
	size_t                    n;

	if ((n = fast_join(mkey, sizeof(mkey), parts, 3)) == 0)
		return (NULL);
	if ((known = memo_get(fast_callers, mkey, n)) == NULL) {
		if (!fast_caller_check(w, &c))
			return (NULL);
		memset(&q, 0, sizeof(q));
		q.tenant_id = c.tenant_id;
		q.principal = c.principal;
		q.jti = c.user ? c.jti : NULL;
		q.day = day;
		q.kind = kind;
		if (!hit_keys_build(&q, &c.keys) ||
		    (sha = redis_loop_script_sha(&fast_script)) == NULL)
			return (NULL);
		buf_init(&head, sizeof(c.head));
		hit_command_head(&c.keys, sha, &head);
		c.headlen = head.len;
		if (head.len <= sizeof(c.head))
			memcpy(c.head, head.data, head.len);
		buf_free(&head);
		if (c.headlen > sizeof(c.head))
			return (NULL);
		(void)memo_put(fast_callers, mkey, n, &c);
		known = &c;
	}
	/* Past its expiry (and the leeway), a token is the task's to refuse. */
	if (known->exp != 0 && w->now > known->exp + ACCOUNT_LEEWAY_S)
		return (NULL);
	return (known);
}

/* Where the answer of w may be cached, or NULL. */
static const struct fast_where *
fast_where(struct http_request *req, struct api_work *w, const char *day)
{
	static struct fast_where where;
	const struct fast_where *known;
	struct api_cached        cached;
	const char              *parts[3];
	char                     mkey[FAST_QUERY_MAX + 32], why[160];
	size_t                   n;

	parts[0] = route_names[w->ep->route];
	parts[1] = day;
	parts[2] = req->query_string != NULL ? req->query_string : "";
	if ((n = fast_join(mkey, sizeof(mkey), parts, 3)) == 0)
		return (NULL);
	if ((known = memo_get(fast_wheres, mkey, n)) == NULL) {
		memset(&where, 0, sizeof(where));
		memset(&cached, 0, sizeof(cached));
		/* Parsed here only when not remembered (serve.c keeps it). */
		if (w->query == NULL)
			w->query =
			    query_parse(req->query_string, why, sizeof(why));
		where.valid = w->query != NULL && w->ep->cached(w, &cached);
		if (where.valid) {
			snprintf(
			    where.kind, sizeof(where.kind), "%s", cached.kind);
			snprintf(
			    where.hash, sizeof(where.hash), "%s", cached.hash);
			where.history = cached.history;
		}
		(void)memo_put(fast_wheres, mkey, n, &where);
		known = &where;
	}
	return (known->valid ? known : NULL);
}

/* ---- leases and tallies (core/lease.h) ---- */

/* The window of a lease, 0 when they are off. */
static uint64_t
fast_lease_window(void)
{
	return ((uint64_t)api_settings->hit_lease_ms * 1000);
}

/* The epoch a command sent now would be confirmed under, 0: none. */
static uint64_t
fast_epoch(const char *tenant_id)
{
	return (fast_lease_window() > 0 && redis_loop_watching()
		? redis_loop_epoch(tenant_id)
		: 0);
}

/* A tenant's requests of a day, under the key of its counters. */
#define FAST_TALLY_N     256
#define FAST_TALLY_PROBE 8

static struct fast_tally {
	char         key[USAGE_KEY_MAX]; /* "" when free */
	struct tally t;
	bool         dirty; /* among fast_dirty */
} fast_tallies[FAST_TALLY_N];
static int  fast_dirty[FAST_TALLY_N], fast_ndirty;
static bool fast_flush_due;

/* key's tally, or NULL; made (in place of an idle one) with make. */
static struct fast_tally *
fast_tally(const char *key, bool make)
{
	struct fast_tally *e, *room = NULL;
	uint32_t           h = 2166136261u;
	const char        *p;
	int                i;

	for (p = key; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	for (i = 0; i < FAST_TALLY_PROBE; i++) {
		e = &fast_tallies[(h + (uint32_t)i) % FAST_TALLY_N];
		if (strcmp(e->key, key) == 0)
			return (e);
		if (room == NULL && !e->dirty && e->t.local == 0 &&
		    e->t.sending == 0)
			room = e;
	}
	if (!make || room == NULL ||
	    (size_t)snprintf(room->key, sizeof(room->key), "%s", key) >=
		sizeof(room->key))
		return (NULL);
	memset(&room->t, 0, sizeof(room->t));
	return (room);
}

struct fast_sent {
	int  slot;
	long n;
};

static void fast_flush_soon(uint64_t ms);

/* Redis counted a tally's requests (or could not). */
static void
fast_sent(redisReply *reply, void *arg)
{
	struct fast_sent  *s = arg;
	struct fast_tally *e = &fast_tallies[s->slot];
	const char        *argv[4];
	char               ttl[24];

	if (reply != NULL && reply->type == REDIS_REPLY_INTEGER) {
		tally_sent(&e->t, s->n, (long)reply->integer);
		/* The key was made here (the day's first count was lost):
		 * it expires as api_count() would have it. */
		if (reply->integer == s->n) {
			snprintf(
			    ttl, sizeof(ttl), "%ld", (long)USAGE_DAY_TTL_S);
			argv[0] = "EXPIRE";
			argv[1] = e->key;
			argv[2] = ttl;
			(void)redis_loop_command(3, argv, NULL, NULL, NULL);
		}
	} else {
		tally_unsent(&e->t, s->n);
		if (!e->dirty) {
			e->dirty = true;
			fast_dirty[fast_ndirty++] = s->slot;
		}
		fast_flush_soon(100);
	}
	mem_free(s);
}

/* Kore timer: what was answered on the tallies' word goes to Redis. */
static void
fast_flush(void *arg, uint64_t now)
{
	struct fast_tally *e;
	struct fast_sent  *s;
	const char        *argv[4];
	char               n[24];
	int                i, slot, left;

	(void)arg;
	(void)now;
	fast_flush_due = false;
	left = 0;
	for (i = 0; i < fast_ndirty; i++) {
		slot = fast_dirty[i];
		e = &fast_tallies[slot];
		s = mem_calloc(1, sizeof(*s));
		s->slot = slot;
		s->n = tally_send(&e->t);
		snprintf(n, sizeof(n), "%ld", s->n);
		argv[0] = "HINCRBY";
		argv[1] = e->key;
		argv[2] = "api_requests";
		argv[3] = n;
		if (s->n == 0 ||
		    !redis_loop_command(4, argv, NULL, fast_sent, s)) {
			tally_unsent(&e->t, s->n);
			mem_free(s);
			if (e->t.local > 0) {
				fast_dirty[left++] = slot;
				continue;
			}
		}
		e->dirty = false;
	}
	fast_ndirty = left;
	if (left > 0)
		fast_flush_soon(100);
}

static void
fast_flush_soon(uint64_t ms)
{
	if (!fast_flush_due) {
		fast_flush_due = true;
		kore_timer_add(fast_flush, ms, NULL, KORE_TIMER_ONESHOT);
	}
}

/* A request was answered on e's word: counted at the next flush. */
static void
fast_tally_take(struct fast_tally *e)
{
	tally_take(&e->t);
	if (!e->dirty) {
		e->dirty = true;
		fast_dirty[fast_ndirty++] = (int)(e - fast_tallies);
	}
	fast_flush_soon(0);
}

static bool fast_establish(struct fast_wait *, const struct hit_reply *);

/*
 * The caller's lease, from the records of a reply that allowed the
 * request (who established by the hand-off, or here): only where a miss
 * could be sent on it, a tally admitting or nothing to count.
 */
static void
fast_confirm_caller(
    struct fast_wait *f, const struct hit_reply *h, const struct tally *t)
{
	struct fast_caller_lease        cl;
	const struct fast_caller_lease *known;

	if (f->callerlen == 0 ||
	    (t != NULL &&
		!tally_admits(
		    t, f->epoch, env_monotonic_us(), fast_lease_window())))
		return;
	if (f->w->who.kind == WHO_NOBODY && !fast_establish(f, h))
		return;
	known = memo_get(fast_caller_leases, f->lease, f->callerlen);
	if (known != NULL)
		cl.l = known->l;
	else
		memset(&cl.l, 0, sizeof(cl.l));
	lease_confirm(&cl.l, h->gen, f->epoch, f->sent_us);
	cl.settling = h->settling;
	cl.who = f->w->who;
	(void)memo_put(fast_caller_leases, f->lease, f->callerlen, &cl);
}

/*
 * What the reply to f says of the leases and the tally, if anything:
 * hit, the answer was sent; allowed, the records allow the caller.
 */
static void
fast_confirm(
    struct fast_wait *f, const struct hit_reply *h, bool hit, bool allowed)
{
	struct lease        l;
	const struct lease *known;
	struct fast_tally  *e = NULL;

	/* Something changed since the command left, or nobody watched. */
	if (f->epoch == 0 || f->epoch != fast_epoch(f->tenant_id))
		return;
	if (h->counted && (e = fast_tally(f->counters, true)) != NULL)
		tally_told(&e->t, h->after, h->max, f->epoch, f->sent_us);
	if (allowed)
		fast_confirm_caller(
		    f, h, h->counted && e != NULL ? &e->t : NULL);
	if (f->leaselen == 0)
		return;
	known = memo_get(fast_leases, f->lease, f->leaselen);
	if (known != NULL)
		l = *known;
	else
		memset(&l, 0, sizeof(l));
	if (hit)
		lease_confirm(&l, h->gen, f->epoch, f->sent_us);
	else if (known != NULL)
		memset(&l, 0, sizeof(l)); /* no answer to lease now */
	else
		return;
	(void)memo_put(fast_leases, f->lease, f->leaselen, &l);
}

/* ---- the reply ---- */

/*
 * w's caller from the records the script read, as the task thread would
 * establish it (auth_from_records()): false when they do not allow the
 * request.
 */
static bool
fast_establish(struct fast_wait *f, const struct hit_reply *h)
{
	struct auth_records r;
	json_t             *tenant, *who;
	bool                ok;

	tenant = session_cache_parse(h->tenant, h->tenant_len);
	who = session_cache_parse(h->who, h->who_len);
	memset(&r, 0, sizeof(r));
	r.tenant_id = f->tenant_id;
	r.tenant = tenant;
	r.who = who;
	if (f->user) {
		r.user_id = f->user_id;
		r.jti = f->jti;
		r.exp = f->exp;
	}
	ok = tenant != NULL && who != NULL && auth_from_records(f->w, &r);
	json_decref(tenant);
	json_decref(who);
	return (ok);
}

/*
 * Whether the records allow an answer from here, remembered per (perm,
 * kind of caller, both texts): the caller itself is not needed then.
 */
static bool
fast_allowed(struct fast_wait *f, const struct hit_reply *h)
{
	char        mkey[FAST_RECORDS_MAX];
	const bool *known;
	bool        ok;
	size_t      n;

	n = 2 + h->tenant_len + 1 + h->who_len;
	if (n > sizeof(mkey))
		return (fast_establish(f, h));
	mkey[0] = (char)('a' + (int)f->w->ep->perm);
	mkey[1] = f->user ? 'u' : 'k';
	memcpy(mkey + 2, h->tenant, h->tenant_len);
	mkey[2 + h->tenant_len] = '\0';
	memcpy(mkey + 3 + h->tenant_len, h->who, h->who_len);
	if ((known = memo_get(fast_verdicts, mkey, n)) != NULL)
		return (*known);
	ok = fast_establish(f, h);
	(void)memo_put(fast_verdicts, mkey, n, &ok);
	return (ok);
}

/*
 * Compressed answers (core/gzip_tail.h), the last FAST_GZ_N made, each
 * under its cache key and generation: made once, sent many times.
 */
#define FAST_GZ_N 64

static struct {
	char             key[CACHE_ANSWER_KEY_MAX + 96];
	size_t           keylen;
	struct gz_prefix p;
	uint64_t         used;
} fast_gz[FAST_GZ_N];
static uint64_t fast_gz_clock;

static struct gz_prefix *
fast_gz_find(const char *key)
{
	int    i;
	size_t len;

	/* The keys share their prefix: compare from the end (the hash). */
	len = strlen(key);
	for (i = 0; i < FAST_GZ_N; i++)
		if (fast_gz[i].p.data != NULL && fast_gz[i].keylen == len &&
		    len >= 8 &&
		    memcmp(fast_gz[i].key + len - 8, key + len - 8, 8) == 0 &&
		    memcmp(fast_gz[i].key, key, len) == 0) {
			fast_gz[i].used = ++fast_gz_clock;
			return (&fast_gz[i].p);
		}
	return (NULL);
}

/* Compresses text without its closing brace, in place of the oldest. */
static struct gz_prefix *
fast_gz_make(const char *key, const char *text, size_t len)
{
	int i, old;

	if (strlen(key) >= sizeof(fast_gz[0].key))
		return (NULL);
	for (i = 1, old = 0; i < FAST_GZ_N; i++)
		if (fast_gz[i].used < fast_gz[old].used)
			old = i;
	gz_prefix_free(&fast_gz[old].p);
	fast_gz[old].used = 0;
	if (!gz_prefix_make(text, len - 1, &fast_gz[old].p))
		return (NULL);
	snprintf(fast_gz[old].key, sizeof(fast_gz[old].key), "%s", key);
	fast_gz[old].keylen = strlen(key);
	fast_gz[old].used = ++fast_gz_clock;
	return (&fast_gz[old].p);
}

struct fast_text {
	struct api_work  *w;
	long              took_ms;
	const char       *gzkey; /* compress under this key, if not NULL */
	struct gz_prefix *gz;
};

/* The answer as the task thread would send it (service/search.c). */
static void
fast_text(const char *text, size_t len, void *arg)
{
	struct fast_text *t = arg;

	if (len < 2 || text[len - 1] != '}')
		return; /* not one of ours: the task recomputes it */
	if (t->gzkey != NULL)
		t->gz = fast_gz_make(t->gzkey, text, len);
	else
		search_answer_finish(&t->w->raw, text, len, t->took_ms);
}

/* The compressed answer: the prefix, then "took_ms" uncompressed. */
static bool
fast_gz_answer(struct fast_text *t)
{
	char tail[48];
	int  n;

	n = snprintf(tail, sizeof(tail), "%s\"took_ms\":%ld}",
	    t->gz->raw_len > 1 ? "," : "", t->took_ms);
	if (n < 0 || (size_t)n >= sizeof(tail) ||
	    !gz_member(&t->w->raw, t->gz, tail, (size_t)n))
		return (false);
	snprintf(t->w->encoding, sizeof(t->w->encoding), "gzip");
	return (true);
}

static bool
fast_answer(struct fast_wait *f, const struct hit_reply *h)
{
	struct api_work *w = f->w;
	struct fast_text t;
	char             gzkey[CACHE_ANSWER_KEY_MAX + 96];

	memset(&t, 0, sizeof(t));
	t.w = w;
	t.took_ms = (long)((env_monotonic_us() - f->start_us) / 1000);
	if (f->gzip) {
		if (cache_answer_key_at(
			f->prefix, h->gen, f->hash, gzkey, sizeof(gzkey)) &&
		    (t.gz = fast_gz_find(gzkey)) == NULL)
			t.gzkey = gzkey;
	}
	if (t.gz != NULL) {
		/* Compressed already: the text is not needed. */
	} else if (h->answer != NULL) {
		fast_text(h->answer, h->answer_len, &t);
		cache_local_keep(
		    f->prefix, f->hash, h->gen, h->answer, h->answer_len);
	} else if (!cache_local_use(
		       f->prefix, f->hash, h->gen, fast_text, &t)) {
		return (false); /* the local copy just went */
	}
	if (t.gz != NULL && !fast_gz_answer(&t))
		return (false);
	if (w->raw.len == 0)
		return (false);
	w->status = HTTP_STATUS_OK;
	w->content_type = "application/json; charset=utf-8";
	snprintf(w->cache, sizeof(w->cache), "HIT");
	w->phase = SERVE_FAST_HIT;
	metrics_loop_answer(api_metrics);
	return (true);
}

/* A count the script took for a request that goes elsewhere. */
static void
fast_uncount(const struct fast_wait *f)
{
	const char *argv[4];

	argv[0] = "HINCRBY";
	argv[1] = f->counters;
	argv[2] = "api_requests";
	argv[3] = "-1";
	(void)redis_loop_command(4, argv, NULL, NULL, NULL);
}

/*
 * The request goes to a task thread with its caller established from the
 * records read here (and counted if it was): no authentication again
 * there. False when the records do not allow it.
 */
static bool
fast_handoff(struct fast_wait *f, const struct hit_reply *h)
{
	struct api_work *w = f->w;
	bool             ok;

	ok = fast_establish(f, h);
	/* The answer was looked for and is not there: the task thread will
	 * not look again (the generation it had then will do). */
	if (ok && f->look && !h->found) {
		w->cache_hint.known = true;
		w->cache_hint.gen = h->gen;
		w->cache_hint.settling = h->settling;
	}
	if (ok && h->counted) {
		w->quota_taken = true;
		w->quota_state = 1;
		w->quota_before = h->before;
		w->quota_after = h->after;
		w->quota_max = h->max;
	}
	return (ok);
}

static void
fast_reply(redisReply *reply, void *arg)
{
	struct fast_wait *f = arg;
	struct api_work  *w = f->w;
	struct hit_reply  h;
	bool              allowed;

	if (!hit_reply_read(reply, &h)) {
		/* Nothing was counted: the task thread does it all. */
		if (w != NULL)
			w->phase = SERVE_FAST_MISS;
	} else if (w == NULL) { /* the request is gone */
		if (h.counted)
			fast_uncount(f);
	} else if (h.found && !f->handoff &&
	    (!h.counted ||
		quota_threshold_crossed(h.before, h.after, h.max) == 0) &&
	    fast_allowed(f, &h) && fast_answer(f, &h)) {
		/* Answered here (w->phase is SERVE_FAST_HIT). */
		fast_confirm(f, &h, true, true);
	} else {
		/* A miss, a person's history, a quota warning to send: the
		 * task thread answers, for the caller established here. */
		buf_reset(&w->raw);
		w->encoding[0] = '\0';
		w->phase = SERVE_FAST_MISS;
		allowed = fast_handoff(f, &h);
		if (!allowed && h.counted)
			fast_uncount(f);
		fast_confirm(f, &h, false, allowed);
	}
	if (w != NULL) {
		w->fast = NULL;
		http_request_wakeup(f->req);
	}
	mem_free(f);
}

/* ---- the attempt ---- */

/*
 * Whether the lease kept in m under the first len bytes of f's key lets
 * a request through now: value (size bytes, a struct that starts with
 * its struct lease) gets a copy of it, a renewal marked and kept. When
 * the request counts, the tally of the tenant's day (*e) must admit it.
 */
static bool
fast_lease_holds(struct fast_wait *f, struct memo *m, size_t len, void *value,
    size_t size, bool count, struct fast_tally **e)
{
	struct lease  *l = value;
	const void    *known;
	enum lease_use use;
	uint64_t       now;

	*e = NULL;
	if (f->epoch == 0 || (known = memo_get(m, f->lease, len)) == NULL)
		return (false);
	memcpy(value, known, size);
	now = env_monotonic_us();
	use = lease_check(l, f->epoch, now, fast_lease_window());
	if (use == LEASE_RENEW)
		(void)memo_put(m, f->lease, len, value);
	if (use != LEASE_USE)
		return (false);
	return (!count ||
	    ((*e = fast_tally(f->counters, false)) != NULL &&
		tally_admits(&(*e)->t, f->epoch, now, fast_lease_window())));
}

/*
 * Answers from the lease of f's request when it holds (and the tally of
 * its tenant's day admits it when it counts): true when w has its
 * answer. Otherwise the request asks Redis, which renews the lease.
 */
static bool
fast_leased(struct fast_wait *f, bool count)
{
	struct lease       l;
	struct fast_tally *e;
	struct hit_reply   h;

	if (!fast_lease_holds(
		f, fast_leases, f->leaselen, &l, sizeof(l), count, &e))
		return (false);
	memset(&h, 0, sizeof(h));
	h.gen = l.gen;
	if (!fast_answer(f, &h)) {
		/* The local copy went: Redis has it, or the task thread. */
		buf_reset(&f->w->raw);
		f->w->encoding[0] = '\0';
		return (false);
	}
	if (e != NULL)
		fast_tally_take(e);
	metrics_loop_leased(api_metrics);
	return (true);
}

/*
 * A miss on the caller's lease: the request goes to be computed with its
 * caller established from the lease and counted on the tally's word,
 * without asking Redis first; the cache is looked at there (the task
 * thread's look-up, or api/search_loop.c's while Elasticsearch
 * computes). False when the lease does not hold: the request asks Redis.
 */
static bool
fast_miss_leased(struct fast_wait *f, bool count)
{
	struct fast_caller_lease cl;
	struct fast_tally       *e;
	struct api_work         *w = f->w;
	long                     before;

	if (!fast_lease_holds(f, fast_caller_leases, f->callerlen, &cl,
		sizeof(cl), count, &e))
		return (false);
	w->who = cl.who;
	memset(&w->cache_hint, 0, sizeof(w->cache_hint));
	w->cache_lease.known = true;
	w->cache_lease.gen = cl.l.gen;
	w->cache_lease.settling = cl.settling;
	if (e != NULL) {
		before = e->t.counted + e->t.local + e->t.sending;
		fast_tally_take(e);
		w->quota_taken = true;
		w->quota_state = 1;
		w->quota_before = before;
		w->quota_after = before + 1;
		w->quota_max = e->t.max;
	}
	w->phase = SERVE_FAST_MISS;
	metrics_loop_leased_miss(api_metrics);
	return (true);
}

bool
fast_begin(struct http_request *req, struct api_call *call, struct api_work *w)
{
	/* No answer to look for: the caller alone, for the task thread. */
	static const struct fast_where caller_only = {"auth", "-", false, true};
	static struct buf              cmd;
	const struct fast_caller      *c;
	const struct fast_where       *where;
	struct hit_query               q;
	struct fast_wait              *f;
	const char                    *accept, *day, *lparts[5];
	bool                           look;

	if ((w->ep->auth != API_AUTH_USER && w->ep->auth != API_AUTH_TOKEN) ||
	    !http_request_header(req, "authorization", &accept) ||
	    (size_t)snprintf(w->authorization, sizeof(w->authorization), "%s",
		accept) >= sizeof(w->authorization))
		return (false);
	w->now = (long)time(NULL);
	if (fast_callers == NULL) {
		fast_callers = memo_new(256, FAST_AUTH_MAX + 32, sizeof(*c));
		fast_wheres =
		    memo_new(512, FAST_QUERY_MAX + 32, sizeof(*where));
		fast_verdicts = memo_new(256, FAST_RECORDS_MAX, sizeof(bool));
		fast_leases =
		    memo_new(1024, FAST_LEASE_MAX, sizeof(struct lease));
		fast_caller_leases = memo_new(
		    256, FAST_LEASE_MAX, sizeof(struct fast_caller_lease));
	}
	day = fast_day(w->now);
	/* With the cache off (a TTL of 0) there is never an answer to find;
	 * with bad arguments the task thread says what is wrong. */
	look = w->ep->cached != NULL && api_settings->search_cache_ttl_s > 0 &&
	    req->method == HTTP_METHOD_GET;
	where = look ? fast_where(req, w, day) : &caller_only;
	if (where == NULL)
		return (false); /* bad arguments: answered before anything */
	if ((c = fast_caller(w, where->kind, day)) == NULL)
		return (false);
	memset(&q, 0, sizeof(q));
	q.tenant_id = c->tenant_id;
	q.user_id = c->user ? c->user_id : NULL;
	q.count = api_quota_counts(w);
	q.hash = where->hash;
	q.look = look;
	if (strlen(where->hash) >= sizeof(f->hash))
		return (false);
	f = mem_calloc(1, sizeof(*f));
	memcpy(f->prefix, c->keys.prefix, sizeof(f->prefix));
	memcpy(f->hash, where->hash, strlen(where->hash) + 1);
	/* The day's counters, to give a count back (fast_uncount()) or to
	 * count on a tally's word. */
	memcpy(f->counters, c->keys.keys[3], sizeof(f->counters));
	f->gzip = http_request_header(req, "accept-encoding", &accept) &&
	    gz_accepted(accept);
	f->start_us = call->start_us;
	f->req = req;
	f->w = w;
	f->handoff = !look || (where->history && c->user);
	snprintf(f->tenant_id, sizeof(f->tenant_id), "%s", c->tenant_id);
	/* A lease per (route, caller, answer): only for an answer sent from
	 * here. */
	f->epoch = fast_epoch(f->tenant_id);
	if (!f->handoff && f->epoch != 0) {
		lparts[0] = route_names[w->ep->route];
		lparts[1] = where->kind;
		lparts[2] = day;
		lparts[3] = w->authorization;
		lparts[4] = where->hash;
		f->leaselen = fast_join(f->lease, sizeof(f->lease), lparts, 5);
		if (f->leaselen > 0)
			f->callerlen = f->leaselen - strlen(where->hash) - 1;
		/* Answered (SERVE_FAST_HIT), or to be computed on the
		 * caller's lease (SERVE_FAST_MISS). */
		if (f->leaselen > 0 &&
		    (fast_leased(f, q.count) || fast_miss_leased(f, q.count))) {
			mem_free(f);
			return (false);
		}
	}
	f->sent_us = env_monotonic_us();
	/* The caller's head, then this request's arguments. */
	if (cmd.data == NULL)
		buf_init(&cmd, 2048);
	buf_reset(&cmd);
	buf_append(&cmd, c->head, c->headlen);
	hit_command_tail(
	    &c->keys, &q, cache_local_gen(f->prefix, f->hash), &cmd);
	if (!redis_loop_formatted(cmd.data, cmd.len, fast_reply, f)) {
		mem_free(f);
		return (false);
	}
	f->user = c->user;
	f->look = look;
	if (c->user) {
		memcpy(f->user_id, c->user_id, sizeof(f->user_id));
		memcpy(f->jti, c->jti, sizeof(f->jti));
		f->exp = c->exp;
	}
	w->fast = f;
	w->phase = SERVE_FAST_WAIT;
	http_request_sleep(req);
	return (true);
}

void
fast_forget(struct api_work *w)
{
	if (w->fast != NULL) {
		w->fast->req = NULL;
		w->fast->w = NULL;
		w->fast = NULL;
	}
}
