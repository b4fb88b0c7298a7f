/*
 * The outbound URL guard: every spelling of an internal address is
 * refused without an allowlist, and an allowlist lets through exactly
 * what it names.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "core/netguard.h"

static bool
url_ok(const char *url, const struct netguard_cidrs *list)
{
	char why[256];

	why[0] = '\0';
	if (netguard_url_check(url, list, NULL, why, sizeof(why)))
		return (true);
	assert_true(why[0] != '\0'); /* a refusal always says why */
	return (false);
}

static struct netguard_cidrs
cidrs(const char *text)
{
	struct netguard_cidrs list;
	char                  err[256];

	assert_true(netguard_cidrs_parse(text, &list, err, sizeof(err)));
	return (list);
}

/* Every spelling of loopback, metadata and private addresses. */
static void
test_tricky_spellings_refused(void **state)
{
	static const char *refused[] = {
	    "http://127.0.0.1/",
	    "http://2130706433/",
	    "http://0x7f000001/",
	    "http://0x7f.1/",
	    "http://0x7F.0.0.1/",
	    "http://0177.0.0.1/",
	    "http://0177.1/",
	    "http://127.1/",
	    "http://127.0.1/",
	    "http://127.0.0.1./",
	    "HTTP://127.0.0.1:8080/hook",
	    "http://[::ffff:127.0.0.1]/",
	    "http://[::ffff:7f00:1]/",
	    "http://[0:0:0:0:0:ffff:127.0.0.1]/",
	    "http://[::1]/",
	    "http://[::1]:9000/x",
	    "http://[::]/",
	    "http://0.0.0.0/",
	    "http://0/",
	    "http://0x0/",
	    "http://169.254.169.254/latest/meta-data/",
	    "http://2852039166/",
	    "http://0xa9.0xfe.0xa9.0xfe/",
	    "http://169.254.170.2/v2/credentials",
	    "http://[fd00:ec2::254]/",
	    "http://[::ffff:169.254.169.254]/",
	    "http://10.0.0.1/",
	    "http://012.1/",
	    "http://172.16.0.1/",
	    "http://172.31.255.255/",
	    "http://192.168.1.1/",
	    "http://100.64.0.1/",
	    "http://169.254.1.1/",
	    "http://[fe80::1]/",
	    "http://[fc00::1]/",
	    "http://[fd12:3456::1]/",
	    "http://[64:ff9b::7f00:1]/",
	    "http://[64:ff9b::a9fe:a9fe]/",
	    "http://[2002:7f00:1::]/",
	    "http://[::127.0.0.1]/",
	    "http://224.0.0.1/",
	    "http://255.255.255.255/",
	    "http://[ff02::1]/",
	    "http://192.0.2.1/",
	    "http://[2001:db8::1]/",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		if (url_ok(refused[i], NULL))
			fail_msg("allowed: %s", refused[i]);
	}
}

static void
test_public_urls_allowed(void **state)
{
	static const char *allowed[] = {
	    "https://hooks.slack.com/services/T000/B000/XXXX",
	    "https://discord.com/api/webhooks/1/abc?wait=true",
	    "http://93.184.216.34/",
	    "http://1572395042/",
	    "http://8.8.8.8:8080/x#frag",
	    "https://[2606:4700:4700::1111]/",
	    "http://[2002:808:808::1]/",
	    "http://[64:ff9b::808:808]/",
	    "http://172.32.0.1/",
	    "http://example.com:65535",
	    "http://under_score.example.com/",
	    /* Names are checked when resolved, at connection time. */
	    "http://localhost:9000/",
	};
	struct netguard_url u;
	char                why[256];
	size_t              i;

	(void)state;
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		if (!url_ok(allowed[i], NULL))
			fail_msg("refused: %s", allowed[i]);
	}
	assert_true(netguard_url_check(
	    "HTTPS://Hooks.Slack.COM/x", NULL, &u, why, sizeof(why)));
	assert_true(u.https);
	assert_string_equal(u.host, "hooks.slack.com");
	assert_int_equal(u.port, 443);
	assert_false(u.literal);
	assert_true(netguard_url_check(
	    "http://1572395042:81/", NULL, &u, why, sizeof(why)));
	assert_true(u.literal);
	assert_int_equal(u.addr.family, 4);
	assert_int_equal(u.port, 81);
	assert_memory_equal(u.addr.b, "\x5d\xb8\xd8\x22", 4);
}

