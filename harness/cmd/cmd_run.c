// SPDX-License-Identifier: GPL-2.0-only
/*
 * memhp run: every cell (scenario x variant x repeat) of a run request, one
 * after another or several at once in child processes, each through
 * runner_run() into a run directory of its own; --resume and --cell pick
 * the cells.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "datadir.h"
#include "image.h"
#include "matrix.h"
#include "report.h"
#include "run_request.h"
#include "runner.h"
#include "scenario.h"
#include "signals.h"
#include "subproc.h"
#include "summary.h"
#include "termout.h"
#include "str.h"

static void usage(FILE *out)
{
	struct run_request r = { 0 };
	const struct opt_group g[] = {
		{ run_cell_opts, &r, NULL, false },
		{ run_where_opts, &r, NULL, false },
		{ run_pass_opts, &r, NULL, false },
		{ opts_help, &r, NULL, false },
	};

	fputs("usage: memhp run [OPTIONS] SCENARIO.ini...\n"
	      "       memhp run [OPTIONS] --matrix MATRIX.ini\n"
	      "       memhp run [OPTIONS] --resume DIR --cell INDEX[/COUNT] (--matrix ... | SCENARIO...)\n\n"
	      "Boot a guest, hot-add the scenario's memory, unplug as much as possible and\n"
	      "count the memory blocks that came out: for every scenario, variant and repeat\n"
	      "(a cell). Each cell writes OUTPUT/<scenario>[-<variant>]-<time>-r<N>/result.json\n"
	      "plus the guest's serial.log and qemu.log, and prints a summary. Cells run\n"
	      "repeat by repeat, scenario by scenario, every variant in turn (A B A B ...),\n"
	      "so that drift on a noisy host favours no variant. That order numbers the\n"
	      "cells from 0 (memhp plan lists them; docs/hosts.md).\n\n", out);
	opts_usage(out, g, ARRAY_SIZE(g));
	fputs("\nScenario keys: memhp help scenario. Exit: 0 every cell ended ok, 1 a run failed,\n"
	      "2 bad arguments or scenario (nothing started), 128+N interrupted by signal N.\n",
	      out);
}

/* OUTPUT/<label>-<UTC time>-r<N>, made anew (never reusing a directory). */
static int make_run_dir(const char *output, const char *label, unsigned repeat, char *dir,
			size_t len)
{
	char stamp[32];
	time_t t = time(NULL);
	struct tm tm;

	int rc = make_dirs(output);

	if (rc)
		return rc;
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	for (unsigned n = 1; n < 1000; n++) {
		if (n == 1)
			snprintf(dir, len, "%s/%s-%s-r%u", output, label, stamp, repeat);
		else
			snprintf(dir, len, "%s/%s-%s-r%u.%u", output, label, stamp, repeat, n);
		if (mkdir(dir, 0755) == 0)
			return 0;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

/* MemAvailable of the host, in bytes. */
static uint64_t host_available(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	unsigned long long kb = 0;
	char line[256];

	if (!f)
		return UINT64_MAX;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb ? (uint64_t)kb * 1024 : UINT64_MAX;
}

/*
 * The kept run of a cell: ok, the same scenario text, variant, spec, command
 * line and repeat, and the same inputs behind the spec (inputs: the
 * variant's image_inputs_digest(); a series or fragment edited since, or a
 * result from before the digest, runs again).
 */
static const char *done_already(const struct report *done, const struct scenario *sc,
				const struct variant *v, const char *inputs, unsigned rep)
{
	for (size_t i = 0; done && i < done->nruns; i++) {
		const struct run_record *r = &done->runs[i].rec;

		if (r->status == RUN_OK && r->repeat == rep && !strcmp(r->scenario_name, sc->name) &&
		    !strcmp(r->scenario_sha256, sc->sha256) && !strcmp(r->variant, v->name) &&
		    !strcmp(r->variant_source, v->spec) && !strcmp(r->variant_cmdline, v->cmdline) &&
		    !strcmp(r->variant_inputs, inputs))
			return done->runs[i].path;
	}
	return NULL;
}

struct run_batch {
	struct matrix m;
	struct cell *cells;
	size_t ncells;
	struct run_options opt;
	const char *output;
	struct report done;
	bool have_done;
};

static void describe(const struct run_batch *p, const struct cell *c, char *buf, size_t len)
{
	const struct variant *v = &p->m.variants[c->variant];

	snprintf(buf, len, "%s%s%s, repeat %u", p->m.scenarios[c->scenario].name,
		 *v->name ? ", variant " : "", v->name, c->repeat);
}

/* A fresh run directory for cell c and the options to run it with. */
static int cell_setup(struct run_batch *p, const struct cell *c, struct run_options *opt, char *dir,
		      size_t dirlen)
{
	const struct scenario *sc = &p->m.scenarios[c->scenario];
	const struct variant *v = &p->m.variants[c->variant];
	char label[1280];
	int rc;

	snprintf(label, sizeof(label), "%.1100s%s%.63s", sc->name, *v->name ? "-" : "", v->name);
	rc = make_run_dir(p->output, label, c->repeat, dir, dirlen);
	if (rc) {
		fprintf(stderr, "memhp run: cannot create a run directory in %s: %s\n", p->output,
			strerror(-rc));
		return rc;
	}
	*opt = p->opt;
	opt->outdir = dir;
	opt->repeat = c->repeat;
	opt->variant = v->name;
	opt->kernel = v->spec;
	opt->variant_cmdline = v->cmdline;
	opt->variant_config = v->config;
	return 0;
}

/*
 * Run one cell here and now, in a run directory of its own: a failed attempt
 * keeps its result there, and a rerun (--resume, a requeued Slurm task) gets
 * a new one. Returns 0 ok, 1 when the run failed or its result could not be
 * written.
 */
static int run_cell(struct run_batch *p, const struct cell *c, bool summary)
{
	const struct scenario *sc = &p->m.scenarios[c->scenario];
	struct run_options opt;
	char dir[4096], what[1400], *text = NULL;
	struct run_record rec;
	size_t len = 0;
	struct err err;
	FILE *mem;
	int rc;

	describe(p, c, what, sizeof(what));
	if (cell_setup(p, c, &opt, dir, sizeof(dir)))
		return 1;
	fprintf(stderr, "memhp: %s -> %s%s%s\n", what, dir, opt.connect ? " on " : "",
		opt.connect ? opt.connect : "");
	rc = runner_run(sc, &opt, &runner_env_real, &rec, &err);
	if (summary) {
		/* One write, so that summaries of parallel cells do not mix. */
		mem = open_memstream(&text, &len);
		if (!mem)
			abort();
		summary_print(mem, &rec);
		fclose(mem);
		fwrite(text, 1, len, stdout);
		fflush(stdout);
		free(text);
	}
	if (rc)
		fprintf(stderr, "memhp run: could not write the result: %s\n", err.msg);
	else
		fprintf(stderr, "memhp: result %s/result.json\n", dir);
	rc = rc ? 1 : rec.status != RUN_OK;
	result_free(&rec);
	return rc;
}

static unsigned online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned)n : 1;
}

