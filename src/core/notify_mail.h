/*
 * An e-mail notification as a MIME message (RFC 5322, 2045-2047): a
 * text and an HTML part as alternatives, an optional inline image the
 * HTML shows as "cid:<inline_cid>" (RFC 2387, 2392: the organization's
 * logo, which mail clients show without fetching anything), and an
 * optional attachment,
 * every body base64 in 76-column lines, the subject and sender name as
 * UTF-8 encoded words. Header values lose CR, LF and other controls, so
 * no template can add a header. Pure: the caller passes date and ids.
 */
#ifndef VIGIE_CORE_NOTIFY_MAIL_H
#define VIGIE_CORE_NOTIFY_MAIL_H

#include <stddef.h>

#include <jansson.h>

#include "core/buf.h"

struct notify_mail {
	const char   *from; /* address */
	const char   *from_name; /* display name; NULL: none */
	const json_t *to; /* array of addresses */
	const char   *subject;
	const char   *text;
	const char   *html; /* NULL: text only */
	const char *date; /* RFC 5322, e.g. "Sat, 21 Nov 2026 08:00:00 +0000" */
	const char *message_id; /* without the angle brackets */
	const char *event_id; /* X-Vigie-Event-Id */
	const char *boundary; /* [A-Za-z0-9], unique to the message */
	const void *attachment; /* NULL: none */
	size_t      attachment_len;
	const char *attachment_name;
	const char *attachment_type;
	const void *inline_image; /* NULL: none */
	size_t      inline_len;
	const char *inline_type; /* image/png, image/jpeg */
	const char *inline_cid; /* Content-ID, without angle brackets */
};

/* Appends the message, CRLF line ends, to out. */
void notify_mail_build(const struct notify_mail *, struct buf *out);

/* Appends s as one or more RFC 2047 "B" encoded words (UTF-8 kept whole). */
void notify_mail_encode_words(const char *s, struct buf *out);

#endif
