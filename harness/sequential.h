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

/* "continue", "regression", "better", "same", "not worse". */
const char *seq_verdict_name(enum seq_verdict v);

#endif
