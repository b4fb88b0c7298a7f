#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/env.h"
#include "common/log.h"
#include "core/endpoint.h"
#include "store/kv.h"

static struct endpoint        kv_ep;
static int                    kv_db;
static long                   kv_timeout = 2000;
static __thread redisContext *kv_ctx;

bool
kv_configure(const struct settings *s, char *err, size_t errlen)
{
	char *end;

	if (!endpoint_parse(s->redis_url, 6379, &kv_ep) ||
	    strcmp(kv_ep.scheme, "redis") != 0) {
		snprintf(err, errlen, "VIGIE_REDIS_URL is not a redis:// URL");
		return (false);
	}
	kv_db = 0;
	if (kv_ep.path[0] != '\0') {
		kv_db = (int)strtol(kv_ep.path, &end, 10);
		if (*end != '\0' || kv_db < 0 || kv_db > 15) {
			snprintf(err, errlen,
			    "VIGIE_REDIS_URL: the database "
			    "must be a number from 0 to 15");
			return (false);
		}
	}
	kv_timeout = s->redis_timeout_ms;
	return (true);
}

/* Where Redis is (for the event loop's own connection, api/redis_loop.c). */
const struct endpoint *
kv_target(int *db)
{
	*db = kv_db;
	return (&kv_ep);
}

long
kv_timeout_ms(void)
{
	return (kv_timeout);
}

static struct timeval
kv_tv(long ms)
{
	struct timeval tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	return (tv);
}

static bool
kv_select(redisContext *c, char *err, size_t errlen)
{
	redisReply *r;
	bool        ok;

	if (kv_ep.password[0] != '\0') {
		r = redisCommand(c, "AUTH %s", kv_ep.password);
		ok = r != NULL && r->type != REDIS_REPLY_ERROR;
		freeReplyObject(r);
		if (!ok) {
			snprintf(err, errlen, "Redis AUTH failed");
			return (false);
		}
	}
	if (kv_db != 0) {
		r = redisCommand(c, "SELECT %d", kv_db);
		ok = r != NULL && r->type != REDIS_REPLY_ERROR;
		freeReplyObject(r);
		if (!ok) {
			snprintf(err, errlen, "Redis SELECT %d failed", kv_db);
			return (false);
		}
	}
	return (true);
}

/*
 * Returns this thread's connection, connecting first when there is none.
 * Returns NULL with err set when Redis cannot be reached.
 */
redisContext *
kv_conn(char *err, size_t errlen)
{
	struct timeval tv;

	if (kv_ctx != NULL)
		return (kv_ctx);
	tv = kv_tv(kv_timeout);
	kv_ctx = redisConnectWithTimeout(kv_ep.host, kv_ep.port, tv);
	if (kv_ctx == NULL || kv_ctx->err != 0) {
		snprintf(err, errlen, "%s",
		    kv_ctx != NULL ? kv_ctx->errstr
				   : "cannot allocate a Redis context");
		kv_drop();
		return (NULL);
	}
	(void)redisSetTimeout(kv_ctx, tv);
	if (!kv_select(kv_ctx, err, errlen)) {
		kv_drop();
		return (NULL);
	}
	return (kv_ctx);
}

/* Forgets this thread's connection (after an I/O error). */
void
kv_drop(void)
{
	if (kv_ctx != NULL)
		redisFree(kv_ctx);
	kv_ctx = NULL;
}

/*
 * Runs one command. A connection that fails is dropped and the command
 * tried once more on a fresh one, so a restarted Redis is picked up on the
 * next call. Returns the reply (caller frees) or NULL with err set.
 */
redisReply *
kv_commandv(
    int argc, const char **argv, const size_t *lens, char *err, size_t errlen)
{
	redisContext *c;
	redisReply   *r;
	bool          reused;

	for (;;) {
		reused = kv_ctx != NULL;
		if ((c = kv_conn(err, errlen)) == NULL)
			return (NULL);
		r = redisCommandArgv(c, argc, argv, lens);
		if (r != NULL)
			return (r);
		snprintf(err, errlen, "%s", c->errstr);
		kv_drop();
		/*
		 * A connection kept from an earlier call may have been closed
		 * by a Redis restart: try once more on a fresh one. A fresh
		 * connection that fails (or times out) is the final answer.
		 */
		if (!reused)
			return (NULL);
	}
}

void
kv_changed(const char *tenant_id)
{
	const char *argv[3] = {"PUBLISH", KV_CHANGES_CHANNEL, tenant_id};
	char        err[160];
	redisReply *r;

	if ((r = kv_commandv(3, argv, NULL, err, sizeof(err))) != NULL &&
	    r->type != REDIS_REPLY_ERROR) {
		freeReplyObject(r);
		return;
	}
	/* The event loops that missed it drop their confirmations when
	 * their subscription breaks; a refusal here is only logged. */
	log_emit(LOG_LEVEL_WARNING, "redis", NULL,
	    json_pack("{s:s, s:s}", "tenant_id", tenant_id, "error",
		r != NULL ? r->str : err),
	    "a change could not be announced");
	if (r != NULL)
		freeReplyObject(r);
}

/* Reads used_memory out of an INFO memory answer. */
static long long
kv_used_memory(const char *info)
{
	const char *p;

	if ((p = strstr(info, "used_memory:")) == NULL)
		return (-1);
	return (strtoll(p + strlen("used_memory:"), NULL, 10));
}

void
kv_check(struct dep_check *dc, long timeout_ms)
{
	const char   *ping[] = {"PING"};
	const char   *info[] = {"INFO", "memory"};
	redisContext *c;
	redisReply   *r;
	uint64_t      start;

	dc->name = "redis";
	start = env_monotonic_us();
	/* The check gets its own, usually shorter, time budget. */
	if ((c = kv_conn(dc->error, sizeof(dc->error))) != NULL)
		(void)redisSetTimeout(c, kv_tv(timeout_ms));
	r = kv_commandv(1, ping, NULL, dc->error, sizeof(dc->error));
	if (r == NULL || r->type == REDIS_REPLY_ERROR) {
		dc->state = DEP_DOWN;
		if (r != NULL)
			snprintf(dc->error, sizeof(dc->error), "%s", r->str);
		freeReplyObject(r);
		dc->latency_ms = (double)(env_monotonic_us() - start) / 1000.0;
		if (kv_ctx != NULL)
			(void)redisSetTimeout(kv_ctx, kv_tv(kv_timeout));
		return;
	}
	dc->latency_ms = (double)(env_monotonic_us() - start) / 1000.0;
	freeReplyObject(r);
	dc->state = DEP_UP;
	r = kv_commandv(2, info, NULL, dc->error, sizeof(dc->error));
	if (r != NULL && r->type == REDIS_REPLY_STRING)
		dc->details = json_pack(
		    "{s:I}", "used_memory", (json_int_t)kv_used_memory(r->str));
	freeReplyObject(r);
	dc->error[0] = '\0';
	if (kv_ctx != NULL)
		(void)redisSetTimeout(kv_ctx, kv_tv(kv_timeout));
}
