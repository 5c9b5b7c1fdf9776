/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_OPTS_H
#define MEMHP_OPTS_H

/*
 * Options as data, in the spirit of git's parse-options: a command declares
 * its options in tables (long name, short letter, type, target field, value
 * name, help), and parsing, the usage text (and so the man pages' OPTIONS,
 * made from --help, and bash completion, which reads --help), and turning
 * options back into an argv all come from them. A short letter means one
 * thing in every command (tests/unit/test_opts.c checks the tables).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "errmsg.h"
#include "subproc.h"

enum opt_type {
	OPT_STRING,   /* const char *: the argument (the last one given wins) */
	OPT_LIST,     /* struct opt_list: every argument, in order */
	OPT_UINT,     /* unsigned, from min (1 when 0) to max */
	OPT_FLAG,     /* bool, no argument */
	OPT_CALLBACK, /* cb(target, argument, err) stores it */
	OPT_HELP,     /* -h, --help: opts_parse returns 0 */
};

struct opt_list {
	const char **v; /* malloc'ed; the strings are not copied */
	size_t n;
};

struct opt {
	const char *name;    /* the long name, without -- */
	int short_name;      /* a letter, or 0 */
	enum opt_type type;
	size_t offset;       /* of the target field in the group's struct */
	const char *arg;     /* the value's name in the usage ("SPEC"); NULL without one */
	const char *help;    /* usage text; each "\n" starts a line in the help column */
	const char *choices; /* OPT_STRING: the words the value may be ("auto kvm tcg") */
	unsigned min, max;   /* OPT_UINT */
	int (*check)(const char *val, struct err *err); /* OPT_STRING: more checks */
	/* OPT_CALLBACK: target is the group's struct plus offset */
	int (*cb)(void *target, const char *val, struct err *err);
};

/* { OPT("kernel", 'k', OPT_STRING, offsetof(...), "SPEC", "help"), .check = f } */
#define OPT(long_, short_, type_, offset_, arg_, help_)                                  \
	.name = (long_), .short_name = (short_), .type = (type_), .offset = (offset_),    \
	.arg = (arg_), .help = (help_)

/* A table ends with an entry without a name. Its options fill target. */
struct opt_group {
	const struct opt *opts;
	void *target;
	/* In the usage, a title line before the group's options; with brief,
	 * the options on wrapped lines ("--qemu BINARY, -a/--accel A, ...")
	 * without their help, under the title. */
	const char *title;
	bool brief;
};

/*
 * Parse argv (argv[0] the command's name) into the groups' targets. Returns
 * the index of the first operand (>= 1), 0 for --help, or -EINVAL with the
 * reason in err ("" when getopt has already said it on stderr).
 */
int opts_parse(const struct opt_group *g, size_t ng, int argc, char **argv, struct err *err);

/* The options' part of the usage: "  -k, --kernel SPEC    help" lines. */
void opts_usage(FILE *out, const struct opt_group *g, size_t ng);

/* Every option that is set in the groups' targets, as arguments that
 * opts_parse reads back into the same values (--name VALUE, long names). */
void opts_argv(struct argv *a, const struct opt_group *g, size_t ng);

/* -h, --help: every command's last table. */
extern const struct opt opts_help[];

/* The same for one option o of group g. */
void opts_argv_one(struct argv *a, const struct opt_group *g, const struct opt *o);

void opt_list_add(struct opt_list *l, const char *s);
void opt_list_free(struct opt_list *l);

/* The option of long name in the groups, or NULL (for tests and checks). */
const struct opt *opts_find(const struct opt_group *g, size_t ng, const char *name);

#endif
