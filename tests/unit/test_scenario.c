// SPDX-License-Identifier: GPL-2.0-only
/* Scenario parsing, every error path, and size/duration units. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "backend.h"
#include "hotplug.h"
#include "scenario.h"
#include "units.h"

static void test_defaults(void **state)
{
	struct scenario sc;
	struct err err;
	char cmd[512];

	(void)state;
	assert_int_equal(scenario_load_string(&sc, "dir/empty.ini", "", &err), 0);
	assert_string_equal(sc.name, "empty");
	assert_int_equal(sc.memory, 1ULL << 30);
	assert_int_equal(sc.total, 1ULL << 30);
	assert_int_equal(sc.method, METHOD_VIRTIO_MEM);
	assert_int_equal(sc.policy, POLICY_ONLINE_MOVABLE);
	assert_int_equal(sc.settle_ms, 10000);
	assert_int_equal(sc.repeats, 1);
	assert_int_equal(scenario_maxmem(&sc), 2ULL << 30);
	assert_int_equal(scenario_slots(&sc), 1);
	scenario_policy_cmdline(&sc, cmd, sizeof(cmd));
	assert_string_equal(cmd, "memhp_default_state=online_movable "
				 "memory_hotplug.online_policy=contig-zones "
				 "memory_hotplug.memmap_on_memory=0");
	assert_int_equal(strlen(sc.sha256), 64);
	scenario_free(&sc);
}

static void test_full_dimm_scenario(void **state)
{
	static const char text[] =
		"; comment\n"
		"[machine]\nmemory = 4GiB\ncpus = 4\nslots = 16\naccel = tcg\n"
		"[hotplug]\nmethod = dimm\ntotal = 2G\ndimm_size = 512M\n"
		"[online]\npolicy = auto-movable\nauto_movable_ratio = 200\nmemmap_on_memory = yes\n"
		"[unplug]\norder = forward\ndeadline = 500ms\nsettle = 2m\nretries = 0\n";
	struct scenario sc;
	struct err err;
	char cmd[512];

	(void)state;
	assert_int_equal(scenario_load_string(&sc, "d.ini", text, &err), 0);
	assert_int_equal(sc.memory, 4ULL << 30);
	assert_int_equal(scenario_dimm_count(&sc), 4);
	assert_int_equal(scenario_slots(&sc), 16);
	assert_int_equal(sc.accel, ACCEL_TCG);
	assert_int_equal(sc.order, ORDER_FORWARD);
	assert_int_equal(sc.deadline_ms, 500);
	assert_int_equal(sc.settle_ms, 120000);
	assert_int_equal(sc.retries, 0);
	scenario_policy_cmdline(&sc, cmd, sizeof(cmd));
	assert_string_equal(cmd, "memhp_default_state=online "
				 "memory_hotplug.online_policy=auto-movable "
				 "memory_hotplug.auto_movable_ratio=200 "
				 "memory_hotplug.memmap_on_memory=1");
	scenario_free(&sc);
}

/* Each bad input and the exact message it must produce. */
static const struct {
	const char *text;
	const char *msg;
} bad[] = {
	{ "[machine]\nmemory = 1G\nbogus = 1\n",
	  "t.ini:3: unknown key 'bogus' in [machine] (see 'memhp help scenario')" },
	{ "[nosuch]\nkey = 1\n", "t.ini:2: unknown section [nosuch] (see 'memhp help scenario')" },
	{ "memory = 1G\n", "t.ini:1: key 'memory' outside any section" },
	{ "[machine]\nmemory = 1X\n",
	  "t.ini:2: [machine] memory: '1X' is not a size (use e.g. 128M, 4G, 4GiB)" },
	{ "[machine]\nmemory = 1.5G\n",
	  "t.ini:2: [machine] memory: '1.5G' is not a size (use e.g. 128M, 4G, 4GiB)" },
	{ "[machine]\nmemory = 64M\n",
	  "t.ini:2: [machine] memory: 64 MiB is below the minimum of 128 MiB" },
	{ "[machine]\ncpus = 0\n", "t.ini:2: [machine] cpus: 0 is out of range [1, 64]" },
	{ "[machine]\ncpus = -1\n", "t.ini:2: [machine] cpus: '-1' is not a non-negative integer" },
	{ "[online]\nmemmap_on_memory = maybe\n",
	  "t.ini:2: [online] memmap_on_memory: 'maybe' is not a boolean (true/false) or force" },
	{ "[hotplug]\nmethod = acpi\n",
	  "t.ini:2: [hotplug] method: 'acpi' is not one of virtio-mem dimm dax-kmem" },
	{ "[unplug]\nsettle = soon\n",
	  "t.ini:2: [unplug] settle: 'soon' is not a duration (use e.g. 500ms, 10s, 2m)" },
	{ "[machine]\nmemory = 1G\n\nmemory = 2G\n",
	  "t.ini:4: [machine] memory is set twice (first on line 2)" },
	{ "[machine\nmemory = 1G\n", "t.ini:1: syntax error (expected [section] or key = value)" },
	{ "[hotplug]\ntotal = 1000M\n",
	  "t.ini:2: [hotplug] total 1000 MiB is not a multiple of the 128 MiB memory block" },
	{ "[hotplug]\nmethod = dimm\ndimm_size = 192M\ntotal = 384M\n",
	  "t.ini:3: [hotplug] dimm_size 192 MiB is not a multiple of the 128 MiB memory block" },
	{ "[hotplug]\nmethod = dimm\ndimm_size = 512M\ntotal = 768M\n",
	  "t.ini:4: [hotplug] total 768 MiB is not a multiple of dimm_size 512 MiB" },
	{ "[hotplug]\nmethod = dimm\ndimm_size = 128M\ntotal = 33G\n",
	  "t.ini:4: [hotplug] 264 DIMMs of 128 MiB: QEMU has at most 256 slots" },
	{ "[machine]\nslots = 2\n[hotplug]\nmethod = dimm\ntotal = 1G\n",
	  "t.ini:2: [machine] slots 2 is fewer than the 4 DIMMs to plug" },
	{ "[machine]\nmaxmem = 2G\n[hotplug]\ntotal = 2G\n",
	  "t.ini:2: [machine] maxmem 2 GiB is less than memory 1 GiB + hotplug total 2 GiB" },
	{ "[hotplug]\nblock_size = 6M\ntotal = 384M\n",
	  "t.ini:2: [hotplug] block_size 6 MiB is not a power of two" },
	{ "[guest]\ncmdline = x\n[run]\nrepeats = 0\n",
	  "t.ini:4: [run] repeats: 0 is out of range [1, 1000]" },
	{ "[workload]\nmix = anon:50 swap:50\n",
	  "t.ini:2: [workload] mix: unknown workload kind 'swap' (see docs/workloads.md)" },
	{ "[workload]\nmix = anon\n", "t.ini:2: [workload] mix: 'anon' is not KIND:SHARE" },
	{ "[workload]\nmix = anon:0\n",
	  "t.ini:2: [workload] mix: share of anon: '0' is not a number from 1 to 1000" },
	{ "[workload]\nmix = pgtable:x\n",
	  "t.ini:2: [workload] mix: share of pgtable: 'x' is not a number from 1 to 1000" },
	{ "[workload]\nmix = ,\n", "t.ini:2: [workload] mix names no workload" },
	{ "[workload]\nfill = 101%\n",
	  "t.ini:2: [workload] fill: '101%' is not a percentage from 1% to 100%" },
	{ "[workload]\nfill = lots\n",
	  "t.ini:2: [workload] fill: 'lots' is neither a size nor a percentage" },
	{ "[workload]\nduring_unplug = pause\n",
	  "t.ini:2: [workload] during_unplug: 'pause' is not one of stop keep" },
	{ "[machine]\nmemory = 1025M\n",
	  "t.ini:2: [machine] memory 1025 MiB is not a multiple of 2 MiB" },
	/* Issue 13, defect 4: 0 is checked like any value (dimm_size and
	 * block_size 0 divided by zero), sums cannot wrap, durations that would
	 * overflow a deadline or mean "fail at once" are refused. */
	{ "[hotplug]\nmethod = dimm\ndimm_size = 0\n",
	  "t.ini:3: [hotplug] dimm_size: 0 B is below the minimum of 128 MiB" },
	{ "[hotplug]\nblock_size = 0\n",
	  "t.ini:2: [hotplug] block_size: 0 B is below the minimum of 2 MiB" },
	{ "[machine]\nmemory = 0\n",
	  "t.ini:2: [machine] memory: 0 B is below the minimum of 128 MiB" },
	{ "[hotplug]\ntotal = 0\n",
	  "t.ini:2: [hotplug] total: 0 B is below the minimum of 128 MiB" },
	{ "[machine]\nmemory = 16777215T\n[hotplug]\ntotal = 64T\n",
	  "t.ini:2: [machine] memory: 16777215 TiB is above the maximum of 1024 TiB" },
	{ "[machine]\nmemory = 1024T\n[hotplug]\ntotal = 64T\n",
	  "t.ini:4: [hotplug] memory 1024 TiB + total 64 TiB is above the maximum of 1024 TiB" },
	{ "[machine]\nmaxmem = 2048T\n",
	  "t.ini:2: [machine] maxmem: 2048 TiB is above the maximum of 1024 TiB" },
	{ "[run]\nboot_timeout = 0\n",
	  "t.ini:2: [run] boot_timeout: '0' is below the minimum of 1ms" },
	{ "[online]\ntimeout = 0ms\n",
	  "t.ini:2: [online] timeout: '0ms' is below the minimum of 1ms" },
	{ "[unplug]\ndeadline = 0s\n",
	  "t.ini:2: [unplug] deadline: '0s' is below the minimum of 1ms" },
	{ "[run]\nboot_timeout = 9223372036854775807ms\n",
	  "t.ini:2: [run] boot_timeout: '9223372036854775807ms' is above the maximum of 720h" },
	{ "[online]\ntimeout = 2562047788015h\n",
	  "t.ini:2: [online] timeout: '2562047788015h' is above the maximum of 720h" },
	{ "[workload]\nduration = 99999999999999999999\n",
	  "t.ini:2: [workload] duration: '99999999999999999999' is above the maximum of 720h" },
	{ "[unplug]\nsettle = 721h\n",
	  "t.ini:2: [unplug] settle: '721h' is above the maximum of 720h" },
	/* Defect 15: every digit counts. */
	{ "[workload]\nfill = 0000000000000000000000000000101%\n",
	  "t.ini:2: [workload] fill: '0000000000000000000000000000101%' is not a percentage "
	  "from 1% to 100%" },
	{ "[workload]\nfill = +10%\n",
	  "t.ini:2: [workload] fill: '+10%' is not a percentage from 1% to 100%" },
	/* Issue 26, items 9 and 11: fill and stall_timeout have limits. */
	{ "[workload]\nfill = 18446744073709551615\n",
	  "t.ini:2: [workload] fill: 16777216.00 TiB is above the maximum of 1024 TiB" },
	{ "[workload]\nfill = 16777215T\n",
	  "t.ini:2: [workload] fill: 16777215 TiB is above the maximum of 1024 TiB" },
	{ "[workload]\nfill = 0\n",
	  "t.ini:2: [workload] fill: 0 B is below the minimum of 1 MiB" },
	{ "[workload]\nstall_timeout = 9223372036854775807ms\n",
	  "t.ini:2: [workload] stall_timeout: '9223372036854775807ms' is above the maximum of "
	  "720h" },
	{ "[workload]\nstall_timeout = 721h\n",
	  "t.ini:2: [workload] stall_timeout: '721h' is above the maximum of 720h" },
	/* Issue 26, item 6: what inih drops silently is a syntax error. */
	{ "[hotplug] total = 64G\n",
	  "t.ini:1: syntax error: 'total = 64G' after the section header [hotplug] (a [section] "
	  "stands alone on its line)" },
	{ "; a comment\n[machine]]]\nmemory = 2G\n",
	  "t.ini:2: syntax error: ']]' after the section header [machine] (a [section] stands "
	  "alone on its line)" },
	{ "[machine]\rmemory = 2G\r[hotplug]\rtotal = 64G\r",
	  "t.ini:1: a carriage return inside the line (a file with old Mac line ends?); lines "
	  "end in LF or CRLF" },
	{ "[machine]\r\nmemory = 2G\r\n  [hotplug]x\r\n",
	  "t.ini:3: syntax error: 'x' after the section header [hotplug] (a [section] stands "
	  "alone on its line)" },
};