static void
test_malformed_urls_refused(void **state)
{
	static const char *bad[] = {
	    "",
	    "ftp://example.com/",
	    "file:///etc/passwd",
	    "gopher://example.com/",
	    "dict://example.com:11211/",
	    "javascript:alert(1)",
	    "//example.com/",
	    "http:/example.com/",
	    "http://",
	    "http:///path",
	    "http://user@example.com/",
	    "http://user:pw@example.com/",
	    "http://example.com@127.0.0.1/",
	    "http://example.com\\@127.0.0.1/",
	    "http://exa mple.com/",
	    "http://example.com/\r\nX-Injected: 1",
	    "http://exa\xc3\xa9mple.com/",
	    "http://example.com:0/",
	    "http://example.com:65536/",
	    "http://example.com:/",
	    "http://example.com:80a/",
	    "http://example.com:123456/",
	    "http://%31%32%37.0.0.1/",
	    "http://[fe80::1%25eth0]/",
	    "http://[::1/",
	    "http://[zz::1]/",
	    "http://[::8.8.8.8]x/",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (url_ok(bad[i], NULL))
			fail_msg("accepted: %s", bad[i]);
	}
}

static void
test_allowlist_admits_exactly_what_it_names(void **state)
{
	struct netguard_cidrs list;

	(void)state;
	list = cidrs("127.0.0.1/32");
	assert_true(url_ok("http://127.0.0.1:9000/", &list));
	assert_true(url_ok("http://2130706433/", &list));
	assert_true(url_ok("http://[::ffff:127.0.0.1]/", &list));
	assert_false(url_ok("http://127.0.0.2/", &list));
	assert_false(url_ok("http://127.2/", &list));
	assert_false(url_ok("http://[::1]/", &list));
	assert_false(url_ok("http://169.254.169.254/", &list));

	list = cidrs(" 10.0.0.0/8, 192.168.1.0/24  ::1 ");
	assert_int_equal(list.count, 3);
	assert_true(url_ok("http://10.200.3.4/", &list));
	assert_true(url_ok("http://192.168.1.77/", &list));
	assert_false(url_ok("http://192.168.2.1/", &list));
	assert_true(url_ok("http://[::1]/", &list));
	assert_false(url_ok("http://127.0.0.1/", &list));

	/* Host bits are ignored; a mapped prefix applies to IPv4. */
	list = cidrs("10.1.2.3/16,::ffff:172.16.0.0/112");
	assert_true(url_ok("http://10.1.99.1/", &list));
	assert_false(url_ok("http://10.2.0.1/", &list));
	assert_true(url_ok("http://172.16.4.4/", &list));
	assert_false(url_ok("http://172.17.0.1/", &list));

	list = cidrs("");
	assert_int_equal(list.count, 0);
	list = cidrs("0.0.0.0/0");
	assert_true(url_ok("http://127.0.0.1/", &list));
}

static void
test_allowlist_parse_errors(void **state)
{
	static const char *bad[] = {
	    "127.0.0.1/33",
	    "::1/129",
	    "127.0.0.1/",
	    "/8",
	    "1.2.3",
	    "0x7f.1",
	    "127.1",
	    "localhost",
	    "10.0.0.0/8,nope",
	    "10.0.0.0/-1",
	    "10.0.0.0/1x",
	    "::ffff:10.0.0.0/64",
	};
	struct netguard_cidrs list;
	char                  err[256], many[1024];
	size_t                i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (netguard_cidrs_parse(bad[i], &list, err, sizeof(err)))
			fail_msg("accepted: %s", bad[i]);
		assert_true(err[0] != '\0');
	}
	many[0] = '\0';
	for (i = 0; i <= NETGUARD_CIDRS_MAX; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many),
		    "10.0.0.%zu,", i);
	assert_false(netguard_cidrs_parse(many, &list, err, sizeof(err)));
}

