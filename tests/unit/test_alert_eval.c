/*
 * Alert evaluation from numbers: plans of ranges, verdicts of each rule
 * type, robust statistics, calibration quantiles (with a held-out check
 * on a seeded synthetic history), aggregation answers and pattern
 * matching, and the alert life cycle.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/alert_eval.h"
#include "core/alert_life.h"
#include "core/alert_query.h"

static const struct alert_limits limits = {
    .min_interval_s = 1, .escalate_l2_s = 900, .escalate_l3_s = 3600};

static void
rule_of(const char *text, struct alert_rule *r)
{
	struct alert_rule_error e;
	json_t                 *in;

	in = json_loads(text, 0, NULL);
	assert_non_null(in);
	if (!alert_rule_parse(in, &limits, r, &e))
		fail_msg("%s: %s", e.field, e.message);
	json_decref(in);
}

static void
test_plan_shares_ranges(void **state)
{
	struct alert_rule r;
	struct alert_plan p;
	int64_t           from, to;

	(void)state;
	rule_of("{\"name\":\"a\",\"type\":\"anomaly\",\"window\":\"5m\","
		"\"condition\":{\"baseline\":4}}",
	    &r);
	/* Points one window apart share their windows. */
	assert_true(alert_plan_build(&r, 3000000, 300000, 3, &p));
	assert_int_equal(p.per_point, 5);
	assert_int_equal(p.nranges, 7);
	assert_int_equal(p.point_ms[2], 3000000);
	assert_int_equal(p.from_ms[p.idx[2 * 5]], 2700000);
	assert_int_equal(p.to_ms[p.idx[2 * 5]], 3000000);
	assert_int_equal(p.idx[1 * 5], p.idx[2 * 5 + 1]);
	alert_plan_span(&p, &from, &to);
	assert_int_equal(from, 3000000 - 7 * 300000);
	assert_int_equal(to, 3000000);
	alert_plan_free(&p);
	assert_false(alert_plan_build(&r, 0, 1000, ALERT_POINTS_MAX + 1, &p));
}

/* A table of one group whose current window holds count (and errors). */
static void
one_point(const struct alert_rule *r, double count, double errors,
    double previous, struct alert_verdict *v)
{
	struct alert_plan  p;
	struct alert_table t;
	struct alert_row  *row;

	assert_true(alert_plan_build(r, 1000000, 60000, 1, &p));
	alert_table_init(&t, p.nranges);
	row = alert_table_row(&t, "");
	row->count[p.idx[0]] = count;
	row->errors[p.idx[0]] = errors;
	if (p.per_point > 1)
		row->count[p.idx[1]] = previous;
	alert_verdict_of(r, &p, row, 0, v);
	alert_table_free(&t);
	alert_plan_free(&p);
}

static void
test_verdicts(void **state)
{
	struct alert_rule    r;
	struct alert_verdict v;

	(void)state;
	rule_of("{\"name\":\"t\",\"type\":\"threshold\","
		"\"condition\":{\"threshold\":10}}",
	    &r);
	one_point(&r, 10, 0, 0, &v);
	assert_false(v.fire);
	one_point(&r, 11, 0, 0, &v);
	assert_true(v.fire);
	assert_true(v.value == 11 && v.threshold == 10);
	rule_of("{\"name\":\"t\",\"type\":\"threshold\","
		"\"condition\":{\"op\":\"below\",\"threshold\":5}}",
	    &r);
	one_point(&r, 4, 0, 0, &v);
	assert_true(v.fire);
	one_point(&r, 5, 0, 0, &v);
	assert_false(v.fire);
	rule_of("{\"name\":\"a\",\"type\":\"absence\"}", &r);
	one_point(&r, 0, 0, 3, &v);
	assert_true(v.fire);
	one_point(&r, 1, 0, 0, &v);
	assert_false(v.fire);
	rule_of("{\"name\":\"e\",\"type\":\"error_rate\","
		"\"condition\":{\"threshold\":0.1,\"min_volume\":20}}",
	    &r);
	one_point(&r, 19, 19, 0, &v); /* too few documents */
	assert_false(v.fire);
	one_point(&r, 100, 10, 0, &v); /* 10% is not above 10% */
	assert_false(v.fire);
	one_point(&r, 100, 11, 0, &v);
	assert_true(v.fire);
	assert_true(fabs(v.value - 0.11) < 1e-9);
}

