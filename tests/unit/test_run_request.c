// SPDX-License-Identifier: GPL-2.0-only
/* The run request (run_request.c) and options as data (opts.c): a request
 * with every field set survives serialise -> parse; every table entry is
 * carried; values are checked; short letters are unique. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compare.h"
#include "../../harness/cmd/cmd_options.c" /* cmd_decision_opts: the CLI side, not in libmemhp.a */
#include "opts.h"
#include "arch.h"
#include "run_request.h"
#include "runner.h"

static const char *const variants[] = {
	"a=deb:linux-image-6.1.*-cloud-amd64-unsigned cmdline=\"quiet memhp.x=1\"",
	"b=path:/tmp/it's/bzImage config=/tmp/frag.config",
};
static const char *const scenarios[] = { "/srv/one.ini", "two words.ini", "-dash.ini" };

/* Every field set, none to its default. */
static void fill(struct run_request *r)
{
	*r = (struct run_request){
		.matrix = "/srv/matrix.ini",
		.kernel = "path:/boot/vmlinuz",
		.repeats = 7,
		.only_repeat = 3,
		.cell = "4/12",
		.output = "out dir",
		.resume = "out dir",
		.jobs = 2,
		.pass = { .modules = "/lib/modules/6.1", .image = "path:/srv/disk.qcow2",
			  .accel = "tcg", .arch = "ppc64le", .qemu = "/opt/qemu/bin/qemu-system-x86_64",
			  .backend = "libvirt", .connect = "qemu+ssh://host/system",
			  .ignore_budget = true },
	};
	for (size_t i = 0; i < 2; i++)
		opt_list_add(&r->variants, variants[i]);
	for (size_t i = 0; i < 3; i++)
		opt_list_add(&r->scenarios, scenarios[i]);
}

static void same_str(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void same_list(const struct opt_list *a, const struct opt_list *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++)
		assert_string_equal(a->v[i], b->v[i]);
}

static void same(const struct run_request *a, const struct run_request *b)
{
	same_str(a->matrix, b->matrix);
	same_str(a->kernel, b->kernel);
	same_list(&a->variants, &b->variants);
	assert_int_equal(a->repeats, b->repeats);
	assert_int_equal(a->only_repeat, b->only_repeat);
	same_str(a->cell, b->cell);
	same_str(a->output, b->output);
	same_str(a->resume, b->resume);
	assert_int_equal(a->jobs, b->jobs);
	same_str(a->pass.modules, b->pass.modules);
	same_str(a->pass.image, b->pass.image);
	same_str(a->pass.accel, b->pass.accel);
	same_str(a->pass.qemu, b->pass.qemu);
	same_str(a->pass.arch, b->pass.arch);
	same_str(a->pass.backend, b->pass.backend);
	same_str(a->pass.connect, b->pass.connect);
	assert_int_equal(a->pass.ignore_budget, b->pass.ignore_budget);
	same_list(&a->scenarios, &b->scenarios);
}

static bool has_arg(const struct argv *a, const char *s)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->v[i], s))
			return true;
	return false;
}

static void test_round_trip(void **state)
{
	struct run_request r, back = { 0 };
	struct argv a = { 0 };
	struct err err;
	const struct opt *tables[] = { run_cell_opts, run_where_opts, run_pass_opts };

	(void)state;
	fill(&r);
	run_request_argv(&r, &a);
	assert_string_equal(a.v[0], "run");
	/* Every option of memhp run is carried: a new table entry that the
	 * request does not serialise fails here. */
	for (size_t t = 0; t < 3; t++)
		for (const struct opt *o = tables[t]; o->name; o++) {
			char name[64];

			snprintf(name, sizeof(name), "--%s", o->name);
			if (!has_arg(&a, name))
				fail_msg("the request does not carry %s", name);
		}
	assert_true(has_arg(&a, "--image"));
	if (run_request_parse(&back, (int)a.n, a.v, &err) != (int)a.n - 3)
		fail_msg("parse: %s", err.msg);
	same(&r, &back);
	run_request_free(&back);
	run_request_free(&r);
	argv_free(&a);
}

/* The part ab, bisect and plan pass on, into run options: --image too. */
static void test_pass_to_options(void **state)
{
	struct run_pass p = { .image = "debian", .accel = "kvm", .connect = "qemu:///system",
			      .modules = "/m", .qemu = "/q", .arch = "aarch64" };
	struct run_options o = { .accel = -1, .arch = -1 };
	struct err err;

	(void)state;
	assert_int_equal(run_request_options(&p, &o, &err), 0);
	assert_string_equal(o.image, "debian");
	assert_int_equal(o.accel, ACCEL_KVM);
	assert_ptr_equal(o.backend, &backend_libvirt); /* --connect implies it */
	assert_string_equal(o.connect, "qemu:///system");
	assert_string_equal(o.modules, "/m");
	assert_string_equal(o.qemu, "/q");
	assert_int_equal(o.arch, ARCH_AARCH64);
	p.arch = "ppc64el"; /* Debian's name for it */
	assert_int_equal(run_request_options(&p, &o, &err), 0);
	assert_int_equal(o.arch, ARCH_PPC64LE);
	p.arch = "mips";
	assert_int_equal(run_request_options(&p, &o, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "'mips' is not x86_64, ppc64le or aarch64"));
	p.arch = NULL;
	p.backend = "qmp";
	assert_int_equal(run_request_options(&p, &o, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "--connect needs --backend libvirt"));
}

