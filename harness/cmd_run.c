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
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "image.h"
#include "report.h"
#include "runner.h"
#include "scenario.h"
#include "signals.h"
#include "summary.h"
#include "workload.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: memhp run [OPTIONS] SCENARIO.ini\n\n"
		"Boot a guest, hot-add the scenario's memory, unplug as much as possible and\n"
		"count the memory blocks that came out. Each repeat writes\n"
		"OUTPUT/<scenario>-<time>-r<N>/result.json plus the guest's serial.log and\n"
		"qemu.log, and prints a summary.\n\n"
		"  -k, --kernel SPEC    guest kernel (default %s):\n"
		"                       deb:PACKAGE  Debian kernel package (a glob picks the newest)\n"
		"                       path:BZIMAGE a kernel of your own\n"
		"                       build:TREE[+SERIES] compiled from source with patches\n"
		"                                    (memhp kernel build --help)\n"
		"      --modules DIR    with path:, its lib/modules/<release> directory\n"
		"  -V, --variant 'NAME=SPEC [cmdline=ARGS]'\n"
		"                       a named kernel variant (SPEC as for --kernel, ARGS added\n"
		"                       to the kernel command line, last); give it\n"
		"                       several times to compare kernels: every repeat runs each\n"
		"                       variant in turn (A B A B ...), so drift on a noisy host\n"
		"                       does not favour one. NAME: letters, digits, . _ + -\n"
		"  -a, --accel A        auto (default: KVM only with kvm_intel/kvm_amd), kvm, tcg\n"
		"  -r, --repeats N      override the scenario's [run] repeats\n"
		"  -o, --output DIR     results directory (default: results)\n"
		"      --resume         keep the runs OUTPUT already has: a repeat of a variant\n"
		"                       with an ok result for this scenario (same text, same\n"
		"                       kernel and cmdline) is not run again\n"
		"      --qemu BINARY    emulator (default: qemu-system-x86_64)\n"
		"      --ignore-budget  run even when the scenario may touch more host memory\n"
		"                       than is available (see docs/workloads.md)\n"
		"  -h, --help           this text\n\n"
		"Scenario keys: memhp help scenario. Exit: 0 every run ok, 1 a run failed,\n"
		"2 bad arguments or scenario (nothing started), 128+N interrupted by signal N.\n",
		IMAGE_DEFAULT_KERNEL);
}

