/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_AB_H
#define MEMHP_AB_H

#include <stdbool.h>
#include <stdio.h>

#include "compare.h"
#include "opts.h"
#include "run_request.h"
#include "stats.h"

/*
 * The sequential A/B of memhp ab (cmd_ab.c, docs/compare.md), for memhp ab
 * and memhp bisect: pairs of runs (A, then B) through memhp run --resume,
 * a look after each pair once both sides have min_repeats ok runs, each look
 * at alpha / looks, until the metric is decided or max pairs have run.
 * The two sides may write to the same directory (memhp ab: one memhp run of
 * both variants a pair) or to two (memhp bisect: one baseline directory
 * whose runs every step reuses, a directory per step); either way every ok
 * run already in a side's directory counts, and a repeat that is there is
 * not run again.
 */
struct ab_side {
	const char *dir;     /* results directory */
	const char *variant; /* --variant argument, "NAME=SPEC ..." */
	const char *name;    /* its NAME */
};

struct ab_plan {
	struct ab_side a, b; /* baseline, candidate */
	const char *scenario;
	const char *metric;   /* a metric compare knows */
	struct compare_opts o; /* alpha, min_effect_pct, min_repeats; baseline is a.name */
	unsigned max;         /* pairs at most */
	const struct run_pass *pass; /* what every memhp run gets (--image, --accel ...) */
	FILE *looks;          /* a line per look goes here */
	bool table;           /* print compare's table at the end (to stdout) */
	bool runs_to_stderr;  /* the runs' summaries to stderr, not stdout */
	const char *who;      /* "memhp ab": for messages */
};

struct ab_outcome {
	enum seq_verdict verdict; /* SEQ_CONTINUE: not decided within max pairs */
	bool compared;            /* final and the numbers below are set */
	enum verdict final;       /* compare's verdict at the last level */
	struct stats base, cand;  /* the metric over the ok runs */
	struct mean_diff d;       /* at the last look's level (when looked) */
	double p, level;          /* p of the last look; its level 1 - alpha/L */
	bool looked;
	unsigned pairs, looks, planned;
	double seconds;
	char reason[600];         /* compare's reason when compared */
};

/* 0 when it ran to a verdict or to max pairs; EXIT_USAGE when memhp run
 * refused a pair or the results could not be read; 128+N on signal N. */
int ab_sequential(const struct ab_plan *p, struct ab_outcome *out);

/*
 * The options memhp ab and memhp bisect share, into a struct ab_plan:
 * --metric, --alpha, --min-effect, --min-repeats, --max-repeats. With them
 * both take run_pass_opts (run_request.h), passed on to every memhp run.
 */
extern const struct opt ab_opts[];
#define AB_PLAN_DEFAULTS(who_)                                                   \
	{ .metric = "blocks_removed", .max = 10, .who = (who_),                  \
	  .o = { .alpha = 0.05, .min_effect_pct = 1, .min_repeats = 3 } }
/* -1 (said) when min-repeats is more than max-repeats. */
int ab_check(const struct ab_plan *p);

/* "continue", "regression", "better", "same". */
const char *ab_seq_name(enum seq_verdict v);

#endif
