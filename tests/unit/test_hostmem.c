// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host memory returned (issue 25): the emulator's RSS from smaps_rollup, and
 * the result's three points and the derived rss_returned, written and read
 * back, null when not measured; and compare's metric rss_returned_mib,
 * decided only when asked for.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "backend.h"
#include "compare.h"
#include "result.h"

/* /proc/PID/smaps_rollup of a QEMU on Linux 6.1 (the first lines). */
static const char rollup[] =
	"55d0c6a00000-7ffd3c1f6000 ---p 00000000 00:00 0                          [rollup]\n"
	"Rss:             1324172 kB\n"
	"Pss:             1322611 kB\n"
	"Pss_Anon:        1301224 kB\n"
	"Shared_Clean:       3128 kB\n";

static void test_smaps_rss(void **state)
{
	(void)state;
	assert_int_equal(backend_smaps_rss(rollup), 1324172ULL * 1024);
	/* Pss_Rss or a line that only contains "Rss:" further in is not it */
	assert_int_equal(backend_smaps_rss("Pss: 5 kB\nSwapRss: 7 kB\n"), 0);
	assert_int_equal(backend_smaps_rss(""), 0);
	assert_int_equal(backend_smaps_rss("Rss: x kB\n"), 0);
}

static json_object *vmm_field(json_object *root, const char *key)
{
	json_object *vmm = json_object_object_get(root, "vmm");

	return json_object_object_get(vmm, key);
}

static void test_result_fields(void **state)
{
	struct run_record r, back;
	struct err err;
	json_object *j;

	(void)state;
	result_init(&r);
	r.status = RUN_FAILED;
	r.vmm_rss.have_before = true;
	r.vmm_rss.before = 300ULL << 20;
	r.vmm_rss.have_loaded = true;
	r.vmm_rss.loaded = 1400ULL << 20;
	j = result_to_json(&r);
	/* after unplug not measured: null, and so is what was returned */
	assert_null(vmm_field(j, "rss_after_unplug"));
	assert_null(vmm_field(j, "rss_returned"));
	assert_int_equal(json_object_get_uint64(vmm_field(j, "rss_loaded")), 1400ULL << 20);
	json_object_put(j);

	r.vmm_rss.have_after = true;
	r.vmm_rss.after = 500ULL << 20;
	j = result_to_json(&r);
	assert_int_equal(json_object_get_uint64(vmm_field(j, "rss_returned")), 900ULL << 20);
	assert_int_equal(result_from_json(j, &back, &err), 0);
	assert_true(back.vmm_rss.have_before && back.vmm_rss.have_loaded && back.vmm_rss.have_after);
	assert_int_equal(back.vmm_rss.after, 500ULL << 20);
	assert_int_equal(result_rss_returned(&back), 900ULL << 20);
	result_free(&back);
	json_object_put(j);

	/* RSS that grew over the unplug returned nothing */
	r.vmm_rss.after = 2000ULL << 20;
	assert_int_equal(result_rss_returned(&r), 0);
	result_free(&r);
}

/* compare's rss_returned_mib: the derived value in MiB, none (NaN) when a
 * point is missing, decided only when --metric names it; an unplug that
 * gives nothing back against one that gives most of it is a regression. */
static void test_compare_metric(void **state)
{
	const struct metric *m = compare_metric("rss_returned_mib");
	struct compare_opts o = { .alpha = 0.05, .min_effect_pct = 1, .min_repeats = 3 };
	/* the mixed unplug of test_scenarios25 (750 MiB back), and the
	 * untouched virtio-mem case of docs/benchmarks.md (5.5 MiB) */
	const double b[] = { 751, 748, 755, 750 }, k[] = { 5.5, 6, 4.5, 5 };
	struct comparison c;
	struct run_record r;

	(void)state;
	assert_non_null(m);
	assert_string_equal(m->unit, "MiB");
	assert_int_equal(m->better, +1);
	result_init(&r);
	assert_true(isnan(compare_value(m, &r)));
	r.vmm_rss.have_loaded = r.vmm_rss.have_after = true;
	r.vmm_rss.loaded = 1306ULL << 20;
	r.vmm_rss.after = 555ULL << 20;
	assert_float_equal(compare_value(m, &r), 751, 1e-9);
	r.vmm_rss.have_after = false;
	assert_true(isnan(compare_value(m, &r)));
	result_free(&r);

	/* not in the default set (results without RSS points would be errors),
	 * the other metrics are */
	assert_false(compare_metric_wanted(m, &o));
	assert_false(compare_metric_wanted(m, NULL));
	assert_true(compare_metric_wanted(compare_metric("blocks_removed"), &o));
	o.metric = "rss_returned_mib";
	assert_true(compare_metric_wanted(m, &o));
	assert_true(compare_metric_wanted(compare_metric("unplug_s"), &o));

	compare_values(&c, m, b, 4, k, 4, &o);
	assert_int_equal(c.verdict, V_REGRESSION);
	compare_values(&c, m, k, 4, b, 4, &o);
	assert_int_equal(c.verdict, V_BETTER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smaps_rss),
		cmocka_unit_test(test_result_fields),
		cmocka_unit_test(test_compare_metric),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
