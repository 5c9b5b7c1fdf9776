// SPDX-License-Identifier: GPL-2.0-only
/*
 * pc-dimm: one memory-backend-ram and one pc-dimm per DIMM. Unplug is an
 * ACPI eject: device_del, then the guest either ejects (DEVICE_DELETED) or
 * answers with a rejecting _OST status (through libvirt: DEVICE_REMOVED or
 * DEVICE_REMOVAL_FAILED); a silent guest runs into the deadline, after which
 * query-acpi-ospm-status is read once more where the backend can. Rejected
 * DIMMs get further rounds (scenario [unplug] retries): a DIMM holding the
 * memmap of a later one can go once that one is gone. While waiting, the
 * guest's kernel log is read every few seconds: a kernel that keeps failing
 * to migrate the same pages for [unplug] hung_window makes the DIMM hung,
 * and the unplug stops there.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "hotplug.h"
#include "ost.h"
#include "str.h"

static void dimm_configure(const struct scenario *sc, struct vm_config *cfg,
			   struct vm_virtio_mem *storage)
{
	(void)sc;
	(void)storage;
	cfg->nvirtio_mem = 0;
}

static int dimm_plug(struct hotplug_ctx *ctx, struct err *err)
{
	unsigned n = scenario_dimm_count(ctx->sc);
	struct vm_memory_device *devs;
	size_t ndevs;
	int rc;

	for (unsigned i = 0; i < n; i++) {
		char id[32];

		snprintf(id, sizeof(id), "dimm%u", i);
		rc = vm_dimm_add(ctx->vm, id, ctx->sc->dimm_size, err);
		if (rc)
			return err_wrap(err, rc, "plugging %s", id);
		if (ctx->progress)
			ctx->progress("%u/%u DIMMs, %" PRIu64 "/%" PRIu64 " blocks plugged", i + 1, n,
				      (i + 1) * (ctx->sc->dimm_size / ctx->block_size),
				      ctx->sc->total / ctx->block_size);
	}
	rc = vm_query_memory(ctx->vm, &devs, &ndevs, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < ndevs; i++) {
		struct device_record *d;

		if (devs[i].virtio_mem)
			continue;
		d = result_add_device(ctx->rec);
		str_copy(d->id, sizeof(d->id), devs[i].id);
		snprintf(d->kind, sizeof(d->kind), "dimm");
		d->addr = devs[i].addr;
		d->plugged = d->remaining = devs[i].size;
	}
	free(devs);
	return 0;
}

static void note_ost(struct device_record *d, unsigned source, unsigned status)
{
	d->have_ost = true;
	d->ost_source = source;
	d->ost_status = status;
}

/*
 * Free a removed DIMM's memory backend. Backends that free it with the DIMM
 * have no hook (-ENOENT); a VMM refusing (-EREMOTEIO) leaves the DIMM
 * removed, with a note: the guest gave the memory back either way.
 */
static int release(struct hotplug_ctx *ctx, struct device_record *d, struct err *err)
{
	int rc = vm_dimm_release(ctx->vm, d->id, err);

	if (rc == -EREMOTEIO) {
		err_wrap(err, rc, "memory backend not freed");
		str_copy(d->detail, sizeof(d->detail), err->msg);
		return 0;
	}
	return rc == -ENOENT ? 0 : rc;
}

static struct device_record *find(struct run_record *rec, const char *id)
{
	for (size_t i = 0; i < rec->ndevices; i++)
		if (!strcmp(rec->devices[i].id, id))
			return &rec->devices[i];
	return NULL;
}

/*
 * An event for a DIMM other than the one being waited for: a DIMM that ran
 * into its deadline may still be ejected later, and then counts as removed.
 */
static int late_event(struct hotplug_ctx *ctx, const struct vm_event *ev, struct err *err)
{
	struct device_record *d = find(ctx->rec, ev->device);

	if (!d || ev->kind != VM_EVENT_DEVICE_DELETED || d->outcome != OUTCOME_TIMEOUT)
		return 0;
	d->outcome = OUTCOME_REMOVED;
	d->remaining = 0;
	snprintf(d->detail, sizeof(d->detail), "DEVICE_DELETED arrived after the deadline");
	return release(ctx, d, err);
}

/*
 * issue 24: ppc64's refusal is in the guest's kernel log alone. When an LMB
 * will not go, pseries-hotplug-mem prints "Memory indexed-count-remove
 * failed" (klog's unmapped count) and QEMU 7.2 and 10 send no event at
 * all: a new such line since the device_del (unmapped0) is the rejection.
 * Reads the log unless the hung watch just did. 1 when d is now rejected.
 */
