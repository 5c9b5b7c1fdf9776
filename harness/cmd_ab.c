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
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ab.h"
#include "cmd.h"
#include "compare.h"
#include "matrix.h"
#include "report.h"
#include "run_request.h"
#include "signals.h"
#include "subproc.h"
#include "termout.h"
#include "str.h"

#define AB_ATTEMPTS 3 /* runs of one repeat of one side, when they fail */

/* memhp ab's own options. */
struct ab_args {
	const char *a, *b, *out;
};

#define ABA(field) offsetof(struct ab_args, field)

static const struct opt ab_cmd_opts[] = {
	{ OPT("baseline", 'A', OPT_STRING, ABA(a), "'NAME=SPEC [cmdline=ARGS] [config=FRAGMENT]'",
	      NULL) },
	{ OPT("candidate", 'B', OPT_STRING, ABA(b), "'NAME=SPEC [cmdline=ARGS] [config=FRAGMENT]'",
	      NULL) },
	{ OPT("output", 'o', OPT_STRING, ABA(out), "DIR", "results directory (default: results/ab)") },
	{ 0 },
};

#define AB_GROUPS(args, plan, req)                                                         \
	{                                                                                  \
		{ ab_cmd_opts, (args), NULL, false }, { ab_opts, (plan), NULL, false },     \
		{ run_pass_opts, (req), "Passed on to every memhp run, as memhp run takes them:", \
		  true },                                                                  \
		{ opts_help, (args), NULL, false },                                        \
	}

