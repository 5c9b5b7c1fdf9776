// SPDX-License-Identifier: GPL-2.0-only
/*
 * Streaming reader of /sys/kernel/debug/page_owner (CONFIG_PAGE_OWNER,
 * booted with page_owner=on). Each record is one allocation, printed by the
 * kernel (mm/page_owner.c, 6.1) as
 *
 *   Page allocated via order O, mask 0xM(GFP_...), pid P, tgid T (comm), ts N ns, free_ts F ns
 *   PFN N type Unmovable Block B type Unmovable Flags 0x...(...)
 *    frame+0x1a/0x40
 *    ...
 *   [Page has been migrated, last migrate reason: ...]
 *   <blank line>
 *
 * The file is read once, front to back, one record at a time; only the
 * records whose pages fall in the blocks asked about are kept (grouped by
 * allocation site), plus the memmap allocations anywhere (the memmap chain).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "page_owner.h"

#define PO_FRAMES 16 /* PAGE_OWNER_STACK_DEPTH */
#define PO_SIG_FRAMES 2

/* Frames of the allocator itself: the site is the first frame after them. */
static const char *const allocator_frames[] = {
	"post_alloc_hook", "prep_new_page", "get_page_from_freelist", "__alloc_pages",
	"__alloc_pages_slowpath", "alloc_pages", "__alloc_pages_node", "alloc_pages_node",
	"__get_free_pages", "get_zeroed_page", "__folio_alloc", "folio_alloc", "vma_alloc_folio",
	"alloc_pages_vma", "__alloc_pages_bulk", "alloc_pages_bulk_array_mempolicy",
	"alloc_pages_exact", "alloc_pages_exact_nid", "__alloc_pages_exact",
	"alloc_slab_page", "allocate_slab", "new_slab", "___slab_alloc", "__slab_alloc",
	"slab_alloc_node", "__kmem_cache_alloc_node", "kmem_cache_alloc", "kmem_cache_alloc_lru",
	"kmem_cache_alloc_node", "__kmalloc", "__kmalloc_node", "__kmalloc_node_track_caller",
	"kmalloc_trace", "kmalloc_node_trace", "kmalloc_large", "kmalloc_large_node",
	"__kmalloc_large_node", "kmalloc_order", "kmalloc_order_trace", "kmem_cache_alloc_trace",
	"kmem_cache_alloc_node_trace", "vmemmap_alloc_block", "vmemmap_alloc_block_buf",
	"vmemmap_alloc_block_zero", "__vmalloc_area_node", "__vmalloc_node_range",
	"__vmalloc_node", "vmalloc", "vzalloc", "vzalloc_node", "vmalloc_node", "kvmalloc_node",
	"alloc_pages_mpol", "__pte_alloc_one", "pte_alloc_one", "__stack_depot_save",
	"stack_depot_save", "save_stack", "__set_page_owner", "__reset_page_owner",
	"slob_new_pages", "slob_alloc", "slob_alloc_node", "__do_kmalloc_node",
	"slob_page_alloc",
};

/* Keywords anywhere in the stack, and the verdict they give: first match wins. */
static const struct {
	const char *frame;
	const char *verdict;
} keyword_verdicts[] = {
	{ "vmemmap_populate", "memmap" },
	{ "__populate_section_memmap", "memmap" },
	{ "section_activate", "memmap" },
	{ "alloc_page_ext", "page_ext" },
	{ "init_section_page_ext", "page_ext" },
	{ "online_page_ext", "page_ext" },
	{ "__d_alloc", "slab:dentry" },
	{ "d_alloc", "slab:dentry" },
	{ "alloc_inode", "slab:inode" },
	{ "__pte_alloc", "pgtable" },
	{ "__pmd_alloc", "pgtable" },
	{ "__pud_alloc", "pgtable" },
	{ "__p4d_alloc", "pgtable" },
	{ "pgd_alloc", "pgtable" },
	{ "alloc_thread_stack_node", "kstack" },
	{ "dup_task_struct", "kstack" },
	{ "io_sqe_buffers_register", "pinned" },
	{ "io_pin_pages", "pinned" },
	{ "pin_user_pages", "pinned" },
	{ "__gup_longterm_locked", "pinned" },
};

