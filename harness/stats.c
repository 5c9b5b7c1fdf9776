// SPDX-License-Identifier: GPL-2.0-only
/*
 * The statistics memhp reports and decides with: summaries, tests,
 * intervals and the group-sequential bounds (stats.h).
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

void stats_of(const double *x, size_t n, struct stats *s)
{
	double sum = 0, sq = 0;

	*s = (struct stats){ .n = n };
	if (!n)
		return;
	s->min = s->max = x[0];
	for (size_t i = 0; i < n; i++) {
		sum += x[i];
		if (x[i] < s->min)
			s->min = x[i];
		if (x[i] > s->max)
			s->max = x[i];
	}
	s->mean = sum / (double)n;
	/* Two passes: the textbook one-pass formula loses precision for byte counts. */
	for (size_t i = 0; i < n; i++)
		sq += (x[i] - s->mean) * (x[i] - s->mean);
	s->sd = n > 1 ? sqrt(sq / (double)(n - 1)) : 0;
	/* Equal values: no spread at all, not a rounding error's worth. */
	if (s->min == s->max) {
		s->mean = s->min;
		s->sd = 0;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double stats_median(double *x, size_t n)
{
	if (!n)
		return 0;
	qsort(x, n, sizeof(*x), cmp_double);
	return n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
}

/*
 * The regularized incomplete beta function I_x(a, b), by its continued
 * fraction evaluated with the modified Lentz method.
 */
static double beta_cf(double a, double b, double x)
{
	const double tiny = 1e-300, eps = 1e-15;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	h = d;
	for (int m = 1; m <= 1000; m++) {
		double m2 = 2.0 * m, num = m * (b - m) * x / ((a + m2 - 1) * (a + m2)), del;

		d = 1 + num * d;
		d = fabs(d) < tiny ? 1 / tiny : 1 / d;
		c = 1 + num / c;
		if (fabs(c) < tiny)
			c = tiny;
		h *= d * c;
		num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
		d = 1 + num * d;
		d = fabs(d) < tiny ? 1 / tiny : 1 / d;
		c = 1 + num / c;
		if (fabs(c) < tiny)
			c = tiny;
		del = d * c;
		h *= del;
		if (fabs(del - 1) < eps)
			break;
	}
	return h;
}

static double inc_beta(double a, double b, double x)
{
	double front;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
	/* The continued fraction converges fast on one side of the mean. */
	if (x < (a + 1) / (a + b + 2))
		return front * beta_cf(a, b, x) / a;
	return 1 - front * beta_cf(b, a, 1 - x) / b;
}

double stats_t_two_sided(double t, double df)
{
	if (isinf(t))
		return 0;
	return inc_beta(df / 2, 0.5, df / (df + t * t));
}

int stats_welch(const struct stats *x, const struct stats *y, struct welch *w)
{
	double vx, vy, se2;

	if (x->n < 2 || y->n < 2)
		return -EDOM;
	vx = x->sd * x->sd / (double)x->n;
	vy = y->sd * y->sd / (double)y->n;
	se2 = vx + vy;
	if (se2 == 0) {
		bool same = x->mean == y->mean;

		w->t = same ? 0 : (x->mean < y->mean ? -INFINITY : INFINITY);
		w->df = (double)(x->n + y->n - 2);
		w->p = same ? 1 : 0;
		return 0;
	}
	w->t = (x->mean - y->mean) / sqrt(se2);
	/* Welch–Satterthwaite */
	w->df = se2 * se2 /
		(vx * vx / (double)(x->n - 1) + vy * vy / (double)(y->n - 1));
	w->p = stats_t_two_sided(w->t, w->df);
	return 0;
}

double stats_t_critical(double p, double df)
{
	double lo = 0, hi = 1;

	if (!(p > 0 && p < 1) || !(df > 0))
		return NAN;
	/* P(|T| > t) falls with t: widen, then bisect. */
	while (stats_t_two_sided(hi, df) > p && hi < 1e12)
		hi *= 2;
	for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
		double mid = (lo + hi) / 2;

		if (stats_t_two_sided(mid, df) > p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

int stats_mean_diff(const struct stats *x, const struct stats *y, double alpha,
		    struct mean_diff *d)
{
	struct welch w;
	double t;
	int rc = stats_welch(x, y, &w);

	if (rc)
		return rc;
	d->diff = y->mean - x->mean;
	d->df = w.df;
	d->se = sqrt(x->sd * x->sd / (double)x->n + y->sd * y->sd / (double)y->n);
	if (d->se == 0) {
		d->lo = d->hi = d->diff;
		return 0;
	}
	t = stats_t_critical(alpha, w.df);
	d->lo = d->diff - t * d->se;
	d->hi = d->diff + t * d->se;
	return 0;
}

double stats_choose(unsigned n, unsigned k)
{
	double c = 1;

	if (k > n)
		return 0;
	if (k > n - k)
		k = n - k;
	for (unsigned i = 1; i <= k; i++)
		c = c * (double)(n - k + i) / (double)i;
	return floor(c + 0.5);
}

double stats_norm_sf(double z)
{
	return 0.5 * erfc(z / M_SQRT2);
}

double stats_norm_isf(double p)
{
	double lo = -40, hi = 40;

	if (!(p > 0 && p < 1))
		return p <= 0 ? INFINITY : -INFINITY;
	for (int i = 0; i < 200 && hi - lo > 1e-13; i++) {
		double mid = (lo + hi) / 2;

		if (stats_norm_sf(mid) > p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

/* x and y - shift pooled into v (x first), sum(y - shift) into *sumy; the
 * tolerance within which two sums of them count as equal (rounding). */
static double pool(const double *x, size_t nx, const double *y, size_t ny, double shift,
		   double *v, double *sumy)
{
	double scale = 0;

	*sumy = 0;
	for (size_t i = 0; i < nx; i++)
		v[i] = x[i];
	for (size_t i = 0; i < ny; i++) {
		v[nx + i] = y[i] - shift;
		*sumy += v[nx + i];
	}
	for (size_t i = 0; i < nx + ny; i++)
		scale += fabs(v[i]);
	return 1e-9 * (scale + 1);
}

/* The combination of k of 0..n-1 after idx, in lexicographic order (the
 * first is 0..k-1): false after the last. */
static bool next_combination(size_t *idx, size_t k, size_t n)
{
	size_t i;

	for (i = k; i-- > 0;)
		if (idx[i] != i + n - k)
			break;
	if (i == (size_t)-1)
		return false;
	idx[i]++;
	for (size_t j = i + 1; j < k; j++)
		idx[j] = idx[j - 1] + 1;
	return true;
}

/* Every way to pick ny of the N pooled values: how many sums are at least
 * (upper) or at most the observed one. N is small (STATS_EXACT_MAX). */
double stats_perm_tail(const double *x, size_t nx, const double *y, size_t ny, double shift,
		       int upper)
{
	size_t n = nx + ny, idx[64];
	double v[64], obs, eps, total = 0, hit = 0;

	if (n > 64 || !ny)
		return NAN;
	eps = pool(x, nx, y, ny, shift, v, &obs);
	for (size_t i = 0; i < ny; i++)
		idx[i] = i;
	do {
		double s = 0;

		for (size_t i = 0; i < ny; i++)
			s += v[idx[i]];
		total++;
		hit += upper ? s >= obs - eps : s <= obs + eps;
	} while (next_combination(idx, ny, n));
	return hit / total;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Values so tied that a t statistic's normal shape cannot be trusted:
 * at most half as many distinct values as runs. */
static bool heavy_ties(const double *x, size_t nx, const double *y, size_t ny)
{
	double v[2048];
	size_t n = nx + ny, distinct = 1;

	if (n > sizeof(v) / sizeof(v[0]))
		return false;
	memcpy(v, x, nx * sizeof(*v));
	memcpy(v + nx, y, ny * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_dbl);
	for (size_t i = 1; i < n; i++)
		distinct += v[i] != v[i - 1];
	return 2 * distinct <= n;
}

/*
 * The exact permutation test and its interval in one pass. For a shift d,
 * an arrangement S (the ny values called the candidate's) has the sum
 * A_S - j_S d, j_S of its values the candidate's own; it is at least the
 * observed sum(y) - ny d exactly when d >= c_S = (sum(y) - A_S) / (ny - j_S)
 * (S the observed arrangement: always). So P(sum >= observed | d) is
 * (1 + #{c_S <= d}) / C and P(sum <= observed | d) is (1 + #{c_S >= d}) / C:
 * the interval's ends are order statistics of the c_S.
 */
/* The k-th smallest of v (0-based; v is reordered): Hoare's selection. */
static double select_kth(double *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		double pivot = v[lo + (hi - lo) / 2];
		size_t i = lo, j = hi;

		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				double tmp = v[i];

				v[i] = v[j];
				v[j] = tmp;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return v[k];
}

static int exact_test(const double *x, size_t nx, const double *y, size_t ny, double alpha,
		      struct two_sample *t)
{
	size_t n = nx + ny, idx[64], m = 0, le0 = 0, ge0 = 0, k;
	double total = stats_choose((unsigned)n, (unsigned)ny), v[64], sumy, eps;
	double *c;

	if (n > 64 || total > STATS_EXACT_MAX)
		return -E2BIG;
	c = malloc((size_t)total * sizeof(*c));
	if (!c)
		return -ENOMEM;
	eps = pool(x, nx, y, ny, 0, v, &sumy);
	for (size_t i = 0; i < ny; i++)
		idx[i] = i;
	do {
		double a = 0;
		size_t j = 0;

		for (size_t i = 0; i < ny; i++) {
			a += v[idx[i]];
			j += idx[i] >= nx;
		}
		if (j != ny) {
			double cs = (sumy - a) / (double)(ny - j);

			c[m++] = cs;
			le0 += cs <= eps / (double)(ny - j);
			ge0 += cs >= -eps / (double)(ny - j);
		}
	} while (next_combination(idx, ny, n));
	t->p_upper = (1 + (double)le0) / total;
	t->p_lower = (1 + (double)ge0) / total;
	t->p = fmin(1, 2 * fmin(t->p_upper, t->p_lower));
	/* The least count of c_S that lifts a tail above alpha / 2. */
	k = (size_t)floor(alpha / 2 * total + 1e-9);
	if (k == 0 || k > m) {
		t->lo = -INFINITY;
		t->hi = INFINITY;
	} else {
		t->lo = select_kth(c, m, k - 1);
		t->hi = select_kth(c, m, m - k);
	}
	free(c);
	return 0;
}

int stats_two_sample(const double *x, size_t nx, const double *y, size_t ny, double alpha,
		     struct two_sample *t)
{
	struct stats sx, sy;
	size_t n = nx + ny;
	double sp;

	*t = (struct two_sample){ .p = NAN, .p_lower = NAN, .p_upper = NAN, .lo = NAN, .hi = NAN,
				  .df = NAN };
	if (nx < 2 || ny < 2)
		return -EDOM;
	for (size_t i = 0; i < nx; i++)
		if (!isfinite(x[i]))
			return -ERANGE;
	for (size_t i = 0; i < ny; i++)
		if (!isfinite(y[i]))
			return -ERANGE;
	stats_of(x, nx, &sx);
	stats_of(y, ny, &sy);
	if (!isfinite(sx.sd) || !isfinite(sy.sd))
		return -ERANGE;
	t->diff = sy.mean - sx.mean;
	sp = sqrt((((double)nx - 1) * sx.sd * sx.sd + ((double)ny - 1) * sy.sd * sy.sd) /
		  ((double)n - 2));
	t->se = sp * sqrt(1 / (double)nx + 1 / (double)ny);
	if (nx >= 4 && ny >= 4 && sx.sd > 0 && sy.sd > 0 && !heavy_ties(x, nx, y, ny)) {
		struct welch w;
		struct mean_diff d;

		if (stats_welch(&sx, &sy, &w) || stats_mean_diff(&sx, &sy, alpha, &d))
			return -ERANGE;
		t->method = "welch";
		t->p = w.p;
		t->lo = d.lo;
		t->hi = d.hi;
		t->se = d.se;
		t->df = d.df;
		t->p_lower = t->diff < 0 ? w.p / 2 : 1 - w.p / 2;
		t->p_upper = 1 - t->p_lower;
		return 0;
	}
	if (stats_choose((unsigned)n, (unsigned)ny) <= STATS_EXACT_MAX) {
		t->method = "exact";
		return exact_test(x, nx, y, ny, alpha, t);
	}
	t->method = "student";
	if (t->se == 0) {
		/* Both sides constant: one arrangement in C(N, ny) is as extreme. */
		double one = 1 / stats_choose((unsigned)n, (unsigned)ny);

		t->p_upper = t->diff > 0 ? one : 1;
		t->p_lower = t->diff < 0 ? one : 1;
		t->p = t->diff == 0 ? 1 : fmin(1, 2 * one);
		t->lo = t->hi = t->diff;
		return 0;
	}
	{
		double tt = t->diff / t->se, df = (double)n - 2;
		double p2 = stats_t_two_sided(tt, df), c = stats_t_critical(alpha, df);

		t->df = df;
		t->p = p2;
		t->p_upper = tt > 0 ? p2 / 2 : 1 - p2 / 2;
		t->p_lower = 1 - t->p_upper;
		t->lo = t->diff - c * t->se;
		t->hi = t->diff + c * t->se;
	}
	return 0;
}

static const char *const decision_names[] = {
	[DEC_UNDECIDED] = "undecided", [DEC_WORSE] = "regression", [DEC_BETTER] = "better",
	[DEC_SAME] = "same",
};

const char *stats_decision_name(enum decision d)
{
	return decision_names[d];
}

/* Runs a side for a difference of size gap to show at alpha with run sd s. */
static double runs_for(double s, double gap, double alpha)
{
	double z = stats_norm_isf(alpha / 2) + stats_norm_isf(0.2); /* 80 % of the time */

	return 2 * (z * s / gap) * (z * s / gap);
}

enum decision stats_decide(const struct two_sample *t, const struct stats *x,
			   const struct stats *y, const struct decide_opts *o, unsigned *runs_more)
{
	double base = fabs(x->mean), margin = base * o->margin_pct / 100;
	double effect = base * o->min_effect_pct / 100, s, need = INFINITY;
	size_t n = x->n < y->n ? x->n : y->n;

	*runs_more = 0;
	if (t->p < o->alpha && t->diff != 0 && fabs(t->diff) >= effect)
		return t->diff * o->better < 0 ? DEC_WORSE : DEC_BETTER;
	if (t->lo >= -margin && t->hi <= margin && (x->sd > 0 || y->sd > 0))
		return DEC_SAME;
	/* How many runs a side would likely decide: enough to show the change
	 * as it stands, or to bound it within the margin. */
	s = t->se / sqrt(1 / (double)x->n + 1 / (double)y->n);
	if (s == 0) {
		/* Identical runs: the exact test needs 4 a side to reject at all;
		 * a "same" needs spread seen. */
		if (t->diff != 0 && n < 4)
			need = 4;
	} else {
		if (t->diff != 0 && fabs(t->diff) >= effect)
			need = runs_for(s, fabs(t->diff), o->alpha);
		if (margin > fabs(t->diff))
			need = fmin(need, runs_for(s, margin - fabs(t->diff), o->alpha));
	}
	if (isfinite(need)) {
		need = ceil(need);
		*runs_more = need > (double)n ? (unsigned)fmin(need - (double)n, 10000) : 1;
	}
	return DEC_UNDECIDED;
}

static double spend(enum spending s, double alpha, double t)
{
	if (t >= 1)
		return alpha;
	if (s == SPEND_POCOCK)
		return alpha * log(1 + (M_E - 1) * t);
	return 2 * stats_norm_sf(stats_norm_isf(alpha / 2) / sqrt(t));
}

int stats_gs_nominal(double alpha, const unsigned *n, unsigned k, enum spending s,
		     double *nominal)
{
	const double h = 0.01, wlo = -9;
	size_t g = 0, gmax = (size_t)((9 - wlo) / h) + 2;
	double *f, *nf, spent = 0, prev_t = 0, b = INFINITY;

	if (!k || !(alpha > 0 && alpha < 0.5) || s == SPEND_EVALUE)
		return -EINVAL;
	for (unsigned i = 1; i < k; i++)
		if (n[i] <= n[i - 1])
			return -EINVAL;
	f = calloc(gmax, sizeof(*f));
	nf = calloc(gmax, sizeof(*nf));
	if (!f || !nf) {
		free(f);
		free(nf);
		return -ENOMEM;
	}
	/* f: the density of W(t) (Brownian motion, W(1) ~ N(0, 1)) on the grid
	 * wlo + j h, over the paths that crossed no boundary yet. */
	for (unsigned i = 0; i < k; i++) {
		double t = (double)n[i] / n[k - 1], dt = t - prev_t;
		double target = spend(s, alpha, t) - spent, l = -1, hb = 40;
		double sd = sqrt(dt);

		if (target <= 0) {
			b = INFINITY;
			nominal[i] = 0;
		} else {
			/* P(cross here) as a function of b, by bisection. */
			for (int it = 0; it < 60; it++) {
				double m = (l + hb) / 2, pc = 0;

				if (i == 0) {
					pc = stats_norm_sf(m / sd);
				} else {
					for (size_t j = 0; j < g; j++)
						pc += f[j] * h * stats_norm_sf((m - (wlo + j * h)) / sd);
				}
				if (pc > target)
					l = m;
				else
					hb = m;
			}
			b = (l + hb) / 2;
			nominal[i] = stats_norm_sf(b / sqrt(t));
		}
		spent = spend(s, alpha, t);
		/* The density at this look below b, for the next. */
		{
			size_t ng = isfinite(b) ? (size_t)fmax(0, fmin((double)gmax, (b - wlo) / h)) : gmax;
			size_t reach = (size_t)(9 * sd / h) + 1;
			double *kern = calloc(reach + 1, sizeof(*kern));

			if (!kern) {
				free(f);
				free(nf);
				return -ENOMEM;
			}
			/* The increment's density times h, by grid distance. */
			for (size_t m = 0; m <= reach; m++)
				kern[m] = h * exp(-(m * h) * (m * h) / (2 * dt)) / (sd * sqrt(2 * M_PI));

			for (size_t j = 0; j < ng; j++) {
				double w = wlo + j * h, d = 0;

				if (i == 0) {
					d = exp(-w * w / (2 * dt)) / sqrt(2 * M_PI * dt);
				} else {
					size_t q0 = j > reach ? j - reach : 0;
					size_t q1 = j + reach < g ? j + reach + 1 : g;

					for (size_t q = q0; q < q1; q++)
						d += f[q] * kern[q > j ? q - j : j - q];
				}
				nf[j] = d;
			}
			free(kern);
			memcpy(f, nf, ng * sizeof(*f));
			g = ng;
		}
		prev_t = t;
	}
	free(f);
	free(nf);
	return 0;
}

static double log_choose(unsigned n, unsigned k)
{
	return lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0);
}

double stats_fisher_2x2(unsigned a, unsigned b, unsigned c, unsigned d)
{
	unsigned r1 = a + b, c1 = a + c, n = a + b + c + d;
	unsigned lo = r1 + c1 > n ? r1 + c1 - n : 0, hi = r1 < c1 ? r1 : c1;
	double base = log_choose(n, c1), obs, p = 0;

	if (!n)
		return 1;
	obs = log_choose(r1, a) + log_choose(n - r1, c1 - a) - base;
	for (unsigned x = lo; x <= hi; x++) {
		double l = log_choose(r1, x) + log_choose(n - r1, c1 - x) - base;

		/* as likely or less, within rounding */
		if (l <= obs + 1e-7)
			p += exp(l);
	}
	return p > 1 ? 1 : p;
}
