/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_COMPARE_H
#define MEMHP_COMPARE_H

#include <stdbool.h>
#include <stdio.h>

#include "report.h"
#include "stats.h"

/*
 * memhp compare: is a candidate kernel worse than the baseline? Per scenario,
 * candidate variant and metric, a verdict that is a regression only when the
 * difference is both significant and larger than a minimum effect
 * (docs/compare.md). Failed runs are errors of the infrastructure, counted
 * apart, never "fewer blocks removed".
 */
enum verdict { V_SAME, V_BETTER, V_REGRESSION, V_UNDECIDED, V_ERROR };

struct compare_opts {
	double alpha;          /* significance level, default 0.05 */
	double min_effect_pct; /* smallest change that matters, % of the baseline */
	unsigned min_repeats;  /* ok runs needed on each side (3 at least, whatever asked) */
	/* The equivalence margin, % of the baseline: "same" needs the interval
	 * within +-margin. 0: the metric's own (struct metric). */
	double margin_pct;
	const char *baseline;  /* the baseline variant's name, or NULL */
	/* Holm's step-down over every tested comparison of the run (scenarios x
	 * candidates x metrics): a regression or better must hold at it. */
	bool holm;
	/* A metric decided only when named (struct metric's opt_in): --metric. */
	const char *metric;
};

struct metric {
	const char *name, *unit;
	int better; /* +1: higher is better, -1: lower is better */
	const char *test; /* "two-sample": stats_two_sample picks welch, exact or student */
	double margin_pct; /* the default equivalence margin, % of the baseline */
	bool opt_in; /* decided only when compare_opts.metric names it */
};

/* Failure rates of one side (docs/compare.md, "Failure rates"): runs in
 * all, and the runs with each kind of failure. */
enum failure_kind { FAIL_KERNEL_WARN, FAIL_OOM, FAIL_UNPLUG, FAIL_INFRA, FAIL_KINDS };
struct failure_rates {
	unsigned runs;
	unsigned n[FAIL_KINDS];
};
const char *compare_failure_name(enum failure_kind k);

struct comparison {
	const char *scenario, *baseline, *candidate;
	const struct metric *metric;
	struct stats base, cand; /* over ok runs */
	double *base_v, *cand_v; /* the ok runs' values, base.n and cand.n of them */
	size_t base_failed, cand_failed;
	size_t base_invalid, cand_invalid; /* ok runs whose counts contradict themselves */
	double change_pct; /* (cand - base) / base, %; NAN when undefined */
	double p;          /* NAN when not tested */
	const char *method; /* the test used: "welch", "exact", "student" (NULL: none) */
	double margin_pct;  /* the equivalence margin used */
	unsigned runs_more; /* undecided: more runs a side likely to decide (0: unknown) */
	/* cand - base with its 1 - alpha interval, in the metric's unit and in %
	 * of the baseline mean (NAN when not tested, or the baseline is 0). */
	struct mean_diff diff;
	double lo_pct, hi_pct;
	/* What else differs between the two sides' ok runs besides the kernel
	 * ("accel: tcg against kvm; QEMU: ..."), "" when nothing. */
	char differs[600];
	struct failure_rates base_fail, cand_fail; /* of the scenario's groups */
	bool tested;
	double p_adj;       /* Holm-adjusted p (NAN: not tested or no --holm) */
	enum verdict verdict;
	char reason[600];
};

struct compare_result {
	struct comparison *v;
	size_t n;
	unsigned count[V_ERROR + 1];
	char **notes; /* scenarios only one side has */
	size_t nnotes;
	const char *base_label, *cand_label; /* the directories, for headers */
};

/*
 * Compare cand's variants against base's baseline variant scenario by
 * scenario (cand NULL: the other variants of base against its first).
 */
int compare_run(const struct report *base, const struct report *cand,
		const struct compare_opts *o, struct compare_result *res, struct err *err);
void compare_free(struct compare_result *res);
/* Holm's step-down at alpha over v's tested comparisons: sets p_adj, and a
 * regression or better whose adjusted p is not below alpha becomes
 * undecided (said in its reason). */
void compare_holm(struct comparison *v, size_t n, double alpha);
/* One comparison (c's scenario and names left NULL) of metric m from the ok
 * runs' values b (baseline) and k: the decision compare_run makes. */
void compare_values(struct comparison *c, const struct metric *m, const double *b, size_t nb,
		    const double *k, size_t nk, const struct compare_opts *o);

const char *compare_verdict_name(enum verdict v);

/* "+1.25%", or "n/a (baseline 0)" for a change of a zero baseline (NaN). */
const char *compare_pct_text(char *buf, size_t len, double pct);
/* The margin a comparison of metric m uses under o. */
double compare_margin(const struct compare_opts *o, const struct metric *m);
/* The metric of that name (blocks_removed, mib_unplugged, unplug_s,
 * rss_returned_mib), or NULL. */
const struct metric *compare_metric(const char *name);
/* The i-th metric (NULL past the last), and metric m's value in run r (NAN
 * when the run has none). */
const struct metric *compare_metric_at(size_t i);
double compare_value(const struct metric *m, const struct run_record *r);
#define COMPARE_METRIC_NAMES "blocks_removed, mib_unplugged, unplug_s or rss_returned_mib"
/* Whether compare decides metric m under o: every metric but the opt-in
 * ones, and an opt-in one when o->metric names it. */
bool compare_metric_wanted(const struct metric *m, const struct compare_opts *o);
/* "regression", "error" (or nothing compared), "undecided" or "ok". */
const char *compare_overall(const struct compare_result *res);
/* 1 regression, 2 an error (or nothing compared), 3 undecided, else 0. */
#define EXIT_UNDECIDED 3
int compare_exit_code(const struct compare_result *res);

void compare_text(FILE *out, const struct compare_result *res, const struct compare_opts *o,
		  bool color);
void compare_ktap(FILE *out, const struct compare_result *res, const struct compare_opts *o);
void compare_junit(FILE *out, const struct compare_result *res, const struct compare_opts *o);
void compare_json(FILE *out, const struct compare_result *res, const struct compare_opts *o);

/* A fresh copy of s with every byte that is not valid UTF-8 (and U+FFFE,
 * U+FFFF) replaced by U+FFFD: what JSON, XML and KTAP output carry. */
char *utf8_clean(const char *s);

#endif
