// SPDX-License-Identifier: GPL-2.0-only
/* memhp compare's outputs: a text table, KTAP, JUnit XML and JSON. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "compare.h"
#include "termout.h"

/*
 * s with every byte that is not part of valid UTF-8 (and the noncharacters
 * U+FFFE, U+FFFF, which XML refuses) replaced by U+FFFD: names and reasons
 * come from result files, and JSON and XML must stay parsable.
 */
char *utf8_clean(const char *s)
{
	size_t n = strlen(s), o = 0;
	unsigned char *out = malloc(3 * n + 1);
	const unsigned char *p = (const unsigned char *)s;

	if (!out)
		abort();
	for (size_t i = 0; i < n;) {
		unsigned c = p[i], cp = 0, len = 0, min = 0;

		if (c < 0x80)
			len = 1, cp = c;
		else if ((c & 0xe0) == 0xc0)
			len = 2, cp = c & 0x1f, min = 0x80;
		else if ((c & 0xf0) == 0xe0)
			len = 3, cp = c & 0x0f, min = 0x800;
		else if ((c & 0xf8) == 0xf0)
			len = 4, cp = c & 0x07, min = 0x10000;
		for (unsigned k = 1; len && k < len; k++) {
			if (i + k >= n || (p[i + k] & 0xc0) != 0x80) {
				len = 0;
				break;
			}
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if (!len || cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
		    cp == 0xfffe || cp == 0xffff) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(out + o, p + i, len);
		o += len;
		i += len;
	}
	out[o] = 0;
	return (char *)out;
}


static void header_line(FILE *out, const struct compare_result *res, const struct compare_opts *o,
			const char *prefix)
{
	char margin[48];

	if (o->margin_pct > 0)
		snprintf(margin, sizeof(margin), "%g%%", o->margin_pct);
	else
		snprintf(margin, sizeof(margin), "per metric");
	fprintf(out, "%smemhp compare: %s%s%s against %s; alpha %g, minimum effect %g%%, "
		     "equivalence margin %s, at least %u ok runs a side%s\n",
		prefix, res->base_label, o->baseline ? ", baseline variant " : "",
		o->baseline ? o->baseline : "", res->cand_label ? res->cand_label : "its other variants",
		o->alpha, o->min_effect_pct, margin, o->min_repeats > 3 ? o->min_repeats : 3,
		o->holm ? "; Holm's correction over all comparisons" : "");
}

static void value(char *buf, size_t len, const struct stats *s)
{
	if (!s->n)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f ±%.1f (%zu)", s->mean, s->sd, s->n);
}

/* A signed number with as many decimals as its size needs: "+7680", "-41.9", "+0.12". */
static const char *num(char *buf, size_t len, double x)
{
	double a = fabs(x);

	snprintf(buf, len, "%+.*f", a >= 1000 ? 0 : a >= 10 ? 1 : 2, x);
	return buf;
}

/* "-10.0 [-41.9, +21.9]": the difference with its interval, or "-". */
static void diff_text(char *buf, size_t len, const struct comparison *c)
{
	char d[24], lo[24], hi[24];

	if (!c->tested)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%s [%s, %s]", num(d, sizeof(d), c->diff.diff),
			 num(lo, sizeof(lo), c->diff.lo), num(hi, sizeof(hi), c->diff.hi));
}

static void p_text(char *buf, size_t len, double p)
{
	if (isnan(p))
		snprintf(buf, len, "-");
	else if (p < 1e-4)
		snprintf(buf, len, "<0.0001");
	else
		snprintf(buf, len, "%.4f", p);
}

