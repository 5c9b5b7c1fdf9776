/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_SEQUENTIAL_H
#define MEMHP_SEQUENTIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "stats.h"

/*
 * The group-sequential A/B of memhp ab and memhp bisect (docs/compare.md,
 * "memhp ab"): a look after each pair from `first` runs a side (4 at
 * least: 3 a side cannot reject anything) to `max`, one-sided alpha / 2 a direction spent over the looks by
 * a Lan-DeMets spending function (stats_gs_nominal), not Bonferroni. At a
 * look with nominal level a:
 *   SEQ_WORSE / SEQ_BETTER: one-sided p < a and the change >= min_effect;
 *   SEQ_SAME: the 1 - 2a interval within +-margin (equivalence), spread seen;
 *   SEQ_NOT_WORSE: the futility stop: the one-sided 1 - beta bound on the
 *     worse side excludes a regression of margin or more, spread seen
 *     (non-binding: it cannot add false regressions);
 *   SEQ_CONTINUE: none yet; after the look at max, undecided.
 * A side whose runs are all identical neither proves "same" nor "not
 * worse": a candidate that loses everything in some runs may not have shown
 * it yet.
 *
 * With spending SPEND_EVALUE the looks are always valid instead (a user may
 * look after every pair and keep adding pairs, to any max): the i-th ok
 * runs of the two sides are a pair, d_i = y_i - x_i (in the sense of worse:
 * negative is worse), and three e-processes bet on the signs and sizes of
 * the d_i (seq_evalues): a mixture over bet sizes of products of
 * 1 + lambda g(...) with g odd and bounded, the scale and the effect
 * learned from the pairs before. Under no change larger than the effect
 * each pair's d is symmetric about a point that makes every factor's mean
 * at most 1, so by Ville's inequality an e-value ever reaches 1/a with
 * chance at most a, however long the A/B goes on:
 *   SEQ_WORSE / SEQ_BETTER: e against "no regression (improvement) of
 *     min_effect or more" >= 2 / alpha;
 *   SEQ_SAME: both e against "a change of margin or more" >= 2 / alpha;
 *   SEQ_NOT_WORSE: e against "a regression of margin or more" >= 1 / beta.
 */
enum seq_verdict { SEQ_CONTINUE, SEQ_WORSE, SEQ_BETTER, SEQ_SAME, SEQ_NOT_WORSE };

#define SEQ_MAX_LOOKS 1000
struct seq_design {
	double alpha;          /* two-sided, as compare's: alpha / 2 a direction */
	double min_effect_pct; /* a regression is at least this, % of the baseline */
	double margin_pct;     /* equivalence and futility margin, % of the baseline */
	double futility_beta;  /* the futility bound's one-sided level; 0: none */
	int better;            /* +1 higher is better, -1 lower */
	unsigned first, max;   /* runs a side at the first and the last look */
	enum spending spending;
	double nominal[SEQ_MAX_LOOKS]; /* one-sided, look i at first + i runs a side */
};

/* Fill d->nominal for d's alpha, first, max and spending (first is raised
 * to 4). -EINVAL for a design that cannot be. */
int seq_design_init(struct seq_design *d);

struct seq_look {
	unsigned n;           /* runs a side it looked at (the smaller side) */
	double nominal;       /* its one-sided level */
	struct two_sample t;  /* at two-sided level 2 nominal */
	double futility_bound; /* the worse side's 1 - beta bound (NAN: none) */
	/* SPEND_EVALUE: e against "no regression >= min_effect", "no
	 * improvement >= min_effect", "a regression >= margin", "an
	 * improvement >= margin" (NAN otherwise) */
	double e_worse, e_better, e_not_worse, e_not_better;
	enum seq_verdict verdict;
	unsigned runs_more;   /* after the last look, undecided: more runs a side */
};

/* The look at x (baseline) and y (candidate) runs, when both have at least
 * d->first: 0 and r filled; 1 when there is no look to make (too few runs,
 * or no new run since the last look at *last_n); -errno when the values
 * cannot be tested. */
int seq_step(const struct seq_design *d, const double *x, size_t nx, const double *y, size_t ny,
	     unsigned *last_n, struct seq_look *r);

/*
 * The loop: pair k = 1 .. max from src (which runs, or simulates, the pair
 * and gives every ok value of each side so far), a look after each, until
 * decided. Each look is said on `looks` (NULL: quiet) with the metric's
 * name and unit. Returns 0, or what src returned to stop (nonzero).
 */
struct seq_source {
	int (*pair)(void *ctx, unsigned k, const double **x, size_t *nx, const double **y,
		    size_t *ny);
	void *ctx;
};
struct seq_result {
	enum seq_verdict verdict;
	unsigned pairs, looks;
	bool looked;
	struct seq_look last; /* the last look (when looked) */
};
int seq_run(const struct seq_design *d, const struct seq_source *src, FILE *looks,
	    const char *metric, const char *unit, struct seq_result *out);

/* The always-valid e-values of the first n pairs (x[i], y[i]), in the
 * order of seq_look's e_*. better: +1 higher is better, -1 lower. */
void seq_evalues(const double *x, const double *y, size_t n, int better, double min_effect_pct,
		 double margin_pct, double e[4]);

/* "continue", "regression", "better", "same", "not worse". */
const char *seq_verdict_name(enum seq_verdict v);

#endif
