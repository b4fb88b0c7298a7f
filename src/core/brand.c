#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/brand.h"
#include "core/text.h"

static bool
brand_refuse(char *why, size_t whylen, const char *text)
{
	if (why != NULL && whylen > 0)
		snprintf(why, whylen, "%s", text);
	return (false);
}

bool
brand_color_check(const char *c, char *why, size_t whylen)
{
	if (c == NULL || strlen(c) != 7 || c[0] != '#' ||
	    strspn(c + 1, "0123456789abcdefABCDEF") != 6)
		return (brand_refuse(
		    why, whylen, "must be a colour written #RRGGBB"));
	return (true);
}

void
brand_color_normal(const char *in, char out[8])
{
	int i;

	out[0] = '#';
	for (i = 1; i < 7; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[7] = '\0';
}

void
brand_color_rgb(const char *in, int rgb[3])
{
	int i;

	for (i = 0; i < 3; i++)
		rgb[i] = text_hexval(in[1 + 2 * i]) * 16 +
		    text_hexval(in[2 + 2 * i]);
}

bool
brand_host_check(const char *h, char *why, size_t whylen)
{
	size_t len, i, label, labels;
	bool   digits_only;
	char   c;

	if (h == NULL || (len = strnlen(h, BRAND_HOST_MAX + 1)) == 0 ||
	    len > BRAND_HOST_MAX)
		return (brand_refuse(
		    why, whylen, "must be a host name of 1 to 253 bytes"));
	label = 0;
	labels = 1;
	digits_only = true;
	for (i = 0; i < len; i++) {
		c = (char)tolower((unsigned char)h[i]);
		if (c == '.') {
			if (label == 0 || h[i - 1] == '-')
				return (brand_refuse(why, whylen,
				    "has an empty label or one ending in '-'"));
			label = 0;
			labels++;
			digits_only = true;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			c == '-'))
			return (brand_refuse(why, whylen,
			    "may hold only letters, digits, '-' and '.'"));
		if (c == '-' && label == 0)
			return (brand_refuse(
			    why, whylen, "has a label starting with '-'"));
		if (++label > 63)
			return (brand_refuse(
			    why, whylen, "has a label longer than 63 bytes"));
		if (!(c >= '0' && c <= '9'))
			digits_only = false;
	}
	if (label == 0 || h[len - 1] == '-')
		return (brand_refuse(
		    why, whylen, "has an empty label or one ending in '-'"));
	if (labels < 2)
		return (brand_refuse(why, whylen,
		    "must be a full domain name (like logs.example.com)"));
	if (digits_only)
		return (brand_refuse(
		    why, whylen, "must be a domain name, not an address"));
	return (true);
}

bool
brand_host_normal(const char *in, char *out, size_t outlen)
{
	size_t i, len;

	if (!brand_host_check(in, NULL, 0) || (len = strlen(in)) >= outlen)
		return (false);
	for (i = 0; i < len; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[len] = '\0';
	return (true);
}

bool
brand_host_header(const char *in, char *out, size_t outlen)
{
	char        host[BRAND_HOST_MAX + 1];
	const char *colon;
	size_t      len;

	if (in == NULL)
		return (false);
	colon = strchr(in, ':');
	len = colon != NULL ? (size_t)(colon - in) : strlen(in);
	if (len == 0 || len > BRAND_HOST_MAX)
		return (false);
	if (colon != NULL &&
	    (colon[1] == '\0' ||
		strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
		strlen(colon + 1) > 5))
		return (false);
	memcpy(host, in, len);
	host[len] = '\0';
	return (brand_host_normal(host, out, outlen));
}

bool
brand_host_reserved(const char *host, const char *list)
{
	const char *p, *end;
	size_t      hlen, len;

	if (host == NULL || list == NULL)
		return (false);
	hlen = strlen(host);
	for (p = list; *p != '\0'; p = *end == ',' ? end + 1 : end) {
		while (*p == ' ')
			p++;
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		len = (size_t)(end - p);
		while (len > 0 && p[len - 1] == ' ')
			len--;
		if (len == 0 || len > hlen)
			continue;
		if (strncasecmp(host + hlen - len, p, len) == 0 &&
		    (hlen == len || host[hlen - len - 1] == '.'))
			return (true);
	}
	return (false);
}
