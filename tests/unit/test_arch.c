// SPDX-License-Identifier: GPL-2.0-only
/*
 * issue 24: the architecture dimension: names, the emulator and kernel an
 * architecture brings, what a scenario may ask of it, the guest's page size
 * and the unsupported outcome.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "arch.h"
#include "guest.h"
#include "image.h"
#include "result.h"
#include "runner.h"
#include "scenario.h"

#define MIB (1ULL << 20)

static void test_parse(void **state)
{
	unsigned a = 99;
	struct err err;

	(void)state;
	assert_int_equal(arch_parse("ppc64le", &a, &err), 0);
	assert_int_equal(a, ARCH_PPC64LE);
	assert_int_equal(arch_parse("arm64", &a, &err), 0); /* Debian's name */
	assert_int_equal(a, ARCH_AARCH64);
	assert_int_equal(arch_parse("x86_64", &a, &err), 0);
	assert_int_equal(a, ARCH_X86_64);
	assert_int_equal(arch_parse("ppc64", &a, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "'ppc64' is not x86_64, ppc64le or aarch64"));
	assert_string_equal(arch_get(ARCH_PPC64LE)->console, "hvc0");
	assert_string_equal(arch_get(ARCH_AARCH64)->console, "ttyAMA0");
	assert_int_equal(arch_get(ARCH_PPC64LE)->block_size, 256 * MIB);
}

static void test_qemu_and_kernel(void **state)
{
	char buf[256];

	(void)state;
	/* The default emulator becomes the architecture's, in the same place
	 * ($MEMHP_QEMU's QEMU 10 directory); another name is left alone. */
	assert_string_equal(arch_qemu(ARCH_PPC64LE, "qemu-system-x86_64", buf, sizeof(buf)),
			    "qemu-system-ppc64");
	assert_string_equal(arch_qemu(ARCH_AARCH64, "/q/10/usr/bin/qemu-system-x86_64", buf,
				      sizeof(buf)),
			    "/q/10/usr/bin/qemu-system-aarch64");
	assert_string_equal(arch_qemu(ARCH_X86_64, "qemu-system-x86_64", buf, sizeof(buf)),
			    "qemu-system-x86_64");
	assert_string_equal(arch_qemu(ARCH_PPC64LE, "/opt/my-qemu", buf, sizeof(buf)),
			    "/opt/my-qemu");
	/* The x86 default kernel becomes the architecture's; a named one stays. */
	assert_string_equal(arch_kernel(ARCH_PPC64LE, IMAGE_DEFAULT_KERNEL, IMAGE_DEFAULT_KERNEL),
			    "deb:linux-image-6.1.*-powerpc64le");
	assert_string_equal(arch_kernel(ARCH_X86_64, IMAGE_DEFAULT_KERNEL, IMAGE_DEFAULT_KERNEL),
			    IMAGE_DEFAULT_KERNEL);
	assert_string_equal(arch_kernel(ARCH_AARCH64, "path:/k", IMAGE_DEFAULT_KERNEL), "path:/k");
}

static int load(struct scenario *sc, const char *text, struct err *err)
{
	memset(sc, 0, sizeof(*sc));
	return scenario_load_string(sc, "t.ini", text, err);
}

