// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel's reasons an offline attempt failed, parsed from its log
 * records (klog.h). The lines are the kernel's (mm/page_isolation.c,
 * mm/memory_hotplug.c, mm/debug.c, drivers/base/memory.c,
 * arch/powerpc/platforms/pseries/hotplug-memory.c); a line memhp does not
 * know is skipped, never guessed at.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klog.h"
#include "str.h"

void klog_init(struct klog *k, uint64_t block_size)
{
	memset(k, 0, sizeof(*k));
	k->block_size = block_size ? block_size : 128ULL << 20;
	k->page_size = 4096;
}

void klog_free(struct klog *k)
{
	free(k->blocks);
	memset(k, 0, sizeof(*k));
}

const struct klog_block *klog_find(const struct klog *k, uint64_t index)
{
	for (size_t i = 0; i < k->nblocks; i++)
		if (k->blocks[i].index == index)
			return &k->blocks[i];
	return NULL;
}

static struct klog_block *block_at(struct klog *k, uint64_t index)
{
	struct klog_block *b = (struct klog_block *)klog_find(k, index);

	if (b)
		return b;
	b = realloc(k->blocks, (k->nblocks + 1) * sizeof(*k->blocks));
	if (!b)
		abort();
	k->blocks = b;
	b = &k->blocks[k->nblocks++];
	memset(b, 0, sizeof(*b));
	b->index = index;
	return b;
}

static void add_attempt(struct klog *k, uint64_t index, const struct klog_attempt *a)
{
	struct klog_block *b = block_at(k, index);

	if (b->n < KLOG_MAX_ATTEMPTS)
		b->attempts[b->n++] = *a;
	else
		b->dropped++;
	b->last = *a;
}

/* The newest attempt of a block, in the array and as "last". */
static void update_last(struct klog_block *b, const struct klog_attempt *a)
{
	if (!b->dropped && b->n)
		b->attempts[b->n - 1] = *a;
	b->last = *a;
}

static uint64_t pfn_block(const struct klog *k, uint64_t pfn)
{
	return pfn * k->page_size / k->block_size;
}

/* A "migrating pfn"/"failed to isolate pfn" line whose dump never came
 * (dump_page is rate-limited with it): an attempt of its own. */
static void flush_pending(struct klog *k)
{
	if (!k->pending)
		return;
	k->pending = false;
	add_attempt(k, pfn_block(k, k->pend.pfn), &k->pend);
}

/* The unsigned number after key in s ("pfn:0x110000", "refcount:1"). */
static bool number_after(const char *s, const char *key, int base, unsigned long long *out)
{
	const char *p = strstr(s, key);
	char *end;

	if (!p)
		return false;
	p += strlen(key);
	*out = strtoull(p, &end, base);
	return end != p;
}

static bool int_after(const char *s, const char *key, int *out)
{
	const char *p = strstr(s, key);
	char *end;
	long v;

	if (!p)
		return false;
	p += strlen(key);
	v = strtol(p, &end, 10);
	if (end == p)
		return false;
	*out = (int)v;
	return true;
}

/* Whether the flags list "slab|head|node=0|zone=2" has the flag name. */
static bool has_flag(const char *flags, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = flags; *p;) {
		size_t len = strcspn(p, "|");

		if (len == n && !strncmp(p, name, n))
			return true;
		p += len;
		if (*p)
			p++;
	}
	return false;
}

const char *klog_page_kind(const struct klog_dump *d)
{
	/* 6.1 prints a typed page's page_type as its mapcount: PG_buddy
	 * 0x80, PG_offline 0x100, PG_table 0x200. Newer kernels name the
	 * type on a line of its own ("page_type: …(buddy)"), parsed into
	 * flags with a "type:" prefix. */
	if (d->mapcount == -128 || has_flag(d->flags, "type:buddy"))
		return "buddy";
	if (d->mapcount == -512 || has_flag(d->flags, "type:table"))
		return "pgtable";
	if (d->mapcount == -256 || has_flag(d->flags, "type:offline"))
		return "offline";
	if (has_flag(d->flags, "slab") || has_flag(d->flags, "type:slab"))
		return "slab";
	if (d->ksm)
		return "ksm";
	if (d->anon)
		return "anon";
	if (d->file)
		return "file";
	if (has_flag(d->flags, "reserved"))
		return "reserved";
	if (has_flag(d->flags, "lru"))
		return "lru";
	if (!d->refcount)
		return "free";
	return "kernel";
}

