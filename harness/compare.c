// SPDX-License-Identifier: GPL-2.0-only
/*
 * memhp compare's decisions: per scenario, variant and metric, a verdict
 * from the runs' values (compare.h); the output is compare_format.c's.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"

enum metric_id { M_REMOVED, M_BYTES, M_UNPLUG, M_RSS_RETURNED, M_COUNT };

static const struct metric metrics[M_COUNT] = {
	[M_REMOVED] = { "blocks_removed", "blocks", +1, "two-sample", 3, false },
	[M_BYTES] = { "mib_unplugged", "MiB", +1, "two-sample", 3, false },
	[M_UNPLUG] = { "unplug_s", "s", -1, "two-sample", 10, false },
	/* Only when asked for (--metric): results from before the RSS points
	 * and libvirt runs without them would make it an error by default. */
	[M_RSS_RETURNED] = { "rss_returned_mib", "MiB", +1, "two-sample", 10, true },
};

static const char *const verdict_names[] = {
	[V_SAME] = "same", [V_BETTER] = "better", [V_REGRESSION] = "regression",
	[V_UNDECIDED] = "undecided", [V_ERROR] = "error",
};

const struct metric *compare_metric(const char *name)
{
	for (size_t i = 0; i < M_COUNT; i++)
		if (!strcmp(metrics[i].name, name))
			return &metrics[i];
	return NULL;
}

bool compare_metric_wanted(const struct metric *m, const struct compare_opts *o)
{
	return !m->opt_in || (o && o->metric && !strcmp(o->metric, m->name));
}

double compare_margin(const struct compare_opts *o, const struct metric *m)
{
	return o->margin_pct > 0 ? o->margin_pct : m->margin_pct;
}

const char *compare_verdict_name(enum verdict v)
{
	return verdict_names[v];
}

const char *compare_overall(const struct compare_result *res)
{
	if (res->count[V_REGRESSION])
		return "regression";
	if (res->count[V_ERROR] || !res->n)
		return "error";
	if (res->count[V_UNDECIDED])
		return "undecided";
	return "ok";
}

int compare_exit_code(const struct compare_result *res)
{
	if (res->count[V_REGRESSION])
		return 1;
	if (res->count[V_ERROR] || !res->n)
		return 2;
	if (res->count[V_UNDECIDED])
		return EXIT_UNDECIDED;
	return 0;
}

static double metric_value(enum metric_id m, const struct run_record *r)
{
	switch (m) {
	case M_REMOVED: return r->count.removed;
	case M_BYTES: return (double)result_bytes_unplugged(&r->count) / 1048576;
	case M_UNPLUG: return r->phase_ms[PHASE_UNPLUG] >= 0 ? (double)r->phase_ms[PHASE_UNPLUG] / 1000
							     : NAN;
	case M_RSS_RETURNED: return result_have_rss_returned(r) ?
					    (double)result_rss_returned(r) / 1048576 : NAN;
	default: return NAN;
	}
}

double compare_value(const struct metric *m, const struct run_record *r)
{
	return metric_value((enum metric_id)(m - metrics), r);
}

const struct metric *compare_metric_at(size_t i)
{
	return i < M_COUNT ? &metrics[i] : NULL;
}

/* Why an ok run's counts cannot be true, or NULL: more blocks removed than
 * were hot-added, more bytes left than were plugged. */
static const char *invalid_counts(const struct run_record *r, char *buf, size_t len)
{
	if (r->count.removed > r->count.hotplugged) {
		snprintf(buf, len, "%u blocks removed of %u hot-added", r->count.removed,
			 r->count.hotplugged);
		return buf;
	}
	if (r->count.bytes_remaining > r->count.bytes_plugged) {
		snprintf(buf, len, "%llu bytes still plugged of %llu plugged",
			 (unsigned long long)r->count.bytes_remaining,
			 (unsigned long long)r->count.bytes_plugged);
		return buf;
	}
	return NULL;
}

/* One side of a comparison: the metric over its ok runs, and how many failed
 * with the first failure's reason. */
struct side {
	struct stats s;
	double *v; /* the ok runs' values (malloc'ed) */
	size_t failed, invalid;
	const char *first_failure;
};

