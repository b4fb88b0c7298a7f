#include <sys/epoll.h>

#include <stdio.h>
#include <string.h>

#include <hiredis/async.h>
#include <openssl/evp.h>

#include "api/call.h"
#include "api/redis_loop.h"
#include "common/env.h"
#include "common/log.h"
#include "core/mem.h"
#include "store/kv.h"

#define REDIS_LOOP_SCRIPTS  8
#define REDIS_LOOP_RETRY_MS 1000 /* between two connection attempts */
#define REDIS_LOOP_WATCH_MS 100 /* how often the watchdog looks */

/* Kore reads the type of an event only for its own kinds (1 to 6). */
#define KORE_TYPE_REDIS_LOOP 100

/*
 * The connection. evt comes first: Kore's poller hands its address to
 * redis_loop_event(). It outlives each hiredis context, so an event that
 * arrives for a context just freed finds ac == NULL.
 */
static struct {
	struct kore_event         evt;
	redisAsyncContext        *ac;
	int                       fd;
	bool                      polled; /* fd registered with the poller */
	bool                      polled_out; /* ... for writability too */
	bool                      connected;
	bool                      want_write;
	bool                      flush_due; /* a flush timer is pending */
	long                      pending; /* commands sent, reply not yet in */
	uint64_t                  progress_ms; /* last reply, or first send */
	uint64_t                  retry_ms; /* no new connection before */
	struct redis_loop_script *scripts[REDIS_LOOP_SCRIPTS];
	int                       nscripts;
} rl;

struct redis_loop_call {
	redis_loop_fn fn;
	void         *arg;
};

static void redis_loop_load(struct redis_loop_script *);

static uint64_t
redis_loop_now_ms(void)
{
	return (env_monotonic_us() / 1000);
}

/*
 * ---- hiredis' event hooks, on Kore's poller ----
 *
 * Reading is level-triggered and always on. Writing waits for the poller
 * only while connecting; once connected, what the handlers of one turn
 * of the loop queued leaves in one write, from a timer of 0 ms that Kore
 * runs at the start of the next turn (no poller changes per turn).
 */

static void
redis_loop_poll(bool out)
{
	kore_platform_event_schedule(
	    rl.fd, EPOLLIN | (out ? EPOLLOUT : 0), 0, &rl.evt);
	rl.polled = true;
	rl.polled_out = out;
}

static void
redis_loop_flush(void *arg, uint64_t now)
{
	(void)arg;
	(void)now;
	rl.flush_due = false;
	if (rl.ac != NULL && rl.want_write)
		redisAsyncHandleWrite(rl.ac);
}

static void
redis_loop_add_write(void *data)
{
	(void)data;
	rl.want_write = true;
	if (!rl.connected) {
		if (!rl.polled_out)
			redis_loop_poll(true);
	} else if (!rl.flush_due) {
		rl.flush_due = true;
		kore_timer_add(redis_loop_flush, 0, NULL, KORE_TIMER_ONESHOT);
	}
}

static void
redis_loop_del_write(void *data)
{
	(void)data;
	rl.want_write = false;
	if (rl.polled_out)
		redis_loop_poll(false);
}

static void
redis_loop_connected(const redisAsyncContext *ac, int status)
{
	rl.connected = status == REDIS_OK;
	log_emit(rl.connected ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARNING, "redis",
	    NULL, json_pack("{s:s}", "error", rl.connected ? "" : ac->errstr),
	    rl.connected ? "the event loop's Redis connection is up"
			 : "the event loop cannot connect to Redis");
}

static void
redis_loop_nop(void *data)
{
	(void)data; /* reading is always on */
}

/* hiredis frees the context (and closes fd after this): forget both. */
static void
redis_loop_cleanup(void *data)
{
	(void)data;
	if (rl.polled)
		kore_platform_disable_read(rl.fd);
	rl.polled = false;
	rl.polled_out = false;
	rl.connected = false;
	rl.want_write = false;
	rl.ac = NULL;
	rl.fd = -1;
	rl.retry_ms = redis_loop_now_ms() + REDIS_LOOP_RETRY_MS;
}

