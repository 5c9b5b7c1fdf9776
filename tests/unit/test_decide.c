// SPDX-License-Identifier: GPL-2.0-only
/*
 * memhp's verdicts against the table (issue 23) and a simulation
 * study of the real decision code (compare's, memhp ab's loop) over models
 * of runs, with a fixed seed: docs/compare.md, "Simulation study", prints
 * the table this test prints. MEMHP_SIM_ITER sets the draws per cell
 * (default 400; make bench uses more).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sim.h"

#include "ab.h"
#include "bisect.h"
#include "compare.h"
#include "sequential.h"
#include "stats.h"

static const struct compare_opts defaults = { .alpha = 0.05, .min_effect_pct = 1,
					       .min_repeats = 3 };

static void compare_counts(const double *b, size_t nb, const double *k, size_t nk,
			   const struct compare_opts *o, struct comparison *c)
{
	compare_values(c, compare_metric("blocks_removed"), b, nb, k, nk, o);
}

/* Row 1: base 16 16 16, candidate 15 15 15. No noise was measured; the
 * exact p of 3 against 3 fully apart is 0.1 two-sided: undecided. */
static void test_row1_constant_sides(void **state)
{
	const double b[] = { 16, 16, 16 }, k[] = { 15, 15, 15 };
	struct comparison c;

	(void)state;
	compare_counts(b, 3, k, 3, &defaults, &c);
	assert_int_equal(c.verdict, V_UNDECIDED);
	assert_string_equal(c.method, "exact");
	assert_float_equal(c.p, 0.1, 1e-12);
	assert_true(isinf(c.diff.lo) && isinf(c.diff.hi));
	/* 4 a side is the least at which 1 arrangement in C(8, 4) is rare enough. */
	assert_int_equal(c.runs_more, 1);
	assert_non_null(strstr(c.reason, "more run"));
}

/* Row 2: base 16 x5, candidate 15 15 15 15 16: one constant side is not an
 * exact mean. The exact p is 12 / 252, not Welch's 0.016. */
static void test_row2_one_constant_side(void **state)
{
	const double b[] = { 16, 16, 16, 16, 16 }, k[] = { 15, 15, 15, 15, 16 };
	const double b1[] = { 16, 16, 16, 16, 15 };
	struct comparison c;

	(void)state;
	compare_counts(b, 5, k, 5, &defaults, &c);
	assert_string_equal(c.method, "exact");
	assert_float_equal(c.p, 12.0 / 252, 1e-12);
	/* One baseline run a block lower: the exact p moves, as it should, and
	 * is no longer significant. */
	compare_counts(b1, 5, k, 5, &defaults, &c);
	assert_string_equal(c.method, "exact");
	assert_true(c.p > 0.05);
	assert_int_not_equal(c.verdict, V_REGRESSION);
}

/* Row 3: 2 runs a side decide nothing, whatever --min-repeats says. */
static void test_row3_two_runs(void **state)
{
	const double b[] = { 448, 448 }, k[] = { 300, 300 };
	const double b3[] = { 448, 447, 448 }, k3[] = { 300, 301, 300 };
	struct compare_opts o = defaults;
	struct comparison c;

	(void)state;
	o.min_repeats = 2;
	compare_counts(b, 2, k, 2, &o, &c);
	assert_int_equal(c.verdict, V_UNDECIDED);
	assert_int_equal(c.runs_more, 1);
	assert_non_null(strstr(c.reason, "too few repeats"));
	/* 3 a side, far apart: still only 1 arrangement in 20. */
	compare_counts(b3, 3, k3, 3, &o, &c);
	assert_int_equal(c.verdict, V_UNDECIDED);
	assert_float_equal(c.p, 0.1, 1e-12);
}

/* Row 6: base 440 400 440 400 440, candidate 430 390 430 390 430: the
 * interval [-50, +30] says nothing about "same": undecided, exit 3. */
