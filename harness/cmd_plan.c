// SPDX-License-Identifier: GPL-2.0-only
/*
 * memhp plan: the cells of a matrix as standalone commands, for a batch
 * system of one's own (GNU parallel, Slurm, a CI matrix) to run.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cmd.h"
#include "hosts.h"
#include "image.h"
#include "matrix.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: memhp plan [OPTIONS] (--matrix MATRIX.ini | SCENARIO.ini...)\n\n"
		"Print every cell of the matrix (scenario x variant x repeat, in the order\n"
		"memhp run would run them) as a command that runs just that cell:\n"
		"  memhp run --resume OUTPUT -r K --only-repeat K --variant '...' SCENARIO\n"
		"Run them with any batch system; memhp report and memhp compare read the\n"
		"results wherever they land (docs/hosts.md).\n\n"
		"  -m, --matrix FILE    as for memhp run\n"
		"  -V, --variant V      as for memhp run (repeatable)\n"
		"  -k, --kernel SPEC    as for memhp run (default %s)\n"
		"  -r, --repeats N      override the scenarios' (and matrix's) repeats\n"
		"  -o, --output DIR     the results directory the commands write to\n"
		"                       (default: results)\n"
		"      --connect URI    the commands run on this libvirt host (memhp run\n"
		"                       --connect); without it, on QEMU where they are run\n"
		"      --emit FORMAT    commands (default: one shell command per line, every\n"
		"                       argument quoted) or json (an array of cells with argv)\n"
		"  -h, --help           this text\n",
		IMAGE_DEFAULT_KERNEL);
}

/* A word the shell reads back as it is: bare when safe, else in single quotes. */
static void sh_word(FILE *out, const char *s)
{
	if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
			    "_./=:,+@%-") == strlen(s)) {
		fputs(s, out);
		return;
	}
	fputc('\'', out);
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", out);
		else
			fputc(*s, out);
	fputc('\'', out);
}

int cmd_plan(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "matrix", required_argument, NULL, 'm' },
		{ "variant", required_argument, NULL, 'V' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "repeats", required_argument, NULL, 'r' },
		{ "output", required_argument, NULL, 'o' },
		{ "emit", required_argument, NULL, 'E' },
		{ "connect", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *matrix = NULL, *kernel = IMAGE_DEFAULT_KERNEL, *output = "results";
	const char *emit = "commands", *connect = NULL;
	char self[4096];
	struct matrix m = { 0 };
	struct cell *cells = NULL;
	unsigned repeats = 0;
	json_object *arr = NULL;
	struct variant v;
	struct err err;
	size_t n;
	int c, rc = EXIT_USAGE;
	ssize_t len;

	optind = 1;
	while ((c = getopt_long(argc, argv, "m:V:k:r:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'm': matrix = optarg; break;
		case 'V':
			if (variant_parse(optarg, &v, &err) || matrix_add_variant(&m, &v, &err)) {
				fprintf(stderr, "memhp plan: %s\n", err.msg);
				goto out;
			}
			break;
		case 'k': kernel = optarg; break;
		case 'r': {
			char *end;
			unsigned long r = strtoul(optarg, &end, 10);

			if (*end || !r || r > 1000) {
				fprintf(stderr, "memhp plan: --repeats '%s' is not a number from 1 to 1000\n",
					optarg);
				goto out;
			}
			repeats = (unsigned)r;
			break;
		}
		case 'o': output = optarg; break;
		case 'E': emit = optarg; break;
		case 'c':
			if (hosts_check_uri(optarg, &err)) {
				fprintf(stderr, "memhp plan: --connect: %s\n", err.msg);
				goto out;
			}
			connect = optarg;
			break;
		case 'h': usage(stdout); rc = EXIT_OK; goto out;
		default: usage(stderr); goto out;
		}
	}
	if (strcmp(emit, "commands") && strcmp(emit, "json")) {
		fprintf(stderr, "memhp plan: --emit '%s' is not commands or json\n", emit);
		goto out;
	}
	if (matrix_from_args(&m, matrix, kernel, argv + optind, (size_t)(argc - optind), &err)) {
		fprintf(stderr, "memhp plan: %s\n", err.msg);
		goto out;
	}
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	snprintf(self + (len > 0 ? len : 0), sizeof(self) - (size_t)(len > 0 ? len : 0), "%s",
		 len > 0 ? "" : "memhp");
	n = matrix_cells(&m, repeats, &cells);
	if (!strcmp(emit, "json"))
		arr = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		const struct scenario *sc = &m.scenarios[cells[i].scenario];
		char vbuf[VARIANT_FORMAT_MAX], rep[16];
		const char *args[16];
		char *where = realpath(sc->path, NULL);
		size_t na = 0;

		if (variant_format(&m.variants[cells[i].variant], vbuf, sizeof(vbuf))) {
			fprintf(stderr, "memhp plan: variant '%s' does not fit in %zu bytes\n",
				m.variants[cells[i].variant].name, sizeof(vbuf));
			free(where);
			rc = EXIT_RUN_FAILED;
			goto out;
		}
		snprintf(rep, sizeof(rep), "%u", cells[i].repeat);
		args[na++] = self;
		args[na++] = "run";
		args[na++] = "--resume";
		args[na++] = output;
		/* Repeats 1..K exist, K alone runs. */
		args[na++] = "--repeats";
		args[na++] = rep;
		args[na++] = "--only-repeat";
		args[na++] = rep;
		if (*m.variants[cells[i].variant].name) {
			args[na++] = "--variant";
			args[na++] = vbuf;
		} else {
			args[na++] = "--kernel";
			args[na++] = m.variants[cells[i].variant].spec;
		}
		if (connect) {
			args[na++] = "--connect";
			args[na++] = connect;
		}
		args[na++] = where ? where : sc->path;
		if (arr) {
			json_object *cell = json_object_new_object(), *av = json_object_new_array();

			json_object_object_add(cell, "scenario", json_object_new_string(sc->name));
			json_object_object_add(cell, "variant",
					       json_object_new_string(m.variants[cells[i].variant].name));
			json_object_object_add(cell, "repeat", json_object_new_int((int)cells[i].repeat));
			for (size_t k = 0; k < na; k++)
				json_object_array_add(av, json_object_new_string(args[k]));
			json_object_object_add(cell, "argv", av);
			json_object_array_add(arr, cell);
		} else {
			for (size_t k = 0; k < na; k++) {
				if (k)
					fputc(' ', stdout);
				sh_word(stdout, args[k]);
			}
			fputc('\n', stdout);
		}
		free(where);
	}
	if (arr)
		printf("%s\n", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY |
								       JSON_C_TO_STRING_NOSLASHESCAPE));
	rc = fflush(stdout) ? EXIT_RUN_FAILED : EXIT_OK;
out:
	json_object_put(arr);
	free(cells);
	matrix_free(&m);
	return rc;
}