static void
test_anomaly_uses_median_and_mad(void **state)
{
	struct alert_rule    r;
	struct alert_plan    p;
	struct alert_table   t;
	struct alert_row    *row;
	struct alert_verdict v;
	const double         base[] = {100, 104, 96, 250, 98, 102, 101, 99};
	int                  j;

	(void)state;
	rule_of("{\"name\":\"a\",\"type\":\"anomaly\","
		"\"condition\":{\"k\":3,\"baseline\":8,\"op\":\"both\"}}",
	    &r);
	assert_true(alert_plan_build(&r, 10000000, 300000, 1, &p));
	alert_table_init(&t, p.nranges);
	row = alert_table_row(&t, "");
	for (j = 1; j <= 8; j++)
		row->count[p.idx[j]] = base[j - 1];
	/* The outlier 250 in the baseline does not widen the spread. */
	row->count[p.idx[0]] = 140;
	alert_verdict_of(&r, &p, row, 0, &v);
	assert_true(v.fire);
	assert_true(v.score > 3);
	row->count[p.idx[0]] = 110;
	alert_verdict_of(&r, &p, row, 0, &v);
	assert_false(v.fire);
	row->count[p.idx[0]] = 20;
	alert_verdict_of(&r, &p, row, 0, &v);
	assert_true(v.fire && v.score < -3);
	alert_table_free(&t);
	alert_plan_free(&p);
}

static void
test_robust_statistics(void **state)
{
	const double v[] = {1, 2, 3, 4, 100};
	const double w[] = {5, 1, 3, 2};
	const double flat[] = {0, 0, 0, 0};

	(void)state;
	assert_true(alert_median(v, 5) == 3);
	assert_true(alert_median(w, 4) == 2.5);
	assert_true(alert_mad(v, 5, 3) == 1);
	assert_true(fabs(alert_robust_sigma(v, 5, 3) - sqrt(3)) < 1e-9);
	assert_true(alert_robust_sigma(flat, 4, 0) == 1);
	assert_true(alert_median(v, 0) == 0);
}

/* A fixed-seed generator (xorshift64*), the same on every machine. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static double
rng_uniform(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return ((double)((rng_state * 2685821657736338717ULL) >> 11) /
	    9007199254740992.0);
}

static double
rng_normal(void)
{
	double u = rng_uniform(), v = rng_uniform();

	if (u < 1e-12)
		u = 1e-12;
	return (sqrt(-2 * log(u)) * cos(2 * M_PI * v));
}

static void
test_quantile_threshold(void **state)
{
	double v[200], rate, t;
	int    i;

	(void)state;
	for (i = 0; i < 200; i++)
		v[i] = i;
	t = alert_quantile_threshold(v, 200, 0.01, &rate);
	assert_true(t == 197); /* 198 and 199 lie above: 1% */
	assert_true(rate == 0.01);
	for (i = 0; i < 200; i++)
		v[i] = 7;
	t = alert_quantile_threshold(v, 200, 0.01, &rate);
	assert_true(t == 7 && rate == 0);
	assert_true(alert_exceed_rate(v, 200, 6) == 1);
	/* Ties: 0.5% of the values above 3 beats 5% above 2 ... */
	for (i = 0; i < 200; i++)
		v[i] = i < 189 ? 1 : i < 199 ? 3 : 4;
	t = alert_quantile_threshold(v, 200, 0.01, &rate);
	assert_true(t == 3 && rate == 0.005);
	/* ... and 1.5% above 2 beats none above 3. */
	for (i = 0; i < 200; i++)
		v[i] = i < 197 ? 2 : 3;
	t = alert_quantile_threshold(v, 200, 0.01, &rate);
	assert_true(t == 2 && rate == 0.015);
}

/*
 * A realistic history of error rates per 5-minute window over 60 days:
 * a daily cycle of traffic, a weekly one, noise, and rare incidents. The
 * threshold fitted on the first half fires in 0.5% to 1.5% of the
 * windows of the second half.
 */
