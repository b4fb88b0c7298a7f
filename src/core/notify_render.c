#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/mem.h"
#include "core/notify_render.h"
#include "core/seal.h"
#include "core/validate.h"

static const char *const notify_type_names[NOTIFY_TYPE_COUNT] = {
    [NOTIFY_EMAIL] = "email",
    [NOTIFY_SLACK] = "slack",
    [NOTIFY_DISCORD] = "discord",
    [NOTIFY_TEAMS] = "teams",
    [NOTIFY_WEBHOOK] = "webhook",
};

bool
notify_type_parse(const char *s, enum notify_type *out)
{
	int i;

	for (i = 0; s != NULL && i < NOTIFY_TYPE_COUNT; i++) {
		if (strcmp(s, notify_type_names[i]) == 0) {
			*out = (enum notify_type)i;
			return (true);
		}
	}
	return (false);
}

const char *
notify_type_name(enum notify_type t)
{
	return ((unsigned)t < NOTIFY_TYPE_COUNT ? notify_type_names[t] : "?");
}

/*
 * The text of b as a JSON string (text that is not UTF-8 gives ""), and
 * b released. Never NULL.
 */
static json_t *
notify_buf_string(struct buf *b)
{
	json_t *out;

	out = json_stringn(b->data, b->len);
	buf_free(b);
	return (out != NULL ? out : json_string(""));
}

/* ---- templates ------------------------------------------------------------ */

/* What a template may name; notify_context() fills each of them. */
static const char *const notify_names[] = {
    "event_id",
    "kind",
    "kind_label",
    "title",
    "message",
    "severity",
    "rule.id",
    "rule.name",
    "rule.severity",
    "alert.id",
    "alert.group",
    "alert.value",
    "alert.threshold",
    "alert.window",
    "alert.started_at",
    "search_url",
    "organization",
    "channel",
    "time",
    "brand.name",
    "brand.color",
    "rule",
    "alert",
    "event",
};

static bool
notify_name_known(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(notify_names) / sizeof(notify_names[0]); i++)
		if (strlen(notify_names[i]) == len &&
		    memcmp(notify_names[i], name, len) == 0)
			return (true);
	return (false);
}

/*
 * The placeholder starting at p ("{{"): sets the name (without spaces)
 * and returns the byte after "}}", or NULL if it is not closed.
 */
static const char *
notify_placeholder(const char *p, const char **name, size_t *len)
{
	const char *end;

	if ((end = strstr(p + 2, "}}")) == NULL)
		return (NULL);
	p += 2;
	while (p < end && *p == ' ')
		p++;
	*name = p;
	while (p < end && *p != ' ')
		p++;
	*len = (size_t)(p - *name);
	while (p < end && *p == ' ')
		p++;
	if (p != end)
		*len = 0; /* spaces inside the name */
	return (end + 2);
}

bool
notify_template_check(const char *tmpl, char *why, size_t whylen)
{
	const char *p, *name, *next;
	size_t      len;

	for (p = tmpl; (p = strstr(p, "{{")) != NULL; p = next) {
		if ((next = notify_placeholder(p, &name, &len)) == NULL) {
			snprintf(why, whylen, "a \"{{\" is never closed");
			return (false);
		}
		if (len == 0 || !notify_name_known(name, len)) {
			snprintf(why, whylen,
			    "unknown placeholder \"%.*s\"; known: event_id, "
			    "kind, title, message, severity, rule.name, "
			    "alert.value, alert.threshold, search_url...",
			    (int)(next - p > 60 ? 60 : next - p), p);
			return (false);
		}
	}
	return (true);
}

/* The value at a dotted path of ctx, or NULL. */
static const json_t *
notify_lookup(const json_t *ctx, const char *name, size_t len)
{
	const json_t *v;
	const char   *dot;
	char          key[64];
	size_t        n;

	v = ctx;
	while (len > 0 && v != NULL) {
		dot = memchr(name, '.', len);
		n = dot != NULL ? (size_t)(dot - name) : len;
		if (n >= sizeof(key))
			return (NULL);
		memcpy(key, name, n);
		key[n] = '\0';
		v = json_object_get(v, key);
		name += n;
		len -= n;
		if (len > 0) {
			name++;
			len--;
		}
	}
	return (v);
}