static void test_row6_wide_interval(void **state)
{
	const double b[] = { 440, 400, 440, 400, 440 }, k[] = { 430, 390, 430, 390, 430 };
	struct compare_result res = { 0 };
	struct comparison c;

	(void)state;
	compare_counts(b, 5, k, 5, &defaults, &c);
	assert_int_equal(c.verdict, V_UNDECIDED);
	assert_true(c.diff.lo < -40 && c.diff.hi > 20);
	assert_true(c.runs_more > 0);
	res.n = 1;
	res.count[V_UNDECIDED] = 1;
	assert_int_equal(compare_exit_code(&res), EXIT_UNDECIDED);
	assert_string_equal(compare_overall(&res), "undecided");
	/* The same spread and no difference at 10 a side with a wide margin:
	 * same; at the default margin (3 %) still undecided, with a plan. */
	{
		double b10[10], k10[10];
		struct compare_opts o = defaults;

		for (int i = 0; i < 10; i++)
			b10[i] = k10[i] = i % 2 ? 400 : 440;
		compare_counts(b10, 10, k10, 10, &o, &c);
		assert_int_equal(c.verdict, V_UNDECIDED);
		assert_true(c.runs_more > 0);
		o.margin_pct = 10;
		compare_counts(b10, 10, k10, 10, &o, &c);
		assert_int_equal(c.verdict, V_SAME);
	}
}

/* A clear regression still is one: 5 a side, no overlap. */
static void test_clear_regression(void **state)
{
	const double b[] = { 440, 436, 441, 438, 443 }, k[] = { 380, 384, 379, 386, 381 };
	struct comparison c;

	(void)state;
	compare_counts(b, 5, k, 5, &defaults, &c);
	assert_int_equal(c.verdict, V_REGRESSION);
	assert_true(c.diff.hi < 0);
}

/* ---- simulated runs ---- */

#define BLOCKS 448

/* The models of the issue: a run's metric, its mean moved by shift. */
enum model { M_BINOM, M_BETABINOM, M_BIMODAL, M_DIMM, M_TWOVALUED, M_CONSTANT, M_NMODELS };
static const char *const model_names[] = {
	"binomial 448, q 0.93", "beta-binomial 448, q 0.93, sd 12.6", "bimodal 400/440",
	"DIMM-stepped 16 x Bin(8, 0.85)", "two-valued 16/15 (0.85)", "constant 16",
};

static double draw(struct rng *r, enum model m, double shift)
{
	switch (m) {
	case M_BINOM: return rng_binom(r, BLOCKS, 0.93) + shift;
	case M_BETABINOM: return rng_betabinom(r, BLOCKS, 0.93 + shift / BLOCKS, 0.01);
	case M_BIMODAL: return (rng_unit(r) < 0.5 ? 400 : 440) + shift;
	case M_DIMM: return 16 * rng_binom(r, 8, 0.85) + shift;
	case M_TWOVALUED: return (rng_unit(r) < 0.85 ? 16 : 15) + shift;
	default: return 16 + shift;
	}
}

static unsigned sim_iter(void)
{
	const char *e = getenv("MEMHP_SIM_ITER");
	long v = e ? strtol(e, NULL, 10) : 0;

	return v > 0 ? (unsigned)v : 400;
}

/* The bound plus three Monte Carlo standard errors at that bound. */
static double mc_limit(double bound, unsigned iter)
{
	return bound + 3 * sqrt(bound * (1 - bound) / iter);
}

/* compare: A/A at n = 3, 5, 10 a side in every model. */
static void test_sim_compare_aa(void **state)
{
	static const size_t ns[] = { 3, 5, 10 };
	unsigned iter = sim_iter();
	struct rng r = { 2026120501 };

	(void)state;
	printf("# simulation: memhp compare, A/A, %u draws a cell: false regressions, "
	       "same, undecided\n", iter);
	for (int m = 0; m < M_NMODELS; m++)
		for (size_t i = 0; i < 3; i++) {
			unsigned count[V_ERROR + 1] = { 0 };
			size_t n = ns[i];

			for (unsigned s = 0; s < iter; s++) {
				double b[10], k[10];
				struct comparison c;

				for (size_t j = 0; j < n; j++) {
					b[j] = draw(&r, m, 0);
					k[j] = draw(&r, m, 0);
				}
				compare_counts(b, n, k, n, &defaults, &c);
				count[c.verdict]++;
			}
			printf("# | compare A/A | %s | n %zu | regression %.4f | same %.3f | "
			       "undecided %.3f |\n", model_names[m], n,
			       (double)count[V_REGRESSION] / iter, (double)count[V_SAME] / iter,
			       (double)count[V_UNDECIDED] / iter);
			assert_true((double)count[V_REGRESSION] / iter <= mc_limit(0.025, iter));
		}
}

