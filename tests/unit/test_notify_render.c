/*
 * What notifications say: templates, the render context, channel
 * configurations and their public view, the chat and generic payloads,
 * the webhook signature, retry delays, the MIME message and the PDF.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "core/netguard.h"
#include "core/notify_mail.h"
#include "core/notify_pdf.h"
#include "core/notify_render.h"

static json_t *
parse(const char *text)
{
	json_error_t e;
	json_t      *v;

	v = json_loads(text, 0, &e);
	if (v == NULL)
		fail_msg("bad JSON in test: %s", e.text);
	return (v);
}

static json_t *
sample_event(void)
{
	return (parse("{\"kind\":\"alert.firing\",\"rule\":{\"id\":\"r1\","
		      "\"name\":\"Errors <5xx>\",\"severity\":\"critical\"},"
		      "\"alert\":{\"id\":\"a1\",\"group\":\"svc=api\","
		      "\"value\":42,\"threshold\":10.5,\"window\":\"5m\","
		      "\"started_at\":\"2026-11-21T08:00:00Z\"},"
		      "\"search_url\":\"/app/search?q=a&b=c\","
		      "\"message\":\"42 errors & more\"}"));
}

static json_t *
sample_context(const json_t *brand)
{
	struct notify_context_in in;
	json_t                  *event, *ctx;

	event = sample_event();
	memset(&in, 0, sizeof(in));
	in.event = event;
	in.event_id = "ev-1";
	in.public_url = "https://vigie.example.com/";
	in.brand = brand;
	in.organization = "Acme";
	in.channel = "ops";
	in.time = "2026-11-21T08:01:00Z";
	ctx = notify_context(&in);
	json_decref(event);
	return (ctx);
}

static char *
render(const char *tmpl, const json_t *ctx, bool html)
{
	struct buf b;

	buf_init(&b, 64);
	notify_template_render(tmpl, ctx, html, &b);
	return (buf_release(&b));
}

static void
test_types(void **state)
{
	enum notify_type t;

	(void)state;
	assert_true(notify_type_parse("slack", &t));
	assert_int_equal(t, NOTIFY_SLACK);
	assert_string_equal(notify_type_name(NOTIFY_WEBHOOK), "webhook");
	assert_false(notify_type_parse("Slack", &t));
	assert_false(notify_type_parse(NULL, &t));
	assert_false(notify_type_parse("", &t));
}

static void
test_template_check(void **state)
{
	static const char *good[] = {"", "plain", "{{title}}",
	    "{{ rule.name }} at {{alert.value}}", "{ {x} }", "a {{event}} b",
	    "}}{{kind}}"};
	static const char *bad[] = {"{{", "{{title", "{{nope}}", "{{}}",
	    "{{rule.name.x}}", "{{rule name}}", "{{ }}", "{{title}} {{",
	    "{{__proto__}}"};
	char               why[256];
	size_t             i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!notify_template_check(good[i], why, sizeof(why)))
			fail_msg("refused %s: %s", good[i], why);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		if (notify_template_check(bad[i], why, sizeof(why)))
			fail_msg("accepted %s", bad[i]);
		assert_true(why[0] != '\0');
	}
}

static void
test_context_and_render(void **state)
{
	json_t *ctx;
	char   *s;

	(void)state;
	ctx = sample_context(NULL);
	s = render("{{title}}|{{alert.value}}|{{alert.threshold}}|"
		   "{{search_url}}|{{brand.name}}|{{brand.color}}|{{nope}}|"
		   "{{ kind_label }}",
	    ctx, false);
	assert_string_equal(s,
	    "[critical] Alert firing: Errors <5xx>|42|10.5|"
	    "https://vigie.example.com/app/search?q=a&b=c|Vigie|#0d6efd||"
	    "Alert firing");
	free(s);
	s = render("<p>{{rule.name}} {{message}}</p>", ctx, true);
	assert_string_equal(
	    s, "<p>Errors &lt;5xx&gt; 42 errors &amp; more</p>");
	free(s);
	s = render("{{alert}}", ctx, false);
	assert_non_null(strstr(s, "\"threshold\":10.5"));
	free(s);
	s = render("open {{title", ctx, false);
	assert_string_equal(s, "open {{title");
	free(s);
	json_decref(ctx);
}

static void
test_links_stay_on_the_platform(void **state)
{
	static const char *paths[][2] = {
	    {"\"/app/search?q=x\"", "https://v.example/app/search?q=x"},
	    {"\"//evil.example/x\"", "https://v.example/app"},
	    {"\"https://evil.example/\"", "https://v.example/app"},
	    {"\"/\\\\evil.example\"", "https://v.example/app"},
	    {"null", "https://v.example/app"},
	};
	struct notify_context_in in;
	json_t                  *event, *ctx;
	char                     text[256];
	size_t                   i;

	(void)state;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		snprintf(text, sizeof(text),
		    "{\"kind\":\"test\",\"search_url\":%s}", paths[i][0]);
		event = parse(text);
		if (json_is_null(json_object_get(event, "search_url")))
			json_object_del(event, "search_url");
		memset(&in, 0, sizeof(in));
		in.event = event;
		in.event_id = "e";
		in.public_url = "https://v.example";
		ctx = notify_context(&in);
		assert_string_equal(
		    json_string_value(json_object_get(ctx, "search_url")),
		    paths[i][1]);
		assert_string_equal(
		    json_string_value(json_object_get(ctx, "title")),
		    "Test notification");
		json_decref(ctx);
		json_decref(event);
	}
}

static void
test_brand(void **state)
{
	json_t *brand, *ctx;
	char   *s;

	(void)state;
	brand = parse("{\"display_name\":\"Acme Ops\",\"primary_color\":"
		      "\"#aa3300\"}");
	ctx = sample_context(brand);
	s = render("{{brand.name}} {{brand.color}}", ctx, false);
	assert_string_equal(s, "Acme Ops #aa3300");
	free(s);
	json_decref(ctx);
	json_decref(brand);
	brand = parse("{\"primary_color\":\"red\"}");
	ctx = sample_context(brand);
	s = render("{{brand.color}}", ctx, false);
	assert_string_equal(s, "#0d6efd");
	free(s);
	json_decref(ctx);
	json_decref(brand);
}

static void
test_json_template(void **state)
{
	json_t *ctx, *tmpl, *out;

	(void)state;
	ctx = sample_context(NULL);
	tmpl =
	    parse("{\"v\":\"{{alert.value}}\",\"t\":\"{{ alert.threshold "
		  "}}\",\"s\":\"v={{alert.value}}\",\"n\":\"{{alert.nope}}\","
		  "\"list\":[\"{{event_id}}\",1,true,null],"
		  "\"{{kind}}\":\"key kept\"}");
	out = notify_json_render(tmpl, ctx);
	assert_int_equal(json_integer_value(json_object_get(out, "v")), 42);
	assert_true(json_real_value(json_object_get(out, "t")) == 10.5);
	assert_string_equal(
	    json_string_value(json_object_get(out, "s")), "v=42");
	assert_true(json_is_null(json_object_get(out, "n")));
	assert_string_equal(
	    json_string_value(json_array_get(json_object_get(out, "list"), 0)),
	    "ev-1");
	assert_non_null(json_object_get(out, "{{kind}}"));
	json_decref(out);
	json_decref(tmpl);
	json_decref(ctx);
}

static json_t *
config_ok(enum notify_type t, const char *text, const json_t *previous,
    const struct netguard_cidrs *allow)
{
	json_t *in, *out;
	char    why[256];

	in = parse(text);
	out = notify_config_check(t, in, previous, allow, why, sizeof(why));
	if (out == NULL)
		fail_msg("refused %s: %s", text, why);
	json_decref(in);
	return (out);
}

static void
config_bad(enum notify_type t, const char *text, const char *words)
{
	json_t *in, *out;
	char    why[256];

	in = parse(text);
	why[0] = '\0';
	out = notify_config_check(t, in, NULL, NULL, why, sizeof(why));
	if (out != NULL)
		fail_msg("accepted %s", text);
	if (strstr(why, words) == NULL)
		fail_msg("%s: \"%s\" lacks \"%s\"", text, why, words);
	json_decref(in);
}

static void
test_config_check(void **state)
{
	struct netguard_cidrs allow;
	json_t               *c, *c2;
	char                  err[128];

	(void)state;
	c = config_ok(NOTIFY_EMAIL, "{\"to\":[\"a@example.com\"]}", NULL, NULL);
	assert_string_equal(
	    json_string_value(json_object_get(c, "attach")), "pdf");
	json_decref(c);
	config_bad(NOTIFY_EMAIL, "{\"to\":\"a@example.com\"}", "config.to");
	config_bad(
	    NOTIFY_EMAIL, "{\"to\":[\"a@example.com\",\"b\"]}", "config.to[1]");
	config_bad(NOTIFY_EMAIL, "{\"to\":[\"a@example.com\"],\"cc\":[]}",
	    "config.cc");
	config_bad(NOTIFY_EMAIL,
	    "{\"to\":[\"a@example.com\"],\"html_template\":\"{{x}}\"}",
	    "html_template");
	config_bad(NOTIFY_SLACK, "{}", "config.url");
	config_bad(NOTIFY_SLACK, "{\"url\":\"http://10.1.1.1/\"}", "private");
	config_bad(NOTIFY_TEAMS, "{\"url\":\"gopher://x/\"}", "http");
	config_bad(NOTIFY_WEBHOOK,
	    "{\"url\":\"https://x.example/\",\"secret\":\"has space "
	    "inside it\"}",
	    "secret");
	config_bad(NOTIFY_WEBHOOK,
	    "{\"url\":\"https://x.example/\",\"template\":[1]}", "object");
	config_bad(NOTIFY_WEBHOOK, "[]", "object");

	assert_true(
	    netguard_cidrs_parse("10.0.0.0/8", &allow, err, sizeof(err)));
	c = config_ok(
	    NOTIFY_SLACK, "{\"url\":\"http://10.1.1.1/\"}", NULL, &allow);
	json_decref(c);

	/* An update without the secret keeps the stored one. */
	c = config_ok(NOTIFY_WEBHOOK,
	    "{\"url\":\"https://x.example/\",\"secret\":"
	    "\"0123456789abcdefXYZ\",\"template\":{\"a\":\"{{title}}\"}}",
	    NULL, NULL);
	c2 = config_ok(
	    NOTIFY_WEBHOOK, "{\"url\":\"https://y.example/\"}", c, NULL);
	assert_string_equal(json_string_value(json_object_get(c2, "secret")),
	    "0123456789abcdefXYZ");
	assert_null(json_object_get(c2, "template"));
	json_decref(c2);
	c2 = config_ok(NOTIFY_WEBHOOK, "{\"template\":{\"b\":1}}", c, NULL);
	assert_string_equal(json_string_value(json_object_get(c2, "url")),
	    "https://x.example/");
	json_decref(c2);
	json_decref(c);
}

