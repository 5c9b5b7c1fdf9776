/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_AB_H
#define MEMHP_AB_H

#include <stdbool.h>
#include <stdio.h>

#include "compare.h"
#include "opts.h"
#include "run_request.h"
#include "sequential.h"
#include "stats.h"

/*
 * The sequential A/B of memhp ab (cmd_ab.c, docs/compare.md), for memhp ab
 * and memhp bisect: pairs of runs (A, then B) through memhp run --resume,
 * a look after each pair once both sides have min_repeats ok runs (3 at
 * least), a group-sequential design with alpha spent over the looks
 * (sequential.h), until the metric is decided or max pairs have run.
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
	enum spending spending; /* how alpha is spent over the looks */
	const struct run_pass *pass; /* what every memhp run gets (--image, --accel ...) */
	FILE *looks;          /* a line per look goes here */
	bool table;           /* print compare's table at the end (to stdout) */
	bool runs_to_stderr;  /* the runs' summaries to stderr, not stdout */
	const char *who;      /* "memhp ab": for messages */
};

struct ab_outcome {
	enum seq_verdict verdict; /* SEQ_CONTINUE: undecided within max pairs */
	bool compared;            /* final and the numbers below are set */
	enum verdict final;       /* compare's verdict at the last level */
	struct stats base, cand;  /* the metric over the ok runs */
	struct mean_diff d;       /* at the last look's level (when looked) */
	double p, level;          /* p of the last look; its interval's level 1 - 2 a */
	double nominal;           /* the last look's one-sided level a */
	const char *method;       /* the last look's test */
	double margin_pct;        /* the equivalence margin used */
	unsigned runs_more;       /* undecided: more runs a side likely to decide */
	bool looked;
	unsigned pairs, looks, planned;
	double seconds;
	char reason[600];         /* compare's reason when compared */
};

/* The futility stop's one-sided level (sequential.h): a look stops with
 * "not worse" when the 1 - beta bound on the worse side is above -margin. */
#define AB_FUTILITY_BETA 0.1
/* p's sequential design (the nominal level of each look). */
int ab_design(const struct ab_plan *p, struct seq_design *d);

/* 0 when it ran to a verdict or to max pairs; EXIT_USAGE when memhp run
 * refused a pair or the results could not be read; 128+N on signal N. */
int ab_sequential(const struct ab_plan *p, struct ab_outcome *out);

/* memhp bisect's judgement of a prefix (b) against both ends: the SPRT of
 * bisect.h over its runs, run in pairs with the baseline's (a) as
 * ab_sequential runs them, the whole series' values fixed. Returns as
 * ab_sequential; out has the pairs and seconds, j the verdict. */
struct bisect_sprt;
struct bisect_judgement;
int ab_judge_prefix(const struct ab_plan *p, const struct bisect_sprt *sp, const double *series,
		    size_t ns, struct ab_outcome *out, struct bisect_judgement *j);
/* memhp bisect's SPRT for p's options: its defaults, from max(4,
 * --min-repeats) to --max-repeats runs a prefix. */
void ab_bisect_sprt(const struct ab_plan *p, struct bisect_sprt *s);
/* The ok values of the metric on both sides as they are now (malloc'ed);
 * -1 (said) when the results cannot be read. */
int ab_load_values(const struct ab_plan *p, double **base, size_t *nb, double **cand,
		   size_t *nc);

/*
 * The options memhp ab and memhp bisect share, into a struct ab_plan:
 * --metric, --alpha, --min-effect, --margin, --min-repeats, --max-repeats
 * (--max-runs), --spending. With them both take run_pass_opts
 * (run_request.h), passed on to every memhp run.
 */
extern const struct opt ab_opts[];
#define AB_PLAN_DEFAULTS(who_)                                                   \
	{ .metric = "blocks_removed", .max = 10, .who = (who_),                  \
	  .spending = SPEND_POCOCK,                                               \
	  .o = { .alpha = 0.05, .min_effect_pct = 1, .min_repeats = 3 } }
/* -1 (said) when min-repeats is more than max-repeats, or either is below 3. */
int ab_check(const struct ab_plan *p);

/* "continue", "regression", "better", "same", "not worse". */
const char *ab_seq_name(enum seq_verdict v);

#endif