/* memhp ab's loop (seq_run, the code memhp ab runs) with simulated pairs. */
struct sim_source {
	struct rng *r;
	enum model base, cand;
	double shift;
	double fail_p; /* the candidate loses everything in a run with this chance */
	const double *script_b, *script_k; /* fixed values instead, when set */
	double x[SEQ_MAX_LOOKS], y[SEQ_MAX_LOOKS];
	size_t n;
};

static int sim_pair(void *ctx, unsigned k, const double **x, size_t *nx, const double **y,
		    size_t *ny)
{
	struct sim_source *s = ctx;

	(void)k;
	if (s->script_b) {
		s->x[s->n] = s->script_b[s->n];
		s->y[s->n] = s->script_k[s->n];
	} else {
		s->x[s->n] = draw(s->r, s->base, 0);
		s->y[s->n] = s->fail_p > 0 && rng_unit(s->r) < s->fail_p ? 0 :
			     draw(s->r, s->cand, s->shift);
	}
	s->n++;
	*x = s->x;
	*y = s->y;
	*nx = *ny = s->n;
	return 0;
}

static struct seq_design *ab_default_design(void)
{
	struct ab_plan p = AB_PLAN_DEFAULTS("test");
	struct seq_design *d = malloc(sizeof(*d));

	assert_non_null(d);
	assert_int_equal(ab_design(&p, d), 0);
	return d;
}

struct ab_stats {
	double worse, better, same, not_worse, undecided, pairs;
};

static void sim_ab(const struct seq_design *d, struct sim_source *src, unsigned iter,
		   struct ab_stats *o)
{
	unsigned count[SEQ_NOT_WORSE + 1] = { 0 }, pairs = 0;

	for (unsigned s = 0; s < iter; s++) {
		struct seq_source ss = { sim_pair, src };
		struct seq_result res;

		src->n = 0;
		assert_int_equal(seq_run(d, &ss, NULL, "blocks_removed", "blocks", &res), 0);
		count[res.verdict]++;
		pairs += res.pairs;
	}
	o->worse = (double)count[SEQ_WORSE] / iter;
	o->better = (double)count[SEQ_BETTER] / iter;
	o->same = (double)count[SEQ_SAME] / iter;
	o->not_worse = (double)count[SEQ_NOT_WORSE] / iter;
	o->undecided = (double)count[SEQ_CONTINUE] / iter;
	o->pairs = (double)pairs / iter;
}

static void print_ab(const char *what, const char *model, const struct ab_stats *o)
{
	printf("# | ab %s | %s | regression %.4f | better %.4f | same %.3f | not worse %.3f | "
	       "undecided %.3f | pairs %.2f |\n", what, model, o->worse, o->better, o->same,
	       o->not_worse, o->undecided, o->pairs);
}

static void test_sim_ab_aa(void **state)
{
	struct seq_design *d = ab_default_design();
	unsigned iter = sim_iter();
	struct rng r = { 2026120502 };

	(void)state;
	for (int m = 0; m < M_NMODELS; m++) {
		struct sim_source src = { .r = &r, .base = m, .cand = m };
		struct ab_stats o;

		sim_ab(d, &src, iter, &o);
		print_ab("A/A", model_names[m], &o);
		assert_true(o.worse <= mc_limit(0.025, iter));
		if (m == M_BETABINOM)
			/* The target: A/A stops (same or not worse) within 6 pairs. */
			assert_true(o.pairs <= 6 + 0.2);
	}
	free(d);
}

