#include <sys/epoll.h>

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "api/call.h"
#include "api/es_loop.h"
#include "core/mem.h"

/* Kore reads the type of an event only for its own kinds (1 to 6). */
#define KORE_TYPE_ES_LOOP 101

#define ES_LOOP_IDLE 16 /* easy handles kept for the next requests */
#define ES_LOOP_READ (64 * 1024) /* curl's read buffer, the reply's first */

/*
 * One of curl's sockets on Kore's poller. evt comes first: the poller
 * hands its address to es_loop_event(). A socket curl is done with is
 * buried, not freed: an event of the same turn of the loop may still
 * point at it; the graves are emptied by a timer, which Kore runs after
 * the turn's events.
 */
struct es_loop_sock {
	struct kore_event    evt;
	curl_socket_t        fd; /* -1 once buried */
	struct es_loop_sock *next_grave;
};

struct es_loop_req {
	CURL              *easy;
	es_loop_fn         fn;
	void              *arg;
	struct es_response r;
	char               url[SETTINGS_STR_MAX + 1024];
};

static struct {
	CURLM               *multi;
	bool                 broken; /* the multi handle could not be made */
	struct curl_slist   *headers;
	struct kore_timer   *timer; /* curl's timeout */
	struct kore_timer   *reaper; /* empties the graves */
	struct es_loop_sock *graves;
	CURL                *idle[ES_LOOP_IDLE];
	int                  nidle;
	int                  inflight;
} el;

static void es_loop_done(void);

/* ---- curl's sockets and timer, on Kore's poller ---- */

static void
es_loop_reap(void *arg, uint64_t now)
{
	struct es_loop_sock *s;

	(void)arg;
	(void)now;
	el.reaper = NULL;
	while ((s = el.graves) != NULL) {
		el.graves = s->next_grave;
		mem_free(s);
	}
}

static void
es_loop_event(void *arg, int error)
{
	struct es_loop_sock *s = arg;
	int                  mask, running;

	mask = 0;
	if (s->evt.flags & KORE_EVENT_READ)
		mask |= CURL_CSELECT_IN;
	if (s->evt.flags & KORE_EVENT_WRITE)
		mask |= CURL_CSELECT_OUT;
	if (error)
		mask |= CURL_CSELECT_ERR;
	s->evt.flags = 0;
	if (s->fd == -1)
		return; /* buried in this very turn */
	(void)curl_multi_socket_action(el.multi, s->fd, mask, &running);
	es_loop_done();
}

static int
es_loop_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *sockp)
{
	struct es_loop_sock *s = sockp;

	(void)easy;
	(void)userp;
	if (what == CURL_POLL_REMOVE) {
		/* Said before curl closes fd: it is still registered. */
		if (s != NULL) {
			kore_platform_disable_read(fd);
			(void)curl_multi_assign(el.multi, fd, NULL);
			s->fd = -1;
			s->next_grave = el.graves;
			el.graves = s;
			if (el.reaper == NULL)
				el.reaper = kore_timer_add(
				    es_loop_reap, 0, NULL, KORE_TIMER_ONESHOT);
		}
		return (0);
	}
	if (s == NULL) {
		s = mem_calloc(1, sizeof(*s));
		s->evt.type = KORE_TYPE_ES_LOOP;
		s->evt.handle = es_loop_event;
		s->fd = fd;
		(void)curl_multi_assign(el.multi, fd, s);
	}
	/* Level-triggered, as curl expects. */
	kore_platform_event_schedule(fd,
	    ((what & CURL_POLL_IN) != 0 ? EPOLLIN : 0) |
		((what & CURL_POLL_OUT) != 0 ? EPOLLOUT : 0),
	    0, &s->evt);
	return (0);
}

static void
es_loop_timeout(void *arg, uint64_t now)
{
	int running;

	(void)arg;
	(void)now;
	el.timer = NULL; /* Kore frees it once this returns */
	(void)curl_multi_socket_action(
	    el.multi, CURL_SOCKET_TIMEOUT, 0, &running);
	es_loop_done();
}

static int
es_loop_timer(CURLM *multi, long timeout_ms, void *userp)
{
	(void)multi;
	(void)userp;
	if (el.timer != NULL) {
		kore_timer_remove(el.timer);
		el.timer = NULL;
	}
	/* 0: at the next turn of the loop, never from inside this call. */
	if (timeout_ms >= 0)
		el.timer = kore_timer_add(es_loop_timeout, (uint64_t)timeout_ms,
		    NULL, KORE_TIMER_ONESHOT);
	return (0);
}

