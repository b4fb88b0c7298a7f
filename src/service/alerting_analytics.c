/*
 * Error-rate analytics (the share of 4xx/5xx or ERROR/CRITICAL documents
 * over sliding windows, globally, per URL and per user) and threshold
 * calibration from a tenant's history. The numbers come from date
 * histograms on the tenant's alias; the arithmetic is in core/alert_eval.
 */
#include <stdio.h>
#include <string.h>

#include "core/alert_eval.h"
#include "core/alert_query.h"
#include "core/mem.h"
#include "core/text.h"
#include "service/alerting.h"
#include "store/es_alias.h"
#include "store/metadb.h"
#include "store/queue.h"

#define ANALYTICS_POINTS_MAX 2000
#define ANALYTICS_GROUPS     10
#define CALIBRATE_CHUNK      1000 /* windows per Elasticsearch request */
#define CALIBRATE_WINDOWS    20000

/* A date histogram of [from, to) in buckets of step_s, with errors. */
static json_t *
analytics_histogram(long from, long to, long step_s)
{
	char interval[32];

	snprintf(interval, sizeof(interval), "%lds", step_s);
	return (json_pack("{s:{s:s, s:s, s:i, s:I, s:{s:I, s:I}}, "
			  "s:{s:{s:o}}}",
	    "date_histogram", "field", "@timestamp", "fixed_interval", interval,
	    "min_doc_count", 0, "offset", (json_int_t)0, "extended_bounds",
	    "min", (json_int_t)from * 1000, "max",
	    (json_int_t)(to - step_s) * 1000, "aggs", "errors", "filter",
	    alert_query_errors(400)));
}

static json_t *
analytics_query(const json_t *filters, long from, long to)
{
	json_t *f;

	f = filters != NULL ? json_deep_copy(filters) : json_array();
	json_array_append_new(f,
	    json_pack("{s:{s:{s:I, s:I, s:s}}}", "range", "@timestamp", "gte",
		(json_int_t)from * 1000, "lt", (json_int_t)to * 1000, "format",
		"epoch_millis"));
	return (json_pack("{s:{s:o}}", "bool", "filter", f));
}

/*
 * Reads a histogram's buckets into totals and errors (n slots from
 * from, step_s apart). Buckets outside are ignored.
 */
static void
analytics_read(const json_t *hist, long from, long step_s, size_t n,
    double *totals, double *errors)
{
	const json_t *b;
	size_t        i;
	long          slot;

	json_array_foreach(json_object_get(hist, "buckets"), i, b)
	{
		slot = (long)((json_integer_value(json_object_get(b, "key")) /
				      1000 -
				  from) /
		    step_s);
		if (slot < 0 || (size_t)slot >= n)
			continue;
		totals[slot] =
		    (double)json_integer_value(json_object_get(b, "doc_count"));
		errors[slot] = (double)json_integer_value(
		    json_object_get(json_object_get(b, "errors"), "doc_count"));
	}
}

static json_t *
analytics_series(const char *key, long from, long step_s, size_t n, size_t k,
    const double *totals, const double *errors)
{
	double *wt, *we, sum_t, sum_e;
	json_t *points;
	char    at[32];
	size_t  i;

	wt = mem_calloc(n + 1, sizeof(*wt));
	we = mem_calloc(n + 1, sizeof(*we));
	alert_sliding_sum(totals, n, k, wt);
	alert_sliding_sum(errors, n, k, we);
	points = json_array();
	sum_t = sum_e = 0;
	for (i = 0; i < n; i++) {
		sum_t += totals[i];
		sum_e += errors[i];
		text_iso8601(from + (long)(i + 1) * step_s, at, sizeof(at));
		json_array_append_new(points,
		    json_pack("{s:s, s:f, s:f, s:f}", "t", at, "total", wt[i],
			"errors", we[i], "rate",
			wt[i] > 0 ? we[i] / wt[i] : 0));
	}
	mem_free(wt);
	mem_free(we);
	return (json_pack("{s:s, s:f, s:f, s:f, s:o}", "key", key, "total",
	    sum_t, "errors", sum_e, "rate", sum_t > 0 ? sum_e / sum_t : 0,
	    "points", points));
}

