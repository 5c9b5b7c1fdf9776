/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * [run] cycles (issue 25): plug, online, workload, unplug and settle again
 * in the same guest, and what each cycle left behind: the guest's memory
 * block count, MemTotal, slab and nr_memmap_pages before its plug and after
 * its settle. A count that grows from cycle to cycle is a leak (refcounts,
 * memory blocks: "mm: Fix memory block leaks", 2026).
 */
#ifndef MEMHP_CYCLES_H
#define MEMHP_CYCLES_H

#include <json-c/json.h>

#include "result.h"

/* What a probe snapshot says of the guest's memory as a whole:
 * {"memory_blocks", "mem_total", "slab", "nr_memmap_pages"} (bytes, except
 * the block count and the pages; null where the snapshot has none). */
json_object *cycles_measure(json_object *snapshot);

/* Append cycle (1-based) to rec->cycles ({"done": cycles so far,
 * "per_cycle": [...]}): its counts and unplug time from
 * rec, before and after (cycles_measure(); taken over), and "drift", each
 * of after minus before (null where either is null). */
void cycles_note(struct run_record *rec, unsigned cycle, json_object *before, json_object *after);

/* Whether every device of the cycle that just ended was removed whole: the
 * next cycle plugs the same devices again. */
bool cycles_all_removed(const struct run_record *rec);

/* Forget the cycle that ended (blocks, devices, timeline, counts) so the
 * next one records afresh; rec->cycles keeps what it was. */
void cycles_reset(struct run_record *rec);

#endif
