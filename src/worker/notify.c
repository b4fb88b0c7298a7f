/*
 * The "notify" job: delivers one event to one channel (CONTRACTS.md).
 *
 *   {"type":"notify","tenant_id","channel_id","event_id","event",
 *    "attempt":1}
 *
 * The delivery log (MongoDB "notifications", one document per tenant,
 * channel and event, unique) makes it idempotent: a job whose event was
 * already sent, dead or suppressed, or whose attempt already ran, does
 * nothing. The first attempt counts against the tenant's hourly cap;
 * over it, the delivery is recorded as suppressed. A failed attempt
 * that may succeed later queues the next one with queue_push_delayed()
 * after an exponential, jittered delay, until VIGIE_NOTIFY_MAX_ATTEMPTS;
 * then the delivery is dead (a dead letter the tenant sees in
 * GET /api/v1/notifications/dead).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/env.h"
#include "common/log.h"
#include "core/seal.h"
#include "core/mem.h"
#include "core/notify_mail.h"
#include "core/notify_pdf.h"
#include "core/notify_render.h"
#include "core/text.h"
#include "service/account.h"
#include "service/branding.h"
#include "service/notify.h"
#include "store/metadb.h"
#include "store/notify_cap.h"
#include "store/outbound.h"
#include "store/queue.h"
#include "store/smtp.h"
#include "worker/notify.h"

#define DELIVERIES      "notifications"
#define ATTEMPT_LOG_MAX 50

/* One job, as read. */
struct notify_job {
	struct tenant_ctx ctx;
	const char       *channel_id;
	const char       *event_id;
	const json_t     *event;
	long              attempt;
	long              now;
};

/* What one attempt gave. */
struct notify_try {
	bool ok;
	bool permanent; /* retrying cannot help */
	long http_status;
	char error[256];
};

/* ---- the delivery record -------------------------------------------------- */

static json_t *
notify_record_filter(const struct notify_job *j)
{
	return (json_pack("{s:s, s:s}", "channel_id", j->channel_id, "event_id",
	    j->event_id));
}

/* The record of this delivery; NULL with *st NOT_FOUND if none yet. */
static json_t *
notify_record_get(const struct notify_job *j, enum metadb_status *st, char *err,
    size_t errlen)
{
	json_t *filter, *doc;

	filter = notify_record_filter(j);
	doc = metadb_find_one(&j->ctx, DELIVERIES, filter, st, err, errlen);
	json_decref(filter);
	return (doc);
}

static enum metadb_status
notify_record_set(
    const struct notify_job *j, json_t *set, char *err, size_t errlen)
{
	enum metadb_status st;
	json_t            *filter;
	char               when[TEXT_ISO_LEN];
	long               matched;

	text_iso8601(j->now, when, sizeof(when));
	json_object_set_new(set, "updated_at", json_string(when));
	filter = notify_record_filter(j);
	st = metadb_update(
	    &j->ctx, DELIVERIES, filter, set, &matched, err, errlen);
	json_decref(filter);
	json_decref(set);
	return (st);
}

/*
 * Creates the record of a new delivery, counting it against the hourly
 * cap first: "pending", or "suppressed" over the cap. Returns the
 * record (a concurrent job's if it was faster), or NULL on a store
 * failure.
 */
static json_t *
notify_record_create(const struct notify_job *j, char *err, size_t errlen)
{
	enum metadb_status st;
	json_t            *doc;
	char               when[TEXT_ISO_LEN], id[25];
	long               count;
	bool               over;

	if ((count = notify_cap_count(&j->ctx, j->now, err, errlen)) < 0)
		return (NULL);
	over = count > notify_conf()->hourly_cap;
	text_iso8601(j->now, when, sizeof(when));
	doc = json_pack("{s:s, s:s, s:s, s:s?, s:s, s:i, s:s, s:s, s:[]}",
	    "channel_id", j->channel_id, "event_id", j->event_id, "event_kind",
	    json_string_value(json_object_get(j->event, "kind")), "rule_name",
	    json_string_value(
		json_object_get(json_object_get(j->event, "rule"), "name")),
	    "status", over ? "suppressed" : "pending", "attempts", 0,
	    "created_at", when, "updated_at", when, "attempt_log");
	/* Kept for a retry of the dead letter (never shown by the API). */
	json_object_set(doc, "event", (json_t *)j->event);
	if (over)
		json_object_set_new(doc, "last_error",
		    json_pack("s",
			"over the organization's hourly cap of "
			"notifications"));
	st = metadb_insert(&j->ctx, DELIVERIES, doc, id, err, errlen);
	if (st == METADB_OK) {
		json_object_set_new(doc, "id", json_string(id));
		return (doc);
	}
	json_decref(doc);
	if (st == METADB_DUPLICATE)
		return (notify_record_get(j, &st, err, errlen));
	return (NULL);
}

