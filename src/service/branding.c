#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "common/env.h"
#include "common/log.h"
#include "core/digest.h"
#include "core/image.h"
#include "core/mem.h"
#include "core/text.h"
#include "service/account.h"
#include "service/branding.h"
#include "store/metadb.h"

static char branding_reserved[SETTINGS_STR_MAX];

void
branding_configure(const struct settings *s)
{
	snprintf(branding_reserved, sizeof(branding_reserved), "%s",
	    s->platform_domains);
}

static void
branding_set(
    struct branding_outcome *o, enum branding_result r, const char *message)
{
	o->result = r;
	snprintf(o->message, sizeof(o->message), "%s", message);
}

static void
branding_unavailable(struct branding_outcome *o, const struct tenant_ctx *ctx,
    const char *what, const char *err)
{
	log_emit(LOG_LEVEL_ERROR, "branding", NULL,
	    json_pack("{s:s, s:s, s:s}", "tenant_id", ctx->id, "what", what,
		"error", err),
	    "store failure: %s", what);
	branding_set(o, BRANDING_UNAVAILABLE,
	    "branding cannot be changed now; nothing was changed, try again "
	    "shortly");
}

void
branding_defaults(struct branding *b, const char *org_name)
{
	memset(b, 0, sizeof(*b));
	snprintf(b->display_name, sizeof(b->display_name), "%s",
	    org_name != NULL && org_name[0] != '\0' ? org_name : "Vigie");
	snprintf(b->primary_color, sizeof(b->primary_color), "%s",
	    BRAND_DEFAULT_PRIMARY);
	snprintf(b->accent_color, sizeof(b->accent_color), "%s",
	    BRAND_DEFAULT_ACCENT);
}

/* Copies a stored string field when it is a non-empty string. */
static void
branding_copy(const json_t *doc, const char *key, char *out, size_t outlen)
{
	const char *v = json_string_value(json_object_get(doc, key));

	if (v != NULL && v[0] != '\0')
		snprintf(out, outlen, "%s", v);
}

bool
branding_get(
    const struct tenant_ctx *ctx, struct branding *b, char *err, size_t errlen)
{
	enum metadb_status st;
	json_t            *filter, *tenant, *doc, *logo;

	filter = json_pack("{s:s}", "id", ctx->id);
	tenant = metadb_platform_find_one("tenants", filter, &st, err, errlen);
	json_decref(filter);
	if (st != METADB_OK && st != METADB_NOT_FOUND)
		return (false);
	branding_defaults(
	    b, json_string_value(json_object_get(tenant, "name")));
	json_decref(tenant);
	doc = metadb_find_one(ctx, "branding", NULL, &st, err, errlen);
	if (st == METADB_NOT_FOUND)
		return (true);
	if (st != METADB_OK)
		return (false);
	branding_copy(
	    doc, "display_name", b->display_name, sizeof(b->display_name));
	branding_copy(
	    doc, "primary_color", b->primary_color, sizeof(b->primary_color));
	branding_copy(
	    doc, "accent_color", b->accent_color, sizeof(b->accent_color));
	branding_copy(doc, "billing_address", b->billing_address,
	    sizeof(b->billing_address));
	branding_copy(
	    doc, "custom_domain", b->custom_domain, sizeof(b->custom_domain));
	logo = json_object_get(doc, "logo");
	if (json_is_object(logo)) {
		b->has_logo = true;
		branding_copy(
		    logo, "content_type", b->logo_type, sizeof(b->logo_type));
		branding_copy(
		    logo, "sha256", b->logo_sha256, sizeof(b->logo_sha256));
		b->logo_width = (uint32_t)json_integer_value(
		    json_object_get(logo, "width"));
		b->logo_height = (uint32_t)json_integer_value(
		    json_object_get(logo, "height"));
	}
	json_decref(doc);
	return (true);
}

/* The API's view; logo_url is used when there is a logo. */
json_t *
branding_json(const struct branding *b, const char *logo_url)
{
	return (json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s}", "display_name",
	    b->display_name, "primary_color", b->primary_color, "accent_color",
	    b->accent_color, "logo_url", b->has_logo ? logo_url : NULL,
	    "custom_domain",
	    b->custom_domain[0] != '\0' ? b->custom_domain : NULL,
	    "billing_address", b->billing_address));
}

/*
 * Sets fields of the tenant's branding document, creating it the first
 * time (a concurrent creation loses the unique index race and updates).
 */
