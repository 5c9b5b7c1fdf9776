/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_PROBE_DAX_H
#define MEMHP_PROBE_DAX_H

#include <stdint.h>

#include <json-c/json.h>

/* probe.c's: /proc/zoneinfo page counts per zone, /proc/vmstat's nr_memmap*. */
json_object *probe_zones(void);
json_object *probe_memmap_vmstat(void);

/*
 * memhp-probe dax …: device-dax ranges handed to the kmem driver and taken
 * back (the dax-kmem hotplug method, harness/hotplug_dax_kmem.c).
 *
 *   dax kmem [--memmap-on-memory 0|1] [--wait-ms N]
 *       every dax device not bound to kmem: unbound from its driver, its
 *       memmap_on_memory attribute set where the kernel has one (6.8+),
 *       bound to kmem (new_id, else bind); prints the devices, and the
 *       zones and nr_memmap counters just before and after (the memmap
 *       the new blocks cost, and where)
 *   dax offline --timeout-ms N INDEX...
 *       writes offline to each memory block in the order given, each write
 *       interrupted after N ms; prints each block's result
 *   dax unbind NAME
 *       unbinds NAME from kmem (kmem removes its memory when every block of
 *       the range is offline); prints how many blocks of the range are left
 *   dax cxl-region SIZE
 *       creates, commits and binds a RAM region of SIZE bytes over the
 *       first CXL memory device with a RAM partition, through sysfs alone
 *   dax cxl-teardown REGION EPDECODER ROOTDECODER
 *       unbinds, decommits and deletes a region, frees its DPA
 *
 *   dax --make-it-fail …  any of the above, with the writes that make
 *       the kernel hot-add (kmem's new_id and bind), offline (a block's
 *       state) and remove (kmem's unbind) done with /proc/self/make-it-fail
 *       set: that kernel work runs in this task, so failslab and
 *       fail_page_alloc (task-filter, set by memhp-probe faults) reach it
 *       and nothing else (docs/faults.md)
 */
int dax_main(int argc, char **argv, uint64_t block_size);

#endif
