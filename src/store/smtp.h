/*
 * Sending mail through the operator's SMTP server (libcurl):
 * VIGIE_SMTP_URL (smtp:// with STARTTLS per VIGIE_SMTP_TLS, or smtps://),
 * optional login. Certificates are always verified (against
 * VIGIE_SMTP_CA_FILE when set). Calls block: run them in the worker.
 */
#ifndef VIGIE_STORE_SMTP_H
#define VIGIE_STORE_SMTP_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/settings.h"

void smtp_configure(const struct settings *);
bool smtp_enabled(void);

/*
 * Sends one message (headers and body, CRLF lines) from the configured
 * sender to every address of to. False with err on failure; *permanent
 * is set when the server refused for good (5xx), when retrying is
 * pointless.
 */
bool smtp_send(const json_t *to, const char *data, size_t len, bool *permanent,
    char *err, size_t errlen);
const char *smtp_sender(void);

#endif