void
alert_analytics_error_rate(const struct tenant_ctx *ctx, const char *by,
    long from, long to, long window_s, long step_s, long min_volume,
    struct alerting_outcome *o)
{
	json_t     *body, *aggs, *answer, *series, *b;
	const char *field;
	double     *totals, *errors;
	char        err[512], key[ALERT_GROUP_LEN], w[16], s[16];
	size_t      n, i;

	memset(o, 0, sizeof(*o));
	field = strcmp(by, "url") == 0 ? "url.path"
	    : strcmp(by, "user") == 0  ? "user.name"
				       : NULL;
	from -= from % step_s;
	n = (size_t)((to - from + step_s - 1) / step_s);
	if (n == 0 || n > ANALYTICS_POINTS_MAX) {
		alerting_fail(o, ALERTING_INVALID,
		    "too many points: widen the step or narrow the range");
		o->details = json_pack("{s:s}", "field", "step");
		return;
	}
	to = from + (long)n * step_s;
	aggs = field == NULL
	    ? json_pack("{s:o}", "h", analytics_histogram(from, to, step_s))
	    : json_pack("{s:{s:{s:s, s:i}, s:{s:o}}}", "g", "terms", "field",
		  field, "size", ANALYTICS_GROUPS, "aggs", "h",
		  analytics_histogram(from, to, step_s));
	body = json_pack("{s:i, s:b, s:o, s:o}", "size", 0, "track_total_hits",
	    0, "query", analytics_query(NULL, from, to), "aggs", aggs);
	answer = es_alias_search(ctx, body, 0, err, sizeof(err));
	json_decref(body);
	if (answer == NULL) {
		alerting_fail(o, ALERTING_UNAVAILABLE, "%s", err);
		return;
	}
	totals = mem_calloc(n, sizeof(*totals));
	errors = mem_calloc(n, sizeof(*errors));
	series = json_array();
	aggs = json_object_get(answer, "aggregations");
	if (field == NULL) {
		analytics_read(json_object_get(aggs, "h"), from, step_s, n,
		    totals, errors);
		json_array_append_new(series,
		    analytics_series("global", from, step_s, n,
			(size_t)(window_s / step_s), totals, errors));
	} else {
		json_array_foreach(
		    json_object_get(json_object_get(aggs, "g"), "buckets"), i,
		    b)
		{
			if (json_integer_value(
				json_object_get(b, "doc_count")) < min_volume ||
			    !alert_key_text(
				json_object_get(b, "key"), key, sizeof(key)))
				continue;
			memset(totals, 0, n * sizeof(*totals));
			memset(errors, 0, n * sizeof(*errors));
			analytics_read(json_object_get(b, "h"), from, step_s, n,
			    totals, errors);
			json_array_append_new(series,
			    analytics_series(key, from, step_s, n,
				(size_t)(window_s / step_s), totals, errors));
		}
	}
	mem_free(totals);
	mem_free(errors);
	json_decref(answer);
	alert_duration_format(window_s, w, sizeof(w));
	alert_duration_format(step_s, s, sizeof(s));
	o->body = json_pack("{s:s, s:s, s:s, s:o}", "by",
	    field == NULL ? "global" : by, "window", w, "step", s, "series",
	    series);
}

/* ---- calibration ----------------------------------------------------------- */

enum calib_metric {
	CALIB_COUNT = 0,
	CALIB_ERRORS,
	CALIB_RATE,
	CALIB_RATE_URL,
	CALIB_RATE_USER,
	CALIB_METRICS
};

static const struct {
	const char *name;
	const char *rule_type;
	const char *group_by;
} calib_metrics[CALIB_METRICS] = {
    {"count", "threshold", NULL},
    {"errors", "threshold", NULL},
    {"error_rate", "error_rate", NULL},
    {"error_rate_by_url", "error_rate", "url.path"},
    {"error_rate_by_user", "error_rate", "user.name"},
};

