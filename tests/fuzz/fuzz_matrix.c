// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: matrix files (read from a file, as memhp does, in a private
 * directory holding two small scenarios), and --variant arguments. Property:
 * what variant_format() prints parses back to the same variant, which is
 * what memhp plan's commands rely on; and the text of every [sweep] point
 * loads again as the same scenario.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "matrix.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], file[96];

static void put(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	if (!f || fputs(text, f) < 0 || fclose(f))
		abort();
}

static void cleanup(void)
{
	char path[128];

	for (const char *const *n = (const char *const[]){ "a.ini", "b.ini", "m.ini", NULL }; *n;
	     n++) {
		snprintf(path, sizeof(path), "%s/%s", dir, *n);
		unlink(path);
	}
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "%s/memhp-fuzz-matrix-XXXXXX",
		 access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
	if (!mkdtemp(dir))
		abort();
	put("a.ini", "[run]\nrepeats = 2\n");
	put("b.ini", "[hotplug]\nmethod = dimm\ntotal = 512M\n");
	snprintf(file, sizeof(file), "%s/m.ini", dir);
	atexit(cleanup);
	return 0;
}

static void variant(const char *arg)
{
	static char buf[VARIANT_FORMAT_MAX];
	struct variant v, w;
	struct err err;

	if (variant_parse(arg, &v, &err))
		return;
	if (variant_format(&v, buf, sizeof(buf)))
		abort(); /* VARIANT_FORMAT_MAX holds every variant */
	if (variant_parse(buf, &w, &err) || strcmp(v.name, w.name) || strcmp(v.spec, w.spec) ||
	    strcmp(v.cmdline, w.cmdline) || strcmp(v.config, w.config))
		abort(); /* memhp plan would print a different variant */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct matrix m = { 0 };
	struct cell *cells;
	struct err err;
	int fd;

	if (size > 10 && !memcmp(data, "--variant ", 10)) {
		char *s = strndup((const char *)data + 10, size - 10);

		variant(s);
		free(s);
		return 0;
	}
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size || close(fd))
		abort();
	if (!matrix_load(&m, file, &err)) {
		static char buf[VARIANT_FORMAT_MAX];

		free(cells = NULL);
		(void)matrix_cells(&m, 0, &cells);
		free(cells);
		for (size_t i = 0; i < m.nvariants; i++)
			if (variant_format(&m.variants[i], buf, sizeof(buf)))
				abort();
		/* A sweep point's text, as a result records it, is the same
		 * scenario again (memhp rerun runs it). */
		for (size_t i = 0; i < m.nscenarios; i++) {
			struct scenario again;

			if (!m.scenarios[i].sweep.n)
				continue;
			if (scenario_load_string(&again, "p.ini", m.scenarios[i].text, &err) ||
			    strcmp(again.sha256, m.scenarios[i].sha256))
				abort();
			scenario_free(&again);
		}
	}
	matrix_free(&m);
	return 0;
}
