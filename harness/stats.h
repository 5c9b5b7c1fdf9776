/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_STATS_H
#define MEMHP_STATS_H

#include <stddef.h>

/* Summary of a sample: what reports print per variant over its repeats. */
struct stats {
	size_t n;
	double mean, min, max;
	double sd; /* sample standard deviation (n - 1); 0 for n < 2 */
};

void stats_of(const double *x, size_t n, struct stats *s);
/* The median of x (sorted in place); 0 for n == 0. */
double stats_median(double *x, size_t n);

/* Welch's t-test for two samples with unequal variances. */
struct welch {
	double t, df, p; /* p: two-sided */
};
/* Needs n >= 2 on both sides (-EDOM otherwise). Two samples without spread
 * give p 1 when their means agree and 0 when they do not. */
int stats_welch(const struct stats *x, const struct stats *y, struct welch *w);

/* P(|T| > |t|) for Student's t with df degrees of freedom. */
double stats_t_two_sided(double t, double df);
/* The t with P(|T| > t) = p (0 < p < 1): the two-sided critical value. */
double stats_t_critical(double p, double df);

/*
 * The difference of means y - x with its Welch t confidence interval at level
 * 1 - alpha: the interval excludes 0 exactly when Welch's p < alpha, so the
 * interval and the test never disagree. Needs n >= 2 on both sides (-EDOM).
 * Without spread on either side the interval is the difference itself.
 */
struct mean_diff {
	double diff, lo, hi; /* in the samples' units */
	double se, df;
};
int stats_mean_diff(const struct stats *x, const struct stats *y, double alpha,
		    struct mean_diff *d);

#endif
