/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_SUMMARY_H
#define MEMHP_SUMMARY_H

#include <stdbool.h>
#include <stdio.h>

#include "result.h"

/* The human summary of a run, as `memhp run` ends and `memhp show` prints. */
void summary_print(FILE *out, const struct run_record *r);
/* lsmem-style listing of the hot-added blocks and what became of them. */
void summary_print_blocks(FILE *out, const struct run_record *r);

#endif