static void test_errors_name_file_line_and_value(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct scenario sc;
		struct err err = { "" };
		int rc = scenario_load_string(&sc, "t.ini", bad[i].text, &err);

		if (rc != -EINVAL || strcmp(err.msg, bad[i].msg))
			fail_msg("case %zu: rc %d, message\n  got:  %s\n  want: %s", i, rc, err.msg,
				 bad[i].msg);
		scenario_free(&sc);
	}
}

static void test_workload_keys(void **state)
{
	struct scenario sc;
	struct err err;

	(void)state;
	assert_int_equal(scenario_load_string(&sc, "w.ini",
					      "[workload]\nmix = anon:3, pgtable:1\nfill = 25%\n"
					      "during_unplug = keep\nduration = 45m\n", &err), 0);
	assert_int_equal(sc.fill.percent, 25);
	assert_int_equal(scenario_fill_bytes(&sc, 4ULL << 30), 1ULL << 30);
	assert_int_equal(sc.during_unplug, DURING_UNPLUG_KEEP);
	assert_int_equal(sc.workload_ms, 45 * 60000);
	scenario_free(&sc);
	assert_int_equal(scenario_load_string(&sc, "w.ini", "[workload]\nfill = 12G\n", &err), 0);
	assert_int_equal(sc.fill.percent, 0);
	assert_int_equal(scenario_fill_bytes(&sc, 4ULL << 30), 12ULL << 30);
	assert_string_equal(sc.mix, "");
	scenario_free(&sc);
}

