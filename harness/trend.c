// SPDX-License-Identifier: GPL-2.0-only
/*
 * memhp report --history: nights of results as time series, with their
 * change points (trend.h, docs/reports.md "Trends over nights").
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "termout.h"
#include "trend.h"

__attribute__((format(printf, 3, 4)))
static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	va_start(ap, fmt);
	if (n < len)
		vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

/* The directory's name; for ci/nightly's DIR/runs, DIR's. */
static void night_label(const char *path, char *buf, size_t len)
{
	char tmp[4200], *slash;
	size_t n;

	snprintf(tmp, sizeof(tmp), "%s", path);
	while ((n = strlen(tmp)) > 1 && tmp[n - 1] == '/')
		tmp[n - 1] = '\0';
	slash = strrchr(tmp, '/');
	if (slash && (!strcmp(slash + 1, "runs") || !strcmp(slash + 1, "confirm")) && slash > tmp) {
		char *up;

		*slash = '\0';
		up = strrchr(tmp, '/');
		*buf = '\0';
		append(buf, len, "%s", up ? up + 1 : tmp);
		return;
	}
	*buf = '\0';
	append(buf, len, "%s", slash ? slash + 1 : tmp);
}

static const char *str_member(json_object *o, const char *key)
{
	json_object *v;

	if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}


/* What ran: "k2: 6.1.192 at abc123 +2 patches (last 0002-mm-...patch)".
 * The kernel's own fields of the result (kernel.build, kernel.package),
 * each checked for its type. */
static void kernel_desc(const struct run_record *r, char *buf, size_t len)
{
	json_object *patches, *pkgs;
	const char *v;

	*buf = '\0';
	append(buf, len, "%s: %s", report_variant_label(r),
		 *r->kernel_release ? r->kernel_release : r->kernel_spec);
	if (r->kernel_build && json_object_is_type(r->kernel_build, json_type_object)) {
		if ((v = str_member(r->kernel_build, "base_commit")) && *v)
			append(buf, len, " at %.12s", v);
		if (json_object_object_get_ex(r->kernel_build, "patches", &patches) &&
		    json_object_is_type(patches, json_type_array) &&
		    json_object_array_length(patches)) {
			size_t np = json_object_array_length(patches);
			char num[32];

			snprintf(num, sizeof(num), " +%zu patch%s", np, np == 1 ? "" : "es");
			append(buf, len, "%s", num);
			if ((v = str_member(json_object_array_get_idx(patches, np - 1), "name")))
				append(buf, len, " (%s%s)", np == 1 ? "" : "last ", v);
		}
	}
	if (r->kernel_package && json_object_is_type(r->kernel_package, json_type_object) &&
	    json_object_object_get_ex(r->kernel_package, "packages", &pkgs) &&
	    json_object_is_type(pkgs, json_type_array) && json_object_array_length(pkgs) &&
	    (v = str_member(json_object_array_get_idx(pkgs, 0), "version")))
		append(buf, len, " (package %s)", v);
}

static struct trend_series *series_of(struct trend *t, const char *scenario, const char *variant,
				      const struct metric *m)
{
	struct trend_series *s;

	for (size_t i = 0; i < t->nseries; i++) {
		s = &t->series[i];
		if (s->metric == m && !strcmp(s->scenario, scenario) &&
		    (!variant ? !s->variant : s->variant && !strcmp(s->variant, variant)))
			return s;
	}
	t->series = realloc(t->series, (t->nseries + 1) * sizeof(*t->series));
	if (!t->series)
		abort();
	s = &t->series[t->nseries++];
	memset(s, 0, sizeof(*s));
	s->scenario = scenario;
	s->variant = variant;
	s->metric = m;
	s->pts = calloc(t->nnights, sizeof(*s->pts));
	if (!s->pts)
		abort();
	return s;
}

