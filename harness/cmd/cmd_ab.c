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
#include "bisect.h"
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
		{ cmd_decision_opts, &(plan)->o, NULL, false },                            \
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
	      "and after each pair from 4 ok runs a side (or --min-repeats) looks at the\n"
	      "metric: Welch's t, or the exact permutation test where Welch's does not hold\n"
	      "(a side without spread, heavy ties). A group-sequential design: one-sided\n"
	      "alpha / 2 spent over the looks up to --max-repeats (Lan-DeMets, Pocock or\n"
	      "O'Brien-Fleming shape). It stops when:\n"
	      "  - the change is significant at the look's level and at least --min-effect\n"
	      "    (regression or better), or\n"
	      "  - the interval of the change lies within +-margin and the runs have\n"
	      "    spread (same), or\n"
	      "  - the worse side's 90% bound excludes a regression of the margin (not\n"
	      "    worse: the futility stop), or\n"
	      "  - --max-repeats pairs have run: undecided, with an estimate of how many\n"
	      "    more runs would likely decide.\n"
	      "Identical runs never prove same or not worse: a candidate that loses\n"
	      "everything in some runs may not have shown it yet. Runs go to OUTPUT as\n"
	      "from memhp run --resume: running the same command again keeps the runs\n"
	      "that are there. A run that fails (an infrastructure failure) is run again,\n"
	      "up to 3 times a repeat. Variants as for memhp run --variant.\n\n",
	      out);
	opts_usage(out, g, ARRAY_SIZE(g));
	fputs("\nExit: 0 better, same or not worse, 1 a regression, 2 bad arguments or an\n"
	      "error, 3 undecided after --max-repeats, 128+N interrupted by signal N.\n",
	      out);
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

