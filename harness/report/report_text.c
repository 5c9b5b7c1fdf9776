// SPDX-License-Identifier: GPL-2.0-only
/* memhp report --format text and --format csv. */
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "onlining.h"
#include "report.h"
#include "termout.h"
#include "units.h"
#include "why_sites.h"


static int label_width(const struct report_scenario *s)
{
	int w = 7; /* "VARIANT" */

	for (size_t i = 0; i < s->ngroups; i++) {
		int n = (int)strlen(s->groups[i].variant);

		if (n > w)
			w = n > 40 ? 40 : n;
	}
	return w;
}

static void scenario_text(FILE *out, const struct report *rep, const struct report_scenario *s,
			  bool color)
{
	const struct report_group *base = &s->groups[0];
	int w = label_width(s);
	char name[256], b1[32];

	fprintf(out, "%s== %s (", color ? TERM_BOLD : "", term_printable(s->name, name, sizeof(name)));
	fprintf(out, "%s, ", term_printable(s->method, name, sizeof(name)));
	fprintf(out, "%s)", term_printable(s->policy, name, sizeof(name)));
	if (base->block_size)
		fprintf(out, ", blocks of %s", format_size(base->block_size, b1, sizeof(b1)));
	fprintf(out, "%s\n\n", color ? TERM_RESET : "");
	fprintf(out, "%s%-*s %5s %7s %5s %5s %5s %6s  %-16s %12s %8s%s\n", color ? TERM_BOLD : "", w,
		"VARIANT", "RUNS", "REMOVED", "MIN", "MAX", "OF", "SD", "CHANGE", "UNPLUGGED",
		"UNPLUG", color ? TERM_RESET : "");
	for (size_t i = 0; i < s->ngroups; i++) {
		const struct report_group *g = &s->groups[i];
		char runs[24], chg[48], cell[64];
		int sign;

		snprintf(runs, sizeof(runs), "%zu/%zu", g->nok, g->nruns);
		fprintf(out, "%-*.*s %5s ", w, w, term_printable(g->variant, name, sizeof(name)), runs);
		if (!g->nok) {
			fprintf(out, "%7s %5s %5s %5s %6s  %-16s %12s %8s\n", "-", "-", "-", "-", "-",
				"-", "-", "-");
			continue;
		}
		sign = report_change(base, g, chg, sizeof(chg));
		snprintf(cell, sizeof(cell), "%-16s", chg);
		fprintf(out, "%7.1f %5.0f %5.0f %5u %6.1f  %s%s%s %12s %7.1fs\n", g->removed.mean,
			g->removed.min, g->removed.max, g->of, g->removed.sd,
			color && sign ? (sign > 0 ? TERM_GREEN : TERM_RED) : "", cell,
			color && sign ? TERM_RESET : "",
			report_format_bytes(g->bytes_unplugged.mean, b1, sizeof(b1)),
			g->phase_s[PHASE_UNPLUG].mean);
	}
	for (size_t i = 0; i < s->ngroups; i++) {
		const struct report_group *g = &s->groups[i];
		char a[200], b[200];

		if (g->mixed)
			fprintf(out, "\nwarning  %s pools runs of two kernels: %s %s and %s (give "
				"each kernel a variant name or a results directory of its own)\n",
				term_printable(g->variant, name, sizeof(name)),
				!strcmp(g->mixed, "release") ? "releases" : "inputs sha256",
				term_printable(g->mixed_a, a, sizeof(a)),
				term_printable(g->mixed_b, b, sizeof(b)));
	}
	for (size_t i = 0, nfailed = 0; i < s->ngroups; i++)
		for (size_t j = 0; j < s->groups[i].nruns; j++) {
			const struct run_record *r = report_rec(rep, &s->groups[i], j);
			char reason[1100], id[200], phase[32];

			if (r->status == RUN_OK)
				continue;
			fprintf(out, "%sfailed  %s (%s, repeat %u): %s in phase %s\n",
				nfailed++ ? "" : "\n", term_printable(r->run_id, id, sizeof(id)),
				term_printable(s->groups[i].variant, name, sizeof(name)), r->repeat,
				term_printable(r->reason, reason, sizeof(reason)),
				*r->failed_phase ? term_printable(r->failed_phase, phase, sizeof(phase)) :
						   "?");
		}
	/* What the guest's kernel did otherwise than the scenario asked. */
	for (size_t i = 0, n = 0; i < s->ngroups; i++)
		for (size_t j = 0; j < s->groups[i].nruns; j++) {
			const struct run_record *r = report_rec(rep, &s->groups[i], j);
			char why[512], id[200], text[600];

			if (onlining_zone_text(r, why, sizeof(why)))
				fprintf(out, "%szone mismatch  %s (%s, repeat %u): %s\n", n++ ? "" : "\n",
					term_printable(r->run_id, id, sizeof(id)),
					term_printable(s->groups[i].variant, name, sizeof(name)),
					r->repeat, term_printable(why, text, sizeof(text)));
			if (onlining_not_as_asked_text(r->onlining, why, sizeof(why)))
				fprintf(out, "%snot as asked   %s (%s, repeat %u): the guest's %s\n",
					n++ ? "" : "\n", term_printable(r->run_id, id, sizeof(id)),
					term_printable(s->groups[i].variant, name, sizeof(name)),
					r->repeat, term_printable(why, text, sizeof(text)));
		}
}

