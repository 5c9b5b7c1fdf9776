// SPDX-License-Identifier: GPL-2.0-only
/*
 * memhp rerun RESULT.json: the same cell again, from what the result
 * records (scenario text, kernel variant, backend, accelerator, host),
 * refusing when an input is gone or has changed, and recording where the new
 * result came from.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "backend.h"
#include "cmd.h"
#include "image.h"
#include "matrix.h"
#include "result.h"
#include "run_request.h"
#include "runner.h"
#include "scenario.h"
#include "signals.h"
#include "str.h"
#include "summary.h"
#include "termout.h"
#include "xalloc.h"

struct rerun_args {
	const char *out, *qemu;
};

#define RA(field) offsetof(struct rerun_args, field)

static const struct opt rerun_opts[] = {
	{ OPT("output", 'o', OPT_STRING, RA(out), "DIR", "results directory (default: results)") },
	{ OPT("qemu", 0, OPT_STRING, RA(qemu), "BINARY",
	      "emulator (default: $MEMHP_QEMU, else qemu-system-x86_64)") },
	{ 0 },
};

static void usage(FILE *out)
{
	struct rerun_args args = { 0 };
	const struct opt_group g[] = {
		{ rerun_opts, &args, NULL, false },
		{ opts_help, &args, NULL, false },
	};

	fputs("usage: memhp rerun [OPTIONS] RESULT.json\n\n"
	      "Run the cell of RESULT.json again, exactly as it is recorded: the scenario\n"
	      "text (its sha256 checked), the kernel variant (spec, command line), the\n"
	      "guest's root (--image), the backend, the accelerator and, for libvirt, the\n"
	      "host URI. The kernel must be the same: its guest image (deb: package and\n"
	      "version, path: file's sha256, build: inputs) is resolved again and compared\n"
	      "with the one recorded; a kernel that is gone or differs is refused, naming\n"
	      "it. The new result.json records the run it repeats under \"origin\".\n\n", out);
	opts_usage(out, g, ARRAY_SIZE(g));
	fputs("\nExit: as memhp run: 0 ok, 1 the run failed, 2 refused (an input is gone or\n"
	      "changed, or RESULT.json cannot be read), 128+N interrupted by signal N.\n",
	      out);
}

/* A build: kernel's key from its kernel.json, or "". */
static void build_key(json_object *build, char *buf, size_t len)
{
	json_object *k;

	*buf = 0;
	if (build && json_object_object_get_ex(build, "key", &k) &&
	    json_object_is_type(k, json_type_string))
		snprintf(buf, len, "%s", json_object_get_string(k));
}

/* Add "origin" to dir/result.json: read back, the origin set, written
 * again atomically by result.c (which alone knows the names). */
static int add_origin(const char *dir, const char *from, const struct run_record *old,
		      struct err *err)
{
	char *path = path_join(dir, "result.json");
	struct run_record rec;
	int rc;

	rc = result_read(path, &rec, err);
	free(path);
	if (rc)
		return err_wrap(err, rc, "reading it back");
	rec.origin.have = true;
	rec.origin.rerun_of = xstrdup(from);
	str_copy(rec.origin.run_id, sizeof(rec.origin.run_id), old->run_id);
	str_copy(rec.origin.started, sizeof(rec.origin.started), old->started);
	str_copy(rec.origin.image, sizeof(rec.origin.image), old->image_key);
	rc = result_write(&rec, dir, err);
	result_free(&rec);
	return rc;
}

/* Everything to run old's cell again, or a refusal in err. */
static int prepare(const struct run_record *old, const char *from, struct scenario *sc,
		   struct run_options *opt, struct err *err)
{
	char path[1200], id_old[600], id_new[600], key_old[64], key_new[64];
	const char *spec = *old->variant_source ? old->variant_source : old->kernel_spec;
	struct run_pass pass = { 0 };
	struct image img;

