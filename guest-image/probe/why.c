// SPDX-License-Identifier: GPL-2.0-only
/*
 * memhp-probe why INDEX...: what the memory blocks that did not come out
 * hold. For each block, read /proc/kpageflags over its page frames, count the
 * pages by kind, and name the kind most likely to have kept it.
 *
 * With page_owner (CONFIG_PAGE_OWNER, booted with page_owner=on), also
 * group each block's allocated pages by allocation site (page_owner.c), take
 * the verdict from those sites, and find which block holds which block's
 * memmap (the memmap chain). Without it the verdict is kpageflags'.
 *
 * The only place memhp classifies pages; docs/metrics.md and docs/why.md
 * describe it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <linux/kernel-page-flags.h>

#include "page_owner.h"
#include "why.h"

/* The guest's page size (64 KiB on Debian's ppc64le: issue 24). */
#define PAGE_SIZE ((uint64_t)sysconf(_SC_PAGESIZE))
#define KPF_RESERVED_BIT 32 /* a kernel-internal flag kpageflags exposes */
#define BIT(n) (1ULL << (n))
#define MAX_ORDER_PAGES 1024 /* order 10 */
#define STRUCT_PAGE_SIZE 64ULL /* sizeof(struct page) on x86_64 */
#define PAGE_OWNER_PATH "/sys/kernel/debug/page_owner"
#define DEBUGFS "/sys/kernel/debug"
#define TOP_SITES 8

enum kind { K_FREE, K_ANON, K_FILE, K_THP, K_HUGETLB, K_SLAB, K_PGTABLE, K_RESERVED,
	    K_OFFLINE, K_OTHER, K_COUNT };

static const char *const kind_names[K_COUNT] = {
	"free", "anon", "file", "thp", "hugetlb", "slab", "pgtable", "reserved", "offline",
	"other",
};

static enum kind classify(uint64_t f)
{
	if (f & BIT(KPF_OFFLINE))
		return K_OFFLINE; /* e.g. virtio-mem sub-blocks already unplugged */
	if (f & BIT(KPF_BUDDY))
		return K_FREE;
	if (f & BIT(KPF_SLAB))
		return K_SLAB;
	if (f & BIT(KPF_PGTABLE))
		return K_PGTABLE;
	if (f & BIT(KPF_HUGE))
		return K_HUGETLB;
	if (f & BIT(KPF_THP))
		return K_THP;
	if (f & BIT(KPF_LRU))
		return f & BIT(KPF_ANON) ? K_ANON : K_FILE;
	if (f & BIT(KPF_RESERVED_BIT))
		return K_RESERVED;
	return K_OTHER;
}

/*
 * Only the first page of a free buddy block carries KPF_BUDDY; the rest read
 * as 0. Count as free the flagless pages after a buddy head, up to the
 * largest naturally aligned block that they fill.
 */
static uint64_t free_tail(const uint64_t *flags, uint64_t i, uint64_t n, uint64_t pfn)
{
	uint64_t len = 1;

	while (len < MAX_ORDER_PAGES && pfn % (len * 2) == 0 && i + len * 2 <= n) {
		uint64_t j;

		for (j = i + len; j < i + len * 2 && !flags[j]; j++)
			;
		if (j < i + len * 2)
			break;
		len *= 2;
	}
	return len - 1;
}

/*
 * The verdict: the unmovable kind with the most pages; failing that, movable
 * pages that did not migrate ("movable": pinned or busy); failing that,
 * "free" (nothing holds the block).
 */
static const char *verdict(const uint64_t *count)
{
	static const enum kind unmovable[] = { K_SLAB, K_PGTABLE, K_RESERVED, K_OTHER };
	static const char *const unmovable_names[] = { "slab", "pgtable", "reserved", "kernel" };
	uint64_t best = 0;
	const char *name = NULL;

	for (size_t i = 0; i < sizeof(unmovable) / sizeof(unmovable[0]); i++) {
		if (count[unmovable[i]] > best) {
			best = count[unmovable[i]];
			name = unmovable_names[i];
		}
	}
	if (name)
		return name;
	if (count[K_ANON] + count[K_FILE] + count[K_THP] + count[K_HUGETLB])
		return "movable";
	return "free";
}