static void
redis_loop_event(void *arg, int error)
{
	(void)arg;
	/* An error or a hang-up shows as a failed read (or connection). */
	if ((rl.evt.flags & KORE_EVENT_READ || error) && rl.ac != NULL)
		redisAsyncHandleRead(rl.ac);
	if (rl.evt.flags & KORE_EVENT_WRITE && rl.ac != NULL && rl.want_write)
		redisAsyncHandleWrite(rl.ac);
	/* Connected now: writes go by the flush timer. */
	if (rl.ac != NULL && rl.connected && rl.polled_out)
		redis_loop_poll(false);
	rl.evt.flags = 0;
}

/* ---- replies ---- */

static void
redis_loop_reply(redisAsyncContext *ac, void *reply, void *privdata)
{
	struct redis_loop_call *call = privdata;

	const redisReply *r = reply;
	int               i;

	(void)ac;
	rl.pending--;
	rl.progress_ms = redis_loop_now_ms();
	/* Redis lost its scripts (SCRIPT FLUSH): load them again. */
	if (r != NULL && r->type == REDIS_REPLY_ERROR &&
	    strncmp(r->str, "NOSCRIPT", 8) == 0 && rl.ac != NULL)
		for (i = 0; i < rl.nscripts; i++)
			redis_loop_load(rl.scripts[i]);
	if (call->fn != NULL)
		call->fn(reply, call->arg);
	mem_free(call);
}

/* Set-up commands (AUTH, SELECT, SCRIPT LOAD): a refusal ends it all. */
static void
redis_loop_setup_reply(redisReply *r, void *arg)
{
	const char *what = arg;

	if (r == NULL || r->type != REDIS_REPLY_ERROR || rl.ac == NULL)
		return;
	log_emit(LOG_LEVEL_ERROR, "redis", NULL,
	    json_pack("{s:s, s:s}", "command", what, "error", r->str),
	    "the event loop's Redis connection was refused: %s", what);
	redisAsyncDisconnect(rl.ac);
}

/* Queues one command (RESP) with its callback; false if refused. */
static bool
redis_loop_push(const char *cmd, size_t len, redis_loop_fn fn, void *arg)
{
	struct redis_loop_call *call;

	call = mem_calloc(1, sizeof(*call));
	call->fn = fn;
	call->arg = arg;
	if (redisAsyncFormattedCommand(
		rl.ac, redis_loop_reply, call, cmd, len) != REDIS_OK) {
		mem_free(call);
		return (false);
	}
	if (rl.pending++ == 0)
		rl.progress_ms = redis_loop_now_ms();
	return (true);
}

static bool
redis_loop_send(int argc, const char **argv, const size_t *lens,
    redis_loop_fn fn, void *arg)
{
	char *cmd;
	int   len;
	bool  ok;

	if ((len = redisFormatCommandArgv(&cmd, argc, argv, lens)) < 0)
		return (false);
	ok = redis_loop_push(cmd, (size_t)len, fn, arg);
	redisFreeCommand(cmd);
	return (ok);
}

static void
redis_loop_load(struct redis_loop_script *s)
{
	const char *argv[3] = {"SCRIPT", "LOAD", s->text};

	(void)redis_loop_send(
	    3, argv, NULL, redis_loop_setup_reply, (void *)"SCRIPT LOAD");
}

static void
redis_loop_disconnected(const redisAsyncContext *ac, int status)
{
	(void)ac;
	if (status != REDIS_OK)
		log_emit(LOG_LEVEL_WARNING, "redis", NULL, NULL,
		    "the event loop's Redis connection was lost");
}

