// SPDX-License-Identifier: GPL-2.0-only
/*
 * Figures for memhp report. memhp writes the numbers and the labels to data
 * files and a script that holds only numbers, its own file names and fixed
 * titles; gnuplot reads labels from the data files as data, so no name from
 * a result file is ever parsed as gnuplot syntax.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "report_plot.h"
#include "subproc.h"
#include "stats.h"

#define PAGE_SIZE 4096.0 /* when a block's why does not say */

#define MAX_KINDS 16

/* A label for a tab-separated gnuplot data file: no tabs or line breaks
 * (separators), no double quotes (gnuplot's string quotes in data). */
static const char *data_label(const char *s, char *buf, size_t len)
{
	size_t i = 0;

	for (; *s && i + 1 < len; s++, i++) {
		unsigned char c = (unsigned char)*s;

		buf[i] = c == '"' ? '\'' : c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	if (!i && len > 1)
		buf[i++] = '?';
	buf[i] = '\0';
	return buf;
}

/* A new file in dir: never one that was there, never through a symlink. */
static FILE *open_in(const char *dir, const char *name, struct err *err)
{
	char path[4200];
	FILE *f = NULL;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd >= 0 && !(f = fdopen(fd, "w")))
		close(fd);
	if (!f)
		err_set(err, "cannot create %s: %s", path, strerror(errno));
	return f;
}

/* BASE.dat (the means) and BASE-runs.dat (every run) of a figure, both
 * opened in DIR; their names are left in name and runs (64 bytes each). */
static int open_dat_pair(const char *dir, const char *base, char *name, char *runs,
			 FILE **f, FILE **fr, struct err *err)
{
	snprintf(name, 64, "%s.dat", base);
	snprintf(runs, 64, "%s-runs.dat", base);
	if (!(*f = open_in(dir, name, err)))
		return -EIO;
	if (!(*fr = open_in(dir, runs, err))) {
		fclose(*f);
		return -EIO;
	}
	return 0;
}

/*
 * The script gnuplot runs, in a sealed memfd passed as /dev/fd/N: no file
 * name another process could rename something over between our write and
 * gnuplot's read. Returns the fd, or -errno.
 */
static int sealed_script(const char *text, size_t len, struct err *err)
{
	int fd = memfd_create("memhp-report.gp", MFD_ALLOW_SEALING); /* inherited by gnuplot */

	if (fd < 0)
		return err_fail(err, -errno, "memfd_create: %s", strerror(errno));
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0) {
			err_set(err, "writing the gnuplot script: %s", strerror(errno));
			close(fd);
			return -EIO;
		}
		off += (size_t)n;
	}
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0 ||
	    lseek(fd, 0, SEEK_SET) < 0) {
		err_set(err, "sealing the gnuplot script: %s", strerror(errno));
		close(fd);
		return -EIO;
	}
	return fd;
}

static int close_file(FILE *f, const char *dir, const char *name, struct err *err)
{
	if (ferror(f) | fclose(f))
		return err_fail(err, -EIO, "cannot write %s/%s: %s", dir, name, strerror(errno));
	return 0;
}

/* --- (a) blocks removed per variant: mean, min..max, each run, N */

static int removed_data(const struct report *rep, const struct report_scenario *sc,
			const char *dir, const struct figure *fig, unsigned *of, struct err *err)
{
	char name[64], runs[64], label[256];
	FILE *f, *fr;
	size_t nok = 0;

	if (open_dat_pair(dir, fig->base, name, runs, &f, &fr, err))
		return -EIO;
	*of = 0;
	for (size_t g = 0; g < sc->ngroups; g++) {
		const struct report_group *gr = &sc->groups[g];

		/* NaN: gnuplot draws nothing for a variant without an ok run. */
		if (gr->nok)
			fprintf(f, "%zu\t%.3f\t%.0f\t%.0f\t%s\n", g, gr->removed.mean,
				gr->removed.min, gr->removed.max,
				data_label(gr->variant, label, sizeof(label)));
		else
			fprintf(f, "%zu\tNaN\tNaN\tNaN\t%s\n", g,
				data_label(gr->variant, label, sizeof(label)));
		for (size_t i = 0; i < gr->nruns; i++) {
			const struct run_record *r = report_rec(rep, gr, i);

			if (r->status != RUN_OK)
				continue;
			/* Spread the points of one variant a little so repeats stay visible. */
			fprintf(fr, "%.3f\t%u\n",
				(double)g + 0.3 * ((double)(i + 1) / (double)(gr->nruns + 1) - 0.5),
				r->count.removed);
			nok++;
		}
		if (gr->of > *of)
			*of = gr->of;
	}
	if (close_file(fr, dir, runs, err)) {
		fclose(f);
		return -EIO;
	}
	if (close_file(f, dir, name, err))
		return -EIO;
	return nok ? 1 : 0;
}

