// SPDX-License-Identifier: GPL-2.0-only
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "hotplug.h"
#include "str.h"

const struct hotplug_ops *hotplug_for(unsigned method)
{
	return method == METHOD_DIMM ? &hotplug_dimm : &hotplug_virtio_mem;
}

int hotplug_next_event(struct hotplug_ctx *ctx, int64_t deadline, struct vm_event *ev,
		       struct err *err)
{
	struct event_record rec = { 0 };
	int rc = vm_wait_event(ctx->be, ctx->vm, deadline, ev, err);

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
