// SPDX-License-Identifier: GPL-2.0-only
/*
 * memhp bisect's search against a scripted verdict function: which points
 * it probes, in which order, how skips move it, when the culprit is a range,
 * and the confirmation rounds.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bisect.h"

/*
 * A series of n patches whose first bad prefix is culprit, except that the
 * points in skip[] are undecided (in round 0; skip_round[k] = r makes round
 * r of k undecided instead), and flip[k] = r inverts round r's verdict of k.
 */
struct script {
	unsigned culprit;
	unsigned skip[17];
	unsigned skip_round[17];
	unsigned flip[17];
	int fail_at; /* a k that returns -EINTR, or 0 */
	unsigned probed[64][2];
	size_t nprobed;
};

static int scripted(void *ctx, unsigned k, unsigned round, enum bisect_mark *mark)
{
	struct script *s = ctx;

	assert_true(s->nprobed < 64);
	s->probed[s->nprobed][0] = k;
	s->probed[s->nprobed][1] = round;
	s->nprobed++;
	if ((int)k == s->fail_at)
		return -EINTR;
	if ((s->skip[k] && round == 0) || (s->skip_round[k] && s->skip_round[k] == round)) {
		*mark = BISECT_SKIP;
		return 0;
	}
	*mark = k >= s->culprit ? BISECT_BAD : BISECT_GOOD;
	if (s->flip[k] && s->flip[k] == round)
		*mark = *mark == BISECT_BAD ? BISECT_GOOD : BISECT_BAD;
	return 0;
}

static void expect_probes(const struct script *s, const unsigned (*want)[2], size_t n)
{
	assert_int_equal(s->nprobed, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(s->probed[i][0], want[i][0]);
		assert_int_equal(s->probed[i][1], want[i][1]);
	}
}

static void test_next_point(void **state)
{
	enum bisect_mark m[9] = { BISECT_GOOD };

	(void)state;
	assert_int_equal(bisect_next(0, 8, m), 4);
	assert_int_equal(bisect_next(0, 3, m), 1);
	assert_int_equal(bisect_next(1, 3, m), 2);
	assert_int_equal(bisect_next(0, 1, m), 0); /* adjacent: nothing between */
	m[4] = BISECT_SKIP;
	assert_int_equal(bisect_next(0, 8, m), 5); /* the later neighbour first */
	m[5] = BISECT_SKIP;
	assert_int_equal(bisect_next(0, 8, m), 3);
	m[3] = BISECT_SKIP;
	assert_int_equal(bisect_next(0, 8, m), 6);
	m[1] = m[2] = m[6] = m[7] = BISECT_SKIP;
	assert_int_equal(bisect_next(0, 8, m), 0); /* all skipped */
}

/* The integration test's case: 3 patches, the middle one bad. */
static void test_middle_of_three(void **state)
{
	static const unsigned want[][2] = { { 3, 0 }, { 1, 0 }, { 2, 0 } };
	struct script s = { .culprit = 2 };
	struct bisect_outcome o;

	(void)state;
	assert_int_equal(bisect_search(3, 1, scripted, &s, &o), 0);
	assert_int_equal(o.status, BISECT_FOUND);
	assert_int_equal(o.first, 2);
	assert_int_equal(o.last, 2);
	expect_probes(&s, want, 3);
	assert_int_equal(o.nsteps, 3);
	assert_int_equal(o.steps[0].mark, BISECT_BAD);
	assert_int_equal(o.steps[1].mark, BISECT_GOOD);
	assert_int_equal(o.steps[2].mark, BISECT_BAD);
	bisect_free(&o);
}

/* Every culprit of every series length up to 16 is found in about log2(n)
 * probes after the first, each point at most once. */
static void test_every_culprit(void **state)
{
	(void)state;
	for (unsigned n = 1; n <= 16; n++)
		for (unsigned c = 1; c <= n; c++) {
			struct script s = { .culprit = c };
			struct bisect_outcome o;
			unsigned bound = 1, seen[17] = { 0 };

			while ((1u << (bound - 1)) < n)
				bound++;
			assert_int_equal(bisect_search(n, 1, scripted, &s, &o), 0);
			assert_int_equal(o.status, BISECT_FOUND);
			assert_int_equal(o.first, c);
			assert_int_equal(o.last, c);
			assert_true(s.nprobed <= bound);
			for (size_t i = 0; i < s.nprobed; i++)
				assert_int_equal(seen[s.probed[i][0]]++, 0);
			bisect_free(&o);
		}
}

static void test_not_a_regression(void **state)
{
	struct script s = { .culprit = 99 };
	struct bisect_outcome o;

	(void)state;
	assert_int_equal(bisect_search(5, 3, scripted, &s, &o), 0);
	assert_int_equal(o.status, BISECT_NO_REGRESSION);
	assert_int_equal(s.nprobed, 1); /* only the whole series */
	assert_int_equal(s.probed[0][0], 5);
	bisect_free(&o);

	s = (struct script){ .culprit = 1, .skip = { [5] = 1 } };
	assert_int_equal(bisect_search(5, 1, scripted, &s, &o), 0);
	assert_int_equal(o.status, BISECT_UNDECIDED);
	assert_int_equal(s.nprobed, 1);
	bisect_free(&o);
}

/* A skipped middle: its neighbour is tried, and the culprit still found
 * when the skip is not next to it. */