static void removed_script(FILE *gp, const struct report_scenario *sc, const char *base,
			   unsigned of)
{
	fprintf(gp, "set ylabel \"blocks removed\"\n"
		    "set yrange [0:%u]\n"
		    "set xrange [-0.6:%zu.4]\n"
		    "set boxwidth 0.6\n"
		    "set xtics %s\n",
		of ? of + of / 12 + 1 : 1, sc->ngroups - 1,
		sc->ngroups > 4 ? "rotate by -25" : "norotate");
	fprintf(gp,
		"plot '%s.dat' using 1:2:xtic(5) with boxes lt 1 title \"mean\", \\\n"
		"     '' using 1:2:3:4 with yerrorbars lc rgb \"#222222\" lw 1.5 ps 0 "
		"title \"min to max\", \\\n"
		"     '%s-runs.dat' using 1:2 with points lt 6 title \"each run\", \\\n"
		"     %u with lines dt 2 lc rgb \"#444444\" title \"hot-added\"\n",
		base, base, of);
}

/* --- (b) per-block map: a row per run, a cell per hot-added block */

enum cell { CELL_REMOVED, CELL_OFFLINE, CELL_NORMAL, CELL_MOVABLE, CELL_OTHER, CELL_COUNT };
static const char *const cell_name[CELL_COUNT] = { "removed", "offline", "normal", "movable",
						   "other" };
static const char *const cell_title[CELL_COUNT] = { "removed", "offline", "online Normal",
						    "online Movable", "online, other zone" };

static enum cell cell_of(const struct block_record *b)
{
	if (b->final == FINAL_REMOVED)
		return CELL_REMOVED;
	if (b->final == FINAL_OFFLINE)
		return CELL_OFFLINE;
	if (!strcmp(b->final_zone, "Normal"))
		return CELL_NORMAL;
	if (!strcmp(b->final_zone, "Movable"))
		return CELL_MOVABLE;
	return CELL_OTHER;
}

static int map_data(const struct report *rep, const struct report_scenario *sc, const char *dir,
		    const struct figure *fig, bool used[CELL_COUNT], size_t *rows, size_t *cols,
		    struct err *err)
{
	FILE *f[CELL_COUNT] = { 0 };
	char name[CELL_COUNT][64], label[300], vl[256];
	int rc = 0;

	*rows = *cols = 0;
	for (unsigned c = 0; c < CELL_COUNT; c++) {
		used[c] = false;
		snprintf(name[c], sizeof(name[c]), "%s-%s.dat", fig->base, cell_name[c]);
		if (!(f[c] = open_in(dir, name[c], err)))
			rc = -EIO;
	}
	for (size_t g = 0; !rc && g < sc->ngroups; g++) {
		const struct report_group *gr = &sc->groups[g];

		for (size_t i = 0; i < gr->nruns; i++) {
			const struct run_record *r = report_rec(rep, gr, i);

			if (!r->nblocks || !r->count.have_final)
				continue;
			snprintf(label, sizeof(label), "%s r%u%s",
				 data_label(gr->variant, vl, sizeof(vl)), r->repeat,
				 r->status == RUN_OK ? "" : " (failed)");
			for (size_t b = 0; b < r->nblocks; b++) {
				enum cell c = cell_of(&r->blocks[b]);

				fprintf(f[c], "%zu\t%zu\t%s\n", b, *rows, label);
				used[c] = true;
			}
			if (r->nblocks > *cols)
				*cols = r->nblocks;
			(*rows)++;
		}
	}
	for (unsigned c = 0; c < CELL_COUNT; c++)
		if (f[c] && close_file(f[c], dir, name[c], err))
			rc = -EIO;
	return rc ? rc : *rows > 0;
}