__attribute__((format(printf, 2, 3)))
static void note(struct compare_result *res, const char *fmt, ...);

static void collect(struct compare_result *res, const struct report *rep,
		    const struct report_group *g, enum metric_id m, struct side *side)
{
	double *v = calloc(g->nruns + 1, sizeof(double));
	size_t n = 0;

	if (!v)
		abort();
	memset(side, 0, sizeof(*side));
	for (size_t i = 0; i < g->nruns; i++) {
		const struct run_record *r = report_rec(rep, g, i);
		double x = metric_value(m, r);
		char why[160];

		if (r->status != RUN_OK) {
			if (!side->failed++)
				side->first_failure = r->reason;
			continue;
		}
		if (invalid_counts(r, why, sizeof(why))) {
			/* Said once per run, with the first metric. */
			if (m == 0)
				note(res, "%s: not a valid result: %s", rep->runs[g->runs[i]].path,
				     why);
			side->invalid++;
			continue;
		}
		if (isnan(x))
			continue;
		v[n++] = x;
	}
	stats_of(v, n, &side->s);
	side->v = v;
}

static double pct_of(double x, double base)
{
	return base != 0 ? 100 * x / base : (x == 0 ? 0 : NAN);
}

const char *compare_pct_text(char *buf, size_t len, double pct)
{
	if (isnan(pct))
		snprintf(buf, len, "n/a (baseline 0)");
	else
		snprintf(buf, len, "%+.2f%%", pct);
	return buf;
}

static void decide(struct comparison *c, const struct side *b, const struct side *k,
		   const struct compare_opts *o)
{
	const struct metric *m = c->metric;
	double diff = k->s.mean - b->s.mean;
	bool significant, large;
	unsigned need;

	c->change_pct = pct_of(diff, b->s.mean);
	c->p = c->lo_pct = c->hi_pct = NAN;
	c->diff = (struct mean_diff){ .diff = diff, .lo = NAN, .hi = NAN };
	if (!b->s.n || !k->s.n) {
		const struct side *bad = !k->s.n ? k : b;

		c->verdict = V_ERROR;
		snprintf(c->reason, sizeof(c->reason),
			 "no ok run on the %s side (%zu failed%s%s%s): an infrastructure failure, "
			 "not a measurement",
			 !k->s.n ? "candidate" : "baseline", bad->failed,
			 bad->invalid ? ", some invalid" : "",
			 bad->first_failure ? "; first: " : "",
			 bad->first_failure ? bad->first_failure : "");
		return;
	}
	/* Two runs a side say nothing a verdict could rest on: 3 at least. */
	need = o->min_repeats > 3 ? o->min_repeats : 3;
	c->margin_pct = compare_margin(o, m);
	if (b->s.n < need || k->s.n < need) {
		size_t have = b->s.n < k->s.n ? b->s.n : k->s.n;

		c->verdict = V_UNDECIDED;
		c->runs_more = (unsigned)(need - have);
		snprintf(c->reason, sizeof(c->reason),
			 "too few repeats to decide: %zu and %zu ok runs, %u needed on "
			 "each side (%u more a side)",
			 b->s.n, k->s.n, need, c->runs_more);
		return;
	}
	{
		struct two_sample t;
		struct decide_opts d = { o->alpha, o->min_effect_pct, c->margin_pct, m->better };
		enum decision dec;
		char more[80] = "", chg[24], lo[24], hi[24];

		/* Values no test can take (infinite, or their spread is) leave it
		 * undecided rather than decided on a number that means nothing. */
		if (stats_two_sample(b->v, b->s.n, k->v, k->s.n, o->alpha, &t)) {
			c->verdict = V_UNDECIDED;
			snprintf(c->reason, sizeof(c->reason),
				 "the runs' values cannot be tested (not finite)");
			return;
		}
		c->p = t.p;
		c->method = t.method;
		c->diff = (struct mean_diff){ .diff = t.diff, .lo = t.lo, .hi = t.hi, .se = t.se,
					      .df = t.df };
		dec = stats_decide(&t, &b->s, &k->s, &d, &c->runs_more);
		c->verdict = dec == DEC_WORSE ? V_REGRESSION : dec == DEC_BETTER ? V_BETTER :
			     dec == DEC_SAME ? V_SAME : V_UNDECIDED;
		if (c->verdict == V_UNDECIDED && c->runs_more)
			snprintf(more, sizeof(more), "; about %u more run%s a side would likely decide",
				 c->runs_more, c->runs_more == 1 ? "" : "s");
		else if (c->verdict == V_UNDECIDED && !b->s.sd && !k->s.sd)
			snprintf(more, sizeof(more), "; identical runs prove no equality");
		else if (c->verdict == V_UNDECIDED)
			snprintf(more, sizeof(more), "; more runs are not likely to decide it");
		c->tested = true;
		c->lo_pct = pct_of(c->diff.lo, b->s.mean);
		c->hi_pct = pct_of(c->diff.hi, b->s.mean);
		large = isnan(c->change_pct) || fabs(c->change_pct) >= o->min_effect_pct;
		significant = c->p < o->alpha;
		/* A zero baseline has no percentages: said, not "+nan%". */
		snprintf(c->reason, sizeof(c->reason),
			 "%s: p = %.3g %s %.3g, change %s %s %.2f%%, difference %+.6g %s, "
			 "%g%% interval [%+.6g, %+.6g] %s ([%s, %s]) %s +-%g%%%s",
			 t.method, c->p, significant ? "<" : ">=", o->alpha,
			 compare_pct_text(chg, sizeof(chg), c->change_pct), large ? ">=" : "<",
			 o->min_effect_pct, c->diff.diff, m->unit, 100 * (1 - o->alpha), c->diff.lo,
			 c->diff.hi, m->unit, compare_pct_text(lo, sizeof(lo), c->lo_pct),
			 compare_pct_text(hi, sizeof(hi), c->hi_pct),
			 c->verdict == V_SAME ? "within" : "not within", c->margin_pct, more);
	}
}

