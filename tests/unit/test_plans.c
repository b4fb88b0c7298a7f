/*
 * Subscription plans: the parser of tenants/plans.json. Each bad case is
 * the valid document with one fragment replaced, so a test fails for the
 * reason it names and no other.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/plans.h"

static const char valid[] =
    "{\n"
    "  \"_comment\": \"test plans\",\n"
    "  \"currency\": \"EUR\",\n"
    "  \"plans\": {\n"
    "    \"free\": {\n"
    "      \"display_name\": \"Free\",\n"
    "      \"limits\": {\"storage_gb\": 1, \"ingest_gb_per_day\": 0.5,\n"
    "        \"ingest_docs_per_day\": 500000, \"api_requests_per_day\": "
    "10000,\n"
    "        \"users\": 3, \"retention_days\": 7},\n"
    "      \"prices\": {\"monthly_fee\": 0, \"ingest_per_gb\": 0,\n"
    "        \"storage_per_gb_month\": 0, \"overage_allowed\": false}\n"
    "    },\n"
    "    \"pro\": {\n"
    "      \"display_name\": \"Pro\",\n"
    "      \"limits\": {\"storage_gb\": 50, \"ingest_gb_per_day\": 10,\n"
    "        \"ingest_docs_per_day\": 20000000, \"api_requests_per_day\": "
    "500000,\n"
    "        \"users\": 25, \"retention_days\": 30},\n"
    "      \"prices\": {\"monthly_fee\": 4900, \"ingest_per_gb\": 25,\n"
    "        \"storage_per_gb_month\": 10, \"overage_allowed\": true}\n"
    "    },\n"
    "    \"enterprise\": {\n"
    "      \"display_name\": \"Enterprise\",\n"
    "      \"limits\": {\"storage_gb\": 1000, \"ingest_gb_per_day\": 200,\n"
    "        \"ingest_docs_per_day\": 0, \"api_requests_per_day\": 0,\n"
    "        \"users\": 0, \"retention_days\": 365},\n"
    "      \"prices\": {\"monthly_fee\": 49900, \"ingest_per_gb\": 15,\n"
    "        \"storage_per_gb_month\": 5, \"overage_allowed\": true}\n"
    "    }\n"
    "  },\n"
    "  \"default_plan\": \"free\"\n"
    "}\n";

/* The valid document with the first "from" replaced by "to"; free it. */
static char *
with(const char *from, const char *to)
{
	const char *at;
	char       *out;
	size_t      len;

	at = strstr(valid, from);
	if (at == NULL)
		fail_msg("fragment \"%s\" not in the test document", from);
	len = strlen(valid) - strlen(from) + strlen(to);
	out = malloc(len + 1);
	assert_non_null(out);
	snprintf(out, len + 1, "%.*s%s%s", (int)(at - valid), valid, to,
	    at + strlen(from));
	return (out);
}

/* Parses the text, expecting a refusal whose message contains needle. */
static void
refused(const char *text, const char *needle)
{
	struct plans plans;
	char         err[256];

	memset(err, 0, sizeof(err));
	if (plans_parse(text, strlen(text), &plans, err, sizeof(err)))
		fail_msg("accepted: expected an error with \"%s\"", needle);
	if (strstr(err, needle) == NULL)
		fail_msg("error \"%s\" does not mention \"%s\"", err, needle);
	assert_int_equal(plans.count, 0);
	assert_null(plans_find(&plans, "free"));
}

static void
refused_with(const char *from, const char *to, const char *needle)
{
	char *text;

	text = with(from, to);
	refused(text, needle);
	free(text);
}

/* ---- valid documents ------------------------------------------------ */

static void
test_valid(void **state)
{
	const struct plan *p;
	struct plans       plans;
	char               err[256];

	(void)state;
	if (!plans_parse(valid, strlen(valid), &plans, err, sizeof(err)))
		fail_msg("refused: %s", err);
	assert_int_equal(plans.count, 3);
	assert_string_equal(plans.currency, "EUR");
	assert_string_equal(plans.default_plan, "free");

	p = plans_find(&plans, "free");
	assert_non_null(p);
	assert_string_equal(p->name, "free");
	assert_string_equal(p->display_name, "Free");
	assert_int_equal(p->limits.users, 3);
	assert_true(p->limits.storage_gb == 1.0);
	assert_true(p->limits.ingest_gb_per_day == 0.5);
	assert_int_equal(p->limits.ingest_docs_per_day, 500000);
	assert_int_equal(p->limits.api_requests_per_day, 10000);
	assert_int_equal(p->limits.retention_days, 7);
	assert_int_equal(p->prices.monthly_fee, 0);
	assert_false(p->prices.overage_allowed);

	p = plans_find(&plans, "pro");
	assert_non_null(p);
	assert_int_equal(p->limits.users, 25);
	assert_int_equal(p->prices.monthly_fee, 4900);
	assert_int_equal(p->prices.ingest_per_gb, 25);
	assert_int_equal(p->prices.storage_per_gb_month, 10);
	assert_true(p->prices.overage_allowed);

	p = plans_find(&plans, "enterprise");
	assert_non_null(p);
	assert_int_equal(p->limits.users, 0);
	assert_int_equal(p->limits.ingest_docs_per_day, 0);
	assert_int_equal(p->limits.retention_days, 365);
	assert_int_equal(p->prices.monthly_fee, 49900);

	assert_ptr_equal(plans_default(&plans), plans_find(&plans, "free"));
}