static bool
branding_doc_set(
    const struct tenant_ctx *ctx, const json_t *set, char *err, size_t errlen)
{
	enum metadb_status st;
	long               matched;
	int                attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		st = metadb_update(
		    ctx, "branding", NULL, set, &matched, err, errlen);
		if (st != METADB_OK)
			return (false);
		if (matched > 0)
			return (true);
		st = metadb_insert(ctx, "branding", set, NULL, err, errlen);
		if (st == METADB_OK)
			return (true);
		if (st != METADB_DUPLICATE)
			return (false);
	}
	return (false);
}

/* No control characters but line breaks in an address. */
static bool
branding_address_ok(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 && *s != '\n')
			return (false);
		if (*s == 0x7f)
			return (false);
	}
	return (true);
}

/* Checks the change; writes the normalized colours and domain. */
static bool
branding_check(const struct branding_change *c, char primary[8], char accent[8],
    char *domain, size_t domainlen, struct branding_outcome *o)
{
	char why[128], msg[200];

	if (c->primary_color != NULL && c->primary_color[0] != '\0') {
		if (!brand_color_check(c->primary_color, why, sizeof(why))) {
			snprintf(msg, sizeof(msg), "primary_color %s", why);
			branding_set(o, BRANDING_INVALID, msg);
			return (false);
		}
		brand_color_normal(c->primary_color, primary);
	}
	if (c->accent_color != NULL && c->accent_color[0] != '\0') {
		if (!brand_color_check(c->accent_color, why, sizeof(why))) {
			snprintf(msg, sizeof(msg), "accent_color %s", why);
			branding_set(o, BRANDING_INVALID, msg);
			return (false);
		}
		brand_color_normal(c->accent_color, accent);
	}
	if (c->billing_address != NULL &&
	    (strlen(c->billing_address) > BRANDING_ADDRESS_MAX ||
		!branding_address_ok(c->billing_address))) {
		branding_set(o, BRANDING_INVALID,
		    "billing_address must be at most 300 bytes, without "
		    "control characters other than line breaks");
		return (false);
	}
	if (c->custom_domain != NULL && c->custom_domain[0] != '\0' &&
	    !brand_host_normal(c->custom_domain, domain, domainlen)) {
		(void)brand_host_check(c->custom_domain, why, sizeof(why));
		snprintf(msg, sizeof(msg), "custom_domain %s", why);
		branding_set(o, BRANDING_INVALID, msg);
		return (false);
	}
	if (domain[0] != '\0' &&
	    brand_host_reserved(domain, branding_reserved)) {
		branding_set(o, BRANDING_INVALID,
		    "custom_domain is one of the platform's own names");
		return (false);
	}
	return (true);
}

/*
 * Claims domain for the tenant: its custom_domains document, unique
 * across tenants. *claimed says whether a document was made now (to be
 * removed if the rest fails).
 */
static bool
branding_domain_claim(const struct tenant_ctx *ctx, const char *domain,
    bool *claimed, struct branding_outcome *o)
{
	enum metadb_status st;
	json_t            *doc, *mine;
	char               err[256];

	*claimed = false;
	doc = json_pack("{s:s}", "domain", domain);
	st = metadb_insert(ctx, "custom_domains", doc, NULL, err, sizeof(err));
	if (st == METADB_DUPLICATE) {
		mine = metadb_find_one(
		    ctx, "custom_domains", doc, &st, err, sizeof(err));
		json_decref(mine);
		if (st == METADB_NOT_FOUND)
			branding_set(o, BRANDING_DOMAIN_TAKEN,
			    "this domain is used by another organization");
		else if (st != METADB_OK)
			branding_unavailable(o, ctx, "custom_domains", err);
		json_decref(doc);
		return (st == METADB_OK);
	}
	json_decref(doc);
	if (st != METADB_OK) {
		branding_unavailable(o, ctx, "custom_domains", err);
		return (false);
	}
	*claimed = true;
	return (true);
}

/* Releases the tenant's domains other than keep ("" releases all). */
static void
branding_domain_release(const struct tenant_ctx *ctx, const char *keep)
{
	json_t *filter;
	char    err[256];
	long    n;

	filter = keep[0] != '\0' ? json_pack("{s:{s:s}}", "domain", "$ne", keep)
				 : json_object();
	if (metadb_delete(ctx, "custom_domains", filter, &n, err,
		sizeof(err)) != METADB_OK)
		log_emit(LOG_LEVEL_ERROR, "branding", NULL,
		    json_pack("{s:s, s:s}", "tenant_id", ctx->id, "error", err),
		    "an old custom domain stays claimed");
	json_decref(filter);
}

