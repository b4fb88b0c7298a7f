/*
 * libFuzzer target: notification templates and payloads, which take
 * text from tenants (templates) and from events (values). The input is
 * split at the first NUL: a template, then a value put into the event
 * (as the rule name and the message). Whatever the input: a template
 * the check accepts renders in text and HTML mode, HTML output never
 * contains '<' from a value, a JSON template renders to JSON, every
 * payload dumps, and encoded mail words decode to nothing unsafe.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/notify_mail.h"
#include "core/notify_render.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static json_t *
fuzz_context(const char *value)
{
	struct notify_context_in in;
	json_t                  *event, *ctx;

	event = json_pack("{s:s, s:{s:s?, s:s}, s:{s:i, s:s?}, s:s?, s:s?}",
	    "kind", "alert.firing", "rule", "name", value, "severity",
	    "critical", "alert", "value", 3, "group", value, "message", value,
	    "search_url", value);
	if (event == NULL) /* value is not UTF-8 */
		event = json_pack("{s:s}", "kind", "test");
	memset(&in, 0, sizeof(in));
	in.event = event;
	in.event_id = "fuzz";
	in.public_url = "https://vigie.example";
	in.organization = "o";
	ctx = notify_context(&in);
	json_decref(event);
	return (ctx);
}

static void
fuzz_template(const char *tmpl, const json_t *ctx, bool value_has_lt)
{
	struct buf b;
	char       why[256];

	why[0] = '\0';
	if (!notify_template_check(tmpl, why, sizeof(why))) {
		if (why[0] == '\0')
			abort();
		return;
	}
	buf_init(&b, 64);
	notify_template_render(tmpl, ctx, false, &b);
	buf_reset(&b);
	notify_template_render(tmpl, ctx, true, &b);
	/* Escaped: a '<' in the output comes from the template only. */
	if (value_has_lt && strchr(tmpl, '<') == NULL &&
	    strchr(b.data, '<') != NULL)
		abort();
	buf_free(&b);
}

static void
fuzz_payloads(const char *tmpl, const json_t *ctx)
{
	json_t *custom, *p;
	char   *dump;
	int     t;

	custom = json_loads(tmpl, JSON_DECODE_ANY, NULL);
	for (t = NOTIFY_SLACK; t < NOTIFY_TYPE_COUNT; t++) {
		p = notify_payload((enum notify_type)t, ctx, custom);
		if (p == NULL)
			abort();
		dump = json_dumps(p, JSON_COMPACT | JSON_ENCODE_ANY);
		if (dump == NULL)
			abort();
		free(dump);
		json_decref(p);
	}
	json_decref(custom);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf b;
	json_t    *ctx;
	char      *text, *value;
	size_t     n;

	if (size > 8192)
		return (0);
	text = malloc(size + 2);
	if (text == NULL)
		return (0);
	memcpy(text, data, size);
	text[size] = '\0';
	text[size + 1] = '\0';
	n = strlen(text);
	value = text + n + (n < size ? 1 : 0);
	ctx = fuzz_context(value);
	fuzz_template(text, ctx, strchr(value, '<') != NULL);
	fuzz_payloads(text, ctx);
	buf_init(&b, 64);
	notify_mail_encode_words(text, &b);
	if (strchr(b.data, '\r') != NULL && strstr(b.data, "\r\n ") == NULL)
		abort();
	buf_free(&b);
	json_decref(ctx);
	free(text);
	return (0);
}
