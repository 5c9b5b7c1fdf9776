// SPDX-License-Identifier: GPL-2.0-only
/*
 * Workloads in real guests: they allocate what they claim, the agent
 * survives them, and the effect memhp exists to measure is there —
 * unmovable allocations keep hot-added ZONE_NORMAL blocks in the guest, and
 * cannot touch ZONE_MOVABLE ones.
 */
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

#include <cmocka.h>

#include "guest.h"
#include "image.h"
#include "runner.h"
#include "scenario.h"

#define MIB (1ULL << 20)

/* The guest as the hook saw it just before unplug. */
struct seen {
	bool ran;
	uint64_t mem_available;
};

static int look(void *arg, struct vm *vm, struct err *err)
{
	struct seen *s = arg;
	struct guest_snapshot snap;
	json_object *mi, *v;
	int rc = guest_snapshot(vm, &snap, INT64_MAX, err);

	if (rc)
		return rc;
	s->ran = true;
	if (json_object_object_get_ex(snap.raw, "meminfo", &mi) &&
	    json_object_object_get_ex(mi, "MemAvailable", &v))
		s->mem_available = json_object_get_uint64(v) * 1024;
	guest_snapshot_free(&snap);
	return 0;
}

static void run_any(const char *name, const char *text, struct seen *seen,
		    struct run_record *rec)
{
	const char *root = getenv("MEMHP_TEST_OUT");
	struct scenario sc;
	struct err err;
	char dir[4096];
	struct run_options opt = {
		.backend = &backend_qmp, .kernel = IMAGE_DEFAULT_KERNEL, .accel = -1,
		.qemu = "qemu-system-x86_64", .outdir = dir, .repeat = 1,
		.before_unplug = seen ? look : NULL, .before_unplug_arg = seen,
	};

	if (!root || !*root)
		root = "build/integration";
	if (scenario_load_string(&sc, name, text, &err))
		fail_msg("%s", err.msg);
	mkdir("build", 0755);
	mkdir(root, 0755);
	snprintf(dir, sizeof(dir), "%s/%s", root, name);
	mkdir(dir, 0755);
	if (runner_run(&sc, &opt, &runner_env_real, rec, &err))
		fail_msg("result not written: %s", err.msg);
	scenario_free(&sc);
}

static void run(const char *name, const char *text, struct seen *seen, struct run_record *rec)
{
	run_any(name, text, seen, rec);
	if (rec->status != RUN_OK)
		fail_msg("%s: run %s: %s (phase %s)", name, result_status_name(rec->status),
			 rec->reason, rec->failed_phase);
}

static uint64_t kb(json_object *meminfo, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(meminfo, key, &v))
		fail_msg("meminfo has no %s", key);
	return json_object_get_uint64(v) * 1024;
}

static uint64_t got(const struct run_record *rec, const char *kind)
{
	json_object *allocs = json_object_object_get(rec->workload, "allocations");

	for (size_t i = 0; i < json_object_array_length(allocs); i++) {
		json_object *a = json_object_array_get_idx(allocs, i);

		if (!strcmp(json_object_get_string(json_object_object_get(a, "kind")), kind)) {
			const char *e = json_object_get_string(json_object_object_get(a, "error"));

			if (*e)
				fail_msg("%s: %s", kind, e);
			return json_object_get_uint64(json_object_object_get(a, "got"));
		}
	}
	fail_msg("no allocation of kind %s", kind);
	return 0;
}

/* Each kind shows up where the kernel accounts it, and MemFree drops by
 * (nearly) the whole fill. */
