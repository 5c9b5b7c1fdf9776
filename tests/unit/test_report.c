// SPDX-License-Identifier: GPL-2.0-only
/* Report arithmetic on values a result file can hold (run under UBSan too), and
 * how sweep points are grouped. */
#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "report.h"
#include "units.h"

static void test_format_bytes_clamps(void **state)
{
	char buf[32], want[32];

	(void)state;
	/* Defect 15: (uint64_t) of a mean at or above 2^64 is undefined. */
	assert_string_equal(report_format_bytes(18446744073709551616.0, buf, sizeof(buf)),
			    format_size(UINT64_MAX, want, sizeof(want)));
	assert_string_equal(report_format_bytes(1e300, buf, sizeof(buf)), want);
	assert_string_equal(report_format_bytes(INFINITY, buf, sizeof(buf)), want);
	assert_string_equal(report_format_bytes(NAN, buf, sizeof(buf)),
			    format_size(0, want, sizeof(want)));
	assert_string_equal(report_format_bytes(-5, buf, sizeof(buf)), want);
	assert_string_equal(report_format_bytes(1536.0 * 1048576, buf, sizeof(buf)),
			    format_size(1536ULL << 20, want, sizeof(want)));
}

static void test_bytes_unplugged(void **state)
{
	struct count c = { .have_plugged = true, .bytes_plugged = 1, .bytes_remaining = 2 };

	(void)state;
	/* remaining above plugged (a damaged file) is no wrap to 2^64 - 1 */
	assert_int_equal(result_bytes_unplugged(&c), 0);
	assert_false(result_have_bytes_unplugged(&c));
	c.have_final = true;
	c.bytes_plugged = 3;
	assert_int_equal(result_bytes_unplugged(&c), 1);
	assert_true(result_have_bytes_unplugged(&c));
}

/* One ok result of a sweep point (or a plain run: pol NULL) into dir/NAME. */
static void put_run(const char *dir, const char *name, const char *variant, const char *pol,
		    const char *mm, unsigned removed, const char *started)
{
	struct run_record r;
	char sub[512];
	struct err err;

	result_init(&r);
	snprintf(r.run_id, sizeof(r.run_id), "%s", name);
	snprintf(r.started, sizeof(r.started), "%s", started);
	snprintf(r.variant, sizeof(r.variant), "%s", variant);
	snprintf(r.scenario_base, sizeof(r.scenario_base), "q");
	r.repeat = 1;
	if (pol) {
		r.sweep.kv[r.sweep.n++] = (struct sweep_kv){ "online.policy", "" };
		snprintf(r.sweep.kv[0].value, sizeof(r.sweep.kv[0].value), "%s", pol);
		if (mm) {
			r.sweep.kv[r.sweep.n++] = (struct sweep_kv){ "online.memmap_on_memory", "" };
			snprintf(r.sweep.kv[1].value, sizeof(r.sweep.kv[1].value), "%s", mm);
		}
		snprintf(r.scenario_name, sizeof(r.scenario_name), "q,policy=%s%s%s", pol,
			 mm ? ",memmap_on_memory=" : "", mm ? mm : "");
	} else {
		snprintf(r.scenario_name, sizeof(r.scenario_name), "q");
	}
	r.count = (struct count){ .have_plugged = true, .have_final = true, .block_size = 128 << 20,
				  .hotplugged = 8, .removed = removed };
	for (unsigned b = 0; pol && !strcmp(pol, "online_movable") && b < 8; b++) {
		struct block_record *br = result_add_block(&r);

		br->index = 32 + b;
		br->final = FINAL_REMOVED;
		snprintf(br->zone, sizeof(br->zone), "Movable");
	}
	snprintf(sub, sizeof(sub), "%s/%s", dir, name);
	assert_int_equal(mkdir(sub, 0755), 0);
	if (result_write(&r, sub, &err))
		fail_msg("%s", err.msg);
	result_free(&r);
}

/* Sweep points gathered by their base, keys in the order first seen, each
 * key's values in the points' order, and blocks removed pooled by value. */