/* "…flags: 0x17ffffc0010200(slab|head|node=0)" → "slab|head|node=0". */
static void copy_paren(char *dst, size_t len, const char *s)
{
	const char *open = strchr(s, '('), *close;

	if (!open)
		return;
	close = strrchr(open, ')');
	snprintf(dst, len, "%.*s", close ? (int)(close - open - 1) : (int)strlen(open + 1),
		 open + 1);
}

static void page_line(struct klog *k, uint64_t seq, int64_t us, const char *msg)
{
	unsigned long long v;
	struct klog_dump *d = &k->dump;

	memset(d, 0, sizeof(*d));
	if (!number_after(msg, " pfn:", 16, &v))
		return; /* not dump_page's first line */
	d->active = true;
	d->seq = seq;
	d->us = us;
	d->pfn = v;
	int_after(msg, "refcount:", &d->refcount);
	int_after(msg, "mapcount:", &d->mapcount);
}

static void dumped_because(struct klog *k, const char *reason)
{
	struct klog_dump *d = &k->dump;
	struct klog_attempt a = { .seq = d->seq, .t_us = d->us };

	if (!d->active) {
		flush_pending(k);
		return; /* a dump without its page line: no address */
	}
	if (k->pending && k->pend.pfn == d->pfn) {
		a = k->pend;
		k->pending = false;
	} else {
		flush_pending(k);
	}
	str_copy(a.reason, sizeof(a.reason), reason);
	a.have_pfn = true;
	a.pfn = d->pfn;
	str_copy(a.page, sizeof(a.page), klog_page_kind(d));
	str_copy(a.flags, sizeof(a.flags), d->flags);
	add_attempt(k, pfn_block(k, d->pfn), &a);
	d->active = false;
}

static void hung_forget(struct klog *k)
{
	k->fails = k->repeats = 0;
	k->nfail_pfns = k->nfail_reasons = 0;
	k->fail_first_us = k->fail_last_us = 0;
}

void klog_finish(struct klog *k)
{
	flush_pending(k);
}

void klog_progress(struct klog *k)
{
	hung_forget(k);
}

/* A migration or isolation failure: the hung watch's evidence. */
static void hung_note(struct klog *k, int64_t us, uint64_t pfn, const char *reason)
{
	bool seen = false;

	if (!k->fails)
		k->fail_first_us = us;
	k->fails++;
	k->fail_last_us = us;
	for (size_t i = 0; i < k->nfail_pfns && !seen; i++)
		seen = k->fail_pfns[i] == pfn;
	if (seen)
		k->repeats++;
	else if (k->nfail_pfns < KLOG_HUNG_PFNS)
		k->fail_pfns[k->nfail_pfns++] = pfn;
	for (size_t i = 0; i < k->nfail_reasons; i++)
		if (!strcmp(k->fail_reasons[i], reason))
			return;
	if (k->nfail_reasons < KLOG_HUNG_PFNS)
		str_copy(k->fail_reasons[k->nfail_reasons++], sizeof(k->fail_reasons[0]), reason);
}

/* "memory offlining [mem 0x110000000-0x117ffffff] failed due to …" */
static void offlining_failed(struct klog *k, uint64_t seq, int64_t us, const char *msg)
{
	unsigned long long start;
	const char *why = strstr(msg, "failed due to ");
	struct klog_block *b;
	struct klog_attempt a = { .seq = seq, .t_us = us };

	if (!why || !number_after(msg, "[mem ", 16, &start))
		return;
	why += strlen("failed due to ");
	b = block_at(k, start / k->block_size);
	/* It closes the attempt whose dump came just before it. */
	if ((b->n || b->dropped) && !b->last.closed && !*b->last.failed_due_to &&
	    *b->last.reason && b->last.seq + 16 >= seq) {
		struct klog_attempt last = b->last;

		str_copy(last.failed_due_to, sizeof(last.failed_due_to), why);
		update_last(b, &last);
		return;
	}
	str_copy(a.reason, sizeof(a.reason), why);
	str_copy(a.failed_due_to, sizeof(a.failed_due_to), why);
	add_attempt(k, b->index, &a);
}

/* "memory memory34: Offline failed." (drivers/base, the ACPI eject's
 * offline): closes the block's newest attempt, or is one itself. */