static void add_value(struct trend_point *p, double v, const struct run_record *r)
{
	char k[512];

	p->v = realloc(p->v, (p->st.n + 1) * sizeof(*p->v));
	if (!p->v)
		abort();
	p->v[p->st.n++] = v;
	kernel_desc(r, k, sizeof(k));
	if (!strstr(p->kernel, k)) {
		if (*p->kernel)
			append(p->kernel, sizeof(p->kernel), "%s", "; ");
		append(p->kernel, sizeof(p->kernel), "%s", k);
	}
}

/* The change points of s over the nights it has, and the means around. */
static void find_changes(struct trend_series *s, size_t nnights, const struct cp_opts *o)
{
	double *x = calloc(nnights + 1, sizeof(*x));
	size_t *night = calloc(nnights + 1, sizeof(*night)), n = 0;

	if (!x || !night)
		abort();
	for (size_t i = 0; i < nnights; i++)
		if (s->pts[i].st.n) {
			night[n] = i;
			x[n++] = s->pts[i].st.mean;
		}
	s->ncp = cp_edivisive(x, n, o, s->cp, TREND_MAX_CP);
	for (size_t k = 0; k < s->ncp; k++) {
		size_t a = k ? s->cp[k - 1].at : 0, b = s->cp[k].at;
		size_t c = k + 1 < s->ncp ? s->cp[k + 1].at : n;
		double sb = 0, sa = 0;

		for (size_t i = a; i < b; i++)
			sb += x[i];
		for (size_t i = b; i < c; i++)
			sa += x[i];
		s->before[k] = sb / (double)(b - a);
		s->after[k] = sa / (double)(c - b);
	}
	for (size_t k = 0; k < s->ncp; k++)
		s->cp[k].at = night[s->cp[k].at];
	free(x);
	free(night);
}

int trend_load(struct trend *t, char *const *paths, size_t n, bool by_variant,
	       const char *metric, const struct cp_opts *cp, struct err *err)
{
	const struct metric *only = NULL;

	memset(t, 0, sizeof(*t));
	t->cp = *cp;
	t->by_variant = by_variant;
	if (metric && !(only = compare_metric(metric)))
		return err_fail(err, -EINVAL, "--metric '%s' is not %s", metric,
				COMPARE_METRIC_NAMES);
	if (n < 2)
		return err_fail(err, -EINVAL, "a history needs two nights or more (%zu given)", n);
	t->nights = calloc(n, sizeof(*t->nights));
	if (!t->nights)
		abort();
	for (size_t i = 0; i < n; i++) {
		struct trend_night *nt = &t->nights[i];

		nt->path = paths[i];
		night_label(paths[i], nt->label, sizeof(nt->label));
		if (report_load(&nt->rep, &paths[i], 1, NULL, err)) {
			t->nnights = i + 1;
			return err_wrap(err, -EINVAL, "night %zu (%s)", i + 1, paths[i]);
		}
		t->nnights = i + 1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct report *rep = &t->nights[i].rep;

		for (size_t sc = 0; sc < rep->nscenarios; sc++)
			for (size_t g = 0; g < rep->scenarios[sc].ngroups; g++) {
				const struct report_group *gr = &rep->scenarios[sc].groups[g];

				for (size_t m = 0; compare_metric_at(m); m++) {
					const struct metric *me = compare_metric_at(m);
					struct trend_series *s;

					if (only ? only != me : me->opt_in)
						continue;
					s = series_of(t, rep->scenarios[sc].name,
						      by_variant ? gr->variant : NULL, me);
					for (size_t r = 0; r < gr->nruns; r++) {
						const struct run_record *rec = report_rec(rep, gr, r);
						double v = compare_value(me, rec);

						if (rec->status == RUN_OK && isfinite(v))
							add_value(&s->pts[i], v, rec);
					}
				}
			}
	}
	for (size_t k = 0; k < t->nseries; k++) {
		struct trend_series *s = &t->series[k];

		for (size_t i = 0; i < n; i++) {
			size_t nv = s->pts[i].st.n;

			stats_of(s->pts[i].v, nv, &s->pts[i].st);
		}
		find_changes(s, n, cp);
	}
	return 0;
}