static void test_sim_ab_power(void **state)
{
	struct seq_design *d = ab_default_design();
	unsigned iter = sim_iter();
	struct rng r = { 2026120503 };
	struct sim_source src = { .r = &r, .base = M_BETABINOM, .cand = M_BETABINOM,
				  .shift = -30 };
	struct ab_stats o;

	(void)state;
	sim_ab(d, &src, iter, &o);
	print_ab("-30 blocks", model_names[M_BETABINOM], &o);
	assert_true(o.worse >= 0.95 - 3 * sqrt(0.95 * 0.05 / iter));
	assert_true(o.pairs <= 6 + 0.2);
	src.shift = -60;
	sim_ab(d, &src, iter, &o);
	print_ab("-60 blocks", model_names[M_BETABINOM], &o);
	assert_true(o.worse >= 0.99 - 3 * sqrt(0.99 * 0.01 / iter));
	free(d);
}

/* ---- the always-valid A/B (memhp ab --spending e-value) ---- */

#define EV_LOOKS 100

/* A user who keeps adding pairs whatever a look said, looking after each
 * pair up to 100: how often does the e-value against "no regression" ever
 * reach 2 / alpha in A/A? Ville's inequality bounds it by alpha / 2. */
static void test_sim_evalue_optional_continuation(void **state)
{
	unsigned iter = sim_iter();
	struct rng r = { 2026120524 };

	(void)state;
	printf("# simulation: memhp ab --spending e-value, A/A, a look after every pair up to "
	       "%d pairs, never stopping: ever called a regression (bound 0.025), %u draws\n",
	       EV_LOOKS, iter);
	for (int m = 0; m < M_NMODELS; m++) {
		unsigned alarms = 0, better = 0;

		for (unsigned s = 0; s < iter; s++) {
			double x[EV_LOOKS], y[EV_LOOKS];
			bool w = false, b = false;

			for (size_t n = 0; n < EV_LOOKS; n++) {
				double e[4];

				x[n] = draw(&r, m, 0);
				y[n] = draw(&r, m, 0);
				seq_evalues(x, y, n + 1, +1, 1, 3, e);
				w |= e[0] >= 2 / 0.05;
				b |= e[1] >= 2 / 0.05;
			}
			alarms += w;
			better += b;
		}
		printf("# | ab e-value A/A, %d looks | %s | regression ever %.4f | better ever "
		       "%.4f |\n", EV_LOOKS, model_names[m], (double)alarms / iter,
		       (double)better / iter);
		assert_true((double)alarms / iter <= mc_limit(0.025, iter));
		assert_true((double)better / iter <= mc_limit(0.025, iter));
	}
}

/* The real loop (seq_run) in e-value mode: A/A and -30 / -60 of 448 at sd
 * 12.6, with --max-runs 10 (ab's default) and 20. */
static void test_sim_evalue_ab(void **state)
{
	static const unsigned maxes[] = { 10, 20 };
	unsigned iter = sim_iter();
	struct rng r = { 2026120525 };

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct ab_plan p = AB_PLAN_DEFAULTS("test");
		struct seq_design *d = malloc(sizeof(*d));
		char what[64];

		assert_non_null(d);
		p.spending = SPEND_EVALUE;
		p.max = maxes[i];
		assert_int_equal(ab_design(&p, d), 0);
		for (int m = 0; m < M_NMODELS; m++) {
			struct sim_source src = { .r = &r, .base = m, .cand = m };
			struct ab_stats o;

			snprintf(what, sizeof(what), "e-value A/A, max %u", p.max);
			sim_ab(d, &src, iter, &o);
			print_ab(what, model_names[m], &o);
			assert_true(o.worse <= mc_limit(0.025, iter));
		}
		for (int shift = -30; shift >= -60; shift -= 30) {
			struct sim_source src = { .r = &r, .base = M_BETABINOM, .cand = M_BETABINOM,
						  .shift = shift };
			struct ab_stats o;

			snprintf(what, sizeof(what), "e-value %d blocks, max %u", shift, p.max);
			sim_ab(d, &src, iter, &o);
			print_ab(what, model_names[M_BETABINOM], &o);
			/* Always valid costs runs: -60 within 10 pairs, -30 within 20. */
			if (shift == -60 || p.max == 20)
				assert_true(o.worse >= 0.95 - 3 * sqrt(0.95 * 0.05 / iter));
		}
		free(d);
	}
}