static int by_p(const void *a, const void *b)
{
	const struct comparison *x = *(const struct comparison *const *)a;
	const struct comparison *y = *(const struct comparison *const *)b;

	return (x->p > y->p) - (x->p < y->p);
}

void compare_holm(struct comparison *v, size_t n, double alpha)
{
	struct comparison **t = calloc(n + 1, sizeof(*t));
	size_t m = 0;
	double run = 0;

	if (!t)
		abort();
	for (size_t i = 0; i < n; i++) {
		v[i].p_adj = NAN;
		if (v[i].tested && !isnan(v[i].p))
			t[m++] = &v[i];
	}
	qsort(t, m, sizeof(*t), by_p);
	/* The adjusted p: the running maximum of (m - i) p_(i), at most 1. */
	for (size_t i = 0; i < m; i++) {
		double a = fmin(1, (double)(m - i) * t[i]->p);

		run = fmax(run, a);
		t[i]->p_adj = run;
		if ((t[i]->verdict == V_REGRESSION || t[i]->verdict == V_BETTER) && run >= alpha) {
			size_t len = strlen(t[i]->reason);

			snprintf(t[i]->reason + len, sizeof(t[i]->reason) - len,
				 "; not significant after Holm's correction over %zu comparisons "
				 "(adjusted p %.3g)", m, run);
			t[i]->verdict = V_UNDECIDED;
		}
	}
	free(t);
}

void compare_values(struct comparison *c, const struct metric *m, const double *b, size_t nb,
		    const double *k, size_t nk, const struct compare_opts *o)
{
	struct side sb = { .v = (double *)b }, sk = { .v = (double *)k };

	memset(c, 0, sizeof(*c));
	c->metric = m;
	stats_of(b, nb, &sb.s);
	stats_of(k, nk, &sk.s);
	c->base = sb.s;
	c->cand = sk.s;
	decide(c, &sb, &sk, o);
}

/* vsnprintf into out, ending in "..." when it does not fit. */
__attribute__((format(printf, 3, 4)))
static void append(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, len, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n >= len && len > 4)
		memcpy(out + len - 4, "...", 4);
}

