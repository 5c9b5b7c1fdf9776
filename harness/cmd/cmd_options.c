// SPDX-License-Identifier: GPL-2.0-only
/*
 * The step every command's main starts with: its options parsed from its
 * tables (opts.c), and --help or a bad option answered the same way in
 * every command. A file of its own, not memhp.c, so that a command linked
 * without the dispatcher (the fuzz harness links cmd_show.c) has it.
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "compare.h"
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

int cmd_parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno || end == s || *end || !isfinite(*out) || !(*out >= lo && *out <= hi) ? -1 : 0;
}

static int set_alpha(void *target, const char *arg, struct err *err)
{
	if (cmd_parse_double(arg, 1e-12, 0.5, &((struct compare_opts *)target)->alpha))
		return err_fail(err, -EINVAL, "--alpha '%s' is not a number from 1e-12 to 0.5",
				arg);
	return 0;
}

static int set_min_effect(void *target, const char *arg, struct err *err)
{
	if (cmd_parse_double(arg, 0, 1000, &((struct compare_opts *)target)->min_effect_pct))
		return err_fail(err, -EINVAL, "--min-effect '%s' is not a percentage from 0 to "
				"1000", arg);
	return 0;
}

static int set_margin(void *target, const char *arg, struct err *err)
{
	if (cmd_parse_double(arg, 0.001, 1000, &((struct compare_opts *)target)->margin_pct))
		return err_fail(err, -EINVAL, "--margin '%s' is not a percentage from 0.001 to "
				"1000", arg);
	return 0;
}

const struct opt cmd_decision_opts[] = {
	{ OPT("alpha", 0, OPT_CALLBACK, 0, "A",
	      "significance level (default 0.05; memhp ab and\nbisect: over all their looks)"),
	  .cb = set_alpha },
	{ OPT("min-effect", 'e', OPT_CALLBACK, 0, "PCT",
	      "smallest change that counts, in % of the baseline\n(default 1)"),
	  .cb = set_min_effect },
	{ OPT("margin", 0, OPT_CALLBACK, 0, "PCT",
	      "equivalence margin, % of the baseline (default per\n"
	      "metric: 3 for blocks and MiB, 10 for unplug_s)"), .cb = set_margin },
	{ 0 },
};
