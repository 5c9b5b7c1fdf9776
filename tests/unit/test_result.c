// SPDX-License-Identifier: GPL-2.0-only
/* Result JSON: round trip, atomic write, and what a bad file gets. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <malloc.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include <cmocka.h>

#include "result.h"
#include "summary.h"

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
	r->count.have_plugged = r->count.have_final = true;
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
	b->final = FINAL_ONLINE;
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

/* to_json(from_json(j)) == j: every field the writer writes, the reader
 * reads, and back unchanged. */
static void assert_json_round_trip(json_object *j, const char *what)
{
	struct run_record r;
	struct err err;
	json_object *again;

	if (result_from_json(j, &r, &err))
		fail_msg("%s: %s", what, err.msg);
	again = result_to_json(&r);
	if (!json_object_equal(j, again))
		fail_msg("%s: not the same JSON after a round trip:\n%s\n---\n%s", what,
			 json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY),
			 json_object_to_json_string_ext(again, JSON_C_TO_STRING_PRETTY));
	json_object_put(again);
	result_free(&r);
}

static void test_whole_json_round_trip(void **state)
{
	struct run_record a;
	json_object *j;

	(void)state;
	fill(&a);
	a.blocks[0].why = json_tokener_parse("{\"index\": 32, \"pages\": {\"anon\": 3}, "
					     "\"verdict\": \"pinned\"}");
	a.workload = json_tokener_parse("{\"mix\": \"anon:100\", \"fill\": 1024}");
	a.probe_final = json_tokener_parse("{\"blocks\": []}");
	a.kernel_build = json_tokener_parse("{\"tree_version\": \"6.1.158\", \"patches\": []}");
	a.kernel_package = json_tokener_parse("{\"suite\": \"sid\", \"packages\": [{\"name\": "
					      "\"linux-binary-7.2.13+deb14-cloud-amd64\", "
					      "\"version\": \"7.2.13-1\", \"suite\": \"sid\"}]}");
	a.onlining = json_tokener_parse("{\"auto_online_blocks\": \"online_movable\", "
					"\"memmap_on_memory\": \"force\", \"memmap_pages\": "
					"{\"boot\": {\"nr_memmap_pages\": 0}}, \"virtio_mem\": []}");
	j = result_to_json(&a);
	assert_string_equal(json_object_get_string(json_object_object_get(
				    json_object_object_get(j, "kernel"), "package")) != NULL ?
				    json_object_get_string(json_object_object_get(
					    json_object_object_get(json_object_object_get(j, "kernel"),
								   "package"), "suite")) : "",
			    "sid");
	assert_string_equal(json_object_get_string(json_object_object_get(
				    json_object_object_get(j, "onlining"), "memmap_on_memory")),
			    "force");
	assert_json_round_trip(j, "fill()");
	json_object_put(j);
	/* A run that ended before the count: the counts are null, and stay so. */
	a.count.have_final = false;
	a.status = RUN_FAILED;
	j = result_to_json(&a);
	assert_null(json_object_object_get(json_object_object_get(j, "count"), "removed"));
	assert_null(json_object_object_get(json_object_object_get(j, "count"), "bytes_unplugged"));
	assert_non_null(json_object_object_get(json_object_object_get(j, "count"), "hotplugged"));
	assert_json_round_trip(j, "fill() without the final count");
	json_object_put(j);
	result_free(&a);
}

/* Every result fixture of the report tests, read and written back whole. */
static void test_fixtures_round_trip(void **state)
{
	const char *dir = MEMHP_DATADIR "/tests/report/fixtures";
	struct dirent *de;
	DIR *d = opendir(dir);
	size_t n = 0;

	(void)state;
	assert_non_null(d);
	while ((de = readdir(d))) {
		char path[4200];
		json_object *j;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, "junk"))
			continue;
		snprintf(path, sizeof(path), "%s/%s/result.json", dir, de->d_name);
		j = json_object_from_file(path);
		if (!j)
			continue; /* not a directory with a result */
		assert_json_round_trip(j, path);
		json_object_put(j);
		n++;
	}
	closedir(d);
	assert_true(n >= 8);
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
	a.count.online_normal = 1;
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
	assert_non_null(strstr(err.msg, "/nonexistent/dir/result.json: cannot write it: "));
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

