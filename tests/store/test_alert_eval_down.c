/*
 * service/alerting_eval.c with Elasticsearch unreachable: an evaluation
 * error is recorded on the rule (status, message, consecutive errors,
 * last error time) instead of a silent "nothing fires", and the next
 * evaluation with Elasticsearch back clears it.
 *
 * tests/integration/test_alerts_down.py runs it with the test stack's
 * MongoDB and Redis (the server's settings), VIGIE_ES_URL pointing at a
 * closed port and VIGIE_TEST_ES_URL_UP at the real Elasticsearch. The
 * rule belongs to a made-up tenant that has no record, so the running
 * worker never evaluates it; the test removes what it wrote.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "common/env.h"
#include "service/alerting.h"
#include "store/es.h"
#include "store/kv.h"
#include "store/metadb.h"

static struct settings   s;
static struct tenant_ctx ctx;
static char              rule_id[25];

static int
setup(void **state)
{
	char err[256];

	(void)state;
	if (!env_settings_load(&s, err, sizeof(err))) {
		fprintf(stderr, "settings: %s\n", err);
		return (-1);
	}
	es_configure(&s);
	if (!kv_configure(&s, err, sizeof(err)) ||
	    !metadb_open(&s, err, sizeof(err))) {
		fprintf(stderr, "stores: %s\n", err);
		return (-1);
	}
	alerting_configure(&s);
	/* A tenant without a record: the running worker never visits it. */
	env_id_hex(ctx.id, 12);
	snprintf(ctx.slug, sizeof(ctx.slug), "down-%.10s", ctx.id + 14);
	snprintf(ctx.plan, sizeof(ctx.plan), "free");
	ctx.active = 1;
	return (tenant_ctx_check(&ctx) ? 0 : -1);
}

static int
teardown(void **state)
{
	json_t *f;
	char    err[256];
	long    n;

	(void)state;
	f = json_object();
	(void)metadb_delete(&ctx, "alert_rules", f, &n, err, sizeof(err));
	(void)metadb_delete(&ctx, "alerts", f, &n, err, sizeof(err));
	(void)metadb_delete(&ctx, "alert_events", f, &n, err, sizeof(err));
	json_decref(f);
	metadb_close();
	return (0);
}

static json_t *
rule_eval(void)
{
	enum metadb_status st;
	json_t            *f, *doc, *eval;
	char               err[256];

	f = json_pack("{s:s}", "id", rule_id);
	doc = metadb_find_one(&ctx, "alert_rules", f, &st, err, sizeof(err));
	json_decref(f);
	assert_non_null(doc);
	eval = json_incref(json_object_get(doc, "eval"));
	json_decref(doc);
	return (eval);
}

/* Makes the rule due again (as time passing would). */
static void
rule_due(void)
{
	json_t *f, *set;
	char    err[256];
	long    n;

	f = json_pack("{s:s}", "id", rule_id);
	set = json_pack("{s:i}", "next_eval_s", 0);
	assert_int_equal(
	    metadb_update(&ctx, "alert_rules", f, set, &n, err, sizeof(err)),
	    METADB_OK);
	json_decref(f);
	json_decref(set);
}

static void
test_unreachable_then_back(void **state)
{
	struct alerting_actor   a;
	struct alerting_outcome o;
	json_t                 *body, *eval;
	const char             *up;
	char                    err[256];

	(void)state;
	a.tenant = &ctx;
	a.user_id = "000000000000000000000000";
	a.name = "test";
	a.now = (long)time(NULL);
	body =
	    json_loads("{\"name\":\"down\",\"type\":\"threshold\","
		       "\"interval\":\"1m\",\"condition\":{\"threshold\":5}}",
		0, NULL);
	alert_rules_create(&a, body, &o);
	json_decref(body);
	assert_int_equal(o.result, ALERTING_OK);
	snprintf(rule_id, sizeof(rule_id), "%s",
	    json_string_value(json_object_get(o.body, "id")));
	alerting_outcome_clear(&o);

	/* Elasticsearch is not there: the rule says so, twice in a row. */
	assert_int_equal(alert_eval_due(&ctx, a.now, err, sizeof(err)), 1);
	eval = rule_eval();
	assert_string_equal(
	    json_string_value(json_object_get(eval, "status")), "error");
	assert_non_null(
	    strstr(json_string_value(json_object_get(eval, "error")),
		"elasticsearch unreachable"));
	assert_int_equal(
	    json_integer_value(json_object_get(eval, "consecutive_errors")), 1);
	assert_non_null(
	    json_string_value(json_object_get(eval, "last_error_at")));
	printf("recorded: %s\n",
	    json_string_value(json_object_get(eval, "error")));
	json_decref(eval);
	rule_due();
	assert_int_equal(alert_eval_due(&ctx, a.now + 60, err, sizeof(err)), 1);
	eval = rule_eval();
	assert_int_equal(
	    json_integer_value(json_object_get(eval, "consecutive_errors")), 2);
	json_decref(eval);

	/* Back: the next evaluation succeeds and clears the error. */
	up = getenv("VIGIE_TEST_ES_URL_UP");
	if (up == NULL)
		skip();
	snprintf(s.es_url, sizeof(s.es_url), "%s", up);
	es_configure(&s);
	rule_due();
	assert_int_equal(
	    alert_eval_due(&ctx, a.now + 120, err, sizeof(err)), 1);
	eval = rule_eval();
	assert_string_equal(
	    json_string_value(json_object_get(eval, "status")), "ok");
	assert_true(json_is_null(json_object_get(eval, "error")));
	assert_int_equal(
	    json_integer_value(json_object_get(eval, "consecutive_errors")), 0);
	json_decref(eval);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_unreachable_then_back),
	};

	return (cmocka_run_group_tests_name(
	    "alert_eval_down", tests, setup, teardown));
}
