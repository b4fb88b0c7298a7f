#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alert_eval.h"
#include "core/mem.h"

/* How many ranges a point of this rule needs. */
static int
alert_per_point(const struct alert_rule *r)
{
	switch (r->type) {
	case ALERT_ANOMALY:
		return (1 + r->baseline);
	case ALERT_ABSENCE:
		return (2);
	case ALERT_THRESHOLD:
		return (r->op == ALERT_OP_BELOW ? 2 : 1);
	default:
		return (1);
	}
}

/* The index of range [from, to), added if new. */
static int
alert_plan_range(struct alert_plan *p, int64_t from, int64_t to)
{
	int i;

	for (i = p->nranges - 1; i >= 0; i--)
		if (p->from_ms[i] == from && p->to_ms[i] == to)
			return (i);
	p->from_ms[p->nranges] = from;
	p->to_ms[p->nranges] = to;
	return (p->nranges++);
}

bool
alert_plan_build(const struct alert_rule *r, int64_t end_ms, int64_t step_ms,
    int npoints, struct alert_plan *p)
{
	int64_t w, t;
	int     per, i, j, max;

	memset(p, 0, sizeof(*p));
	per = alert_per_point(r);
	if (npoints < 1 || npoints > ALERT_POINTS_MAX ||
	    (long)npoints * per > ALERT_RANGES_MAX || step_ms <= 0)
		return (false);
	max = npoints * per;
	w = (int64_t)r->window_s * 1000;
	p->npoints = npoints;
	p->per_point = per;
	p->point_ms = mem_calloc((size_t)npoints, sizeof(*p->point_ms));
	p->idx = mem_calloc((size_t)max, sizeof(*p->idx));
	p->from_ms = mem_calloc((size_t)max, sizeof(*p->from_ms));
	p->to_ms = mem_calloc((size_t)max, sizeof(*p->to_ms));
	for (i = 0; i < npoints; i++) {
		t = end_ms - (int64_t)(npoints - 1 - i) * step_ms;
		p->point_ms[i] = t;
		for (j = 0; j < per; j++)
			p->idx[i * per + j] =
			    alert_plan_range(p, t - (j + 1) * w, t - j * w);
	}
	return (true);
}

void
alert_plan_free(struct alert_plan *p)
{
	mem_free(p->point_ms);
	mem_free(p->idx);
	mem_free(p->from_ms);
	mem_free(p->to_ms);
	memset(p, 0, sizeof(*p));
}

void
alert_plan_span(const struct alert_plan *p, int64_t *from, int64_t *to)
{
	int i;

	*from = *to = 0;
	for (i = 0; i < p->nranges; i++) {
		if (i == 0 || p->from_ms[i] < *from)
			*from = p->from_ms[i];
		if (i == 0 || p->to_ms[i] > *to)
			*to = p->to_ms[i];
	}
}

void
alert_table_init(struct alert_table *t, int nranges)
{
	memset(t, 0, sizeof(*t));
	t->nranges = nranges;
}

/*
 * The row of key, created (zeroed) if new. Returns NULL once the table
 * holds ALERT_GROUPS_MAX rows, and marks it truncated.
 */
struct alert_row *
alert_table_row(struct alert_table *t, const char *key)
{
	struct alert_row *row;
	int               i;

	for (i = 0; i < t->nrows; i++)
		if (strcmp(t->rows[i].key, key) == 0)
			return (&t->rows[i]);
	if (t->nrows >= ALERT_GROUPS_MAX) {
		t->truncated = true;
		return (NULL);
	}
	t->rows = mem_realloc(t->rows, (size_t)(t->nrows + 1) * sizeof(*row));
	row = &t->rows[t->nrows++];
	memset(row, 0, sizeof(*row));
	strncpy(row->key, key, sizeof(row->key) - 1);
	row->count = mem_calloc((size_t)t->nranges + 1, sizeof(double));
	row->errors = mem_calloc((size_t)t->nranges + 1, sizeof(double));
	return (row);
}

void
alert_table_free(struct alert_table *t)
{
	int i;

	for (i = 0; i < t->nrows; i++) {
		mem_free(t->rows[i].count);
		mem_free(t->rows[i].errors);
	}
	mem_free(t->rows);
	memset(t, 0, sizeof(*t));
}

static int
alert_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return ((x > y) - (x < y));
}

double
alert_median(const double *v, size_t n)
{
	double *s, m;

	if (n == 0)
		return (0);
	s = mem_alloc(n * sizeof(*s));
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), alert_cmp_double);
	m = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	mem_free(s);
	return (m);
}

/* Median absolute deviation from median. */
double
alert_mad(const double *v, size_t n, double median)
{
	double *d, m;
	size_t  i;

	if (n == 0)
		return (0);
	d = mem_alloc(n * sizeof(*d));
	for (i = 0; i < n; i++)
		d[i] = fabs(v[i] - median);
	m = alert_median(d, n);
	mem_free(d);
	return (m);
}

/*
 * The spread used by anomaly rules: 1.4826 * MAD (the standard deviation
 * of normal data), but never below the Poisson noise of counts around
 * the median (sqrt(median)) nor below 1, so that a flat baseline does
 * not make every small change an anomaly.
 */
double
alert_robust_sigma(const double *v, size_t n, double median)
{
	double s;

	s = 1.4826 * alert_mad(v, n, median);
	if (s < sqrt(median))
		s = sqrt(median);
	return (s < 1 ? 1 : s);
}

