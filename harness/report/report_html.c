// SPDX-License-Identifier: GPL-2.0-only
/*
 * memhp report -o DIR: one self-contained index.html (styles inline, figures
 * as data: URIs, no scripts, no fonts, nothing fetched) plus the figures as
 * SVG and PNG files in DIR/figures for mail and papers.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "report.h"
#include "report_plot.h"
#include "summary.h"
#include "units.h"
#include "why_sites.h"

/* Every string from a result file goes through here. */
static void html(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

static const char style[] =
	"body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222;"
	"padding:0 1em}\n"
	"h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}\n"
	"table{border-collapse:collapse;margin:.8em 0}\n"
	"th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}\n"
	"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\n"
	"th{background:#f3f3f3}\n"
	".better{color:#0a6b2e}.worse{color:#b00020}\n"
	"figure{margin:1.2em 0}figure img{max-width:100%;border:1px solid #eee}\n"
	"figcaption{color:#555;font-size:.9em}\n"
	"pre{background:#f7f7f7;padding:.6em;overflow-x:auto;font-size:12px}\n"
	".meta,.nofig{color:#555}\n"
	"details{margin:.6em 0}summary{cursor:pointer}\n";

/* A figure file as a base64 data: URI, straight into the page. */
static int put_image(FILE *f, const char *path, const char *alt)
{
	FILE *in = fopen(path, "rb");
	unsigned char *raw = NULL, *b64;
	long len;
	int rc = -EIO;

	if (!in)
		return -1;
	if (fseek(in, 0, SEEK_END) == 0 && (len = ftell(in)) > 0 && fseek(in, 0, SEEK_SET) == 0 &&
	    (raw = malloc((size_t)len)) && fread(raw, 1, (size_t)len, in) == (size_t)len) {
		b64 = malloc(4 * (((size_t)len + 2) / 3) + 1);
		if (!b64)
			abort();
		EVP_EncodeBlock(b64, raw, (int)len);
		fputs("<img alt=\"", f);
		html(f, alt);
		fprintf(f, "\" src=\"data:image/svg+xml;base64,%s\">", b64);
		free(b64);
		rc = 0;
	}
	free(raw);
	fclose(in);
	return rc;
}

static void num_cell(FILE *f, double v, int decimals)
{
	fprintf(f, "<td class=\"n\">%.*f</td>", decimals, v);
}

static void summary_table(FILE *f, const struct report_scenario *sc)
{
	const struct report_group *base = &sc->groups[0];
	char buf[64];

	fputs("<table class=\"summary\">\n<tr><th>variant</th><th class=\"n\">runs ok</th>"
	      "<th class=\"n\">blocks removed (mean)</th><th class=\"n\">min</th>"
	      "<th class=\"n\">max</th><th class=\"n\">of</th><th class=\"n\">stddev</th>"
	      "<th class=\"n\">change vs. baseline</th><th class=\"n\">unplugged (mean)</th>",
	      f);
	for (unsigned p = 0; p < PHASE_COUNT; p++)
		fprintf(f, "<th class=\"n\">%s s</th>", result_phase_name(p));
	fputs("</tr>\n", f);
	for (size_t g = 0; g < sc->ngroups; g++) {
		const struct report_group *gr = &sc->groups[g];
		int sign;

		fputs("<tr><td>", f);
		html(f, gr->variant);
		fprintf(f, "</td><td class=\"n\">%zu of %zu</td>", gr->nok, gr->nruns);
		if (!gr->nok) {
			fprintf(f, "<td colspan=\"%d\">no run ended ok</td></tr>\n", 7 + PHASE_COUNT);
			continue;
		}
		num_cell(f, gr->removed.mean, 1);
		num_cell(f, gr->removed.min, 0);
		num_cell(f, gr->removed.max, 0);
		num_cell(f, gr->of, 0);
		num_cell(f, gr->removed.sd, 2);
		sign = report_change(base, gr, buf, sizeof(buf));
		fprintf(f, "<td class=\"n%s\">%s</td>",
			sign > 0 ? " better" : sign < 0 ? " worse" : "", buf);
		fprintf(f, "<td class=\"n\">%s</td>",
			report_format_bytes(gr->bytes_unplugged.mean, buf, sizeof(buf)));
		for (unsigned p = 0; p < PHASE_COUNT; p++)
			if (gr->phase_s[p].n)
				num_cell(f, gr->phase_s[p].mean, 1);
			else
				fputs("<td class=\"n\">-</td>", f);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void failed_runs(FILE *f, const struct report *rep, const struct report_scenario *sc)
{
	bool any = false;

	for (size_t g = 0; g < sc->ngroups; g++)
		for (size_t i = 0; i < sc->groups[g].nruns; i++) {
			const struct run_record *r = report_rec(rep, &sc->groups[g], i);

			if (r->status == RUN_OK)
				continue;
			if (!any)
				fputs("<h3>Failed runs</h3>\n<table class=\"failed\">\n<tr><th>run</th>"
				      "<th>variant</th><th>repeat</th><th>status</th><th>phase</th>"
				      "<th>reason</th></tr>\n",
				      f);
			any = true;
			fputs("<tr><td>", f);
			html(f, r->run_id);
			fputs("</td><td>", f);
			html(f, sc->groups[g].variant);
			fprintf(f, "</td><td class=\"n\">%u</td><td>%s</td><td>", r->repeat,
				result_status_name(r->status));
			html(f, r->failed_phase);
			fputs("</td><td>", f);
			html(f, r->reason);
			fputs("</td></tr>\n", f);
		}
	if (any)
		fputs("</table>\n", f);
}

static void remaining_blocks(FILE *f, const struct report *rep, const struct report_scenario *sc)
{
	fputs("<details class=\"blocks\"><summary>Blocks that stayed, per run "
	      "(lsmem style; <code>memhp show --blocks</code>)</summary>\n",
	      f);
	for (size_t g = 0; g < sc->ngroups; g++)
		for (size_t i = 0; i < sc->groups[g].nruns; i++) {
			const struct run_record *r = report_rec(rep, &sc->groups[g], i);
			char *text = NULL;
			size_t len = 0;
			FILE *mem;

			if (!r->nblocks ||
			    (r->count.have_final && r->count.removed == r->count.hotplugged))
				continue;
			fputs("<h4>", f);
			html(f, r->run_id);
			fputs(" (", f);
			html(f, sc->groups[g].variant);
			if (r->count.have_final)
				fprintf(f, ", repeat %u): %u of %u removed</h4>\n<pre>", r->repeat,
					r->count.removed, r->count.hotplugged);
			else
				fprintf(f, ", repeat %u): %zu hot-added, not counted</h4>\n<pre>",
					r->repeat, r->nblocks);
			mem = open_memstream(&text, &len);
			if (!mem)
				abort();
			summary_print_blocks(mem, r);
			why_print_sites(mem, r);
			fclose(mem);
			html(f, text);
			free(text);
			fputs("</pre>\n", f);
		}
	fputs("</details>\n", f);
}

static const char *verdict_colour(const struct block_record *b)
{
	const char *v = result_block_verdict(b);

	if (b->final == FINAL_REMOVED)
		return "#e0e0e0";
	if (!strncmp(v, "memmap", 6) || !strcmp(v, "page_ext"))
		return "#e6862a";
	if (!strncmp(v, "slab", 4))
		return "#3b75af";
	if (!strcmp(v, "pgtable"))
		return "#519e3e";
	if (!strcmp(v, "kstack"))
		return "#8d69b8";
	if (!strcmp(v, "pinned") || !strcmp(v, "movable"))
		return "#c53a32";
	return "#84584e";
}

/* One run's block map, one cell per hot-added block, with an arc from each
 * block holding a memmap to the block it belongs to (docs/why.md). */
static void chain_svg(FILE *f, const struct run_record *r)
{
	const int cw = 12, top = 70, ch = 20;
	int width = (int)r->nblocks * cw + 20;

	fprintf(f, "<svg class=\"chain\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		   "height=\"%d\" viewBox=\"0 0 %d %d\">\n", width, top + ch + 24, width,
		top + ch + 24);
	for (size_t i = 0; i < r->nblocks; i++) {
		const struct block_record *b = &r->blocks[i];
		char reason[320];

		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" "
			   "stroke=\"#fff\"><title>block %" PRIu64 ": ", 10 + (int)i * cw, top, cw,
			ch, verdict_colour(b), b->index);
		html(f, result_final_name(b->final));
		if (b->final != FINAL_REMOVED) {
			fputs(", ", f);
			html(f, result_block_verdict(b));
			if (why_memmap_only(b))
				fputs(" (only for another block's memmap)", f);
		}
		if (why_kernel_reason(b, reason, sizeof(reason))) {
			fprintf(f, "; the kernel, %" PRIu64 " failed attempt%s, last: ",
				why_kernel_attempts(b), why_kernel_attempts(b) == 1 ? "" : "s");
			html(f, reason);
		}
		fputs("</title></rect>\n", f);
		if (i % 8 == 0)
			fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"9\">%" PRIu64 "</text>\n",
				10 + (int)i * cw, top + ch + 12, b->index);
	}
	for (size_t i = 0; i < r->nblocks; i++) {
		uint64_t of[WHY_MAX_EDGES];
		size_t n = why_memmap_of(&r->blocks[i], of, WHY_MAX_EDGES);

		for (size_t k = 0; k < n; k++)
			for (size_t j = 0; j < r->nblocks; j++) {
				int x1 = 10 + (int)i * cw + cw / 2, x2 = 10 + (int)j * cw + cw / 2;
				int h = abs(x2 - x1) / 2 + 8;

				if (r->blocks[j].index != of[k])
					continue;
				fprintf(f, "<path d=\"M %d %d Q %d %d %d %d\" fill=\"none\" "
					   "stroke=\"#e6862a\" stroke-width=\"1.5\" "
					   "marker-end=\"url(#arrow)\"><title>block %" PRIu64
					   " holds the memmap of block %" PRIu64 "</title></path>\n",
					x1, top, (x1 + x2) / 2, top - (h > top - 4 ? top - 4 : h), x2, top,
					r->blocks[i].index, of[k]);
			}
	}
	fputs("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
	      "markerWidth=\"5\" markerHeight=\"5\" orient=\"auto\"><path d=\"M0 0 L10 5 L0 "
	      "10 z\" fill=\"#e6862a\"/></marker></defs></svg>\n", f);
}

/* The memmap chain of each run where page_owner found one. */
static void memmap_chains(FILE *f, const struct report *rep, const struct report_scenario *sc)
{
	bool any = false;

	for (size_t g = 0; g < sc->ngroups; g++)
		for (size_t i = 0; i < sc->groups[g].nruns; i++) {
			const struct run_record *r = report_rec(rep, &sc->groups[g], i);
			size_t edges = 0, reasons = 0;
			uint64_t of[WHY_MAX_EDGES];

			for (size_t b = 0; b < r->nblocks; b++) {
				edges += why_memmap_of(&r->blocks[b], of, WHY_MAX_EDGES);
				reasons += why_kernel_attempts(&r->blocks[b]) > 0;
			}
			if (!edges && !reasons)
				continue;
			if (!any)
				fputs("<h3>The memmap chain</h3>\n<p>Hot-added blocks in address order "
				      "(grey: removed; orange: memmap; blue: slab; green: page "
				      "tables; purple: kernel stacks; red: pinned or movable; brown: "
				      "other kernel). An arc runs from a block to the block whose "
				      "memmap it holds (page_owner, docs/why.md). A block's title "
				      "gives the kernel's own reason its offlining failed, from its "
				      "log.</p>\n", f);
			any = true;
			fputs("<h4>", f);
			html(f, r->run_id);
			fputs(" (", f);
			html(f, sc->groups[g].variant);
			fprintf(f, ", repeat %u): %zu memmap edge%s, %zu block%s the kernel "
				   "failed to offline</h4>\n", r->repeat, edges, edges == 1 ? "" : "s",
				reasons, reasons == 1 ? "" : "s");
			chain_svg(f, r);
		}
}

/* The distinct values of one field over a variant's runs, comma-separated. */
static void distinct(FILE *f, const struct report *rep, const struct report_group *g,
		     size_t offset)
{
	bool printed = false;

	for (size_t i = 0; i < g->nruns; i++) {
		const char *v = (const char *)report_rec(rep, g, i) + offset;
		bool seen = false;

		for (size_t j = 0; j < i && !seen; j++)
			seen = !strcmp(v, (const char *)report_rec(rep, g, j) + offset);
		if (seen || !*v)
			continue;
		if (printed)
			fputs(", ", f);
		html(f, v);
		printed = true;
	}
}

/* A string member of a verbatim object from a result file, or NULL. */
static const char *str_member(json_object *o, const char *key)
{
	json_object *v;

	if (json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

/* For build: kernels: tree version, base commit, config hash and patches.
 * kernel.json is kept verbatim: every member is checked for its type. */
static void build_cell(FILE *f, const struct report *rep, const struct report_group *g)
{
	for (size_t i = 0; i < g->nruns; i++) {
		json_object *b = report_rec(rep, g, i)->kernel_build, *patches;
		const char *v;
		char hash[16];

		if (!b || !json_object_is_type(b, json_type_object))
			continue;
		if ((v = str_member(b, "tree_version"))) {
			fputs("Linux ", f);
			html(f, v);
		}
		if ((v = str_member(b, "base_commit")) && *v) {
			fputs(" at ", f);
			html(f, v);
		}
		if ((v = str_member(b, "config_sha256"))) {
			snprintf(hash, sizeof(hash), "%.12s", v);
			fputs(", config ", f);
			html(f, hash);
		}
		if (json_object_object_get_ex(b, "patches", &patches) &&
		    json_object_is_type(patches, json_type_array) &&
		    json_object_array_length(patches)) {
			fputs("<ol>", f);
			for (size_t k = 0; k < json_object_array_length(patches); k++) {
				json_object *p = json_object_array_get_idx(patches, k);

				fputs("<li>", f);
				if ((v = str_member(p, "name")))
					html(f, v);
				if ((v = str_member(p, "sha256"))) {
					snprintf(hash, sizeof(hash), "%.12s", v);
					fputs(" <code>", f);
					html(f, hash);
					fputs("</code>", f);
				}
				fputs("</li>", f);
			}
			fputs("</ol>", f);
		}
		return; /* one build per variant: its runs share it */
	}
}

static void provenance(FILE *f, const struct report *rep)
{
	static const struct {
		const char *title;
		size_t offset;
	} cols[] = {
		{ "kernel release", offsetof(struct run_record, kernel_release) },
		{ "source", offsetof(struct run_record, kernel_spec) },
		{ "guest image", offsetof(struct run_record, image_key) },
		{ "QEMU", offsetof(struct run_record, vmm_version) },
		{ "backend", offsetof(struct run_record, backend) },
		{ "accel", offsetof(struct run_record, accel) },
		{ "host", offsetof(struct run_record, host) },
		{ "libvirt URI", offsetof(struct run_record, host_uri) },
		{ "host kernel", offsetof(struct run_record, host_kernel) },
	};

	fputs("<section id=\"provenance\"><h2>Provenance</h2>\n<table>\n<tr><th>scenario</th>"
	      "<th>variant</th>",
	      f);
	for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
		fprintf(f, "<th>%s</th>", cols[c].title);
	fputs("<th>built from</th></tr>\n", f);
	for (size_t s = 0; s < rep->nscenarios; s++)
		for (size_t g = 0; g < rep->scenarios[s].ngroups; g++) {
			const struct report_group *gr = &rep->scenarios[s].groups[g];

			fputs("<tr><td>", f);
			html(f, rep->scenarios[s].name);
			fputs("</td><td>", f);
			html(f, gr->variant);
			fputs("</td>", f);
			for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
				fputs("<td>", f);
				distinct(f, rep, gr, cols[c].offset);
				fputs("</td>", f);
			}
			fputs("<td>", f);
			build_cell(f, rep, gr);
			fputs("</td></tr>\n", f);
		}
	fputs("</table>\n</section>\n", f);
}

/* A figure that was made, inline, with links to its files; what (from a
 * result, escaped) names what it shows. */
static int put_figure(FILE *f, const char *figdir, const struct figure *fig, const char *what,
		      struct err *err)
{
	char path[4300];

	snprintf(path, sizeof(path), "%s/%s.svg", figdir, fig->base);
	fprintf(f, "<figure id=\"fig-%s\">", fig->base);
	if (put_image(f, path, fig->title))
		return err_fail(err, -EIO, "cannot read %s", path);
	fputs("<figcaption>", f);
	if (what) {
		html(f, what);
		fputs(": ", f);
	}
	fprintf(f, "%s (<a href=\"figures/%s.png\">PNG</a>, "
		   "<a href=\"figures/%s.svg\">SVG</a>)</figcaption></figure>\n",
		fig->title, fig->base, fig->base);
	return 0;
}

static void stats_cells(FILE *f, size_t nok, size_t nruns, const struct stats *st, unsigned of,
			double movable)
{
	fprintf(f, "<td class=\"n\">%zu of %zu</td>", nok, nruns);
	if (!nok) {
		fputs("<td colspan=\"5\">no run ended ok</td></tr>\n", f);
		return;
	}
	num_cell(f, st->mean, 1);
	num_cell(f, st->min, 0);
	num_cell(f, st->max, 0);
	num_cell(f, of, 0);
	num_cell(f, movable, 1);
	fputs("</tr>\n", f);
}

/* A sweep: its points' table, and a figure per swept key (docs/reports.md). */
static int sweep_section(FILE *f, const struct report *rep, size_t w, const char *figdir,
			 const char *gnuplot, struct err *err)
{
	const struct report_sweep *sw = &rep->sweeps[w];

	fprintf(f, "<section id=\"sweep-%zu\" class=\"sweep\"><h2>Sweep of ", w);
	html(f, sw->base);
	fprintf(f, " <small>(%zu point%s)</small></h2>\n<table class=\"sweep\">\n<tr>", sw->n,
		sw->n == 1 ? "" : "s");
	for (size_t k = 0; k < sw->nkeys; k++) {
		fputs("<th>", f);
		html(f, sw->keys[k]);
		fputs("</th>", f);
	}
	fputs("<th>variant</th><th class=\"n\">runs ok</th><th class=\"n\">blocks removed "
	      "(mean)</th><th class=\"n\">min</th><th class=\"n\">max</th><th class=\"n\">of</th>"
	      "<th class=\"n\">onlined to Movable (mean)</th></tr>\n", f);
	for (size_t i = 0; i < sw->n; i++) {
		const struct report_scenario *sc = &rep->scenarios[sw->scenarios[i]];

		for (size_t g = 0; g < sc->ngroups; g++) {
			const struct report_group *gr = &sc->groups[g];

			fputs("<tr>", f);
			for (size_t k = 0; k < sw->nkeys; k++) {
				const char *v = report_sweep_value(sc, sw->keys[k]);

				fputs("<td>", f);
				html(f, v ? v : "-");
				fputs("</td>", f);
			}
			fputs("<td>", f);
			html(f, gr->variant);
			fputs("</td>", f);
			stats_cells(f, gr->nok, gr->nruns, &gr->removed, gr->of,
				    report_movable_mean(rep, gr));
		}
	}
	fputs("</table>\n", f);
	for (size_t k = 0; k < sw->nkeys; k++) {
		struct figure fig;
		int rc = report_plot_sweep(rep, w, k, figdir, gnuplot, &fig, err);

		if (rc)
			return rc;
		if (!fig.made) {
			fputs("<p class=\"nofig\">", f);
			html(f, sw->keys[k]);
			fprintf(f, ": %s.</p>\n", fig.note);
			continue;
		}
		if (put_figure(f, figdir, &fig, sw->keys[k], err))
			return -EIO;
	}
	fputs("</section>\n", f);
	return 0;
}

static int scenario_section(FILE *f, const struct report *rep, size_t s, const char *figdir,
			    const char *gnuplot, struct err *err)
{
	const struct report_scenario *sc = &rep->scenarios[s];
	char b1[32];

	fprintf(f, "<section id=\"scenario-%zu\" class=\"scenario\"><h2>", s);
	html(f, sc->name);
	fputs(" <small>(", f);
	html(f, sc->method);
	fputs(", ", f);
	html(f, sc->policy);
	if (sc->groups[0].block_size)
		fprintf(f, ", blocks of %s",
			format_size(sc->groups[0].block_size, b1, sizeof(b1)));
	fputs(")</small></h2>\n", f);
	summary_table(f, sc);
	for (unsigned k = 0; k < FIG_COUNT; k++) {
		struct figure fig;
		int rc = report_plot(rep, s, (enum fig_kind)k, figdir, gnuplot, &fig, err);

		if (rc)
			return rc;
		if (!fig.made) {
			fprintf(f, "<p class=\"nofig\">%s: %s.</p>\n", fig.title, fig.note);
			continue;
		}
		if (put_figure(f, figdir, &fig, NULL, err))
			return -EIO;
	}
	failed_runs(f, rep, sc);
	remaining_blocks(f, rep, sc);
	memmap_chains(f, rep, sc);
	fputs("</section>\n", f);
	return 0;
}

/* memhp report --seed000: the seed's cells beside memhp's (report_seed000.c). */
static void seed000_section(FILE *f, const struct report *rep)
{
	struct seed000_row rows[SEED000_ROWS];
	size_t n = report_seed000_rows(rep, rows, SEED000_ROWS);

	fputs("<section id=\"seed000\"><h2>Seed 000 beside memhp</h2>\n"
	      "<p>Blocks removed of those hot-added. Seed 000 is the cover letter of the series "
	      "that puts freshly onlined pages at the tail of the free lists (in since 5.10): "
	      "<em>base</em> is linux-source-6.1 with it, <em>head</em> the same kernel with "
	      "guest-image/patches/onlined-to-head, as before it (ci/seed000.ini).</p>\n"
	      "<table class=\"seed000\">\n<tr><th>experiment</th><th>placement</th>"
	      "<th>seed 000</th><th>memhp</th><th>versus</th></tr>\n", f);
	for (size_t i = 0; i < n; i++) {
		const struct seed000_row *r = &rows[i];

		fputs("<tr><td>", f);
		html(f, r->experiment);
		if (r->scenario) {
			fputs("<br><span class=\"meta\">", f);
			html(f, r->scenario);
			fputs("</span>", f);
		}
		fputs("</td><td>", f);
		html(f, r->placement);
		fputs(" <span class=\"meta\">(", f);
		html(f, r->variant);
		fputs(")</span></td><td>", f);
		html(f, r->seed);
		fputs("</td><td>", f);
		html(f, r->memhp);
		if (*r->stayed) {
			fputs("<br><span class=\"meta\">still there in the first ok run: ", f);
			html(f, r->stayed);
			fputs("</span>", f);
		}
		fputs("</td><td>", f);
		html(f, r->versus);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n</section>\n", f);
}

static int write_page(FILE *f, const struct report *rep, const char *figdir, const char *gnuplot,
		      struct err *err)
{
	size_t ok = 0;
	char stamp[40];
	time_t t = time(NULL);
	struct tm tm;

	for (size_t i = 0; i < rep->nruns; i++)
		ok += rep->runs[i].rec.status == RUN_OK;
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M UTC", &tm);
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		   "<meta name=\"viewport\" content=\"width=device-width\">\n"
		   "<title>memhp report</title>\n<style>\n%s</style>\n</head>\n<body>\n"
		   "<h1>memhp report</h1>\n"
		   "<p class=\"meta\">%zu run%s (%zu ok, %zu failed or interrupted) in %zu "
		   "scenario%s; made %s. Counts are Linux memory blocks; the baseline is the "
		   "first variant of each table.</p>\n<nav><ul>\n",
		style, rep->nruns, rep->nruns == 1 ? "" : "s", ok, rep->nruns - ok,
		rep->nscenarios, rep->nscenarios == 1 ? "" : "s", stamp);
	for (size_t s = 0; s < rep->nscenarios; s++) {
		fprintf(f, "<li><a href=\"#scenario-%zu\">", s);
		html(f, rep->scenarios[s].name);
		fputs("</a></li>\n", f);
	}
	for (size_t w = 0; w < rep->nsweeps; w++) {
		fprintf(f, "<li><a href=\"#sweep-%zu\">Sweep of ", w);
		html(f, rep->sweeps[w].base);
		fputs("</a></li>\n", f);
	}
	fputs("<li><a href=\"#provenance\">Provenance</a></li>\n</ul></nav>\n", f);
	if (rep->seed000)
		seed000_section(f, rep);
	for (size_t s = 0; s < rep->nscenarios; s++) {
		int rc = scenario_section(f, rep, s, figdir, gnuplot, err);

		if (rc)
			return rc;
	}
	for (size_t w = 0; w < rep->nsweeps; w++) {
		int rc = sweep_section(f, rep, w, figdir, gnuplot, err);

		if (rc)
			return rc;
	}
	provenance(f, rep);
	if (rep->nskipped) {
		fputs("<section id=\"skipped\"><h2>Files that were not results</h2>\n<ul>\n", f);
		for (size_t i = 0; i < rep->nskipped; i++) {
			fputs("<li>", f);
			html(f, rep->skipped[i]);
			fputs("</li>\n", f);
		}
		fputs("</ul>\n</section>\n", f);
	}
	fputs("</body>\n</html>\n", f);
	return 0;
}

/* Remove the private build directory and what is left in it (its own
 * regular files: nothing there was made by anyone else). */
static void remove_private(int tfd, const char *tmp)
{
	/* Its own open of the directory: a dup() of tfd would share the offset
	 * publish() left at the end, and list nothing. */
	int fd = openat(tfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(tfd, de->d_name, 0);
	if (d)
		closedir(d);
	else if (fd >= 0)
		close(fd);
	rmdir(tmp);
}

/* Move every file of the private directory but index.html into figures/,
 * then index.html into outdir. renameat replaces a symlink planted at the
 * destination; it never writes through one. The old index.html goes first:
 * if a figure cannot be moved, no page is left that shows the old report
 * over new figures. */
static int publish(int tfd, const char *outdir, struct err *err)
{
	int dfd = open(outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ffd = -1, fd, rc = 0;
	DIR *d = NULL;
	struct dirent *de;

	if (dfd < 0)
		return err_fail(err, -EIO, "cannot open %s: %s", outdir, strerror(errno));
	if (mkdirat(dfd, "figures", 0755) < 0 && errno != EEXIST) {
		rc = err_fail(err, -EIO, "cannot create %s/figures: %s", outdir, strerror(errno));
		goto out;
	}
	ffd = openat(dfd, "figures", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (ffd < 0) {
		rc = err_fail(err, -EIO, "%s/figures is not a directory (%s): not writing through it",
			     outdir, strerror(errno));
		goto out;
	}
	if (unlinkat(dfd, "index.html", 0) < 0 && errno != ENOENT) {
		rc = err_fail(err, -EIO, "cannot replace %s/index.html: %s", outdir, strerror(errno));
		goto out;
	}
	fd = openat(tfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		rc = err_fail(err, -EIO, "cannot read the report's private directory: %s",
			     strerror(errno));
		goto out;
	}
	while (!rc && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    !strcmp(de->d_name, "index.html"))
			continue;
		if (renameat(tfd, de->d_name, ffd, de->d_name) < 0)
			rc = err_fail(err, -EIO, "cannot move %s into %s/figures: %s", de->d_name, outdir,
				     strerror(errno));
	}
	if (!rc && renameat(tfd, "index.html", dfd, "index.html") < 0)
		rc = err_fail(err, -EIO, "cannot move index.html into %s: %s", outdir, strerror(errno));
	if (d)
		closedir(d);
out:
	if (ffd >= 0)
		close(ffd);
	close(dfd);
	return rc;
}

/*
 * Everything is made in a fresh private directory (mkdtemp, mode 0700)
 * inside outdir, with files created O_EXCL|O_NOFOLLOW, and then renamed into
 * place: no name memhp writes to can have been planted beforehand.
 */
typedef int (*page_fn)(FILE *f, const void *arg, const char *figdir, const char *gnuplot,
		       struct err *err);

static int make_page(const char *outdir, page_fn fn, const void *arg, const char *gnuplot,
		     struct err *err)
{
	char tmp[4200], path[4300];
	FILE *f = NULL;
	int rc, fd, tfd;

	snprintf(tmp, sizeof(tmp), "%s/", outdir);
	for (char *p = tmp + 1; *p; p++) { /* mkdir -p */
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return err_fail(err, -EIO, "cannot create %s: %s", tmp, strerror(errno));
		*p = '/';
	}
	snprintf(tmp, sizeof(tmp), "%s/.memhp-report-XXXXXX", outdir);
	if (!mkdtemp(tmp))
		return err_fail(err, -EIO, "cannot create a directory in %s: %s", outdir, strerror(errno));
	tfd = open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (tfd < 0) {
		rc = err_fail(err, -EIO, "cannot open %s: %s", tmp, strerror(errno));
		rmdir(tmp);
		return rc;
	}
	fd = openat(tfd, "index.html", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd >= 0 && !(f = fdopen(fd, "w")))
		close(fd);
	snprintf(path, sizeof(path), "%s/index.html", tmp);
	if (!f) {
		rc = err_fail(err, -EIO, "cannot create %s: %s", path, strerror(errno));
	} else {
		rc = fn(f, arg, tmp, gnuplot, err);
		if (ferror(f) && !rc)
			rc = err_fail(err, -EIO, "cannot write %s", path);
		if (fclose(f) && !rc)
			rc = err_fail(err, -EIO, "cannot write %s: %s", path, strerror(errno));
	}
	if (!rc)
		rc = publish(tfd, outdir, err);
	remove_private(tfd, tmp);
	close(tfd);
	return rc;
}

static int report_page(FILE *f, const void *arg, const char *figdir, const char *gnuplot,
		       struct err *err)
{
	return write_page(f, arg, figdir, gnuplot, err);
}

int report_html(const struct report *rep, const char *outdir, const char *gnuplot,
		struct err *err)
{
	return make_page(outdir, report_page, rep, gnuplot, err);
}

/* --- memhp report --history: a section per series */

static int trend_section(FILE *f, const struct trend *t, size_t k, const char *figdir,
			 const char *gnuplot, struct err *err)
{
	const struct trend_series *s = &t->series[k];
	struct figure fig;
	char name[600];
	int rc;

	trend_series_name(s, name, sizeof(name));
	fprintf(f, "<section id=\"series-%zu\"><h2>", k);
	html(f, name);
	fprintf(f, ": %s</h2>\n<p class=\"meta\">%s, %s is better.</p>\n", s->metric->name,
		s->metric->unit, s->metric->better > 0 ? "higher" : "lower");
	rc = report_plot_trend(t, k, figdir, gnuplot, &fig, err);
	if (rc)
		return rc;
	if (fig.made) {
		if ((rc = put_figure(f, figdir, &fig, name, err)))
			return rc;
	} else {
		fprintf(f, "<p class=\"nofig\">No figure: %s.</p>\n", fig.note);
	}
	if (!s->ncp)
		fputs("<p>No change point.</p>\n", f);
	else
		fputs("<table class=\"changes\"><tr><th>change at night</th><th class=\"n\">before"
		      "</th><th class=\"n\">after</th><th class=\"n\">change</th><th class=\"n\">p"
		      "</th><th>last night before: kernel</th><th>first night after: kernel</th>"
		      "</tr>\n", f);
	for (size_t c = 0; c < s->ncp; c++) {
		size_t at = s->cp[c].at, b = at;
		double d = s->after[c] - s->before[c];

		while (b > 0 && !s->pts[--b].st.n)
			;
		fprintf(f, "<tr class=\"%s\"><td>%zu (", trend_change_sense(s, c) < 0 ? "worse" : "better",
			at + 1);
		html(f, t->nights[at].label);
		fprintf(f, ")</td><td class=\"n\">%.2f</td><td class=\"n\">%.2f</td>"
			   "<td class=\"n\">%+.2f", s->before[c], s->after[c], d);
		if (s->before[c] != 0)
			fprintf(f, " (%+.1f%%)", 100 * d / fabs(s->before[c]));
		fprintf(f, "</td><td class=\"n\">%.3f</td><td>%zu (", s->cp[c].p, b + 1);
		html(f, t->nights[b].label);
		fputs("): ", f);
		html(f, s->pts[b].kernel);
		fprintf(f, "</td><td>%zu (", at + 1);
		html(f, t->nights[at].label);
		fputs("): ", f);
		html(f, s->pts[at].kernel);
		fputs("</td></tr>\n", f);
	}
	if (s->ncp)
		fputs("</table>\n", f);
	fputs("<details><summary>Every night</summary>\n<table><tr><th class=\"n\">night</th>"
	      "<th>name</th><th class=\"n\">runs</th><th class=\"n\">mean</th>"
	      "<th class=\"n\">sd</th><th>kernel</th></tr>\n", f);
	for (size_t i = 0; i < t->nnights; i++) {
		const struct trend_point *p = &s->pts[i];

		fprintf(f, "<tr><td class=\"n\">%zu</td><td>", i + 1);
		html(f, t->nights[i].label);
		if (p->st.n)
			fprintf(f, "</td><td class=\"n\">%zu</td><td class=\"n\">%.2f</td>"
				   "<td class=\"n\">%.2f</td><td>", p->st.n, p->st.mean, p->st.sd);
		else
			fputs("</td><td class=\"n\">0</td><td>-</td><td>-</td><td>", f);
		html(f, p->kernel);
		fputs("</td></tr>\n", f);
	}
	fputs("</table></details>\n</section>\n", f);
	return 0;
}

static int trend_page(FILE *f, const void *arg, const char *figdir, const char *gnuplot,
		      struct err *err)
{
	const struct trend *t = arg;
	char name[600];

	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		   "<meta name=\"viewport\" content=\"width=device-width\">\n"
		   "<title>memhp trends</title>\n<style>\n%s</style>\n</head>\n<body>\n"
		   "<h1>memhp trends over %zu nights</h1>\n"
		   "<p class=\"meta\">Change points by E-Divisive means on the nights' means "
		   "(significance %.3g, %u permutations from a fixed seed, %u nights a side at "
		   "least; docs/reports.md).</p>\n<h2>Nights</h2>\n<ol>\n",
		style, t->nnights, t->cp.sig, t->cp.permutations, t->cp.min_size);
	for (size_t i = 0; i < t->nnights; i++) {
		fputs("<li>", f);
		html(f, t->nights[i].label);
		fputs(" <span class=\"meta\">", f);
		html(f, t->nights[i].path);
		fputs("</span></li>\n", f);
	}
	fputs("</ol>\n<nav><ul>\n", f);
	for (size_t k = 0; k < t->nseries; k++) {
		fprintf(f, "<li><a href=\"#series-%zu\">", k);
		html(f, trend_series_name(&t->series[k], name, sizeof(name)));
		fprintf(f, ": %s</a>%s</li>\n", t->series[k].metric->name,
			t->series[k].ncp ? " (change)" : "");
	}
	fputs("</ul></nav>\n", f);
	for (size_t k = 0; k < t->nseries; k++) {
		int rc = trend_section(f, t, k, figdir, gnuplot, err);

		if (rc)
			return rc;
	}
	fputs("</body>\n</html>\n", f);
	return 0;
}

int trend_html(const struct trend *t, const char *outdir, const char *gnuplot, struct err *err)
{
	return make_page(outdir, trend_page, t, gnuplot, err);
}
