/*
 * Outbound URL guard (server-side request forgery): which addresses a
 * user-supplied URL may reach, and what such a URL may look like.
 *
 * Pure: no resolution, no sockets. The transport (store/outbound.c)
 * resolves names itself and asks netguard_allowed() about every address
 * it is about to connect to, so the check is on the address actually
 * used. netguard_url_check() refuses early what is certainly refused: a
 * bad scheme, credentials in the URL, or a literal address in a refused
 * range, whatever its spelling (decimal 2130706433, hex 0x7f.1, octal
 * 0177.0.0.1, short 127.1, IPv4-mapped [::ffff:127.0.0.1]).
 *
 * Public addresses are allowed. Loopback, private, shared (CGNAT),
 * link-local, cloud metadata, unspecified, multicast and reserved ranges
 * are refused unless an operator allowlist (CIDRs) contains the address.
 */
#ifndef VIGIE_CORE_NETGUARD_H
#define VIGIE_CORE_NETGUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NETGUARD_CIDRS_MAX 32
#define NETGUARD_URL_MAX   2048
#define NETGUARD_HOST_MAX  253
#define NETGUARD_ADDR_TEXT 48 /* room for any IPv6 text form */

/* An address: family 4 uses b[0..3] (network order), family 6 b[0..15]. */
struct netguard_addr {
	int     family; /* 4 or 6 */
	uint8_t b[16];
};

enum netguard_class {
	NETGUARD_PUBLIC = 0,
	NETGUARD_LOOPBACK,
	NETGUARD_PRIVATE,
	NETGUARD_SHARED, /* 100.64.0.0/10, carrier-grade NAT */
	NETGUARD_LINK_LOCAL,
	NETGUARD_METADATA, /* cloud instance metadata services */
	NETGUARD_UNSPECIFIED,
	NETGUARD_MULTICAST,
	NETGUARD_RESERVED, /* documentation, benchmarking, future use... */
};

struct netguard_cidr {
	struct netguard_addr net; /* host bits cleared */
	int                  prefix;
};

struct netguard_cidrs {
	size_t               count;
	struct netguard_cidr cidr[NETGUARD_CIDRS_MAX];
};

/* A URL that passed netguard_url_check(). */
struct netguard_url {
	bool                 https;
	char                 host[NETGUARD_HOST_MAX + 1]; /* lower case */
	unsigned             port; /* explicit or the scheme's */
	bool                 literal; /* host is an address */
	struct netguard_addr addr; /* when literal */
};

const char         *netguard_class_name(enum netguard_class);
enum netguard_class netguard_classify(const struct netguard_addr *);

/* Folds ::ffff:a.b.c.d into the IPv4 address it is; others unchanged. */
void netguard_addr_unmap(struct netguard_addr *);
void netguard_addr_format(const struct netguard_addr *, char *, size_t);

/*
 * An IPv4 address in any spelling inet_aton() and URL parsers accept:
 * one to four parts, each decimal, octal (leading 0) or hex (0x), the
 * last part filling the remaining bytes. len bytes of text, no NUL
 * needed. False if it is not such an address.
 */
bool netguard_ipv4_parse(const char *text, size_t len, struct netguard_addr *);

/*
 * An allowlist: addresses or CIDRs (canonical text only) separated by
 * commas or spaces; empty text is an empty list. Host bits beyond the
 * prefix are ignored. False with a reason naming the bad item.
 */
bool netguard_cidrs_parse(
    const char *text, struct netguard_cidrs *, char *err, size_t errlen);
bool netguard_cidrs_contain(
    const struct netguard_cidrs *, const struct netguard_addr *);

/*
 * Whether an address may be connected to: public, or in the allowlist
 * (which may be NULL). When refused, why says which range refused it.
 */
bool netguard_allowed(const struct netguard_cidrs *,
    const struct netguard_addr *, char *why, size_t whylen);

/*
 * Checks a user-supplied URL: http or https only, printable ASCII, no
 * credentials, a host name or a literal address that netguard_allowed()
 * accepts, an optional port from 1 to 65535. Fills out (may be NULL).
 */
bool netguard_url_check(const char *url, const struct netguard_cidrs *,
    struct netguard_url *out, char *why, size_t whylen);

#endif
