// SPDX-License-Identifier: GPL-2.0-only
/*
 * The group-sequential A/B test of memhp ab and bisect: when to stop
 * running pairs and what they showed (sequential.h).
 */
#include <errno.h>
#include <math.h>

#include "ab.h"
#include "bisect.h"
#include "sequential.h"

static const char *const names[] = {
	[SEQ_CONTINUE] = "continue", [SEQ_WORSE] = "regression", [SEQ_BETTER] = "better",
	[SEQ_SAME] = "same", [SEQ_NOT_WORSE] = "not worse",
};

const char *seq_verdict_name(enum seq_verdict v)
{
	return names[v];
}

int seq_design_init(struct seq_design *d)
{
	unsigned n[SEQ_MAX_LOOKS], k;

	/* Three runs a side: no arrangement is rare enough for the exact test
	 * to reject at any level a look could have, so the first look is at 4. */
	if (d->first < 4)
		d->first = 4;
	if (d->max < d->first || d->max - d->first + 1 > SEQ_MAX_LOOKS ||
	    !(d->alpha > 0 && d->alpha < 1))
		return -EINVAL;
	k = d->max - d->first + 1;
	if (d->spending == SPEND_EVALUE) {
		/* No level a look: the intervals shown are at 1 - alpha. */
		for (unsigned i = 0; i < k; i++)
			d->nominal[i] = d->alpha / 2;
		return 0;
	}
	for (unsigned i = 0; i < k; i++)
		n[i] = d->first + i;
	return stats_gs_nominal(d->alpha / 2, n, k, d->spending, d->nominal);
}

/* The bet sizes the e-processes mix, with equal weights, and a pair's
 * statistic is clipped at one sd of a difference: of the sizes and scales
 * tried (docs/compare.md), the most power at -30 of 448 blocks. */
static const double lambdas[] = { 0.5, 0.8 };
#define NLAMBDA (sizeof(lambdas) / sizeof(lambdas[0]))

void seq_evalues(const double *x, const double *y, size_t n, int better, double min_effect_pct,
		 double margin_pct, double e[4])
{
	/* The wealth of each bet size in each of the four processes. */
	double w[4][NLAMBDA];
	double xs = 0, xs2 = 0, ys = 0, ys2 = 0;

	for (int j = 0; j < 4; j++)
		for (size_t l = 0; l < NLAMBDA; l++)
			w[j][l] = 1;
	for (size_t i = 0; i < n; i++) {
		double d = better > 0 ? y[i] - x[i] : x[i] - y[i]; /* < 0: worse */

		/* From the second pair on, with what the pairs before said:
		 * the scale (the sd of a pair's difference, from each side's
		 * spread; signs only without spread) and the baseline the
		 * percentages are of. */
		if (i > 0) {
			double k = (double)i, var = 0, scale, base = fabs(xs / k);
			double eff = base * min_effect_pct / 100, mar = base * margin_pct / 100;
			/* The statistic each process bets on: positive when its
			 * null is wrong; under its null symmetric about <= 0. */
			double u[4] = { -(d + eff), d - eff, d + mar, -(d - mar) };

			if (i > 1)
				var = ((xs2 - xs * xs / k) + (ys2 - ys * ys / k)) / (k - 1);
			scale = sqrt(var > 0 ? var : 0);
			for (int j = 0; j < 4; j++) {
				double g = scale > 0 ? u[j] / scale : (u[j] > 0) - (u[j] < 0);

				g = g > 1 ? 1 : g < -1 ? -1 : g;
				for (size_t l = 0; l < NLAMBDA; l++)
					w[j][l] *= 1 + lambdas[l] * g;
			}
		}
		xs += x[i];
		xs2 += x[i] * x[i];
		ys += y[i];
		ys2 += y[i] * y[i];
	}
	for (int j = 0; j < 4; j++) {
		e[j] = 0;
		for (size_t l = 0; l < NLAMBDA; l++)
			e[j] += w[j][l] / NLAMBDA;
	}
}

/* A look of the always-valid A/B (sequential.h). */
static int evalue_step(const struct seq_design *d, const double *x, size_t nx, const double *y,
		       size_t ny, size_t n, struct seq_look *r)
{
	double e[4];
	struct stats sx, sy;
	bool spread;
	int rc = stats_two_sample(x, nx, y, ny, d->alpha, &r->t);

	if (rc)
		return rc;
	/* As the group-sequential looks: no spread seen proves nothing the same. */
	stats_of(x, nx, &sx);
	stats_of(y, ny, &sy);
	spread = sx.sd > 0 || sy.sd > 0;
	seq_evalues(x, y, n, d->better, d->min_effect_pct, d->margin_pct, e);
	r->e_worse = e[0];
	r->e_better = e[1];
	r->e_not_worse = e[2];
	r->e_not_better = e[3];
	if (e[0] >= 2 / d->alpha || e[1] >= 2 / d->alpha)
		r->verdict = e[0] >= e[1] ? SEQ_WORSE : SEQ_BETTER;
	else if (spread && e[2] >= 2 / d->alpha && e[3] >= 2 / d->alpha)
		r->verdict = SEQ_SAME;
	else if (spread && d->futility_beta > 0 && e[2] >= 1 / d->futility_beta)
		r->verdict = SEQ_NOT_WORSE;
	else
		r->verdict = SEQ_CONTINUE;
	return 0;
}

