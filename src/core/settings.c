#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/settings.h"

enum setting_type {
	SETTING_STRING, /* free text, bounded by min/max length */
	SETTING_INTEGER, /* decimal integer in [min, max] */
	SETTING_CHOICE, /* one of a list of words, stored as index */
	SETTING_URL, /* string that must start with a scheme */
};

struct setting {
	const char       *name;
	enum setting_type type;
	size_t            offset;
	const char       *def;
	long              min;
	long              max;
	const char       *choices; /* "a|b|c" for SETTING_CHOICE */
	const char       *schemes; /* "http|https" for SETTING_URL */
	const char       *help;
};

#define S_OFF(f) offsetof(struct settings, f)

static const struct setting setting_table[] = {
    {"VIGIE_ENV", SETTING_STRING, S_OFF(env), "development", 1, 32, NULL, NULL,
	"deployment name shown in logs and /health "
	"(development, staging, production)"},
    {"VIGIE_HOST", SETTING_STRING, S_OFF(host), "127.0.0.1", 1, 255, NULL, NULL,
	"address the HTTP server binds to"},
    {"VIGIE_PORT", SETTING_INTEGER, S_OFF(port), "8080", 1, 65535, NULL, NULL,
	"port the HTTP server binds to"},
    {"VIGIE_WORKERS", SETTING_INTEGER, S_OFF(workers), "2", 1, 64, NULL, NULL,
	"Kore worker processes (one event loop each)"},
    {"VIGIE_TASK_THREADS", SETTING_INTEGER, S_OFF(task_threads), "8", 1, 128,
	NULL, NULL,
	"threads per worker that run blocking calls to the services"},
    {"VIGIE_LOG_LEVEL", SETTING_CHOICE, S_OFF(log_level), "info", 0, 0,
	"debug|info|warning|error|critical", NULL,
	"lowest level of application log lines written to stdout"},
    {"VIGIE_ACCESS_LOG", SETTING_CHOICE, S_OFF(access_log), "errors", 0, 0,
	"off|errors|all", NULL,
	"which requests get a log line: none, 4xx/5xx and slow ones, "
	"or every one"},
    {"VIGIE_ES_URL", SETTING_URL, S_OFF(es_url), "http://127.0.0.1:9200", 8,
	255, NULL, "http|https", "Elasticsearch base URL"},
    {"VIGIE_ES_TIMEOUT_MS", SETTING_INTEGER, S_OFF(es_timeout_ms), "10000", 100,
	300000, NULL, NULL, "timeout of one Elasticsearch request"},
    {"VIGIE_MONGO_URI", SETTING_URL, S_OFF(mongo_uri),
	"mongodb://127.0.0.1:27017/", 10, 500, NULL, "mongodb",
	"MongoDB (or FerretDB) connection string"},
    {"VIGIE_MONGO_DB", SETTING_STRING, S_OFF(mongo_db), "vigie", 1, 63, NULL,
	NULL, "database holding Vigie's collections"},
    {"VIGIE_REDIS_URL", SETTING_URL, S_OFF(redis_url),
	"redis://127.0.0.1:6379/0", 8, 255, NULL, "redis",
	"Redis URL: redis://[:password@]host:port/db"},
    {"VIGIE_REDIS_TIMEOUT_MS", SETTING_INTEGER, S_OFF(redis_timeout_ms), "2000",
	50, 60000, NULL, NULL, "connect and command timeout for Redis"},
    {"VIGIE_JWT_SECRET", SETTING_STRING, S_OFF(jwt_secret), NULL, 32,
	SETTINGS_STR_MAX - 1, NULL, NULL,
	"HMAC secret signing access tokens, at least 32 bytes; "
	"required, no default"},
    {"VIGIE_SECRETS_KEY", SETTING_STRING, S_OFF(secrets_key), "", 0,
	SETTINGS_STR_MAX - 1, NULL, NULL,
	"key sealing webhook secrets at rest (AES-256-GCM), at least 32 "
	"bytes; empty: derived from VIGIE_JWT_SECRET (then rotating that "
	"one makes stored webhook secrets unreadable)"},
    {"VIGIE_HEALTH_TIMEOUT_MS", SETTING_INTEGER, S_OFF(health_timeout_ms),
	"1000", 50, 30000, NULL, NULL,
	"time budget of each dependency check in /health"},
    {"VIGIE_DATA_DIR", SETTING_STRING, S_OFF(data_dir), "var/data", 1, 400,
	NULL, NULL,
	"folder for uploaded files, outside any "
	"served folder"},
    {"VIGIE_KIBANA_URL", SETTING_STRING, S_OFF(kibana_url), "", 0, 255, NULL,
	NULL,
	"Kibana base URL for the Kibana page; empty "
	"hides it"},
    {"VIGIE_WORKER_HEARTBEAT_S", SETTING_INTEGER, S_OFF(worker_heartbeat_s),
	"5", 1, 300, NULL, NULL, "how often vigie-worker reports it is alive"},
    {"VIGIE_ACCESS_TTL_S", SETTING_INTEGER, S_OFF(access_ttl_s), "900", 60,
	3600, NULL, NULL, "lifetime of an access token (JWT), seconds"},
    {"VIGIE_REFRESH_TTL_S", SETTING_INTEGER, S_OFF(refresh_ttl_s), "2592000",
	600, 7776000, NULL, NULL,
	"lifetime of a refresh token family without use, seconds"},
    {"VIGIE_LOGIN_LIMIT", SETTING_INTEGER, S_OFF(login_limit), "10", 1, 1000,
	NULL, NULL, "login attempts allowed per minute and per account"},
    {"VIGIE_LOGIN_IP_LIMIT", SETTING_INTEGER, S_OFF(login_ip_limit), "30", 1,
	100000, NULL, NULL,
	"login attempts allowed per minute and per client address"},
    {"VIGIE_TRUSTED_PROXIES", SETTING_STRING, S_OFF(trusted_proxies), "", 0,
	500, NULL, NULL,
	"comma-separated addresses of reverse proxies whose X-Forwarded-For "
	"names the client; empty: trust none"},
    {"VIGIE_ADMIN_EMAIL", SETTING_STRING, S_OFF(admin_email), "", 0, 254, NULL,
	NULL,
	"platform administrator created (or updated) at worker start; empty: "
	"none"},
    {"VIGIE_ADMIN_PASSWORD", SETTING_STRING, S_OFF(admin_password), "", 0, 256,
	NULL, NULL, "password of VIGIE_ADMIN_EMAIL, at least 12 characters"},
    {"VIGIE_PASSWORD_MEMORY_KIB", SETTING_INTEGER, S_OFF(password_memory_kib),
	"19456", 19456, 262144, NULL, NULL,
	"Argon2id memory cost of new password hashes, KiB (OWASP minimum "
	"19456)"},
    {"VIGIE_UPLOAD_MAX_BYTES", SETTING_INTEGER, S_OFF(upload_max_bytes),
	"104857600", 1024, 10737418240L, NULL, NULL,
	"largest request body accepted, and so the largest upload, bytes"},
    {"VIGIE_PROBE_INTERVAL_S", SETTING_INTEGER, S_OFF(probe_interval_s), "60",
	0, 86400, NULL, NULL,
	"how often one vigie-worker checks Elasticsearch from its side, "
	"seconds (0: never)"},
    {"VIGIE_SEARCH_CACHE_TTL_S", SETTING_INTEGER, S_OFF(search_cache_ttl_s),
	"30", 0, 3600, NULL, NULL,
	"seconds a search or stats answer stays cached in Redis (0: no cache)"},
    {"VIGIE_HIT_LEASE_MS", SETTING_INTEGER, S_OFF(hit_lease_ms), "200", 0, 5000,
	NULL, NULL,
	"how long an event loop answers a repeated cached read without asking "
	"Redis, unless a change is announced, milliseconds (0: always ask)"},
    {"VIGIE_EXPORT_MAX_ROWS", SETTING_INTEGER, S_OFF(export_max_rows), "100000",
	100, 1000000, NULL, NULL,
	"most rows written by one CSV export of logs"},
    {"VIGIE_QUOTAS", SETTING_CHOICE, S_OFF(quotas), "on", 0, 0, "on|off", NULL,
	"enforce the plans' quotas and meter API requests (off: benchmarks)"},
    {"VIGIE_USAGE_FLUSH_S", SETTING_INTEGER, S_OFF(usage_flush_s), "300", 5,
	3600, NULL, NULL,
	"how often usage counters are written to MongoDB usage_daily"},
    {"VIGIE_BILLING_TAX_BP", SETTING_INTEGER, S_OFF(billing_tax_bp), "2000", 0,
	10000, NULL, NULL,
	"tax rate on invoices, basis points of the subtotal (2000 = 20 %)"},
    {"VIGIE_BILLING_ISSUER", SETTING_STRING, S_OFF(billing_issuer),
	"Vigie SAS|1 rue des Journaux|75002 Paris, France", 1, 300, NULL, NULL,
	"the invoices' issuer: name and address, lines separated by |"},
    {"VIGIE_BILLING_CLOSE_INTERVAL_S", SETTING_INTEGER,
	S_OFF(billing_close_interval_s), "3600", 0, 86400, NULL, NULL,
	"how often the worker closes last month's invoices that are still "
	"open, seconds (0: never)"},
    {"VIGIE_RETENTION_INTERVAL_S", SETTING_INTEGER, S_OFF(retention_interval_s),
	"3600", 0, 86400, NULL, NULL,
	"how often the worker deletes data past each tenant's retention, "
	"seconds (0: never)"},
    {"VIGIE_PLATFORM_DOMAINS", SETTING_STRING, S_OFF(platform_domains), "", 0,
	500, NULL, NULL,
	"comma-separated domains the platform itself answers on; no "
	"organization may claim them, or a name under them, as its custom "
	"domain"},
    {"VIGIE_WEBHOOK_ALLOW_CIDRS", SETTING_STRING, S_OFF(webhook_allow_cidrs),
	"", 0, 500, NULL, NULL,
	"addresses or CIDRs (comma-separated) that notification URLs may reach "
	"although loopback, private, link-local or metadata; empty: none"},
    {"VIGIE_NOTIFY_MAX_ATTEMPTS", SETTING_INTEGER, S_OFF(notify_max_attempts),
	"8", 1, 50, NULL, NULL,
	"delivery attempts of one notification before it is a dead letter"},
    {"VIGIE_NOTIFY_BACKOFF_BASE_MS", SETTING_INTEGER,
	S_OFF(notify_backoff_base_ms), "30000", 10, 3600000, NULL, NULL,
	"delay before the second attempt of a notification, doubled at each "
	"attempt (with jitter), ms"},
    {"VIGIE_NOTIFY_BACKOFF_MAX_MS", SETTING_INTEGER,
	S_OFF(notify_backoff_max_ms), "3600000", 10, 86400000, NULL, NULL,
	"longest delay between two attempts of a notification, ms"},
    {"VIGIE_NOTIFY_TIMEOUT_MS", SETTING_INTEGER, S_OFF(notify_timeout_ms),
	"10000", 500, 120000, NULL, NULL,
	"time allowed to one webhook or SMTP delivery attempt, ms"},
    {"VIGIE_NOTIFY_HOURLY_CAP", SETTING_INTEGER, S_OFF(notify_hourly_cap),
	"100", 1, 1000000, NULL, NULL,
	"notifications one organization may send per hour; more are recorded "
	"as suppressed"},
    {"VIGIE_SMTP_URL", SETTING_STRING, S_OFF(smtp_url), "", 0, 255, NULL, NULL,
	"mail server for e-mail notifications: smtp://host:port (STARTTLS per "
	"VIGIE_SMTP_TLS) or smtps://host:port (TLS); empty: no e-mail"},
    {"VIGIE_SMTP_FROM", SETTING_STRING, S_OFF(smtp_from),
	"alerts@vigie.invalid", 3, 254, NULL, NULL,
	"sender address of e-mail notifications"},
    {"VIGIE_SMTP_USER", SETTING_STRING, S_OFF(smtp_user), "", 0, 254, NULL,
	NULL, "SMTP user name; empty: no authentication"},
    {"VIGIE_SMTP_PASSWORD", SETTING_STRING, S_OFF(smtp_password), "", 0, 254,
	NULL, NULL, "SMTP password of VIGIE_SMTP_USER"},
    {"VIGIE_SMTP_TLS", SETTING_CHOICE, S_OFF(smtp_tls), "try", 0, 0,
	"off|try|required", NULL,
	"STARTTLS on smtp:// URLs: never, when offered, or required "
	"(use required in production)"},
    {"VIGIE_PUBLIC_URL", SETTING_URL, S_OFF(public_url),
	"http://127.0.0.1:8080", 8, 255, NULL, "http|https",
	"address users reach Vigie at, for links in notifications"},
    {"VIGIE_SMTP_CA_FILE", SETTING_STRING, S_OFF(smtp_ca_file), "", 0, 400,
	NULL, NULL,
	"PEM file of the authorities that may sign the SMTP server's "
	"certificate; empty: the system's"},
    {"VIGIE_ALERT_TICK_S", SETTING_INTEGER, S_OFF(alert_tick_s), "15", 1, 3600,
	NULL, NULL,
	"how often the worker looks for alert rules due for evaluation, "
	"seconds"},
    {"VIGIE_ALERT_MIN_INTERVAL_S", SETTING_INTEGER, S_OFF(alert_min_interval_s),
	"60", 1, 3600, NULL, NULL,
	"shortest evaluation interval an alert rule may ask for, seconds"},
    {"VIGIE_ALERT_ESCALATE_L2_S", SETTING_INTEGER, S_OFF(alert_escalate_l2_s),
	"900", 1, 604800, NULL, NULL,
	"default delay before an unacknowledged alert escalates to level 2, "
	"seconds"},
    {"VIGIE_ALERT_ESCALATE_L3_S", SETTING_INTEGER, S_OFF(alert_escalate_l3_s),
	"3600", 1, 604800, NULL, NULL,
	"default delay before an unacknowledged alert escalates to level 3, "
	"seconds"},
};