/* The runs of pages in flags[0..n) that are not offline, as PFN ranges. */
static void online_runs(const uint64_t *flags, uint64_t n, uint64_t first, struct po_range **out,
			size_t *nout)
{
	size_t cap = 0;

	*out = NULL;
	*nout = 0;
	for (uint64_t i = 0; i < n;) {
		uint64_t j = i;

		if (flags[i] & BIT(KPF_OFFLINE)) {
			i++;
			continue;
		}
		while (j < n && !(flags[j] & BIT(KPF_OFFLINE)))
			j++;
		if (*nout == cap) {
			cap = cap ? cap * 2 : 4;
			*out = realloc(*out, cap * sizeof(**out));
			if (!*out)
				abort();
		}
		(*out)[(*nout)++] = (struct po_range){ first + i, first + j };
		i = j;
	}
}

#define RANGE_PAGES ((2ULL << 20) / PAGE_SIZE) /* 2 MiB of pages */

static int block_pages(uint64_t index, uint64_t pages_per_block, json_object *out,
		       struct po_range **online, size_t *nonline)
{
	uint64_t first = index * pages_per_block, count[K_COUNT] = { 0 }, free_ranges = 0;
	uint64_t *flags = calloc(pages_per_block, sizeof(*flags)), *offline;
	bool *stuck;
	json_object *pages = json_object_new_object();
	ssize_t want = (ssize_t)(pages_per_block * sizeof(*flags));
	int fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || !flags || pread(fd, flags, (size_t)want, (off_t)(first * 8)) != want) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		free(flags);
		json_object_put(pages);
		return -e;
	}
	close(fd);
	stuck = calloc(pages_per_block / RANGE_PAGES + 1, sizeof(*stuck));
	offline = calloc(pages_per_block / RANGE_PAGES + 1, sizeof(*offline));
	if (!stuck || !offline)
		abort();
	for (uint64_t i = 0; i < pages_per_block; i++) {
		enum kind k = classify(flags[i]);

		count[k]++;
		if (k == K_SLAB || k == K_PGTABLE || k == K_RESERVED || k == K_OTHER)
			stuck[i / RANGE_PAGES] = true;
		offline[i / RANGE_PAGES] += k == K_OFFLINE;
		if (k == K_FREE) {
			uint64_t tail = free_tail(flags, i, pages_per_block, first + i);

			count[K_FREE] += tail;
			i += tail;
		}
	}
	/* 2 MiB ranges still online that hold nothing unmovable: what a
	 * virtio-mem device (2 MiB blocks or larger) could still take. */
	for (uint64_t r = 0; r < pages_per_block / RANGE_PAGES; r++)
		free_ranges += !stuck[r] && offline[r] < RANGE_PAGES;
	free(stuck);
	free(offline);
	json_object_object_add(out, "movable_2m", json_object_new_uint64(free_ranges));
	/* The counts below are in pages of this size (issue 24: 64 KiB on ppc64le). */
	json_object_object_add(out, "page_size", json_object_new_uint64(PAGE_SIZE));
	online_runs(flags, pages_per_block, first, online, nonline);
	for (int k = 0; k < K_COUNT; k++)
		json_object_object_add(pages, kind_names[k], json_object_new_uint64(count[k]));
	json_object_object_add(out, "pages", pages);
	json_object_object_add(out, "verdict", json_object_new_string(verdict(count)));
	free(flags);
	return 0;
}

/* 1 when /proc/kallsyms names page_owner's hook, 0 when it does not, -1
 * when there are no symbols to tell. */
static int kernel_has_page_owner(void)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[512];
	int found = 0, lines = 0;

	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f)) {
		char *name = strrchr(line, ' ');

		lines++;
		if (name && !strcmp(name, " __set_page_owner\n"))
			found = 1;
	}
	fclose(f);
	return lines ? found : -1;
}

/*
 * Open page_owner, mounting debugfs first when needed. NULL with *reason
 * set when the kernel has none (Debian's cloud kernel: no CONFIG_PAGE_OWNER),
 * or was not booted with page_owner=on.
 */
static FILE *open_page_owner(const char **reason)
{
	struct stat st;
	FILE *f;

	if (stat(PAGE_OWNER_PATH, &st) != 0 && stat(DEBUGFS, &st) == 0 &&
	    mount("debugfs", DEBUGFS, "debugfs", 0, NULL) != 0 && errno != EBUSY) {
		*reason = errno == ENODEV ? "no debugfs in this kernel (CONFIG_DEBUG_FS)"
					  : "cannot mount debugfs";
		return NULL;
	}
	f = fopen(PAGE_OWNER_PATH, "re");
	if (!f) {
		if (errno == ENOENT && stat(DEBUGFS, &st) != 0)
			*reason = "no debugfs in this kernel (CONFIG_DEBUG_FS)";
		else if (errno == ENOENT && kernel_has_page_owner() == 0)
			*reason = "kernel without CONFIG_PAGE_OWNER (no __set_page_owner in "
				  "/proc/kallsyms)";
		else if (errno == ENOENT && kernel_has_page_owner() == 1)
			*reason = "no " PAGE_OWNER_PATH ": not booted with page_owner=on";
		else if (errno == ENOENT)
			*reason = "no " PAGE_OWNER_PATH " (kernel without CONFIG_PAGE_OWNER, "
				  "or not booted with page_owner=on)";
		else
			*reason = "cannot open " PAGE_OWNER_PATH;
		return NULL;
	}
	return f;
}