static void test_skip_neighbour(void **state)
{
	static const unsigned want[][2] = { { 8, 0 }, { 4, 0 }, { 5, 0 }, { 6, 0 }, { 7, 0 } };
	struct script s = { .culprit = 7, .skip = { [4] = 1 } };
	struct bisect_outcome o;

	(void)state;
	assert_int_equal(bisect_search(8, 1, scripted, &s, &o), 0);
	/* 5 good (so 4 needs no verdict), 6 good, 7 bad. */
	expect_probes(&s, want, 5);
	assert_int_equal(o.status, BISECT_FOUND);
	assert_int_equal(o.first, 7);
	assert_int_equal(o.steps[1].mark, BISECT_SKIP);
	bisect_free(&o);
}

/* A skip next to the culprit: the culprit is one of two patches. */
static void test_skip_ambiguous(void **state)
{
	struct script s = { .culprit = 2, .skip = { [1] = 1 } };
	struct bisect_outcome o;

	(void)state;
	assert_int_equal(bisect_search(3, 3, scripted, &s, &o), 0);
	/* 3 bad, 1 skip, 2 bad: patch 1 or 2; no confirmation of a range. */
	assert_int_equal(o.status, BISECT_AMBIGUOUS);
	assert_int_equal(o.first, 1);
	assert_int_equal(o.last, 2);
	assert_int_equal(s.nprobed, 3);

	bisect_free(&o);
	s = (struct script){ .culprit = 3, .skip = { [1] = 1, [2] = 1, [3] = 0 } };
	assert_int_equal(bisect_search(4, 1, scripted, &s, &o), 0);
	/* 4 bad, 2 skip, 3 bad, 1 skip: one of 1..3. */
	assert_int_equal(o.status, BISECT_AMBIGUOUS);
	assert_int_equal(o.first, 1);
	assert_int_equal(o.last, 3);
	bisect_free(&o);
}

/* Confirmation rounds: the culprit again bad, the prefix without it again
 * good, in every round after the search; the baseline needs none. */
static void test_confirm(void **state)
{
	static const unsigned want[][2] = { { 3, 0 }, { 1, 0 }, { 2, 0 },
					    { 2, 1 }, { 1, 1 }, { 2, 2 }, { 1, 2 } };
	struct script s = { .culprit = 2 };
	struct bisect_outcome o;

	(void)state;
	assert_int_equal(bisect_search(3, 3, scripted, &s, &o), 0);
	assert_int_equal(o.status, BISECT_FOUND);
	expect_probes(&s, want, 7);
	assert_int_equal(o.nsteps, 7);
	bisect_free(&o);

	/* Patch 1: without it is the baseline, so only the culprit is run again. */
	s = (struct script){ .culprit = 1 };
	assert_int_equal(bisect_search(3, 2, scripted, &s, &o), 0);
	assert_int_equal(o.status, BISECT_FOUND);
	assert_int_equal(o.first, 1);
	assert_int_equal(s.nprobed, 3); /* 3, 1, then 1 in round 1 */
	assert_int_equal(s.probed[2][0], 1);
	assert_int_equal(s.probed[2][1], 1);
	bisect_free(&o);
}

static void test_confirm_fails(void **state)
{
	struct script s = { .culprit = 2, .flip = { [1] = 2 } };
	struct bisect_outcome o;

	(void)state;
	/* Round 2 finds prefix 1 bad too: not confirmed, and it stops there. */
	assert_int_equal(bisect_search(3, 3, scripted, &s, &o), 0);
	assert_int_equal(o.status, BISECT_UNCONFIRMED);
	assert_int_equal(o.first, 2);
	assert_int_equal(o.steps[o.nsteps - 1].k, 1);
	assert_int_equal(o.steps[o.nsteps - 1].round, 2);
	assert_int_equal(o.steps[o.nsteps - 1].mark, BISECT_BAD);
	bisect_free(&o);

	/* An undecided confirmation is no confirmation either. */
	s = (struct script){ .culprit = 2, .skip_round = { [2] = 1 } };
	assert_int_equal(bisect_search(3, 2, scripted, &s, &o), 0);
	assert_int_equal(o.status, BISECT_UNCONFIRMED);
	assert_int_equal(o.steps[o.nsteps - 1].mark, BISECT_SKIP);
	bisect_free(&o);
}

static void test_probe_error_stops(void **state)
{
	struct script s = { .culprit = 2, .fail_at = 1 };
	struct bisect_outcome o;

	(void)state;
	assert_int_equal(bisect_search(3, 1, scripted, &s, &o), -EINTR);
	assert_int_equal(s.nprobed, 2);
	assert_int_equal(o.nsteps, 1); /* the steps before it are kept */
	bisect_free(&o);
	assert_int_equal(bisect_search(0, 1, scripted, &s, &o), -EINVAL);
	assert_int_equal(bisect_search(3, 0, scripted, &s, &o), -EINVAL);
	assert_string_equal(bisect_status_name(BISECT_NO_REGRESSION), "no_regression");
	assert_string_equal(bisect_mark_name(BISECT_SKIP), "skip");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_next_point),
		cmocka_unit_test(test_middle_of_three),
		cmocka_unit_test(test_every_culprit),
		cmocka_unit_test(test_not_a_regression),
		cmocka_unit_test(test_skip_neighbour),
		cmocka_unit_test(test_skip_ambiguous),
		cmocka_unit_test(test_confirm),
		cmocka_unit_test(test_confirm_fails),
		cmocka_unit_test(test_probe_error_stops),
	};

	return cmocka_run_group_tests_name("bisect", tests, NULL, NULL);
}
