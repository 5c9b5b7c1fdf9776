/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_CMD_H
#define MEMHP_CMD_H

#include <stdio.h>

/* Exit codes, the same for every subcommand. */
#define EXIT_OK 0
#define EXIT_RUN_FAILED 1 /* a run failed (its result says why) */
#define EXIT_USAGE 2      /* bad command line, scenario or result file */
#define EXIT_HOST_FAILED 3 /* internal, a cell's child to memhp run --hosts: its host
			    * failed and the cell can run on another */
/* Interrupted by signal N: 128 + N, as a shell reports it. */

/* The top-level usage text (memhp.c). */
void memhp_usage(FILE *out);

int cmd_run(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_ab(int argc, char **argv);
int cmd_rerun(int argc, char **argv);
int cmd_kernel(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_help(int argc, char **argv);

#endif
