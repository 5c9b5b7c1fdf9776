// SPDX-License-Identifier: GPL-2.0-only
/* Where memhp finds its data (datadir.c), KCIDB origins, and the scenario key
 * rows memhp-scenario(5) is generated from. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "datadir.h"
#include "report_kcidb.h"
#include "scenario.h"

static void test_env_overrides(void **state)
{
	(void)state;
	setenv("MEMHP_DATADIR", "/srv/memhp-data", 1);
	memhp_datadir_reset();
	assert_string_equal(memhp_datadir(), "/srv/memhp-data");
	assert_string_equal(memhp_probe_path(), "/srv/memhp-data/guest-image/probe/memhp-probe");
	unsetenv("MEMHP_DATADIR");
	memhp_datadir_reset();
}

/* Empty counts as unset; without it this test program (build/unit/, no
 * share/memhp beside it) ends at the source tree, which has the data. */
static void test_fallback_has_data(void **state)
{
	char path[4200];

	(void)state;
	setenv("MEMHP_DATADIR", "", 1);
	memhp_datadir_reset();
	snprintf(path, sizeof(path), "%s/guest-image/build-image", memhp_datadir());
	assert_int_equal(access(path, R_OK), 0);
	assert_string_equal(memhp_datadir(), MEMHP_DATADIR);
	unsetenv("MEMHP_DATADIR");
	memhp_datadir_reset();
}

static void test_kcidb_origin(void **state)
{
	(void)state;
	assert_true(kcidb_origin_valid("memhp"));
	assert_true(kcidb_origin_valid("lab_2"));
	assert_false(kcidb_origin_valid(""));
	assert_false(kcidb_origin_valid(NULL));
	assert_false(kcidb_origin_valid("Memhp"));
	assert_false(kcidb_origin_valid("a-b"));
	assert_false(kcidb_origin_valid("a:b"));
	assert_false(kcidb_origin_valid("a b"));
}

static void test_key_rows(void **state)
{
	struct scenario_key_row row;
	size_t n = 0;
	bool memory = false, method = false;

	(void)state;
	while (scenario_key_row(n, &row)) {
		assert_non_null(row.section);
		assert_non_null(row.name);
		assert_non_null(row.help);
		if (!strcmp(row.name, "memory") && !strcmp(row.section, "machine"))
			memory = !strcmp(row.type, "size") && !strcmp(row.def, "1G");
		if (!strcmp(row.name, "method"))
			method = !strcmp(row.type, "virtio-mem, dimm");
		n++;
	}
	assert_true(n > 20);
	assert_true(memory);
	assert_true(method);
	assert_false(scenario_key_row(n + 1000, &row));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env_overrides),
		cmocka_unit_test(test_fallback_has_data),
		cmocka_unit_test(test_kcidb_origin),
		cmocka_unit_test(test_key_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
