// SPDX-License-Identifier: GPL-2.0-only
/*
 * dax-kmem: driver-managed memory, the path CXL memory takes. The memory is
 * in the guest from boot but not System RAM: soft-reserved boot RAM
 * (memmap=SIZE%START-1+0xefffffff, which dax_hmem turns into dax0.0) or a
 * CXL type-3 volatile device (QEMU's cxl-type3; a RAM region created in the
 * guest). Plug rebinds every dax device to the kmem driver, which adds the
 * range as memory blocks ("System RAM (kmem)") that the kernel onlines by
 * the scenario's policy. Unplug offlines the blocks (rounds: blocks that
 * refused get another try after a pause, as DIMMs do) and, once every block
 * of a device is offline, unbinds it from kmem, which removes the range:
 * kmem removes a range only as a whole, so a device with a block that
 * stays online is left bound. Everything in the guest is memhp-probe dax
 * through the agent (guest-image/probe/dax.c); the outcome per block is the
 * runner's count, as for DIMMs.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "faults.h"
#include "guest.h"
#include "hotplug.h"
#include "str.h"
#include "units.h"

#define PROBE_MS 60000
#define DEVICE_WAIT_MS 30000
#define BACKOFF_MAX_MS 30000

static void dax_configure(const struct scenario *sc, struct vm_config *cfg,
			  struct vm_virtio_mem *storage)
{
	(void)storage;
	cfg->nvirtio_mem = 0;
	if (sc->dax_source == DAX_CXL) {
		cfg->cxl_volatile = sc->total;
		return;
	}
	/* The soft-reserved range is part of the guest's RAM. */
	cfg->memory = sc->memory + sc->total;
	if (cfg->maxmem < cfg->memory + sc->total)
		cfg->maxmem = cfg->memory + sc->total;
}

static void dax_cmdline(const struct scenario *sc, char *buf, size_t len)
{
	size_t n = strlen(buf);
	uint64_t start;
	char msg[256];

	/* scenario_load checked the range; a failure here cannot happen. */
	if (sc->dax_source != DAX_SOFT_RESERVED || scenario_dax_range(sc, &start, msg, sizeof(msg)))
		return;
	if (n < len)
		snprintf(buf + n, len - n, " memmap=%" PRIu64 "M%%0x%" PRIx64 "-1+0xefffffff",
			 sc->total >> 20, start);
}

/*
 * Run memhp-probe with args in the guest; *out its JSON object. With
 * [faults] failslab or fail_page_alloc armed in the phase ([faults]
 * alloc_in), kmem (plug), offline and unbind (unplug) run with
 * --make-it-fail: the hot-add, onlining, offlining and removal happen in
 * that task, the only one the injections fail (docs/faults.md).
 */
static int probe_json(struct hotplug_ctx *ctx, const char *const *argv, int64_t deadline,
		      json_object **out, struct err *err)
{
	const char **flagged = NULL;
	char *text = NULL;
	int code, rc;
	size_t n = 0;

	if ((faults_alloc_in(ctx->sc, "plug") && !strcmp(argv[2], "kmem")) ||
	    (faults_alloc_in(ctx->sc, "unplug") &&
	     (!strcmp(argv[2], "offline") || !strcmp(argv[2], "unbind")))) {
		while (argv[n])
			n++;
		flagged = calloc(n + 2, sizeof(*flagged));
		if (!flagged)
			abort();
		flagged[0] = argv[0];
		flagged[1] = argv[1];
		flagged[2] = "--make-it-fail";
		memcpy(&flagged[3], &argv[2], (n - 1) * sizeof(*argv)); /* with the NULL */
	}
	rc = guest_exec(ctx->vm, flagged ? flagged : argv, &text, &code, deadline, err);
	free(flagged);
	*out = NULL;
	if (rc)
		return rc;
	if (!code)
		*out = json_tokener_parse(text);
	if (code || !*out || !json_object_is_type(*out, json_type_object)) {
		json_object_put(*out);
		*out = NULL;
		err_set(err, "memhp-probe %s %s exited with %d without a JSON object: %.120s",
			argv[1], argv[2], code, text ? text : "");
		free(text);
		return -EPROTO;
	}
	free(text);
	return 0;
}

static const char *jstr(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string) ?
		       json_object_get_string(v) : NULL;
}

