// SPDX-License-Identifier: GPL-2.0-only
/*
 * Issue 25's scenario keys and their pieces that need no guest: [machine]
 * nodes and the node of each device, auto_movable_numa_aware on the command
 * line, [hotplug] dimm_total (mixed devices), [run] cycles' measurements,
 * drift and reset, [faults]' probe arguments and the kernel log's count of
 * injections, [workload] zram and swap_file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "backend.h"
#include "cycles.h"
#include "faults.h"
#include "hotplug.h"
#include "result.h"
#include "scenario.h"

static int load(struct scenario *sc, const char *text, struct err *err)
{
	return scenario_load_string(sc, "t.ini", text, err);
}

static void test_nodes(void **state)
{
	struct scenario sc;
	struct err err;

	(void)state;
	assert_int_equal(load(&sc, "", &err), 0);
	assert_int_equal(sc.nodes, 1);
	scenario_free(&sc);
	assert_int_equal(load(&sc, "[machine]\nmemory = 1152M\nnodes = 3\n", &err), 0);
	assert_int_equal(sc.nodes, 3);
	scenario_free(&sc);
	/* 1G does not split into 3 nodes of 2 MiB multiples */
	assert_int_not_equal(load(&sc, "[machine]\nmemory = 1G\nnodes = 3\n", &err), 0);
	assert_non_null(strstr(err.msg, "nodes"));
	assert_int_not_equal(load(&sc, "[machine]\nnodes = 9\n", &err), 0);
	assert_int_not_equal(load(&sc, "[machine]\nnodes = 0\n", &err), 0);
	/* devices from node 1 on, wrapping; node 0 without NUMA */
	assert_int_equal(vm_device_node(1, 0), 0);
	assert_int_equal(vm_device_node(0, 5), 0);
	assert_int_equal(vm_device_node(3, 0), 1);
	assert_int_equal(vm_device_node(3, 1), 2);
	assert_int_equal(vm_device_node(3, 2), 1);
	assert_int_equal(vm_device_node(2, 7), 1);
}

static void test_numa_aware(void **state)
{
	struct scenario sc;
	struct err err;
	char cmd[512];

	(void)state;
	assert_int_equal(load(&sc, "[online]\npolicy = auto-movable\n", &err), 0);
	scenario_policy_cmdline(&sc, cmd, sizeof(cmd));
	assert_null(strstr(cmd, "numa_aware"));
	scenario_free(&sc);
	assert_int_equal(load(&sc, "[online]\npolicy = auto-movable\nauto_movable_numa_aware = off\n",
			      &err), 0);
	scenario_policy_cmdline(&sc, cmd, sizeof(cmd));
	assert_non_null(strstr(cmd, " memory_hotplug.auto_movable_numa_aware=0"));
	scenario_free(&sc);
	assert_int_equal(load(&sc, "[online]\npolicy = auto-movable\nauto_movable_numa_aware = on\n",
			      &err), 0);
	scenario_policy_cmdline(&sc, cmd, sizeof(cmd));
	assert_non_null(strstr(cmd, " memory_hotplug.auto_movable_numa_aware=1"));
	scenario_free(&sc);
	/* only auto-movable reads it */
	assert_int_equal(load(&sc, "[online]\nauto_movable_numa_aware = on\n", &err), 0);
	scenario_policy_cmdline(&sc, cmd, sizeof(cmd));
	assert_null(strstr(cmd, "numa_aware"));
	scenario_free(&sc);
}

static void test_mixed(void **state)
{
	struct scenario sc;
	struct err err;

	(void)state;
	assert_int_equal(load(&sc, "[hotplug]\nmethod = virtio-mem\ntotal = 512M\n"
				   "dimm_total = 512M\ndimm_size = 256M\n", &err), 0);
	assert_int_equal(scenario_dimm_count(&sc), 2);
	assert_int_equal(scenario_slots(&sc), 2);
	assert_int_equal(scenario_maxmem(&sc), (1ULL << 30) + (1ULL << 30));
	assert_ptr_equal(hotplug_for_scenario(&sc), &hotplug_mixed);
	scenario_free(&sc);
	assert_int_equal(load(&sc, "[hotplug]\nmethod = virtio-mem\n", &err), 0);
	assert_ptr_equal(hotplug_for_scenario(&sc), &hotplug_virtio_mem);
	assert_int_equal(scenario_dimm_count(&sc), 0);
	scenario_free(&sc);
	assert_int_not_equal(load(&sc, "[hotplug]\nmethod = virtio-mem\ndimm_total = 384M\n"
				       "dimm_size = 256M\n", &err), 0);
	assert_non_null(strstr(err.msg, "dimm_total"));
	assert_int_not_equal(load(&sc, "[hotplug]\nmethod = dimm\ntotal = 512M\ndimm_total = 256M\n",
				  &err), 0);
	assert_non_null(strstr(err.msg, "virtio-mem"));
}