static void map_script(FILE *gp, const char *base, const bool used[CELL_COUNT], size_t rows,
		       size_t cols)
{
	const char *sep = "plot ";

	fprintf(gp, "set yrange [%zu.5:-0.5]\n"
		    "set xrange [-0.5:%zu.5]\n"
		    "set xlabel \"hot-added memory block, in address order\"\n"
		    "set ytics scale 0\n"
		    "set grid noytics\n"
		    "%s",
		rows - 1, cols - 1, cols <= 24 ? "set xtics 1\n" : "");
	for (unsigned c = 0; c < CELL_COUNT; c++) {
		if (!used[c])
			continue;
		fprintf(gp,
			"%s'%s-%s.dat' using 1:2:(0.5):(0.42):ytic(3) with boxxyerror "
			"fs solid 1.0 noborder lc rgb c_%s title \"%s\"",
			sep, base, cell_name[c], cell_name[c], cell_title[c]);
		sep = ", \\\n     ";
	}
	fputc('\n', gp);
}

/* --- (c) unplug timeline: blocks still present against time, a line per variant */

/* The ok run with a timeline whose count of removed blocks is nearest the
 * median of its variant (the first of equals). */
static const struct run_record *median_run(const struct report *rep,
					   const struct report_group *g)
{
	const struct run_record *best = NULL;
	double *v = calloc(g->nruns + 1, sizeof(double)), med, bestd = 0;
	size_t n = 0;

	if (!v)
		abort();
	for (size_t i = 0; i < g->nruns; i++) {
		const struct run_record *r = report_rec(rep, g, i);

		if (r->status == RUN_OK && r->ntimeline)
			v[n++] = r->count.removed;
	}
	med = stats_median(v, n);
	free(v);
	for (size_t i = 0; i < g->nruns; i++) {
		const struct run_record *r = report_rec(rep, g, i);
		double d = fabs((double)r->count.removed - med);

		if (r->status == RUN_OK && r->ntimeline && (!best || d < bestd)) {
			best = r;
			bestd = d;
		}
	}
	return best;
}

static int timeline_data(const struct report *rep, const struct report_scenario *sc,
			 const char *dir, const struct figure *fig, size_t *nlines,
			 uint64_t *max_bytes, struct err *err)
{
	char name[64], label[256];
	FILE *f;

	snprintf(name, sizeof(name), "%s.dat", fig->base);
	if (!(f = open_in(dir, name, err)))
		return -EIO;
	*nlines = 0;
	for (size_t g = 0; g < sc->ngroups; g++) {
		const struct run_record *r = median_run(rep, &sc->groups[g]);
		double end;

		if (!r)
			continue;
		fprintf(f, "%sseconds\tMiB\t%s\n", *nlines ? "\n\n" : "",
			data_label(sc->groups[g].variant, label, sizeof(label)));
		for (size_t i = 0; i < r->ntimeline; i++)
			fprintf(f, "%.3f\t%.1f\n", (double)r->timeline[i].t_ms / 1000,
				(double)r->timeline[i].bytes_plugged / 1048576);
		/* Hold the last count to the end of the settle phase (in double:
		 * two huge phase times must not overflow). */
		end = (r->phase_ms[PHASE_UNPLUG] > 0 ? (double)r->phase_ms[PHASE_UNPLUG] : 0) +
		      (r->phase_ms[PHASE_SETTLE] > 0 ? (double)r->phase_ms[PHASE_SETTLE] : 0);
		if (end < (double)r->timeline[r->ntimeline - 1].t_ms)
			end = (double)r->timeline[r->ntimeline - 1].t_ms;
		fprintf(f, "%.3f\t%.1f\n", end / 1000,
			(double)r->count.bytes_remaining / 1048576);
		if (r->count.bytes_plugged > *max_bytes)
			*max_bytes = r->count.bytes_plugged;
		(*nlines)++;
	}
	if (close_file(f, dir, name, err))
		return -EIO;
	return *nlines > 0;
}