/* Each malformed shape is refused with the field named, never an abort. */
static void test_malformed_fields(void **state)
{
	static const struct {
		const char *path, *value, *msg;
	} cases[] = {
		{ "blocks", "\"\"", "blocks: expected an array, got a string" },
		{ "devices", "{}", "devices: expected an array, got an object" },
		{ "events", "5", "events: expected an array, got an integer" },
		{ "kmsg", "{}", "kmsg: expected an array, got an object" },
		{ "kmsg", "[null]", "kmsg[0]: expected a string, got null" },
		{ "unplug_timeline", "\"x\"", "unplug_timeline: expected an array, got a string" },
		{ "unplug_timeline", "[[1, 2]]", "unplug_timeline[0]: expected 3 numbers, got 2" },
		{ "unplug_timeline", "[[1, 2, \"3\"]]",
		  "unplug_timeline[0].blocks_present: expected an integer from 0 to 4294967295, got a string" },
		{ "unplug_timeline", "[5]", "unplug_timeline[0]: expected an array, got an integer" },
		{ "workload", "\"x\"", "workload: expected an object or null, got a string" },
		{ "probe_final", "[]", "probe_final: expected an object or null, got an array" },
		{ "blocks", "[{\"final\": 3}]", "blocks[0].final: expected a string, got 3" },
		{ "blocks", "[{\"final\": \"gone\"}]",
		  "blocks[0].final: not removed, offline, online or \"\"" },
		{ "blocks", "[{\"why\": []}]", "blocks[0].why: expected an object or null, got an array" },
		{ "blocks", "[{\"index\": -1}]", "blocks[0].index: expected an integer from 0 to 2^64-1, got -1" },
		{ "devices", "[{\"outcome\": \"exploded\"}]",
		  "devices[0].outcome: not an outcome memhp knows" },
		{ "devices", "[{\"ost_status\": 4294967296}]",
		  "devices[0].ost_status: expected an integer from 0 to 4294967295, got 4294967296" },
		{ "devices", "[{\"unplug_ms\": 18446744073709551615}]",
		  "devices[0].unplug_ms: expected a 64-bit integer, got 18446744073709551615" },
		{ "run_id", "null", "run_id: expected a string, got null" },
		{ "repeat", "1.5", "repeat: expected an integer from 0 to 4294967295, got a fraction" },
		{ "host_failure", "\"no\"", "host_failure: expected a boolean, got a string" },
		{ "scenario", "[]", "scenario: expected an object, got an array" },
		{ "phases_ms", "\"fast\"", "phases_ms: expected an object, got a string" },
	};
	struct run_record a, r;
	struct err err;

	(void)state;
	fill(&a);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_object *j = result_to_json(&a), *v = json_tokener_parse(cases[i].value);

		/* json_tokener_parse gives NULL for null: that is JSON null here. */
		json_object_object_add(j, cases[i].path, v);
		assert_int_equal(result_from_json(j, &r, &err), -EINVAL);
		assert_string_equal(err.msg, cases[i].msg);
		/* Nothing is left allocated in a refused record. */
		assert_null(r.blocks);
		assert_null(r.scenario_text);
		result_free(&r);
		json_object_put(j);
	}
	result_free(&a);
}

/* scenario.sweep: written in its order, read back the same; anything but an
 * object of short strings is refused by name. */