/* The record's attempt log with one more entry (the oldest dropped). */
static json_t *
notify_attempt_log(const json_t *record, const struct notify_job *j,
    const struct notify_try *t)
{
	json_t *log;
	char    when[TEXT_ISO_LEN];

	log = json_deep_copy(json_object_get(record, "attempt_log"));
	if (!json_is_array(log)) {
		json_decref(log);
		log = json_array();
	}
	while (json_array_size(log) >= ATTEMPT_LOG_MAX)
		json_array_remove(log, 0);
	text_iso8601(j->now, when, sizeof(when));
	json_array_append_new(log,
	    json_pack("{s:I, s:s, s:b, s:I, s:s}", "attempt",
		(json_int_t)j->attempt, "at", when, "ok", t->ok, "http_status",
		(json_int_t)t->http_status, "error", t->ok ? "" : t->error));
	return (log);
}

/* ---- rendering and sending ---------------------------------------------- */

/*
 * The tenant's branding (service/branding.h: display name, colours,
 * logo; defaults when never set) for the render context, and the name
 * the organization goes by. A store failure keeps the defaults: a
 * notification is never held back for its colours.
 */
static json_t *
notify_brand(const struct tenant_ctx *ctx, char *org, size_t orglen)
{
	struct branding b;
	const char     *base;
	char            err[256], logo[SETTINGS_STR_MAX + 32];
	size_t          n;

	if (!branding_get(ctx, &b, err, sizeof(err))) {
		log_emit(LOG_LEVEL_WARNING, "notify", NULL,
		    json_pack("{s:s, s:s}", "tenant_id", ctx->id, "error", err),
		    "branding unavailable: defaults used");
		branding_defaults(&b, ctx->slug);
	}
	snprintf(org, orglen, "%s", b.display_name);
	base = notify_conf()->public_url;
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	snprintf(logo, sizeof(logo), "%.*s/api/v1/branding/logo", (int)n, base);
	return (branding_json(&b, logo));
}

static json_t *
notify_render_context(
    const struct notify_job *j, const json_t *record, const json_t *channel)
{
	struct notify_context_in in;
	json_t                  *brand, *ctx;
	char                     org[256];

	brand = notify_brand(&j->ctx, org, sizeof(org));
	memset(&in, 0, sizeof(in));
	in.event = j->event;
	in.event_id = j->event_id;
	in.public_url = notify_conf()->public_url;
	in.brand = brand;
	in.organization = org;
	in.channel = json_string_value(json_object_get(channel, "name"));
	/* The record's birth: the same on every attempt, as the body. */
	in.time = json_string_value(json_object_get(record, "created_at"));
	ctx = notify_context(&in);
	json_decref(brand);
	return (ctx);
}

