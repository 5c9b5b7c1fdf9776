// SPDX-License-Identifier: GPL-2.0-only
/*
 * The step every command's main starts with: its options parsed from its
 * tables (opts.c), and --help or a bad option answered the same way in
 * every command. A file of its own, not memhp.c, so that a command linked
 * without the dispatcher (the fuzz harness links cmd_show.c) has it.
 */
#include <stdio.h>

#include "cmd.h"
#include "errmsg.h"

bool cmd_options(const char *who, const struct opt_group *g, size_t ng, int argc, char **argv,
		 void (*usage)(FILE *out), int *v)
{
	struct err err;
	int rc = opts_parse(g, ng, argc, argv, &err);

	if (rc > 0) {
		*v = rc;
		return true;
	}
	if (rc && *err.msg)
		fprintf(stderr, "%s: %s\n", who, err.msg);
	else
		usage(rc ? stderr : stdout);
	*v = rc ? EXIT_USAGE : EXIT_OK;
	return false;
}