#define SETTING_COUNT (sizeof(setting_table) / sizeof(setting_table[0]))

static const char *level_names[] = {
    "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"};

static bool setting_apply(
    const struct setting *, struct settings *, const char *, char *, size_t);
static bool setting_choice(const char *, const char *, long *);
static bool setting_scheme_ok(const char *, const char *);

/*
 * Fills s from the lookup function. Returns false with a message in err
 * naming the first variable that is missing or out of bounds.
 */
bool
settings_load(struct settings *s, settings_lookup_fn lookup, void *ctx,
    char *err, size_t errlen)
{
	const struct setting *st;
	const char           *value;
	size_t                i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < SETTING_COUNT; i++) {
		st = &setting_table[i];
		value = lookup(st->name, ctx);
		if (value == NULL)
			value = st->def;
		if (value == NULL) {
			snprintf(err, errlen, "%s is required: %s", st->name,
			    st->help);
			return (false);
		}
		if (!setting_apply(st, s, value, err, errlen))
			return (false);
	}
	return (true);
}

static bool
setting_apply(const struct setting *st, struct settings *s, const char *value,
    char *err, size_t errlen)
{
	char  *end, *field;
	long   n;
	size_t len;

	field = (char *)s + st->offset;
	switch (st->type) {
	case SETTING_INTEGER:
		errno = 0;
		n = strtol(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0' || n < st->min ||
		    n > st->max) {
			snprintf(err, errlen,
			    "%s must be an integer from "
			    "%ld to %ld (got \"%.40s\")",
			    st->name, st->min, st->max, value);
			return (false);
		}
		memcpy(field, &n, sizeof(n));
		return (true);
	case SETTING_CHOICE:
		if (!setting_choice(st->choices, value, &n)) {
			snprintf(err, errlen,
			    "%s must be one of %s "
			    "(got \"%.40s\")",
			    st->name, st->choices, value);
			return (false);
		}
		memcpy(field, &n, sizeof(n));
		return (true);
	case SETTING_URL:
		if (!setting_scheme_ok(st->schemes, value)) {
			snprintf(err, errlen,
			    "%s must be a %s:// URL "
			    "(got \"%.60s\")",
			    st->name, st->schemes, value);
			return (false);
		}
		/* FALLTHROUGH */
	case SETTING_STRING:
		len = strlen(value);
		if ((long)len < st->min || (long)len > st->max ||
		    len >= SETTINGS_STR_MAX) {
			snprintf(err, errlen,
			    "%s must be %ld to %ld bytes "
			    "long (got %zu)",
			    st->name, st->min, st->max, len);
			return (false);
		}
		memcpy(field, value, len + 1);
		return (true);
	}
	return (false);
}