static void
notify_send_webhook(const struct notify_job *j, enum notify_type type,
    const json_t *config, const json_t *ctx, struct notify_try *t)
{
	struct outbound_request rq;
	struct outbound_result  r;
	const char             *secret, *headers[6];
	json_t                 *payload;
	char                   *body, sig[NOTIFY_SIG_HEX_LEN + 1];
	char                    plain[NOTIFY_SECRET_MAX + 1];
	char                    h_id[200], h_ts[64], h_sig[128], h_try[64];
	long                    ts;

	payload =
	    notify_payload(type, ctx, json_object_get(config, "template"));
	body = json_dumps(payload, JSON_COMPACT);
	json_decref(payload);
	if (body == NULL) {
		t->permanent = true;
		snprintf(t->error, sizeof(t->error), "payload not rendered");
		return;
	}
	ts = (long)time(NULL);
	snprintf(h_id, sizeof(h_id), "X-Vigie-Event-Id: %s", j->event_id);
	snprintf(h_ts, sizeof(h_ts), "X-Vigie-Timestamp: %ld", ts);
	snprintf(h_try, sizeof(h_try), "X-Vigie-Attempt: %ld", j->attempt);
	headers[0] = h_id;
	headers[1] = h_ts;
	headers[2] = h_try;
	headers[3] = NULL;
	secret = json_string_value(json_object_get(config, "secret"));
	if (seal_is_sealed(secret)) {
		/* Unreadable (the key changed): never send unsigned. */
		if (!seal_open(notify_conf()->seal_key, j->ctx.id, secret,
			plain, sizeof(plain))) {
			free(body);
			t->permanent = true;
			snprintf(t->error, sizeof(t->error),
			    "the webhook secret cannot be opened "
			    "(was VIGIE_SECRETS_KEY changed?)");
			return;
		}
		secret = plain;
	}
	if (secret != NULL) {
		notify_sign(secret, ts, body, strlen(body), sig);
		snprintf(
		    h_sig, sizeof(h_sig), "X-Vigie-Signature: sha256=%s", sig);
		headers[3] = h_sig;
		headers[4] = NULL;
	}
	memset(&rq, 0, sizeof(rq));
	rq.url = json_string_value(json_object_get(config, "url"));
	rq.headers = headers;
	rq.body = body;
	rq.body_len = strlen(body);
	rq.timeout_ms = notify_conf()->timeout_ms;
	rq.allow = &notify_conf()->allow;
	t->ok = outbound_post(&rq, &r);
	free(body);
	t->http_status = r.status;
	snprintf(t->error, sizeof(t->error), "%s", r.error);
	if (r.status >= 300 && r.status < 400)
		snprintf(t->error, sizeof(t->error),
		    "HTTP %ld: redirects are not followed", r.status);
	/* A refusal, a redirect, a 4xx but timeout/too-early/too-many. */
	t->permanent = r.refused ||
	    (r.status >= 300 && r.status < 500 && r.status != 408 &&
		r.status != 425 && r.status != 429);
}

static const char notify_text_default[] =
    "{{title}}\n\n"
    "{{message}}\n\n"
    "Rule:      {{rule.name}}\n"
    "Severity:  {{severity}}\n"
    "Value:     {{alert.value}} (threshold {{alert.threshold}})\n"
    "Window:    {{alert.window}}\n"
    "Started:   {{alert.started_at}}\n\n"
    "Open the matching search: {{search_url}}\n\n"
    "-- \n{{brand.name}} - event {{event_id}}\n";

/* The organization's logo, inline in the e-mail (core/notify_mail.h). */
#define NOTIFY_LOGO_CID "logo@vigie"

#define NOTIFY_HTML(logo) \
	"<!doctype html><html><body style=\"font-family:sans-serif;" \
	"color:#212529\"><div style=\"background:{{brand.color}};color:#fff;" \
	"padding:12px 16px;font-size:18px\">" logo "{{brand.name}}</div>" \
	"<div style=\"padding:16px\"><h2 style=\"margin-top:0\">{{title}}</h2>" \
	"<p>{{message}}</p><table cellpadding=\"4\">" \
	"<tr><th align=\"left\">Rule</th><td>{{rule.name}}</td></tr>" \
	"<tr><th align=\"left\">Severity</th><td>{{severity}}</td></tr>" \
	"<tr><th align=\"left\">Value</th><td>{{alert.value}}</td></tr>" \
	"<tr><th align=\"left\">Threshold</th><td>{{alert.threshold}}</td>" \
	"</tr><tr><th align=\"left\">Window</th><td>{{alert.window}}</td></tr>" \
	"<tr><th align=\"left\">Started</th><td>{{alert.started_at}}</td></tr>" \
	"</table><p><a href=\"{{search_url}}\" style=\"background:" \
	"{{brand.color}};color:#fff;padding:8px 12px;text-decoration:none\">" \
	"Open the matching search</a></p><p style=\"color:#6c757d;" \
	"font-size:12px\">Event {{event_id}}. The chart of the window is " \
	"attached.</p></div></body></html>"

