// SPDX-License-Identifier: GPL-2.0-only
/*
 * Mixed devices in one guest (issue 25): [hotplug] method = virtio-mem with
 * dimm_total, DIMMs of dimm_size (static memory groups) plugged first, then
 * the virtio-mem device (a dynamic group), unplugged in the same order.
 * auto-movable accounts per memory group, so the two kinds can land in
 * different zones in the same guest.
 */
#include <stdlib.h>

#include "hotplug.h"

/* fn on the DIMM part: the scenario as method = dimm, total = dimm_total. */
static int on_dimms(struct hotplug_ctx *ctx, int (*fn)(struct hotplug_ctx *, struct err *),
		    struct err *err)
{
	const struct scenario *keep = ctx->sc;
	struct scenario *d = malloc(sizeof(*d));
	int rc;

	if (!d)
		abort();
	*d = *keep; /* shares text: never freed through d */
	d->method = METHOD_DIMM;
	d->total = keep->dimm_total;
	d->dimm_total = 0;
	ctx->sc = d;
	rc = fn(ctx, err);
	ctx->sc = keep;
	free(d);
	return rc;
}

static void mixed_configure(const struct scenario *sc, struct vm_config *cfg,
			    struct vm_virtio_mem *storage)
{
	hotplug_virtio_mem.configure(sc, cfg, storage);
}

static int mixed_plug(struct hotplug_ctx *ctx, struct err *err)
{
	int rc = on_dimms(ctx, hotplug_dimm.plug, err);

	return rc ? rc : hotplug_virtio_mem.plug(ctx, err);
}

static int mixed_unplug(struct hotplug_ctx *ctx, struct err *err)
{
	int rc = on_dimms(ctx, hotplug_dimm.unplug, err);

	return rc ? rc : hotplug_virtio_mem.unplug(ctx, err);
}

const struct hotplug_ops hotplug_mixed = {
	.name = "mixed",
	.configure = mixed_configure,
	.plug = mixed_plug,
	.unplug = mixed_unplug,
};

const struct hotplug_ops *hotplug_for_scenario(const struct scenario *sc)
{
	return sc->method != METHOD_DIMM && sc->dimm_total ? &hotplug_mixed :
							       hotplug_for(sc->method);
}
