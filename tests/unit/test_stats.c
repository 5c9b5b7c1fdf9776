// SPDX-License-Identifier: GPL-2.0-only
/* Summary statistics against answers worked out by hand. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "sim.h"

#include "stats.h"

static void test_textbook_sample(void **state)
{
	/* The classic example: mean 5, population sd 2, sample sd sqrt(32/7). */
	const double x[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	struct stats s;

	(void)state;
	stats_of(x, 8, &s);
	assert_int_equal(s.n, 8);
	assert_float_equal(s.mean, 5.0, 1e-12);
	assert_float_equal(s.min, 2.0, 0);
	assert_float_equal(s.max, 9.0, 0);
	assert_float_equal(s.sd, 2.138089935299395, 1e-12);
}

static void test_small_samples(void **state)
{
	const double one = 413;
	struct stats s;

	(void)state;
	stats_of(NULL, 0, &s);
	assert_int_equal(s.n, 0);
	assert_float_equal(s.mean, 0, 0);
	stats_of(&one, 1, &s);
	assert_float_equal(s.mean, 413, 0);
	assert_float_equal(s.sd, 0, 0); /* undefined for one value: reported as 0 */
}

static void test_large_values_keep_precision(void **state)
{
	/* Byte counts near 2^36: a one-pass formula would lose the spread. */
	const double x[] = { 60129542144.0 + 1, 60129542144.0 + 2, 60129542144.0 + 3 };
	struct stats s;

	(void)state;
	stats_of(x, 3, &s);
	assert_float_equal(s.sd, 1.0, 1e-9);
}

static void test_median(void **state)
{
	double odd[] = { 9, 1, 5 }, even[] = { 4, 1, 3, 2 };

	(void)state;
	assert_float_equal(stats_median(odd, 3), 5, 0);
	assert_float_equal(stats_median(even, 4), 2.5, 0);
	assert_float_equal(stats_median(NULL, 0), 0, 0);
}

static void test_t_distribution(void **state)
{
	(void)state;
	/* df 1 is the Cauchy distribution: P(|T| > 1) = 1/2 exactly. */
	assert_float_equal(stats_t_two_sided(1, 1), 0.5, 1e-12);
	/* Tables: t = 2.228 is the two-sided 5% point for df 10. */
	assert_float_equal(stats_t_two_sided(2.228, 10), 0.05, 1e-4);
	assert_float_equal(stats_t_two_sided(0, 7), 1.0, 1e-12);
}

static void test_welch_known_answer(void **state)
{
	/* The worked example of Welch's test (two samples of 15): t = -2.46,
	 * df = 24.99, p = 0.021. */
	const double a[] = { 27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1,
			     21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4 };
	const double b[] = { 27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0,
			     24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4 };
	struct stats x, y;
	struct welch w;

	(void)state;
	stats_of(a, 15, &x);
	stats_of(b, 15, &y);
	assert_int_equal(stats_welch(&x, &y, &w), 0);
	assert_float_equal(w.t, -2.4554, 1e-4);
	assert_float_equal(w.df, 24.9885, 1e-4);
	assert_float_equal(w.p, 0.02138, 1e-5);
}

static void test_welch_edges(void **state)
{
	const double one[] = { 3 }, same[] = { 5, 5, 5 }, other[] = { 7, 7 };
	struct stats x, y, z;
	struct welch w;

	(void)state;
	stats_of(one, 1, &x);
	stats_of(same, 3, &y);
	stats_of(other, 2, &z);
	assert_int_equal(stats_welch(&x, &y, &w), -EDOM); /* one value: no variance */
	assert_int_equal(stats_welch(&y, &y, &w), 0);
	assert_float_equal(w.p, 1, 0);
	assert_int_equal(stats_welch(&y, &z, &w), 0);
	assert_float_equal(w.p, 0, 0); /* no spread and different means */
}

static void test_t_critical(void **state)
{
	(void)state;
	/* Tables: the two-sided 5% points for df 10 and 4, 1% for df 8. */
	assert_float_equal(stats_t_critical(0.05, 10), 2.228139, 1e-5);
	assert_float_equal(stats_t_critical(0.05, 4), 2.776445, 1e-5);
	assert_float_equal(stats_t_critical(0.01, 8), 3.355387, 1e-5);
	/* Cauchy: P(|T| > 1) = 1/2. */
	assert_float_equal(stats_t_critical(0.5, 1), 1.0, 1e-9);
	assert_true(isnan(stats_t_critical(0, 5)));
	assert_true(isnan(stats_t_critical(0.05, 0)));
}