static int cmp_block_pfn(const void *a, const void *b)
{
	const struct po_block *x = a, *y = b;

	return x->first_pfn < y->first_pfn ? -1 : x->first_pfn > y->first_pfn;
}

static int cmp_memmap_ts(const void *a, const void *b)
{
	const struct po_memmap *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

static json_object *find_out(json_object *arr, uint64_t index)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *b = json_object_array_get_idx(arr, i), *v;

		if (json_object_object_get_ex(b, "index", &v) && json_object_get_uint64(v) == index)
			return b;
	}
	return NULL;
}

static void add_index(json_object *b, const char *key, uint64_t index)
{
	json_object *arr, *v;

	if (!json_object_object_get_ex(b, key, &arr)) {
		arr = json_object_new_array();
		json_object_object_add(b, key, arr);
	}
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		v = json_object_array_get_idx(arr, i);
		if (json_object_get_uint64(v) == index)
			return;
	}
	json_object_array_add(arr, json_object_new_uint64(index));
}

#define MAX_ALLOCATIONS 1024

/* Every memmap allocation page_owner lists, in time order (at most
 * MAX_ALLOCATIONS): where it is and how it was made, so that a count that
 * does not add up can be looked into. */
static json_object *memmap_allocations(const struct po_scan *s, uint64_t per_block)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < s->nmemmap && i < MAX_ALLOCATIONS; i++) {
		json_object *a = json_object_new_object();

		json_object_object_add(a, "pfn", json_object_new_uint64(s->memmap[i].pfn));
		json_object_object_add(a, "pages", json_object_new_uint64(s->memmap[i].pages));
		json_object_object_add(a, "ts_ns", json_object_new_uint64(s->memmap[i].ts));
		json_object_object_add(a, "block",
				       json_object_new_uint64(s->memmap[i].pfn / per_block));
		json_object_object_add(a, "site", json_object_new_string(s->memmap[i].site));
		json_object_array_add(arr, a);
	}
	return arr;
}

/*
 * The memmap chain. Each hot-added block's memmap is allocated
 * (vmemmap_populate) when the block is added, in the order the blocks were
 * added, which is the order of their indexes; it is freed when the block is
 * removed. So the memmap allocations page_owner still lists, in allocation
 * time order, are those of the blocks still present (the ones asked about),
 * in index order: each block has block_size / PAGE_SIZE * sizeof(struct page)
 * bytes of them. Where the counts do not add up (memmap_on_memory puts the
 * memmap in the block itself; a block from before boot), no edge is claimed.
 */