static void
test_config_public_masks(void **state)
{
	json_t     *c, *pub;
	const char *s;

	(void)state;
	c = parse("{\"url\":\"https://hooks.slack.com/services/T0/B0/"
		  "abcdefghSECRET\"}");
	pub = notify_config_public(NOTIFY_SLACK, c);
	s = json_string_value(json_object_get(pub, "url"));
	assert_non_null(strstr(s, "https://hooks.slack.com/"));
	assert_null(strstr(s, "abcdefgh"));
	assert_non_null(strstr(s, "CRET"));
	json_decref(pub);
	json_decref(c);
	c = parse("{\"url\":\"https://x.example/h\",\"secret\":"
		  "\"whsec_0123456789abcdefgh\"}");
	pub = notify_config_public(NOTIFY_WEBHOOK, c);
	assert_string_equal(json_string_value(json_object_get(pub, "url")),
	    "https://x.example/h");
	s = json_string_value(json_object_get(pub, "secret"));
	assert_null(strstr(s, "0123456789"));
	assert_non_null(strstr(s, "efgh"));
	json_decref(pub);
	json_decref(c);
}

static void
test_payloads(void **state)
{
	json_t *ctx, *p, *custom;
	char   *dump;

	(void)state;
	ctx = sample_context(NULL);
	p = notify_payload(NOTIFY_SLACK, ctx, NULL);
	dump = json_dumps(p, JSON_COMPACT);
	assert_non_null(strstr(dump, "Errors &lt;5xx&gt;"));
	assert_non_null(strstr(dump, "\"type\":\"header\""));
	free(dump);
	json_decref(p);
	p = notify_payload(NOTIFY_DISCORD, ctx, NULL);
	assert_int_equal(
	    json_integer_value(json_object_get(
		json_array_get(json_object_get(p, "embeds"), 0), "color")),
	    0xd32f2f);
	assert_int_equal(json_array_size(json_object_get(
			     json_object_get(p, "allowed_mentions"), "parse")),
	    0);
	json_decref(p);
	p = notify_payload(NOTIFY_TEAMS, ctx, NULL);
	dump = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(strstr(dump, "AdaptiveCard"));
	assert_non_null(strstr(dump, "{\"title\":\"Value\",\"value\":\"42\"}"));
	free(dump);
	json_decref(p);
	p = notify_payload(NOTIFY_WEBHOOK, ctx, NULL);
	assert_string_equal(
	    json_string_value(json_object_get(p, "event_id")), "ev-1");
	assert_null(json_object_get(p, "brand"));
	json_decref(p);
	custom = parse("{\"only\":\"{{rule.name}}\"}");
	p = notify_payload(NOTIFY_WEBHOOK, ctx, custom);
	assert_int_equal(json_object_size(p), 1);
	json_decref(p);
	json_decref(custom);
	assert_null(notify_payload(NOTIFY_EMAIL, ctx, NULL));
	json_decref(ctx);
}

