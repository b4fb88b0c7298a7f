/*
 * Alert rules: parsing, bounds, defaults, the canonical JSON, and the
 * guard against catastrophic regular expressions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/alert_rule.h"

static const struct alert_limits limits = {
    .min_interval_s = 60, .escalate_l2_s = 900, .escalate_l3_s = 3600};

static bool
parse(const char *text, struct alert_rule *r, struct alert_rule_error *e)
{
	json_t *in;
	bool    ok;

	in = json_loads(text, 0, NULL);
	assert_non_null(in);
	ok = alert_rule_parse(in, &limits, r, e);
	json_decref(in);
	return (ok);
}

static void
refused(const char *text, const char *field)
{
	struct alert_rule       r;
	struct alert_rule_error e;

	assert_false(parse(text, &r, &e));
	assert_string_equal(e.field, field);
	assert_true(e.message[0] != '\0');
}

static void
test_threshold_rule_with_defaults(void **state)
{
	struct alert_rule       r;
	struct alert_rule_error e;

	(void)state;
	assert_true(parse("{\"name\":\"5xx\",\"type\":\"threshold\","
			  "\"condition\":{\"threshold\":10}}",
	    &r, &e));
	assert_int_equal(r.type, ALERT_THRESHOLD);
	assert_int_equal(r.severity, ALERT_SEV_MEDIUM);
	assert_true(r.enabled);
	assert_true(r.auto_resolve);
	assert_int_equal(r.window_s, 300);
	assert_int_equal(r.interval_s, 60);
	assert_int_equal(r.cooldown_s, 900);
	assert_int_equal(r.op, ALERT_OP_ABOVE);
	assert_true(r.threshold == 10);
	/* Default escalation: levels at 0, 15 min and 1 h. */
	assert_true(r.escalation);
	assert_int_equal(r.nlevels, 3);
	assert_int_equal(r.levels_of[1].after_s, 900);
	assert_int_equal(r.levels_of[2].after_s, 3600);
}

static void
test_full_rule_round_trips(void **state)
{
	struct alert_rule       r, r2;
	struct alert_rule_error e;
	json_t                 *out;
	const char             *text =
	    "{\"name\":\"checkout errors\",\"description\":\"d\","
	    "\"enabled\":false,\"severity\":\"high\",\"type\":\"error_rate\","
	    "\"query\":{\"q\":\"payment\",\"level\":[\"error\",\"CRITICAL\"],"
	    "\"service\":[\"checkout\"]},\"window\":\"15m\","
	    "\"interval\":\"2m\",\"group_by\":\"url.path\","
	    "\"cooldown\":\"1h\",\"auto_resolve\":false,"
	    "\"condition\":{\"threshold\":0.2,\"min_volume\":50,"
	    "\"status_min\":500},"
	    "\"channels\":[\"0123456789abcdef01234567\"],"
	    "\"escalation\":{\"levels\":[{\"after\":\"0s\"},"
	    "{\"after\":\"10m\",\"channels\":[]}]}}";

	(void)state;
	assert_true(parse(text, &r, &e));
	assert_int_equal(r.levels, ALERT_LEVEL_ERROR | ALERT_LEVEL_CRITICAL);
	assert_string_equal(r.services[0], "checkout");
	assert_string_equal(r.group_by, "url.path");
	assert_int_equal(r.status_min, 500);
	assert_int_equal(r.min_volume, 50);
	assert_int_equal(r.nlevels, 2);
	/* A level without channels gets the rule's; an empty list none. */
	assert_int_equal(r.levels_of[0].nchannels, 1);
	assert_int_equal(r.levels_of[1].nchannels, 0);
	out = alert_rule_to_json(&r);
	assert_string_equal(
	    json_string_value(json_object_get(out, "window")), "15m");
	assert_string_equal(
	    json_string_value(json_object_get(out, "interval")), "2m");
	assert_true(alert_rule_parse(out, &limits, &r2, &e));
	assert_memory_equal(&r, &r2, sizeof(r));
	json_decref(out);
}

