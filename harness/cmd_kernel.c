// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "image.h"
#include "matrix.h"
#include "signals.h"
#include "subproc.h"

static void usage(FILE *out)
{
	fputs("usage: memhp kernel build --tree TREE [--patches SERIES] [--config FRAGMENT]\n"
	      "                          [--name NAME] [--jobs N]\n\n"
	      "Compile a guest kernel from source with memhp's configuration\n"
	      "(guest-image/kconfig/memhp.config on tinyconfig, then FRAGMENT), or find it\n"
	      "compiled already, and print its directory (bzImage, config, kernel.json).\n"
	      "memhp run takes the same kernel as --variant 'NAME=build:TREE[+SERIES]'.\n\n"
	      "  TREE      a source directory (git checkout or unpacked tarball), a tarball,\n"
	      "            or Debian's source package: linux-source-6.1, linux-source-6.12\n"
	      "  SERIES    a directory of git format-patch files, a quilt series file or\n"
	      "            one patch; applied to a hard-linked copy, never to TREE\n"
	      "  NAME      the out-of-tree build directory to reuse for an incremental build\n\n"
	      "Cached by a hash of the tree, the configuration and the patches: the same\n"
	      "inputs compile nothing. docs/kernels.md. Exit: 0 built or cached, 1 the\n"
	      "compile failed, 2 bad input (a patch that does not apply is named with its\n"
	      "hunk).\n",
	      out);
}

int cmd_kernel(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tree", required_argument, NULL, 't' },
		{ "patches", required_argument, NULL, 'p' },
		{ "config", required_argument, NULL, 'c' },
		{ "name", required_argument, NULL, 'n' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *tree = NULL;
	struct argv a = { 0 };
	struct err err;
	int c, rc, status = 0;

	if (argc < 2 || strcmp(argv[1], "build")) {
		if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
			usage(stdout);
			return EXIT_OK;
		}
		usage(stderr);
		return EXIT_USAGE;
	}
	argv_add(&a, "%s/guest-image/build-kernel", image_datadir());
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "t:p:c:n:j:h", opts, NULL)) != -1) {
		switch (c) {
		case 't': tree = optarg; break;
		case 'p': argv_add(&a, "--patches"); argv_add(&a, "%s", optarg); break;
		case 'c': argv_add(&a, "--config"); argv_add(&a, "%s", optarg); break;
		case 'n':
			/* A build directory under the cache: never . or .. */
			if (!variant_name_valid(optarg) || *optarg == '.') {
				fprintf(stderr, "memhp kernel: --name '%s': letters, digits, . _ + - "
						"only, not starting with '.'\n", optarg);
				argv_free(&a);
				return EXIT_USAGE;
			}
			argv_add(&a, "--name");
			argv_add(&a, "%s", optarg);
			break;
		case 'j': argv_add(&a, "--jobs"); argv_add(&a, "%s", optarg); break;
		case 'h': usage(stdout); argv_free(&a); return EXIT_OK;
		default: usage(stderr); argv_free(&a); return EXIT_USAGE;
		}
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
