// SPDX-License-Identifier: GPL-2.0-only
/*
 * memhp-probe why INDEX...: what the memory blocks that did not come out
 * hold. For each block, read /proc/kpageflags over its page frames, count the
 * pages by kind, and name the kind most likely to have kept it.
 *
 * The only place memhp classifies pages; docs/metrics.md describes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <linux/kernel-page-flags.h>

#include "why.h"

#define PAGE_SIZE 4096ULL
#define KPF_RESERVED_BIT 32 /* a kernel-internal flag kpageflags exposes */
#define BIT(n) (1ULL << (n))
#define MAX_ORDER_PAGES 1024 /* order 10 */

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

static int block_pages(uint64_t index, uint64_t pages_per_block, json_object *out)
{
	uint64_t first = index * pages_per_block, count[K_COUNT] = { 0 };
	uint64_t *flags = calloc(pages_per_block, sizeof(*flags));
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
	for (uint64_t i = 0; i < pages_per_block; i++) {
		enum kind k = classify(flags[i]);

		count[k]++;
		if (k == K_FREE) {
			uint64_t tail = free_tail(flags, i, pages_per_block, first + i);

			count[K_FREE] += tail;
			i += tail;
		}
	}
	for (int k = 0; k < K_COUNT; k++)
		json_object_object_add(pages, kind_names[k], json_object_new_uint64(count[k]));
	json_object_object_add(out, "pages", pages);
	json_object_object_add(out, "verdict", json_object_new_string(verdict(count)));
	free(flags);
	return 0;
}

int why_main(int argc, char **argv, uint64_t block_size)
{
	json_object *root = json_object_new_object(), *arr = json_object_new_array();
	uint64_t per_block = block_size / PAGE_SIZE;
	int rc = 0;

	for (int i = 0; i < argc; i++) {
		json_object *b = json_object_new_object();
		uint64_t index = strtoull(argv[i], NULL, 10);
		int err;

		json_object_object_add(b, "index", json_object_new_uint64(index));
		err = per_block ? block_pages(index, per_block, b) : -EINVAL;
		if (err) {
			json_object_object_add(b, "error", json_object_new_string(strerror(-err)));
			rc = 1;
		}
		json_object_array_add(arr, b);
	}
	json_object_object_add(root, "blocks", arr);
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN));
	json_object_put(root);
	return rc;
}
