// SPDX-License-Identifier: GPL-2.0-only
/*
 * E-Divisive means (changepoint.h). Written from the paper (Matteson and
 * James 2014) and the description of Apache Otava's use of it; the statistic
 * of every split of a segment is found in one pass over its distances.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "changepoint.h"

/*
 * The best split of x[a, b) with at least min points a side: its q, and its
 * position in *at. -1 when the segment is too short to split.
 */
static double best_split(const double *x, size_t a, size_t b, size_t min, size_t *at)
{
	size_t len = b - a;
	double total = 0, wx = 0, wy, best = -1;

	if (min < 1)
		min = 1;
	if (len < 2 * min)
		return -1;
	for (size_t i = a; i < b; i++)
		for (size_t j = i + 1; j < b; j++)
			total += fabs(x[i] - x[j]);
	wy = total;
	/* Move the points before t from y to x one at a time. */
	for (size_t t = a + 1; t + min <= b; t++) {
		size_t m = t - a, n = b - t;
		double left = 0, right = 0, cross, q;

		/* x[t - 1] leaves y and joins x. */
		for (size_t i = a; i < t - 1; i++)
			left += fabs(x[i] - x[t - 1]);
		for (size_t j = t; j < b; j++)
			right += fabs(x[t - 1] - x[j]);
		wx += left;
		wy -= right;
		if (m < min)
			continue;
		cross = total - wx - wy;
		q = 2 * cross / ((double)m * (double)n);
		if (m > 1)
			q -= wx / ((double)m * (double)(m - 1) / 2);
		if (n > 1)
			q -= wy / ((double)n * (double)(n - 1) / 2);
		q *= (double)m * (double)n / (double)(m + n);
		if (q > best) {
			best = q;
			*at = t;
		}
	}
	return best;
}

/* The best split over every segment between the sorted bounds. */
static double best_of_all(const double *x, const size_t *bounds, size_t nb, size_t min,
			  size_t *at)
{
	double best = -1;

	for (size_t s = 0; s + 1 < nb; s++) {
		size_t t = 0;
		double q = best_split(x, bounds[s], bounds[s + 1], min, &t);

		if (q > best) {
			best = q;
			*at = t;
		}
	}
	return best;
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* p of the best split q: the permutations whose best is as large, stopping
 * as soon as p cannot come under sig. */
static double perm_p(const double *x, size_t n, const size_t *bounds, size_t nb,
		     const struct cp_opts *o, double q, uint64_t *seed)
{
	double *y = malloc((n ? n : 1) * sizeof(*y));
	unsigned r, ge = 0;
	size_t at;

	if (!y)
		abort();
	for (r = 0; r < o->permutations; r++) {
		memcpy(y, x, n * sizeof(*y));
		for (size_t s = 0; s + 1 < nb; s++)
			for (size_t i = bounds[s + 1] - 1; i > bounds[s]; i--) {
				size_t j = bounds[s] + splitmix(seed) % (i - bounds[s] + 1);
				double t = y[i];

				y[i] = y[j];
				y[j] = t;
			}
		/* Ties count against the change (a relative tolerance for
		 * sums taken in another order). */
		if (best_of_all(y, bounds, nb, o->min_size, &at) >= q * (1 - 1e-9))
			ge++;
		if ((double)(ge + 1) > o->sig * (double)(o->permutations + 1))
			break;
	}
	free(y);
	return r < o->permutations ? 1.0 : (double)(ge + 1) / (double)(o->permutations + 1);
}

size_t cp_edivisive(const double *x, size_t n, const struct cp_opts *o, struct change_point *cp,
		    size_t max)
{
	size_t *bounds = malloc((n + 2) * sizeof(*bounds)), nb = 2, ncp = 0;
	uint64_t seed = o->seed;

	if (!bounds)
		abort();
	bounds[0] = 0;
	bounds[1] = n;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]))
			goto out; /* no change point in a series with holes */
	while (ncp < max) {
		size_t at = 0, k;
		double q = best_of_all(x, bounds, nb, o->min_size, &at), p;

		if (q <= 0)
			break;
		p = perm_p(x, n, bounds, nb, o, q, &seed);
		if (p > o->sig)
			break;
		for (k = nb; k > 0 && bounds[k - 1] > at; k--)
			bounds[k] = bounds[k - 1];
		bounds[k] = at;
		nb++;
		for (k = ncp; k > 0 && cp[k - 1].at > at; k--)
			cp[k] = cp[k - 1];
		cp[k] = (struct change_point){ .at = at, .q = q, .p = p };
		ncp++;
	}
out:
	free(bounds);
	return ncp;
}