static void test_workload_allocates_what_it_claims(void **state)
{
	struct run_record rec;
	json_object *before, *loaded;
	uint64_t fill, drop, movable;

	(void)state;
	run("workload-accounting",
	    "[machine]\nmemory = 1G\n[hotplug]\ntotal = 1G\n[online]\npolicy = online_movable\n"
	    "[workload]\nmix = anon:20 thp:20 tmpfs:15 dentries:15 pgtable:10 kstack:10 pipe:10\n"
	    "fill = 800M\nduration = 1s\n", NULL, &rec);
	before = json_object_object_get(rec.workload, "meminfo_before");
	loaded = json_object_object_get(rec.workload, "meminfo_loaded");
	fill = json_object_get_uint64(json_object_object_get(rec.workload, "fill"));
	assert_int_equal(fill, 800 * MIB);
	assert_false(json_object_get_boolean(json_object_object_get(rec.workload, "capped")));

	drop = kb(before, "MemFree") - kb(loaded, "MemFree");
	if (drop < fill / 10 * 9)
		fail_msg("MemFree dropped by %llu MiB for a fill of %llu MiB",
			 (unsigned long long)(drop >> 20), (unsigned long long)(fill >> 20));
	/* pgtable: half page tables, half data. */
	assert_true(kb(loaded, "PageTables") - kb(before, "PageTables") >= got(&rec, "pgtable") / 2 / 10 * 9);
	/* kstack: a 16 KiB kernel stack per 32 KiB accounted. */
	assert_true(kb(loaded, "KernelStack") - kb(before, "KernelStack") >= got(&rec, "kstack") / 2 / 10 * 9);
	assert_true(kb(loaded, "AnonHugePages") - kb(before, "AnonHugePages") >= got(&rec, "thp") / 10 * 9);
	assert_true(kb(loaded, "Shmem") - kb(before, "Shmem") >= got(&rec, "tmpfs") / 10 * 9);
	/* dentries: dentry and tmpfs inode slab (the inodes are SUnreclaim). */
	assert_true(kb(loaded, "Slab") - kb(before, "Slab") >= got(&rec, "dentries") / 10 * 9);
	assert_true(got(&rec, "anon") >= 160 * MIB - 4096);
	assert_true(got(&rec, "pipe") >= 80 * MIB - 4096);
	/* Stopped before unplug: an idle movable guest gives everything back. */
	assert_int_equal(rec.count.removed, rec.count.hotplugged);
	/*
	 * And virtio-mem gives it back to the host. Boot memory is all
	 * ZONE_DMA32 here, so movable allocations (anon, thp, tmpfs) come from
	 * the hot-added ZONE_MOVABLE first: the device's memory was touched,
	 * resident on the host when the unplug began (the workload stopped,
	 * its pages freed but not reported), and its discard must return it.
	 * At least half of those kinds (measured: docs/benchmarks.md).
	 */
	movable = got(&rec, "anon") + got(&rec, "thp") + got(&rec, "tmpfs");
	assert_true(result_have_rss_returned(&rec) && rec.vmm_rss.have_before);
	fprintf(stderr, "# host memory: RSS %llu MiB before plug, %llu loaded, %llu after unplug: "
		"%llu MiB returned for %llu MiB of movable kinds\n",
		(unsigned long long)(rec.vmm_rss.before >> 20),
		(unsigned long long)(rec.vmm_rss.loaded >> 20),
		(unsigned long long)(rec.vmm_rss.after >> 20),
		(unsigned long long)(result_rss_returned(&rec) >> 20),
		(unsigned long long)(movable >> 20));
	if (result_rss_returned(&rec) < movable / 2)
		fail_msg("the unplug gave the host back %llu MiB for %llu MiB of movable kinds",
			 (unsigned long long)(result_rss_returned(&rec) >> 20),
			 (unsigned long long)(movable >> 20));
	result_free(&rec);
}

/*
 * The effect memhp measures, deterministically: page tables and kernel
 * stacks kept alive through the unplug. With 1 GiB of boot memory (all of it
 * below 4 GiB, ZONE_DMA32), ZONE_NORMAL is only the hot-added memory, so
 * kernel allocations land there first and pin its blocks; onlined movable,
 * they cannot land there at all.
 */
static const char phenomenon[] =
	"[machine]\nmemory = 1G\n[hotplug]\nmethod = dimm\ntotal = 1G\ndimm_size = 256M\n"
	"[online]\npolicy = %s\n"
	"[workload]\nmix = pgtable:60 kstack:40\nfill = 300M\nduration = 1s\nduring_unplug = keep\n"
	"[unplug]\nretries = 1\ndeadline = 60s\n";

static void test_unmovable_workload_pins_normal_but_not_movable(void **state)
{
	struct run_record normal, movable;
	char text[1024];

	(void)state;
	snprintf(text, sizeof(text), phenomenon, "online_kernel");
	run("phenomenon-normal", text, NULL, &normal);
	snprintf(text, sizeof(text), phenomenon, "online_movable");
	run("phenomenon-movable", text, NULL, &movable);

	assert_int_equal(normal.count.hotplugged, 8);
	assert_int_equal(movable.count.hotplugged, 8);
	if (normal.count.removed == normal.count.hotplugged)
		fail_msg("ZONE_NORMAL: every block came out despite the unmovable workload");
	assert_true(normal.count.online_normal >= 1);
	/* Why they stayed: every remaining block examined, its pages adding up,
	 * and the workload's own kinds named for some of them. */
	{
		unsigned named = 0;

		for (size_t i = 0; i < normal.nblocks; i++) {
			const struct block_record *b = &normal.blocks[i];
			json_object *pages, *v;
			uint64_t sum = 0;

			if (b->final == FINAL_REMOVED) {
				assert_null(b->why);
				continue;
			}
			assert_non_null(b->why);
			assert_true(json_object_object_get_ex(b->why, "pages", &pages));
			json_object_object_foreach(pages, key, val) {
				(void)key;
				sum += json_object_get_uint64(val);
			}
			assert_int_equal(sum, normal.count.block_size / 4096);
			assert_true(json_object_object_get_ex(b->why, "verdict", &v));
			named += !strcmp(json_object_get_string(v), "pgtable") ||
				 !strcmp(json_object_get_string(v), "kernel");
		}
		assert_true(named >= 1);
	}
	assert_int_equal(movable.count.removed, 8);
	assert_int_equal(movable.count.bytes_remaining, 0);
	result_free(&normal);
	result_free(&movable);
}