/* The allocation sites of the blocks that stayed, run by run. */
static void scenario_sites(FILE *out, const struct report *rep, const struct report_scenario *s)
{
	for (size_t i = 0; i < s->ngroups; i++)
		for (size_t j = 0; j < s->groups[i].nruns; j++) {
			const struct run_record *r = report_rec(rep, &s->groups[i], j);
			char id[200], name[256];
			char *text = NULL;
			size_t len = 0;
			FILE *mem = open_memstream(&text, &len);

			if (!mem)
				abort();
			why_print_sites(mem, r);
			fclose(mem);
			if (len)
				fprintf(out, "\nrun %s (%s, repeat %u):%s",
					term_printable(r->run_id, id, sizeof(id)),
					term_printable(s->groups[i].variant, name, sizeof(name)),
					r->repeat, text);
			free(text);
		}
}

#define SWEEP_COL_MAX 32

/* Width of a column of sweep values (and its heading), at most SWEEP_COL_MAX. */
static int sweep_width(const struct report *rep, const struct report_sweep *sw, size_t k)
{
	int w = (int)strlen(sw->keys[k]);

	for (size_t i = 0; i < sw->n; i++) {
		const char *v = report_sweep_value(&rep->scenarios[sw->scenarios[i]], sw->keys[k]);

		if (v && (int)strlen(v) > w)
			w = (int)strlen(v);
	}
	return w > SWEEP_COL_MAX ? SWEEP_COL_MAX : w;
}

static void sweep_row_stats(FILE *out, size_t nok, size_t nruns, const struct stats *st,
			    unsigned of, double movable)
{
	char runs[48];

	snprintf(runs, sizeof(runs), "%zu/%zu", nok, nruns);
	if (!nok)
		fprintf(out, " %5s %7s %5s %5s %5s %7s\n", runs, "-", "-", "-", "-", "-");
	else
		fprintf(out, " %5s %7.1f %5.0f %5.0f %5u %7.1f\n", runs, st->mean, st->min, st->max,
			of, movable);
}

/* A sweep: every point by variant, then blocks removed by each swept key's
 * value (over the other keys' values), by variant; MOVABLE is the mean of
 * the blocks onlined to ZONE_MOVABLE. */
static void sweep_text(FILE *out, const struct report *rep, const struct report_sweep *sw,
		       bool color)
{
	const char *variants[64], *values[64];
	size_t nv = report_sweep_variants(rep, sw, variants, 64);
	int w[REPORT_SWEEP_KEYS], vw = 7;
	char buf[256], b2[256];

	for (size_t v = 0; v < nv; v++)
		if ((int)strlen(variants[v]) > vw)
			vw = strlen(variants[v]) > 40 ? 40 : (int)strlen(variants[v]);
	fprintf(out, "\n%s== sweep of %s: %zu point%s, blocks removed%s\n\n", color ? TERM_BOLD : "",
		term_printable(sw->base, buf, sizeof(buf)), sw->n, sw->n == 1 ? "" : "s",
		color ? TERM_RESET : "");
	fputs(color ? TERM_BOLD : "", out);
	for (size_t k = 0; k < sw->nkeys; k++) {
		w[k] = sweep_width(rep, sw, k);
		fprintf(out, "%-*.*s ", w[k], w[k], term_printable(sw->keys[k], buf, sizeof(buf)));
	}
	fprintf(out, "%-*s %5s %7s %5s %5s %5s %7s%s\n", vw, "VARIANT", "RUNS", "REMOVED", "MIN",
		"MAX", "OF", "MOVABLE", color ? TERM_RESET : "");
	for (size_t i = 0; i < sw->n; i++) {
		const struct report_scenario *sc = &rep->scenarios[sw->scenarios[i]];

		for (size_t g = 0; g < sc->ngroups; g++) {
			const struct report_group *gr = &sc->groups[g];

			for (size_t k = 0; k < sw->nkeys; k++) {
				const char *v = report_sweep_value(sc, sw->keys[k]);

				fprintf(out, "%-*.*s ", w[k], w[k],
					v ? term_printable(v, buf, sizeof(buf)) : "-");
			}
			fprintf(out, "%-*.*s", vw, vw, term_printable(gr->variant, buf, sizeof(buf)));
			sweep_row_stats(out, gr->nok, gr->nruns, &gr->removed, gr->of,
					report_movable_mean(rep, gr));
		}
	}
	for (size_t k = 0; k < sw->nkeys; k++) {
		size_t nval = report_sweep_values(rep, sw, k, values, 64);
		int kw = sweep_width(rep, sw, k);

		if (kw < 5)
			kw = 5;
		fprintf(out, "\nby %s%s\n", term_printable(sw->keys[k], buf, sizeof(buf)),
			sw->nkeys > 1 ? " (the other swept keys' values together)" : "");
		fprintf(out, "%s%-*s %-*s %5s %7s %5s %5s %5s %7s%s\n", color ? TERM_BOLD : "", kw,
			"VALUE", vw, "VARIANT", "RUNS", "REMOVED", "MIN", "MAX", "OF", "MOVABLE",
			color ? TERM_RESET : "");
		for (size_t j = 0; j < nval; j++)
			for (size_t v = 0; v < nv; v++) {
				struct stats st;
				unsigned of;
				double mov;
				size_t runs;

				report_sweep_stats(rep, sw, k, values[j], variants[v], &st, &of, &mov,
						   &runs);
				if (!runs)
					continue;
				fprintf(out, "%-*.*s %-*.*s", kw, kw,
					term_printable(values[j], buf, sizeof(buf)), vw, vw,
					term_printable(variants[v], b2, sizeof(b2)));
				sweep_row_stats(out, st.n, runs, &st, of, mov);
			}
	}
}