static void timeline_script(FILE *gp, const char *base, size_t nlines, uint64_t max_bytes)
{
	double mib = (double)max_bytes / 1048576;

	fprintf(gp, "set xlabel \"seconds since the first unplug request\"\n"
		    "set ylabel \"MiB still plugged\"\n"
		    "set yrange [0:%.0f]\n"
		    "set xrange [0:*]\n",
		mib > 0 ? mib * 1.08 + 1 : 1);
	for (size_t i = 0; i < nlines; i++)
		fprintf(gp, "%s'%s.dat' index %zu using 1:2 with steps lt %zu title columnheader(3)",
			i ? ", \\\n     " : "plot ", base, i, i + 1);
	fputc('\n', gp);
}

/* --- (d) what the remaining blocks hold: page kinds per variant, stacked */

struct kinds {
	char name[MAX_KINDS][32];
	size_t n;
};

static size_t kind_index(struct kinds *k, const char *name)
{
	for (size_t i = 0; i < k->n; i++)
		if (!strcmp(k->name[i], name))
			return i;
	if (k->n == MAX_KINDS)
		return MAX_KINDS;
	snprintf(k->name[k->n], sizeof(k->name[k->n]), "%s", name);
	return k->n++;
}

/* Mean MiB per ok run of each page kind, over the blocks that stayed. */
static void why_sums(const struct report *rep, const struct report_group *g, struct kinds *k,
		     double mib[MAX_KINDS])
{
	for (size_t i = 0; i < g->nruns; i++) {
		const struct run_record *r = report_rec(rep, g, i);

		if (r->status != RUN_OK)
			continue;
		for (size_t b = 0; b < r->nblocks; b++) {
			json_object *pages, *ps;
			double page_size = PAGE_SIZE;

			/* issue 24: the probe says its page size (64 KiB on ppc64le). */
			if (r->blocks[b].why &&
			    json_object_object_get_ex(r->blocks[b].why, "page_size", &ps) &&
			    json_object_is_type(ps, json_type_int) && json_object_get_int64(ps) > 0 &&
			    json_object_get_int64(ps) <= (1 << 24))
				page_size = (double)json_object_get_int64(ps);
			if (!r->blocks[b].why ||
			    !json_object_object_get_ex(r->blocks[b].why, "pages", &pages) ||
			    !json_object_is_type(pages, json_type_object))
				continue;
			json_object_object_foreach(pages, key, val) {
				size_t ki = kind_index(k, key);

				/* Verbatim from the file: counts only. */
				if (ki < MAX_KINDS && json_object_is_type(val, json_type_int) &&
				    json_object_get_int64(val) > 0)
					mib[ki] += (double)json_object_get_int64(val) * page_size /
						   1048576.0 / (double)g->nok;
			}
		}
	}
}

static int why_data(const struct report *rep, const struct report_scenario *sc, const char *dir,
		    const struct figure *fig, struct kinds *k, struct err *err)
{
	static const char *const order[] = { "free", "anon", "file", "thp", "hugetlb", "slab",
					     "pgtable", "reserved", "offline", "other" };
	double (*mib)[MAX_KINDS] = calloc(sc->ngroups + 1, sizeof(*mib));
	char name[64], label[256];
	double total = 0;
	FILE *f;

	if (!mib)
		abort();
	k->n = 0;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		kind_index(k, order[i]);
	for (size_t g = 0; g < sc->ngroups; g++)
		why_sums(rep, &sc->groups[g], k, mib[g]);
	for (size_t g = 0; g < sc->ngroups; g++)
		for (size_t i = 0; i < k->n; i++)
			total += mib[g][i];
	snprintf(name, sizeof(name), "%s.dat", fig->base);
	if (!(f = open_in(dir, name, err))) {
		free(mib);
		return -EIO;
	}
	fputs("n\tvariant", f);
	for (size_t i = 0; i < k->n; i++)
		fprintf(f, "\t%s", data_label(k->name[i], label, sizeof(label)));
	fputc('\n', f);
	for (size_t g = 0; g < sc->ngroups; g++) {
		fprintf(f, "%zu\t%s", g, data_label(sc->groups[g].variant, label, sizeof(label)));
		for (size_t i = 0; i < k->n; i++)
			fprintf(f, "\t%.3f", mib[g][i]);
		fputc('\n', f);
	}
	/* Only kinds that hold something are drawn: mark the others unused. */
	for (size_t i = 0; i < k->n; i++) {
		double sum = 0;

		for (size_t g = 0; g < sc->ngroups; g++)
			sum += mib[g][i];
		if (sum <= 0)
			k->name[i][0] = '\0';
	}
	free(mib);
	if (close_file(f, dir, name, err))
		return -EIO;
	return total > 0;
}