/*
 * Up to jobs cells at once, each in a child process, while the memory their
 * scenarios may touch fits in what the host had available at the start.
 */
static unsigned run_parallel(struct run_batch *p, unsigned jobs, const bool *skip)
{
	struct {
		pid_t pid;
		uint64_t need;
	} running[64] = { 0 };
	uint64_t avail = host_available(), used = 0;
	unsigned nrun = 0, failed = 0;
	bool forwarded = false;
	pid_t parent = getpid();
	size_t next = 0;

	for (;;) {
		int status;
		pid_t pid;

		while (!memhp_stop_signal && next < p->ncells && nrun < jobs) {
			const struct cell *c = &p->cells[next];
			uint64_t need = scenario_host_need(&p->m.scenarios[c->scenario]);

			if (skip[next]) {
				next++;
				continue;
			}
			if (nrun && used + need > avail)
				break; /* wait until a running cell frees its share */
			fflush(NULL);
			pid = fork();
			if (pid < 0) {
				fprintf(stderr, "memhp run: fork: %s\n", strerror(errno));
				failed++;
				next++;
				continue;
			}
			if (pid == 0) {
				/* memhp gone (even by SIGKILL): the cell stops its
				 * guest and records the run as interrupted. */
				child_prologue(parent, SIGTERM, 0);
				_exit(run_cell(p, c, true));
			}
			for (unsigned i = 0; i < jobs; i++)
				if (!running[i].pid) {
					running[i].pid = pid;
					running[i].need = need;
					break;
				}
			used += need;
			nrun++;
			next++;
		}
		if (!nrun)
			break;
		pid = waitpid(-1, &status, 0);
		/* Asked to stop (here, or while the loop above ran): pass it on
		 * once; each child records its run as interrupted and stops its
		 * guest. */
		if (memhp_stop_signal && !forwarded) {
			for (unsigned i = 0; i < jobs; i++)
				if (running[i].pid)
					kill(running[i].pid, memhp_stop_signal);
			forwarded = true;
		}
		if (pid < 0) {
			if (errno != EINTR)
				break;
			continue;
		}
		for (unsigned i = 0; i < jobs; i++)
			if (running[i].pid == pid) {
				used -= running[i].need;
				running[i].pid = 0;
				nrun--;
				break;
			}
		failed += !WIFEXITED(status) || WEXITSTATUS(status);
	}
	return failed;
}

