#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alert_query.h"
#include "core/mem.h"
#include "core/search_query.h"
#include "core/timeparse.h"

/*
 * The rule's documents: q in Vigie's search language (docs/SEARCH.md)
 * with the level and service filters, built by search_query_build(), the
 * same function the search page uses. A filter array of one bool query,
 * or NULL if q does not parse (alert_rule_parse() refuses such a rule,
 * so a parsed rule always builds).
 */
json_t *
alert_query_filters(const struct alert_rule *r)
{
	struct search_filters f;
	struct search_error   e;
	json_t               *q;
	unsigned              bit;
	int                   i;

	search_filters_init(&f);
	for (i = 0, bit = ALERT_LEVEL_DEBUG; bit <= ALERT_LEVEL_CRITICAL;
	     bit <<= 1, i++)
		if (r->levels & bit)
			f.levels |= SEARCH_LEVEL_BIT(EVENT_LEVEL_DEBUG + i);
	for (i = 0; i < r->nservices && i < SEARCH_SERVICES_MAX; i++)
		snprintf(
		    f.services[i], sizeof(f.services[i]), "%s", r->services[i]);
	f.nservices = i;
	if ((q = search_query_build(r->q, &f, &e)) == NULL)
		return (NULL);
	return (json_pack("[o]", q));
}

json_t *
alert_query_errors(int status_min)
{
	return (json_pack("{s:{s:[{s:{s:{s:i}}}, {s:{s:[s,s]}}], s:i}}", "bool",
	    "should", "range", "http.response.status_code", "gte", status_min,
	    "terms", "log.level", "ERROR", "CRITICAL", "minimum_should_match",
	    1));
}

/* The rule's filters plus the plan's span. */
static json_t *
alert_query_bool(const struct alert_rule *r, const struct alert_plan *p)
{
	json_t *f;
	int64_t from, to;

	alert_plan_span(p, &from, &to);
	if ((f = alert_query_filters(r)) == NULL)
		return (NULL);
	json_array_append_new(f,
	    json_pack("{s:{s:{s:I, s:I, s:s}}}", "range", "@timestamp", "gte",
		(json_int_t)from, "lt", (json_int_t)to, "format",
		"epoch_millis"));
	return (json_pack("{s:{s:o}}", "bool", "filter", f));
}

static json_t *
alert_query_ranges(const struct alert_rule *r, const struct alert_plan *p)
{
	json_t *ranges, *agg;
	char    key[16];
	int     i;

	ranges = json_array();
	for (i = 0; i < p->nranges; i++) {
		snprintf(key, sizeof(key), "%d", i);
		json_array_append_new(ranges,
		    json_pack("{s:s, s:I, s:I}", "key", key, "from",
			(json_int_t)p->from_ms[i], "to",
			(json_int_t)p->to_ms[i]));
	}
	agg = json_pack("{s:{s:s, s:s, s:b, s:o}}", "date_range", "field",
	    "@timestamp", "format", "epoch_millis", "keyed", 1, "ranges",
	    ranges);
	if (r->type == ALERT_ERROR_RATE)
		json_object_set_new(agg, "aggs",
		    json_pack("{s:{s:o}}", "errors", "filter",
			alert_query_errors(r->status_min)));
	return (agg);
}

json_t *
alert_query_body(const struct alert_rule *r, const struct alert_plan *p)
{
	json_t *aggs, *query;

	if ((query = alert_query_bool(r, p)) == NULL)
		return (NULL);
	if (r->group_by[0] != '\0')
		aggs = json_pack("{s:{s:{s:s, s:i}, s:{s:o}}}", "g", "terms",
		    "field", r->group_by, "size", ALERT_GROUPS_MAX, "aggs", "r",
		    alert_query_ranges(r, p));
	else
		aggs = json_pack("{s:o}", "r", alert_query_ranges(r, p));
	return (json_pack("{s:i, s:b, s:o, s:o}", "size", 0, "track_total_hits",
	    0, "query", query, "aggs", aggs));
}