static int parse(const char *const *args, struct run_request *r, struct err *err)
{
	char *v[16];
	int n = 0;

	for (; args[n]; n++)
		v[n] = (char *)args[n];
	v[n] = NULL;
	memset(r, 0, sizeof(*r));
	return run_request_parse(r, n, v, err);
}

static void test_values_checked(void **state)
{
	static const struct {
		const char *args[6];
		const char *msg;
	} bad[] = {
		{ { "run", "--accel", "warp", "x.ini" }, "--accel 'warp' is not auto, kvm or tcg" },
		{ { "run", "-b", "xen", "x.ini" }, "--backend 'xen' is not qmp or libvirt" },
		{ { "run", "--repeats", "0", "x.ini" }, "--repeats '0' is not a whole number from 1 to 1000" },
		{ { "run", "-r", "1001", "x.ini" }, "from 1 to 1000" },
		{ { "run", "--jobs", "-2", "x.ini" }, "--jobs '-2'" },
		{ { "run", "--image", "floppy", "x.ini" }, "--image 'floppy' is not initramfs" },
		{ { "run", "--variant", "bad name=deb:x", "x.ini" }, "" },
	};
	struct run_request r;
	struct err err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i].args, &r, &err), -EINVAL);
		if (!strstr(err.msg, bad[i].msg))
			fail_msg("%s %s: '%s', wanted '%s'", bad[i].args[1], bad[i].args[2], err.msg,
				 bad[i].msg);
		run_request_free(&r);
	}
	{
		const char *const args[] = { "run", "-h", NULL };

		assert_int_equal(parse(args, &r, &err), 0);
		run_request_free(&r);
	}
	{
		const char *const args[] = { "run", "x.ini", "-a", "kvm", "-b", "qmp", "-c", "qemu:///system",
					     "y.ini", NULL };

		/* Options after operands, short letters: as getopt permutes. */
		assert_int_equal(parse(args, &r, &err), 7);
		assert_string_equal(r.pass.accel, "kvm");
		assert_string_equal(r.pass.backend, "qmp");
		assert_string_equal(r.pass.connect, "qemu:///system");
		assert_int_equal(r.scenarios.n, 2);
		run_request_free(&r);
	}
}

/* Within memhp run's tables, a long name and a short letter once each. */
static void test_tables_unique(void **state)
{
	const struct opt *tables[] = { run_cell_opts, run_where_opts, run_pass_opts, opts_help };
	const char *by_letter[128] = { 0 };

	(void)state;
	for (size_t t = 0; t < 4; t++)
		for (const struct opt *o = tables[t]; o->name; o++) {
			for (size_t u = 0; u < 4; u++)
				for (const struct opt *p = tables[u]; p->name; p++)
					if (p != o && !strcmp(p->name, o->name))
						fail_msg("--%s twice", o->name);
			if (!o->short_name)
				continue;
			if (by_letter[o->short_name])
				fail_msg("-%c is --%s and --%s", o->short_name,
					 by_letter[o->short_name], o->name);
			by_letter[o->short_name] = o->name;
		}
}

/* The decision options memhp compare, ab and bisect share
 * (cmd_decision_opts, one table) fill the struct compare_opts their group
 * points at, wherever it sits in the command's own struct, and refuse what
 * is not a finite number in range. */
static void test_decision_opts(void **state)
{
	struct host {
		const char *before;
		struct compare_opts o;
	} h = { 0 };
	const struct opt_group g[] = { { cmd_decision_opts, &h.o, NULL, false } };
	char *argv[] = { "x", "--alpha", "0.01", "-e", "2.5", "--margin", "7", NULL };
	struct err err;

	(void)state;
	assert_true(opts_parse(g, 1, 7, argv, &err) > 0);
	assert_null(h.before);
	assert_true(h.o.alpha == 0.01);
	assert_true(h.o.min_effect_pct == 2.5);
	assert_true(h.o.margin_pct == 7);
	argv[2] = "nan";
	assert_true(opts_parse(g, 1, 3, argv, &err) < 0);
	assert_non_null(strstr(err.msg, "--alpha 'nan' is not a number from 1e-12 to 0.5"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_pass_to_options),
		cmocka_unit_test(test_values_checked),
		cmocka_unit_test(test_tables_unique),
		cmocka_unit_test(test_decision_opts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