static void
test_signature(void **state)
{
	char sig[NOTIFY_SIG_HEX_LEN + 1];

	(void)state;
	/* python: hmac.new(key, b"1700000000." + body, sha256).hexdigest() */
	notify_sign("whsec_unit_test_secret", 1700000000L, "{\"a\":1}", 7, sig);
	assert_string_equal(sig,
	    "7ea0afde7a1ec3ea80f2fe217cb4956c5acf4ab6fd3866e9cad0d2d663ded720");
	notify_sign("whsec_unit_test_secret", 1700000001L, "{\"a\":1}", 7, sig);
	assert_string_not_equal(sig,
	    "7ea0afde7a1ec3ea80f2fe217cb4956c5acf4ab6fd3866e9cad0d2d663ded720");
}

static void
test_backoff(void **state)
{
	long a, d, prev;

	(void)state;
	assert_int_equal(notify_backoff_ms(1, 1000, 60000, 0), 500);
	assert_int_equal(notify_backoff_ms(1, 1000, 60000, 500), 1000);
	assert_int_equal(notify_backoff_ms(3, 1000, 60000, 0xffffffffu),
	    2000 + (long)(0xffffffffu % 2001u));
	prev = 0;
	for (a = 1; a < 200; a++) {
		d = notify_backoff_ms(a, 1000, 60000, (uint32_t)a * 7919u);
		assert_true(d >= 500 && d <= 60000);
		assert_true(notify_backoff_ms(a, 1000, 60000, 0) >= prev);
		prev = notify_backoff_ms(a, 1000, 60000, 0);
	}
	assert_int_equal(notify_backoff_ms(1000, 1000, 60000, 0), 30000);
	assert_int_equal(notify_backoff_ms(40, 3600000, 86400000, 0), 43200000);
	assert_true(notify_backoff_ms(5, 0, 0, 0) >= 0);
}