/* --only-repeat and --cell: skip the cells they do not pick. */
static int pick_cells(const struct run_batch *p, const struct run_request *req, bool *skip,
		      struct err *err)
{
	unsigned only = req->only_repeat;
	size_t picked = 0, pick;
	int rc;

	for (size_t i = 0; only && i < p->ncells; i++) {
		skip[i] = p->cells[i].repeat != only;
		picked += !skip[i];
	}
	/* Exit 0 having run nothing would pass for success. */
	if (only && !picked)
		return err_fail(err, -EINVAL, "--only-repeat %u: no cell has a repeat %u (the most "
				"is %u)", only, only,
				p->ncells ? p->cells[p->ncells - 1].repeat : 0);
	if (!req->cell)
		return 0;
	rc = matrix_parse_cell(req->cell, p->ncells, &pick, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < p->ncells; i++)
		skip[i] = i != pick;
	return 0;
}

/* --resume: skip the cells the results directory has an ok run of. */
static void keep_done(struct run_batch *p, bool *skip)
{
	struct err ignored;

	/* Nothing there yet is fine: then every cell is to run. */
	p->have_done = report_load(&p->done, (char *const *)&p->output, 1, NULL, &ignored) == 0;
	/* A bad file is no kept cell: its cell runs again. */
	for (size_t i = 0; i < p->done.nskipped; i++)
		term_fprintf(stderr, "memhp run: --resume: skipped %s\n", p->done.skipped[i]);
	if (!p->have_done)
		report_free(&p->done);
	for (size_t i = 0; p->have_done && i < p->ncells; i++) {
		const struct cell *cl = &p->cells[i];
		const struct variant *v = &p->m.variants[cl->variant];
		const char *kept;
		char what[1400], inputs[65];

		if (skip[i])
			continue; /* not to run anyway: --cell, --only-repeat */
		/* Inputs that cannot be read now: nothing is kept, the run says why. */
		if (image_inputs_digest(v->spec, v->config, inputs, &ignored))
			continue;
		kept = done_already(&p->done, &p->m.scenarios[cl->scenario], v, inputs, cl->repeat);
		if (!kept)
			continue;
		skip[i] = true;
		describe(p, cl, what, sizeof(what));
		fprintf(stderr, "memhp: %s: kept %s\n", what, kept);
	}
}

/* The memory of every scenario with a cell to run fits this machine. */
static int check_budgets(const struct run_batch *p, const bool *skip, struct err *err)
{
	/* The budget is this machine's: it says nothing about other hosts. */
	if (!backend_runs_here(p->opt.backend, p->opt.connect))
		return 0;
	for (size_t s = 0; s < p->m.nscenarios; s++) {
		bool used = false;
		int rc;

		/* Only the scenarios of cells that are to run: not those
		 * --resume keeps (memhp ab and bisect look at kept runs). */
		for (size_t i = 0; i < p->ncells && !used; i++)
			used = !skip[i] && p->cells[i].scenario == s;
		rc = used ? scenario_check_budget(&p->m.scenarios[s], host_available(), err) : 0;
		if (rc)
			return rc;
	}
	return 0;
}

/* Every variant's image resolved once, before --jobs forks: the children
 * inherit it instead of building the same image at the same time. */