void compare_text(FILE *out, const struct compare_result *res, const struct compare_opts *o,
		  bool color)
{
	header_line(out, res, o, "");
	char ci_head[40];

	snprintf(ci_head, sizeof(ci_head), "DIFF [%g%% CI]", 100 * (1 - o->alpha));
	fprintf(out, "\n%s%-24s %-20s %-14s %20s %9s %20s %28s %8s  %s%s\n", color ? TERM_BOLD : "",
		"SCENARIO", "CANDIDATE", "METRIC", "BASELINE ±SD (N)", "CHANGE", "CANDIDATE ±SD (N)",
		ci_head, "P", "VERDICT", color ? TERM_RESET : "");
	for (size_t i = 0; i < res->n; i++) {
		const struct comparison *c = &res->v[i];
		char sc[128], cand[128], b[48], k[48], chg[24], p[16], d[96];
		const char *col = "";

		value(b, sizeof(b), &c->base);
		value(k, sizeof(k), &c->cand);
		p_text(p, sizeof(p), c->p);
		diff_text(d, sizeof(d), c);
		if (isnan(c->change_pct) || !c->base.n || !c->cand.n)
			snprintf(chg, sizeof(chg), "-");
		else
			snprintf(chg, sizeof(chg), "%+.2f%%", c->change_pct);
		if (color)
			col = c->verdict == V_REGRESSION ? TERM_RED :
			      c->verdict == V_BETTER	 ? TERM_GREEN :
			      c->verdict == V_ERROR	 ? TERM_BOLD :
							   "";
		fprintf(out, "%-24.24s %-20.20s %-14s %20s %9s %20s %28s %8s  %s%s%s\n",
			term_printable(c->scenario, sc, sizeof(sc)), term_printable(c->candidate, cand, sizeof(cand)),
			c->metric->name, b, chg, k, d, p, col, compare_verdict_name(c->verdict),
			*col ? TERM_RESET : "");
	}
	fputc('\n', out);
	/* Before any verdict: what else differs between the sides, once per
	 * scenario and candidate. */
	for (size_t i = 0; i < res->n; i++) {
		const struct comparison *c = &res->v[i];
		char sc[128], cand[128], d[700];

		if (!*c->differs || (i && res->v[i - 1].scenario == c->scenario &&
				     res->v[i - 1].candidate == c->candidate))
			continue;
		fprintf(out, "differs besides the kernel: %s %s: %s\n",
			term_printable(c->scenario, sc, sizeof(sc)),
			term_printable(c->candidate, cand, sizeof(cand)),
			term_printable(c->differs, d, sizeof(d)));
	}
	/* Failure rates, apart from the metrics: runs with each kind of
	 * failure on each side, Fisher's exact test on the counts. */
	for (size_t i = 0; i < res->n; i++) {
		const struct comparison *c = &res->v[i];
		char sc[128], cand[128];

		if (i && res->v[i - 1].scenario == c->scenario &&
		    res->v[i - 1].candidate == c->candidate)
			continue;
		for (unsigned k = 0; k < FAIL_KINDS; k++) {
			unsigned b = c->base_fail.n[k], n = c->cand_fail.n[k];
			double p;

			if (!b && !n)
				continue;
			p = stats_fisher_2x2(b, c->base_fail.runs - b, n, c->cand_fail.runs - n);
			fprintf(out, "failures %s %s: %s in %u of %u runs against %u of %u "
				     "(Fisher p = %.3g)%s\n",
				term_printable(c->scenario, sc, sizeof(sc)),
				term_printable(c->candidate, cand, sizeof(cand)),
				compare_failure_name(k), b, c->base_fail.runs, n, c->cand_fail.runs, p,
				k == FAIL_INFRA ? " (not the kernel's)" :
				p < o->alpha && (double)n / c->cand_fail.runs >
						(double)b / c->base_fail.runs ? ": more often" : "");
		}
	}
	for (size_t i = 0; i < res->n; i++) {
		const struct comparison *c = &res->v[i];
		char buf[700], why[700];

		if (c->verdict == V_REGRESSION || c->verdict == V_ERROR || c->verdict == V_UNDECIDED ||
		    c->verdict == V_BETTER || c->base_failed || c->cand_failed)
			fprintf(out, "%s %s %s: %s; failed runs: baseline %zu, candidate %zu\n",
				compare_verdict_name(c->verdict),
				term_printable(c->scenario, buf, sizeof(buf)), c->metric->name,
				term_printable(c->reason, why, sizeof(why)), c->base_failed,
				c->cand_failed);
	}
	for (size_t i = 0; i < res->nnotes; i++) {
		char buf[1024];

		fprintf(out, "not compared: %s\n", term_printable(res->notes[i], buf, sizeof(buf)));
	}
	fprintf(out, "verdict: %s (%u regression%s, %u better, %u same, %u undecided, %u error%s)\n",
		compare_overall(res), res->count[V_REGRESSION], res->count[V_REGRESSION] == 1 ? "" : "s",
		res->count[V_BETTER], res->count[V_SAME], res->count[V_UNDECIDED],
		res->count[V_ERROR], res->count[V_ERROR] == 1 ? "" : "s");
}

