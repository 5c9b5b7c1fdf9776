// SPDX-License-Identifier: GPL-2.0-only
/*
 * The probe's page_owner reader (guest-image/probe/page_owner.c): records,
 * sites and verdicts from text in the 6.1 kernel's format, including a
 * capture from a memhp build: kernel (tests/unit/data/page_owner-6.1.txt,
 * cut short mid-record and with garbage lines added); and the harness side
 * that reads the sites back from a result (harness/why_sites.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../guest-image/probe/page_owner.c"
#include "why_sites.h"

#define SAMPLE "tests/unit/data/page_owner-6.1.txt"

static const char dentry_rec[] =
	"Page allocated via order 0, mask 0x12cc0(GFP_KERNEL|__GFP_NOWARN|__GFP_NORETRY), "
	"pid 77, tgid 77 (sh), ts 5000 ns, free_ts 0 ns\n"
	"PFN 1048580 type Unmovable Block 2047 type Unmovable Flags 0x200(slab|node=0|zone=2)\n"
	" post_alloc_hook+0x1a/0x30\n"
	" get_page_from_freelist+0x3a1/0x1100\n"
	" __alloc_pages+0xf2/0x240\n"
	" allocate_slab+0x2d6/0x400\n"
	" ___slab_alloc+0x6d1/0x8d0\n"
	" kmem_cache_alloc_lru+0x2d1/0x310\n"
	" __d_alloc+0x26/0x1e0\n"
	" d_alloc_parallel+0x5a/0x4d0\n"
	" __lookup_slow+0x66/0x140\n"
	"\n";

static const char memmap_rec[] =
	"Page allocated via order 9, mask 0x2dc2(GFP_KERNEL|__GFP_HIGHMEM|__GFP_NOWARN|__GFP_ZERO), "
	"pid 30, tgid 30 (kworker/0:2), ts 2000 ns, free_ts 0 ns\n"
	"PFN 1081344 type Unmovable Block 2112 type Unmovable Flags 0x0(node=0|zone=2)\n"
	" post_alloc_hook+0x1a/0x30\n"
	" get_page_from_freelist+0x3a1/0x1100\n"
	" __alloc_pages+0xf2/0x240\n"
	" vmemmap_alloc_block+0x5a/0xc0\n"
	" vmemmap_populate+0x111/0x2c0\n"
	" __populate_section_memmap+0x2e/0x40\n"
	" sparse_add_section+0xd0/0x2c0\n"
	" __add_pages+0x6c/0x120\n"
	"\n";

static FILE *text(const char *s)
{
	FILE *f = fmemopen((void *)s, strlen(s), "r");

	assert_non_null(f);
	return f;
}

/* Two blocks of 32768 pages (128 MiB) at block indexes 32 and 33. */
static void two_blocks(struct po_scan *s)
{
	memset(s, 0, sizeof(*s));
	s->blocks = calloc(2, sizeof(*s->blocks));
	s->blocks[0] = (struct po_block){ .index = 32, .first_pfn = 32 * 32768, .npages = 32768 };
	s->blocks[1] = (struct po_block){ .index = 33, .first_pfn = 33 * 32768, .npages = 32768 };
	s->nblocks = 2;
}

