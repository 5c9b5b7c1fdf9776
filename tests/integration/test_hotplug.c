// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hotplug against real guests: real QEMU, real QMP, real qemu-ga, the
 * default Debian kernel. Each test boots its own guest through the runner
 * and asserts what the guest itself reports (memory blocks, zones) and what
 * QEMU reports (events, plugged bytes).
 *
 * Results of every run stay in $MEMHP_TEST_OUT (default build/integration)
 * for a human to read when a test fails.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>

#include "guest.h"
#include "image.h"
#include "runner.h"
#include "scenario.h"

#define MIB (1ULL << 20)

static const char *outroot(void)
{
	const char *o = getenv("MEMHP_TEST_OUT");

	return o && *o ? o : "build/integration";
}

/* What the before_unplug hook saw in the guest, checked after the run. */
struct seen {
	bool ran;
	int rc;
	char err[1024];
	unsigned hot_blocks;   /* blocks above boot memory, online */
	unsigned in_zone;      /* of those, in want_zone */
	const char *want_zone;
	uint64_t boot_memory;
	uint64_t block_size;
};

static int look_in_guest(void *arg, struct vm *vm, struct err *err)
{
	struct seen *s = arg;
	struct guest_snapshot snap;
	int rc;

	s->ran = true;
	rc = guest_snapshot(vm, &snap, INT64_MAX, err);
	if (rc)
		return s->rc = rc;
	s->block_size = snap.block_size;
	for (size_t i = 0; i < snap.nblocks; i++) {
		const struct guest_block *b = &snap.blocks[i];

		/* Hot-added memory sits above 4 GiB on q35; boot memory of
		 * these tests fits below. */
		if (b->start < (4ULL << 30) || strcmp(b->state, "online"))
			continue;
		s->hot_blocks++;
		s->in_zone += !strcmp(b->zone, s->want_zone);
	}
	guest_snapshot_free(&snap);
	s->rc = rc;
	if (rc)
		snprintf(s->err, sizeof(s->err), "%s", err->msg);
	return rc;
}

typedef int hook_fn(void *arg, struct vm *vm, struct err *err);

/* A run through the runner with hook before the unplug; the record is
 * returned whatever its status. */
static void run_with(const char *name, const char *text, hook_fn *hook, void *arg,
		     struct run_record *rec, char *dir, size_t dirlen)
{
	struct scenario sc;
	struct err err;
	struct run_options opt = {
		.backend = &backend_qmp, .kernel = IMAGE_DEFAULT_KERNEL, .accel = -1,
		.qemu = "qemu-system-x86_64", .outdir = dir, .repeat = 1,
		.before_unplug = hook, .before_unplug_arg = arg,
	};

	if (scenario_load_string(&sc, name, text, &err))
		fail_msg("%s", err.msg);
	mkdir("build", 0755);
	mkdir(outroot(), 0755);
	snprintf(dir, dirlen, "%s/%s", outroot(), name);
	mkdir(dir, 0755);
	if (runner_run(&sc, &opt, &runner_env_real, rec, &err))
		fail_msg("result not written: %s", err.msg);
	scenario_free(&sc);
}

/* Is a QEMU with dir on its command line still running? Only the runs of
 * these tests have their directory there. */
static bool qemu_running_for(const char *dir)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	bool found = false;

	while (d && (e = readdir(d)) && !found) {
		char path[300], cmd[8192];
		size_t n;
		FILE *f;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		n = fread(cmd, 1, sizeof(cmd) - 1, f);
		fclose(f);
		for (size_t i = 0; i < n; i++)
			cmd[i] = cmd[i] ? cmd[i] : ' ';
		cmd[n] = '\0';
		found = strstr(cmd, "qemu-system") && strstr(cmd, dir);
	}
	if (d)
		closedir(d);
	return found;
}

static void run(const char *name, const char *text, struct seen *seen, struct run_record *rec)
{
	struct scenario sc;
	struct err err;
	char dir[4096];
	struct run_options opt = {
		.backend = &backend_qmp, .kernel = IMAGE_DEFAULT_KERNEL, .accel = -1,
		.qemu = "qemu-system-x86_64", .outdir = dir, .repeat = 1,
		.before_unplug = look_in_guest, .before_unplug_arg = seen,
	};

	if (scenario_load_string(&sc, name, text, &err))
		fail_msg("%s", err.msg);
	mkdir("build", 0755);
	mkdir(outroot(), 0755);
	snprintf(dir, sizeof(dir), "%s/%s", outroot(), name);
	mkdir(dir, 0755);
	seen->boot_memory = sc.memory;
	if (runner_run(&sc, &opt, &runner_env_real, rec, &err))
		fail_msg("result not written: %s", err.msg);
	scenario_free(&sc);
	if (rec->status != RUN_OK)
		fail_msg("%s: run %s: %s (phase %s); see %s/serial.log", name,
			 result_status_name(rec->status), rec->reason, rec->failed_phase, dir);
	if (seen->rc)
		fail_msg("%s: in-guest step failed: %s", name, seen->err);
}

