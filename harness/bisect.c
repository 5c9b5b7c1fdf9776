// SPDX-License-Identifier: GPL-2.0-only
/*
 * memhp bisect's search over a patch series, pure: which point to probe
 * next and when the first bad patch is found (bisect.h). The command and
 * its runs are cmd_bisect.c.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "bisect.h"
#include "xalloc.h"

static const char *const mark_names[] = {
	[BISECT_UNTESTED] = "untested", [BISECT_GOOD] = "good", [BISECT_BAD] = "bad",
	[BISECT_SKIP] = "skip",
};

static const char *const status_names[] = {
	[BISECT_FOUND] = "found", [BISECT_AMBIGUOUS] = "ambiguous",
	[BISECT_UNCONFIRMED] = "unconfirmed", [BISECT_NO_REGRESSION] = "no_regression",
	[BISECT_UNDECIDED] = "undecided",
};

const char *bisect_mark_name(enum bisect_mark m)
{
	return mark_names[m];
}

const char *bisect_status_name(enum bisect_status s)
{
	return status_names[s];
}

unsigned bisect_next(unsigned lo, unsigned hi, const enum bisect_mark *marks)
{
	unsigned mid = lo + (hi - lo) / 2;

	/* The middle, else outwards from it, the later point first. */
	for (unsigned d = 0; d < hi - lo; d++) {
		if (mid + d < hi && mid + d > lo && marks[mid + d] == BISECT_UNTESTED)
			return mid + d;
		if (d && mid >= d && mid - d > lo && marks[mid - d] == BISECT_UNTESTED)
			return mid - d;
	}
	return 0;
}

static int probe_at(struct bisect_outcome *out, bisect_probe_fn probe, void *ctx, unsigned k,
		    unsigned round, enum bisect_mark *mark)
{
	int rc;

	*mark = BISECT_UNTESTED;
	rc = probe(ctx, k, round, mark);
	if (rc)
		return rc;
	if (*mark != BISECT_GOOD && *mark != BISECT_BAD)
		*mark = BISECT_SKIP;
	out->steps[out->nsteps++] = (struct bisect_step){ k, round, *mark };
	return 0;
}

int bisect_search(unsigned n, unsigned confirm, bisect_probe_fn probe, void *ctx,
		  struct bisect_outcome *out)
{
	enum bisect_mark *marks, m;
	unsigned lo = 0, hi = n, k;
	int rc;

	*out = (struct bisect_outcome){ 0 };
	if (!n || !confirm)
		return -EINVAL;
	marks = xcalloc(n + 1, sizeof(*marks));
	/* Each point once in the search, then two a confirmation round. */
	out->steps = xcalloc(n + 2 * (size_t)confirm, sizeof(*out->steps));
	marks[0] = BISECT_GOOD;
	rc = probe_at(out, probe, ctx, n, 0, &marks[n]);
	if (rc)
		goto out;
	if (marks[n] != BISECT_BAD) {
		out->status = marks[n] == BISECT_GOOD ? BISECT_NO_REGRESSION : BISECT_UNDECIDED;
		goto out;
	}
	while ((k = bisect_next(lo, hi, marks))) {
		rc = probe_at(out, probe, ctx, k, 0, &marks[k]);
		if (rc)
			goto out;
		if (marks[k] == BISECT_GOOD)
			lo = k;
		else if (marks[k] == BISECT_BAD)
			hi = k;
	}
	out->first = lo + 1;
	out->last = hi;
	if (lo + 1 != hi) {
		out->status = BISECT_AMBIGUOUS;
		goto out;
	}
	out->status = BISECT_FOUND;
	/* Without the culprit is the baseline itself when it is patch 1. */
	for (unsigned r = 1; r < confirm; r++) {
		rc = probe_at(out, probe, ctx, hi, r, &m);
		if (rc)
			goto out;
		if (m != BISECT_BAD) {
			out->status = BISECT_UNCONFIRMED;
			goto out;
		}
		if (!lo)
			continue;
		rc = probe_at(out, probe, ctx, lo, r, &m);
		if (rc)
			goto out;
		if (m != BISECT_GOOD) {
			out->status = BISECT_UNCONFIRMED;
			goto out;
		}
	}
out:
	free(marks);
	return rc;
}

void bisect_free(struct bisect_outcome *out)
{
	free(out->steps);
	out->steps = NULL;
	out->nsteps = 0;
}

int bisect_sprt_look(const struct bisect_sprt *s, const double *base, size_t nb,
		     const double *series, size_t ns, const double *p, size_t np,
		     struct bisect_judgement *j)
{
	struct stats b, z;
	double var, delta, llr = 0;

	stats_of(base, nb, &b);
	stats_of(series, ns, &z);
	*j = (struct bisect_judgement){ .mark = BISECT_UNTESTED, .mu_base = b.mean,
					.mu_series = z.mean, .runs = (unsigned)np, .p_bad = 0.5 };
	delta = z.mean - b.mean;
	if (!nb || !ns || delta == 0 || !isfinite(delta))
		return -EDOM;
	var = nb + ns > 2 ? (((double)nb - 1) * b.sd * b.sd + ((double)ns - 1) * z.sd * z.sd) /
			    ((double)(nb + ns) - 2) : 0;
	/* Identical runs at either end are no proof that a run cannot differ. */
	if (var < delta * delta / 16)
		var = delta * delta / 16;
	j->sd = sqrt(var);
	for (size_t i = 0; i < np; i++)
		llr += ((p[i] - b.mean) * (p[i] - b.mean) - (p[i] - z.mean) * (p[i] - z.mean)) /
		       (2 * var);
	j->llr = llr;
	j->p_bad = 1 / (1 + exp(-llr));
	if (np < s->min_runs)
		return 0;
	if (llr >= log((1 - s->beta) / s->alpha))
		j->mark = BISECT_BAD;
	else if (llr <= log(s->beta / (1 - s->alpha)))
		j->mark = BISECT_GOOD;
	return 0;
}

int bisect_sprt_run(const struct bisect_sprt *s, const double *series, size_t ns,
		    const struct seq_source *src, struct bisect_judgement *j)
{
	*j = (struct bisect_judgement){ .mark = BISECT_UNTESTED, .p_bad = 0.5 };
	for (unsigned k = 1; k <= s->max_runs; k++) {
		const double *x, *y;
		size_t nx, ny;
		int rc = src->pair(src->ctx, k, &x, &nx, &y, &ny);

		if (rc)
			return rc;
		if (bisect_sprt_look(s, x, nx, series, ns, y, ny, j) < 0) {
			j->mark = BISECT_SKIP;
			return 0;
		}
		if (j->mark != BISECT_UNTESTED)
			return 0;
	}
	j->mark = BISECT_SKIP;
	return 0;
}
