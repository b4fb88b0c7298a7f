#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/stats_query.h"
#include "core/timeparse.h"

struct stats_interval {
	const char *name;
	int64_t     ms;
};

static const struct stats_interval stats_intervals[] = {
    {"1m", 60000},
    {"5m", 300000},
    {"1h", 3600000},
    {"1d", 86400000},
};

#define STATS_INTERVALS_N  (sizeof(stats_intervals) / sizeof(stats_intervals[0]))
#define STATS_AUTO_BUCKETS 300

static bool
stats_fail(struct search_error *err, const char *field, const char *message)
{
	snprintf(err->field, sizeof(err->field), "%s", field);
	snprintf(err->message, sizeof(err->message), "%s", message);
	return (false);
}

static bool
stats_time(const json_t *args, const char *name, const char *fallback,
    int64_t now_ms, char *text, int64_t *ms, struct search_error *err)
{
	const json_t *v;
	const char   *s;

	v = json_object_get(args, name);
	if (v != NULL && !json_is_null(v) && !json_is_string(v))
		return (stats_fail(err, name, "must be given once, as text"));
	s = json_string_value(v);
	if (s == NULL || s[0] == '\0')
		s = fallback;
	if (!search_time_parse(s, now_ms, ms))
		return (stats_fail(err, name,
		    "must be ISO 8601 (2024-05-01T10:00:00Z) or relative "
		    "(now, now-15m, now-24h, now-7d)"));
	snprintf(text, SEARCH_TIME_TEXT_MAX + 1, "%s", s);
	return (true);
}

bool
stats_params_from_args(const json_t *args, int64_t now_ms,
    struct stats_params *p, struct search_error *err)
{
	const json_t *v;
	const char   *name;
	int64_t       span;
	size_t        i;

	memset(p, 0, sizeof(*p));
	memset(err, 0, sizeof(*err));
	if (!stats_time(args, "from", STATS_RANGE_DEFAULT, now_ms, p->from,
		&p->from_ms, err) ||
	    !stats_time(args, "to", "now", now_ms, p->to, &p->to_ms, err))
		return (false);
	if (p->from_ms >= p->to_ms)
		return (stats_fail(err, "from", "must be before to"));
	span = p->to_ms - p->from_ms;
	v = json_object_get(args, "interval");
	if (v != NULL && !json_is_null(v) && !json_is_string(v))
		return (stats_fail(err, "interval", "must be given once"));
	name = json_string_value(v);
	if (name == NULL || name[0] == '\0' || strcmp(name, "auto") == 0) {
		for (i = 0; i < STATS_INTERVALS_N - 1; i++)
			if (span / stats_intervals[i].ms <= STATS_AUTO_BUCKETS)
				break;
	} else {
		for (i = 0; i < STATS_INTERVALS_N; i++)
			if (strcmp(name, stats_intervals[i].name) == 0)
				break;
		if (i == STATS_INTERVALS_N)
			return (stats_fail(
			    err, "interval", "must be auto, 1m, 5m, 1h or 1d"));
	}
	p->interval_ms = stats_intervals[i].ms;
	snprintf(
	    p->interval, sizeof(p->interval), "%s", stats_intervals[i].name);
	if (span / p->interval_ms + 1 > STATS_BUCKETS_MAX)
		return (stats_fail(err, "interval",
		    "makes more than 1500 buckets over this range: choose a "
		    "wider interval"));
	return (true);
}

json_t *
stats_params_to_json(const struct stats_params *p)
{
	return (json_pack("{s:s, s:s, s:s}", "from", p->from, "to", p->to,
	    "interval", p->interval));
}

/* "today" moves at midnight: the day is part of what identifies it. */
json_t *
stats_cache_what(const struct stats_params *p, int64_t now_ms)
{
	return (json_pack("{s:o, s:I}", "stats", stats_params_to_json(p), "day",
	    (json_int_t)(now_ms / 86400000)));
}

static json_t *
stats_range(int64_t from_ms, int64_t to_ms)
{
	json_t *r;

	r = json_pack(
	    "{s:I, s:s}", "gte", (json_int_t)from_ms, "format", "epoch_millis");
	if (to_ms > 0)
		json_object_set_new(r, "lt", json_integer((json_int_t)to_ms));
	return (json_pack("{s:{s:o}}", "range", "@timestamp", r));
}

static json_t *
stats_errors_filter(void)
{
	return (json_pack(
	    "{s:{s:[s, s]}}", "terms", "log.level", "ERROR", "CRITICAL"));
}

static json_t *
stats_histogram(const struct stats_params *p, json_t *sub)
{
	json_t *h;

	/* Buckets aligned on the interval, the empty ones included. */
	h = json_pack("{s:{s:s, s:s, s:i, s:{s:I, s:I}}}", "date_histogram",
	    "field", "@timestamp", "fixed_interval", p->interval,
	    "min_doc_count", 0, "extended_bounds", "min",
	    (json_int_t)p->from_ms, "max", (json_int_t)(p->to_ms - 1));
	json_object_set_new(h, "aggs", sub);
	return (h);
}