static unsigned events_named(const struct run_record *rec, const char *name, const char *device)
{
	unsigned n = 0;

	for (size_t i = 0; i < rec->nevents; i++)
		n += !strcmp(rec->events[i].name, name) && !strcmp(rec->events[i].device, device);
	return n;
}

/* Four 256 MiB DIMMs onlined movable: 8 blocks in ZONE_MOVABLE, and every
 * one of them gone after unplug, each DIMM confirmed by DEVICE_DELETED. */
static void test_dimm_movable_plug_and_full_unplug(void **state)
{
	struct seen seen = { .want_zone = "Movable" };
	struct run_record rec;

	(void)state;
	run("dimm-movable",
	    "[machine]\nmemory = 1G\n[hotplug]\nmethod = dimm\ntotal = 1G\ndimm_size = 256M\n"
	    "[online]\npolicy = online_movable\n", &seen, &rec);
	assert_true(seen.ran);
	assert_int_equal(seen.block_size, 128 * MIB);
	assert_int_equal(seen.hot_blocks, 8);
	assert_int_equal(seen.in_zone, 8);
	assert_int_equal(rec.count.hotplugged, 8);
	assert_int_equal(rec.count.removed, 8);
	assert_int_equal(rec.count.bytes_remaining, 0);
	assert_int_equal(rec.ndevices, 4);
	for (size_t i = 0; i < rec.ndevices; i++) {
		assert_int_equal(rec.devices[i].outcome, OUTCOME_REMOVED);
		assert_int_equal(events_named(&rec, "DEVICE_DELETED", rec.devices[i].id), 1);
	}
	/* The guest's final view: no hot-added block left in sysfs. */
	for (size_t i = 0; i < rec.nblocks; i++)
		assert_int_equal(rec.blocks[i].final, FINAL_REMOVED);
	result_free(&rec);
}

/* virtio-mem onlined movable on an idle guest gives back every block. */
static void test_virtio_mem_movable_unplugs_to_zero(void **state)
{
	struct seen seen = { .want_zone = "Movable" };
	struct run_record rec;

	(void)state;
	run("virtio-mem-movable",
	    "[machine]\nmemory = 1G\n[hotplug]\nmethod = virtio-mem\ntotal = 1G\nblock_size = 2M\n"
	    "[online]\npolicy = online_movable\n", &seen, &rec);
	assert_int_equal(seen.hot_blocks, 8);
	assert_int_equal(seen.in_zone, 8);
	assert_int_equal(rec.count.hotplugged, 8);
	assert_int_equal(rec.count.removed, 8);
	assert_int_equal(rec.count.bytes_plugged, 1ULL << 30);
	assert_int_equal(rec.count.bytes_remaining, 0);
	assert_int_equal(rec.devices[0].outcome, OUTCOME_REMOVED);
	/* The timeline starts fully plugged and ends at zero. */
	assert_true(rec.ntimeline >= 2);
	assert_int_equal(rec.timeline[0].bytes_plugged, 1ULL << 30);
	assert_int_equal(rec.timeline[0].blocks_present, 8);
	assert_int_equal(rec.timeline[rec.ntimeline - 1].bytes_plugged, 0);
	result_free(&rec);
}

/*
 * DIMMs onlined to ZONE_NORMAL, then page tables over most of the free
 * memory, kept through the unplug: the guest cannot offline those blocks and
 * must say so through ACPI _OST, which memhp records as a rejection with the
 * status, not as a timeout.
 */
