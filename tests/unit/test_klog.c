// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel's offline-failure reasons (harness/klog.c): parsed from a real
 * capture (tests/unit/data/kmsg-6.1-pinned-dimm.log: Debian's
 * 6.1.0-57-cloud-amd64 under tests/integration/pinned-load.ini, booted with
 * dyndbg="file mm/memory_hotplug.c +p", its serial console from the moment
 * the DIMMs were unplugged), and the hung watch and the futile-tail rule on
 * synthetic sequences shaped like the kernel's lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "klog.h"
#include "../../guest-image/probe/kmsg.c"

#define SAMPLE "tests/unit/data/kmsg-6.1-pinned-dimm.log"
#define BS (128ULL << 20)

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static void load_sample(struct klog *k)
{
	char *text = slurp(SAMPLE);

	klog_init(k, BS);
	klog_feed_text(k, text);
	klog_finish(k);
	free(text);
}

/* The capture: dimm1 (blocks 34, 35) and dimm0 (32, 33) refused twice; 35
 * went offline each time (Offlined Pages), 34 held a bare kernel page,
 * 32 a slab page, 33 a page table. */
static void test_real_capture(void **state)
{
	struct klog k;
	const struct klog_block *b;

	(void)state;
	load_sample(&k);
	assert_int_equal(k.nblocks, 3);
	assert_null(klog_find(&k, 35));

	b = klog_find(&k, 34);
	assert_non_null(b);
	assert_int_equal(b->n, 4);
	for (size_t i = 0; i < b->n; i++) {
		assert_string_equal(b->attempts[i].reason, "unmovable page");
		assert_string_equal(b->attempts[i].failed_due_to, "failure to isolate range");
		assert_true(b->attempts[i].have_pfn);
		assert_int_equal(b->attempts[i].pfn, 0x110000);
		assert_string_equal(b->attempts[i].page, "kernel");
	}
	/* "memory memory34: Offline failed." closed the second and the fourth */
	assert_false(b->attempts[0].closed);
	assert_true(b->attempts[1].closed);
	assert_true(b->last.closed);
	assert_int_equal(b->attempts[0].t_us, 7835190);
	assert_int_equal(b->last.t_us, 8897853);

	b = klog_find(&k, 32);
	assert_non_null(b);
	assert_int_equal(b->n, 4);
	assert_string_equal(b->last.page, "slab");
	assert_string_equal(b->last.flags, "slab|head|node=0|zone=2|lastcpupid=0x1fffff");
	assert_int_equal(b->last.pfn, 0x100000);

	b = klog_find(&k, 33);
	assert_non_null(b);
	assert_int_equal(b->n, 2);
	assert_string_equal(b->last.page, "pgtable");
	assert_string_equal(b->last.failed_due_to, "failure to isolate range");
	assert_false(b->last.closed);

	/* isolation failures are not migration retries: nothing hung */
	assert_false(klog_hung(&k, 1));
	assert_int_equal(k.fails, 0);
	klog_free(&k);
}

static void test_real_capture_futile(void **state)
{
	const uint64_t stayed[] = { 32, 33, 34 }, with_35[] = { 32, 33, 34, 35 };
	struct klog k;

	(void)state;
	load_sample(&k);
	assert_true(klog_futile(&k, stayed, 3, 0));
	/* 35 went offline: nothing says it cannot come out */
	assert_false(klog_futile(&k, with_35, 4, 0));
	/* failures older than the window's start do not count */
	assert_false(klog_futile(&k, stayed, 3, 9000000));
	assert_false(klog_futile(&k, stayed, 0, 0));
	klog_free(&k);
}

static void test_block_json(void **state)
{
	struct klog k;
	json_object *o, *v, *last;

	(void)state;
	load_sample(&k);
	o = klog_block_json(klog_find(&k, 33), "dimm0");
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "device", &v));
	assert_string_equal(json_object_get_string(v), "dimm0");
	assert_true(json_object_object_get_ex(o, "attempts", &v));
	assert_int_equal(json_object_array_length(v), 2);
	assert_true(json_object_object_get_ex(o, "last", &last));
	assert_true(json_object_object_get_ex(last, "pfn", &v));
	assert_int_equal(json_object_get_uint64(v), 0x108000);
	assert_true(json_object_object_get_ex(last, "page", &v));
	assert_string_equal(json_object_get_string(v), "pgtable");
	assert_true(json_object_object_get_ex(last, "ret", &v));
	assert_null(v);
	json_object_put(o);
	assert_null(klog_block_json(klog_find(&k, 35), NULL));
	klog_free(&k);
}