static json_object *snapshot(unsigned blocks, long long mem_total_kb, long long slab_kb,
			     long long memmap)
{
	json_object *s = json_object_new_object(), *b = json_object_new_array(),
		    *mi = json_object_new_object(), *vm = json_object_new_object();

	for (unsigned i = 0; i < blocks; i++)
		json_object_array_add(b, json_object_new_object());
	json_object_object_add(s, "blocks", b);
	json_object_object_add(mi, "MemTotal", json_object_new_int64(mem_total_kb));
	json_object_object_add(mi, "Slab", json_object_new_int64(slab_kb));
	json_object_object_add(s, "meminfo", mi);
	json_object_object_add(vm, "nr_memmap_pages", memmap < 0 ? NULL :
				   json_object_new_int64(memmap));
	json_object_object_add(s, "vmstat", vm);
	return s;
}

static int64_t get(json_object *o, const char *a, const char *b)
{
	json_object *x, *y;

	assert_true(json_object_object_get_ex(o, a, &x));
	assert_true(json_object_object_get_ex(x, b, &y));
	assert_non_null(y);
	return json_object_get_int64(y);
}

static void test_cycles(void **state)
{
	struct run_record rec;
	json_object *s1 = snapshot(8, 1000, 100, -1), *s2 = snapshot(9, 1000, 104, -1), *c, *d, *v;
	struct device_record *dev;

	(void)state;
	result_init(&rec);
	dev = result_add_device(&rec);
	dev->remaining = 0;
	result_add_block(&rec)->why = json_object_new_object();
	rec.count.hotplugged = 4;
	rec.count.removed = 4;
	rec.phase_ms[PHASE_UNPLUG] = 1234;
	assert_true(cycles_all_removed(&rec));
	cycles_note(&rec, 1, cycles_measure(s1), cycles_measure(s2));
	assert_true(json_object_object_get_ex(rec.cycles, "per_cycle", &v));
	assert_int_equal(json_object_array_length(v), 1);
	c = json_object_array_get_idx(v, 0);
	assert_true(json_object_object_get_ex(rec.cycles, "done", &v));
	assert_int_equal(json_object_get_int(v), 1);
	assert_true(json_object_object_get_ex(rec.cycles, "per_cycle", &v));
	assert_int_equal(get(c, "drift", "memory_blocks"), 1); /* a leaked block shows */
	assert_int_equal(get(c, "drift", "mem_total"), 0);
	assert_int_equal(get(c, "drift", "slab"), 4 * 1024);
	assert_int_equal(get(c, "before", "mem_total"), 1000 * 1024);
	assert_true(json_object_object_get_ex(c, "drift", &d));
	assert_true(json_object_object_get_ex(d, "nr_memmap_pages", &v));
	assert_null(v); /* not on this kernel: null, not 0 */
	assert_true(json_object_object_get_ex(c, "unplug_ms", &v));
	assert_int_equal(json_object_get_int64(v), 1234);
	dev->remaining = 1 << 27;
	assert_false(cycles_all_removed(&rec));
	cycles_reset(&rec);
	assert_int_equal(rec.nblocks, 0);
	assert_int_equal(rec.ndevices, 0);
	assert_int_equal(rec.count.hotplugged, 0);
	assert_false(cycles_all_removed(&rec)); /* no device: nothing to cycle */
	assert_non_null(rec.cycles);            /* kept */
	json_object_put(s1);
	json_object_put(s2);
	result_free(&rec);
}

static void test_cycles_key(void **state)
{
	struct scenario sc;
	struct err err;

	(void)state;
	assert_int_equal(load(&sc, "", &err), 0);
	assert_int_equal(sc.cycles, 1);
	scenario_free(&sc);
	assert_int_equal(load(&sc, "[run]\ncycles = 3\n", &err), 0);
	assert_int_equal(sc.cycles, 3);
	scenario_free(&sc);
	assert_int_not_equal(load(&sc, "[run]\ncycles = 0\n", &err), 0);
}

