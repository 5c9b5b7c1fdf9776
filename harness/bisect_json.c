// SPDX-License-Identifier: GPL-2.0-only
/*
 * OUT/bisect.json (memhp-bisect, docs/compare.md): written from a
 * bisect's state after every step, its inputs checked when OUT is reused,
 * and its schema rows (schema.h), from which docs/compare.md's table is
 * generated.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "bisect_json.h"
#include "compare.h"
#include "result.h"
#include "scenario.h"
#include "schema.h"
#include "sequential.h"
#include "str.h"
#include "xalloc.h"

double bisect_seconds(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static json_object *num_or_null(double x)
{
	return isfinite(x) ? json_object_new_double(x) : NULL;
}

static json_object *patch_json(const struct bisect_run *b, unsigned k)
{
	json_object *o = json_object_new_object();
	const struct patch *p = &b->patches[k - 1];

	json_object_object_add(o, "k", json_object_new_int((int)k));
	json_object_object_add(o, "name", json_object_new_string(p->name));
	json_object_object_add(o, "subject", json_object_new_string(p->subject));
	json_object_object_add(o, "sha256", json_object_new_string(p->sha256));
	return o;
}

const char *bisect_step_decision(const struct step *s)
{
	if (!s->ran)
		return "no kernel";
	if (s->judged)
		return s->j.mark == BISECT_BAD ? "like the series" :
		       s->j.mark == BISECT_GOOD ? "like the baseline" : "undecided";
	if (s->ab.verdict != SEQ_CONTINUE)
		return seq_verdict_name(s->ab.verdict);
	return s->ab.compared ? "undecided" : "not compared";
}

static json_object *step_json(const struct bisect_run *b, const struct step *s)
{
	json_object *o = json_object_new_object(), *d;
	const char *rel = s->dir + strlen(b->out) + 1;

	json_object_object_add(o, "k", json_object_new_int((int)s->k));
	json_object_object_add(o, "round", json_object_new_int((int)s->round));
	json_object_object_add(o, "patch", json_object_new_string(b->patches[s->k - 1].name));
	json_object_object_add(o, "dir", json_object_new_string(rel));
	json_object_object_add(o, "variant", json_object_new_string(s->variant));
	json_object_object_add(o, "kernel_spec", json_object_new_string(s->spec));
	json_object_object_add(o, "kernel_build", json_object_new_string(s->kernel));
	json_object_object_add(o, "build_seconds", json_object_new_double(s->build_s));
	json_object_object_add(o, "verdict", json_object_new_string(bisect_mark_name(s->mark)));
	json_object_object_add(o, "decision", json_object_new_string(bisect_step_decision(s)));
	json_object_object_add(o, "pairs", json_object_new_int((int)s->ab.pairs));
	json_object_object_add(o, "looks", json_object_new_int((int)s->ab.looks));
	json_object_object_add(o, "baseline_runs", json_object_new_int((int)s->ab.base.n));
	json_object_object_add(o, "candidate_runs", json_object_new_int((int)s->ab.cand.n));
	json_object_object_add(o, "baseline_mean",
			       s->ab.base.n ? num_or_null(s->ab.base.mean) : NULL);
	json_object_object_add(o, "candidate_mean",
			       s->ab.cand.n ? num_or_null(s->ab.cand.mean) : NULL);
	if (s->ab.looked) {
		d = json_object_new_object();
		json_object_object_add(d, "mean", num_or_null(s->ab.d.diff));
		json_object_object_add(d, "ci_level", json_object_new_double(s->ab.level));
		json_object_object_add(d, "ci_low", num_or_null(s->ab.d.lo));
		json_object_object_add(d, "ci_high", num_or_null(s->ab.d.hi));
		json_object_object_add(o, "difference", d);
		json_object_object_add(o, "p", num_or_null(s->ab.p));
	} else {
		json_object_object_add(o, "difference", NULL);
		json_object_object_add(o, "p", NULL);
	}
	if (s->judged) {
		d = json_object_new_object();
		json_object_object_add(d, "test", json_object_new_string("sprt"));
		json_object_object_add(d, "llr", num_or_null(s->j.llr));
		json_object_object_add(d, "p_bad", num_or_null(s->j.p_bad));
		json_object_object_add(d, "baseline_mean", num_or_null(s->j.mu_base));
		json_object_object_add(d, "series_mean", num_or_null(s->j.mu_series));
		json_object_object_add(d, "sd", num_or_null(s->j.sd));
		json_object_object_add(d, "runs", json_object_new_int((int)s->j.runs));
		json_object_object_add(o, "judgement", d);
		json_object_object_add(o, "p_bad", num_or_null(s->j.p_bad));
	} else if (s->ran) {
		/* The whole series against the baseline: the sequential A/B. */
		d = json_object_new_object();
		json_object_object_add(d, "test", json_object_new_string("group-sequential"));
		json_object_object_add(d, "verdict", json_object_new_string(seq_verdict_name(s->ab.verdict)));
		json_object_object_add(d, "one_sided_level", num_or_null(s->ab.nominal));
		json_object_object_add(d, "p", num_or_null(s->ab.p));
		json_object_object_add(o, "judgement", d);
		json_object_object_add(o, "p_bad", s->ab.verdict == SEQ_WORSE ?
				       num_or_null(1 - s->ab.nominal) : NULL);
	} else {
		json_object_object_add(o, "judgement", NULL);
		json_object_object_add(o, "p_bad", NULL);
	}
	json_object_object_add(o, "seconds", json_object_new_double(s->ab.seconds));
	json_object_object_add(o, "reason", json_object_new_string(s->why));
	return o;
}