/* Row 4: 3 pairs of 16 against 16, then the candidate loses everything in
 * 3 of its next 7 runs: never "same", never "not worse". */
static void test_row4_failing_candidate(void **state)
{
	static const double b[10] = { 16, 16, 16, 16, 16, 16, 16, 16, 16, 16 };
	static const double k[10] = { 16, 16, 16, 16, 0, 16, 16, 0, 16, 0 };
	struct seq_design *d = ab_default_design();
	struct sim_source src = { .script_b = b, .script_k = k };
	struct seq_source ss = { sim_pair, &src };
	struct seq_result res;
	struct rng r = { 2026120504 };
	struct ab_stats o;

	(void)state;
	assert_int_equal(seq_run(d, &ss, NULL, "blocks_removed", "blocks", &res), 0);
	assert_true(res.verdict != SEQ_SAME && res.verdict != SEQ_NOT_WORSE);
	/* And by simulation: a candidate that loses everything in 30 % of its
	 * runs, against a constant baseline. */
	src = (struct sim_source){ .r = &r, .base = M_CONSTANT, .cand = M_CONSTANT, .fail_p = 0.3 };
	sim_ab(d, &src, sim_iter(), &o);
	print_ab("fails 30 % of runs", model_names[M_CONSTANT], &o);
	assert_true(o.same + o.not_worse <= mc_limit(0.025, sim_iter()));
	/* With a noisy baseline (binomial) a candidate whose first 4 or 5 runs
	 * were all fine looks like the baseline, and nothing in the runs can
	 * say otherwise: printed for docs/compare.md, not a bound. */
	src = (struct sim_source){ .r = &r, .base = M_BINOM, .cand = M_BINOM, .fail_p = 0.3 };
	sim_ab(d, &src, sim_iter(), &o);
	print_ab("fails 30 % of runs", model_names[M_BINOM], &o);
	free(d);
}

/* memhp bisect's search and judgements (bisect_search, seq_run for the
 * whole series, bisect_sprt_run for every other point), with simulated
 * runs: 8 patches, patch 5 moves the mean by shift. */
struct sim_bisect {
	struct rng *r;
	enum model m;
	double shift;
	unsigned culprit;
	struct seq_design *d;
	struct bisect_sprt sprt;
	double base[SEQ_MAX_LOOKS], series[SEQ_MAX_LOOKS], pre[SEQ_MAX_LOOKS];
	size_t nbase, nseries, npre;
	unsigned k;
	unsigned runs; /* every run made, both sides */
};

static int sim_bisect_pair(void *ctx, unsigned k, const double **x, size_t *nx,
			   const double **y, size_t *ny)
{
	struct sim_bisect *b = ctx;

	/* The baseline's runs are made once and reused by every step. */
	while (b->nbase < k) {
		b->base[b->nbase++] = draw(b->r, b->m, 0);
		b->runs++;
	}
	b->pre[b->npre++] = draw(b->r, b->m, b->k >= b->culprit ? b->shift : 0);
	b->runs++;
	*x = b->base;
	*nx = b->nbase;
	*y = b->pre;
	*ny = b->npre;
	return 0;
}

