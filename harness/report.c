// SPDX-License-Identifier: GPL-2.0-only
/*
 * Result files gathered for memhp report and compare: loaded, checked and
 * grouped by scenario and variant (report.h).
 */
#include <dirent.h>
#include <search.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "report.h"
#include "units.h"

#define MAX_DEPTH 6 /* results/<matrix>/<host>/<run>/result.json and some slack */

struct pathlist {
	char **v;
	size_t n;
};

static void pathlist_add(struct pathlist *l, const char *p)
{
	char **v = realloc(l->v, (l->n + 1) * sizeof(*v));

	if (!v || !(v[l->n] = strdup(p)))
		abort();
	l->v = v;
	l->n++;
}

/* Files and directories already taken, by identity: a link to a directory
 * of the set (`latest -> .`), the same path given twice or a hard link is
 * read once. */
struct seen {
	void *root; /* a tsearch tree of struct seen_id */
};

struct seen_id {
	dev_t dev;
	ino_t ino;
	char path[];
};

static int cmp_id(const void *a, const void *b)
{
	const struct seen_id *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/* The path that first had st's identity, or NULL (and st is now seen). */
static const char *seen_before(struct seen *s, const struct stat *st, const char *path)
{
	struct seen_id *id = malloc(sizeof(*id) + strlen(path) + 1), **node;

	if (!id)
		abort();
	id->dev = st->st_dev;
	id->ino = st->st_ino;
	strcpy(id->path, path);
	node = tsearch(id, &s->root, cmp_id);
	if (!node)
		abort();
	if (*node != id) {
		free(id);
		return (*node)->path;
	}
	return NULL;
}

static void seen_free(struct seen *s)
{
	tdestroy(s->root, free);
	s->root = NULL;
}

/* Runs are the same run when run_id and start time agree. */
static int cmp_same_run(const void *a, const void *b)
{
	const struct report_run *x = a, *y = b;
	int c = strcmp(x->rec.run_id, y->rec.run_id);

	return c ? c : strcmp(x->rec.started, y->rec.started);
}

static void nop_free(void *p)
{
	(void)p;
}

static void skip_same(struct pathlist *bad, const char *path, const char *kind, const char *first)
{
	char msg[8600];

	snprintf(msg, sizeof(msg), "%s: the same %s as %s, read once", path, kind, first);
	pathlist_add(bad, msg);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every result.json under dir, in name order, each file and directory once:
 * within a directory, real entries before symbolic links, so that a link
 * such as `latest` is the one said to be skipped. */
static void walk(const char *dir, int depth, struct seen *seen, struct pathlist *found,
		 struct pathlist *bad)
{
	struct pathlist names = { 0 };
	struct dirent *d;
	DIR *dp = opendir(dir);

	if (!dp) {
		char msg[4200];

		snprintf(msg, sizeof(msg), "%s: %s", dir, strerror(errno));
		pathlist_add(bad, msg);
		return;
	}
	while ((d = readdir(dp)))
		if (d->d_name[0] != '.')
			pathlist_add(&names, d->d_name);
	closedir(dp);
	if (names.n)
		qsort(names.v, names.n, sizeof(*names.v), cmp_str);
	for (int links = 0; links < 2; links++) {
		for (size_t i = 0; i < names.n; i++) {
			char path[4200];
			struct stat st, lst;
			const char *first;

			snprintf(path, sizeof(path), "%s/%s", dir, names.v[i]);
			if (lstat(path, &lst) < 0 || S_ISLNK(lst.st_mode) != links)
				continue;
			bool have = stat(path, &st) == 0;

			if (have && S_ISDIR(st.st_mode)) {
				if (depth >= MAX_DEPTH)
					continue;
				if ((first = seen_before(seen, &st, path)))
					skip_same(bad, path, "directory", first);
				else
					walk(path, depth + 1, seen, found, bad);
			} else if (!strcmp(names.v[i], "result.json")) {
				/* A FIFO or device of that name would hang or flood the reader. */
				if (have && S_ISREG(st.st_mode)) {
					if ((first = seen_before(seen, &st, path)))
						skip_same(bad, path, "file", first);
					else
						pathlist_add(found, path);
				} else {
					char msg[4300];

					snprintf(msg, sizeof(msg), "%s: %s", path,
						 have ? "not a regular file" : strerror(errno));
					pathlist_add(bad, msg);
				}
			}
		}
	}
	for (size_t i = 0; i < names.n; i++)
		free(names.v[i]);
	free(names.v);
}

const char *report_variant_label(const struct run_record *r)
{
	if (*r->variant)
		return r->variant;
	if (*r->kernel_release)
		return r->kernel_release;
	return *r->kernel_spec ? r->kernel_spec : "?";
}

const struct run_record *report_rec(const struct report *rep, const struct report_group *g,
				    size_t i)
{
	return &rep->runs[g->runs[i]].rec;
}

int report_change(const struct report_group *base, const struct report_group *g, char *buf,
		  size_t len)
{
	double d = g->removed.mean - base->removed.mean;

	if (g == base)
		snprintf(buf, len, "baseline");
	else if (!g->nok || !base->nok)
		snprintf(buf, len, "-");
	else if (base->removed.mean == 0)
		snprintf(buf, len, "%+.1f", d);
	else
		snprintf(buf, len, "%+.1f (%+.1f%%)", d, 100 * d / base->removed.mean);
	return g == base || !g->nok || !base->nok ? 0 : (d > 0) - (d < 0);
}

const char *report_format_bytes(double bytes, char *buf, size_t len)
{
	uint64_t v;

	if (!(bytes > 0))
		v = 0;
	else if (bytes >= 18446744073709549568.0) /* the largest double below 2^64 */
		v = UINT64_MAX;
	else
		v = (uint64_t)bytes;
	return format_size(v, buf, len);
}

/* Runs in the order they started, so that "first seen" means something. */
static int cmp_run(const void *a, const void *b)
{
	const struct report_run *x = a, *y = b;
	int c = strcmp(x->rec.started, y->rec.started);

	return c ? c : strcmp(x->rec.run_id, y->rec.run_id);
}

static struct report_scenario *scenario_of(struct report *rep, const struct run_record *r)
{
	struct report_scenario *s;

	for (size_t i = 0; i < rep->nscenarios; i++)
		if (!strcmp(rep->scenarios[i].name, r->scenario_name))
			return &rep->scenarios[i];
	s = realloc(rep->scenarios, (rep->nscenarios + 1) * sizeof(*s));
	if (!s)
		abort();
	rep->scenarios = s;
	s = &s[rep->nscenarios++];
	*s = (struct report_scenario){ .name = r->scenario_name, .sweep = &r->sweep };
	snprintf(s->method, sizeof(s->method), "%s", r->method);
	snprintf(s->policy, sizeof(s->policy), "%s", r->policy);
	return s;
}

static struct report_group *group_of(struct report_scenario *s, const char *variant)
{
	struct report_group *g;

	for (size_t i = 0; i < s->ngroups; i++)
		if (!strcmp(s->groups[i].variant, variant))
			return &s->groups[i];
	g = realloc(s->groups, (s->ngroups + 1) * sizeof(*g));
	if (!g)
		abort();
	s->groups = g;
	g = &g[s->ngroups++];
	*g = (struct report_group){ .variant = variant };
	return g;
}

/* report_group.mixed: the first two ok runs that ran different kernels. A
 * run from before the inputs digest has none: not a difference. */
static void group_mixed(const struct report *rep, struct report_group *g)
{
	static const struct {
		const char *name;
		size_t off;
		bool empty_is_unknown;
	} fields[] = {
		{ "release", offsetof(struct run_record, kernel_release), false },
		{ "inputs", offsetof(struct run_record, variant_inputs), true },
	};

	for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
		const char *first = NULL;

		for (size_t i = 0; i < g->nruns; i++) {
			const struct run_record *r = report_rec(rep, g, i);
			const char *v = (const char *)r + fields[f].off;

			if (r->status != RUN_OK || (fields[f].empty_is_unknown && !*v))
				continue;
			if (!first) {
				first = v;
			} else if (strcmp(v, first)) {
				g->mixed = fields[f].name;
				g->mixed_a = first;
				g->mixed_b = v;
				return;
			}
		}
	}
}

static void group_stats(const struct report *rep, struct report_group *g)
{
	double *removed = calloc(g->nruns + 1, sizeof(double));
	double *bytes = calloc(g->nruns + 1, sizeof(double));
	double *ph = calloc(g->nruns + 1, sizeof(double));
	size_t n = 0;

	if (!removed || !bytes || !ph)
		abort();
	for (size_t i = 0; i < g->nruns; i++) {
		const struct run_record *r = report_rec(rep, g, i);

		if (!g->block_size)
			g->block_size = r->count.block_size;
		if (r->status != RUN_OK)
			continue;
		if (r->count.hotplugged > g->of)
			g->of = r->count.hotplugged;
		removed[n] = r->count.removed;
		bytes[n] = (double)result_bytes_unplugged(&r->count);
		n++;
	}
	g->nok = n;
	group_mixed(rep, g);
	stats_of(removed, n, &g->removed);
	stats_of(bytes, n, &g->bytes_unplugged);
	for (unsigned p = 0; p < PHASE_COUNT; p++) {
		size_t m = 0;

		for (size_t i = 0; i < g->nruns; i++) {
			const struct run_record *r = report_rec(rep, g, i);

			if (r->status == RUN_OK && r->phase_ms[p] >= 0)
				ph[m++] = (double)r->phase_ms[p] / 1000;
		}
		stats_of(ph, m, &g->phase_s[p]);
	}
	free(removed);
	free(bytes);
	free(ph);
}

/* Move the baseline group to the front of every scenario that has it. */
static bool put_first(struct report *rep, const char *baseline)
{
	bool seen = false;

	for (size_t i = 0; i < rep->nscenarios; i++) {
		struct report_scenario *s = &rep->scenarios[i];

		for (size_t j = 0; j < s->ngroups; j++) {
			if (strcmp(s->groups[j].variant, baseline))
				continue;
			struct report_group g = s->groups[j];

			memmove(&s->groups[1], &s->groups[0], j * sizeof(g));
			s->groups[0] = g;
			seen = true;
			break;
		}
	}
	return seen;
}

const char *report_sweep_value(const struct report_scenario *s, const char *key)
{
	for (unsigned k = 0; s->sweep && k < s->sweep->n; k++)
		if (!strcmp(s->sweep->kv[k].key, key))
			return s->sweep->kv[k].value;
	return NULL;
}

/* Scenarios that are sweep points, gathered by the scenario file they came
 * from (a result without a base: its own name). */
static void find_sweeps(struct report *rep)
{
	for (size_t i = 0; i < rep->nscenarios; i++) {
		const struct report_scenario *s = &rep->scenarios[i];
		const struct run_record *r = &rep->runs[s->groups[0].runs[0]].rec;
		const char *base = *r->scenario_base ? r->scenario_base : r->scenario_name;
		struct report_sweep *sw = NULL;
		size_t *v;

		if (!s->sweep->n)
			continue;
		for (size_t j = 0; j < rep->nsweeps && !sw; j++)
			if (!strcmp(rep->sweeps[j].base, base))
				sw = &rep->sweeps[j];
		if (!sw) {
			sw = realloc(rep->sweeps, (rep->nsweeps + 1) * sizeof(*sw));
			if (!sw)
				abort();
			rep->sweeps = sw;
			sw = &sw[rep->nsweeps++];
			*sw = (struct report_sweep){ .base = base };
		}
		v = realloc(sw->scenarios, (sw->n + 1) * sizeof(*v));
		if (!v)
			abort();
		sw->scenarios = v;
		v[sw->n++] = i;
		for (unsigned k = 0; k < s->sweep->n; k++) {
			bool seen = false;

			for (size_t j = 0; j < sw->nkeys && !seen; j++)
				seen = !strcmp(sw->keys[j], s->sweep->kv[k].key);
			if (!seen && sw->nkeys < REPORT_SWEEP_KEYS)
				snprintf(sw->keys[sw->nkeys++], sizeof(sw->keys[0]), "%s",
					 s->sweep->kv[k].key);
		}
	}
}

size_t report_sweep_values(const struct report *rep, const struct report_sweep *sw, size_t k,
			   const char **values, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < sw->n; i++) {
		const char *v = report_sweep_value(&rep->scenarios[sw->scenarios[i]], sw->keys[k]);
		bool seen = !v;

		for (size_t j = 0; j < n && !seen; j++)
			seen = !strcmp(values[j], v);
		if (!seen && n < max)
			values[n++] = v;
	}
	return n;
}

