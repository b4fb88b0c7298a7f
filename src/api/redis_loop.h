/*
 * Redis from a Kore worker's event loop, without blocking it.
 *
 * One connection per Kore worker, driven by Kore's poller through
 * hiredis' asynchronous API. A handler sends a command with a callback
 * and puts its request to sleep; the callback, run on the event loop when
 * the reply arrives, wakes it up. Commands of the requests handled in one
 * turn of the loop leave in one write: they are pipelined.
 *
 * A command that cannot be sent (no connection, Redis down) returns
 * false at once; one already sent gets a NULL reply when the connection
 * breaks or Redis does not answer within the configured timeout. Either
 * way the caller takes its ordinary (task thread) path, which reports
 * the failure the usual way. The task threads keep their own blocking
 * connections (store/kv.c).
 *
 * A second connection per Kore worker is subscribed to the change
 * channel (KV_CHANGES_CHANNEL, store/kv.h), on which every write that
 * changes what a cached answer depends on (a record, a revocation, a
 * plan's limits, a generation) is announced with its tenant's id. A
 * tenant's epoch counts what was announced for it, and each loss of the
 * subscription: something of the tenant's confirmed by a reply to a
 * command sent under its current epoch, while watching, is still true
 * but for the changes Redis is delivering right now.
 */
#ifndef VIGIE_API_REDIS_LOOP_H
#define VIGIE_API_REDIS_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>

/* A Lua script, sent by its SHA-1 once loaded on the connection. */
struct redis_loop_script {
	const char *text;
	char        sha[41]; /* filled on first use */
	int         slot; /* registration index + 1, 0 until registered */
};

/* Called once per command; reply is NULL on failure, freed after. */
typedef void (*redis_loop_fn)(redisReply *reply, void *arg);

/* Starts the connection and its watchdog timer (worker start-up). */
void redis_loop_init(void);

/* The SHA-1 (hex) of the script, registered to be loaded; NULL if full. */
const char *redis_loop_script_sha(struct redis_loop_script *);

/* A command already in the protocol's form (core/resp.h). */
bool
redis_loop_formatted(const char *cmd, size_t len, redis_loop_fn fn, void *arg);

/* A plain command, whose reply does not matter (fn may be NULL). */
bool redis_loop_command(int argc, const char **argv, const size_t *lens,
    redis_loop_fn fn, void *arg);

/* Subscribed to the change channel now. */
bool redis_loop_watching(void);

/* Changes with every change announced for the tenant, and every loss of
 * the subscription. */
uint64_t redis_loop_epoch(const char *tenant_id);

#endif