static void
test_bad_rules_name_the_field(void **state)
{
	(void)state;
	refused(
	    "{\"type\":\"threshold\",\"condition\":{\"threshold\":1}}", "name");
	refused("{\"name\":\"x\",\"type\":\"nope\"}", "type");
	refused(
	    "{\"name\":\"x\",\"type\":\"threshold\"}", "condition.threshold");
	refused("{\"name\":\"x\",\"type\":\"threshold\",\"window\":\"7m\","
		"\"condition\":{\"threshold\":1}}",
	    "window");
	refused("{\"name\":\"x\",\"type\":\"threshold\",\"interval\":\"10s\","
		"\"condition\":{\"threshold\":1}}",
	    "interval");
	refused("{\"name\":\"x\",\"type\":\"threshold\",\"interval\":\"1x\","
		"\"condition\":{\"threshold\":1}}",
	    "interval");
	refused("{\"name\":\"x\",\"type\":\"threshold\",\"group_by\":\"a\","
		"\"condition\":{\"threshold\":1}}",
	    "group_by");
	refused("{\"name\":\"x\",\"type\":\"threshold\",\"severity\":\"huge\","
		"\"condition\":{\"threshold\":1}}",
	    "severity");
	refused("{\"name\":\"x\",\"type\":\"threshold\",\"extra\":1,"
		"\"condition\":{\"threshold\":1}}",
	    "extra");
	refused("{\"name\":\"x\",\"type\":\"threshold\","
		"\"condition\":{\"threshold\":-1}}",
	    "condition.threshold");
	refused("{\"name\":\"x\",\"type\":\"error_rate\","
		"\"condition\":{\"threshold\":1.5}}",
	    "condition.threshold");
	refused("{\"name\":\"x\",\"type\":\"absence\","
		"\"condition\":{\"threshold\":1}}",
	    "condition.threshold");
	refused("{\"name\":\"x\",\"type\":\"threshold\",\"channels\":[\"a\"],"
		"\"condition\":{\"threshold\":1}}",
	    "channels");
	refused("{\"name\":\"x\",\"type\":\"threshold\","
		"\"query\":{\"q\":\"\\\"not closed\"},"
		"\"condition\":{\"threshold\":1}}",
	    "query.q");
	refused("{\"name\":\"x\",\"type\":\"threshold\","
		"\"query\":{\"q\":\"_id:1\"},"
		"\"condition\":{\"threshold\":1}}",
	    "query.q");
	refused("{\"name\":\"x\",\"type\":\"threshold\","
		"\"query\":{\"level\":[\"LOUD\"]},"
		"\"condition\":{\"threshold\":1}}",
	    "query.level");
	refused("{\"name\":\"x\",\"type\":\"threshold\","
		"\"escalation\":{\"levels\":[{\"after\":\"5m\"}]},"
		"\"condition\":{\"threshold\":1}}",
	    "escalation.levels[0]");
	refused("{\"name\":\"x\",\"type\":\"threshold\","
		"\"escalation\":{\"levels\":[{\"after\":\"0s\"},"
		"{\"after\":\"0s\"}]},\"condition\":{\"threshold\":1}}",
	    "escalation.levels[1]");
	refused("{\"name\":\"x\",\"type\":\"anomaly\","
		"\"condition\":{\"baseline\":2}}",
	    "condition.baseline");
	refused("{\"name\":\"x\",\"type\":\"pattern\","
		"\"condition\":{\"pattern\":\"(a+)+$\"}}",
	    "condition.pattern");
}

static void
test_durations(void **state)
{
	long s;
	char out[16];

	(void)state;
	assert_true(alert_duration_parse("90s", &s) && s == 90);
	assert_true(alert_duration_parse("5m", &s) && s == 300);
	assert_true(alert_duration_parse("24h", &s) && s == 86400);
	assert_true(alert_duration_parse("2d", &s) && s == 172800);
	assert_false(alert_duration_parse("", &s));
	assert_false(alert_duration_parse("m", &s));
	assert_false(alert_duration_parse("-5m", &s));
	assert_false(alert_duration_parse("5 m", &s));
	assert_false(alert_duration_parse("5mm", &s));
	assert_false(alert_duration_parse("99999999999m", &s));
	alert_duration_format(3600, out, sizeof(out));
	assert_string_equal(out, "1h");
	alert_duration_format(90, out, sizeof(out));
	assert_string_equal(out, "90s");
	alert_duration_format(0, out, sizeof(out));
	assert_string_equal(out, "0s");
	assert_true(alert_window_allowed(900));
	assert_false(alert_window_allowed(600));
}

static void
test_patterns(void **state)
{
	char why[128];
	char big[400];

	(void)state;
	assert_true(alert_pattern_check("timeout after [0-9]+ ms", why, 128));
	assert_true(alert_pattern_check("^(GET|POST) /api", why, 128));
	assert_true(alert_pattern_check("(ab)+c", why, 128));
	assert_true(alert_pattern_check("a{1,100}", why, 128));
	assert_true(alert_pattern_check("[(+*]+", why, 128));
	assert_false(alert_pattern_check("(a+)+", why, 128));
	assert_false(alert_pattern_check("(a*b?)*", why, 128));
	assert_false(alert_pattern_check("((a)+)+", why, 128));
	assert_false(alert_pattern_check("(a{2})+", why, 128));
	assert_false(alert_pattern_check("(a)\\1", why, 128));
	assert_false(alert_pattern_check("a{1,1000}", why, 128));
	assert_false(alert_pattern_check("(abc", why, 128));
	assert_false(alert_pattern_check("abc)", why, 128));
	assert_false(alert_pattern_check("", why, 128));
	assert_false(alert_pattern_check("[[:nope:]]", why, 128));
	assert_false(alert_pattern_check("a{3,1}", why, 128));
	assert_false(alert_pattern_check("a++", why, 128));
	assert_false(alert_pattern_check("a*?", why, 128));
	assert_false(alert_pattern_check("a{2}{3}", why, 128));
	assert_false(alert_pattern_check(
	    "a{100}b{100}c{100}d{100}e{100}f{100}g{100}h{100}i{100}j{100}k{1}",
	    why, 128));
	/* An escaped '+' is a character: "\++" is one repetition. */
	assert_true(alert_pattern_check("a\\++", why, 128));
	assert_true(alert_pattern_check("a\\+b+", why, 128));
	assert_false(alert_pattern_check("a\\\\++", why, 128));
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_false(alert_pattern_check(big, why, 128));
}

static void
test_group_fields(void **state)
{
	(void)state;
	assert_true(alert_group_field_check("service.name"));
	assert_true(alert_group_field_check("client.ip"));
	assert_true(alert_group_field_check("labels.region"));
	assert_false(alert_group_field_check("labels."));
	assert_false(alert_group_field_check("labels.a b"));
	assert_false(alert_group_field_check("message"));
	assert_false(alert_group_field_check("_id"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_threshold_rule_with_defaults),
	    cmocka_unit_test(test_full_rule_round_trips),
	    cmocka_unit_test(test_bad_rules_name_the_field),
	    cmocka_unit_test(test_durations),
	    cmocka_unit_test(test_patterns),
	    cmocka_unit_test(test_group_fields),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