size_t report_sweep_variants(const struct report *rep, const struct report_sweep *sw,
			     const char **variants, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < sw->n; i++) {
		const struct report_scenario *s = &rep->scenarios[sw->scenarios[i]];

		for (size_t g = 0; g < s->ngroups; g++) {
			bool seen = false;

			for (size_t j = 0; j < n && !seen; j++)
				seen = !strcmp(variants[j], s->groups[g].variant);
			if (!seen && n < max)
				variants[n++] = s->groups[g].variant;
		}
	}
	return n;
}

/* Hot-added blocks of r that were onlined to ZONE_MOVABLE. */
static unsigned onlined_movable(const struct run_record *r)
{
	unsigned n = 0;

	for (size_t b = 0; b < r->nblocks; b++)
		n += !strcmp(r->blocks[b].zone, "Movable");
	return n;
}

double report_movable_mean(const struct report *rep, const struct report_group *g)
{
	double sum = 0;

	for (size_t i = 0; i < g->nruns; i++) {
		const struct run_record *r = report_rec(rep, g, i);

		if (r->status == RUN_OK)
			sum += onlined_movable(r);
	}
	return g->nok ? sum / (double)g->nok : 0;
}

void report_sweep_stats(const struct report *rep, const struct report_sweep *sw, size_t k,
			const char *value, const char *variant, struct stats *st, unsigned *of,
			double *movable, size_t *runs)
{
	size_t n = 0, cap = 0;
	double *x = NULL, mov = 0;

	*of = 0;
	*runs = 0;
	for (size_t i = 0; i < sw->n; i++) {
		const struct report_scenario *s = &rep->scenarios[sw->scenarios[i]];
		const char *v = value ? report_sweep_value(s, sw->keys[k]) : NULL;

		if (value && (!v || strcmp(v, value)))
			continue;
		for (size_t g = 0; g < s->ngroups; g++) {
			const struct report_group *gr = &s->groups[g];

			if (strcmp(gr->variant, variant))
				continue;
			*runs += gr->nruns;
			for (size_t j = 0; j < gr->nruns; j++) {
				const struct run_record *r = report_rec(rep, gr, j);

				if (r->status != RUN_OK)
					continue;
				if (n == cap) {
					cap = cap ? 2 * cap : 16;
					x = realloc(x, cap * sizeof(*x));
					if (!x)
						abort();
				}
				x[n++] = r->count.removed;
				mov += onlined_movable(r);
				if (r->count.hotplugged > *of)
					*of = r->count.hotplugged;
			}
		}
	}
	stats_of(x, n, st);
	*movable = n ? mov / (double)n : 0;
	free(x);
}