static void offline_failed(struct klog *k, uint64_t seq, int64_t us, const char *msg)
{
	unsigned long long index;
	struct klog_block *b;
	struct klog_attempt a = { .seq = seq, .t_us = us, .closed = true };
	const char *p = strstr(msg, "memory");

	while (p && !isdigit((unsigned char)p[6]))
		p = strstr(p + 1, "memory");
	if (!p || !number_after(p, "memory", 10, &index))
		return;
	b = block_at(k, index);
	if ((b->n || b->dropped) && !b->last.closed) {
		struct klog_attempt last = b->last;

		last.closed = true;
		update_last(b, &last);
		return;
	}
	str_copy(a.reason, sizeof(a.reason), "offline failed");
	add_attempt(k, index, &a);
}

void klog_feed(struct klog *k, uint64_t seq, int64_t us, const char *msg)
{
	unsigned long long v;
	const char *p;

	if (k->have_seq && seq <= k->last_seq)
		return;
	k->have_seq = true;
	k->last_seq = seq;
	k->last_us = us;
	k->records++;
	if (!strncmp(msg, "page:", 5)) {
		page_line(k, seq, us, msg);
	} else if (!strncmp(msg, "flags:", 6) || !strncmp(msg, "anon flags:", 11) ||
		   !strncmp(msg, "ksm flags:", 10)) {
		k->dump.anon = msg[0] == 'a';
		k->dump.ksm = msg[0] == 'k';
		copy_paren(k->dump.flags, sizeof(k->dump.flags), msg);
	} else if (!strncmp(msg, "page_type:", 10)) {
		char type[40] = "";
		size_t n = strlen(k->dump.flags);

		copy_paren(type, sizeof(type), msg);
		if (*type)
			snprintf(k->dump.flags + n, sizeof(k->dump.flags) - n, "%stype:%s",
				 n ? "|" : "", type);
	} else if (!strncmp(msg, "aops:", 5)) {
		k->dump.file = true;
	} else if (!strncmp(msg, "head:", 5)) {
		/* the compound head: the page line's pfn stays the address */
	} else if ((p = strstr(msg, "page dumped because: "))) {
		dumped_because(k, p + strlen("page dumped because: "));
	} else if ((p = strstr(msg, "migrating pfn ")) && strstr(msg, " failed")) {
		char reason[48];
		int ret = 0;

		flush_pending(k);
		if (!number_after(p, "migrating pfn ", 16, &v))
			return;
		k->pending = true;
		k->pend = (struct klog_attempt){ .seq = seq, .t_us = us, .have_pfn = true, .pfn = v };
		str_copy(k->pend.reason, sizeof(k->pend.reason), "migration failure");
		if (int_after(p, "ret:", &ret)) {
			k->pend.have_ret = true;
			k->pend.ret = ret;
		}
		snprintf(reason, sizeof(reason), "migration failure ret:%d", ret);
		hung_note(k, us, v, reason);
	} else if ((p = strstr(msg, "failed to isolate pfn "))) {
		flush_pending(k);
		if (!number_after(p, "failed to isolate pfn ", 16, &v))
			return;
		k->pending = true;
		k->pend = (struct klog_attempt){ .seq = seq, .t_us = us, .have_pfn = true, .pfn = v };
		str_copy(k->pend.reason, sizeof(k->pend.reason), "isolation failed");
		hung_note(k, us, v, "isolation failed");
	} else if (strstr(msg, "memory offlining [mem ")) {
		flush_pending(k);
		offlining_failed(k, seq, us, msg);
	} else if (strstr(msg, "Offline failed")) {
		flush_pending(k);
		offline_failed(k, seq, us, msg);
	} else if (strstr(msg, "Offlined Pages ")) {
		flush_pending(k);
		hung_forget(k); /* a block went offline: progress */
	} else if (strstr(msg, "pseries-hotplug-mem") && strstr(msg, "remove failed")) {
		flush_pending(k);
		k->unmapped++;
	}
}

