/*
 * Process settings, read from VIGIE_* environment variables in exactly one
 * place. Each setting has a default and bounds; settings_load() refuses
 * values outside them with a message naming the variable.
 */
#ifndef VIGIE_CORE_SETTINGS_H
#define VIGIE_CORE_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#define SETTINGS_STR_MAX 512

enum log_level {
	LOG_LEVEL_DEBUG = 0,
	LOG_LEVEL_INFO,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_ERROR,
	LOG_LEVEL_CRITICAL,
};

/* VIGIE_SMTP_TLS, in its choice order. */
enum smtp_tls {
	SMTP_TLS_OFF = 0,
	SMTP_TLS_TRY,
	SMTP_TLS_REQUIRED,
};

struct settings {
	char env[SETTINGS_STR_MAX];
	char host[SETTINGS_STR_MAX];
	long port;
	long workers;
	long task_threads;
	long log_level;
	long access_log;
	char es_url[SETTINGS_STR_MAX];
	long es_timeout_ms;
	char mongo_uri[SETTINGS_STR_MAX];
	char mongo_db[SETTINGS_STR_MAX];
	char redis_url[SETTINGS_STR_MAX];
	long redis_timeout_ms;
	char jwt_secret[SETTINGS_STR_MAX];
	char secrets_key[SETTINGS_STR_MAX];
	long health_timeout_ms;
	char data_dir[SETTINGS_STR_MAX];
	char kibana_url[SETTINGS_STR_MAX];
	long worker_heartbeat_s;
	long access_ttl_s;
	long refresh_ttl_s;
	long login_limit;
	long login_ip_limit;
	char trusted_proxies[SETTINGS_STR_MAX];
	char admin_email[SETTINGS_STR_MAX];
	char admin_password[SETTINGS_STR_MAX];
	long password_memory_kib;
	long upload_max_bytes;
	long probe_interval_s;
	long search_cache_ttl_s;
	long hit_lease_ms;
	long export_max_rows;
	long quotas; /* 0 on, 1 off */
	long usage_flush_s;
	long billing_tax_bp;
	char billing_issuer[SETTINGS_STR_MAX];
	long billing_close_interval_s;
	long retention_interval_s;
	char platform_domains[SETTINGS_STR_MAX];
	/* Notifications (src/service/notify*.c, src/worker/notify.c). */
	char webhook_allow_cidrs[SETTINGS_STR_MAX];
	long notify_max_attempts;
	long notify_backoff_base_ms;
	long notify_backoff_max_ms;
	long notify_timeout_ms;
	long notify_hourly_cap;
	char smtp_url[SETTINGS_STR_MAX];
	char smtp_from[SETTINGS_STR_MAX];
	char smtp_user[SETTINGS_STR_MAX];
	char smtp_password[SETTINGS_STR_MAX];
	long smtp_tls;
	char public_url[SETTINGS_STR_MAX];
	char smtp_ca_file[SETTINGS_STR_MAX];
	long alert_tick_s;
	long alert_min_interval_s;
	long alert_escalate_l2_s;
	long alert_escalate_l3_s;
};

/* Looks a variable up by name; returns NULL when it is not set. */
typedef const char *(*settings_lookup_fn)(const char *name, void *ctx);

/* One line of the settings table, exposed for documentation checks. */
struct settings_doc {
	const char *name;
	const char *default_value;
	const char *help;
};

bool settings_load(
    struct settings *, settings_lookup_fn, void *, char *err, size_t errlen);
bool        settings_known(const char *name);
size_t      settings_count(void);
bool        settings_describe(size_t, struct settings_doc *);
const char *settings_level_name(long);

#endif
