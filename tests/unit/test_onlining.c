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
#include "result.h"
#include "scenario.h"

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

/* What the scenario asked against what the guest booted with: 6.1 ignores
 * memmap_on_memory=force (N), a kernel without auto-movable keeps
 * contig-zones; a file the kernel lacks is the setting's off value. */
static void test_not_as_asked(void **state)
{
	struct scenario sc;
	struct err err;
	json_object *onl = onlining_new(NULL), *diff, *e, *asked;
	json_object *snap = json_tokener_parse(
		"{\"onlining\": {\"auto_online_blocks\": \"online\", \"online_policy\": "
		"\"contig-zones\", \"auto_movable_ratio\": \"301\", \"memmap_on_memory\": \"N\", "
		"\"hugetlb_optimize_vmemmap\": null, \"vmstat\": {\"nr_memmap_pages\": null, "
		"\"nr_memmap_boot_pages\": null}}}");
	char text[256];

	(void)state;
	if (scenario_load_string(&sc, "t.ini", "[hotplug]\nmethod = dimm\ntotal = 1G\n"
				 "dimm_size = 256M\n[online]\npolicy = auto-movable\n"
				 "auto_movable_ratio = 50\nmemmap_on_memory = force\n", &err))
		fail_msg("%s", err.msg);
	onlining_note_asked(onl, &sc);
	asked = at(onl, "asked");
	assert_string_equal(json_object_get_string(at(asked, "auto_online_blocks")), "online");
	assert_string_equal(json_object_get_string(at(asked, "memmap_on_memory")), "force");
	assert_int_equal(json_object_get_uint64(at(asked, "auto_movable_ratio")), 50);
	assert_false(json_object_object_get_ex(asked, "hugetlb_optimize_vmemmap", NULL));
	assert_false(onlining_not_as_asked_text(onl, text, sizeof(text)));
	onlining_note_snapshot(onl, "boot", snap);
	diff = at(onl, "not_as_asked");
	assert_int_equal(json_object_array_length(diff), 3);
	e = json_object_array_get_idx(diff, 0);
	assert_string_equal(json_object_get_string(at(e, "setting")), "online_policy");
	assert_string_equal(json_object_get_string(at(e, "asked")), "auto-movable");
	assert_string_equal(json_object_get_string(at(e, "guest")), "contig-zones");
	e = json_object_array_get_idx(diff, 1);
	assert_string_equal(json_object_get_string(at(e, "setting")), "auto_movable_ratio");
	assert_int_equal(json_object_get_uint64(at(e, "guest")), 301);
	assert_true(onlining_not_as_asked_text(onl, text, sizeof(text)));
	assert_string_equal(text, "online_policy is contig-zones, not auto-movable; "
			    "auto_movable_ratio is 301, not 50; memmap_on_memory is N, not force");
	scenario_free(&sc);
	json_object_put(onl);

	/* Asked off, and the kernel lacks the file: as asked. */
	if (scenario_load_string(&sc, "t.ini", "[hotplug]\nmethod = dimm\ntotal = 1G\n"
				 "dimm_size = 256M\n[online]\npolicy = online_movable\n"
				 "hvo = off\n", &err))
		fail_msg("%s", err.msg);
	onl = onlining_new(NULL);
	onlining_note_asked(onl, &sc);
	json_object_object_add(at(snap, "onlining"), "auto_online_blocks",
			       json_object_new_string("online_movable"));
	json_object_object_add(at(snap, "onlining"), "memmap_on_memory", NULL);
	onlining_note_snapshot(onl, "boot", snap);
	assert_int_equal(json_object_array_length(at(onl, "not_as_asked")), 0);
	assert_false(onlining_not_as_asked_text(onl, text, sizeof(text)));
	assert_string_equal(text, "");
	scenario_free(&sc);
	json_object_put(onl);
	json_object_put(snap);
}

/* Per phase, the zones' present and managed pages: memmap_on_memory's
 * memmap inside the hot-added memory is present but never managed. */
