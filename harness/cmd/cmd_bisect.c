// SPDX-License-Identifier: GPL-2.0-only
/*
 * memhp bisect: which patch of a series made the metric worse. The search
 * is bisect.c's; each point is judged by memhp ab's sequential A/B
 * (ab_sequential) of prefix k (the first k patches, built as
 * build:TREE+OUT/series/k-K) against the tree without the series, whose runs
 * in OUT/baseline every step reuses. docs/compare.md, "bisect".
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "atomic_file.h"
#include "ab.h"
#include "bisect.h"
#include "bisect_json.h"
#include "bisect_series.h"
#include "cmd.h"
#include "datadir.h"
#include "image.h"
#include "run_request.h"
#include "matrix.h"
#include "result.h"
#include "sha256.h"
#include "signals.h"
#include "str.h"
#include "subproc.h"

#define EXIT_NOT_REGRESSION 3 /* the whole series is not a regression (same, better, not worse) */
#define EXIT_BISECT_UNDECIDED 4 /* the whole series is neither shown a regression nor not one */

/* memhp bisect's own options. */
struct bisect_args {
	const char *tree, *series, *range, *config, *out;
	unsigned confirm;
};

#define BA(field) offsetof(struct bisect_args, field)

static const struct opt bisect_opts[] = {
	{ OPT("tree", 't', OPT_STRING, BA(tree), "TREE",
	      "a kernel tree, tarball or linux-source-X.Y (as for\n"
	      "memhp kernel build)") },
	{ OPT("series", 's', OPT_STRING, BA(series), "DIR",
	      "the patches, *.patch and *.diff in name order") },
	{ OPT("range", 0, OPT_STRING, BA(range), "A..B",
	      "git format-patch A..B of TREE, a git checkout whose\n"
	      "HEAD is A (the baseline is the tree as checked out)") },
	{ OPT("config", 0, OPT_STRING, BA(config), "FRAGMENT",
	      "a Kconfig fragment for every kernel") },
	{ OPT("output", 'o', OPT_STRING, BA(out), "DIR",
	      "results and bisect.json (default: results/bisect)") },
	{ OPT("confirm", 0, OPT_UINT, BA(confirm), "N",
	      "verdicts the culprit needs on each side (default 1:\n"
	      "the search's own; KernelCI checks 3)"), .max = 10 },
	{ 0 },
};

#define BISECT_GROUPS(args, plan, req)                                                     \
	{                                                                                  \
		{ bisect_opts, (args), NULL, false }, { ab_opts, (plan), NULL, false },     \
		{ cmd_decision_opts, &(plan)->o, NULL, false },                            \
		{ run_pass_opts, (req), "Passed on to every memhp run, as memhp run takes them:", \
		  true },                                                                  \
		{ opts_help, (args), NULL, false },                                        \
	}

static void usage(FILE *out)
{
	struct bisect_args args = { 0 };
	struct ab_plan plan = { 0 };
	struct run_request req = { 0 };
	const struct opt_group g[] = BISECT_GROUPS(&args, &plan, &req);

	fputs("usage: memhp bisect [OPTIONS] --tree TREE (--series DIR | --range A..B) SCENARIO.ini\n\n"
	      "Which patch of a series made the metric worse? The baseline is TREE as it\n"
	      "is (k = 0), the bad end the whole series (k = N); prefix k is TREE with the\n"
	      "first k patches, built as build:TREE+SERIES (memhp kernel build, cached, one\n"
	      "build directory, so each prefix rebuilds incrementally).\n"
	      "  1. the whole series must be a regression: memhp ab's group-sequential\n"
	      "     A/B against the baseline (exit 3 when it is not worse, 4 when\n"
	      "     undecided after --max-repeats);\n"
	      "  2. binary search over k: each prefix is judged against both ends, an\n"
	      "     SPRT between \"like the baseline\" and \"like the series\" over its\n"
	      "     runs (from --min-repeats on, at most --max-repeats; the baseline's\n"
	      "     runs are made once and reused); undecided (or a prefix that does not\n"
	      "     build) is skip, and its neighbour is tried instead, as git bisect skip;\n"
	      "  3. the culprit k is confirmed: k bad and k - 1 good in --confirm - 1\n"
	      "     further rounds of fresh runs.\n"
	      "Prints the first bad patch (file and Subject:) and the evidence of every\n"
	      "step; writes OUT/baseline/ and OUT/step-K-PATCH/ (result.json files, for\n"
	      "memhp report and memhp compare) and OUT/bisect.json, rewritten after every\n"
	      "step. Running the same command again keeps every run in OUT.\n\n"
	      , out);
	opts_usage(out, g, ARRAY_SIZE(g));
	fputs("\n"
	      "Exit: 0 the culprit found and confirmed, 1 ambiguous (skips leave a range)\n"
	      "or not confirmed, 2 bad arguments or input, or nothing could be decided\n"
	      "(the baseline did not build, runs failed), 3 the whole series is not a\n"
	      "regression (same, better or not worse), 4 undecided: the whole series is\n"
	      "neither shown a regression nor not one within --max-repeats, 128+N\n"
	      "interrupted by signal N.\n",
	      out);
}

