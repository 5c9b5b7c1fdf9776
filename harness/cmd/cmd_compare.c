// SPDX-License-Identifier: GPL-2.0-only
/*
 * memhp compare: is a candidate kernel worse than the baseline? The command
 * line and the output; the decisions are compare.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "cmd.h"
#include "opts.h"
#include "termout.h"
#include "compare.h"
#include "report_kcidb.h"
#include "str.h"

struct compare_args {
	struct compare_opts o;
	const char *junit, *json, *kcidb, *origin;
	bool ktap;
};

static int check_origin(const char *arg, struct err *err)
{
	if (!kcidb_origin_valid(arg))
		return err_fail(err, -EINVAL, "--kcidb-origin '%s' is not of the form [a-z0-9_]+",
				arg);
	return 0;
}

static int check_metric(const char *arg, struct err *err)
{
	if (!compare_metric(arg))
		return err_fail(err, -EINVAL, "--metric '%s' is not " COMPARE_METRIC_NAMES, arg);
	return 0;
}

#define CA(field) offsetof(struct compare_args, field)

static const struct opt compare_opts_table[] = {
	{ OPT("baseline", 'A', OPT_STRING, CA(o.baseline), "NAME",
	      "the baseline variant (default: the only one, or the\n"
	      "first run when comparing within one set)") },
	{ OPT("holm", 0, OPT_FLAG, CA(o.holm), NULL,
	      "Holm's correction over every comparison (scenarios x\n"
	      "candidates x metrics): a regression must hold at it") },
	{ OPT("min-repeats", 'n', OPT_UINT, CA(o.min_repeats), "N",
	      "ok runs needed on each side to decide (default and\nleast 3)"), .min = 2, .max = 1000 },
	{ OPT("metric", 'M', OPT_STRING, CA(o.metric), "M",
	      "also decide this metric: rss_returned_mib (host\nmemory returned), decided only when asked"),
	  .check = check_metric },
	{ OPT("junit", 0, OPT_STRING, CA(junit), "FILE",
	      "also write JUnit XML (a test case per scenario x\nmetric)") },
	{ OPT("json", 0, OPT_STRING, CA(json), "FILE", "also write the verdict as JSON") },
	{ OPT("ktap", 0, OPT_FLAG, CA(ktap), NULL, "print KTAP instead of the table") },
	{ OPT("kcidb", 0, OPT_STRING, CA(kcidb), "FILE",
	      "also write a KCIDB v5.3 document: a test per\n"
	      "comparison, PASS/FAIL, DONE undecided, ERROR") },
	{ OPT("kcidb-origin", 0, OPT_STRING, CA(origin), "O",
	      "its origin, [a-z0-9_]+ (default: memhp)"), .check = check_origin },
	{ 0 },
};

#define COMPARE_GROUPS(args)                                                               \
	{ { compare_opts_table, (args), NULL, false },                                      \
	  { cmd_decision_opts, &(args)->o, NULL, false }, { opts_help, (args), NULL, false } }

static void usage(FILE *out)
{
	struct compare_args args = { 0 };
	const struct opt_group g[] = COMPARE_GROUPS(&args);

	fputs("usage: memhp compare [OPTIONS] BASELINE [CANDIDATE]\n\n"
	      "Is the candidate kernel worse than the baseline? BASELINE and CANDIDATE are\n"
	      "result directories or files (as for memhp report). With CANDIDATE, every\n"
	      "variant in it is compared with the baseline variant of BASELINE, scenario by\n"
	      "scenario; without, the variants of BASELINE with its baseline variant.\n"
	      "Metrics: blocks_removed and mib_unplugged (higher is better) and unplug_s\n"
	      "(lower is better); with --metric rss_returned_mib also the host memory\n"
	      "the unplug gave back (higher is better). Each is tested on the per-run\n"
	      "values: Welch's t, or the exact permutation test with 3 runs a side, a\n"
	      "side without spread or heavy ties; the difference of means with its\n"
	      "1 - alpha interval. Four outcomes:\n"
	      "regression / better (significant and at least the minimum effect), same\n"
	      "(the interval within +-margin, the runs with spread), else undecided, with\n"
	      "how many more runs would likely decide. Failed runs are infrastructure\n"
	      "errors, never regressions (docs/compare.md).\n\n"
	      , out);
	opts_usage(out, g, ARRAY_SIZE(g));
	fputs("\n"
	      "Exit: 0 every comparison same or better, 1 a regression, 2 an error: bad\n"
	      "arguments, no results, a side with only failed runs; 3 undecided (no\n"
	      "regression, but not shown the same either: too few or too scattered runs).\n",
	      out);
}

/* FILE, written whole by the one atomic writer (atomic_file.h): a fresh
 * mkostemp name renamed over it, or a terminal, pipe or /dev/null directly. */
