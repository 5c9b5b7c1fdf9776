/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_BISECT_JSON_H
#define MEMHP_BISECT_JSON_H

/*
 * A memhp bisect's state (a step per probe) and OUT/bisect.json, which
 * records it after every step (docs/compare.md, "bisect").
 */
#include <limits.h>
#include <stdbool.h>
#include <time.h>

#include "ab.h"
#include "bisect.h"
#include "bisect_series.h"
#include "matrix.h"

struct step {
	unsigned k, round;
	char dir[PATH_MAX + 256], variant[64], spec[1024];
	char kernel[4200]; /* build-kernel's directory */
	double build_s;
	bool ran; /* ab has its numbers */
	struct ab_outcome ab;
	bool judged; /* a prefix judged against both ends: j has the SPRT */
	struct bisect_judgement j;
	enum bisect_mark mark;
	char why[800];
};

struct bisect_run {
	char out[PATH_MAX];
	const char *tree, *config, *scenario_path, *range;
	struct scenario *scenario;
	struct patch *patches;
	unsigned n, confirm;
	char base_variant[VARIANT_FORMAT_MAX], base_dir[PATH_MAX + 16];
	struct ab_plan plan;
	struct bisect_sprt sprt;
	double *series_v; /* the whole series' values (step k = n), its end */
	size_t series_n;
	struct step *steps;
	size_t nsteps;
	const char *status;
	struct bisect_outcome *result;
	struct timespec t0;
};

/* Seconds since t0 (CLOCK_MONOTONIC). */
double bisect_seconds(const struct timespec *t0);
/* What a step decided: "like the series", "regression", "no kernel", … */
const char *bisect_step_decision(const struct step *s);
/* OUT/bisect.json, atomically; an error is printed. */
int bisect_json_write(const struct bisect_run *b);
/* A bisect.json already in OUT must be of the same inputs (tree, config,
 * scenario text, series): else -EINVAL, its runs being of other kernels. */
int bisect_json_check_inputs(const struct bisect_run *b, struct err *err);

#endif
