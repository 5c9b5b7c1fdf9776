// SPDX-License-Identifier: GPL-2.0-only
/*
 * virtio-mem: one device, present from boot with requested-size=0 (QEMU 7.2
 * cannot hot-add or device_del it). Plug and unplug are resizes; the guest
 * driver moves `size` towards `requested-size` on its own and reports no
 * failure, so progress is watched: MEMORY_DEVICE_SIZE_CHANGE events (QEMU
 * throttles them to about one a second) wake us, query-memory-devices gives
 * the truth. When nothing moves for the settle window the request is written
 * again, which re-triggers the driver instead of sitting out its 50-300 s
 * retry timer. With [unplug] futile_stop it is not written again once every
 * block left has failed on an unmovable page (the kernel's log, klog.h);
 * a kernel retrying the same pages for [unplug] hung_window makes it hung.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "hotplug.h"
#include "units.h"

#define VMEM_ID "vmem0"
#define POLL_MS 1000

static void vmem_configure(const struct scenario *sc, struct vm_config *cfg,
			   struct vm_virtio_mem *storage)
{
	memset(storage, 0, sizeof(*storage));
	snprintf(storage->id, sizeof(storage->id), VMEM_ID);
	storage->max_size = sc->total;
	storage->block_size = sc->vmem_block_size;
	storage->dynamic_memslots = sc->vmem_dynamic_memslots;
	storage->unplugged_inaccessible =
		sc->vmem_unplugged_inaccessible == VMEM_ON    ? "on" :
		sc->vmem_unplugged_inaccessible == VMEM_OFF   ? "off" :
		sc->vmem_unplugged_inaccessible == VMEM_AUTO  ? "auto" : NULL;
	cfg->virtio_mem = storage;
	cfg->nvirtio_mem = 1;
}

static int vmem_query(struct hotplug_ctx *ctx, struct vm_memory_device *out, struct err *err)
{
	struct vm_memory_device *devs;
	size_t n;
	int rc = vm_query_memory(ctx->vm, &devs, &n, err);

	if (rc)
		return rc;
	rc = -ENOENT;
	for (size_t i = 0; i < n; i++) {
		if (devs[i].virtio_mem && !strcmp(devs[i].id, VMEM_ID)) {
			*out = devs[i];
			rc = 0;
		}
	}
	free(devs);
	if (rc)
		err_set(err, "virtio-mem device %s not found in query-memory-devices", VMEM_ID);
	return rc;
}

/*
 * Drive size towards target. Returns 0 with *final set when size reached the
 * target or stopped moving (after the allowed re-triggers), or at deadline.
 */
static int resize_until(struct hotplug_ctx *ctx, struct device_record *d, uint64_t target,
			int64_t deadline, bool record_timeline, uint64_t *final, struct err *err)
{
	int64_t start = now_ms(), last_progress = start;
	int64_t next_watch = record_timeline ? hotplug_watch_due(ctx) : INT64_MAX;
	struct vm_memory_device dev;
	unsigned idle_retriggers = 0;
	uint64_t last;
	int rc;

	d->attempts++;
	rc = vm_virtio_mem_resize(ctx->vm, VMEM_ID, target, err);
	if (rc)
		return rc;
	rc = vmem_query(ctx, &dev, err);
	if (rc)
		return rc;
	last = dev.size;
	if (record_timeline)
		ctx->sample(ctx, 0, last);
	while (last != target) {
		struct vm_event ev;
		int64_t wake = now_ms() + POLL_MS;
		char b1[32], b2[32];

		if (now_ms() >= deadline)
			break;
		rc = hotplug_next_event(ctx, wake < deadline ? wake : deadline, &ev, err);
		if (rc && rc != -ETIMEDOUT)
			return rc;
		rc = vmem_query(ctx, &dev, err);
		if (rc)
			return rc;
		if (dev.size != last) {
			last = dev.size;
			last_progress = now_ms();
			idle_retriggers = 0;
			if (ctx->klog)
				klog_progress(ctx->klog);
			if (record_timeline)
				ctx->sample(ctx, now_ms() - start, last);
			else if (ctx->progress)
				ctx->progress("%" PRIu64 "/%" PRIu64 " blocks plugged (%s, requested %s)",
					      last / ctx->block_size, ctx->sc->total / ctx->block_size,
					      format_size(last, b1, sizeof(b1)),
					      format_size(target, b2, sizeof(b2)));
			continue;
		}
		if (now_ms() >= next_watch) {
			/* Nothing moved: is the kernel retrying the same pages? */
			if (hotplug_watch_hung(ctx, d))
				break;
			next_watch = hotplug_watch_due(ctx);
		}
		if (now_ms() - last_progress < ctx->sc->settle_ms)
			continue;
		/* The futile tail: every block left failed on an unmovable
		 * page; writing the request again would free nothing. */
		if (record_timeline && ctx->sc->futile_stop && ctx->futile && ctx->futile(ctx)) {
			d->futile = true;
			break;
		}
		if (idle_retriggers >= ctx->sc->retries)
			break;
		/* Writing the same request again wakes the guest driver. */
		idle_retriggers++;
		d->attempts++;
		rc = vm_virtio_mem_resize(ctx->vm, VMEM_ID, target, err);
		if (rc)
			return rc;
		last_progress = now_ms();
	}
	*final = last;
	return 0;
}

