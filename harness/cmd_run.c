// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "datadir.h"
#include "image.h"
#include "backend_libvirt_image.h"
#include "backend_libvirt_uri.h"
#include "matrix.h"
#include "report.h"
#include "runner.h"
#include "scenario.h"
#include "signals.h"
#include "summary.h"
#include "termout.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: memhp run [OPTIONS] SCENARIO.ini...\n"
		"       memhp run [OPTIONS] --matrix MATRIX.ini\n"
		"       memhp run [OPTIONS] --resume DIR --cell INDEX[/COUNT] (--matrix ... | SCENARIO...)\n\n"
		"Boot a guest, hot-add the scenario's memory, unplug as much as possible and\n"
		"count the memory blocks that came out: for every scenario, variant and repeat\n"
		"(a cell). Each cell writes OUTPUT/<scenario>[-<variant>]-<time>-r<N>/result.json\n"
		"plus the guest's serial.log and qemu.log, and prints a summary. Cells run\n"
		"repeat by repeat, scenario by scenario, every variant in turn (A B A B ...),\n"
		"so that drift on a noisy host favours no variant. That order numbers the\n"
		"cells from 0 (memhp plan lists them; docs/hosts.md).\n\n"
		"  -k, --kernel SPEC    guest kernel (default %s):\n"
		"                       deb:PACKAGE  Debian kernel package (a glob picks the newest)\n"
		"                       path:BZIMAGE a kernel of your own\n"
		"                       build:TREE[+SERIES] compiled from source with patches\n"
		"                                    (memhp kernel build --help)\n"
		"      --modules DIR    with path:, its lib/modules/<release> directory\n"
		"      --image ROOT     the guest's root (docs/images.md): initramfs (default;\n"
		"                       memhp's busybox), debian (Debian 12 with systemd,\n"
		"                       built once), path:DISK (a qcow2 or raw disk of your\n"
		"                       own with qemu-guest-agent; never written)\n"
		"  -V, --variant 'NAME=SPEC [cmdline=ARGS] [config=FRAGMENT]'\n"
		"                       a named kernel variant (SPEC as for --kernel); ARGS go\n"
		"                       last on its kernel command line, FRAGMENT into a build:\n"
		"                       kernel's configuration. Repeat it to compare kernels.\n"
		"                       NAME: letters, digits, . _ + -\n"
		"  -m, --matrix FILE    variants, scenarios and repeats from an INI file\n"
		"                       (docs/kernels.md)\n"
		"  -r, --repeats N      override the scenarios' (and matrix's) repeats\n"
		"  -j, --jobs N         run up to N cells at once (default 1), never more than\n"
		"                       the host's CPUs nor than its available memory holds\n"
		"  -o, --output DIR     results directory (default: results)\n"
		"      --only-repeat K  run only the K-th repeat of each scenario and variant\n"
		"                       (one cell: what memhp plan --emit commands prints)\n"
		"      --cell I[/N]     run only cell I (from 0, in the order above; what a\n"
		"                       Slurm array task of memhp plan --slurm runs). With /N,\n"
		"                       refuse unless the matrix still has N cells\n"
		"      --resume DIR     write to DIR (as -o) and keep the cells it has already:\n"
		"                       one with an ok result for the same scenario text,\n"
		"                       kernel, cmdline and repeat is not run again\n"
		"  -a, --accel A        auto (default: KVM only with kvm_intel/kvm_amd; through\n"
		"                       libvirt, where it offers kvm on a CPU with vmx/svm),\n"
		"                       kvm, tcg\n"
		"      --qemu BINARY    emulator (default: qemu-system-x86_64; QMP backend)\n"
		"  -b, --backend B      qmp (default: memhp starts QEMU and talks QMP) or\n"
		"                       libvirt (a transient domain through libvirt's API)\n"
		"  -c, --connect URI    libvirt host to run on (default " BACKEND_LIBVIRT_DEFAULT_URI ");\n"
		"                       implies --backend libvirt. Guest images are uploaded\n"
		"                       to its storage pool '" LV_POOL_NAME "' once (docs/hosts.md)\n"
		"      --ignore-budget  run even when a scenario may touch more host memory\n"
		"                       than is available (see docs/workloads.md)\n"
		"  -h, --help           this text\n\n"
		"Scenario keys: memhp help scenario. Exit: 0 every cell ended ok, 1 a run failed,\n"
		"2 bad arguments or scenario (nothing started), 128+N interrupted by signal N.\n",
		IMAGE_DEFAULT_KERNEL);
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

