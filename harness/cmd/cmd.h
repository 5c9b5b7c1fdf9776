/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_CMD_H
#define MEMHP_CMD_H

#include <stdbool.h>
#include <stdio.h>

#include "opts.h"

/* Exit codes, the same for every subcommand. */
#define EXIT_OK 0
#define EXIT_RUN_FAILED 1 /* a run failed (its result says why) */
#define EXIT_USAGE 2      /* bad command line, scenario or result file */
/* Interrupted by signal N: 128 + N, as a shell reports it. */

typedef int (*cmd_fn)(int argc, char **argv);

/* The top-level usage text (memhp.c). */
void memhp_usage(FILE *out);
/* The function of command name (memhp.c's table), or NULL. */
cmd_fn memhp_command(const char *name);
/* " run kernel plan ...": every command's name. */
void memhp_list_commands(FILE *out);

/*
 * A command's options, parsed from its tables (opts_parse): true with *v the
 * index of the first operand; false with *v the exit code the command
 * returns now, after printing the usage (--help, to stdout) or the error,
 * "WHO: reason" (or the usage when getopt already said it), to stderr.
 */
bool cmd_options(const char *who, const struct opt_group *g, size_t ng, int argc, char **argv,
		 void (*usage)(FILE *out), int *v);

/* A finite number in [lo, hi] into *out: 0, else -1 (strtod's "nan" and
 * "inf" are refused). */
int cmd_parse_double(const char *s, double lo, double hi, double *out);
/* --alpha, --min-effect and --margin of memhp compare, ab and bisect: a
 * group whose target is their struct compare_opts. */
extern const struct opt cmd_decision_opts[];

int cmd_run(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_ab(int argc, char **argv);
int cmd_bisect(int argc, char **argv);
int cmd_rerun(int argc, char **argv);
int cmd_kernel(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_help(int argc, char **argv);

#endif
