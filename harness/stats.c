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

/* log of the probability of a, of the hypergeometric table with row sums r1,
 * r2 and first column sum c1. */
static double log_hypergeom(unsigned long a, unsigned long r1, unsigned long r2, unsigned long c1)
{
	unsigned long n = r1 + r2, c = c1 - a;

	return lgamma((double)r1 + 1) - lgamma((double)a + 1) - lgamma((double)(r1 - a) + 1) +
	       lgamma((double)r2 + 1) - lgamma((double)c + 1) - lgamma((double)(r2 - c) + 1) -
	       (lgamma((double)n + 1) - lgamma((double)c1 + 1) - lgamma((double)(n - c1) + 1));
}

double stats_fisher_2x2(unsigned long a, unsigned long b, unsigned long c, unsigned long d)
{
	unsigned long r1 = a + b, r2 = c + d, c1 = a + c;
	unsigned long lo = c1 > r2 ? c1 - r2 : 0, hi = r1 < c1 ? r1 : c1;
	double observed = log_hypergeom(a, r1, r2, c1), p = 0;

	if (!r1 || !r2 || !c1 || c1 == r1 + r2)
		return 1; /* a margin is empty: every table is this one */
	for (unsigned long x = lo; x <= hi; x++) {
		double lp = log_hypergeom(x, r1, r2, c1);

		/* Relative slack so that tables as likely as the observed one,
		 * computed along another path, count as such. */
		if (lp <= observed + 1e-7)
			p += exp(lp);
	}
	return p > 1 ? 1 : p;
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