int report_load(struct report *rep, char *const *paths, size_t npaths, const char *baseline,
		struct err *err)
{
	struct pathlist files = { 0 }, bad = { 0 };
	struct seen seen = { 0 };
	void *runs_seen = NULL;

	memset(rep, 0, sizeof(*rep));
	for (size_t i = 0; i < npaths; i++) {
		const char *first;
		struct stat st;

		if (stat(paths[i], &st) < 0) {
			err_set(err, "%s: %s", paths[i], strerror(errno));
			seen_free(&seen);
			goto fail;
		}
		if ((first = seen_before(&seen, &st, paths[i])))
			skip_same(&bad, paths[i], S_ISDIR(st.st_mode) ? "directory" : "file", first);
		else if (S_ISDIR(st.st_mode))
			walk(paths[i], 0, &seen, &files, &bad);
		else
			pathlist_add(&files, paths[i]);
	}
	seen_free(&seen);
	rep->runs = calloc(files.n + 1, sizeof(*rep->runs));
	if (!rep->runs)
		abort();
	for (size_t i = 0; i < files.n; i++) {
		struct report_run *run = &rep->runs[rep->nruns];
		struct err e;

		struct report_run **same;

		if (result_read(files.v[i], &run->rec, &e)) {
			pathlist_add(&bad, e.msg);
			free(files.v[i]);
			continue;
		}
		/* A copy of a run (cp -r, a second download) is the same run. */
		same = tsearch(run, &runs_seen, cmp_same_run);
		if (!same)
			abort();
		if (*same != run) {
			char msg[9000];

			snprintf(msg, sizeof(msg), "%s: the same run (run_id %s, started %s) as %s, "
				 "counted once", files.v[i], run->rec.run_id, run->rec.started,
				 (*same)->path);
			pathlist_add(&bad, msg);
			result_free(&run->rec);
			free(files.v[i]);
			continue;
		}
		run->path = files.v[i];
		rep->nruns++;
	}
	tdestroy(runs_seen, nop_free);
	free(files.v);
	files = (struct pathlist){ 0 };
	rep->skipped = bad.v;
	rep->nskipped = bad.n;
	if (!rep->nruns) {
		err_set(err, "no memhp result in %s%s%s", npaths ? paths[0] : "(nothing given)",
			npaths > 1 ? " and the rest" : "",
			bad.n ? " (files that were not results are listed above)" : "");
		return -ENOENT;
	}
	qsort(rep->runs, rep->nruns, sizeof(*rep->runs), cmp_run);
	for (size_t i = 0; i < rep->nruns; i++) {
		const struct run_record *r = &rep->runs[i].rec;
		struct report_group *g = group_of(scenario_of(rep, r), report_variant_label(r));
		size_t *v = realloc(g->runs, (g->nruns + 1) * sizeof(*v));

		if (!v)
			abort();
		v[g->nruns++] = i;
		g->runs = v;
	}
	find_sweeps(rep);
	if (baseline && !put_first(rep, baseline)) {
		err_set(err, "baseline variant '%s' is in none of the results", baseline);
		return -ENOENT;
	}
	for (size_t i = 0; i < rep->nscenarios; i++)
		for (size_t j = 0; j < rep->scenarios[i].ngroups; j++)
			group_stats(rep, &rep->scenarios[i].groups[j]);
	return 0;
fail:
	for (size_t i = 0; i < files.n; i++)
		free(files.v[i]);
	free(files.v);
	for (size_t i = 0; i < bad.n; i++)
		free(bad.v[i]);
	free(bad.v);
	return -ENOENT;
}

void report_free(struct report *rep)
{
	for (size_t i = 0; i < rep->nscenarios; i++) {
		for (size_t j = 0; j < rep->scenarios[i].ngroups; j++)
			free(rep->scenarios[i].groups[j].runs);
		free(rep->scenarios[i].groups);
	}
	free(rep->scenarios);
	for (size_t i = 0; i < rep->nsweeps; i++)
		free(rep->sweeps[i].scenarios);
	free(rep->sweeps);
	for (size_t i = 0; i < rep->nruns; i++) {
		result_free(&rep->runs[i].rec);
		free(rep->runs[i].path);
	}
	free(rep->runs);
	for (size_t i = 0; i < rep->nskipped; i++)
		free(rep->skipped[i]);
	free(rep->skipped);
	memset(rep, 0, sizeof(*rep));
}