static void
notify_html_escape(struct buf *out, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&':
			buf_appends(out, "&amp;");
			break;
		case '<':
			buf_appends(out, "&lt;");
			break;
		case '>':
			buf_appends(out, "&gt;");
			break;
		case '"':
			buf_appends(out, "&quot;");
			break;
		case '\'':
			buf_appends(out, "&#39;");
			break;
		default:
			buf_append(out, s + i, 1);
		}
	}
}

/* A value as text: strings as they are, numbers in short form. */
static void
notify_value_text(const json_t *v, struct buf *out)
{
	char *dump;

	if (json_is_string(v))
		buf_append(out, json_string_value(v), json_string_length(v));
	else if (json_is_integer(v))
		buf_appendf(out, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		buf_appendf(out, "%.10g", json_real_value(v));
	else if (json_is_true(v))
		buf_appends(out, "true");
	else if (json_is_false(v))
		buf_appends(out, "false");
	else if (json_is_object(v) || json_is_array(v)) {
		dump = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
		if (dump != NULL)
			buf_appends(out, dump);
		free(dump);
	}
}

void
notify_template_render(
    const char *tmpl, const json_t *ctx, bool html, struct buf *out)
{
	struct buf  val;
	const char *p, *at, *name, *next;
	size_t      len;

	buf_init(&val, 64);
	for (p = tmpl; (at = strstr(p, "{{")) != NULL; p = next) {
		buf_append(out, p, (size_t)(at - p));
		if ((next = notify_placeholder(at, &name, &len)) == NULL) {
			p = at;
			break;
		}
		buf_reset(&val);
		notify_value_text(notify_lookup(ctx, name, len), &val);
		if (html)
			notify_html_escape(out, val.data, val.len);
		else
			buf_append(out, val.data, val.len);
	}
	buf_appends(out, p);
	buf_free(&val);
}

/* The name when s is exactly one placeholder, else NULL. */
static const char *
notify_sole_placeholder(const char *s, size_t *len)
{
	const char *name, *end;

	if (strncmp(s, "{{", 2) != 0)
		return (NULL);
	end = notify_placeholder(s, &name, len);
	if (end == NULL || *end != '\0' || *len == 0)
		return (NULL);
	return (name);
}

json_t *
notify_json_render(const json_t *tmpl, const json_t *ctx)
{
	const json_t *v;
	const char   *key, *name;
	json_t       *out, *item;
	struct buf    text;
	size_t        i, len;

	if (json_is_object(tmpl)) {
		out = json_object();
		json_object_foreach((json_t *)tmpl, key, item)
		    json_object_set_new(
			out, key, notify_json_render(item, ctx));
		return (out);
	}
	if (json_is_array(tmpl)) {
		out = json_array();
		json_array_foreach(tmpl, i, item)
		    json_array_append_new(out, notify_json_render(item, ctx));
		return (out);
	}
	if (!json_is_string(tmpl))
		return (json_deep_copy(tmpl));
	if ((name = notify_sole_placeholder(json_string_value(tmpl), &len)) !=
	    NULL) {
		v = notify_lookup(ctx, name, len);
		return (v != NULL ? json_deep_copy(v) : json_null());
	}
	buf_init(&text, 64);
	notify_template_render(json_string_value(tmpl), ctx, false, &text);
	return (notify_buf_string(&text));
}

/* Every string of a JSON template passes notify_template_check(). */
static bool
notify_json_template_check(const json_t *tmpl, char *why, size_t whylen)
{
	const char *key;
	json_t     *item;
	size_t      i;

	if (json_is_string(tmpl))
		return (notify_template_check(
		    json_string_value(tmpl), why, whylen));
	if (json_is_object(tmpl)) {
		json_object_foreach((json_t *)tmpl, key,
		    item) if (!notify_json_template_check(item, why,
				  whylen)) return (false);
	} else if (json_is_array(tmpl)) {
		json_array_foreach(
		    tmpl, i, item) if (!notify_json_template_check(item, why,
					   whylen)) return (false);
	}
	return (true);
}

/* ---- events and context ---------------------------------------------------- */

static const char *const notify_kinds[][2] = {
    {"alert.firing", "Alert firing"},
    {"alert.escalated", "Alert escalated"},
    {"alert.resolved", "Alert resolved"},
    {"quota.warning", "Quota warning"},
    {"test", "Test notification"},
};

static const char *
notify_kind_label(const char *kind)
{
	size_t i;

	for (i = 0;
	     kind != NULL && i < sizeof(notify_kinds) / sizeof(notify_kinds[0]);
	     i++)
		if (strcmp(kind, notify_kinds[i][0]) == 0)
			return (notify_kinds[i][1]);
	return (NULL);
}

bool
notify_event_id_check(const char *id)
{
	size_t n;

	if (id == NULL || (n = strlen(id)) == 0 || n > NOTIFY_EVENT_ID_MAX)
		return (false);
	return (strspn(id,
		    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789._:-") == n);
}

bool
notify_event_check(const json_t *event, char *why, size_t whylen)
{
	const json_t *v;

	if (!json_is_object(event)) {
		snprintf(why, whylen, "the event must be an object");
		return (false);
	}
	if (notify_kind_label(
		json_string_value(json_object_get(event, "kind"))) == NULL) {
		snprintf(why, whylen,
		    "event.kind must be alert.firing, alert.escalated, "
		    "alert.resolved, quota.warning or test");
		return (false);
	}
	if (((v = json_object_get(event, "rule")) != NULL &&
		!json_is_object(v)) ||
	    ((v = json_object_get(event, "alert")) != NULL &&
		!json_is_object(v))) {
		snprintf(why, whylen, "event.rule and event.alert are objects");
		return (false);
	}
	if (((v = json_object_get(event, "message")) != NULL &&
		!json_is_string(v)) ||
	    ((v = json_object_get(event, "search_url")) != NULL &&
		!json_is_string(v))) {
		snprintf(why, whylen,
		    "event.message and event.search_url are strings");
		return (false);
	}
	return (true);
}

/* public_url + path when path is a local path ("/..."), else the app. */
static json_t *
notify_link(const char *public_url, const char *path)
{
	size_t  n;
	char   *s;
	json_t *out;

	n = strlen(public_url);
	while (n > 0 && public_url[n - 1] == '/')
		n--;
	if (path == NULL || path[0] != '/' || path[1] == '/' ||
	    strchr(path, '\\') != NULL)
		path = "/app";
	s = mem_alloc(n + strlen(path) + 1);
	memcpy(s, public_url, n);
	memcpy(s + n, path, strlen(path) + 1);
	out = json_string(s);
	mem_free(s);
	return (out != NULL ? out : json_string(""));
}

/* A string field of obj, or "" (never NULL). */
static const char *
notify_str(const json_t *obj, const char *key)
{
	const char *s;

	s = json_string_value(json_object_get(obj, key));
	return (s != NULL ? s : "");
}

static json_t *
notify_title(const char *kind, const char *label, const json_t *event)
{
	const char *rule, *sev;
	struct buf  b;

	rule = notify_str(json_object_get(event, "rule"), "name");
	sev = notify_str(json_object_get(event, "rule"), "severity");
	buf_init(&b, 128);
	if (strncmp(kind, "alert.", 6) == 0 && sev[0] != '\0')
		buf_appendf(&b, "[%s] ", sev);
	buf_appends(&b, label);
	if (rule[0] != '\0')
		buf_appendf(&b, ": %s", rule);
	return (notify_buf_string(&b));
}

json_t *
notify_context(const struct notify_context_in *in)
{
	const json_t *rule, *alert, *brand;
	const char   *kind, *name, *color;
	json_t       *ctx;

	kind = notify_str(in->event, "kind");
	rule = json_object_get(in->event, "rule");
	alert = json_object_get(in->event, "alert");
	brand = in->brand;
	name = notify_str(brand, "display_name");
	color = notify_str(brand, "primary_color");
	ctx = json_pack("{s:s, s:s, s:s?, s:o, s:s, s:s, s:o, s:o, s:o, s:s, "
			"s:s, s:s, s:{s:s, s:s, s:s?}, s:O}",
	    "event_id", in->event_id, "kind", kind, "kind_label",
	    notify_kind_label(kind), "title",
	    notify_title(kind,
		notify_kind_label(kind) ? notify_kind_label(kind) : kind,
		in->event),
	    "message", notify_str(in->event, "message"), "severity",
	    notify_str(rule, "severity"), "rule",
	    json_is_object(rule) ? json_deep_copy(rule) : json_object(),
	    "alert",
	    json_is_object(alert) ? json_deep_copy(alert) : json_object(),
	    "search_url",
	    notify_link(in->public_url,
		json_string_value(json_object_get(in->event, "search_url"))),
	    "organization", in->organization ? in->organization : "", "channel",
	    in->channel ? in->channel : "", "time", in->time ? in->time : "",
	    "brand", "name", name[0] != '\0' ? name : "Vigie", "color",
	    color[0] == '#' && strlen(color) == 7 ? color : "#0d6efd",
	    "logo_url", json_string_value(json_object_get(brand, "logo_url")),
	    "event", in->event);
	return (ctx);
}

/* ---- channel configuration ------------------------------------------------- */

static bool
notify_keys_only(
    const json_t *config, const char *const *keys, char *why, size_t whylen)
{
	const char *key;
	json_t     *v;
	size_t      i;

	json_object_foreach((json_t *)config, key, v)
	{
		for (i = 0; keys[i] != NULL; i++)
			if (strcmp(keys[i], key) == 0)
				break;
		if (keys[i] == NULL) {
			snprintf(why, whylen,
			    "config.%.40s is not a field of this channel type",
			    key);
			return (false);
		}
	}
	return (true);
}

/* An optional string template field, bounded; copied into out. */
static bool
notify_config_template(const json_t *config, const char *key, size_t max,
    json_t *out, char *why, size_t whylen)
{
	const json_t *v;
	char          inner[200];

	if ((v = json_object_get(config, key)) == NULL || json_is_null(v))
		return (true);
	if (!json_is_string(v) || json_string_length(v) > max) {
		snprintf(why, whylen,
		    "config.%s must be a string of at most %zu bytes", key,
		    max);
		return (false);
	}
	if (!notify_template_check(
		json_string_value(v), inner, sizeof(inner))) {
		snprintf(why, whylen, "config.%s: %s", key, inner);
		return (false);
	}
	json_object_set(out, key, (json_t *)v);
	return (true);
}

static bool
notify_config_email(const json_t *config, json_t *out, char *why, size_t wl)
{
	static const char *const keys[] = {
	    "to", "subject", "text_template", "html_template", "attach", NULL};
	const json_t *to, *v;
	const char   *attach;
	char          inner[128];
	size_t        i;

	if (!notify_keys_only(config, keys, why, wl))
		return (false);
	to = json_object_get(config, "to");
	if (!json_is_array(to) || json_array_size(to) == 0 ||
	    json_array_size(to) > NOTIFY_EMAIL_TO_MAX) {
		snprintf(why, wl,
		    "config.to must list 1 to %d e-mail addresses",
		    NOTIFY_EMAIL_TO_MAX);
		return (false);
	}
	json_array_foreach(to, i, v)
	{
		if (!json_is_string(v) || json_string_length(v) > 254 ||
		    !validate_email(
			json_string_value(v), inner, sizeof(inner))) {
			snprintf(why, wl, "config.to[%zu] %s", i,
			    json_is_string(v) ? inner : "must be a string");
			return (false);
		}
	}
	json_object_set(out, "to", (json_t *)to);
	attach = json_string_value(json_object_get(config, "attach"));
	if (json_object_get(config, "attach") != NULL &&
	    (attach == NULL ||
		(strcmp(attach, "pdf") != 0 && strcmp(attach, "none") != 0))) {
		snprintf(why, wl, "config.attach must be \"pdf\" or \"none\"");
		return (false);
	}
	json_object_set_new(
	    out, "attach", json_string(attach ? attach : "pdf"));
	return (notify_config_template(
		    config, "subject", NOTIFY_SUBJECT_MAX, out, why, wl) &&
	    notify_config_template(config, "text_template",
		NOTIFY_TEXT_TEMPLATE_MAX, out, why, wl) &&
	    notify_config_template(config, "html_template",
		NOTIFY_HTML_TEMPLATE_MAX, out, why, wl));
}

static bool
notify_config_url(const json_t *config, const json_t *previous,
    const struct netguard_cidrs *allow, json_t *out, char *why, size_t wl)
{
	const json_t *url;
	char          inner[200];

	url = json_object_get(config, "url");
	if (url == NULL && previous != NULL)
		url = json_object_get(previous, "url");
	if (!json_is_string(url)) {
		snprintf(why, wl, "config.url is required");
		return (false);
	}
	if (!netguard_url_check(
		json_string_value(url), allow, NULL, inner, sizeof(inner))) {
		snprintf(why, wl, "config.url: %s", inner);
		return (false);
	}
	json_object_set(out, "url", (json_t *)url);
	return (true);
}

static bool
notify_config_secret(const json_t *config, const json_t *previous, json_t *out,
    char *why, size_t wl)
{
	const json_t *secret;
	const char   *s;
	size_t        i, n;

	secret = json_object_get(config, "secret");
	if (secret == NULL && previous != NULL) {
		secret = json_object_get(previous, "secret");
		/* Kept as stored: sealed (core/seal.h), with its hint. */
		if (seal_is_sealed(json_string_value(secret))) {
			json_object_set(out, "secret", (json_t *)secret);
			if (json_object_get(previous, "secret_hint") != NULL)
				json_object_set(out, "secret_hint",
				    json_object_get(previous, "secret_hint"));
			return (true);
		}
	}
	if (secret == NULL || json_is_null(secret))
		return (true); /* the service makes one */
	s = json_string_value(secret);
	n = s != NULL ? strlen(s) : 0;
	for (i = 0; i < n && s[i] > 0x20 && s[i] < 0x7f; i++)
		;
	if (s == NULL || n < NOTIFY_SECRET_MIN || n > NOTIFY_SECRET_MAX ||
	    i != n || seal_is_sealed(s)) {
		snprintf(why, wl,
		    "config.secret must be %d to %d printable characters",
		    NOTIFY_SECRET_MIN, NOTIFY_SECRET_MAX);
		return (false);
	}
	json_object_set(out, "secret", (json_t *)secret);
	return (true);
}

static bool
notify_config_webhook(const json_t *config, const json_t *previous,
    const struct netguard_cidrs *allow, json_t *out, char *why, size_t wl)
{
	static const char *const keys[] = {"url", "secret", "template", NULL};
	const json_t            *tmpl;
	char                    *dump;
	size_t                   n;

	if (!notify_keys_only(config, keys, why, wl) ||
	    !notify_config_url(config, previous, allow, out, why, wl) ||
	    !notify_config_secret(config, previous, out, why, wl))
		return (false);
	tmpl = json_object_get(config, "template");
	if (tmpl == NULL && previous != NULL && !json_object_get(config, "url"))
		tmpl = json_object_get(previous, "template");
	if (tmpl == NULL || json_is_null(tmpl))
		return (true);
	if (!json_is_object(tmpl)) {
		snprintf(why, wl, "config.template must be a JSON object");
		return (false);
	}
	dump = json_dumps(tmpl, JSON_COMPACT);
	n = dump != NULL ? strlen(dump) : 0;
	free(dump);
	if (n > NOTIFY_JSON_TEMPLATE_MAX) {
		snprintf(why, wl, "config.template is larger than %d bytes",
		    NOTIFY_JSON_TEMPLATE_MAX);
		return (false);
	}
	if (!notify_json_template_check(tmpl, why, wl))
		return (false);
	json_object_set(out, "template", (json_t *)tmpl);
	return (true);
}

json_t *
notify_config_check(enum notify_type type, const json_t *config,
    const json_t *previous, const struct netguard_cidrs *allow, char *why,
    size_t whylen)
{
	static const char *const url_only[] = {"url", NULL};
	json_t                  *out;
	bool                     ok;

	if (!json_is_object(config)) {
		snprintf(why, whylen, "config must be an object");
		return (NULL);
	}
	out = json_object();
	switch (type) {
	case NOTIFY_EMAIL:
		ok = notify_config_email(config, out, why, whylen);
		break;
	case NOTIFY_SLACK:
	case NOTIFY_DISCORD:
	case NOTIFY_TEAMS:
		ok = notify_keys_only(config, url_only, why, whylen) &&
		    notify_config_url(
			config, previous, allow, out, why, whylen);
		break;
	case NOTIFY_WEBHOOK:
		ok = notify_config_webhook(
		    config, previous, allow, out, why, whylen);
		break;
	default:
		snprintf(why, whylen, "unknown channel type");
		ok = false;
	}
	if (!ok) {
		json_decref(out);
		return (NULL);
	}
	return (out);
}

/* "…" and the last four characters of s. */
static json_t *
notify_mask(const char *s, const char *keep_prefix)
{
	struct buf b;
	size_t     n;

	n = strlen(s);
	buf_init(&b, 64);
	if (keep_prefix != NULL)
		buf_appends(&b, keep_prefix);
	buf_appends(&b, "\xe2\x80\xa6");
	if (n > 12)
		buf_appends(&b, s + n - 4);
	return (notify_buf_string(&b));
}

/* The scheme and host of a URL ("https://host/"), for masking. */
static void
notify_url_origin(const char *url, char *out, size_t len)
{
	const char *p;
	size_t      n;

	p = strstr(url, "://");
	p = p != NULL ? p + 3 : url;
	n = (size_t)(p - url) + strcspn(p, "/?#");
	snprintf(out, len, "%.*s/", (int)n, url);
}

json_t *
notify_config_public(enum notify_type type, const json_t *config)
{
	const char *url, *secret;
	char        origin[300];
	json_t     *out;

	out = json_deep_copy(config);
	if (out == NULL)
		return (json_object());
	url = json_string_value(json_object_get(config, "url"));
	if (url != NULL && type != NOTIFY_WEBHOOK) {
		notify_url_origin(url, origin, sizeof(origin));
		json_object_set_new(out, "url", notify_mask(url, origin));
	}
	secret = json_string_value(json_object_get(config, "secret"));
	if (seal_is_sealed(secret)) {
		/* "…" and the last characters noted when it was sealed. */
		json_object_set_new(out, "secret",
		    json_sprintf("\xe2\x80\xa6%s",
			json_string_value(
			    json_object_get(config, "secret_hint"))
			    ?: ""));
	} else if (secret != NULL) {
		json_object_set_new(out, "secret", notify_mask(secret, NULL));
	}
	json_object_del(out, "secret_hint");
	return (out);
}

/* ---- payloads ---------------------------------------------------------------- */

/* The facts shown by chat payloads: label and text, empty ones left out. */
static json_t *
notify_facts(const json_t *ctx)
{
	static const char *const facts[][2] = {
	    {"Rule", "rule.name"},
	    {"Severity", "severity"},
	    {"Value", "alert.value"},
	    {"Threshold", "alert.threshold"},
	    {"Window", "alert.window"},
	    {"Group", "alert.group"},
	    {"Started", "alert.started_at"},
	};
	struct buf b;
	json_t    *out;
	size_t     i;

	out = json_array();
	buf_init(&b, 64);
	for (i = 0; i < sizeof(facts) / sizeof(facts[0]); i++) {
		buf_reset(&b);
		notify_value_text(
		    notify_lookup(ctx, facts[i][1], strlen(facts[i][1])), &b);
		if (b.len == 0)
			continue;
		json_array_append_new(out,
		    json_pack("{s:s, s:s%}", "name", facts[i][0], "value",
			b.data, b.len));
	}
	buf_free(&b);
	return (out);
}

static unsigned
notify_color(const json_t *ctx)
{
	const char *sev, *kind;

	kind = notify_str(ctx, "kind");
	sev = notify_str(ctx, "severity");
	if (strcmp(kind, "alert.resolved") == 0)
		return (0x2e7d32);
	if (strcmp(sev, "critical") == 0)
		return (0xd32f2f);
	if (strcmp(sev, "error") == 0 || strcmp(sev, "high") == 0)
		return (0xe64a19);
	if (strcmp(sev, "warning") == 0 || strcmp(sev, "medium") == 0)
		return (0xf9a825);
	return (0x1976d2);
}

/* Slack's mrkdwn treats &, < and > as markup. */
static json_t *
notify_slack_text(const char *s)
{
	struct buf b;

	buf_init(&b, 64);
	for (; *s != '\0'; s++) {
		if (*s == '&')
			buf_appends(&b, "&amp;");
		else if (*s == '<')
			buf_appends(&b, "&lt;");
		else if (*s == '>')
			buf_appends(&b, "&gt;");
		else
			buf_append(&b, s, 1);
	}
	return (notify_buf_string(&b));
}

static json_t *
notify_payload_slack(const json_t *ctx)
{
	json_t *facts, *fields, *f, *blocks;
	size_t  i;
	char    line[600];

	facts = notify_facts(ctx);
	fields = json_array();
	json_array_foreach(facts, i, f)
	{
		snprintf(line, sizeof(line), "*%s*\n%s", notify_str(f, "name"),
		    notify_str(f, "value"));
		json_array_append_new(fields,
		    json_pack("{s:s, s:o}", "type", "mrkdwn", "text",
			notify_slack_text(line)));
	}
	json_decref(facts);
	blocks = json_pack("[{s:s, s:{s:s, s:s%}}]", "type", "header", "text",
	    "type", "plain_text", "text", notify_str(ctx, "title"),
	    strlen(notify_str(ctx, "title")) > 150
		? (size_t)150
		: strlen(notify_str(ctx, "title")));
	if (notify_str(ctx, "message")[0] != '\0')
		json_array_append_new(blocks,
		    json_pack("{s:s, s:{s:s, s:o}}", "type", "section", "text",
			"type", "mrkdwn", "text",
			notify_slack_text(notify_str(ctx, "message"))));
	if (json_array_size(fields) > 0)
		json_array_append_new(blocks,
		    json_pack(
			"{s:s, s:O}", "type", "section", "fields", fields));
	json_decref(fields);
	json_array_append_new(blocks,
	    json_pack("{s:s, s:[{s:s, s:{s:s, s:s}, s:s}]}", "type", "actions",
		"elements", "type", "button", "text", "type", "plain_text",
		"text", "Open the search", "url",
		notify_str(ctx, "search_url")));
	return (json_pack(
	    "{s:s, s:o}", "text", notify_str(ctx, "title"), "blocks", blocks));
}

static json_t *
notify_payload_discord(const json_t *ctx)
{
	json_t *facts, *f;
	size_t  i;

	facts = notify_facts(ctx);
	json_array_foreach(facts, i, f)
	    json_object_set_new(f, "inline", json_true());
	return (json_pack("{s:s, s:{s:[]}, s:[{s:s%, s:s%, s:s, s:i, s:o, "
			  "s:{s:s}, s:s?}]}",
	    "username", notify_str(json_object_get(ctx, "brand"), "name"),
	    "allowed_mentions", "parse", "embeds", "title",
	    notify_str(ctx, "title"),
	    strlen(notify_str(ctx, "title")) > 256
		? (size_t)256
		: strlen(notify_str(ctx, "title")),
	    "description", notify_str(ctx, "message"),
	    strlen(notify_str(ctx, "message")) > 4000
		? (size_t)4000
		: strlen(notify_str(ctx, "message")),
	    "url", notify_str(ctx, "search_url"), "color",
	    (int)notify_color(ctx), "fields", facts, "footer", "text",
	    notify_str(ctx, "event_id"), "timestamp",
	    notify_str(ctx, "time")[0] ? notify_str(ctx, "time") : NULL));
}

static json_t *
notify_payload_teams(const json_t *ctx)
{
	json_t *facts, *f, *body;
	size_t  i;

	facts = notify_facts(ctx);
	json_array_foreach(facts, i, f)
	{
		json_object_set(f, "title", json_object_get(f, "name"));
		json_object_del(f, "name");
	}
	body = json_pack("[{s:s, s:s, s:s, s:s, s:b, s:s}]", "type",
	    "TextBlock", "size", "Large", "weight", "Bolder", "text",
	    notify_str(ctx, "title"), "wrap", 1, "color",
	    strcmp(notify_str(ctx, "kind"), "alert.resolved") == 0
		? "Good"
		: "Attention");
	if (notify_str(ctx, "message")[0] != '\0')
		json_array_append_new(body,
		    json_pack("{s:s, s:s, s:b}", "type", "TextBlock", "text",
			notify_str(ctx, "message"), "wrap", 1));
	json_array_append_new(
	    body, json_pack("{s:s, s:o}", "type", "FactSet", "facts", facts));
	return (json_pack("{s:s, s:[{s:s, s:n, s:{s:s, s:s, s:s, s:o, "
			  "s:[{s:s, s:s, s:s}]}}]}",
	    "type", "message", "attachments", "contentType",
	    "application/vnd.microsoft.card.adaptive", "contentUrl", "content",
	    "$schema", "http://adaptivecards.io/schemas/adaptive-card.json",
	    "type", "AdaptiveCard", "version", "1.4", "body", body, "actions",
	    "type", "Action.OpenUrl", "title", "Open the search", "url",
	    notify_str(ctx, "search_url")));
}

static json_t *
notify_payload_generic(const json_t *ctx)
{
	return (json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O}",
	    "event_id", json_object_get(ctx, "event_id"), "kind",
	    json_object_get(ctx, "kind"), "title",
	    json_object_get(ctx, "title"), "message",
	    json_object_get(ctx, "message"), "severity",
	    json_object_get(ctx, "severity"), "rule",
	    json_object_get(ctx, "rule"), "alert",
	    json_object_get(ctx, "alert"), "search_url",
	    json_object_get(ctx, "search_url"), "organization",
	    json_object_get(ctx, "organization"), "time",
	    json_object_get(ctx, "time")));
}

json_t *
notify_payload(
    enum notify_type type, const json_t *ctx, const json_t *custom_template)
{
	switch (type) {
	case NOTIFY_SLACK:
		return (notify_payload_slack(ctx));
	case NOTIFY_DISCORD:
		return (notify_payload_discord(ctx));
	case NOTIFY_TEAMS:
		return (notify_payload_teams(ctx));
	case NOTIFY_WEBHOOK:
		if (json_is_object(custom_template))
			return (notify_json_render(custom_template, ctx));
		return (notify_payload_generic(ctx));
	default:
		return (NULL);
	}
}

/* ---- signature and delays ------------------------------------------------------ */

void
notify_sign(const char *secret, long timestamp, const char *body, size_t len,
    char out[NOTIFY_SIG_HEX_LEN + 1])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int  maclen, i;
	struct buf    msg;

	buf_init(&msg, len + 32);
	buf_appendf(&msg, "%ld.", timestamp);
	buf_append(&msg, body, len);
	maclen = 0;
	if (HMAC(EVP_sha256(), secret, (int)strlen(secret),
		(const unsigned char *)msg.data, msg.len, mac,
		&maclen) == NULL ||
	    maclen != 32)
		abort(); /* OpenSSL out of memory: one policy, as mem.c */
	buf_free(&msg);
	for (i = 0; i < maclen; i++)
		snprintf(out + 2 * i, 3, "%02x", mac[i]);
}

long
notify_backoff_ms(long attempt, long base, long max, uint32_t rnd)
{
	long d;

	if (base < 1)
		base = 1;
	if (max < base)
		max = base;
	d = base;
	while (attempt-- > 1 && d < max)
		d = d > max / 2 ? max : d * 2;
	if (d > max)
		d = max;
	return (d - d / 2 + (long)(rnd % (uint32_t)(d / 2 + 1)));
}
