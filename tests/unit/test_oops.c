// SPDX-License-Identifier: GPL-2.0-only
/*
 * A guest kernel's oops named from its console (harness/lib/oops.c), on a real
 * capture: tests/unit/data/serial-6.1-oops-valid_zones.log is the serial.log
 * of a nightly baseline run in a clean make check (Debian's
 * 6.1.0-57-cloud-amd64, QEMU 7.2, TCG, tests/integration/pinned-load.ini)
 * whose probe died reading valid_zones: memhp said only "memhp-probe exited
 * with status 137". Plus the other architectures' shapes and the cases that
 * must not match.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "oops.h"

#define SAMPLE "tests/unit/data/serial-6.1-oops-valid_zones.log"

static void test_real_capture(void **state)
{
	char head[256], sum[512];

	(void)state;
	assert_true(oops_find(SAMPLE, head, sizeof(head), sum, sizeof(sum)));
	assert_string_equal(head, "BUG: kernel NULL pointer dereference, address: 0000000000000090");
	assert_string_equal(sum, "BUG: kernel NULL pointer dereference, address: 0000000000000090"
				 " at zone_for_pfn_range+0x43/0x2c0 from valid_zones_show+0xa4/0x170");
}

static void test_none(void **state)
{
	char sum[128] = "untouched";

	(void)state;
	assert_false(oops_find("tests/unit/data/no-such-file.log", NULL, 0, sum, sizeof(sum)));
	assert_false(oops_find_text("[    0.000000] Linux version 6.1.0\n"
				    "[    4.4] Run /init as init process\n"
				    "memhp-init: BUG: not at the start of a kernel line\n",
				    NULL, 0, sum, sizeof(sum)));
	assert_string_equal(sum, "untouched");
}

static void test_other_shapes(void **state)
{
	char sum[512];

	(void)state;
	/* ppc64: NIP names the function after the address. */
	assert_true(oops_find_text("[   12.1] kernel BUG at mm/memory_hotplug.c:1234!\n"
				   "[   12.1] Oops: Exception in kernel mode, sig: 5 [#1]\n"
				   "[   12.1] NIP [c0000000004a1c2c] offline_pages+0x5c/0x7a0\n"
				   "[   12.1] Call Trace:\n"
				   "[   12.1] [c00000000f2b3a50] [c0000000004a1bd8] memory_subsys_offline+0x68/0xf0\n",
				   NULL, 0, sum, sizeof(sum)));
	assert_string_equal(sum, "kernel BUG at mm/memory_hotplug.c:1234! at offline_pages+0x5c/0x7a0"
				 " from memory_subsys_offline+0x68/0xf0");
	/* arm64: "pc : " and "Call trace:". */
	assert_true(oops_find_text("Unable to handle kernel NULL pointer dereference at virtual address 0000000000000090\n"
				   "pc : zone_for_pfn_range+0x30/0x1c0\n"
				   "Call trace:\n zone_for_pfn_range+0x30/0x1c0\n",
				   NULL, 0, sum, sizeof(sum)));
	assert_string_equal(sum, "Unable to handle kernel NULL pointer dereference at virtual address"
				 " 0000000000000090 at zone_for_pfn_range+0x30/0x1c0 from"
				 " zone_for_pfn_range+0x30/0x1c0");
	/* A panic with no trace: the headline alone. */
	assert_true(oops_find_text("[    1.0] Kernel panic - not syncing: VFS: Unable to mount root fs\n",
				   NULL, 0, sum, sizeof(sum)));
	assert_string_equal(sum, "Kernel panic - not syncing: VFS: Unable to mount root fs");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_capture),
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_other_shapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
