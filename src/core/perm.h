/*
 * Who may do what: the permission matrix of the four tenant roles and of
 * the two API-key scopes, in one table. docs/ROLES.md shows the same
 * matrix; a unit test keeps the two in step.
 */
#ifndef VIGIE_CORE_PERM_H
#define VIGIE_CORE_PERM_H

#include <stdbool.h>

enum perm {
	PERM_NONE = 0, /* any authenticated caller */
	PERM_LOGS_READ, /* search, dashboards, stats, export */
	PERM_LOGS_WRITE, /* upload files, ingest API */
	PERM_SEARCH_SAVE, /* saved searches and history */
	PERM_ALERTS_ACK, /* acknowledge, comment, snooze alerts */
	PERM_ALERTS_EDIT, /* create and change alert rules */
	PERM_USERS_READ, /* see the organization's members */
	PERM_USERS_MANAGE, /* invite, change roles, remove users */
	PERM_KEYS_MANAGE, /* create and revoke API keys */
	PERM_BRANDING, /* logo, colours, domain */
	PERM_BILLING_READ, /* usage, invoices */
	PERM_OWNERS, /* make or remove owners */
	PERM_COUNT
};

enum role {
	ROLE_NONE = -1,
	ROLE_VIEWER = 0,
	ROLE_ANALYST,
	ROLE_ADMIN,
	ROLE_OWNER,
	ROLE_COUNT
};

/* API key scopes, a bit each. */
#define SCOPE_INGEST 0x01u
#define SCOPE_READ   0x02u

enum role   perm_role_parse(const char *);
const char *perm_role_name(enum role);
const char *perm_name(enum perm);
bool        perm_role_allows(enum role, enum perm);
bool        perm_scopes_allow(unsigned scopes, enum perm);
bool        perm_scopes_parse(const char *const *names, int n, unsigned *out);

#endif