void report_text(FILE *out, const struct report *rep, bool color)
{
	size_t ok = 0;

	for (size_t i = 0; i < rep->nruns; i++)
		ok += rep->runs[i].rec.status == RUN_OK;
	fprintf(out, "%zu run%s (%zu ok, %zu failed or interrupted) in %zu scenario%s\n",
		rep->nruns, rep->nruns == 1 ? "" : "s", ok, rep->nruns - ok, rep->nscenarios,
		rep->nscenarios == 1 ? "" : "s");
	if (rep->seed000) {
		fputc('\n', out);
		report_seed000_text(out, rep);
	}
	for (size_t i = 0; i < rep->nscenarios; i++) {
		fputc('\n', out);
		scenario_text(out, rep, &rep->scenarios[i], color);
		scenario_sites(out, rep, &rep->scenarios[i]);
	}
	for (size_t i = 0; i < rep->nsweeps; i++)
		sweep_text(out, rep, &rep->sweeps[i], color);
	if (rep->nskipped) {
		char buf[4200];

		fputs("\nnot results, skipped:\n", out);
		for (size_t i = 0; i < rep->nskipped; i++)
			fprintf(out, "  %s\n", term_printable(rep->skipped[i], buf, sizeof(buf)));
	}
}

/* RFC 4180: quote a field holding a separator, quote or line break. A
 * field that a spreadsheet would take for a formula (= + - @, tab, CR
 * first: names come from result files) gets a leading ' and quotes. */
static void csv_field(FILE *out, const char *s, bool last)
{
	bool formula = *s && strchr("=+-@\t\r", *s);

	if (formula || strpbrk(s, ",\"\r\n")) {
		fputc('"', out);
		if (formula)
			fputc('\'', out);
		for (; *s; s++) {
			if (*s == '"')
				fputc('"', out);
			fputc(*s, out);
		}
		fputc('"', out);
	} else {
		fputs(s, out);
	}
	fputs(last ? "\r\n" : ",", out);
}

/* The CSV columns, header and row from one table. Counts that were not
 * measured are empty fields, as phases that were not reached are. */
enum col_kind { C_STR, C_U32, C_U64, C_I64, C_VARIANT, C_STATUS, C_UNPLUGGED, C_PHASE, C_PATH,
		C_SWEEP };

#define RR struct run_record
#define COL(name, kind, f, flag) { name, kind, offsetof(RR, f), flag }
#define MEASURED_PLUGGED (offsetof(RR, count.have_plugged) + 1)
#define MEASURED_FINAL (offsetof(RR, count.have_final) + 1)