/* The file the server ships must parse (run from the repository root). */
static void
test_shipped_file(void **state)
{
	struct plans plans;
	char         err[256], *text;
	FILE        *fp;
	long         len;

	(void)state;
	if ((fp = fopen("tenants/plans.json", "rb")) == NULL)
		skip();
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	len = ftell(fp);
	assert_true(len > 0 && len < PLANS_TEXT_MAX);
	rewind(fp);
	text = malloc((size_t)len);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	if (!plans_parse(text, (size_t)len, &plans, err, sizeof(err)))
		fail_msg("tenants/plans.json refused: %s", err);
	free(text);
	assert_non_null(plans_default(&plans));
	assert_non_null(plans_find(&plans, "free"));
	assert_int_equal(plans_find(&plans, "free")->limits.users, 3);
}

static void
test_comments_ignored(void **state)
{
	struct plans plans;
	char         err[256], *text;

	(void)state;
	text =
	    with("\"users\": 25,", "\"_note\": \"per seat\", \"users\": 25,");
	if (!plans_parse(text, strlen(text), &plans, err, sizeof(err)))
		fail_msg("refused: %s", err);
	free(text);
	assert_int_equal(plans_find(&plans, "pro")->limits.users, 25);
}

static void
test_zero_is_unlimited(void **state)
{
	(void)state;
	assert_false(plans_limit_reached(0, 0));
	assert_false(plans_limit_reached(0, 1000000));
	assert_false(plans_limit_reached(3, 2));
	assert_true(plans_limit_reached(3, 3));
	assert_true(plans_limit_reached(3, 4));
	assert_true(plans_limit_reached(1, 1));
}

/* ---- look-ups ------------------------------------------------------- */

static void
test_unknown_plan(void **state)
{
	struct plans plans;
	char         err[256];

	(void)state;
	assert_true(
	    plans_parse(valid, strlen(valid), &plans, err, sizeof(err)));
	assert_null(plans_find(&plans, "gold"));
	assert_null(plans_find(&plans, "Free"));
	assert_null(plans_find(&plans, "fre"));
	assert_null(plans_find(&plans, "free "));
	assert_null(plans_find(&plans, ""));
	assert_null(plans_find(&plans, NULL));
	assert_null(plans_find(NULL, "free"));
	assert_null(plans_default(NULL));
}

/* ---- malformed text --------------------------------------------------- */

static void
test_malformed_json(void **state)
{
	struct plans plans;
	char         err[256];
	char        *text;

	(void)state;
	refused("{", "not JSON at line 1");
	refused("{\"currency\": \"EUR\",}", "not JSON");
	refused("nope", "not JSON");
	refused("[]", "must be a JSON object");
	refused("\"free\"", "not JSON");
	refused("{}", "currency");
	text = with("}\n", "} trailing");
	refused(text, "not JSON");
	free(text);
	assert_false(plans_parse("", 0, &plans, err, sizeof(err)));
	assert_false(plans_parse(NULL, 10, &plans, err, sizeof(err)));
	/* The error tells where. */
	text = with("\"users\": 3,", "\"users\": 3,,");
	refused(text, "line 9");
	free(text);
}

static void
test_duplicate_keys(void **state)
{
	(void)state;
	refused_with(
	    "\"users\": 3,", "\"users\": 3, \"users\": 300,", "not JSON");
}

/* ---- refused values --------------------------------------------------- */

static void
test_negative_numbers(void **state)
{
	(void)state;
	refused_with("\"users\": 3,", "\"users\": -3,",
	    "plans.free.limits.users must not be negative");
	refused_with("\"storage_gb\": 1,", "\"storage_gb\": -1,",
	    "plans.free.limits.storage_gb must not be negative");
	refused_with("\"ingest_gb_per_day\": 0.5,",
	    "\"ingest_gb_per_day\": -0.5,", "ingest_gb_per_day");
	refused_with("\"retention_days\": 30", "\"retention_days\": -30",
	    "plans.pro.limits.retention_days must not be negative");
	refused_with("\"monthly_fee\": 4900", "\"monthly_fee\": -4900",
	    "plans.pro.prices.monthly_fee must not be negative");
	refused_with("\"api_requests_per_day\": 0",
	    "\"api_requests_per_day\": -1", "api_requests_per_day");
}