static const char notify_html_default[] = NOTIFY_HTML("");
static const char notify_html_logo[] =
    NOTIFY_HTML("<img src=\"cid:" NOTIFY_LOGO_CID "\" alt=\"\" height=\"32\" "
		"style=\"vertical-align:middle;margin-right:10px\">");

static const char *
notify_template_or(const json_t *config, const char *key, const char *def)
{
	const char *s;

	s = json_string_value(json_object_get(config, key));
	return (s != NULL && s[0] != '\0' ? s : def);
}

/* The message of an e-mail channel, in out. */
static void
notify_mail_compose(const struct notify_job *j, const json_t *config,
    const json_t *ctx, struct buf *pdf, struct buf *out)
{
	struct notify_mail      m;
	struct branding_outcome bo;
	struct buf              subject, text, html, logo;
	char                    date[64], mid[256], boundary[40], hex[25];
	char                    logo_type[16];
	char                    err[256];
	struct tm               tm;
	time_t                  now;

	buf_init(&subject, 128);
	buf_init(&text, 1024);
	buf_init(&html, 4096);
	notify_template_render(
	    notify_template_or(config, "subject", "{{title}}"), ctx, false,
	    &subject);
	notify_template_render(
	    notify_template_or(config, "text_template", notify_text_default),
	    ctx, false, &text);
	/* The logo, when the organization has one (never holding the mail
	 * back: without it the header shows the name alone). */
	buf_init(&logo, 0);
	if (json_object_get(json_object_get(ctx, "brand"), "logo_url") !=
	    NULL) {
		branding_logo_get(&j->ctx, &logo, logo_type, &bo);
		if (bo.result != BRANDING_OK)
			buf_reset(&logo);
	}
	notify_template_render(
	    notify_template_or(config, "html_template",
		logo.len > 0 ? notify_html_logo : notify_html_default),
	    ctx, true, &html);
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	snprintf(mid, sizeof(mid), "%s.%s@vigie", j->event_id, j->channel_id);
	env_random_hex(hex, 12);
	snprintf(boundary, sizeof(boundary), "vigie%s", hex);
	memset(&m, 0, sizeof(m));
	m.from = smtp_sender();
	m.from_name = json_string_value(
	    json_object_get(json_object_get(ctx, "brand"), "name"));
	m.to = json_object_get(config, "to");
	m.subject = subject.data;
	m.text = text.data;
	m.html = html.data;
	m.date = date;
	m.message_id = mid;
	m.event_id = j->event_id;
	m.boundary = boundary;
	if (logo.len > 0 && strstr(html.data, "cid:" NOTIFY_LOGO_CID) != NULL) {
		m.inline_image = logo.data;
		m.inline_len = logo.len;
		m.inline_type = logo_type;
		m.inline_cid = NOTIFY_LOGO_CID;
	}
	if (strcmp(notify_template_or(config, "attach", "pdf"), "pdf") == 0 &&
	    notify_pdf_chart(ctx, pdf, err, sizeof(err))) {
		m.attachment = pdf->data;
		m.attachment_len = pdf->len;
		m.attachment_name = "vigie-alert.pdf";
		m.attachment_type = "application/pdf";
	} else if (strcmp(notify_template_or(config, "attach", "pdf"), "pdf") ==
	    0)
		log_emit(LOG_LEVEL_WARNING, "notify", NULL,
		    json_pack(
			"{s:s, s:s}", "event_id", j->event_id, "error", err),
		    "chart not drawn: the e-mail goes without it");
	notify_mail_build(&m, out);
	buf_free(&subject);
	buf_free(&text);
	buf_free(&html);
	buf_free(&logo);
}

static void
notify_send_email(const struct notify_job *j, const json_t *config,
    const json_t *ctx, struct notify_try *t)
{
	struct buf pdf, msg;

	buf_init(&pdf, 8192);
	buf_init(&msg, 16384);
	notify_mail_compose(j, config, ctx, &pdf, &msg);
	t->ok = smtp_send(json_object_get(config, "to"), msg.data, msg.len,
	    &t->permanent, t->error, sizeof(t->error));
	buf_free(&pdf);
	buf_free(&msg);
}

/* ---- one attempt ------------------------------------------------------------ */

