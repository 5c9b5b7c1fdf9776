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
	if (memhp_command(argv[1]) && strcmp(argv[1], "help")) {
		char *args[] = { argv[1], (char *)"--help", NULL };

		return memhp_command(argv[1])(2, args);
	}
	fprintf(stderr, "memhp help: no help on '%s' (try: scenario, or a command:", argv[1]);
	memhp_list_commands(stderr);
	fputs(")\n", stderr);
	return EXIT_USAGE;
}
