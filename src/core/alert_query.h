/*
 * Elasticsearch request bodies of alert rules, and the numbers read back
 * from the answers. Pure: the bodies are sent by the caller to the
 * tenant's alias (vigie-t-<tenant id>) only.
 *
 * Rules of every type but "pattern" are one aggregation request: the
 * rule's filters and the plan's time span as the query, then (optional)
 * a terms aggregation on the group field, then a date_range aggregation
 * holding one keyed range per range of the plan, each with an "errors"
 * filter for error-rate rules.
 *
 * Pattern rules fetch the newest matching documents of the span (at most
 * ALERT_PATTERN_DOCS, their message cut to ALERT_PATTERN_MSG bytes) and
 * match the rule's POSIX extended regular expression on them here:
 * Elasticsearch's regexp query works on terms of the analysed message,
 * not on the whole line, so it cannot answer "does the message match".
 */
#ifndef VIGIE_CORE_ALERT_QUERY_H
#define VIGIE_CORE_ALERT_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/alert_eval.h"
#include "core/alert_rule.h"

#define ALERT_PATTERN_DOCS 2000
#define ALERT_PATTERN_MSG  4096

/*
 * The filter clauses of the rule's query: q in the search language plus
 * levels and services (search_query_build()); NULL if q does not parse.
 * The body builders below answer NULL then too.
 */
json_t *alert_query_filters(const struct alert_rule *);
/* The clause matching error documents (status >= status_min, or level). */
json_t *alert_query_errors(int status_min);

json_t *alert_query_body(const struct alert_rule *, const struct alert_plan *);
bool    alert_query_parse(const struct alert_rule *, const struct alert_plan *,
       const json_t *answer, struct alert_table *, char *err, size_t errlen);

json_t      *
alert_pattern_body(const struct alert_rule *, const struct alert_plan *);
bool alert_pattern_parse(const struct alert_rule *, const struct alert_plan *,
    const json_t *answer, struct alert_table *, char *err, size_t errlen);

/*
 * The documents of the rule (and of one group, when the rule groups)
 * over [to - 2 windows, to) in 12 buckets: the chart of a notification.
 * alert_series_parse answers [{"t": ISO 8601, "count": n}] or NULL.
 */
#define ALERT_SERIES_POINTS 12
json_t *
alert_series_body(const struct alert_rule *, const char *group, int64_t to_ms);
json_t *alert_series_parse(const json_t *answer);

/* A field of a _source, flattened ("a.b": v) or nested ({"a":{"b":v}}). */
const json_t *alert_source_field(const json_t *source, const char *path);
/* A group key as text: strings as they are, numbers printed. */
bool alert_key_text(const json_t *v, char *out, size_t outlen);

#endif