static void
notify_attempt(const struct notify_job *j, const json_t *record,
    const json_t *channel, struct notify_try *t)
{
	enum notify_type type;
	const json_t    *config;
	json_t          *ctx;

	memset(t, 0, sizeof(*t));
	if (!notify_type_parse(
		json_string_value(json_object_get(channel, "type")), &type)) {
		t->permanent = true;
		snprintf(t->error, sizeof(t->error), "unknown channel type");
		return;
	}
	config = json_object_get(channel, "config");
	ctx = notify_render_context(j, record, channel);
	if (type == NOTIFY_EMAIL)
		notify_send_email(j, config, ctx, t);
	else
		notify_send_webhook(j, type, config, ctx, t);
	json_decref(ctx);
}

/* The job of the next attempt, due after the backoff delay. */
static bool
notify_retry_later(const struct notify_job *j, json_t *job, long *delay_ms,
    char *err, size_t errlen)
{
	const struct notify_conf *c = notify_conf();
	uint32_t                  rnd;
	char                     *text;
	bool                      ok;

	env_random(&rnd, sizeof(rnd));
	*delay_ms = notify_backoff_ms(
	    j->attempt, c->backoff_base_ms, c->backoff_max_ms, rnd);
	json_object_set_new(job, "attempt", json_integer(j->attempt + 1));
	text = json_dumps(job, JSON_COMPACT);
	ok = text != NULL && queue_push_delayed(text, *delay_ms, err, errlen);
	free(text);
	return (ok);
}

/*
 * Records what the attempt gave and, after a failure that may pass,
 * queues the next attempt. JOB_RETRY only when the next attempt could
 * not be queued (the queue then runs this job again).
 */
static enum job_result
notify_conclude(const struct notify_job *j, json_t *job, const json_t *record,
    const struct notify_try *t, char *reason, size_t len)
{
	json_t *set;
	char    err[256], when[TEXT_ISO_LEN];
	long    delay;
	bool    dead;

	set = json_pack("{s:I, s:o}", "attempts", (json_int_t)j->attempt,
	    "attempt_log", notify_attempt_log(record, j, t));
	if (t->http_status > 0)
		json_object_set_new(
		    set, "http_status", json_integer(t->http_status));
	text_iso8601(j->now, when, sizeof(when));
	dead = !t->ok &&
	    (t->permanent || j->attempt >= notify_conf()->max_attempts);
	if (t->ok) {
		json_object_set_new(set, "status", json_string("sent"));
		json_object_set_new(set, "sent_at", json_string(when));
		json_object_set_new(set, "next_attempt_at", json_null());
	} else if (dead) {
		json_object_set_new(set, "status", json_string("dead"));
		json_object_set_new(set, "last_error", json_string(t->error));
		json_object_set_new(set, "next_attempt_at", json_null());
	} else {
		if (!notify_retry_later(j, job, &delay, err, sizeof(err))) {
			json_decref(set);
			snprintf(
			    reason, len, "next attempt not queued: %s", err);
			return (JOB_RETRY);
		}
		text_iso8601(j->now + (delay + 999) / 1000, when, sizeof(when));
		json_object_set_new(set, "status", json_string("retrying"));
		json_object_set_new(set, "last_error", json_string(t->error));
		json_object_set_new(set, "next_attempt_at", json_string(when));
	}
	if (notify_record_set(j, set, err, sizeof(err)) != METADB_OK)
		log_emit(LOG_LEVEL_ERROR, "notify", NULL,
		    json_pack("{s:s, s:s, s:s}", "tenant_id", j->ctx.id,
			"event_id", j->event_id, "error", err),
		    "delivery outcome not recorded");
	log_emit(t->ok ? LOG_LEVEL_INFO : LOG_LEVEL_WARNING, "notify", NULL,
	    json_pack("{s:s, s:s, s:s, s:I, s:s}", "tenant_id", j->ctx.id,
		"channel_id", j->channel_id, "event_id", j->event_id, "attempt",
		(json_int_t)j->attempt, "error", t->ok ? "" : t->error),
	    "notification %s",
	    t->ok      ? "sent"
		: dead ? "dead"
		       : "will be retried");
	return (JOB_DONE);
}

