// SPDX-License-Identifier: GPL-2.0-only
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "scenario.h"

int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		memhp_usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "scenario")) {
		bool md = argc > 2 && !strcmp(argv[2], "--markdown");

		if (!md)
			fputs("Scenario files are INI: [section] headers and key = value lines;\n"
			      "sizes are binary (128M = 128 MiB), durations take ms/s/m/h.\n\n",
			      stdout);
		scenario_print_keys(stdout, md);
		return EXIT_OK;
	}
	{
		static const struct {
			const char *name;
			int (*fn)(int argc, char **argv);
		} cmds[] = {
			{ "run", cmd_run }, { "show", cmd_show }, { "compare", cmd_compare },
			{ "ab", cmd_ab }, { "rerun", cmd_rerun },
		};
		char *args[] = { argv[1], (char *)"--help", NULL };

		for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
			if (!strcmp(argv[1], cmds[i].name))
				return cmds[i].fn(2, args);
	}
	fprintf(stderr, "memhp help: no help on '%s' (try: scenario, run, show, compare, ab, rerun)\n",
		argv[1]);
	return EXIT_USAGE;
}
