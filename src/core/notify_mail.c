#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/mem.h"
#include "core/notify_mail.h"

#define MAIL_B64_LINE 57 /* input bytes per 76-column base64 line */
#define MAIL_WORD_RAW 45 /* input bytes per encoded word (60 columns) */

/* A header value with every control character turned into a space. */
static char *
notify_mail_clean(const char *s)
{
	char  *out;
	size_t i;

	out = mem_strdup(s != NULL ? s : "");
	for (i = 0; out[i] != '\0'; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = ' ';
	return (out);
}

static void
notify_mail_b64(const unsigned char *in, size_t n, struct buf *out)
{
	unsigned char line[80];
	int           len;

	len = EVP_EncodeBlock(line, in, (int)n);
	buf_append(out, line, (size_t)len);
}

void
notify_mail_encode_words(const char *s, struct buf *out)
{
	size_t len, off, take;
	char  *clean;

	clean = notify_mail_clean(s);
	len = strlen(clean);
	for (off = 0; off < len || off == 0; off += take) {
		take = len - off > MAIL_WORD_RAW ? MAIL_WORD_RAW : len - off;
		/* Never split a UTF-8 sequence between two words. */
		while (take > 0 && off + take < len &&
		    ((unsigned char)clean[off + take] & 0xc0) == 0x80)
			take--;
		if (take == 0 && len > 0)
			take = len - off < MAIL_WORD_RAW ? len - off
							 : MAIL_WORD_RAW;
		if (off > 0)
			buf_appends(out, "\r\n ");
		buf_appends(out, "=?UTF-8?B?");
		notify_mail_b64((const unsigned char *)clean + off, take, out);
		buf_appends(out, "?=");
		if (len == 0)
			break;
	}
	mem_free(clean);
}

/* A body in base64, 76-column lines. */
static void
notify_mail_body(const void *data, size_t len, struct buf *out)
{
	const unsigned char *p = data;
	size_t               off, take;

	for (off = 0; off < len; off += take) {
		take = len - off > MAIL_B64_LINE ? MAIL_B64_LINE : len - off;
		notify_mail_b64(p + off, take, out);
		buf_appends(out, "\r\n");
	}
}

static void
notify_mail_part(struct buf *out, const char *boundary, const char *type,
    const void *data, size_t len, const char *filename, const char *cid)
{
	char *name;

	buf_appendf(out, "--%s\r\nContent-Type: %s\r\n", boundary, type);
	buf_appends(out, "Content-Transfer-Encoding: base64\r\n");
	if (cid != NULL) {
		name = notify_mail_clean(cid);
		buf_appendf(out,
		    "Content-ID: <%s>\r\nContent-Disposition: inline\r\n",
		    name);
		mem_free(name);
	}
	if (filename != NULL) {
		name = notify_mail_clean(filename);
		buf_appendf(out,
		    "Content-Disposition: attachment; filename=\"%s\"\r\n",
		    strchr(name, '"') == NULL ? name : "attachment");
		mem_free(name);
	}
	buf_appends(out, "\r\n");
	notify_mail_body(data, len, out);
}

static void
notify_mail_headers(const struct notify_mail *m, struct buf *out)
{
	const json_t *v;
	char         *clean;
	size_t        i;

	buf_appends(out, "From: ");
	if (m->from_name != NULL && m->from_name[0] != '\0') {
		notify_mail_encode_words(m->from_name, out);
		buf_appends(out, " ");
	}
	clean = notify_mail_clean(m->from);
	buf_appendf(out, "<%s>\r\nTo: ", clean);
	mem_free(clean);
	json_array_foreach(m->to, i, v)
	{
		clean = notify_mail_clean(json_string_value(v));
		buf_appendf(out, "%s<%s>", i > 0 ? ",\r\n " : "", clean);
		mem_free(clean);
	}
	buf_appends(out, "\r\nSubject: ");
	notify_mail_encode_words(m->subject, out);
	clean = notify_mail_clean(m->date);
	buf_appendf(out, "\r\nDate: %s\r\n", clean);
	mem_free(clean);
	clean = notify_mail_clean(m->message_id);
	buf_appendf(out, "Message-ID: <%s>\r\n", clean);
	mem_free(clean);
	clean = notify_mail_clean(m->event_id);
	buf_appendf(out, "X-Vigie-Event-Id: %s\r\n", clean);
	mem_free(clean);
	buf_appends(out, "MIME-Version: 1.0\r\n");
	buf_appends(out, "Auto-Submitted: auto-generated\r\n");
}

void
notify_mail_build(const struct notify_mail *m, struct buf *out)
{
	char alt[96], rel[96];
	bool related;

	notify_mail_headers(m, out);
	snprintf(alt, sizeof(alt), "%s-alt", m->boundary);
	snprintf(rel, sizeof(rel), "%s-rel", m->boundary);
	related = m->inline_image != NULL && m->html != NULL &&
	    m->inline_cid != NULL && m->inline_type != NULL;
	buf_appendf(out,
	    "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n",
	    m->boundary);
	buf_appends(out, "This is a MIME message.\r\n");
	/* The alternatives, within a related part with the image if any. */
	if (related)
		buf_appendf(out,
		    "--%s\r\nContent-Type: multipart/related; "
		    "type=\"multipart/alternative\"; boundary=\"%s\"\r\n\r\n",
		    m->boundary, rel);
	buf_appendf(out,
	    "--%s\r\nContent-Type: multipart/alternative; "
	    "boundary=\"%s\"\r\n\r\n",
	    related ? rel : m->boundary, alt);
	notify_mail_part(out, alt, "text/plain; charset=utf-8", m->text,
	    strlen(m->text), NULL, NULL);
	if (m->html != NULL)
		notify_mail_part(out, alt, "text/html; charset=utf-8", m->html,
		    strlen(m->html), NULL, NULL);
	buf_appendf(out, "--%s--\r\n", alt);
	if (related) {
		notify_mail_part(out, rel, m->inline_type, m->inline_image,
		    m->inline_len, NULL, m->inline_cid);
		buf_appendf(out, "--%s--\r\n", rel);
	}
	if (m->attachment != NULL)
		notify_mail_part(out, m->boundary, m->attachment_type,
		    m->attachment, m->attachment_len, m->attachment_name, NULL);
	buf_appendf(out, "--%s--\r\n", m->boundary);
}