	if (!old->scenario_text || !*old->scenario_name)
		return err_fail(err, -EINVAL, "%s: records no scenario text to run", from);
	/* Names go into the new run's directory name: checked as memhp run
	 * checks the names it builds, so that none leads outside -o. */
	if (scenario_name_check(old->scenario_name, err) ||
	    (*old->scenario_base && scenario_name_check(old->scenario_base, err)))
		return err_wrap(err, -EINVAL, "%s", from);
	if (*old->variant && !variant_name_valid(old->variant))
		return err_fail(err, -EINVAL, "%s: variant name '%s' is not one memhp run takes "
				"(letters, digits, '.', '_', '+', '-')", from, old->variant);
	/* The scenario's name is its file's: load the text under that name. */
	snprintf(path, sizeof(path), "%s.ini", old->scenario_name);
	if (scenario_load_string(sc, path, old->scenario_text, err))
		return -EINVAL;
	if (strcmp(sc->sha256, old->scenario_sha256))
		return err_fail(err, -EINVAL, "%s: the scenario text does not match its recorded sha256 %s "
				    "(edited?)", from, old->scenario_sha256);
	/* A sweep's cell: its text holds the point; keep naming it as one. */
	if (*old->scenario_base)
		str_copy(sc->base, sizeof(sc->base), old->scenario_base);
	sc->sweep = old->sweep;
	if (!*spec)
		return err_fail(err, -EINVAL, "%s: records no kernel", from);
	opt->kernel = spec;
	opt->variant = old->variant;
	opt->variant_cmdline = old->variant_cmdline;
	opt->repeat = old->repeat ? old->repeat : 1;
	/* How it ran, as memhp run's options: the one conversion. */
	pass.backend = *old->backend ? old->backend : "qmp";
	if (!backend_by_name(pass.backend))
		return err_fail(err, -EINVAL, "%s: backend '%s' is not one memhp has", from,
				old->backend);
	if (strcmp(old->accel, "kvm") && strcmp(old->accel, "tcg"))
		return err_fail(err, -EINVAL, "%s: records no accelerator it ran with (vmm.accel "
				"'%s')", from, old->accel);
	pass.accel = old->accel;
	/* issue 24: the same architecture (older results: x86_64) */
	pass.arch = *old->arch ? old->arch : NULL;
	pass.connect = *old->host_uri ? old->host_uri : NULL;
	/* The same root: a disk-image cell stays on its disk. */
	pass.image = *old->image_spec ? old->image_spec : NULL;
	if (run_request_options(&pass, opt, err))
		return err_wrap(err, -EINVAL, "%s", from);
	/* The same kernel, or nothing: resolve its image and compare. */
	if (image_resolve_arch(spec, NULL, NULL, *old->arch ? old->arch : "x86_64", &img, err))
		return -ENOENT;
	if (old->kernel_build) {
		char *kj = path_join(img.build, "kernel.json");
		json_object *now = *img.build ? json_object_from_file(kj) : NULL;

		free(kj);
		build_key(old->kernel_build, key_old, sizeof(key_old));
		build_key(now, key_new, sizeof(key_new));
		json_object_put(now);
		if (strcmp(key_old, key_new))
			return err_fail(err, -EINVAL, "kernel %s: its build inputs changed (tree, patches, "
					    "configuration or compiler): build key %s, the result ran %s",
				       spec, *key_new ? key_new : "none", key_old);
	}
	if (*old->image_key && strcmp(img.key, old->image_key)) {
		image_cached_kernel_id(old->image_key, id_old, sizeof(id_old));
		image_cached_kernel_id(img.key, id_new, sizeof(id_new));
		if (*id_old && strcmp(id_old, id_new))
			return err_fail(err, -EINVAL, "kernel %s changed: it is now '%s', the result ran '%s'",
				       spec, id_new, id_old);
		if (!*id_old)
			return err_fail(err, -ENOENT, "kernel %s: its guest image is now %s, the result ran %s, "
					    "which is no longer cached to tell what changed",
				       spec, img.key, old->image_key);
		/* Same kernel, other guest-side programs (a rebuilt probe): said,
		 * not refused — the kernel under test is the same. */
		fprintf(stderr, "memhp rerun: note: same kernel, guest image %s instead of %s "
				"(memhp's guest programs changed)\n", img.key, old->image_key);
	}
	return 0;
}

