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
#include <time.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "mix.h"
#include "scenario.h"
#include "workload.h"

#define MIB (1ULL << 20)

/* The names memhp accepts are the names the probe implements: both come
 * from kinds.h, so this lists them once more only to catch a lost entry. */
static void test_kinds_table(void **state)
{
	static const char *const names[] = { "anon", "thp", "tmpfs", "dentries", "pgtable",
					     "kstack", "pipe", "pinned", "hugetlb", "stress-ng", "swapped",
					     "pagecache", "compile", "pgbench" };

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
	scenario_free(&sc);
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
	assert_string_equal(line, "anon 100/100 MiB 50 MiB/s, dentries 10/50 MiB 2.0 MiB/s, "
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

/*
 * Fault injection for the busy-or-dead rule: a backend whose agent answers
 * with a progress file that never grows, or does not answer at all, and
 * whose VMM reports a state and CPU time. Windows of 1 s keep it quick.
 */
static struct {
	bool agent_silent;
	const char *state; /* query-status */
	bool cpu_busy;     /* CPU time advances at every look */
	uint64_t cpu_ns;
	unsigned pings, reads;
} fake;

static int fake_agent(struct vm *vm, const char *cmd, json_object *args, json_object **ret,
		      int64_t deadline, struct err *err)
{
	static const char file[] =
		"{\"pid\":5,\"state\":\"allocating\",\"seq\":1,\"kinds\":[{\"kind\":"
		"\"dentries\",\"want\":1048576000,\"got\":52428800,\"state\":\"allocating\"}]}";
	unsigned char b64[512];

	(void)vm;
	(void)deadline;
	json_object_put(args);
	if (ret)
		*ret = NULL;
	if (!strcmp(cmd, "guest-ping"))
		fake.pings++;
	if (fake.agent_silent)
		return err_set(err, "%s: agent: no complete reply before the deadline", cmd),
		       -ETIMEDOUT;
	if (!strcmp(cmd, "guest-file-open")) {
		if (ret)
			*ret = json_object_new_int(3);
	} else if (!strcmp(cmd, "guest-file-read")) {
		json_object *o = json_object_new_object();

		fake.reads++;
		EVP_EncodeBlock(b64, (const unsigned char *)file, (int)strlen(file));
		json_object_object_add(o, "count", json_object_new_int((int)strlen(file)));
		json_object_object_add(o, "buf-b64", json_object_new_string((char *)b64));
		json_object_object_add(o, "eof", json_object_new_boolean(1));
		if (ret)
			*ret = o;
		else
			json_object_put(o);
	} else if (ret) {
		*ret = json_object_new_object();
	}
	return 0;
}

static int fake_status(struct vm *vm, struct vm_status *st, struct err *err)
{
	(void)vm;
	(void)err;
	memset(st, 0, sizeof(*st));
	snprintf(st->state, sizeof(st->state), "%s", fake.state);
	st->running = !strcmp(fake.state, "running");
	/* Busy: 100 s of CPU time between two looks, more than any wall time
	 * between them; idle: none. Not the clock: under load the test can be
	 * descheduled between memhp's clock reading and this one, and a share
	 * computed from two clocks then says anything (2 % was seen).
	 * Idle still advances, by a nanosecond: 0 means "not known". */
	fake.cpu_ns += fake.cpu_busy ? 100000000000ULL : 1;
	st->cpu_ns = fake.cpu_ns;
	return 0;
}

__attribute__((format(printf, 1, 2))) static void no_progress(const char *fmt, ...)
{
	(void)fmt;
}

static int watch_fake(const char *state, bool silent, bool busy, struct err *err)
{
	static struct backend_ops be = { .name = "fake", .agent = fake_agent, .status = fake_status };
	static struct vm vm = { .ops = &be };
	struct workload_watch w;

	memset(&fake, 0, sizeof(fake));
	fake.state = state;
	fake.agent_silent = silent;
	fake.cpu_busy = busy;
	{
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		workload_watch_init(&w, (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
	}
	return workload_watch_allocation(&vm, "/run/p", 1000, &w, no_progress, err);
}

static void test_stall_names_kind(void **state)
{
	struct err err;

	(void)state;
	assert_int_equal(watch_fake("running", false, false, &err), -ETIMEDOUT);
	if (!strstr(err.msg, "the workload stalled: dentries allocated nothing new for 1 s, at "
			     "50 MiB of 1000 MiB (0 of 1 kinds done"))
		fail_msg("%s", err.msg);
	assert_true(fake.reads >= 1);
}

static void test_stopped_guest_fails_at_once(void **state)
{
	struct err err;

	(void)state;
	assert_int_equal(watch_fake("internal-error", true, false, &err), -EIO);
	assert_non_null(strstr(err.msg, "QEMU reports 'internal-error'"));
	assert_int_equal(fake.pings, 0); /* no waiting for a dead guest */
}

static void test_busy_guest_gets_another_window(void **state)
{
	struct err err;

	(void)state;
	/* Busy: QEMU burns CPU, the agent is pinged with backoff, and only a
	 * second silent window fails, saying so. */
	assert_int_equal(watch_fake("running", true, true, &err), -ETIMEDOUT);
	if (!strstr(err.msg, "the guest agent has not answered for 2 s") ||
	    !strstr(err.msg, "QEMU running, ") || !strstr(err.msg, "% of a CPU"))
		fail_msg("%s", err.msg);
	assert_true(fake.pings >= 1);
	/* Idle and silent: hung, one window is enough. */
	assert_int_equal(watch_fake("running", true, false, &err), -ETIMEDOUT);
	if (!strstr(err.msg, "the guest agent has not answered for 1 s"))
		fail_msg("%s", err.msg);
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
		cmocka_unit_test(test_stall_names_kind),
		cmocka_unit_test(test_stopped_guest_fails_at_once),
		cmocka_unit_test(test_busy_guest_gets_another_window),
	};

	return cmocka_run_group_tests_name("workload", tests, NULL, NULL);
}