static bool ju64(json_object *o, const char *key, uint64_t *out)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 0)
		return false;
	*out = json_object_get_uint64(v);
	return true;
}

static bool jbool(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_boolean) &&
	       json_object_get_boolean(v);
}

/* ctx->rec->dax, made on first use. */
static json_object *dax_record(struct hotplug_ctx *ctx)
{
	if (!ctx->rec->dax) {
		ctx->rec->dax = json_object_new_object();
		json_object_object_add(ctx->rec->dax, "source",
				       json_object_new_string(ctx->sc->dax_source == DAX_CXL ?
								      "cxl" : "soft-reserved"));
	}
	return ctx->rec->dax;
}

/* A zone's page count in a probe's zones array, summed over nodes. */
static int64_t zone_pages(json_object *zones, bool movable, const char *key)
{
	int64_t sum = 0;

	for (size_t i = 0; zones && i < json_object_array_length(zones); i++) {
		json_object *z = json_object_array_get_idx(zones, i);
		const char *name = jstr(z, "zone");
		uint64_t v;

		if (name && (!strcmp(name, "Movable") == movable) && ju64(z, key, &v))
			sum += (int64_t)v;
	}
	return sum;
}

/*
 * Where the new blocks' memmap went, from the probe's look just before and
 * just after binding: pages that left the kernel zones' free lists (the
 * memmap in ZONE_NORMAL/DMA32, plus the little else the kernel allocated
 * meanwhile), and pages that came with the range but were never given to
 * the allocator (present minus managed: the memmap inside the range, with
 * memmap_on_memory). nr_memmap_pages where the kernel counts it (6.10+).
 */
static void note_memmap(json_object *dax, json_object *res, bool cxl)
{
	json_object *zb = NULL, *za = NULL, *vb = NULL, *va = NULL, *m = json_object_new_object();
	json_object *devs;
	bool early = false;
	uint64_t b, a;

	/* Newer kernels give soft-reserved RAM to kmem at boot: its memmap
	 * was allocated before memhp looked (onlining.memmap_pages.boot).
	 * CXL's "before" is from before the region existed. */
	if (!cxl && json_object_object_get_ex(res, "devices", &devs) &&
	    json_object_is_type(devs, json_type_array))
		for (size_t i = 0; i < json_object_array_length(devs); i++) {
			const char *before = jstr(json_object_array_get_idx(devs, i), "driver_before");

			early |= before && !strcmp(before, "kmem");
		}
	json_object_object_add(m, "kmem_before_plug", json_object_new_boolean(early));
	if (early) {
		json_object_object_add(dax, "memmap", m);
		return;
	}
	json_object_object_get_ex(res, "zones_before", &zb);
	json_object_object_get_ex(res, "zones_after", &za);
	if (zb && za && json_object_is_type(zb, json_type_array) &&
	    json_object_is_type(za, json_type_array)) {
		int64_t kernel_drop = zone_pages(zb, false, "free_pages") -
				      zone_pages(za, false, "free_pages");
		int64_t added = 0, unmanaged = 0;

		for (int mov = 0; mov < 2; mov++) {
			int64_t p = zone_pages(za, mov, "present_pages") -
				    zone_pages(zb, mov, "present_pages");
			int64_t mg = zone_pages(za, mov, "managed_pages") -
				     zone_pages(zb, mov, "managed_pages");

			added += p;
			unmanaged += p - mg;
		}
		json_object_object_add(m, "kernel_zones_free_drop_pages",
				       json_object_new_int64(kernel_drop));
		json_object_object_add(m, "present_added_pages", json_object_new_int64(added));
		json_object_object_add(m, "in_range_pages", json_object_new_int64(unmanaged));
	}
	json_object_object_get_ex(res, "vmstat_before", &vb);
	json_object_object_get_ex(res, "vmstat_after", &va);
	if (vb && va && ju64(vb, "nr_memmap_pages", &b) && ju64(va, "nr_memmap_pages", &a))
		json_object_object_add(m, "nr_memmap_pages_added",
				       json_object_new_int64((int64_t)a - (int64_t)b));
	else
		json_object_object_add(m, "nr_memmap_pages_added", NULL);
	json_object_object_add(m, "vmstat_before", vb ? json_object_get(vb) : NULL);
	json_object_object_add(m, "vmstat_after", va ? json_object_get(va) : NULL);
	json_object_object_add(dax, "memmap", m);
}