static void
test_events(void **state)
{
	json_t *e;
	char    why[256];

	(void)state;
	assert_true(notify_event_id_check("alert:64b7.1-2_x"));
	assert_false(notify_event_id_check(""));
	assert_false(notify_event_id_check("a b"));
	assert_false(notify_event_id_check("a/b"));
	assert_false(notify_event_id_check(NULL));
	e = sample_event();
	assert_true(notify_event_check(e, why, sizeof(why)));
	json_object_set_new(e, "kind", json_string("alert.exploded"));
	assert_false(notify_event_check(e, why, sizeof(why)));
	json_object_set_new(e, "kind", json_string("quota.warning"));
	json_object_set_new(e, "rule", json_string("x"));
	assert_false(notify_event_check(e, why, sizeof(why)));
	json_decref(e);
	assert_false(notify_event_check(NULL, why, sizeof(why)));
}

/* Decodes every "=?UTF-8?B?...?=" word of s and checks each is UTF-8. */
static void
words_decode(const char *s, char *out, size_t outlen)
{
	const char   *p, *end;
	unsigned char raw[128];
	int           n;
	size_t        off;

	off = 0;
	for (p = s; (p = strstr(p, "=?UTF-8?B?")) != NULL; p = end + 2) {
		p += 10;
		end = strstr(p, "?=");
		assert_non_null(end);
		n = EVP_DecodeBlock(
		    raw, (const unsigned char *)p, (int)(end - p));
		assert_true(n >= 0);
		while (n > 0 && end[-1] == '=' && raw[n - 1] == 0) {
			n--;
			end--;
		}
		end = strstr(p, "?=");
		/* A word never ends inside a UTF-8 sequence. */
		assert_false(n > 0 && (raw[n - 1] & 0xc0) == 0xc0);
		assert_true(off + (size_t)n < outlen);
		memcpy(out + off, raw, (size_t)n);
		off += (size_t)n;
	}
	out[off] = '\0';
}

