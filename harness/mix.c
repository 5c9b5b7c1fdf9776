// SPDX-License-Identifier: GPL-2.0-only
/*
 * The workload kinds and the [workload] mix parser, libc only (mix.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mix.h"

const struct workload_kind workload_kinds[WORKLOAD_NKINDS] = {
#define KIND(ident, name, allocates, mobility) [WORKLOAD_##ident] = { name, allocates, mobility },
#include "../guest-image/probe/kinds.h"
#undef KIND
};

int workload_kind_find(const char *name, size_t len)
{
	for (int k = 0; k < WORKLOAD_NKINDS; k++)
		if (strlen(workload_kinds[k].name) == len && !strncmp(workload_kinds[k].name, name, len))
			return k;
	return -1;
}

int mix_parse(const char *text, struct mix *out, char *msg, size_t msglen)
{
	char *copy = strdup(text), *save = NULL, *tok;
	int rc = 0;

	if (!copy)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	for (tok = strtok_r(copy, " \t,", &save); tok; tok = strtok_r(NULL, " \t,", &save)) {
		char *colon = strchr(tok, ':'), *end;
		unsigned long share;
		int k;

		if (!colon) {
			snprintf(msg, msglen, "'%s' is not KIND:SHARE", tok);
			rc = -EINVAL;
			break;
		}
		*colon = '\0';
		k = workload_kind_find(tok, strlen(tok));
		if (k < 0) {
			snprintf(msg, msglen, "unknown workload kind '%s' (see docs/workloads.md)", tok);
			rc = -EINVAL;
			break;
		}
		share = strtoul(colon + 1, &end, 10);
		if (*end || !colon[1] || !share || share > 1000) {
			snprintf(msg, msglen, "share of %s: '%s' is not a number from 1 to 1000", tok,
				 colon + 1);
			rc = -EINVAL;
			break;
		}
		if (out->n == MIX_MAX) {
			snprintf(msg, msglen, "more than %d workloads in one mix", MIX_MAX);
			rc = -EINVAL;
			break;
		}
		out->e[out->n++] = (struct mix_entry){ (enum workload_kind_id)k, (unsigned)share };
		out->total_share += (unsigned)share;
	}
	free(copy);
	if (rc)
		memset(out, 0, sizeof(*out));
	return rc;
}

uint64_t mix_bytes(const struct mix *m, size_t i, uint64_t fill)
{
	return fill / m->total_share * m->e[i].share & ~4095ULL;
}