static json_t *
stats_percentiles(const char *field)
{
	return (json_pack("{s:{s:s, s:[i, i, i]}}", "percentiles", "field",
	    field, "percents", 50, 95, 99));
}

static json_t *
stats_access_aggs(const struct stats_params *p)
{
	json_t *classes;

	classes = json_pack("{s:{s:s, s:[{s:s, s:i, s:i}, {s:s, s:i, s:i},"
			    " {s:s, s:i, s:i}, {s:s, s:i, s:i}]}}",
	    "range", "field", "http.response.status_code", "ranges", "key",
	    "2xx", "from", 200, "to", 300, "key", "3xx", "from", 300, "to", 400,
	    "key", "4xx", "from", 400, "to", 500, "key", "5xx", "from", 500,
	    "to", 600);
	return (json_pack(
	    "{s:o, s:{s:{s:s, s:i}}, s:o, s:{s:{s:s}}, s:o, s:{s:{s:s}}}",
	    "over_time",
	    stats_histogram(p, json_pack("{s:o}", "classes", classes)), "urls",
	    "terms", "field", "url.path", "size", STATS_TOP_N, "bytes",
	    stats_percentiles("http.response.body.bytes"), "bytes_n",
	    "value_count", "field", "http.response.body.bytes", "duration",
	    stats_percentiles("event.duration"), "duration_n", "value_count",
	    "field", "event.duration"));
}

json_t *
stats_body_build(const struct stats_params *p, int64_t now_ms)
{
	json_t *range_aggs, *errors;
	int64_t midnight;

	midnight = now_ms - now_ms % 86400000;
	errors = json_pack("{s:o, s:{s:{s:{s:i, s:[{s:s}], s:[s]}}}}", "filter",
	    stats_errors_filter(), "aggs", "latest", "top_hits", "size",
	    STATS_ERROR_SAMPLE, "sort", "@timestamp", "desc", "_source",
	    "message");
	range_aggs = json_pack("{s:o, s:{s:{s:s, s:i}}, s:{s:{s:s, s:i}},"
			       " s:o, s:{s:{s:{s:s}}, s:o}}",
	    "errors", errors, "levels", "terms", "field", "log.level", "size",
	    10, "services", "terms", "field", "service.name", "size",
	    STATS_TOP_N, "histogram",
	    stats_histogram(p,
		json_pack(
		    "{s:{s:o}}", "errors", "filter", stats_errors_filter())),
	    "access", "filter", "exists", "field", "http.response.status_code",
	    "aggs", stats_access_aggs(p));
	return (json_pack("{s:i, s:b, s:{s:{s:o}, s:{s:o, s:o}}}", "size", 0,
	    "track_total_hits", 1, "aggs", "today", "filter",
	    stats_range(midnight, 0), "range", "filter",
	    stats_range(p->from_ms, p->to_ms), "aggs", range_aggs));
}

/* ---- the answer ----------------------------------------------------------- */

static json_int_t
stats_count(const json_t *agg)
{
	return (json_integer_value(json_object_get(agg, "doc_count")));
}

static json_t *
stats_iso(json_int_t ms)
{
	char iso[TIMEPARSE_ISO_LEN + 1];

	if (!timeparse_format_iso((int64_t)ms, iso))
		return (json_null());
	return (json_string(iso));
}

static json_t *
stats_terms(const json_t *agg)
{
	const json_t *b;
	json_t       *out;
	size_t        i;

	out = json_array();
	json_array_foreach(json_object_get(agg, "buckets"), i, b)
	{
		json_array_append_new(out,
		    json_pack("{s:O, s:I}", "key", json_object_get(b, "key"),
			"count", stats_count(b)));
	}
	return (out);
}

/* Sets out[key] = doc_count for each bucket of agg; returns out. */
static json_t *
stats_counts_into(json_t *out, const json_t *agg)
{
	const json_t *b;
	const char   *key;
	size_t        i;

	json_array_foreach(json_object_get(agg, "buckets"), i, b)
	{
		if ((key = json_string_value(json_object_get(b, "key"))) !=
		    NULL)
			json_object_set_new(
			    out, key, json_integer(stats_count(b)));
	}
	return (out);
}

static json_t *
stats_levels(const json_t *agg)
{
	return (stats_counts_into(
	    json_pack("{s:i, s:i, s:i, s:i, s:i}", "DEBUG", 0, "INFO", 0,
		"WARNING", 0, "ERROR", 0, "CRITICAL", 0),
	    agg));
}

static json_t *
stats_histogram_answer(const json_t *agg)
{
	const json_t *b;
	json_t       *out;
	size_t        i;

	out = json_array();
	json_array_foreach(json_object_get(agg, "buckets"), i, b)
	{
		json_array_append_new(out,
		    json_pack("{s:o, s:I, s:I}", "t",
			stats_iso(
			    json_integer_value(json_object_get(b, "key"))),
			"count", stats_count(b), "errors",
			stats_count(json_object_get(b, "errors"))));
	}
	return (out);
}