/* The kernel's migration failure in do_migrate_range, as 6.1 prints it. */
static void migration_failure(struct klog *k, uint64_t *seq, int64_t us, unsigned long pfn)
{
	char line[160];

	snprintf(line, sizeof(line), "migrating pfn %lx failed ret:7", pfn);
	klog_feed(k, (*seq)++, us, line);
	snprintf(line, sizeof(line), "page:00000000deadbeef refcount:3 mapcount:0 "
		 "mapping:00000000c0ffee00 index:0x7 pfn:%#lx", pfn);
	klog_feed(k, (*seq)++, us + 10, line);
	klog_feed(k, (*seq)++, us + 20, "aops:shmem_aops ino:5 dentry name:\"memfd:x\"");
	klog_feed(k, (*seq)++, us + 30, "flags: 0x17ffffc008003d(locked|uptodate|dirty|lru|swapbacked)");
	klog_feed(k, (*seq)++, us + 40, "page dumped because: migration failure");
}

static void test_hung(void **state)
{
	struct klog k;
	uint64_t seq = 1;
	json_object *o, *v;
	char text[256];

	(void)state;
	klog_init(&k, BS);
	/* every 5 s, the same two pages, for 65 s */
	for (int64_t t = 0; t <= 65; t += 5) {
		migration_failure(&k, &seq, 100000000 + t * 1000000, 0x12a400);
		migration_failure(&k, &seq, 100000500 + t * 1000000, 0x12a401);
	}
	assert_true(klog_hung(&k, 60000000));
	assert_false(klog_hung(&k, 70000000));
	assert_false(klog_hung(&k, 0));
	o = klog_hung_json(&k, 60000000);
	assert_true(json_object_object_get_ex(o, "pfns", &v));
	assert_int_equal(json_object_array_length(v), 2);
	assert_int_equal(json_object_get_uint64(json_object_array_get_idx(v, 0)), 0x12a400);
	assert_true(json_object_object_get_ex(o, "reasons", &v));
	assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)),
			    "migration failure ret:7");
	json_object_put(o);
	klog_hung_text(&k, text, sizeof(text));
	assert_non_null(strstr(text, "0x12a400, 0x12a401"));
	assert_non_null(strstr(text, "migration failure ret:7"));

	/* the attempts carry the page's kind, the pfn and ret */
	klog_finish(&k);
	assert_int_equal(klog_find(&k, 0x12a400ULL * 4096 / BS)->last.ret, 7);
	assert_string_equal(klog_find(&k, 0x12a400ULL * 4096 / BS)->last.page, "file");
	assert_string_equal(klog_find(&k, 0x12a400ULL * 4096 / BS)->last.reason,
			    "migration failure");
	/* the pages are movable: a migration failure is not the futile tail */
	assert_false(klog_attempt_unmovable(&klog_find(&k, 0x12a400ULL * 4096 / BS)->last));

	/* progress starts the watch over */
	klog_progress(&k);
	assert_false(klog_hung(&k, 1));
	klog_free(&k);
}

static void test_not_hung_with_progress(void **state)
{
	struct klog k;
	uint64_t seq = 1;

	(void)state;
	klog_init(&k, BS);
	for (int64_t t = 0; t <= 120; t += 5) {
		migration_failure(&k, &seq, t * 1000000, 0x12a400);
		/* another block of the same device goes offline now and then */
		if (t % 30 == 25)
			klog_feed(&k, seq++, t * 1000000 + 100, "Offlined Pages 32768");
	}
	assert_false(klog_hung(&k, 60000000));
	klog_free(&k);
}

