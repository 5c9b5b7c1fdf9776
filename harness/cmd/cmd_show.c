// SPDX-License-Identifier: GPL-2.0-only
/*
 * memhp show: one result.json as the human summary (summary.c).
 */
#include <getopt.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "opts.h"
#include "result.h"
#include "summary.h"
#include "termout.h"
#include "why_sites.h"
#include "str.h"

struct show_args {
	bool blocks, kmsg;
};

static const struct opt show_opts[] = {
	{ OPT("blocks", 0, OPT_FLAG, offsetof(struct show_args, blocks), NULL,
	      "list the hot-added blocks and what became of them (lsmem\n"
	      "style), and the allocation sites and memmap edges of those\n"
	      "that stayed") },
	{ OPT("kmsg", 0, OPT_FLAG, offsetof(struct show_args, kmsg), NULL,
	      "print the kernel's hotplug log lines the probe collected") },
	{ 0 },
};

#define SHOW_GROUPS(args) { { show_opts, (args), NULL, false }, { opts_help, (args), NULL, false } }

static void usage(FILE *out)
{
	struct show_args args = { 0 };
	const struct opt_group g[] = SHOW_GROUPS(&args);

	fputs("usage: memhp show [--blocks] [--kmsg] RESULT.json...\n\n"
	      "Print the summary of each result file.\n\n", out);
	opts_usage(out, g, ARRAY_SIZE(g));
}

int cmd_show(int argc, char **argv)
{
	struct show_args args = { 0 };
	const struct opt_group g[] = SHOW_GROUPS(&args);
	bool blocks, kmsg;
	int rc = EXIT_OK;

	if (!cmd_options("memhp show", g, ARRAY_SIZE(g), argc, argv, usage, &rc))
		return rc;
	optind = rc;
	rc = EXIT_OK;
	blocks = args.blocks;
	kmsg = args.kmsg;
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++) {
		struct run_record r;
		struct err err;

		if (result_read(argv[i], &r, &err)) {
			term_fprintf(stderr, "memhp show: %s\n", err.msg);
			rc = EXIT_USAGE;
			continue;
		}
		if (i > optind)
			fputc('\n', stdout);
		summary_print(stdout, &r);
		if (blocks && r.nblocks) {
			fputc('\n', stdout);
			summary_print_blocks(stdout, &r);
			why_print_sites(stdout, &r);
		}
		if (kmsg)
			for (size_t k = 0; k < r.nkmsg; k++)
				term_fprintf(stdout, "kmsg     %s\n", r.kmsg[k]);
		result_free(&r);
	}
	return rc;
}