const char *ab_seq_name(enum seq_verdict v)
{
	return seq_verdict_name(v);
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

/* The run source of the sequential loop (sequential.c): pair k run through
 * memhp run, then every ok value of each side so far. */
struct ab_source {
	const struct ab_plan *p;
	struct ab_outcome *out;
	struct report rep;
	struct compare_result res;
	bool loaded;
};

static void source_free(struct ab_source *s)
{
	if (s->loaded) {
		compare_free(&s->res);
		report_free(&s->rep);
		s->loaded = false;
	}
}

static int ab_pair(void *ctx, unsigned k, const double **x, size_t *nx, const double **y,
		   size_t *ny)
{
	struct ab_source *s = ctx;
	const struct ab_plan *p = s->p;
	const struct comparison *cmp;
	int run_rc;

	/* A run that failed (a guest that did not boot on a loaded host) is
	 * an infrastructure failure, not a measurement: run that repeat
	 * again, up to AB_ATTEMPTS times; the ok one of the pair is kept. */
	for (unsigned attempt = 1;; attempt++) {
		source_free(s);
		run_rc = run_pair(p, k);
		if (memhp_stop_signal || run_rc > 128)
			return memhp_stop_signal ? 128 + memhp_stop_signal : run_rc;
		if (run_rc == EXIT_USAGE) {
			fprintf(stderr, "%s: memhp run refused the pair (above)\n", p->who);
			return EXIT_USAGE;
		}
		if (load_compare(p, p->o.alpha, &s->rep, &s->res))
			return EXIT_USAGE;
		s->loaded = true;
		cmp = find(&s->res, p->b.name, p->metric);
		if ((cmp && cmp->base.n >= k && cmp->cand.n >= k) || attempt == AB_ATTEMPTS)
			break;
		fprintf(stderr, "%s: pair %u: %zu and %zu ok runs: a run failed "
				"(infrastructure), running it again (attempt %u of %u)\n",
			p->who, k, cmp ? cmp->base.n : 0, cmp ? cmp->cand.n : 0, attempt + 1,
			AB_ATTEMPTS);
	}
	if (cmp) {
		s->out->compared = true;
		s->out->final = cmp->verdict;
		s->out->base = cmp->base;
		s->out->cand = cmp->cand;
		snprintf(s->out->reason, sizeof(s->out->reason), "%s", cmp->reason);
	}
	if (!cmp || cmp->base.n < p->o.min_repeats || cmp->cand.n < p->o.min_repeats)
		fprintf(stderr, "%s: pair %u: %zu and %zu ok runs, no look before %u a side\n",
			p->who, k, cmp ? cmp->base.n : 0, cmp ? cmp->cand.n : 0,
			p->o.min_repeats < 3 ? 3 : p->o.min_repeats);
	*x = cmp ? cmp->base_v : NULL;
	*nx = cmp ? cmp->base.n : 0;
	*y = cmp ? cmp->cand_v : NULL;
	*ny = cmp ? cmp->cand.n : 0;
	return 0;
}

int ab_judge_prefix(const struct ab_plan *p, const struct bisect_sprt *sp, const double *series,
		    size_t ns, struct ab_outcome *out, struct bisect_judgement *j)
{
	struct ab_source src = { .p = p, .out = out };
	struct seq_source ss = { ab_pair, &src };
	struct timespec t0, t1;
	int rc;

	*out = (struct ab_outcome){ .p = NAN, .level = NAN };
	signals_install();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = bisect_sprt_run(sp, series, ns, &ss, j);
	out->pairs = j->runs;
	/* compare's own view of the prefix against the baseline, for the record */
	if (src.loaded) {
		const struct comparison *cmp = find(&src.res, p->b.name, p->metric);

		if (cmp && cmp->tested) {
			out->looked = true;
			out->d = cmp->diff;
			out->p = cmp->p;
			out->level = 1 - p->o.alpha;
			out->method = cmp->method;
		}
	}
	source_free(&src);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	out->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	return rc;
}

int ab_load_values(const struct ab_plan *p, double **base, size_t *nb, double **cand, size_t *nc)
{
	struct report rep;
	struct compare_result res;
	const struct comparison *cmp;

	*base = *cand = NULL;
	*nb = *nc = 0;
	if (load_compare(p, p->o.alpha, &rep, &res))
		return -1;
	cmp = find(&res, p->b.name, p->metric);
	if (cmp) {
		*base = malloc((cmp->base.n + 1) * sizeof(double));
		*cand = malloc((cmp->cand.n + 1) * sizeof(double));
		if (!*base || !*cand)
			abort();
		if (cmp->base.n)
			memcpy(*base, cmp->base_v, cmp->base.n * sizeof(double));
		if (cmp->cand.n)
			memcpy(*cand, cmp->cand_v, cmp->cand.n * sizeof(double));
		*nb = cmp->base.n;
		*nc = cmp->cand.n;
	}
	compare_free(&res);
	report_free(&rep);
	return 0;
}

int ab_sequential(const struct ab_plan *p, struct ab_outcome *out)
{
	struct seq_design *d = malloc(sizeof(*d));
	struct ab_source src = { .p = p, .out = out };
	struct seq_source ss = { ab_pair, &src };
	const struct metric *m = compare_metric(p->metric);
	struct seq_result r;
	struct timespec t0, t1;
	int rc;

	*out = (struct ab_outcome){ .p = NAN, .level = NAN };
	if (!d || ab_design(p, d)) {
		free(d);
		fprintf(stderr, "%s: no sequential design for these options\n", p->who);
		return EXIT_USAGE;
	}
	out->planned = d->max - d->first + 1;
	out->margin_pct = d->margin_pct;
	signals_install();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = seq_run(d, &ss, p->looks, p->metric, m->unit, &r);
	out->verdict = r.verdict;
	out->pairs = r.pairs;
	out->looks = r.looks;
	out->looked = r.looked;
	if (r.looked) {
		out->d = (struct mean_diff){ .diff = r.last.t.diff, .lo = r.last.t.lo,
					     .hi = r.last.t.hi, .se = r.last.t.se, .df = NAN };
		out->p = r.last.t.p;
		out->nominal = r.last.nominal;
		out->level = 1 - 2 * r.last.nominal;
		out->method = r.last.t.method;
		out->runs_more = r.last.runs_more;
	}
	if (!rc && p->table && src.loaded) {
		struct compare_opts lo = p->o;

		src.res.base_label = p->a.dir;
		putchar('\n');
		compare_text(stdout, &src.res, &lo, false);
	}
	source_free(&src);
	free(d);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	out->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	return rc;
}

static int set_metric(void *target, const char *arg, struct err *err)
{
	if (!compare_metric(arg))
		return err_fail(err, -EINVAL, "--metric '%s' is not " COMPARE_METRIC_NAMES, arg);
	((struct ab_plan *)target)->metric = arg;
	((struct ab_plan *)target)->o.metric = arg; /* an opt-in metric is decided too */
	return 0;
}

static int set_spending(void *target, const char *arg, struct err *err)
{
	struct ab_plan *p = target;

	if (!strcmp(arg, "pocock"))
		p->spending = SPEND_POCOCK;
	else if (!strcmp(arg, "obf"))
		p->spending = SPEND_OBF;
	else if (!strcmp(arg, "e-value"))
		p->spending = SPEND_EVALUE;
	else
		return err_fail(err, -EINVAL, "--spending '%s' is not pocock, obf or e-value", arg);
	return 0;
}

#define AB(field) offsetof(struct ab_plan, field)

const struct opt ab_opts[] = {
	{ OPT("metric", 'M', OPT_CALLBACK, 0, "M",
	      "blocks_removed (default), mib_unplugged, unplug_s"), .cb = set_metric },
	{ OPT("min-repeats", 'n', OPT_UINT, AB(o.min_repeats), "N",
	      "ok runs a side before the first look (default 3:\nthe first look is at 4 at least)"),
	  .min = 2, .max = 1000 },
	{ OPT("max-repeats", 'N', OPT_UINT, AB(max), "N", "pairs at most (default 10)"),
	  .min = 2, .max = 1000 },
	{ OPT("max-runs", 0, OPT_UINT, AB(max), "N", "the same as --max-repeats"), .min = 2,
	  .max = 1000 },
	{ OPT("spending", 0, OPT_CALLBACK, 0, "S",
	      "pocock (default) or obf; e-value: always valid, for\n"
	      "looking after every pair and adding pairs (raise\n"
	      "--max-runs: it needs more of them; docs/compare.md)"), .cb = set_spending },
	{ 0 },
};

int ab_check(const struct ab_plan *p)
{
	if (p->o.min_repeats < 3 || p->max < 3) {
		fprintf(stderr, "%s: --%s %u: two runs a side decide nothing; 3 at least\n", p->who,
			p->o.min_repeats < 3 ? "min-repeats" : "max-repeats",
			p->o.min_repeats < 3 ? p->o.min_repeats : p->max);
		return -1;
	}
	if (p->max < 4) {
		/* ab_design has no look to make: say why, not "no design". */
		fprintf(stderr, "%s: --max-repeats %u: the first look is at 4 runs a side; 4 at "
				"least\n", p->who, p->max);
		return -1;
	}
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

	if (!cmd_options("memhp ab", g, ARRAY_SIZE(g), argc, argv, usage, &rc))
		return rc;
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
	{
		struct seq_design *d = malloc(sizeof(*d));

		if (!d || ab_design(&p, d)) {
			free(d);
			fprintf(stderr, "memhp ab: no sequential design for these options\n");
			matrix_free(&m);
			return EXIT_USAGE;
		}
		if (p.spending == SPEND_EVALUE)
			fprintf(stderr, "memhp ab: %s against %s on %s, %s; up to %u pairs, looks from "
					"%u runs a side, always valid (e-values: a regression at %g, "
					"not worse at %g), margin %g%%\n",
				vb.name, va.name, m.scenarios[0].name, p.metric, p.max, d->first,
				2 / p.o.alpha, 1 / d->futility_beta, d->margin_pct);
		else
		fprintf(stderr, "memhp ab: %s against %s on %s, %s; up to %u pairs, looks from %u "
				"runs a side, %s spending of alpha %g (one-sided %g a look at first, "
				"%.3g at the last), margin %g%%\n",
			vb.name, va.name, m.scenarios[0].name, p.metric, p.max, d->first,
			p.spending == SPEND_POCOCK ? "Pocock" : "O'Brien-Fleming", p.o.alpha,
			d->nominal[0], d->nominal[d->max - d->first], d->margin_pct);
		free(d);
	}
	rc = ab_sequential(&p, &res);
	matrix_free(&m);
	if (rc)
		return rc;
	if (res.verdict == SEQ_CONTINUE) {
		printf("memhp ab: stopped at --max-repeats after %u pair%s (%u look%s), %.0f s: "
		       "undecided", res.pairs, res.pairs == 1 ? "" : "s", res.looks,
		       res.looks == 1 ? "" : "s", res.seconds);
		if (res.runs_more)
			printf(" (about %u more run%s a side would likely decide)", res.runs_more,
			       res.runs_more == 1 ? "" : "s");
		else if (res.looked)
			printf(" (identical runs, or too few: more runs cannot be planned)");
		printf("\n");
		return EXIT_UNDECIDED;
	}
	printf("memhp ab: decided after %u pair%s (%u look%s), %.0f s: %s\n", res.pairs,
	       res.pairs == 1 ? "" : "s", res.looks, res.looks == 1 ? "" : "s", res.seconds,
	       ab_seq_name(res.verdict));
	return res.verdict == SEQ_WORSE ? EXIT_RUN_FAILED : EXIT_OK;
}
