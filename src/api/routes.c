/*
 * Route labels for metrics. Every route_id must have one: app.c checks
 * the table when a worker starts.
 */
#include <stddef.h>

#include "api/routes.h"

const char *const route_names[ROUTE_COUNT] = {
    [ROUTE_PING] = "ping",
    [ROUTE_HEALTH] = "health",
    [ROUTE_METRICS] = "metrics",
    [ROUTE_PAGE] = "page",
    [ROUTE_ASSET] = "asset",
    [ROUTE_NOT_FOUND] = "not_found",
    [ROUTE_SIGNUP] = "signup",
    [ROUTE_LOGIN] = "auth_login",
    [ROUTE_REFRESH] = "auth_refresh",
    [ROUTE_LOGOUT] = "auth_logout",
    [ROUTE_ME] = "me",
    [ROUTE_ADMIN_LOGIN] = "admin_login",
    [ROUTE_USERS] = "users",
    [ROUTE_USER] = "user",
    [ROUTE_API_KEYS] = "api_keys",
    [ROUTE_API_KEY] = "api_key",
    [ROUTE_ADMIN_TENANTS] = "admin_tenants",
    [ROUTE_ADMIN_TENANT] = "admin_tenant",
    [ROUTE_ADMIN_TENANT_ACTION] = "admin_tenant_action",
    [ROUTE_FILES] = "files",
    [ROUTE_FILE] = "file",
    [ROUTE_FILE_REJECTS] = "file_rejects",
    [ROUTE_FILES_PREVIEW] = "files_preview",
    [ROUTE_INGEST] = "ingest",
    [ROUTE_BULK] = "es_bulk",
    [ROUTE_ES_INFO] = "es_info",
    [ROUTE_LOGS] = "logs",
    [ROUTE_LOGS_EXPORT] = "logs_export",
    [ROUTE_LOG] = "log",
    [ROUTE_SEARCHES] = "searches",
    [ROUTE_SEARCH] = "search",
    [ROUTE_SEARCH_RUN] = "search_run",
    [ROUTE_STATS] = "stats",
    [ROUTE_WEB_CONFIG] = "web_config",
    [ROUTE_USAGE] = "usage",
    [ROUTE_BRANDING] = "branding",
    [ROUTE_BRANDING_LOGO] = "branding_logo",
    [ROUTE_BRANDING_PUBLIC] = "branding_public",
    [ROUTE_BRANDING_PUBLIC_LOGO] = "branding_public_logo",
    [ROUTE_INVOICES] = "invoices",
    [ROUTE_INVOICE] = "invoice",
    [ROUTE_INVOICE_PDF] = "invoice_pdf",
    [ROUTE_BILLING_CURRENT] = "billing_current",
    [ROUTE_ADMIN_BILLING_CLOSE] = "admin_billing_close",
    [ROUTE_NOTIFY_CHANNELS] = "notify_channels",
    [ROUTE_NOTIFY_CHANNEL] = "notify_channel",
    [ROUTE_NOTIFY_CHANNEL_TEST] = "notify_channel_test",
    [ROUTE_NOTIFICATIONS] = "notifications",
    [ROUTE_NOTIFICATIONS_DEAD] = "notifications_dead",
    [ROUTE_NOTIFICATION_RETRY] = "notification_retry",
    [ROUTE_ALERT_RULES] = "alert_rules",
    [ROUTE_ALERT_RULES_TEST] = "alert_rules_test",
    [ROUTE_ALERT_RULES_CALIBRATE] = "alert_rules_calibrate",
    [ROUTE_ALERT_CALIBRATION] = "alert_calibration",
    [ROUTE_ALERT_RULE] = "alert_rule",
    [ROUTE_ALERT_RULE_TEST] = "alert_rule_test",
    [ROUTE_ALERTS] = "alerts",
    [ROUTE_ALERTS_STATS] = "alerts_stats",
    [ROUTE_ALERT] = "alert",
    [ROUTE_ALERT_ACTION] = "alert_action",
    [ROUTE_ERROR_RATE] = "error_rate",
};

/* Returns the first route without a label, or -1 when all have one. */
int
routes_unnamed(void)
{
	int i;

	for (i = 0; i < ROUTE_COUNT; i++) {
		if (route_names[i] == NULL)
			return (i);
	}
	return (-1);
}
