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

#endif