static void test_not_hung_new_pages(void **state)
{
	struct klog k;
	uint64_t seq = 1;

	(void)state;
	klog_init(&k, BS);
	/* failures that move on to other pages are work going on */
	for (int64_t t = 0; t <= 120; t += 5)
		migration_failure(&k, &seq, t * 1000000, 0x12a400 + (unsigned long)t);
	assert_false(klog_hung(&k, 60000000));
	klog_free(&k);
}

static void test_rate_limited_and_isolation(void **state)
{
	struct klog k;

	(void)state;
	klog_init(&k, BS);
	/* a migration failure whose dump was rate-limited away */
	klog_feed(&k, 1, 1000, "migrating pfn 140000 failed ret:-11");
	/* an isolation failure with its dump */
	klog_feed(&k, 2, 2000, "failed to isolate pfn 148000");
	klog_feed(&k, 3, 2001, "page:0000000012345678 refcount:2 mapcount:1 mapping:00000000abcd0001 "
			      "index:0x7f0000 pfn:0x148000");
	klog_feed(&k, 4, 2002, "anon flags: 0x17ffffc0080014(uptodate|lru|swapbacked)");
	klog_feed(&k, 5, 2003, "page dumped because: isolation failed");
	/* the same record again (two probes overlapping) is ignored */
	klog_feed(&k, 5, 2003, "page dumped because: isolation failed");
	/* dynamic debug's line alone, for a block with no dump */
	klog_feed(&k, 6, 3000, "memory offlining [mem 0x150000000-0x157ffffff] failed due to "
			      "notifier failure");
	/* ppc64: no address */
	klog_feed(&k, 7, 4000, "pseries-hotplug-mem: Memory indexed-count-remove failed, adding "
			      "any removed LMBs");
	klog_finish(&k);

	assert_int_equal(k.records, 7);
	assert_int_equal(k.unmapped, 1);
	assert_int_equal(klog_find(&k, 40)->n, 1);
	assert_string_equal(klog_find(&k, 40)->last.reason, "migration failure");
	assert_int_equal(klog_find(&k, 40)->last.ret, -11);
	assert_string_equal(klog_find(&k, 40)->last.page, "");
	assert_int_equal(klog_find(&k, 41)->n, 1);
	assert_string_equal(klog_find(&k, 41)->last.reason, "isolation failed");
	assert_string_equal(klog_find(&k, 41)->last.page, "anon");
	assert_int_equal(klog_find(&k, 42)->n, 1);
	assert_string_equal(klog_find(&k, 42)->last.reason, "notifier failure");
	assert_false(klog_attempt_unmovable(&klog_find(&k, 42)->last));
	klog_free(&k);
}

static void test_page_kinds(void **state)
{
	struct klog_dump d = { .refcount = 1 };

	(void)state;
	assert_string_equal(klog_page_kind(&d), "kernel");
	d.refcount = 0;
	assert_string_equal(klog_page_kind(&d), "free");
	d.mapcount = -128;
	assert_string_equal(klog_page_kind(&d), "buddy");
	d.mapcount = 0;
	strcpy(d.flags, "reserved|node=0|zone=1");
	assert_string_equal(klog_page_kind(&d), "reserved");
	/* a flag is a whole name, not a prefix */
	strcpy(d.flags, "slab_debug|node=0");
	assert_string_equal(klog_page_kind(&d), "free");
	/* newer kernels: page_type on its own line */
	strcpy(d.flags, "node=0|type:table");
	assert_string_equal(klog_page_kind(&d), "pgtable");
}

static void test_feed_json(void **state)
{
	struct klog k;
	json_object *probe = json_tokener_parse(
		"{\"klog_lost\": 3, \"klog\": ["
		"[10, 5000, \"page:0000000012345678 refcount:1 mapcount:-512 mapping:0000000000000000 "
		"index:0x0 pfn:0x108000\"],"
		"[11, 5001, \"flags: 0x17ffffc0000000(node=0|zone=2)\"],"
		"\"not a record\", [12], [-1, 5, \"x\"], [13, 5002, 7],"
		"[14, 5003, \"page dumped because: unmovable page\"]]}");

	(void)state;
	klog_init(&k, BS);
	klog_feed_json(&k, probe);
	assert_int_equal(k.lost, 3);
	assert_int_equal(k.records, 3);
	assert_non_null(klog_find(&k, 33));
	assert_string_equal(klog_find(&k, 33)->last.page, "pgtable");
	json_object_put(probe);
	klog_free(&k);
}