/* The page tables of the memmap's mapping: memmap pages too, but not freed
 * with the block and not a block's struct pages, so not in the chain. */
static const char *const vmemmap_table_frames[] = {
	"vmemmap_alloc_block_zero", "vmemmap_pmd_populate", "vmemmap_pud_populate",
	"vmemmap_p4d_populate", "vmemmap_pgd_populate",
};

static const char *const slab_frames[] = { "allocate_slab", "new_slab", "alloc_slab_page",
					   "slob_new_pages", "slob_alloc", "slob_alloc_node" };

static bool in_list(const char *f, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(f, list[i]))
			return true;
	return false;
}

#define IN_LIST(f, l) in_list((f), (l), sizeof(l) / sizeof((l)[0]))

/* The first frame after the allocator, or the first frame. */
static size_t first_site_frame(char frames[][64], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!IN_LIST(frames[i], allocator_frames))
			return i;
	return 0;
}

const char *po_stack_verdict(char frames[][64], size_t n, uint64_t gfp_movable)
{
	static char buf[PO_VERDICT_LEN];
	bool slab = false;

	for (size_t k = 0; k < sizeof(keyword_verdicts) / sizeof(keyword_verdicts[0]); k++)
		for (size_t i = 0; i < n; i++)
			if (!strcmp(frames[i], keyword_verdicts[k].frame))
				return keyword_verdicts[k].verdict;
	for (size_t i = 0; i < n; i++)
		if (IN_LIST(frames[i], slab_frames))
			slab = true;
	if (n == 0)
		return gfp_movable ? "movable" : "kernel";
	/* !VMAP_STACK: the thread stack's pages, alloc_thread_stack_node inlined */
	if (!slab && !strcmp(frames[first_site_frame(frames, n)], "copy_process"))
		return "kstack";
	if (slab) {
		snprintf(buf, sizeof(buf), "slab:%s", frames[first_site_frame(frames, n)]);
		return buf;
	}
	if (gfp_movable)
		return "movable";
	snprintf(buf, sizeof(buf), "kernel:%s", frames[first_site_frame(frames, n)]);
	return buf;
}

/* " func+0x1a/0x40 [module]" -> "func"; false for a line that is no frame. */
static bool frame_name(const char *line, char *out, size_t len)
{
	size_t i = 0;

	if (*line != ' ' && *line != '\t')
		return false;
	while (*line == ' ' || *line == '\t')
		line++;
	if (!*line || *line == '\n')
		return false;
	while (line[i] && line[i] != '+' && line[i] != ' ' && line[i] != '\n' && line[i] != '.' &&
	       i + 1 < len) {
		out[i] = line[i];
		i++;
	}
	out[i] = '\0';
	return i > 0;
}

struct record {
	bool have_header, have_pfn, movable;
	unsigned order;
	uint64_t ts, pfn;
	char frames[PO_FRAMES][64];
	size_t nframes;
};

static struct po_block *find_block(struct po_scan *s, uint64_t pfn)
{
	size_t lo = 0, hi = s->nblocks;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct po_block *b = &s->blocks[mid];

		if (pfn < b->first_pfn)
			hi = mid;
		else if (pfn >= b->first_pfn + b->npages)
			lo = mid + 1;
		else
			return b;
	}
	return NULL;
}

/* The first block starting after pfn. */
static struct po_block *next_block(struct po_scan *s, uint64_t pfn)
{
	size_t lo = 0, hi = s->nblocks;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->blocks[mid].first_pfn <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->nblocks ? &s->blocks[lo] : NULL;
}