static void why_script(FILE *gp, const char *base, const struct kinds *k)
{
	bool first = true;

	fputs("set style data histograms\n"
	      "set style histogram rowstacked\n"
	      "set boxwidth 0.6\n"
	      "set ylabel \"MiB in blocks that stayed, mean per run\"\n"
	      "set yrange [0:*]\n",
	      gp);
	for (size_t i = 0; i < k->n; i++) {
		if (!k->name[i][0])
			continue;
		fprintf(gp, "%s'%s.dat' using %zu%s title columnheader(%zu)",
			first ? "plot " : ", \\\n     ", base, i + 3, first ? ":xtic(2)" : "", i + 3);
		first = false;
	}
	fputc('\n', gp);
}

/* --- running gnuplot */

static const struct {
	const char *name, *title;
	int width, height;
} figs[FIG_COUNT] = {
	[FIG_REMOVED] = { "removed", "Blocks removed per variant", 720, 400 },
	[FIG_MAP] = { "map", "Every hot-added block at the end of each run", 900, 0 },
	[FIG_TIMELINE] = { "timeline", "Unplug timeline: memory still plugged, the median run of each variant", 720,
			   400 },
	[FIG_WHY] = { "why", "What the blocks that stayed hold", 720, 400 },
};

/*
 * Run gnuplot on body (the figure's own commands) between the common header
 * and the PNG replot, with a copy of the whole script beside the data.
 */
static int draw(const char *dir, const char *gnuplot, struct figure *fig, size_t index, int width,
		int height, const char *body, struct err *err)
{
	char script[64], style[4200], out[4200];
	struct argv a = { 0 };
	struct stat st;
	char *ignored, *text = NULL;
	size_t textlen = 0;
	int sfd, rc;
	FILE *gp;

	snprintf(script, sizeof(script), "%s.gp", fig->base);
	if (!(gp = open_memstream(&text, &textlen)))
		abort();
	fprintf(gp, "# memhp report: %s (%zu); style from reports/gnuplot/style.gp\n"
		    "set datafile separator \"\\t\"\n"
		    "set datafile commentschars \"\"\n"
		    "set terminal svg size %d,%d noenhanced font \"sans,11\" background rgb \"white\"\n"
		    "set output '%s.svg'\n",
		fig->title, index, width, height, fig->base);
	fputs(body, gp);
	fprintf(gp, "set terminal pngcairo size %d,%d noenhanced font \"sans,10\" "
		    "background rgb \"white\"\n"
		    "set output '%s.png'\n"
		    "replot\n"
		    "unset output\n",
		width, height, fig->base);
	if (fclose(gp))
		abort();
	/* A copy beside the data, to redraw by hand; gnuplot runs the memfd. */
	gp = open_in(dir, script, err);
	if (!gp) {
		free(text);
		return -EIO;
	}
	fwrite(text, 1, textlen, gp);
	if (close_file(gp, dir, script, err)) {
		free(text);
		return -EIO;
	}
	sfd = sealed_script(text, textlen, err);
	free(text);
	if (sfd < 0)
		return sfd;

	snprintf(style, sizeof(style), "%s/reports/gnuplot/style.gp", image_datadir());
	argv_add(&a, "%s", gnuplot);
	argv_add(&a, "%s", style);
	argv_add(&a, "/dev/fd/%d", sfd);
	rc = spawn_capture_in(&a, dir, &ignored, err);
	argv_free(&a);
	close(sfd);
	if (rc)
		return err_wrap(err, rc, "drawing %s", fig->base);
	free(ignored);
	snprintf(out, sizeof(out), "%s/%s.svg", dir, fig->base);
	if (stat(out, &st) < 0 || !st.st_size)
		return err_fail(err, -EIO, "gnuplot wrote no %s", out);
	fig->made = true;
	return 0;
}

