// SPDX-License-Identifier: GPL-2.0-only
/*
 * The result's "onlining" object: what the guest kernel did with the
 * scenario's onlining choice, and why (onlining.h).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onlining.h"
#include "result.h"
#include "scenario.h"

static json_object *copy_or_null(json_object *obj, const char *key)
{
	json_object *v;

	return obj && json_object_object_get_ex(obj, key, &v) ? json_object_get(v) : NULL;
}

json_object *onlining_new(json_object *kconfig)
{
	json_object *onl = json_object_new_object();

	if (kconfig && !json_object_is_type(kconfig, json_type_object))
		kconfig = NULL;
	json_object_object_add(onl, "kernel_default_online_type",
			       copy_or_null(kconfig, "default_online_type"));
	json_object_object_add(onl, "kernel_memmap_on_memory",
			       copy_or_null(kconfig, "memmap_on_memory"));
	json_object_object_add(onl, "memmap_pages", json_object_new_object());
	json_object_object_add(onl, "virtio_mem", json_object_new_array());
	return onl;
}

/* A sysfs value: a number where it is all digits, else the string. */
static json_object *setting(json_object *v)
{
	const char *s;

	if (!v || !json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	if (*s && strspn(s, "0123456789") == strlen(s) && strlen(s) < 19)
		return json_object_new_uint64(strtoull(s, NULL, 10));
	return json_object_new_string(s);
}

void onlining_note_asked(json_object *onl, const struct scenario *sc)
{
	json_object *a;

	if (!onl || !sc)
		return;
	a = json_object_new_object();
	json_object_object_add(a, "policy",
			       json_object_new_string(scenario_policy_name(sc->policy)));
	/* memhp_default_state=: auto-movable onlines with "online" */
	json_object_object_add(a, "auto_online_blocks", json_object_new_string(
		sc->policy == POLICY_AUTO_MOVABLE ? "online" : scenario_policy_name(sc->policy)));
	json_object_object_add(a, "online_policy", json_object_new_string(
		sc->policy == POLICY_AUTO_MOVABLE ? "auto-movable" : "contig-zones"));
	if (sc->policy == POLICY_AUTO_MOVABLE)
		json_object_object_add(a, "auto_movable_ratio",
				       json_object_new_uint64(sc->auto_movable_ratio));
	if (sc->policy == POLICY_AUTO_MOVABLE && sc->auto_movable_numa_aware != VMEM_DEFAULT)
		json_object_object_add(a, "auto_movable_numa_aware", json_object_new_string(
			sc->auto_movable_numa_aware == VMEM_ON ? "Y" : "N"));
	json_object_object_add(a, "memmap_on_memory", json_object_new_string(
		sc->memmap_on_memory == MEMMAP_FORCE ? "force" :
		sc->memmap_on_memory == MEMMAP_ON    ? "Y" : "N"));
	if (sc->hvo != VMEM_DEFAULT)
		json_object_object_add(a, "hugetlb_optimize_vmemmap",
				       json_object_new_uint64(sc->hvo == VMEM_ON ? 1 : 0));
	json_object_object_add(onl, "asked", a);
}

/* A setting as text for comparing: numbers and strings alike; NULL for null. */
static const char *text_of(json_object *v)
{
	return v ? json_object_get_string(v) : NULL;
}

/* The settings the guest does not have as asked: {"setting", "asked",
 * "guest"} each. A file the kernel lacks counts as the setting's off value
 * (memmap_on_memory N, hugetlb_optimize_vmemmap 0, contig-zones), which is
 * what such a kernel does. */
static void compare_asked(json_object *onl)
{
	static const struct {
		const char *key, *absent;
	} keys[] = {
		{ "auto_online_blocks", NULL },   { "online_policy", "contig-zones" },
		{ "auto_movable_ratio", NULL },   { "auto_movable_numa_aware", NULL },
		{ "memmap_on_memory", "N" },      { "hugetlb_optimize_vmemmap", "0" },
	};
	json_object *asked, *diff, *want, *got, *e;

	if (!json_object_object_get_ex(onl, "asked", &asked) ||
	    !json_object_is_type(asked, json_type_object))
		return;
	diff = json_object_new_array();
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *w, *g;

		if (!json_object_object_get_ex(asked, keys[i].key, &want))
			continue;
		json_object_object_get_ex(onl, keys[i].key, &got);
		w = text_of(want);
		g = text_of(got);
		if (!g)
			g = keys[i].absent;
		if (w && g && !strcmp(w, g))
			continue;
		e = json_object_new_object();
		json_object_object_add(e, "setting", json_object_new_string(keys[i].key));
		json_object_object_add(e, "asked", json_object_get(want));
		json_object_object_add(e, "guest", got ? json_object_get(got) : NULL);
		json_object_array_add(diff, e);
	}
	json_object_object_add(onl, "not_as_asked", diff);
}