/* What memhp-probe why said of the three blocks that stayed of a virtio-mem
 * unplug in sub-block mode (2 MiB: 512 pages) on 6.1 under the pinned load,
 * where the kernel's log said nothing: 33 and 34 cannot give a device block
 * back, 32 has more free pages than a device block holds, so one may be
 * wholly free. */
static void test_why_stuck(void **state)
{
	static const char *const real[] = {
		"{\"index\":32,\"verdict\":\"pgtable\",\"pages\":{\"free\":759,\"anon\":0,\"file\":0,"
		"\"thp\":0,\"hugetlb\":0,\"slab\":33,\"pgtable\":14046,\"reserved\":0,"
		"\"offline\":16896,\"other\":1034}}",
		"{\"index\":33,\"verdict\":\"pgtable\",\"pages\":{\"free\":0,\"anon\":0,\"file\":0,"
		"\"thp\":0,\"hugetlb\":0,\"slab\":4769,\"pgtable\":9104,\"reserved\":0,"
		"\"offline\":12288,\"other\":6607}}",
		"{\"index\":34,\"verdict\":\"kernel\",\"pages\":{\"free\":90,\"anon\":0,\"file\":0,"
		"\"thp\":0,\"hugetlb\":0,\"slab\":6380,\"pgtable\":74,\"reserved\":0,"
		"\"offline\":17408,\"other\":8816}}",
		/* a movable page left: it may still migrate */
		"{\"index\":35,\"verdict\":\"slab\",\"pages\":{\"free\":0,\"anon\":1,\"slab\":9}}",
		"{\"index\":36,\"verdict\":\"movable\",\"pages\":{\"free\":0,\"anon\":100}}",
		"{\"index\":37,\"verdict\":\"free\",\"pages\":{\"free\":10}}",
		/* no counts: nothing known */
		"{\"index\":38,\"verdict\":\"kernel\"}",
	};
	static const bool want[] = { false, true, true, false, false, false, false };

	(void)state;
	for (size_t i = 0; i < sizeof(real) / sizeof(real[0]); i++) {
		json_object *o = json_tokener_parse(real[i]);

		assert_non_null(o);
		if (klog_why_stuck(o, 512) != want[i])
			fail_msg("block %zu: wanted %d", i, want[i]);
		json_object_put(o);
	}
	assert_false(klog_why_stuck(NULL, 512));
}

/* The probe's count of 2 MiB ranges that could still come out decides when
 * it is there: block 32 above, whose 759 free pages lie scattered over
 * ranges that each hold a page table, is stuck; one such range, and it is
 * not. */
static void test_why_stuck_ranges(void **state)
{
	json_object *o = json_tokener_parse(
		"{\"index\":32,\"verdict\":\"pgtable\",\"movable_2m\":0,\"pages\":{\"free\":759,"
		"\"anon\":0,\"file\":0,\"thp\":0,\"hugetlb\":0,\"slab\":33,\"pgtable\":14046,"
		"\"reserved\":0,\"offline\":16896,\"other\":1034}}");

	(void)state;
	assert_true(klog_why_stuck(o, 512));
	json_object_object_add(o, "movable_2m", json_object_new_int(1));
	assert_false(klog_why_stuck(o, 512));
	json_object_object_add(o, "movable_2m", json_object_new_string("0"));
	assert_false(klog_why_stuck(o, 512));
	json_object_put(o);
}


/* The second look, on block 128 as the 448-block run left it: 13 free 2 MiB
 * ranges that five requests did not take. Still stuck at the next window
 * if it gave nothing and gained no free range; not if a sub-block of it
 * went, a range became free, or a movable page appeared; never from an
 * older probe's object. */
