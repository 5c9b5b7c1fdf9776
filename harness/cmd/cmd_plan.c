// SPDX-License-Identifier: GPL-2.0-only
/*
 * memhp plan: the cells of a matrix as standalone commands, for a batch
 * system of one's own (GNU parallel, a CI matrix) to run, or as one sbatch
 * script for a Slurm job array (docs/hosts.md).
 */
#include <errno.h>
#include <stddef.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "atomic_file.h"
#include "backend.h"
#include "cmd.h"
#include "matrix.h"
#include "opts.h"
#include "run_request.h"
#include "subproc.h"
#include "workload.h"
#include "str.h"

/* memhp plan's own options. */
struct plan_args {
	const char *output, *emit;
	struct slurm {
		const char *dir, *partition, *constraint, *time;
		unsigned max_running;
	} sl;
};

#define P(field) offsetof(struct plan_args, field)

static int check_sbatch_value(const char *opt, const char *val, struct err *err);
static int check_partition(const char *val, struct err *err)
{
	return check_sbatch_value("partition", val, err);
}

static int check_constraint(const char *val, struct err *err)
{
	return check_sbatch_value("constraint", val, err);
}

static int check_time(const char *val, struct err *err)
{
	return check_sbatch_value("time", val, err);
}

static const struct opt plan_opts[] = {
	{ OPT("output", 'o', OPT_STRING, P(output), "DIR",
	      "the results directory the commands write to\n(default: results)") },
	{ OPT("emit", 0, OPT_STRING, P(emit), "FORMAT",
	      "commands (default: one shell command per line, every\n"
	      "argument quoted) or json (an array of cells with\n"
	      "their index and argv)"), .choices = "commands json" },
	{ 0 },
};

static const struct opt plan_slurm_opts[] = {
	{ OPT("slurm", 0, OPT_STRING, P(sl.dir), "DIR",
	      "write DIR/memhp.sbatch and print its path (made\n"
	      "atomically; DIR, its parent existing, and\n"
	      "DIR/slurm/ for the tasks' logs are created) instead of\n"
	      "printing commands; DIR, on a file system every node\n"
	      "sees, is the results directory. --mem is the largest\n"
	      "host-memory budget of the cells (docs/workloads.md),\n"
	      "--cpus-per-task the most guest CPUs. Submit with\n"
	      "sbatch --wait DIR/memhp.sbatch; submitting it again\n"
	      "runs only the cells without an ok result") },
	{ OPT("max-running", 0, OPT_UINT, P(sl.max_running), "K",
	      "at most K tasks at once (--array=0-N%K)"), .max = 1000 },
	{ OPT("partition", 0, OPT_STRING, P(sl.partition), "P", "as for sbatch"),
	  .check = check_partition },
	{ OPT("constraint", 0, OPT_STRING, P(sl.constraint), "FEATURES", "as for sbatch"),
	  .check = check_constraint },
	{ OPT("time", 0, OPT_STRING, P(sl.time), "LIMIT", "as for sbatch"), .check = check_time },
	{ 0 },
};

#define PLAN_GROUPS(req, args)                                                            \
	{                                                                                 \
		{ run_cell_opts, (req), NULL, false }, { plan_opts, (args), NULL, false }, \
		{ run_pass_opts, (req), "Passed on to every memhp run, as memhp run takes them:", \
		  true },                                                                 \
		{ plan_slurm_opts, (args), "Slurm:", false },                            \
		{ opts_help, (args), NULL, false },                                       \
	}

static void usage(FILE *out)
{
	struct run_request req = { 0 };
	struct plan_args args = { 0 };
	const struct opt_group g[] = PLAN_GROUPS(&req, &args);

	fputs("usage: memhp plan [OPTIONS] (--matrix MATRIX.ini | SCENARIO.ini...)\n\n"
	      "Print every cell of the matrix (scenario x variant x repeat, in the order\n"
	      "memhp run would run them, numbered from 0) as a command that runs just\n"
	      "that cell:\n"
	      "  memhp run --resume OUTPUT --repeats K --only-repeat K --variant '...' SCENARIO\n"
	      "(a cell of a matrix's [sweep]: memhp run --resume OUTPUT --matrix FILE\n"
	      "--cell INDEX/COUNT), or, with --slurm DIR, write DIR/memhp.sbatch: one\n"
	      "Slurm job array with a task per cell (memhp run --cell INDEX) writing\n"
	      "its result into DIR.\n"
	      "memhp report and memhp compare read the results wherever they land\n"
	      "(docs/hosts.md).\n\n", out);
	opts_usage(out, g, ARRAY_SIZE(g));
}