static bool has_space(const char *s)
{
	return s && s[strcspn(s, " \t\n\"")];
}


static void print_step(const struct bisect_run *b, const struct step *s)
{
	const struct patch *p = &b->patches[s->k - 1];

	printf("step k=%u%s%.0u (%s): ", s->k, s->round ? " confirm " : "", s->round, p->name);
	if (s->ab.looked)
		printf("%s %.2f (%zu) -> %.2f (%zu) %s, difference %+.4g [%+.4g, %+.4g] at %.4g%%, "
		       "p = %.3g, %u pair%s, %.0f s: ",
		       b->plan.metric, s->ab.base.mean, s->ab.base.n, s->ab.cand.mean, s->ab.cand.n,
		       compare_metric(b->plan.metric)->unit, s->ab.d.diff, s->ab.d.lo, s->ab.d.hi,
		       100 * s->ab.level, s->ab.p, s->ab.pairs, s->ab.pairs == 1 ? "" : "s",
		       s->ab.seconds);
	if (s->judged)
		printf("%u run%s against both ends (baseline %.2f, series %.2f, sd %.2f): "
		       "log-likelihood ratio %+.2f, P(like the series) %.4f: ", s->j.runs,
		       s->j.runs == 1 ? "" : "s", s->j.mu_base, s->j.mu_series, s->j.sd, s->j.llr,
		       s->j.p_bad);
	printf("%s (%s)%s%s\n", bisect_mark_name(s->mark), bisect_step_decision(s), *s->why ? ": " : "",
	       s->why);
	fflush(stdout);
}

/* The probe: prefix k in round r, by the sequential A/B against the
 * baseline. */