/*
 * CXL: a RAM region over the type-3 device (memhp-probe dax cxl-region),
 * kept in the record as "cxl": the region, its decoders and every sysfs
 * step. kmem binds the region's dax device by itself.
 */
static int cxl_region(struct hotplug_ctx *ctx, struct err *err)
{
	char size[24];
	const char *argv[] = { GUEST_PROBE, "dax", "cxl-region", size, NULL };
	char *text = NULL;
	json_object *res;
	int code, rc;

	snprintf(size, sizeof(size), "%" PRIu64, ctx->sc->total);
	rc = guest_exec(ctx->vm, argv, &text, &code, now_ms() + DEVICE_WAIT_MS + PROBE_MS,
			err);
	if (rc)
		return err_wrap(err, rc, "creating the CXL region");
	res = json_tokener_parse(text ? text : "");
	free(text);
	if (!res || !json_object_is_type(res, json_type_object)) {
		json_object_put(res);
		return err_fail(err, -EPROTO, "memhp-probe dax cxl-region exited with %d without "
				"a JSON object", code);
	}
	json_object_object_add(dax_record(ctx), "cxl", res);
	if (code || jstr(res, "error")) {
		json_object *steps, *last = NULL;

		if (json_object_object_get_ex(res, "steps", &steps) &&
		    json_object_is_type(steps, json_type_array) && json_object_array_length(steps))
			last = json_object_array_get_idx(steps, json_object_array_length(steps) - 1);
		if (last)
			return err_fail(err, -EIO, "creating the CXL RAM region: %s (writing %s to "
					"%s)", jstr(res, "error") ? jstr(res, "error") : "failed",
					jstr(last, "value") ? jstr(last, "value") : "?",
					jstr(last, "file") ? jstr(last, "file") : "?");
		return err_fail(err, -EIO, "creating the CXL RAM region: %s",
				jstr(res, "error") ? jstr(res, "error") : "failed");
	}
	return 0;
}