static void print_command(FILE *out, const struct argv *a)
{
	for (size_t k = 0; k < a->n; k++) {
		if (k)
			fputc(' ', out);
		sh_quote(out, a->v[k]);
	}
	fputc('\n', out);
}

/* An sbatch option value: it goes on a #SBATCH line, which sbatch splits
 * at blanks itself; no blanks, quotes or shell characters. */
static int check_sbatch_value(const char *opt, const char *val, struct err *err)
{
	if (!*val || strspn(val, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
				 "_.,:+-&|!*[]()") != strlen(val))
		return err_set(err, "--%s '%s': only letters, digits and _.,:+-&|!*[]() go into an "
				    "sbatch option here", opt, val), -EINVAL;
	return 0;
}

/* A comment line's text: printable, one line. */
static void comment_text(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc(*s >= ' ' && *s <= '~' ? *s : '?', out);
}

/*
 * DIR/memhp.sbatch for the cells of m. run is the memhp run command line
 * that describes the matrix (without --cell); each task adds its index.
 */
static int write_sbatch(const struct slurm *sl, const struct matrix *m, const struct cell *cells,
			size_t n, const struct argv *run, struct err *err)
{
	char path[4200], cwd[4096], *dir;
	struct atomic_file af;
	uint64_t mem = 0;
	unsigned cpus = 1;
	FILE *f;

	dir = realpath(sl->dir, NULL); /* made by the caller */
	if (!dir)
		return err_fail(err, -errno, "--slurm %s: %s", sl->dir, strerror(errno));
	snprintf(path, sizeof(path), "%s/slurm", dir);
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		err_set(err, "%s: %s", path, strerror(errno));
		free(dir);
		return -EIO;
	}
	if (!getcwd(cwd, sizeof(cwd)))
		snprintf(cwd, sizeof(cwd), "/");
	for (size_t i = 0; i < n; i++) {
		const struct scenario *sc = &m->scenarios[cells[i].scenario];
		uint64_t need = scenario_host_need(sc);

		if (need > mem)
			mem = need;
		if (sc->cpus > cpus)
			cpus = sc->cpus;
	}
	snprintf(path, sizeof(path), "%s/memhp.sbatch", dir);
	/* mkostemp in DIR, then 0755 and a rename (atomic_file.h). */
	if (atomic_open(&af, path, 0755, err)) {
		free(dir);
		return -EIO;
	}
	f = af.f;
	fprintf(f, "#!/bin/sh\n"
		   "# Written by memhp plan --slurm: %zu cell%s, one array task each, results\n"
		   "# into this directory. Submit (again, to run what has no ok result yet):\n"
		   "#   sbatch --wait ", n, n == 1 ? "" : "s");
	comment_text(f, path);
	fprintf(f, "\n#SBATCH --job-name=memhp\n"
		   "#SBATCH --array=0-%zu", n - 1);
	if (sl->max_running)
		fprintf(f, "%%%u", sl->max_running);
	fprintf(f, "\n#SBATCH --mem=%lluM\n"
		   "#SBATCH --cpus-per-task=%u\n"
		   "#SBATCH --ntasks=1\n"
		   "#SBATCH --requeue\n"
		   "#SBATCH --output=/dev/null\n",
		(unsigned long long)((mem + (1 << 20) - 1) >> 20), cpus);
	if (sl->partition)
		fprintf(f, "#SBATCH --partition=%s\n", sl->partition);
	if (sl->constraint)
		fprintf(f, "#SBATCH --constraint=%s\n", sl->constraint);
	if (sl->time)
		fprintf(f, "#SBATCH --time=%s\n", sl->time);
	fputs("#\n# Cells (index: scenario, variant, repeat):\n", f);
	for (size_t i = 0; i < n; i++) {
		const struct variant *v = &m->variants[cells[i].variant];

		fprintf(f, "#   %zu: ", i);
		comment_text(f, m->scenarios[cells[i].scenario].name);
		fputs(", ", f);
		comment_text(f, *v->name ? v->name : v->spec);
		fprintf(f, ", repeat %u\n", cells[i].repeat);
	}
	/* Relative kernel specs resolve where memhp plan ran; the task's own
	 * output goes next to the results. */
	fputs("set -u\ncd ", f);
	sh_quote(f, cwd);
	fputs(" || exit 2\nexec >> ", f);
	sh_quote(f, dir);
	fputs("/slurm/\"${SLURM_ARRAY_JOB_ID:-0}_${SLURM_ARRAY_TASK_ID:?}.log\" 2>&1\nexec", f);
	for (size_t k = 0; k < run->n; k++) {
		fputc(' ', f);
		sh_quote(f, run->v[k]);
	}
	fprintf(f, " --cell \"${SLURM_ARRAY_TASK_ID:?}/%zu\"\n", n);
	if (atomic_commit(&af, err)) {
		free(dir);
		return -EIO;
	}
	printf("%s\n", path);
	free(dir);
	return 0;
}