static void test_sweep_grouping(void **state)
{
	char dir[] = "/tmp/memhp-report-sweep-XXXXXX", *paths[1] = { dir }, *text = NULL;
	const char *values[8], *variants[8];
	struct report rep;
	struct stats st;
	struct err err;
	unsigned of;
	size_t runs, len = 0;
	double mov;
	FILE *mem;

	(void)state;
	assert_non_null(mkdtemp(dir));
	put_run(dir, "a", "base", "online_kernel", "false", 6, "2026-12-02T00:00:01Z");
	put_run(dir, "b", "fix", "online_kernel", "false", 7, "2026-12-02T00:00:02Z");
	put_run(dir, "c", "base", "online_kernel", "true", 4, "2026-12-02T00:00:03Z");
	put_run(dir, "d", "base", "online_movable", "false", 8, "2026-12-02T00:00:04Z");
	put_run(dir, "e", "base", "auto-movable", NULL, 5, "2026-12-02T00:00:05Z");
	put_run(dir, "f", "base", NULL, NULL, 3, "2026-12-02T00:00:06Z");
	if (report_load(&rep, paths, 1, NULL, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(rep.nscenarios, 5);
	assert_int_equal(rep.nsweeps, 1); /* the plain run "q" is in none */
	assert_string_equal(rep.sweeps[0].base, "q");
	assert_int_equal(rep.sweeps[0].n, 4);
	assert_int_equal(rep.sweeps[0].nkeys, 2);
	assert_string_equal(rep.sweeps[0].keys[1], "online.memmap_on_memory");
	assert_int_equal(report_sweep_values(&rep, &rep.sweeps[0], 0, values, 8), 3);
	assert_string_equal(values[0], "online_kernel");
	assert_string_equal(values[2], "auto-movable");
	/* A point that does not set a key has no value for it. */
	assert_int_equal(report_sweep_values(&rep, &rep.sweeps[0], 1, values, 8), 2);
	assert_int_equal(report_sweep_variants(&rep, &rep.sweeps[0], variants, 8), 2);
	assert_string_equal(variants[1], "fix");
	report_sweep_stats(&rep, &rep.sweeps[0], 0, "online_kernel", "base", &st, &of, &mov, &runs);
	assert_int_equal(st.n, 2);
	assert_true(st.mean == 5.0 && st.min == 4 && st.max == 6 && of == 8 && runs == 2);
	report_sweep_stats(&rep, &rep.sweeps[0], 1, "false", "base", &st, &of, &mov, &runs);
	assert_true(st.n == 2 && st.mean == 7.0);
	report_sweep_stats(&rep, &rep.sweeps[0], 1, "false", "fix", &st, &of, &mov, &runs);
	assert_true(st.n == 1 && st.mean == 7.0);
	mem = open_memstream(&text, &len);
	assert_non_null(mem);
	report_text(mem, &rep, false);
	fclose(mem);
	assert_non_null(strstr(text, "== sweep of q: 4 points"));
	assert_non_null(strstr(text, "\nby online.policy (the other swept keys' values together)\n"));
	if (!strstr(text, "\nonline_kernel  base      2/2     5.0     4     6     8     0.0\n"))
		fail_msg("%s", text);
	/* The blocks the guest onlined to ZONE_MOVABLE, as recorded. */
	assert_non_null(strstr(text, "\nonline_movable base      1/1     8.0     8     8     8     8.0\n"));
	free(text);
	report_free(&rep);
	for (const char *n = "abcdef"; *n; n++) {
		char p[600];

		snprintf(p, sizeof(p), "%s/%c/result.json", dir, *n);
		unlink(p);
		*strrchr(p, '/') = '\0';
		rmdir(p);
	}
	rmdir(dir);
}

/* Issue 28: the text report says, run by run, when the guest onlined to
 * another zone than the scenario asked, and which setting it did not take. */
static void test_zone_mismatch_said(void **state)
{
	char dir[] = "/tmp/memhp-report-zones-XXXXXX", *paths[1] = { dir }, *text = NULL;
	const char *names[2] = { "ok-run", "bad-run" };
	struct report rep;
	struct err err;
	size_t len = 0;
	FILE *mem;

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (unsigned n = 0; n < 2; n++) {
		struct run_record r;
		char sub[512];

		result_init(&r);
		snprintf(r.run_id, sizeof(r.run_id), "%s", names[n]);
		snprintf(r.started, sizeof(r.started), "2026-12-05T00:00:0%uZ", n);
		snprintf(r.variant, sizeof(r.variant), "k7.2");
		snprintf(r.scenario_name, sizeof(r.scenario_name), "quick-dimm");
		snprintf(r.policy, sizeof(r.policy), "online_movable");
		snprintf(r.expected_zone, sizeof(r.expected_zone), "Movable");
		r.repeat = n + 1;
		r.count = (struct count){ .have_plugged = true, .have_final = true,
					  .block_size = 128 << 20, .hotplugged = 4, .removed = 4 };
		for (unsigned b = 0; b < 4; b++) {
			struct block_record *br = result_add_block(&r);

			br->index = 32 + b;
			br->final = FINAL_REMOVED;
			snprintf(br->zone, sizeof(br->zone), "%s", n && b < 3 ? "Normal" : "Movable");
		}
		r.zone_mismatches = n ? 3 : 0;
		if (n)
			r.onlining = json_tokener_parse(
				"{\"not_as_asked\": [{\"setting\": \"memmap_on_memory\", "
				"\"asked\": \"force\", \"guest\": \"N\"}]}");
		snprintf(sub, sizeof(sub), "%s/%s", dir, names[n]);
		assert_int_equal(mkdir(sub, 0755), 0);
		if (result_write(&r, sub, &err))
			fail_msg("%s", err.msg);
		result_free(&r);
	}
	if (report_load(&rep, paths, 1, NULL, &err))
		fail_msg("%s", err.msg);
	mem = open_memstream(&text, &len);
	assert_non_null(mem);
	report_text(mem, &rep, false);
	fclose(mem);
	if (!strstr(text, "\nzone mismatch  bad-run (k7.2, repeat 2): 3 of 4 hot-added blocks "
			  "onlined to Normal (3), not to Movable as online_movable asked\n"))
		fail_msg("%s", text);
	assert_non_null(strstr(text, "\nnot as asked   bad-run (k7.2, repeat 2): the guest's "
				     "memmap_on_memory is N, not force\n"));
	assert_null(strstr(text, "ok-run ("));
	free(text);
	report_free(&rep);
	for (unsigned n = 0; n < 2; n++) {
		char p[600];

		snprintf(p, sizeof(p), "%s/%s/result.json", dir, names[n]);
		unlink(p);
		*strrchr(p, '/') = '\0';
		rmdir(p);
	}
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_bytes_clamps),
		cmocka_unit_test(test_bytes_unplugged),
		cmocka_unit_test(test_sweep_grouping),
		cmocka_unit_test(test_zone_mismatch_said),
	};

	return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