static int dax_plug(struct hotplug_ctx *ctx, struct err *err)
{
	const struct scenario *sc = ctx->sc;
	const char *argv[] = { GUEST_PROBE, "dax", "kmem", "--wait-ms", "30000",
			       "--memmap-on-memory", sc->memmap_on_memory != MEMMAP_OFF ? "1" : "0",
			       NULL };
	json_object *res, *devs, *v, *dax = dax_record(ctx);
	uint64_t sum = 0;
	char b1[32], b2[32];
	int rc;

	if (sc->dax_source == DAX_CXL) {
		rc = cxl_region(ctx, err);
		if (rc)
			return rc;
	}
	rc = probe_json(ctx, argv, now_ms() + DEVICE_WAIT_MS + PROBE_MS, &res, err);
	if (rc)
		return err_wrap(err, rc, "binding the dax devices to kmem");
	if (!json_object_object_get_ex(res, "devices", &devs) ||
	    !json_object_is_type(devs, json_type_array)) {
		json_object_put(res);
		return err_fail(err, -EPROTO, "memhp-probe dax kmem: no devices array");
	}
	json_object_object_add(dax, "devices_plugged", json_object_get(devs));
	json_object_object_add(dax, "iomem_plugged", json_object_object_get_ex(res, "iomem", &v) ?
							     json_object_get(v) : NULL);
	{
		json_object *cxl, *v2;

		/* CXL: kmem bound while the region came up; its "before". */
		if (json_object_object_get_ex(dax, "cxl", &cxl)) {
			if (json_object_object_get_ex(cxl, "zones_before", &v2))
				json_object_object_add(res, "zones_before", json_object_get(v2));
			if (json_object_object_get_ex(cxl, "vmstat_before", &v2))
				json_object_object_add(res, "vmstat_before", json_object_get(v2));
		}
	}
	note_memmap(dax, res, sc->dax_source == DAX_CXL);
	if (!json_object_array_length(devs)) {
		bool hmem = jbool(res, "hmem_loaded");

		json_object_put(res);
		return err_fail(err, -ENODEV, "no dax device appeared in the guest within %d s (%s)",
				DEVICE_WAIT_MS / 1000,
				sc->dax_source == DAX_CXL ? "no CXL region became a dax device" :
				hmem ? "dax_hmem found no soft-reserved range: see the kernel's "
				       "memmap= line in serial.log" :
				       "the hmem driver is not there: does the kernel have dax_hmem.ko "
				       "(CONFIG_DEV_DAX_HMEM) in the image?");
	}
	for (size_t i = 0; i < json_object_array_length(devs); i++) {
		json_object *o = json_object_array_get_idx(devs, i);
		const char *name = jstr(o, "name"), *error = jstr(o, "error");
		struct device_record *d;
		uint64_t start, size;

		if (!name || !ju64(o, "start", &start) || !ju64(o, "size", &size)) {
			json_object_put(res);
			return err_fail(err, -EPROTO, "memhp-probe dax kmem: device %zu lacks name, "
					"start or size", i);
		}
		/* [faults] failslab, fail_page_alloc: a hot-add they failed is
		 * what the scenario asked for. Recorded, and not plugged: the
		 * result's final blocks say whether it was undone whole. */
		if (error && faults_alloc_in(sc, "plug")) {
			json_object *na;

			if (!json_object_object_get_ex(dax, "not_added", &na)) {
				na = json_object_new_array();
				json_object_object_add(dax, "not_added", na);
			}
			json_object_array_add(na, json_object_get(o));
			if (ctx->progress)
				ctx->progress("%s not added ([faults]): %s", name, error);
			continue;
		}
		if (error) {
			err_set(err, "%s: %s", name, error);
			json_object_put(res);
			return -EIO;
		}
		d = result_add_device(ctx->rec);
		str_copy(d->id, sizeof(d->id), name);
		str_copy(d->kind, sizeof(d->kind), sc->dax_source == DAX_CXL ? "cxl" : "dax-kmem");
		d->addr = start;
		d->plugged = d->remaining = size;
		sum += size;
	}
	json_object_put(res);
	if (sum != sc->total && !json_object_object_get_ex(dax, "not_added", NULL))
		return err_fail(err, -EIO, "the guest's dax devices hold %s, the scenario's total is "
				"%s", format_size(sum, b1, sizeof(b1)),
				format_size(sc->total, b2, sizeof(b2)));
	if (ctx->progress)
		ctx->progress("%zu dax device(s) bound to kmem", ctx->rec->ndevices);
	return 0;
}

/* Per block of the run: offline yet, and how its last attempt ended. */
struct blk {
	uint64_t index;
	size_t device;
	bool offline, tried;
	char error[64];
};

static size_t device_of(const struct run_record *rec, uint64_t start)
{
	for (size_t d = 0; d < rec->ndevices; d++)
		if (start >= rec->devices[d].addr &&
		    start < rec->devices[d].addr + rec->devices[d].plugged)
			return d;
	return SIZE_MAX;
}

/* One round: memhp-probe dax offline over the blocks not yet offline. */
static int offline_round(struct hotplug_ctx *ctx, struct blk *b, size_t n, unsigned round,
			 struct err *err)
{
	const char **argv = calloc(n + 6, sizeof(*argv));
	char (*idx)[24] = calloc(n + 1, sizeof(*idx)), timeout[24];
	bool reverse = ctx->sc->order == ORDER_REVERSE;
	json_object *res = NULL, *arr, *rounds, *entry;
	size_t k = 0, asked = 0;
	int rc;

