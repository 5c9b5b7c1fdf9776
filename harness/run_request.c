// SPDX-License-Identifier: GPL-2.0-only
/*
 * The run request (run_request.h): memhp run's option tables, and the one
 * parser and the one serialiser of "a memhp run".
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "backend.h"
#include "image.h"
#include "matrix.h"
#include "run_request.h"
#include "scenario.h"
#include "str.h"

#define R(field) offsetof(struct run_request, field)

static int check_variant(const char *val, struct err *err)
{
	struct variant v;

	return variant_parse(val, &v, err);
}

static int check_image(const char *val, struct err *err)
{
	enum image_kind kind;

	return image_kind_parse(val, &kind, err);
}

static int check_connect(const char *val, struct err *err)
{
	const struct backend_ops *be = backend_for_uri();

	return be->uri_check(val, err) ? err_wrap(err, -EINVAL, "--connect") : 0;
}

const struct opt run_cell_opts[] = {
	{ OPT("kernel", 'k', OPT_STRING, R(kernel), "SPEC",
	  "guest kernel (default " IMAGE_DEFAULT_KERNEL "):\n"
	  "deb:PACKAGE  Debian kernel package (a glob picks the newest)\n"
	  "path:BZIMAGE a kernel of your own\n"
	  "build:TREE[+SERIES] compiled from source with patches\n"
	  "             (memhp kernel build --help)") },
	{ OPT("variant", 'V', OPT_LIST, R(variants), "'NAME=SPEC [cmdline=ARGS] [config=FRAGMENT]'",
	  "a named kernel variant (SPEC as for --kernel); ARGS go\n"
	  "last on its kernel command line, FRAGMENT into a build:\n"
	  "kernel's configuration. Repeat it to compare kernels.\n"
	  "NAME: letters, digits, . _ + -"), .check = check_variant },
	{ OPT("matrix", 'm', OPT_STRING, R(matrix), "FILE",
	  "variants, scenarios and repeats from an INI file\n(docs/kernels.md)") },
	{ OPT("repeats", 'r', OPT_UINT, R(repeats), "N",
	  "override the scenarios' (and matrix's) repeats"), .max = 1000 },
	{ 0 },
};

const struct opt run_where_opts[] = {
	{ OPT("output", 'o', OPT_STRING, R(output), "DIR", "results directory (default: results)") },
	{ OPT("resume", 0, OPT_STRING, R(resume), "DIR",
	  "write to DIR (as -o) and keep the cells it has already:\n"
	  "one with an ok result for the same scenario text,\n"
	  "kernel, cmdline and repeat is not run again") },
	{ OPT("only-repeat", 0, OPT_UINT, R(only_repeat), "K",
	  "run only the K-th repeat of each scenario and variant\n"
	  "(one cell: what memhp plan --emit commands prints)"), .max = 1000 },
	{ OPT("cell", 0, OPT_STRING, R(cell), "I[/N]",
	  "run only cell I (from 0, in the order above; what a\n"
	  "Slurm array task of memhp plan --slurm runs). With /N,\n"
	  "refuse unless the matrix still has N cells") },
	{ OPT("jobs", 'j', OPT_UINT, R(jobs), "N",
	  "run up to N cells at once (default 1), never more than\n"
	  "the host's CPUs nor than its available memory holds"), .max = 1000 },
	{ 0 },
};

const struct opt run_pass_opts[] = {
	{ OPT("modules", 0, OPT_STRING, R(pass.modules), "DIR",
	  "with path:, its lib/modules/<release> directory") },
	{ OPT("image", 0, OPT_STRING, R(pass.image), "ROOT",
	  "the guest's root (docs/images.md): initramfs (default;\n"
	  "memhp's busybox), debian (Debian 12 with systemd,\n"
	  "built once), path:DISK (a qcow2 or raw disk of your\n"
	  "own with qemu-guest-agent; never written)"), .check = check_image },
	{ OPT("accel", 'a', OPT_STRING, R(pass.accel), "A",
	  "auto (default: KVM only with kvm_intel/kvm_amd; through\n"
	  "libvirt, where it offers kvm on a CPU with vmx/svm),\n"
	  "kvm, tcg"), .choices = "auto kvm tcg" },
	{ OPT("arch", 0, OPT_STRING, R(pass.arch), "ARCH",
	  "guest architecture, over the scenario's [machine] arch:\n"
	  "x86_64, ppc64le, aarch64 (docs/architectures.md)"),
	  .choices = "x86_64 ppc64le aarch64" },
	{ OPT("qemu", 0, OPT_STRING, R(pass.qemu), "BINARY",
	  "emulator (default: $MEMHP_QEMU, else\nqemu-system-x86_64; QMP backend)") },
	{ OPT("backend", 'b', OPT_STRING, R(pass.backend), "B",
	  "qmp (default: memhp starts QEMU and talks QMP) or\n"
	  "libvirt (a transient domain through libvirt's API)"), .choices = "qmp libvirt" },
	{ OPT("connect", 'c', OPT_STRING, R(pass.connect), "URI",
	  "libvirt host to run on (default " BACKEND_LIBVIRT_DEFAULT_URI ");\n"
	  "implies --backend libvirt. Guest images are uploaded\n"
	  "to its storage pool '" BACKEND_LIBVIRT_POOL "' once (docs/hosts.md)"), .check = check_connect },
	{ OPT("ignore-budget", 0, OPT_FLAG, R(pass.ignore_budget), NULL,
	  "run even when a scenario may touch more host memory\n"
	  "than is available (see docs/workloads.md)") },
	{ 0 },
};

static void run_groups(struct run_request *r, struct opt_group g[4])
{
	g[0] = (struct opt_group){ run_cell_opts, r, NULL, false };
	g[1] = (struct opt_group){ run_where_opts, r, NULL, false };
	g[2] = (struct opt_group){ run_pass_opts, r, NULL, false };
	g[3] = (struct opt_group){ opts_help, r, NULL, false };
}

int run_request_parse(struct run_request *r, int argc, char **argv, struct err *err)
{
	struct opt_group g[4];
	int rc;

	run_groups(r, g);
	rc = opts_parse(g, 4, argc, argv, err);
	for (int i = rc; rc > 0 && i < argc; i++)
		opt_list_add(&r->scenarios, argv[i]);
	return rc;
}

static const char *const argv_first[] = { "output", "resume", "repeats", "only-repeat",
					  "variant", "kernel" };
static const char *const argv_last[] = { "matrix", "cell", "jobs" };

static bool named_in(const char *name, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

/* The options of the cell and where tables named in names, in that order. */
static void argv_named(struct argv *a, const struct opt_group *g, const char *const *names,
		       size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t t = 0; t < 2; t++)
			for (const struct opt *o = g[t].opts; o->name; o++)
				if (!strcmp(o->name, names[i]))
					opts_argv_one(a, &g[t], o);
}