/* Issue 13, defect 15: "0000000000000010%" was cut to 15 digits, i.e. 1%. */
static void test_fill_percent_every_digit(void **state)
{
	struct scenario sc;
	struct err err;

	(void)state;
	if (scenario_load_string(&sc, "w.ini", "[workload]\nfill = 0000000000000010%\n", &err))
		fail_msg("%s", err.msg);
	assert_int_equal(sc.fill.percent, 10);
	scenario_free(&sc);
	if (scenario_load_string(&sc, "w.ini", "[workload]\nfill = 100%\n", &err))
		fail_msg("%s", err.msg);
	assert_int_equal(sc.fill.percent, 100);
	scenario_free(&sc);
}

/* The longest durations and sizes accepted still make a deadline that fits. */
static void test_limits_accepted(void **state)
{
	struct scenario sc;
	struct err err;

	(void)state;
	if (scenario_load_string(&sc, "l.ini", "[run]\nboot_timeout = 720h\n"
						"[online]\ntimeout = 1ms\n"
						"[machine]\nmemory = 512T\n"
						"[hotplug]\ntotal = 512T\nblock_size = 128M\n", &err))
		fail_msg("%s", err.msg);
	assert_int_equal(sc.timeout_boot_ms, 720LL * 3600 * 1000);
	assert_true(sc.timeout_boot_ms < INT64_MAX / 2);
	assert_int_equal(sc.timeout_online_ms, 1);
	assert_int_equal(scenario_maxmem(&sc), 1ULL << 50);
	scenario_free(&sc);
}