static const struct column {
	const char *name;
	enum col_kind kind;
	size_t offset; /* of the field; the phase for C_PHASE */
	size_t flag;   /* 1 + offset of the bool saying it was measured; 0: always */
} csv_cols[] = {
	COL("scenario", C_STR, scenario_name, 0),
	COL("base", C_STR, scenario_base, 0),
	{ "sweep", C_SWEEP, 0, 0 },
	{ "variant", C_VARIANT, 0, 0 },
	COL("repeat", C_U32, repeat, 0),
	{ "status", C_STATUS, 0, 0 },
	COL("failed_phase", C_STR, failed_phase, 0),
	COL("reason", C_STR, reason, 0),
	COL("run_id", C_STR, run_id, 0),
	COL("kernel_release", C_STR, kernel_release, 0),
	COL("kernel_spec", C_STR, kernel_spec, 0),
	COL("method", C_STR, method, 0),
	COL("policy", C_STR, policy, 0),
	COL("block_size", C_U64, count.block_size, MEASURED_PLUGGED),
	COL("hotplugged", C_U32, count.hotplugged, MEASURED_PLUGGED),
	COL("removed", C_U32, count.removed, MEASURED_FINAL),
	COL("offline", C_U32, count.offline, MEASURED_FINAL),
	COL("online_movable", C_U32, count.online_movable, MEASURED_FINAL),
	COL("online_normal", C_U32, count.online_normal, MEASURED_FINAL),
	COL("online_other", C_U32, count.online_other, MEASURED_FINAL),
	COL("bytes_plugged", C_U64, count.bytes_plugged, MEASURED_PLUGGED),
	{ "bytes_unplugged", C_UNPLUGGED, 0, 0 },
	COL("bytes_remaining", C_U64, count.bytes_remaining, MEASURED_FINAL),
	{ "image_ms", C_PHASE, PHASE_IMAGE, 0 },
	{ "boot_ms", C_PHASE, PHASE_BOOT, 0 },
	{ "plug_ms", C_PHASE, PHASE_PLUG, 0 },
	{ "online_ms", C_PHASE, PHASE_ONLINE, 0 },
	{ "workload_ms", C_PHASE, PHASE_WORKLOAD, 0 },
	{ "unplug_ms", C_PHASE, PHASE_UNPLUG, 0 },
	{ "settle_ms", C_PHASE, PHASE_SETTLE, 0 },
	COL("wall_ms", C_I64, wall_ms, 0),
	COL("accel", C_STR, accel, 0),
	COL("backend", C_STR, backend, 0),
	COL("qemu", C_STR, vmm_version, 0),
	COL("host", C_STR, host, 0),
	COL("started", C_STR, started, 0),
	{ "path", C_PATH, 0, 0 },
};
#define NCOLS (sizeof(csv_cols) / sizeof(csv_cols[0]))

static void csv_cell(FILE *out, const struct column *col, const struct report_run *run,
		     const char *variant, bool last)
{
	const struct run_record *r = &run->rec;
	const char *base = (const char *)r, *p = base + col->offset;
	char num[32] = "";

	if (col->flag && !*(const bool *)(base + col->flag - 1)) {
		csv_field(out, "", last);
		return;
	}
	switch (col->kind) {
	case C_STR: csv_field(out, p, last); return;
	case C_VARIANT: csv_field(out, variant, last); return;
	case C_STATUS: csv_field(out, result_status_name(r->status), last); return;
	case C_PATH: csv_field(out, run->path, last); return;
	case C_SWEEP: {
		/* "section.key=value;..." in the sweep's order; "" for a plain run. */
		char sw[SWEEP_MAX_KEYS * (64 + 256 + 2) + 1] = "";
		size_t n = 0;

		for (unsigned k = 0; k < r->sweep.n; k++)
			n += (size_t)snprintf(sw + n, sizeof(sw) - n, "%s%s=%s", k ? ";" : "",
					      r->sweep.kv[k].key, r->sweep.kv[k].value);
		csv_field(out, sw, last);
		return;
	}
	case C_U32: snprintf(num, sizeof(num), "%u", *(const unsigned *)p); break;
	case C_U64: snprintf(num, sizeof(num), "%" PRIu64, *(const uint64_t *)p); break;
	case C_I64: snprintf(num, sizeof(num), "%" PRId64, *(const int64_t *)p); break;
	case C_UNPLUGGED:
		if (result_have_bytes_unplugged(&r->count))
			snprintf(num, sizeof(num), "%" PRIu64, result_bytes_unplugged(&r->count));
		break;
	case C_PHASE:
		if (r->phase_ms[col->offset] >= 0)
			snprintf(num, sizeof(num), "%" PRId64, r->phase_ms[col->offset]);
		break;
	}
	csv_field(out, num, last);
}

void report_csv(FILE *out, const struct report *rep)
{
	for (size_t c = 0; c < NCOLS; c++)
		csv_field(out, csv_cols[c].name, c + 1 == NCOLS);
	for (size_t s = 0; s < rep->nscenarios; s++) {
		const struct report_scenario *sc = &rep->scenarios[s];

		for (size_t g = 0; g < sc->ngroups; g++)
			for (size_t i = 0; i < sc->groups[g].nruns; i++) {
				const struct report_run *run = &rep->runs[sc->groups[g].runs[i]];

				for (size_t c = 0; c < NCOLS; c++)
					csv_cell(out, &csv_cols[c], run, sc->groups[g].variant,
						 c + 1 == NCOLS);
			}
	}
}
