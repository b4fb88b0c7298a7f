/*
 * Tenancy rules: what a tenant id and slug may look like, and the only
 * way to turn a tenant into an Elasticsearch index name or a Redis key.
 * Every function taking a tenant_ctx first checks its id and slug, so a
 * forged or half-filled context produces nothing (never "logs-*" or
 * "t::"). Whether the tenant is active is the caller's decision.
 */
#ifndef VIGIE_CORE_TENANT_H
#define VIGIE_CORE_TENANT_H

#include <stdbool.h>
#include <stddef.h>

#define TENANT_ID_LEN      24 /* MongoDB ObjectId, lower-case hex */
#define TENANT_SLUG_MIN    3
#define TENANT_SLUG_MAX    40
#define TENANT_PURPOSE_MAX 200 /* bytes of a key's purpose */

struct tenant_ctx {
	char id[TENANT_ID_LEN + 1];
	char slug[TENANT_SLUG_MAX + 1];
	char plan[24];
	int  active;
};

bool tenant_slug_check(const char *slug, char *why, size_t whylen);
bool tenant_id_check(const char *id);
bool tenant_ctx_check(const struct tenant_ctx *);

/*
 * "logs-<slug>-*". Beware: a slug may contain '-', so the pattern of
 * tenant "acme" also matches "logs-acme-corp-2024.05.01", an index of
 * tenant "acme-corp". Never use the pattern alone to read or delete one
 * tenant's data: name the daily indices, or filter a listing through
 * tenant_index_owned().
 */
bool tenant_index_pattern(const struct tenant_ctx *, char *out, size_t outlen);
bool tenant_index_daily(
    const struct tenant_ctx *, long when, char *out, size_t outlen);
bool tenant_index_owned(const struct tenant_ctx *, const char *index);
bool tenant_key(
    const struct tenant_ctx *, const char *purpose, char *out, size_t outlen);

#endif
