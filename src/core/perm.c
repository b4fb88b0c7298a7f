#include <string.h>

#include "core/perm.h"

static const char *const role_names[ROLE_COUNT] = {
    "viewer", "analyst", "admin", "owner"};

static const char *const perm_names[PERM_COUNT] = {"any", "logs.read",
    "logs.write", "searches.save", "alerts.ack", "alerts.edit", "users.read",
    "users.manage", "keys.manage", "branding", "billing.read", "owners"};

/*
 * The lowest role holding each permission: roles are ordered, each one
 * has everything the one below it has.
 */
static const enum role perm_min_role[PERM_COUNT] = {
    [PERM_NONE] = ROLE_VIEWER,
    [PERM_LOGS_READ] = ROLE_VIEWER,
    [PERM_LOGS_WRITE] = ROLE_ANALYST,
    [PERM_SEARCH_SAVE] = ROLE_VIEWER,
    [PERM_ALERTS_ACK] = ROLE_ANALYST,
    [PERM_ALERTS_EDIT] = ROLE_ADMIN,
    [PERM_USERS_READ] = ROLE_VIEWER,
    [PERM_USERS_MANAGE] = ROLE_ADMIN,
    [PERM_KEYS_MANAGE] = ROLE_ADMIN,
    [PERM_BRANDING] = ROLE_ADMIN,
    [PERM_BILLING_READ] = ROLE_ADMIN,
    [PERM_OWNERS] = ROLE_OWNER,
};

enum role
perm_role_parse(const char *name)
{
	int i;

	if (name == NULL)
		return (ROLE_NONE);
	for (i = 0; i < ROLE_COUNT; i++) {
		if (strcmp(role_names[i], name) == 0)
			return ((enum role)i);
	}
	return (ROLE_NONE);
}

const char *
perm_role_name(enum role r)
{
	if (r < 0 || r >= ROLE_COUNT)
		return ("none");
	return (role_names[r]);
}

const char *
perm_name(enum perm p)
{
	if (p < 0 || p >= PERM_COUNT)
		return ("unknown");
	return (perm_names[p]);
}

bool
perm_role_allows(enum role r, enum perm p)
{
	if (r < 0 || r >= ROLE_COUNT || p < 0 || p >= PERM_COUNT)
		return (false);
	return (r >= perm_min_role[p]);
}

/* Machines act only within their key's scopes, never on people or keys. */
bool
perm_scopes_allow(unsigned scopes, enum perm p)
{
	switch (p) {
	case PERM_NONE:
		return (scopes != 0);
	case PERM_LOGS_WRITE:
		return ((scopes & SCOPE_INGEST) != 0);
	case PERM_LOGS_READ:
		return ((scopes & SCOPE_READ) != 0);
	default:
		return (false);
	}
}

bool
perm_scopes_parse(const char *const *names, int n, unsigned *out)
{
	int i;

	*out = 0;
	for (i = 0; i < n; i++) {
		if (names[i] == NULL)
			return (false);
		if (strcmp(names[i], "ingest") == 0)
			*out |= SCOPE_INGEST;
		else if (strcmp(names[i], "read") == 0)
			*out |= SCOPE_READ;
		else
			return (false);
	}
	return (*out != 0);
}
