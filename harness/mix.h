/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_MIX_H
#define MEMHP_MIX_H

#include <stddef.h>
#include <stdint.h>

/*
 * The workload kinds and [workload] mix: a table and a parser with no
 * dependency beyond libc, so that the scenario parser and the workload
 * phase share them. The kinds come from guest-image/probe/kinds.h, the
 * list memhp-probe implements.
 */
struct workload_kind {
	const char *name;
	const char *allocates; /* what the kernel sees */
	const char *mobility;  /* movable, reclaimable, unmovable, pinned */
};

enum workload_kind_id {
#define KIND(ident, name, allocates, mobility) WORKLOAD_##ident,
#include "../guest-image/probe/kinds.h"
#undef KIND
	WORKLOAD_NKINDS
};

extern const struct workload_kind workload_kinds[WORKLOAD_NKINDS];

#define MIX_MAX 16

struct mix_entry {
	enum workload_kind_id kind;
	unsigned share;
};

struct mix {
	struct mix_entry e[MIX_MAX];
	size_t n;
	unsigned total_share;
};

/* The kind named name (len bytes), or -1. */
int workload_kind_find(const char *name, size_t len);

/* Parse "anon:50 pgtable:25" (spaces, tabs or commas between). Returns 0,
 * or -EINVAL with msg filled. An empty text is an empty mix. */
int mix_parse(const char *text, struct mix *out, char *msg, size_t msglen);

/* Entry i's part of fill bytes, by its share, in whole 4 KiB pages. */
uint64_t mix_bytes(const struct mix *m, size_t i, uint64_t fill);

#endif