static void test_dimm_normal_filled_with_page_tables_is_rejected(void **state)
{
	struct seen seen = { .want_zone = "Normal" };
	struct run_record rec;
	unsigned rejected = 0;

	(void)state;
	run("dimm-normal-unmovable",
	    "[machine]\nmemory = 512M\n[hotplug]\nmethod = dimm\ntotal = 1G\ndimm_size = 256M\n"
	    "[online]\npolicy = online_kernel\n[unplug]\ndeadline = 120s\nretries = 1\n"
	    "[workload]\nmix = pgtable:1\nfill = 90%\nduration = 1s\nduring_unplug = keep\n",
	    &seen, &rec);
	assert_int_equal(seen.hot_blocks, 8);
	assert_int_equal(seen.in_zone, 8);
	assert_true(json_object_get_uint64(json_object_object_get(rec.workload, "fill")) > 400 * MIB);
	for (size_t i = 0; i < rec.ndevices; i++) {
		const struct device_record *d = &rec.devices[i];

		assert_int_not_equal(d->outcome, OUTCOME_TIMEOUT);
		if (d->outcome != OUTCOME_REJECTED)
			continue;
		rejected++;
		assert_true(d->have_ost);
		assert_int_equal(d->ost_source, 3);
		assert_true(d->ost_status == 0x01 || (d->ost_status >= 0x80 && d->ost_status <= 0x83));
		assert_int_equal(events_named(&rec, "DEVICE_DELETED", d->id), 0);
		assert_int_equal(d->remaining, d->plugged);
		assert_int_equal(d->attempts, 2); /* first round plus one retry */
	}
	assert_true(rejected >= 1);
	/* The count agrees: blocks of rejected DIMMs are still online. */
	assert_int_equal(rec.count.removed + rec.count.online_normal + rec.count.offline,
			 rec.count.hotplugged);
	assert_true(rec.count.online_normal + rec.count.offline >= 2 * rejected);
	assert_true(rec.count.bytes_remaining >= rejected * 256 * MIB);
	result_free(&rec);
}

/* What QEMU holds for the DIMMs' memory, read over QMP before the unplug. */
struct memdev_seen {
	bool ran;
	int rc;
	char err[1024];
	unsigned file_backends, ram_backends;
	char mem_path[4096];
};

static int look_at_memdevs(void *arg, struct vm *vm,
			   struct err *err)
{
	struct memdev_seen *m = arg;
	json_object *list = NULL, *args, *path = NULL;
	int rc;

	m->ran = true;
	args = json_object_new_object();
	json_object_object_add(args, "path", json_object_new_string("/objects"));
	rc = vm_vmm_command(vm, "qom-list", args, &list, err);
	for (size_t i = 0; !rc && i < json_object_array_length(list); i++) {
		json_object *e = json_object_array_get_idx(list, i), *name, *type;

		if (!json_object_object_get_ex(e, "name", &name) ||
		    !json_object_object_get_ex(e, "type", &type) ||
		    strncmp(json_object_get_string(name), "mem-dimm", 8))
			continue;
		m->file_backends += !strcmp(json_object_get_string(type),
					    "child<memory-backend-file>");
		m->ram_backends += !strcmp(json_object_get_string(type),
					   "child<memory-backend-ram>");
	}
	json_object_put(list);
	if (!rc) {
		args = json_object_new_object();
		json_object_object_add(args, "path", json_object_new_string("/objects/mem-dimm0"));
		json_object_object_add(args, "property", json_object_new_string("mem-path"));
		rc = vm_vmm_command(vm, "qom-get", args, &path, err);
		if (!rc)
			snprintf(m->mem_path, sizeof(m->mem_path), "%s",
				 json_object_get_string(path));
		json_object_put(path);
	}
	m->rc = rc;
	if (rc)
		snprintf(m->err, sizeof(m->err), "%s", err->msg);
	return rc;
}

/* [hotplug] backend = file: each DIMM's memory is a memory-backend-file in
 * backend_path, as QEMU itself reports it (qom-list, qom-get). */
static void test_dimm_file_backend_is_what_qemu_got(void **state)
{
	struct memdev_seen m = { 0 };
	struct run_record rec;
	char dir[4096], text[8192], path[4096];

	(void)state;
	snprintf(path, sizeof(path), "%s/dimm-file-backend.mem", outroot());
	mkdir("build", 0755);
	mkdir(outroot(), 0755);
	mkdir(path, 0755);
	if (!realpath(path, dir))
		fail_msg("%s: cannot resolve", path);
	snprintf(path, sizeof(path), "%s", dir);
	snprintf(text, sizeof(text),
		 "[machine]\nmemory = 1G\n[hotplug]\nmethod = dimm\ntotal = 512M\n"
		 "dimm_size = 256M\nbackend = file\nbackend_path = %s\n", path);
	run_with("dimm-file-backend", text, look_at_memdevs, &m, &rec, dir, sizeof(dir));
	if (rec.status != RUN_OK)
		fail_msg("run %s: %s", result_status_name(rec.status), rec.reason);
	assert_true(m.ran);
	if (m.rc)
		fail_msg("QMP: %s", m.err);
	assert_int_equal(m.file_backends, 2);
	assert_int_equal(m.ram_backends, 0);
	assert_string_equal(m.mem_path, path);
	assert_int_equal(rec.count.removed, 4);
	result_free(&rec);
}