static int probe(void *ctx, unsigned k, unsigned round, enum bisect_mark *mark)
{
	struct bisect_run *b = ctx;
	struct step *s, *grown;
	char *series, variant[VARIANT_FORMAT_MAX];
	struct ab_plan plan = b->plan;
	struct timespec t0;
	struct image img;
	struct err err;
	int rc;

	grown = realloc(b->steps, (b->nsteps + 1) * sizeof(*b->steps));
	if (!grown)
		return -ENOMEM;
	b->steps = grown;
	s = &b->steps[b->nsteps];
	memset(s, 0, sizeof(*s));
	s->k = k;
	s->round = round;
	s->mark = BISECT_SKIP;
	if (round)
		snprintf(s->variant, sizeof(s->variant), "k%u.c%u", k, round);
	else
		snprintf(s->variant, sizeof(s->variant), "k%u", k);
	if (round)
		snprintf(s->dir, sizeof(s->dir), "%s/confirm%u-step-%u-%s", b->out, round, k,
			 b->patches[k - 1].stem);
	else
		snprintf(s->dir, sizeof(s->dir), "%s/step-%u-%s", b->out, k, b->patches[k - 1].stem);
	rc = bisect_prefix_series(b->out, b->patches, k, &series, &err);
	if (rc) {
		fprintf(stderr, "memhp bisect: %s\n", err.msg);
		return -EIO;
	}
	if (snprintf(s->spec, sizeof(s->spec), "build:%s+%s", b->tree, series) >=
	    (int)sizeof(s->spec)) {
		fprintf(stderr, "memhp bisect: build:%s+%s: too long for a kernel spec\n", b->tree,
			series);
		free(series);
		return -EIO;
	}
	free(series);
	snprintf(variant, sizeof(variant), "%s=%s%s%s", s->variant, s->spec,
		 b->config ? " config=" : "", b->config ? b->config : "");
	b->nsteps++;
	fprintf(stderr, "memhp bisect: step k=%u%s of %u (%s): building\n", k,
		round ? " (confirmation)" : "", b->n, b->patches[k - 1].name);
	/* Built here, once, before any run: a prefix that does not build is
	 * skipped (as git bisect skips a commit that does not compile), and
	 * the runs (memhp run children of this process) find it resolved. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = image_resolve(s->spec, NULL, b->config, &img, &err);
	s->build_s = bisect_seconds(&t0);
	if (memhp_stop_signal)
		return -EINTR;
	if (rc) {
		snprintf(s->why, sizeof(s->why), "no kernel: %.700s", err.msg);
		*mark = BISECT_SKIP;
		print_step(b, s);
		bisect_json_write(b);
		return 0;
	}
	str_copy(s->kernel, sizeof(s->kernel), img.build);
	plan.b = (struct ab_side){ s->dir, variant, s->variant };
	/* The whole series against the baseline by the sequential A/B; every
	 * other point (and a confirmation) against both ends. */
	s->judged = k != b->n || round;
	if (s->judged && !b->series_n) {
		fprintf(stderr, "memhp bisect: no runs of the whole series to judge k=%u by\n", k);
		return -EIO;
	}
	if (s->judged)
		rc = ab_judge_prefix(&plan, &b->sprt, b->series_v, b->series_n, &s->ab, &s->j);
	else
		rc = ab_sequential(&plan, &s->ab);
	if (rc > 128 || memhp_stop_signal)
		return -EINTR;
	if (rc) {
		snprintf(s->why, sizeof(s->why), "memhp run refused the step (above)");
		bisect_json_write(b);
		return -EIO;
	}
	s->ran = true;
	if (s->judged) {
		s->mark = s->j.mark == BISECT_GOOD || s->j.mark == BISECT_BAD ? s->j.mark :
									   BISECT_SKIP;
		if (s->mark == BISECT_SKIP)
			snprintf(s->why, sizeof(s->why), "neither like the baseline nor like the "
							 "series after %u runs", s->j.runs);
	} else if (s->ab.verdict == SEQ_WORSE) {
		s->mark = BISECT_BAD;
		free(b->series_v);
		b->series_v = NULL;
		b->series_n = 0;
		{
			double *bv = NULL;
			size_t nb;

			if (ab_load_values(&plan, &bv, &nb, &b->series_v, &b->series_n)) {
				free(bv);
				return -EIO;
			}
			free(bv);
		}
	} else if (s->ab.verdict == SEQ_SAME || s->ab.verdict == SEQ_BETTER ||
		   s->ab.verdict == SEQ_NOT_WORSE) {
		s->mark = BISECT_GOOD;
	} else if (!s->ab.compared || s->ab.base.n < plan.o.min_repeats ||
		   s->ab.cand.n < plan.o.min_repeats) {
		snprintf(s->why, sizeof(s->why), "%zu and %zu ok runs after %u pairs, fewer than "
						 "--min-repeats %u (failed runs: %.500s)",
			 s->ab.base.n, s->ab.cand.n, s->ab.pairs, plan.o.min_repeats, s->dir);
	} else {
		snprintf(s->why, sizeof(s->why), "undecided after --max-repeats %u pairs", plan.max);
	}
	*mark = s->mark;
	print_step(b, s);
	bisect_json_write(b);
	return 0;
}

static void print_patch(const struct bisect_run *b, unsigned k)
{
	const struct patch *p = &b->patches[k - 1];

	printf("  %u/%u %s\n      %s\n", k, b->n, p->name, *p->subject ? p->subject :
					      "(no Subject: line)");
}

/* The last step of (k, round), or NULL. */
static const struct step *find_step(const struct bisect_run *b, unsigned k, unsigned round)
{
	for (size_t i = b->nsteps; i-- > 0;)
		if (b->steps[i].k == k && b->steps[i].round == round)
			return &b->steps[i];
	return NULL;
}

