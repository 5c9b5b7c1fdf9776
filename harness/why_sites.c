// SPDX-License-Identifier: GPL-2.0-only
/* Allocation sites and memmap edges of the blocks that stayed (why_sites.h). */
#include <inttypes.h>
#include <string.h>

#include "termout.h"
#include "why_sites.h"

static json_object *field(const struct block_record *b, const char *key, json_type type)
{
	json_object *v;

	if (!b->why || !json_object_is_type(b->why, json_type_object) ||
	    !json_object_object_get_ex(b->why, key, &v) || !json_object_is_type(v, type))
		return NULL;
	return v;
}

static bool get_u64(json_object *o, uint64_t *out)
{
	if (!o || !json_object_is_type(o, json_type_int) || json_object_get_int64(o) < 0)
		return false;
	*out = json_object_get_uint64(o);
	return true;
}

const char *why_method(const struct block_record *b)
{
	json_object *v = field(b, "method", json_type_string);

	return v ? json_object_get_string(v) : "";
}

const char *why_page_owner_unavailable(const struct block_record *b)
{
	json_object *v = field(b, "page_owner_unavailable", json_type_string);

	return v ? json_object_get_string(v) : NULL;
}

size_t why_sites(const struct block_record *b, struct why_site *out, size_t max)
{
	json_object *arr = field(b, "sites", json_type_array);
	size_t n = 0;

	for (size_t i = 0; arr && i < json_object_array_length(arr) && n < max; i++) {
		json_object *s = json_object_array_get_idx(arr, i), *site, *verdict, *pages;

		if (!json_object_is_type(s, json_type_object) ||
		    !json_object_object_get_ex(s, "site", &site) ||
		    !json_object_is_type(site, json_type_string) ||
		    !json_object_object_get_ex(s, "verdict", &verdict) ||
		    !json_object_is_type(verdict, json_type_string) ||
		    !json_object_object_get_ex(s, "pages", &pages) || !get_u64(pages, &out[n].pages))
			continue;
		out[n].site = json_object_get_string(site);
		out[n].verdict = json_object_get_string(verdict);
		n++;
	}
	return n;
}

size_t why_memmap_of(const struct block_record *b, uint64_t *out, size_t max)
{
	json_object *arr = field(b, "memmap_of", json_type_array);
	size_t n = 0;

	for (size_t i = 0; arr && i < json_object_array_length(arr) && n < max; i++)
		if (get_u64(json_object_array_get_idx(arr, i), &out[n]))
			n++;
	return n;
}

bool why_memmap_only(const struct block_record *b)
{
	json_object *v = field(b, "memmap_only", json_type_boolean);

	return v && json_object_get_boolean(v);
}

