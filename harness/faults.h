/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * [faults] (issue 25, docs/faults.md): kernel fault injection armed in the
 * guest (memhp-probe faults) around hot-add (plug and online) and around
 * unplug, disarmed after each, and recorded in the result's "faults":
 * what was asked, what the guest wrote, and how many failslab and
 * fail_page_alloc failures it injected.
 */
#ifndef MEMHP_FAULTS_H
#define MEMHP_FAULTS_H

#include <stdbool.h>

#include <json-c/json.h>

#include "backend.h"
#include "errmsg.h"
#include "scenario.h"

/* Whether sc asks for any injection in phase ("plug" or "unplug"). */
bool faults_wanted(const struct scenario *sc, const char *phase);
/* Whether sc arms failslab or fail_page_alloc at all. */
bool faults_alloc(const struct scenario *sc);
/* Whether it arms them in phase ("plug" or "unplug", [faults] alloc_in):
 * memhp-probe dax then runs that phase's hot-add (kmem's bind), or
 * offlining and removal (offline, unbind), with --make-it-fail. */
bool faults_alloc_in(const struct scenario *sc, const char *phase);
/* Whether sc's injections may leave hot-added blocks offline: going_online,
 * or failslab and fail_page_alloc armed while plugging, which reach
 * dax-kmem's onlining. Blocks still offline at [online] timeout are then
 * what was asked for. */
bool faults_may_fail_online(const struct scenario *sc);

/* The argv of memhp-probe faults that arms phase's injections of sc (NULL
 * terminated; bufs holds the numbers). Returns the count of arguments. */
size_t faults_argv(const struct scenario *sc, const char *phase, const char *argv[16],
		   char bufs[6][24]);

/* Arm (or with off, disarm) phase's injections in the guest; the guest's
 * answer goes to (*record)[phase]["armed" or "disarmed"], *record made on
 * first use. A knob that could not be written fails with its words. */
int faults_set(struct vm *vm, const struct scenario *sc,
	       const char *phase, bool off, json_object **record, struct err *err);

/* What the kernel's log says was injected over the run: "notifier_injected"
 * (lines "Injecting error (-N) to MEM_GOING_…") and "forced_failures"
 * (failslab's and fail_page_alloc's "FAULT_INJECTION: forcing a failure"),
 * added to record (nothing when record is NULL). */
void faults_count_kmsg(json_object *record, char *const *kmsg, size_t nkmsg);

#endif