static int add_site(struct po_block *b, const char *site, const char *verdict, uint64_t pages)
{
	for (size_t i = 0; i < b->nsites; i++) {
		if (!strcmp(b->sites[i].site, site) && !strcmp(b->sites[i].verdict, verdict)) {
			b->sites[i].pages += pages;
			return 0;
		}
	}
	if (b->nsites == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 8;
		struct po_site *n = realloc(b->sites, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		b->sites = n;
		b->cap = cap;
	}
	snprintf(b->sites[b->nsites].site, PO_SITE_LEN, "%s", site);
	snprintf(b->sites[b->nsites].verdict, PO_VERDICT_LEN, "%s", verdict);
	b->sites[b->nsites].pages = pages;
	b->nsites++;
	return 0;
}

static void signature(const struct record *r, char *out, size_t len)
{
	size_t first = first_site_frame((char (*)[64])r->frames, r->nframes), used = 0;

	out[0] = '\0';
	if (!r->nframes) {
		snprintf(out, len, "(no stack)");
		return;
	}
	for (size_t i = first; i < r->nframes && i < first + PO_SIG_FRAMES; i++) {
		int n = snprintf(out + used, len - used, "%s%s", i > first ? " < " : "",
				 r->frames[i]);

		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
}

static bool vmemmap_table(const struct record *r)
{
	for (size_t i = 0; i < r->nframes; i++)
		if (IN_LIST(r->frames[i], vmemmap_table_frames))
			return true;
	return false;
}

/* A finished record: account its pages to the blocks it overlaps. */
static int commit(struct po_scan *s, struct record *r)
{
	uint64_t pages = 1ULL << (r->order > 20 ? 20 : r->order);
	const char *verdict;
	char site[PO_SITE_LEN];
	int rc = 0;

	if (!r->have_header || !r->have_pfn)
		return 0;
	verdict = po_stack_verdict(r->frames, r->nframes, r->movable);
	if (!strcmp(verdict, "memmap") && !vmemmap_table(r)) {
		if (s->nmemmap == s->memmap_cap) {
			size_t cap = s->memmap_cap ? s->memmap_cap * 2 : 64;
			struct po_memmap *n = realloc(s->memmap, cap * sizeof(*n));

			if (!n)
				return -ENOMEM;
			s->memmap = n;
			s->memmap_cap = cap;
		}
		signature(r, site, sizeof(site));
		s->memmap[s->nmemmap] = (struct po_memmap){ r->pfn, pages, r->ts, "" };
		snprintf(s->memmap[s->nmemmap++].site, PO_SITE_LEN, "%s", site);
	}
	signature(r, site, sizeof(site));
	for (uint64_t pfn = r->pfn, last = r->pfn + pages; pfn < last && !rc;) {
		struct po_block *b = find_block(s, pfn);
		uint64_t end;

		if (!b) {
			b = next_block(s, pfn);
			if (!b || b->first_pfn >= last)
				break;
			pfn = b->first_pfn;
		}
		end = b->first_pfn + b->npages < last ? b->first_pfn + b->npages : last;
		b->pages += end - pfn;
		rc = add_site(b, site, verdict, end - pfn);
		pfn = end;
	}
	return rc;
}

int po_scan_stream(FILE *f, struct po_scan *s)
{
	struct record r = { 0 };
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;

	while (!rc && (n = getline(&line, &cap, f)) >= 0) {
		unsigned order;
		unsigned long long ts, pfn;
		char type[32];

		s->bytes += (uint64_t)n;
		if (!strncmp(line, "Page allocated via order ", 25)) {
			if (r.have_header) { /* the previous record never ended */
				s->truncated++;
				rc = commit(s, &r);
			}
			memset(&r, 0, sizeof(r));
			if (sscanf(line, "Page allocated via order %u,", &order) != 1) {
				s->garbage++;
				continue;
			}
			{
				const char *t = strstr(line, ", ts ");

				ts = 0;
				if (t && sscanf(t, ", ts %llu ns", &ts) != 1)
					ts = 0;
			}
			r.have_header = true;
			r.order = order;
			r.ts = ts;
		} else if (!strncmp(line, "PFN ", 4)) {
			if (!r.have_header || r.have_pfn ||
			    sscanf(line, "PFN %llu type %31s", &pfn, type) != 2) {
				s->garbage++;
				continue;
			}
			r.have_pfn = true;
			r.pfn = pfn;
			r.movable = !strcmp(type, "Movable");
		} else if (line[0] == '\n' || line[0] == '\0') {
			if (r.have_header) {
				if (r.have_pfn)
					s->records++;
				else
					s->truncated++;
				rc = commit(s, &r);
			}
			memset(&r, 0, sizeof(r));
		} else if (r.have_pfn && (line[0] == ' ' || line[0] == '\t')) {
			if (r.nframes < PO_FRAMES && frame_name(line, r.frames[r.nframes], 64))
				r.nframes++;
		} else if (r.have_pfn && (!strncmp(line, "Page has been migrated", 22) ||
					  !strncmp(line, "Charged ", 8))) {
			/* migration reason, memcg: not part of the site */
		} else {
			s->garbage++;
		}
	}
	if (!rc && ferror(f))
		rc = -EIO;
	if (!rc && r.have_header) { /* the file ended inside a record */
		s->truncated++;
		rc = commit(s, &r);
	}
	free(line);
	return rc;
}

#define PO_RECORD_MAX (64 * 1024) /* a record is a few hundred bytes */

int po_scan_ranges(int fd, const struct po_range *ranges, size_t n, struct po_scan *s)
{
	char *buf = malloc(PO_RECORD_MAX);
	int rc = 0;

	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < n && !rc; i++) {
		uint64_t pos = ranges[i].start;

		while (pos < ranges[i].end && !rc) {
			ssize_t got = pread(fd, buf, PO_RECORD_MAX - 1, (off_t)pos);
			unsigned long long pfn;
			const char *p;
			FILE *mem;

			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0) {
				rc = -errno;
				break;
			}
			if (got == 0)
				break; /* no allocated page from pos to the end of memory */
			buf[got] = '\0';
			p = strstr(buf, "\nPFN ");
			if (!p || sscanf(p + 5, "%llu", &pfn) != 1 || pfn < pos) {
				s->garbage++;
				s->bytes += (uint64_t)got;
				break;
			}
			if (pfn >= ranges[i].end)
				break; /* the next allocation is past this range */
			{ /* one record a read; should there be more, the first only */
				char *end = strstr(buf, "\n\n");

				if (end)
					got = end + 2 - buf;
			}
			mem = fmemopen(buf, (size_t)got, "r");
			if (!mem) {
				rc = -ENOMEM;
				break;
			}
			rc = po_scan_stream(mem, s);
			fclose(mem);
			pos = pfn + 1;
		}
	}
	free(buf);
	return rc;
}

