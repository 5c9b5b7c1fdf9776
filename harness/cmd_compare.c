// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "cmd.h"
#include "termout.h"
#include "compare.h"
#include "report_kcidb.h"

static void usage(FILE *out)
{
	fputs("usage: memhp compare [OPTIONS] BASELINE [CANDIDATE]\n\n"
	      "Is the candidate kernel worse than the baseline? BASELINE and CANDIDATE are\n"
	      "result directories or files (as for memhp report). With CANDIDATE, every\n"
	      "variant in it is compared with the baseline variant of BASELINE, scenario by\n"
	      "scenario; without, the variants of BASELINE with its baseline variant.\n"
	      "Metrics: blocks_removed and mib_unplugged (higher is better) and unplug_s\n"
	      "(lower is better), each decided from the per-run values by Welch's t-test,\n"
	      "with the difference of means and its 1 - alpha confidence interval. A change\n"
	      "is a regression only when it is significant and at least the minimum effect;\n"
	      "failed runs are infrastructure errors, never regressions (docs/compare.md).\n\n"
	      "  -b, --baseline NAME     the baseline variant (default: the only one, or the\n"
	      "                          first run when comparing within one set)\n"
	      "  -a, --alpha A           significance level (default 0.05)\n"
	      "  -e, --min-effect PCT    smallest change that counts, in % of the baseline\n"
	      "                          (default 1)\n"
	      "  -n, --min-repeats N     ok runs needed on each side to decide (default 3)\n"
	      "      --junit FILE        also write JUnit XML (a test case per scenario x metric)\n"
	      "      --json FILE         also write the verdict as JSON\n"
	      "      --ktap              print KTAP instead of the table\n"
	      "      --kcidb FILE        also write a KCIDB v5.3 document: a test per\n"
	      "                          comparison, PASS/FAIL, ERROR for infrastructure\n"
	      "      --kcidb-origin O    its origin, [a-z0-9_]+ (default: memhp)\n"
	      "  -h, --help              this text\n\n"
	      "Exit: 0 no regression and every comparison decided, 1 a regression,\n"
	      "2 an error: bad arguments, no results, a side with only failed runs, or too\n"
	      "few repeats to decide.\n",
	      out);
}

/* A finite number in [lo, hi] (strtod takes "nan" and "inf": refused). */
static int parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno || end == s || *end || !isfinite(*out) || !(*out >= lo && *out <= hi) ? -1 : 0;
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
	static const struct option opts[] = {
		{ "baseline", required_argument, NULL, 'b' },
		{ "alpha", required_argument, NULL, 'a' },
		{ "min-effect", required_argument, NULL, 'e' },
		{ "min-repeats", required_argument, NULL, 'n' },
		{ "junit", required_argument, NULL, 'J' },
		{ "json", required_argument, NULL, 'j' },
		{ "ktap", no_argument, NULL, 'K' },
		{ "kcidb", required_argument, NULL, 'C' },
		{ "kcidb-origin", required_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct compare_opts o = { .alpha = 0.05, .min_effect_pct = 1, .min_repeats = 3 };
	const char *junit = NULL, *json = NULL, *kcidb = NULL, *origin = KCIDB_DEFAULT_ORIGIN;
	struct report base, cand;
	struct compare_result res;
	bool ktap = false, two;
	struct err err;
	double d;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "b:a:e:n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b': o.baseline = optarg; break;
		case 'a':
			if (parse_double(optarg, 1e-12, 0.5, &o.alpha)) {
				fprintf(stderr, "memhp compare: --alpha '%s' is not a number from 1e-12 "
						"to 0.5\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'e':
			if (parse_double(optarg, 0, 1000, &o.min_effect_pct)) {
				fprintf(stderr, "memhp compare: --min-effect '%s' is not a percentage "
						"from 0 to 1000\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'n':
			if (parse_double(optarg, 2, 1000, &d) || d != (unsigned)d) {
				fprintf(stderr, "memhp compare: --min-repeats '%s' is not a whole number "
						"from 2 to 1000\n", optarg);
				return EXIT_USAGE;
			}
			o.min_repeats = (unsigned)d;
			break;
		case 'J': junit = optarg; break;
		case 'j': json = optarg; break;
		case 'K': ktap = true; break;
		case 'C': kcidb = optarg; break;
		case 'O':
			if (!kcidb_origin_valid(optarg)) {
				fprintf(stderr, "memhp compare: --kcidb-origin '%s' is not of the form "
						"[a-z0-9_]+\n", optarg);
				return EXIT_USAGE;
			}
			origin = optarg;
			break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
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