int report_plot(const struct report *rep, size_t s, enum fig_kind kind, const char *dir,
		const char *gnuplot, struct figure *fig, struct err *err)
{
	const struct report_scenario *sc = &rep->scenarios[s];
	bool used[CELL_COUNT];
	size_t rows = 0, cols = 0, nlines = 0;
	struct kinds k;
	unsigned of = 0;
	uint64_t max_bytes = 0;
	int height = figs[kind].height, rc;
	char *body = NULL;
	size_t bodylen = 0;
	FILE *gp;

	memset(fig, 0, sizeof(*fig));
	snprintf(fig->base, sizeof(fig->base), "%s-%zu", figs[kind].name, s);
	fig->title = figs[kind].title;
	switch (kind) {
	case FIG_REMOVED:
		rc = removed_data(rep, sc, dir, fig, &of, err);
		snprintf(fig->note, sizeof(fig->note), "no run of this scenario ended ok");
		break;
	case FIG_MAP:
		rc = map_data(rep, sc, dir, fig, used, &rows, &cols, err);
		height = 110 + 18 * (int)(rows > 100 ? 100 : rows);
		snprintf(fig->note, sizeof(fig->note), "no run got as far as counting blocks");
		break;
	case FIG_TIMELINE:
		rc = timeline_data(rep, sc, dir, fig, &nlines, &max_bytes, err);
		snprintf(fig->note, sizeof(fig->note), "no run got as far as unplugging");
		break;
	case FIG_WHY:
		rc = why_data(rep, sc, dir, fig, &k, err);
		snprintf(fig->note, sizeof(fig->note),
			 "no hot-added block stayed in an ok run (or none was examined)");
		break;
	default:
		return err_fail(err, -EINVAL, "unknown figure %d", kind);
	}
	if (rc <= 0)
		return rc;
	fig->note[0] = '\0';
	if (!(gp = open_memstream(&body, &bodylen)))
		abort();
	switch (kind) {
	case FIG_REMOVED: removed_script(gp, sc, fig->base, of); break;
	case FIG_MAP: map_script(gp, fig->base, used, rows, cols); break;
	case FIG_TIMELINE: timeline_script(gp, fig->base, nlines, max_bytes); break;
	case FIG_WHY: why_script(gp, fig->base, &k); break;
	default: break;
	}
	if (fclose(gp))
		abort();
	rc = draw(dir, gnuplot, fig, s, figs[kind].width, height, body, err);
	free(body);
	return rc;
}

/* --- (e) a sweep: blocks removed against one swept key's values, a line per
 * variant (mean, min to max), each run a point */

#define SWEEP_FIG_MAX 64