static void test_sweep_field(void **state)
{
	static const struct {
		const char *value, *msg;
	} bad[] = {
		{ "[]", "scenario.sweep: expected an object or null, got an array" },
		{ "{\"online.policy\": 3}", "scenario.sweep: a value that is an integer, not a string" },
		{ "{\"\": \"x\"}", "scenario.sweep: a key of 1 to 63 characters" },
		{ "{\"a\":\"\",\"b\":\"\",\"c\":\"\",\"d\":\"\",\"e\":\"\",\"f\":\"\",\"g\":\"\","
		  "\"h\":\"\",\"i\":\"\"}", "scenario.sweep: more than 8 keys" },
	};
	struct run_record a, r;
	struct err err;
	json_object *j, *sc;

	(void)state;
	fill(&a);
	a.sweep = (struct sweep_point){ 2, { { "online.policy", "online_movable" },
					     { "online.memmap_on_memory", "true" } } };
	snprintf(a.scenario_base, sizeof(a.scenario_base), "quick-dimm");
	j = result_to_json(&a);
	assert_int_equal(result_from_json(j, &r, &err), 0);
	assert_int_equal(r.sweep.n, 2);
	assert_string_equal(r.sweep.kv[0].key, "online.policy");
	assert_string_equal(r.sweep.kv[1].value, "true");
	assert_string_equal(r.scenario_base, "quick-dimm");
	assert_json_round_trip(j, "a sweep point");
	result_free(&r);
	json_object_put(j);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		j = result_to_json(&a);
		assert_true(json_object_object_get_ex(j, "scenario", &sc));
		json_object_object_add(sc, "sweep", json_tokener_parse(bad[i].value));
		assert_int_equal(result_from_json(j, &r, &err), -EINVAL);
		if (!strstr(err.msg, bad[i].msg))
			fail_msg("%s: got '%s'", bad[i].value, err.msg);
		result_free(&r);
		json_object_put(j);
	}
	result_free(&a);
}

static void test_malformed_groups(void **state)
{
	static const struct {
		const char *group, *key, *value, *msg;
	} cases[] = {
		{ "count", "removed", "-1", "count.removed: expected an integer from 0 to 4294967295, got -1" },
		{ "count", "hotplugged", "99999999999",
		  "count.hotplugged: expected an integer from 0 to 4294967295, got 99999999999" },
		{ "count", "block_size", "\"128M\"",
		  "count.block_size: expected an integer from 0 to 2^64-1, got a string" },
		{ "count", "removed", "9", "count: removed, offline and online blocks (11) exceed the 4 hot-added" },
		{ "count", "removed", "null",
		  "count.removed and offline: one is null, the other not: they are measured together" },
		{ "phases_ms", "boot", "-5",
		  "phases_ms.boot: expected null or an integer from 0 to 2^63-1, got -5" },
		{ "phases_ms", "boot", "\"x\"",
		  "phases_ms.boot: expected null or an integer from 0 to 2^63-1, got a string" },
		{ "vmm", "peak_rss", "1e9", "vmm.peak_rss: expected an integer from 0 to 2^64-1, got a fraction" },
		{ "kernel", "build", "5", "kernel.build: expected an object or null, got 5" },
		{ "kernel", "cmdline", "null", "kernel.cmdline: expected a string, got null" },
	};
	struct run_record a, r;
	struct err err;

	(void)state;
	fill(&a);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_object *j = result_to_json(&a);

		json_object_object_add(json_object_object_get(j, cases[i].group), cases[i].key,
				       json_tokener_parse(cases[i].value));
		assert_int_equal(result_from_json(j, &r, &err), -EINVAL);
		assert_string_equal(err.msg, cases[i].msg);
		result_free(&r);
		json_object_put(j);
	}
	/* An ok run must have its counts. */
	a.status = RUN_OK;
	a.count.have_final = false;
	{
		json_object *j = result_to_json(&a);

		assert_int_equal(result_from_json(j, &r, &err), -EINVAL);
		assert_string_equal(err.msg, "count: a run with status ok has counts that were not "
					     "measured (null)");
		json_object_put(j);
	}
	result_free(&a);
}

