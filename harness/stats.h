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

/*
 * One look of a sequential comparison (memhp ab, docs/compare.md): with
 * looks planned in all, each look tests at alpha / looks (Bonferroni over
 * the looks, so the chance of any false alarm over all of them stays below
 * alpha). better: +1 higher is better, -1 lower. The verdict is
 *   SEQ_WORSE / SEQ_BETTER: p < alpha / looks and |change| >= min_effect_pct;
 *   SEQ_SAME: the interval at that level lies within +-min_effect_pct of the
 *     baseline mean (any change is too small to matter);
 *   SEQ_CONTINUE: neither yet.
 * Needs n >= 2 on both sides (-EDOM). d and p get the look's numbers.
 */
enum seq_verdict { SEQ_CONTINUE, SEQ_WORSE, SEQ_BETTER, SEQ_SAME };
double stats_look_alpha(double alpha, unsigned looks);
int stats_seq_look(const struct stats *base, const struct stats *cand, double alpha,
		   unsigned looks, double min_effect_pct, int better, struct mean_diff *d,
		   double *p, enum seq_verdict *v);

#endif