static int log_refused(struct hotplug_ctx *ctx, struct device_record *d, uint64_t unmapped0)
{
	struct err ignored;

	if (!ctx->log_refusals || !ctx->klog || !ctx->watch)
		return 0;
	if (ctx->sc->hung_window_ms <= 0 && ctx->watch(ctx, &ignored))
		return 0;
	if (ctx->klog->unmapped <= unmapped0)
		return 0;
	d->outcome = OUTCOME_REJECTED;
	snprintf(d->detail, sizeof(d->detail), "guest rejected the eject (kernel log: "
		 "pseries-hotplug-mem: Memory indexed-count-remove failed)");
	return 1;
}

/* When the kernel log is next read: the hung watch's time, or every
 * WATCH_LOG_MS for log_refused when there is no hung watch. */
#define WATCH_LOG_MS 2000
static int64_t log_due(const struct hotplug_ctx *ctx)
{
	int64_t due = hotplug_watch_due(ctx);

	if (due == INT64_MAX && ctx->log_refusals && ctx->klog && ctx->watch)
		due = now_ms() + (ctx->watch_ms > 0 ? ctx->watch_ms : WATCH_LOG_MS);
	return due;
}

/* One device_del and its answer: removed, rejected or timed out. */
static int unplug_one(struct hotplug_ctx *ctx, struct device_record *d, struct err *err)
{
	int64_t start = now_ms(), deadline = start + ctx->sc->deadline_ms, next_watch;
	struct vm_event ev;
	unsigned source, status;
	uint64_t unmapped0;
	int rc;

	/* What the log said before this request is not its answer. */
	if (ctx->log_refusals && ctx->klog && ctx->watch) {
		struct err ignored;

		ctx->watch(ctx, &ignored);
	}
	unmapped0 = ctx->klog ? ctx->klog->unmapped : 0;
	d->attempts++;
	rc = vm_dimm_del(ctx->vm, d->id, err);
	if (rc == -EREMOTEIO) {
		/* QEMU itself refused (e.g. not hot-unpluggable): the device's
		 * outcome, not the run's failure. */
		d->outcome = OUTCOME_ERROR;
		str_copy(d->detail, sizeof(d->detail), err->msg);
		return 0;
	}
	if (rc)
		return rc;
	/* This device's failures start the hung watch afresh. */
	if (ctx->klog)
		klog_progress(ctx->klog);
	next_watch = log_due(ctx);
	for (;;) {
		int64_t wake = next_watch < deadline ? next_watch : deadline;

		if (now_ms() >= next_watch) {
			/* Is the kernel retrying the same pages to no end? */
			if (hotplug_watch_hung(ctx, d) || log_refused(ctx, d, unmapped0)) {
				d->unplug_ms += now_ms() - start;
				return 0;
			}
			next_watch = log_due(ctx);
			continue;
		}
		rc = hotplug_next_event(ctx, wake, &ev, err);
		if (rc == -ETIMEDOUT && wake < deadline)
			continue;
		if (rc == -ETIMEDOUT)
			break;
		if (rc)
			return rc;
		if (strcmp(ev.device, d->id)) {
			rc = late_event(ctx, &ev, err);
			if (rc)
				return rc;
			continue;
		}
		if (ev.kind == VM_EVENT_DEVICE_DELETED) {
			d->outcome = OUTCOME_REMOVED;
			d->remaining = 0;
			d->unplug_ms += now_ms() - start;
			return release(ctx, d, err);
		}
		if (ev.kind == VM_EVENT_UNPLUG_REJECTED) {
			d->outcome = OUTCOME_REJECTED;
			d->unplug_ms += now_ms() - start;
			snprintf(d->detail, sizeof(d->detail), "guest rejected the eject (%s)", ev.name);
			return 0;
		}
		if (ev.kind == VM_EVENT_UNPLUG_STATUS) {
			note_ost(d, ev.source, ev.status);
			if (ost_is_rejection(ev.source, ev.status)) {
				d->outcome = OUTCOME_REJECTED;
				d->unplug_ms += now_ms() - start;
				snprintf(d->detail, sizeof(d->detail), "guest rejected the eject: 0x%x %s",
					 ev.status, ost_status_name(ev.status));
				return 0;
			}
		}
	}
	/* Nothing conclusive arrived: ask QEMU what the guest last said. */
	d->unplug_ms += now_ms() - start;
	if (hotplug_watch_hung(ctx, d) || log_refused(ctx, d, unmapped0))
		return 0;
	rc = vm_unplug_status(ctx->vm, d->id, &source, &status, err);
	if (rc && rc != -ENOENT)
		return rc;
	if (!rc)
		note_ost(d, source, status);
	if (!rc && ost_is_rejection(source, status)) {
		d->outcome = OUTCOME_REJECTED;
		snprintf(d->detail, sizeof(d->detail),
			 "guest rejected the eject: 0x%x %s (from query-acpi-ospm-status)",
			 status, ost_status_name(status));
	} else {
		d->outcome = OUTCOME_TIMEOUT;
		snprintf(d->detail, sizeof(d->detail), "no DEVICE_DELETED within %" PRId64 " ms%s%s",
			 ctx->sc->deadline_ms, rc ? "" : "; last status: ",
			 rc ? "" : ost_status_name(status));
	}
	return 0;
}