/* A fill of all the guest's memory is capped to what is available, and the
 * agent keeps answering through it. */
static void test_agent_survives_a_full_fill(void **state)
{
	struct seen seen = { 0 };
	struct run_record rec;

	(void)state;
	run("workload-full",
	    "[machine]\nmemory = 1G\n[hotplug]\ntotal = 512M\n[online]\npolicy = online_movable\n"
	    "[workload]\nmix = anon:70 pgtable:30\nfill = 100%\nduration = 12s\n"
	    "during_unplug = keep\n", &seen, &rec);
	assert_true(json_object_get_boolean(json_object_object_get(rec.workload, "capped")));
	assert_true(seen.ran); /* the agent answered a probe with the guest full */
	if (seen.mem_available > 400 * MIB)
		fail_msg("guest still had %llu MiB available: the fill did not fill",
			 (unsigned long long)(seen.mem_available >> 20));
	assert_true(json_object_get_boolean(json_object_object_get(rec.workload, "stopped")));
	result_free(&rec);
}

/*
 * A workload that stops allocating (the probe's test hook: every kind
 * stops at 48 MiB and stays alive, as on a kernel that crawls) fails the
 * run once stall_timeout passes with nothing new, naming the kind and how
 * far it got, instead of waiting on the agent; and the per-kind progress
 * lines were printed while it allocated.
 */
static void test_stalled_workload_fails_with_reason(void **state)
{
	char logpath[] = "/tmp/memhp-stall-XXXXXX", buf[65536], *p;
	struct run_record rec;
	unsigned secs = 0;
	int fd = mkstemp(logpath), saved = dup(2);
	FILE *f;
	size_t n;

	(void)state;
	assert_true(fd >= 0 && saved >= 0);
	setenv("MEMHP_TEST_STALL_AT", "50331648", 1);
	fflush(stderr);
	dup2(fd, 2);
	run_any("workload-stall",
		"[machine]\nmemory = 1G\n[hotplug]\ntotal = 256M\n[online]\npolicy = online_movable\n"
		"[workload]\nmix = anon:1\nfill = 200M\nstall_timeout = 20s\n", NULL, &rec);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	unsetenv("MEMHP_TEST_STALL_AT");
	f = fdopen(fd, "r");
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	unlink(logpath);
	fputs(buf, stderr);

	assert_int_equal(rec.status, RUN_FAILED);
	assert_string_equal(rec.failed_phase, "workload");
	p = strstr(rec.reason, "anon allocated nothing new for ");
	if (!p || !strstr(rec.reason, "at 48 MiB of 200 MiB"))
		fail_msg("reason: %s", rec.reason);
	/* The bound is the stall window, not an agent timeout: the agent kept
	 * answering, so no second window was granted. */
	assert_int_equal(sscanf(p, "anon allocated nothing new for %u s", &secs), 1);
	assert_true(secs >= 20 && secs < 40);
	assert_non_null(strstr(buf, "workload: anon "));
	assert_non_null(strstr(buf, "/200 MiB"));
	/* What it got so far is in the result. */
	assert_int_equal(json_object_array_length(json_object_object_get(rec.workload,
									  "allocations")), 1);
	assert_int_equal(got(&rec, "anon"), 48 * MIB);
	result_free(&rec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_workload_allocates_what_it_claims),
		cmocka_unit_test(test_unmovable_workload_pins_normal_but_not_movable),
		cmocka_unit_test(test_agent_survives_a_full_fill),
		cmocka_unit_test(test_stalled_workload_fails_with_reason),
	};

	/* MEMHP_TEST_FILTER=test_stalled* runs one test (cmocka's pattern). */
	if (getenv("MEMHP_TEST_FILTER"))
		cmocka_set_test_filter(getenv("MEMHP_TEST_FILTER"));
	return cmocka_run_group_tests_name("workloads (real guests)", tests, NULL, NULL);
}
