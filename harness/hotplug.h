/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_HOTPLUG_H
#define MEMHP_HOTPLUG_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "klog.h"
#include "result.h"
#include "scenario.h"

/*
 * A way of hot-adding and removing memory (pc-dimm, virtio-mem): one file
 * each, one struct hotplug_ops. A method knows devices and the backend's
 * operations; it knows nothing of files, probes or phases.
 */
struct hotplug_ctx {
	struct vm *vm; /* the guest, and through it its backend */
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

	/* issue 25: the guest kernel's log (klog.h), read while unplugging.
	 * watch reads what is new into klog (memhp-probe kmsg), at most every
	 * watch_ms (0: 2 s); futile says whether every hot-added block still
	 * present has failed on an unmovable page during this unplug. Any of
	 * them may be NULL: no hung outcome, no futile stop. */
	struct klog *klog;
	int (*watch)(struct hotplug_ctx *ctx, struct err *err);
	bool (*futile)(struct hotplug_ctx *ctx);
	int64_t watch_ms;
	/* issue 24: the guest refuses a DIMM in its kernel log alone (ppc64's
	 * pseries-hotplug-mem, with no event from QEMU): read the log for it
	 * while waiting, whatever hung_window says. */
	bool log_refusals;
};

struct hotplug_ops {
	const char *name;
	/* Devices that must exist at boot (virtio-mem starts with nothing
	 * plugged); *storage must outlive cfg. */
	void (*configure)(const struct scenario *sc, struct vm_config *cfg,
			  struct vm_virtio_mem *storage);
	/* Kernel parameters the method needs, appended to buf (" a=b ...");
	 * may be NULL: none. */
	void (*cmdline)(const struct scenario *sc, char *buf, size_t len);
	/* Plug the scenario's total; returns once the VMM has it plugged. */
	int (*plug)(struct hotplug_ctx *ctx, struct err *err);
	/* Remove as much as possible; every device's outcome lands in ctx->rec. */
	int (*unplug)(struct hotplug_ctx *ctx, struct err *err);
};

extern const struct hotplug_ops hotplug_dimm;
extern const struct hotplug_ops hotplug_virtio_mem;
extern const struct hotplug_ops hotplug_dax_kmem;

const struct hotplug_ops *hotplug_for(unsigned method);
/* hotplug_for(sc->method), or with [hotplug] dimm_total mixed devices
 * (hotplug_mixed.c: DIMMs and virtio-mem in one guest). */
extern const struct hotplug_ops hotplug_mixed;
const struct hotplug_ops *hotplug_for_scenario(const struct scenario *sc);

/* Shared by the methods: wait for the next event, log it in the record. */
int hotplug_next_event(struct hotplug_ctx *ctx, int64_t deadline, struct vm_event *ev,
		       struct err *err);
/*
 * Read the guest's log now and decide whether the kernel hangs on this
 * device's unplug (klog_hung over [unplug] hung_window): then d is hung,
 * with the pfns and reasons, and 1 is returned; 0 otherwise. A guest that
 * cannot be read is no verdict: 0.
 */
int hotplug_watch_hung(struct hotplug_ctx *ctx, struct device_record *d);
/* When the next watch is due: now + watch_ms, or INT64_MAX when there is
 * nothing to watch for. */
int64_t hotplug_watch_due(const struct hotplug_ctx *ctx);

#endif
