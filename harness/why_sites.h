/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_WHY_SITES_H
#define MEMHP_WHY_SITES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "result.h"

/*
 * What memhp-probe why found with page_owner, read back from a block's
 * "why" object (docs/why.md, docs/result-schema.md). Every field is
 * type-checked: a result with a field of the wrong type reads as if the
 * field were absent.
 */
struct why_site {
	const char *site, *verdict; /* point into the block's JSON */
	uint64_t pages;
};

#define WHY_MAX_SITES 8
#define WHY_MAX_EDGES 64

/* "page_owner" or "kpageflags" ("" when the result predates the field). */
const char *why_method(const struct block_record *b);
/* Why page_owner was not used, or NULL. */
const char *why_page_owner_unavailable(const struct block_record *b);
/* Up to max sites, largest first as the probe wrote them. */
size_t why_sites(const struct block_record *b, struct why_site *out, size_t max);
/* The blocks whose memmap this block holds. */
size_t why_memmap_of(const struct block_record *b, uint64_t *out, size_t max);
/* The block stayed only because it holds other blocks' memmap. */
bool why_memmap_only(const struct block_record *b);

/* The kernel's failed offline attempts of a block (its "kernel" object,
 * klog.h), and the last one's reason as a line ("unmovable page, slab page
 * at pfn 0x100000 (offlining failed due to …)"); 0 when it has none. */
uint64_t why_kernel_attempts(const struct block_record *b);
size_t why_kernel_reason(const struct block_record *b, char *buf, size_t len);

/* For memhp show --blocks and the text report: each remaining block's
 * method, sites and memmap edges, then the kernel's reasons per block
 * (its log). Prints nothing for a run without them. */
void why_print_sites(FILE *out, const struct run_record *r);

#endif