static void memmap_chain(struct po_scan *s, uint64_t per_block, json_object *blocks,
			 json_object *root)
{
	uint64_t want = per_block * STRUCT_PAGE_SIZE / PAGE_SIZE, have = 0;
	json_object *edges = json_object_new_array(), *chain = json_object_new_object();
	size_t bi = 0;
	uint64_t used = 0;

	qsort(s->memmap, s->nmemmap, sizeof(*s->memmap), cmp_memmap_ts);
	for (size_t i = 0; i < s->nmemmap; i++)
		have += s->memmap[i].pages;
	json_object_object_add(chain, "memmap_pages", json_object_new_uint64(have));
	json_object_object_add(chain, "allocations", memmap_allocations(s, per_block));
	json_object_object_add(chain, "memmap_pages_expected",
			       json_object_new_uint64(want * s->nblocks));
	if (!want || have != want * s->nblocks) {
		json_object_object_add(chain, "status", json_object_new_string(
			have ? "memmap allocations do not match the blocks present: no edges"
			     : "no memmap allocations (memmap_on_memory, or boot memory): no edges"));
		json_object_object_add(chain, "edges", edges);
		json_object_object_add(root, "memmap_chain", chain);
		return;
	}
	/* s->blocks is sorted by PFN, which is index order. */
	for (size_t i = 0; i < s->nmemmap && bi < s->nblocks; i++) {
		struct po_memmap *m = &s->memmap[i];
		uint64_t of = s->blocks[bi].index, holder = m->pfn / per_block;
		json_object *hb = find_out(blocks, holder), *ob = find_out(blocks, of);

		if (holder != of && hb && ob) {
			add_index(hb, "memmap_of", of);
			add_index(ob, "memmap_in", holder);
		} else if (holder != of && ob) {
			json_object_object_add(ob, "memmap_in_boot_memory",
					       json_object_new_boolean(1));
		}
		if (holder != of) {
			json_object *e = NULL;

			for (size_t k = 0; k < json_object_array_length(edges); k++) {
				json_object *x = json_object_array_get_idx(edges, k), *h, *o;

				if (json_object_object_get_ex(x, "holder", &h) &&
				    json_object_object_get_ex(x, "of", &o) &&
				    json_object_get_uint64(h) == holder &&
				    json_object_get_uint64(o) == of)
					e = x;
			}
			if (!e) {
				e = json_object_new_object();
				json_object_object_add(e, "holder", json_object_new_uint64(holder));
				json_object_object_add(e, "of", json_object_new_uint64(of));
				json_object_object_add(e, "pages", json_object_new_uint64(0));
				json_object_array_add(edges, e);
			}
			{
				json_object *p;

				json_object_object_get_ex(e, "pages", &p);
				json_object_set_uint64(p, json_object_get_uint64(p) + m->pages);
			}
		}
		used += m->pages;
		if (used >= want) {
			used = 0;
			bi++;
		}
	}
	json_object_object_add(chain, "status", json_object_new_string("ok"));
	json_object_object_add(chain, "edges", edges);
	json_object_object_add(root, "memmap_chain", chain);
}

/* A block's sites, verdict and method from page_owner. */
static void block_sites(const struct po_block *pb, json_object *b)
{
	json_object *sites = json_object_new_array(), *v;
	uint64_t memmapish = 0;

	for (size_t i = 0; i < pb->nsites && i < TOP_SITES; i++) {
		json_object *site = json_object_new_object();

		json_object_object_add(site, "site", json_object_new_string(pb->sites[i].site));
		json_object_object_add(site, "verdict",
				       json_object_new_string(pb->sites[i].verdict));
		json_object_object_add(site, "pages", json_object_new_uint64(pb->sites[i].pages));
		json_object_array_add(sites, site);
	}
	for (size_t i = 0; i < pb->nsites; i++)
		if (!strcmp(pb->sites[i].verdict, "memmap") ||
		    !strcmp(pb->sites[i].verdict, "page_ext"))
			memmapish += pb->sites[i].pages;
	if (json_object_object_get_ex(b, "verdict", &v))
		json_object_object_add(b, "kpageflags_verdict", json_object_get(v));
	json_object_object_add(b, "method", json_object_new_string("page_owner"));
	json_object_object_add(b, "verdict", json_object_new_string(po_block_verdict(pb)));
	json_object_object_add(b, "page_owner_pages", json_object_new_uint64(pb->pages));
	json_object_object_add(b, "sites", sites);
	json_object_object_add(b, "memmap_only",
			       json_object_new_boolean(json_object_object_get_ex(b, "memmap_of", &v) &&
						       pb->pages && memmapish == pb->pages));
}