/* What the runs in OUT are of: a bisect.json with other inputs is refused. */
static json_object *inputs_json(const struct bisect_run *b)
{
	json_object *inputs = json_object_new_object(), *arr = json_object_new_array();

	json_object_object_add(inputs, "tree", json_object_new_string(b->tree));
	json_object_object_add(inputs, "range", b->range ? json_object_new_string(b->range) : NULL);
	json_object_object_add(inputs, "config",
			       json_object_new_string(b->config ? b->config : ""));
	json_object_object_add(inputs, "scenario", json_object_new_string(b->scenario->name));
	json_object_object_add(inputs, "scenario_sha256",
			       json_object_new_string(b->scenario->sha256));
	for (unsigned k = 1; k <= b->n; k++)
		json_object_array_add(arr, patch_json(b, k));
	json_object_object_add(inputs, "patches", arr);
	return inputs;
}

/* OUT/bisect.json, atomically (docs/compare.md, "bisect"). */
int bisect_json_write(const struct bisect_run *b)
{
	json_object *root = json_object_new_object(), *arr;
	struct err err;
	int rc;

	json_object_object_add(root, "schema", json_object_new_string("memhp-bisect"));
	json_object_object_add(root, "version", json_object_new_int(1));
	json_object_object_add(root, "status", json_object_new_string(b->status));
	json_object_object_add(root, "inputs", inputs_json(b));
	json_object_object_add(root, "scenario_path", json_object_new_string(b->scenario_path));
	json_object_object_add(root, "metric", json_object_new_string(b->plan.metric));
	json_object_object_add(root, "unit",
			       json_object_new_string(compare_metric(b->plan.metric)->unit));
	json_object_object_add(root, "alpha", json_object_new_double(b->plan.o.alpha));
	json_object_object_add(root, "min_effect_pct",
			       json_object_new_double(b->plan.o.min_effect_pct));
	json_object_object_add(root, "min_repeats", json_object_new_int((int)b->plan.o.min_repeats));
	json_object_object_add(root, "max_repeats", json_object_new_int((int)b->plan.max));
	json_object_object_add(root, "confirm", json_object_new_int((int)b->confirm));
	{
		json_object *sp = json_object_new_object();

		json_object_object_add(sp, "alpha", json_object_new_double(b->sprt.alpha));
		json_object_object_add(sp, "beta", json_object_new_double(b->sprt.beta));
		json_object_object_add(sp, "min_runs", json_object_new_int((int)b->sprt.min_runs));
		json_object_object_add(sp, "max_runs", json_object_new_int((int)b->sprt.max_runs));
		json_object_object_add(root, "sprt", sp);
	}
	json_object_object_add(root, "baseline_dir", json_object_new_string("baseline"));
	json_object_object_add(root, "baseline_variant", json_object_new_string(b->base_variant));
	arr = json_object_new_array();
	for (size_t i = 0; i < b->nsteps; i++)
		json_object_array_add(arr, step_json(b, &b->steps[i]));
	json_object_object_add(root, "steps", arr);
	if (b->result && (b->result->status == BISECT_FOUND ||
			  b->result->status == BISECT_UNCONFIRMED)) {
		json_object_object_add(root, "culprit", patch_json(b, b->result->first));
	} else {
		json_object_object_add(root, "culprit", NULL);
	}
	if (b->result && b->result->status == BISECT_AMBIGUOUS) {
		arr = json_object_new_array();
		for (unsigned k = b->result->first; k <= b->result->last; k++)
			json_object_array_add(arr, patch_json(b, k));
		json_object_object_add(root, "candidates", arr);
	} else {
		json_object_object_add(root, "candidates", NULL);
	}
	json_object_object_add(root, "seconds", json_object_new_double(bisect_seconds(&b->t0)));
	rc = json_write_atomic(root, b->out, "bisect.json", &err);
	json_object_put(root);
	if (rc)
		fprintf(stderr, "memhp bisect: cannot write bisect.json: %s\n", err.msg);
	return rc;
}

