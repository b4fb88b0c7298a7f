#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/netguard.h"

static const char *const netguard_class_names[] = {
    [NETGUARD_PUBLIC] = "public",
    [NETGUARD_LOOPBACK] = "loopback",
    [NETGUARD_PRIVATE] = "private",
    [NETGUARD_SHARED] = "shared (carrier-grade NAT)",
    [NETGUARD_LINK_LOCAL] = "link-local",
    [NETGUARD_METADATA] = "cloud metadata",
    [NETGUARD_UNSPECIFIED] = "unspecified",
    [NETGUARD_MULTICAST] = "multicast",
    [NETGUARD_RESERVED] = "reserved",
};

const char *
netguard_class_name(enum netguard_class c)
{
	if ((size_t)c >=
	    sizeof(netguard_class_names) / sizeof(netguard_class_names[0]))
		return ("unknown");
	return (netguard_class_names[c]);
}

/* ---- addresses ----------------------------------------------------------- */

static uint32_t
netguard_v4_value(const uint8_t *b)
{
	return ((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | (uint32_t)b[3]);
}

static void
netguard_v4_set(struct netguard_addr *a, uint32_t v)
{
	memset(a, 0, sizeof(*a));
	a->family = 4;
	a->b[0] = (uint8_t)(v >> 24);
	a->b[1] = (uint8_t)(v >> 16);
	a->b[2] = (uint8_t)(v >> 8);
	a->b[3] = (uint8_t)v;
}

/* One range of IPv4 addresses: value & mask == net. */
struct netguard_v4_range {
	uint32_t            net;
	uint32_t            mask;
	enum netguard_class cls;
};

/* First match wins: the metadata addresses before link-local. */
static const struct netguard_v4_range netguard_v4_ranges[] = {
    {0x00000000, 0xff000000, NETGUARD_UNSPECIFIED}, /* 0.0.0.0/8 */
    {0x7f000000, 0xff000000, NETGUARD_LOOPBACK}, /* 127.0.0.0/8 */
    {0x0a000000, 0xff000000, NETGUARD_PRIVATE}, /* 10.0.0.0/8 */
    {0xac100000, 0xfff00000, NETGUARD_PRIVATE}, /* 172.16.0.0/12 */
    {0xc0a80000, 0xffff0000, NETGUARD_PRIVATE}, /* 192.168.0.0/16 */
    {0x64400000, 0xffc00000, NETGUARD_SHARED}, /* 100.64.0.0/10 */
    {0xa9fea9fe, 0xffffffff, NETGUARD_METADATA}, /* 169.254.169.254 */
    {0xa9feaa02, 0xffffffff, NETGUARD_METADATA}, /* 169.254.170.2 */
    {0xa9fe0000, 0xffff0000, NETGUARD_LINK_LOCAL}, /* 169.254.0.0/16 */
    {0xc0000000, 0xffffff00, NETGUARD_RESERVED}, /* 192.0.0.0/24 */
    {0xc0000200, 0xffffff00, NETGUARD_RESERVED}, /* 192.0.2.0/24 */
    {0xc0586300, 0xffffff00, NETGUARD_RESERVED}, /* 192.88.99.0/24 */
    {0xc6120000, 0xfffe0000, NETGUARD_RESERVED}, /* 198.18.0.0/15 */
    {0xc6336400, 0xffffff00, NETGUARD_RESERVED}, /* 198.51.100.0/24 */
    {0xcb007100, 0xffffff00, NETGUARD_RESERVED}, /* 203.0.113.0/24 */
    {0xe0000000, 0xf0000000, NETGUARD_MULTICAST}, /* 224.0.0.0/4 */
    {0xf0000000, 0xf0000000, NETGUARD_RESERVED}, /* 240.0.0.0/4 */
};

static enum netguard_class
netguard_classify_v4(uint32_t v)
{
	size_t i;

	for (i = 0;
	     i < sizeof(netguard_v4_ranges) / sizeof(netguard_v4_ranges[0]);
	     i++)
		if ((v & netguard_v4_ranges[i].mask) ==
		    netguard_v4_ranges[i].net)
			return (netguard_v4_ranges[i].cls);
	return (NETGUARD_PUBLIC);
}

static bool
netguard_zero(const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != 0)
			return (false);
	return (true);
}

/*
 * IPv6 ranges that carry an IPv4 address a gateway would reach for us
 * (NAT64 64:ff9b::/96, 6to4 2002::/16) take that address's class.
 * Anything outside global unicast 2000::/3 is not public.
 */