/* Ends a delivery that cannot be attempted (channel gone or disabled). */
static enum job_result
notify_finish(const struct notify_job *j, const char *status, const char *why)
{
	char err[256];

	(void)notify_record_set(j,
	    json_pack("{s:s, s:s, s:I}", "status", status, "last_error", why,
		"attempts", (json_int_t)j->attempt - 1),
	    err, sizeof(err));
	return (JOB_DONE);
}

/* ---- the job --------------------------------------------------------------- */

static bool
notify_job_read(json_t *job, struct notify_job *j, char *reason, size_t len)
{
	const char   *tid;
	const json_t *attempt;

	memset(j, 0, sizeof(*j));
	tid = json_string_value(json_object_get(job, "tenant_id"));
	j->channel_id = json_string_value(json_object_get(job, "channel_id"));
	j->event_id = json_string_value(json_object_get(job, "event_id"));
	j->event = json_object_get(job, "event");
	attempt = json_object_get(job, "attempt");
	j->attempt = attempt != NULL ? (long)json_integer_value(attempt) : 1;
	j->now = (long)time(NULL);
	if (tid == NULL || !tenant_id_check(tid) || j->channel_id == NULL ||
	    !notify_event_id_check(j->event_id) ||
	    !notify_event_check(j->event, reason, len) || j->attempt < 1 ||
	    (attempt != NULL && !json_is_integer(attempt))) {
		if (reason[0] == '\0')
			snprintf(reason, len, "malformed notify job");
		return (false);
	}
	snprintf(j->ctx.id, sizeof(j->ctx.id), "%s", tid);
	return (true);
}

/* The record, created on first sight; NULL with reason on failure. */
static json_t *
notify_record_ready(const struct notify_job *j, char *reason, size_t len)
{
	enum metadb_status st;
	json_t            *record;
	char               err[256];

	record = notify_record_get(j, &st, err, sizeof(err));
	if (st == METADB_NOT_FOUND)
		record = notify_record_create(j, err, sizeof(err));
	if (record == NULL)
		snprintf(reason, len, "delivery record: %s", err);
	return (record);
}

/* Whether this attempt is still to be made. */
static bool
notify_attempt_due(const struct notify_job *j, const json_t *record)
{
	const char *status;

	status = json_string_value(json_object_get(record, "status"));
	if (status == NULL || strcmp(status, "sent") == 0 ||
	    strcmp(status, "dead") == 0 || strcmp(status, "suppressed") == 0)
		return (false);
	return (json_integer_value(json_object_get(record, "attempts")) <
	    j->attempt);
}

enum job_result
job_notify(json_t *job, char *reason, size_t len)
{
	struct notify_job j;
	struct notify_try t;
	enum job_result   res;
	json_t           *record, *channel;
	char              err[256], tid[TENANT_ID_LEN + 1];
	bool              found;

	if (!notify_job_read(job, &j, reason, len))
		return (JOB_DEAD);
	/* The look-up fills j.ctx: the id must not live there meanwhile. */
	memcpy(tid, j.ctx.id, sizeof(tid));
	if (!account_tenant_load(tid, &j.ctx, &found, err, sizeof(err))) {
		snprintf(reason, len, "tenant look-up: %s", err);
		return (JOB_RETRY);
	}
	if (!found)
		return (JOB_DONE); /* the tenant is gone */
	if ((record = notify_record_ready(&j, reason, len)) == NULL)
		return (JOB_RETRY);
	if (!notify_attempt_due(&j, record)) {
		json_decref(record);
		return (JOB_DONE);
	}
	channel =
	    notify_channel_load(&j.ctx, j.channel_id, &found, err, sizeof(err));
	if (channel == NULL && !found && err[0] != '\0') {
		json_decref(record);
		snprintf(reason, len, "channel look-up: %s", err);
		return (JOB_RETRY);
	}
	if (channel == NULL)
		res = notify_finish(&j, "dead", "the channel does not exist");
	else if (json_is_false(json_object_get(channel, "enabled")) &&
	    strcmp(json_string_value(json_object_get(j.event, "kind")),
		"test") != 0)
		res =
		    notify_finish(&j, "suppressed", "the channel is disabled");
	else {
		notify_attempt(&j, record, channel, &t);
		res = notify_conclude(&j, job, record, &t, reason, len);
	}
	json_decref(channel);
	json_decref(record);
	return (res);
}