static int sim_probe(void *ctx, unsigned k, unsigned round, enum bisect_mark *mark)
{
	struct sim_bisect *b = ctx;
	struct seq_source ss = { sim_bisect_pair, b };

	b->k = k;
	b->npre = 0;
	if (k == 8 && !round) {
		struct seq_result res;

		assert_int_equal(seq_run(b->d, &ss, NULL, "blocks_removed", "blocks", &res), 0);
		*mark = res.verdict == SEQ_WORSE ? BISECT_BAD :
			res.verdict == SEQ_CONTINUE ? BISECT_SKIP : BISECT_GOOD;
		memcpy(b->series, b->pre, b->npre * sizeof(double));
		b->nseries = b->npre;
	} else {
		struct bisect_judgement j;

		assert_int_equal(bisect_sprt_run(&b->sprt, b->series, b->nseries, &ss, &j), 0);
		*mark = j.mark;
	}
	return 0;
}

struct bisect_stats {
	double found, wrong, runs;
};

static void sim_bisect_study(enum model m, double shift, unsigned iter, struct bisect_stats *o)
{
	struct rng r = { 2026120506 };
	struct sim_bisect *b = calloc(1, sizeof(*b));
	unsigned found = 0, wrong = 0, runs = 0;
	struct ab_plan p = AB_PLAN_DEFAULTS("test");

	assert_non_null(b);
	b->d = ab_default_design();
	ab_bisect_sprt(&p, &b->sprt);
	for (unsigned s = 0; s < iter; s++) {
		struct bisect_outcome out;

		b->r = &r;
		b->m = m;
		b->shift = shift;
		b->culprit = 5;
		b->nbase = b->nseries = 0;
		b->runs = 0;
		assert_int_equal(bisect_search(8, 1, sim_probe, b, &out), 0);
		if (out.status == BISECT_FOUND && out.first == 5)
			found++;
		else if (out.status == BISECT_FOUND)
			wrong++;
		runs += b->runs;
		bisect_free(&out);
	}
	o->found = (double)found / iter;
	o->wrong = (double)wrong / iter;
	o->runs = (double)runs / iter;
	free(b->d);
	free(b);
}

static void test_sim_bisect(void **state)
{
	unsigned iter = sim_iter();
	struct bisect_stats o;

	(void)state;
	sim_bisect_study(M_BETABINOM, -60, iter, &o);
	printf("# | bisect, 8 patches, patch 5 -60 blocks | %s | culprit named %.3f | "
	       "another named %.3f | runs %.1f |\n", model_names[M_BETABINOM], o.found, o.wrong,
	       o.runs);
	assert_true(o.found >= 0.90 - 3 * sqrt(0.9 * 0.1 / iter));
	sim_bisect_study(M_BETABINOM, -30, iter, &o);
	printf("# | bisect, 8 patches, patch 5 -30 blocks | %s | culprit named %.3f | "
	       "another named %.3f | runs %.1f |\n", model_names[M_BETABINOM], o.found, o.wrong,
	       o.runs);
	assert_true(o.found >= 0.70 - 3 * sqrt(0.7 * 0.3 / iter));
}

/*
 * ci/nightly's decision (row 7): 10 scenarios x 3 metrics (blocks, MiB =
 * blocks x 128, unplug_s), 5 runs a variant, Holm over the 30; a night
 * with a regression runs the suspect scenarios again, fresh, and fails
 * only if they say regression again (Holm over theirs). pooled: the old
 * confirmation, the fresh runs added to the first ones.
 */