static void
test_calibration_holds_on_unseen_windows(void **state)
{
	struct alert_calibration c;
	static double            rates[60 * 288];
	size_t                   i, n;
	double                   hour, traffic, p, errors;

	(void)state;
	n = sizeof(rates) / sizeof(rates[0]);
	for (i = 0; i < n; i++) {
		hour = (double)(i % 288) / 12.0;
		traffic = 200 + 150 * sin(2 * M_PI * (hour - 9) / 24) +
		    ((i / 288) % 7 >= 5 ? -80 : 0);
		p = 0.02 + 0.01 * rng_normal() * 0.3;
		if (rng_uniform() < 0.004)
			p += 0.05 + 0.1 * rng_uniform(); /* incident */
		if (p < 0)
			p = 0;
		errors = traffic * p + sqrt(traffic * p + 1) * rng_normal();
		rates[i] = errors < 0 ? 0 : errors / traffic;
	}
	alert_calibrate(rates, n, 0.5, 0.01, &c);
	assert_int_equal(c.fit_windows, n / 2);
	assert_true(c.fit_rate <= 0.01 && c.fit_rate >= 0.009);
	assert_true(c.held_out_rate >= 0.005);
	assert_true(c.held_out_rate <= 0.015);
}

static void
test_aggregation_answers(void **state)
{
	struct alert_rule  r;
	struct alert_plan  p;
	struct alert_table t;
	json_t            *body, *ans;
	char               err[128];

	(void)state;
	rule_of("{\"name\":\"e\",\"type\":\"error_rate\","
		"\"group_by\":\"http.response.status_code\","
		"\"query\":{\"q\":\"checkout\",\"service\":[\"web\"]},"
		"\"condition\":{\"threshold\":0.5}}",
	    &r);
	assert_true(alert_plan_build(&r, 1000000, 60000, 1, &p));
	body = alert_query_body(&r, &p);
	assert_string_equal(
	    json_string_value(json_object_get(
		json_object_get(
		    json_object_get(json_object_get(body, "aggs"), "g"),
		    "terms"),
		"field")),
	    "http.response.status_code");
	json_decref(body);
	ans = json_loads("{\"aggregations\":{\"g\":{\"sum_other_doc_count\":0,"
			 "\"buckets\":[{\"key\":500,\"doc_count\":30,\"r\":"
			 "{\"buckets\":{\"0\":{\"doc_count\":30,\"errors\":"
			 "{\"doc_count\":30}}}}},{\"key\":200,\"doc_count\":5,"
			 "\"r\":{\"buckets\":{\"0\":{\"doc_count\":5,"
			 "\"errors\":{\"doc_count\":0}}}}}]}}}",
	    0, NULL);
	alert_table_init(&t, p.nranges);
	assert_true(alert_query_parse(&r, &p, ans, &t, err, sizeof(err)));
	assert_int_equal(t.nrows, 2);
	assert_string_equal(t.rows[0].key, "500");
	assert_true(t.rows[0].errors[0] == 30);
	assert_true(t.rows[1].count[0] == 5);
	alert_table_free(&t);
	json_decref(ans);
	alert_table_init(&t, p.nranges);
	ans = json_loads("{\"took\":1}", 0, NULL);
	assert_false(alert_query_parse(&r, &p, ans, &t, err, sizeof(err)));
	json_decref(ans);
	alert_table_free(&t);
	alert_plan_free(&p);
}

static void
test_an_organization_without_indices_has_no_documents(void **state)
{
	struct alert_rule  r;
	struct alert_plan  p;
	struct alert_table t;
	json_t            *ans;
	char               err[128];

	(void)state;
	rule_of("{\"name\":\"a\",\"type\":\"absence\"}", &r);
	assert_true(alert_plan_build(&r, 1000000, 60000, 1, &p));
	ans = json_loads("{\"took\":0,\"_shards\":{\"total\":0},"
			 "\"hits\":{\"hits\":[]}}",
	    0, NULL);
	alert_table_init(&t, p.nranges);
	assert_true(alert_query_parse(&r, &p, ans, &t, err, sizeof(err)));
	assert_int_equal(t.nrows, 1);
	assert_true(t.rows[0].count[p.idx[0]] == 0);
	alert_table_free(&t);
	json_decref(ans);
	alert_plan_free(&p);
}

