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

void onlining_note_snapshot(json_object *onl, const char *phase, json_object *snapshot)
{
	static const char *const keys[] = {
		"auto_online_blocks", "online_policy", "auto_movable_ratio",
		"auto_movable_numa_aware", "memmap_on_memory", "hugetlb_optimize_vmemmap",
	};
	json_object *probe, *v, *pages, *vm;

	if (!onl || !snapshot || !json_object_object_get_ex(snapshot, "onlining", &probe) ||
	    !json_object_is_type(probe, json_type_object))
		return;
	if (!json_object_object_get_ex(onl, "auto_online_blocks", &v))
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			json_object_object_add(onl, keys[i],
					       json_object_object_get_ex(probe, keys[i], &v) ?
						       setting(v) : NULL);
	if (!json_object_object_get_ex(probe, "vmstat", &vm) ||
	    !json_object_is_type(vm, json_type_object) ||
	    !json_object_object_get_ex(onl, "memmap_pages", &pages))
		return;
	json_object_object_add(pages, phase, json_object_get(vm));
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
