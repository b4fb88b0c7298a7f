#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/env.h"
#include "common/log.h"
#include "core/digest.h"
#include "core/mem.h"
#include "core/text.h"
#include "service/notify.h"
#include "store/metadb.h"
#include "store/queue.h"

#define NOTIFY_CHANNELS   "notification_channels"
#define NOTIFY_DELIVERIES "notifications"
#define NOTIFY_SECRET_RAW 32 /* random bytes of a generated secret */

static struct notify_conf notify_settings;

bool
notify_configure(const struct settings *s, char *err, size_t errlen)
{
	char why[256], derived[SETTINGS_STR_MAX + 16];

	if (!netguard_cidrs_parse(s->webhook_allow_cidrs,
		&notify_settings.allow, why, sizeof(why))) {
		snprintf(err, errlen, "VIGIE_WEBHOOK_ALLOW_CIDRS: %s", why);
		return (false);
	}
	notify_settings.max_attempts = s->notify_max_attempts;
	notify_settings.backoff_base_ms = s->notify_backoff_base_ms;
	notify_settings.backoff_max_ms = s->notify_backoff_max_ms;
	notify_settings.timeout_ms = s->notify_timeout_ms;
	notify_settings.hourly_cap = s->notify_hourly_cap;
	snprintf(notify_settings.public_url, sizeof(notify_settings.public_url),
	    "%s", s->public_url);
	if (s->secrets_key[0] != '\0' && strlen(s->secrets_key) < 32) {
		snprintf(err, errlen, "VIGIE_SECRETS_KEY: at least 32 bytes");
		return (false);
	}
	/* A key of its own for secrets, or one derived apart from tokens'. */
	if (s->secrets_key[0] != '\0') {
		seal_key_derive(s->secrets_key, notify_settings.seal_key);
	} else {
		snprintf(derived, sizeof(derived), "secrets:%s", s->jwt_secret);
		seal_key_derive(derived, notify_settings.seal_key);
	}
	return (true);
}

const struct notify_conf *
notify_conf(void)
{
	return (&notify_settings);
}

/* ---- outcomes ------------------------------------------------------------- */

