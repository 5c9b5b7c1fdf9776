// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host memory returned (issue 25): the emulator's RSS from smaps_rollup, and
 * the result's three points and the derived rss_returned, written and read
 * back, null when not measured.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "backend.h"
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smaps_rss),
		cmocka_unit_test(test_result_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
