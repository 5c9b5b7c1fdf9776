// SPDX-License-Identifier: GPL-2.0-only
/*
 * memhp kernel build: compile a guest kernel from a source tree (and a patch
 * series) with memhp's configuration, or find it compiled already in the
 * cache, and print its directory (guest-image/ does the work).
 */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "image.h"
#include "matrix.h"
#include "opts.h"
#include "signals.h"
#include "subproc.h"
#include "str.h"

struct kernel_args {
	const char *tree, *patches, *config, *name, *jobs;
};

#define KA(field) offsetof(struct kernel_args, field)

/* A build directory under the cache: never . or .. */
static int check_name(const char *arg, struct err *err)
{
	if (!variant_name_valid(arg) || *arg == '.')
		return err_fail(err, -EINVAL, "--name '%s': letters, digits, . _ + - only, not "
				"starting with '.'", arg);
	return 0;
}

static const struct opt kernel_opts[] = {
	{ OPT("tree", 't', OPT_STRING, KA(tree), "TREE",
	      "a source directory (git checkout or unpacked tarball),\n"
	      "a tarball, or Debian's source package: linux-source-6.1,\n"
	      "linux-source-6.12") },
	{ OPT("patches", 'p', OPT_STRING, KA(patches), "SERIES",
	      "a directory of git format-patch files, a quilt series\n"
	      "file or one patch; applied to a hard-linked copy, never\n"
	      "to TREE. A directory of since-X.Y/ ports: the highest\n"
	      "X.Y not above TREE's version") },
	{ OPT("config", 0, OPT_STRING, KA(config), "FRAGMENT",
	      "a Kconfig fragment, after memhp's configuration") },
	{ OPT("name", 0, OPT_STRING, KA(name), "NAME",
	      "the out-of-tree build directory to reuse for an\n"
	      "incremental build"), .check = check_name },
	{ OPT("jobs", 'j', OPT_STRING, KA(jobs), "N", "make -jN (default: the CPUs)") },
	{ 0 },
};

#define KERNEL_GROUPS(args) { { kernel_opts, (args), NULL, false }, { opts_help, (args), NULL, false } }

static void usage(FILE *out)
{
	struct kernel_args args = { 0 };
	const struct opt_group g[] = KERNEL_GROUPS(&args);

	fputs("usage: memhp kernel build --tree TREE [--patches SERIES] [--config FRAGMENT]\n"
	      "                          [--name NAME] [--jobs N]\n\n"
	      "Compile a guest kernel from source with memhp's configuration\n"
	      "(guest-image/kconfig/memhp.config on tinyconfig, then FRAGMENT), or find it\n"
	      "compiled already, and print its directory (bzImage, config, kernel.json).\n"
	      "memhp run takes the same kernel as --variant 'NAME=build:TREE[+SERIES]'.\n\n",
	      out);
	opts_usage(out, g, ARRAY_SIZE(g));
	fputs("\nCached by a hash of the tree, the configuration and the patches: the same\n"
	      "inputs compile nothing. docs/kernels.md. Exit: 0 built or cached, 1 the\n"
	      "compile failed, 2 bad input (a patch that does not apply is named with its\n"
	      "hunk).\n",
	      out);
}

int cmd_kernel(int argc, char **argv)
{
	struct kernel_args args = { 0 };
	const struct opt_group g[] = KERNEL_GROUPS(&args);
	/* What build-kernel takes, in the order of vals. */
	static const char *const pass[] = { "--patches", "--config", "--name", "--jobs" };
	const char *vals[4];
	const char *tree;
	struct argv a = { 0 };
	struct err err;
	int rc, status = 0;

	if (argc < 2 || strcmp(argv[1], "build")) {
		if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
			usage(stdout);
			return EXIT_OK;
		}
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!cmd_options("memhp kernel", g, ARRAY_SIZE(g), argc - 1, argv + 1, usage, &rc))
		return rc;
	optind = rc;
	tree = args.tree;
	vals[0] = args.patches;
	vals[1] = args.config;
	vals[2] = args.name;
	vals[3] = args.jobs;
	argv_add(&a, "%s/guest-image/build-kernel", image_datadir());
	for (size_t i = 0; i < ARRAY_SIZE(pass); i++)
		if (vals[i]) {
			argv_add(&a, "%s", pass[i]);
			argv_add(&a, "%s", vals[i]);
		}
	if (!tree && optind < argc - 1)
		tree = argv[1 + optind++];
	if (!tree || optind != argc - 1) {
		usage(stderr);
		argv_free(&a);
		return EXIT_USAGE;
	}
	argv_add(&a, "--");
	argv_add(&a, "%s", tree);
	/* Not exec'd: a signal to memhp must reach make and the compilers
	 * too, which spawn_run does by signalling the helper's group. */
	signals_install();
	rc = spawn_run(&a, &status, &err);
	argv_free(&a);
	if (rc == -EINTR) {
		fprintf(stderr, "memhp kernel: %s\n", err.msg);
		return 128 + memhp_stop_signal;
	}
	if (rc) {
		fprintf(stderr, "memhp kernel: %s\n", err.msg);
		return EXIT_USAGE;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	/* The helper's own exit codes are ours (127: it could not be run). */
	return WEXITSTATUS(status) == 127 ? EXIT_USAGE : WEXITSTATUS(status);
}
