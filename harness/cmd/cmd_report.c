// SPDX-License-Identifier: GPL-2.0-only
/*
 * memhp report: result files gathered (report.c), every variant compared
 * with the baseline, and written as text, HTML with plots, or KCIDB JSON.
 */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "termout.h"
#include "opts.h"
#include "report.h"
#include "report_kcidb.h"
#include "str.h"
#include "trend.h"

struct report_args {
	const char *output, *format, *baseline, *gnuplot, *origin;
	bool seed000;
	/* --history */
	bool history;
	const char *by, *metric;
	double sig;
	unsigned permutations;
};

static int set_sig(void *target, const char *arg, struct err *err)
{
	if (cmd_parse_double(arg, 1e-6, 0.5, &((struct report_args *)target)->sig))
		return err_fail(err, -EINVAL, "--cp-sig '%s' is not a number from 1e-6 to 0.5", arg);
	return 0;
}

#define RP(field) offsetof(struct report_args, field)

static const struct opt report_opts[] = {
	{ OPT("output", 'o', OPT_STRING, RP(output), "DIR",
	      "write DIR/index.html (self-contained) and\n"
	      "DIR/figures/*.svg, *.png; implies --format html") },
	{ OPT("format", 'f', OPT_STRING, RP(format), "F",
	      "text (default without -o), csv (a row per run), html,\n"
	      "kcidb (one KernelCI KCIDB v5.3 JSON document);\n"
	      "with --history: text, html or json"),
	  .choices = "text csv html kcidb json" },
	{ OPT("baseline", 'A', OPT_STRING, RP(baseline), "NAME",
	      "the variant the others are compared with\n(default: the first one run)") },
	{ OPT("seed000", 0, OPT_FLAG, RP(seed000), NULL,
	      "first, seed 000's table beside memhp's runs of it\n"
	      "(ci/seed000.ini: variants base and head; text, html)") },
	{ OPT("gnuplot", 0, OPT_STRING, RP(gnuplot), "PROG",
	      "gnuplot to draw the figures with (default: gnuplot)") },
	{ OPT("kcidb-origin", 0, OPT_STRING, RP(origin), "O",
	      "the KCIDB origin, [a-z0-9_]+ (default: memhp)") },
	{ 0 },
};

static const struct opt history_opts[] = {
	{ OPT("history", 0, OPT_FLAG, RP(history), NULL,
	      "RESULTS are nights, oldest first (a directory each,\n"
	      "as ci/nightly's DIR/runs): a time series per\n"
	      "scenario, variant and metric, with its change points") },
	{ OPT("by", 0, OPT_STRING, RP(by), "K",
	      "variant (default): a series per scenario and\n"
	      "variant; scenario: every variant of a night in one\n"
	      "(a nightly that names its kernel anew each night)"),
	  .choices = "variant scenario" },
	{ OPT("metric", 'M', OPT_STRING, RP(metric), "M",
	      "only this metric: blocks_removed, mib_unplugged,\nunplug_s (default: all three)") },
	{ OPT("cp-sig", 0, OPT_CALLBACK, 0, "P",
	      "significance of a change point (default 0.05)"), .cb = set_sig },
	{ OPT("permutations", 0, OPT_UINT, RP(permutations), "N",
	      "of the permutation test (default 999)"), .min = 19, .max = 100000 },
	{ 0 },
};

#define REPORT_GROUPS(args)                                                                \
	{ { report_opts, (args), NULL, false },                                             \
	  { history_opts, (args), "Trends over nights (docs/reports.md):", false },         \
	  { opts_help, (args), NULL, false } }

