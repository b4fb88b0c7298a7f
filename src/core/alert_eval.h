/*
 * Evaluating alert rules from numbers: which time ranges a rule needs at
 * each evaluation point (a plan), the counts Elasticsearch returned for
 * them (a table, one row per group), the verdict of the condition, the
 * robust statistics of anomaly rules (median, MAD) and the quantiles of
 * threshold calibration. No I/O: the numbers come from alert_query.c.
 *
 * Times are milliseconds since the epoch; a range is [from, to).
 */
#ifndef VIGIE_CORE_ALERT_EVAL_H
#define VIGIE_CORE_ALERT_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/alert_rule.h"

#define ALERT_POINTS_MAX 300
#define ALERT_RANGES_MAX 4000
#define ALERT_GROUPS_MAX 100
#define ALERT_GROUP_LEN  256

/*
 * The ranges of each point: idx[p * per_point + 0] is the window ending
 * at point p; + j (j >= 1) the window j windows earlier (the previous
 * window of absence rules, the baseline of anomaly rules).
 */
struct alert_plan {
	int      npoints;
	int64_t *point_ms;
	int      per_point;
	int     *idx;
	int      nranges;
	int64_t *from_ms;
	int64_t *to_ms;
};

/* One group's counts per range (errors only for error-rate rules). */
struct alert_row {
	char    key[ALERT_GROUP_LEN];
	double *count;
	double *errors;
};

struct alert_table {
	int               nranges;
	int               nrows;
	struct alert_row *rows;
	bool              truncated; /* more groups than ALERT_GROUPS_MAX */
};

struct alert_verdict {
	bool   fire;
	double value; /* count, ratio, matches, current count */
	double threshold; /* what value was compared with */
	double volume; /* documents in the window */
	double score; /* anomaly: robust z-score */
};

/*
 * Plans npoints evaluation points ending at end_ms, step_ms apart (the
 * last point is end_ms). Returns false if it would need more than
 * ALERT_RANGES_MAX ranges or ALERT_POINTS_MAX points.
 */
bool alert_plan_build(const struct alert_rule *, int64_t end_ms,
    int64_t step_ms, int npoints, struct alert_plan *);
void alert_plan_free(struct alert_plan *);
/* The earliest and latest instants any range of the plan covers. */
void alert_plan_span(const struct alert_plan *, int64_t *from, int64_t *to);

void              alert_table_init(struct alert_table *, int nranges);
struct alert_row *alert_table_row(struct alert_table *, const char *key);
void              alert_table_free(struct alert_table *);

void alert_verdict_of(const struct alert_rule *, const struct alert_plan *,
    const struct alert_row *, int point, struct alert_verdict *);

/* Robust statistics; the arrays are not modified. */
double alert_median(const double *, size_t n);
double alert_mad(const double *, size_t n, double median);
double alert_robust_sigma(const double *, size_t n, double median);

/*
 * Calibration: the smallest observed value t such that at most
 * target * n of the values exceed it, and the share that does.
 */
struct alert_calibration {
	double threshold;
	double fit_rate; /* share of fit windows above the threshold */
	size_t fit_windows;
	double held_out_rate; /* the same on the windows not fitted on */
	size_t held_out_windows;
};

double alert_quantile_threshold(
    const double *values, size_t n, double target, double *rate);
double alert_exceed_rate(const double *values, size_t n, double threshold);
/*
 * out[i] = in[i - k + 1] + ... + in[i] (fewer terms at the start): the
 * sums over sliding windows of k buckets.
 */
void alert_sliding_sum(const double *in, size_t n, size_t k, double *out);
/* The largest error ratio among groups with at least min_volume. */
double alert_max_ratio(
    const double *errors, const double *totals, size_t n, double min_volume);

void alert_calibrate(const double *values, size_t n, double fit_share,
    double target, struct alert_calibration *);

#endif
