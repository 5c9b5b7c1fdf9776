// SPDX-License-Identifier: GPL-2.0-only
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "termout.h"
#include "report.h"
#include "report_kcidb.h"

static void usage(FILE *out)
{
	fputs("usage: memhp report [OPTIONS] RESULTS...\n\n"
	      "Gather the result.json files under RESULTS (directories are searched,\n"
	      "files taken as they are), group the runs by scenario and kernel variant,\n"
	      "and compare every variant with the baseline (docs/reports.md).\n\n"
	      "  -o, --output DIR     write DIR/index.html (self-contained) and\n"
	      "                       DIR/figures/*.svg, *.png; implies --format html\n"
	      "  -f, --format F       text (default without -o), csv (a row per run), html,\n"
	      "                       kcidb (one KernelCI KCIDB v5.3 JSON document)\n"
	      "  -b, --baseline NAME  the variant the others are compared with\n"
	      "                       (default: the first one run)\n"
	      "      --seed000        first, seed 000's table beside memhp's runs of it\n"
	      "                       (ci/seed000.ini: variants base and head; text, html)\n"
	      "      --gnuplot PROG   gnuplot to draw the figures with (default: gnuplot)\n"
	      "      --kcidb-origin O the KCIDB origin, [a-z0-9_]+ (default: memhp)\n"
	      "  -h, --help           this text\n\n"
	      "text, csv and kcidb go to standard output; text is coloured on a terminal unless\n"
	      "NO_COLOR is set. Exit: 0 written, 1 the report could not be written,\n"
	      "2 bad arguments or no result found.\n",
	      out);
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "baseline", required_argument, NULL, 'b' },
		{ "gnuplot", required_argument, NULL, 'G' },
		{ "kcidb-origin", required_argument, NULL, 'O' },
		{ "seed000", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *output = NULL, *format = NULL, *baseline = NULL, *gnuplot = "gnuplot";
	const char *origin = KCIDB_DEFAULT_ORIGIN;
	struct report rep;
	struct err err;
	bool seed000 = false;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:f:b:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': output = optarg; break;
		case 'f': format = optarg; break;
		case 'b': baseline = optarg; break;
		case 'G': gnuplot = optarg; break;
		case 'O': origin = optarg; break;
		case 'S': seed000 = true; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!format)
		format = output ? "html" : "text";
	if (strcmp(format, "text") && strcmp(format, "csv") && strcmp(format, "html") &&
	    strcmp(format, "kcidb")) {
		fprintf(stderr, "memhp report: --format '%s' is not text, csv, html or kcidb\n",
			format);
		return EXIT_USAGE;
	}
	if (!kcidb_origin_valid(origin)) {
		fprintf(stderr, "memhp report: --kcidb-origin '%s' is not of the form [a-z0-9_]+\n",
			origin);
		return EXIT_USAGE;
	}
	if (seed000 && strcmp(format, "text") && strcmp(format, "html")) {
		fprintf(stderr, "memhp report: --seed000 is for the text and html formats\n");
		return EXIT_USAGE;
	}
	if (!strcmp(format, "html") && !output) {
		fprintf(stderr, "memhp report: --format html needs --output DIR\n");
		return EXIT_USAGE;
	}
	if (strcmp(format, "html") && output) {
		fprintf(stderr, "memhp report: --format %s writes to standard output; "
				"--output is for html\n", format);
		return EXIT_USAGE;
	}
	rc = report_load(&rep, argv + optind, (size_t)(argc - optind), baseline, &err);
	for (size_t i = 0; i < rep.nskipped; i++)
		{
		char b[4200];

		fprintf(stderr, "memhp report: skipped %s\n",
			term_printable(rep.skipped[i], b, sizeof(b)));
	}
	if (rc) {
		fprintf(stderr, "memhp report: %s\n", err.msg);
		report_free(&rep);
		return EXIT_USAGE;
	}
	rep.seed000 = seed000;
	rc = EXIT_OK;
	if (!strcmp(format, "text")) {
		const char *nc = getenv("NO_COLOR");

		report_text(stdout, &rep, isatty(STDOUT_FILENO) && !(nc && *nc));
	} else if (!strcmp(format, "csv")) {
		report_csv(stdout, &rep);
	} else if (!strcmp(format, "kcidb")) {
		if (report_kcidb(stdout, &rep, origin, &err)) {
			fprintf(stderr, "memhp report: %s\n", err.msg);
			rc = EXIT_RUN_FAILED;
		}
	} else if (report_html(&rep, output, gnuplot, &err)) {
		fprintf(stderr, "memhp report: %s\n", err.msg);
		rc = EXIT_RUN_FAILED;
	} else {
		fprintf(stderr, "memhp report: %s/index.html\n", output);
	}
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "memhp report: cannot write to standard output\n");
		rc = EXIT_RUN_FAILED;
	}
	report_free(&rep);
	return rc;
}
