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
 * The two-sample comparison every verdict of memhp is made from
 * (docs/compare.md, "How a difference is tested"): y - x, the candidate's
 * runs y against the baseline's x, with its 1 - alpha interval and p.
 *   - "welch": Welch's t, when both sides have 4 runs or more, both have
 *     spread and the values are not heavily tied;
 *   - "exact": else, when there are few enough arrangements (at most
 *     STATS_EXACT_MAX), the exact permutation test of the difference of
 *     means, its interval by inverting that test (a side with no spread is
 *     not taken for an exact mean); with 3 runs a side no arrangement is
 *     rare enough for alpha 0.05, so the interval is unbounded (+-inf);
 *   - "student": else Student's pooled t (the spread of one side stands in
 *     for the other's).
 * Needs 2 runs a side (-EDOM) and finite values (-ERANGE).
 */
#define STATS_EXACT_MAX 20000
struct two_sample {
	double diff, lo, hi; /* y - x and its interval (may be infinite) */
	double p;            /* two-sided */
	double p_lower;      /* one-sided: P(a difference this low) under no change */
	double p_upper;      /* one-sided: P(a difference this high) */
	double se;           /* the spread of diff, for planning more runs (0: none seen) */
	double df;           /* the t test's degrees of freedom (NAN: exact) */
	const char *method;  /* "welch", "exact", "student" */
};
int stats_two_sample(const double *x, size_t nx, const double *y, size_t ny, double alpha,
		     struct two_sample *t);
/* The exact permutation tail of sum(y - shift) among all arrangements of x
 * and y - shift: P(sum >= observed) (upper) or P(sum <= observed). */
double stats_perm_tail(const double *x, size_t nx, const double *y, size_t ny, double shift,
		       int upper);
/* C(n, k), as a double (inf when beyond). */
double stats_choose(unsigned n, unsigned k);
/* The standard normal's upper tail and its inverse. */
double stats_norm_sf(double z);
double stats_norm_isf(double p);

/*
 * The verdict of a comparison (docs/compare.md, "Four outcomes"):
 *   DEC_WORSE / DEC_BETTER: p < alpha (two-sided) and the change is at least
 *     min_effect_pct of the baseline mean;
 *   DEC_SAME: the 1 - alpha interval lies within +-margin_pct of the
 *     baseline mean (an equivalence test, TOST at alpha / 2 a side), and at
 *     least one side has spread: identical runs bound no rare failure;
 *   DEC_UNDECIDED: neither; runs_more is then how many more runs a side
 *     would likely decide (0: cannot tell).
 * better: +1 higher is better, -1 lower.
 */
enum decision { DEC_UNDECIDED, DEC_WORSE, DEC_BETTER, DEC_SAME };
struct decide_opts {
	double alpha, min_effect_pct, margin_pct;
	int better;
};
enum decision stats_decide(const struct two_sample *t, const struct stats *x,
			   const struct stats *y, const struct decide_opts *o, unsigned *runs_more);
const char *stats_decision_name(enum decision d); /* "undecided", "regression", ... */

/*
 * Group-sequential boundaries (Lan-DeMets alpha spending): looks after
 * n[0] < n[1] < ... < n[k-1] runs a side, one-sided level alpha over all
 * of them. nominal[i] is look i's one-sided nominal level: a look rejects
 * when its one-sided p is below it. The boundaries are computed by the
 * recursive numerical integration of Armitage, McPherson and Rowe over the
 * Brownian motion of the statistic, so that the chance to cross any of
 * them under no change is alpha (not Bonferroni's less).
 */
enum spending { SPEND_POCOCK, SPEND_OBF,
		SPEND_EVALUE /* not spending: the always-valid e-values of sequential.h */ };
int stats_gs_nominal(double alpha, const unsigned *n, unsigned k, enum spending s,
		     double *nominal);

/* Fisher's exact test of a 2x2 table (a b / c d): the two-sided p, the
 * sum of the hypergeometric probabilities of the tables with the same
 * margins no more likely than this one. */
double stats_fisher_2x2(unsigned a, unsigned b, unsigned c, unsigned d);

#endif
