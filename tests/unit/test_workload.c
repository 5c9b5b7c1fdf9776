// SPDX-License-Identifier: GPL-2.0-only
/*
 * The workload's pure parts: the kinds table shared with memhp-probe, mix
 * parsing kept in struct scenario, the host budget beside the scenario, and
 * the holder's progress file as memhp reads it (rates, growth, the line
 * shown while allocating).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mix.h"
#include "scenario.h"
#include "workload.h"

#define MIB (1ULL << 20)

/* The names memhp accepts are the names the probe implements: both come
 * from kinds.h, so this lists them once more only to catch a lost entry. */
static void test_kinds_table(void **state)
{
	static const char *const names[] = { "anon", "thp", "tmpfs", "dentries", "pgtable",
					     "kstack", "pipe", "pinned", "hugetlb", "stress-ng" };

	(void)state;
	assert_int_equal(WORKLOAD_NKINDS, sizeof(names) / sizeof(names[0]));
	for (int i = 0; i < WORKLOAD_NKINDS; i++) {
		assert_string_equal(workload_kinds[i].name, names[i]);
		assert_non_null(workload_kinds[i].allocates);
		assert_non_null(workload_kinds[i].mobility);
		assert_int_equal(workload_kind_find(names[i], strlen(names[i])), i);
	}
	assert_int_equal(workload_kind_find("stress", 6), -1);
	assert_int_equal(workload_kind_find("anonx", 4), WORKLOAD_anon);
}