/* Sums over the snapshot's zones: present and managed pages of every zone
 * but Device, free pages of the kernel zones (all but Movable and Device).
 * The hot-added memory's present minus managed pages is the memmap that
 * memmap_on_memory put inside it. */
static void add_zone_sums(json_object *out, json_object *snapshot)
{
	json_object *zones, *z, *v;
	uint64_t present = 0, managed = 0, kfree = 0;

	if (!json_object_object_get_ex(snapshot, "zones", &zones) ||
	    !json_object_is_type(zones, json_type_array) || !json_object_array_length(zones))
		return;
	for (size_t i = 0; i < json_object_array_length(zones); i++) {
		const char *name;

		z = json_object_array_get_idx(zones, i);
		if (!json_object_object_get_ex(z, "zone", &v))
			continue;
		name = json_object_get_string(v);
		if (!strcmp(name, "Device"))
			continue;
		if (json_object_object_get_ex(z, "present_pages", &v))
			present += json_object_get_uint64(v);
		if (json_object_object_get_ex(z, "managed_pages", &v))
			managed += json_object_get_uint64(v);
		if (strcmp(name, "Movable") && json_object_object_get_ex(z, "free_pages", &v))
			kfree += json_object_get_uint64(v);
	}
	json_object_object_add(out, "present_pages", json_object_new_uint64(present));
	json_object_object_add(out, "managed_pages", json_object_new_uint64(managed));
	json_object_object_add(out, "kernel_zones_free_pages", json_object_new_uint64(kfree));
}

void onlining_note_snapshot(json_object *onl, const char *phase, json_object *snapshot)
{
	static const char *const keys[] = {
		"auto_online_blocks", "online_policy", "auto_movable_ratio",
		"auto_movable_numa_aware", "memmap_on_memory", "hugetlb_optimize_vmemmap",
	};
	json_object *probe, *v, *pages, *vm, *entry;

	if (!onl || !snapshot || !json_object_object_get_ex(snapshot, "onlining", &probe) ||
	    !json_object_is_type(probe, json_type_object))
		return;
	if (!json_object_object_get_ex(onl, "auto_online_blocks", &v)) {
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			json_object_object_add(onl, keys[i],
					       json_object_object_get_ex(probe, keys[i], &v) ?
						       setting(v) : NULL);
		compare_asked(onl);
	}
	if (!json_object_object_get_ex(probe, "vmstat", &vm) ||
	    !json_object_is_type(vm, json_type_object) ||
	    !json_object_object_get_ex(onl, "memmap_pages", &pages))
		return;
	entry = json_object_new_object();
	json_object_object_foreach(vm, key, val)
		json_object_object_add(entry, key, json_object_get(val));
	add_zone_sums(entry, snapshot);
	json_object_object_add(pages, phase, entry);
}

/* The zones of rec's hot-added blocks: names and counts, in order of first
 * appearance; a block not onlined counts as "none". */
struct zone_tally {
	size_t n;
	struct {
		char name[24];
		unsigned count;
	} z[8];
};

static void tally_zones(const struct run_record *rec, struct zone_tally *t)
{
	t->n = 0;
	for (size_t i = 0; i < rec->nblocks; i++) {
		const char *name = *rec->blocks[i].zone ? rec->blocks[i].zone : "none";
		size_t j;

		for (j = 0; j < t->n && strcmp(t->z[j].name, name); j++)
			;
		if (j == t->n) {
			if (t->n == sizeof(t->z) / sizeof(t->z[0]))
				continue;
			snprintf(t->z[j].name, sizeof(t->z[j].name), "%s", name);
			t->z[j].count = 0;
			t->n++;
		}
		t->z[j].count++;
	}
}

void onlining_note_zones(json_object *onl, const struct run_record *rec)
{
	struct zone_tally t;
	json_object *o;

	if (!onl || !rec)
		return;
	tally_zones(rec, &t);
	o = json_object_new_object();
	for (size_t i = 0; i < t.n; i++)
		json_object_object_add(o, t.z[i].name, json_object_new_uint64(t.z[i].count));
	json_object_object_add(onl, "zones_onlined", o);
}