/* The largest error ratio among the groups of one terms aggregation. */
static double
calib_group_ratio(const json_t *terms, long min_volume)
{
	double        e[ANALYTICS_GROUPS], t[ANALYTICS_GROUPS];
	const json_t *b;
	size_t        i, n;

	n = 0;
	json_array_foreach(json_object_get(terms, "buckets"), i, b)
	{
		if (n == ANALYTICS_GROUPS)
			break;
		t[n] =
		    (double)json_integer_value(json_object_get(b, "doc_count"));
		e[n] = (double)json_integer_value(
		    json_object_get(json_object_get(b, "errors"), "doc_count"));
		n++;
	}
	return (alert_max_ratio(e, t, n, (double)min_volume));
}

/* Fetches the windows [from, to) into values[metric][slot]. */
static bool
calib_fetch(const struct tenant_ctx *ctx, const json_t *filters, long from,
    long to, long window_s, long min_volume, double *values[], size_t first,
    char *err, size_t errlen)
{
	json_t       *hist, *body, *answer, *grp;
	const json_t *b;
	size_t        i, slot;
	double        total, errors;
	long          at;

	hist = analytics_histogram(from, to, window_s);
	grp = json_pack("{s:{s:s, s:i}, s:{s:{s:o}}}", "terms", "field",
	    "url.path", "size", ANALYTICS_GROUPS, "aggs", "errors", "filter",
	    alert_query_errors(400));
	json_object_set_new(json_object_get(hist, "aggs"), "url", grp);
	grp = json_pack("{s:{s:s, s:i}, s:{s:{s:o}}}", "terms", "field",
	    "user.name", "size", ANALYTICS_GROUPS, "aggs", "errors", "filter",
	    alert_query_errors(400));
	json_object_set_new(json_object_get(hist, "aggs"), "user", grp);
	body = json_pack("{s:i, s:b, s:o, s:{s:o}}", "size", 0,
	    "track_total_hits", 0, "query", analytics_query(filters, from, to),
	    "aggs", "h", hist);
	answer = es_alias_search(ctx, body, 60000, err, errlen);
	json_decref(body);
	if (answer == NULL)
		return (false);
	json_array_foreach(
	    json_object_get(
		json_object_get(json_object_get(answer, "aggregations"), "h"),
		"buckets"),
	    i, b)
	{
		at = (long)(json_integer_value(json_object_get(b, "key")) /
		    1000);
		if (at < from || at >= to)
			continue;
		slot = first + (size_t)((at - from) / window_s);
		total =
		    (double)json_integer_value(json_object_get(b, "doc_count"));
		errors = (double)json_integer_value(
		    json_object_get(json_object_get(b, "errors"), "doc_count"));
		values[CALIB_COUNT][slot] = total;
		values[CALIB_ERRORS][slot] = errors;
		values[CALIB_RATE][slot] =
		    total >= (double)min_volume && total > 0 ? errors / total
							     : 0;
		values[CALIB_RATE_URL][slot] =
		    calib_group_ratio(json_object_get(b, "url"), min_volume);
		values[CALIB_RATE_USER][slot] =
		    calib_group_ratio(json_object_get(b, "user"), min_volume);
	}
	json_decref(answer);
	return (true);
}

