// SPDX-License-Identifier: GPL-2.0-only
/*
 * memhp plan: the cells of a matrix as standalone commands, for a batch
 * system of one's own (GNU parallel, a CI matrix) to run, or as one sbatch
 * script for a Slurm job array (docs/hosts.md).
 */
#include <errno.h>
#include <getopt.h>
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
#include "image.h"
#include "backend_libvirt_uri.h"
#include "matrix.h"
#include "subproc.h"
#include "workload.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: memhp plan [OPTIONS] (--matrix MATRIX.ini | SCENARIO.ini...)\n\n"
		"Print every cell of the matrix (scenario x variant x repeat, in the order\n"
		"memhp run would run them, numbered from 0) as a command that runs just\n"
		"that cell:\n"
		"  memhp run --resume OUTPUT -r K --only-repeat K --variant '...' SCENARIO\n"
		"(a cell of a matrix's [sweep]: memhp run --resume OUTPUT --matrix FILE\n"
		"--cell INDEX/COUNT), or, with --slurm DIR, write DIR/memhp.sbatch: one\n"
		"Slurm job array with a task per cell (memhp run --cell INDEX) writing\n"
		"its result into DIR.\n"
		"memhp report and memhp compare read the results wherever they land\n"
		"(docs/hosts.md).\n\n"
		"  -m, --matrix FILE    as for memhp run\n"
		"  -V, --variant V      as for memhp run (repeatable)\n"
		"  -k, --kernel SPEC    as for memhp run (default %s)\n"
		"  -r, --repeats N      override the scenarios' (and matrix's) repeats\n"
		"  -o, --output DIR     the results directory the commands write to\n"
		"                       (default: results)\n"
		"      --emit FORMAT    commands (default: one shell command per line, every\n"
		"                       argument quoted) or json (an array of cells with\n"
		"                       their index and argv)\n"
		"Passed on to every memhp run, as memhp run takes them:\n"
		"      --modules DIR, -a/--accel A, --qemu BINARY, -b/--backend B,\n"
		"      -c/--connect URI, --ignore-budget\n"
		"Slurm:\n"
		"      --slurm DIR      write DIR/memhp.sbatch and print its path (made\n"
		"                       atomically; DIR, its parent existing, and\n"
		"                       DIR/slurm/ for the tasks' logs are created) instead of\n"
		"                       printing commands; DIR, on a file system every node\n"
		"                       sees, is the results directory. --mem is the largest\n"
		"                       host-memory budget of the cells (docs/workloads.md),\n"
		"                       --cpus-per-task the most guest CPUs. Submit with\n"
		"                       sbatch --wait DIR/memhp.sbatch; submitting it again\n"
		"                       runs only the cells without an ok result\n"
		"      --max-running K  at most K tasks at once (--array=0-N%%K)\n"
		"      --partition P, --constraint FEATURES, --time LIMIT\n"
		"                       as for sbatch\n"
		"  -h, --help           this text\n",
		IMAGE_DEFAULT_KERNEL);
}

/* What every memhp run of the plan gets besides its cell. */
struct pass {
	const char *modules, *accel, *qemu, *backend, *connect;
	bool ignore_budget;
};

static void add_pass(struct argv *a, const struct pass *o)
{
	const char *const opt[][2] = {
		{ "--modules", o->modules }, { "--accel", o->accel },	  { "--qemu", o->qemu },
		{ "--backend", o->backend }, { "--connect", o->connect },
	};

	for (size_t i = 0; i < sizeof(opt) / sizeof(opt[0]); i++)
		if (opt[i][1]) {
			argv_add(a, "%s", opt[i][0]);
			argv_add(a, "%s", opt[i][1]);
		}
	if (o->ignore_budget)
		argv_add(a, "--ignore-budget");
}