	if (!argv || !idx)
		abort();
	snprintf(timeout, sizeof(timeout), "%" PRId64, ctx->sc->deadline_ms);
	argv[k++] = GUEST_PROBE;
	argv[k++] = "dax";
	argv[k++] = "offline";
	argv[k++] = "--timeout-ms";
	argv[k++] = timeout;
	for (size_t i = 0; i < n; i++) {
		struct blk *x = &b[reverse ? n - 1 - i : i];

		if (x->offline)
			continue;
		snprintf(idx[asked], sizeof(idx[0]), "%" PRIu64, x->index);
		argv[k++] = idx[asked++];
		x->tried = true;
	}
	rc = probe_json(ctx, argv,
			now_ms() + (int64_t)asked * ctx->sc->deadline_ms + PROBE_MS, &res, err);
	free(argv);
	free(idx);
	if (rc)
		return err_wrap(err, rc, "offlining dax blocks (round %u)", round + 1);
	if (!json_object_object_get_ex(res, "blocks", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		json_object_put(res);
		return err_fail(err, -EPROTO, "memhp-probe dax offline: no blocks array");
	}
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *o = json_object_array_get_idx(arr, i);
		const char *error = jstr(o, "error");
		uint64_t index;

		if (!ju64(o, "index", &index))
			continue;
		for (size_t j = 0; j < n; j++) {
			if (b[j].index != index)
				continue;
			b[j].offline = jbool(o, "ok");
			str_copy(b[j].error, sizeof(b[j].error), b[j].offline ? "" :
				 error ? error : "failed");
		}
	}
	/* Every round's answers, as the probe gave them. */
	if (!json_object_object_get_ex(dax_record(ctx), "offline_rounds", &rounds)) {
		rounds = json_object_new_array();
		json_object_object_add(dax_record(ctx), "offline_rounds", rounds);
	}
	entry = json_object_new_object();
	json_object_object_add(entry, "round", json_object_new_int((int)round + 1));
	json_object_object_add(entry, "blocks", json_object_get(arr));
	json_object_array_add(rounds, entry);
	json_object_put(res);
	return 0;
}

/* CXL: the region goes too, once its memory is out (dax.cxl_teardown). */
static int cxl_teardown(struct hotplug_ctx *ctx, struct device_record *d, struct err *err)
{
	json_object *cxl, *res;
	const char *region, *ep, *rootd;

	if (ctx->sc->dax_source != DAX_CXL ||
	    !json_object_object_get_ex(dax_record(ctx), "cxl", &cxl))
		return 0;
	region = jstr(cxl, "region");
	ep = jstr(cxl, "endpoint_decoder");
	rootd = jstr(cxl, "root_decoder");
	if (!region || !ep || !rootd)
		return 0;
	{
		const char *argv[] = { GUEST_PROBE, "dax", "cxl-teardown", region, ep, rootd, NULL };
		int rc = probe_json(ctx, argv, now_ms() + PROBE_MS, &res, err);

		if (rc)
			return err_wrap(err, rc, "tearing down CXL region %s", region);
	}
	if (!jbool(res, "region_gone"))
		snprintf(d->detail, sizeof(d->detail), "memory removed, but CXL region %s stayed "
			 "(dax.cxl_teardown)", region);
	json_object_object_add(dax_record(ctx), "cxl_teardown", res);
	return 0;
}

/* The pause before retry n (from 1): 1 s, doubling, at most BACKOFF_MAX_MS. */
static int64_t backoff_ms(unsigned n)
{
	int64_t pause = 1000LL << (n - 1 < 5 ? n - 1 : 5);

	return pause < BACKOFF_MAX_MS ? pause : BACKOFF_MAX_MS;
}

/* Whether a failed unbind may be written again: its errno says the write
 * was refused for want of memory or of a lock ([faults] fails kernfs's own
 * buffer) and the device is still kmem's, so nothing was undone. */
static bool unbind_transient(json_object *res)
{
	const char *driver = jstr(res, "driver");
	uint64_t e = 0;

	return !jbool(res, "ok") && driver && !strcmp(driver, "kmem") && ju64(res, "errno", &e) &&
	       (e == ENOMEM || e == EAGAIN || e == EBUSY || e == EINTR);
}

/* Unbind a device whose blocks are all offline; kmem then removes them.
 * A transient failure is tried again, [unplug] retries times, after the
 * offline rounds' backoff; every attempt is in dax.unbind. */
