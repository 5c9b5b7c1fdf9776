/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_WORKLOAD_H
#define MEMHP_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "backend.h"
#include "err.h"

struct scenario;

/*
 * Workloads: named allocation kinds that memhp-probe's load holder runs in
 * the guest ([workload] mix). This table and guest-image/probe/load.c name
 * the same kinds; docs/workloads.md describes them.
 */
struct workload_kind {
	const char *name;
	const char *allocates; /* what the kernel sees */
	const char *mobility;  /* movable, reclaimable, unmovable, pinned */
};

extern const struct workload_kind workload_kinds[];
extern const size_t workload_nkinds;

#define WORKLOAD_MAX_MIX 16

struct mix_entry {
	unsigned kind; /* index into workload_kinds */
	unsigned share;
};

/* Parse "anon:50 pgtable:25". Returns 0, or -EINVAL with msg filled. */
int workload_parse_mix(const char *mix, struct mix_entry *out, size_t *n, char *msg,
		       size_t msglen);

/*
 * Start the scenario's mix in the guest and wait until it has allocated;
 * *record (caller puts) describes the request and what the guest got.
 * mem_total and mem_available are the guest's, in bytes.
 */
int workload_start(const struct backend_ops *be, struct vm *vm, const struct scenario *sc,
		   uint64_t mem_total, uint64_t mem_available, json_object *record,
		   struct err *err);
/* Stop it (files removed, stress-ng metrics collected) and tidy as asked. */
int workload_stop(const struct backend_ops *be, struct vm *vm, const struct scenario *sc,
		  json_object *record, struct err *err);

/*
 * The host memory a run may touch: boot memory, the memmap of hot-added
 * memory, the workload's fill (unless it can only land in file-backed
 * memory) and QEMU's own. Returns -E2BIG with a message naming the keys to
 * change when that exceeds available (bytes).
 */
/* The host memory a run of sc may touch: boot memory, memmap of the hot-added
 * memory, the workload's fill and QEMU itself. */
uint64_t workload_host_need(const struct scenario *sc);
int workload_check_budget(const struct scenario *sc, uint64_t available, struct err *err);

#endif
