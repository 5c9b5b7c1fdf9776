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
#include "image.h"
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

/* $MEMHP_CACHE, then $XDG_CACHE_HOME/memhp, then ~/.cache/memhp, as
 * build-image; memhp rerun reads a cached image's kernel_id from there. */
static void test_cache_dir(void **state)
{
	char buf[4200], dir[] = "/tmp/memhp-cache-XXXXXX", path[4400], id[64];
	const char *home = getenv("HOME"), *xdg = getenv("XDG_CACHE_HOME");
	char *saved_home = home ? strdup(home) : NULL, *saved_xdg = xdg ? strdup(xdg) : NULL;
	FILE *f;

	(void)state;
	setenv("HOME", "/home/u", 1);
	unsetenv("XDG_CACHE_HOME");
	unsetenv("MEMHP_CACHE");
	assert_string_equal(memhp_cache_dir(buf, sizeof(buf)), "/home/u/.cache/memhp");
	setenv("XDG_CACHE_HOME", "/xdg", 1);
	assert_string_equal(memhp_cache_dir(buf, sizeof(buf)), "/xdg/memhp");
	setenv("MEMHP_CACHE", "", 1); /* empty: unset */
	assert_string_equal(memhp_cache_dir(buf, sizeof(buf)), "/xdg/memhp");
	assert_non_null(mkdtemp(dir));
	setenv("MEMHP_CACHE", dir, 1);
	assert_string_equal(memhp_cache_dir(buf, sizeof(buf)), dir);

	snprintf(path, sizeof(path), "%s/images", dir);
	assert_int_equal(make_dirs(path), 0);
	snprintf(path, sizeof(path), "%s/images/k1", dir);
	assert_int_equal(make_dirs(path), 0);
	snprintf(path, sizeof(path), "%s/images/k1/image.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"kernel_id\": \"linux-image-6.1.0-56-cloud-amd64 6.1.158-1\"}\n", f);
	fclose(f);
	image_cached_kernel_id("k1", id, sizeof(id));
	assert_string_equal(id, "linux-image-6.1.0-56-cloud-amd64 6.1.158-1");
	image_cached_kernel_id("k2", id, sizeof(id));
	assert_string_equal(id, "");

	unlink(path);
	snprintf(path, sizeof(path), "%s/images/k1", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/images", dir);
	rmdir(path);
	rmdir(dir);
	unsetenv("MEMHP_CACHE");
	if (saved_xdg)
		setenv("XDG_CACHE_HOME", saved_xdg, 1);
	else
		unsetenv("XDG_CACHE_HOME");
	if (saved_home)
		setenv("HOME", saved_home, 1);
	free(saved_home);
	free(saved_xdg);
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
			method = !strcmp(row.type, "virtio-mem, dimm, dax-kmem");
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
		cmocka_unit_test(test_cache_dir),
		cmocka_unit_test(test_kcidb_origin),
		cmocka_unit_test(test_key_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