static enum netguard_class
netguard_classify_v6(const uint8_t *b)
{
	static const uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b};
	static const uint8_t imds[16] = {
	    0xfd, 0, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54};

	if (netguard_zero(b, 15))
		return (b[15] == 1   ? NETGUARD_LOOPBACK
			: b[15] == 0 ? NETGUARD_UNSPECIFIED
				     : NETGUARD_RESERVED);
	if (netguard_zero(b, 10) && b[10] == 0xff && b[11] == 0xff)
		return (netguard_classify_v4(netguard_v4_value(b + 12)));
	if (netguard_zero(b, 12))
		return (NETGUARD_RESERVED); /* IPv4-compatible, deprecated */
	if (memcmp(b, nat64, 12) == 0)
		return (netguard_classify_v4(netguard_v4_value(b + 12)));
	if (b[0] == 0x20 && b[1] == 0x02)
		return (netguard_classify_v4(netguard_v4_value(b + 2)));
	if (memcmp(b, imds, 16) == 0)
		return (NETGUARD_METADATA);
	if ((b[0] & 0xfe) == 0xfc)
		return (NETGUARD_PRIVATE); /* fc00::/7 unique local */
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return (NETGUARD_LINK_LOCAL); /* fe80::/10 */
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
		return (NETGUARD_PRIVATE); /* fec0::/10 site-local */
	if (b[0] == 0xff)
		return (NETGUARD_MULTICAST);
	if ((b[0] & 0xe0) != 0x20)
		return (NETGUARD_RESERVED);
	/* 2001::/23 protocol assignments (Teredo...), 2001:db8::/32. */
	if (b[0] == 0x20 && b[1] == 0x01 && (b[2] & 0xfe) == 0)
		return (NETGUARD_RESERVED);
	if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
		return (NETGUARD_RESERVED);
	if (b[0] == 0x3f && b[1] == 0xff && (b[2] & 0xf0) == 0)
		return (NETGUARD_RESERVED); /* 3fff::/20 documentation */
	return (NETGUARD_PUBLIC);
}

enum netguard_class
netguard_classify(const struct netguard_addr *a)
{
	if (a->family == 4)
		return (netguard_classify_v4(netguard_v4_value(a->b)));
	if (a->family == 6)
		return (netguard_classify_v6(a->b));
	return (NETGUARD_RESERVED);
}

void
netguard_addr_unmap(struct netguard_addr *a)
{
	if (a->family == 6 && netguard_zero(a->b, 10) && a->b[10] == 0xff &&
	    a->b[11] == 0xff)
		netguard_v4_set(a, netguard_v4_value(a->b + 12));
}

void
netguard_addr_format(const struct netguard_addr *a, char *out, size_t len)
{
	char text[INET6_ADDRSTRLEN];

	if (inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->b, text,
		sizeof(text)) == NULL)
		snprintf(text, sizeof(text), "?");
	snprintf(out, len, "%s", text);
}

/* ---- IPv4 in every spelling ------------------------------------------------ */

/* One part: decimal, 0-prefixed octal or 0x hex. False if not a number. */
static bool
netguard_ipv4_part(const char *p, size_t n, uint64_t *out)
{
	unsigned base, d;
	uint64_t v;
	size_t   i;

	if (n == 0)
		return (false);
	base = 10;
	i = 0;
	if (n >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		i = 2;
	} else if (n >= 2 && p[0] == '0') {
		base = 8;
		i = 1;
	}
	for (v = 0; i < n; i++) {
		if (isdigit((unsigned char)p[i]))
			d = (unsigned)(p[i] - '0');
		else if (base == 16 && isxdigit((unsigned char)p[i]))
			d = (unsigned)(tolower((unsigned char)p[i]) - 'a' + 10);
		else
			return (false);
		if (d >= base)
			return (false);
		v = v * base + d;
		if (v > 0xffffffffULL)
			return (false);
	}
	*out = v;
	return (true);
}

bool
netguard_ipv4_parse(const char *text, size_t len, struct netguard_addr *a)
{
	uint64_t part[4], v, limit;
	size_t   nparts, start, i;

	if (len > 0 && text[len - 1] == '.')
		len--; /* a trailing dot names the same address */
	if (len == 0 || len > 64)
		return (false);
	nparts = 0;
	start = 0;
	for (i = 0; i <= len; i++) {
		if (i < len && text[i] != '.')
			continue;
		if (nparts == 4 ||
		    !netguard_ipv4_part(text + start, i - start, &part[nparts]))
			return (false);
		nparts++;
		start = i + 1;
	}
	v = 0;
	for (i = 0; i + 1 < nparts; i++) {
		if (part[i] > 255)
			return (false);
		v |= part[i] << (24 - 8 * i);
	}
	limit = 0xffffffffULL >> (8 * (nparts - 1));
	if (part[nparts - 1] > limit)
		return (false);
	netguard_v4_set(a, (uint32_t)(v | part[nparts - 1]));
	return (true);
}

