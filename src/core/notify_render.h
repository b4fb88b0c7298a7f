/*
 * What a notification says, independent of how it travels: the channel
 * types and their configuration rules, the render context of an event,
 * the small "{{name}}" template language of e-mails and generic
 * webhooks, the JSON payloads of Slack, Discord, Microsoft Teams and
 * generic webhooks, the webhook signature and the retry delays.
 *
 * Pure: no I/O, no clock, no randomness (callers pass them in).
 */
#ifndef VIGIE_CORE_NOTIFY_RENDER_H
#define VIGIE_CORE_NOTIFY_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/netguard.h"

#define NOTIFY_SIG_HEX_LEN       64
#define NOTIFY_SECRET_MIN        16
#define NOTIFY_SECRET_MAX        128
#define NOTIFY_EMAIL_TO_MAX      20
#define NOTIFY_SUBJECT_MAX       200
#define NOTIFY_TEXT_TEMPLATE_MAX 8192
#define NOTIFY_HTML_TEMPLATE_MAX 32768
#define NOTIFY_JSON_TEMPLATE_MAX 16384
#define NOTIFY_EVENT_ID_MAX      128

enum notify_type {
	NOTIFY_EMAIL = 0,
	NOTIFY_SLACK,
	NOTIFY_DISCORD,
	NOTIFY_TEAMS,
	NOTIFY_WEBHOOK, /* generic JSON */
	NOTIFY_TYPE_COUNT
};

bool        notify_type_parse(const char *, enum notify_type *);
const char *notify_type_name(enum notify_type);

/*
 * Checks a channel's configuration for its type and returns the
 * configuration to store (a new object the caller owns), or NULL with a
 * reason. previous (may be NULL) is the stored configuration on an
 * update: a webhook secret not given again is kept. URLs go through
 * netguard_url_check() with the operator allowlist.
 *
 *   email:                 to [1..20 addresses], subject, text_template,
 *                          html_template (templates), attach "pdf"|"none"
 *   slack, discord, teams: url
 *   webhook:               url, secret (16..128 printable), template (a
 *                          JSON object whose strings may hold {{names}})
 */
json_t *notify_config_check(enum notify_type, const json_t *config,
    const json_t *previous, const struct netguard_cidrs *, char *why,
    size_t whylen);

/*
 * What a caller may see of a stored configuration: the webhook secret
 * and the secret part of Slack, Discord and Teams URLs masked (the last
 * four characters kept). A new object the caller owns.
 */
json_t *notify_config_public(enum notify_type, const json_t *config);

/* An event id: 1..128 bytes of [A-Za-z0-9._:-]. */
bool notify_event_id_check(const char *);

/* The event kinds of CONTRACTS.md, and "test". */
bool notify_event_check(const json_t *event, char *why, size_t whylen);

/*
 * The render context of an event: the event's fields flattened to what
 * templates name (rule.*, alert.*, message, kind, title, severity,
 * search_url made absolute on public_url, event_id, brand.*,
 * organization, channel, time). brand may be NULL (defaults). A new
 * object the caller owns.
 */
struct notify_context_in {
	const json_t *event;
	const char   *event_id;
	const char   *public_url;
	const json_t *brand; /* {"display_name","primary_color","logo_url"} */
	const char   *organization;
	const char   *channel;
	const char   *time; /* ISO 8601 */
};
json_t *notify_context(const struct notify_context_in *);

/*
 * Templates: text with {{ name }} placeholders, names from the list
 * notify_context() fills. Check refuses unknown names and unclosed
 * braces. Render appends to out; html escapes every value.
 */
bool notify_template_check(const char *tmpl, char *why, size_t whylen);
void notify_template_render(
    const char *tmpl, const json_t *ctx, bool html, struct buf *out);

/* A JSON template: strings rendered; a string that is exactly one
 * placeholder takes the value itself (number, object...). New value. */
json_t *notify_json_render(const json_t *tmpl, const json_t *ctx);

/* The body to POST for a channel type (not email); new object. */
json_t *notify_payload(
    enum notify_type, const json_t *ctx, const json_t *custom_template);

/* HMAC-SHA256 of "<timestamp>.<body>" with secret, lower-case hex. */
void notify_sign(const char *secret, long timestamp, const char *body,
    size_t len, char out[NOTIFY_SIG_HEX_LEN + 1]);

/*
 * Delay before the attempt after failed attempt number attempt (1 is the
 * first): base doubled per attempt, capped at max, then jittered to a
 * value in [d/2, d] by rnd.
 */
long notify_backoff_ms(long attempt, long base, long max, uint32_t rnd);

#endif
