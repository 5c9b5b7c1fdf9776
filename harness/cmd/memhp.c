// SPDX-License-Identifier: GPL-2.0-only
/*
 * memhp: measure how much hot-added memory a Linux guest gives back.
 * One function per subcommand, dispatched from this table.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static const struct {
	const char *name;
	cmd_fn fn;
	const char *summary;
} commands[] = {
	{ "run", cmd_run, "boot a guest, hot-add memory, unplug it and count what came out" },
	{ "kernel", cmd_kernel, "kernel build: compile a guest kernel from source and patches" },
	{ "plan", cmd_plan, "every cell of a matrix as a command, or a Slurm job array" },
	{ "show", cmd_show, "print the summary of a result file" },
	{ "compare", cmd_compare, "is a candidate kernel worse than the baseline? exit 1 if so" },
	{ "ab", cmd_ab, "run baseline and candidate in turn until the verdict is decided" },
	{ "bisect", cmd_bisect, "which patch of a series made it worse: bisect with the statistics of ab" },
	{ "rerun", cmd_rerun, "run the cell of a result.json again, exactly as recorded" },
	{ "report", cmd_report, "tables and figures over many results: text, CSV or HTML" },
	{ "help", cmd_help, "this text; 'memhp help scenario' lists the scenario keys" },
};

void memhp_usage(FILE *out)
{
	fputs("usage: memhp COMMAND [ARGS]\n\n", out);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fputs("\n'memhp COMMAND --help' describes a command.\n"
	      "Exit codes: 0 ok, 1 a run failed, 2 usage or configuration error,\n"
	      "128+N interrupted by signal N.\n", out);
}

cmd_fn memhp_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(name, commands[i].name))
			return commands[i].fn;
	return NULL;
}

void memhp_list_commands(FILE *out)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, " %s", commands[i].name);
}

/* What a command printed must have reached stdout: a full disk under
 * `memhp help scenario --man > memhp.5` is an error, not a short page. */
static int stdout_written(const char *cmd, int rc)
{
	errno = 0;
	if (!fflush(stdout) && !ferror(stdout))
		return rc;
	fprintf(stderr, "memhp%s%s: cannot write to standard output: %s\n", cmd ? " " : "",
		cmd ? cmd : "", errno ? strerror(errno) : "write error");
	return rc == EXIT_OK ? EXIT_USAGE : rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		memhp_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		memhp_usage(stdout);
		return stdout_written(NULL, EXIT_OK);
	}
	if (memhp_command(argv[1]))
		return stdout_written(argv[1], memhp_command(argv[1])(argc - 1, argv + 1));
	fprintf(stderr, "memhp: unknown command '%s'\n\n", argv[1]);
	memhp_usage(stderr);
	return EXIT_USAGE;
}