/* What the search found, on stdout; the exit status. */
static int print_outcome(const struct bisect_run *b, const struct bisect_outcome *res)
{
	switch (res->status) {
	case BISECT_FOUND:
	case BISECT_UNCONFIRMED: {
		const struct step *bad = find_step(b, res->first, 0);
		const struct step *good = res->first > 1 ? find_step(b, res->first - 1, 0) : NULL;
		const struct bisect_step *last = &res->steps[res->nsteps - 1];

		printf("memhp bisect: the first bad patch is\n");
		print_patch(b, res->first);
		printf("  with it (k=%u): %s (%s, %zu runs)", res->first, bisect_mark_name(bad->mark),
		       bisect_step_decision(bad), bad->ab.cand.n);
		if (good)
			printf("; without it (k=%u): %s (%s, %zu runs)", res->first - 1,
			       bisect_mark_name(good->mark), bisect_step_decision(good), good->ab.cand.n);
		else
			printf("; without it: the baseline (%zu runs)", bad->ab.base.n);
		printf("\n");
		if (res->status == BISECT_FOUND) {
			printf("memhp bisect: confirmed (%u verdict%s each side, all decided), "
			       "%.0f s\n", b->confirm, b->confirm == 1 ? "" : "s", bisect_seconds(&b->t0));
			return EXIT_OK;
		}
		printf("memhp bisect: NOT confirmed: confirmation round %u of k=%u said %s "
		       "(expected %s), %.0f s\n", last->round, last->k,
		       bisect_mark_name(last->mark), last->k == res->first ? "bad" : "good",
		       bisect_seconds(&b->t0));
		return EXIT_RUN_FAILED;
	}
	case BISECT_AMBIGUOUS:
		printf("memhp bisect: ambiguous: skipped steps leave %u candidates for the first "
		       "bad patch (k=%u good, k=%u bad):\n", res->last - res->first + 1,
		       res->first - 1, res->last);
		for (unsigned k = res->first; k <= res->last; k++)
			print_patch(b, k);
		printf("memhp bisect: more --max-repeats may decide the skipped steps; %.0f s\n",
		       bisect_seconds(&b->t0));
		return EXIT_RUN_FAILED;
	case BISECT_NO_REGRESSION:
	case BISECT_UNDECIDED: {
		const struct step *all = find_step(b, b->n, 0);

		printf("memhp bisect: the whole series is not %s regression against the "
		       "baseline (%s): nothing to bisect; %.0f s\n",
		       res->status == BISECT_UNDECIDED ? "shown to be a" : "a",
		       all ? bisect_step_decision(all) : "?", bisect_seconds(&b->t0));
		return res->status == BISECT_UNDECIDED ? EXIT_BISECT_UNDECIDED : EXIT_NOT_REGRESSION;
	}
	}
	return EXIT_USAGE;
}