/* Finds value in a "a|b|c" list; *idx is its position. */
static bool
setting_choice(const char *choices, const char *value, long *idx)
{
	const char *p, *bar;
	size_t      len, vlen;
	long        i;

	vlen = strlen(value);
	for (p = choices, i = 0; *p != '\0'; i++) {
		bar = strchr(p, '|');
		len = bar != NULL ? (size_t)(bar - p) : strlen(p);
		if (len == vlen && strncmp(p, value, len) == 0) {
			*idx = i;
			return (true);
		}
		if (bar == NULL)
			break;
		p = bar + 1;
	}
	return (false);
}

static bool
setting_scheme_ok(const char *schemes, const char *value)
{
	const char *sep;
	char        scheme[16];
	long        unused;
	size_t      len;

	if ((sep = strstr(value, "://")) == NULL)
		return (false);
	len = (size_t)(sep - value);
	if (len == 0 || len >= sizeof(scheme))
		return (false);
	memcpy(scheme, value, len);
	scheme[len] = '\0';
	return (setting_choice(schemes, scheme, &unused) && sep[3] != '\0');
}

bool
settings_known(const char *name)
{
	size_t i;

	for (i = 0; i < SETTING_COUNT; i++) {
		if (strcmp(setting_table[i].name, name) == 0)
			return (true);
	}
	return (false);
}

size_t
settings_count(void)
{
	return (SETTING_COUNT);
}

bool
settings_describe(size_t i, struct settings_doc *doc)
{
	if (i >= SETTING_COUNT)
		return (false);
	doc->name = setting_table[i].name;
	doc->default_value = setting_table[i].def;
	doc->help = setting_table[i].help;
	return (true);
}

const char *
settings_level_name(long level)
{
	if (level < 0 || level > LOG_LEVEL_CRITICAL)
		return ("INFO");
	return (level_names[level]);
}