/* OUTPUT/<scenario>-<UTC time>-r<N>, made anew (never reusing a directory). */
static int make_run_dir(const char *output, const char *name, unsigned repeat, char *dir,
			size_t len)
{
	char stamp[32];
	time_t t = time(NULL);
	struct tm tm;

	if (mkdir(output, 0755) < 0 && errno != EEXIST)
		return -errno;
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	for (unsigned n = 1; n < 1000; n++) {
		if (n == 1)
			snprintf(dir, len, "%s/%s-%s-r%u", output, name, stamp, repeat);
		else
			snprintf(dir, len, "%s/%s-%s-r%u.%u", output, name, stamp, repeat, n);
		if (mkdir(dir, 0755) == 0)
			return 0;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

#define MAX_VARIANTS 16

struct variant {
	char name[64];
	char spec[1024];
	char cmdline[512]; /* extra kernel command line, "" for none */
};

/*
 * NAME=SPEC [cmdline=ARGS], NAME safe for a directory name and a report
 * label; ARGS may be in double quotes (the quotes are dropped).
 */
static int parse_variant(const char *arg, struct variant *v)
{
	const char *eq = strchr(arg, '='), *sp, *extra;
	size_t n = eq ? (size_t)(eq - arg) : 0;

	if (!eq || !n || n >= sizeof(v->name) || strspn(arg, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
							       "abcdefghijklmnopqrstuvwxyz"
							       "0123456789._+-") < n) {
		fprintf(stderr,
			"memhp run: --variant '%s' is not NAME=SPEC with a NAME of up to %zu letters, "
			"digits, '.', '_', '+' or '-'\n",
			arg, sizeof(v->name) - 1);
		return -1;
	}
	memcpy(v->name, arg, n);
	v->name[n] = '\0';
	sp = strchr(eq + 1, ' ');
	snprintf(v->spec, sizeof(v->spec), "%.*s", sp ? (int)(sp - eq - 1) : (int)strlen(eq + 1),
		 eq + 1);
	v->cmdline[0] = '\0';
	if (!sp)
		return 0;
	extra = sp + strspn(sp, " ");
	if (strncmp(extra, "cmdline=", 8)) {
		fprintf(stderr, "memhp run: --variant '%s': after the kernel only cmdline=ARGS may "
				"follow, not '%s'\n", arg, extra);
		return -1;
	}
	extra += 8;
	n = strlen(extra);
	if (n >= 2 && extra[0] == '"' && extra[n - 1] == '"') {
		extra++;
		n -= 2;
	}
	if (n >= sizeof(v->cmdline)) {
		fprintf(stderr, "memhp run: --variant '%s': cmdline longer than %zu bytes\n", arg,
			sizeof(v->cmdline) - 1);
		return -1;
	}
	snprintf(v->cmdline, sizeof(v->cmdline), "%.*s", (int)n, extra);
	return 0;
}

static int check_kernel_spec(const char *spec)
{
	if (strncmp(spec, "deb:", 4) && strncmp(spec, "path:", 5) && strncmp(spec, "build:", 6)) {
		fprintf(stderr, "memhp run: kernel '%s' is not deb:PACKAGE, path:BZIMAGE or "
				"build:TREE[+SERIES]\n", spec);
		return -1;
	}
	return 0;
}

/* An ok result in done for this scenario, variant and repeat, or NULL. */
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

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "modules", required_argument, NULL, 'M' },
		{ "variant", required_argument, NULL, 'V' },
		{ "accel", required_argument, NULL, 'a' },
		{ "repeats", required_argument, NULL, 'r' },
		{ "output", required_argument, NULL, 'o' },
		{ "qemu", required_argument, NULL, 'Q' },
		{ "ignore-budget", no_argument, NULL, 'B' },
		{ "resume", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct run_options opt = {
		.backend = &backend_qmp, .kernel = IMAGE_DEFAULT_KERNEL, .accel = -1,
		.qemu = "qemu-system-x86_64", .progress_tty = isatty(STDERR_FILENO),
	};
	const char *output = "results";
	struct variant variants[MAX_VARIANTS];
	unsigned repeats = 0, failed = 0, nvariants = 0;
	bool check_budget = true, resume = false;
	struct report done;
	bool have_done = false;
	struct scenario sc;
	struct err err;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "k:V:a:r:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k': opt.kernel = optarg; break;
		case 'V':
			if (nvariants == MAX_VARIANTS) {
				fprintf(stderr, "memhp run: more than %d variants\n", MAX_VARIANTS);
				return EXIT_USAGE;
			}
			if (parse_variant(optarg, &variants[nvariants]))
				return EXIT_USAGE;
			for (unsigned i = 0; i < nvariants; i++)
				if (!strcmp(variants[i].name, variants[nvariants].name)) {
					fprintf(stderr, "memhp run: variant '%s' given twice\n",
						variants[i].name);
					return EXIT_USAGE;
				}
			nvariants++;
			break;
		case 'M': opt.modules = optarg; break;
		case 'a':
			if (!strcmp(optarg, "auto"))
				opt.accel = ACCEL_AUTO;
			else if (!strcmp(optarg, "kvm"))
				opt.accel = ACCEL_KVM;
			else if (!strcmp(optarg, "tcg"))
				opt.accel = ACCEL_TCG;
			else {
				fprintf(stderr, "memhp run: --accel '%s' is not auto, kvm or tcg\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'r': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);

			if (*end || !v || v > 1000) {
				fprintf(stderr, "memhp run: --repeats '%s' is not a number from 1 to 1000\n",
					optarg);
				return EXIT_USAGE;
			}
			repeats = (unsigned)v;
			break;
		}
		case 'o': output = optarg; break;
		case 'Q': opt.qemu = optarg; break;
		case 'B': check_budget = false; break;
		case 'R': resume = true; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!nvariants) {
		/* One unnamed variant: the report names it by its kernel. */
		variants[0].name[0] = '\0';
		snprintf(variants[0].spec, sizeof(variants[0].spec), "%s", opt.kernel);
		variants[0].cmdline[0] = '\0';
		nvariants = 1;
	}
	for (unsigned i = 0; i < nvariants; i++)
		if (check_kernel_spec(variants[i].spec))
			return EXIT_USAGE;
	if (scenario_load(&sc, argv[optind], &err)) {
		fprintf(stderr, "memhp run: %s\n", err.msg);
		return EXIT_USAGE;
	}
	if (!repeats)
		repeats = sc.repeats;
	if (check_budget && workload_check_budget(&sc, host_available(), &err)) {
		fprintf(stderr, "memhp run: %s\n", err.msg);
		scenario_free(&sc);
		return EXIT_USAGE;
	}

	if (resume) {
		struct err ignored;

		/* Nothing there yet is fine: then every run is to do. */
		have_done = report_load(&done, (char *const *)&output, 1, NULL, &ignored) == 0;
		if (!have_done)
			report_free(&done);
	}
	signals_install();
	for (unsigned rep = 1; rep <= repeats && !memhp_stop_signal; rep++) {
		for (unsigned v = 0; v < nvariants && !memhp_stop_signal; v++) {
			const char *kept = done_already(have_done ? &done : NULL, &sc, &variants[v], rep);
			struct run_record rec;
			char dir[4096], label[1280];
			int rc;

			if (kept) {
				fprintf(stderr, "memhp: run %u/%u of %s%s%s: kept %s\n", rep, repeats,
					sc.name, *variants[v].name ? ", variant " : "", variants[v].name,
					kept);
				continue;
			}
			snprintf(label, sizeof(label), "%.1100s%s%.63s", sc.name,
				 *variants[v].name ? "-" : "", variants[v].name);
			rc = make_run_dir(output, label, rep, dir, sizeof(dir));
			if (rc) {
				fprintf(stderr, "memhp run: cannot create a run directory in %s: %s\n",
					output, strerror(-rc));
				failed++;
				goto out;
			}
			opt.outdir = dir;
			opt.repeat = rep;
			opt.variant = variants[v].name;
			opt.kernel = variants[v].spec;
			opt.variant_cmdline = variants[v].cmdline;
			fprintf(stderr, "memhp: run %u/%u of %s%s%s -> %s\n", rep, repeats, sc.name,
				*variants[v].name ? ", variant " : "", variants[v].name, dir);
			rc = runner_run(&sc, &opt, &rec, &err);
			summary_print(stdout, &rec);
			fflush(stdout);
			if (rc) {
				fprintf(stderr, "memhp run: could not write the result: %s\n", err.msg);
				failed++;
			} else {
				fprintf(stderr, "memhp: result %s/result.json\n", dir);
			}
			failed += rec.status != RUN_OK;
			result_free(&rec);
		}
	}
out:
	scenario_free(&sc);
	if (have_done)
		report_free(&done);
	if (memhp_stop_signal)
		return 128 + memhp_stop_signal;
	return failed ? EXIT_RUN_FAILED : EXIT_OK;
}