/* The distinct values of one field over a group's ok runs, "a, b". */
static void field_values(const struct report *rep, const struct report_group *g,
			 const char *(*get)(const struct run_record *), char *out, size_t len)
{
	size_t n = 0;

	*out = '\0';
	for (size_t i = 0; i < g->nruns; i++) {
		const struct run_record *r = report_rec(rep, g, i);
		const char *v = get(r);
		char quoted[300];

		if (r->status != RUN_OK || !v)
			continue;
		snprintf(quoted, sizeof(quoted), "'%.280s'", *v ? v : "(none)");
		/* each value once */
		{
			const char *p = out;
			bool seen = false;

			while ((p = strstr(p, quoted))) {
				if ((p == out || p[-1] == ' ') && (p[strlen(quoted)] == ',' ||
								   !p[strlen(quoted)])) {
					seen = true;
					break;
				}
				p++;
			}
			if (seen)
				continue;
		}
		n = strlen(out);
		append(out + n, len - n, "%s%s", n ? ", " : "", quoted);
	}
}

static const char *get_vmm(const struct run_record *r) { return r->vmm_version; }
static const char *get_accel(const struct run_record *r) { return r->accel; }
static const char *get_backend(const struct run_record *r) { return r->backend; }
static const char *get_cmdline(const struct run_record *r) { return r->variant_cmdline; }
static const char *get_scenario(const struct run_record *r) { return r->scenario_sha256; }
static const char *get_host(const struct run_record *r) { return r->host; }
static const char *get_host_kernel(const struct run_record *r) { return r->host_kernel; }
/* issue 24: results from before the architecture was recorded are x86_64's. */
static const char *get_arch(const struct run_record *r) { return *r->arch ? r->arch : "x86_64"; }

/*
 * What else differs between two groups besides the kernel, as mmtests'
 * compare-kernels lists it: QEMU's version, the accelerator, the backend,
 * the variant's extra command line, the scenario's text (its sha256, which
 * covers the online policy), the host and its kernel.
 */
static void other_differences(const struct report *brep, const struct report_group *bg,
			      const struct report *crep, const struct report_group *cg,
			      char *out, size_t len)
{
	static const struct {
		const char *name;
		const char *(*get)(const struct run_record *);
	} fields[] = {
		{ "QEMU", get_vmm }, { "accel", get_accel }, { "backend", get_backend },
		{ "cmdline", get_cmdline }, { "scenario sha256", get_scenario },
		{ "host", get_host }, { "host kernel", get_host_kernel },
	};

	*out = '\0';
	for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
		char b[400], c[400];
		size_t n = strlen(out);

		field_values(brep, bg, fields[f].get, b, sizeof(b));
		field_values(crep, cg, fields[f].get, c, sizeof(c));
		if (!strcmp(b, c) || !*b || !*c)
			continue;
		append(out + n, len - n, "%s%s: %s against %s", n ? "; " : "", fields[f].name, b, c);
	}
}

static const char *const failure_names[] = {
	[FAIL_KERNEL_WARN] = "kernel WARN/BUG", [FAIL_OOM] = "OOM kill",
	[FAIL_UNPLUG] = "failed in unplug", [FAIL_INFRA] = "infrastructure",
};

const char *compare_failure_name(enum failure_kind k)
{
	return failure_names[k];
}

static bool kmsg_has(const struct run_record *r, const char *const *needles)
{
	for (size_t i = 0; i < r->nkmsg; i++)
		for (const char *const *n = needles; *n; n++)
			if (r->kmsg[i] && strstr(r->kmsg[i], *n))
				return true;
	return false;
}

/* A device whose unplug the guest kernel kept retrying without end
 * (outcome hung): memhp stops there and the run itself is ok. */
static bool has_hung(const struct run_record *r)
{
	for (size_t i = 0; i < r->ndevices; i++)
		if (r->devices[i].outcome == OUTCOME_HUNG)
			return true;
	return false;
}

/* Each run counts once per kind: a kernel warning or BUG in its kernel log,
 * an OOM kill, a failure in the unplug phase (a hung or refused unplug:
 * the kernel's; a hung device counts even in a run that ended ok), any
 * other failure (the infrastructure's, never the kernel's) unless the
 * kernel's log has a warning, BUG or oops (the runner adds the console's
 * oops to a failed run's log: note_oops()). */
