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

struct patch {
	char path[PATH_MAX];
	char name[256];
	char stem[128]; /* for directory names: the name without .patch, safe characters */
	char subject[512];
	char sha256[SHA256_HEX_LEN + 1];
};

struct step {
	unsigned k, round;
	char dir[PATH_MAX + 256], variant[64], spec[1024];
	char kernel[4200]; /* build-kernel's directory */
	double build_s;
	bool ran; /* ab has its numbers */
	struct ab_outcome ab;
	bool judged; /* a prefix judged against both ends: j has the SPRT */
	struct bisect_judgement j;
	enum bisect_mark mark;
	char why[800];
};

struct bisect_run {
	char out[PATH_MAX];
	const char *tree, *config, *scenario_path, *range;
	struct scenario *scenario;
	struct patch *patches;
	unsigned n, confirm;
	char base_variant[VARIANT_FORMAT_MAX], base_dir[PATH_MAX + 16];
	struct ab_plan plan;
	struct bisect_sprt sprt;
	double *series_v; /* the whole series' values (step k = n), its end */
	size_t series_n;
	struct step *steps;
	size_t nsteps;
	const char *status;
	struct bisect_outcome *result;
	struct timespec t0;
};

static bool has_space(const char *s)
{
	return s && s[strcspn(s, " \t\n\"")];
}

/* The Subject: of a mail-formatted patch, folded lines joined and a
 * leading [PATCH ...] dropped (as git am does); "" when it has none. */
static void patch_subject(const char *path, char *out, size_t len)
{
	char line[1024];
	bool in = false;
	FILE *f = fopen(path, "r");

	*out = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (in && (*line == ' ' || *line == '\t')) {
			size_t n = strlen(out);

			snprintf(out + n, len - n, " %s", line + strspn(line, " \t"));
			continue;
		}
		if (in || !*line || !strncmp(line, "diff ", 5) || !strncmp(line, "---", 3))
			break;
		if (!strncasecmp(line, "Subject:", 8)) {
			in = true;
			snprintf(out, len, "%s", line + 8 + strspn(line + 8, " \t"));
		}
	}
	fclose(f);
	if (*out == '[' && strchr(out, ']')) {
		const char *p = strchr(out, ']') + 1;

		memmove(out, p + strspn(p, " "), strlen(p + strspn(p, " ")) + 1);
	}
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct patch *)a)->name, ((const struct patch *)b)->name);
}

static bool is_patch_name(const char *n)
{
	size_t l = strlen(n);

	return *n != '.' && ((l > 6 && !strcmp(n + l - 6, ".patch")) ||
			     (l > 5 && !strcmp(n + l - 5, ".diff")));
}

/* The series in dir: *.patch and *.diff in (C locale) name order, as
 * guest-image/build-kernel reads a directory. */
static int load_series(const char *dir, struct patch **out, unsigned *n, struct err *err)
{
	struct patch *v = NULL;
	size_t nv = 0;
	DIR *d = opendir(dir);
	struct dirent *e;

	*out = NULL;
	*n = 0;
	if (!d)
		return err_fail(err, -errno, "--series %s: %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		struct patch *p, *grown;
		struct stat st;
		int fd;

		if (!is_patch_name(e->d_name))
			continue;
		grown = realloc(v, (nv + 1) * sizeof(*v));
		if (!grown) {
			closedir(d);
			free(v);
			return err_fail(err, -ENOMEM, "out of memory");
		}
		v = grown;
		p = &v[nv];
		memset(p, 0, sizeof(*p));
		if (snprintf(p->path, sizeof(p->path), "%s/%s", dir, e->d_name) >=
			    (int)sizeof(p->path) ||
		    stat(p->path, &st) || !S_ISREG(st.st_mode))
			continue;
		nv++;
		str_copy(p->name, sizeof(p->name), e->d_name);
		snprintf(p->stem, sizeof(p->stem), "%.*s", (int)(strrchr(p->name, '.') - p->name),
			 p->name);
		for (char *c = p->stem; *c; c++)
			if (!strchr(SH_SAFE, *c) || *c == '/' || *c == '=' || *c == ':' || *c == '%')
				*c = '_';
		patch_subject(p->path, p->subject, sizeof(p->subject));
		fd = open(p->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || sha256_fd_hex(fd, p->path, p->sha256, err)) {
			int rc = fd < 0 ? err_fail(err, -errno, "%s: %s", p->path, strerror(errno))
					: -EIO;

			if (fd >= 0)
				close(fd);
			closedir(d);
			free(v);
			return rc;
		}
		close(fd);
	}
	closedir(d);
	if (!nv) {
		free(v);
		return err_fail(err, -ENOENT, "--series %s: no *.patch or *.diff in it", dir);
	}
	qsort(v, nv, sizeof(*v), by_name);
	*out = v;
	*n = (unsigned)nv;
	return 0;
}

