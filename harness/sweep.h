/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_SWEEP_H
#define MEMHP_SWEEP_H

/*
 * One point of a matrix sweep (docs/kernels.md, "Sweeps"): the scenario keys
 * a cell sets, as "section.key" = value, in the order the [sweep] section
 * names them. n == 0: a plain scenario, not a sweep point. Shared by the
 * scenario (what a cell runs) and the result (what it recorded).
 */
#define SWEEP_MAX_KEYS 8

struct sweep_kv {
	char key[64];    /* "online.policy" */
	char value[256]; /* as written in the matrix, e.g. "online_movable" */
};

struct sweep_point {
	unsigned n;
	struct sweep_kv kv[SWEEP_MAX_KEYS];
};

#endif