static int sweep_data(const struct report *rep, const struct report_sweep *sw, size_t k,
		      const char *dir, const struct figure *fig, size_t *nlines, size_t *nvalues,
		      unsigned *of, struct err *err)
{
	const char *variants[SWEEP_FIG_MAX], *values[SWEEP_FIG_MAX];
	size_t nv = report_sweep_variants(rep, sw, variants, SWEEP_FIG_MAX);
	char name[64], runs[64], label[256], vl[256];
	FILE *f, *fr;

	*nvalues = report_sweep_values(rep, sw, k, values, SWEEP_FIG_MAX);
	*nlines = 0;
	*of = 0;
	if (open_dat_pair(dir, fig->base, name, runs, &f, &fr, err))
		return -EIO;
	for (size_t v = 0; v < nv; v++) {
		/* Variants side by side around each value. */
		double off = nv > 1 ? 0.25 * ((double)v / (double)(nv - 1) - 0.5) : 0;
		bool any = false;

		for (size_t j = 0; j < *nvalues; j++) {
			struct stats st;
			unsigned o;
			double mov;
			size_t nruns;

			report_sweep_stats(rep, sw, k, values[j], variants[v], &st, &o, &mov, &nruns);
			if (!st.n)
				continue;
			if (!any)
				fprintf(f, "%sx\tmean\tmin\tmax\tvalue\t%s\n", *nlines ? "\n\n" : "",
					data_label(variants[v], vl, sizeof(vl)));
			any = true;
			fprintf(f, "%.3f\t%.3f\t%.0f\t%.0f\t%s\n", (double)j + off, st.mean, st.min,
				st.max, data_label(values[j], label, sizeof(label)));
			if (o > *of)
				*of = o;
		}
		if (!any)
			continue;
		/* Each run of this variant at each value, in the same block order. */
		fprintf(fr, "%s", *nlines ? "\n\n" : "");
		for (size_t i = 0; i < sw->n; i++) {
			const struct report_scenario *sc = &rep->scenarios[sw->scenarios[i]];
			const char *val = report_sweep_value(sc, sw->keys[k]);
			size_t j = 0;

			while (val && j < *nvalues && strcmp(values[j], val))
				j++;
			if (!val || j == *nvalues)
				continue;
			for (size_t g = 0; g < sc->ngroups; g++)
				for (size_t r = 0; !strcmp(sc->groups[g].variant, variants[v]) &&
						   r < sc->groups[g].nruns; r++) {
					const struct run_record *rec = report_rec(rep, &sc->groups[g], r);

					if (rec->status == RUN_OK)
						fprintf(fr, "%.3f\t%u\n", (double)j + off, rec->count.removed);
				}
		}
		(*nlines)++;
	}
	if (close_file(fr, dir, runs, err)) {
		fclose(f);
		return -EIO;
	}
	if (close_file(f, dir, name, err))
		return -EIO;
	return *nlines > 0;
}

int report_plot_sweep(const struct report *rep, size_t w, size_t k, const char *dir,
		      const char *gnuplot, struct figure *fig, struct err *err)
{
	const struct report_sweep *sw = &rep->sweeps[w];
	size_t nlines, nvalues;
	unsigned of;
	char *body = NULL;
	size_t bodylen = 0;
	FILE *gp;
	int rc;

	memset(fig, 0, sizeof(*fig));
	snprintf(fig->base, sizeof(fig->base), "sweep-%zu-%zu", w, k);
	fig->title = "Blocks removed against a swept key's values, per variant (mean, min to max, "
		     "each run)";
	snprintf(fig->note, sizeof(fig->note), "no run of these points ended ok");
	rc = sweep_data(rep, sw, k, dir, fig, &nlines, &nvalues, &of, err);
	if (rc <= 0)
		return rc;
	fig->note[0] = '\0';
	if (!(gp = open_memstream(&body, &bodylen)))
		abort();
	fprintf(gp, "set ylabel \"blocks removed\"\n"
		    "set yrange [0:%u]\n"
		    "set xrange [-0.6:%zu.6]\n"
		    "set xtics %s\n",
		of ? of + of / 12 + 1 : 1, nvalues ? nvalues - 1 : 0,
		nvalues > 4 ? "rotate by -25" : "norotate");
	for (size_t i = 0; i < nlines; i++)
		fprintf(gp, "%s'%s.dat' index %zu using 1:2:3:4:xtic(5) with yerrorlines lt %zu "
			    "title columnheader(6), \\\n"
			    "     '%s-runs.dat' index %zu using 1:2 with points lt %zu pt 6 notitle",
			i ? ", \\\n     " : "plot ", fig->base, i, i + 1, fig->base, i, i + 1);
	fputc('\n', gp);
	if (fclose(gp))
		abort();
	rc = draw(dir, gnuplot, fig, w, 720, 400, body, err);
	free(body);
	return rc;
}

/* --- (f) a trend over nights (memhp report --history): each run, the
 * nights' means with min to max, the segments' means between change points
 * and a dashed line at each change */