/* page_owner's cost and the chain's status, from the result's "why_probe". */
static void print_probe(FILE *out, const struct run_record *r)
{
	json_object *po, *chain, *v;
	uint64_t records = 0, bytes = 0;
	double seconds = 0;
	char buf[256];

	if (!r->why_probe || !json_object_is_type(r->why_probe, json_type_object))
		return;
	if (json_object_object_get_ex(r->why_probe, "page_owner", &po) &&
	    json_object_is_type(po, json_type_object) &&
	    json_object_object_get_ex(po, "available", &v) &&
	    json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v)) {
		if (json_object_object_get_ex(po, "records", &v))
			get_u64(v, &records);
		if (json_object_object_get_ex(po, "bytes", &v))
			get_u64(v, &bytes);
		if (json_object_object_get_ex(po, "seconds", &v) &&
		    (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
			seconds = json_object_get_double(v);
		fprintf(out, "page_owner: %" PRIu64 " records, %.1f MiB read in %.1f s\n", records,
			(double)bytes / 1048576.0, seconds);
	}
	if (json_object_object_get_ex(r->why_probe, "memmap_chain", &chain) &&
	    json_object_is_type(chain, json_type_object) &&
	    json_object_object_get_ex(chain, "status", &v) && json_object_is_type(v, json_type_string))
		fprintf(out, "memmap chain: %s\n",
			term_printable(json_object_get_string(v), buf, sizeof(buf)));
}

/* Devices that come out whole or not at all: a DIMM (one ACPI eject) and a
 * dax device (kmem removes its range only whole); NULL for virtio-mem. */
static const char *whole_noun(const char *kind)
{
	if (!strcmp(kind, "dimm"))
		return "DIMM";
	if (!strcmp(kind, "dax-kmem") || !strcmp(kind, "cxl"))
		return "dax device";
	return NULL;
}

/* A block page_owner lists no allocation in: nothing of its own holds it.
 * A DIMM comes out whole, so say which DIMM it stayed with. */
static void print_empty(FILE *out, const struct run_record *r, const struct block_record *b)
{
	char buf[64];

	for (size_t d = 0; d < r->ndevices; d++) {
		const struct device_record *dev = &r->devices[d];

		const char *noun = whole_noun(dev->kind);

		if (noun && b->start >= dev->addr && b->start < dev->addr + dev->plugged) {
			fprintf(out, "  no allocation in it: it stayed with the rest of %s %s "
				     "(a %s comes out whole or not at all)\n", noun,
				term_printable(dev->id, buf, sizeof(buf)), noun);
			return;
		}
	}
	fputs("  no allocation in it\n", out);
}

/* A member of a block's "kernel" object (klog_block_json), type-checked. */
static json_object *kfield(json_object *o, const char *key, json_type type)
{
	json_object *v;

	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type))
		return NULL;
	return v;
}

static const char *kstr(json_object *o, const char *key)
{
	json_object *v = kfield(o, key, json_type_string);

	return v ? json_object_get_string(v) : NULL;
}

uint64_t why_kernel_attempts(const struct block_record *b)
{
	json_object *a = kfield(b->kernel, "attempts", json_type_array);
	uint64_t dropped = 0;

	get_u64(kfield(b->kernel, "dropped", json_type_int), &dropped);
	return a ? json_object_array_length(a) + dropped : 0;
}

size_t why_kernel_reason(const struct block_record *b, char *buf, size_t len)
{
	json_object *last = kfield(b->kernel, "last", json_type_object);
	const char *reason = kstr(last, "reason"), *page = kstr(last, "page");
	const char *due = kstr(last, "failed_due_to");
	uint64_t pfn;
	int ret = 0;
	size_t n;

	*buf = '\0';
	if (!reason)
		return 0;
	snprintf(buf, len, "%s", reason);
	n = strlen(buf);
	if (page)
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, ", %s page", page);
	if (get_u64(kfield(last, "pfn", json_type_int), &pfn) && n < len)
		n += (size_t)snprintf(buf + n, len - n, " at pfn 0x%" PRIx64, pfn);
	if (kfield(last, "ret", json_type_int) && n < len) {
		ret = json_object_get_int(kfield(last, "ret", json_type_int));
		n += (size_t)snprintf(buf + n, len - n, ", ret %d", ret);
	}
	if (due && strcmp(due, reason) && n < len)
		n += (size_t)snprintf(buf + n, len - n, " (offlining failed due to %s)", due);
	return strlen(buf);
}

/* A block of a DIMM (or dax device) another block of which the kernel
 * failed to offline: the device's id (terminal-safe) in buf, its noun in
 * *noun. */
static bool stayed_with(const struct run_record *r, const struct block_record *b, char *buf,
			size_t len, const char **noun)
{
	for (size_t d = 0; d < r->ndevices; d++) {
		const struct device_record *dev = &r->devices[d];

		*noun = whole_noun(dev->kind);
		if (!*noun || b->start < dev->addr || b->start >= dev->addr + dev->plugged)
			continue;
		for (size_t i = 0; i < r->nblocks; i++)
			if (r->blocks[i].start >= dev->addr &&
			    r->blocks[i].start < dev->addr + dev->plugged &&
			    why_kernel_attempts(&r->blocks[i])) {
				term_printable(dev->id, buf, len);
				return true;
			}
	}
	return false;
}

/* The kernel's own reasons, from its log: every block with failed offline
 * attempts, the last one's reason; next to page_owner's sites above. */