static unsigned night_regressions(struct rng *r, size_t nsc, size_t n, const double (*pre)[2][20],
				  bool *suspect, double (*out)[2][20], size_t npre)
{
	struct comparison c[30];
	size_t nc = 0;
	unsigned bad = 0;

	for (size_t sc = 0; sc < nsc; sc++) {
		double b[20], k[20], bm[20], km[20], bt[20], kt[20];
		size_t tot = npre + n;

		if (suspect && !suspect[sc])
			continue;
		for (size_t i = 0; i < tot; i++) {
			if (i < npre) {
				b[i] = pre[sc][0][i];
				k[i] = pre[sc][1][i];
			} else {
				b[i] = draw(r, M_BETABINOM, 0);
				k[i] = draw(r, M_BETABINOM, 0);
			}
			if (out) {
				out[sc][0][i] = b[i];
				out[sc][1][i] = k[i];
			}
			bm[i] = b[i] * 128;
			km[i] = k[i] * 128;
			bt[i] = 2 + 0.2 * rng_normal(r);
			kt[i] = 2 + 0.2 * rng_normal(r);
		}
		compare_values(&c[nc++], compare_metric("blocks_removed"), b, tot, k, tot, &defaults);
		compare_values(&c[nc++], compare_metric("mib_unplugged"), bm, tot, km, tot, &defaults);
		compare_values(&c[nc++], compare_metric("unplug_s"), bt, tot, kt, tot, &defaults);
		if (suspect)
			suspect[sc] = false;
	}
	compare_holm(c, nc, defaults.alpha);
	for (size_t i = 0; i < nc; i++)
		if (c[i].verdict == V_REGRESSION) {
			bad++;
			if (suspect)
				suspect[i / 3] = true;
		}
	return bad;
}

static void test_sim_nightly(void **state)
{
	unsigned iter = sim_iter(), first = 0, fresh = 0, pooled = 0;
	struct rng r = { 2026120507 };
	static double runs[10][2][20];

	(void)state;
	for (unsigned s = 0; s < iter; s++) {
		bool sus[10] = { false };
		size_t nsc = 10;

		/* first stage: all scenarios; which ones said regression */
		{
			bool all[10];

			for (size_t i = 0; i < nsc; i++)
				all[i] = true;
			if (!night_regressions(&r, nsc, 5, NULL, all, runs, 0))
				continue;
			memcpy(sus, all, sizeof(sus));
		}
		first++;
		{
			bool f[10], p2[10];

			memcpy(f, sus, sizeof(f));
			memcpy(p2, sus, sizeof(p2));
			fresh += night_regressions(&r, nsc, 5, NULL, f, NULL, 0) > 0;
			pooled += night_regressions(&r, nsc, 5, (const double (*)[2][20])runs, p2,
						    NULL, 5) > 0;
		}
	}
	printf("# | nightly A/A, 10 scenarios x 3 metrics, n 5 | nights flagged %.4f | "
	       "failed after fresh confirmation %.4f | after pooled confirmation %.4f |\n",
	       (double)first / iter, (double)fresh / iter, (double)pooled / iter);
	assert_true((double)fresh / iter <= mc_limit(0.02, iter));
	assert_true((double)first / iter <= mc_limit(0.025, iter));
}

/* Row 7's numbers: pooled, the first runs confirm themselves; fresh alone,
 * three identical runs a side are no regression. */
static void test_row7_fresh_confirmation(void **state)
{
	const double bp[] = { 440, 420, 430, 425, 415, 420 }, kp[] = { 400, 405, 410, 425, 415, 420 };
	const double bf[] = { 425, 415, 420 }, kf[] = { 425, 415, 420 };
	struct comparison c;

	(void)state;
	compare_counts(bp, 6, kp, 6, &defaults, &c);
	printf("# row 7 pooled: %s p = %.3f\n", compare_verdict_name(c.verdict), c.p);
	compare_counts(bf, 3, kf, 3, &defaults, &c);
	assert_int_not_equal(c.verdict, V_REGRESSION);
}

/* The exact interval (order statistics of the shifts) against the
 * permutation test it inverts, evaluated by brute force at either side of
 * each end. */
