/*
 * The people and machines of an organization, independent of HTTP:
 * listing, adding, changing and removing users (with the owner rules and
 * the plan's user quota) and creating, listing and revoking API keys.
 * Also holds the process's copy of the subscription plans
 * (tenants/plans.json), loaded once on first use.
 *
 * Every call is tenant-scoped: it reaches only the documents of the
 * actor's tenant, so another tenant's id is simply not found. Calls block
 * on the stores: run them on a task thread or in the worker.
 */
#ifndef VIGIE_SERVICE_MEMBERS_H
#define VIGIE_SERVICE_MEMBERS_H

#include <stdbool.h>

#include <jansson.h>

#include "core/perm.h"
#include "core/plans.h"
#include "core/tenant.h"

#define MEMBERS_PLANS_PATH "tenants/plans.json"

enum members_result {
	MEMBERS_OK = 0,
	MEMBERS_INVALID, /* bad input; message says which field */
	MEMBERS_NOT_FOUND, /* no such object in the actor's tenant */
	MEMBERS_FORBIDDEN, /* only an owner may do this */
	MEMBERS_EMAIL_TAKEN, /* the e-mail is used by an account already */
	MEMBERS_LAST_OWNER, /* would leave the organization without owner */
	MEMBERS_QUOTA, /* the plan's limit is reached; details say which */
	MEMBERS_UNAVAILABLE, /* a store failed; nothing was left half-done */
};

/* Who acts: a user of the tenant, with the role authentication found. */
struct members_actor {
	const struct tenant_ctx *tenant;
	const char              *user_id;
	enum role                role;
	long                     now; /* seconds since the epoch */
};

struct members_user_new {
	const char *email;
	const char *name;
	const char *role; /* viewer, analyst, admin or owner */
	const char *password;
};

/*
 * The result of a call. body (the answer on success), details (facts of
 * an error) and audit (what changed, for the audit trail) belong to the
 * caller: release them with members_outcome_clear().
 */
struct members_outcome {
	enum members_result result;
	char                message[256];
	json_t             *body;
	json_t             *details;
	json_t             *audit;
};

void members_outcome_clear(struct members_outcome *);
bool members_id_check(const char *id);

void members_user_list(const struct tenant_ctx *, struct members_outcome *);
void members_user_get(
    const struct tenant_ctx *, const char *id, struct members_outcome *);
void members_user_create(const struct members_actor *,
    const struct members_user_new *, struct members_outcome *);
void members_user_update(const struct members_actor *, const char *id,
    const char *name, const char *role, struct members_outcome *);
void members_user_remove(
    const struct members_actor *, const char *id, struct members_outcome *);

void members_key_create(const struct members_actor *, const char *name,
    const json_t *scopes, struct members_outcome *);
void members_key_list(const struct tenant_ctx *, struct members_outcome *);
void members_key_get(
    const struct tenant_ctx *, const char *id, struct members_outcome *);
void members_key_rename(const struct members_actor *, const char *id,
    const char *name, struct members_outcome *);
void members_key_revoke(
    const struct members_actor *, const char *id, struct members_outcome *);

const struct plans *members_plans(void);
const struct plan  *members_plan_of(const struct tenant_ctx *);

#endif