static void
alert_verdict_anomaly(const struct alert_rule *r, const struct alert_plan *p,
    const struct alert_row *row, int point, struct alert_verdict *v)
{
	double base[ALERT_BASELINE_MAX], med, sigma, cur;
	int    j;

	for (j = 1; j <= r->baseline; j++)
		base[j - 1] = row->count[p->idx[point * p->per_point + j]];
	cur = row->count[p->idx[point * p->per_point]];
	med = alert_median(base, (size_t)r->baseline);
	sigma = alert_robust_sigma(base, (size_t)r->baseline, med);
	v->value = cur;
	v->volume = cur;
	v->score = (cur - med) / sigma;
	switch (r->op) {
	case ALERT_OP_ABOVE:
		v->threshold = med + r->k * sigma;
		v->fire = v->score > r->k && cur >= (double)r->min_volume;
		break;
	case ALERT_OP_BELOW:
		v->threshold = med - r->k * sigma;
		v->fire = v->score < -r->k;
		break;
	case ALERT_OP_BOTH:
		v->threshold =
		    v->score >= 0 ? med + r->k * sigma : med - r->k * sigma;
		v->fire = fabs(v->score) > r->k &&
		    (v->score < 0 || cur >= (double)r->min_volume);
		break;
	}
}

/* The verdict of the rule for one group at one point of the plan. */
void
alert_verdict_of(const struct alert_rule *r, const struct alert_plan *p,
    const struct alert_row *row, int point, struct alert_verdict *v)
{
	int    cur;
	double total, errors;

	memset(v, 0, sizeof(*v));
	cur = p->idx[point * p->per_point];
	total = row->count[cur];
	v->volume = total;
	switch (r->type) {
	case ALERT_THRESHOLD:
	case ALERT_PATTERN:
		v->value = total;
		v->threshold = r->threshold;
		v->fire = r->op == ALERT_OP_BELOW ? total < r->threshold
						  : total > r->threshold;
		break;
	case ALERT_ABSENCE:
		v->value = total;
		v->threshold = 0;
		v->fire = total == 0;
		break;
	case ALERT_ERROR_RATE:
		errors = row->errors[cur];
		v->value = total > 0 ? errors / total : 0;
		v->threshold = r->threshold;
		v->fire =
		    total >= (double)r->min_volume && v->value > r->threshold;
		break;
	case ALERT_ANOMALY:
		alert_verdict_anomaly(r, p, row, point, v);
		break;
	default:
		break;
	}
}

/* ---- calibration --------------------------------------------------------- */

double
alert_exceed_rate(const double *v, size_t n, double threshold)
{
	size_t i, above;

	if (n == 0)
		return (0);
	for (i = above = 0; i < n; i++)
		if (v[i] > threshold)
			above++;
	return ((double)above / (double)n);
}

/*
 * With the values sorted, the element t0 at n - 1 - floor(target * n):
 * at most floor(target * n) values lie above it (fewer when it is tied).
 * When ties make that share fall short of target, the next lower
 * distinct value is taken instead if its share is closer to target.
 * *rate is the share of values strictly above the threshold.
 */
double
alert_quantile_threshold(const double *v, size_t n, double target, double *rate)
{
	double *s, t, r0, r1;
	size_t  allowed, i, j;

	if (n == 0) {
		*rate = 0;
		return (0);
	}
	s = mem_alloc(n * sizeof(*s));
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), alert_cmp_double);
	allowed = (size_t)floor(target * (double)n);
	if (allowed >= n)
		allowed = n - 1;
	i = n - 1 - allowed;
	t = s[i];
	for (j = i; j > 0 && s[j - 1] == t; j--)
		;
	if (j > 0) {
		/* s[j - 1] < t: above it lie n - j values. */
		r0 = alert_exceed_rate(s, n, t);
		r1 = (double)(n - j) / (double)n;
		if (fabs(r1 - target) < fabs(r0 - target))
			t = s[j - 1];
	}
	mem_free(s);
	*rate = alert_exceed_rate(v, n, t);
	return (t);
}

/*
 * Fits the threshold on the first fit_share of the windows (in time
 * order) and measures how often it fires on the rest.
 */
void
alert_calibrate(const double *v, size_t n, double fit_share, double target,
    struct alert_calibration *c)
{
	size_t fit;

	memset(c, 0, sizeof(*c));
	fit = (size_t)((double)n * fit_share);
	if (fit == 0)
		fit = n;
	c->fit_windows = fit;
	c->threshold = alert_quantile_threshold(v, fit, target, &c->fit_rate);
	c->held_out_windows = n - fit;
	c->held_out_rate = alert_exceed_rate(v + fit, n - fit, c->threshold);
}

void
alert_sliding_sum(const double *in, size_t n, size_t k, double *out)
{
	double sum;
	size_t i;

	sum = 0;
	for (i = 0; i < n; i++) {
		sum += in[i];
		if (k > 0 && i >= k)
			sum -= in[i - k];
		out[i] = sum;
	}
}

double
alert_max_ratio(
    const double *errors, const double *totals, size_t n, double min_volume)
{
	double best, r;
	size_t i;

	best = 0;
	for (i = 0; i < n; i++) {
		if (totals[i] <= 0 || totals[i] < min_volume)
			continue;
		r = errors[i] / totals[i];
		if (r > best)
			best = r;
	}
	return (best);
}