static void test_sites_and_verdicts(void **state)
{
	char buf[4096];
	struct po_scan s;
	FILE *f;

	(void)state;
	snprintf(buf, sizeof(buf), "%s%s%s", dentry_rec, memmap_rec, dentry_rec);
	two_blocks(&s);
	f = text(buf);
	assert_int_equal(po_scan_stream(f, &s), 0);
	fclose(f);
	assert_int_equal(s.records, 3);
	assert_int_equal(s.truncated, 0);
	assert_int_equal(s.garbage, 0);
	/* Block 32 (PFN 1048576...): the dentry page, twice, one site. */
	assert_int_equal(s.blocks[0].pages, 2);
	assert_int_equal(s.blocks[0].nsites, 1);
	assert_string_equal(s.blocks[0].sites[0].site, "__d_alloc < d_alloc_parallel");
	assert_string_equal(s.blocks[0].sites[0].verdict, "slab:dentry");
	assert_string_equal(po_block_verdict(&s.blocks[0]), "slab:dentry");
	/* Block 33: an order-9 memmap allocation. */
	assert_int_equal(s.blocks[1].pages, 512);
	assert_string_equal(s.blocks[1].sites[0].site, "vmemmap_populate < __populate_section_memmap");
	assert_string_equal(po_block_verdict(&s.blocks[1]), "memmap");
	assert_int_equal(s.nmemmap, 1);
	assert_int_equal(s.memmap[0].pfn, 1081344);
	assert_int_equal(s.memmap[0].pages, 512);
	assert_int_equal(s.memmap[0].ts, 2000);
	assert_string_equal(s.memmap[0].site, "vmemmap_populate < __populate_section_memmap");
	po_scan_free(&s);
}

/* A page table of the memmap's mapping is memmap, but no block's memmap. */
static void test_vmemmap_table_not_in_chain(void **state)
{
	static const char rec[] =
		"Page allocated via order 0, mask 0x2dc2(GFP_KERNEL|__GFP_ZERO), pid 30, tgid 30 "
		"(kworker/0:2), ts 1500 ns, free_ts 0 ns\n"
		"PFN 1048600 type Unmovable Block 2048 type Unmovable Flags 0x0()\n"
		" post_alloc_hook+0x1a/0x30\n"
		" __alloc_pages+0xf2/0x240\n"
		" vmemmap_alloc_block+0x5a/0xc0\n"
		" vmemmap_pud_populate+0x2e/0xa0\n"
		" vmemmap_populate+0x91/0x2c0\n"
		" __populate_section_memmap+0x2e/0x40\n"
		"\n";
	struct po_scan s;
	FILE *f;

	(void)state;
	two_blocks(&s);
	f = text(rec);
	assert_int_equal(po_scan_stream(f, &s), 0);
	fclose(f);
	assert_string_equal(po_block_verdict(&s.blocks[0]), "memmap");
	assert_string_equal(s.blocks[0].sites[0].site, "vmemmap_pud_populate < vmemmap_populate");
	assert_int_equal(s.nmemmap, 0);
	po_scan_free(&s);
}

/* Garbage between records is counted and skipped; a record cut short at the
 * end of the file still counts its pages; a record without its PFN line
 * counts nothing. */
static void test_truncated_and_garbage(void **state)
{
	char buf[4096];
	struct po_scan s;
	size_t cut = strlen(dentry_rec) - 40; /* inside the stack */
	FILE *f;

	(void)state;
	snprintf(buf, sizeof(buf),
		 "garbage before\n%s\x01\x02 binary junk\nPFN 12 type Movable\n"
		 "Page allocated via order 0, mask 0x0(), pid 1, tgid 1 (x), ts 1 ns, free_ts 0 ns\n"
		 "\n%.*s",
		 memmap_rec, (int)cut, dentry_rec);
	two_blocks(&s);
	f = text(buf);
	assert_int_equal(po_scan_stream(f, &s), 0);
	fclose(f);
	assert_int_equal(s.records, 1);
	assert_int_equal(s.truncated, 2); /* the PFN-less record and the cut one */
	assert_int_equal(s.garbage, 3);
	assert_int_equal(s.blocks[1].pages, 512);
	assert_int_equal(s.blocks[0].pages, 1);
	po_scan_free(&s);
}