void trend_free(struct trend *t)
{
	for (size_t k = 0; k < t->nseries; k++) {
		for (size_t i = 0; i < t->nnights; i++)
			free(t->series[k].pts[i].v);
		free(t->series[k].pts);
	}
	free(t->series);
	for (size_t i = 0; i < t->nnights; i++)
		report_free(&t->nights[i].rep);
	free(t->nights);
	memset(t, 0, sizeof(*t));
}

const char *trend_series_name(const struct trend_series *s, char *buf, size_t len)
{
	if (s->variant)
		snprintf(buf, len, "%.200s / %.200s", s->scenario, s->variant);
	else
		snprintf(buf, len, "%.400s", s->scenario);
	return buf;
}

int trend_change_sense(const struct trend_series *s, size_t k)
{
	double d = s->after[k] - s->before[k];

	return (d > 0) == (s->metric->better > 0) ? +1 : -1;
}

/* The last night before night i that the series has, or i. */
static size_t night_before(const struct trend_series *s, size_t i)
{
	for (size_t j = i; j > 0; j--)
		if (s->pts[j - 1].st.n)
			return j - 1;
	return i;
}

static double pct(double after, double before)
{
	return before != 0 ? 100 * (after - before) / fabs(before) : NAN;
}

void trend_text(FILE *out, const struct trend *t)
{
	char name[600], p[32];

	fprintf(out, "Trends over %zu nights: E-Divisive means on the nights' means "
		     "(significance %.3g, %u permutations, %u nights a side at least)\n",
		t->nnights, t->cp.sig, t->cp.permutations, t->cp.min_size);
	for (size_t k = 0; k < t->nseries; k++) {
		const struct trend_series *s = &t->series[k];

		term_fprintf(out, "\n%s: %s (%s, %s is better)\n", trend_series_name(s, name, sizeof(name)),
			     s->metric->name, s->metric->unit, s->metric->better > 0 ? "higher" : "lower");
		fprintf(out, "  %5s  %-24s %4s %10s %8s  %s\n", "night", "name", "runs", "mean", "sd",
			"kernel");
		for (size_t i = 0; i < t->nnights; i++) {
			const struct trend_point *pt = &s->pts[i];
			bool change = false;

			for (size_t c = 0; c < s->ncp; c++)
				change |= s->cp[c].at == i;
			if (!pt->st.n) {
				term_fprintf(out, "%s %5zu  %-24s %4s %10s %8s\n", change ? ">" : " ", i + 1,
					     t->nights[i].label, "0", "-", "-");
				continue;
			}
			term_fprintf(out, "%s %5zu  %-24s %4zu %10.2f %8.2f  %s\n", change ? ">" : " ",
				     i + 1, t->nights[i].label, pt->st.n, pt->st.mean, pt->st.sd,
				     pt->kernel);
		}
		if (!s->ncp)
			fprintf(out, "  no change point\n");
		for (size_t c = 0; c < s->ncp; c++) {
			size_t at = s->cp[c].at, b = night_before(s, at);
			double ch = pct(s->after[c], s->before[c]);

			if (isfinite(ch))
				snprintf(p, sizeof(p), " (%+.1f%%)", ch);
			else
				*p = '\0';
			term_fprintf(out, "  change at night %zu (%s): %.2f -> %.2f %s%s, %s, p %.3f\n"
				     "    last night before: %zu (%s) %s\n"
				     "    first night after: %zu (%s) %s\n",
				     at + 1, t->nights[at].label, s->before[c], s->after[c],
				     s->metric->unit, p, trend_change_sense(s, c) < 0 ? "worse" : "better",
				     s->cp[c].p, b + 1, t->nights[b].label, s->pts[b].kernel, at + 1,
				     t->nights[at].label, s->pts[at].kernel);
		}
	}
}