/* Gives back a domain just claimed, when the rest of the change failed. */
static void
branding_domain_drop(const struct tenant_ctx *ctx, const char *domain)
{
	json_t *filter;
	char    err[256];
	long    n;

	filter = json_pack("{s:s}", "domain", domain);
	(void)metadb_delete(
	    ctx, "custom_domains", filter, &n, err, sizeof(err));
	json_decref(filter);
}

void
branding_update(const struct tenant_ctx *ctx, const struct branding_change *c,
    long now, struct branding_outcome *o)
{
	char primary[8] = "", accent[8] = "", domain[BRAND_HOST_MAX + 1] = "";
	char err[256], when[32];
	json_t *set;
	bool    claimed = false;

	memset(o, 0, sizeof(*o));
	if (!branding_check(c, primary, accent, domain, sizeof(domain), o))
		return;
	if (domain[0] != '\0' &&
	    !branding_domain_claim(ctx, domain, &claimed, o))
		return;
	text_iso8601(now, when, sizeof(when));
	set = json_pack("{s:s}", "updated_at", when);
	if (c->display_name != NULL)
		json_object_set_new(
		    set, "display_name", json_string(c->display_name));
	if (c->primary_color != NULL)
		json_object_set_new(set, "primary_color", json_string(primary));
	if (c->accent_color != NULL)
		json_object_set_new(set, "accent_color", json_string(accent));
	if (c->billing_address != NULL)
		json_object_set_new(
		    set, "billing_address", json_string(c->billing_address));
	if (c->custom_domain != NULL)
		json_object_set_new(set, "custom_domain", json_string(domain));
	if (!branding_doc_set(ctx, set, err, sizeof(err))) {
		json_decref(set);
		if (claimed)
			branding_domain_drop(ctx, domain);
		branding_unavailable(o, ctx, "branding", err);
		return;
	}
	json_decref(set);
	if (c->custom_domain != NULL)
		branding_domain_release(ctx, domain);
	o->result = BRANDING_OK;
}

/* ---- logo -------------------------------------------------------------- */

void
branding_logo_put(const struct tenant_ctx *ctx, const unsigned char *data,
    size_t len, long now, struct branding_outcome *o)
{
	struct image_info info;
	char              why[160], err[256], when[32], version[17];
	char              sha[DIGEST_HEX_LEN + 1];
	char             *b64;
	json_t           *doc, *set, *filter;
	long              n;

	memset(o, 0, sizeof(*o));
	if (len > BRANDING_LOGO_MAX) {
		branding_set(o, BRANDING_INVALID, "the logo is over 512 KiB");
		return;
	}
	if (!image_probe(
		data, len, BRANDING_LOGO_DIM, &info, why, sizeof(why))) {
		/* Neither PNG nor JPEG, or one of them but damaged or large. */
		branding_set(o,
		    image_probe_type(data, len) == IMAGE_NONE
			? BRANDING_UNSUPPORTED
			: BRANDING_INVALID,
		    why);
		return;
	}
	digest_sha256_hex(data, len, sha);
	env_random_hex(version, 8);
	text_iso8601(now, when, sizeof(when));
	b64 = mem_alloc(4 * ((len + 2) / 3) + 1);
	(void)EVP_EncodeBlock((unsigned char *)b64, data, (int)len);
	doc = json_pack("{s:s, s:s, s:s, s:I, s:i, s:i, s:s, s:s}", "version",
	    version, "content_type", image_content_type(info.type), "data", b64,
	    "size", (json_int_t)len, "width", (int)info.width, "height",
	    (int)info.height, "sha256", sha, "created_at", when);
	mem_free(b64);
	if (metadb_insert(ctx, "branding_logos", doc, NULL, err, sizeof(err)) !=
	    METADB_OK) {
		json_decref(doc);
		branding_unavailable(o, ctx, "branding_logos", err);
		return;
	}
	json_object_del(doc, "data");
	set = json_pack("{s:o, s:s}", "logo", doc, "updated_at", when);
	if (!branding_doc_set(ctx, set, err, sizeof(err))) {
		json_decref(set);
		filter = json_pack("{s:s}", "version", version);
		(void)metadb_delete(
		    ctx, "branding_logos", filter, &n, err, sizeof(err));
		json_decref(filter);
		branding_unavailable(o, ctx, "branding", err);
		return;
	}
	json_decref(set);
	/* Older versions are no longer referenced. */
	filter = json_pack("{s:{s:s}}", "version", "$ne", version);
	(void)metadb_delete(
	    ctx, "branding_logos", filter, &n, err, sizeof(err));
	json_decref(filter);
	o->result = BRANDING_OK;
}