/* An allocation straddling two blocks counts in each; outside all, nowhere. */
static void test_straddle_and_outside(void **state)
{
	static const char rec[] =
		"Page allocated via order 2, mask 0x100cca(GFP_HIGHUSER_MOVABLE), pid 5, tgid 5 "
		"(a), ts 9 ns, free_ts 0 ns\n"
		"PFN 1081342 type Movable Block 2111 type Movable Flags 0x0()\n"
		" post_alloc_hook+0x1a/0x30\n"
		" __alloc_pages+0xf2/0x240\n"
		" __folio_alloc+0x17/0x50\n"
		" vma_alloc_folio+0x9f/0x3a0\n"
		" do_anonymous_page+0x6d/0x3c0\n"
		"\n"
		"Page allocated via order 0, mask 0xcc0(GFP_KERNEL), pid 5, tgid 5 "
		"(a), ts 9 ns, free_ts 0 ns\n"
		"PFN 7 type Unmovable Block 0 type Unmovable Flags 0x0()\n"
		" post_alloc_hook+0x1a/0x30\n"
		" __alloc_pages+0xf2/0x240\n"
		" __pte_alloc+0x1e/0x100\n"
		"\n";
	struct po_scan s;
	FILE *f;

	(void)state;
	two_blocks(&s);
	f = text(rec);
	assert_int_equal(po_scan_stream(f, &s), 0);
	fclose(f);
	assert_int_equal(s.records, 2);
	assert_int_equal(s.blocks[0].pages, 2);
	assert_int_equal(s.blocks[1].pages, 2);
	assert_string_equal(s.blocks[0].sites[0].verdict, "movable");
	assert_string_equal(s.blocks[0].sites[0].site, "do_anonymous_page");
	po_scan_free(&s);
}

static void test_stack_verdicts(void **state)
{
	char f1[][64] = { "post_alloc_hook", "__alloc_pages", "__pte_alloc", "do_fault" };
	char f2[][64] = { "__alloc_pages", "alloc_thread_stack_node", "dup_task_struct" };
	char f3[][64] = { "__alloc_pages", "__gup_longterm_locked", "pin_user_pages" };
	char f4[][64] = { "__alloc_pages", "allocate_slab", "kmem_cache_alloc", "alloc_inode" };
	char f5[][64] = { "__alloc_pages", "allocate_slab", "__kmalloc", "seq_read_iter" };
	char f6[][64] = { "__alloc_pages", "alloc_pages_exact_nid", "online_page_ext" };
	char f7[][64] = { "__alloc_pages", "__get_free_pages", "pcpu_populate_chunk" };

	(void)state;
	assert_string_equal(po_stack_verdict(f1, 4, 0), "pgtable");
	assert_string_equal(po_stack_verdict(f2, 3, 0), "kstack");
	assert_string_equal(po_stack_verdict(f3, 3, 1), "pinned");
	assert_string_equal(po_stack_verdict(f4, 4, 0), "slab:inode");
	assert_string_equal(po_stack_verdict(f5, 4, 0), "slab:seq_read_iter");
	assert_string_equal(po_stack_verdict(f6, 3, 0), "page_ext");
	assert_string_equal(po_stack_verdict(f7, 3, 0), "kernel:pcpu_populate_chunk");
	assert_string_equal(po_stack_verdict(f7, 0, 1), "movable");
	/* tinyconfig's SLOB, and !VMAP_STACK thread stacks (seen on 6.1) */
	{
		char f8[][64] = { "__alloc_pages", "slob_new_pages", "slob_alloc_node",
				  "__kmalloc_node", "seq_read_iter" };
		char f9[][64] = { "post_alloc_hook", "__alloc_pages", "copy_process",
				  "kernel_clone" };

		assert_string_equal(po_stack_verdict(f8, 5, 0), "slab:seq_read_iter");
		assert_string_equal(po_stack_verdict(f9, 4, 0), "kstack");
	}
	{
		char name[64];

		assert_true(frame_name(" slob_new_pages.constprop.0+0x1a/0x40\n", name, 64));
		assert_string_equal(name, "slob_new_pages");
		assert_false(frame_name("no leading space\n", name, 64));
	}
}