/* A new connection with its set-up commands queued, or false. */
static bool
redis_loop_connect(void)
{
	const struct endpoint *ep;
	char                   db[16];
	const char            *argv[2];
	int                    n, i;

	if (rl.ac != NULL)
		return (true);
	if (redis_loop_now_ms() < rl.retry_ms)
		return (false);
	rl.retry_ms = redis_loop_now_ms() + REDIS_LOOP_RETRY_MS;
	ep = kv_target(&n);
	rl.ac = redisAsyncConnect(ep->host, ep->port);
	if (rl.ac == NULL)
		return (false);
	if (rl.ac->err != 0) {
		log_emit(LOG_LEVEL_WARNING, "redis", NULL,
		    json_pack("{s:s}", "error", rl.ac->errstr),
		    "the event loop cannot connect to Redis");
		redisAsyncFree(rl.ac); /* cleanup is not set yet */
		rl.ac = NULL;
		return (false);
	}
	rl.fd = rl.ac->c.fd;
	rl.pending = 0;
	rl.ac->ev.addRead = redis_loop_nop;
	rl.ac->ev.delRead = redis_loop_nop;
	rl.ac->ev.addWrite = redis_loop_add_write;
	rl.ac->ev.delWrite = redis_loop_del_write;
	rl.ac->ev.cleanup = redis_loop_cleanup;
	(void)redisAsyncSetDisconnectCallback(rl.ac, redis_loop_disconnected);
	(void)redisAsyncSetConnectCallback(rl.ac, redis_loop_connected);
	/* Writable once connected: hiredis then sends what is queued. */
	rl.connected = false;
	rl.want_write = true;
	redis_loop_poll(true);
	if (ep->password[0] != '\0') {
		argv[0] = "AUTH";
		argv[1] = ep->password;
		(void)redis_loop_send(
		    2, argv, NULL, redis_loop_setup_reply, (void *)"AUTH");
	}
	if (n != 0) {
		snprintf(db, sizeof(db), "%d", n);
		argv[0] = "SELECT";
		argv[1] = db;
		(void)redis_loop_send(
		    2, argv, NULL, redis_loop_setup_reply, (void *)"SELECT");
	}
	for (i = 0; i < rl.nscripts; i++)
		redis_loop_load(rl.scripts[i]);
	return (rl.ac != NULL);
}

/*
 * Kore timer: a connection with commands in flight and no reply for the
 * Redis timeout is given up; its callbacks get NULL replies.
 */
static void
redis_loop_watch(void *arg, uint64_t now)
{
	(void)arg;
	(void)now;
	if (rl.ac == NULL || rl.pending == 0)
		return;
	if (redis_loop_now_ms() - rl.progress_ms < (uint64_t)kv_timeout_ms())
		return;
	log_emit(LOG_LEVEL_WARNING, "redis", NULL,
	    json_pack("{s:I}", "pending", (json_int_t)rl.pending),
	    "Redis did not answer the event loop in time: reconnecting");
	redisAsyncFree(rl.ac);
}

void
redis_loop_init(void)
{
	rl.fd = -1;
	rl.evt.type = KORE_TYPE_REDIS_LOOP;
	rl.evt.handle = redis_loop_event;
	(void)redis_loop_connect();
	kore_timer_add(redis_loop_watch, REDIS_LOOP_WATCH_MS, NULL, 0);
}

/* The script's SHA-1 in hex, and its place among those loaded. */
static bool
redis_loop_register(struct redis_loop_script *s)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int  mdlen, i;

	if (s->slot != 0)
		return (true);
	if (rl.nscripts == REDIS_LOOP_SCRIPTS ||
	    !EVP_Digest(
		s->text, strlen(s->text), md, &mdlen, EVP_sha1(), NULL) ||
	    mdlen != 20)
		return (false);
	for (i = 0; i < mdlen; i++)
		snprintf(s->sha + 2 * i, 3, "%02x", md[i]);
	rl.scripts[rl.nscripts++] = s;
	s->slot = rl.nscripts;
	if (rl.ac != NULL)
		redis_loop_load(s); /* queued before the first EVALSHA */
	return (true);
}

const char *
redis_loop_script_sha(struct redis_loop_script *s)
{
	return (redis_loop_register(s) ? s->sha : NULL);
}

bool
redis_loop_formatted(const char *cmd, size_t len, redis_loop_fn fn, void *arg)
{
	return (redis_loop_connect() && redis_loop_push(cmd, len, fn, arg));
}

bool
redis_loop_command(int argc, const char **argv, const size_t *lens,
    redis_loop_fn fn, void *arg)
{
	if (!redis_loop_connect())
		return (false);
	return (redis_loop_send(argc, argv, lens, fn, arg));
}