static void resolve_images(const struct run_batch *p)
{
	for (size_t i = 0; i < p->m.nvariants; i++) {
		struct image img;
		struct disk_image disk;
		struct err err;

		if (image_resolve(p->m.variants[i].spec, p->opt.modules, p->m.variants[i].config,
				  &img, &err) ||
		    image_resolve_disk(p->opt.image ? p->opt.image : IMAGE_DEFAULT, &img,
				       p->opt.modules, &disk, &err))
			fprintf(stderr, "memhp run: %s (its runs will fail)\n", err.msg);
	}
}

int cmd_run(int argc, char **argv)
{
	struct run_batch p = {
		.opt = { .accel = -1, .arch = -1, .qemu = runner_default_qemu(),
			 .progress_tty = isatty(STDERR_FILENO) },
		.output = "results",
	};
	struct run_request req = { 0 };
	unsigned jobs, failed = 0;
	bool *skip = NULL;
	struct variant v;
	struct err err;
	int rc = EXIT_USAGE;

	rc = run_request_parse(&req, argc, argv, &err);
	if (rc <= 0) {
		if (rc && *err.msg)
			fprintf(stderr, "memhp run: %s\n", err.msg);
		else
			usage(rc ? stderr : stdout);
		rc = rc ? EXIT_USAGE : EXIT_OK;
		goto out;
	}
	rc = EXIT_USAGE;
	if (!req.matrix && !req.scenarios.n) {
		usage(stderr);
		goto out;
	}
	for (size_t i = 0; i < req.variants.n; i++)
		if (variant_parse(req.variants.v[i], &v, &err) ||
		    matrix_add_variant(&p.m, &v, &err)) {
			fprintf(stderr, "memhp run: %s\n", err.msg);
			goto out;
		}
	if (req.output && req.resume && strcmp(req.output, req.resume)) {
		fprintf(stderr, "memhp run: two results directories, '%s' and '%s'\n", req.output,
			req.resume);
		goto out;
	}
	if (req.resume || req.output)
		p.output = req.resume ? req.resume : req.output;
	if (req.cell && req.only_repeat) {
		fprintf(stderr, "memhp run: --cell and --only-repeat both pick cells; give one\n");
		goto out;
	}
	if (run_request_options(&req.pass, &p.opt, &err)) {
		fprintf(stderr, "memhp run: %s\n", err.msg);
		goto out;
	}
	jobs = req.jobs ? req.jobs : 1;
	if (matrix_from_args(&p.m, req.matrix, req.kernel,
			     (char *const *)req.scenarios.v, req.scenarios.n, &err)) {
		fprintf(stderr, "memhp run: %s\n", err.msg);
		goto out;
	}
	if (matrix_check_cells(&p.m, req.repeats, &err)) {
		fprintf(stderr, "memhp run: %s\n", err.msg);
		goto out;
	}
	p.ncells = matrix_cells(&p.m, req.repeats, &p.cells);
	skip = calloc(p.ncells + 1, sizeof(*skip));
	if (!skip)
		abort();
	if (pick_cells(&p, &req, skip, &err)) {
		fprintf(stderr, "memhp run: %s\n", err.msg);
		goto out;
	}
	if (req.resume)
		keep_done(&p, skip);
	if (!req.pass.ignore_budget && check_budgets(&p, skip, &err)) {
		fprintf(stderr, "memhp run: %s\n", err.msg);
		goto out;
	}
	signals_install();
	if (jobs > online_cpus())
		jobs = online_cpus();
	if (jobs > 64)
		jobs = 64;
	if (jobs > 1) {
		resolve_images(&p);
		p.opt.progress_tty = false; /* one status line per cell would collide */
		failed = run_parallel(&p, jobs, skip);
	} else {
		for (size_t i = 0; i < p.ncells && !memhp_stop_signal; i++)
			if (!skip[i])
				failed += run_cell(&p, &p.cells[i], true) != 0;
	}
	rc = memhp_stop_signal ? 128 + memhp_stop_signal : failed ? EXIT_RUN_FAILED : EXIT_OK;
out:
	free(skip);
	free(p.cells);
	run_request_free(&req);
	if (p.have_done)
		report_free(&p.done);
	matrix_free(&p.m);
	return rc;
}