/* A KTAP test name: no '#', no white space or control characters. */
static void ktap_name(FILE *out, const struct comparison *c)
{
	const char *parts[] = { c->scenario, c->candidate, c->metric->name };

	for (size_t i = 0; i < 3; i++) {
		char *clean = utf8_clean(parts[i]);

		if (i)
			fputc('.', out);
		for (const char *s = clean; *s; s++)
			fputc((unsigned char)*s <= ' ' || *s == '#' || *s == 0x7f ? '_' : *s, out);
		free(clean);
	}
}

/* Diagnostics after '#': one line, no control characters, valid UTF-8. */
static void ktap_text(FILE *out, const char *str)
{
	char *clean = utf8_clean(str);

	for (const char *s = clean; *s; s++)
		fputc((unsigned char)*s < ' ' || *s == 0x7f ? ' ' : *s, out);
	free(clean);
}

void compare_ktap(FILE *out, const struct compare_result *res, const struct compare_opts *o)
{
	fputs("KTAP version 1\n", out);
	header_line(out, res, o, "# ");
	fprintf(out, "1..%zu\n", res->n);
	for (size_t i = 0; i < res->n; i++) {
		const struct comparison *c = &res->v[i];
		bool failed = c->verdict == V_REGRESSION || c->verdict == V_ERROR;

		fprintf(out, "%s %zu ", failed ? "not ok" : "ok", i + 1);
		ktap_name(out, c);
		if (c->verdict == V_UNDECIDED) {
			fputs(" # SKIP undecided: ", out);
			ktap_text(out, c->reason);
		}
		fputc('\n', out);
		if (*c->differs) {
			fputs("# differs besides the kernel: ", out);
			ktap_text(out, c->differs);
			fputc('\n', out);
		}
		if (c->verdict != V_UNDECIDED) {
			fprintf(out, "# %s: baseline %.2f, candidate %.2f %s; ", compare_verdict_name(c->verdict),
				c->base.mean, c->cand.mean, c->metric->unit);
			ktap_text(out, c->reason);
			fputc('\n', out);
		}
	}
}

static void xml(FILE *out, const char *str)
{
	char *clean = utf8_clean(str);

	for (const char *s = clean; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		switch (ch) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&apos;", out); break;
		case '\t':
		case '\n': fprintf(out, "&#%u;", ch); break;
		default:
			/* XML 1.0 has no way to carry other control characters. */
			fputc(ch < 0x20 || ch == 0x7f ? '?' : ch, out);
		}
	}
	free(clean);
}