/* A bisect.json already in OUT must be of the same inputs: else the runs
 * there are of other kernels and would be mixed into these. */
int bisect_json_check_inputs(const struct bisect_run *b, struct err *err)
{
	char *path = path_join(b->out, "bisect.json");
	json_object *old, *oldin = NULL, *newin;
	const char *keys[] = { "tree", "config", "scenario_sha256", "patches" };
	const char *names[] = { "tree", "config fragment", "scenario text", "series" };
	int rc = 0;

	if (access(path, F_OK)) {
		free(path);
		return 0;
	}
	old = json_object_from_file(path);
	if (!old || !json_object_object_get_ex(old, "inputs", &oldin)) {
		json_object_put(old);
		rc = err_fail(err, -EINVAL, "%s: not a bisect.json memhp can read: give another "
					    "--output", path);
		free(path);
		return rc;
	}
	newin = inputs_json(b);
	for (size_t i = 0; i < ARRAY_SIZE(keys) && !rc; i++) {
		json_object *x = NULL, *y = NULL;

		json_object_object_get_ex(oldin, keys[i], &x);
		json_object_object_get_ex(newin, keys[i], &y);
		if (!json_object_equal(x, y))
			rc = err_fail(err, -EINVAL, "%s is a bisect of another %s (%s there, %s now): "
						    "its runs are not of these kernels; give another "
						    "--output", path,
				      names[i],
				      x ? json_object_to_json_string(x) : "none",
				      y ? json_object_to_json_string(y) : "none");
	}
	json_object_put(newin);
	json_object_put(old);
	free(path);
	return rc;
}


/* bisect.json's rows (schema.h): the writer above is hand-written, so each
 * row has its type; tests/unit/test_schema.c checks a written bisect.json
 * has exactly these paths. */
#define S SCH_STRING
#define I SCH_INTEGER
#define N SCH_NUMBER
#define O SCH_OBJECT
#define A SCH_ARRAY
#define Z SCH_NULL
#define ROW(p, t, d) { p, t, d, NULL }
static const char *const bisect_statuses[] = { "running", "found", "ambiguous", "unconfirmed",
					       "no_regression", "undecided", "error",
					       "interrupted", NULL };
static const char *const bisect_marks[] = { "good", "bad", "skip", NULL };
static const char *const bisect_tests[] = { "sprt", "group-sequential", NULL };