static json_t *
stats_classes_answer(const json_t *agg)
{
	const json_t *b;
	json_t       *out;
	size_t        i;

	out = json_array();
	json_array_foreach(json_object_get(agg, "buckets"), i, b)
	{
		json_array_append_new(out,
		    stats_counts_into(json_pack("{s:o}", "t",
					  stats_iso(json_integer_value(
					      json_object_get(b, "key")))),
			json_object_get(b, "classes")));
	}
	return (out);
}

/* p50/p95/p99 of a percentiles agg scaled by 1/divisor; null if no value. */
static json_t *
stats_percentiles_answer(const json_t *agg, const json_t *count, double divisor)
{
	const json_t *values;
	double        v[3];
	const char   *keys[3] = {"50.0", "95.0", "99.0"};
	int           i;

	if (json_integer_value(json_object_get(count, "value")) <= 0)
		return (json_null());
	values = json_object_get(agg, "values");
	for (i = 0; i < 3; i++)
		v[i] = json_number_value(json_object_get(values, keys[i])) /
		    divisor;
	return (json_pack(
	    "{s:f, s:f, s:f}", "p50", v[0], "p95", v[1], "p99", v[2]));
}

struct stats_message {
	const char *text;
	long        count;
};

static int
stats_message_cmp(const void *a, const void *b)
{
	const struct stats_message *x = a, *y = b;

	if (x->count != y->count)
		return (x->count > y->count ? -1 : 1);
	return (strcmp(x->text, y->text));
}

/* The most frequent messages among the sampled errors. */
static json_t *
stats_top_errors(const json_t *errors, json_int_t *sampled)
{
	struct stats_message m[STATS_ERROR_SAMPLE] = {0};
	const json_t        *hit;
	const char          *text;
	json_t              *out;
	size_t               i, n, k;

	n = 0;
	json_array_foreach(
	    json_object_get(
		json_object_get(json_object_get(errors, "latest"), "hits"),
		"hits"),
	    i, hit)
	{
		text = json_string_value(json_object_get(
		    json_object_get(hit, "_source"), "message"));
		if (text == NULL)
			text = "";
		for (k = 0; k < n; k++)
			if (strcmp(m[k].text, text) == 0)
				break;
		if (k < n) {
			m[k].count++;
		} else if (n < STATS_ERROR_SAMPLE) {
			m[n].text = text;
			m[n++].count = 1;
		}
		(*sampled)++;
	}
	qsort(m, n, sizeof(m[0]), stats_message_cmp);
	out = json_array();
	for (k = 0; k < n && k < STATS_TOP_N; k++)
		json_array_append_new(out,
		    json_pack("{s:s%, s:i}", "message", m[k].text,
			strnlen(m[k].text, 500), "count",
			(json_int_t)m[k].count));
	return (out);
}

json_t *
stats_answer(const struct stats_params *p, const json_t *reply, long long files)
{
	const json_t *aggs, *range, *access;
	json_t       *out;
	json_int_t    sampled;

	aggs = json_object_get(reply, "aggregations");
	range = json_object_get(aggs, "range");
	access = json_object_get(range, "access");
	sampled = 0;
	out = json_pack("{s:I, s:I, s:I, s:I, s:o, s:s, s:s, s:s}", "total",
	    json_integer_value(json_object_get(
		json_object_get(json_object_get(reply, "hits"), "total"),
		"value")),
	    "today", stats_count(json_object_get(aggs, "today")), "in_range",
	    stats_count(range), "errors",
	    stats_count(json_object_get(range, "errors")), "files",
	    files >= 0 ? json_integer((json_int_t)files) : json_null(),
	    "interval", p->interval, "from", p->from, "to", p->to);
	json_object_set_new(out, "histogram",
	    stats_histogram_answer(json_object_get(range, "histogram")));
	json_object_set_new(
	    out, "levels", stats_levels(json_object_get(range, "levels")));
	json_object_set_new(out, "top_services",
	    stats_terms(json_object_get(range, "services")));
	json_object_set_new(out, "top_errors",
	    stats_top_errors(json_object_get(range, "errors"), &sampled));
	json_object_set_new(out, "top_errors_sample", json_integer(sampled));
	json_object_set_new(out, "access",
	    json_pack("{s:I, s:o, s:o, s:o, s:o}", "count", stats_count(access),
		"status_classes",
		stats_classes_answer(json_object_get(access, "over_time")),
		"top_urls", stats_terms(json_object_get(access, "urls")),
		"bytes",
		stats_percentiles_answer(json_object_get(access, "bytes"),
		    json_object_get(access, "bytes_n"), 1.0),
		"duration_ms",
		stats_percentiles_answer(json_object_get(access, "duration"),
		    json_object_get(access, "duration_n"), 1e6)));
	return (out);
}
