// SPDX-License-Identifier: GPL-2.0-only
/*
 * memhp ab: a sequential A/B. Runs the baseline and the candidate in turn
 * (A B A B ...) through memhp run, one repeat of each at a time, and after
 * every pair from --min-repeats on tests them (Welch's t on the runs, each
 * of the planned looks at alpha / looks: docs/compare.md). Stops as soon as
 * the metric is decided, or after --max-repeats pairs.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "compare.h"
#include "matrix.h"
#include "report.h"
#include "signals.h"
#include "termout.h"

#define AB_ATTEMPTS 3 /* runs of one repeat of one side, when they fail */

static void usage(FILE *out)
{
	fputs("usage: memhp ab [OPTIONS] -A 'NAME=SPEC ...' -B 'NAME=SPEC ...' SCENARIO.ini\n\n"
	      "Sequential A/B: is the candidate (-B) worse than the baseline (-A)? Runs one\n"
	      "repeat of the baseline, then one of the candidate, and again (A B A B ...),\n"
	      "and after each pair, once both have --min-repeats ok runs, tests the metric\n"
	      "with Welch's t-test on the runs. Every look tests at alpha / L, L the number\n"
	      "of looks planned (max-repeats - min-repeats + 1), so that the chance of a\n"
	      "false alarm over all looks stays below alpha (Bonferroni). It stops when:\n"
	      "  - the change is significant at that level and at least --min-effect\n"
	      "    (regression or better), or\n"
	      "  - the confidence interval of the change at that level lies within\n"
	      "    +-min-effect (same: any change is too small to matter), or\n"
	      "  - --max-repeats pairs have run (then the verdict at that level).\n"
	      "Runs go to OUTPUT as from memhp run --resume: running the same command again\n"
	      "keeps the runs that are there. A run that fails (an infrastructure failure)\n"
	      "is run again, up to 3 times a repeat. Variants as for memhp run --variant.\n\n"
	      "  -A, --baseline 'NAME=SPEC [cmdline=ARGS] [config=FRAGMENT]'\n"
	      "  -B, --candidate 'NAME=SPEC [cmdline=ARGS] [config=FRAGMENT]'\n"
	      "  -o, --output DIR        results directory (default: results/ab)\n"
	      "  -M, --metric M          blocks_removed (default), mib_unplugged, unplug_s\n"
	      "  -a, --alpha A           overall significance level (default 0.05)\n"
	      "  -e, --min-effect PCT    smallest change that counts, % of the baseline (1)\n"
	      "  -n, --min-repeats N     ok runs a side before the first look (default 3)\n"
	      "  -N, --max-repeats N     pairs at most (default 10)\n"
	      "      --accel A, --backend B, --connect URI, --qemu BINARY\n"
	      "                          passed to memhp run\n"
	      "  -h, --help              this text\n\n"
	      "Exit: 0 no regression (better, same, or not significant after --max-repeats),\n"
	      "1 a regression, 2 bad arguments or undecided (too few ok runs), 128+N\n"
	      "interrupted by signal N.\n",
	      out);
}

static int parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno || end == s || *end || !isfinite(*out) || !(*out >= lo && *out <= hi) ? -1 : 0;
}

static int parse_count(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	double d;

	if (parse_double(s, lo, hi, &d) || d != (unsigned)d)
		return -1;
	*out = (unsigned)d;
	return 0;
}

/*
 * memhp run in a child process, as if from the command line: it keeps no
 * state of its own across pairs (nor getopt's), and its QEMU and cleanup are
 * its own. It dies with us (PR_SET_PDEATHSIG); our stop signals reach it
 * through the process group and it ends its cell before we go.
 */
static int run_child(int argc, char **argv)
{
	char *reset[] = { (char *)"memhp", NULL };
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "memhp ab: fork: %s\n", strerror(errno));
		return EXIT_USAGE;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() == 1)
			_exit(128 + SIGTERM);
		/* getopt's hidden state from our own parse: start it afresh. */
		optind = 0;
		getopt(1, reset, "");
		st = cmd_run(argc, argv);
		fflush(NULL);
		_exit(st);
	}
	for (bool told = false; waitpid(pid, &st, 0) < 0;) {
		if (errno != EINTR)
			return EXIT_USAGE;
		/* A signal for us alone (kill PID): pass it on once, then wait
		 * for the cell to end and write its result. */
		if (memhp_stop_signal && !told) {
			kill(pid, memhp_stop_signal);
			told = true;
		}
	}
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

/* One memhp run of repeat k of both variants (baseline first), resuming
 * into out: what memhp run --only-repeat runs, cell by cell. */