static void test_mix_parse(void **state)
{
	struct mix m;
	char msg[256];

	(void)state;
	assert_int_equal(mix_parse("anon:50 tmpfs:20,dentries:20\tpgtable:10", &m, msg, sizeof(msg)),
			 0);
	assert_int_equal(m.n, 4);
	assert_int_equal(m.total_share, 100);
	assert_int_equal(m.e[2].kind, WORKLOAD_dentries);
	assert_int_equal(m.e[2].share, 20);
	/* Shares of 6 GiB, in whole pages. */
	assert_int_equal(mix_bytes(&m, 0, 6ULL << 30), (6ULL << 30) / 100 * 50 & ~4095ULL);
	assert_int_equal(mix_bytes(&m, 3, 6ULL << 30) % 4096, 0);
	assert_int_equal(mix_parse("", &m, msg, sizeof(msg)), 0);
	assert_int_equal(m.n, 0);
	assert_int_equal(mix_parse("anon:1 swap:1", &m, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "unknown workload kind 'swap' (see docs/workloads.md)");
	assert_int_equal(m.n, 0); /* a failed parse leaves no half mix */
	assert_int_equal(mix_parse("anon:1001", &m, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(mix_parse("anon:1 anon:1 anon:1 anon:1 anon:1 anon:1 anon:1 anon:1 "
				   "anon:1 anon:1 anon:1 anon:1 anon:1 anon:1 anon:1 anon:1 anon:1",
				   &m, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "more than 16 workloads in one mix");
}

/* The scenario keeps the parsed mix; stall_timeout has its default. */
static void test_scenario_keeps_mix(void **state)
{
	struct scenario sc;
	struct err err;

	(void)state;
	assert_int_equal(scenario_load_string(&sc, "w.ini",
					      "[workload]\nmix = thp:1 kstack:3\n", &err), 0);
	assert_int_equal(sc.workload_mix.n, 2);
	assert_int_equal(sc.workload_mix.e[1].kind, WORKLOAD_kstack);
	assert_int_equal(sc.workload_mix.total_share, 4);
	assert_int_equal(sc.stall_ms, 120000);
	scenario_free(&sc);
	assert_int_equal(scenario_load_string(&sc, "w.ini",
					      "[workload]\nmix = anon:1\nstall_timeout = 30s\n",
					      &err), 0);
	assert_int_equal(sc.stall_ms, 30000);
	scenario_free(&sc);
	assert_int_equal(scenario_load_string(&sc, "w.ini", "[workload]\nmix = anon:1 bogus:2\n",
					      &err), -EINVAL);
	assert_string_equal(err.msg,
			    "w.ini:2: [workload] mix: unknown workload kind 'bogus' (see docs/workloads.md)");
}

static void test_budget(void **state)
{
	struct scenario sc;
	struct err err;

	(void)state;
	assert_int_equal(scenario_load_string(&sc, "b.ini",
					      "[machine]\nmemory = 4G\n[hotplug]\ntotal = 8G\n"
					      "[workload]\nmix = anon:1\nfill = 6G\n", &err), 0);
	/* 4 GiB + 8 GiB / 64 + 6 GiB + 256 MiB for QEMU */
	assert_int_equal(scenario_host_need(&sc), (4ULL << 30) + (128 * MIB) + (6ULL << 30) +
							  256 * MIB);
	assert_int_equal(scenario_check_budget(&sc, 20ULL << 30, &err), 0);
	assert_int_equal(scenario_check_budget(&sc, 8ULL << 30, &err), -E2BIG);
	assert_non_null(strstr(err.msg, "lower [workload] fill"));
	scenario_free(&sc);
}

static const char allocating[] =
	"{\"pid\":77,\"state\":\"allocating\",\"seq\":%d,\"ms\":%d,\"kinds\":["
	"{\"kind\":\"anon\",\"want\":104857600,\"got\":104857600,\"state\":\"done\",\"ms\":2000,"
	"\"error\":\"\"},"
	"{\"kind\":\"dentries\",\"want\":52428800,\"got\":%llu,\"state\":\"allocating\"},"
	"{\"kind\":\"pgtable\",\"want\":10485760,\"got\":0,\"state\":\"pending\"}]}";

static void feed(struct workload_watch *w, int seq, unsigned long long got, int64_t now)
{
	char json[1024];

	snprintf(json, sizeof(json), allocating, seq, seq * 1000, got);
	assert_int_equal(workload_watch_update(w, json, now), 0);
}

static void test_watch_progress(void **state)
{
	struct workload_watch w;
	char line[512];
	const struct workload_kind_seen *k;

	(void)state;
	workload_watch_init(&w, 0);
	feed(&w, 1, 0, 1000);
	assert_int_equal(w.n, 3);
	assert_int_equal(w.pid, 77);
	assert_false(w.holding);
	assert_int_equal(w.grew_t, 1000); /* anon's 100 MiB is new */
	feed(&w, 2, 10 * MIB, 6000);
	assert_int_equal(w.grew_t, 6000);
	k = workload_watch_current(&w);
	assert_string_equal(k->kind, "dentries");
	/* 10 MiB in the 5 s since dentries was first seen */
	assert_true(k->rate > 1.9 * MIB && k->rate < 2.1 * MIB);
	workload_watch_line(&w, line, sizeof(line));
	assert_string_equal(line, "anon 100/100 MiB 50 MiB/s, dentries 10/50 MiB 2 MiB/s, "
				  "pgtable 0/10 MiB");
	/* Nothing new: growth time stays, the heartbeat moves. */
	feed(&w, 3, 10 * MIB, 9000);
	assert_int_equal(w.grew_t, 6000);
	assert_int_equal(w.seq_t, 9000);
	assert_int_equal(w.answer_t, 9000);
	feed(&w, 3, 10 * MIB, 12000);
	assert_int_equal(w.seq_t, 9000); /* the same rewrite read again */
	/* The rate over the last window falls to nothing. */
	feed(&w, 4, 10 * MIB, 17000);
	assert_true(workload_watch_current(&w)->rate < 1);
	assert_int_equal(workload_watch_update(&w, "{\"state\":\"allocating\"}", 18000), -EBADMSG);
	assert_int_equal(workload_watch_update(&w, "not json", 18000), -EBADMSG);
	assert_int_equal(w.answer_t, 17000);
}

static void test_watch_holding(void **state)
{
	struct workload_watch w;
	json_object *a, *e;

	(void)state;
	workload_watch_init(&w, 0);
	assert_int_equal(workload_watch_update(&w,
		"{\"pid\":9,\"state\":\"holding\",\"seq\":5,\"kinds\":["
		"{\"kind\":\"kstack\",\"want\":1000000,\"got\":655360,\"state\":\"done\",\"ms\":10,"
		"\"error\":\"pthread_create: Resource temporarily unavailable\"}]}", 100), 0);
	assert_true(w.holding);
	a = workload_watch_allocations(&w);
	assert_int_equal(json_object_array_length(a), 1);
	e = json_object_array_get_idx(a, 0);
	assert_string_equal(json_object_get_string(json_object_object_get(e, "kind")), "kstack");
	assert_int_equal(json_object_get_uint64(json_object_object_get(e, "got")), 655360);
	assert_string_equal(json_object_get_string(json_object_object_get(e, "state")), "done");
	assert_string_equal(json_object_get_string(json_object_object_get(e, "error")),
			    "pthread_create: Resource temporarily unavailable");
	json_object_put(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds_table),
		cmocka_unit_test(test_mix_parse),
		cmocka_unit_test(test_scenario_keeps_mix),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_watch_progress),
		cmocka_unit_test(test_watch_holding),
	};

	return cmocka_run_group_tests_name("workload", tests, NULL, NULL);
}