static bool
es_loop_init(void)
{
	if (el.multi != NULL || el.broken)
		return (el.multi != NULL);
	if (api_settings == NULL || api_settings->es_url[0] == '\0' ||
	    (el.multi = curl_multi_init()) == NULL) {
		el.broken = true;
		return (false);
	}
	(void)curl_multi_setopt(
	    el.multi, CURLMOPT_SOCKETFUNCTION, es_loop_socket);
	(void)curl_multi_setopt(
	    el.multi, CURLMOPT_TIMERFUNCTION, es_loop_timer);
	el.headers = curl_slist_append(NULL, "Content-Type: application/json");
	/* No "Expect: 100-continue" past 1 KiB of body (store/es.c). */
	el.headers = curl_slist_append(el.headers, "Expect:");
	return (true);
}

/* ---- requests ---- */

static void
es_loop_release(struct es_loop_req *q)
{
	(void)curl_multi_remove_handle(el.multi, q->easy);
	if (el.nidle < ES_LOOP_IDLE) {
		curl_easy_reset(q->easy);
		el.idle[el.nidle++] = q->easy;
	} else {
		curl_easy_cleanup(q->easy);
	}
	es_response_free(&q->r);
	mem_free(q);
	el.inflight--;
}

/* The finished transfers: their answers to their callers. */
static void
es_loop_done(void)
{
	struct es_loop_req *q;
	CURLMsg            *msg;
	CURLcode            rc;
	int                 left;
	void               *priv;

	while ((msg = curl_multi_info_read(el.multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		priv = NULL;
		(void)curl_easy_getinfo(
		    msg->easy_handle, CURLINFO_PRIVATE, &priv);
		if ((q = priv) == NULL)
			continue;
		rc = msg->data.result;
		if (rc == CURLE_OK)
			(void)curl_easy_getinfo(
			    q->easy, CURLINFO_RESPONSE_CODE, &q->r.status);
		else
			snprintf(q->r.error, sizeof(q->r.error), "%s",
			    curl_easy_strerror(rc));
		q->fn(rc == CURLE_OK, &q->r, q->arg);
		es_loop_release(q);
	}
}

static size_t
es_loop_write(char *data, size_t size, size_t n, void *arg)
{
	buf_append(arg, data, size * n);
	return (size * n);
}

struct es_loop_req *
es_loop_send(const char *method, const char *path, const char *body, size_t len,
    es_loop_fn fn, void *arg)
{
	struct es_loop_req *q;
	CURL               *easy;
	size_t              base;
	long                timeout;

	if (!es_loop_init() || el.inflight >= ES_LOOP_MAX)
		return (NULL);
	easy = el.nidle > 0 ? el.idle[--el.nidle] : curl_easy_init();
	if (easy == NULL)
		return (NULL);
	q = mem_calloc(1, sizeof(*q));
	q->easy = easy;
	q->fn = fn;
	q->arg = arg;
	/* Replies of searches are tens of KiB: read and kept in few steps. */
	buf_init(&q->r.body, ES_LOOP_READ);
	/* store/es.c's URL: the base without its trailing slashes. */
	base = strlen(api_settings->es_url);
	while (base > 0 && api_settings->es_url[base - 1] == '/')
		base--;
	snprintf(q->url, sizeof(q->url), "%.*s%s", (int)base,
	    api_settings->es_url, path);
	timeout = api_settings->es_timeout_ms;
	curl_easy_setopt(easy, CURLOPT_URL, q->url);
	curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, (long)ES_LOOP_READ);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, timeout);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, el.headers);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, es_loop_write);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, &q->r.body);
	curl_easy_setopt(easy, CURLOPT_PRIVATE, q);
	if (body != NULL) {
		curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(
		    easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	el.inflight++;
	/* curl asks for a timer of 0 ms: the transfer starts at the next
	 * turn of the loop, so fn never runs before this returns. */
	if (curl_multi_add_handle(el.multi, easy) != CURLM_OK) {
		el.inflight--;
		es_response_free(&q->r);
		mem_free(q);
		curl_easy_cleanup(easy);
		return (NULL);
	}
	return (q);
}

void
es_loop_cancel(struct es_loop_req *q)
{
	if (q != NULL)
		es_loop_release(q);
}
