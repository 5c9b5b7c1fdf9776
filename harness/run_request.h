/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_RUN_REQUEST_H
#define MEMHP_RUN_REQUEST_H

/*
 * One memhp run, as a value: which cells, where the results go, and how each
 * cell runs. memhp run parses its command line into one; memhp plan (its
 * commands and --slurm's script), ab and bisect (each pair), rerun (a
 * recorded cell) make one and turn it into an argv (run_request_argv) or
 * into run options (run_request_options). Its options are tables (opts.h),
 * so an option added here is parsed, documented and passed on everywhere.
 */
#include <stdbool.h>
#include <stdio.h>

#include "opts.h"
#include "runner.h"
#include "subproc.h"

/* How each cell runs, whichever cells they are: what plan, ab and bisect
 * pass on to every memhp run they make. */
struct run_pass {
	const char *modules; /* --modules DIR */
	const char *image;   /* --image ROOT: initramfs, debian, path:DISK */
	const char *accel;   /* --accel auto, kvm, tcg */
	const char *arch;    /* --arch x86_64, ppc64le, aarch64 */
	const char *qemu;    /* --qemu BINARY */
	const char *backend; /* --backend qmp, libvirt */
	const char *connect; /* --connect URI */
	bool ignore_budget;  /* --ignore-budget */
};

struct run_request {
	/* which cells */
	const char *matrix;       /* --matrix FILE */
	const char *kernel;       /* --kernel SPEC (NULL: the default) */
	struct opt_list variants; /* --variant, in order */
	unsigned repeats;         /* --repeats N (0: the scenarios') */
	unsigned only_repeat;     /* --only-repeat K (0: all) */
	const char *cell;         /* --cell I[/N] */
	/* where the results go */
	const char *output;       /* -o DIR */
	const char *resume;       /* --resume DIR */
	unsigned jobs;            /* --jobs N (0: 1) */
	struct run_pass pass;
	struct opt_list scenarios; /* the operands: SCENARIO.ini files */
};

/* memhp run's options, in three tables: the cells, where and how many at
 * once, and the options passed on by memhp plan, ab and bisect. */
extern const struct opt run_cell_opts[];
extern const struct opt run_where_opts[];
extern const struct opt run_pass_opts[];

/* argv (argv[0] "run") into r, which starts zeroed; the operands go to
 * r->scenarios. Returns as opts_parse: >= 1, 0 for --help, -EINVAL. */
int run_request_parse(struct run_request *r, int argc, char **argv, struct err *err);

/* "run" and every field of r that is set, then the scenarios: the argv
 * after memhp's own name that run_request_parse reads back into r. */
void run_request_argv(const struct run_request *r, struct argv *a);

/* The pass-through part into opt (accel, backend, connect, qemu, modules,
 * image); opt's other fields are left alone. -EINVAL with a message when
 * they do not go together (--connect with --backend qmp). */
int run_request_options(const struct run_pass *p, struct run_options *opt, struct err *err);

void run_request_free(struct run_request *r);

#endif