void
branding_logo_get(const struct tenant_ctx *ctx, struct buf *out, char type[16],
    struct branding_outcome *o)
{
	enum metadb_status st;
	const char        *version, *b64;
	json_t            *doc, *filter, *logo;
	unsigned char     *bytes;
	char               err[256];
	size_t             cap;
	long               n;

	memset(o, 0, sizeof(*o));
	doc = metadb_find_one(ctx, "branding", NULL, &st, err, sizeof(err));
	if (st != METADB_OK && st != METADB_NOT_FOUND) {
		branding_unavailable(o, ctx, "branding", err);
		return;
	}
	version = json_string_value(
	    json_object_get(json_object_get(doc, "logo"), "version"));
	if (version == NULL) {
		json_decref(doc);
		branding_set(o, BRANDING_NOT_FOUND, "no logo has been set");
		return;
	}
	filter = json_pack("{s:s}", "version", version);
	json_decref(doc);
	logo = metadb_find_one(
	    ctx, "branding_logos", filter, &st, err, sizeof(err));
	json_decref(filter);
	if (st == METADB_NOT_FOUND) {
		branding_set(o, BRANDING_NOT_FOUND, "no logo has been set");
		return;
	}
	if (st != METADB_OK) {
		branding_unavailable(o, ctx, "branding_logos", err);
		return;
	}
	b64 = json_string_value(json_object_get(logo, "data"));
	snprintf(type, 16, "%s",
	    json_string_value(json_object_get(logo, "content_type")) != NULL
		? json_string_value(json_object_get(logo, "content_type"))
		: "");
	cap = b64 != NULL ? strlen(b64) / 4 * 3 + 1 : 0;
	bytes = cap > 0 ? mem_alloc(cap) : NULL;
	n = b64 != NULL ? digest_b64_decode(b64, bytes, cap) : -1;
	if (n < 0 ||
	    (strcmp(type, "image/png") != 0 &&
		strcmp(type, "image/jpeg") != 0)) {
		mem_free(bytes);
		json_decref(logo);
		branding_unavailable(o, ctx, "branding_logos", "corrupt logo");
		return;
	}
	buf_append(out, bytes, (size_t)n);
	mem_free(bytes);
	json_decref(logo);
	o->result = BRANDING_OK;
}

void
branding_logo_delete(
    const struct tenant_ctx *ctx, long now, struct branding_outcome *o)
{
	char    err[256], when[32];
	json_t *set, *all;
	long    n;

	memset(o, 0, sizeof(*o));
	text_iso8601(now, when, sizeof(when));
	set = json_pack("{s:n, s:s}", "logo", "updated_at", when);
	if (!branding_doc_set(ctx, set, err, sizeof(err))) {
		json_decref(set);
		branding_unavailable(o, ctx, "branding", err);
		return;
	}
	json_decref(set);
	all = json_object();
	(void)metadb_delete(ctx, "branding_logos", all, &n, err, sizeof(err));
	json_decref(all);
	o->result = BRANDING_OK;
}

/* ---- custom domains ---------------------------------------------------- */

bool
branding_for_host(const char *host, struct tenant_ctx *ctx, bool *found,
    char *err, size_t errlen)
{
	enum metadb_status st;
	const char        *tid;
	json_t            *filter, *doc;
	bool               ok;

	*found = false;
	filter = json_pack("{s:s}", "domain", host);
	doc = metadb_platform_find_one(
	    "custom_domains", filter, &st, err, errlen);
	json_decref(filter);
	if (st == METADB_NOT_FOUND)
		return (true);
	if (st != METADB_OK)
		return (false);
	tid = json_string_value(json_object_get(doc, "tenant_id"));
	ok = tid == NULL || !tenant_id_check(tid) ||
	    account_tenant_load(tid, ctx, found, err, errlen);
	json_decref(doc);
	if (ok && *found && !ctx->active)
		*found = false;
	return (ok);
}
