// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the hotplug methods share: the method for a scenario, the next
 * event, and the hung-unplug watch (hotplug.h). The methods are
 * hotplug_dimm.c and hotplug_virtio_mem.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "hotplug.h"
#include "str.h"

const struct hotplug_ops *hotplug_for(unsigned method)
{
	return method == METHOD_DIMM     ? &hotplug_dimm :
	       method == METHOD_DAX_KMEM ? &hotplug_dax_kmem : &hotplug_virtio_mem;
}

int hotplug_next_event(struct hotplug_ctx *ctx, int64_t deadline, struct vm_event *ev,
		       struct err *err)
{
	struct event_record rec = { 0 };
	int rc = vm_wait_event(ctx->vm, deadline, ev, err);

	if (rc)
		return rc;
	rec.t_ms = now_ms() - ctx->vm_started;
	str_copy(rec.name, sizeof(rec.name), ev->name);
	str_copy(rec.device, sizeof(rec.device), ev->device);
	rec.source = ev->source;
	rec.status = ev->status;
	rec.size = ev->size;
	result_add_event(ctx->rec, &rec);
	return 0;
}

#define WATCH_MS 2000

int64_t hotplug_watch_due(const struct hotplug_ctx *ctx)
{
	if (!ctx->watch || !ctx->klog || ctx->sc->hung_window_ms <= 0)
		return INT64_MAX;
	return now_ms() + (ctx->watch_ms > 0 ? ctx->watch_ms : WATCH_MS);
}

int hotplug_watch_hung(struct hotplug_ctx *ctx, struct device_record *d)
{
	int64_t window_us = ctx->sc->hung_window_ms * 1000;
	struct err ignored;

	if (hotplug_watch_due(ctx) == INT64_MAX || ctx->watch(ctx, &ignored) ||
	    !klog_hung(ctx->klog, window_us))
		return 0;
	d->outcome = OUTCOME_HUNG;
	klog_hung_text(ctx->klog, d->detail, sizeof(d->detail));
	json_object_put(d->hung);
	d->hung = klog_hung_json(ctx->klog, window_us);
	return 1;
}