static int trend_data(const struct trend *t, const struct trend_series *s, const char *dir,
		      const struct figure *fig, struct err *err)
{
	char name[64], runs[64], seg[64], label[256];
	FILE *f, *fr, *fs;
	size_t nok = 0;

	if (open_dat_pair(dir, fig->base, name, runs, &f, &fr, err))
		return -EIO;
	snprintf(seg, sizeof(seg), "%s-seg.dat", fig->base);
	if (!(fs = open_in(dir, seg, err))) {
		fclose(f);
		fclose(fr);
		return -EIO;
	}
	for (size_t i = 0; i < t->nnights; i++) {
		const struct trend_point *p = &s->pts[i];

		data_label(t->nights[i].label, label, sizeof(label));
		if (!p->st.n) {
			fprintf(f, "%zu\tNaN\tNaN\tNaN\t%s\n", i + 1, label);
			continue;
		}
		fprintf(f, "%zu\t%.6g\t%.6g\t%.6g\t%s\n", i + 1, p->st.mean, p->st.min, p->st.max,
			label);
		for (size_t k = 0; k < p->st.n; k++)
			fprintf(fr, "%.3f\t%.6g\n",
				(double)(i + 1) + 0.3 * ((double)(k + 1) / (double)(p->st.n + 1) - 0.5),
				p->v[k]);
		nok++;
	}
	/* The segments: from the first night to each change, and on to the last. */
	for (size_t c = 0; c <= s->ncp; c++) {
		size_t a = c ? s->cp[c - 1].at : 0, b = c < s->ncp ? s->cp[c].at : t->nnights;
		double sum = 0;
		size_t n = 0;

		for (size_t i = a; i < b; i++)
			if (s->pts[i].st.n) {
				sum += s->pts[i].st.mean;
				n++;
			}
		if (n)
			fprintf(fs, "%s%.1f\t%.6g\n%.1f\t%.6g\n", c ? "\n" : "", (double)a + 0.5,
				sum / (double)n, (double)b + 0.5, sum / (double)n);
	}
	if (close_file(fs, dir, seg, err) | close_file(fr, dir, runs, err)) {
		fclose(f);
		return -EIO;
	}
	if (close_file(f, dir, name, err))
		return -EIO;
	return nok ? 1 : 0;
}

int report_plot_trend(const struct trend *t, size_t k, const char *dir, const char *gnuplot,
		      struct figure *fig, struct err *err)
{
	const struct trend_series *s = &t->series[k];
	char *body = NULL;
	size_t bodylen = 0;
	FILE *gp;
	int rc;

	memset(fig, 0, sizeof(*fig));
	snprintf(fig->base, sizeof(fig->base), "trend-%zu", k);
	fig->title = "Each night: its runs, their mean and min to max; the mean between change "
		     "points (dashed: a change)";
	snprintf(fig->note, sizeof(fig->note), "no night has an ok run of this series");
	rc = trend_data(t, s, dir, fig, err);
	if (rc <= 0)
		return rc;
	fig->note[0] = '\0';
	if (!(gp = open_memstream(&body, &bodylen)))
		abort();
	/* Only numbers and the metric table's own words: labels come from the data. */
	fprintf(gp, "set ylabel \"%s (%s)\"\n"
		    "set offsets 0, 0, graph 0.05, graph 0.05\n"
		    "set xrange [0.5:%zu.5]\n"
		    "set xtics %s\n",
		s->metric->name, s->metric->unit, t->nnights,
		t->nnights > 6 ? "rotate by -30" : "norotate");
	for (size_t c = 0; c < s->ncp; c++)
		fprintf(gp, "set arrow from %zu.5, graph 0 to %zu.5, graph 1 nohead dt 2 lw 1.5 "
			    "lc rgb \"#b00020\"\n", s->cp[c].at, s->cp[c].at);
	fprintf(gp, "plot '%s.dat' using 1:2:3:4:xtic(5) with yerrorbars lc rgb \"#222222\" pt 7 "
		    "title \"night: mean, min to max\", \\\n"
		    "     '%s-runs.dat' using 1:2 with points lt 6 title \"each run\", \\\n"
		    "     '%s-seg.dat' using 1:2 with lines lw 2 lc rgb \"#1f77b4\" "
		    "title \"mean between change points\"\n",
		fig->base, fig->base, fig->base);
	if (fclose(gp))
		abort();
	rc = draw(dir, gnuplot, fig, k, 720, 400, body, err);
	free(body);
	return rc;
}