static void failure_rates(const struct report *rep, const struct report_group *g,
			  struct failure_rates *f)
{
	static const char *const warn[] = { "WARNING:", "BUG:", "Oops:", "Kernel panic", NULL };
	static const char *const oom[] = { "Out of memory", "oom-kill", "invoked oom-killer", NULL };

	memset(f, 0, sizeof(*f));
	for (size_t i = 0; i < g->nruns; i++) {
		const struct run_record *r = report_rec(rep, g, i);
		bool warned = kmsg_has(r, warn);

		f->runs++;
		f->n[FAIL_KERNEL_WARN] += warned;
		f->n[FAIL_OOM] += kmsg_has(r, oom);
		if (r->status != RUN_OK) {
			if (!r->host_failure && !strcmp(r->failed_phase, "unplug"))
				f->n[FAIL_UNPLUG]++;
			else if (has_hung(r))
				f->n[FAIL_UNPLUG]++;
			else if (!warned) /* a run its kernel's oops ended is the kernel's */
				f->n[FAIL_INFRA]++;
		} else if (has_hung(r)) {
			f->n[FAIL_UNPLUG]++;
		}
	}
}

static void add(struct compare_result *res, const struct report *brep,
		const struct report_group *bg, const struct report *crep,
		const struct report_group *cg, const char *scenario, const struct compare_opts *o)
{
	char differs[600], ab[400], ac[400];
	struct failure_rates fb, fc;

	/* issue 24: never across architectures, nor within a group that mixes
	 * them (--arch given to some runs of the same directory). Over ok runs:
	 * a side without one has nothing to compare anyway (its failures are
	 * reported as such). */
	field_values(brep, bg, get_arch, ab, sizeof(ab));
	field_values(crep, cg, get_arch, ac, sizeof(ac));
	if ((*ab && *ac && strcmp(ab, ac)) || strchr(ab, ',') || strchr(ac, ',')) {
		note(res, "%s: '%s' against '%s': architectures %s against %s "
		     "(memhp never compares across architectures)", scenario, bg->variant,
		     cg->variant, ab, ac);
		return;
	}
	/* Nor a side whose runs ran two kernels under one name (a result
	 * directory resumed after the series changed, two directories
	 * pooled): its numbers describe neither kernel. */
	{
		const struct report_group *sides[] = { bg, cg };

		for (size_t i = 0; i < 2; i++) {
			const struct report_group *g = sides[i];
			bool release = g->mixed && !strcmp(g->mixed, "release");

			if (!g->mixed)
				continue;
			note(res, "%s: '%s' pools runs of two kernels (%s %.*s and %.*s): give "
			     "each kernel a variant name or a results directory of its own",
			     scenario, g->variant,
			     release ? "releases" : "inputs sha256", release ? 127 : 16,
			     g->mixed_a, release ? 127 : 16, g->mixed_b);
			return;
		}
	}
	other_differences(brep, bg, crep, cg, differs, sizeof(differs));
	failure_rates(brep, bg, &fb);
	failure_rates(crep, cg, &fc);
	for (unsigned m = 0; m < M_COUNT; m++) {
		struct comparison *c;
		struct side b, k;

		if (!compare_metric_wanted(&metrics[m], o))
			continue;
		c = realloc(res->v, (res->n + 1) * sizeof(*c));
		if (!c)
			abort();
		res->v = c;
		c = &c[res->n++];
		memset(c, 0, sizeof(*c));
		c->scenario = scenario;
		c->baseline = bg->variant;
		c->candidate = cg->variant;
		c->metric = &metrics[m];
		snprintf(c->differs, sizeof(c->differs), "%s", differs);
		c->base_fail = fb;
		c->cand_fail = fc;
		collect(res, brep, bg, m, &b);
		collect(res, crep, cg, m, &k);
		c->base = b.s;
		c->cand = k.s;
		c->base_failed = b.failed;
		c->cand_failed = k.failed;
		c->base_invalid = b.invalid;
		c->cand_invalid = k.invalid;
		decide(c, &b, &k, o);
		c->base_v = b.v;
		c->cand_v = k.v;
		res->count[c->verdict]++;
	}
}

