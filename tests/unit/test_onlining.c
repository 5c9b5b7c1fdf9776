// SPDX-License-Identifier: GPL-2.0-only
/* The result's "onlining": the probe's settings, the memmap counters per
 * phase, and virtio_mem's mode from its own log lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "onlining.h"

static json_object *at(json_object *o, const char *k)
{
	json_object *v = NULL;

	assert_true(json_object_object_get_ex(o, k, &v));
	return v;
}

/* Linux 7.2's lines in SBM, 6.1's layout is the same. */
static void test_virtio_mem_modes(void **state)
{
	json_object *onl = onlining_new(NULL), *arr, *e;

	(void)state;
	onlining_note_kmsg(onl, "virtio_mem virtio1: start address: 0x100000000");
	onlining_note_kmsg(onl, "virtio_mem virtio1: device block size: 0x200000");
	onlining_note_kmsg(onl, "virtio_mem virtio1: memory block size: 0x8000000");
	onlining_note_kmsg(onl, "virtio_mem virtio1: subblock size: 0x200000");
	onlining_note_kmsg(onl, "virtio_mem virtio2: big block size: 0x10000000");
	onlining_note_kmsg(onl, "virtio_mem virtio3: plugged size: 0x0");
	onlining_note_kmsg(onl, "Offlined Pages 32768");
	onlining_note_kmsg(onl, "virtio_mem virtio4: subblock size: 0xzz");
	arr = at(onl, "virtio_mem");
	assert_int_equal(json_object_array_length(arr), 2);
	e = json_object_array_get_idx(arr, 0);
	assert_string_equal(json_object_get_string(at(e, "device")), "virtio1");
	assert_string_equal(json_object_get_string(at(e, "mode")), "SBM");
	assert_int_equal(json_object_get_uint64(at(e, "subblock_size")), 0x200000);
	assert_int_equal(json_object_get_uint64(at(e, "memory_block_size")), 0x8000000);
	assert_int_equal(json_object_get_uint64(at(e, "device_block_size")), 0x200000);
	e = json_object_array_get_idx(arr, 1);
	assert_string_equal(json_object_get_string(at(e, "mode")), "BBM");
	assert_int_equal(json_object_get_uint64(at(e, "big_block_size")), 0x10000000);
	json_object_put(onl);
}

static void test_snapshots(void **state)
{
	json_object *kconfig = json_tokener_parse(
		"{\"default_online_type\": \"online\", \"memmap_on_memory\": true}");
	json_object *onl = onlining_new(kconfig), *pages;
	json_object *boot = json_tokener_parse(
		"{\"onlining\": {\"auto_online_blocks\": \"online_movable\", \"online_policy\": "
		"\"contig-zones\", \"auto_movable_ratio\": \"301\", \"memmap_on_memory\": \"force\", "
		"\"hugetlb_optimize_vmemmap\": null, \"vmstat\": {\"nr_memmap_pages\": 0, "
		"\"nr_memmap_boot_pages\": 4096}}}");
	json_object *later = json_tokener_parse(
		"{\"onlining\": {\"auto_online_blocks\": \"offline\", \"online_policy\": "
		"\"auto-movable\", \"vmstat\": {\"nr_memmap_pages\": 4096, "
		"\"nr_memmap_boot_pages\": 4096}}}");
	json_object *old = json_tokener_parse("{\"blocks\": []}");

	(void)state;
	assert_string_equal(json_object_get_string(at(onl, "kernel_default_online_type")), "online");
	assert_true(json_object_get_boolean(at(onl, "kernel_memmap_on_memory")));
	onlining_note_snapshot(onl, "boot", boot);
	onlining_note_snapshot(onl, "online", later);
	onlining_note_snapshot(onl, "settle", old); /* an older probe: nothing */
	/* The settings are the boot's; the counters are every phase's. */
	assert_string_equal(json_object_get_string(at(onl, "auto_online_blocks")), "online_movable");
	assert_string_equal(json_object_get_string(at(onl, "online_policy")), "contig-zones");
	assert_string_equal(json_object_get_string(at(onl, "memmap_on_memory")), "force");
	assert_int_equal(json_object_get_uint64(at(onl, "auto_movable_ratio")), 301);
	assert_null(at(onl, "hugetlb_optimize_vmemmap"));
	assert_null(at(onl, "auto_movable_numa_aware"));
	pages = at(onl, "memmap_pages");
	assert_int_equal(json_object_get_uint64(at(at(pages, "boot"), "nr_memmap_pages")), 0);
	assert_int_equal(json_object_get_uint64(at(at(pages, "online"), "nr_memmap_pages")), 4096);
	assert_false(json_object_object_get_ex(pages, "settle", NULL));
	json_object_put(onl);
	json_object_put(kconfig);
	json_object_put(boot);
	json_object_put(later);
	json_object_put(old);
}

static void test_unknown_config(void **state)
{
	json_object *not_obj = json_object_new_string("x");
	json_object *onl = onlining_new(not_obj);

	(void)state;
	assert_null(at(onl, "kernel_default_online_type"));
	assert_null(at(onl, "kernel_memmap_on_memory"));
	onlining_note_snapshot(NULL, "boot", NULL);
	onlining_note_kmsg(NULL, "virtio_mem virtio1: subblock size: 0x200000");
	json_object_put(onl);
	json_object_put(not_obj);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_virtio_mem_modes),
		cmocka_unit_test(test_snapshots),
		cmocka_unit_test(test_unknown_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
