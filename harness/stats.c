// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "stats.h"

void stats_of(const double *x, size_t n, struct stats *s)
{
	double sum = 0, sq = 0;

	*s = (struct stats){ .n = n };
	if (!n)
		return;
	s->min = s->max = x[0];
	for (size_t i = 0; i < n; i++) {
		sum += x[i];
		if (x[i] < s->min)
			s->min = x[i];
		if (x[i] > s->max)
			s->max = x[i];
	}
	s->mean = sum / (double)n;
	/* Two passes: the textbook one-pass formula loses precision for byte counts. */
	for (size_t i = 0; i < n; i++)
		sq += (x[i] - s->mean) * (x[i] - s->mean);
	s->sd = n > 1 ? sqrt(sq / (double)(n - 1)) : 0;
	/* Equal values: no spread at all, not a rounding error's worth. */
	if (s->min == s->max) {
		s->mean = s->min;
		s->sd = 0;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double stats_median(double *x, size_t n)
{
	if (!n)
		return 0;
	qsort(x, n, sizeof(*x), cmp_double);
	return n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
}

/*
 * The regularized incomplete beta function I_x(a, b), by its continued
 * fraction evaluated with the modified Lentz method.
 */
static double beta_cf(double a, double b, double x)
{
	const double tiny = 1e-300, eps = 1e-15;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	h = d;
	for (int m = 1; m <= 1000; m++) {
		double m2 = 2.0 * m, num = m * (b - m) * x / ((a + m2 - 1) * (a + m2)), del;

		d = 1 + num * d;
		d = fabs(d) < tiny ? 1 / tiny : 1 / d;
		c = 1 + num / c;
		if (fabs(c) < tiny)
			c = tiny;
		h *= d * c;
		num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
		d = 1 + num * d;
		d = fabs(d) < tiny ? 1 / tiny : 1 / d;
		c = 1 + num / c;
		if (fabs(c) < tiny)
			c = tiny;
		del = d * c;
		h *= del;
		if (fabs(del - 1) < eps)
			break;
	}
	return h;
}

static double inc_beta(double a, double b, double x)
{
	double front;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
	/* The continued fraction converges fast on one side of the mean. */
	if (x < (a + 1) / (a + b + 2))
		return front * beta_cf(a, b, x) / a;
	return 1 - front * beta_cf(b, a, 1 - x) / b;
}

double stats_t_two_sided(double t, double df)
{
	if (isinf(t))
		return 0;
	return inc_beta(df / 2, 0.5, df / (df + t * t));
}

int stats_welch(const struct stats *x, const struct stats *y, struct welch *w)
{
	double vx, vy, se2;

	if (x->n < 2 || y->n < 2)
		return -EDOM;
	vx = x->sd * x->sd / (double)x->n;
	vy = y->sd * y->sd / (double)y->n;
	se2 = vx + vy;
	if (se2 == 0) {
		bool same = x->mean == y->mean;

		w->t = same ? 0 : (x->mean < y->mean ? -INFINITY : INFINITY);
		w->df = (double)(x->n + y->n - 2);
		w->p = same ? 1 : 0;
		return 0;
	}
	w->t = (x->mean - y->mean) / sqrt(se2);
	/* Welch–Satterthwaite */
	w->df = se2 * se2 /
		(vx * vx / (double)(x->n - 1) + vy * vy / (double)(y->n - 1));
	w->p = stats_t_two_sided(w->t, w->df);
	return 0;
}

double stats_t_critical(double p, double df)
{
	double lo = 0, hi = 1;

	if (!(p > 0 && p < 1) || !(df > 0))
		return NAN;
	/* P(|T| > t) falls with t: widen, then bisect. */
	while (stats_t_two_sided(hi, df) > p && hi < 1e12)
		hi *= 2;
	for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
		double mid = (lo + hi) / 2;

		if (stats_t_two_sided(mid, df) > p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

int stats_mean_diff(const struct stats *x, const struct stats *y, double alpha,
		    struct mean_diff *d)
{
	struct welch w;
	double t;
	int rc = stats_welch(x, y, &w);

	if (rc)
		return rc;
	d->diff = y->mean - x->mean;
	d->df = w.df;
	d->se = sqrt(x->sd * x->sd / (double)x->n + y->sd * y->sd / (double)y->n);
	if (d->se == 0) {
		d->lo = d->hi = d->diff;
		return 0;
	}
	t = stats_t_critical(alpha, w.df);
	d->lo = d->diff - t * d->se;
	d->hi = d->diff + t * d->se;
	return 0;
}

double stats_look_alpha(double alpha, unsigned looks)
{
	return alpha / (looks ? looks : 1);
}

int stats_seq_look(const struct stats *base, const struct stats *cand, double alpha,
		   unsigned looks, double min_effect_pct, int better, struct mean_diff *d,
		   double *p, enum seq_verdict *v)
{
	double a = stats_look_alpha(alpha, looks), margin = fabs(base->mean) * min_effect_pct / 100;
	struct welch w;
	int rc = stats_welch(base, cand, &w);

	if (rc || (rc = stats_mean_diff(base, cand, a, d)))
		return rc;
	*p = w.p;
	if (w.p < a && fabs(d->diff) >= margin && d->diff != 0)
		*v = d->diff * better < 0 ? SEQ_WORSE : SEQ_BETTER;
	else if (d->lo >= -margin && d->hi <= margin)
		*v = SEQ_SAME;
	else
		*v = SEQ_CONTINUE;
	return 0;
}
