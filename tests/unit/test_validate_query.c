/*
 * Unit tests for request input: body field rules, query strings, and the
 * digests and encodings of secrets.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/digest.h"
#include "core/query.h"
#include "core/validate.h"

static const struct field_rule rules[] = {
    {"name", FIELD_STRING, true, 1, 10, validate_name},
    {"email", FIELD_STRING, false, 3, 254, validate_email},
    {"size", FIELD_INTEGER, false, 1, 500, NULL},
    {"scopes", FIELD_STRING_ARRAY, false, 1, 2, NULL},
    {"on", FIELD_BOOLEAN, false, 0, 0, NULL},
};

#define NRULES (sizeof(rules) / sizeof(rules[0]))

static bool
check(const char *text, struct validate_error *err)
{
	json_t *body;
	bool    ok;

	body = json_loads(text, 0, NULL);
	assert_non_null(body);
	ok = validate_body(body, rules, NRULES, err);
	json_decref(body);
	return (ok);
}

static void
test_validate_accepts_good_bodies(void **state)
{
	struct validate_error err;

	(void)state;
	assert_true(check("{\"name\":\"Ann\"}", &err));
	assert_true(check("{\"name\":\"Ann\",\"email\":\"a@b.io\",\"size\":500,"
			  "\"scopes\":[\"x\",\"y\"],\"on\":true,\"size\":1}",
	    &err));
	assert_true(check("{\"name\":\"Ann\",\"email\":null}", &err));
}

static void
test_validate_names_the_bad_field(void **state)
{
	struct validate_error err;

	(void)state;
	assert_false(check("{}", &err));
	assert_string_equal(err.field, "name");
	assert_false(check("{\"name\":\"Ann\",\"nmae\":1}", &err));
	assert_string_equal(err.field, "nmae");
	assert_false(check("{\"name\":\"this is too long\"}", &err));
	assert_false(check("{\"name\":42}", &err));
	assert_false(check("{\"name\":\"  \"}", &err));
	assert_false(check("{\"name\":\"a\\tb\"}", &err));
	assert_false(check("{\"name\":\"A\",\"size\":501}", &err));
	assert_string_equal(err.field, "size");
	assert_false(check("{\"name\":\"A\",\"size\":1.5}", &err));
	assert_false(check("{\"name\":\"A\",\"scopes\":[]}", &err));
	assert_false(check("{\"name\":\"A\",\"scopes\":[\"\"]}", &err));
	assert_false(check("{\"name\":\"A\",\"scopes\":[1]}", &err));
	assert_false(check("{\"name\":\"A\",\"on\":\"yes\"}", &err));
	assert_false(check("[]", &err));
}

static void
test_validate_email(void **state)
{
	char why[64];

	(void)state;
	assert_true(validate_email("ann@example.com", why, sizeof(why)));
	assert_true(validate_email("a.b+tag@sub.example.co", why, sizeof(why)));
	assert_false(validate_email("ann", why, sizeof(why)));
	assert_false(validate_email("@example.com", why, sizeof(why)));
	assert_false(validate_email("a@b", why, sizeof(why)));
	assert_false(validate_email("a@@b.com", why, sizeof(why)));
	assert_false(validate_email("a b@c.com", why, sizeof(why)));
	assert_false(validate_email("a@b..com", why, sizeof(why)));
	assert_false(validate_email("a@-b.com", why, sizeof(why)));
	assert_false(validate_email("a@b.com.", why, sizeof(why)));
	assert_false(validate_email("a@b_c.com", why, sizeof(why)));
	assert_false(validate_email("<a>@b.com", why, sizeof(why)));
}

static void
test_query_parse(void **state)
{
	char    why[128];
	json_t *q;

	(void)state;
	q = query_parse("q=error+500&level=ERROR&level=WARNING&empty=&flag",
	    why, sizeof(why));
	assert_non_null(q);
	assert_string_equal(
	    json_string_value(json_object_get(q, "q")), "error 500");
	assert_int_equal(json_array_size(json_object_get(q, "level")), 2);
	assert_string_equal(json_string_value(json_object_get(q, "empty")), "");
	assert_string_equal(json_string_value(json_object_get(q, "flag")), "");
	json_decref(q);

	q = query_parse("path=%2Fapi%2Fv1&x=caf%C3%A9", why, sizeof(why));
	assert_string_equal(
	    json_string_value(json_object_get(q, "path")), "/api/v1");
	assert_string_equal(
	    json_string_value(json_object_get(q, "x")), "caf\xc3\xa9");
	json_decref(q);

	q = query_parse(NULL, why, sizeof(why));
	assert_int_equal(json_object_size(q), 0);
	json_decref(q);
}

static void
test_query_refuses_malformed(void **state)
{
	char why[128];
	char big[QUERY_ARGS_MAX * 4 + 16];
	int  i;

	(void)state;
	assert_null(query_parse("a=%zz", why, sizeof(why)));
	assert_null(query_parse("a=%4", why, sizeof(why)));
	assert_null(query_parse("a=%00", why, sizeof(why)));
	assert_null(query_parse("a=%ff%fe", why, sizeof(why)));
	assert_null(query_parse("=value", why, sizeof(why)));
	big[0] = '\0';
	for (i = 0; i <= QUERY_ARGS_MAX; i++)
		strcat(big, "a=1&");
	assert_null(query_parse(big, why, sizeof(why)));
	assert_non_null(strstr(why, "more than"));
}

static void
test_digest(void **state)
{
	unsigned char out[64];
	char          hex[DIGEST_HEX_LEN + 1], b64[16];

	(void)state;
	digest_sha256_hex("abc", 3, hex);
	assert_string_equal(hex,
	    "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(digest_b64url((const unsigned char *)"\xfb\xff", 2,
			     b64, sizeof(b64)),
	    3);
	assert_string_equal(b64, "-_8");
	assert_int_equal(
	    digest_b64url((const unsigned char *)"abcd", 4, b64, 4), 0);
	assert_int_equal(
	    digest_b64_decode("dXNlcjprZXk=", out, sizeof(out)), 8);
	assert_string_equal((char *)out, "user:key");
	assert_int_equal(digest_b64_decode("abc", out, sizeof(out)), -1);
	assert_int_equal(digest_b64_decode("!!!!", out, sizeof(out)), -1);
	assert_int_equal(digest_b64_decode("", out, sizeof(out)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_validate_accepts_good_bodies),
	    cmocka_unit_test(test_validate_names_the_bad_field),
	    cmocka_unit_test(test_validate_email),
	    cmocka_unit_test(test_query_parse),
	    cmocka_unit_test(test_query_refuses_malformed),
	    cmocka_unit_test(test_digest),
	};

	return (
	    cmocka_run_group_tests_name("validate_query", tests, NULL, NULL));
}