/* ---- allowlist ----------------------------------------------------------- */

static void
netguard_mask(struct netguard_addr *a, int prefix)
{
	int bytes, i;

	bytes = a->family == 4 ? 4 : 16;
	for (i = 0; i < bytes; i++) {
		if (prefix >= 8 * (i + 1))
			continue;
		if (prefix <= 8 * i)
			a->b[i] = 0;
		else
			a->b[i] &= (uint8_t)(0xff << (8 - (prefix - 8 * i)));
	}
}

/* One item "address[/prefix]", canonical address text only. */
static bool
netguard_cidr_parse(const char *item, struct netguard_cidr *c)
{
	char        addr[NETGUARD_ADDR_TEXT];
	const char *slash;
	size_t      alen, i;
	int         max, prefix;

	slash = strchr(item, '/');
	alen = slash != NULL ? (size_t)(slash - item) : strlen(item);
	if (alen == 0 || alen >= sizeof(addr))
		return (false);
	memcpy(addr, item, alen);
	addr[alen] = '\0';
	memset(c, 0, sizeof(*c));
	if (inet_pton(AF_INET, addr, c->net.b) == 1)
		c->net.family = 4;
	else if (inet_pton(AF_INET6, addr, c->net.b) == 1)
		c->net.family = 6;
	else
		return (false);
	max = c->net.family == 4 ? 32 : 128;
	prefix = max;
	if (slash != NULL) {
		if (slash[1] == '\0' || strlen(slash + 1) > 3)
			return (false);
		for (prefix = 0, i = 1; slash[i] != '\0'; i++) {
			if (!isdigit((unsigned char)slash[i]))
				return (false);
			prefix = prefix * 10 + (slash[i] - '0');
		}
		if (prefix > max)
			return (false);
	}
	netguard_addr_unmap(&c->net);
	if (c->net.family == 4 && max == 128) {
		/* ::ffff:a.b.c.d/n was folded to IPv4: so is its prefix. */
		if (prefix < 96)
			return (false);
		prefix -= 96;
	}
	c->prefix = prefix;
	netguard_mask(&c->net, prefix);
	return (true);
}

bool
netguard_cidrs_parse(
    const char *text, struct netguard_cidrs *out, char *err, size_t errlen)
{
	char        item[NETGUARD_ADDR_TEXT + 8];
	const char *p;
	size_t      n;

	memset(out, 0, sizeof(*out));
	for (p = text; *p != '\0';) {
		if (*p == ',' || *p == ' ' || *p == '\t') {
			p++;
			continue;
		}
		n = strcspn(p, ", \t");
		if (n >= sizeof(item)) {
			snprintf(err, errlen, "\"%.40s...\" is too long", p);
			return (false);
		}
		memcpy(item, p, n);
		item[n] = '\0';
		p += n;
		if (out->count == NETGUARD_CIDRS_MAX) {
			snprintf(err, errlen, "at most %d entries",
			    NETGUARD_CIDRS_MAX);
			return (false);
		}
		if (!netguard_cidr_parse(item, &out->cidr[out->count])) {
			snprintf(err, errlen,
			    "\"%s\" is not an address or CIDR "
			    "(a.b.c.d/n or an IPv6 prefix)",
			    item);
			return (false);
		}
		out->count++;
	}
	return (true);
}

bool
netguard_cidrs_contain(
    const struct netguard_cidrs *list, const struct netguard_addr *addr)
{
	struct netguard_addr a;
	size_t               i;

	if (list == NULL)
		return (false);
	for (i = 0; i < list->count; i++) {
		a = *addr;
		netguard_addr_unmap(&a);
		if (a.family != list->cidr[i].net.family)
			continue;
		netguard_mask(&a, list->cidr[i].prefix);
		if (memcmp(a.b, list->cidr[i].net.b, a.family == 4 ? 4 : 16) ==
		    0)
			return (true);
	}
	return (false);
}

bool
netguard_allowed(const struct netguard_cidrs *list,
    const struct netguard_addr *addr, char *why, size_t whylen)
{
	enum netguard_class c;
	char                text[NETGUARD_ADDR_TEXT];

	if (netguard_cidrs_contain(list, addr))
		return (true);
	if ((c = netguard_classify(addr)) == NETGUARD_PUBLIC)
		return (true);
	netguard_addr_format(addr, text, sizeof(text));
	snprintf(why, whylen, "%s is a %s address: not allowed", text,
	    netguard_class_name(c));
	return (false);
}