static void test_mean_diff_interval(void **state)
{
	/* The Welch example above: difference 2.167 (b - a), and the interval
	 * excludes 0 at 5% (p 0.021) but not at 1%. */
	const double a[] = { 27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1,
			     21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4 };
	const double b[] = { 27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0,
			     24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4 };
	const double c[] = { 5, 5, 5 }, d[] = { 7, 7, 7 };
	struct stats x, y, z, u;
	struct mean_diff m;

	(void)state;
	stats_of(a, 15, &x);
	stats_of(b, 15, &y);
	assert_int_equal(stats_mean_diff(&x, &y, 0.05, &m), 0);
	assert_float_equal(m.diff, 2.1666667, 1e-6);
	assert_true(m.lo > 0 && m.hi > m.diff);
	/* lo and hi are diff -/+ t(0.05, df) se */
	assert_float_equal(m.hi - m.diff, stats_t_critical(0.05, m.df) * m.se, 1e-9);
	assert_float_equal(m.diff - m.lo, m.hi - m.diff, 1e-9);
	assert_int_equal(stats_mean_diff(&x, &y, 0.01, &m), 0);
	assert_true(m.lo < 0);
	/* No spread: the interval is the difference. */
	stats_of(c, 3, &z);
	stats_of(d, 3, &u);
	assert_int_equal(stats_mean_diff(&z, &u, 0.05, &m), 0);
	assert_float_equal(m.lo, 2, 0);
	assert_float_equal(m.hi, 2, 0);
	assert_int_equal(stats_mean_diff(&z, &z, 0.05, &m), 0);
	assert_float_equal(m.diff, 0, 0);
	assert_float_equal(m.hi, 0, 0);
}

static void test_equal_values_no_spread(void **state)
{
	/* 1.945 s five times: the mean is not a rounding error away from it,
	 * and there is no spread (else a tiny sd makes p meaningless). */
	const double x[] = { 1.945, 1.945, 1.945, 1.945, 1.945 };
	struct stats s;

	(void)state;
	stats_of(x, 5, &s);
	assert_float_equal(s.sd, 0, 0);
	assert_float_equal(s.mean, 1.945, 0);
}

/*
 * The runs (448 blocks hot-added): runs that scatter much more than
 * binomially. Blocks and MiB (the same counts times 128) must agree.
 */
static void welch_of(const double *a, const double *b, size_t n, double scale, double *p)
{
	double sa[16], sb[16];
	struct stats x, y;
	struct welch w;

	for (size_t i = 0; i < n; i++) {
		sa[i] = a[i] * scale;
		sb[i] = b[i] * scale;
	}
	stats_of(sa, n, &x);
	stats_of(sb, n, &y);
	assert_int_equal(stats_welch(&x, &y, &w), 0);
	*p = w.p;
}

static void test_overdispersed_runs(void **state)
{
	const double base[] = { 440, 400, 440, 400, 440 };
	const double near[] = { 430, 390, 430, 390, 430 };
	const double drop[] = { 380, 340, 380, 340, 380 };
	double pb, pm;

	(void)state;
	welch_of(base, near, 5, 1, &pb);
	welch_of(base, near, 5, 128, &pm);
	assert_true(pb > 0.05);
	assert_float_equal(pb, pm, 1e-12);
	welch_of(base, drop, 5, 1, &pb);
	welch_of(base, drop, 5, 128, &pm);
	assert_true(pb < 0.01);
	assert_float_equal(pb, pm, 1e-12);
}

/*
 * Calibration: A/A comparisons drawn from an overdispersed model of a run.
 * Each run removes Binomial(448, q) blocks with q ~ Beta: the blocks of one
 * run share a q (one pinning allocation takes a chain), so runs scatter more
 * than binomially by the intra-run correlation rho. Deterministic: a fixed
 * seed and the project's own generator.
 */
#define SIMS 2000
#define BLOCKS 448

/* The share of SIMS comparisons of N runs a side that Welch's test calls
 * significant at alpha, the candidate's mean q shifted by shift. */
