// SPDX-License-Identifier: GPL-2.0-only
/* [run] cycles: per-cycle counts and leak checks (cycles.h). */
#include <stdlib.h>
#include <string.h>

#include "cycles.h"

static json_object *meminfo_bytes(json_object *snapshot, const char *key)
{
	json_object *mi, *v;

	if (!json_object_object_get_ex(snapshot, "meminfo", &mi) ||
	    !json_object_object_get_ex(mi, key, &v) || !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 0)
		return NULL;
	return json_object_new_int64(json_object_get_int64(v) * 1024);
}

json_object *cycles_measure(json_object *snapshot)
{
	json_object *o = json_object_new_object(), *blocks, *vm, *v;

	json_object_object_add(o, "memory_blocks",
			       json_object_object_get_ex(snapshot, "blocks", &blocks) &&
						json_object_is_type(blocks, json_type_array) ?
					json_object_new_int64((int64_t)json_object_array_length(blocks)) :
					NULL);
	json_object_object_add(o, "mem_total", meminfo_bytes(snapshot, "MemTotal"));
	json_object_object_add(o, "slab", meminfo_bytes(snapshot, "Slab"));
	json_object_object_add(o, "nr_memmap_pages",
			       json_object_object_get_ex(snapshot, "vmstat", &vm) &&
						json_object_object_get_ex(vm, "nr_memmap_pages", &v) &&
						json_object_is_type(v, json_type_int) ?
					json_object_new_int64(json_object_get_int64(v)) :
					NULL);
	return o;
}

static json_object *drift(json_object *before, json_object *after)
{
	static const char *const keys[] = { "memory_blocks", "mem_total", "slab",
					     "nr_memmap_pages" };
	json_object *d = json_object_new_object();

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_object *b = NULL, *a = NULL;

		json_object_object_get_ex(before, keys[i], &b);
		json_object_object_get_ex(after, keys[i], &a);
		json_object_object_add(d, keys[i],
				       a && b ? json_object_new_int64(json_object_get_int64(a) -
								      json_object_get_int64(b)) :
						NULL);
	}
	return d;
}

void cycles_note(struct run_record *rec, unsigned cycle, json_object *before, json_object *after)
{
	json_object *c = json_object_new_object(), *arr;
	int64_t unplug_ms = 0;

	if (!rec->cycles) {
		rec->cycles = json_object_new_object();
		json_object_object_add(rec->cycles, "per_cycle", json_object_new_array());
	}
	json_object_object_get_ex(rec->cycles, "per_cycle", &arr);
	for (size_t i = 0; i < rec->ndevices; i++)
		if (rec->devices[i].unplug_ms > unplug_ms)
			unplug_ms = rec->devices[i].unplug_ms;
	json_object_object_add(c, "cycle", json_object_new_int((int)cycle));
	json_object_object_add(c, "hotplugged", json_object_new_int64(rec->count.hotplugged));
	json_object_object_add(c, "removed", json_object_new_int64(rec->count.removed));
	json_object_object_add(c, "bytes_plugged", json_object_new_uint64(rec->count.bytes_plugged));
	json_object_object_add(c, "bytes_remaining",
			       json_object_new_uint64(rec->count.bytes_remaining));
	json_object_object_add(c, "unplug_ms",
			       json_object_new_int64(rec->phase_ms[PHASE_UNPLUG] >= 0 ?
							     rec->phase_ms[PHASE_UNPLUG] : unplug_ms));
	json_object_object_add(c, "drift", drift(before, after));
	json_object_object_add(c, "before", before);
	json_object_object_add(c, "after", after);
	json_object_array_add(arr, c);
	json_object_object_add(rec->cycles, "done", json_object_new_int((int)cycle));
}

bool cycles_all_removed(const struct run_record *rec)
{
	for (size_t i = 0; i < rec->ndevices; i++)
		if (rec->devices[i].remaining)
			return false;
	return rec->ndevices > 0;
}

void cycles_reset(struct run_record *rec)
{
	for (size_t i = 0; i < rec->nblocks; i++) {
		json_object_put(rec->blocks[i].why);
		json_object_put(rec->blocks[i].kernel);
	}
	free(rec->blocks);
	rec->blocks = NULL;
	rec->nblocks = 0;
	for (size_t i = 0; i < rec->ndevices; i++)
		json_object_put(rec->devices[i].hung);
	free(rec->devices);
	rec->devices = NULL;
	rec->ndevices = 0;
	free(rec->timeline);
	rec->timeline = NULL;
	rec->ntimeline = 0;
	memset(&rec->count, 0, sizeof(rec->count));
	rec->zone_mismatches = 0;
}
