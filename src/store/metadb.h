/*
 * MongoDB adapter (mongo-c-driver). One client pool per process; each call
 * pops a client for its duration. Calls block: run them in a task thread
 * or in the worker, never on a Kore event loop.
 */
#ifndef VIGIE_STORE_METADB_H
#define VIGIE_STORE_METADB_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/health.h"
#include "core/settings.h"
#include "core/tenant.h"

enum metadb_status {
	METADB_OK = 0,
	METADB_NOT_FOUND,
	METADB_DUPLICATE, /* a unique index refused the write */
	METADB_ERROR, /* the server could not be reached or refused */
};

bool metadb_open(const struct settings *, char *err, size_t errlen);
void metadb_close(void);
void metadb_check(struct dep_check *);
bool metadb_ensure_indexes(char *err, size_t errlen);

/*
 * Documents are jansson objects. On the way in, a field "id" in a filter
 * means the document's _id (24 hex characters; anything else matches
 * nothing); on the way out, _id comes back as "id". Timestamps are ISO
 * 8601 UTC strings.
 *
 * Tenant scope: every filter gets tenant_id = ctx->id added and every
 * inserted document gets tenant_id set, whatever the caller put there.
 * A context that fails tenant_ctx_check() reaches nothing.
 */
enum metadb_status metadb_insert(const struct tenant_ctx *, const char *coll,
    const json_t *doc, char id_out[25], char *err, size_t errlen);
json_t            *metadb_find_one(const struct tenant_ctx *, const char *coll,
	       const json_t *filter, enum metadb_status *, char *err, size_t errlen);
json_t            *metadb_find(const struct tenant_ctx *, const char *coll,
	       const json_t *filter, const json_t *sort, long skip, long limit,
	       enum metadb_status *, char *err, size_t errlen);
enum metadb_status
metadb_update(const struct tenant_ctx *, const char *coll, const json_t *filter,
    const json_t *set, long *matched, char *err, size_t errlen);
enum metadb_status metadb_delete(const struct tenant_ctx *, const char *coll,
    const json_t *filter, long *deleted, char *err, size_t errlen);
long               metadb_count(const struct tenant_ctx *, const char *coll,
		  const json_t *filter, char *err, size_t errlen);

/*
 * Platform scope, for what belongs to no single tenant or finds the
 * tenant in the first place: the "tenants" and "platform_admins"
 * collections, look-ups of "users" by e-mail and "api_keys" by hash
 * during authentication, and of "custom_domains" by host (the branding
 * of a login page). Other collections are refused.
 */
enum metadb_status metadb_platform_insert(const char *coll, const json_t *doc,
    char id_out[25], char *err, size_t errlen);
json_t *metadb_platform_find_one(const char *coll, const json_t *filter,
    enum metadb_status *, char *err, size_t errlen);
json_t *
metadb_platform_find(const char *coll, const json_t *filter, const json_t *sort,
    long skip, long limit, enum metadb_status *, char *err, size_t errlen);
enum metadb_status
metadb_platform_update(const char *coll, const json_t *filter,
    const json_t *set, long *matched, char *err, size_t errlen);
enum metadb_status metadb_platform_delete(const char *coll,
    const json_t *filter, long *deleted, char *err, size_t errlen);
long               metadb_platform_count(
		  const char *coll, const json_t *filter, char *err, size_t errlen);

#endif