static void note(struct compare_result *res, const char *fmt, ...)
{
	char **v = realloc(res->notes, (res->nnotes + 1) * sizeof(*v));
	va_list ap;

	if (!v)
		abort();
	res->notes = v;
	va_start(ap, fmt);
	if (vasprintf(&v[res->nnotes], fmt, ap) < 0)
		abort();
	va_end(ap);
	/* A baseline compared with several candidates says its notes once. */
	for (size_t i = 0; i < res->nnotes; i++)
		if (!strcmp(v[i], v[res->nnotes])) {
			free(v[res->nnotes]);
			return;
		}
	res->nnotes++;
}

static const struct report_scenario *find_scenario(const struct report *rep, const char *name)
{
	for (size_t i = 0; i < rep->nscenarios; i++)
		if (!strcmp(rep->scenarios[i].name, name))
			return &rep->scenarios[i];
	return NULL;
}

int compare_run(const struct report *base, const struct report *cand,
		const struct compare_opts *o, struct compare_result *res, struct err *err)
{
	memset(res, 0, sizeof(*res));
	if (!cand) {
		for (size_t s = 0; s < base->nscenarios; s++) {
			const struct report_scenario *sc = &base->scenarios[s];

			if (o->baseline && strcmp(sc->groups[0].variant, o->baseline)) {
				note(res, "%s: has no variant '%s'", sc->name, o->baseline);
				continue;
			}
			if (sc->ngroups < 2)
				note(res, "%s: only variant '%s', nothing to compare it with", sc->name,
				     sc->groups[0].variant);
			for (size_t g = 1; g < sc->ngroups; g++)
				add(res, base, &sc->groups[0], base, &sc->groups[g], sc->name, o);
		}
	} else {
		for (size_t s = 0; s < cand->nscenarios; s++) {
			const struct report_scenario *sc = &cand->scenarios[s];
			const struct report_scenario *bs = find_scenario(base, sc->name);

			if (!bs) {
				note(res, "%s: no baseline result for it", sc->name);
				continue;
			}
			const struct report_group *bg = NULL;

			if (o->baseline) {
				for (size_t g = 0; g < bs->ngroups; g++)
					if (!strcmp(bs->groups[g].variant, o->baseline))
						bg = &bs->groups[g];
				if (!bg) {
					note(res, "%s: the baseline results have no variant '%s'",
					     sc->name, o->baseline);
					continue;
				}
			} else if (bs->ngroups == 1) {
				bg = &bs->groups[0];
			}
			if (!bg) {
				err_set(err,
					"the baseline results have %zu variants of scenario '%s' ('%s', "
					"'%s'%s): name the baseline with --baseline",
					bs->ngroups, sc->name, bs->groups[0].variant, bs->groups[1].variant,
					bs->ngroups > 2 ? ", ..." : "");
				compare_free(res);
				return -EINVAL;
			}
			for (size_t g = 0; g < sc->ngroups; g++)
				add(res, base, bg, cand, &sc->groups[g], sc->name, o);
		}
		for (size_t s = 0; s < base->nscenarios; s++)
			if (!find_scenario(cand, base->scenarios[s].name))
				note(res, "%s: no candidate result for it", base->scenarios[s].name);
	}
	for (size_t i = 0; i < res->n; i++)
		res->v[i].p_adj = NAN;
	if (o->holm) {
		compare_holm(res->v, res->n, o->alpha);
		memset(res->count, 0, sizeof(res->count));
		for (size_t i = 0; i < res->n; i++)
			res->count[res->v[i].verdict]++;
	}
	return 0;
}

void compare_free(struct compare_result *res)
{
	for (size_t i = 0; i < res->n; i++) {
		free(res->v[i].base_v);
		free(res->v[i].cand_v);
	}
	free(res->v);
	for (size_t i = 0; i < res->nnotes; i++)
		free(res->notes[i]);
	free(res->notes);
	memset(res, 0, sizeof(*res));
}