/* Count the records of a page_owner text the plain way, to check the reader. */
static void count_plain(FILE *f, unsigned long *headers, unsigned long *pfns)
{
	char line[4096];

	*headers = *pfns = 0;
	while (fgets(line, sizeof(line), f)) {
		*headers += !strncmp(line, "Page allocated via order ", 25);
		*pfns += !strncmp(line, "PFN ", 4);
	}
	rewind(f);
}

/* The capture from a real 6.1 guest (page_owner=on, memhp.config): every
 * record is read, the cut one at the end counted as truncated, the garbage
 * lines put in by hand counted, and the whole PFN range in one "block" holds
 * every page. */
static void test_real_capture(void **state)
{
	FILE *f = fopen(SAMPLE, "r");
	unsigned long headers, pfns;
	struct po_scan s = { 0 };
	uint64_t sum = 0;

	(void)state;
	assert_non_null(f);
	count_plain(f, &headers, &pfns);
	assert_true(headers > 100);
	s.blocks = calloc(1, sizeof(*s.blocks));
	s.blocks[0] = (struct po_block){ .index = 0, .first_pfn = 0, .npages = 1ULL << 40 };
	s.nblocks = 1;
	assert_int_equal(po_scan_stream(f, &s), 0);
	fclose(f);
	assert_int_equal(s.records + s.truncated, headers);
	assert_int_equal(s.truncated, 1);
	assert_int_equal(s.garbage, 3);
	assert_true(s.blocks[0].nsites > 5);
	for (size_t i = 0; i < s.blocks[0].nsites; i++) {
		sum += s.blocks[0].sites[i].pages;
		/* KALLSYMS: sites are names, not addresses; none is the allocator. */
		assert_true(strncmp(s.blocks[0].sites[i].site, "0x", 2) != 0);
		assert_false(strcmp(s.blocks[0].sites[i].site, "__alloc_pages") == 0);
		assert_false(strcmp(s.blocks[0].sites[i].site, "post_alloc_hook") == 0);
	}
	assert_int_equal(sum, s.blocks[0].pages);
	po_sort_sites(&s);
	for (size_t i = 1; i < s.blocks[0].nsites; i++)
		assert_true(s.blocks[0].sites[i - 1].pages >= s.blocks[0].sites[i].pages);
	po_scan_free(&s);
}

/* The harness reads sites back type-checked: wrong types read as absent. */
static void test_why_sites_types(void **state)
{
	struct block_record b = { .index = 41 };
	struct why_site sites[WHY_MAX_SITES];
	uint64_t of[4];

	(void)state;
	b.why = json_tokener_parse(
		"{\"method\":\"page_owner\",\"verdict\":\"memmap\",\"memmap_only\":true,"
		"\"memmap_of\":[42,\"x\",-1,43],\"sites\":[{\"site\":\"vmemmap_populate < "
		"__populate_section_memmap\",\"verdict\":\"memmap\",\"pages\":512},"
		"{\"site\":7,\"verdict\":\"x\",\"pages\":1},{\"site\":\"a\",\"verdict\":\"b\","
		"\"pages\":\"many\"},[],null]}");
	assert_non_null(b.why);
	assert_string_equal(why_method(&b), "page_owner");
	assert_int_equal(why_sites(&b, sites, WHY_MAX_SITES), 1);
	assert_int_equal(sites[0].pages, 512);
	assert_int_equal(why_memmap_of(&b, of, 4), 2);
	assert_int_equal(of[0], 42);
	assert_int_equal(of[1], 43);
	assert_true(why_memmap_only(&b));
	assert_null(why_page_owner_unavailable(&b));
	json_object_put(b.why);

	b.why = json_tokener_parse("{\"method\":3,\"sites\":{},\"memmap_of\":5,"
				   "\"memmap_only\":\"yes\",\"page_owner_unavailable\":[]}");
	assert_string_equal(why_method(&b), "");
	assert_int_equal(why_sites(&b, sites, WHY_MAX_SITES), 0);
	assert_int_equal(why_memmap_of(&b, of, 4), 0);
	assert_false(why_memmap_only(&b));
	assert_null(why_page_owner_unavailable(&b));
	json_object_put(b.why);

	b.why = json_tokener_parse("[1,2]");
	assert_string_equal(why_method(&b), "");
	json_object_put(b.why);
	b.why = NULL;
	assert_int_equal(why_sites(&b, sites, WHY_MAX_SITES), 0);
}

