// SPDX-License-Identifier: GPL-2.0-only
/*
 * memhp report --seed000: seed 000's numbers beside memhp's (docs/reports.md).
 * The seed is the cover letter of the series that put freshly onlined pages
 * at the tail of the free lists (in since 5.10). Its cells, as it states them:
 * example (a) and experiment (b), with the series and without. The variants
 * are those of ci/seed000.ini: "base" (linux-source-6.1 as it is: the series)
 * and "head" (guest-image/patches/onlined-to-head: without it).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "report.h"

static const struct seed_cell {
	const char *experiment;
	const char *scenarios[3]; /* the first one present is used */
	const char *variant;
	const char *placement;
	int removed, of; /* -1: the seed has a guess, no number */
	const char *seed;
	enum { G_NONE, G_AT_MOST_HALF, G_NONE_REMOVED } guess;
} cells[] = {
	{ "(a) idle, 4 GiB + 8 GiB virtio-mem", { "chain-idle" }, "base",
	  "tail (with the series)", 64, 64,
	  "64 of 64: \"All memory can get unplugged, all memory block can get removed.\"",
	  G_NONE },
	{ "(a) idle, 4 GiB + 8 GiB virtio-mem", { "chain-idle" }, "head",
	  "head (without the series)", 31, 64,
	  "31 of 64: its lsmem lists 33 of blocks 40-103 still there (41, 43, 45, 47, 49-50, "
	  "52, 54, ..., 100, 102-103)",
	  G_NONE },
	{ "(a) 4 GiB + 8 GiB virtio-mem, 64 MiB of kernel memory kept", { "chain-pinned" },
	  "base", "tail (with the series)", 64, 64,
	  "64 of 64: \"All memory can get unplugged, all memory block can get removed.\"",
	  G_NONE },
	{ "(a) 4 GiB + 8 GiB virtio-mem, 64 MiB of kernel memory kept", { "chain-pinned" },
	  "head", "head (without the series)", 31, 64,
	  "31 of 64: its lsmem lists 33 of blocks 40-103 still there (41, 43, 45, 47, 49-50, "
	  "52, 54, ..., 100, 102-103)",
	  G_NONE },
	{ "(b) 448 x 128 MiB virtio-mem, under load",
	  { "paper-virtio-mem-448-scaled", "paper-virtio-mem-448" }, "base",
	  "tail (with the series)", 413, 448,
	  "413 of 448: \"I am able to remove via virtio-mem (adding individual 128MB memory "
	  "blocks) 413 out of 448 added memory blocks.\"",
	  G_NONE },
	{ "(b) 448 x 128 MiB virtio-mem, under load",
	  { "paper-virtio-mem-448-scaled", "paper-virtio-mem-448" }, "head",
	  "head (without the series)", -1, 448,
	  "a guess: \"it's at most half of the 448 memory blocks for virtio-mem\"",
	  G_AT_MOST_HALF },
	{ "(b) 224 x 256 MiB DIMMs, under load",
	  { "paper-dimm-448-scaled", "paper-dimm-448" }, "base", "tail (with the series)", 380,
	  448, "380 of 448: \"Via individual (256MB) DIMMs 380 out of 448 added memory blocks.\"",
	  G_NONE },
	{ "(b) 224 x 256 MiB DIMMs, under load",
	  { "paper-dimm-448-scaled", "paper-dimm-448" }, "head", "head (without the series)", -1,
	  448, "a guess: \"most probably none for DIMMs\"", G_NONE_REMOVED },
};

#define NCELLS (sizeof(cells) / sizeof(cells[0]))

static const struct report_group *find_group(const struct report *rep, const struct seed_cell *c,
					     const char **scenario)
{
	for (size_t k = 0; k < 3 && c->scenarios[k]; k++)
		for (size_t s = 0; s < rep->nscenarios; s++) {
			const struct report_scenario *sc = &rep->scenarios[s];

			if (strcmp(sc->name, c->scenarios[k]))
				continue;
			for (size_t g = 0; g < sc->ngroups; g++)
				if (!strcmp(sc->groups[g].variant, c->variant)) {
					*scenario = sc->name;
					return &sc->groups[g];
				}
		}
	return NULL;
}

/* How many of g's ok runs the guess holds in. */
static size_t guess_holds(const struct report *rep, const struct report_group *g, int guess)
{
	size_t n = 0;

	for (size_t i = 0; i < g->nruns; i++) {
		const struct run_record *r = report_rec(rep, g, i);

		if (r->status != RUN_OK)
			continue;
		if (guess == G_AT_MOST_HALF ? 2 * r->count.removed <= r->count.hotplugged
					    : r->count.removed == 0)
			n++;
	}
	return n;
}

