#include <stdio.h>
#include <string.h>

#include "core/tenant.h"

#define TENANT_INDEX_PREFIX "logs-"
#define TENANT_DATE_LEN     10 /* YYYY.MM.DD */
#define TENANT_TIME_MAX     253402300799L /* 9999-12-31T23:59:59Z */
#define TENANT_DAY_SECONDS  86400L

/*
 * Slugs that would read as part of the platform in a URL, a subdomain or
 * an index name. Compared exactly; the syntax rules already keep out
 * upper case and anything shorter than three characters.
 */
static const char *const tenant_reserved[] = {"about", "account", "accounts",
    "admin", "administrator", "agent", "alerts", "all", "api", "app", "apps",
    "assets", "auth", "billing", "blog", "bulk", "cdn", "config", "console",
    "dashboard", "default", "demo", "dev", "docs", "elastic", "elasticsearch",
    "example", "false", "ferretdb", "ftp", "grafana", "health", "help", "ilm",
    "imap", "ingest", "internal", "invoice", "invoices", "kafka", "kibana",
    "localhost", "logout", "logs", "login", "loggen", "mail", "metrics",
    "mongo", "mongodb", "monitoring", "nil", "none", "null", "oauth",
    "opensearch", "otlp", "platform", "pop", "postmaster", "private", "prod",
    "production", "prometheus", "public", "redis", "register", "root", "search",
    "security", "settings", "signin", "signup", "smtp", "sso", "staging",
    "static", "status", "support", "system", "tenant", "tenants", "test",
    "true", "undefined", "user", "users", "vigie", "webhook", "webhooks",
    "worker", "www"};

static bool tenant_out(char *, size_t, int);
static bool tenant_refuse(char *, size_t, const char *);
static bool tenant_reserved_word(const char *);
static bool tenant_civil(long, int *, int *, int *);
static int  tenant_month_days(int, int);
static bool tenant_date_ok(const char *);

/*
 * A slug is 3 to 40 bytes of [a-z0-9-] (strlen semantics: it ends at the
 * first NUL), starts and ends with a letter or digit, has no "--" and is
 * not a reserved word. It is then safe in an index name, a URL and a
 * subdomain. Returns false with a sentence in why (why may be NULL).
 */
bool
tenant_slug_check(const char *slug, char *why, size_t whylen)
{
	size_t len, i;
	char   c;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (slug == NULL)
		return (tenant_refuse(why, whylen, "a slug is required"));
	len = strnlen(slug, TENANT_SLUG_MAX + 1);
	if (len < TENANT_SLUG_MIN || len > TENANT_SLUG_MAX)
		return (tenant_refuse(
		    why, whylen, "a slug is 3 to 40 characters long"));
	for (i = 0; i < len; i++) {
		c = slug[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			c == '-'))
			return (tenant_refuse(why, whylen,
			    "a slug holds only "
			    "lower-case letters, digits and hyphens"));
		if (c == '-' && (i == 0 || i == len - 1))
			return (tenant_refuse(why, whylen,
			    "a slug starts and "
			    "ends with a letter or a digit"));
		if (c == '-' && slug[i - 1] == '-')
			return (tenant_refuse(
			    why, whylen, "a slug has no double hyphen"));
	}
	if (tenant_reserved_word(slug))
		return (tenant_refuse(why, whylen, "this slug is reserved"));
	return (true);
}

/* Exactly 24 lower-case hex characters: a MongoDB ObjectId. */
bool
tenant_id_check(const char *id)
{
	size_t i;

	if (id == NULL)
		return (false);
	for (i = 0; i < TENANT_ID_LEN; i++) {
		if (!((id[i] >= '0' && id[i] <= '9') ||
			(id[i] >= 'a' && id[i] <= 'f')))
			return (false);
	}
	return (id[i] == '\0');
}

/*
 * True when ctx holds a NUL-terminated id and slug that pass their
 * checks. Every function below starts here.
 */
bool
tenant_ctx_check(const struct tenant_ctx *ctx)
{
	if (ctx == NULL)
		return (false);
	if (memchr(ctx->id, '\0', sizeof(ctx->id)) == NULL ||
	    memchr(ctx->slug, '\0', sizeof(ctx->slug)) == NULL)
		return (false);
	return (
	    tenant_id_check(ctx->id) && tenant_slug_check(ctx->slug, NULL, 0));
}

/* Writes "logs-<slug>-*" into out; false (out empty) if it cannot. */
bool
tenant_index_pattern(const struct tenant_ctx *ctx, char *out, size_t outlen)
{
	if (out == NULL || outlen == 0)
		return (false);
	out[0] = '\0';
	if (!tenant_ctx_check(ctx))
		return (false);
	return (tenant_out(out, outlen,
	    snprintf(out, outlen, TENANT_INDEX_PREFIX "%s-*", ctx->slug)));
}

