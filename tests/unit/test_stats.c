// SPDX-License-Identifier: GPL-2.0-only
/* Summary statistics against answers worked out by hand. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

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

static void test_fisher_known_answers(void **state)
{
	(void)state;
	/* Fisher's lady tasting tea: 3 of 4 right each way, p = 34/70. */
	assert_float_equal(stats_fisher_2x2(3, 1, 1, 3), 34.0 / 70.0, 1e-12);
	/* The textbook dieting example (1 9 / 11 3): two-sided p = 0.002759. */
	assert_float_equal(stats_fisher_2x2(1, 9, 11, 3), 0.0027594562, 1e-9);
	/* Symmetric and identical tables are as likely as can be. */
	assert_float_equal(stats_fisher_2x2(440, 8, 440, 8), 1.0, 1e-9);
	/* An empty margin: nothing to test. */
	assert_float_equal(stats_fisher_2x2(448, 0, 448, 0), 1.0, 0);
	/* 448-block sized counts stay finite and tiny when they differ a lot. */
	assert_true(stats_fisher_2x2(1320, 24, 1200, 144) < 1e-20);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_textbook_sample),
		cmocka_unit_test(test_small_samples),
		cmocka_unit_test(test_large_values_keep_precision),
		cmocka_unit_test(test_median),
		cmocka_unit_test(test_fisher_known_answers),
		cmocka_unit_test(test_t_distribution),
		cmocka_unit_test(test_welch_known_answer),
		cmocka_unit_test(test_welch_edges),
	};

	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