void
alert_analytics_calibrate(const struct tenant_ctx *ctx, long history_s,
    long window_s, double target, double fit_share, long min_volume,
    const json_t *query, long now, struct alerting_outcome *o)
{
	struct alert_calibration c;
	struct alert_rule        r;
	json_t                  *filters, *metrics, *rq;
	double                  *values[CALIB_METRICS];
	size_t                   n, done, chunk;
	long                     from, to;
	char                     err[512], w[16], h[16], at[32];
	int                      m;

	memset(o, 0, sizeof(*o));
	n = (size_t)(history_s / window_s);
	if (n < 100 || n > CALIBRATE_WINDOWS) {
		alerting_fail(o, ALERTING_INVALID,
		    "the history must hold 100 to 20000 windows");
		o->details = json_pack("{s:s}", "field", "history");
		return;
	}
	/* The rule-style query (q, level, service) chooses the documents. */
	rq = json_pack("{s:s, s:s, s:O?}", "name", "calibration", "type",
	    "absence", "query", query);
	if (!alert_rules_parse(rq, &r, o)) {
		json_decref(rq);
		return;
	}
	json_decref(rq);
	if ((filters = alert_query_filters(&r)) == NULL) {
		alerting_fail(o, ALERTING_INVALID, "query.q cannot be built");
		return;
	}
	to = now - now % window_s;
	from = to - (long)n * window_s;
	for (m = 0; m < CALIB_METRICS; m++)
		values[m] = mem_calloc(n, sizeof(double));
	for (done = 0; done < n; done += chunk) {
		alerting_beat();
		chunk = n - done < CALIBRATE_CHUNK ? n - done : CALIBRATE_CHUNK;
		if (!calib_fetch(ctx, filters, from + (long)done * window_s,
			from + (long)(done + chunk) * window_s, window_s,
			min_volume, values, done, err, sizeof(err))) {
			alerting_fail(o,
			    strncmp(err, "elasticsearch unreachable", 25) == 0
				? ALERTING_UNAVAILABLE
				: ALERTING_INVALID,
			    "%s", err);
			break;
		}
	}
	json_decref(filters);
	metrics = json_array();
	for (m = 0; o->result == ALERTING_OK && m < CALIB_METRICS; m++) {
		alert_calibrate(values[m], n, fit_share, target, &c);
		json_array_append_new(metrics,
		    json_pack("{s:s, s:s, s:s?, s:f, s:f, s:I, s:f, s:I}",
			"metric", calib_metrics[m].name, "rule_type",
			calib_metrics[m].rule_type, "group_by",
			calib_metrics[m].group_by, "threshold", c.threshold,
			"expected_rate", c.fit_rate, "fit_windows",
			(json_int_t)c.fit_windows, "held_out_rate",
			c.held_out_rate, "held_out_windows",
			(json_int_t)c.held_out_windows));
	}
	for (m = 0; m < CALIB_METRICS; m++)
		mem_free(values[m]);
	if (o->result != ALERTING_OK) {
		json_decref(metrics);
		return;
	}
	alert_duration_format(window_s, w, sizeof(w));
	alert_duration_format(history_s, h, sizeof(h));
	text_iso8601(from, at, sizeof(at));
	o->body = json_pack("{s:s, s:s, s:s, s:f, s:f, s:I, s:I, s:o}",
	    "window", w, "history", h, "from", at, "target", target,
	    "fit_share", fit_share, "min_volume", (json_int_t)min_volume,
	    "windows", (json_int_t)n, "metrics", metrics);
}

/*
 * A calibration for the worker (job alert-calibrate): recorded as
 * pending, then queued. o->body is {id, status}.
 */
void
alert_analytics_calibrate_later(const struct tenant_ctx *ctx,
    const json_t *params, const char *user_id, struct alerting_outcome *o)
{
	json_t *doc;
	char    err[256], id[25], job[160];

	memset(o, 0, sizeof(*o));
	doc = json_pack("{s:s, s:O, s:s}", "status", "pending", "params",
	    params, "requested_by", user_id);
	if (metadb_insert(ctx, "alert_calibrations", doc, id, err,
		sizeof(err)) != METADB_OK) {
		json_decref(doc);
		alerting_fail(o, ALERTING_UNAVAILABLE, "calibrations: %s", err);
		return;
	}
	json_decref(doc);
	snprintf(job, sizeof(job),
	    "{\"type\":\"alert-calibrate\",\"tenant_id\":\"%s\","
	    "\"calibration_id\":\"%s\"}",
	    ctx->id, id);
	if (!queue_push(job, err, sizeof(err))) {
		alerting_fail(o, ALERTING_UNAVAILABLE, "job queue: %s", err);
		return;
	}
	o->body = json_pack("{s:s, s:s}", "id", id, "status", "pending");
}

/* A calibration of the tenant, as the worker left it. */
void
alert_analytics_calibration(
    const struct tenant_ctx *ctx, const char *id, struct alerting_outcome *o)
{
	memset(o, 0, sizeof(*o));
	if ((o->body = alerting_load(
		 ctx, "alert_calibrations", id, "calibration", o)) != NULL)
		json_object_del(o->body, "tenant_id");
}
