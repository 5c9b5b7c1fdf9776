// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: result.json files as show, report, compare and run --resume
 * read them. The input holds up to four results separated by NUL bytes;
 * each is written to its own run directory, read back with result_read(),
 * printed as memhp show prints it (summary, --blocks, --kmsg), and the lot
 * loaded as a report: text and CSV report, and compare's text, KTAP, JUnit
 * and JSON output. Everything printed goes to /dev/null.
 */
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "compare.h"
#include "report.h"
#include "result.h"
#include "summary.h"

#define MAX_RESULTS 4

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];
static FILE *devnull;

static void path_of(unsigned i, char *buf, size_t len, bool file)
{
	snprintf(buf, len, "%s/r%u%s", dir, i, file ? "/result.json" : "");
}

static void cleanup(void)
{
	char p[128];

	for (unsigned i = 0; i < MAX_RESULTS; i++) {
		path_of(i, p, sizeof(p), true);
		unlink(p);
		path_of(i, p, sizeof(p), false);
		rmdir(p);
	}
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char p[128];

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "%s/memhp-fuzz-result-XXXXXX",
		 access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
	if (!mkdtemp(dir))
		abort();
	for (unsigned i = 0; i < MAX_RESULTS; i++) {
		path_of(i, p, sizeof(p), false);
		if (mkdir(p, 0700))
			abort();
	}
	atexit(cleanup);
	devnull = fopen("/dev/null", "we");
	/* memhp show prints to stdout. */
	if (!devnull || !freopen("/dev/null", "w", stdout))
		abort();
	return 0;
}

static void show(const char *path)
{
	struct run_record r;
	struct err err;
	char *argv[] = { "show", "--blocks", "--kmsg", (char *)path, NULL };

	if (result_read(path, &r, &err))
		return; /* show would print err to stderr and go on */
	summary_print(devnull, &r);
	summary_print_blocks(devnull, &r);
	result_free(&r);
	cmd_show(4, argv);
}

static void report_and_compare(void)
{
	static const struct compare_opts o = { .alpha = 0.05, .min_effect_pct = 1, .min_repeats = 2 };
	char *paths[] = { dir };
	struct compare_result res;
	struct report rep;
	struct err err;

	if (report_load(&rep, paths, 1, NULL, &err)) {
		report_free(&rep); /* as memhp report does: skipped[] is kept */
		return;
	}
	report_text(devnull, &rep, false);
	report_text(devnull, &rep, true);
	report_csv(devnull, &rep);
	if (!compare_run(&rep, NULL, &o, &res, &err)) {
		compare_text(devnull, &res, &o, true);
		compare_ktap(devnull, &res, &o);
		compare_junit(devnull, &res, &o);
		compare_json(devnull, &res, &o);
		(void)compare_exit_code(&res);
		compare_free(&res);
	}
	report_free(&rep);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *end = data + size;
	unsigned n = 0;
	char p[128];

	for (const uint8_t *s = data; n < MAX_RESULTS; n++) {
		const uint8_t *nul = memchr(s, '\0', (size_t)(end - s));
		size_t len = nul ? (size_t)(nul - s) : (size_t)(end - s);
		int fd;

		path_of(n, p, sizeof(p), true);
		fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || write(fd, s, len) != (ssize_t)len || close(fd))
			abort();
		if (!nul) {
			n++;
			break;
		}
		s = nul + 1;
	}
	for (unsigned i = n; i < MAX_RESULTS; i++) {
		path_of(i, p, sizeof(p), true);
		unlink(p);
	}
	for (unsigned i = 0; i < n; i++) {
		path_of(i, p, sizeof(p), true);
		show(p);
	}
	report_and_compare();
	fflush(stdout);
	return 0;
}