/* An absolute path for p when it exists (commands run from anywhere). */
static void add_path(struct argv *a, const char *p)
{
	char *abs = realpath(p, NULL);

	argv_add(a, "%s", abs ? abs : p);
	free(abs);
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

struct slurm {
	const char *dir, *partition, *constraint, *time;
	unsigned max_running;
};

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

int cmd_plan(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "matrix", required_argument, NULL, 'm' },
		{ "variant", required_argument, NULL, 'V' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "repeats", required_argument, NULL, 'r' },
		{ "output", required_argument, NULL, 'o' },
		{ "emit", required_argument, NULL, 'E' },
		{ "modules", required_argument, NULL, 'M' },
		{ "accel", required_argument, NULL, 'a' },
		{ "qemu", required_argument, NULL, 'Q' },
		{ "backend", required_argument, NULL, 'b' },
		{ "connect", required_argument, NULL, 'c' },
		{ "ignore-budget", no_argument, NULL, 'B' },
		{ "slurm", required_argument, NULL, 'S' },
		{ "max-running", required_argument, NULL, 'K' },
		{ "partition", required_argument, NULL, 'P' },
		{ "constraint", required_argument, NULL, 'C' },
		{ "time", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *matrix = NULL, *kernel = IMAGE_DEFAULT_KERNEL, *output = NULL;
	const char *emit = "commands";
	char self[4096];
	struct matrix m = { 0 };
	struct cell *cells = NULL;
	struct pass pass = { 0 };
	struct slurm sl = { 0 };
	unsigned repeats = 0;
	json_object *arr = NULL;
	struct variant v;
	struct err err;
	size_t n;
	int c, rc = EXIT_USAGE;
	ssize_t len;

	optind = 1;
	while ((c = getopt_long(argc, argv, "m:V:k:r:o:a:b:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'm': matrix = optarg; break;
		case 'V':
			if (variant_parse(optarg, &v, &err) || matrix_add_variant(&m, &v, &err)) {
				fprintf(stderr, "memhp plan: %s\n", err.msg);
				goto out;
			}
			break;
		case 'k': kernel = optarg; break;
		case 'r':
		case 'K': {
			char *end;
			unsigned long r = strtoul(optarg, &end, 10);

			if (*end || !r || r > 1000) {
				fprintf(stderr, "memhp plan: --%s '%s' is not a number from 1 to 1000\n",
					c == 'r' ? "repeats" : "max-running", optarg);
				goto out;
			}
			*(c == 'r' ? &repeats : &sl.max_running) = (unsigned)r;
			break;
		}
		case 'o': output = optarg; break;
		case 'E': emit = optarg; break;
		case 'M': pass.modules = optarg; break;
		case 'a':
			if (strcmp(optarg, "auto") && strcmp(optarg, "kvm") && strcmp(optarg, "tcg")) {
				fprintf(stderr, "memhp plan: --accel '%s' is not auto, kvm or tcg\n", optarg);
				goto out;
			}
			pass.accel = optarg;
			break;
		case 'Q': pass.qemu = optarg; break;
		case 'b':
			if (!backend_by_name(optarg)) {
				fprintf(stderr, "memhp plan: --backend '%s' is not qmp or libvirt\n", optarg);
				goto out;
			}
			pass.backend = optarg;
			break;
		case 'c':
			if (lv_uri_check(optarg, &err)) {
				fprintf(stderr, "memhp plan: --connect: %s\n", err.msg);
				goto out;
			}
			pass.connect = optarg;
			break;
		case 'B': pass.ignore_budget = true; break;
		case 'S': sl.dir = optarg; break;
		case 'P':
		case 'C':
		case 'T': {
			const char *name = c == 'P' ? "partition" : c == 'C' ? "constraint" : "time";

			if (check_sbatch_value(name, optarg, &err)) {
				fprintf(stderr, "memhp plan: %s\n", err.msg);
				goto out;
			}
			*(c == 'P' ? &sl.partition : c == 'C' ? &sl.constraint : &sl.time) = optarg;
			break;
		}
		case 'h': usage(stdout); rc = EXIT_OK; goto out;
		default: usage(stderr); goto out;
		}
	}
	if (strcmp(emit, "commands") && strcmp(emit, "json")) {
		fprintf(stderr, "memhp plan: --emit '%s' is not commands or json\n", emit);
		goto out;
	}
	if (!sl.dir && (sl.max_running || sl.partition || sl.constraint || sl.time)) {
		fprintf(stderr, "memhp plan: --max-running, --partition, --constraint and --time "
				"are for --slurm DIR\n");
		goto out;
	}
	if (sl.dir && output && strcmp(output, sl.dir)) {
		fprintf(stderr, "memhp plan: --slurm %s writes its results there; -o %s names "
				"another directory\n", sl.dir, output);
		goto out;
	}
	if (!output)
		output = "results";
	if (matrix_from_args(&m, matrix, kernel, argv + optind, (size_t)(argc - optind), &err)) {
		fprintf(stderr, "memhp plan: %s\n", err.msg);
		goto out;
	}
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	snprintf(self + (len > 0 ? len : 0), sizeof(self) - (size_t)(len > 0 ? len : 0), "%s",
		 len > 0 ? "" : "memhp");
	if (matrix_check_cells(&m, repeats, &err)) {
		fprintf(stderr, "memhp plan: %s\n", err.msg);
		goto out;
	}
	n = matrix_cells(&m, repeats, &cells);
	if (sl.dir) {
		/* The whole matrix as memhp plan got it; each task picks its cell. */
		struct argv run = { 0 };
		char *dir, vbuf[VARIANT_FORMAT_MAX];

		if (mkdir(sl.dir, 0755) < 0 && errno != EEXIST) {
			fprintf(stderr, "memhp plan: --slurm %s: %s\n", sl.dir, strerror(errno));
			goto out;
		}
		dir = realpath(sl.dir, NULL);
		argv_add(&run, "%s", self);
		argv_add(&run, "run");
		argv_add(&run, "--resume");
		argv_add(&run, "%s", dir ? dir : sl.dir);
		free(dir);
		if (repeats) {
			argv_add(&run, "--repeats");
			argv_add(&run, "%u", repeats);
		}
		add_pass(&run, &pass);
		if (matrix) {
			argv_add(&run, "--matrix");
			add_path(&run, matrix);
		} else {
			if (*m.variants[0].name) {
				for (size_t i = 0; i < m.nvariants; i++) {
					if (variant_format(&m.variants[i], vbuf, sizeof(vbuf)))
						abort(); /* VARIANT_FORMAT_MAX holds any variant */
					argv_add(&run, "--variant");
					argv_add(&run, "%s", vbuf);
				}
			} else {
				argv_add(&run, "--kernel");
				argv_add(&run, "%s", m.variants[0].spec);
			}
			for (size_t i = 0; i < m.nscenarios; i++)
				add_path(&run, m.scenarios[i].path);
		}
		rc = write_sbatch(&sl, &m, cells, n, &run, &err) ? EXIT_USAGE : EXIT_OK;
		if (rc)
			fprintf(stderr, "memhp plan: %s\n", err.msg);
		argv_free(&run);
		goto out;
	}
	if (!strcmp(emit, "json"))
		arr = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		const struct scenario *sc = &m.scenarios[cells[i].scenario];
		struct argv args = { 0 };
		char vbuf[VARIANT_FORMAT_MAX];

		if (variant_format(&m.variants[cells[i].variant], vbuf, sizeof(vbuf)))
			abort(); /* VARIANT_FORMAT_MAX holds any variant */
		argv_add(&args, "%s", self);
		argv_add(&args, "run");
		argv_add(&args, "--resume");
		argv_add(&args, "%s", output);
		if (sc->sweep.n) {
			/* A sweep point exists only in its matrix: the cell by its
			 * index, as a Slurm task runs it. */
			if (repeats) {
				argv_add(&args, "--repeats");
				argv_add(&args, "%u", repeats);
			}
			add_pass(&args, &pass);
			argv_add(&args, "--matrix");
			add_path(&args, matrix);
			argv_add(&args, "--cell");
			argv_add(&args, "%zu/%zu", i, n);
		} else {
			/* Repeats 1..K exist, K alone runs. */
			argv_add(&args, "--repeats");
			argv_add(&args, "%u", cells[i].repeat);
			argv_add(&args, "--only-repeat");
			argv_add(&args, "%u", cells[i].repeat);
			if (*m.variants[cells[i].variant].name) {
				argv_add(&args, "--variant");
				argv_add(&args, "%s", vbuf);
			} else {
				argv_add(&args, "--kernel");
				argv_add(&args, "%s", m.variants[cells[i].variant].spec);
			}
			add_pass(&args, &pass);
			add_path(&args, sc->path);
		}
		if (arr) {
			json_object *cell = json_object_new_object(), *av = json_object_new_array();

			json_object_object_add(cell, "index", json_object_new_int64((int64_t)i));
			json_object_object_add(cell, "scenario", json_object_new_string(sc->name));
			json_object_object_add(cell, "variant",
					       json_object_new_string(m.variants[cells[i].variant].name));
			json_object_object_add(cell, "repeat", json_object_new_int((int)cells[i].repeat));
			if (sc->sweep.n) {
				json_object *sw = json_object_new_object();

				for (unsigned k = 0; k < sc->sweep.n; k++)
					json_object_object_add(sw, sc->sweep.kv[k].key,
							       json_object_new_string(sc->sweep.kv[k].value));
				json_object_object_add(cell, "sweep", sw);
			}
			for (size_t k = 0; k < args.n; k++)
				json_object_array_add(av, json_object_new_string(args.v[k]));
			json_object_object_add(cell, "argv", av);
			json_object_array_add(arr, cell);
		} else {
			print_command(stdout, &args);
		}
		argv_free(&args);
	}
	if (arr)
		printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
								       JSON_C_TO_STRING_NOSLASHESCAPE));
	rc = fflush(stdout) ? EXIT_RUN_FAILED : EXIT_OK;
out:
	json_object_put(arr);
	free(cells);
	matrix_free(&m);
	return rc;
}
