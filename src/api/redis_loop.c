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
 * A connection. evt comes first: Kore's poller hands its address to
 * redis_loop_event(). It outlives each hiredis context, so an event that
 * arrives for a context just freed finds ac == NULL. Two per Kore
 * worker: one for commands, one subscribed to the change channel.
 */
struct redis_loop_conn {
	struct kore_event  evt;
	const char        *name; /* for the logs */
	redisAsyncContext *ac;
	int                fd;
	bool               polled; /* fd registered with the poller */
	bool               polled_out; /* ... for writability too */
	bool               connected;
	bool               want_write;
	bool               flush_due; /* a flush timer is pending */
	long               pending; /* commands sent, reply not yet in */
	uint64_t           progress_ms; /* last reply, or first send */
	uint64_t           retry_ms; /* no new connection before */
};

static struct redis_loop_conn rl = {.name = "commands"};
static struct redis_loop_conn rl_sub = {.name = "changes"};

static struct redis_loop_script *rl_scripts[REDIS_LOOP_SCRIPTS];
static int                       rl_nscripts;

/*
 * The change channel: subscribed, and how many changes were seen, in
 * all (losses of the subscription, messages that name no tenant) and per
 * tenant, by a hash of its id (a collision only costs an extra ask).
 */
#define REDIS_LOOP_TENANT_SLOTS 1024

static bool     rl_watching;
static uint64_t rl_epoch = 1;
static uint64_t rl_tenant_epoch[REDIS_LOOP_TENANT_SLOTS];

struct redis_loop_call {
	redis_loop_fn fn;
	void         *arg;
};

static void redis_loop_load(struct redis_loop_script *);
static bool redis_loop_subscribe(void);

static uint64_t
redis_loop_now_ms(void)
{
	return (env_monotonic_us() / 1000);
}

/* Whatever was confirmed before may have changed since. */
static void
redis_loop_changed(void)
{
	rl_epoch++;
}

static uint64_t *
redis_loop_tenant_slot(const char *tenant_id, size_t len)
{
	uint32_t h = 2166136261u;
	size_t   i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)tenant_id[i]) * 16777619u;
	return (&rl_tenant_epoch[h % REDIS_LOOP_TENANT_SLOTS]);
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
redis_loop_poll(struct redis_loop_conn *c, bool out)
{
	kore_platform_event_schedule(
	    c->fd, EPOLLIN | (out ? EPOLLOUT : 0), 0, &c->evt);
	c->polled = true;
	c->polled_out = out;
}

static void
redis_loop_flush(void *arg, uint64_t now)
{
	struct redis_loop_conn *c = arg;

	(void)now;
	c->flush_due = false;
	if (c->ac != NULL && c->want_write)
		redisAsyncHandleWrite(c->ac);
}

static void
redis_loop_add_write(void *data)
{
	struct redis_loop_conn *c = data;

	c->want_write = true;
	if (!c->connected) {
		if (!c->polled_out)
			redis_loop_poll(c, true);
	} else if (!c->flush_due) {
		c->flush_due = true;
		kore_timer_add(redis_loop_flush, 0, c, KORE_TIMER_ONESHOT);
	}
}

static void
redis_loop_del_write(void *data)
{
	struct redis_loop_conn *c = data;

	c->want_write = false;
	if (c->polled_out)
		redis_loop_poll(c, false);
}