/* git format-patch A..B of tree into dir (emptied of patches first). */
/* git -C TREE, the start of every git command bisect runs. */
static void git_argv(struct argv *a, const char *tree)
{
	argv_add(a, "git");
	argv_add(a, "-C");
	argv_add(a, "%s", tree);
}

/* The commit REV names in TREE (newline included), or an error. */
static int git_rev_parse(const char *tree, const char *rev, char **out, struct err *err)
{
	struct argv a = { 0 };
	int rc;

	git_argv(&a, tree);
	argv_add(&a, "rev-parse");
	argv_add(&a, "--verify");
	argv_add(&a, "-q");
	argv_add(&a, "%s", rev);
	rc = spawn_capture(&a, out, err);
	argv_free(&a);
	return rc;
}

static int series_from_range(const char *tree, const char *range, const char *dir,
			     struct err *err)
{
	char *head = NULL, *base = NULL, *out = NULL, rev[600];
	const char *dots = strstr(range, "..");
	struct argv a = { 0 };
	DIR *d;
	struct dirent *e;
	int rc;

	if (!dots || dots == range || !dots[2] || dots[2] == '.' || strchr(dots + 2, '.') == dots + 2)
		return err_fail(err, -EINVAL, "--range '%s' is not A..B", range);
	rc = git_rev_parse(tree, "HEAD", &head, err);
	if (rc)
		return err_wrap(err, -EINVAL, "--range needs --tree to be a git checkout ('%s' is "
					      "not one)", tree);
	snprintf(rev, sizeof(rev), "%.*s^{commit}", (int)(dots - range), range);
	rc = git_rev_parse(tree, rev, &base, err);
	if (rc) {
		free(head);
		return err_fail(err, -EINVAL, "--range '%s': '%.*s' is no commit of %s", range,
				(int)(dots - range), range, tree);
	}
	head[strcspn(head, "\n")] = base[strcspn(base, "\n")] = '\0';
	if (strcmp(head, base)) {
		err_set(err, "--range '%s': %s is at %.12s, not at %.*s (%.12s): the baseline is the "
			     "tree as checked out, so check out %.*s first (or give the patches "
			     "with --series)", range, tree, head, (int)(dots - range), range, base,
			(int)(dots - range), range);
		free(head);
		free(base);
		return -EINVAL;
	}
	free(head);
	free(base);
	rc = make_dirs(dir);
	if (rc)
		return err_fail(err, rc, "%s: %s", dir, strerror(-rc));
	/* The range's patches only: an older run's are removed first. */
	if ((d = opendir(dir))) {
		while ((e = readdir(d))) {
			char p[PATH_MAX + 512];

			if (!is_patch_name(e->d_name))
				continue;
			snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
			unlink(p);
		}
		closedir(d);
	}
	git_argv(&a, tree);
	argv_add(&a, "format-patch");
	argv_add(&a, "-q");
	argv_add(&a, "--no-signature");
	argv_add(&a, "-o");
	argv_add(&a, "%s", dir);
	argv_add(&a, "%s", range);
	rc = spawn_capture(&a, &out, err);
	argv_free(&a);
	free(out);
	return rc ? err_wrap(err, -EINVAL, "--range '%s'", range) : 0;
}

/* Copy src to dst unless dst has its bytes already. */
static int copy_file(const char *src, const char *dst, struct err *err)
{
	char buf[65536];
	FILE *in = fopen(src, "rbe");
	struct atomic_file af;
	size_t n;
	int rc;

	if (!in)
		return err_fail(err, -errno, "%s: %s", src, strerror(errno));
	rc = atomic_open(&af, dst, 0644, err);
	if (rc) {
		fclose(in);
		return rc;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, af.f);
	if (ferror(in)) {
		fclose(in);
		atomic_abort(&af);
		return err_fail(err, -EIO, "cannot copy %s to %s", src, dst);
	}
	fclose(in);
	return atomic_commit(&af, err);
}

