/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_TEST_SIM_H
#define MEMHP_TEST_SIM_H
/*
 * The random draws of the statistics simulations (test_stats.c,
 * test_decide.c): one generator, seeded by the test, so that every run of a
 * study draws the same numbers. splitmix64 underneath; normal by
 * Box-Muller, gamma by Marsaglia and Tsang, binomial by geometric jumps,
 * beta-binomial through two gammas.
 */
#include <math.h>
#include <stdint.h>

struct rng {
	uint64_t s;
};

static inline uint64_t rng_next(struct rng *r)
{
	/* splitmix64 */
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline double rng_unit(struct rng *r) /* (0, 1) */
{
	return ((double)(rng_next(r) >> 11) + 0.5) / 9007199254740992.0;
}

static inline double rng_normal(struct rng *r)
{
	return sqrt(-2 * log(rng_unit(r))) * cos(2 * M_PI * rng_unit(r));
}

static inline double rng_gamma(struct rng *r, double shape)
{
	double d, c;

	if (shape < 1)
		return rng_gamma(r, shape + 1) * pow(rng_unit(r), 1 / shape);
	d = shape - 1.0 / 3;
	c = 1 / sqrt(9 * d);
	for (;;) {
		double x = rng_normal(r), v = 1 + c * x, u = rng_unit(r);

		if (v <= 0)
			continue;
		v = v * v * v;
		if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
			return d * v;
	}
}

/* Binomial(n, p) by geometric jumps between successes: about n min(p, 1 - p)
 * draws instead of n. */
static inline double rng_binom(struct rng *r, unsigned n, double p)
{
	double lq, pos = 0;
	unsigned k = 0;

	if (p > 0.5)
		return n - rng_binom(r, n, 1 - p);
	if (p <= 0)
		return 0;
	lq = log1p(-p);
	for (;;) {
		pos += floor(log(rng_unit(r)) / lq) + 1;
		if (pos > n)
			return k;
		k++;
	}
}

static inline double rng_betabinom(struct rng *r, unsigned n, double q, double rho)
{
	double a = q * (1 - rho) / rho, b = (1 - q) * (1 - rho) / rho;
	double g = rng_gamma(r, a), h = rng_gamma(r, b);

	return rng_binom(r, n, g / (g + h));
}

#endif