int cmd_bisect(int argc, char **argv)
{
	struct bisect_run b = { .plan = AB_PLAN_DEFAULTS("memhp bisect"), .confirm = 1,
				.status = "running" };
	struct bisect_args args = { .out = "results/bisect", .confirm = 1 };
	struct run_request req = { 0 };
	const struct opt_group g[] = BISECT_GROUPS(&args, &b.plan, &req);
	const char *series, *out;
	char range_dir[PATH_MAX + 32];
	struct run_options check = { 0 };
	struct variant v;
	struct matrix m = { 0 };
	struct bisect_outcome res = { 0 };
	struct image img;
	struct err err;
	int rc;

	if (!cmd_options("memhp bisect", g, ARRAY_SIZE(g), argc, argv, usage, &rc))
		return rc;
	optind = rc;
	b.tree = args.tree;
	b.range = args.range;
	b.config = args.config;
	b.confirm = args.confirm;
	series = args.series;
	out = args.out;
	if (run_request_options(&req.pass, &check, &err)) {
		fprintf(stderr, "memhp bisect: %s\n", err.msg);
		return EXIT_USAGE;
	}
	if (optind != argc - 1 || !b.tree || !series == !b.range) {
		if (!b.tree)
			fprintf(stderr, "memhp bisect: give the tree (--tree)\n");
		else if (!series == !b.range)
			fprintf(stderr, "memhp bisect: give the patches, --series DIR or --range "
					"A..B (one of them)\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (ab_check(&b.plan))
		return EXIT_USAGE;
	/* Kernel specs and variants are words: no white space or quotes. */
	if (has_space(b.tree) || has_space(series) || has_space(b.config) || has_space(out)) {
		fprintf(stderr, "memhp bisect: '%s' has a space or a quote, which a kernel spec "
				"cannot hold: use a path without\n",
			has_space(b.tree) ? b.tree : has_space(series) ? series :
			has_space(b.config) ? b.config : out);
		return EXIT_USAGE;
	}
	if (b.config && access(b.config, R_OK)) {
		fprintf(stderr, "memhp bisect: --config %s: %s\n", b.config, strerror(errno));
		return EXIT_USAGE;
	}
	if (matrix_add_scenario(&m, argv[optind], &err)) {
		fprintf(stderr, "memhp bisect: %s\n", err.msg);
		matrix_free(&m);
		return EXIT_USAGE;
	}
	b.scenario = &m.scenarios[0];
	b.scenario_path = argv[optind];
	/* A series directory is read before anything is made. */
	if (series && bisect_load_series(series, &b.patches, &b.n, &err)) {
		fprintf(stderr, "memhp bisect: %s\n", err.msg);
		matrix_free(&m);
		return EXIT_USAGE;
	}
	rc = make_dirs(out);
	if (rc || !realpath(out, b.out)) {
		fprintf(stderr, "memhp bisect: --output %s: %s\n", out, strerror(rc ? -rc : errno));
		free(b.patches);
		matrix_free(&m);
		return EXIT_USAGE;
	}
	if (b.range) {
		snprintf(range_dir, sizeof(range_dir), "%s/series/range", b.out);
		if (bisect_series_from_range(b.tree, b.range, range_dir, &err)) {
			fprintf(stderr, "memhp bisect: %s\n", err.msg);
			matrix_free(&m);
			return EXIT_USAGE;
		}
		series = range_dir;
		if (bisect_load_series(series, &b.patches, &b.n, &err)) {
			fprintf(stderr, "memhp bisect: %s\n", err.msg);
			matrix_free(&m);
			return EXIT_USAGE;
		}
	}
	if (bisect_json_check_inputs(&b, &err)) {
		fprintf(stderr, "memhp bisect: %s\n", err.msg);
		free(b.patches);
		matrix_free(&m);
		return EXIT_USAGE;
	}
	snprintf(b.base_dir, sizeof(b.base_dir), "%s/baseline", b.out);
	snprintf(b.base_variant, sizeof(b.base_variant), "base=build:%s%s%s", b.tree,
		 b.config ? " config=" : "", b.config ? b.config : "");
	if (variant_parse(b.base_variant, &v, &err)) {
		fprintf(stderr, "memhp bisect: %s\n", err.msg);
		free(b.patches);
		matrix_free(&m);
		return EXIT_USAGE;
	}
	b.plan.a = (struct ab_side){ b.base_dir, b.base_variant, "base" };
	ab_bisect_sprt(&b.plan, &b.sprt);
	b.plan.scenario = b.scenario_path;
	b.plan.pass = &req.pass;
	b.plan.looks = stderr;
	b.plan.table = false;
	b.plan.runs_to_stderr = true;
	clock_gettime(CLOCK_MONOTONIC, &b.t0);
	signals_install();
	fprintf(stderr, "memhp bisect: %u patches of %s on %s, %s; each step up to %u pairs: "
			"the whole series by the group-sequential A/B at alpha %g, every other "
			"point against both ends from %u runs (SPRT, %g/%g); results in %s\n",
		b.n, series, b.scenario->name, b.plan.metric, b.plan.max, b.plan.o.alpha,
		b.sprt.min_runs, b.sprt.alpha, b.sprt.beta, b.out);
	bisect_json_write(&b);
	/* The baseline first: nothing can be judged without it. */
	if (image_resolve(v.spec, NULL, b.config, &img, &err)) {
		fprintf(stderr, "memhp bisect: the baseline (%s) has no kernel: %s\n", v.spec,
			err.msg);
		b.status = memhp_stop_signal ? "interrupted" : "error";
		bisect_json_write(&b);
		rc = memhp_stop_signal ? 128 + memhp_stop_signal : EXIT_USAGE;
		goto out;
	}
	rc = bisect_search(b.n, b.confirm, probe, &b, &res);
	b.result = rc ? NULL : &res;
	if (rc) {
		b.status = rc == -EINTR ? "interrupted" : "error";
		bisect_json_write(&b);
		rc = rc == -EINTR ? 128 + (memhp_stop_signal ? memhp_stop_signal : 15) : EXIT_USAGE;
		goto out;
	}
	b.status = bisect_status_name(res.status);
	putchar('\n');
	rc = print_outcome(&b, &res);
	bisect_json_write(&b);
out:
	bisect_free(&res);
	free(b.steps);
	free(b.patches);
	free(b.series_v);
	matrix_free(&m);
	return rc;
}