static void usage(FILE *out)
{
	struct report_args args = { 0 };
	const struct opt_group g[] = REPORT_GROUPS(&args);

	fputs("usage: memhp report [OPTIONS] RESULTS...\n"
	      "       memhp report --history [OPTIONS] NIGHT NIGHT...\n\n"
	      "Gather the result.json files under RESULTS (directories are searched,\n"
	      "files taken as they are), group the runs by scenario and kernel variant,\n"
	      "and compare every variant with the baseline (docs/reports.md). With\n"
	      "--history, each NIGHT is one night's results, oldest first: per scenario\n"
	      "and metric the nights' runs as a time series, and where it changed\n"
	      "(E-Divisive means), with the nights and kernels around each change.\n\n", out);
	opts_usage(out, g, ARRAY_SIZE(g));
	fputs("\ntext, csv and kcidb go to standard output; text is coloured on a terminal unless\n"
	      "NO_COLOR is set. Exit: 0 written, 1 the report could not be written,\n"
	      "2 bad arguments or no result found.\n",
	      out);
}

static int history(const struct report_args *a, char **nights, size_t n)
{
	struct cp_opts cp = CP_OPTS_DEFAULT;
	const char *format = a->format ? a->format : a->output ? "html" : "text";
	struct trend t;
	struct err err;
	int rc = EXIT_OK;

	if (strcmp(format, "text") && strcmp(format, "html") && strcmp(format, "json")) {
		fprintf(stderr, "memhp report: --history writes text, html or json, not %s\n",
			format);
		return EXIT_USAGE;
	}
	if (!strcmp(format, "html") != !!a->output) {
		fprintf(stderr, "memhp report: %s\n", a->output ? "--output is for html"
								: "--format html needs --output DIR");
		return EXIT_USAGE;
	}
	if (a->seed000 || a->baseline) {
		fprintf(stderr, "memhp report: --%s is not for --history\n",
			a->seed000 ? "seed000" : "baseline");
		return EXIT_USAGE;
	}
	if (a->sig > 0)
		cp.sig = a->sig;
	if (a->permutations)
		cp.permutations = a->permutations;
	if (trend_load(&t, nights, n, !a->by || !strcmp(a->by, "variant"), a->metric, &cp, &err)) {
		fprintf(stderr, "memhp report: %s\n", err.msg);
		trend_free(&t);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < t.nnights; i++)
		for (size_t k = 0; k < t.nights[i].rep.nskipped; k++) {
			char b[4200];

			fprintf(stderr, "memhp report: skipped %s\n",
				term_printable(t.nights[i].rep.skipped[k], b, sizeof(b)));
		}
	if (!strcmp(format, "text")) {
		trend_text(stdout, &t);
	} else if (!strcmp(format, "json")) {
		trend_json(stdout, &t);
	} else if (trend_html(&t, a->output, a->gnuplot, &err)) {
		fprintf(stderr, "memhp report: %s\n", err.msg);
		rc = EXIT_RUN_FAILED;
	} else {
		fprintf(stderr, "memhp report: %s/index.html\n", a->output);
	}
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "memhp report: cannot write to standard output\n");
		rc = EXIT_RUN_FAILED;
	}
	trend_free(&t);
	return rc;
}

int cmd_report(int argc, char **argv)
{
	struct report_args args = { .gnuplot = "gnuplot", .origin = KCIDB_DEFAULT_ORIGIN };
	const struct opt_group g[] = REPORT_GROUPS(&args);
	const char *output, *format, *baseline, *gnuplot, *origin;
	struct report rep;
	struct err err;
	bool seed000;
	int rc;

	if (!cmd_options("memhp report", g, ARRAY_SIZE(g), argc, argv, usage, &rc))
		return rc;
	optind = rc;
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (args.history)
		return history(&args, argv + optind, (size_t)(argc - optind));
	if (args.by || args.metric || args.sig > 0 || args.permutations) {
		fprintf(stderr, "memhp report: --by, --metric, --cp-sig and --permutations are for "
				"--history\n");
		return EXIT_USAGE;
	}
	output = args.output;
	format = args.format;
	baseline = args.baseline;
	gnuplot = args.gnuplot;
	origin = args.origin;
	seed000 = args.seed000;
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!format)
		format = output ? "html" : "text";
	if (strcmp(format, "text") && strcmp(format, "csv") && strcmp(format, "html") &&
	    strcmp(format, "kcidb")) {
		fprintf(stderr, "memhp report: --format '%s' is not text, csv, html or kcidb "
				"(json is for --history)\n",
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