/* An absolute path for p when it exists (commands run from anywhere), kept
 * in keep until the end. */
static const char *abs_path(struct opt_list *keep, const char *p)
{
	char *abs = realpath(p, NULL);

	if (!abs)
		abs = strdup(p);
	if (!abs)
		abort();
	opt_list_add(keep, abs);
	return abs;
}

static const char *keep_str(struct opt_list *keep, const char *s)
{
	char *dup = strdup(s);

	if (!dup)
		abort();
	opt_list_add(keep, dup);
	return dup;
}

/* Variant v into r: its --variant argument, or its spec as --kernel. */
static void add_variant(struct run_request *r, const struct variant *v, struct opt_list *keep)
{
	char vbuf[VARIANT_FORMAT_MAX];

	if (!*v->name) {
		r->kernel = keep_str(keep, v->spec);
		return;
	}
	if (variant_format(v, vbuf, sizeof(vbuf)))
		abort(); /* VARIANT_FORMAT_MAX holds any variant */
	opt_list_add(&r->variants, keep_str(keep, vbuf));
}

static void request_argv(const char *self, const struct run_request *r, struct argv *a)
{
	argv_add(a, "%s", self);
	run_request_argv(r, a);
}

int cmd_plan(int argc, char **argv)
{
	struct run_request req = { 0 };
	struct plan_args args = { .emit = "commands" };
	const struct opt_group g[] = PLAN_GROUPS(&req, &args);
	const char *output;
	char self[4096];
	struct matrix m = { 0 };
	struct cell *cells = NULL;
	struct opt_list keep = { 0 };
	struct run_options check = { 0 };
	json_object *arr = NULL;
	struct variant v;
	struct err err;
	size_t n;
	int rc;
	ssize_t len;

	rc = opts_parse(g, ARRAY_SIZE(g), argc, argv, &err);
	if (rc <= 0) {
		if (rc && *err.msg)
			fprintf(stderr, "memhp plan: %s\n", err.msg);
		else
			usage(rc ? stderr : stdout);
		rc = rc ? EXIT_USAGE : EXIT_OK;
		goto out;
	}
	for (int i = rc; i < argc; i++)
		opt_list_add(&req.scenarios, argv[i]);
	rc = EXIT_USAGE;
	for (size_t i = 0; i < req.variants.n; i++)
		if (variant_parse(req.variants.v[i], &v, &err) || matrix_add_variant(&m, &v, &err)) {
			fprintf(stderr, "memhp plan: %s\n", err.msg);
			goto out;
		}
	if (run_request_options(&req.pass, &check, &err)) {
		fprintf(stderr, "memhp plan: %s\n", err.msg);
		goto out;
	}
	if (!args.sl.dir && (args.sl.max_running || args.sl.partition || args.sl.constraint ||
			     args.sl.time)) {
		fprintf(stderr, "memhp plan: --max-running, --partition, --constraint and --time "
				"are for --slurm DIR\n");
		goto out;
	}
	if (args.sl.dir && args.output && strcmp(args.output, args.sl.dir)) {
		fprintf(stderr, "memhp plan: --slurm %s writes its results there; -o %s names "
				"another directory\n", args.sl.dir, args.output);
		goto out;
	}
	output = args.output ? args.output : "results";
	if (matrix_from_args(&m, req.matrix, req.kernel,
			     (char *const *)req.scenarios.v, req.scenarios.n, &err)) {
		fprintf(stderr, "memhp plan: %s\n", err.msg);
		goto out;
	}
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	snprintf(self + (len > 0 ? len : 0), sizeof(self) - (size_t)(len > 0 ? len : 0), "%s",
		 len > 0 ? "" : "memhp");
	if (matrix_check_cells(&m, req.repeats, &err)) {
		fprintf(stderr, "memhp plan: %s\n", err.msg);
		goto out;
	}
	n = matrix_cells(&m, req.repeats, &cells);
	if (args.sl.dir) {
		/* The whole matrix as memhp plan got it; each task picks its cell. */
		struct run_request run = { .repeats = req.repeats, .pass = req.pass };
		struct argv a = { 0 };

		if (mkdir(args.sl.dir, 0755) < 0 && errno != EEXIST) {
			fprintf(stderr, "memhp plan: --slurm %s: %s\n", args.sl.dir, strerror(errno));
			goto out;
		}
		run.resume = abs_path(&keep, args.sl.dir);
		if (req.matrix) {
			run.matrix = abs_path(&keep, req.matrix);
		} else {
			for (size_t i = 0; i < m.nvariants; i++)
				add_variant(&run, &m.variants[i], &keep);
			for (size_t i = 0; i < m.nscenarios; i++)
				opt_list_add(&run.scenarios, abs_path(&keep, m.scenarios[i].path));
		}
		request_argv(self, &run, &a);
		rc = write_sbatch(&args.sl, &m, cells, n, &a, &err) ? EXIT_USAGE : EXIT_OK;
		if (rc)
			fprintf(stderr, "memhp plan: %s\n", err.msg);
		argv_free(&a);
		run_request_free(&run);
		goto out;
	}
	if (!strcmp(args.emit, "json"))
		arr = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		const struct scenario *sc = &m.scenarios[cells[i].scenario];
		struct run_request run = { .resume = output, .pass = req.pass };
		struct argv a = { 0 };
		char cell[64];

		if (sc->sweep.n) {
			/* A sweep point exists only in its matrix: the cell by its
			 * index, as a Slurm task runs it. */
			snprintf(cell, sizeof(cell), "%zu/%zu", i, n);
			run.repeats = req.repeats;
			run.matrix = abs_path(&keep, req.matrix);
			run.cell = cell;
		} else {
			/* Repeats 1..K exist, K alone runs. */
			run.repeats = cells[i].repeat;
			run.only_repeat = cells[i].repeat;
			add_variant(&run, &m.variants[cells[i].variant], &keep);
			opt_list_add(&run.scenarios, abs_path(&keep, sc->path));
		}
		request_argv(self, &run, &a);
		run_request_free(&run);
		if (arr) {
			json_object *jc = json_object_new_object(), *av = json_object_new_array();

			json_object_object_add(jc, "index", json_object_new_int64((int64_t)i));
			json_object_object_add(jc, "scenario", json_object_new_string(sc->name));
			json_object_object_add(jc, "variant",
					       json_object_new_string(m.variants[cells[i].variant].name));
			json_object_object_add(jc, "repeat", json_object_new_int((int)cells[i].repeat));
			if (sc->sweep.n) {
				json_object *sw = json_object_new_object();

				for (unsigned k = 0; k < sc->sweep.n; k++)
					json_object_object_add(sw, sc->sweep.kv[k].key,
							       json_object_new_string(sc->sweep.kv[k].value));
				json_object_object_add(jc, "sweep", sw);
			}
			for (size_t k = 0; k < a.n; k++)
				json_object_array_add(av, json_object_new_string(a.v[k]));
			json_object_object_add(jc, "argv", av);
			json_object_array_add(arr, jc);
		} else {
			print_command(stdout, &a);
		}
		argv_free(&a);
	}
	if (arr)
		printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
								       JSON_C_TO_STRING_NOSLASHESCAPE));
	rc = fflush(stdout) ? EXIT_RUN_FAILED : EXIT_OK;
out:
	json_object_put(arr);
	free(cells);
	matrix_free(&m);
	for (size_t i = 0; i < keep.n; i++)
		free((char *)keep.v[i]);
	opt_list_free(&keep);
	run_request_free(&req);
	return rc;
}
