/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_TREND_H
#define MEMHP_TREND_H

#include <stdbool.h>
#include <stdio.h>

#include "changepoint.h"
#include "compare.h"
#include "report.h"

/*
 * memhp report --history (docs/reports.md, "Trends over nights"): result
 * sets, one a night and oldest first, as time series per scenario (and
 * variant) and metric, with their change points (changepoint.h) found in
 * the nights' means.
 */
struct trend_night {
	const char *path;
	char label[128];   /* the directory's name (its parent's, for ci/nightly's runs/) */
	struct report rep;
};

struct trend_point {
	double *v;         /* the ok runs' values */
	struct stats st;   /* over them; n 0: not run that night */
	char kernel[512];  /* what ran: variant, release, commit, patches */
};

#define TREND_MAX_CP 8
struct trend_series {
	const char *scenario;
	const char *variant;          /* NULL with --by scenario */
	const struct metric *metric;
	struct trend_point *pts;      /* one a night */
	struct change_point cp[TREND_MAX_CP]; /* .at: a night's index */
	size_t ncp;
	double before[TREND_MAX_CP], after[TREND_MAX_CP]; /* the means of the segments around */
};

struct trend {
	struct trend_night *nights;
	size_t nnights;
	struct trend_series *series;
	size_t nseries;
	struct cp_opts cp;
	bool by_variant;
};

/* Load the nights (in the order given) and find the series' change points.
 * metric: one metric's name, or NULL for all. Fails (EXIT_USAGE-worthy) when
 * a night has no result. */
int trend_load(struct trend *t, char *const *paths, size_t n, bool by_variant,
	       const char *metric, const struct cp_opts *cp, struct err *err);
void trend_free(struct trend *t);

/* "scenario" or "scenario / variant", into buf. */
const char *trend_series_name(const struct trend_series *s, char *buf, size_t len);
/* The change's sign in the metric's sense: -1 worse, +1 better. */
int trend_change_sense(const struct trend_series *s, size_t k);

void trend_text(FILE *out, const struct trend *t);
void trend_json(FILE *out, const struct trend *t);
/* outdir/index.html and outdir/figures/trend-*.svg, .png (report_html.c). */
int trend_html(const struct trend *t, const char *outdir, const char *gnuplot, struct err *err);

#endif