static void test_faults(void **state)
{
	struct scenario sc;
	struct err err;
	const char *argv[16];
	char bufs[6][24];
	size_t n;
	char *kmsg[] = { "Injecting error (-16) to MEM_GOING_OFFLINE", "memory memory34: Offline failed.",
			 "FAULT_INJECTION: forcing a failure.", "Injecting error (-16) to MEM_GOING_OFFLINE" };
	json_object *rec = json_object_new_object(), *v;

	(void)state;
	assert_int_equal(load(&sc, "", &err), 0);
	assert_false(faults_wanted(&sc, "plug"));
	assert_false(faults_wanted(&sc, "unplug"));
	scenario_free(&sc);
	assert_int_equal(load(&sc, "[faults]\ngoing_offline = 16\n", &err), 0);
	assert_false(faults_wanted(&sc, "plug"));
	assert_true(faults_wanted(&sc, "unplug"));
	n = faults_argv(&sc, "unplug", argv, bufs);
	assert_int_equal(n, 4);
	assert_string_equal(argv[2], "--going-offline");
	assert_string_equal(argv[3], "16");
	assert_null(argv[4]);
	scenario_free(&sc);
	/* failslab and fail_page_alloc fail memhp-probe's task only: dax-kmem's */
	assert_int_not_equal(load(&sc, "[faults]\nfailslab = 5\n", &err), 0);
	assert_non_null(strstr(err.msg, "method = dax-kmem"));
	assert_non_null(strstr(err.msg, "failslab"));
	assert_int_not_equal(load(&sc, "[hotplug]\nmethod = dimm\n[faults]\nfail_page_alloc = 5\n",
				  &err), 0);
	assert_non_null(strstr(err.msg, "fail_page_alloc"));
	assert_int_equal(load(&sc, "[hotplug]\nmethod = dimm\n[faults]\ngoing_online = 12\n", &err),
			 0);
	assert_true(faults_may_fail_online(&sc));
	scenario_free(&sc);
	assert_int_equal(load(&sc, "[machine]\nmemory = 1G\n[hotplug]\nmethod = dax-kmem\n"
			      "total = 512M\n[faults]\ngoing_online = 12\nfailslab = 5\ntimes = 7\n",
			      &err), 0);
	assert_true(faults_may_fail_online(&sc));
	assert_true(faults_wanted(&sc, "plug"));
	assert_true(faults_wanted(&sc, "unplug")); /* failslab: both phases */
	n = faults_argv(&sc, "plug", argv, bufs);
	assert_int_equal(n, 8);
	assert_string_equal(argv[2], "--going-online");
	assert_string_equal(argv[4], "--failslab");
	assert_string_equal(argv[5], "5");
	assert_string_equal(argv[6], "--times");
	assert_string_equal(argv[7], "7");
	n = faults_argv(&sc, "unplug", argv, bufs);
	assert_int_equal(n, 6); /* no notifier for offline */
	scenario_free(&sc);
	/* alloc_in = unplug: the hot-add is left alone, the removal is failed */
	assert_int_equal(load(&sc, "[machine]\nmemory = 1G\n[hotplug]\nmethod = dax-kmem\n"
			      "total = 512M\n[faults]\nfail_page_alloc = 2\nalloc_in = unplug\n",
			      &err), 0);
	assert_false(faults_wanted(&sc, "plug"));
	assert_false(faults_alloc_in(&sc, "plug"));
	assert_false(faults_may_fail_online(&sc));
	assert_true(faults_alloc_in(&sc, "unplug"));
	n = faults_argv(&sc, "unplug", argv, bufs);
	assert_int_equal(n, 6);
	assert_string_equal(argv[2], "--fail-page-alloc");
	assert_string_equal(argv[3], "2");
	assert_string_equal(argv[4], "--times");
	scenario_free(&sc);
	/* alloc_in = plug with a notifier for offline: only the notifier then */
	assert_int_equal(load(&sc, "[machine]\nmemory = 1G\n[hotplug]\nmethod = dax-kmem\n"
			      "total = 512M\n[faults]\ngoing_offline = 16\nfailslab = 5\n"
			      "alloc_in = plug\n", &err), 0);
	assert_true(faults_may_fail_online(&sc));
	n = faults_argv(&sc, "unplug", argv, bufs);
	assert_int_equal(n, 4);
	assert_string_equal(argv[2], "--going-offline");
	n = faults_argv(&sc, "plug", argv, bufs);
	assert_int_equal(n, 6);
	assert_string_equal(argv[2], "--failslab");
	scenario_free(&sc);
	/* alloc_in alone arms nothing: refused, by name */
	assert_int_not_equal(load(&sc, "[hotplug]\nmethod = dax-kmem\n[faults]\nalloc_in = unplug\n",
				  &err), 0);
	assert_non_null(strstr(err.msg, "alloc_in"));
	assert_int_not_equal(load(&sc, "[faults]\nalloc_in = removal\n", &err), 0);
	assert_non_null(strstr(err.msg, "removal"));
	assert_int_not_equal(load(&sc, "[faults]\nfailslab = 101\n", &err), 0);
	faults_count_kmsg(rec, kmsg, 4);
	assert_true(json_object_object_get_ex(rec, "notifier_injected", &v));
	assert_int_equal(json_object_get_int64(v), 2);
	assert_true(json_object_object_get_ex(rec, "forced_failures", &v));
	assert_int_equal(json_object_get_int64(v), 1);
	faults_count_kmsg(NULL, kmsg, 4); /* no [faults]: nothing */
	json_object_put(rec);
}

static void test_swap_keys(void **state)
{
	struct scenario sc;
	struct err err;

	(void)state;
	assert_int_equal(load(&sc, "", &err), 0);
	assert_int_equal(sc.zram, 0);
	assert_int_equal(sc.swap_file, 0);
	scenario_free(&sc);
	assert_int_equal(load(&sc, "[workload]\nmix = swapped:100\nzram = 256M\nswap_file = 1G\n", &err),
			 0);
	assert_int_equal(sc.zram, 256ULL << 20);
	assert_int_equal(sc.swap_file, 1ULL << 30);
	scenario_free(&sc);
	assert_int_not_equal(load(&sc, "[workload]\nzram = lots\n", &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nodes),
		cmocka_unit_test(test_numa_aware),
		cmocka_unit_test(test_mixed),
		cmocka_unit_test(test_cycles),
		cmocka_unit_test(test_cycles_key),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_swap_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