static json_object *jstr(const char *s)
{
	char *clean = utf8_clean(s);
	json_object *o = json_object_new_string(clean);

	free(clean);
	return o;
}

void trend_json(FILE *out, const struct trend *t)
{
	json_object *root = json_object_new_object(), *nights = json_object_new_array(),
		    *series = json_object_new_array(), *method = json_object_new_object();

	json_object_object_add(root, "schema", json_object_new_string("memhp-trend"));
	json_object_object_add(root, "version", json_object_new_int(1));
	json_object_object_add(method, "name", json_object_new_string("e-divisive"));
	json_object_object_add(method, "sig", json_object_new_double(t->cp.sig));
	json_object_object_add(method, "permutations", json_object_new_int((int)t->cp.permutations));
	json_object_object_add(method, "min_size", json_object_new_int((int)t->cp.min_size));
	json_object_object_add(root, "method", method);
	for (size_t i = 0; i < t->nnights; i++) {
		json_object *n = json_object_new_object();

		json_object_object_add(n, "night", json_object_new_int((int)i + 1));
		json_object_object_add(n, "label", jstr(t->nights[i].label));
		json_object_object_add(n, "path", jstr(t->nights[i].path));
		json_object_array_add(nights, n);
	}
	json_object_object_add(root, "nights", nights);
	for (size_t k = 0; k < t->nseries; k++) {
		const struct trend_series *s = &t->series[k];
		json_object *o = json_object_new_object(), *pts = json_object_new_array(),
			    *chs = json_object_new_array();

		json_object_object_add(o, "scenario", jstr(s->scenario));
		json_object_object_add(o, "variant", s->variant ? jstr(s->variant) : NULL);
		json_object_object_add(o, "metric", json_object_new_string(s->metric->name));
		json_object_object_add(o, "unit", json_object_new_string(s->metric->unit));
		for (size_t i = 0; i < t->nnights; i++) {
			const struct trend_point *pt = &s->pts[i];
			json_object *p;

			if (!pt->st.n) {
				json_object_array_add(pts, NULL);
				continue;
			}
			p = json_object_new_object();
			json_object_object_add(p, "n", json_object_new_int((int)pt->st.n));
			json_object_object_add(p, "mean", json_object_new_double(pt->st.mean));
			json_object_object_add(p, "sd", json_object_new_double(pt->st.sd));
			json_object_object_add(p, "kernel", jstr(pt->kernel));
			json_object_array_add(pts, p);
		}
		json_object_object_add(o, "points", pts);
		for (size_t c = 0; c < s->ncp; c++) {
			json_object *ch = json_object_new_object();
			size_t at = s->cp[c].at, b = night_before(s, at);
			double pc = pct(s->after[c], s->before[c]);

			json_object_object_add(ch, "night", json_object_new_int((int)at + 1));
			json_object_object_add(ch, "label", jstr(t->nights[at].label));
			json_object_object_add(ch, "night_before", json_object_new_int((int)b + 1));
			json_object_object_add(ch, "before", json_object_new_double(s->before[c]));
			json_object_object_add(ch, "after", json_object_new_double(s->after[c]));
			json_object_object_add(ch, "change_pct",
					       isfinite(pc) ? json_object_new_double(pc) : NULL);
			json_object_object_add(ch, "sense", json_object_new_string(
					       trend_change_sense(s, c) < 0 ? "worse" : "better"));
			json_object_object_add(ch, "p", json_object_new_double(s->cp[c].p));
			json_object_object_add(ch, "q", json_object_new_double(s->cp[c].q));
			json_object_object_add(ch, "kernel_before", jstr(s->pts[b].kernel));
			json_object_object_add(ch, "kernel_after", jstr(s->pts[at].kernel));
			json_object_array_add(chs, ch);
		}
		json_object_object_add(o, "changes", chs);
		json_object_array_add(series, o);
	}
	json_object_object_add(root, "series", series);
	fprintf(out, "%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
							    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}