/* Defect 14: a run that failed before the final count printed "8 GiB of
 * 8 GiB unplugged". */
static char *summary_of(const struct run_record *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	summary_print(f, r);
	fclose(f);
	return text;
}

static void test_summary_not_measured(void **state)
{
	struct run_record a;
	char *text;

	(void)state;
	fill(&a);
	a.status = RUN_FAILED;
	strcpy(a.failed_phase, "workload");
	/* What the runner has when the workload fails: plugged, not counted. */
	a.count.have_final = false;
	a.count.removed = a.count.online_normal = 0;
	a.count.bytes_remaining = 0;
	text = summary_of(&a);
	assert_null(strstr(text, "of 4 hot-added blocks of 128 MiB removed"));
	assert_null(strstr(text, "512 MiB unplugged"));
	assert_non_null(strstr(text, "removed: not measured"));
	assert_non_null(strstr(text, "512 MiB plugged; unplugged and still plugged: not measured"));
	free(text);
	/* Nothing measured at all. */
	a.count.have_plugged = false;
	text = summary_of(&a);
	assert_non_null(strstr(text, "blocks   not measured"));
	assert_null(strstr(text, "bytes"));
	free(text);
	/* Measured: the numbers, as before. */
	a.count.have_plugged = a.count.have_final = true;
	a.count.removed = 2;
	a.count.bytes_remaining = 256ULL << 20;
	text = summary_of(&a);
	assert_non_null(strstr(text, "2 of 4 hot-added blocks of 128 MiB removed"));
	assert_non_null(strstr(text, "256 MiB of 512 MiB unplugged, 256 MiB still plugged"));
	free(text);
	result_free(&a);
}

/* Defect 10: a result's strings never drive the terminal. */
static void test_summary_filters_control_characters(void **state)
{
	struct run_record a;
	char *text;

	(void)state;
	fill(&a);
	strcpy(a.run_id, "run\033]0;title\007\033[2J");
	strcpy(a.reason, "bad\rreason\302\233" "31m");
	strcpy(a.devices[0].detail, "x\033[1;1H");
	text = summary_of(&a);
	for (const char *p = text; *p; p++) {
		unsigned char c = (unsigned char)*p;

		assert_false((c < 0x20 && c != '\n') || c == 0x7f);
		assert_false(c == 0xc2 && (unsigned char)p[1] >= 0x80 && (unsigned char)p[1] <= 0x9f);
	}
	assert_non_null(strstr(text, "run?]0;title??[2J"));
	free(text);
	/* Issue 26, item 21: bidirectional overrides reorder the line. */
	strcpy(a.reason, "ok \u202egnp.exe\u202c \u2066x\u2069 \u200fy \u00e9");
	text = summary_of(&a);
	assert_null(strstr(text, "\u202e"));
	assert_null(strstr(text, "\u2066"));
	assert_null(strstr(text, "\u200f"));
	assert_non_null(strstr(text, "ok ?gnp.exe? ?x? ?y \u00e9"));
	free(text);
	result_free(&a);
}

/* Issue 28: the summary says what the guest's kernel did with the onlining
 * choices: a block in another zone than asked, named with its zone; a
 * setting the guest did not take; the memmap counters per phase; virtio-mem's
 * mode. Before, a mismatch was "1 blocks were not onlined to Normal" and the
 * rest was not said at all. */