static void test_why_still(void **state)
{
	json_object *o = json_tokener_parse(
		"{\"index\":128,\"verdict\":\"kernel\",\"movable_2m\":13,\"pages\":{\"free\":28594,"
		"\"anon\":0,\"file\":0,\"thp\":0,\"hugetlb\":0,\"slab\":10,\"pgtable\":0,"
		"\"reserved\":0,\"offline\":4096,\"other\":68}}");
	struct why_look before, now;

	(void)state;
	assert_false(klog_why_stuck(o, 512)); /* the first look cannot say */
	assert_true(klog_why_look(o, 128, &before));
	assert_int_equal(before.movable_2m, 13);
	assert_int_equal(before.offline, 4096);
	assert_false(before.movable);
	now = before;
	assert_true(klog_why_still(&now, &before));
	now.movable_2m = 12; /* a range was taken by something else */
	assert_true(klog_why_still(&now, &before));
	now.movable_2m = 14; /* a range became free since */
	assert_false(klog_why_still(&now, &before));
	now = before;
	now.offline += 512; /* a sub-block went: progress */
	assert_false(klog_why_still(&now, &before));
	now = before;
	now.index = 129;
	assert_false(klog_why_still(&now, &before));
	assert_false(klog_why_still(&now, NULL));
	json_object_object_add(json_object_object_get(o, "pages"), "anon", json_object_new_int(1));
	assert_true(klog_why_look(o, 128, &now));
	assert_true(now.movable);
	assert_false(klog_why_still(&now, &before));
	json_object_object_del(o, "movable_2m");
	assert_false(klog_why_look(o, 128, &now));
	assert_false(klog_why_look(NULL, 128, &now));
	json_object_put(o);
}


/* The probe's side: records newer than the cursor, and the gaps counted. */
static void test_probe_cursor(void **state)
{
	struct kmsg_cursor c;
	unsigned long long seq, us;
	char r1[] = "4,120,7835190,-;page:000000005b58d565 refcount:1 pfn:0x110000\n"
		    " SUBSYSTEM=memory\n";
	char r0[] = "4,100,7000000,-;old\n", r2[] = "4,125,7837514,-;page dumped because: x\n";
	char bad[] = "not a record";
	char *msg;

	(void)state;
	kmsg_cursor_init(&c, true, 100);
	assert_null(kmsg_record(&c, r0, &seq, &us)); /* the previous probe read it */
	msg = kmsg_record(&c, r1, &seq, &us);
	assert_non_null(msg);
	assert_string_equal(msg, "page:000000005b58d565 refcount:1 pfn:0x110000");
	assert_int_equal(seq, 120);
	assert_int_equal(us, 7835190);
	assert_int_equal(c.lost, 19); /* 101..119 were overwritten */
	assert_non_null(kmsg_record(&c, r2, &seq, &us));
	assert_int_equal(c.lost, 23);
	assert_int_equal(c.seen, 125);
	assert_null(kmsg_record(&c, bad, &seq, &us));
	/* the first probe has no cursor: nothing counts as lost */
	kmsg_cursor_init(&c, false, 0);
	assert_non_null(kmsg_record(&c, r2, &seq, &us));
	assert_int_equal(c.lost, 0);

	assert_true(kmsg_is_reason("page:00000000ac14223c refcount:1 mapcount:0 pfn:0x100000"));
	assert_true(kmsg_is_reason("anon flags: 0x17ffffc0080014(uptodate|lru|swapbacked)"));
	assert_true(kmsg_is_reason("migrating pfn 12a400 failed ret:7"));
	assert_true(kmsg_is_reason("memory memory34: Offline failed."));
	assert_false(kmsg_is_reason("raw: 0017ffffc0000000 0000000000000000"));
	assert_false(kmsg_is_reason("Run /init as init process"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_capture),
		cmocka_unit_test(test_real_capture_futile),
		cmocka_unit_test(test_block_json),
		cmocka_unit_test(test_hung),
		cmocka_unit_test(test_not_hung_with_progress),
		cmocka_unit_test(test_not_hung_new_pages),
		cmocka_unit_test(test_rate_limited_and_isolation),
		cmocka_unit_test(test_page_kinds),
		cmocka_unit_test(test_feed_json),
		cmocka_unit_test(test_why_stuck),
		cmocka_unit_test(test_why_stuck_ranges),
		cmocka_unit_test(test_why_still),
		cmocka_unit_test(test_probe_cursor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