static void
test_wrong_types(void **state)
{
	(void)state;
	refused_with("\"users\": 3,", "\"users\": \"3\",",
	    "plans.free.limits.users must be an integer");
	refused_with(
	    "\"users\": 3,", "\"users\": 3.5,", "users must be an integer");
	refused_with(
	    "\"users\": 3,", "\"users\": null,", "users must be an integer");
	refused_with("\"storage_gb\": 1,", "\"storage_gb\": true,",
	    "storage_gb must be a number");
	refused_with("\"monthly_fee\": 4900", "\"monthly_fee\": 49.00",
	    "monthly_fee must be an integer");
	refused_with("\"overage_allowed\": false", "\"overage_allowed\": 0",
	    "overage_allowed must be true or false");
	refused_with(
	    "\"storage_gb\": 1000,", "\"storage_gb\": 1e300,", "too large");
	refused_with("\"display_name\": \"Pro\",\n      \"limits\": {",
	    "\"display_name\": \"Pro\",\n      \"limits\": [], \"_old\": {",
	    "plans.pro.limits must be an object");
	refused_with("\"display_name\": \"Free\"", "\"display_name\": 1",
	    "display_name");
	refused_with("\"display_name\": \"Free\"", "\"display_name\": \"\"",
	    "display_name");
}

static void
test_missing_fields(void **state)
{
	(void)state;
	refused_with(
	    "\"users\": 3, ", "", "plans.free.limits.users is required");
	refused_with("\"overage_allowed\": true}", "\"_x\": 1}",
	    "overage_allowed is required");
	refused_with("\"display_name\": \"Pro\",", "", "display_name");
	refused_with("\"currency\": \"EUR\",", "", "currency");
	refused_with(",\n  \"default_plan\": \"free\"", "", "default_plan");
}

static void
test_unknown_fields(void **state)
{
	(void)state;
	refused_with("\"users\": 3,", "\"user\": 3, \"users\": 3,",
	    "plans.free.limits.user is not a known field");
	refused_with("\"monthly_fee\": 0,",
	    "\"montly_fee\": 0, \"monthly_fee\": 0,",
	    "montly_fee is not a known field");
	refused_with("\"display_name\": \"Pro\",",
	    "\"display_name\": \"Pro\", \"colour\": \"red\",",
	    "plans.pro.colour is not a known field");
	refused_with("\"currency\": \"EUR\",",
	    "\"currency\": \"EUR\", \"curency\": \"EUR\",",
	    "curency is not a known field");
}

static void
test_bad_default_and_currency(void **state)
{
	(void)state;
	refused_with("\"default_plan\": \"free\"", "\"default_plan\": \"gold\"",
	    "default_plan must name one of the plans");
	refused_with("\"default_plan\": \"free\"", "\"default_plan\": 1",
	    "default_plan");
	refused_with(
	    "\"currency\": \"EUR\"", "\"currency\": \"eur\"", "currency");
	refused_with(
	    "\"currency\": \"EUR\"", "\"currency\": \"EURO\"", "currency");
}

static void
test_bad_plan_names(void **state)
{
	(void)state;
	refused_with("\"pro\": {", "\"Pro\": {", "plan name \"Pro\"");
	refused_with("\"pro\": {", "\"\": {", "plan name");
	refused_with("\"pro\": {", "\"pro plan\": {", "plan name");
	refused_with(
	    "\"pro\": {", "\"abcdefghijklmnopqrstuvwx\": {", "plan name");
	refused_with("\"pro\": {", "\"../pro\": {", "plan name");
}

static void
test_plan_count(void **state)
{
	char   text[16384], *p;
	size_t i;

	(void)state;
	refused("{\"currency\": \"EUR\", \"plans\": {}, \"default_plan\": "
		"\"free\"}",
	    "1 to 16 plans");
	refused("{\"currency\": \"EUR\", \"plans\": {\"_c\": 1}, "
		"\"default_plan\": \"free\"}",
	    "no plan");
	/* Seventeen plans. */
	p = text +
	    snprintf(text, sizeof(text),
		"{\"currency\": \"EUR\", \"default_plan\": \"p0\", "
		"\"plans\": {");
	for (i = 0; i < PLANS_MAX + 1; i++)
		p += snprintf(p, sizeof(text) - (size_t)(p - text),
		    "%s\"p%zu\": {\"display_name\": \"P\", \"limits\": "
		    "{\"users\": 1, \"storage_gb\": 1, \"ingest_gb_per_day\": "
		    "1, \"ingest_docs_per_day\": 1, \"api_requests_per_day\": "
		    "1, \"retention_days\": 1}, \"prices\": {\"monthly_fee\": "
		    "0, \"ingest_per_gb\": 0, \"storage_per_gb_month\": 0, "
		    "\"overage_allowed\": false}}",
		    i == 0 ? "" : ", ", i);
	snprintf(p, sizeof(text) - (size_t)(p - text), "}}");
	refused(text, "1 to 16 plans");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid),
	    cmocka_unit_test(test_shipped_file),
	    cmocka_unit_test(test_comments_ignored),
	    cmocka_unit_test(test_zero_is_unlimited),
	    cmocka_unit_test(test_unknown_plan),
	    cmocka_unit_test(test_malformed_json),
	    cmocka_unit_test(test_duplicate_keys),
	    cmocka_unit_test(test_negative_numbers),
	    cmocka_unit_test(test_wrong_types),
	    cmocka_unit_test(test_missing_fields),
	    cmocka_unit_test(test_unknown_fields),
	    cmocka_unit_test(test_bad_default_and_currency),
	    cmocka_unit_test(test_bad_plan_names),
	    cmocka_unit_test(test_plan_count),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