static void test_summary_onlining(void **state)
{
	struct run_record a;
	char *text;

	(void)state;
	fill(&a);
	a.status = RUN_OK;
	strcpy(a.blocks[0].zone, "Movable");
	a.onlining = json_tokener_parse(
		"{\"kernel_default_online_type\": \"online\", \"auto_online_blocks\": "
		"\"online_kernel\", \"online_policy\": \"contig-zones\", \"memmap_on_memory\": "
		"\"N\", \"hugetlb_optimize_vmemmap\": 0, \"not_as_asked\": [{\"setting\": "
		"\"memmap_on_memory\", \"asked\": \"force\", \"guest\": \"N\"}], "
		"\"memmap_pages\": {\"boot\": {\"nr_memmap_pages\": 0, \"nr_memmap_boot_pages\": "
		"4096, \"present_pages\": 262014, \"managed_pages\": 229980}, \"plug\": "
		"{\"nr_memmap_pages\": 0, \"present_pages\": 262014, \"managed_pages\": "
		"229980}, \"online\": {\"nr_memmap_pages\": 4096, \"present_pages\": 524158, "
		"\"managed_pages\": 488028}}, \"virtio_mem\": [{\"device\": \"virtio1\", "
		"\"mode\": \"SBM\", \"device_block_size\": 2097152, \"memory_block_size\": "
		"134217728, \"subblock_size\": 2097152}]}");
	text = summary_of(&a);
	if (!strstr(text, "\nwarning  zone mismatch: 1 of 1 hot-added blocks onlined to Movable "
			  "(1), not to Normal as online_kernel asked\n"))
		fail_msg("%s", text);
	assert_non_null(strstr(text, "\nonlining guest: auto_online_blocks online_kernel, "
				     "online_policy contig-zones, memmap_on_memory N, "
				     "hugetlb_optimize_vmemmap 0; kernel's built-in default online\n"));
	assert_non_null(strstr(text, "\nwarning  not as asked: the guest's memmap_on_memory is N, "
				     "not force\n"));
	assert_non_null(strstr(text, "\nmemmap   nr_memmap_pages boot 0, plug 0, online 4096 "
				     "(boot memory's 4096); inside the hot-added memory: 4096 "
				     "pages\n"));
	assert_non_null(strstr(text, "\nvirtio   virtio1: SBM, device blocks of 2 MiB, sub-blocks "
				     "of 2 MiB, memory blocks of 128 MiB\n"));
	free(text);
	/* In the zone asked: said so, no warning. */
	strcpy(a.blocks[0].zone, "Normal");
	text = summary_of(&a);
	assert_null(strstr(text, "zone mismatch"));
	assert_non_null(strstr(text, "\nzones    all 1 hot-added block onlined to Normal (1), "
				     "as online_kernel asked\n"));
	free(text);
	result_free(&a);
}

/* Issue 26, item 21: arrays grow geometrically, not one element per realloc
 * (100000 blocks took over a minute under ASan): after 5 blocks there is
 * room for 8, and 100000 blocks are added and kept in order. */
static void test_arrays_grow_geometrically(void **state)
{
	struct run_record r;

	(void)state;
	result_init(&r);
	for (unsigned i = 0; i < 5; i++)
		result_add_block(&r)->index = i;
	assert_true(malloc_usable_size(r.blocks) >= 8 * sizeof(*r.blocks));
	for (unsigned i = 5; i < 100000; i++)
		result_add_block(&r)->index = i;
	assert_int_equal(r.nblocks, 100000);
	for (unsigned i = 0; i < 100000; i++)
		assert_int_equal(r.blocks[i].index, i);
	result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_whole_json_round_trip),
		cmocka_unit_test(test_fixtures_round_trip),
		cmocka_unit_test(test_malformed_fields),
		cmocka_unit_test(test_malformed_groups),
		cmocka_unit_test(test_sweep_field),
		cmocka_unit_test(test_summary_not_measured),
		cmocka_unit_test(test_summary_filters_control_characters),
		cmocka_unit_test(test_summary_onlining),
		cmocka_unit_test(test_arrays_grow_geometrically),
		cmocka_unit_test(test_write_is_atomic_and_reads_back),
		cmocka_unit_test(test_write_into_missing_dir_fails_cleanly),
		cmocka_unit_test(test_bad_files_are_refused),
	};

	return cmocka_run_group_tests_name("result", tests, NULL, NULL);
}