static void
test_mail(void **state)
{
	struct notify_mail m;
	struct buf         b;
	json_t            *to;
	const char        *subject;
	char               decoded[512], *line, *save;

	(void)state;
	subject = "Alerte \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		  "\xc3\xa9\xc3\xa9\xc3\xa9 \xe2\x82\xac done\r\nBcc: x@y";
	to = parse("[\"a@example.com\",\"b@example.com\"]");
	memset(&m, 0, sizeof(m));
	m.from = "alerts@vigie.test";
	m.from_name = "Acme\r\nX-Evil: 1";
	m.to = to;
	m.subject = subject;
	m.text = "hello\n.\nworld";
	m.html = "<p>hi</p>";
	m.date = "Sat, 21 Nov 2026 08:00:00 +0000";
	m.message_id = "ev-1.ch@vigie";
	m.event_id = "ev-1";
	m.boundary = "vigieB0UNDARY";
	m.attachment = "%PDF-1.4 fake";
	m.attachment_len = 13;
	m.attachment_name = "a.pdf";
	m.attachment_type = "application/pdf";
	buf_init(&b, 1024);
	notify_mail_build(&m, &b);
	assert_non_null(strstr(b.data,
	    "\r\nTo: <a@example.com>,\r\n "
	    "<b@example.com>\r\n"));
	assert_null(strstr(b.data, "\r\nBcc:"));
	assert_null(strstr(b.data, "\r\nX-Evil:"));
	assert_non_null(strstr(b.data, "Message-ID: <ev-1.ch@vigie>\r\n"));
	assert_non_null(strstr(b.data, "X-Vigie-Event-Id: ev-1\r\n"));
	assert_non_null(strstr(b.data, "--vigieB0UNDARY-alt--\r\n"));
	assert_non_null(strstr(b.data, "filename=\"a.pdf\""));
	assert_non_null(strstr(b.data, "JVBERi0xLjQgZmFrZQ==")); /* base64 */
	assert_non_null(strstr(b.data, "aGVsbG8KLgp3b3JsZA==")); /* text */
	assert_true(b.len > 4 &&
	    strcmp(b.data + b.len - 19, "--vigieB0UNDARY--\r\n") == 0);
	/* The subject decodes back, controls turned to spaces. */
	line = strstr(b.data, "Subject: ");
	assert_non_null(line);
	*strstr(line, "\r\nDate:") = '\0';
	words_decode(line, decoded, sizeof(decoded));
	assert_non_null(strstr(decoded, "\xe2\x82\xac done  Bcc: x@y"));
	assert_int_equal(strncmp(decoded, "Alerte \xc3\xa9", 9), 0);
	/* Every line is short. */
	for (line =
		 strtok_r(strstr(line + strlen(line) + 1, "\n"), "\n", &save);
	     line != NULL; line = strtok_r(NULL, "\n", &save))
		assert_true(strlen(line) <= 998);
	buf_free(&b);
	json_decref(to);
}

