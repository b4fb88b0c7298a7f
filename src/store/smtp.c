#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "store/smtp.h"

static char smtp_url[SETTINGS_STR_MAX];
static char smtp_from[SETTINGS_STR_MAX];
static char smtp_user[SETTINGS_STR_MAX];
static char smtp_password[SETTINGS_STR_MAX];
static char smtp_ca_file[SETTINGS_STR_MAX];
static long smtp_tls;
static long smtp_timeout_ms = 10000;

/* Called once per process, after es_configure() (curl_global_init). */
void
smtp_configure(const struct settings *s)
{
	snprintf(smtp_url, sizeof(smtp_url), "%s", s->smtp_url);
	snprintf(smtp_from, sizeof(smtp_from), "%s", s->smtp_from);
	snprintf(smtp_user, sizeof(smtp_user), "%s", s->smtp_user);
	snprintf(smtp_password, sizeof(smtp_password), "%s", s->smtp_password);
	snprintf(smtp_ca_file, sizeof(smtp_ca_file), "%s", s->smtp_ca_file);
	smtp_tls = s->smtp_tls;
	smtp_timeout_ms = s->notify_timeout_ms;
}

bool
smtp_enabled(void)
{
	return (strncmp(smtp_url, "smtp://", 7) == 0 ||
	    strncmp(smtp_url, "smtps://", 8) == 0);
}

const char *
smtp_sender(void)
{
	return (smtp_from);
}

struct smtp_source {
	const char *data;
	size_t      len;
	size_t      off;
};

static size_t
smtp_read(char *out, size_t size, size_t n, void *arg)
{
	struct smtp_source *src = arg;
	size_t              take;

	take = src->len - src->off;
	if (take > size * n)
		take = size * n;
	memcpy(out, src->data + src->off, take);
	src->off += take;
	return (take);
}

static void
smtp_options(
    CURL *c, struct curl_slist *rcpt, struct smtp_source *src, char *from)
{
	static const long tls[] = {
	    CURLUSESSL_NONE, CURLUSESSL_TRY, CURLUSESSL_ALL};

	curl_easy_setopt(c, CURLOPT_URL, smtp_url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, smtp_timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, smtp_timeout_ms);
	if (smtp_tls >= 0 && smtp_tls <= SMTP_TLS_REQUIRED)
		curl_easy_setopt(c, CURLOPT_USE_SSL, tls[smtp_tls]);
	if (smtp_ca_file[0] != '\0')
		curl_easy_setopt(c, CURLOPT_CAINFO, smtp_ca_file);
	if (smtp_user[0] != '\0') {
		curl_easy_setopt(c, CURLOPT_USERNAME, smtp_user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, smtp_password);
	}
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, smtp_read);
	curl_easy_setopt(c, CURLOPT_READDATA, src);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)src->len);
}

bool
smtp_send(const json_t *to, const char *data, size_t len, bool *permanent,
    char *err, size_t errlen)
{
	struct smtp_source src = {data, len, 0};
	struct curl_slist *rcpt, *r;
	const json_t      *v;
	CURLcode           rc;
	CURL              *c;
	char               addr[300], from[300];
	long               code;
	size_t             i;

	*permanent = false;
	if (!smtp_enabled()) {
		*permanent = true;
		snprintf(
		    err, errlen, "e-mail is not configured (VIGIE_SMTP_URL)");
		return (false);
	}
	rcpt = NULL;
	json_array_foreach(to, i, v)
	{
		snprintf(addr, sizeof(addr), "<%s>", json_string_value(v));
		if ((r = curl_slist_append(rcpt, addr)) != NULL)
			rcpt = r;
	}
	snprintf(from, sizeof(from), "<%s>", smtp_from);
	if ((c = curl_easy_init()) == NULL) {
		curl_slist_free_all(rcpt);
		snprintf(err, errlen, "curl_easy_init failed");
		return (false);
	}
	smtp_options(c, rcpt, &src, from);
	rc = curl_easy_perform(c);
	code = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	curl_slist_free_all(rcpt);
	if (rc == CURLE_OK)
		return (true);
	*permanent = code >= 500 && code <= 599;
	snprintf(err, errlen, "SMTP: %s (last reply %ld)",
	    curl_easy_strerror(rc), code);
	return (false);
}
