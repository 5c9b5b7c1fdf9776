// SPDX-License-Identifier: GPL-2.0-only
/* Variants and matrix files: what is accepted, and errors that name the
 * file, line and value. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "matrix.h"
#include "subproc.h"

static void test_variant_forms(void **state)
{
	struct variant v;
	struct err err;

	(void)state;
	assert_int_equal(variant_parse("base=deb:linux-image-6.1.*-cloud-amd64-unsigned", &v, &err), 0);
	assert_string_equal(v.name, "base");
	assert_string_equal(v.spec, "deb:linux-image-6.1.*-cloud-amd64-unsigned");
	assert_string_equal(v.cmdline, "");

	assert_int_equal(variant_parse("movable=path:/boot/bz cmdline=\"movable_node quiet\" "
				       "config=frag.config", &v, &err), 0);
	assert_string_equal(v.spec, "path:/boot/bz");
	assert_string_equal(v.cmdline, "movable_node quiet");
	assert_string_equal(v.config, "frag.config");

	assert_int_equal(variant_parse("fix=build:~/linux+~/series/ cmdline=a=b", &v, &err), 0);
	assert_string_equal(v.spec, "build:~/linux+~/series/");
	assert_string_equal(v.cmdline, "a=b");
}

static void test_variant_round_trip_with_quotes(void **state)
{
	struct variant v, w;
	struct err err;
	char buf[3000];

	(void)state;
	assert_int_equal(variant_parse("dbg=deb:x cmdline=\"dyndbg=\\\"module memory_hotplug +p\\\" "
				       "a\\\\b\"", &v, &err), 0);
	assert_string_equal(v.cmdline, "dyndbg=\"module memory_hotplug +p\" a\\b");
	/* What memhp plan prints parses back to the same variant. */
	variant_format(&v, buf, sizeof(buf));
	if (variant_parse(buf, &w, &err))
		fail_msg("'%s': %s", buf, err.msg);
	assert_string_equal(w.name, v.name);
	assert_string_equal(w.spec, v.spec);
	assert_string_equal(w.cmdline, v.cmdline);
}

static void test_variant_errors(void **state)
{
	static const struct {
		const char *arg, *msg;
	} bad[] = {
		{ "nospec", "is not NAME=SPEC" },
		{ "a b=deb:x", "is not NAME=SPEC" },
		{ "=deb:x", "is not NAME=SPEC" },
		{ "a=foo:x", "kernel 'foo:x' is not deb:PACKAGE" },
		{ "a=deb:x quiet", "only cmdline=ARGS or config=FILE may follow, not 'quiet'" },
		{ "a=deb:x bogus=1", "unknown option 'bogus'" },
		/* Issue 26, item 17: specs that only failed once run got to them. */
		{ "a=path:", "kernel 'path:' names no file" },
		{ "a=deb:", "kernel 'deb:' names no package" },
		{ "a=build:", "kernel 'build:' names no tree" },
		{ "a=build:+", "kernel 'build:+' names no tree" },
		{ "a=build:t+", "kernel 'build:t+': '+' names no patch series" },
		{ "a=deb:x;touch", "kernel 'deb:x;touch': a package name or glob is" },
		{ "a=deb:x$(id)", "a package name or glob is" },
		/* Issue 26, item 21: an unterminated quote was taken as text. */
		{ "a=deb:x cmdline=\"abc", "cmdline's quote is not closed" },
		{ "a=\"path:my kernels", "the kernel spec's quote is not closed" },
	};
	struct variant v;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct err err = { "" };

		assert_int_not_equal(variant_parse(bad[i].arg, &v, &err), 0);
		if (!strstr(err.msg, bad[i].msg))
			fail_msg("'%s': got '%s', wanted '%s'", bad[i].arg, err.msg, bad[i].msg);
	}
}

/* Issue 26, item 20: plan printed --variant 'a=path:my kernels/bzImage',
 * which run split at the blank and refused. What variant_format writes,
 * variant_parse reads back the same. */
static void test_variant_spec_with_blanks_round_trips(void **state)
{
	struct variant v = { .name = "a", .spec = "path:my kernels/bz\"Image\\",
			     .cmdline = "quiet x=\"1 2\"" }, back;
	char buf[VARIANT_FORMAT_MAX];
	struct err err;

	(void)state;
	assert_int_equal(variant_format(&v, buf, sizeof(buf)), 0);
	if (variant_parse(buf, &back, &err))
		fail_msg("'%s': %s", buf, err.msg);
	assert_string_equal(back.spec, v.spec);
	assert_string_equal(back.cmdline, v.cmdline);
	assert_string_equal(back.name, "a");
}

