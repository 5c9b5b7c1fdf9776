/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_REPORT_H
#define MEMHP_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "errmsg.h"
#include "result.h"
#include "stats.h"

/*
 * Result files gathered for a report (docs/reports.md): runs grouped by
 * scenario, and within a scenario by kernel variant, in the order they were
 * first seen (by start time), the baseline variant first.
 */
struct report_run {
	struct run_record rec;
	char *path; /* the result.json it came from */
};

struct report_group {
	const char *variant; /* label: variant name, else kernel release, else spec */
	size_t *runs;        /* indices into report.runs, every status */
	size_t nruns, nok;
	unsigned of;         /* hot-added blocks (the largest count among ok runs) */
	uint64_t block_size;
	/* Over the ok runs: */
	struct stats removed, bytes_unplugged, phase_s[PHASE_COUNT];
	/* Two of them ran different kernels under this one label: their
	 * kernel.release, or the inputs their spec read (variant.inputs_sha256,
	 * where both recorded one), differ. mixed names which ("release",
	 * "inputs"), mixed_a and mixed_b the two values; NULL when not. */
	const char *mixed, *mixed_a, *mixed_b;
};

struct report_scenario {
	const char *name;
	char method[16], policy[24];
	const struct sweep_point *sweep; /* its first run's: n 0 when not a sweep point */
	struct report_group *groups;
	size_t ngroups;
};

/*
 * The points of one matrix sweep over one scenario file (docs/reports.md):
 * the scenarios whose runs record that base and a sweep, and every key they
 * set, in the order first seen.
 */
#define REPORT_SWEEP_KEYS 16
struct report_sweep {
	const char *base;
	size_t *scenarios; /* indices into report.scenarios */
	size_t n;
	char keys[REPORT_SWEEP_KEYS][64];
	size_t nkeys;
};

struct report {
	struct report_run *runs;
	size_t nruns;
	struct report_scenario *scenarios;
	size_t nscenarios;
	struct report_sweep *sweeps;
	size_t nsweeps;
	char **skipped; /* "path: why" for files that were not results */
	size_t nskipped;
	bool seed000; /* memhp report --seed000: seed 000's numbers first */
};

/*
 * Read every result.json under the given files and directories. Files that
 * cannot be read are listed in rep->skipped and do not stop the others.
 * baseline: the variant to compare the others with (NULL: the first seen).
 * Fails (EXIT_USAGE-worthy) when nothing could be read or the baseline is
 * not among the variants.
 */
int report_load(struct report *rep, char *const *paths, size_t npaths, const char *baseline,
		struct err *err);
void report_free(struct report *rep);

/* The name runs are grouped under. */
const char *report_variant_label(const struct run_record *r);
const struct run_record *report_rec(const struct report *rep, const struct report_group *g,
				    size_t i);

/* The change of g's mean blocks removed against base's, "+6.3 (+1.5%)", or
 * "baseline" or "-"; returns its sign (0 when there is none). */
int report_change(const struct report_group *base, const struct report_group *g, char *buf,
		  size_t len);

/* A mean of byte counts as "1.5 GiB": clamped to what a size can be
 * (negative and NaN as 0), so no float is cast out of range. */
const char *report_format_bytes(double bytes, char *buf, size_t len);

/* The value scenario s's point sets key to, or NULL. */
const char *report_sweep_value(const struct report_scenario *s, const char *key);
/* The distinct values of key k over sw's points, in their order: up to max
 * into values; returns how many. */
size_t report_sweep_values(const struct report *rep, const struct report_sweep *sw, size_t k,
			   const char **values, size_t max);
/* The variant labels of sw's points, first seen first: up to max. */
size_t report_sweep_variants(const struct report *rep, const struct report_sweep *sw,
			     const char **variants, size_t max);
/* Blocks removed over the ok runs of variant in sw's points whose key k is
 * value (value NULL: every point), the most blocks hot-added among them and
 * the mean of the blocks onlined to ZONE_MOVABLE (blocks[].zone); runs is set
 * to every run counted, ok or not. */
void report_sweep_stats(const struct report *rep, const struct report_sweep *sw, size_t k,
			const char *value, const char *variant, struct stats *st, unsigned *of,
			double *movable, size_t *runs);
/* The mean of the blocks onlined to ZONE_MOVABLE over g's ok runs (0 without). */
double report_movable_mean(const struct report *rep, const struct report_group *g);

/* Formats (report_text.c, report_html.c). */
void report_text(FILE *out, const struct report *rep, bool color);
void report_csv(FILE *out, const struct report *rep);
/* outdir/index.html plus outdir/figures/ (SVG and PNG). */
int report_html(const struct report *rep, const char *outdir, const char *gnuplot,
		struct err *err);

/*
 * Seed 000's cells beside memhp's (report_seed000.c): one row per cell of
 * the seed (example a, experiment b; with the series and without), with
 * memhp's runs of the matching scenario and variant (base, head) when the
 * report has them.
 */
#define SEED000_ROWS 8
struct seed000_row {
	const char *experiment, *placement, *variant;
	const char *seed;     /* what the seed reports, quoted */
	const char *scenario; /* the scenario memhp's runs are of; NULL: none */
	size_t runs, ok;
	char memhp[128];  /* "412.5 of 448 (410-415, sd 3.5; 2 runs)" */
	char versus[128]; /* the difference, or whether the seed's guess holds */
	char stayed[160]; /* example a: the blocks still there in the first ok run */
};
size_t report_seed000_rows(const struct report *rep, struct seed000_row *rows, size_t max);
void report_seed000_text(FILE *out, const struct report *rep);

#endif