static const struct schema_row bisect_rows[] = {
	ROW("schema", S, "`\"memhp-bisect\"`"),
	ROW("version", I, "`1`"),
	{ "status", S, "`no_regression`: the whole series is good; `undecided`: the whole "
	  "series is skip", bisect_statuses },
	ROW("inputs", O, "what the runs in OUT are of: a bisect.json with other inputs is "
	    "refused"),
	ROW("inputs.tree", S, "`--tree`"),
	ROW("inputs.range", S | Z, "`--range`, or null"),
	ROW("inputs.config", S, "`--config`, or `\"\"`"),
	ROW("inputs.scenario", S, "the scenario's name"),
	ROW("inputs.scenario_sha256", S, "of its text"),
	ROW("inputs.patches", A, "the series, in order"),
	ROW("inputs.patches[]", O, "a patch: as `culprit`"),
	ROW("inputs.patches[].k", I, "1-based"),
	ROW("inputs.patches[].name", S, "its file name"),
	ROW("inputs.patches[].subject", S, "its Subject:, `[PATCH …]` dropped"),
	ROW("inputs.patches[].sha256", S, "of the file"),
	ROW("scenario_path", S, "the option"),
	ROW("metric", S, "`--metric`"),
	ROW("unit", S, "the metric's unit"),
	ROW("alpha", N, "the option"),
	ROW("min_effect_pct", N, "the option"),
	ROW("min_repeats", I, "the option"),
	ROW("max_repeats", I, "the option"),
	ROW("confirm", I, "the option"),
	ROW("sprt", O, "how prefixes are judged"),
	ROW("sprt.alpha", N, "the chance to call a good prefix bad at the boundary"),
	ROW("sprt.beta", N, "the chance to call a bad prefix good"),
	ROW("sprt.min_runs", I, "runs of a prefix at least"),
	ROW("sprt.max_runs", I, "runs of a prefix at most"),
	ROW("baseline_dir", S, "`\"baseline\"`"),
	ROW("baseline_variant", S, "its `--variant`"),
	ROW("steps", A, "in the order probed"),
	ROW("steps[]", O, "one step"),
	ROW("steps[].k", I, "the prefix: the first k patches"),
	ROW("steps[].round", I, "0 the search, 1.. confirmation"),
	ROW("steps[].patch", S, "the name of patch k"),
	ROW("steps[].dir", S, "its runs, relative to OUT"),
	ROW("steps[].variant", S, "its variant name"),
	ROW("steps[].kernel_spec", S, "`build:TREE+OUT/series/k-K`"),
	ROW("steps[].kernel_build", S, "the kernel's cache directory"),
	ROW("steps[].build_seconds", N, "the build's time"),
	{ "steps[].verdict", S, "the step's mark", bisect_marks },
	ROW("steps[].decision", S, "the whole series: `regression`, `same`, `better`, `not "
	    "worse`, `undecided`; a prefix: `like the series`, `like the baseline`, "
	    "`undecided`; or `not compared`, `no kernel`"),
	ROW("steps[].pairs", I, "pairs run"),
	ROW("steps[].looks", I, "looks taken"),
	ROW("steps[].baseline_runs", I, "runs of the baseline compared"),
	ROW("steps[].candidate_runs", I, "runs of the prefix compared"),
	ROW("steps[].baseline_mean", N | Z, "the baseline's mean"),
	ROW("steps[].candidate_mean", N | Z, "the prefix's mean"),
	ROW("steps[].difference", O | Z, "compare's view against the baseline; null before a "
	    "look"),
	ROW("steps[].difference.mean", N | Z, "candidate − baseline"),
	ROW("steps[].difference.ci_level", N, "the interval's level"),
	ROW("steps[].difference.ci_low", N | Z, "its lower end (an unbounded end: null)"),
	ROW("steps[].difference.ci_high", N | Z, "its upper end"),
	ROW("steps[].p", N | Z, "the difference's p-value"),
	ROW("steps[].judgement", O | Z, "how sure the step was: a prefix by the SPRT, the "
	    "whole series by the group-sequential A/B"),
	{ "steps[].judgement.test", S, "which", bisect_tests },
	ROW("steps[].judgement.llr", N | Z | SCH_ABSENT, "sprt: the log-likelihood ratio"),
	ROW("steps[].judgement.p_bad", N | Z | SCH_ABSENT, "sprt: P(like the series)"),
	ROW("steps[].judgement.baseline_mean", N | Z | SCH_ABSENT, "sprt: the baseline's mean"),
	ROW("steps[].judgement.series_mean", N | Z | SCH_ABSENT, "sprt: the whole series' mean"),
	ROW("steps[].judgement.sd", N | Z | SCH_ABSENT, "sprt: the pooled standard deviation"),
	ROW("steps[].judgement.runs", I | SCH_ABSENT, "sprt: runs of the prefix"),
	ROW("steps[].judgement.verdict", S | SCH_ABSENT, "group-sequential: its verdict"),
	ROW("steps[].judgement.one_sided_level", N | Z | SCH_ABSENT, "group-sequential: the "
	    "one-sided level it reached"),
	ROW("steps[].judgement.p", N | Z | SCH_ABSENT, "group-sequential: the p-value"),
	ROW("steps[].p_bad", N | Z, "P(like the series) of a prefix, 1/(1 + e^−llr) with equal "
	    "prior odds; for the whole series called bad, 1 − its one-sided level"),
	ROW("steps[].seconds", N, "the step's time"),
	ROW("steps[].reason", S, "why, when it was not judged"),
	ROW("culprit", O | Z, "the patch, when found or unconfirmed, else null"),
	ROW("culprit.k", I, "1-based"),
	ROW("culprit.name", S, "its file name"),
	ROW("culprit.subject", S, "its Subject:"),
	ROW("culprit.sha256", S, "of the file"),
	ROW("candidates", A | Z, "the range of patches when ambiguous, else null"),
	ROW("candidates[]", O, "a patch, as `culprit`"),
	ROW("candidates[].k", I, "1-based"),
	ROW("candidates[].name", S, "its file name"),
	ROW("candidates[].subject", S, "its Subject:"),
	ROW("candidates[].sha256", S, "of the file"),
	ROW("seconds", N, "wall time so far"),
};

const struct schema_doc bisect_schema_doc = {
	.name = "bisect",
	.schema = "memhp-bisect",
	.title = "memhp bisect.json (memhp-bisect, version 1)",
	.rows = bisect_rows,
	.nrows = ARRAY_SIZE(bisect_rows),
	.walk = NULL,
};