void compare_junit(FILE *out, const struct compare_result *res, const struct compare_opts *o)
{
	unsigned failures = res->count[V_REGRESSION], errors = res->count[V_ERROR];
	char host[256] = "", stamp[32], pct[24];
	time_t t = time(NULL);
	struct tm tm;

	gethostname(host, sizeof(host) - 1);
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		     "<testsuites name=\"memhp compare\" tests=\"%zu\" failures=\"%u\" errors=\"%u\" "
		     "skipped=\"%u\">\n",
		res->n, failures, errors, res->count[V_UNDECIDED]);
	/* A test suite per scenario and candidate, in the order compared. */
	for (size_t i = 0; i < res->n;) {
		size_t j = i;
		unsigned f = 0, e = 0, s = 0;

		while (j < res->n && res->v[j].scenario == res->v[i].scenario &&
		       res->v[j].candidate == res->v[i].candidate) {
			f += res->v[j].verdict == V_REGRESSION;
			e += res->v[j].verdict == V_ERROR;
			s += res->v[j].verdict == V_UNDECIDED;
			j++;
		}
		fputs("  <testsuite name=\"", out);
		xml(out, res->v[i].scenario);
		fputs(" / ", out);
		xml(out, res->v[i].candidate);
		fprintf(out, "\" tests=\"%zu\" failures=\"%u\" errors=\"%u\" skipped=\"%u\" "
			     "timestamp=\"%s\" hostname=\"",
			j - i, f, e, s, stamp);
		xml(out, host);
		fputs("\">\n    <properties>\n      <property name=\"baseline\" value=\"", out);
		xml(out, res->v[i].baseline);
		fprintf(out, "\"/>\n      <property name=\"alpha\" value=\"%g\"/>\n"
			     "      <property name=\"min_effect_pct\" value=\"%g\"/>\n"
			     "      <property name=\"min_repeats\" value=\"%u\"/>\n    </properties>\n",
			o->alpha, o->min_effect_pct, o->min_repeats);
		for (; i < j; i++) {
			const struct comparison *c = &res->v[i];

			fputs("    <testcase classname=\"", out);
			xml(out, c->scenario);
			fprintf(out, "\" name=\"%s\">\n", c->metric->name);
			switch (c->verdict) {
			case V_REGRESSION:
				fprintf(out, "      <failure type=\"regression\" message=\"%s: %.2f -> %.2f "
					     "%s (%s, %g%% interval [%+.6g, %+.6g] %s), p = %.3g\">",
					c->metric->name, c->base.mean, c->cand.mean, c->metric->unit,
					compare_pct_text(pct, sizeof(pct), c->change_pct),
					100 * (1 - o->alpha), c->diff.lo, c->diff.hi, c->metric->unit,
					c->p);
				xml(out, c->reason);
				fputs("</failure>\n", out);
				break;
			case V_ERROR:
				fputs("      <error type=\"infrastructure\" message=\"", out);
				xml(out, c->reason);
				fputs("\"/>\n", out);
				break;
			case V_UNDECIDED:
				fputs("      <skipped type=\"undecided\" message=\"undecided: ", out);
				xml(out, c->reason);
				fputs("\"/>\n", out);
				break;
			default:
				fprintf(out, "      <system-out>%s: %.2f -> %.2f %s; ",
					compare_verdict_name(c->verdict), c->base.mean, c->cand.mean,
					c->metric->unit);
				xml(out, c->reason);
				fputs("</system-out>\n", out);
			}
			fputs("    </testcase>\n", out);
		}
		fputs("  </testsuite>\n", out);
	}
	fputs("</testsuites>\n", out);
}

static json_object *stats_json(const struct stats *s)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "n", json_object_new_uint64(s->n));
	json_object_object_add(o, "mean", json_object_new_double(s->mean));
	json_object_object_add(o, "sd", json_object_new_double(s->sd));
	json_object_object_add(o, "min", json_object_new_double(s->min));
	json_object_object_add(o, "max", json_object_new_double(s->max));
	return o;
}

static json_object *number_or_null(double v)
{
	return isnan(v) || isinf(v) ? NULL : json_object_new_double(v);
}

static json_object *string_json(const char *s)
{
	char *clean = utf8_clean(s);
	json_object *o = json_object_new_string(clean);

	free(clean);
	return o;
}

/* cand - base with its interval, in the unit and in % of the baseline. */
static json_object *diff_json(const struct comparison *c, const struct compare_opts *o)
{
	json_object *d;

	if (!c->tested)
		return NULL;
	d = json_object_new_object();
	json_object_object_add(d, "mean", number_or_null(c->diff.diff));
	json_object_object_add(d, "ci_level", json_object_new_double(1 - o->alpha));
	json_object_object_add(d, "ci_low", number_or_null(c->diff.lo));
	json_object_object_add(d, "ci_high", number_or_null(c->diff.hi));
	json_object_object_add(d, "ci_low_pct", number_or_null(c->lo_pct));
	json_object_object_add(d, "ci_high_pct", number_or_null(c->hi_pct));
	json_object_object_add(d, "se", number_or_null(c->diff.se));
	json_object_object_add(d, "df", number_or_null(c->diff.df));
	return d;
}