void run_request_argv(const struct run_request *r, struct argv *a)
{
	struct opt_group g[4];

	run_groups((struct run_request *)r, g);
	argv_add(a, "run");
	/* The order memhp plan has always printed: "run --resume DIR --repeats
	 * K --only-repeat K --variant V [how each cell runs] SCENARIO". */
	argv_named(a, g, argv_first, ARRAY_SIZE(argv_first));
	opts_argv(a, &g[2], 1);
	argv_named(a, g, argv_last, ARRAY_SIZE(argv_last));
	/* Anything not named above, so that nothing is ever left out. */
	for (size_t t = 0; t < 2; t++)
		for (const struct opt *o = g[t].opts; o->name; o++)
			if (!named_in(o->name, argv_first, ARRAY_SIZE(argv_first)) &&
			    !named_in(o->name, argv_last, ARRAY_SIZE(argv_last)))
				opts_argv_one(a, &g[t], o);
	/* An operand that looks like an option stays an operand. */
	for (size_t i = 0; i < r->scenarios.n; i++)
		if (*r->scenarios.v[i] == '-') {
			argv_add(a, "--");
			break;
		}
	for (size_t i = 0; i < r->scenarios.n; i++)
		argv_add(a, "%s", r->scenarios.v[i]);
}

int run_request_options(const struct run_pass *p, struct run_options *opt, struct err *err)
{
	const struct backend_ops *backend = NULL;

	if (p->backend) {
		backend = backend_by_name(p->backend);
		if (!backend)
			return err_fail(err, -EINVAL, "--backend '%s' is not qmp or libvirt",
					p->backend);
	}
	/* --connect is the backend's that runs guests on other hosts (libvirt);
	 * it implies it. */
	if (!backend)
		backend = p->connect ? backend_for_uri() : backend_by_name("qmp");
	if (!(backend->caps & BACKEND_CAP_URI) && p->connect)
		return err_fail(err, -EINVAL, "--connect needs --backend %s",
				backend_for_uri()->name);
	opt->backend = backend;
	opt->connect = p->connect;
	if (p->accel) {
		if (!strcmp(p->accel, "auto"))
			opt->accel = ACCEL_AUTO;
		else if (!strcmp(p->accel, "kvm"))
			opt->accel = ACCEL_KVM;
		else if (!strcmp(p->accel, "tcg"))
			opt->accel = ACCEL_TCG;
		else
			return err_fail(err, -EINVAL, "--accel '%s' is not auto, kvm or tcg",
					p->accel);
	}
	if (p->arch) {
		unsigned arch;

		if (arch_parse(p->arch, &arch, err))
			return err_wrap(err, -EINVAL, "--arch");
		opt->arch = (int)arch;
	}
	if (p->qemu)
		opt->qemu = p->qemu;
	if (p->modules)
		opt->modules = p->modules;
	if (p->image) {
		enum image_kind kind;

		if (image_kind_parse(p->image, &kind, err))
			return -EINVAL;
		opt->image = p->image;
	}
	return 0;
}

void run_request_free(struct run_request *r)
{
	opt_list_free(&r->variants);
	opt_list_free(&r->scenarios);
}
