/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_SWEEP_H
#define MEMHP_SWEEP_H

/*
 * One point of a matrix sweep (docs/kernels.md, "Sweeps"): the scenario keys
 * a cell sets, as "section.key" = value, in the order the [sweep] section
 * names them. n == 0: a plain scenario, not a sweep point. Shared by the
 * scenario (what a cell runs) and the result (what it recorded).
 */
#include <stddef.h>

#define SWEEP_MAX_KEYS 8

struct sweep_kv {
	char key[64];    /* "online.policy" */
	char value[256]; /* as written in the matrix, e.g. "online_movable" */
};

struct sweep_point {
	unsigned n;
	struct sweep_kv kv[SWEEP_MAX_KEYS];
};

/*
 * A matrix's [sweep] and [sweep NAME] sections (sweep.c): each a cross
 * product of scenario keys' values; scenario = names the scenarios a
 * section applies to (default: all). matrix.c hands each line of such a
 * section to sweep_line() and, once the file is read, expands the matrix's
 * scenarios with sweep_expand().
 */
#define SWEEP_MAX_CELLS 1000 /* scenario entries a matrix may expand into */

struct err;
struct matrix;
struct sweep_set;

struct sweeps {
	const char *path; /* the matrix file, for messages */
	struct sweep_set *sets;
	size_t nsets;
};

/* One key = value line of section; -EINVAL with err naming path:line. */
int sweep_line(struct sweeps *sw, const char *section, const char *key, const char *value,
	       unsigned lineno, struct err *err);
/* The matrix's scenarios with the sweeps applied: each scenario a sweep
 * applies to becomes one scenario per point, in the order of the
 * scenarios, then of the sweep sections, then of the points. */
int sweep_expand(const struct sweeps *sw, struct matrix *m, struct err *err);
void sweep_free(struct sweeps *sw);

#endif
