/*
 * Unit tests for settings parsing and the metrics table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/metrics.h"
#include "core/settings.h"

#define SECRET "0123456789abcdef0123456789abcdef"

struct fake_env {
	const char *pairs[16][2];
};

static const char *
fake_lookup(const char *name, void *ctx)
{
	struct fake_env *e = ctx;
	int              i;

	for (i = 0; i < 16 && e->pairs[i][0] != NULL; i++) {
		if (strcmp(e->pairs[i][0], name) == 0)
			return (e->pairs[i][1]);
	}
	return (NULL);
}

static void
test_settings_defaults(void **state)
{
	struct fake_env env = {{{"VIGIE_JWT_SECRET", SECRET}}};
	struct settings s;
	char            err[256];

	(void)state;
	assert_true(settings_load(&s, fake_lookup, &env, err, sizeof(err)));
	assert_int_equal(s.port, 8080);
	assert_string_equal(s.host, "127.0.0.1");
	assert_int_equal(s.log_level, LOG_LEVEL_INFO);
	assert_string_equal(s.es_url, "http://127.0.0.1:9200");
	assert_string_equal(s.jwt_secret, SECRET);
}

static void
test_settings_secret_required(void **state)
{
	struct fake_env env = {{{NULL, NULL}}};
	struct settings s;
	char            err[256];

	(void)state;
	assert_false(settings_load(&s, fake_lookup, &env, err, sizeof(err)));
	assert_non_null(strstr(err, "VIGIE_JWT_SECRET is required"));
}

static void
test_settings_secret_too_short(void **state)
{
	struct fake_env env = {{{"VIGIE_JWT_SECRET", "short"}}};
	struct settings s;
	char            err[256];

	(void)state;
	assert_false(settings_load(&s, fake_lookup, &env, err, sizeof(err)));
	assert_non_null(strstr(err, "VIGIE_JWT_SECRET must be 32"));
}

static void
test_settings_bounds(void **state)
{
	struct fake_env env = {
	    {{"VIGIE_JWT_SECRET", SECRET}, {"VIGIE_PORT", "70000"}}};
	struct settings s;
	char            err[256];

	(void)state;
	assert_false(settings_load(&s, fake_lookup, &env, err, sizeof(err)));
	assert_non_null(strstr(err, "VIGIE_PORT must be an integer from 1"));
	env.pairs[1][1] = "80x";
	assert_false(settings_load(&s, fake_lookup, &env, err, sizeof(err)));
	env.pairs[1][1] = "";
	assert_false(settings_load(&s, fake_lookup, &env, err, sizeof(err)));
	env.pairs[1][1] = "9090";
	assert_true(settings_load(&s, fake_lookup, &env, err, sizeof(err)));
	assert_int_equal(s.port, 9090);
}

static void
test_settings_choice_and_url(void **state)
{
	struct fake_env env = {{{"VIGIE_JWT_SECRET", SECRET},
	    {"VIGIE_LOG_LEVEL", "warning"}, {"VIGIE_ES_URL", "ftp://x"}}};
	struct settings s;
	char            err[256];

	(void)state;
	assert_false(settings_load(&s, fake_lookup, &env, err, sizeof(err)));
	assert_non_null(strstr(err, "VIGIE_ES_URL must be a http|https"));
	env.pairs[2][1] = "https://es.internal:9243";
	assert_true(settings_load(&s, fake_lookup, &env, err, sizeof(err)));
	assert_int_equal(s.log_level, LOG_LEVEL_WARNING);
	env.pairs[1][1] = "verbose";
	assert_false(settings_load(&s, fake_lookup, &env, err, sizeof(err)));
	assert_non_null(strstr(err, "debug|info|warning|error|critical"));
}

static void
test_settings_known_and_described(void **state)
{
	struct settings_doc doc;
	size_t              i;

	(void)state;
	assert_true(settings_known("VIGIE_PORT"));
	assert_false(settings_known("VIGIE_PROT"));
	for (i = 0; settings_describe(i, &doc); i++) {
		assert_non_null(doc.help);
		assert_true(strncmp(doc.name, "VIGIE_", 6) == 0);
	}
	assert_int_equal(i, settings_count());
}

static void
test_metrics_slots(void **state)
{
	(void)state;
	assert_int_equal(metrics_status_code(metrics_status_slot(200)), 200);
	assert_int_equal(metrics_status_code(metrics_status_slot(404)), 404);
	/* Unlisted codes count in their class. */
	assert_int_equal(metrics_status_code(metrics_status_slot(418)), 400);
	assert_int_equal(metrics_status_code(metrics_status_slot(599)), 500);
	assert_int_equal(metrics_status_code(metrics_status_slot(999)), 500);
	assert_true(metrics_status_slot(999) < METRICS_STATUS_SLOTS);
}

static void
test_metrics_buckets(void **state)
{
	(void)state;
	assert_int_equal(metrics_bucket_index(0), 0);
	assert_int_equal(metrics_bucket_index(250), 0);
	assert_int_equal(metrics_bucket_index(251), 1);
	assert_int_equal(
	    metrics_bucket_index(UINT64_MAX - 1), METRICS_BUCKETS - 1);
}

static void
test_metrics_render(void **state)
{
	static struct metrics_table t;
	const char *const           names[] = {"ping", "health"};
	struct buf                  out;

	(void)state;
	memset(&t, 0, sizeof(t));
	metrics_record(&t, 0, 200, 100);
	metrics_record(&t, 0, 200, 3000);
	metrics_record(&t, 1, 503, 2000000);
	metrics_record(&t, 7, 200, 1); /* route without a name */
	metrics_record(&t, 999, 200, 1); /* out of range: ignored */
	metrics_inflight_add(&t, 3);
	t.rss_bytes[1] = 4096;
	buf_init(&out, 1024);
	metrics_render(&t, names, 2, &out);
	assert_non_null(strstr(out.data,
	    "vigie_http_requests_total{route=\"ping\",status=\"200\"} 2\n"));
	assert_non_null(strstr(out.data,
	    "vigie_http_requests_total{route=\"health\",status=\"503\"} 1\n"));
	assert_non_null(strstr(out.data,
	    "vigie_http_request_duration_seconds_"
	    "bucket{route=\"ping\",le=\"0.00025\"} 1\n"));
	assert_non_null(strstr(out.data,
	    "vigie_http_request_duration_seconds_"
	    "bucket{route=\"ping\",le=\"+Inf\"} 2\n"));
	assert_non_null(strstr(out.data,
	    "vigie_http_request_duration_seconds_"
	    "count{route=\"health\"} 1\n"));
	assert_non_null(strstr(out.data, "vigie_http_requests_in_flight 3\n"));
	assert_non_null(strstr(out.data,
	    "vigie_process_resident_memory_bytes{process=\"1\"} 4096\n"));
	assert_null(strstr(out.data, "route=\"(null)\""));
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_settings_defaults),
	    cmocka_unit_test(test_settings_secret_required),
	    cmocka_unit_test(test_settings_secret_too_short),
	    cmocka_unit_test(test_settings_bounds),
	    cmocka_unit_test(test_settings_choice_and_url),
	    cmocka_unit_test(test_settings_known_and_described),
	    cmocka_unit_test(test_metrics_slots),
	    cmocka_unit_test(test_metrics_buckets),
	    cmocka_unit_test(test_metrics_render),
	};

	return (
	    cmocka_run_group_tests_name("settings_metrics", tests, NULL, NULL));
}