int seq_step(const struct seq_design *d, const double *x, size_t nx, const double *y, size_t ny,
	     unsigned *last_n, struct seq_look *r)
{
	size_t n = nx < ny ? nx : ny;
	struct stats sx, sy;
	double base, margin, effect, a, p_worse, p_better;
	bool spread;
	int rc;

	if (n < d->first || n <= *last_n)
		return 1;
	if (n > d->max)
		n = d->max;
	*last_n = (unsigned)n;
	*r = (struct seq_look){ .n = (unsigned)n, .futility_bound = NAN, .e_worse = NAN,
				.e_better = NAN, .e_not_worse = NAN, .e_not_better = NAN };
	a = r->nominal = d->nominal[n - d->first];
	if (d->spending == SPEND_EVALUE)
		return evalue_step(d, x, nx, y, ny, n, r);
	rc = stats_two_sample(x, nx, y, ny, fmin(0.999, 2 * a), &r->t);
	if (rc)
		return rc;
	stats_of(x, nx, &sx);
	stats_of(y, ny, &sy);
	base = fabs(sx.mean);
	margin = base * d->margin_pct / 100;
	effect = base * d->min_effect_pct / 100;
	spread = sx.sd > 0 || sy.sd > 0;
	p_worse = d->better > 0 ? r->t.p_lower : r->t.p_upper;
	p_better = d->better > 0 ? r->t.p_upper : r->t.p_lower;
	if (r->t.diff != 0 && fabs(r->t.diff) >= effect && (p_worse < a || p_better < a)) {
		r->verdict = p_worse < a ? SEQ_WORSE : SEQ_BETTER;
		return 0;
	}
	if (spread && r->t.lo >= -margin && r->t.hi <= margin) {
		r->verdict = SEQ_SAME;
		return 0;
	}
	if (spread && d->futility_beta > 0) {
		struct two_sample f;

		if (!stats_two_sample(x, nx, y, ny, 2 * d->futility_beta, &f)) {
			r->futility_bound = d->better > 0 ? f.lo : -f.hi;
			if (r->futility_bound > -margin) {
				r->verdict = SEQ_NOT_WORSE;
				return 0;
			}
		}
	}
	r->verdict = SEQ_CONTINUE;
	if (n == d->max) {
		struct decide_opts o = { 2 * a, d->min_effect_pct, d->margin_pct, d->better };

		stats_decide(&r->t, &sx, &sy, &o, &r->runs_more);
	}
	return 0;
}

int seq_run(const struct seq_design *d, const struct seq_source *src, FILE *looks,
	    const char *metric, const char *unit, struct seq_result *out)
{
	unsigned last_n = 0;

	*out = (struct seq_result){ .verdict = SEQ_CONTINUE };
	for (unsigned k = 1; k <= d->max && out->verdict == SEQ_CONTINUE; k++) {
		const double *x, *y;
		size_t nx, ny;
		struct seq_look r;
		int rc = src->pair(src->ctx, k, &x, &nx, &y, &ny);

		if (rc)
			return rc;
		out->pairs = k;
		rc = seq_step(d, x, nx, y, ny, &last_n, &r);
		if (rc)
			continue;
		out->looks++;
		out->looked = true;
		out->last = r;
		out->verdict = r.verdict;
		if (looks) {
			fprintf(looks, "look %u (pair %u, %zu and %zu runs): %s %s, difference %+.4g "
				       "[%+.4g, %+.4g] %s at %.4g%%, one-sided level %.3g, p = %.3g",
				out->looks, k, nx, ny, metric, r.t.method, r.t.diff, r.t.lo, r.t.hi,
				unit, 100 * (1 - 2 * r.nominal), r.nominal, r.t.p);
			if (isfinite(r.futility_bound))
				fprintf(looks, ", worse side bound %+.4g", r.futility_bound);
			if (isfinite(r.e_worse))
				fprintf(looks, ", e-values: regression %.3g, better %.3g, not worse %.3g "
					       "(decide at %.3g, %.3g)", r.e_worse, r.e_better,
					r.e_not_worse, 2 / d->alpha, 1 / d->futility_beta);
			fprintf(looks, ": %s\n", names[r.verdict]);
			fflush(looks);
		}
	}
	return 0;
}

int ab_design(const struct ab_plan *p, struct seq_design *d)
{
	const struct metric *m = compare_metric(p->metric);

	*d = (struct seq_design){
		.alpha = p->o.alpha, .min_effect_pct = p->o.min_effect_pct,
		.margin_pct = compare_margin(&p->o, m), .futility_beta = AB_FUTILITY_BETA,
		.better = m->better, .first = p->o.min_repeats, .max = p->max,
		.spending = p->spending,
	};
	return seq_design_init(d);
}

void ab_bisect_sprt(const struct ab_plan *p, struct bisect_sprt *s)
{
	*s = (struct bisect_sprt)BISECT_SPRT_DEFAULTS;
	/* As the A/B's first look: 4 runs at least, so that compare can tell
	 * a prefix from the baseline too (3 against 3 it cannot). */
	s->min_runs = p->o.min_repeats > 4 ? p->o.min_repeats : 4;
	s->max_runs = p->max > s->min_runs ? p->max : s->min_runs;
}