static void test_scenario(void **state)
{
	struct scenario sc;
	struct err err;

	(void)state;
	assert_int_equal(load(&sc, "[machine]\narch = ppc64le\n[hotplug]\nmethod = dimm\n"
				   "total = 512M\ndimm_size = 256M\n", &err), 0);
	assert_int_equal(sc.arch, ARCH_PPC64LE);
	assert_string_equal(scenario_machine(&sc, sc.arch), "pseries");
	/* --arch over an x86 file: the same checks */
	assert_int_equal(scenario_check_arch(&sc, ARCH_AARCH64, &err), 0);
	scenario_free(&sc);

	/* a 128 MiB DIMM is half an LMB */
	assert_int_equal(load(&sc, "[machine]\narch = ppc64le\n[hotplug]\nmethod = dimm\n"
				   "total = 256M\ndimm_size = 128M\n", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "t.ini:6: [hotplug] dimm_size 128 MiB is not a multiple of "
					"ppc64le's 256 MiB memory block"));
	/* no virtio-mem-pci for pseries */
	assert_int_equal(load(&sc, "[machine]\narch = ppc64le\n", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "no virtio-mem-pci for ppc64le"));
	/* an x86 file run with --arch ppc64le is checked at run time */
	assert_int_equal(load(&sc, "[hotplug]\nmethod = virtio-mem\n", &err), 0);
	assert_string_equal(scenario_machine(&sc, ARCH_X86_64), "q35");
	assert_int_equal(scenario_check_arch(&sc, ARCH_PPC64LE, &err), -EINVAL);
	scenario_free(&sc);
	/* [machine] type set in the file wins */
	assert_int_equal(load(&sc, "[machine]\narch = aarch64\ntype = virt-7.2\n", &err), 0);
	assert_string_equal(scenario_machine(&sc, sc.arch), "virt-7.2");
	scenario_free(&sc);
	assert_int_equal(load(&sc, "[machine]\narch = sparc\n", &err), -EINVAL);
}

static void test_page_size(void **state)
{
	struct guest_snapshot s;
	struct err err;
	static const char head[] = "{\"probe_version\":1,\"block_size\":268435456,"
				   "\"release\":\"6.1.0-50-powerpc64le\",\"cmdline\":\"\",\"blocks\":[]";
	char json[512];

	(void)state;
	snprintf(json, sizeof(json), "%s,\"page_size\":65536}", head);
	assert_int_equal(guest_snapshot_parse(json, &s, &err), 0);
	assert_int_equal(s.page_size, 65536);
	guest_snapshot_free(&s);
	/* an older probe: x86's 4 KiB */
	snprintf(json, sizeof(json), "%s}", head);
	assert_int_equal(guest_snapshot_parse(json, &s, &err), 0);
	assert_int_equal(s.page_size, 4096);
	guest_snapshot_free(&s);
	snprintf(json, sizeof(json), "%s,\"page_size\":\"64K\"}", head);
	assert_int_not_equal(guest_snapshot_parse(json, &s, &err), 0);
	guest_snapshot_free(&s);
	snprintf(json, sizeof(json), "%s,\"page_size\":3000}", head);
	assert_int_not_equal(guest_snapshot_parse(json, &s, &err), 0);
	guest_snapshot_free(&s);
}

/* arm64's DIMM without ACPI memory hotplug: QEMU says DEVICE_DELETED at
 * once, yet no block ever appeared: unsupported, never removed. A DIMM whose
 * blocks were seen keeps its outcome. */
static void test_unsupported(void **state)
{
	struct run_record rec;
	struct device_record *d;
	struct block_record *b;

	(void)state;
	result_init(&rec);
	d = result_add_device(&rec);
	snprintf(d->id, sizeof(d->id), "dimm0");
	snprintf(d->kind, sizeof(d->kind), "dimm");
	d->addr = 0x40000000;
	d->plugged = 256 * MIB;
	d->outcome = OUTCOME_REMOVED;
	d = result_add_device(&rec);
	snprintf(d->id, sizeof(d->id), "dimm1");
	snprintf(d->kind, sizeof(d->kind), "dimm");
	d->addr = 0x50000000;
	d->plugged = 256 * MIB;
	d->outcome = OUTCOME_REMOVED;
	b = result_add_block(&rec);
	b->start = 0x50000000;
	runner_mark_unsupported(&rec);
	assert_int_equal(rec.devices[0].outcome, OUTCOME_UNSUPPORTED);
	assert_string_equal(result_outcome_name(rec.devices[0].outcome), "unsupported");
	assert_non_null(strstr(rec.devices[0].detail, "never added"));
	assert_int_equal(rec.devices[1].outcome, OUTCOME_REMOVED);
	result_free(&rec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_qemu_and_kernel),
		cmocka_unit_test(test_scenario),
		cmocka_unit_test(test_page_size),
		cmocka_unit_test(test_unsupported),
	};

	return cmocka_run_group_tests_name("architectures (issue 24)", tests, NULL, NULL);
}