static void test_exact_interval_inverts_test(void **state)
{
	struct rng r = { 2026120505 };
	unsigned exact = 0;

	(void)state;
	for (int s = 0; s < 200; s++) {
		double x[6], y[6];
		size_t nx = 4 + (size_t)(s % 3), ny = 4 + (size_t)(s / 3 % 3);
		struct two_sample t;

		for (size_t i = 0; i < nx; i++)
			x[i] = floor(3 * rng_unit(&r));
		for (size_t i = 0; i < ny; i++)
			y[i] = floor(3 * rng_unit(&r)) + (s % 2 ? 1 : 0);
		x[0] = 1; /* no side without spread, so Welch is not taken */
		x[1] = 1;
		assert_int_equal(stats_two_sample(x, nx, y, ny, 0.1, &t), 0);
		if (strcmp(t.method, "exact"))
			continue;
		exact++;
		assert_true(stats_perm_tail(x, nx, y, ny, t.lo - 1e-6, 1) <= 0.05 + 1e-12);
		assert_true(stats_perm_tail(x, nx, y, ny, t.lo + 1e-6, 1) > 0.05);
		assert_true(stats_perm_tail(x, nx, y, ny, t.hi + 1e-6, 0) <= 0.05 + 1e-12);
		assert_true(stats_perm_tail(x, nx, y, ny, t.hi - 1e-6, 0) > 0.05);
		assert_float_equal(t.p_upper, stats_perm_tail(x, nx, y, ny, 0, 1), 1e-12);
		assert_float_equal(t.p_lower, stats_perm_tail(x, nx, y, ny, 0, 0), 1e-12);
	}
	assert_true(exact >= 100); /* the ties make most of them exact */
}

/* The spending function's boundaries against published values (one-sided
 * 0.025, 5 equally spaced looks; Jennison and Turnbull, gsDesign). */
static void test_spending_boundaries(void **state)
{
	const unsigned n[5] = { 1, 2, 3, 4, 5 };
	double nom[5];

	(void)state;
	assert_int_equal(stats_gs_nominal(0.025, n, 5, SPEND_OBF, nom), 0);
	/* z 4.877, 3.357, 2.680, 2.290, 2.031 */
	assert_float_equal(nom[1], stats_norm_sf(3.357), 2e-5);
	assert_float_equal(nom[4], stats_norm_sf(2.031), 3e-4);
	assert_int_equal(stats_gs_nominal(0.025, n, 5, SPEND_POCOCK, nom), 0);
	/* z 2.439, 2.427, 2.410, 2.396, 2.386 */
	assert_float_equal(nom[0], stats_norm_sf(2.439), 1e-4);
	assert_float_equal(nom[4], stats_norm_sf(2.386), 3e-4);
	/* One look: the whole alpha. */
	assert_int_equal(stats_gs_nominal(0.025, n, 1, SPEND_POCOCK, nom), 0);
	assert_float_equal(nom[0], 0.025, 1e-9);
}

/* Issue 26: a zero baseline (no block came out) has no percentage change;
 * the reason says so instead of printing "+nan%". */
static void test_zero_baseline_says_no_percentage(void **state)
{
	const double b[] = { 0, 0, 0, 0, 0 }, k[] = { 3, 2, 4, 3, 5 };
	struct comparison c;
	char buf[24];

	(void)state;
	compare_counts(b, 5, k, 5, &defaults, &c);
	if (strstr(c.reason, "nan") || !strstr(c.reason, "n/a (baseline 0)"))
		fail_msg("%s", c.reason);
	assert_string_equal(compare_pct_text(buf, sizeof(buf), 1.25), "+1.25%");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zero_baseline_says_no_percentage),
		cmocka_unit_test(test_row1_constant_sides),
		cmocka_unit_test(test_row2_one_constant_side),
		cmocka_unit_test(test_row3_two_runs),
		cmocka_unit_test(test_row6_wide_interval),
		cmocka_unit_test(test_clear_regression),
		cmocka_unit_test(test_exact_interval_inverts_test),
		cmocka_unit_test(test_spending_boundaries),
		cmocka_unit_test(test_row4_failing_candidate),
		cmocka_unit_test(test_sim_compare_aa),
		cmocka_unit_test(test_sim_ab_aa),
		cmocka_unit_test(test_sim_ab_power),
		cmocka_unit_test(test_sim_evalue_optional_continuation),
		cmocka_unit_test(test_sim_evalue_ab),
		cmocka_unit_test(test_sim_bisect),
		cmocka_unit_test(test_sim_nightly),
		cmocka_unit_test(test_row7_fresh_confirmation),
	};

	return cmocka_run_group_tests_name("decide", tests, NULL, NULL);
}