void klog_feed_json(struct klog *k, json_object *probe)
{
	json_object *arr, *v;

	if (json_object_object_get_ex(probe, "klog_lost", &v) && json_object_is_type(v, json_type_int) &&
	    json_object_get_int64(v) > 0)
		k->lost += json_object_get_uint64(v);
	if (!json_object_object_get_ex(probe, "klog", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *r = json_object_array_get_idx(arr, i);
		json_object *seq, *us, *msg;

		if (!json_object_is_type(r, json_type_array) || json_object_array_length(r) != 3)
			continue;
		seq = json_object_array_get_idx(r, 0);
		us = json_object_array_get_idx(r, 1);
		msg = json_object_array_get_idx(r, 2);
		if (!json_object_is_type(seq, json_type_int) || !json_object_is_type(us, json_type_int) ||
		    !json_object_is_type(msg, json_type_string) || json_object_get_int64(seq) < 0 ||
		    json_object_get_int64(us) < 0)
			continue;
		klog_feed(k, json_object_get_uint64(seq), json_object_get_int64(us),
			  json_object_get_string(msg));
	}
}

void klog_feed_text(struct klog *k, const char *text)
{
	uint64_t seq = k->have_seq ? k->last_seq + 1 : 1;

	for (const char *p = text; *p;) {
		size_t len = strcspn(p, "\n");
		char line[1024];
		const char *msg = line;
		double secs = 0;
		int off = 0;

		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		/* a serial console's line ends in "\r\n" */
		for (size_t n = strlen(line); n && (line[n - 1] == '\r' || line[n - 1] == ' ');)
			line[--n] = '\0';
		if (sscanf(line, " [ %lf] %n", &secs, &off) == 1 && off > 0)
			msg = line + off;
		klog_feed(k, seq++, (int64_t)(secs * 1e6 + 0.5), msg);
		p += len;
		if (*p)
			p++;
	}
}

bool klog_hung(const struct klog *k, int64_t window_us)
{
	return window_us > 0 && k->fails >= 2 && k->repeats >= 1 &&
	       k->fail_last_us - k->fail_first_us >= window_us;
}

json_object *klog_hung_json(const struct klog *k, int64_t window_us)
{
	json_object *o = json_object_new_object(), *pfns = json_object_new_array();
	json_object *reasons = json_object_new_array();

	for (size_t i = 0; i < k->nfail_pfns; i++)
		json_object_array_add(pfns, json_object_new_uint64(k->fail_pfns[i]));
	for (size_t i = 0; i < k->nfail_reasons; i++)
		json_object_array_add(reasons, json_object_new_string(k->fail_reasons[i]));
	json_object_object_add(o, "pfns", pfns);
	json_object_object_add(o, "reasons", reasons);
	json_object_object_add(o, "failures", json_object_new_uint64(k->fails));
	json_object_object_add(o, "repeats", json_object_new_uint64(k->repeats));
	json_object_object_add(o, "first_us", json_object_new_int64(k->fail_first_us));
	json_object_object_add(o, "last_us", json_object_new_int64(k->fail_last_us));
	json_object_object_add(o, "window_us", json_object_new_int64(window_us));
	return o;
}

void klog_hung_text(const struct klog *k, char *buf, size_t len)
{
	size_t used;

	snprintf(buf, len, "the kernel failed %u times in %.1f s on pfns", k->fails,
		 (double)(k->fail_last_us - k->fail_first_us) / 1e6);
	for (size_t i = 0; i < k->nfail_pfns && i < 4; i++) {
		used = strlen(buf);
		snprintf(buf + used, len - used, "%s 0x%" PRIx64, i ? "," : "", k->fail_pfns[i]);
	}
	used = strlen(buf);
	if (k->nfail_pfns > 4)
		snprintf(buf + used, len - used, " …");
	for (size_t i = 0; i < k->nfail_reasons && i < 2; i++) {
		used = strlen(buf);
		snprintf(buf + used, len - used, "%s%s", i ? ", " : " (", k->fail_reasons[i]);
	}
	used = strlen(buf);
	if (k->nfail_reasons)
		snprintf(buf + used, len - used, ") with nothing offlined");
}

bool klog_attempt_unmovable(const struct klog_attempt *a)
{
	static const char *const kinds[] = { "slab", "pgtable", "kernel", "reserved" };

	if (!strcmp(a->reason, "unmovable page") || !strcmp(a->failed_due_to, "unmovable page"))
		return true;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(a->page, kinds[i]))
			return true;
	return false;
}

bool klog_block_stuck(const struct klog_block *b, int64_t since_us)
{
	return b && (b->n || b->dropped) && b->last.t_us >= since_us &&
	       klog_attempt_unmovable(&b->last);
}