static int make_dir(const char *out, const struct run_record *old, char *dir, size_t len)
{
	char stamp[32];
	time_t t = time(NULL);
	struct tm tm;

	if (mkdir(out, 0755) < 0 && errno != EEXIST)
		return -errno;
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	for (unsigned n = 1; n < 1000; n++) {
		snprintf(dir, len, "%s/%.500s%s%.63s-rerun-%s-r%u%s%.0u", out, old->scenario_name,
			 *old->variant ? "-" : "", old->variant, stamp, old->repeat, n > 1 ? "." : "",
			 n > 1 ? n : 0);
		if (mkdir(dir, 0755) == 0)
			return 0;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

int cmd_rerun(int argc, char **argv)
{
	struct rerun_args args = { .out = "results", .qemu = runner_default_qemu() };
	const struct opt_group g[] = {
		{ rerun_opts, &args, NULL, false },
		{ opts_help, &args, NULL, false },
	};
	struct run_options opt = { .accel = -1, .arch = -1, .progress_tty = isatty(STDERR_FILENO) };
	const char *out;
	struct run_record old, rec;
	struct scenario sc;
	char dir[4096], shown[4200];
	struct err err;
	int rc;

	rc = opts_parse(g, ARRAY_SIZE(g), argc, argv, &err);
	if (rc <= 0 || rc != argc - 1) {
		if (rc < 0 && *err.msg)
			fprintf(stderr, "memhp rerun: %s\n", err.msg);
		else
			usage(rc ? stderr : stdout);
		return rc ? EXIT_USAGE : EXIT_OK;
	}
	optind = rc;
	out = args.out;
	opt.qemu = args.qemu;
	result_init(&old);
	if (result_read(argv[optind], &old, &err)) {
		fprintf(stderr, "memhp rerun: %s\n", term_printable(err.msg, shown, sizeof(shown)));
		result_free(&old);
		return EXIT_USAGE;
	}
	memset(&sc, 0, sizeof(sc));
	if (prepare(&old, argv[optind], &sc, &opt, &err)) {
		fprintf(stderr, "memhp rerun: refused: %s\n",
			term_printable(err.msg, shown, sizeof(shown)));
		result_free(&old);
		scenario_free(&sc);
		return EXIT_USAGE;
	}
	rc = make_dir(out, &old, dir, sizeof(dir));
	if (rc) {
		fprintf(stderr, "memhp rerun: cannot create a run directory in %s: %s\n", out,
			strerror(-rc));
		result_free(&old);
		scenario_free(&sc);
		return EXIT_USAGE;
	}
	opt.outdir = dir;
	signals_install();
	fprintf(stderr, "memhp: rerun of %s -> %s\n", argv[optind], dir);
	rc = runner_run(&sc, &opt, &runner_env_real, &rec, &err);
	summary_print(stdout, &rec);
	if (rc) {
		fprintf(stderr, "memhp rerun: could not write the result: %s\n", err.msg);
		rc = EXIT_RUN_FAILED;
	} else if (add_origin(dir, argv[optind], &old, &err)) {
		fprintf(stderr, "memhp rerun: could not record the origin: %s\n", err.msg);
		rc = EXIT_RUN_FAILED;
	} else {
		fprintf(stderr, "memhp: result %s/result.json\n", dir);
		rc = memhp_stop_signal ? 128 + memhp_stop_signal : rec.status != RUN_OK;
	}
	result_free(&rec);
	result_free(&old);
	scenario_free(&sc);
	return rc;
}