/*
 * Writes "logs-<slug>-YYYY.MM.DD" for the UTC day holding when (Unix
 * seconds, 0 to the end of year 9999) into out; false (out empty) if it
 * cannot.
 */
bool
tenant_index_daily(
    const struct tenant_ctx *ctx, long when, char *out, size_t outlen)
{
	int y, m, d;

	if (out == NULL || outlen == 0)
		return (false);
	out[0] = '\0';
	if (!tenant_ctx_check(ctx))
		return (false);
	if (when < 0 || when > TENANT_TIME_MAX)
		return (false);
	if (!tenant_civil(when / TENANT_DAY_SECONDS, &y, &m, &d))
		return (false);
	return (tenant_out(out, outlen,
	    snprintf(out, outlen, TENANT_INDEX_PREFIX "%s-%04d.%02d.%02d",
		ctx->slug, y, m, d)));
}

/*
 * True when index is exactly a daily index of this tenant,
 * "logs-<slug>-YYYY.MM.DD" with a real date: "logs-acme-corp-..." is
 * not one of tenant "acme"'s although its pattern matches it.
 */
bool
tenant_index_owned(const struct tenant_ctx *ctx, const char *index)
{
	size_t plen, slen;

	if (!tenant_ctx_check(ctx) || index == NULL)
		return (false);
	plen = sizeof(TENANT_INDEX_PREFIX) - 1;
	slen = strlen(ctx->slug);
	if (strncmp(index, TENANT_INDEX_PREFIX, plen) != 0)
		return (false);
	index += plen;
	if (strncmp(index, ctx->slug, slen) != 0 || index[slen] != '-')
		return (false);
	index += slen + 1;
	return (strlen(index) == TENANT_DATE_LEN && tenant_date_ok(index));
}

/*
 * Writes "t:<id>:<purpose>" into out. purpose is 1 to TENANT_PURPOSE_MAX
 * bytes of [a-z0-9:_.-], so it cannot carry spaces, glob characters,
 * hash tags or line breaks into a Redis command. False (out empty) if
 * anything is refused or out is too small.
 */
bool
tenant_key(
    const struct tenant_ctx *ctx, const char *purpose, char *out, size_t outlen)
{
	size_t len, i;
	char   c;

	if (out == NULL || outlen == 0)
		return (false);
	out[0] = '\0';
	if (!tenant_ctx_check(ctx) || purpose == NULL)
		return (false);
	len = strnlen(purpose, TENANT_PURPOSE_MAX + 1);
	if (len == 0 || len > TENANT_PURPOSE_MAX)
		return (false);
	for (i = 0; i < len; i++) {
		c = purpose[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			c == ':' || c == '_' || c == '.' || c == '-'))
			return (false);
	}
	return (tenant_out(
	    out, outlen, snprintf(out, outlen, "t:%s:%s", ctx->id, purpose)));
}

/* The result of snprintf into out: false, with out emptied, if cut. */
static bool
tenant_out(char *out, size_t outlen, int n)
{
	if (n < 0 || (size_t)n >= outlen) {
		out[0] = '\0';
		return (false);
	}
	return (true);
}

static bool
tenant_refuse(char *why, size_t whylen, const char *msg)
{
	if (why != NULL && whylen > 0)
		snprintf(why, whylen, "%s", msg);
	return (false);
}

static bool
tenant_reserved_word(const char *slug)
{
	size_t i;

	for (i = 0; i < sizeof(tenant_reserved) / sizeof(tenant_reserved[0]);
	     i++) {
		if (strcmp(slug, tenant_reserved[i]) == 0)
			return (true);
	}
	return (false);
}

/*
 * The proleptic Gregorian date of day number days (0 is 1970-01-01),
 * by arithmetic alone (H. Hinnant's civil_from_days). Days must be
 * non-negative; the year is then at least 1970.
 */
static bool
tenant_civil(long days, int *y, int *m, int *d)
{
	long z, era, doe, yoe, doy, mp;

	if (days < 0)
		return (false);
	z = days + 719468;
	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2 ? 1 : 0));
	return (true);
}

static int
tenant_month_days(int y, int m)
{
	static const int days[] = {
	    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return (29);
	return (days[m - 1]);
}

/* "YYYY.MM.DD", digits only, a date that exists, year 1970 or later. */
static bool
tenant_date_ok(const char *s)
{
	int    y, m, d;
	size_t i;

	for (i = 0; i < TENANT_DATE_LEN; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '.')
				return (false);
		} else if (s[i] < '0' || s[i] > '9')
			return (false);
	}
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1970 || m < 1 || m > 12 || d < 1)
		return (false);
	return (d <= tenant_month_days(y, m));
}
