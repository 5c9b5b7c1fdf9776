/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_PROBE_PAGE_OWNER_H
#define MEMHP_PROBE_PAGE_OWNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PO_SITE_LEN 160
#define PO_VERDICT_LEN 48

/* One allocation site in one block: a short stack signature and its pages. */
struct po_site {
	char site[PO_SITE_LEN];       /* "caller < caller's caller" */
	char verdict[PO_VERDICT_LEN]; /* memmap, slab:dentry, pgtable, ... */
	uint64_t pages;
};

/* PFNs [start, end). */
struct po_range {
	uint64_t start, end;
};

/* A block of interest: the PFN range filtered for. */
struct po_block {
	uint64_t index, first_pfn, npages;
	struct po_range *online; /* its pages that are not offline (kpageflags) */
	size_t nonline;
	uint64_t pages; /* allocated pages page_owner lists in the block */
	struct po_site *sites;
	size_t nsites, cap;
};

/* A memmap (vmemmap_populate) allocation, wherever it lies. */
struct po_memmap {
	uint64_t pfn, pages, ts;
	char site[PO_SITE_LEN];
};

struct po_scan {
	struct po_block *blocks; /* sorted by first_pfn, not overlapping */
	size_t nblocks;
	struct po_memmap *memmap;
	size_t nmemmap, memmap_cap;
	uint64_t records;   /* complete records read */
	uint64_t truncated; /* records cut short (no stack end) */
	uint64_t garbage;   /* lines that belong to no record */
	uint64_t bytes;     /* bytes read */
};

/* Read page_owner text from f to its end, once, keeping only what falls in
 * s->blocks and the memmap allocations. 0, or a negative errno. */
int po_scan_stream(FILE *f, struct po_scan *s);

/*
 * Read only the records of the PFNs in ranges (sorted, not overlapping) from
 * fd, an open page_owner: its file position is a PFN (the kernel's
 * lseek_page_owner), so each pread at a PFN returns the record of the next
 * allocation from there, and the next one is read from the record's PFN + 1.
 * 0, -ESPIPE when the file cannot be read at an offset (then read it whole
 * with po_scan_stream), or another negative errno.
 */
int po_scan_ranges(int fd, const struct po_range *ranges, size_t n, struct po_scan *s);

/* The verdict of one stack (frames are function names, allocator first). */
const char *po_stack_verdict(char frames[][64], size_t n, uint64_t gfp_movable);

/* A block's verdict from its sites: the largest, "free" when none. */
const char *po_block_verdict(const struct po_block *b);

/* Sort each block's sites by pages, largest first. */
void po_sort_sites(struct po_scan *s);

void po_scan_free(struct po_scan *s);

#endif