static int unbind(struct hotplug_ctx *ctx, struct device_record *d, struct err *err)
{
	const char *argv[] = { GUEST_PROBE, "dax", "unbind", d->id, NULL };
	json_object *res = NULL, *list;
	uint64_t left = UINT64_MAX;

	if (!json_object_object_get_ex(dax_record(ctx), "unbind", &list)) {
		list = json_object_new_array();
		json_object_object_add(dax_record(ctx), "unbind", list);
	}
	for (unsigned attempt = 0; attempt <= ctx->sc->retries; attempt++) {
		int rc;

		if (attempt)
			sleep_ms(backoff_ms(attempt));
		json_object_put(res);
		rc = probe_json(ctx, argv, now_ms() + PROBE_MS, &res, err);
		if (rc)
			return err_wrap(err, rc, "unbinding %s from kmem", d->id);
		json_object_array_add(list, json_object_get(res));
		if (!unbind_transient(res))
			break;
		if (ctx->progress && attempt < ctx->sc->retries)
			ctx->progress("unbinding %s: %s, again", d->id, jstr(res, "error"));
	}
	ju64(res, "blocks_left", &left);
	if (!jbool(res, "ok")) {
		d->outcome = OUTCOME_ERROR;
		snprintf(d->detail, sizeof(d->detail), "unbind from kmem failed: %s",
			 jstr(res, "error") ? jstr(res, "error") : "?");
	} else if (left == 0) {
		d->outcome = OUTCOME_REMOVED;
		d->remaining = 0;
		json_object_put(res);
		return cxl_teardown(ctx, d, err);
	} else {
		d->outcome = OUTCOME_ERROR;
		snprintf(d->detail, sizeof(d->detail),
			 "unbound from kmem, but %" PRIu64 " memory blocks of the range stayed "
			 "(kmem: the range cannot be removed until the next reboot)", left);
	}
	json_object_put(res);
	return 0;
}

static uint64_t plugged_now(const struct run_record *rec)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < rec->ndevices; i++)
		sum += rec->devices[i].remaining;
	return sum;
}

static int dax_unplug(struct hotplug_ctx *ctx, struct err *err)
{
	struct run_record *rec = ctx->rec;
	int64_t start = now_ms();
	struct blk *b = calloc(rec->nblocks + 1, sizeof(*b));
	size_t n = 0;
	int rc = 0;

	if (!b)
		abort();
	for (size_t i = 0; i < rec->nblocks; i++) {
		size_t dev = device_of(rec, rec->blocks[i].start);

		if (dev == SIZE_MAX)
			continue;
		b[n++] = (struct blk){ .index = rec->blocks[i].index, .device = dev };
	}
	ctx->sample(ctx, 0, plugged_now(rec));
	for (unsigned round = 0; round <= ctx->sc->retries; round++) {
		size_t left = 0, done = 0;

		for (size_t i = 0; i < n; i++)
			left += !b[i].offline;
		if (!left)
			break;
		if (round)
			sleep_ms(backoff_ms(round));
		for (size_t d = 0; d < rec->ndevices; d++)
			rec->devices[d].attempts++;
		rc = offline_round(ctx, b, n, round, err);
		if (rc)
			goto out;
		for (size_t i = 0; i < n; i++)
			done += b[i].offline;
		ctx->sample(ctx, now_ms() - start, plugged_now(rec));
		if (ctx->progress)
			ctx->progress("%zu/%zu dax blocks offline, round %u", done, n, round + 1);
	}
	for (size_t d = 0; d < rec->ndevices; d++) {
		struct device_record *dev = &rec->devices[d];
		unsigned total = 0, off = 0, timed_out = 0;
		char first[64] = "";

		for (size_t i = 0; i < n; i++) {
			if (b[i].device != d)
				continue;
			total++;
			off += b[i].offline;
			timed_out += !b[i].offline && !strcmp(b[i].error, "timed out");
			if (!b[i].offline && !*first)
				str_copy(first, sizeof(first), b[i].error);
		}
		if (off == total) {
			rc = unbind(ctx, dev, err);
			if (rc)
				goto out;
		} else {
			dev->outcome = off ? OUTCOME_PARTIAL :
				       timed_out == total ? OUTCOME_TIMEOUT : OUTCOME_REJECTED;
			snprintf(dev->detail, sizeof(dev->detail),
				 "%u of %u blocks offlined (first failure: %s); kmem removes a range "
				 "only as a whole, so %s stays bound", off, total, first, dev->id);
		}
		dev->unplug_ms = now_ms() - start;
	}
	ctx->sample(ctx, now_ms() - start, plugged_now(rec));
out:
	free(b);
	return rc;
}

const struct hotplug_ops hotplug_dax_kmem = {
	.name = "dax-kmem",
	.configure = dax_configure,
	.cmdline = dax_cmdline,
	.plug = dax_plug,
	.unplug = dax_unplug,
};