static void
redis_loop_connected(const redisAsyncContext *ac, int status)
{
	struct redis_loop_conn *c = ac->ev.data;

	c->connected = status == REDIS_OK;
	log_emit(c->connected ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARNING, "redis",
	    NULL,
	    json_pack("{s:s, s:s}", "connection", c->name, "error",
		c->connected ? "" : ac->errstr),
	    c->connected ? "the event loop's Redis connection is up"
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
	struct redis_loop_conn *c = data;

	if (c->polled)
		kore_platform_disable_read(c->fd);
	c->polled = false;
	c->polled_out = false;
	c->connected = false;
	c->want_write = false;
	c->ac = NULL;
	c->fd = -1;
	c->retry_ms = redis_loop_now_ms() + REDIS_LOOP_RETRY_MS;
	if (c == &rl_sub) {
		rl_watching = false;
		redis_loop_changed();
	}
}

static void
redis_loop_event(void *arg, int error)
{
	struct redis_loop_conn *c = arg;

	/* An error or a hang-up shows as a failed read (or connection). */
	if ((c->evt.flags & KORE_EVENT_READ || error) && c->ac != NULL)
		redisAsyncHandleRead(c->ac);
	if (c->evt.flags & KORE_EVENT_WRITE && c->ac != NULL && c->want_write)
		redisAsyncHandleWrite(c->ac);
	/* Connected now: writes go by the flush timer. */
	if (c->ac != NULL && c->connected && c->polled_out)
		redis_loop_poll(c, false);
	c->evt.flags = 0;
}

/* ---- replies ---- */

static void
redis_loop_reply(redisAsyncContext *ac, void *reply, void *privdata)
{
	struct redis_loop_conn *c = ac->ev.data;
	struct redis_loop_call *call = privdata;
	const redisReply       *r = reply;
	int                     i;

	c->pending--;
	c->progress_ms = redis_loop_now_ms();
	/* Redis lost its scripts (SCRIPT FLUSH): load them again. */
	if (r != NULL && r->type == REDIS_REPLY_ERROR &&
	    strncmp(r->str, "NOSCRIPT", 8) == 0 && rl.ac != NULL)
		for (i = 0; i < rl_nscripts; i++)
			redis_loop_load(rl_scripts[i]);
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
redis_loop_push(struct redis_loop_conn *c, const char *cmd, size_t len,
    redis_loop_fn fn, void *arg)
{
	struct redis_loop_call *call;

	call = mem_calloc(1, sizeof(*call));
	call->fn = fn;
	call->arg = arg;
	if (redisAsyncFormattedCommand(
		c->ac, redis_loop_reply, call, cmd, len) != REDIS_OK) {
		mem_free(call);
		return (false);
	}
	if (c->pending++ == 0)
		c->progress_ms = redis_loop_now_ms();
	return (true);
}

static bool
redis_loop_send(struct redis_loop_conn *c, int argc, const char **argv,
    const size_t *lens, redis_loop_fn fn, void *arg)
{
	char *cmd;
	int   len;
	bool  ok;

	if ((len = redisFormatCommandArgv(&cmd, argc, argv, lens)) < 0)
		return (false);
	ok = redis_loop_push(c, cmd, (size_t)len, fn, arg);
	redisFreeCommand(cmd);
	return (ok);
}

static void
redis_loop_load(struct redis_loop_script *s)
{
	const char *argv[3] = {"SCRIPT", "LOAD", s->text};

	(void)redis_loop_send(
	    &rl, 3, argv, NULL, redis_loop_setup_reply, (void *)"SCRIPT LOAD");
}

static void
redis_loop_disconnected(const redisAsyncContext *ac, int status)
{
	const struct redis_loop_conn *c = ac->ev.data;

	if (status != REDIS_OK)
		log_emit(LOG_LEVEL_WARNING, "redis", NULL,
		    json_pack("{s:s}", "connection", c->name),
		    "the event loop's Redis connection was lost");
}

/* A new connection for c, AUTH queued, or false. */
static bool
redis_loop_open(struct redis_loop_conn *c)
{
	const struct endpoint *ep;
	const char            *argv[2];
	int                    n;

	if (c->ac != NULL)
		return (true);
	if (redis_loop_now_ms() < c->retry_ms)
		return (false);
	c->retry_ms = redis_loop_now_ms() + REDIS_LOOP_RETRY_MS;
	ep = kv_target(&n);
	c->ac = redisAsyncConnect(ep->host, ep->port);
	if (c->ac == NULL)
		return (false);
	if (c->ac->err != 0) {
		log_emit(LOG_LEVEL_WARNING, "redis", NULL,
		    json_pack("{s:s, s:s}", "connection", c->name, "error",
			c->ac->errstr),
		    "the event loop cannot connect to Redis");
		redisAsyncFree(c->ac); /* cleanup is not set yet */
		c->ac = NULL;
		return (false);
	}
	c->fd = c->ac->c.fd;
	c->pending = 0;
	c->ac->ev.data = c;
	c->ac->ev.addRead = redis_loop_nop;
	c->ac->ev.delRead = redis_loop_nop;
	c->ac->ev.addWrite = redis_loop_add_write;
	c->ac->ev.delWrite = redis_loop_del_write;
	c->ac->ev.cleanup = redis_loop_cleanup;
	(void)redisAsyncSetDisconnectCallback(c->ac, redis_loop_disconnected);
	(void)redisAsyncSetConnectCallback(c->ac, redis_loop_connected);
	/* Writable once connected: hiredis then sends what is queued. */
	c->connected = false;
	c->want_write = true;
	redis_loop_poll(c, true);
	if (ep->password[0] != '\0') {
		argv[0] = "AUTH";
		argv[1] = ep->password;
		(void)redis_loop_send(
		    c, 2, argv, NULL, redis_loop_setup_reply, (void *)"AUTH");
	}
	return (c->ac != NULL);
}

/* The command connection, with its database and scripts, or false. */
static bool
redis_loop_connect(void)
{
	char        db[16];
	const char *argv[2];
	int         n, i;

	if (rl.ac != NULL)
		return (true);
	if (!redis_loop_open(&rl))
		return (false);
	(void)kv_target(&n);
	if (n != 0) {
		snprintf(db, sizeof(db), "%d", n);
		argv[0] = "SELECT";
		argv[1] = db;
		(void)redis_loop_send(&rl, 2, argv, NULL,
		    redis_loop_setup_reply, (void *)"SELECT");
	}
	for (i = 0; i < rl_nscripts; i++)
		redis_loop_load(rl_scripts[i]);
	return (rl.ac != NULL);
}

/* ---- the change channel ---- */

/*
 * Every message on the channel (and its subscription): a change was
 * made, or watching starts. Either way what was confirmed before no
 * longer counts.
 */
static void
redis_loop_change(redisAsyncContext *ac, void *reply, void *privdata)
{
	const redisReply *r = reply;

	(void)ac;
	(void)privdata;
	if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements < 3 ||
	    r->element[0]->type != REDIS_REPLY_STRING)
		return;
	rl_sub.progress_ms = redis_loop_now_ms();
	if (strcmp(r->element[0]->str, "message") == 0 &&
	    r->element[2]->type == REDIS_REPLY_STRING &&
	    r->element[2]->len > 0) {
		(*redis_loop_tenant_slot(
		    r->element[2]->str, (size_t)r->element[2]->len))++;
		return;
	}
	if (strcmp(r->element[0]->str, "subscribe") == 0) {
		rl_watching = true;
		log_emit(LOG_LEVEL_DEBUG, "redis", NULL, NULL,
		    "the event loop watches the change channel");
	}
	redis_loop_changed();
}

static bool
redis_loop_subscribe(void)
{
	if (rl_sub.ac != NULL)
		return (true);
	if (!redis_loop_open(&rl_sub))
		return (false);
	rl_sub.progress_ms = redis_loop_now_ms();
	/* Stays registered: called for every message. */
	if (redisAsyncCommand(rl_sub.ac, redis_loop_change, NULL,
		"SUBSCRIBE %s", KV_CHANGES_CHANNEL) != REDIS_OK) {
		redisAsyncFree(rl_sub.ac);
		return (false);
	}
	return (true);
}

/*
 * Kore timer: a connection with commands in flight and no reply for the
 * Redis timeout is given up; its callbacks get NULL replies. A lost
 * subscription is tried again.
 */
static void
redis_loop_watch(void *arg, uint64_t now)
{
	(void)arg;
	(void)now;
	(void)redis_loop_subscribe();
	if (rl_sub.ac != NULL && !rl_watching &&
	    redis_loop_now_ms() - rl_sub.progress_ms >=
		(uint64_t)kv_timeout_ms()) {
		log_emit(LOG_LEVEL_WARNING, "redis", NULL, NULL,
		    "Redis did not confirm the change channel in time: "
		    "reconnecting");
		redisAsyncFree(rl_sub.ac);
	}
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
	rl_sub.fd = -1;
	rl_sub.evt.type = KORE_TYPE_REDIS_LOOP;
	rl_sub.evt.handle = redis_loop_event;
	(void)redis_loop_connect();
	(void)redis_loop_subscribe();
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
	if (rl_nscripts == REDIS_LOOP_SCRIPTS ||
	    !EVP_Digest(
		s->text, strlen(s->text), md, &mdlen, EVP_sha1(), NULL) ||
	    mdlen != 20)
		return (false);
	for (i = 0; i < mdlen; i++)
		snprintf(s->sha + 2 * i, 3, "%02x", md[i]);
	rl_scripts[rl_nscripts++] = s;
	s->slot = rl_nscripts;
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
	return (
	    redis_loop_connect() && redis_loop_push(&rl, cmd, len, fn, arg));
}

bool
redis_loop_command(int argc, const char **argv, const size_t *lens,
    redis_loop_fn fn, void *arg)
{
	if (!redis_loop_connect())
		return (false);
	return (redis_loop_send(&rl, argc, argv, lens, fn, arg));
}

bool
redis_loop_watching(void)
{
	return (rl_watching);
}

uint64_t
redis_loop_epoch(const char *tenant_id)
{
	/* Both only grow: their sum changes whenever either does. */
	return (
	    rl_epoch + *redis_loop_tenant_slot(tenant_id, strlen(tenant_id)));
}