static void
test_ipv4_spellings(void **state)
{
	static const struct {
		const char *text;
		const char *addr; /* NULL: not an address */
	} cases[] = {
	    {"127.0.0.1", "127.0.0.1"},
	    {"2130706433", "127.0.0.1"},
	    {"0x7f.1", "127.0.0.1"},
	    {"0177.0.0.01", "127.0.0.1"},
	    {"127.1", "127.0.0.1"},
	    {"1.16777215", "1.255.255.255"},
	    {"1.2.65535", "1.2.255.255"},
	    {"4294967295", "255.255.255.255"},
	    {"0x", "0.0.0.0"},
	    {"00", "0.0.0.0"},
	    {"1.2.3.4.", "1.2.3.4"},
	    {"4294967296", NULL},
	    {"256.1.1.1", NULL},
	    {"1.2.3.256", NULL},
	    {"1.16777216", NULL},
	    {"1.2.65536", NULL},
	    {"08.1.1.1", NULL},
	    {"0x100.1.1.1", NULL},
	    {"0xg.1", NULL},
	    {"1.2.3.4.5", NULL},
	    {"1..2", NULL},
	    {".1.2.3", NULL},
	    {"", NULL},
	    {"example.com", NULL},
	    {"99999999999999999999999", NULL},
	};
	struct netguard_addr a;
	char                 text[NETGUARD_ADDR_TEXT];
	size_t               i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (cases[i].addr == NULL) {
			if (netguard_ipv4_parse(
				cases[i].text, strlen(cases[i].text), &a))
				fail_msg("parsed: %s", cases[i].text);
			continue;
		}
		if (!netguard_ipv4_parse(
			cases[i].text, strlen(cases[i].text), &a))
			fail_msg("not parsed: %s", cases[i].text);
		netguard_addr_format(&a, text, sizeof(text));
		assert_string_equal(text, cases[i].addr);
	}
}

static void
test_classes(void **state)
{
	static const struct {
		const char         *addr;
		enum netguard_class cls;
	} cases[] = {
	    {"8.8.8.8", NETGUARD_PUBLIC},
	    {"127.255.0.1", NETGUARD_LOOPBACK},
	    {"::1", NETGUARD_LOOPBACK},
	    {"10.9.8.7", NETGUARD_PRIVATE},
	    {"fd00::1", NETGUARD_PRIVATE},
	    {"100.100.100.200", NETGUARD_SHARED},
	    {"169.254.169.254", NETGUARD_METADATA},
	    {"fd00:ec2::254", NETGUARD_METADATA},
	    {"169.254.0.1", NETGUARD_LINK_LOCAL},
	    {"fe80::abcd", NETGUARD_LINK_LOCAL},
	    {"0.1.2.3", NETGUARD_UNSPECIFIED},
	    {"::", NETGUARD_UNSPECIFIED},
	    {"239.1.1.1", NETGUARD_MULTICAST},
	    {"ff05::2", NETGUARD_MULTICAST},
	    {"240.0.0.1", NETGUARD_RESERVED},
	    {"198.18.0.1", NETGUARD_RESERVED},
	    {"2001::1", NETGUARD_RESERVED},
	    {"4000::1", NETGUARD_RESERVED},
	    {"::ffff:10.0.0.1", NETGUARD_PRIVATE},
	    {"2a00:1450::1", NETGUARD_PUBLIC},
	};
	struct netguard_addr a;
	char                 why[256];
	size_t               i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&a, 0, sizeof(a));
		if (inet_pton(AF_INET, cases[i].addr, a.b) == 1)
			a.family = 4;
		else {
			assert_int_equal(
			    inet_pton(AF_INET6, cases[i].addr, a.b), 1);
			a.family = 6;
		}
		if (netguard_classify(&a) != cases[i].cls)
			fail_msg("%s: %s, expected %s", cases[i].addr,
			    netguard_class_name(netguard_classify(&a)),
			    netguard_class_name(cases[i].cls));
		why[0] = '\0';
		assert_int_equal(netguard_allowed(NULL, &a, why, sizeof(why)),
		    cases[i].cls == NETGUARD_PUBLIC);
		if (cases[i].cls != NETGUARD_PUBLIC)
			assert_non_null(
			    strstr(why, netguard_class_name(cases[i].cls)));
	}
	a.family = 5;
	assert_int_equal(netguard_classify(&a), NETGUARD_RESERVED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tricky_spellings_refused),
	    cmocka_unit_test(test_public_urls_allowed),
	    cmocka_unit_test(test_malformed_urls_refused),
	    cmocka_unit_test(test_allowlist_admits_exactly_what_it_names),
	    cmocka_unit_test(test_allowlist_parse_errors),
	    cmocka_unit_test(test_ipv4_spellings),
	    cmocka_unit_test(test_classes),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