static void
test_sliding_sums_and_group_ratios(void **state)
{
	const double in[] = {1, 2, 3, 4, 5};
	const double errors[] = {5, 1, 9, 0};
	const double totals[] = {10, 1, 10, 0};
	double       out[5];

	(void)state;
	alert_sliding_sum(in, 5, 3, out);
	assert_true(out[0] == 1 && out[1] == 3 && out[2] == 6);
	assert_true(out[3] == 9 && out[4] == 12);
	alert_sliding_sum(in, 5, 1, out);
	assert_true(out[4] == 5);
	/* The group of 1 document is under the minimum volume. */
	assert_true(alert_max_ratio(errors, totals, 4, 2) == 0.9);
	assert_true(alert_max_ratio(errors, totals, 4, 1) == 1);
	assert_true(alert_max_ratio(errors, totals, 0, 1) == 0);
}

static void
test_the_chart_of_a_notification(void **state)
{
	struct alert_rule r;
	json_t           *body, *ans, *series, *h;
	char             *text;

	(void)state;
	rule_of("{\"name\":\"t\",\"type\":\"threshold\",\"window\":\"5m\","
		"\"group_by\":\"url.path\",\"condition\":{\"threshold\":1}}",
	    &r);
	body = alert_series_body(&r, "/pay", 1767226235000LL);
	h = json_object_get(json_object_get(json_object_get(body, "aggs"), "h"),
	    "date_histogram");
	/* Two 5-minute windows in 12 buckets of 50 s, ending on a bucket. */
	assert_string_equal(
	    json_string_value(json_object_get(h, "fixed_interval")), "50000ms");
	assert_int_equal(json_integer_value(json_object_get(
			     json_object_get(h, "extended_bounds"), "max")),
	    1767226200000LL - 50000);
	text = json_dumps(body, JSON_COMPACT);
	assert_non_null(strstr(text, "{\"term\":{\"url.path\":\"/pay\"}}"));
	free(text);
	json_decref(body);
	ans = json_loads("{\"aggregations\":{\"h\":{\"buckets\":["
			 "{\"key\":1767225600000,\"doc_count\":3},"
			 "{\"key\":\"bad\",\"doc_count\":1}]}}}",
	    0, NULL);
	series = alert_series_parse(ans);
	assert_int_equal(json_array_size(series), 1);
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(series, 0), "t")),
	    "2026-01-01T00:00:00.000Z");
	json_decref(series);
	json_decref(ans);
	ans = json_loads("{\"took\":1}", 0, NULL);
	assert_null(alert_series_parse(ans));
	json_decref(ans);
}

static void
test_pattern_matching_on_hits(void **state)
{
	struct alert_rule  r;
	struct alert_plan  p;
	struct alert_table t;
	json_t            *ans;
	char               err[128];

	(void)state;
	rule_of("{\"name\":\"p\",\"type\":\"pattern\",\"window\":\"5m\","
		"\"group_by\":\"service.name\","
		"\"condition\":{\"pattern\":\"timeout after [0-9]+ ms\"}}",
	    &r);
	/* Point at 2026-01-01T00:10:00Z; window 00:05 - 00:10. */
	assert_true(alert_plan_build(&r, 1767226200000LL, 60000, 1, &p));
	ans = json_loads(
	    "{\"hits\":{\"hits\":["
	    "{\"_source\":{\"@timestamp\":\"2026-01-01T00:09:00Z\","
	    "\"message\":\"db timeout after 300 ms\",\"service.name\":\"a\"}},"
	    "{\"_source\":{\"@timestamp\":\"2026-01-01T00:08:00.500Z\","
	    "\"message\":\"timeout after 9 ms\",\"service\":{\"name\":\"b\"}}},"
	    "{\"_source\":{\"@timestamp\":\"2026-01-01T00:07:00Z\","
	    "\"message\":\"timeout after x ms\",\"service.name\":\"a\"}},"
	    "{\"_source\":{\"@timestamp\":\"2026-01-01T00:01:00Z\","
	    "\"message\":\"timeout after 1 ms\",\"service.name\":\"a\"}}"
	    "]}}",
	    0, NULL);
	alert_table_init(&t, p.nranges);
	assert_true(alert_pattern_parse(&r, &p, ans, &t, err, sizeof(err)));
	assert_int_equal(t.nrows, 2);
	assert_string_equal(t.rows[0].key, "a");
	assert_true(t.rows[0].count[0] == 1);
	assert_string_equal(t.rows[1].key, "b");
	assert_true(t.rows[1].count[0] == 1);
	alert_table_free(&t);
	json_decref(ans);
	alert_plan_free(&p);
}

