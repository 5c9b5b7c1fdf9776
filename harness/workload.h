/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_WORKLOAD_H
#define MEMHP_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "backend.h"
#include "errmsg.h"

struct scenario;

/*
 * The workload phase: the scenario's [workload] mix (parsed in mix.c) run
 * by memhp-probe's load holder in the guest. docs/workloads.md.
 */

/* One progress line, as the runner shows it (a redrawn line on a TTY). */
typedef void (*workload_progress_fn)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Start the scenario's mix in the guest and wait until it has allocated,
 * showing per kind what it has got and how fast. A window of
 * [workload] stall_timeout with nothing new allocated fails with a reason
 * naming the kind and how far it got; an agent that does not answer fails
 * only once QEMU's own state says the guest is stopped, or after one more
 * window. *record (caller puts) describes the request and what the guest
 * got, also when this fails. mem_total and mem_available are the guest's,
 * in bytes. MEMHP_TEST_STALL_AT=BYTES in the environment (tests only) makes
 * every kind stop allocating at BYTES.
 */
int workload_start(struct vm *vm, const struct scenario *sc,
		   uint64_t mem_total, uint64_t mem_available, json_object *record,
		   workload_progress_fn progress, struct err *err);
/* Hold for the scenario's duration, checking that the guest lives. */
int workload_hold(struct vm *vm, const struct scenario *sc,
		  workload_progress_fn progress, struct err *err);
/* Stop it (files removed, stress-ng metrics collected) and tidy as asked. */
int workload_stop(struct vm *vm, const struct scenario *sc,
		  json_object *record, struct err *err);

/*
 * Progress file parsing and the stall rule, apart from the guest so that
 * unit tests reach them. A watch follows one holder.
 */
struct workload_kind_seen {
	char kind[16];
	uint64_t want, got;
	int state;       /* 0 pending, 1 allocating, 2 done */
	int64_t ms;      /* the probe's time for the kind, once done */
	char error[128]; /* the probe's, once done: "" or why it fell short */
	int64_t first_t; /* memhp's clock: when it was first seen allocating */
	uint64_t got_then; /* for the rate: got at t_then */
	int64_t t_then;
	double rate;     /* bytes/s, recent */
};

struct workload_watch {
	struct workload_kind_seen k[16];
	size_t n;
	bool holding;
	int64_t seq, seq_t; /* the holder's last rewrite count, and when it changed */
	uint64_t total;     /* bytes allocated, all kinds */
	int64_t grew_t;     /* when total last grew (memhp's clock) */
	int64_t answer_t;   /* when the agent last answered */
	int pid;            /* the holder's, in the guest */
	int64_t alive_t;    /* when memhp last looked whether it lives */
};

void workload_watch_init(struct workload_watch *w, int64_t now);
/* Take in one progress file read at now. -EBADMSG when it is not one. */
int workload_watch_update(struct workload_watch *w, const char *json, int64_t now);
/* "anon 3072/3072 MiB 210 MiB/s, tmpfs 410/1228 MiB 35 MiB/s, dentries 0/1228 MiB" */
void workload_watch_line(const struct workload_watch *w, char *buf, size_t len);
/* The kind being allocated (or the last one seen allocating), or NULL. */
const struct workload_kind_seen *workload_watch_current(const struct workload_watch *w);
/* What the kinds got so far, as the result's allocations array. */
json_object *workload_watch_allocations(const struct workload_watch *w);

/*
 * Follow the holder's progress file at path until it says "holding": the
 * loop workload_start runs, with the stall bound and the busy-or-dead
 * rule. 0, -ETIMEDOUT (stalled, or an agent silent too long), -ECHILD (the
 * holder died), -EIO (QEMU says the guest stopped), -EINTR, or the
 * backend's error.
 */
int workload_watch_allocation(struct vm *vm, const char *path,
			      int64_t stall_ms, struct workload_watch *w,
			      workload_progress_fn progress, struct err *err);

#endif