bool onlining_zone_text(const struct run_record *rec, char *buf, size_t len)
{
	struct zone_tally t;
	unsigned wrong = 0;
	size_t n = 0;
	bool first = true;

	if (!len)
		return false;
	*buf = '\0';
	if (!rec->nblocks)
		return false;
	tally_zones(rec, &t);
	for (size_t i = 0; i < t.n; i++)
		if (*rec->expected_zone && strcmp(t.z[i].name, rec->expected_zone))
			wrong += t.z[i].count;
	if (!*rec->expected_zone || !wrong) {
		n = (size_t)snprintf(buf, len, "%s%zu hot-added block%s onlined to ",
				     *rec->expected_zone ? "all " : "", rec->nblocks,
				     rec->nblocks == 1 ? "" : "s");
		for (size_t i = 0; i < t.n && n < len; i++)
			n += (size_t)snprintf(buf + n, len - n, "%s%s (%u)", i ? ", " : "",
					      t.z[i].name, t.z[i].count);
		if (n < len)
			snprintf(buf + n, len - n, *rec->expected_zone ? ", as %s asked" :
				 ": %s leaves the zone to the kernel", rec->policy);
		return false;
	}
	n = (size_t)snprintf(buf, len, "%u of %zu hot-added blocks onlined to ", wrong,
			     rec->nblocks);
	for (size_t i = 0; i < t.n && n < len; i++) {
		if (!strcmp(t.z[i].name, rec->expected_zone))
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s%s (%u)", first ? "" : ", ",
				      t.z[i].name, t.z[i].count);
		first = false;
	}
	if (n < len)
		snprintf(buf + n, len - n, ", not to %s as %s asked", rec->expected_zone,
			 rec->policy);
	return true;
}

static const char *text_or_null(json_object *obj, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(obj, key, &v))
		return "?";
	return v ? json_object_get_string(v) : "null";
}

bool onlining_not_as_asked_text(json_object *onl, char *buf, size_t len)
{
	json_object *diff;
	size_t n = 0;

	if (!len)
		return false;
	*buf = '\0';
	if (!onl || !json_object_object_get_ex(onl, "not_as_asked", &diff) ||
	    !json_object_is_type(diff, json_type_array))
		return false;
	for (size_t i = 0; i < json_object_array_length(diff) && n < len; i++) {
		json_object *e = json_object_array_get_idx(diff, i);

		n += (size_t)snprintf(buf + n, len - n, "%s%s is %s, not %s", i ? "; " : "",
				      text_or_null(e, "setting"), text_or_null(e, "guest"),
				      text_or_null(e, "asked"));
	}
	return *buf;
}

/* The device's entry in virtio_mem[], added when new. */
static json_object *vmem_device(json_object *onl, const char *dev)
{
	json_object *arr, *e, *v;

	if (!json_object_object_get_ex(onl, "virtio_mem", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return NULL;
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		e = json_object_array_get_idx(arr, i);
		if (json_object_object_get_ex(e, "device", &v) &&
		    !strcmp(json_object_get_string(v), dev))
			return e;
	}
	e = json_object_new_object();
	json_object_object_add(e, "device", json_object_new_string(dev));
	json_object_object_add(e, "mode", NULL);
	json_object_array_add(arr, e);
	return e;
}

void onlining_note_kmsg(json_object *onl, const char *line)
{
	static const struct {
		const char *label, *key, *mode;
	} sizes[] = {
		{ "device block size: 0x", "device_block_size", NULL },
		{ "memory block size: 0x", "memory_block_size", NULL },
		{ "subblock size: 0x", "subblock_size", "SBM" },
		{ "big block size: 0x", "big_block_size", "BBM" },
	};
	char dev[32];
	const char *rest;
	int n = 0;

	/* "virtio_mem virtio1: subblock size: 0x200000" */
	if (!onl || !line || sscanf(line, "virtio_mem %31[^: ]: %n", dev, &n) != 1 || !n)
		return;
	rest = line + n;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t len = strlen(sizes[i].label);
		json_object *e;
		char *end;
		uint64_t v;

		if (strncmp(rest, sizes[i].label, len))
			continue;
		v = strtoull(rest + len, &end, 16);
		if (end == rest + len)
			return;
		e = vmem_device(onl, dev);
		if (!e)
			return;
		json_object_object_add(e, sizes[i].key, json_object_new_uint64(v));
		if (sizes[i].mode)
			json_object_object_add(e, "mode", json_object_new_string(sizes[i].mode));
		return;
	}
}
