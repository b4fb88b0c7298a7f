/*
 * Redis adapter (hiredis). Each thread keeps its own connection and
 * reconnects after an error. Calls block: run them in a task thread or in
 * the worker, never on a Kore event loop.
 *
 * Keys: platform keys start with "p:", tenant keys with "t:<tenant_id>:".
 * Callers never build keys themselves; the functions here do.
 */
#ifndef VIGIE_STORE_KV_H
#define VIGIE_STORE_KV_H

#include <stdbool.h>
#include <stddef.h>

#include <hiredis/hiredis.h>

#include "core/endpoint.h"
#include "core/health.h"
#include "core/settings.h"

bool          kv_configure(const struct settings *, char *err, size_t);
redisContext *kv_conn(char *err, size_t errlen);
void          kv_drop(void);
redisReply   *kv_commandv(
      int argc, const char **argv, const size_t *lens, char *err, size_t errlen);
void kv_check(struct dep_check *, long timeout_ms);

/*
 * The channel on which changes that cached decisions depend on are
 * announced (api/redis_loop.h): a tenant's or a caller's record, a
 * revocation, a plan's limits, a cache generation. The message is the
 * tenant id.
 */
#define KV_CHANGES_CHANNEL "p:changes"

/* Announces a change of the tenant's records (best effort, logged). */
void kv_changed(const char *tenant_id);

/* The configured server and database, and the command timeout. */
const struct endpoint *kv_target(int *db);
long                   kv_timeout_ms(void);

#endif