/* OUT/series/k-K: the first k patches, as their own series directory. The
 * kernel's cache key hashes each patch's name and bytes, so a prefix is the
 * same kernel whatever directory holds it. */
static int prefix_series(const struct bisect_run *b, unsigned k, char *dir, size_t len,
			 struct err *err)
{
	int rc;

	snprintf(dir, len, "%s/series/k-%u", b->out, k);
	rc = make_dirs(dir);
	if (rc)
		return err_fail(err, rc, "%s: %s", dir, strerror(-rc));
	for (unsigned i = 0; i < k; i++) {
		char dst[PATH_MAX + 300];

		snprintf(dst, sizeof(dst), "%s/%s", dir, b->patches[i].name);
		rc = copy_file(b->patches[i].path, dst, err);
		if (rc)
			return rc;
	}
	return 0;
}

static double since(const struct timespec *t0)
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

static const char *decision(const struct step *s)
{
	if (!s->ran)
		return "no kernel";
	if (s->judged)
		return s->j.mark == BISECT_BAD ? "like the series" :
		       s->j.mark == BISECT_GOOD ? "like the baseline" : "undecided";
	if (s->ab.verdict != SEQ_CONTINUE)
		return ab_seq_name(s->ab.verdict);
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
	json_object_object_add(o, "decision", json_object_new_string(decision(s)));
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
		json_object_object_add(d, "verdict", json_object_new_string(ab_seq_name(s->ab.verdict)));
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
static int write_summary(const struct bisect_run *b)
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
	json_object_object_add(root, "seconds", json_object_new_double(since(&b->t0)));
	rc = json_write_atomic(root, b->out, "bisect.json", &err);
	json_object_put(root);
	if (rc)
		fprintf(stderr, "memhp bisect: cannot write bisect.json: %s\n", err.msg);
	return rc;
}

/* A bisect.json already in OUT must be of the same inputs: else the runs
 * there are of other kernels and would be mixed into these. */