static int run_pair(const char *out, const char *a, const char *b, const char *scenario,
		    unsigned k, unsigned max, char *const *pass, size_t npass)
{
	char rep[16], maxs[16];
	char *argv[32];
	int argc = 0;

	snprintf(rep, sizeof(rep), "%u", k);
	snprintf(maxs, sizeof(maxs), "%u", max);
	argv[argc++] = (char *)"run";
	argv[argc++] = (char *)"--resume";
	argv[argc++] = (char *)out;
	argv[argc++] = (char *)"--repeats";
	argv[argc++] = maxs;
	argv[argc++] = (char *)"--only-repeat";
	argv[argc++] = rep;
	argv[argc++] = (char *)"--variant";
	argv[argc++] = (char *)a;
	argv[argc++] = (char *)"--variant";
	argv[argc++] = (char *)b;
	for (size_t i = 0; i < npass; i++)
		argv[argc++] = pass[i];
	argv[argc++] = (char *)scenario;
	argv[argc] = NULL;
	return run_child(argc, argv);
}

/* The comparison of cand's metric in res, or NULL. */
static const struct comparison *find(const struct compare_result *res, const char *cand,
				     const char *metric)
{
	for (size_t i = 0; i < res->n; i++)
		if (!strcmp(res->v[i].metric->name, metric) && !strcmp(res->v[i].candidate, cand))
			return &res->v[i];
	return NULL;
}

static const char *const seq_names[] = {
	[SEQ_CONTINUE] = "continue", [SEQ_WORSE] = "regression", [SEQ_BETTER] = "better",
	[SEQ_SAME] = "same",
};

