/*
 * Organization and account use cases, independent of HTTP: signing an
 * organization up (with compensation when a step fails), logging in,
 * rotating refresh tokens, logging out, and the platform administrator
 * bootstrap. Each call blocks on the stores: run it on a task thread or
 * in the worker.
 */
#ifndef VIGIE_SERVICE_ACCOUNT_H
#define VIGIE_SERVICE_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/settings.h"
#include "core/tenant.h"
#include "core/token.h"

#define ACCOUNT_ISSUER         "vigie"
#define ACCOUNT_AUDIENCE_USER  "vigie-api"
#define ACCOUNT_AUDIENCE_ADMIN "vigie-admin"
#define ACCOUNT_LEEWAY_S       30

enum account_result {
	ACCOUNT_OK = 0,
	ACCOUNT_INVALID, /* bad input; message says which field */
	ACCOUNT_SLUG_TAKEN, /* slug already used */
	ACCOUNT_EMAIL_TAKEN, /* e-mail already used */
	ACCOUNT_BAD_LOGIN, /* unknown e-mail or wrong password */
	ACCOUNT_RATE_LIMITED, /* too many attempts; retry_ms says when */
	ACCOUNT_SUSPENDED, /* the organization is suspended */
	ACCOUNT_BAD_REFRESH, /* unknown, expired or revoked refresh token */
	ACCOUNT_REUSED, /* a spent refresh token: its family is revoked */
	ACCOUNT_UNAVAILABLE, /* a store failed; nothing was left half-done */
};

struct account_signup {
	const char *org_name;
	const char *slug;
	const char *email;
	const char *name;
	const char *password;
};

struct account_outcome {
	enum account_result result;
	char                message[256];
	char                field[32]; /* the input field at fault, if one */
	long                retry_ms;
	json_t             *body; /* answer on success; owned by the caller */
};

void account_configure(const struct settings *);
void account_signup(
    const struct account_signup *, long now, struct account_outcome *);
void account_login(const char *email, const char *password,
    const char *client_ip, long now, struct account_outcome *);
void
account_refresh(const char *refresh_token, long now, struct account_outcome *);
void account_logout(const struct tenant_ctx *, const char *jti, long exp,
    const char *refresh_token, long now, struct account_outcome *);
void account_admin_login(const char *email, const char *password,
    const char *client_ip, long now, struct account_outcome *);
bool account_admin_bootstrap(char *err, size_t errlen);
bool account_hash_password(const char *password, char *out, size_t outlen);
const struct token_key *account_token_key(bool admin);
bool                    account_issue_access(bool admin, const char *tenant_id,
		       const char *user_id, const char *role, long now, char **token, long *exp);
bool account_tenant_load(const char *tenant_id, struct tenant_ctx *,
    bool *found, char *err, size_t errlen);

#endif