static void test_zone_sums(void **state)
{
	json_object *onl = onlining_new(NULL), *p;
	json_object *snap = json_tokener_parse(
		"{\"onlining\": {\"auto_online_blocks\": \"online_movable\", \"vmstat\": "
		"{\"nr_memmap_pages\": 0, \"nr_memmap_boot_pages\": 4096}}, \"zones\": ["
		"{\"zone\": \"DMA32\", \"free_pages\": 100, \"present_pages\": 1000, "
		"\"managed_pages\": 900}, {\"zone\": \"Movable\", \"free_pages\": 7, "
		"\"present_pages\": 32768, \"managed_pages\": 32256}, {\"zone\": \"Device\", "
		"\"free_pages\": 5, \"present_pages\": 5, \"managed_pages\": 5}]}");

	(void)state;
	onlining_note_snapshot(onl, "online", snap);
	p = at(at(onl, "memmap_pages"), "online");
	assert_int_equal(json_object_get_uint64(at(p, "nr_memmap_boot_pages")), 4096);
	assert_int_equal(json_object_get_uint64(at(p, "present_pages")), 33768);
	assert_int_equal(json_object_get_uint64(at(p, "managed_pages")), 33156);
	assert_int_equal(json_object_get_uint64(at(p, "kernel_zones_free_pages")), 100);
	json_object_put(onl);
	json_object_put(snap);
}

/* Where the blocks went, said plainly, with and without a zone asked. */
static void test_zone_text(void **state)
{
	static const char *const zones[] = { "Movable", "Normal", "Movable", "Normal",
					     "Movable", "", "Movable", "Movable" };
	struct run_record r;
	json_object *onl = onlining_new(NULL), *z;
	char text[256];

	(void)state;
	result_init(&r);
	assert_false(onlining_zone_text(&r, text, sizeof(text)));
	assert_string_equal(text, "");
	snprintf(r.policy, sizeof(r.policy), "online_movable");
	snprintf(r.expected_zone, sizeof(r.expected_zone), "Movable");
	for (unsigned i = 0; i < 8; i++)
		snprintf(result_add_block(&r)->zone, sizeof(r.blocks[0].zone), "%s", zones[i]);
	assert_true(onlining_zone_text(&r, text, sizeof(text)));
	assert_string_equal(text, "3 of 8 hot-added blocks onlined to Normal (2), none (1), "
			    "not to Movable as online_movable asked");
	onlining_note_zones(onl, &r);
	z = at(onl, "zones_onlined");
	assert_int_equal(json_object_get_uint64(at(z, "Movable")), 5);
	assert_int_equal(json_object_get_uint64(at(z, "Normal")), 2);
	assert_int_equal(json_object_get_uint64(at(z, "none")), 1);
	/* A short buffer is cut, not overrun. */
	assert_true(onlining_zone_text(&r, text, 12));
	assert_string_equal(text, "3 of 8 hot-");
	snprintf(r.blocks[1].zone, sizeof(r.blocks[1].zone), "Movable");
	snprintf(r.blocks[3].zone, sizeof(r.blocks[3].zone), "Movable");
	snprintf(r.blocks[5].zone, sizeof(r.blocks[5].zone), "Movable");
	assert_false(onlining_zone_text(&r, text, sizeof(text)));
	assert_string_equal(text, "all 8 hot-added blocks onlined to Movable (8), as "
			    "online_movable asked");
	/* auto-movable asks for no zone: the kernel's choice, counted. */
	snprintf(r.policy, sizeof(r.policy), "auto-movable");
	r.expected_zone[0] = '\0';
	snprintf(r.blocks[7].zone, sizeof(r.blocks[7].zone), "Normal");
	assert_false(onlining_zone_text(&r, text, sizeof(text)));
	assert_string_equal(text, "8 hot-added blocks onlined to Movable (7), Normal (1): "
			    "auto-movable leaves the zone to the kernel");
	result_free(&r);
	json_object_put(onl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_virtio_mem_modes),
		cmocka_unit_test(test_snapshots),
		cmocka_unit_test(test_unknown_config),
		cmocka_unit_test(test_not_as_asked),
		cmocka_unit_test(test_zone_sums),
		cmocka_unit_test(test_zone_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
