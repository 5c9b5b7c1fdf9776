/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_REPORT_PLOT_H
#define MEMHP_REPORT_PLOT_H

#include "report.h"
#include "trend.h"

/*
 * The report's figures, drawn by gnuplot (docs/reports.md). Each is written
 * as DIR/<kind>-<scenario index>.svg and .png beside its data and script.
 */
enum fig_kind { FIG_REMOVED, FIG_MAP, FIG_TIMELINE, FIG_WHY, FIG_COUNT };

struct figure {
	char base[32];   /* "removed-0": DIR/<base>.svg, .png, .dat, .gp */
	const char *title;
	bool made;       /* false: nothing to draw, and note says why */
	char note[128];
};

/* Draw one figure of scenario s. Returns 0 (made, or nothing to draw), or
 * -errno with err set when gnuplot or a file failed. */
int report_plot(const struct report *rep, size_t s, enum fig_kind kind, const char *dir,
		const char *gnuplot, struct figure *fig, struct err *err);

/* Figure k of sweep w (rep->sweeps[w]): blocks removed against the values of
 * its key k, as DIR/sweep-<w>-<k>.svg and .png; otherwise as report_plot(). */
int report_plot_sweep(const struct report *rep, size_t w, size_t k, const char *dir,
		      const char *gnuplot, struct figure *fig, struct err *err);

/* Series k of a history (memhp report --history) against the nights, as
 * DIR/trend-<k>.svg and .png; otherwise as report_plot(). */
int report_plot_trend(const struct trend *t, size_t k, const char *dir, const char *gnuplot,
		      struct figure *fig, struct err *err);

#endif