static void
test_life_cycle(void **state)
{
	enum alert_status to;
	const char       *why;

	(void)state;
	assert_true(alert_transition(ALERT_FIRING, ALERT_ACT_ACK, &to, &why));
	assert_int_equal(to, ALERT_ACKNOWLEDGED);
	assert_false(
	    alert_transition(ALERT_ACKNOWLEDGED, ALERT_ACT_ACK, &to, &why));
	assert_non_null(why);
	assert_true(
	    alert_transition(ALERT_ACKNOWLEDGED, ALERT_ACT_RESOLVE, &to, &why));
	assert_int_equal(to, ALERT_RESOLVED);
	assert_true(
	    alert_transition(ALERT_FIRING, ALERT_ACT_RESOLVE, &to, &why));
	assert_false(
	    alert_transition(ALERT_RESOLVED, ALERT_ACT_RESOLVE, &to, &why));
	assert_false(
	    alert_transition(ALERT_RESOLVED, ALERT_ACT_ACK, &to, &why));
	assert_false(
	    alert_transition(ALERT_RESOLVED, ALERT_ACT_SNOOZE, &to, &why));
	assert_true(
	    alert_transition(ALERT_RESOLVED, ALERT_ACT_COMMENT, &to, &why));
	assert_int_equal(
	    alert_status_parse("acknowledged"), ALERT_ACKNOWLEDGED);
	assert_int_equal((int)alert_status_parse("x"), -1);
	assert_int_equal(alert_action_parse("snooze"), ALERT_ACT_SNOOZE);
}

static void
test_escalation_and_cooldown(void **state)
{
	struct alert_rule r;
	int               level;

	(void)state;
	rule_of(
	    "{\"name\":\"t\",\"type\":\"threshold\",\"severity\":\"medium\","
	    "\"cooldown\":\"10m\",\"condition\":{\"threshold\":1}}",
	    &r);
	assert_int_equal(alert_level_due(&r, 1000, 1000), 1);
	assert_int_equal(alert_level_due(&r, 1000, 1000 + 899), 1);
	assert_int_equal(alert_level_due(&r, 1000, 1000 + 900), 2);
	assert_int_equal(alert_level_due(&r, 1000, 1000 + 3600), 3);
	assert_true(alert_escalate(&r, ALERT_FIRING, 1, 0, 0, 4000, &level));
	assert_int_equal(level, 3);
	assert_false(alert_escalate(&r, ALERT_FIRING, 3, 0, 0, 9000, &level));
	/* Acknowledged or snoozed alerts do not escalate. */
	assert_false(
	    alert_escalate(&r, ALERT_ACKNOWLEDGED, 1, 0, 0, 4000, &level));
	assert_false(
	    alert_escalate(&r, ALERT_FIRING, 1, 0, 5000, 4000, &level));
	assert_int_equal(alert_level_severity(&r, 1), ALERT_SEV_MEDIUM);
	assert_int_equal(alert_level_severity(&r, 2), ALERT_SEV_HIGH);
	assert_int_equal(alert_level_severity(&r, 3), ALERT_SEV_CRITICAL);
	assert_int_equal(alert_level_severity(&r, 5), ALERT_SEV_CRITICAL);
	r.escalation = false;
	assert_int_equal(alert_level_due(&r, 0, 100000), 1);
	assert_true(alert_cooldown_over(&r, 0, 50));
	assert_false(alert_cooldown_over(&r, 1000, 1599));
	assert_true(alert_cooldown_over(&r, 1000, 1600));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plan_shares_ranges),
	    cmocka_unit_test(test_verdicts),
	    cmocka_unit_test(test_anomaly_uses_median_and_mad),
	    cmocka_unit_test(test_robust_statistics),
	    cmocka_unit_test(test_quantile_threshold),
	    cmocka_unit_test(test_calibration_holds_on_unseen_windows),
	    cmocka_unit_test(test_aggregation_answers),
	    cmocka_unit_test(
		test_an_organization_without_indices_has_no_documents),
	    cmocka_unit_test(test_sliding_sums_and_group_ratios),
	    cmocka_unit_test(test_the_chart_of_a_notification),
	    cmocka_unit_test(test_pattern_matching_on_hits),
	    cmocka_unit_test(test_life_cycle),
	    cmocka_unit_test(test_escalation_and_cooldown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