bool klog_futile(const struct klog *k, const uint64_t *present, size_t n, int64_t since_us)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!klog_block_stuck(klog_find(k, present[i]), since_us))
			return false;
	return true;
}

/* A count in memhp-probe why's "pages", or UINT64_MAX when it is missing. */
static uint64_t why_pages(json_object *why, const char *kind)
{
	json_object *pages, *v;

	if (!json_object_object_get_ex(why, "pages", &pages) ||
	    !json_object_object_get_ex(pages, kind, &v) || !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 0)
		return UINT64_MAX;
	return json_object_get_uint64(v);
}

bool klog_why_stuck(json_object *why, uint64_t block_pages)
{
	static const char *const unmovable[] = { "slab", "pgtable", "reserved", "kernel" };
	static const char *const movable[] = { "anon", "file", "thp", "hugetlb" };
	json_object *v, *ranges;
	bool stuck = false;

	if (!why || !json_object_object_get_ex(why, "verdict", &v) ||
	    !json_object_is_type(v, json_type_string))
		return false;
	/* A newer probe counts the 2 MiB ranges still online with nothing
	 * unmovable in them: none, and no device block can come out. */
	if (json_object_object_get_ex(why, "movable_2m", &ranges))
		return json_object_is_type(ranges, json_type_int) &&
		       json_object_get_int64(ranges) == 0 && why_pages(why, "offline") != UINT64_MAX;
	for (size_t i = 0; i < sizeof(unmovable) / sizeof(unmovable[0]); i++)
		stuck |= !strcmp(json_object_get_string(v), unmovable[i]);
	for (size_t i = 0; i < sizeof(movable) / sizeof(movable[0]); i++)
		if (why_pages(why, movable[i]) != 0)
			return false;
	return stuck && block_pages && why_pages(why, "free") < block_pages;
}

bool klog_why_look(json_object *why, uint64_t index, struct why_look *look)
{
	static const char *const movable[] = { "anon", "file", "thp", "hugetlb" };
	json_object *v;
	uint64_t n;

	*look = (struct why_look){ .index = index };
	if (!why || !json_object_object_get_ex(why, "movable_2m", &v) ||
	    !json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
		return false;
	look->movable_2m = json_object_get_uint64(v);
	if ((look->offline = why_pages(why, "offline")) == UINT64_MAX)
		return false;
	for (size_t i = 0; i < sizeof(movable) / sizeof(movable[0]); i++) {
		if ((n = why_pages(why, movable[i])) == UINT64_MAX)
			return false;
		look->movable |= n != 0;
	}
	return true;
}

bool klog_why_still(const struct why_look *now, const struct why_look *before)
{
	return now && before && now->index == before->index && !now->movable &&
	       now->offline == before->offline && now->movable_2m <= before->movable_2m;
}

static json_object *attempt_json(const struct klog_attempt *a)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "seq", json_object_new_uint64(a->seq));
	json_object_object_add(o, "t_us", json_object_new_int64(a->t_us));
	json_object_object_add(o, "reason", json_object_new_string(a->reason));
	json_object_object_add(o, "failed_due_to",
			       *a->failed_due_to ? json_object_new_string(a->failed_due_to) : NULL);
	json_object_object_add(o, "pfn", a->have_pfn ? json_object_new_uint64(a->pfn) : NULL);
	json_object_object_add(o, "ret", a->have_ret ? json_object_new_int(a->ret) : NULL);
	json_object_object_add(o, "page", *a->page ? json_object_new_string(a->page) : NULL);
	json_object_object_add(o, "flags", *a->flags ? json_object_new_string(a->flags) : NULL);
	return o;
}

json_object *klog_block_json(const struct klog_block *b, const char *device)
{
	json_object *o, *arr;

	if (!b || (!b->n && !b->dropped))
		return NULL;
	o = json_object_new_object();
	arr = json_object_new_array();
	for (size_t i = 0; i < b->n; i++)
		json_object_array_add(arr, attempt_json(&b->attempts[i]));
	json_object_object_add(o, "device", device ? json_object_new_string(device) : NULL);
	json_object_object_add(o, "attempts", arr);
	json_object_object_add(o, "dropped", json_object_new_uint64(b->dropped));
	json_object_object_add(o, "last", attempt_json(&b->last));
	return o;
}
