/*
 * Fast authentication state in Redis, always under the tenant's prefix
 * (t:<tenant_id>:...) except for platform administrators and per-address
 * limits (p:...): cached tenant status, revoked access tokens, refresh
 * token families, cached users and API keys, and rate limits.
 */
#ifndef VIGIE_STORE_SESSION_H
#define VIGIE_STORE_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/tenant.h"

enum session_refresh {
	SESSION_ROTATED, /* the old token is spent, the new one stored */
	SESSION_UNKNOWN, /* no such token (or expired) */
	SESSION_REUSED, /* already spent: the whole family is now revoked */
	SESSION_REVOKED, /* its family was revoked (logout or reuse) */
	SESSION_FAILED, /* Redis unavailable */
};

/* Cached JSON documents under t:<id>:<purpose>; NULL on miss or error. */
json_t *session_cache_get(const struct tenant_ctx *, const char *purpose,
    bool *failed, char *err, size_t errlen);
bool    session_cache_put(const struct tenant_ctx *, const char *purpose,
       const json_t *, long ttl_s, char *err, size_t errlen);
bool    session_cache_fill(const struct tenant_ctx *, const char *purpose,
       const json_t *, long ttl_s, char *err, size_t errlen);
json_t *session_cache_parse(const char *text, size_t len);
bool    session_cache_forget(
       const struct tenant_ctx *, const char *purpose, char *err, size_t errlen);

/* t:<id>:meta, the tenant's status as the authenticator reads it. */
bool session_tenant_parse(
    const char *tenant_id, const json_t *doc, struct tenant_ctx *);
bool session_tenant_read(const char *tenant_id, struct tenant_ctx *,
    bool *found, char *err, size_t errlen);
bool session_tenant_write(const struct tenant_ctx *, char *err, size_t);
bool session_tenant_fill(const struct tenant_ctx *, char *err, size_t);

void session_jti_purpose(const char *jti, char *out, size_t outlen);
bool session_jti_revoke(const struct tenant_ctx *, const char *jti, long ttl_s,
    char *err, size_t errlen);
bool session_jti_revoked(const struct tenant_ctx *, const char *jti,
    bool *revoked, char *err, size_t errlen);
bool
session_admin_jti_revoke(const char *jti, long ttl_s, char *err, size_t errlen);
bool session_admin_jti_revoked(
    const char *jti, bool *revoked, char *err, size_t errlen);

bool session_refresh_start(const struct tenant_ctx *, const char *hash,
    const char *family, const char *record, long ttl_s, char *err,
    size_t errlen);
enum session_refresh session_refresh_rotate(const struct tenant_ctx *,
    const char *old_hash, const char *family, const char *new_hash, long ttl_s,
    char **record, char *err, size_t errlen);
bool                 session_family_revoke(
		    const struct tenant_ctx *, const char *family, char *err, size_t errlen);

/*
 * Sliding-window rate limit, atomic in Redis (one Lua script): admits at
 * most limit hits per window_ms. Returns 1 when admitted, 0 when refused
 * (retry_ms says when a slot frees), -1 on error.
 */
int session_limit_tenant(const struct tenant_ctx *, const char *purpose,
    long window_ms, long limit, long *retry_ms, char *err, size_t errlen);
int session_limit_platform(const char *purpose, long window_ms, long limit,
    long *retry_ms, char *err, size_t errlen);

/* Removes every key under t:<id>: (compensation of a failed signup). */
bool session_tenant_purge(const char *tenant_id, char *err, size_t errlen);

#endif