static double rejection_rate(struct rng *r, size_t n, double q, double rho, double shift,
			     double alpha)
{
	unsigned rejected = 0;

	for (unsigned s = 0; s < SIMS; s++) {
		double a[16], b[16];
		struct stats x, y;
		struct welch w;

		for (size_t i = 0; i < n; i++) {
			a[i] = rng_betabinom(r, BLOCKS, q, rho);
			b[i] = rng_betabinom(r, BLOCKS, q + shift, rho);
		}
		stats_of(a, n, &x);
		stats_of(b, n, &y);
		assert_int_equal(stats_welch(&x, &y, &w), 0);
		rejected += w.p < alpha;
	}
	return (double)rejected / SIMS;
}

/* The models: (q, rho) from nearly binomial to heavily overdispersed, and
 * one where most runs give back nearly everything (many ties). The figures
 * printed here are the ones in docs/compare.md. */
static const struct {
	double q, rho;
} models[] = {
	{ 0.93, 0.002 }, { 0.90, 0.01 }, { 0.90, 0.05 }, { 0.50, 0.10 }, { 0.995, 0.001 },
};

static void test_calibration_aa(void **state)
{
	struct rng r = { 20261202 };

	(void)state;
	for (size_t m = 0; m < sizeof(models) / sizeof(models[0]); m++) {
		double fpr = rejection_rate(&r, 5, models[m].q, models[m].rho, 0, 0.05);

		printf("# A/A, N=5 a side, q %.3f rho %.3f: false-positive rate %.4f at alpha 0.05\n",
		       models[m].q, models[m].rho, fpr);
		/* 2000 draws: the standard error at 0.05 is 0.005. */
		assert_true(fpr <= 0.05 + 0.015);
	}
}

static void test_power(void **state)
{
	struct rng r = { 42 };
	double sd, power;

	(void)state;
	/* q 0.90, rho 0.01: runs scatter with an sd of about 15 blocks (binomial
	 * alone: 6). A drop of 30 blocks (6.7%, two run sds) at N=5. */
	sd = BLOCKS * sqrt(0.9 * 0.1 * (0.01 + 0.99 / BLOCKS));
	power = rejection_rate(&r, 5, 0.90, 0.01, -30.0 / BLOCKS, 0.05);
	printf("# shift of -30 blocks (%.1f run sds), N=5: power %.4f\n", 30 / sd, power);
	assert_true(power >= 0.6);
	/* Half that, 15 blocks (one sd): power falls, as it must. */
	power = rejection_rate(&r, 5, 0.90, 0.01, -15.0 / BLOCKS, 0.05);
	printf("# shift of -15 blocks (%.1f run sds), N=5: power %.4f\n", 15 / sd, power);
	assert_true(power >= 0.15 && power < 0.6);
	/* The drop, 60 blocks at its spread (sd 22): all but certain. */
	power = rejection_rate(&r, 5, 0.90, 0.01, -60.0 / BLOCKS, 0.05);
	printf("# shift of -60 blocks, N=5: power %.4f\n", power);
	assert_true(power >= 0.95);
}

static void test_fisher_known_answers(void **state)
{
	(void)state;
	/* 3 1 / 1 3: two-sided 0.4857 (R: fisher.test) */
	assert_float_equal(stats_fisher_2x2(3, 1, 1, 3), 0.4857143, 1e-6);
	/* 0 5 / 5 0: 2 / C(10, 5) */
	assert_float_equal(stats_fisher_2x2(0, 5, 5, 0), 2.0 / 252, 1e-12);
	/* 0 6 / 4 2: 0.0606 */
	assert_float_equal(stats_fisher_2x2(0, 6, 4, 2), 0.06060606, 1e-6);
	assert_float_equal(stats_fisher_2x2(0, 0, 0, 0), 1, 0);
	assert_float_equal(stats_fisher_2x2(2, 2, 2, 2), 1, 1e-12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_textbook_sample),
		cmocka_unit_test(test_small_samples),
		cmocka_unit_test(test_large_values_keep_precision),
		cmocka_unit_test(test_median),
		cmocka_unit_test(test_t_distribution),
		cmocka_unit_test(test_welch_known_answer),
		cmocka_unit_test(test_welch_edges),
		cmocka_unit_test(test_t_critical),
		cmocka_unit_test(test_mean_diff_interval),
		cmocka_unit_test(test_equal_values_no_spread),
		cmocka_unit_test(test_overdispersed_runs),
		cmocka_unit_test(test_calibration_aa),
		cmocka_unit_test(test_power),
		cmocka_unit_test(test_fisher_known_answers),
	};

	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
