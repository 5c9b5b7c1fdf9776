/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_REPORT_KCIDB_H
#define MEMHP_REPORT_KCIDB_H

#include <stdbool.h>
#include <stdio.h>

#include "compare.h"
#include "errmsg.h"
#include "report.h"

/*
 * KCIDB (KernelCI's common results database) I/O, schema v5.3
 * (docs/reports.md): one JSON document with a checkout per kernel source
 * (tree, commit and patches, or kernel spec), a build per guest image and
 * tests per run (memhp.<scenario>.blocks_removed, ...) or per comparison.
 */
#define KCIDB_MAJOR 5
#define KCIDB_MINOR 3
#define KCIDB_DEFAULT_ORIGIN "memhp"

/* An origin KCIDB accepts: ^[a-z0-9_]+$. */
bool kcidb_origin_valid(const char *origin);

/* memhp report --format kcidb: every run of rep, measurements as DONE,
 * failed runs as ERROR. */
int report_kcidb(FILE *out, const struct report *rep, const char *origin, struct err *err);

/* memhp compare --kcidb FILE: every comparison of res as a test, PASS (same
 * or better), FAIL (regression), ERROR (infrastructure: a side with only
 * failed runs) or DONE (measured, too few repeats to decide). base and cand
 * (NULL when comparing within base) are the reports res was computed from.
 * Written to path through a temporary file and a rename. */
int report_kcidb_compare(const char *path, const struct report *base, const struct report *cand,
			 const struct compare_result *res, const char *origin, struct err *err);

#endif