/* An ok result in done for this cell, or NULL. */
static const char *done_already(const struct report *done, const struct scenario *sc,
				const struct variant *v, unsigned rep)
{
	for (size_t i = 0; done && i < done->nruns; i++) {
		const struct run_record *r = &done->runs[i].rec;

		if (r->status == RUN_OK && r->repeat == rep && !strcmp(r->scenario_name, sc->name) &&
		    !strcmp(r->scenario_sha256, sc->sha256) && !strcmp(r->variant, v->name) &&
		    !strcmp(r->variant_source, v->spec) && !strcmp(r->variant_cmdline, v->cmdline))
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
	rc = runner_run(sc, &opt, &rec, &err);
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
				prctl(PR_SET_PDEATHSIG, SIGTERM);
				if (getppid() != parent)
					raise(SIGTERM);
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

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "modules", required_argument, NULL, 'M' },
		{ "image", required_argument, NULL, 'I' },
		{ "variant", required_argument, NULL, 'V' },
		{ "matrix", required_argument, NULL, 'm' },
		{ "accel", required_argument, NULL, 'a' },
		{ "repeats", required_argument, NULL, 'r' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "output", required_argument, NULL, 'o' },
		{ "qemu", required_argument, NULL, 'Q' },
		{ "ignore-budget", no_argument, NULL, 'B' },
		{ "resume", required_argument, NULL, 'R' },
		{ "only-repeat", required_argument, NULL, 'O' },
		{ "backend", required_argument, NULL, 'b' },
		{ "connect", required_argument, NULL, 'c' },
		{ "cell", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct run_batch p = {
		.opt = { .backend = &backend_qmp, .accel = -1, .qemu = "qemu-system-x86_64",
			 .progress_tty = isatty(STDERR_FILENO) },
		.output = "results",
	};
	const char *kernel = IMAGE_DEFAULT_KERNEL, *matrix = NULL, *cell_arg = NULL;
	const struct backend_ops *backend = NULL;
	unsigned repeats = 0, jobs = 1, failed = 0, only = 0;
	bool check_budget = true, resume = false, output_set = false;
	bool *skip = NULL;
	struct variant v;
	struct err err;
	int c, rc = EXIT_USAGE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "k:V:m:a:r:j:o:b:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': kernel = optarg; break;
		case 'M': p.opt.modules = optarg; break;
		case 'I': {
			enum image_kind kind;

			if (image_kind_parse(optarg, &kind, &err)) {
				fprintf(stderr, "memhp run: %s\n", err.msg);
				goto out;
			}
			p.opt.image = optarg;
			break;
		}
		case 'V':
			if (variant_parse(optarg, &v, &err) || matrix_add_variant(&p.m, &v, &err)) {
				fprintf(stderr, "memhp run: %s\n", err.msg);
				goto out;
			}
			break;
		case 'm': matrix = optarg; break;
		case 'a':
			if (!strcmp(optarg, "auto"))
				p.opt.accel = ACCEL_AUTO;
			else if (!strcmp(optarg, "kvm"))
				p.opt.accel = ACCEL_KVM;
			else if (!strcmp(optarg, "tcg"))
				p.opt.accel = ACCEL_TCG;
			else {
				fprintf(stderr, "memhp run: --accel '%s' is not auto, kvm or tcg\n", optarg);
				goto out;
			}
			break;
		case 'r':
		case 'O':
		case 'j': {
			char *end;
			unsigned long n = strtoul(optarg, &end, 10);

			if (*end || !n || n > 1000) {
				fprintf(stderr, "memhp run: --%s '%s' is not a number from 1 to 1000\n",
					c == 'r' ? "repeats" : c == 'j' ? "jobs" : "only-repeat", optarg);
				goto out;
			}
			*(c == 'r' ? &repeats : c == 'j' ? &jobs : &only) = (unsigned)n;
			break;
		}
		case 'o':
		case 'R':
			if (output_set && strcmp(p.output, optarg)) {
				fprintf(stderr, "memhp run: two results directories, '%s' and '%s'\n",
					p.output, optarg);
				goto out;
			}
			p.output = optarg;
			output_set = true;
			resume |= c == 'R';
			break;
		case 'Q': p.opt.qemu = optarg; break;
		case 'b':
			backend = backend_by_name(optarg);
			if (!backend) {
				fprintf(stderr, "memhp run: --backend '%s' is not qmp or libvirt\n",
					optarg);
				goto out;
			}
			break;
		case 'c':
			if (lv_uri_check(optarg, &err)) {
				fprintf(stderr, "memhp run: --connect: %s\n", err.msg);
				goto out;
			}
			p.opt.connect = optarg;
			break;
		case 'C': cell_arg = optarg; break;
		case 'B': check_budget = false; break;
		case 'h': usage(stdout); rc = EXIT_OK; goto out;
		default: usage(stderr); goto out;
		}
	}
	if (!matrix && optind >= argc) {
		usage(stderr);
		goto out;
	}
	/* --connect is libvirt's; it implies it. */
	if (!backend)
		backend = p.opt.connect ? &backend_libvirt : &backend_qmp;
	if (backend != &backend_libvirt && p.opt.connect) {
		fprintf(stderr, "memhp run: --connect needs --backend libvirt\n");
		goto out;
	}
	if (cell_arg && only) {
		fprintf(stderr, "memhp run: --cell and --only-repeat both pick cells; give one\n");
		goto out;
	}
	p.opt.backend = backend;
	if (matrix_from_args(&p.m, matrix, kernel, argv + optind, (size_t)(argc - optind), &err)) {
		fprintf(stderr, "memhp run: %s\n", err.msg);
		goto out;
	}
	if (matrix_check_cells(&p.m, repeats, &err)) {
		fprintf(stderr, "memhp run: %s\n", err.msg);
		goto out;
	}
	p.ncells = matrix_cells(&p.m, repeats, &p.cells);
	skip = calloc(p.ncells + 1, sizeof(*skip));
	if (!skip)
		abort();
	for (size_t i = 0; only && i < p.ncells; i++)
		skip[i] = p.cells[i].repeat != only;
	if (only) {
		size_t picked = 0;

		for (size_t i = 0; i < p.ncells; i++)
			picked += !skip[i];
		if (!picked) {
			/* Exit 0 having run nothing would pass for success. */
			fprintf(stderr, "memhp run: --only-repeat %u: no cell has a repeat %u (the "
					"most is %u)\n", only, only, p.ncells ?
					p.cells[p.ncells - 1].repeat : 0);
			goto out;
		}
	}
	if (cell_arg) {
		size_t pick;

		if (matrix_parse_cell(cell_arg, p.ncells, &pick, &err)) {
			fprintf(stderr, "memhp run: %s\n", err.msg);
			goto out;
		}
		for (size_t i = 0; i < p.ncells; i++)
			skip[i] = i != pick;
	}
	if (resume) {
		struct err ignored;

		/* Nothing there yet is fine: then every cell is to run. */
		p.have_done = report_load(&p.done, (char *const *)&p.output, 1, NULL, &ignored) == 0;
		/* A bad file is no kept cell: its cell runs again. */
		for (size_t i = 0; i < p.done.nskipped; i++)
			term_fprintf(stderr, "memhp run: --resume: skipped %s\n", p.done.skipped[i]);
		if (!p.have_done)
			report_free(&p.done);
		for (size_t i = 0; p.have_done && i < p.ncells; i++) {
			const struct cell *cl = &p.cells[i];
			const char *kept;
			char what[1400];

			if (skip[i])
				continue; /* not to run anyway: --cell, --only-repeat */
			kept = done_already(&p.done, &p.m.scenarios[cl->scenario],
					    &p.m.variants[cl->variant], cl->repeat);
			if (!kept)
				continue;
			skip[i] = true;
			describe(&p, cl, what, sizeof(what));
			fprintf(stderr, "memhp: %s: kept %s\n", what, kept);
		}
	}

	/* The budget is this machine's: it says nothing about other hosts. */
	if (p.opt.connect && !lv_uri_is_local(p.opt.connect))
		check_budget = false;
	for (size_t s = 0; check_budget && s < p.m.nscenarios; s++) {
		bool used = false;

		/* Only the scenarios of cells that are to run: not those
		 * --resume keeps (memhp ab and bisect look at kept runs). */
		for (size_t i = 0; i < p.ncells && !used; i++)
			used = !skip[i] && p.cells[i].scenario == s;
		if (used && scenario_check_budget(&p.m.scenarios[s], host_available(), &err)) {
			fprintf(stderr, "memhp run: %s\n", err.msg);
			goto out;
		}
	}
	signals_install();
	if (jobs > online_cpus())
		jobs = online_cpus();
	if (jobs > 64)
		jobs = 64;
	if (jobs > 1) {
		/* Resolve every variant's image once, here: the children inherit
		 * it instead of building the same image at the same time. */
		for (size_t i = 0; i < p.m.nvariants; i++) {
			struct image img;

			struct disk_image disk;

			if (image_resolve(p.m.variants[i].spec, p.opt.modules, p.m.variants[i].config,
					  &img, &err) ||
			    image_resolve_disk(p.opt.image ? p.opt.image : IMAGE_DEFAULT, &img,
					       p.opt.modules, &disk, &err))
				fprintf(stderr, "memhp run: %s (its runs will fail)\n", err.msg);
		}
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
	if (p.have_done)
		report_free(&p.done);
	matrix_free(&p.m);
	return rc;
}