/* A block page_owner lists nothing in: the DIMM it stayed with is named;
 * a virtio-mem block has no DIMM to name. */
static void test_empty_block_names_its_dimm(void **state)
{
	struct block_record blocks[2] = { { .index = 64, .start = 0x200000000ULL },
					  { .index = 96, .start = 0x300000000ULL } };
	struct device_record dev = { .id = "dimm0", .kind = "dimm", .addr = 0x200000000ULL,
				     .plugged = 256ULL << 20 };
	struct run_record r = { .blocks = blocks, .nblocks = 2, .devices = &dev, .ndevices = 1 };
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	(void)state;
	for (int i = 0; i < 2; i++)
		blocks[i].why = json_tokener_parse("{\"method\":\"page_owner\",\"verdict\":\"free\","
						   "\"sites\":[]}");
	why_print_sites(mem, &r);
	fclose(mem);
	assert_non_null(strstr(text, "block 64: free (page_owner)\n  no allocation in it: it "
				     "stayed with the rest of DIMM dimm0"));
	assert_non_null(strstr(text, "block 96: free (page_owner)\n  no allocation in it\n"));
	free(text);
	for (int i = 0; i < 2; i++)
		json_object_put(blocks[i].why);
}

/* A dax device comes out whole too (kmem removes its range only whole):
 * a block with nothing of its own is named with it. */
static void test_empty_block_names_its_dax_device(void **state)
{
	struct block_record b = { .index = 7, .start = 0x38000000ULL };
	struct device_record dev = { .id = "dax0.0", .kind = "dax-kmem", .addr = 0x38000000ULL,
				     .plugged = 512ULL << 20 };
	struct run_record r = { .blocks = &b, .nblocks = 1, .devices = &dev, .ndevices = 1 };
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	(void)state;
	b.why = json_tokener_parse("{\"method\":\"page_owner\",\"verdict\":\"free\","
				   "\"sites\":[]}");
	why_print_sites(mem, &r);
	fclose(mem);
	assert_non_null(strstr(text, "block 7: free (page_owner)\n  no allocation in it: it "
				     "stayed with the rest of dax device dax0.0 (a dax device comes "
				     "out whole or not at all)"));
	free(text);
	json_object_put(b.why);
}

/* Reading by PFN ranges needs a file that can be read at an offset; on one
 * that cannot (a pipe) it says so, and the caller reads the file whole. */
static void test_ranges_need_pread(void **state)
{
	struct po_range r = { 0, 1 << 20 };
	struct po_scan s = { 0 };
	int fds[2];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], memmap_rec, sizeof(memmap_rec) - 1),
			 (ssize_t)sizeof(memmap_rec) - 1);
	assert_int_equal(po_scan_ranges(fds[0], &r, 1, &s), -ESPIPE);
	assert_int_equal(s.records, 0);
	close(fds[0]);
	close(fds[1]);
	po_scan_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sites_and_verdicts),
		cmocka_unit_test(test_truncated_and_garbage),
		cmocka_unit_test(test_vmemmap_table_not_in_chain),
		cmocka_unit_test(test_straddle_and_outside),
		cmocka_unit_test(test_stack_verdicts),
		cmocka_unit_test(test_real_capture),
		cmocka_unit_test(test_ranges_need_pread),
		cmocka_unit_test(test_why_sites_types),
		cmocka_unit_test(test_empty_block_names_its_dimm),
		cmocka_unit_test(test_empty_block_names_its_dax_device),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