int cmd_ab(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "baseline", required_argument, NULL, 'A' },
		{ "candidate", required_argument, NULL, 'B' },
		{ "output", required_argument, NULL, 'o' },
		{ "metric", required_argument, NULL, 'M' },
		{ "alpha", required_argument, NULL, 'a' },
		{ "min-effect", required_argument, NULL, 'e' },
		{ "min-repeats", required_argument, NULL, 'n' },
		{ "max-repeats", required_argument, NULL, 'N' },
		{ "accel", required_argument, NULL, 'c' },
		{ "backend", required_argument, NULL, 'b' },
		{ "connect", required_argument, NULL, 'C' },
		{ "qemu", required_argument, NULL, 'Q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const char *const metrics[] = { "blocks_removed", "mib_unplugged", "unplug_s" };
	struct compare_opts o = { .alpha = 0.05, .min_effect_pct = 1, .min_repeats = 3 };
	const char *a_arg = NULL, *b_arg = NULL, *out = "results/ab", *metric = metrics[0];
	char *pass[8];
	size_t npass = 0;
	unsigned max = 10, looks, look = 0;
	enum seq_verdict verdict = SEQ_CONTINUE;
	struct variant va, vb;
	struct matrix m = { 0 };
	struct err err;
	struct timespec t0, t1;
	int c, rc = EXIT_USAGE;
	bool known;

	optind = 1;
	while ((c = getopt_long(argc, argv, "A:B:o:M:a:e:n:N:h", opts, NULL)) != -1) {
		switch (c) {
		case 'A': a_arg = optarg; break;
		case 'B': b_arg = optarg; break;
		case 'o': out = optarg; break;
		case 'M':
			known = false;
			for (size_t i = 0; i < 3; i++)
				known |= !strcmp(optarg, metrics[i]);
			if (!known) {
				fprintf(stderr, "memhp ab: --metric '%s' is not blocks_removed, "
						"mib_unplugged or unplug_s\n", optarg);
				return EXIT_USAGE;
			}
			metric = optarg;
			break;
		case 'a':
			if (parse_double(optarg, 1e-12, 0.5, &o.alpha)) {
				fprintf(stderr, "memhp ab: --alpha '%s' is not a number from 1e-12 to "
						"0.5\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'e':
			if (parse_double(optarg, 0, 1000, &o.min_effect_pct)) {
				fprintf(stderr, "memhp ab: --min-effect '%s' is not a percentage from 0 "
						"to 1000\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'n':
		case 'N':
			if (parse_count(optarg, 2, 1000, c == 'n' ? &o.min_repeats : &max)) {
				fprintf(stderr, "memhp ab: --%s '%s' is not a whole number from 2 to "
						"1000\n", c == 'n' ? "min-repeats" : "max-repeats", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'c':
		case 'b':
		case 'C':
		case 'Q':
			pass[npass++] = (char *)(c == 'c' ? "--accel" : c == 'b' ? "--backend" :
						 c == 'C' ? "--connect" : "--qemu");
			pass[npass++] = optarg;
			if (npass > 6) {
				fprintf(stderr, "memhp ab: give --accel, --backend, --connect and "
						"--qemu once each\n");
				return EXIT_USAGE;
			}
			break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || !a_arg || !b_arg) {
		if (!a_arg || !b_arg)
			fprintf(stderr, "memhp ab: give the baseline (-A) and the candidate (-B)\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (o.min_repeats > max) {
		fprintf(stderr, "memhp ab: --min-repeats %u is more than --max-repeats %u\n",
			o.min_repeats, max);
		return EXIT_USAGE;
	}
	/* Refuse bad variants and scenarios here, before any run. */
	if (variant_parse(a_arg, &va, &err) || variant_parse(b_arg, &vb, &err) ||
	    matrix_add_variant(&m, &va, &err) || matrix_add_variant(&m, &vb, &err) ||
	    matrix_add_scenario(&m, argv[optind], &err)) {
		fprintf(stderr, "memhp ab: %s\n", err.msg);
		matrix_free(&m);
		return EXIT_USAGE;
	}
	if (!*va.name || !*vb.name) {
		fprintf(stderr, "memhp ab: both variants need a NAME=\n");
		matrix_free(&m);
		return EXIT_USAGE;
	}
	o.baseline = va.name;
	looks = max - o.min_repeats + 1;
	fprintf(stderr, "memhp ab: %s against %s on %s, %s; up to %u pairs, %u looks from %u "
			"runs a side, each at alpha %g / %u = %.4g\n",
		vb.name, va.name, m.scenarios[0].name, metric, max, looks, o.min_repeats, o.alpha,
		looks, stats_look_alpha(o.alpha, looks));
	signals_install();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned k = 1; k <= max && verdict == SEQ_CONTINUE; k++) {
		struct compare_opts lo = o;
		struct compare_result res;
		struct report rep;
		const struct comparison *cmp;
		struct mean_diff d;
		double p;
		int run_rc;

		/* A run that failed (a guest that did not boot on a loaded host) is
		 * an infrastructure failure, not a measurement: run that repeat
		 * again, up to AB_ATTEMPTS times; the ok one of the pair is kept. */
		for (unsigned attempt = 1;; attempt++) {
			run_rc = run_pair(out, a_arg, b_arg, argv[optind], k, max, pass, npass);
			if (memhp_stop_signal || run_rc > 128) {
				rc = memhp_stop_signal ? 128 + memhp_stop_signal : run_rc;
				goto out;
			}
			if (run_rc == EXIT_USAGE) {
				fprintf(stderr, "memhp ab: memhp run refused the pair (above)\n");
				goto out;
			}
			if (report_load(&rep, (char *const *)&out, 1, va.name, &err)) {
				fprintf(stderr, "memhp ab: %s\n", err.msg);
				report_free(&rep);
				goto out;
			}
			lo.alpha = stats_look_alpha(o.alpha, looks);
			if (compare_run(&rep, NULL, &lo, &res, &err)) {
				fprintf(stderr, "memhp ab: %s\n", err.msg);
				report_free(&rep);
				goto out;
			}
			cmp = find(&res, vb.name, metric);
			if ((cmp && cmp->base.n >= k && cmp->cand.n >= k) || attempt == AB_ATTEMPTS)
				break;
			fprintf(stderr, "memhp ab: pair %u: %zu and %zu ok runs: a run failed "
					"(infrastructure), running it again (attempt %u of %u)\n",
				k, cmp ? cmp->base.n : 0, cmp ? cmp->cand.n : 0, attempt + 1,
				AB_ATTEMPTS);
			compare_free(&res);
			report_free(&rep);
		}
		if (!cmp || cmp->base.n < o.min_repeats || cmp->cand.n < o.min_repeats) {
			fprintf(stderr, "memhp ab: pair %u: %zu and %zu ok runs, no look before %u "
					"a side\n", k, cmp ? cmp->base.n : 0, cmp ? cmp->cand.n : 0,
				o.min_repeats);
		} else if (look < looks) {
			look++;
			if (stats_seq_look(&cmp->base, &cmp->cand, o.alpha, looks, o.min_effect_pct,
					   cmp->metric->better, &d, &p, &verdict))
				abort();
			printf("look %u (pair %u): %s %.2f (%zu) -> %.2f (%zu) %s, difference %+.4g "
			       "[%+.4g, %+.4g] at %.4g%%, p = %.3g: %s\n",
			       look, k, metric, cmp->base.mean, cmp->base.n, cmp->cand.mean,
			       cmp->cand.n, cmp->metric->unit, d.diff, d.lo, d.hi,
			       100 * (1 - lo.alpha), p, seq_names[verdict]);
			fflush(stdout);
		}
		if (verdict != SEQ_CONTINUE || k == max) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			res.base_label = out;
			putchar('\n');
			compare_text(stdout, &res, &lo, false);
			printf("memhp ab: %s after %u pair%s (%u look%s), %.0f s: %s\n",
			       verdict == SEQ_CONTINUE ? "stopped at --max-repeats" : "decided", k,
			       k == 1 ? "" : "s", look, look == 1 ? "" : "s",
			       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
			       verdict != SEQ_CONTINUE ? seq_names[verdict] :
			       !cmp ? "undecided (no comparison)" :
			       cmp->verdict == V_REGRESSION ? "regression" :
			       cmp->verdict == V_SAME ? "no regression shown (not significant)" :
				     compare_verdict_name(cmp->verdict));
			if (verdict == SEQ_WORSE || (cmp && cmp->verdict == V_REGRESSION))
				rc = EXIT_RUN_FAILED;
			else if (verdict != SEQ_CONTINUE ||
				 (cmp && (cmp->verdict == V_SAME || cmp->verdict == V_BETTER)))
				rc = EXIT_OK;
			else
				rc = EXIT_USAGE;
		}
		compare_free(&res);
		report_free(&rep);
	}
out:
	matrix_free(&m);
	return rc;
}
