// SPDX-License-Identifier: GPL-2.0-only
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "result.h"
#include "summary.h"
#include "termout.h"
#include "why_sites.h"

static void usage(FILE *out)
{
	fputs("usage: memhp show [--blocks] [--kmsg] RESULT.json...\n\n"
	      "Print the summary of each result file.\n\n"
	      "  -b, --blocks  list the hot-added blocks and what became of them (lsmem style),\n"
	      "                and the allocation sites and memmap edges of those that stayed\n"
	      "  -k, --kmsg    print the kernel's hotplug log lines the probe collected\n"
	      "  -h, --help    this text\n", out);
}

int cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "blocks", no_argument, NULL, 'b' },
		{ "kmsg", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool blocks = false, kmsg = false;
	int c, rc = EXIT_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "bkh", opts, NULL)) != -1) {
		switch (c) {
		case 'b': blocks = true; break;
		case 'k': kmsg = true; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
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
