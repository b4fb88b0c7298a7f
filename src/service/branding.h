/*
 * A tenant's branding, independent of HTTP: display name, colours, an
 * optional billing address and custom domain, and a logo (PNG or JPEG).
 * The web UI, the invoice PDFs and (later) alert e-mails read it through
 * branding_get(); nothing else should read the collections directly.
 *
 * MongoDB (all tenant-scoped, see docs/BILLING.md):
 *   branding        one document per tenant (unique tenant_id):
 *                   display_name, primary_color, accent_color ("#rrggbb"),
 *                   billing_address, custom_domain, logo (metadata or
 *                   null), updated_at; absent fields take the defaults
 *   branding_logos  the logo's bytes (base64) by version; the newest wins
 *   custom_domains  {domain}: unique across tenants; the one platform
 *                   look-up (by Host) goes through branding_for_host()
 *
 * Calls block on the stores: task thread or worker.
 */
#ifndef VIGIE_SERVICE_BRANDING_H
#define VIGIE_SERVICE_BRANDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/brand.h"
#include "core/buf.h"
#include "core/settings.h"
#include "core/tenant.h"

#define BRANDING_NAME_MAX    100
#define BRANDING_ADDRESS_MAX 300
#define BRANDING_LOGO_MAX    (512 * 1024)
#define BRANDING_LOGO_DIM    2048

enum branding_result {
	BRANDING_OK = 0,
	BRANDING_INVALID, /* bad input; message says why */
	BRANDING_UNSUPPORTED, /* a logo that is neither PNG nor JPEG */
	BRANDING_NOT_FOUND, /* no logo */
	BRANDING_DOMAIN_TAKEN, /* another tenant has the domain */
	BRANDING_UNAVAILABLE, /* a store failed; nothing was changed */
};

struct branding {
	char     display_name[BRANDING_NAME_MAX + 1];
	char     primary_color[8];
	char     accent_color[8];
	char     billing_address[BRANDING_ADDRESS_MAX + 1];
	char     custom_domain[BRAND_HOST_MAX + 1]; /* "" when none */
	bool     has_logo;
	char     logo_type[16]; /* "image/png" or "image/jpeg" */
	uint32_t logo_width;
	uint32_t logo_height;
	char     logo_sha256[65];
};

/* Fields a PUT may set; NULL leaves a field as it is, "" resets it. */
struct branding_change {
	const char *display_name;
	const char *primary_color;
	const char *accent_color;
	const char *billing_address;
	const char *custom_domain;
};

struct branding_outcome {
	enum branding_result result;
	char                 message[256];
};

/* Keeps VIGIE_PLATFORM_DOMAINS: names no tenant may claim. */
void branding_configure(const struct settings *);

/* The tenant's branding, defaults filled in. False when a store failed. */
bool branding_get(
    const struct tenant_ctx *, struct branding *, char *err, size_t errlen);
json_t *branding_json(const struct branding *, const char *logo_url);
void    branding_defaults(struct branding *, const char *org_name);

void branding_update(const struct tenant_ctx *, const struct branding_change *,
    long now, struct branding_outcome *);

/* Checks the bytes (core/image.c), then stores them as the logo. */
void branding_logo_put(const struct tenant_ctx *, const unsigned char *,
    size_t len, long now, struct branding_outcome *);
/* The logo's bytes into out (appended), its type into type[16]. */
void branding_logo_get(const struct tenant_ctx *, struct buf *out,
    char type[16], struct branding_outcome *);
void branding_logo_delete(
    const struct tenant_ctx *, long now, struct branding_outcome *);

/*
 * The active tenant whose custom domain is host (already normalized).
 * False when a store failed; *found says whether one was found.
 */
bool branding_for_host(const char *host, struct tenant_ctx *, bool *found,
    char *err, size_t errlen);

#endif