static void usage(FILE *out)
{
	struct ab_args args = { 0 };
	struct ab_plan plan = { 0 };
	struct run_request req = { 0 };
	const struct opt_group g[] = AB_GROUPS(&args, &plan, &req);

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
	      "is run again, up to 3 times a repeat. Variants as for memhp run --variant.\n\n",
	      out);
	opts_usage(out, g, ARRAY_SIZE(g));
	fputs("\nExit: 0 no regression (better, same, or not significant after --max-repeats),\n"
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

/*
 * memhp run in a child process, as if from the command line: it keeps no
 * state of its own across pairs (nor getopt's), and its QEMU and cleanup are
 * its own. It dies with us (PR_SET_PDEATHSIG); our stop signals reach it
 * through the process group and it ends its cell before we go.
 */
static int run_child(int argc, char **argv, bool summaries_to_stderr)
{
	char *reset[] = { (char *)"memhp", NULL };
	pid_t pid, parent = getpid();
	int st;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "memhp: fork: %s\n", strerror(errno));
		return EXIT_USAGE;
	}
	if (pid == 0) {
		/* memhp gone: the stop flag is up and the run records itself
		 * interrupted. */
		child_prologue(parent, SIGTERM, 0);
		/* memhp bisect keeps its stdout for the evidence. */
		if (summaries_to_stderr && dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
			_exit(EXIT_USAGE);
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

/* Repeat k of both sides (baseline first), resuming into their
 * directories: what memhp run --only-repeat runs, cell by cell. One memhp
 * run of both variants when they share a directory, else one each. */
static int run_pair(const struct ab_plan *p, unsigned k)
{
	const struct ab_side *sides[2] = { &p->a, &p->b };
	bool shared = !strcmp(p->a.dir, p->b.dir);

	for (size_t s = 0; s < 2; s++) {
		struct run_request r = { .resume = sides[s]->dir, .repeats = p->max,
					 .only_repeat = k };
		struct argv a = { 0 };
		int rc;

		if (p->pass)
			r.pass = *p->pass;
		opt_list_add(&r.variants, sides[s]->variant);
		if (shared)
			opt_list_add(&r.variants, p->b.variant);
		opt_list_add(&r.scenarios, p->scenario);
		run_request_argv(&r, &a);
		run_request_free(&r);
		rc = run_child((int)a.n, a.v, p->runs_to_stderr);
		argv_free(&a);
		/* A failed run is the caller's to judge; a refusal or a signal
		 * ends the pair. */
		if (shared || rc == EXIT_USAGE || rc > 128 || memhp_stop_signal)
			return rc;
	}
	return EXIT_OK;
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

const char *ab_seq_name(enum seq_verdict v)
{
	return seq_names[v];
}

/* Load both sides' runs and compare them at level alpha. */
static int load_compare(const struct ab_plan *p, double alpha, struct report *rep,
			struct compare_result *res)
{
	char *dirs[2] = { (char *)p->a.dir, (char *)p->b.dir };
	struct compare_opts lo = p->o;
	struct err err;

	lo.baseline = p->a.name;
	lo.alpha = alpha;
	if (report_load(rep, dirs, strcmp(dirs[0], dirs[1]) ? 2 : 1, p->a.name, &err)) {
		fprintf(stderr, "%s: %s\n", p->who, err.msg);
		report_free(rep);
		return -1;
	}
	if (compare_run(rep, NULL, &lo, res, &err)) {
		fprintf(stderr, "%s: %s\n", p->who, err.msg);
		report_free(rep);
		return -1;
	}
	return 0;
}

int ab_sequential(const struct ab_plan *p, struct ab_outcome *out)
{
	unsigned looks = p->max - p->o.min_repeats + 1, look = 0;
	double alpha = stats_look_alpha(p->o.alpha, looks);
	enum seq_verdict verdict = SEQ_CONTINUE;
	struct timespec t0, t1;

	*out = (struct ab_outcome){ .planned = looks, .p = NAN, .level = 1 - alpha };
	signals_install();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned k = 1; k <= p->max && verdict == SEQ_CONTINUE; k++) {
		struct compare_result res;
		struct report rep;
		const struct comparison *cmp;
		int run_rc;

		/* A run that failed (a guest that did not boot on a loaded host) is
		 * an infrastructure failure, not a measurement: run that repeat
		 * again, up to AB_ATTEMPTS times; the ok one of the pair is kept. */
		for (unsigned attempt = 1;; attempt++) {
			run_rc = run_pair(p, k);
			if (memhp_stop_signal || run_rc > 128)
				return memhp_stop_signal ? 128 + memhp_stop_signal : run_rc;
			if (run_rc == EXIT_USAGE) {
				fprintf(stderr, "%s: memhp run refused the pair (above)\n", p->who);
				return EXIT_USAGE;
			}
			if (load_compare(p, alpha, &rep, &res))
				return EXIT_USAGE;
			cmp = find(&res, p->b.name, p->metric);
			if ((cmp && cmp->base.n >= k && cmp->cand.n >= k) || attempt == AB_ATTEMPTS)
				break;
			fprintf(stderr, "%s: pair %u: %zu and %zu ok runs: a run failed "
					"(infrastructure), running it again (attempt %u of %u)\n",
				p->who, k, cmp ? cmp->base.n : 0, cmp ? cmp->cand.n : 0, attempt + 1,
				AB_ATTEMPTS);
			compare_free(&res);
			report_free(&rep);
		}
		out->pairs = k;
		if (!cmp || cmp->base.n < p->o.min_repeats || cmp->cand.n < p->o.min_repeats) {
			fprintf(stderr, "%s: pair %u: %zu and %zu ok runs, no look before %u "
					"a side\n", p->who, k, cmp ? cmp->base.n : 0,
				cmp ? cmp->cand.n : 0, p->o.min_repeats);
		} else if (look < looks) {
			look++;
			if (stats_seq_look(&cmp->base, &cmp->cand, p->o.alpha, looks,
					   p->o.min_effect_pct, cmp->metric->better, &out->d, &out->p,
					   &verdict))
				abort();
			out->looked = true;
			fprintf(p->looks, "look %u (pair %u): %s %.2f (%zu) -> %.2f (%zu) %s, "
					  "difference %+.4g [%+.4g, %+.4g] at %.4g%%, p = %.3g: %s\n",
				look, k, p->metric, cmp->base.mean, cmp->base.n, cmp->cand.mean,
				cmp->cand.n, cmp->metric->unit, out->d.diff, out->d.lo, out->d.hi,
				100 * (1 - alpha), out->p, seq_names[verdict]);
			fflush(p->looks);
		}
		out->looks = look;
		if (cmp) {
			out->compared = true;
			out->final = cmp->verdict;
			out->base = cmp->base;
			out->cand = cmp->cand;
			snprintf(out->reason, sizeof(out->reason), "%s", cmp->reason);
		}
		if ((verdict != SEQ_CONTINUE || k == p->max) && p->table) {
			struct compare_opts lo = p->o;

			lo.alpha = alpha;
			res.base_label = p->a.dir;
			putchar('\n');
			compare_text(stdout, &res, &lo, false);
		}
		compare_free(&res);
		report_free(&rep);
	}
	out->verdict = verdict;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	out->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	return EXIT_OK;
}

static int set_metric(void *target, const char *arg, struct err *err)
{
	if (!compare_metric(arg))
		return err_fail(err, -EINVAL, "--metric '%s' is not " COMPARE_METRIC_NAMES, arg);
	((struct ab_plan *)target)->metric = arg;
	return 0;
}

static int set_alpha(void *target, const char *arg, struct err *err)
{
	if (parse_double(arg, 1e-12, 0.5, &((struct ab_plan *)target)->o.alpha))
		return err_fail(err, -EINVAL, "--alpha '%s' is not a number from 1e-12 to 0.5",
				arg);
	return 0;
}

static int set_min_effect(void *target, const char *arg, struct err *err)
{
	if (parse_double(arg, 0, 1000, &((struct ab_plan *)target)->o.min_effect_pct))
		return err_fail(err, -EINVAL, "--min-effect '%s' is not a percentage from 0 to "
				"1000", arg);
	return 0;
}

#define AB(field) offsetof(struct ab_plan, field)

const struct opt ab_opts[] = {
	{ OPT("metric", 'M', OPT_CALLBACK, 0, "M",
	      "blocks_removed (default), mib_unplugged, unplug_s"), .cb = set_metric },
	{ OPT("alpha", 0, OPT_CALLBACK, 0, "A", "significance level of an A/B, over its looks (default\n0.05)"),
	  .cb = set_alpha },
	{ OPT("min-effect", 'e', OPT_CALLBACK, 0, "PCT",
	      "smallest change that counts, % of the baseline (1)"), .cb = set_min_effect },
	{ OPT("min-repeats", 'n', OPT_UINT, AB(o.min_repeats), "N",
	      "ok runs a side before the first look (default 3)"), .min = 2, .max = 1000 },
	{ OPT("max-repeats", 'N', OPT_UINT, AB(max), "N", "pairs at most (default 10)"),
	  .min = 2, .max = 1000 },
	{ 0 },
};

int ab_check(const struct ab_plan *p)
{
	if (p->o.min_repeats > p->max) {
		fprintf(stderr, "%s: --min-repeats %u is more than --max-repeats %u\n", p->who,
			p->o.min_repeats, p->max);
		return -1;
	}
	return 0;
}

int cmd_ab(int argc, char **argv)
{
	struct ab_plan p = AB_PLAN_DEFAULTS("memhp ab");
	struct ab_args args = { .out = "results/ab" };
	struct run_request req = { 0 };
	const struct opt_group g[] = AB_GROUPS(&args, &p, &req);
	const char *a_arg, *b_arg, *out;
	struct run_options check = { 0 };
	struct ab_outcome res;
	struct variant va, vb;
	struct matrix m = { 0 };
	struct err err;
	int rc;

	rc = opts_parse(g, ARRAY_SIZE(g), argc, argv, &err);
	if (rc <= 0) {
		if (rc && *err.msg)
			fprintf(stderr, "memhp ab: %s\n", err.msg);
		else
			usage(rc ? stderr : stdout);
		return rc ? EXIT_USAGE : EXIT_OK;
	}
	a_arg = args.a;
	b_arg = args.b;
	out = args.out;
	if (rc != argc - 1 || !a_arg || !b_arg) {
		if (!a_arg || !b_arg)
			fprintf(stderr, "memhp ab: give the baseline (-A) and the candidate (-B)\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	optind = rc;
	if (run_request_options(&req.pass, &check, &err)) {
		fprintf(stderr, "memhp ab: %s\n", err.msg);
		return EXIT_USAGE;
	}
	if (ab_check(&p))
		return EXIT_USAGE;
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
	p.a = (struct ab_side){ out, a_arg, va.name };
	p.b = (struct ab_side){ out, b_arg, vb.name };
	p.scenario = argv[optind];
	p.pass = &req.pass;
	p.looks = stdout;
	p.table = true;
	fprintf(stderr, "memhp ab: %s against %s on %s, %s; up to %u pairs, %u looks from %u "
			"runs a side, each at alpha %g / %u = %.4g\n",
		vb.name, va.name, m.scenarios[0].name, p.metric, p.max,
		p.max - p.o.min_repeats + 1, p.o.min_repeats, p.o.alpha,
		p.max - p.o.min_repeats + 1, stats_look_alpha(p.o.alpha, p.max - p.o.min_repeats + 1));
	rc = ab_sequential(&p, &res);
	matrix_free(&m);
	if (rc)
		return rc;
	printf("memhp ab: %s after %u pair%s (%u look%s), %.0f s: %s\n",
	       res.verdict == SEQ_CONTINUE ? "stopped at --max-repeats" : "decided", res.pairs,
	       res.pairs == 1 ? "" : "s", res.looks, res.looks == 1 ? "" : "s", res.seconds,
	       res.verdict != SEQ_CONTINUE ? ab_seq_name(res.verdict) :
	       !res.compared ? "undecided (no comparison)" :
	       res.final == V_REGRESSION ? "regression" :
	       res.final == V_SAME ? "no regression shown (not significant)" :
				     compare_verdict_name(res.final));
	if (res.verdict == SEQ_WORSE || (res.compared && res.final == V_REGRESSION))
		return EXIT_RUN_FAILED;
	if (res.verdict != SEQ_CONTINUE ||
	    (res.compared && (res.final == V_SAME || res.final == V_BETTER)))
		return EXIT_OK;
	return EXIT_USAGE;
}