static void notify_set(struct notify_outcome *, enum notify_result,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
notify_set(struct notify_outcome *o, enum notify_result r, const char *fmt, ...)
{
	va_list ap;

	o->result = r;
	va_start(ap, fmt);
	(void)vsnprintf(o->message, sizeof(o->message), fmt, ap);
	va_end(ap);
}

static void
notify_begin(struct notify_outcome *o)
{
	memset(o, 0, sizeof(*o));
}

void
notify_outcome_clear(struct notify_outcome *o)
{
	json_decref(o->body);
	json_decref(o->audit);
	o->body = o->audit = NULL;
}

static void
notify_unavailable(struct notify_outcome *o, const struct tenant_ctx *ctx,
    const char *what, const char *err)
{
	log_emit(LOG_LEVEL_ERROR, "notify", NULL,
	    json_pack("{s:s, s:s, s:s}", "tenant_id", ctx->id, "what", what,
		"error", err),
	    "store failure: %s", what);
	notify_outcome_clear(o);
	notify_set(o, NOTIFY_UNAVAILABLE,
	    "this cannot be done now; nothing was changed, try again shortly");
}

/* ---- channels ------------------------------------------------------------- */

/* What anyone of the tenant may see of a channel: secrets masked. */
static json_t *
notify_channel_public(const json_t *doc)
{
	enum notify_type type;
	json_t          *out;

	if (!notify_type_parse(
		json_string_value(json_object_get(doc, "type")), &type))
		type = NOTIFY_WEBHOOK;
	out = json_pack("{s:O?, s:O?, s:O?, s:b, s:o, s:O?, s:O?, s:O?}", "id",
	    json_object_get(doc, "id"), "name", json_object_get(doc, "name"),
	    "type", json_object_get(doc, "type"), "enabled",
	    !json_is_false(json_object_get(doc, "enabled")), "config",
	    notify_config_public(type, json_object_get(doc, "config")),
	    "created_at", json_object_get(doc, "created_at"), "updated_at",
	    json_object_get(doc, "updated_at"), "created_by",
	    json_object_get(doc, "created_by"));
	return (out);
}

json_t *
notify_channel_load(const struct tenant_ctx *ctx, const char *id, bool *found,
    char *err, size_t errlen)
{
	enum metadb_status st;
	json_t            *filter, *doc;

	*found = false;
	err[0] = '\0';
	if (!tenant_id_check(id))
		return (NULL);
	filter = json_pack("{s:s}", "id", id);
	doc = metadb_find_one(ctx, NOTIFY_CHANNELS, filter, &st, err, errlen);
	json_decref(filter);
	*found = st == METADB_OK;
	if (st == METADB_NOT_FOUND)
		err[0] = '\0';
	return (st == METADB_OK ? doc : NULL);
}

/* The channel by id into o->body (public), or NOT_FOUND / UNAVAILABLE. */
static json_t *
notify_channel_fetch(
    const struct tenant_ctx *ctx, const char *id, struct notify_outcome *o)
{
	json_t *doc;
	char    err[256];
	bool    found;

	doc = notify_channel_load(ctx, id, &found, err, sizeof(err));
	if (doc == NULL && err[0] != '\0')
		notify_unavailable(o, ctx, NOTIFY_CHANNELS, err);
	else if (doc == NULL)
		notify_set(o, NOTIFY_NOT_FOUND, "no such notification channel");
	return (doc);
}

/*
 * Documents of a tenant collection through public (which drops
 * secrets), as {"items": [...], "total": n} in o->body.
 */
static void
notify_list(const struct tenant_ctx *ctx, const char *coll,
    const json_t *filter, const json_t *sort, long limit,
    json_t *(*public)(const json_t *), struct notify_outcome *o)
{
	enum metadb_status st;
	json_t            *all, *items, *doc;
	char               err[256];
	size_t             i;

	all = metadb_find(
	    ctx, coll, filter, sort, 0, limit, &st, err, sizeof(err));
	if (st != METADB_OK) {
		json_decref(all);
		notify_unavailable(o, ctx, coll, err);
		return;
	}
	items = json_array();
	json_array_foreach(all, i, doc)
	    json_array_append_new(items, public(doc));
	json_decref(all);
	o->body = json_pack("{s:o, s:I}", "items", items, "total",
	    (json_int_t)json_array_size(items));
}

void
notify_channel_list(const struct tenant_ctx *ctx, struct notify_outcome *o)
{
	json_t *sort;

	notify_begin(o);
	sort = json_pack("{s:i}", "created_at", 1);
	notify_list(
	    ctx, NOTIFY_CHANNELS, NULL, sort, 500, notify_channel_public, o);
	json_decref(sort);
}

void
notify_channel_get(
    const struct tenant_ctx *ctx, const char *id, struct notify_outcome *o)
{
	json_t *doc;

	notify_begin(o);
	if ((doc = notify_channel_fetch(ctx, id, o)) == NULL)
		return;
	o->body = notify_channel_public(doc);
	json_decref(doc);
}

/* A new webhook secret: "whsec_" and 32 random bytes in base64url. */
static json_t *
notify_secret_new(void)
{
	unsigned char raw[NOTIFY_SECRET_RAW];
	char          text[80];

	env_random(raw, sizeof(raw));
	memcpy(text, "whsec_", 6);
	digest_b64url(raw, sizeof(raw), text + 6, sizeof(text) - 6);
	return (json_string(text));
}

/*
 * The configuration to store for type, from the request's config and
 * the stored one (NULL on create); a webhook gets a secret if it has
 * none, or a new one when asked to rotate. NULL with o set if refused.
 */
static json_t *
notify_config_for(enum notify_type type, const json_t *config,
    const json_t *previous, bool rotate, struct notify_outcome *o)
{
	json_t *out;
	char    why[256];

	out = notify_config_check(
	    type, config, previous, &notify_settings.allow, why, sizeof(why));
	if (out == NULL) {
		notify_set(o, NOTIFY_INVALID, "%s", why);
		return (NULL);
	}
	if (type == NOTIFY_WEBHOOK &&
	    (rotate || json_object_get(out, "secret") == NULL))
		json_object_set_new(out, "secret", notify_secret_new());
	return (out);
}

/*
 * Seals config.secret when it is new (still plain text), keeping its
 * last characters as a hint for the mask. *shown is the plain text, to
 * answer once (NULL when there is no new secret). False if it failed.
 */
static bool
notify_secret_seal(const struct tenant_ctx *ctx, json_t *config, json_t **shown)
{
	unsigned char nonce[SEAL_NONCE_LEN];
	char          sealed[SEAL_TEXT_LEN(NOTIFY_SECRET_MAX)];
	const char   *plain;
	size_t        n;

	*shown = NULL;
	plain = json_string_value(json_object_get(config, "secret"));
	if (plain == NULL || seal_is_sealed(plain))
		return (true);
	env_random(nonce, sizeof(nonce));
	if (!seal_text(notify_settings.seal_key, nonce, ctx->id, plain, sealed,
		sizeof(sealed)))
		return (false);
	n = strlen(plain);
	*shown = json_string(plain);
	json_object_set_new(
	    config, "secret_hint", json_string(n > 12 ? plain + n - 4 : ""));
	json_object_set_new(config, "secret", json_string(sealed));
	return (true);
}

/* The body of a create or update answer: public, plus a new secret. */
static json_t *
notify_channel_answer(const json_t *doc, json_t *shown)
{
	json_t *out;

	out = notify_channel_public(doc);
	if (shown != NULL)
		json_object_set_new(
		    json_object_get(out, "config"), "secret", shown);
	return (out);
}

void
notify_channel_create(const struct tenant_ctx *ctx, const char *user_id,
    const json_t *in, long now, struct notify_outcome *o)
{
	enum metadb_status st;
	enum notify_type   type;
	json_t            *config, *doc, *shown;
	char               err[256], when[TEXT_ISO_LEN], id[25];

	notify_begin(o);
	if (!notify_type_parse(
		json_string_value(json_object_get(in, "type")), &type)) {
		notify_set(o, NOTIFY_INVALID,
		    "type must be email, slack, discord, teams or webhook");
		return;
	}
	config = notify_config_for(
	    type, json_object_get(in, "config"), NULL, false, o);
	if (config == NULL)
		return;
	if (!notify_secret_seal(ctx, config, &shown)) {
		json_decref(config);
		notify_unavailable(o, ctx, NOTIFY_CHANNELS, "sealing failed");
		return;
	}
	text_iso8601(now, when, sizeof(when));
	doc = json_pack("{s:O, s:s, s:b, s:o, s:s, s:s, s:s}", "name",
	    json_object_get(in, "name"), "type", notify_type_name(type),
	    "enabled", !json_is_false(json_object_get(in, "enabled")), "config",
	    config, "created_at", when, "updated_at", when, "created_by",
	    user_id);
	st = metadb_insert(ctx, NOTIFY_CHANNELS, doc, id, err, sizeof(err));
	if (st != METADB_OK) {
		json_decref(doc);
		json_decref(shown);
		notify_unavailable(o, ctx, NOTIFY_CHANNELS, err);
		return;
	}
	json_object_set_new(doc, "id", json_string(id));
	o->body = notify_channel_answer(doc, shown);
	o->audit = json_pack("{s:s, s:s, s:O}", "channel_id", id, "type",
	    notify_type_name(type), "name", json_object_get(in, "name"));
	json_decref(doc);
}

/* The fields an update sets; NULL with o set if refused. */
static json_t *
notify_update_set(
    const json_t *doc, const json_t *in, long now, struct notify_outcome *o)
{
	enum notify_type type;
	const json_t    *v;
	json_t          *set, *config, *given;
	char             when[TEXT_ISO_LEN];
	bool             rotate;

	(void)notify_type_parse(
	    json_string_value(json_object_get(doc, "type")), &type);
	if ((v = json_object_get(in, "type")) != NULL &&
	    !json_equal(v, json_object_get(doc, "type"))) {
		notify_set(o, NOTIFY_INVALID,
		    "type cannot change: make a new channel");
		return (NULL);
	}
	rotate = json_is_true(json_object_get(in, "rotate_secret"));
	if (rotate && type != NOTIFY_WEBHOOK) {
		notify_set(o, NOTIFY_INVALID,
		    "rotate_secret applies to webhook channels only");
		return (NULL);
	}
	text_iso8601(now, when, sizeof(when));
	set = json_pack("{s:s}", "updated_at", when);
	if ((v = json_object_get(in, "name")) != NULL)
		json_object_set(set, "name", (json_t *)v);
	if ((v = json_object_get(in, "enabled")) != NULL)
		json_object_set(set, "enabled", (json_t *)v);
	if ((v = json_object_get(in, "config")) != NULL || rotate) {
		/* Rotating alone: the stored fields, as if given again. */
		given = v != NULL
		    ? json_incref((json_t *)v)
		    : json_deep_copy(json_object_get(doc, "config"));
		if (v == NULL) {
			json_object_del(given, "secret");
			json_object_del(given, "secret_hint");
		}
		config = notify_config_for(
		    type, given, json_object_get(doc, "config"), rotate, o);
		json_decref(given);
		if (config == NULL) {
			json_decref(set);
			return (NULL);
		}
		json_object_set_new(set, "config", config);
	}
	return (set);
}

void
notify_channel_update(const struct tenant_ctx *ctx, const char *id,
    const json_t *in, long now, struct notify_outcome *o)
{
	enum metadb_status st;
	json_t            *doc, *set, *filter, *shown;
	char               err[256];
	long               matched;

	notify_begin(o);
	if ((doc = notify_channel_fetch(ctx, id, o)) == NULL)
		return;
	if ((set = notify_update_set(doc, in, now, o)) == NULL) {
		json_decref(doc);
		return;
	}
	shown = NULL;
	if (json_object_get(set, "config") != NULL &&
	    !notify_secret_seal(ctx, json_object_get(set, "config"), &shown)) {
		json_decref(doc);
		json_decref(set);
		notify_unavailable(o, ctx, NOTIFY_CHANNELS, "sealing failed");
		return;
	}
	/* A new secret (rotated or given) is shown once, now; one stored in
	 * plain text before secrets were sealed is sealed, not shown. */
	if (shown != NULL &&
	    json_equal(shown,
		json_object_get(json_object_get(doc, "config"), "secret"))) {
		json_decref(shown);
		shown = NULL;
	}
	filter = json_pack("{s:s}", "id", id);
	st = metadb_update(
	    ctx, NOTIFY_CHANNELS, filter, set, &matched, err, sizeof(err));
	json_decref(filter);
	if (st != METADB_OK || matched == 0) {
		if (st == METADB_OK)
			notify_set(o, NOTIFY_NOT_FOUND,
			    "no such notification channel");
		else
			notify_unavailable(o, ctx, NOTIFY_CHANNELS, err);
		json_decref(doc);
		json_decref(set);
		json_decref(shown);
		return;
	}
	json_object_update(doc, set);
	o->body = notify_channel_answer(doc, shown);
	o->audit = json_pack(
	    "{s:s, s:o}", "channel_id", id, "fields", json_deep_copy(set));
	json_object_del(json_object_get(o->audit, "fields"), "config");
	json_decref(set);
	json_decref(doc);
}

void
notify_channel_delete(
    const struct tenant_ctx *ctx, const char *id, struct notify_outcome *o)
{
	enum metadb_status st;
	json_t            *filter;
	char               err[256];
	long               deleted;

	notify_begin(o);
	if (!tenant_id_check(id)) {
		notify_set(o, NOTIFY_NOT_FOUND, "no such notification channel");
		return;
	}
	filter = json_pack("{s:s}", "id", id);
	st = metadb_delete(
	    ctx, NOTIFY_CHANNELS, filter, &deleted, err, sizeof(err));
	json_decref(filter);
	if (st != METADB_OK) {
		notify_unavailable(o, ctx, NOTIFY_CHANNELS, err);
		return;
	}
	if (deleted == 0) {
		notify_set(o, NOTIFY_NOT_FOUND, "no such notification channel");
		return;
	}
	o->body = json_pack("{s:s, s:b}", "id", id, "deleted", 1);
	o->audit = json_pack("{s:s}", "channel_id", id);
}

/* ---- queueing --------------------------------------------------------------- */

/* The job text of one delivery attempt; the caller frees it. */
static char *
notify_job_text(const struct tenant_ctx *ctx, const char *channel_id,
    const char *event_id, const json_t *event, long attempt)
{
	json_t *job;
	char   *text;

	job = json_pack("{s:s, s:s, s:s, s:s, s:O, s:I}", "type", "notify",
	    "tenant_id", ctx->id, "channel_id", channel_id, "event_id",
	    event_id, "event", event, "attempt", (json_int_t)attempt);
	text = json_dumps(job, JSON_COMPACT);
	json_decref(job);
	return (text);
}

static bool
notify_event_ok(
    const char *event_id, const json_t *event, char *err, size_t errlen)
{
	char  *dump;
	size_t n;

	if (!notify_event_id_check(event_id)) {
		snprintf(err, errlen,
		    "event_id must be 1 to %d characters of "
		    "[A-Za-z0-9._:-]",
		    NOTIFY_EVENT_ID_MAX);
		return (false);
	}
	if (!notify_event_check(event, err, errlen))
		return (false);
	dump = json_dumps(event, JSON_COMPACT);
	n = dump != NULL ? strlen(dump) : 0;
	free(dump);
	if (n == 0 || n > NOTIFY_EVENT_MAX) {
		snprintf(err, errlen, "the event is larger than %d bytes",
		    NOTIFY_EVENT_MAX);
		return (false);
	}
	return (true);
}

bool
notify_enqueue(const struct tenant_ctx *ctx, const json_t *channel_ids,
    const char *event_id, const json_t *event, char *err, size_t errlen)
{
	const json_t *v;
	char         *text;
	size_t        i;
	bool          ok;

	if (!tenant_ctx_check(ctx)) {
		snprintf(err, errlen, "no tenant");
		return (false);
	}
	if (!json_is_array(channel_ids) || json_array_size(channel_ids) == 0 ||
	    json_array_size(channel_ids) > NOTIFY_CHANNEL_IDS_MAX) {
		snprintf(err, errlen, "channel_ids must list 1 to %d ids",
		    NOTIFY_CHANNEL_IDS_MAX);
		return (false);
	}
	json_array_foreach(channel_ids, i, v)
	{
		if (!tenant_id_check(json_string_value(v))) {
			snprintf(
			    err, errlen, "channel_ids[%zu] is not an id", i);
			return (false);
		}
	}
	if (!notify_event_ok(event_id, event, err, errlen))
		return (false);
	json_array_foreach(channel_ids, i, v)
	{
		text = notify_job_text(
		    ctx, json_string_value(v), event_id, event, 1);
		ok = text != NULL && queue_push(text, err, errlen);
		free(text);
		if (!ok)
			return (false);
	}
	return (true);
}

void
notify_channel_test(const struct tenant_ctx *ctx, const char *id,
    const char *who, struct notify_outcome *o)
{
	json_t *doc, *event, *ids;
	char    event_id[48], rnd[17], err[256];

	notify_begin(o);
	if ((doc = notify_channel_fetch(ctx, id, o)) == NULL)
		return;
	env_random_hex(rnd, 8);
	snprintf(event_id, sizeof(event_id), "test-%s", rnd);
	event = json_pack("{s:s, s:s, s:{s:s, s:s}, s:s}", "kind", "test",
	    "message",
	    "This is a test notification from Vigie: the channel works.",
	    "rule", "name", "channel check", "severity", "info", "requested_by",
	    who != NULL ? who : "");
	ids = json_pack("[s]", id);
	if (!notify_enqueue(ctx, ids, event_id, event, err, sizeof(err)))
		notify_unavailable(o, ctx, "queue", err);
	else {
		o->body = json_pack("{s:s, s:s, s:s}", "event_id", event_id,
		    "channel_id", id, "status", "queued");
		o->audit = json_pack(
		    "{s:s, s:s}", "channel_id", id, "event_id", event_id);
	}
	json_decref(ids);
	json_decref(event);
	json_decref(doc);
}

/* ---- delivery log ------------------------------------------------------------ */

static const char *const notify_statuses[] = {
    "pending", "sent", "retrying", "dead", "suppressed", NULL};

static json_t *
notify_delivery_public(const json_t *doc)
{
	static const char *const keys[] = {"id", "channel_id", "channel_name",
	    "channel_type", "event_id", "event_kind", "rule_name", "status",
	    "attempts", "last_error", "http_status", "created_at", "updated_at",
	    "sent_at", "next_attempt_at", NULL};
	json_t                  *out, *v;
	size_t                   i;

	out = json_object();
	for (i = 0; keys[i] != NULL; i++)
		if ((v = json_object_get(doc, keys[i])) != NULL)
			json_object_set(out, keys[i], v);
	return (out);
}

void
notify_delivery_list(const struct tenant_ctx *ctx, const char *status,
    const char *channel_id, const char *event_id, long limit,
    struct notify_outcome *o)
{
	json_t *filter, *sort;
	size_t  i;

	notify_begin(o);
	for (i = 0; status != NULL && notify_statuses[i] != NULL; i++)
		if (strcmp(status, notify_statuses[i]) == 0)
			break;
	if (status != NULL && notify_statuses[i] == NULL) {
		notify_set(o, NOTIFY_INVALID,
		    "status must be pending, sent, retrying, dead or "
		    "suppressed");
		return;
	}
	if ((channel_id != NULL && !tenant_id_check(channel_id)) ||
	    (event_id != NULL && !notify_event_id_check(event_id))) {
		notify_set(
		    o, NOTIFY_INVALID, "channel_id or event_id is malformed");
		return;
	}
	filter = json_object();
	if (status != NULL)
		json_object_set_new(filter, "status", json_string(status));
	if (channel_id != NULL)
		json_object_set_new(
		    filter, "channel_id", json_string(channel_id));
	if (event_id != NULL)
		json_object_set_new(filter, "event_id", json_string(event_id));
	sort = json_pack("{s:i, s:i}", "created_at", -1, "updated_at", -1);
	notify_list(ctx, NOTIFY_DELIVERIES, filter, sort, limit,
	    notify_delivery_public, o);
	json_decref(sort);
	json_decref(filter);
}

/*
 * The record goes back to "retrying" with no attempt made, then a first
 * attempt is queued; if the queue refuses, the record is dead again.
 */
void
notify_delivery_retry(
    const struct tenant_ctx *ctx, const char *id, struct notify_outcome *o)
{
	enum metadb_status st;
	json_t            *filter, *doc, *set;
	char               err[256], *text;
	long               matched;
	bool               queued;

	notify_begin(o);
	if (!tenant_id_check(id)) {
		notify_set(o, NOTIFY_NOT_FOUND, "no such notification");
		return;
	}
	filter = json_pack("{s:s}", "id", id);
	doc = metadb_find_one(
	    ctx, NOTIFY_DELIVERIES, filter, &st, err, sizeof(err));
	if (st != METADB_OK) {
		json_decref(filter);
		if (st == METADB_NOT_FOUND)
			notify_set(o, NOTIFY_NOT_FOUND, "no such notification");
		else
			notify_unavailable(o, ctx, NOTIFY_DELIVERIES, err);
		return;
	}
	json_object_set_new(filter, "status", json_string("dead"));
	set = json_pack("{s:s, s:i, s:n}", "status", "retrying", "attempts", 0,
	    "next_attempt_at");
	st = metadb_update(
	    ctx, NOTIFY_DELIVERIES, filter, set, &matched, err, sizeof(err));
	json_decref(set);
	if (st != METADB_OK || matched == 0 ||
	    !json_is_object(json_object_get(doc, "event"))) {
		if (st != METADB_OK)
			notify_unavailable(o, ctx, NOTIFY_DELIVERIES, err);
		else
			notify_set(o, NOTIFY_CONFLICT,
			    "only dead letters can be sent again");
		json_decref(filter);
		json_decref(doc);
		return;
	}
	text = notify_job_text(ctx,
	    json_string_value(json_object_get(doc, "channel_id")),
	    json_string_value(json_object_get(doc, "event_id")),
	    json_object_get(doc, "event"), 1);
	queued = text != NULL && queue_push(text, err, sizeof(err));
	free(text);
	if (!queued) {
		set = json_pack("{s:s}", "status", "dead");
		json_object_set_new(filter, "status", json_string("retrying"));
		(void)metadb_update(ctx, NOTIFY_DELIVERIES, filter, set,
		    &matched, err, sizeof(err));
		json_decref(set);
		notify_unavailable(o, ctx, "queue", err);
	} else {
		o->body = json_pack("{s:s, s:O, s:s}", "id", id, "event_id",
		    json_object_get(doc, "event_id"), "status", "retrying");
		o->audit = json_pack("{s:s, s:O}", "notification_id", id,
		    "event_id", json_object_get(doc, "event_id"));
	}
	json_decref(filter);
	json_decref(doc);
}
