/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_ONLINING_H
#define MEMHP_ONLINING_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

struct scenario;
struct run_record;

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
/* What the scenario asked the guest for (onlining.asked): the values the
 * guest's settings should read once it booted with memhp's command line.
 * The first snapshot compares them (onlining.not_as_asked). */
void onlining_note_asked(json_object *onl, const struct scenario *sc);
/* The zones the hot-added blocks were onlined to (onlining.zones_onlined),
 * from rec's blocks once they are online. */
void onlining_note_zones(json_object *onl, const struct run_record *rec);
/* A sentence on where the hot-added blocks went against what the scenario
 * asked ("3 of 8 hot-added blocks went to Normal, not to Movable as
 * online_movable asked"), from rec's blocks, for results of any age.
 * Returns true when some block is not in the zone asked for. */
bool onlining_zone_text(const struct run_record *rec, char *buf, size_t len);
/* The settings the guest did not take (onlining.not_as_asked) as one
 * phrase: "memmap_on_memory is N, not force"; false (and "") when it took
 * every one, or the result does not say. */
bool onlining_not_as_asked_text(json_object *onl, char *buf, size_t len);
/* A kernel log line: virtio_mem's report of its mode (SBM: "subblock size",
 * BBM: "big block size") and block sizes, one entry per device. */
void onlining_note_kmsg(json_object *onl, const char *line);

#endif