#define BACKOFF_MAX_MS 30000

/*
 * Give the guest ms to settle before the next round, listening all the
 * while: a DIMM that timed out may still be ejected late.
 */
static int backoff(struct hotplug_ctx *ctx, int64_t ms, struct err *err)
{
	int64_t deadline = now_ms() + ms;
	struct vm_event ev;

	for (;;) {
		int rc = hotplug_next_event(ctx, deadline, &ev, err);

		if (rc == -ETIMEDOUT)
			return 0;
		if (!rc)
			rc = late_event(ctx, &ev, err);
		if (rc)
			return rc;
	}
}

/* DIMMs removed and bytes still plugged, from the records. */
static unsigned tally(const struct run_record *rec, uint64_t *plugged)
{
	unsigned removed = 0;

	*plugged = 0;
	for (size_t k = 0; k < rec->ndevices; k++) {
		removed += rec->devices[k].outcome == OUTCOME_REMOVED;
		*plugged += rec->devices[k].remaining;
	}
	return removed;
}

/* A timeline point whenever the bytes still plugged changed. */
static void note_progress(struct hotplug_ctx *ctx, int64_t start, uint64_t *last)
{
	uint64_t plugged;

	tally(ctx->rec, &plugged);
	if (plugged != *last)
		ctx->sample(ctx, now_ms() - start, plugged);
	*last = plugged;
}

static int dimm_unplug(struct hotplug_ctx *ctx, struct err *err)
{
	struct run_record *rec = ctx->rec;
	size_t n = rec->ndevices;
	bool reverse = ctx->sc->order == ORDER_REVERSE;
	int64_t start = now_ms();
	uint64_t plugged;
	int rc;

	tally(rec, &plugged);
	ctx->sample(ctx, 0, plugged);

	for (unsigned round = 0; round <= ctx->sc->retries; round++) {
		unsigned tried = 0;

		if (round) {
			int64_t pause = 1000LL << (round - 1 < 5 ? round - 1 : 5);
			bool any = false;

			for (size_t k = 0; k < n; k++)
				any |= rec->devices[k].outcome == OUTCOME_REJECTED;
			if (!any)
				break;
			rc = backoff(ctx, pause < BACKOFF_MAX_MS ? pause : BACKOFF_MAX_MS, err);
			if (rc)
				return rc;
			note_progress(ctx, start, &plugged);
		}

		for (size_t k = 0; k < n; k++) {
			struct device_record *d = &rec->devices[reverse ? n - 1 - k : k];
			uint64_t left;

			/* First round: every DIMM; later rounds: the rejected.
			 * Mixed devices ([hotplug] dimm_total): not the
			 * virtio-mem device. */
			if (round ? d->outcome != OUTCOME_REJECTED : d->outcome != OUTCOME_NOT_TRIED)
				continue;
			if (strcmp(d->kind, "dimm"))
				continue;
			tried++;
			rc = unplug_one(ctx, d, err);
			if (rc)
				return err_wrap(err, rc, "unplugging %s", d->id);
			/* A kernel stuck retrying holds the hotplug lock: every
			 * further request would wait behind it. */
			if (d->outcome == OUTCOME_HUNG)
				goto done;
			note_progress(ctx, start, &plugged);
			if (ctx->progress)
				ctx->progress("%u/%zu DIMMs removed, round %u", tally(rec, &left), n,
					      round + 1);
		}
		if (!tried)
			break;
	}
done:
	/* Events already received but not read: a late DEVICE_DELETED counts. */
	rc = backoff(ctx, 0, err);
	if (rc)
		return rc;
	note_progress(ctx, start, &plugged);
	return 0;
}

const struct hotplug_ops hotplug_dimm = {
	.name = "dimm",
	.configure = dimm_configure,
	.plug = dimm_plug,
	.unplug = dimm_unplug,
};
