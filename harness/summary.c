// SPDX-License-Identifier: GPL-2.0-only
/*
 * The human summary of one run, as memhp run ends and memhp show prints it
 * (summary.h).
 */
#include <inttypes.h>
#include <string.h>

#include "onlining.h"
#include "summary.h"
#include "termout.h"
#include "units.h"

/* Strings from a result file go to a terminal: every line with them is
 * printed through term_fprintf, which shows control characters as '?'. */

/* A string member of the workload record, or "?" when it is not one. */
static const char *wl_str(json_object *wl, const char *key)
{
	json_object *v;

	if (json_object_object_get_ex(wl, key, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return "?";
}

static void workload_line(FILE *out, json_object *wl)
{
	char b1[32];
	json_object *fill, *capped;
	bool have_fill = json_object_object_get_ex(wl, "fill", &fill) &&
			 json_object_is_type(fill, json_type_int) && json_object_get_int64(fill) >= 0;

	term_fprintf(out, "workload %s, %s%s, %s\n", (wl_str(wl, "mix")),
		have_fill ? format_size(json_object_get_uint64(fill), b1, sizeof(b1)) : "? bytes",
		json_object_object_get_ex(wl, "capped", &capped) &&
				json_object_is_type(capped, json_type_boolean) &&
				json_object_get_boolean(capped) ?
			" (capped to what was available)" : "",
		!strcmp(wl_str(wl, "during_unplug"), "keep") ? "kept running through unplug" :
		!strcmp(wl_str(wl, "during_unplug"), "stop") ? "stopped before unplug" :
							       "during unplug: ?");
}

/* A member of obj as text ("?" when absent, "null" for null). */
static const char *js(json_object *obj, const char *key)
{
	json_object *v;

	if (!obj || !json_object_object_get_ex(obj, key, &v))
		return "?";
	return v ? json_object_get_string(v) : "null";
}

/* A page count of memmap_pages.PHASE, or -1. */
static int64_t phase_pages(json_object *pages, const char *phase, const char *key)
{
	json_object *p, *v;

	if (!json_object_object_get_ex(pages, phase, &p) ||
	    !json_object_object_get_ex(p, key, &v) || !json_object_is_type(v, json_type_int))
		return -1;
	return json_object_get_int64(v);
}

/* memmap: the kernel's nr_memmap_pages at the end of every phase, and the
 * pages of the hot-added memory that onlining left unmanaged (the memmap
 * memmap_on_memory put inside it: present minus managed added). */
static void memmap_line(FILE *out, json_object *pages)
{
	static const char *const phases[] = { "boot", "plug", "online", "workload", "unplug",
					      "settle" };
	int64_t boot = phase_pages(pages, "boot", "nr_memmap_boot_pages");
	int64_t pp = phase_pages(pages, "plug", "present_pages"),
		pm = phase_pages(pages, "plug", "managed_pages"),
		op = phase_pages(pages, "online", "present_pages"),
		om = phase_pages(pages, "online", "managed_pages");
	bool any = false;

	if (!pages || !json_object_object_length(pages))
		return;
	term_fprintf(out, "memmap   nr_memmap_pages");
	for (size_t i = 0; i < sizeof(phases) / sizeof(phases[0]); i++) {
		int64_t n = phase_pages(pages, phases[i], "nr_memmap_pages");

		if (n < 0)
			continue;
		term_fprintf(out, "%s %s %" PRId64, any ? "," : "", phases[i], n);
		any = true;
	}
	if (!any)
		term_fprintf(out, " not counted (Linux before 6.11)");
	else if (boot >= 0)
		term_fprintf(out, " (boot memory's %" PRId64 ")", boot);
	if (pp >= 0 && pm >= 0 && op >= 0 && om >= 0)
		term_fprintf(out, "; inside the hot-added memory: %" PRId64 " pages",
			(op - om) - (pp - pm));
	fputc('\n', out);
}

static void virtio_mem_lines(FILE *out, json_object *arr)
{
	char b1[32], b2[32], b3[32];

	if (!arr || !json_object_is_type(arr, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *e = json_object_array_get_idx(arr, i), *v;
		bool sbm = !strcmp(js(e, "mode"), "SBM");
		uint64_t dbs = 0, mbs = 0, sub = 0;

		if (json_object_object_get_ex(e, "device_block_size", &v))
			dbs = json_object_get_uint64(v);
		if (json_object_object_get_ex(e, "memory_block_size", &v))
			mbs = json_object_get_uint64(v);
		if (json_object_object_get_ex(e, sbm ? "subblock_size" : "big_block_size", &v))
			sub = json_object_get_uint64(v);
		term_fprintf(out, "virtio   %s: %s, device blocks of %s, %s of %s, memory blocks "
			     "of %s\n", js(e, "device"), js(e, "mode"),
			format_size(dbs, b1, sizeof(b1)), sbm ? "sub-blocks" : "big blocks",
			format_size(sub, b2, sizeof(b2)), format_size(mbs, b3, sizeof(b3)));
	}
}

/* What the guest's kernel did with the onlining choices: where the blocks
 * went, its settings against what the scenario asked, its memmap. */
static void onlining_lines(FILE *out, const struct run_record *r)
{
	json_object *onl = r->onlining, *pages = NULL, *vm = NULL;
	char why[512];

	if (onlining_zone_text(r, why, sizeof(why)))
		term_fprintf(out, "warning  zone mismatch: %s\n", why);
	else if (*why)
		term_fprintf(out, "zones    %s\n", why);
	if (!onl)
		return;
	term_fprintf(out, "onlining guest: auto_online_blocks %s, online_policy %s",
		js(onl, "auto_online_blocks"), js(onl, "online_policy"));
	if (!strcmp(js(onl, "online_policy"), "auto-movable"))
		term_fprintf(out, " (ratio %s)", js(onl, "auto_movable_ratio"));
	term_fprintf(out, ", memmap_on_memory %s, hugetlb_optimize_vmemmap %s; kernel's built-in "
		     "default %s\n", js(onl, "memmap_on_memory"),
		js(onl, "hugetlb_optimize_vmemmap"), js(onl, "kernel_default_online_type"));
	if (onlining_not_as_asked_text(onl, why, sizeof(why)))
		term_fprintf(out, "warning  not as asked: the guest's %s\n", why);
	json_object_object_get_ex(onl, "memmap_pages", &pages);
	memmap_line(out, pages);
	json_object_object_get_ex(onl, "virtio_mem", &vm);
	virtio_mem_lines(out, vm);
}

void summary_print(FILE *out, const struct run_record *r)
{
	const struct count *c = &r->count;
	char b1[32], b2[32], b3[32];

	term_fprintf(out, "run      %s: %s\n", r->run_id, result_status_name(r->status));
	if (r->status != RUN_OK)
		term_fprintf(out, "reason   %s (phase %s)\n", r->reason, r->failed_phase);
	term_fprintf(out, "scenario %s (%s, %s)\n", r->scenario_name, r->method, r->policy);
	if (r->sweep.n) {
		term_fprintf(out, "sweep    %s:", *r->scenario_base ? r->scenario_base : "?");
		for (unsigned k = 0; k < r->sweep.n; k++)
			term_fprintf(out, " %s=%s", r->sweep.kv[k].key, r->sweep.kv[k].value);
		fputc('\n', out);
	}
	term_fprintf(out, "kernel   %s (%s%s%s)\n", *r->kernel_release ? r->kernel_release : "?",
		r->variant, *r->variant ? " = " : "", r->kernel_spec);
	term_fprintf(out, "vmm      %s QEMU %s, %s (%s)", r->backend,
		*r->vmm_version ? r->vmm_version : "?", *r->accel ? r->accel : "?",
		r->accel_reason);
	/* issue 24: another architecture than x86_64 is said */
	if (*r->arch && strcmp(r->arch, "x86_64"))
		term_fprintf(out, ", guest %s", r->arch);
	if (r->vmm_peak_rss)
		term_fprintf(out, ", peak RSS %s", format_size(r->vmm_peak_rss, b1, sizeof(b1)));
	if (result_have_rss_returned(r))
		term_fprintf(out, ", RSS %s loaded, %s after unplug (%s returned)",
			format_size(r->vmm_rss.loaded, b1, sizeof(b1)),
			format_size(r->vmm_rss.after, b2, sizeof(b2)),
			format_size(result_rss_returned(r), b3, sizeof(b3)));
	fputc('\n', out);
	if (r->workload)
		workload_line(out, r->workload);
	if (c->have_plugged && c->have_final) {
		term_fprintf(out, "blocks   %u of %u hot-added blocks of %s removed", c->removed,
			c->hotplugged, format_size(c->block_size, b1, sizeof(b1)));
		if (c->hotplugged != c->removed)
			term_fprintf(out, "; %u offline, %u online (%u movable, %u normal, %u other)",
				c->offline, c->online_movable + c->online_normal + c->online_other,
				c->online_movable, c->online_normal, c->online_other);
		fputc('\n', out);
		term_fprintf(out, "bytes    %s of %s unplugged, %s still plugged\n",
			format_size(result_bytes_unplugged(c), b1, sizeof(b1)),
			format_size(c->bytes_plugged, b2, sizeof(b2)),
			format_size(c->bytes_remaining, b3, sizeof(b3)));
	} else if (c->have_plugged) {
		term_fprintf(out, "blocks   %u hot-added blocks of %s; removed: not measured (the run "
			     "ended before the count)\n",
			c->hotplugged, format_size(c->block_size, b1, sizeof(b1)));
		term_fprintf(out, "bytes    %s plugged; unplugged and still plugged: not measured\n",
			format_size(c->bytes_plugged, b2, sizeof(b2)));
	} else {
		fputs("blocks   not measured (the run ended before the blocks were counted)\n", out);
	}
	onlining_lines(out, r);
	fputs("phases  ", out);
	for (unsigned p = 0; p < PHASE_COUNT; p++)
		if (r->phase_ms[p] >= 0)
			term_fprintf(out, " %s %.1f s", result_phase_name(p), (double)r->phase_ms[p] / 1000);
	fputc('\n', out);
	for (size_t i = 0; i < r->ndevices; i++) {
		const struct device_record *d = &r->devices[i];

		term_fprintf(out, "device   %-8s %-9s %s plugged, %s left, %u request%s%s%s\n", d->id,
			result_outcome_name(d->outcome), format_size(d->plugged, b1, sizeof(b1)),
			format_size(d->remaining, b2, sizeof(b2)), d->attempts,
			d->attempts == 1 ? "" : "s", *d->detail ? ": " : "", d->detail);
	}
}

static const char *block_state(const struct block_record *b, char *buf, size_t len)
{
	if (b->final == FINAL_ONLINE)
		snprintf(buf, len, "online %s", b->final_zone);
	else if (b->final == FINAL_NOT_COUNTED)
		snprintf(buf, len, "not counted");
	else
		snprintf(buf, len, "%s", result_final_name(b->final));
	return buf;
}

void summary_print_blocks(FILE *out, const struct run_record *r)
{
	uint64_t bs = r->count.block_size;
	char size[32];

	term_fprintf(out, "%-37s %10s %-15s %-9s %-9s %s\n", "RANGE", "SIZE", "STATE", "ONLINED", "WHY",
		"BLOCK");
	for (size_t i = 0; i < r->nblocks;) {
		const struct block_record *first = &r->blocks[i];
		char s1[40], s2[40];
		size_t j = i + 1;

		/* Runs of adjacent blocks with the same fate, as lsmem groups them. */
		while (j < r->nblocks && r->blocks[j].index == r->blocks[j - 1].index + 1 &&
		       !strcmp(block_state(&r->blocks[j], s1, sizeof(s1)),
			       block_state(first, s2, sizeof(s2))) &&
		       !strcmp(r->blocks[j].zone, first->zone) &&
		       !strcmp(result_block_verdict(&r->blocks[j]), result_block_verdict(first)))
			j++;
		term_fprintf(out, "0x%016" PRIx64 "-0x%016" PRIx64 " %10s %-15s %-9s %-9s %" PRIu64,
			first->start, first->start + (j - i) * bs - 1,
			format_size((j - i) * bs, size, sizeof(size)),
			block_state(first, s1, sizeof(s1)), first->zone,
			*result_block_verdict(first) ? (result_block_verdict(first)) : "-",
			first->index);
		if (j - i > 1)
			term_fprintf(out, "-%" PRIu64, r->blocks[j - 1].index);
		fputc('\n', out);
		i = j;
	}
	term_fprintf(out, "\nMemory block size: %s\n", format_size(bs, size, sizeof(size)));
}