static int write_file(const char *path, const struct compare_result *res,
		      const struct compare_opts *o,
		      void (*fn)(FILE *, const struct compare_result *, const struct compare_opts *))
{
	struct atomic_file af;
	struct err err;

	if (atomic_open(&af, path, 0644, &err)) {
		fprintf(stderr, "memhp compare: %s\n", err.msg);
		return -1;
	}
	fn(af.f, res, o);
	if (atomic_commit(&af, &err)) {
		fprintf(stderr, "memhp compare: %s\n", err.msg);
		return -1;
	}
	return 0;
}

int cmd_compare(int argc, char **argv)
{
	struct compare_args args = { .o = { .alpha = 0.05, .min_effect_pct = 1, .min_repeats = 3 },
				     .origin = KCIDB_DEFAULT_ORIGIN };
	const struct opt_group g[] = COMPARE_GROUPS(&args);
	struct compare_opts o;
	const char *junit, *json, *kcidb, *origin;
	struct report base, cand;
	struct compare_result res;
	bool ktap, two;
	struct err err;
	int rc;

	if (!cmd_options("memhp compare", g, ARRAY_SIZE(g), argc, argv, usage, &rc))
		return rc;
	optind = rc;
	o = args.o;
	junit = args.junit;
	json = args.json;
	kcidb = args.kcidb;
	origin = args.origin;
	ktap = args.ktap;
	if (optind != argc - 1 && optind != argc - 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	two = optind == argc - 2;
	/* Within one set the baseline must exist; across two, the baseline set
	 * may have it for some scenarios only. */
	if (report_load(&base, argv + optind, 1, two ? NULL : o.baseline, &err)) {
		fprintf(stderr, "memhp compare: %s\n", err.msg);
		report_free(&base);
		return EXIT_USAGE;
	}
	if (two && report_load(&cand, argv + optind + 1, 1, NULL, &err)) {
		fprintf(stderr, "memhp compare: %s\n", err.msg);
		report_free(&base);
		report_free(&cand);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < base.nskipped; i++)
		{
		char b[4200];

		fprintf(stderr, "memhp compare: skipped %s\n",
			term_printable(base.skipped[i], b, sizeof(b)));
	}
	for (size_t i = 0; two && i < cand.nskipped; i++)
		{
		char b[4200];

		fprintf(stderr, "memhp compare: skipped %s\n",
			term_printable(cand.skipped[i], b, sizeof(b)));
	}
	if (compare_run(&base, two ? &cand : NULL, &o, &res, &err)) {
		fprintf(stderr, "memhp compare: %s\n", err.msg);
		rc = EXIT_USAGE;
		goto out;
	}
	res.base_label = argv[optind];
	res.cand_label = two ? argv[optind + 1] : NULL;
	if (ktap) {
		compare_ktap(stdout, &res, &o);
	} else {
		const char *nc = getenv("NO_COLOR");

		compare_text(stdout, &res, &o, isatty(STDOUT_FILENO) && !(nc && *nc));
	}
	rc = compare_exit_code(&res);
	if ((junit && write_file(junit, &res, &o, compare_junit)) ||
	    (json && write_file(json, &res, &o, compare_json)))
		rc = EXIT_USAGE;
	if (kcidb && report_kcidb_compare(kcidb, &base, two ? &cand : NULL, &res, origin, &err)) {
		fprintf(stderr, "memhp compare: %s\n", err.msg);
		rc = EXIT_USAGE;
	}
	if (fflush(stdout)) {
		fprintf(stderr, "memhp compare: cannot write to standard output\n");
		rc = EXIT_USAGE;
	}
	compare_free(&res);
out:
	report_free(&base);
	if (two)
		report_free(&cand);
	return rc;
}
