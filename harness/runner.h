/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_RUNNER_H
#define MEMHP_RUNNER_H

#include <stdbool.h>

#include "backend.h"
#include "image.h"
#include "result.h"
#include "scenario.h"

struct run_options {
	const struct backend_ops *backend; /* drives the VM (a fake one in tests) */
	const char *variant; /* the kernel variant's name, for reports */
	const char *variant_cmdline; /* appended to the kernel command line, or NULL */
	const char *variant_config;  /* build: kernels: an extra Kconfig fragment, or NULL */
	const char *kernel;  /* deb:PKG or path:BZIMAGE */
	const char *modules; /* with path:, the kernel's modules directory */
	const char *image;   /* the guest's root: initramfs (NULL too), debian, path:DISK */
	int accel;           /* enum accel_choice, or -1 for the scenario's */
	int arch;            /* enum arch (arch.h), or -1 for the scenario's */
	const char *qemu;    /* emulator binary */
	const char *connect; /* libvirt backend: the host's URI, or NULL for the default */
	const char *outdir;  /* this run's directory; result.json goes here */
	unsigned repeat;     /* 1-based */
	bool progress_tty;   /* redraw one status line instead of printing lines */
	/* Called with the guest up and the hot-added memory online, just before
	 * unplug: where a workload runs. May be NULL; an error fails the run. */
	int (*before_unplug)(void *arg, struct vm *vm, struct err *err);
	void *before_unplug_arg;
};

/*
 * What a run takes from the world besides its options' backend: the guest
 * image and the clock. runner_env_real is the real one; the unit tests
 * (tests/unit/test_runner.c) give fakes, with a backend of their own, so
 * that a run's phases take milliseconds.
 */
struct runner_env {
	/* image_resolve_arch and image_resolve_disk (image.h). */
	int (*image)(const char *spec, const char *modules, const char *config, const char *arch,
		     struct image *img, struct err *err);
	int (*disk)(const char *spec, const struct image *img, const char *modules,
		    struct disk_image *disk, struct err *err);
	/* now_ms and sleep_ms (clock.h): phase times, waits and deadlines. */
	int64_t (*now_ms)(void);
	void (*sleep_ms)(int64_t ms);
};

extern const struct runner_env runner_env_real;

/*
 * One run: image, boot, plug, online, unplug, settle, count. Whatever
 * happens, rec describes it and outdir/result.json holds it when this
 * returns (status ok, failed with reason, or interrupted); the guest is
 * stopped. Returns 0 when the result could be written, else -errno.
 */
int runner_run(const struct scenario *sc, const struct run_options *opt,
	       const struct runner_env *env, struct run_record *rec, struct err *err);

/* issue 24: every DIMM of rec that the guest never added (no block of its
 * range in rec->blocks) and that was asked to go gets outcome unsupported,
 * never removed. */
void runner_mark_unsupported(struct run_record *rec);

/* The emulator when --qemu is not given: $MEMHP_QEMU (for example
 * guest-image/fetch-qemu's QEMU 10), else qemu-system-x86_64 on PATH. */
const char *runner_default_qemu(void);

#endif
