/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_KLOG_H
#define MEMHP_KLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/*
 * The kernel's own reasons an offline attempt failed, from its log records
 * (memhp-probe reads them from /dev/kmsg with their sequence numbers;
 * docs/why.md): dump_page()'s "page dumped because: unmovable page",
 * "migrating pfn %lx failed ret:%d", "failed to isolate pfn %lx", dynamic
 * debug's "memory offlining [mem …] failed due to <reason>", the ACPI path's
 * "memory memoryN: Offline failed." and ppc64's "pseries-hotplug-mem: Memory
 * indexed-count-remove failed". Each becomes an attempt of the memory block
 * it names.
 */

struct klog_attempt {
	uint64_t seq;
	int64_t t_us;          /* the kernel's timestamp: microseconds since boot */
	char reason[48];       /* dump_page's reason, or the offlining reason alone */
	char failed_due_to[48]; /* dynamic debug's "failed due to …", or "" */
	bool have_pfn, have_ret;
	uint64_t pfn;
	int ret;               /* migrate_pages()'s return */
	char page[16];         /* the page's kind (klog_page_kind), or "" */
	char flags[96];        /* the page flags as dump_page named them */
	bool closed;           /* a "memory memoryN: Offline failed." followed */
};

#define KLOG_MAX_ATTEMPTS 64 /* per block; the first ones, then only the last */

struct klog_block {
	uint64_t index;
	struct klog_attempt attempts[KLOG_MAX_ATTEMPTS];
	size_t n;
	uint64_t dropped;          /* attempts beyond the first KLOG_MAX_ATTEMPTS */
	struct klog_attempt last;  /* the newest attempt */
	unsigned offlined;         /* "Offlined Pages" seen for it: not attributable, see klog_feed */
};

/* dump_page()'s lines, gathered until "page dumped because:". */
struct klog_dump {
	bool active;
	uint64_t seq, pfn;
	int64_t us; /* the page line's: the attempt's time */
	int refcount, mapcount;
	bool anon, ksm, file;
	char flags[96];
};

struct klog {
	uint64_t block_size, page_size;
	uint64_t records;  /* records fed */
	uint64_t lost;     /* records the kernel overwrote before they were read */
	uint64_t unmapped; /* failures naming no address (ppc64's verdict) */
	int64_t last_us;   /* newest record's timestamp */
	uint64_t last_seq;
	bool have_seq;
	struct klog_dump dump;
	/* a "migrating pfn"/"failed to isolate pfn" line whose dump may follow */
	bool pending;
	struct klog_attempt pend;
	struct klog_block *blocks;
	size_t nblocks;

	/* The hung watch: migration failures since the last progress. */
	int64_t fail_first_us, fail_last_us;
	unsigned fails;     /* failures in the streak */
	unsigned repeats;   /* of those, failures of a pfn already seen in it */
#define KLOG_HUNG_PFNS 16
	uint64_t fail_pfns[KLOG_HUNG_PFNS];
	char fail_reasons[KLOG_HUNG_PFNS][48];
	size_t nfail_pfns, nfail_reasons;
};

void klog_init(struct klog *k, uint64_t block_size);
void klog_free(struct klog *k);
/* One record; seq must grow (a record seen twice is ignored). */
void klog_feed(struct klog *k, uint64_t seq, int64_t us, const char *msg);
/* A probe's "klog" ([[seq, us, text], …]) and "klog_lost"; records of any
 * other shape are skipped. */
void klog_feed_json(struct klog *k, json_object *probe);
/* Text as the serial console or dmesg prints it ("[    7.8359] msg" lines),
 * numbered from 1: for tests and for logs captured elsewhere. */
void klog_feed_text(struct klog *k, const char *text);
/* The records are all in: a failure line whose dump never came becomes an
 * attempt of its own. */
void klog_finish(struct klog *k);
/* The host saw progress (bytes or blocks came out): the hung watch starts
 * over. */
void klog_progress(struct klog *k);

const struct klog_block *klog_find(const struct klog *k, uint64_t index);

/* The page's kind from dump_page's fields: buddy, pgtable, offline, slab,
 * anon, ksm, file, reserved, lru, free or kernel. */
const char *klog_page_kind(const struct klog_dump *d);

/*
 * Hung: the kernel kept failing to migrate the same pages, with no progress,
 * for at least window_us of its own time. false for window_us <= 0.
 */
bool klog_hung(const struct klog *k, int64_t window_us);
/* The pfns and reasons of the hung streak, for a device's record. */
json_object *klog_hung_json(const struct klog *k, int64_t window_us);
/* One line for a device's detail: "pfns 0x…, 0x… (migration failure ret:-11)". */
void klog_hung_text(const struct klog *k, char *buf, size_t len);

/* Whether a failure is on a page migration cannot move: an unmovable page
 * (isolation), or a page of a kind no migration moves. */
bool klog_attempt_unmovable(const struct klog_attempt *a);
/*
 * Virtio-mem's futile tail: every block in present[] has failed, since the
 * kernel's time since_us, on an unmovable page. false when present is empty
 * or a block has no such failure.
 */
bool klog_futile(const struct klog *k, const uint64_t *present, size_t n, int64_t since_us);

/* One block of klog_futile's rule: its newest failure, since since_us, was
 * on an unmovable page. */
bool klog_block_stuck(const struct klog_block *b, int64_t since_us);
/*
 * The same decided from what a block holds, for a block the log says nothing
 * of (6.1's virtio-mem in sub-block mode unplugs through alloc_contig_range(),
 * which prints no dump): memhp-probe why's object for the block (kpageflags)
 * counts no 2 MiB range still online without an unmovable page in it
 * ("movable_2m" 0); from an older probe without that count: an unmovable
 * verdict (slab, pgtable, reserved, kernel), no movable page (anon, file,
 * thp, hugetlb) and fewer free pages than one device block of block_pages.
 */
bool klog_why_stuck(json_object *why, uint64_t block_pages);

/*
 * What memhp-probe why said of a block at one settle window. The futile
 * rule's second look compares two: the window before and this one.
 */
struct why_look {
	uint64_t index;
	uint64_t movable_2m; /* 2 MiB ranges still online with nothing unmovable */
	uint64_t offline;    /* pages already unplugged (fake-offline) */
	bool movable;        /* an anon, file, THP or hugetlb page in it */
};
/* Fills *look from why's object for block index; false when the object
 * lacks a count (an older probe): no second look then. */
bool klog_why_look(json_object *why, uint64_t index, struct why_look *look);
/*
 * The second look, for a block the first could not call stuck because a
 * 2 MiB range of it is free: it holds no movable page, nothing of it was
 * unplugged since the look before, and no range of it became free since.
 * The request written in between met every range it has and took none, so
 * the next would meet the same (6.1's sub-block mode left such ranges on
 * paper-virtio-mem-448-scaled for 300 s and five requests: docs/why.md).
 */
bool klog_why_still(const struct why_look *now, const struct why_look *before);

/* A block's attempts for the result: {"attempts": […], "dropped": N,
 * "last": {…}}, or NULL when it has none. device: the device's id or NULL. */
json_object *klog_block_json(const struct klog_block *b, const char *device);

#endif