/* No page_owner: say why in every block, next to the kpageflags verdict. */
static void mark_unavailable(json_object *po, json_object *arr, const char *reason)
{
	json_object_object_add(po, "available", json_object_new_boolean(0));
	json_object_object_add(po, "reason", json_object_new_string(reason));
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		json_object_object_add(json_object_array_get_idx(arr, i), "page_owner_unavailable",
				       json_object_new_string(reason));
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Read page_owner once for the blocks in arr; fills root's "page_owner". */
/*
 * What to read of page_owner: everything below the lowest block asked about
 * (boot memory, where memmaps may lie), then the pages of each block that
 * are not offline. Offline pages (virtio-mem's unplugged sub-blocks) are
 * allocated pages to page_owner, one record per 4 KiB page, and hold
 * nothing; blocks that came out are not in the kernel's memory map at all.
 */
static struct po_range *read_ranges(const struct po_scan *s, size_t *n)
{
	size_t total = 1;
	struct po_range *r;

	for (size_t i = 0; i < s->nblocks; i++)
		total += s->blocks[i].nonline;
	r = calloc(total, sizeof(*r));
	if (!r)
		abort();
	*n = 0;
	if (s->nblocks && s->blocks[0].first_pfn)
		r[(*n)++] = (struct po_range){ 0, s->blocks[0].first_pfn };
	for (size_t i = 0; i < s->nblocks; i++)
		for (size_t k = 0; k < s->blocks[i].nonline; k++)
			r[(*n)++] = s->blocks[i].online[k];
	return r;
}

static void why_page_owner(json_object *root, json_object *arr, uint64_t per_block,
			   const char *mode, struct po_range **online, size_t *nonline)
{
	json_object *po = json_object_new_object();
	struct po_scan s = { 0 };
	const char *reason = NULL;
	FILE *f = NULL;
	double t0 = now_s();
	int rc;

	json_object_object_add(root, "page_owner", po);
	if (!strcmp(mode, "off")) {
		mark_unavailable(po, arr, "page_owner = off");
		return;
	}
	f = open_page_owner(&reason);
	if (!f) {
		mark_unavailable(po, arr, reason);
		return;
	}
	s.blocks = calloc(json_object_array_length(arr) + 1, sizeof(*s.blocks));
	if (!s.blocks)
		abort();
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *v;

		if (!json_object_object_get_ex(json_object_array_get_idx(arr, i), "index", &v))
			continue;
		s.blocks[s.nblocks].index = json_object_get_uint64(v);
		s.blocks[s.nblocks].first_pfn = s.blocks[s.nblocks].index * per_block;
		s.blocks[s.nblocks].npages = per_block;
		s.blocks[s.nblocks].online = online[i];
		s.blocks[s.nblocks].nonline = nonline[i];
		online[i] = NULL;
		s.nblocks++;
	}
	qsort(s.blocks, s.nblocks, sizeof(*s.blocks), cmp_block_pfn);
	{
		size_t nr;
		struct po_range *r = read_ranges(&s, &nr);

		rc = po_scan_ranges(fileno(f), r, nr, &s);
		free(r);
		json_object_object_add(po, "read", json_object_new_string(
			rc == -ESPIPE ? "whole file" : "boot memory and the online pages of the blocks"));
	}
	if (rc == -ESPIPE) { /* no reading at a PFN: the whole file, front to back */
		setvbuf(f, NULL, _IOFBF, 1 << 16);
		rc = po_scan_stream(f, &s);
	}
	fclose(f);
	if (rc) {
		mark_unavailable(po, arr, strerror(-rc));
		po_scan_free(&s);
		return;
	}
	json_object_object_add(po, "available", json_object_new_boolean(1));
	po_sort_sites(&s);
	json_object_object_add(po, "records", json_object_new_uint64(s.records));
	json_object_object_add(po, "truncated", json_object_new_uint64(s.truncated));
	json_object_object_add(po, "garbage_lines", json_object_new_uint64(s.garbage));
	json_object_object_add(po, "bytes", json_object_new_uint64(s.bytes));
	memmap_chain(&s, per_block, arr, root);
	for (size_t i = 0; i < s.nblocks; i++) {
		json_object *b = find_out(arr, s.blocks[i].index);

		if (b)
			block_sites(&s.blocks[i], b);
	}
	json_object_object_add(po, "seconds", json_object_new_double(now_s() - t0));
	po_scan_free(&s);
}

int why_main(int argc, char **argv, uint64_t block_size)
{
	json_object *root = json_object_new_object(), *arr = json_object_new_array();
	uint64_t per_block = block_size / PAGE_SIZE;
	const char *mode = "auto";
	struct po_range **online;
	size_t *nonline;
	int rc = 0;

	if (argc >= 2 && !strcmp(argv[0], "--page-owner")) {
		mode = argv[1];
		argc -= 2;
		argv += 2;
	}
	online = calloc((size_t)argc + 1, sizeof(*online));
	nonline = calloc((size_t)argc + 1, sizeof(*nonline));
	if (!online || !nonline)
		abort();
	for (int i = 0; i < argc; i++) {
		json_object *b = json_object_new_object();
		uint64_t index = strtoull(argv[i], NULL, 10);
		int err;

		json_object_object_add(b, "index", json_object_new_uint64(index));
		json_object_object_add(b, "method", json_object_new_string("kpageflags"));
		err = per_block ? block_pages(index, per_block, b, &online[i], &nonline[i]) : -EINVAL;
		if (err) {
			json_object_object_add(b, "error", json_object_new_string(strerror(-err)));
			rc = 1;
		}
		json_object_array_add(arr, b);
	}
	if (per_block && argc)
		why_page_owner(root, arr, per_block, mode, online, nonline);
	for (int i = 0; i < argc; i++)
		free(online[i]);
	free(online);
	free(nonline);
	json_object_object_add(root, "blocks", arr);
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN));
	json_object_put(root);
	return rc;
}