static int cmp_site(const void *a, const void *b)
{
	const struct po_site *x = a, *y = b;

	if (x->pages != y->pages)
		return x->pages < y->pages ? 1 : -1;
	return strcmp(x->site, y->site);
}

void po_sort_sites(struct po_scan *s)
{
	for (size_t i = 0; i < s->nblocks; i++)
		if (s->blocks[i].nsites)
			qsort(s->blocks[i].sites, s->blocks[i].nsites, sizeof(struct po_site),
			      cmp_site);
}

const char *po_block_verdict(const struct po_block *b)
{
	const char *best = NULL;
	uint64_t best_pages = 0;

	/* Sum the sites by verdict; the verdict with most pages wins. */
	for (size_t i = 0; i < b->nsites; i++) {
		uint64_t sum = 0;

		for (size_t j = 0; j < b->nsites; j++)
			if (!strcmp(b->sites[i].verdict, b->sites[j].verdict))
				sum += b->sites[j].pages;
		if (sum > best_pages || (sum == best_pages && best &&
					 strcmp(b->sites[i].verdict, best) < 0)) {
			best_pages = sum;
			best = b->sites[i].verdict;
		}
	}
	return best ? best : "free";
}

void po_scan_free(struct po_scan *s)
{
	for (size_t i = 0; i < s->nblocks; i++) {
		free(s->blocks[i].sites);
		free(s->blocks[i].online);
	}
	free(s->blocks);
	free(s->memmap);
	memset(s, 0, sizeof(*s));
}