static void print_kernel(FILE *out, const struct run_record *r)
{
	bool header = false;

	for (size_t i = 0; i < r->nblocks; i++) {
		const struct block_record *b = &r->blocks[i];
		json_object *last = kfield(b->kernel, "last", json_type_object);
		json_object *t = kfield(last, "t_us", json_type_int);
		const char *dev = kstr(b->kernel, "device");
		uint64_t n = why_kernel_attempts(b);
		char reason[320], buf[400], d[64];
		const char *noun = NULL;

		if (!n && b->final != FINAL_REMOVED && b->final != FINAL_NOT_COUNTED &&
		    stayed_with(r, b, d, sizeof(d), &noun)) {
			if (!header)
				fputs("\nThe kernel's reasons (its log, docs/why.md):\n", out);
			header = true;
			fprintf(out, "block %" PRIu64 " (%s): %s, no failure of its own: it stayed with "
				     "the rest of its %s\n", b->index, d, result_final_name(b->final),
				noun);
			continue;
		}
		if (!n || !why_kernel_reason(b, reason, sizeof(reason)))
			continue;
		if (!header) {
			fputs("\nThe kernel's reasons (its log, docs/why.md):\n", out);
			header = true;
		}
		fprintf(out, "block %" PRIu64 "%s%s%s: %s, %" PRIu64 " failed attempt%s; %s: %s",
			b->index, dev ? " (" : "", dev ? term_printable(dev, d, sizeof(d)) : "",
			dev ? ")" : "", result_final_name(b->final), n, n == 1 ? "" : "s",
			b->final == FINAL_REMOVED ? "last failure" : "last reason",
			term_printable(reason, buf, sizeof(buf)));
		if (t)
			fprintf(out, " [%.3f s]", (double)json_object_get_int64(t) / 1e6);
		fputc('\n', out);
	}
	if (r->klog.have && (r->klog.lost || r->klog.unmapped))
		fprintf(out, "kernel log: %" PRIu64 " records read, %" PRIu64 " lost, %" PRIu64
			" failures naming no block\n", r->klog.records, r->klog.lost, r->klog.unmapped);
}

void why_print_sites(FILE *out, const struct run_record *r)
{
	bool header = false;

	for (size_t i = 0; i < r->nblocks; i++) {
		const struct block_record *b = &r->blocks[i];
		struct why_site sites[WHY_MAX_SITES];
		uint64_t of[WHY_MAX_EDGES];
		size_t ns, ne;
		const char *method = why_method(b), *na = why_page_owner_unavailable(b);
		char buf[256], buf2[256];

		if (!b->why || !*method)
			continue;
		if (!header) {
			fputs("\nWhy the blocks stayed (docs/why.md):\n", out);
			print_probe(out, r);
			header = true;
		}
		ns = why_sites(b, sites, WHY_MAX_SITES);
		ne = why_memmap_of(b, of, WHY_MAX_EDGES);
		fprintf(out, "block %" PRIu64 ": %s (%s)", b->index,
			term_printable(*result_block_verdict(b) ? result_block_verdict(b) : "-", buf,
				       sizeof(buf)),
			term_printable(method, buf2, sizeof(buf2)));
		if (ne) {
			fputs(", holds the memmap of", out);
			for (size_t k = 0; k < ne; k++)
				fprintf(out, "%s %" PRIu64, k ? "," : "", of[k]);
		}
		if (why_memmap_only(b))
			fputs(" [stayed only for that memmap]", out);
		fputc('\n', out);
		if (na)
			fprintf(out, "  no page_owner: %s\n", term_printable(na, buf, sizeof(buf)));
		else if (!ns && !strcmp(method, "page_owner"))
			print_empty(out, r, b);
		for (size_t k = 0; k < ns; k++)
			fprintf(out, "  %8" PRIu64 " pages  %-16s %s\n", sites[k].pages,
				term_printable(sites[k].verdict, buf, sizeof(buf)),
				term_printable(sites[k].site, buf2, sizeof(buf2)));
	}
	print_kernel(out, r);
}