/* The blocks of r still there, lsmem-style: "49, 51, 53-54, ...". */
static void stayed_blocks(const struct run_record *r, char *buf, size_t len)
{
	size_t used = 0;
	bool cut = false;

	buf[0] = '\0';
	for (size_t i = 0; i < r->nblocks && !cut; i++) {
		size_t j = i;
		int n;

		if (r->blocks[i].final == FINAL_REMOVED)
			continue;
		while (j + 1 < r->nblocks && r->blocks[j + 1].final != FINAL_REMOVED &&
		       r->blocks[j + 1].index == r->blocks[j].index + 1)
			j++;
		if (j > i)
			n = snprintf(buf + used, len - used, "%s%" PRIu64 "-%" PRIu64, used ? ", " : "",
				     r->blocks[i].index, r->blocks[j].index);
		else
			n = snprintf(buf + used, len - used, "%s%" PRIu64, used ? ", " : "",
				     r->blocks[i].index);
		if (n < 0 || (size_t)n >= len - used - 5) {
			buf[used] = '\0';
			snprintf(buf + used, len - used, "%s...", used ? ", " : "");
			cut = true;
		} else {
			used += (size_t)n;
		}
		i = j;
	}
	if (!used && !cut)
		snprintf(buf, len, "none");
}

size_t report_seed000_rows(const struct report *rep, struct seed000_row *rows, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < NCELLS && n < max; i++, n++) {
		const struct seed_cell *c = &cells[i];
		struct seed000_row *row = &rows[n];
		const struct report_group *g;

		memset(row, 0, sizeof(*row));
		row->experiment = c->experiment;
		row->placement = c->placement;
		row->variant = c->variant;
		row->seed = c->seed;
		g = find_group(rep, c, &row->scenario);
		if (!g) {
			snprintf(row->memhp, sizeof(row->memhp), "not run (scenario %s, variant %s)",
				 c->scenarios[0], c->variant);
			snprintf(row->versus, sizeof(row->versus), "-");
			continue;
		}
		row->runs = g->nruns;
		row->ok = g->nok;
		if (!g->nok) {
			snprintf(row->memhp, sizeof(row->memhp), "no run ended ok (%zu run%s)",
				 g->nruns, g->nruns == 1 ? "" : "s");
			snprintf(row->versus, sizeof(row->versus), "-");
			continue;
		}
		if (g->nok == 1)
			snprintf(row->memhp, sizeof(row->memhp), "%.0f of %u (1 run)", g->removed.mean,
				 g->of);
		else
			snprintf(row->memhp, sizeof(row->memhp),
				 "%.1f of %u (%.0f-%.0f, sd %.1f; %zu runs)", g->removed.mean, g->of,
				 g->removed.min, g->removed.max, g->removed.sd, g->nok);
		if (!strncmp(c->experiment, "(a)", 3))
			for (size_t k = 0; k < g->nruns; k++)
				if (report_rec(rep, g, k)->status == RUN_OK) {
					stayed_blocks(report_rec(rep, g, k), row->stayed,
						      sizeof(row->stayed));
					break;
				}
		if (c->guess != G_NONE) {
			size_t holds = guess_holds(rep, g, c->guess);

			snprintf(row->versus, sizeof(row->versus), "%s",
				 holds == g->nok ? (g->nok == 1 ? "the guess holds"
								: "the guess holds in every run")
				 : holds == 0	 ? "the guess does not hold"
						 : "the guess holds in some runs");
			if (holds && holds < g->nok)
				snprintf(row->versus, sizeof(row->versus),
					 "the guess holds in %zu of %zu runs", holds, g->nok);
		} else {
			/* As fractions: a scaled scenario may hot-add another count. */
			double seed = 100.0 * c->removed / c->of;
			double got = g->of ? 100.0 * g->removed.mean / g->of : 0;

			snprintf(row->versus, sizeof(row->versus), "%+.1f points (%.1f%% vs %.1f%%)",
				 got - seed, got, seed);
		}
	}
	return n;
}

void report_seed000_text(FILE *out, const struct report *rep)
{
	struct seed000_row rows[SEED000_ROWS];
	size_t n = report_seed000_rows(rep, rows, SEED000_ROWS);

	fputs("== Seed 000 beside memhp (blocks removed of hot-added; ci/seed000.ini)\n", out);
	for (size_t i = 0; i < n; i++) {
		const struct seed000_row *r = &rows[i];

		fprintf(out, "\n%s, %s (variant %s%s%s)\n", r->experiment, r->placement, r->variant,
			r->scenario ? ", scenario " : "", r->scenario ? r->scenario : "");
		fprintf(out, "  seed 000  %s\n", r->seed);
		fprintf(out, "  memhp     %s\n", r->memhp);
		if (*r->stayed)
			fprintf(out, "  stayed    %s (the first ok run)\n", r->stayed);
		fprintf(out, "  versus    %s\n", r->versus);
	}
	fputc('\n', out);
}
