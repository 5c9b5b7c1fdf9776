// SPDX-License-Identifier: GPL-2.0-only
/* Result JSON: round trip, atomic write, and what a bad file gets. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include <cmocka.h>

#include "result.h"

static void fill(struct run_record *r)
{
	struct event_record ev = { .t_ms = 4479, .name = "ACPI_DEVICE_OST", .device = "dimm1",
				   .source = 3, .status = 0x82 };
	struct device_record *d;
	struct block_record *b;

	result_init(r);
	strcpy(r->run_id, "quick-dimm-20261123-120000-r2");
	r->repeat = 2;
	strcpy(r->started, "2026-11-23T12:00:00Z");
	strcpy(r->scenario_name, "quick-dimm");
	strcpy(r->scenario_path, "scenarios/quick-dimm.ini");
	strcpy(r->scenario_sha256, "ab12");
	r->scenario_text = strdup("[hotplug]\nmethod = dimm\n; \"quoted\" \\ text\n");
	strcpy(r->method, "dimm");
	strcpy(r->policy, "online_kernel");
	strcpy(r->kernel_spec, "deb:linux-image-6.1.*-cloud-amd64-unsigned");
	strcpy(r->kernel_release, "6.1.0-56-cloud-amd64");
	strcpy(r->image_key, "1560cba133e89590");
	r->cmdline = strdup("console=ttyS0 memhp_default_state=online_kernel");
	strcpy(r->backend, "qmp");
	strcpy(r->accel, "tcg");
	strcpy(r->accel_reason, "auto: no /dev/kvm");
	strcpy(r->vmm_version, "7.2.22");
	strcpy(r->host, "box");
	strcpy(r->host_kernel, "6.18");
	r->host_cpus = 2;
	r->status = RUN_FAILED;
	strcpy(r->reason, "QEMU killed by signal 9 (Killed)");
	strcpy(r->failed_phase, "unplug");
	r->phase_ms[PHASE_IMAGE] = 12;
	r->phase_ms[PHASE_BOOT] = 4321;
	r->phase_ms[PHASE_PLUG] = 0;
	r->wall_ms = 9876;
	r->cpu_ms = 321;
	r->count.block_size = 128ULL << 20;
	r->count.hotplugged = 4;
	r->count.removed = 2;
	r->count.online_normal = 2;
	r->count.bytes_plugged = 512ULL << 20;
	r->count.bytes_remaining = 256ULL << 20;
	strcpy(r->expected_zone, "Normal");
	r->zone_mismatches = 1;
	b = result_add_block(r);
	b->index = 32;
	b->start = 32ULL << 27;
	strcpy(b->zone, "Normal");
	strcpy(b->final, "online");
	strcpy(b->final_zone, "Normal");
	d = result_add_device(r);
	strcpy(d->id, "dimm1");
	strcpy(d->kind, "dimm");
	d->addr = 1ULL << 32;
	d->plugged = d->remaining = 256ULL << 20;
	d->outcome = OUTCOME_REJECTED;
	d->attempts = 4;
	d->have_ost = true;
	d->ost_source = 3;
	d->ost_status = 0x82;
	d->unplug_ms = 3100;
	strcpy(d->detail, "guest rejected the eject: 0x82 busy");
	d = result_add_device(r);
	strcpy(d->id, "dimm0");
	d->outcome = OUTCOME_REMOVED;
	result_add_timeline(r, 0, 512ULL << 20, 4);
	result_add_timeline(r, 1500, 256ULL << 20, 2);
	result_add_event(r, &ev);
	result_add_kmsg(r, "memory memory33: Offline failed.");
}

static void assert_same(const struct run_record *a, const struct run_record *b)
{
	assert_string_equal(a->run_id, b->run_id);
	assert_int_equal(a->repeat, b->repeat);
	assert_string_equal(a->scenario_text, b->scenario_text);
	assert_string_equal(a->cmdline, b->cmdline);
	assert_string_equal(a->accel_reason, b->accel_reason);
	assert_int_equal(a->status, b->status);
	assert_string_equal(a->reason, b->reason);
	assert_string_equal(a->failed_phase, b->failed_phase);
	assert_memory_equal(a->phase_ms, b->phase_ms, sizeof(a->phase_ms));
	assert_int_equal(a->wall_ms, b->wall_ms);
	assert_int_equal(a->cpu_ms, b->cpu_ms);
	assert_memory_equal(&a->count, &b->count, sizeof(a->count));
	assert_string_equal(a->expected_zone, b->expected_zone);
	assert_int_equal(a->zone_mismatches, b->zone_mismatches);
	assert_int_equal(a->nblocks, b->nblocks);
	assert_memory_equal(a->blocks, b->blocks, a->nblocks * sizeof(*a->blocks));
	assert_int_equal(a->ndevices, b->ndevices);
	for (size_t i = 0; i < a->ndevices; i++) {
		assert_string_equal(a->devices[i].id, b->devices[i].id);
		assert_int_equal(a->devices[i].outcome, b->devices[i].outcome);
		assert_int_equal(a->devices[i].have_ost, b->devices[i].have_ost);
		assert_int_equal(a->devices[i].ost_status, b->devices[i].ost_status);
		assert_int_equal(a->devices[i].remaining, b->devices[i].remaining);
		assert_string_equal(a->devices[i].detail, b->devices[i].detail);
	}
	assert_int_equal(a->ntimeline, b->ntimeline);
	assert_memory_equal(a->timeline, b->timeline, a->ntimeline * sizeof(*a->timeline));
	assert_int_equal(a->nevents, b->nevents);
	assert_memory_equal(a->events, b->events, a->nevents * sizeof(*a->events));
	assert_int_equal(a->nkmsg, b->nkmsg);
	assert_string_equal(a->kmsg[0], b->kmsg[0]);
}

static void test_round_trip(void **state)
{
	struct run_record a, b;
	struct err err;
	json_object *j;

	(void)state;
	fill(&a);
	j = result_to_json(&a);
	assert_int_equal(json_object_get_int64(json_object_object_get(
				 json_object_object_get(j, "count"), "bytes_unplugged")), 256 << 20);
	assert_null(json_object_object_get(json_object_object_get(j, "phases_ms"), "unplug"));
	assert_int_equal(result_from_json(j, &b, &err), 0);
	json_object_put(j);
	assert_same(&a, &b);
	assert_int_equal(b.phase_ms[PHASE_UNPLUG], -1);
	result_free(&a);
	result_free(&b);
}

static void test_write_is_atomic_and_reads_back(void **state)
{
	char dir[] = "/tmp/memhp-test-XXXXXX", path[128];
	struct run_record a, b;
	struct err err;
	struct dirent *de;
	DIR *d;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	fill(&a);
	assert_int_equal(result_write(&a, dir, &err), 0);
	/* Written again over the first: still one file, no temporaries. */
	a.count.removed = 3;
	assert_int_equal(result_write(&a, dir, &err), 0);
	d = opendir(dir);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' || !strncmp(de->d_name, ".result", 7))
			assert_string_equal(de->d_name, "result.json");
	closedir(d);
	snprintf(path, sizeof(path), "%s/result.json", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(result_read(path, &b, &err), 0);
	assert_same(&a, &b);
	result_free(&a);
	result_free(&b);
	unlink(path);
	rmdir(dir);
}