/* ---- URLs ------------------------------------------------------------------ */

static bool
netguard_host_char(char c)
{
	return (isalnum((unsigned char)c) || c == '-' || c == '.' || c == '_');
}

/* The port after ':' (n bytes); false unless 1..65535 in digits. */
static bool
netguard_port(const char *p, size_t n, unsigned *port)
{
	unsigned v;
	size_t   i;

	if (n == 0 || n > 5)
		return (false);
	for (v = 0, i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return (false);
		v = v * 10 + (unsigned)(p[i] - '0');
	}
	if (v == 0 || v > 65535)
		return (false);
	*port = v;
	return (true);
}

/* Host and port of the authority (n bytes); sets u. */
static bool
netguard_authority(
    const char *p, size_t n, struct netguard_url *u, char *why, size_t wl)
{
	char        v6[NETGUARD_ADDR_TEXT];
	const char *end, *colon;
	size_t      hlen, i;

	if (n > 0 && p[0] == '[') {
		if ((end = memchr(p, ']', n)) == NULL ||
		    (size_t)(end - p - 1) >= sizeof(v6)) {
			snprintf(why, wl, "the IPv6 address is malformed");
			return (false);
		}
		memcpy(v6, p + 1, (size_t)(end - p - 1));
		v6[end - p - 1] = '\0';
		if (inet_pton(AF_INET6, v6, u->addr.b) != 1) {
			snprintf(why, wl, "the IPv6 address is malformed");
			return (false);
		}
		u->addr.family = 6;
		u->literal = true;
		snprintf(u->host, sizeof(u->host), "[%s]", v6);
		colon = end + 1 < p + n ? end + 1 : NULL;
		if (colon != NULL && *colon != ':') {
			snprintf(why, wl, "unexpected text after the address");
			return (false);
		}
	} else {
		colon = memchr(p, ':', n);
		hlen = colon != NULL ? (size_t)(colon - p) : n;
		if (hlen == 0 || hlen > NETGUARD_HOST_MAX) {
			snprintf(why, wl, "the URL has no valid host");
			return (false);
		}
		for (i = 0; i < hlen; i++) {
			if (!netguard_host_char(p[i])) {
				snprintf(why, wl,
				    "the host may contain only letters, "
				    "digits, '-', '_' and '.'");
				return (false);
			}
			u->host[i] = (char)tolower((unsigned char)p[i]);
		}
		u->host[hlen] = '\0';
		u->literal = netguard_ipv4_parse(p, hlen, &u->addr);
	}
	if (colon != NULL &&
	    !netguard_port(colon + 1, (size_t)(p + n - colon - 1), &u->port)) {
		snprintf(why, wl, "the port must be a number from 1 to 65535");
		return (false);
	}
	return (true);
}

bool
netguard_url_check(const char *url, const struct netguard_cidrs *list,
    struct netguard_url *out, char *why, size_t whylen)
{
	struct netguard_url u;
	const char         *p;
	size_t              len, i, n;

	memset(&u, 0, sizeof(u));
	len = strlen(url);
	if (len == 0 || len > NETGUARD_URL_MAX) {
		snprintf(why, whylen, "the URL must be 1 to %d bytes long",
		    NETGUARD_URL_MAX);
		return (false);
	}
	for (i = 0; i < len; i++) {
		if ((unsigned char)url[i] <= 0x20 ||
		    (unsigned char)url[i] >= 0x7f) {
			snprintf(why, whylen,
			    "the URL may contain only printable ASCII "
			    "without spaces");
			return (false);
		}
	}
	if (strncasecmp(url, "https://", 8) == 0) {
		u.https = true;
		p = url + 8;
	} else if (strncasecmp(url, "http://", 7) == 0) {
		p = url + 7;
	} else {
		snprintf(
		    why, whylen, "only http:// and https:// URLs are allowed");
		return (false);
	}
	u.port = u.https ? 443 : 80;
	n = strcspn(p, "/?#");
	if (memchr(p, '@', n) != NULL || memchr(p, '\\', n) != NULL) {
		snprintf(why, whylen, "credentials in the URL are not allowed");
		return (false);
	}
	if (!netguard_authority(p, n, &u, why, whylen))
		return (false);
	if (u.literal && !netguard_allowed(list, &u.addr, why, whylen))
		return (false);
	if (out != NULL)
		*out = u;
	return (true);
}