/* {runs: [b, c], "kernel WARN/BUG": {baseline, candidate, p}, ...} */
static json_object *failures_json(const struct comparison *c)
{
	json_object *o = json_object_new_object(), *runs = json_object_new_array();

	json_object_array_add(runs, json_object_new_int((int)c->base_fail.runs));
	json_object_array_add(runs, json_object_new_int((int)c->cand_fail.runs));
	json_object_object_add(o, "runs", runs);
	for (unsigned k = 0; k < FAIL_KINDS; k++) {
		json_object *f = json_object_new_object();
		unsigned b = c->base_fail.n[k], n = c->cand_fail.n[k];

		json_object_object_add(f, "baseline", json_object_new_int((int)b));
		json_object_object_add(f, "candidate", json_object_new_int((int)n));
		json_object_object_add(f, "p", json_object_new_double(stats_fisher_2x2(
			b, c->base_fail.runs - b, n, c->cand_fail.runs - n)));
		json_object_object_add(o, compare_failure_name(k), f);
	}
	return o;
}

void compare_json(FILE *out, const struct compare_result *res, const struct compare_opts *o)
{
	json_object *root = json_object_new_object(), *arr = json_object_new_array();
	json_object *notes = json_object_new_array();

	json_object_object_add(root, "schema", json_object_new_string("memhp-compare"));
	json_object_object_add(root, "version", json_object_new_int(2));
	json_object_object_add(root, "verdict",
			       json_object_new_string(compare_overall(res)));
	json_object_object_add(root, "alpha", json_object_new_double(o->alpha));
	json_object_object_add(root, "min_effect_pct", json_object_new_double(o->min_effect_pct));
	json_object_object_add(root, "min_repeats", json_object_new_uint64(o->min_repeats));
	json_object_object_add(root, "correction", json_object_new_string(o->holm ? "holm" : "none"));
	for (size_t i = 0; i < res->n; i++) {
		const struct comparison *c = &res->v[i];
		json_object *e = json_object_new_object();

		json_object_object_add(e, "scenario", string_json(c->scenario));
		json_object_object_add(e, "baseline", string_json(c->baseline));
		json_object_object_add(e, "candidate", string_json(c->candidate));
		json_object_object_add(e, "metric", json_object_new_string(c->metric->name));
		json_object_object_add(e, "unit", json_object_new_string(c->metric->unit));
		json_object_object_add(e, "better",
				       json_object_new_string(c->metric->better > 0 ? "higher" : "lower"));
		json_object_object_add(e, "test", json_object_new_string(c->method ? c->method :
									     c->metric->test));
		json_object_object_add(e, "margin_pct", json_object_new_double(c->margin_pct));
		json_object_object_add(e, "runs_more", c->verdict == V_UNDECIDED && c->runs_more ?
				       json_object_new_int((int)c->runs_more) : NULL);
		json_object_object_add(e, "baseline_stats", stats_json(&c->base));
		json_object_object_add(e, "candidate_stats", stats_json(&c->cand));
		json_object_object_add(e, "baseline_failed", json_object_new_uint64(c->base_failed));
		json_object_object_add(e, "candidate_failed", json_object_new_uint64(c->cand_failed));
		json_object_object_add(e, "change_pct", number_or_null(c->change_pct));
		json_object_object_add(e, "p", number_or_null(c->p));
		json_object_object_add(e, "p_holm", number_or_null(c->p_adj));
		json_object_object_add(e, "difference", diff_json(c, o));
		json_object_object_add(e, "baseline_invalid", json_object_new_uint64(c->base_invalid));
		json_object_object_add(e, "candidate_invalid", json_object_new_uint64(c->cand_invalid));
		json_object_object_add(e, "verdict",
				       json_object_new_string(compare_verdict_name(c->verdict)));
		json_object_object_add(e, "reason", string_json(c->reason));
		json_object_object_add(e, "differs", *c->differs ? string_json(c->differs) : NULL);
		json_object_object_add(e, "failures", failures_json(c));
		json_object_array_add(arr, e);
	}
	for (size_t i = 0; i < res->nnotes; i++)
		json_object_array_add(notes, string_json(res->notes[i]));
	json_object_object_add(root, "comparisons", arr);
	json_object_object_add(root, "not_compared", notes);
	fprintf(out, "%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
								    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}