static void test_write_into_missing_dir_fails_cleanly(void **state)
{
	struct run_record a;
	struct err err;

	(void)state;
	fill(&a);
	assert_int_equal(result_write(&a, "/nonexistent/dir", &err), -ENOENT);
	assert_non_null(strstr(err.msg, "/nonexistent/dir/.result.json"));
	result_free(&a);
}

static void test_bad_files_are_refused(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "{\"schema\": \"other\", \"version\": 1}", "not a memhp-result file" },
		{ "{\"schema\": \"memhp-result\", \"version\": 99, \"status\": \"ok\"}",
		  "memhp-result version 99 is not the supported 1" },
		{ "{\"schema\": \"memhp-result\", \"version\": 1, \"status\": \"great\"}",
		  "unknown status 'great'" },
		{ "[1, 2]", "not a memhp-result file" },
	};
	struct run_record r;
	struct err err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_object *j = json_tokener_parse(cases[i].text);

		assert_int_equal(result_from_json(j, &r, &err), -EINVAL);
		assert_string_equal(err.msg, cases[i].msg);
		json_object_put(j);
		result_free(&r);
	}
	assert_int_equal(result_read("/nonexistent/result.json", &r, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "/nonexistent/result.json"));
	result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_write_is_atomic_and_reads_back),
		cmocka_unit_test(test_write_into_missing_dir_fails_cleanly),
		cmocka_unit_test(test_bad_files_are_refused),
	};

	return cmocka_run_group_tests_name("result", tests, NULL, NULL);
}