/* An inline image: alternatives within a related part, named by cid. */
static void
test_mail_inline_image(void **state)
{
	struct notify_mail m;
	struct buf         b;
	json_t            *to;
	const char        *p, *alt, *img, *end_rel, *att;

	(void)state;
	to = parse("[\"a@example.com\"]");
	memset(&m, 0, sizeof(m));
	m.from = "alerts@vigie.test";
	m.to = to;
	m.subject = "s";
	m.text = "t";
	m.html = "<img src=\"cid:logo@vigie\">";
	m.date = "Sat, 21 Nov 2026 08:00:00 +0000";
	m.message_id = "m@vigie";
	m.event_id = "e";
	m.boundary = "vigieB";
	m.attachment = "%PDF";
	m.attachment_len = 4;
	m.attachment_name = "a.pdf";
	m.attachment_type = "application/pdf";
	m.inline_image = "\x89PNG";
	m.inline_len = 4;
	m.inline_type = "image/png";
	m.inline_cid = "logo@vigie\r\nBcc: x";
	buf_init(&b, 1024);
	notify_mail_build(&m, &b);
	p = strstr(b.data,
	    "--vigieB\r\nContent-Type: multipart/related; "
	    "type=\"multipart/alternative\"; "
	    "boundary=\"vigieB-rel\"");
	alt = strstr(b.data,
	    "--vigieB-rel\r\nContent-Type: "
	    "multipart/alternative; boundary=\"vigieB-alt\"");
	img = strstr(b.data, "--vigieB-rel\r\nContent-Type: image/png\r\n");
	end_rel = strstr(b.data, "--vigieB-rel--\r\n");
	att = strstr(b.data, "--vigieB\r\nContent-Type: application/pdf");
	assert_non_null(p);
	assert_true(p < alt && alt < img && img < end_rel && end_rel < att);
	assert_non_null(strstr(img,
	    "Content-ID: <logo@vigie  Bcc: x>\r\n"
	    "Content-Disposition: inline\r\n"));
	assert_null(strstr(b.data, "\r\nBcc:"));
	assert_non_null(strstr(img, "iVBORw==")); /* the image, base64 */
	/* Without an HTML part there is nothing to show it in: no part. */
	buf_reset(&b);
	m.html = NULL;
	notify_mail_build(&m, &b);
	assert_null(strstr(b.data, "multipart/related"));
	assert_null(strstr(b.data, "Content-ID"));
	buf_free(&b);
	json_decref(to);
}

static void
test_pdf(void **state)
{
	struct buf b;
	json_t    *ctx, *alert, *series;
	char       err[256];
	int        i;

	(void)state;
	ctx = sample_context(NULL);
	buf_init(&b, 4096);
	assert_true(notify_pdf_chart(ctx, &b, err, sizeof(err)));
	assert_true(b.len > 500);
	assert_memory_equal(b.data, "%PDF-", 5);
	buf_reset(&b);
	/* A series (more than the cap), odd text and no threshold. */
	alert = json_object_get(ctx, "alert");
	series = json_array();
	for (i = 0; i < NOTIFY_PDF_POINTS_MAX + 50; i++)
		json_array_append_new(series,
		    i % 3 ? json_pack("{s:s, s:i}", "t", "2026-11-21T08:00Z",
				"count", i)
			  : json_integer(i));
	json_object_set_new(alert, "series", series);
	json_object_del(alert, "threshold");
	json_object_set_new(ctx, "title",
	    json_string("\xe2\x82\xac \xf0\x9f\x94\xa5 caf\xc3\xa9 \xff"));
	assert_true(notify_pdf_chart(ctx, &b, err, sizeof(err)));
	assert_memory_equal(b.data, "%PDF-", 5);
	buf_reset(&b);
	/* No figures at all. */
	json_object_clear(alert);
	assert_true(notify_pdf_chart(ctx, &b, err, sizeof(err)));
	buf_free(&b);
	json_decref(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_types),
	    cmocka_unit_test(test_template_check),
	    cmocka_unit_test(test_context_and_render),
	    cmocka_unit_test(test_links_stay_on_the_platform),
	    cmocka_unit_test(test_brand),
	    cmocka_unit_test(test_json_template),
	    cmocka_unit_test(test_config_check),
	    cmocka_unit_test(test_config_public_masks),
	    cmocka_unit_test(test_payloads),
	    cmocka_unit_test(test_signature),
	    cmocka_unit_test(test_backoff),
	    cmocka_unit_test(test_events),
	    cmocka_unit_test(test_mail),
	    cmocka_unit_test(test_mail_inline_image),
	    cmocka_unit_test(test_pdf),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