/*
 * Issue 13, defect 5: Debian's inih reads lines into 200 bytes and took the
 * rest of a longer one as a line of its own, so a long backend_path could
 * set another key. Such a line is an error naming the file and line.
 */
static void test_overlong_line(void **state)
{
	char text[1024], pad[300];
	struct scenario sc;
	struct err err = { "" };
	int rc;

	(void)state;
	/* The cut falls so that "total = 4G" starts a line of its own. */
	memset(pad, 'a', sizeof(pad));
	snprintf(text, sizeof(text), "[hotplug]\nbackend_path = /%.*stotal = 4G\n",
		 199 - (int)strlen("backend_path = /"), pad);
	rc = scenario_load_string(&sc, "long.ini", text, &err);
	assert_int_equal(rc, -EINVAL);
	assert_string_equal(err.msg, "long.ini:2: line is 209 bytes long; at most 197 fit in a line "
				     "(split the value or shorten the path)");
	scenario_free(&sc);

	/* The longest line that fits is read whole, with "\r\n" too. */
	snprintf(text, sizeof(text), "[hotplug]\r\nbackend_path = /%.*s\r\n",
		 197 - (int)strlen("backend_path = /"), pad);
	if (scenario_load_string(&sc, "ok.ini", text, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(strlen(sc.backend_path), 197 - strlen("backend_path = "));
	scenario_free(&sc);

	/* One more byte, on the last line without a newline: refused. */
	snprintf(text, sizeof(text), "[guest]\ncmdline = %.*s",
		 198 - (int)strlen("cmdline = "), pad);
	assert_int_equal(scenario_load_string(&sc, "eof.ini", text, &err), -EINVAL);
	assert_string_equal(err.msg, "eof.ini:2: line is 198 bytes long; at most 197 fit in a line "
				     "(split the value or shorten the path)");
	scenario_free(&sc);

	/* An error on an earlier line is the one reported. */
	snprintf(text, sizeof(text), "[machine]\ncpus = 0\n[guest]\ncmdline = %.*s\n",
		 250, pad);
	assert_int_equal(scenario_load_string(&sc, "two.ini", text, &err), -EINVAL);
	assert_string_equal(err.msg, "two.ini:2: [machine] cpus: 0 is out of range [1, 64]");
	scenario_free(&sc);
}

/* A file with a NUL byte, and an empty file (the defaults). */
static void test_file_contents(void **state)
{
	char path[] = "/tmp/memhp-test-scenario-XXXXXX";
	struct scenario sc;
	struct err err;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	if (scenario_load(&sc, path, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(sc.memory, 1ULL << 30);
	scenario_free(&sc);
	assert_int_equal(write(fd, "[run]\0\n", 7), 7);
	close(fd);
	assert_int_equal(scenario_load(&sc, path, &err), -EINVAL);
	assert_non_null(strstr(err.msg, ": contains a NUL byte"));
	unlink(path);
}

/* Issue 26, item 6: what inih would have taken is still taken: CRLF line
 * ends and a comment after a section header. */
static void test_section_lines_kept(void **state)
{
	struct scenario sc;
	struct err err;

	(void)state;
	if (scenario_load_string(&sc, "crlf.ini", "[machine]  ; the guest\r\nmemory = 2G\r\n"
				 "[hotplug] # what is plugged\r\ntotal = 512M\r\n", &err))
		fail_msg("%s", err.msg);
	assert_int_equal(sc.memory, 2ULL << 30);
	scenario_free(&sc);
}

/* Issue 26, items 5 and 15: a FIFO or device as a scenario is refused before
 * it is read (it hung, or grew memory until OOM); names that would give
 * empty or hidden run directories, or be cut, are refused. */
static void test_not_regular_and_bad_names(void **state)
{
	char dir[] = "/tmp/memhp-test-scenario-XXXXXX", path[256], big[200];
	struct scenario sc;
	struct err err;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fifo.ini", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(scenario_load(&sc, path, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "fifo.ini: not a regular file (a FIFO)"));
	unlink(path);
	assert_int_equal(scenario_load(&sc, "/dev/zero", &err), -EINVAL);
	assert_string_equal(err.msg, "/dev/zero: not a regular file (a device); refusing to read it");
	rmdir(dir);

	assert_int_equal(scenario_load_string(&sc, "d/.ini", "", &err), -EINVAL);
	assert_string_equal(err.msg, "d/.ini: the scenario's name is empty (a file named .ini?)");
	assert_int_equal(scenario_load_string(&sc, ".hidden.ini", "", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "'.hidden' starts with a dot"));
	memset(big, 'a', sizeof(big));
	memcpy(big + sizeof(big) - 5, ".ini", 5);
	assert_int_equal(scenario_load_string(&sc, big, "", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "is 195 bytes long; at most 127 fit"));
	assert_int_equal(scenario_name_check("../../x", &err), -EINVAL);
	assert_int_equal(scenario_name_check("ok-name", &err), 0);
}

static void test_missing_file(void **state)
{
	struct scenario sc;
	struct err err;

	(void)state;
	assert_int_equal(scenario_load(&sc, "/nonexistent/x.ini", &err), -ENOENT);
	assert_string_equal(err.msg, "/nonexistent/x.ini: No such file or directory");
}

/* Every shipped scenario parses. */
static void test_shipped_scenarios_load(void **state)
{
	char dirpath[4096], path[8192];
	struct dirent *de;
	unsigned n = 0;
	DIR *d;

	(void)state;
	snprintf(dirpath, sizeof(dirpath), "%s/scenarios", MEMHP_DATADIR);
	d = opendir(dirpath);
	assert_non_null(d);
	while ((de = readdir(d))) {
		struct scenario sc;
		struct err err;
		size_t len = strlen(de->d_name);

		if (len < 5 || strcmp(de->d_name + len - 4, ".ini"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dirpath, de->d_name);
		if (scenario_load(&sc, path, &err))
			fail_msg("%s", err.msg);
		scenario_free(&sc);
		n++;
	}
	closedir(d);
	assert_true(n >= 4);
}

static void test_sizes(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(parse_size("128M", &v), 0);
	assert_int_equal(v, 128ULL << 20);
	assert_int_equal(parse_size("128MiB", &v), 0);
	assert_int_equal(v, 128ULL << 20);
	assert_int_equal(parse_size("2k", &v), 0);
	assert_int_equal(v, 2048);
	assert_int_equal(parse_size("56G", &v), 0);
	assert_int_equal(v, 56ULL << 30);
	assert_int_equal(parse_size("1T", &v), 0);
	assert_int_equal(v, 1ULL << 40);
	assert_int_equal(parse_size("8B", &v), 0);
	assert_int_equal(v, 8);
	assert_int_equal(parse_size("", &v), -EINVAL);
	assert_int_equal(parse_size("G", &v), -EINVAL);
	assert_int_equal(parse_size("1.5G", &v), -EINVAL);
	assert_int_equal(parse_size("-1G", &v), -EINVAL);
	assert_int_equal(parse_size("1GG", &v), -EINVAL);
	assert_int_equal(parse_size("1 G", &v), -EINVAL);
	assert_int_equal(parse_size("99999999999T", &v), -ERANGE);
	assert_int_equal(parse_size("99999999999999999999", &v), -ERANGE);
}

static void test_durations(void **state)
{
	int64_t v;

	(void)state;
	assert_int_equal(parse_duration_ms("10", &v), 0);
	assert_int_equal(v, 10000);
	assert_int_equal(parse_duration_ms("250ms", &v), 0);
	assert_int_equal(v, 250);
	assert_int_equal(parse_duration_ms("45m", &v), 0);
	assert_int_equal(v, 45 * 60000);
	assert_int_equal(parse_duration_ms("2h", &v), 0);
	assert_int_equal(v, 7200000);
	assert_int_equal(parse_duration_ms("1d", &v), -EINVAL);
	assert_int_equal(parse_duration_ms("s", &v), -EINVAL);
}

static void test_format_size(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(format_size(0, b, sizeof(b)), "0 B");
	assert_string_equal(format_size(128ULL << 20, b, sizeof(b)), "128 MiB");
	assert_string_equal(format_size(56ULL << 30, b, sizeof(b)), "56 GiB");
	assert_string_equal(format_size(1536ULL << 20, b, sizeof(b)), "1536 MiB");
	assert_string_equal(format_size(3ULL * 1000 * 1000 * 1000, b, sizeof(b)), "2.79 GiB");
}

/* [online] memmap_on_memory: a boolean, or force (Linux 6.6+). */
static void test_memmap_on_memory_force(void **state)
{
	static const struct {
		const char *value, *cmdline;
	} cases[] = {
		{ "false", "memory_hotplug.memmap_on_memory=0" },
		{ "true", "memory_hotplug.memmap_on_memory=1" },
		{ "yes", "memory_hotplug.memmap_on_memory=1" },
		{ "force", "memory_hotplug.memmap_on_memory=force" },
	};
	struct scenario sc;
	struct err err;
	char text[128], cmd[512];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "[online]\nmemmap_on_memory = %s\n", cases[i].value);
		assert_int_equal(scenario_load_string(&sc, "m.ini", text, &err), 0);
		scenario_policy_cmdline(&sc, cmd, sizeof(cmd));
		assert_non_null(strstr(cmd, cases[i].cmdline));
		scenario_free(&sc);
	}
	assert_int_equal(scenario_load_string(&sc, "m.ini", "[online]\nhvo = on\n", &err), 0);
	scenario_policy_cmdline(&sc, cmd, sizeof(cmd));
	assert_non_null(strstr(cmd, "memory_hotplug.memmap_on_memory=0 hugetlb_free_vmemmap=on"));
	scenario_free(&sc);
	assert_int_equal(scenario_load_string(&sc, "m.ini", "[online]\nhvo = off\n", &err), 0);
	scenario_policy_cmdline(&sc, cmd, sizeof(cmd));
	assert_non_null(strstr(cmd, " hugetlb_free_vmemmap=off"));
	scenario_free(&sc);
	assert_int_equal(scenario_load_string(&sc, "m.ini", "", &err), 0);
	scenario_policy_cmdline(&sc, cmd, sizeof(cmd));
	assert_null(strstr(cmd, "hugetlb_free_vmemmap"));
	scenario_free(&sc);
	assert_int_equal(scenario_load_string(&sc, "m.ini", "[online]\nmemmap_on_memory = Force\n",
					      &err), -EINVAL);
	assert_non_null(strstr(err.msg, "is not a boolean (true/false) or force"));
}

/* [hotplug] dynamic_memslots and unplugged_inaccessible reach the device. */
static void test_vmem_qemu_keys(void **state)
{
	struct vm_virtio_mem vmem;
	struct vm_config cfg = { 0 };
	struct scenario sc;
	struct err err;

	(void)state;
	assert_int_equal(scenario_load_string(&sc, "d.ini", "", &err), 0);
	assert_false(sc.vmem_dynamic_memslots);
	assert_int_equal(sc.vmem_unplugged_inaccessible, VMEM_DEFAULT);
	hotplug_for(sc.method)->configure(&sc, &cfg, &vmem);
	assert_false(vmem.dynamic_memslots);
	assert_null(vmem.unplugged_inaccessible);
	scenario_free(&sc);

	assert_int_equal(scenario_load_string(&sc, "d.ini", "[hotplug]\ndynamic_memslots = true\n"
					      "unplugged_inaccessible = off\n", &err), 0);
	hotplug_for(sc.method)->configure(&sc, &cfg, &vmem);
	assert_true(vmem.dynamic_memslots);
	assert_string_equal(vmem.unplugged_inaccessible, "off");
	scenario_free(&sc);
	assert_int_equal(scenario_load_string(&sc, "d.ini", "[hotplug]\nunplugged_inaccessible = auto\n",
					      &err), 0);
	hotplug_for(sc.method)->configure(&sc, &cfg, &vmem);
	assert_string_equal(vmem.unplugged_inaccessible, "auto");
	scenario_free(&sc);
	assert_int_equal(scenario_load_string(&sc, "d.ini", "[hotplug]\nunplugged_inaccessible = maybe\n",
					      &err), -EINVAL);
	assert_non_null(strstr(err.msg, "maybe"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full_dimm_scenario),
		cmocka_unit_test(test_errors_name_file_line_and_value),
		cmocka_unit_test(test_workload_keys),
		cmocka_unit_test(test_fill_percent_every_digit),
		cmocka_unit_test(test_limits_accepted),
		cmocka_unit_test(test_overlong_line),
		cmocka_unit_test(test_file_contents),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_section_lines_kept),
		cmocka_unit_test(test_not_regular_and_bad_names),
		cmocka_unit_test(test_shipped_scenarios_load),
		cmocka_unit_test(test_vmem_qemu_keys),
		cmocka_unit_test(test_memmap_on_memory_force),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_format_size),
	};

	return cmocka_run_group_tests_name("scenario", tests, NULL, NULL);
}
