/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_MATRIX_H
#define MEMHP_MATRIX_H

#include <stddef.h>

#include "errmsg.h"
#include "scenario.h"

/*
 * What memhp run runs: variants x scenarios x repeats (docs/kernels.md),
 * from the command line or a matrix INI file.
 */
struct variant {
	char name[64];     /* "" for the one unnamed variant of --kernel */
	char spec[1024];   /* deb:, path: or build: */
	char cmdline[512]; /* appended to the kernel command line */
	char config[1024]; /* build: kernels: a Kconfig fragment, or "" */
};

struct matrix {
	struct variant *variants;
	size_t nvariants;
	struct scenario *scenarios;
	size_t nscenarios;
	unsigned repeats; /* 0: each scenario's own [run] repeats */
};

/* One run of the matrix. */
struct cell {
	size_t scenario, variant;
	unsigned repeat; /* 1-based */
};

/* "NAME=SPEC [cmdline=ARGS] [config=FILE]"; ARGS may be in double quotes. */
int variant_parse(const char *arg, struct variant *v, struct err *err);
int matrix_add_variant(struct matrix *m, const struct variant *v, struct err *err);
int matrix_add_scenario(struct matrix *m, const char *path, struct err *err);
/*
 * A matrix file:
 *   [matrix]            repeats = N, scenario = FILE (one per line, repeatable,
 *                       relative to the matrix file)
 *   [variant NAME]      kernel = SPEC, cmdline = ARGS, config = FILE
 * Errors name the file and line.
 */
int matrix_load(struct matrix *m, const char *path, struct err *err);
void matrix_free(struct matrix *m);
/*
 * The matrix of a command line: the file's (matrix_file), or the scenarios
 * with the --variant's given so far, or with one unnamed variant of kernel
 * (NULL: memhp's default kernel). A kernel given beside --variant or
 * --matrix is refused: it would not run.
 */
int matrix_from_args(struct matrix *m, const char *matrix_file, const char *kernel,
		     char *const *scenarios, size_t nscenarios, struct err *err);
/* The --variant argument that gives v back. A buffer of VARIANT_FORMAT_MAX
 * always holds it; returns 0, or -ENAMETOOLONG when len was too small (buf
 * then holds a cut string that must not be used). */
#define VARIANT_FORMAT_MAX                                                     \
	(sizeof(((struct variant *)0)->name) + sizeof(((struct variant *)0)->spec) + \
	 sizeof(" cmdline=\"\"") + 2 * sizeof(((struct variant *)0)->cmdline) +    \
	 sizeof(" config=\"\"") + 2 * sizeof(((struct variant *)0)->config))
int variant_format(const struct variant *v, char *buf, size_t len);

/*
 * The cells in the order they run: repeat by repeat, scenario by scenario,
 * every variant in turn, so that no variant runs all its repeats first.
 * Returns the count; *cells is malloc'ed.
 *
 * A cell's position in this array is its index (memhp run --cell, memhp
 * plan, a Slurm array task id). It depends only on the matrix as written,
 * the scenarios in their file order and the variants in theirs, and on the
 * repeats (each scenario's, the matrix's, or repeats_override): the same
 * matrix file and --repeats give the same index to the same cell on every
 * machine, whatever has run already. Adding a scenario, a variant or a
 * repeat renumbers cells; memhp plan --slurm passes the count with the index
 * (--cell I/N) so that such a change is refused rather than run as another cell.
 */
size_t matrix_cells(const struct matrix *m, unsigned repeats_override, struct cell **cells);
/* The most cells one matrix may have: a million-cell plan is a mistake. */
#define MATRIX_MAX_CELLS 100000u
/* The characters of a variant's, a sweep's and a cell's name. */
#define MATRIX_NAME_CHARS                                                      \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._+-"
/* 0, or -E2BIG with a message when matrix_cells would give more than
 * MATRIX_MAX_CELLS (call it first). */
int matrix_check_cells(const struct matrix *m, unsigned repeats_override, struct err *err);

/* "I" or "I/N" (memhp run --cell): a cell index below ncells, and when N is
 * given, ncells must be N. 0 with *index, or -EINVAL with err saying why. */
int matrix_parse_cell(const char *arg, size_t ncells, size_t *index, struct err *err);

/* Whether name is a variant name as --variant NAME=... and [variant NAME]
 * take it: letters, digits, '.', '_', '+', '-', at most 63 bytes. */
bool variant_name_valid(const char *name);

#endif