static int check_inputs(const struct bisect_run *b, struct err *err)
{
	char path[PATH_MAX + 16];
	json_object *old, *oldin = NULL, *newin;
	const char *keys[] = { "tree", "config", "scenario_sha256", "patches" };
	const char *names[] = { "tree", "config fragment", "scenario text", "series" };
	int rc = 0;

	snprintf(path, sizeof(path), "%s/bisect.json", b->out);
	if (access(path, F_OK))
		return 0;
	old = json_object_from_file(path);
	if (!old || !json_object_object_get_ex(old, "inputs", &oldin)) {
		json_object_put(old);
		return err_fail(err, -EINVAL, "%s: not a bisect.json memhp can read: give another "
					      "--output", path);
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
	return rc;
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
	printf("%s (%s)%s%s\n", bisect_mark_name(s->mark), decision(s), *s->why ? ": " : "",
	       s->why);
	fflush(stdout);
}

/* The probe: prefix k in round r, by the sequential A/B against the
 * baseline. */
static int probe(void *ctx, unsigned k, unsigned round, enum bisect_mark *mark)
{
	struct bisect_run *b = ctx;
	struct step *s, *grown;
	char series[PATH_MAX + 32], variant[VARIANT_FORMAT_MAX];
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
	rc = prefix_series(b, k, series, sizeof(series), &err);
	if (rc) {
		fprintf(stderr, "memhp bisect: %s\n", err.msg);
		return -EIO;
	}
	if (snprintf(s->spec, sizeof(s->spec), "build:%s+%s", b->tree, series) >=
	    (int)sizeof(s->spec)) {
		fprintf(stderr, "memhp bisect: build:%s+%s: too long for a kernel spec\n", b->tree,
			series);
		return -EIO;
	}
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
	s->build_s = since(&t0);
	if (memhp_stop_signal)
		return -EINTR;
	if (rc) {
		snprintf(s->why, sizeof(s->why), "no kernel: %.700s", err.msg);
		*mark = BISECT_SKIP;
		print_step(b, s);
		write_summary(b);
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
		write_summary(b);
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
	write_summary(b);
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
	if (series && load_series(series, &b.patches, &b.n, &err)) {
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
		if (series_from_range(b.tree, b.range, range_dir, &err)) {
			fprintf(stderr, "memhp bisect: %s\n", err.msg);
			matrix_free(&m);
			return EXIT_USAGE;
		}
		series = range_dir;
		if (load_series(series, &b.patches, &b.n, &err)) {
			fprintf(stderr, "memhp bisect: %s\n", err.msg);
			matrix_free(&m);
			return EXIT_USAGE;
		}
	}
	if (check_inputs(&b, &err)) {
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
	write_summary(&b);
	/* The baseline first: nothing can be judged without it. */
	if (image_resolve(v.spec, NULL, b.config, &img, &err)) {
		fprintf(stderr, "memhp bisect: the baseline (%s) has no kernel: %s\n", v.spec,
			err.msg);
		b.status = memhp_stop_signal ? "interrupted" : "error";
		write_summary(&b);
		rc = memhp_stop_signal ? 128 + memhp_stop_signal : EXIT_USAGE;
		goto out;
	}
	rc = bisect_search(b.n, b.confirm, probe, &b, &res);
	b.result = rc ? NULL : &res;
	if (rc) {
		b.status = rc == -EINTR ? "interrupted" : "error";
		write_summary(&b);
		rc = rc == -EINTR ? 128 + (memhp_stop_signal ? memhp_stop_signal : 15) : EXIT_USAGE;
		goto out;
	}
	b.status = bisect_status_name(res.status);
	putchar('\n');
	switch (res.status) {
	case BISECT_FOUND:
	case BISECT_UNCONFIRMED: {
		const struct step *bad = find_step(&b, res.first, 0);
		const struct step *good = res.first > 1 ? find_step(&b, res.first - 1, 0) : NULL;

		printf("memhp bisect: the first bad patch is\n");
		print_patch(&b, res.first);
		printf("  with it (k=%u): %s (%s, %zu runs)", res.first, bisect_mark_name(bad->mark),
		       decision(bad), bad->ab.cand.n);
		if (good)
			printf("; without it (k=%u): %s (%s, %zu runs)", res.first - 1,
			       bisect_mark_name(good->mark), decision(good), good->ab.cand.n);
		else
			printf("; without it: the baseline (%zu runs)", bad->ab.base.n);
		printf("\n");
		if (res.status == BISECT_FOUND) {
			printf("memhp bisect: confirmed (%u verdict%s each side, all decided), "
			       "%.0f s\n", b.confirm, b.confirm == 1 ? "" : "s", since(&b.t0));
			rc = EXIT_OK;
		} else {
			const struct bisect_step *last = &res.steps[res.nsteps - 1];

			printf("memhp bisect: NOT confirmed: confirmation round %u of k=%u said %s "
			       "(expected %s), %.0f s\n", last->round, last->k,
			       bisect_mark_name(last->mark), last->k == res.first ? "bad" : "good",
			       since(&b.t0));
			rc = EXIT_RUN_FAILED;
		}
		break;
	}
	case BISECT_AMBIGUOUS:
		printf("memhp bisect: ambiguous: skipped steps leave %u candidates for the first "
		       "bad patch (k=%u good, k=%u bad):\n", res.last - res.first + 1,
		       res.first - 1, res.last);
		for (unsigned k = res.first; k <= res.last; k++)
			print_patch(&b, k);
		printf("memhp bisect: more --max-repeats may decide the skipped steps; %.0f s\n",
		       since(&b.t0));
		rc = EXIT_RUN_FAILED;
		break;
	case BISECT_NO_REGRESSION:
	case BISECT_UNDECIDED: {
		const struct step *all = find_step(&b, b.n, 0);

		printf("memhp bisect: the whole series is not %s regression against the "
		       "baseline (%s): nothing to bisect; %.0f s\n",
		       res.status == BISECT_UNDECIDED ? "shown to be a" : "a",
		       all ? decision(all) : "?", since(&b.t0));
		rc = res.status == BISECT_UNDECIDED ? EXIT_BISECT_UNDECIDED : EXIT_NOT_REGRESSION;
		break;
	}
	}
	write_summary(&b);
out:
	bisect_free(&res);
	free(b.steps);
	free(b.patches);
	free(b.series_v);
	matrix_free(&m);
	return rc;
}
