/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_HOTPLUG_H
#define MEMHP_HOTPLUG_H

#include <stdint.h>

#include "backend.h"
#include "result.h"
#include "scenario.h"

/*
 * A way of hot-adding and removing memory (pc-dimm, virtio-mem): one file
 * each, one struct hotplug_ops. A method knows devices and the backend's
 * operations; it knows nothing of files, probes or phases.
 */
struct hotplug_ctx {
	const struct backend_ops *be;
	struct vm *vm;
	const struct scenario *sc;
	struct run_record *rec;
	int64_t vm_started; /* now_ms() when the guest was started, for event times */
	uint64_t block_size; /* the guest's memory block size */
	/* Progress for humans: "3/4 DIMMs removed". May be NULL. */
	void (*progress)(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
	/* A point of the unplug timeline: t_ms since the first unplug request,
	 * bytes still plugged. The runner adds the blocks the guest still has. */
	void (*sample)(struct hotplug_ctx *ctx, int64_t t_ms, uint64_t bytes);
	void *owner; /* the runner's, for sample */
};

struct hotplug_ops {
	const char *name;
	/* Devices that must exist at boot (virtio-mem starts with nothing
	 * plugged); *storage must outlive cfg. */
	void (*configure)(const struct scenario *sc, struct vm_config *cfg,
			  struct vm_virtio_mem *storage);
	/* Plug the scenario's total; returns once the VMM has it plugged. */
	int (*plug)(struct hotplug_ctx *ctx, struct err *err);
	/* Remove as much as possible; every device's outcome lands in ctx->rec. */
	int (*unplug)(struct hotplug_ctx *ctx, struct err *err);
};

extern const struct hotplug_ops hotplug_dimm;
extern const struct hotplug_ops hotplug_virtio_mem;

const struct hotplug_ops *hotplug_for(unsigned method);

/* Shared by the methods: wait for the next event, log it in the record. */
int hotplug_next_event(struct hotplug_ctx *ctx, int64_t deadline, struct vm_event *ev,
		       struct err *err);

#endif