bool
alert_key_text(const json_t *v, char *out, size_t outlen)
{
	if (json_is_string(v))
		snprintf(out, outlen, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(out, outlen, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(out, outlen, "%g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(out, outlen, "%s", json_is_true(v) ? "true" : "false");
	else
		return (false);
	return (true);
}

/* Reads the keyed ranges of one date_range aggregation into row. */
static bool
alert_parse_ranges(const struct alert_plan *p, const json_t *agg,
    struct alert_row *row, char *err, size_t errlen)
{
	const json_t *buckets, *b;
	char          key[16];
	int           i;

	buckets = json_object_get(agg, "buckets");
	if (!json_is_object(buckets)) {
		snprintf(err, errlen, "answer without range buckets");
		return (false);
	}
	for (i = 0; i < p->nranges; i++) {
		snprintf(key, sizeof(key), "%d", i);
		if ((b = json_object_get(buckets, key)) == NULL)
			continue;
		row->count[i] =
		    (double)json_integer_value(json_object_get(b, "doc_count"));
		row->errors[i] = (double)json_integer_value(
		    json_object_get(json_object_get(b, "errors"), "doc_count"));
	}
	return (true);
}

/* Fills t (initialised with p->nranges) from an aggregation answer. */
bool
alert_query_parse(const struct alert_rule *r, const struct alert_plan *p,
    const json_t *answer, struct alert_table *t, char *err, size_t errlen)
{
	const json_t     *aggs, *buckets, *b, *key;
	struct alert_row *row;
	char              text[ALERT_GROUP_LEN];
	size_t            i;

	aggs = json_object_get(answer, "aggregations");
	if (!json_is_object(aggs) &&
	    json_integer_value(json_object_get(
		json_object_get(answer, "_shards"), "total")) == 0 &&
	    json_is_object(json_object_get(answer, "_shards"))) {
		/* No index yet: no document at all. */
		if (r->group_by[0] == '\0')
			(void)alert_table_row(t, "");
		return (true);
	}
	if (!json_is_object(aggs)) {
		snprintf(err, errlen, "answer without aggregations");
		return (false);
	}
	if (r->group_by[0] == '\0') {
		row = alert_table_row(t, "");
		return (alert_parse_ranges(
		    p, json_object_get(aggs, "r"), row, err, errlen));
	}
	buckets = json_object_get(json_object_get(aggs, "g"), "buckets");
	if (!json_is_array(buckets)) {
		snprintf(err, errlen, "answer without group buckets");
		return (false);
	}
	if (json_integer_value(json_object_get(
		json_object_get(aggs, "g"), "sum_other_doc_count")) > 0)
		t->truncated = true;
	json_array_foreach(buckets, i, b)
	{
		key = json_object_get(b, "key_as_string");
		if (key == NULL)
			key = json_object_get(b, "key");
		if (!alert_key_text(key, text, sizeof(text)))
			continue;
		if ((row = alert_table_row(t, text)) == NULL)
			break;
		if (!alert_parse_ranges(
			p, json_object_get(b, "r"), row, err, errlen))
			return (false);
	}
	return (true);
}

json_t *
alert_pattern_body(const struct alert_rule *r, const struct alert_plan *p)
{
	json_t *src, *query;

	if ((query = alert_query_bool(r, p)) == NULL)
		return (NULL);
	src = json_pack("[s, s]", "@timestamp", "message");
	if (r->group_by[0] != '\0')
		json_array_append_new(src, json_string(r->group_by));
	return (json_pack("{s:i, s:b, s:o, s:[{s:s}], s:o}", "size",
	    ALERT_PATTERN_DOCS, "track_total_hits", 0, "query", query, "sort",
	    "@timestamp", "desc", "_source", src));
}

const json_t *
alert_source_field(const json_t *src, const char *path)
{
	const json_t *v;
	const char   *dot;
	char          head[ALERT_FIELD_MAX + 1];
	size_t        len;

	if (!json_is_object(src))
		return (NULL);
	if ((v = json_object_get(src, path)) != NULL)
		return (v);
	if ((dot = strchr(path, '.')) == NULL)
		return (NULL);
	len = (size_t)(dot - path);
	if (len >= sizeof(head))
		return (NULL);
	memcpy(head, path, len);
	head[len] = '\0';
	return (alert_source_field(json_object_get(src, head), dot + 1));
}

/* Counts the hit in every range of the plan that holds its time. */
static void
alert_pattern_count(
    const struct alert_plan *p, struct alert_row *row, int64_t ts)
{
	int i;

	for (i = 0; i < p->nranges; i++)
		if (ts >= p->from_ms[i] && ts < p->to_ms[i])
			row->count[i] += 1;
}

/*
 * Matches the rule's pattern on each hit's message (cut to
 * ALERT_PATTERN_MSG bytes) and counts the matches per group and range.
 */
bool
alert_pattern_parse(const struct alert_rule *r, const struct alert_plan *p,
    const json_t *answer, struct alert_table *t, char *err, size_t errlen)
{
	const json_t     *hits, *h, *src, *msg;
	struct alert_row *row;
	const char       *stamp;
	regex_t           re;
	int64_t           ts;
	size_t            i, len;
	char              key[ALERT_GROUP_LEN], *line;
	int               rc;

	hits = json_object_get(json_object_get(answer, "hits"), "hits");
	if (!json_is_array(hits)) {
		snprintf(err, errlen, "answer without hits");
		return (false);
	}
	if ((rc = regcomp(&re, r->pattern, REG_EXTENDED | REG_NOSUB)) != 0) {
		regerror(rc, &re, err, errlen);
		return (false);
	}
	if (r->group_by[0] == '\0')
		(void)alert_table_row(t, "");
	line = mem_alloc(ALERT_PATTERN_MSG + 1);
	json_array_foreach(hits, i, h)
	{
		src = json_object_get(h, "_source");
		msg = alert_source_field(src, "message");
		stamp =
		    json_string_value(alert_source_field(src, "@timestamp"));
		if (!json_is_string(msg) || stamp == NULL ||
		    timeparse_iso8601(stamp, strlen(stamp), 0, false, &ts) == 0)
			continue;
		len = json_string_length(msg);
		if (len > ALERT_PATTERN_MSG)
			len = ALERT_PATTERN_MSG;
		memcpy(line, json_string_value(msg), len);
		line[len] = '\0';
		if (regexec(&re, line, 0, NULL, 0) != 0)
			continue;
		key[0] = '\0';
		if (r->group_by[0] != '\0' &&
		    !alert_key_text(
			alert_source_field(src, r->group_by), key, sizeof(key)))
			continue;
		if ((row = alert_table_row(t, key)) != NULL)
			alert_pattern_count(p, row, ts);
	}
	mem_free(line);
	regfree(&re);
	if (json_array_size(hits) >= ALERT_PATTERN_DOCS)
		t->truncated = true;
	return (true);
}

json_t *
alert_series_body(const struct alert_rule *r, const char *group, int64_t to_ms)
{
	json_t *f;
	int64_t step, from;
	char    interval[32];

	step = (int64_t)r->window_s * 2000 / ALERT_SERIES_POINTS;
	if (step < 1000)
		step = 1000;
	to_ms -= to_ms % step;
	from = to_ms - step * ALERT_SERIES_POINTS;
	snprintf(interval, sizeof(interval), "%lldms", (long long)step);
	if ((f = alert_query_filters(r)) == NULL)
		return (NULL);
	if (r->group_by[0] != '\0' && group != NULL && group[0] != '\0')
		json_array_append_new(
		    f, json_pack("{s:{s:s}}", "term", r->group_by, group));
	json_array_append_new(f,
	    json_pack("{s:{s:{s:I, s:I, s:s}}}", "range", "@timestamp", "gte",
		(json_int_t)from, "lt", (json_int_t)to_ms, "format",
		"epoch_millis"));
	return (json_pack("{s:i, s:b, s:{s:{s:o}}, s:{s:{s:{s:s, s:s, s:i, "
			  "s:{s:I, s:I}}}}}",
	    "size", 0, "track_total_hits", 0, "query", "bool", "filter", f,
	    "aggs", "h", "date_histogram", "field", "@timestamp",
	    "fixed_interval", interval, "min_doc_count", 0, "extended_bounds",
	    "min", (json_int_t)from, "max", (json_int_t)(to_ms - step)));
}

json_t *
alert_series_parse(const json_t *answer)
{
	const json_t *b;
	json_t       *out;
	size_t        i;
	char          at[TIMEPARSE_ISO_LEN + 1];

	out = json_array();
	json_array_foreach(
	    json_object_get(
		json_object_get(json_object_get(answer, "aggregations"), "h"),
		"buckets"),
	    i, b)
	{
		if (!json_is_integer(json_object_get(b, "key")) ||
		    !timeparse_format_iso(
			json_integer_value(json_object_get(b, "key")), at))
			continue;
		json_array_append_new(out,
		    json_pack("{s:s, s:I}", "t", at, "count",
			json_integer_value(json_object_get(b, "doc_count"))));
	}
	if (json_array_size(out) == 0) {
		json_decref(out);
		return (NULL);
	}
	return (out);
}
