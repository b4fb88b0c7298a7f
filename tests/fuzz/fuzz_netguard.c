/*
 * libFuzzer target: the outbound URL guard. The input is a URL (first
 * byte even) or an allowlist (odd). Whatever the input, nothing crashes,
 * a refusal always says why, and what is accepted is consistent: a
 * literal host accepted by the URL check is an address the guard allows,
 * and an allowlist accepted contains its own networks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/netguard.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_url(const char *text)
{
	struct netguard_url u;
	char                why[256];

	why[0] = '\0';
	if (!netguard_url_check(text, NULL, &u, why, sizeof(why))) {
		if (why[0] == '\0')
			abort();
		return;
	}
	if (u.host[0] == '\0' || u.port == 0 || u.port > 65535)
		abort();
	if (u.literal && !netguard_allowed(NULL, &u.addr, why, sizeof(why)))
		abort();
	if (u.literal && netguard_classify(&u.addr) != NETGUARD_PUBLIC)
		abort();
}

static void
fuzz_cidrs(const char *text)
{
	struct netguard_cidrs list;
	char                  err[256];
	size_t                i;

	err[0] = '\0';
	if (!netguard_cidrs_parse(text, &list, err, sizeof(err))) {
		if (err[0] == '\0')
			abort();
		return;
	}
	if (list.count > NETGUARD_CIDRS_MAX)
		abort();
	for (i = 0; i < list.count; i++) {
		if (list.cidr[i].prefix < 0 ||
		    list.cidr[i].prefix >
			(list.cidr[i].net.family == 4 ? 32 : 128))
			abort();
		if (!netguard_cidrs_contain(&list, &list.cidr[i].net))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct netguard_addr a;
	char                *text;

	if (size == 0 || size > 4096)
		return (0);
	text = malloc(size);
	if (text == NULL)
		return (0);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	if (data[0] & 1)
		fuzz_cidrs(text);
	else
		fuzz_url(text);
	(void)netguard_ipv4_parse((const char *)data + 1, size - 1, &a);
	free(text);
	return (0);
}