/* A command run in the guest before the unplug, through the agent. */
struct in_guest {
	const char *script;
	long then_wait_ms; /* before the run goes on */
	int rc;
};

static int run_in_guest(void *arg, struct vm *vm, struct err *err)
{
	struct in_guest *g = arg;
	const char *argv[] = { "/bin/sh", "-c", g->script, NULL };
	char *out = NULL;
	int code = 0;

	g->rc = guest_exec(vm, argv, &out, &code, INT64_MAX, err);
	free(out);
	if (!g->rc && g->then_wait_ms)
		nanosleep(&(struct timespec){ g->then_wait_ms / 1000,
					      (g->then_wait_ms % 1000) * 1000000L }, NULL);
	return g->rc;
}

/* The guest kernel panics mid-run (sysrq c): the run fails in that phase,
 * says the kernel panicked, and QEMU is gone. */
static void test_guest_kernel_panic_fails_the_run(void **state)
{
	struct in_guest g = { .script = "echo c > /proc/sysrq-trigger" };
	struct run_record rec;
	char dir[4096];

	(void)state;
	run_with("fault-panic",
		 "[machine]\nmemory = 1G\n[hotplug]\nmethod = virtio-mem\ntotal = 512M\n",
		 run_in_guest, &g, &rec, dir, sizeof(dir));
	assert_int_equal(rec.status, RUN_FAILED);
	assert_string_equal(rec.failed_phase, "workload");
	if (!strstr(rec.reason, "the guest kernel panicked (Kernel panic - not syncing"))
		fail_msg("reason: %s", rec.reason);
	assert_false(rec.host_failure);
	assert_false(qemu_running_for(dir));
	result_free(&rec);
}

/* The agent is killed in the guest (init restarts it): memhp notices no
 * loss it cannot recover from and measures the run to the end. */
static void test_agent_killed_in_the_guest(void **state)
{
	struct in_guest g = {
		.script = "(sleep 0.5; kill -9 $(pidof qemu-ga)) </dev/null >/dev/null 2>&1 &",
		.then_wait_ms = 2000, /* the agent is gone (and being restarted) */
	};
	struct run_record rec;
	char dir[4096], serial[4200], line[512];
	bool restarted = false;
	FILE *f;

	(void)state;
	run_with("fault-agent-killed",
		 "[machine]\nmemory = 1G\n[hotplug]\nmethod = dimm\ntotal = 512M\n"
		 "dimm_size = 256M\n[online]\npolicy = online_movable\n",
		 run_in_guest, &g, &rec, dir, sizeof(dir));
	snprintf(serial, sizeof(serial), "%s/serial.log", dir);
	f = fopen(serial, "re");
	while (f && fgets(line, sizeof(line), f))
		restarted |= strstr(line, "qemu-ga exited with") != NULL;
	if (f)
		fclose(f);
	assert_true(restarted);
	if (rec.status != RUN_OK)
		fail_msg("run %s in %s: %s", result_status_name(rec.status), rec.failed_phase,
			 rec.reason);
	assert_int_equal(rec.count.hotplugged, 4);
	assert_int_equal(rec.count.removed, 4);
	assert_false(qemu_running_for(dir));
	result_free(&rec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dimm_movable_plug_and_full_unplug),
		cmocka_unit_test(test_virtio_mem_movable_unplugs_to_zero),
		cmocka_unit_test(test_dimm_normal_filled_with_page_tables_is_rejected),
		cmocka_unit_test(test_dimm_file_backend_is_what_qemu_got),
		cmocka_unit_test(test_guest_kernel_panic_fails_the_run),
		cmocka_unit_test(test_agent_killed_in_the_guest),
	};

	/* MEMHP_TEST_FILTER=test_dimm_* runs only the tests matching it. */
	if (getenv("MEMHP_TEST_FILTER"))
		cmocka_set_test_filter(getenv("MEMHP_TEST_FILTER"));
	return cmocka_run_group_tests_name("hotplug (real guests)", tests, NULL, NULL);
}
