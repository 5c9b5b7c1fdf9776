// SPDX-License-Identifier: GPL-2.0-only
/* memhp compare's outputs: a text table, KTAP, JUnit XML and JSON. */
#include <math.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "compare.h"
#include "term.h"


static void header_line(FILE *out, const struct compare_result *res, const struct compare_opts *o,
			const char *prefix)
{
	fprintf(out, "%smemhp compare: %s%s%s against %s; alpha %g, minimum effect %g%%, "
		     "at least %u ok runs a side\n",
		prefix, res->base_label, o->baseline ? ", baseline variant " : "",
		o->baseline ? o->baseline : "", res->cand_label ? res->cand_label : "its other variants",
		o->alpha, o->min_effect_pct, o->min_repeats);
}

static void value(char *buf, size_t len, const struct stats *s)
{
	if (!s->n)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f ±%.1f (%zu)", s->mean, s->sd, s->n);
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
	fprintf(out, "\n%s%-24s %-20s %-14s %20s %9s %20s %8s  %s%s\n", color ? TERM_BOLD : "",
		"SCENARIO", "CANDIDATE", "METRIC", "BASELINE ±SD (N)", "CHANGE", "CANDIDATE ±SD (N)",
		"P", "VERDICT", color ? TERM_RESET : "");
	for (size_t i = 0; i < res->n; i++) {
		const struct comparison *c = &res->v[i];
		char sc[128], cand[128], b[48], k[48], chg[24], p[16];
		const char *col = "";

		value(b, sizeof(b), &c->base);
		value(k, sizeof(k), &c->cand);
		p_text(p, sizeof(p), c->p);
		if (isnan(c->change_pct) || !c->base.n || !c->cand.n)
			snprintf(chg, sizeof(chg), "-");
		else
			snprintf(chg, sizeof(chg), "%+.2f%%", c->change_pct);
		if (color)
			col = c->verdict == V_REGRESSION ? TERM_RED :
			      c->verdict == V_BETTER	 ? TERM_GREEN :
			      c->verdict == V_ERROR	 ? TERM_BOLD :
							   "";
		fprintf(out, "%-24.24s %-20.20s %-14s %20s %9s %20s %8s  %s%s%s\n",
			term_printable(c->scenario, sc, sizeof(sc)), term_printable(c->candidate, cand, sizeof(cand)),
			c->metric->name, b, chg, k, p, col, compare_verdict_name(c->verdict),
			*col ? TERM_RESET : "");
	}
	fputc('\n', out);
	for (size_t i = 0; i < res->n; i++) {
		const struct comparison *c = &res->v[i];
		char buf[700], why[700];

		if (c->verdict == V_REGRESSION || c->verdict == V_ERROR || c->verdict == V_UNDECIDED ||
		    c->base_failed || c->cand_failed)
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
		if (i)
			fputc('.', out);
		for (const char *s = parts[i]; *s; s++)
			fputc((unsigned char)*s <= ' ' || *s == '#' || *s == 0x7f ? '_' : *s, out);
	}
}

/* Diagnostics after '#': one line, no control characters. */
static void ktap_text(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < ' ' || *s == 0x7f ? ' ' : *s, out);
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
			fputs(" # SKIP ", out);
			ktap_text(out, c->reason);
		}
		fputc('\n', out);
		if (c->verdict != V_UNDECIDED) {
			fprintf(out, "# %s: baseline %.2f, candidate %.2f %s; ", compare_verdict_name(c->verdict),
				c->base.mean, c->cand.mean, c->metric->unit);
			ktap_text(out, c->reason);
			fputc('\n', out);
		}
	}
}

static void xml(FILE *out, const char *s)
{
	for (; *s; s++) {
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
}

void compare_junit(FILE *out, const struct compare_result *res, const struct compare_opts *o)
{
	unsigned failures = res->count[V_REGRESSION], errors = res->count[V_ERROR];
	char host[256] = "", stamp[32];
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
					     "%s (%+.2f%%), p = %.3g\">",
					c->metric->name, c->base.mean, c->cand.mean, c->metric->unit,
					c->change_pct, c->p);
				xml(out, c->reason);
				fputs("</failure>\n", out);
				break;
			case V_ERROR:
				fputs("      <error type=\"infrastructure\" message=\"", out);
				xml(out, c->reason);
				fputs("\"/>\n", out);
				break;
			case V_UNDECIDED:
				fputs("      <skipped message=\"", out);
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

void compare_json(FILE *out, const struct compare_result *res, const struct compare_opts *o)
{
	json_object *root = json_object_new_object(), *arr = json_object_new_array();
	json_object *notes = json_object_new_array();

	json_object_object_add(root, "schema", json_object_new_string("memhp-compare"));
	json_object_object_add(root, "version", json_object_new_int(1));
	json_object_object_add(root, "verdict",
			       json_object_new_string(compare_overall(res)));
	json_object_object_add(root, "alpha", json_object_new_double(o->alpha));
	json_object_object_add(root, "min_effect_pct", json_object_new_double(o->min_effect_pct));
	json_object_object_add(root, "min_repeats", json_object_new_uint64(o->min_repeats));
	for (size_t i = 0; i < res->n; i++) {
		const struct comparison *c = &res->v[i];
		json_object *e = json_object_new_object();

		json_object_object_add(e, "scenario", json_object_new_string(c->scenario));
		json_object_object_add(e, "baseline", json_object_new_string(c->baseline));
		json_object_object_add(e, "candidate", json_object_new_string(c->candidate));
		json_object_object_add(e, "metric", json_object_new_string(c->metric->name));
		json_object_object_add(e, "unit", json_object_new_string(c->metric->unit));
		json_object_object_add(e, "better",
				       json_object_new_string(c->metric->better > 0 ? "higher" : "lower"));
		json_object_object_add(e, "test", json_object_new_string(c->metric->test));
		json_object_object_add(e, "baseline_stats", stats_json(&c->base));
		json_object_object_add(e, "candidate_stats", stats_json(&c->cand));
		json_object_object_add(e, "baseline_failed", json_object_new_uint64(c->base_failed));
		json_object_object_add(e, "candidate_failed", json_object_new_uint64(c->cand_failed));
		json_object_object_add(e, "change_pct", number_or_null(c->change_pct));
		json_object_object_add(e, "p", number_or_null(c->p));
		json_object_object_add(e, "verdict",
				       json_object_new_string(compare_verdict_name(c->verdict)));
		json_object_object_add(e, "reason", json_object_new_string(c->reason));
		json_object_array_add(arr, e);
	}
	for (size_t i = 0; i < res->nnotes; i++)
		json_object_array_add(notes, json_object_new_string(res->notes[i]));
	json_object_object_add(root, "comparisons", arr);
	json_object_object_add(root, "not_compared", notes);
	fprintf(out, "%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
								    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}
