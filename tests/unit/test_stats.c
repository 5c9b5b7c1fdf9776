// SPDX-License-Identifier: GPL-2.0-only
/* Summary statistics against answers worked out by hand. */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_textbook_sample),
		cmocka_unit_test(test_small_samples),
		cmocka_unit_test(test_large_values_keep_precision),
		cmocka_unit_test(test_median),
	};

	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
