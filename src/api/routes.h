/*
 * The routes Vigie serves, by number, for metrics labels. kore.conf maps
 * paths to the handlers declared here.
 */
#ifndef VIGIE_API_ROUTES_H
#define VIGIE_API_ROUTES_H

enum route_id {
	ROUTE_PING = 0,
	ROUTE_HEALTH,
	ROUTE_METRICS,
	ROUTE_PAGE,
	ROUTE_ASSET,
	ROUTE_NOT_FOUND,
	ROUTE_SIGNUP,
	ROUTE_LOGIN,
	ROUTE_REFRESH,
	ROUTE_LOGOUT,
	ROUTE_ME,
	ROUTE_ADMIN_LOGIN,
	ROUTE_USERS,
	ROUTE_USER,
	ROUTE_API_KEYS,
	ROUTE_API_KEY,
	ROUTE_ADMIN_TENANTS,
	ROUTE_ADMIN_TENANT,
	ROUTE_ADMIN_TENANT_ACTION,
	ROUTE_FILES,
	ROUTE_FILE,
	ROUTE_FILE_REJECTS,
	ROUTE_FILES_PREVIEW,
	ROUTE_COUNT
};

extern const char *const route_names[ROUTE_COUNT];

int routes_unnamed(void);

#endif
