// SPDX-License-Identifier: GPL-2.0-only
/* memhp report --format text and --format csv. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "term.h"
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
			format_size((uint64_t)g->bytes_unplugged.mean, b1, sizeof(b1)),
			g->phase_s[PHASE_UNPLUG].mean);
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

void report_text(FILE *out, const struct report *rep, bool color)
{
	size_t ok = 0;

	for (size_t i = 0; i < rep->nruns; i++)
		ok += rep->runs[i].rec.status == RUN_OK;
	fprintf(out, "%zu run%s (%zu ok, %zu failed or interrupted) in %zu scenario%s\n",
		rep->nruns, rep->nruns == 1 ? "" : "s", ok, rep->nruns - ok, rep->nscenarios,
		rep->nscenarios == 1 ? "" : "s");
	for (size_t i = 0; i < rep->nscenarios; i++) {
		fputc('\n', out);
		scenario_text(out, rep, &rep->scenarios[i], color);
		scenario_sites(out, rep, &rep->scenarios[i]);
	}
	if (rep->nskipped) {
		char buf[4200];

		fputs("\nnot results, skipped:\n", out);
		for (size_t i = 0; i < rep->nskipped; i++)
			fprintf(out, "  %s\n", term_printable(rep->skipped[i], buf, sizeof(buf)));
	}
}

/* RFC 4180: quote a field holding a separator, quote or line break. */
static void csv_field(FILE *out, const char *s, bool last)
{
	if (strpbrk(s, ",\"\r\n")) {
		fputc('"', out);
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

static void csv_u64(FILE *out, uint64_t v)
{
	fprintf(out, "%" PRIu64 ",", v);
}

void report_csv(FILE *out, const struct report *rep)
{
	static const char *const head[] = {
		"scenario", "variant", "repeat", "status", "failed_phase", "reason", "run_id",
		"kernel_release", "kernel_spec", "method", "policy", "block_size", "hotplugged",
		"removed", "offline", "online_movable", "online_normal", "online_other",
		"bytes_plugged", "bytes_unplugged", "bytes_remaining",
	};

	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		fprintf(out, "%s,", head[i]);
	for (unsigned p = 0; p < PHASE_COUNT; p++)
		fprintf(out, "%s_ms,", result_phase_name(p));
	fputs("wall_ms,accel,backend,qemu,host,started,path\r\n", out);

	for (size_t s = 0; s < rep->nscenarios; s++) {
		const struct report_scenario *sc = &rep->scenarios[s];

		for (size_t g = 0; g < sc->ngroups; g++)
			for (size_t i = 0; i < sc->groups[g].nruns; i++) {
				size_t idx = sc->groups[g].runs[i];
				const struct run_record *r = &rep->runs[idx].rec;
				const struct count *c = &r->count;

				csv_field(out, r->scenario_name, false);
				csv_field(out, sc->groups[g].variant, false);
				fprintf(out, "%u,", r->repeat);
				csv_field(out, result_status_name(r->status), false);
				csv_field(out, r->failed_phase, false);
				csv_field(out, r->reason, false);
				csv_field(out, r->run_id, false);
				csv_field(out, r->kernel_release, false);
				csv_field(out, r->kernel_spec, false);
				csv_field(out, r->method, false);
				csv_field(out, r->policy, false);
				csv_u64(out, c->block_size);
				csv_u64(out, c->hotplugged);
				csv_u64(out, c->removed);
				csv_u64(out, c->offline);
				csv_u64(out, c->online_movable);
				csv_u64(out, c->online_normal);
				csv_u64(out, c->online_other);
				csv_u64(out, c->bytes_plugged);
				csv_u64(out, c->bytes_plugged - c->bytes_remaining);
				csv_u64(out, c->bytes_remaining);
				for (unsigned p = 0; p < PHASE_COUNT; p++)
					if (r->phase_ms[p] >= 0)
						fprintf(out, "%" PRId64 ",", r->phase_ms[p]);
					else
						fputc(',', out);
				fprintf(out, "%" PRId64 ",", r->wall_ms);
				csv_field(out, r->accel, false);
				csv_field(out, r->backend, false);
				csv_field(out, r->vmm_version, false);
				csv_field(out, r->host, false);
				csv_field(out, r->started, false);
				csv_field(out, rep->runs[idx].path, true);
			}
	}
}
