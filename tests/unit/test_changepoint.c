// SPDX-License-Identifier: GPL-2.0-only
/*
 * The change points of memhp report --history (harness/changepoint.c, E-Divisive
 * means): small series with a known answer, and a simulation study of the
 * real code with a fixed seed (docs/compare.md, "Trends over nights", prints
 * the table this test prints). A history is NIGHTS nights of RUNS runs each,
 * blocks removed of 448 at run sd 12.6, the series the night means, as
 * memhp report --history makes it. MEMHP_SIM_ITER sets the histories per
 * row (default 400).
 */
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

#include "changepoint.h"

static const struct cp_opts defaults = CP_OPTS_DEFAULT;

static unsigned sim_iter(void)
{
	const char *s = getenv("MEMHP_SIM_ITER");
	long v = s ? strtol(s, NULL, 10) : 0;

	return v > 0 ? (unsigned)v : 400;
}

/* The real nights of tests/report/history: 8, 8, 8, 8 then 0, 0, 0, 0 blocks
 * (a change in the patch of night 5): one change point, at night 5. */
static void test_step_of_real_nights(void **state)
{
	const double x[] = { 8, 8, 8, 8, 0, 0, 0, 0 };
	struct change_point cp[4];

	(void)state;
	assert_int_equal(cp_edivisive(x, 8, &defaults, cp, 4), 1);
	assert_int_equal(cp[0].at, 4);
	/* 2 of the 70 orders of these values split them as cleanly. */
	assert_true(cp[0].p <= 0.05);
	assert_true(cp[0].p > 0.01);
}

/* Without a change: nothing; with too few nights to tell one: nothing. */
static void test_none(void **state)
{
	const double flat[] = { 5, 5, 5, 5, 5, 5 }, three[] = { 1, 1, 9 };
	struct change_point cp[4];

	(void)state;
	assert_int_equal(cp_edivisive(flat, 6, &defaults, cp, 4), 0);
	assert_int_equal(cp_edivisive(three, 3, &defaults, cp, 4), 0);
	assert_int_equal(cp_edivisive(three, 0, &defaults, cp, 4), 0);
}

/* Two steps, far apart: both found, in order. */
static void test_two_steps(void **state)
{
	double x[30];
	struct change_point cp[4];
	struct rng r = { 7 };
	size_t n;

	(void)state;
	for (size_t i = 0; i < 30; i++)
		x[i] = (i < 10 ? 440 : i < 20 ? 400 : 430) + 2 * rng_normal(&r);
	n = cp_edivisive(x, 30, &defaults, cp, 4);
	assert_int_equal(n, 2);
	assert_int_equal(cp[0].at, 10);
	assert_int_equal(cp[1].at, 20);
	/* The same answer every time: the permutations come from the seed. */
	{
		struct change_point again[4];

		assert_int_equal(cp_edivisive(x, 30, &defaults, again, 4), 2);
		assert_memory_equal(cp, again, 2 * sizeof(*cp));
	}
}

struct history_row {
	const char *what;
	size_t nights, runs, step_at; /* step_at 0: quiet */
	double step;
};

/* A night: the mean of its runs, each N(448 - 18, 12.6) (+ step after the change). */
static void history(struct rng *r, const struct history_row *h, double *x)
{
	for (size_t i = 0; i < h->nights; i++) {
		double sum = 0;

		for (size_t k = 0; k < h->runs; k++)
			sum += 430 + 12.6 * rng_normal(r) + (h->step_at && i >= h->step_at ? h->step : 0);
		x[i] = sum / (double)h->runs;
	}
}

static void test_sim_histories(void **state)
{
	static const struct history_row rows[] = {
		{ "quiet", 20, 3, 0, 0 },
		{ "quiet", 20, 1, 0, 0 },
		{ "quiet", 8, 3, 0, 0 },
		{ "step -30 at night 11", 20, 3, 10, -30 },
		{ "step -30 at night 11", 20, 1, 10, -30 },
		{ "step -30 at night 5", 8, 3, 4, -30 },
		{ "step -30 at night 18", 20, 3, 17, -30 },
	};
	unsigned iter = sim_iter();
	struct rng r = { 2026120523 };

	(void)state;
	printf("# simulation: E-Divisive change points (sig 0.05, 999 permutations, 2 nights "
	       "a side at least), %u histories a row, runs N(430, 12.6) of 448 blocks\n", iter);
	for (size_t k = 0; k < sizeof(rows) / sizeof(rows[0]); k++) {
		const struct history_row *h = &rows[k];
		unsigned cps = 0, found = 0, exact = 0, histories_with = 0;
		double err = 0;

		for (unsigned s = 0; s < iter; s++) {
			double x[32];
			struct change_point cp[8];
			size_t n;

			history(&r, h, x);
			n = cp_edivisive(x, h->nights, &defaults, cp, 8);
			cps += (unsigned)n;
			histories_with += n > 0;
			if (h->step_at && n) {
				/* The change point nearest the step. */
				size_t best = 0;

				for (size_t i = 1; i < n; i++)
					if (labs((long)cp[i].at - (long)h->step_at) <
					    labs((long)cp[best].at - (long)h->step_at))
						best = i;
				found++;
				exact += cp[best].at == h->step_at;
				err += fabs((double)cp[best].at - (double)h->step_at);
			}
		}
		if (!h->step_at) {
			double rate = (double)cps / iter, with = (double)histories_with / iter;

			printf("# | %s | %zu nights x %zu runs | false change points a history "
			       "%.4f | histories with one %.4f |\n", h->what, h->nights, h->runs, rate,
			       with);
			/* The first split is tested at 0.05: a quiet history shows one
			 * at most 5 % of the time, beyond Monte Carlo error. */
			assert_true(with <= 0.05 + 3 * sqrt(0.05 * 0.95 / iter));
		} else {
			double det = (double)found / iter;

			printf("# | %s | %zu nights x %zu runs | detected %.3f | at the night "
			       "%.3f | mean error %.2f nights | change points a history %.2f |\n",
			       h->what, h->nights, h->runs, det, found ? (double)exact / found : 0,
			       found ? err / found : 0, (double)cps / iter);
			/* -30 at sd 12.6 with 3 runs a night is 4 sd of a night's mean. */
			if (h->runs == 3 && h->nights == 20) {
				assert_true(det >= 0.95);
				assert_true((double)exact / found >= 0.85);
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_step_of_real_nights),
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_two_steps),
		cmocka_unit_test(test_sim_histories),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
