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

/*
 * Fisher's exact test on the 2x2 table [[a, b], [c, d]] (e.g. blocks removed
 * and not removed, baseline and candidate): the two-sided p, summing every
 * table with the same margins that is no more likely than this one.
 */
double stats_fisher_2x2(unsigned long a, unsigned long b, unsigned long c, unsigned long d);

/* Welch's t-test for two samples with unequal variances. */
struct welch {
	double t, df, p; /* p: two-sided */
};
/* Needs n >= 2 on both sides (-EDOM otherwise). Two samples without spread
 * give p 1 when their means agree and 0 when they do not. */
int stats_welch(const struct stats *x, const struct stats *y, struct welch *w);

/* P(|T| > |t|) for Student's t with df degrees of freedom. */
double stats_t_two_sided(double t, double df);

#endif