static int vmem_plug(struct hotplug_ctx *ctx, struct err *err)
{
	struct device_record *d = result_add_device(ctx->rec);
	struct vm_memory_device dev;
	uint64_t size;
	char b1[32], b2[32];
	int rc;

	snprintf(d->id, sizeof(d->id), VMEM_ID);
	snprintf(d->kind, sizeof(d->kind), "virtio-mem");
	rc = resize_until(ctx, d, ctx->sc->total, now_ms() + ctx->sc->timeout_online_ms, false,
			  &size, err);
	if (rc)
		return err_wrap(err, rc, "plugging %s", VMEM_ID);
	rc = vmem_query(ctx, &dev, err);
	if (rc)
		return rc;
	d->addr = dev.addr;
	d->plugged = d->remaining = size;
	d->attempts = 0; /* counts unplug requests from here on */
	if (size != ctx->sc->total)
		return err_set(err, "virtio-mem plugged only %s of %s before the online timeout "
			       "(is the guest onlining memory?)", format_size(size, b1, sizeof(b1)),
			       format_size(ctx->sc->total, b2, sizeof(b2))), -ETIMEDOUT;
	return 0;
}

static int vmem_unplug(struct hotplug_ctx *ctx, struct err *err)
{
	struct device_record *d = NULL;
	int64_t start = now_ms();
	uint64_t size;
	int rc;

	for (size_t i = 0; i < ctx->rec->ndevices; i++)
		if (!strcmp(ctx->rec->devices[i].id, VMEM_ID))
			d = &ctx->rec->devices[i];
	if (!d)
		return err_fail(err, -ENOENT, "no virtio-mem device was plugged");
	rc = resize_until(ctx, d, 0, start + ctx->sc->deadline_ms, true, &size, err);
	if (rc)
		return err_wrap(err, rc, "unplugging %s", VMEM_ID);
	d->unplug_ms = now_ms() - start;
	d->remaining = size;
	if (d->outcome == OUTCOME_HUNG)
		return 0; /* hotplug_watch_hung said why */
	if (!size)
		d->outcome = OUTCOME_REMOVED;
	else if (size < d->plugged)
		d->outcome = OUTCOME_PARTIAL;
	else
		d->outcome = OUTCOME_REJECTED;
	if (size)
		snprintf(d->detail, sizeof(d->detail),
			 "%" PRIu64 " bytes still plugged after %u requests%s", size, d->attempts,
			 d->futile ? "; stopped early: every block left is stuck on unmovable "
				     "pages (futile_stop)" : "");
	return 0;
}

const struct hotplug_ops hotplug_virtio_mem = {
	.name = "virtio-mem",
	.configure = vmem_configure,
	.plug = vmem_plug,
	.unplug = vmem_unplug,
};
