/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_CHANGEPOINT_H
#define MEMHP_CHANGEPOINT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Change points in a series by E-Divisive means (Matteson and James, "A
 * nonparametric approach for multiple change point analysis of multivariate
 * data", JASA 2014), as Apache Otava (formerly Hunter) and MongoDB's CI
 * use it (docs/compare.md, "Trends over nights"):
 *   - divisive and hierarchical: the split of a segment [a, b) at t that
 *     maximises the energy statistic
 *       q(t) = m n / (m + n) * (2/(m n) sum|x - y| - sum|x - x'|/C(m, 2)
 *                                                 - sum|y - y'|/C(n, 2))
 *     (x the m points before t, y the n from t; distances to the power 1);
 *     the best split over every current segment is the next candidate;
 *   - significance by a permutation test: the points of every segment are
 *     shuffled within it, R times, from a fixed seed, and the candidate is
 *     kept when (1 + #{permuted best q >= q}) / (R + 1) <= sig; else the
 *     search stops.
 * Deterministic: the same series and options give the same change points.
 */
struct cp_opts {
	double sig;           /* significance level (0.05) */
	unsigned permutations; /* R (999) */
	unsigned min_size;    /* points a segment keeps at least on each side (2) */
	uint64_t seed;        /* of the permutations */
};
#define CP_OPTS_DEFAULT { 0.05, 999, 2, 0x6d656d6870ULL }

struct change_point {
	size_t at;    /* the first point after the change */
	double q;     /* its energy statistic */
	double p;     /* its permutation p */
};

/* The change points of x[0..n), sorted by position: up to max into cp;
 * returns how many. */
size_t cp_edivisive(const double *x, size_t n, const struct cp_opts *o, struct change_point *cp,
		    size_t max);

#endif
