/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_ONLINING_H
#define MEMHP_ONLINING_H

#include <json-c/json.h>

/*
 * The result's "onlining" object: what the guest's kernel did with the
 * onlining choices (docs/result-schema.md). A kernel built from a
 * distribution's configuration or a defconfig may online to another zone
 * than the scenario asked for; this says why.
 *
 * onlining_new: kconfig is image.json's "kconfig" (the kernel's built-in
 * default online type and memmap_on_memory support), or NULL when the
 * kernel's configuration is unknown (path: kernels without one).
 */
json_object *onlining_new(json_object *kconfig);
/* A probe snapshot at the end of phase: the first one gives the settings the
 * guest booted with (its "onlining" object); every one adds the nr_memmap*
 * counters under memmap_pages.PHASE. A snapshot without them changes nothing. */
void onlining_note_snapshot(json_object *onl, const char *phase, json_object *snapshot);
/* A kernel log line: virtio_mem's report of its mode (SBM: "subblock size",
 * BBM: "big block size") and block sizes, one entry per device. */
void onlining_note_kmsg(json_object *onl, const char *line);

#endif