/* Write text to a file in a fresh directory with two scenarios beside it. */
static char *matrix_file(const char *text)
{
	static char dir[64];
	char path[128];
	FILE *f;

	snprintf(dir, sizeof(dir), "/tmp/memhp-matrix-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a.ini", dir);
	f = fopen(path, "w");
	fputs("[machine]\nmemory = 1G\n[run]\nrepeats = 2\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/b.ini", dir);
	f = fopen(path, "w");
	fputs("[machine]\nmemory = 1G\n", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/m.ini", dir);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return strdup(path);
}

static void cleanup(char *path)
{
	char cmd[256];

	*strrchr(path, '/') = '\0';
	snprintf(cmd, sizeof(cmd), "%s/a.ini", path);
	unlink(cmd);
	snprintf(cmd, sizeof(cmd), "%s/b.ini", path);
	unlink(cmd);
	snprintf(cmd, sizeof(cmd), "%s/m.ini", path);
	unlink(cmd);
	rmdir(path);
	free(path);
}

static void test_matrix_file_and_cell_order(void **state)
{
	char *path = matrix_file("[matrix]\nscenario = a.ini\nscenario = b.ini\n\n"
				 "[variant base]\nkernel = deb:linux-image-6.1.*-cloud-amd64-unsigned\n"
				 "[variant next]\nkernel = path:/srv/bzImage\ncmdline = quiet\n"
				 "[variant fix]\nkernel = build:linux-source-6.1+patches/fix/\n"
				 "config = extra.config\n"
				 "[variant own]\nkernel = path:out/bzImage\n");
	char want[200];
	struct matrix m = { 0 };
	struct cell *cells;
	struct err err;
	size_t n;

	(void)state;
	if (matrix_load(&m, path, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(m.nscenarios, 2);
	assert_int_equal(m.nvariants, 4);
	assert_string_equal(m.variants[1].cmdline, "quiet");
	/* Paths are relative to the matrix file; package names stay names. */
	assert_string_equal(m.variants[0].spec, "deb:linux-image-6.1.*-cloud-amd64-unsigned");
	assert_string_equal(m.variants[1].spec, "path:/srv/bzImage");
	*strrchr(path, '/') = '\0';
	snprintf(want, sizeof(want), "build:linux-source-6.1+%s/patches/fix/", path);
	assert_string_equal(m.variants[2].spec, want);
	snprintf(want, sizeof(want), "%s/extra.config", path);
	assert_string_equal(m.variants[2].config, want);
	snprintf(want, sizeof(want), "path:%s/out/bzImage", path);
	assert_string_equal(m.variants[3].spec, want);
	path[strlen(path)] = '/';
	m.nvariants = 2; /* the cell order below is for two variants */
	/* a.ini repeats twice, b.ini once (its default): 2x2 + 1x2 cells,
	 * repeat by repeat, every variant in turn. */
	n = matrix_cells(&m, 0, &cells);
	assert_int_equal(n, 6);
	assert_true(cells[0].scenario == 0 && cells[0].variant == 0 && cells[0].repeat == 1);
	assert_true(cells[1].scenario == 0 && cells[1].variant == 1 && cells[1].repeat == 1);
	assert_true(cells[2].scenario == 1 && cells[2].variant == 0 && cells[2].repeat == 1);
	assert_true(cells[3].scenario == 1 && cells[3].variant == 1 && cells[3].repeat == 1);
	assert_true(cells[4].scenario == 0 && cells[4].variant == 0 && cells[4].repeat == 2);
	assert_true(cells[5].scenario == 0 && cells[5].variant == 1 && cells[5].repeat == 2);
	free(cells);
	/* --repeats overrides every scenario's own */
	assert_int_equal(matrix_cells(&m, 3, &cells), 12);
	free(cells);
	matrix_free(&m);
	cleanup(path);
}

#define SWEEP_HEAD "[matrix]\nscenario = a.ini\nscenario = b.ini\n" \
		   "[variant base]\nkernel = deb:linux-image-6.1.*-cloud-amd64-unsigned\n"

/* [sweep]: each section a cross product over the scenarios it applies to,
 * the first key slowest; each point a scenario with its own text. */
static void test_sweep_expansion(void **state)
{
	char *path = matrix_file(SWEEP_HEAD
				 "[sweep zones]\n"
				 "online.policy = online_kernel, online_movable\n"
				 "online.memmap_on_memory = false,true\n"
				 "[sweep ratio]\n"
				 "scenario = b\n"
				 "online.policy = auto-movable\n"
				 "online.auto_movable_ratio = 100 , 600\n");
	struct matrix m = { 0 };
	struct scenario again;
	struct cell *cells;
	struct err err;

	(void)state;
	if (matrix_load(&m, path, &err))
		fail_msg("%s", err.msg);
	/* a: 4 points; b: 4 + 2 */
	assert_int_equal(m.nscenarios, 10);
	assert_string_equal(m.scenarios[0].name, "a,policy=online_kernel,memmap_on_memory=false");
	assert_string_equal(m.scenarios[1].name, "a,policy=online_kernel,memmap_on_memory=true");
	assert_string_equal(m.scenarios[3].name, "a,policy=online_movable,memmap_on_memory=true");
	assert_string_equal(m.scenarios[3].base, "a");
	assert_int_equal(m.scenarios[3].policy, POLICY_ONLINE_MOVABLE);
	assert_true(m.scenarios[3].memmap_on_memory);
	assert_int_equal(m.scenarios[3].sweep.n, 2);
	assert_string_equal(m.scenarios[3].sweep.kv[0].key, "online.policy");
	assert_string_equal(m.scenarios[3].sweep.kv[1].value, "true");
	/* The scenario's own keys stay: a repeats twice. */
	assert_int_equal(m.scenarios[3].repeats, 2);
	assert_string_equal(m.scenarios[9].name, "b,policy=auto-movable,auto_movable_ratio=600");
	assert_int_equal(m.scenarios[9].policy, POLICY_AUTO_MOVABLE);
	assert_int_equal(m.scenarios[9].auto_movable_ratio, 600);
	assert_int_equal(m.scenarios[4].repeats, 1);
	/* The recorded text is a scenario: loaded again, it is the same. */
	if (scenario_load_string(&again, "x.ini", m.scenarios[9].text, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(again.auto_movable_ratio, 600);
	assert_int_equal(again.policy, POLICY_AUTO_MOVABLE);
	assert_string_equal(again.sha256, m.scenarios[9].sha256);
	scenario_free(&again);
	/* Every point differs, so does its text. */
	assert_string_not_equal(m.scenarios[0].sha256, m.scenarios[1].sha256);
	/* Cells: a's 4 points twice, b's 6 once. */
	assert_int_equal(matrix_cells(&m, 0, &cells), 14);
	assert_int_equal(cells[0].scenario, 0);
	assert_int_equal(cells[9].scenario, 9);
	assert_int_equal(cells[10].repeat, 2);
	free(cells);
	matrix_free(&m);
	cleanup(path);
}

/* A key set in the scenario file: its line is commented out, the sweep's
 * value wins, the other lines keep their numbers. */
static void test_sweep_overrides_a_set_key(void **state)
{
	char *path = matrix_file(SWEEP_HEAD "[sweep]\nmachine.memory = 2G\n");
	struct matrix m = { 0 };
	struct err err;

	(void)state;
	if (matrix_load(&m, path, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(m.nscenarios, 2);
	assert_string_equal(m.scenarios[0].name, "a,memory=2G");
	assert_int_equal(m.scenarios[0].memory, 2ULL << 30);
	assert_non_null(strstr(m.scenarios[0].text, "; set by the matrix sweep below: memory = 1G\n"));
	assert_int_equal(m.scenarios[0].line[0] > 4, 1); /* memory: set in the appendix */
	matrix_free(&m);
	cleanup(path);
}

static void test_sweep_errors(void **state)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "[sweep]\nonline.bogus = 1\n", ":7: [sweep] online.bogus: 'online.bogus' is not a scenario key" },
		{ "[sweep]\npolicy = online\n", ":7: [sweep] policy: 'policy' is not a scenario key" },
		{ "[sweep]\nonline.policy = online_kernel, sideways\n",
		  ":7: [sweep] online.policy = 'sideways': policy: 'sideways' is not one of" },
		{ "[sweep]\nonline.auto_movable_ratio = 1, -3\n",
		  ":7: [sweep] online.auto_movable_ratio = '-3'" },
		{ "[sweep]\nonline.policy = online_kernel,,online\n", "an empty value" },
		{ "[sweep]\nonline.policy = online, online\n", "'online' is listed twice" },
		{ "[sweep]\nonline.policy = online\nonline.policy = online_kernel\n",
		  ":8: [sweep] online.policy is set twice (first on line 7)" },
		{ "[sweep]\nscenario = c\nonline.policy = online\n",
		  ":7: [sweep] scenario: 'c' is none of the [matrix] scenarios" },
		{ "[sweep]\nscenario = a\n", "[sweep] sweeps no scenario key" },
		{ "[sweep x]\nonline.policy = online\n[sweep y]\nworkload.compact = true\n"
		  "[sweep x]\nunplug.order = forward\n", ":10: [sweep x] a second time" },
		{ "[sweep a b]\nonline.policy = online\n", "a sweep's name is letters" },
		/* Cross-key checks on the whole point, naming it. */
		{ "[sweep]\nscenario = b\nhotplug.method = dimm\nhotplug.dimm_size = 384M\n",
		  "[sweep]: cell 'b,method=dimm,dimm_size=384M': " },
		/* Two sweeps that give the same point. */
		{ "[sweep x]\nonline.policy = online\n[sweep y]\nonline.policy = online\n",
		  "[sweep y]: cell 'a,policy=online' twice" },
		/* Values that differ only where a name cannot hold them. */
		{ "[sweep]\nguest.cmdline = a b, a/b\n", "cell 'a,cmdline=a_b' twice" },
		{ "[sweep]\nhotplug.total = 1G,2G,3G,4G,5G,6G,7G,8G,9G,10G\n"
		  "machine.memory = 1G,2G,3G,4G,5G,6G,7G,8G,9G,10G\n"
		  "run.boot_timeout = 1s,2s,3s,4s,5s,6s,7s,8s,9s,10s,11s\n",
		  "the sweeps make over 1000 scenarios" },
		{ "[sweep]\nguest.cmdline = aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
		  "longer than 127 characters" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct matrix m = { 0 };
		struct err err = { "" };
		char *text, *path;

		if (asprintf(&text, SWEEP_HEAD "%s", bad[i].text) < 0)
			abort();
		path = matrix_file(text);
		free(text);
		assert_int_equal(matrix_load(&m, path, &err), -EINVAL);
		if (!strstr(err.msg, bad[i].msg) || !strstr(err.msg, "m.ini"))
			fail_msg("case %zu: got '%s', wanted '%s'", i, err.msg, bad[i].msg);
		matrix_free(&m);
		cleanup(path);
	}
}

/* Issue 26, items 5 and 6: a one-line "[matrix] repeats = 7" was dropped
 * silently, and a FIFO named as a scenario hung the load. */
static void test_dropped_text_and_fifo(void **state)
{
	struct matrix m = { 0 };
	struct err err = { "" };
	char *path = matrix_file("[matrix] repeats = 7\nscenario = a.ini\n"
				 "[variant base]\nkernel = deb:x\n"), fifo[200];

	(void)state;
	assert_int_equal(matrix_load(&m, path, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "m.ini:1: syntax error: 'repeats = 7' after the section "
				"header [matrix]"));
	matrix_free(&m);
	cleanup(path);

	path = matrix_file("[matrix]\nscenario = f.ini\n[variant base]\nkernel = deb:x\n");
	snprintf(fifo, sizeof(fifo), "%.*s/f.ini", (int)(strrchr(path, '/') - path), path);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(matrix_load(&m, path, &err), -EINVAL);
	if (!strstr(err.msg, "f.ini: not a regular file (a FIFO)"))
		fail_msg("got '%s'", err.msg);
	matrix_free(&m);
	unlink(fifo);
	cleanup(path);
}

/* memhp run --cell: an index in matrix_cells' order, with a count that must
 * still hold. */
static void test_cell_index(void **state)
{
	struct err err;
	size_t i = 99;

	(void)state;
	assert_int_equal(matrix_parse_cell("0", 6, &i, &err), 0);
	assert_int_equal(i, 0);
	assert_int_equal(matrix_parse_cell("5/6", 6, &i, &err), 0);
	assert_int_equal(i, 5);
	assert_int_equal(matrix_parse_cell("6", 6, &i, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "has 6 cells (0 to 5)"));
	assert_int_equal(matrix_parse_cell("2/8", 6, &i, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "has 6 cells now, not 8"));
	assert_int_equal(i, 5);
	static const char *const bad[] = { "", "-1", " 1", "1/", "1/x", "x", "1x", "+2", "1/6/6",
					   "99999999999999999999999" };
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		assert_int_equal(matrix_parse_cell(bad[k], 6, &i, &err), -EINVAL);
		assert_non_null(strstr(err.msg, "--cell"));
	}
}

/* The one shell quoter: what it writes, sh reads back as the same word. */
static void test_sh_quote(void **state)
{
	static const char *const words[] = { "plain/path-1.ini", "", "a b", "it's", "$(id)",
					     "x'y'z", "deb:linux-image-6.1.*", "~root", "a\nb",
					     "tab\there", "\"q\"", "semi;colon", "back`tick" };

	(void)state;
	for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
		char *out = NULL, cmd[512], got[256] = "";
		size_t len = 0;
		FILE *f = open_memstream(&out, &len), *p;

		sh_quote(f, words[k]);
		fclose(f);
		if (!strcmp(words[k], "plain/path-1.ini"))
			assert_string_equal(out, words[k]); /* safe words stay bare */
		snprintf(cmd, sizeof(cmd), "printf '%%s|' %s", out);
		p = popen(cmd, "r");
		assert_non_null(p);
		got[fread(got, 1, sizeof(got) - 1, p)] = '\0';
		pclose(p);
		snprintf(cmd, sizeof(cmd), "%s|", words[k]);
		assert_string_equal(got, cmd);
		free(out);
	}
}

static void test_matrix_errors_name_file_and_line(void **state)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "[matrix]\nscenario = a.ini\nrepeats = lots\n[variant a]\nkernel = deb:x\n",
		  "m.ini:3: repeats = 'lots' is not a number" },
		{ "[matrix]\nscenario = nope.ini\n", "m.ini:2: " },
		{ "[matrix]\nscenario = a.ini\n[variant a]\nkernel = http:x\n",
		  "m.ini:4: kernel 'http:x' is not deb:PACKAGE" },
		{ "[matrix]\nscenario = a.ini\n[variant bad name]\nkernel = deb:x\n",
		  "m.ini:4: [variant bad name]: a name of letters" },
		{ "[matrix]\nscenario = a.ini\n[variant a]\ncmdline = x\n", "[variant a] has no kernel" },
		{ "[matrix]\nscenario = a.ini\n[variant a]\nkernel = deb:x\ncolour = red\n",
		  "m.ini:5: [variant a] has no key 'colour'" },
		{ "[matrix]\nscenario = a.ini\n", "no [variant NAME] section" },
		{ "[matrix]\nscenario = a.ini\nscenario = a.ini\n[variant a]\nkernel = deb:x\n",
		  "a second scenario named 'a'" },
		/* Issue 26, item 12: inih merged these, the last value winning;
		 * scenario files refuse them, and so do matrices now. */
		{ "[matrix]\nscenario = a.ini\n[variant a]\nkernel = deb:x\n[variant a]\nkernel = deb:y\n",
		  "m.ini:5: [variant a] a second time (first on line 3): one section each" },
		{ "[matrix]\nscenario = a.ini\n[variant a]\nkernel = deb:x\nkernel = deb:y\n",
		  "m.ini:5: [variant a] kernel is set twice (first on line 4)" },
		{ "[matrix]\nscenario = a.ini\n[variant a]\nkernel = deb:x\ncmdline = a\ncmdline = b\n",
		  "m.ini:6: [variant a] cmdline is set twice (first on line 5)" },
		{ "[matrix]\nrepeats = 2\nscenario = a.ini\nrepeats = 9\n[variant a]\nkernel = deb:x\n",
		  "m.ini:4: [matrix] repeats is set twice (first on line 2)" },
		{ "[matrix]\nscenario = a.ini\n[variant a]\nkernel = deb:x\n[sweep]\n; nothing\n",
		  "m.ini:5: [sweep] is empty: a section has at least one key" },
		{ "[matrix]\nscenario = a.ini\n[variant b]\n[variant a]\nkernel = deb:x\n",
		  "m.ini:3: [variant b] is empty" },
		{ "[matrix]\nscenario = a.ini\n[variant a]\nkernel = deb:x\n[sweep]\nonline.policy = online\n"
		  "[sweep]\nonline.memmap_on_memory = true\n",
		  "m.ini:7: [sweep] a second time (first on line 5)" },
		/* Found by fuzz_matrix: a scenario that fails to load leaked its
		 * text (seen under unit-san's leak check). */
		{ "[matrix]\nscenario = m.ini\n", "m.ini:2: " },
		/* Issue 13, defect 6: an empty file was read past its buffer. */
		{ "", "m.ini: [matrix] names no scenario" },
		/* Defect 5: inih would take "config = ..." as a line of its own. */
		{ "[matrix]\nscenario = a.ini\n[variant a]\nkernel = deb:x\ncmdline = "
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaconfig = /etc/passwd\n",
		  "m.ini:5: line is 219 bytes long; at most 197 fit in a line" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *path = matrix_file(bad[i].text);
		struct matrix m = { 0 };
		struct err err = { "" };
		int rc = matrix_load(&m, path, &err);

		if (!*bad[i].msg) {
			if (rc)
				fail_msg("case %zu: %s", i, err.msg);
		} else if (!rc || !strstr(err.msg, bad[i].msg)) {
			fail_msg("case %zu: got '%s', wanted '%s'", i, err.msg, bad[i].msg);
		}
		matrix_free(&m);
		cleanup(path);
	}
}

/* Issue 13, defect 15: memhp plan cut --variant at 2800 bytes. The largest
 * variant fits VARIANT_FORMAT_MAX and parses back; a short buffer is an
 * error, not a cut string. */
static void test_variant_format_limits(void **state)
{
	static char buf[VARIANT_FORMAT_MAX];
	struct variant v = { 0 }, w;
	struct err err;

	(void)state;
	memset(v.name, 'n', sizeof(v.name) - 1);
	memcpy(v.spec, "path:/", 6);
	memset(v.spec + 6, 's', sizeof(v.spec) - 7);
	memset(v.cmdline, '"', sizeof(v.cmdline) - 1);
	v.config[0] = '/';
	memset(v.config + 1, '\\', sizeof(v.config) - 2);
	assert_int_equal(variant_format(&v, buf, sizeof(buf)), 0);
	if (variant_parse(buf, &w, &err))
		fail_msg("%s", err.msg);
	assert_string_equal(w.name, v.name);
	assert_string_equal(w.spec, v.spec);
	assert_string_equal(w.cmdline, v.cmdline);
	assert_string_equal(w.config, v.config);
	for (size_t len = 0; len < strlen(buf) + 1; len += 97)
		assert_int_equal(variant_format(&v, buf, len), -ENAMETOOLONG);
	assert_int_equal(variant_format(&v, buf, 2800), -ENAMETOOLONG);
}

/* Issue 26: -V a=deb:x --kernel path:/y ran only a; --kernel is refused
 * beside --variant and --matrix, and no --kernel means the default. */
static void test_kernel_beside_variant_is_refused(void **state)
{
	char *scen[] = { "scenarios/quick-dimm.ini" };
	struct matrix m = { 0 };
	struct variant v;
	struct err err;

	(void)state;
	assert_int_equal(variant_parse("a=deb:x", &v, &err), 0);
	assert_int_equal(matrix_add_variant(&m, &v, &err), 0);
	assert_int_equal(matrix_from_args(&m, NULL, "path:/y", scen, 1, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "--kernel path:/y and --variant both name kernels"));
	matrix_free(&m);
	memset(&m, 0, sizeof(m));
	assert_int_equal(matrix_from_args(&m, "x.ini", "path:/y", NULL, 0, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "--kernel"));
	matrix_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_variant_forms),
		cmocka_unit_test(test_kernel_beside_variant_is_refused),
		cmocka_unit_test(test_variant_round_trip_with_quotes),
		cmocka_unit_test(test_variant_errors),
		cmocka_unit_test(test_variant_spec_with_blanks_round_trips),
		cmocka_unit_test(test_matrix_file_and_cell_order),
		cmocka_unit_test(test_matrix_errors_name_file_and_line),
		cmocka_unit_test(test_cell_index),
		cmocka_unit_test(test_sweep_expansion),
		cmocka_unit_test(test_sweep_overrides_a_set_key),
		cmocka_unit_test(test_sweep_errors),
		cmocka_unit_test(test_dropped_text_and_fifo),
		cmocka_unit_test(test_sh_quote),
		cmocka_unit_test(test_variant_format_limits),
	};

	return cmocka_run_group_tests_name("matrix", tests, NULL, NULL);
}
