/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_BISECT_H
#define MEMHP_BISECT_H

#include <stddef.h>

#include "sequential.h"

/*
 * memhp bisect's search (docs/compare.md, "bisect"), apart from how a point
 * is judged: over a series of n patches, prefix k (the first k patches) is
 * good or bad against the baseline (k = 0, good by definition), or skip
 * (undecided after the most repeats, or no kernel). The whole series (k = n)
 * is probed first and must be bad. Then a binary search keeps lo (good) and
 * hi (bad) and probes a point between them, the middle or, when that was
 * skipped, the untested point nearest to it (as git bisect skip). At the end
 * the culprit is patch hi when lo = hi - 1; else skips leave a range of
 * candidates, lo + 1 .. hi. The culprit is then confirmed: hi bad and
 * hi - 1 good once more in each of confirm - 1 further rounds of fresh runs
 * (round 0 is the search's own verdicts, which are decided by construction).
 */
enum bisect_mark { BISECT_UNTESTED, BISECT_GOOD, BISECT_BAD, BISECT_SKIP };

/* The verdict of prefix k (1 <= k <= n) in round r. 0, or a negative errno
 * that ends the search (a signal: -EINTR) and is returned as it is. */
typedef int (*bisect_probe_fn)(void *ctx, unsigned k, unsigned round, enum bisect_mark *mark);

enum bisect_status {
	BISECT_FOUND,         /* patch first (= last) is the culprit, confirmed */
	BISECT_AMBIGUOUS,     /* skips: one of patches first .. last */
	BISECT_UNCONFIRMED,   /* a confirmation round said otherwise (the step says which) */
	BISECT_NO_REGRESSION, /* the whole series is good */
	BISECT_UNDECIDED,     /* the whole series is skip */
};

struct bisect_step {
	unsigned k, round;
	enum bisect_mark mark;
};

struct bisect_outcome {
	enum bisect_status status;
	unsigned first, last;      /* the culprit's patch numbers (1-based) */
	struct bisect_step *steps; /* every probe, in order (malloc'ed) */
	size_t nsteps;
};

/* The next point to probe between lo (good) and hi (bad) given the marks of
 * 0..n, or 0 when every point between them is tested (skipped). */
unsigned bisect_next(unsigned lo, unsigned hi, const enum bisect_mark *marks);

int bisect_search(unsigned n, unsigned confirm, bisect_probe_fn probe, void *ctx,
		  struct bisect_outcome *out);
void bisect_free(struct bisect_outcome *out);

const char *bisect_mark_name(enum bisect_mark m);     /* "good", "bad", "skip" */
const char *bisect_status_name(enum bisect_status s); /* "found", "ambiguous", ... */

/*
 * How a prefix is judged once the whole series is known to be a
 * regression (docs/compare.md, "bisect"): against both ends, an SPRT
 * between "like the baseline" (its runs' mean) and "like the series" (the
 * whole series' runs' mean), runs of equal spread (pooled over both ends,
 * at least a quarter of the distance between them). After each run of the
 * prefix (from min_runs on) the log-likelihood ratio of "like the series"
 * decides bad at ln((1 - beta) / alpha) and good at ln(beta / (1 - alpha));
 * after max_runs it is skip. A good prefix need not prove equality to the
 * baseline, only that it is nearer it than the series.
 */
struct bisect_sprt {
	double alpha, beta; /* chance to call a good prefix bad, and a bad good */
	unsigned min_runs, max_runs;
};
#define BISECT_SPRT_DEFAULTS { .alpha = 0.01, .beta = 0.01, .min_runs = 2, .max_runs = 10 }

struct bisect_judgement {
	enum bisect_mark mark;  /* GOOD, BAD, or UNTESTED while undecided */
	double llr;             /* log-likelihood ratio, series against baseline */
	double p_bad;           /* 1 / (1 + exp(-llr)): how sure, as a chance */
	double mu_base, mu_series, sd;
	unsigned runs;          /* the prefix's runs it rests on */
};

/* One look at the prefix's runs p: *j filled; mark UNTESTED to go on.
 * -EDOM when the ends are not apart (nothing to tell them by). */
int bisect_sprt_look(const struct bisect_sprt *s, const double *base, size_t nb,
		     const double *series, size_t ns, const double *p, size_t np,
		     struct bisect_judgement *j);

/* The loop: repeat k = 1 .. max_runs from src (x: the baseline's values so
 * far, y: the prefix's), a look after each, until decided; the series'
 * runs are fixed. Returns 0 (j->mark SKIP when undecided), or what src
 * returned to stop. */
int bisect_sprt_run(const struct bisect_sprt *s, const double *series, size_t ns,
		    const struct seq_source *src, struct bisect_judgement *j);

#endif
