// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hotplug state machines (hotplug_dimm.c, hotplug_virtio_mem.c) against a
 * scripted backend: a struct backend_ops whose hooks play a script of
 * expected requests (with their replies) and events, so that the rare paths
 * (a late DEVICE_DELETED, a VMM refusal, the query-acpi-ospm-status
 * fallback, virtio-mem re-triggering, a deadline, the VMM dying) run in
 * milliseconds. The outcomes of real guests are tested in
 * tests/integration; this is fault injection for the state machines only.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "clock.h"
#include "hotplug.h"
#include "str.h"

#define MIB (1ULL << 20)

enum step_kind {
	CALL,    /* a request the method must make next, and its reply */
	EVENT,   /* what the next wait_event returns */
	TIMEOUT, /* the next wait_event runs into its deadline at once */
};

struct step {
	enum step_kind kind;
	const char *op; /* CALL: dimm_add, dimm_del, dimm_release, unplug_status, resize */
	const char *id; /* CALL: the device asked about; EVENT: the device named */
	int rc;         /* CALL: the reply */
	uint64_t value; /* CALL resize: requested size; EVENT size change: size */
	enum vm_event_kind ev;
	unsigned source, status; /* EVENT unplug status, CALL unplug_status */
	uint64_t becomes;        /* CALL resize: the device's size afterwards (with set) */
	int set;
};

/* The scripted VM: the script, where it is, and what the VMM would list. */
struct script {
	struct vm vm; /* the handle the methods hold */
	const struct step *steps;
	size_t nsteps, at;
	char dimms[8][16];
	size_t ndimms;
	uint64_t vmem_size;
	int vmem_present;
	unsigned resizes, waits;
};

static struct script *sc_of(struct vm *handle)
{
	return container_of(handle, struct script, vm);
}

static const struct step *next_step(struct script *vm)
{
	return vm->at < vm->nsteps ? &vm->steps[vm->at] : NULL;
}

/* The next step must be this request; returns it, consumed. */
static const struct step *expect_call(struct script *vm, const char *op, const char *id)
{
	const struct step *s = next_step(vm);

	if (!s || s->kind != CALL)
		fail_msg("unexpected %s(%s) at step %zu", op, id, vm->at);
	if (strcmp(s->op, op) || strcmp(s->id, id))
		fail_msg("step %zu: wanted %s(%s), got %s(%s)", vm->at, s->op, s->id, op, id);
	vm->at++;
	return s;
}

static int reply(const struct step *s, struct err *err)
{
	if (s->rc)
		err_set(err, "scripted %s(%s): %s", s->op, s->id, strerror(-s->rc));
	return s->rc;
}

static int sc_dimm_add(struct vm *handle, const char *id, uint64_t size, struct err *err)
{
	struct script *vm = sc_of(handle);
	const struct step *s = expect_call(vm, "dimm_add", id);

	(void)size;
	if (!s->rc)
		snprintf(vm->dimms[vm->ndimms++], sizeof(vm->dimms[0]), "%s", id);
	return reply(s, err);
}

static int sc_dimm_del(struct vm *handle, const char *id, struct err *err)
{
	struct script *vm = sc_of(handle);

	return reply(expect_call(vm, "dimm_del", id), err);
}

static int sc_dimm_release(struct vm *handle, const char *id, struct err *err)
{
	struct script *vm = sc_of(handle);

	return reply(expect_call(vm, "dimm_release", id), err);
}

static int sc_unplug_status(struct vm *handle, const char *id, unsigned *source, unsigned *status,
			    struct err *err)
{
	struct script *vm = sc_of(handle);
	const struct step *s = expect_call(vm, "unplug_status", id);

	*source = s->source;
	*status = s->status;
	return reply(s, err);
}

static int sc_resize(struct vm *handle, const char *id, uint64_t requested, struct err *err)
{
	struct script *vm = sc_of(handle);
	const struct step *s = expect_call(vm, "resize", id);

	vm->resizes++;
	assert_int_equal(requested, s->value);
	if (s->set)
		vm->vmem_size = s->becomes;
	return reply(s, err);
}

static int sc_query_memory(struct vm *handle, struct vm_memory_device **devs, size_t *n,
			   struct err *err)
{
	struct script *vm = sc_of(handle);

	(void)err;
	*devs = calloc(vm->ndimms + 1, sizeof(**devs));
	*n = 0;
	for (size_t i = 0; i < vm->ndimms; i++) {
		struct vm_memory_device *d = &(*devs)[(*n)++];

		snprintf(d->id, sizeof(d->id), "%s", vm->dimms[i]);
		d->addr = (4ULL << 30) + i * 256 * MIB;
		d->size = 256 * MIB;
	}
	if (vm->vmem_present) {
		struct vm_memory_device *d = &(*devs)[(*n)++];

		snprintf(d->id, sizeof(d->id), "vmem0");
		d->virtio_mem = true;
		d->addr = 4ULL << 30;
		d->size = vm->vmem_size;
	}
	return 0;
}

static int sc_wait_event(struct vm *handle, int64_t deadline, struct vm_event *ev, struct err *err)
{
	struct script *vm = sc_of(handle);
	const struct step *s = next_step(vm);

	(void)err;
	vm->waits++;
	if (s && s->kind == TIMEOUT) {
		vm->at++;
		return -ETIMEDOUT;
	}
	if (!s || s->kind != EVENT) {
		/* Nothing to say: a short real wait, as a quiet VMM would. */
		sleep_ms(ms_left(deadline, 2));
		return -ETIMEDOUT;
	}
	vm->at++;
	memset(ev, 0, sizeof(*ev));
	ev->kind = s->ev;
	snprintf(ev->device, sizeof(ev->device), "%s", s->id);
	ev->source = s->source;
	ev->status = s->status;
	ev->size = s->value;
	switch (s->ev) {
	case VM_EVENT_DEVICE_DELETED:
		snprintf(ev->name, sizeof(ev->name), "DEVICE_DELETED");
		for (size_t i = 0; i < vm->ndimms; i++)
			if (!strcmp(vm->dimms[i], s->id))
				memmove(vm->dimms[i], vm->dimms[i + 1],
					(--vm->ndimms - i) * sizeof(vm->dimms[0]));
		break;
	case VM_EVENT_UNPLUG_STATUS:
		snprintf(ev->name, sizeof(ev->name), "ACPI_DEVICE_OST");
		break;
	case VM_EVENT_UNPLUG_REJECTED:
		snprintf(ev->name, sizeof(ev->name), "DEVICE_REMOVAL_FAILED");
		break;
	case VM_EVENT_SIZE_CHANGE:
		snprintf(ev->name, sizeof(ev->name), "MEMORY_DEVICE_SIZE_CHANGE");
		vm->vmem_size = s->value;
		break;
	default:
		snprintf(ev->name, sizeof(ev->name), "OTHER");
	}
	return 0;
}

/* The VMM died: every request after this says so. */
static int sc_wait_event_dead(struct vm *handle, int64_t deadline, struct vm_event *ev,
			      struct err *err)
{
	(void)handle;
	(void)deadline;
	(void)ev;
	return err_set(err, "QEMU killed by signal 9 (Killed)"), -ESRCH;
}

static const struct backend_ops scripted = {
	.name = "scripted",
	.dimm_add = sc_dimm_add,
	.dimm_del = sc_dimm_del,
	.dimm_release = sc_dimm_release,
	.unplug_status = sc_unplug_status,
	.virtio_mem_resize = sc_resize,
	.query_memory = sc_query_memory,
	.wait_event = sc_wait_event,
};

/* libvirt's shape: no dimm_release, no unplug_status (NULL: unsupported). */
static const struct backend_ops scripted_minimal = {
	.name = "minimal",
	.dimm_add = sc_dimm_add,
	.dimm_del = sc_dimm_del,
	.virtio_mem_resize = sc_resize,
	.query_memory = sc_query_memory,
	.wait_event = sc_wait_event,
};

static unsigned nsamples;
static uint64_t last_sample;

static void sample(struct hotplug_ctx *ctx, int64_t t_ms, uint64_t bytes)
{
	(void)ctx;
	(void)t_ms;
	nsamples++;
	last_sample = bytes;
}

struct fixture {
	struct scenario sc;
	struct run_record rec;
	struct script vm;
	struct hotplug_ctx ctx;
	struct err err;
};

static void setup(struct fixture *f, const struct backend_ops *be, unsigned method,
		  const struct step *steps, size_t nsteps)
{
	memset(f, 0, sizeof(*f));
	f->sc.method = method;
	f->sc.order = ORDER_FORWARD;
	f->sc.total = 512 * MIB;
	f->sc.dimm_size = 256 * MIB;
	f->sc.vmem_block_size = 2 * MIB;
	f->sc.deadline_ms = 60000;
	f->sc.settle_ms = 60000;
	f->sc.timeout_online_ms = 60000;
	f->sc.retries = 1;
	f->vm.vm.ops = be;
	f->vm.steps = steps;
	f->vm.nsteps = nsteps;
	result_init(&f->rec);
	f->ctx = (struct hotplug_ctx){ .vm = &f->vm.vm, .sc = &f->sc, .rec = &f->rec,
				       .vm_started = now_ms(), .block_size = 128 * MIB,
				       .sample = sample };
	nsamples = 0;
	last_sample = UINT64_MAX;
}

/* Two DIMMs plugged (the script's first steps must be their dimm_adds). */
static void plug_dimms(struct fixture *f)
{
	assert_int_equal(hotplug_dimm.plug(&f->ctx, &f->err), 0);
	assert_int_equal(f->rec.ndevices, 2);
}

static void script_done(const struct fixture *f)
{
	if (f->vm.at != f->vm.nsteps)
		fail_msg("script stopped at step %zu of %zu", f->vm.at, f->vm.nsteps);
}

#define ADD(dev) { .kind = CALL, .op = "dimm_add", .id = dev }
#define DEL(dev, r) { .kind = CALL, .op = "dimm_del", .id = dev, .rc = r }
#define RELEASE(dev) { .kind = CALL, .op = "dimm_release", .id = dev }
#define DELETED(dev) { .kind = EVENT, .ev = VM_EVENT_DEVICE_DELETED, .id = dev }
#define OST(dev, st) \
	{ .kind = EVENT, .ev = VM_EVENT_UNPLUG_STATUS, .id = dev, .source = 3, .status = st }
#define WAIT_TIMEOUT { .kind = TIMEOUT }

static void test_dimm_both_removed(void **state)
{
	static const struct step steps[] = {
		ADD("dimm0"), ADD("dimm1"),
		DEL("dimm0", 0), DELETED("dimm0"), RELEASE("dimm0"),
		DEL("dimm1", 0), OST("dimm1", 0x84), DELETED("dimm1"), RELEASE("dimm1"),
	};
	struct fixture f;

	(void)state;
	setup(&f, &scripted, METHOD_DIMM, steps, ARRAY_SIZE(steps));
	plug_dimms(&f);
	assert_int_equal(hotplug_dimm.unplug(&f.ctx, &f.err), 0);
	script_done(&f);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(f.rec.devices[i].outcome, OUTCOME_REMOVED);
		assert_int_equal(f.rec.devices[i].remaining, 0);
		assert_int_equal(f.rec.devices[i].attempts, 1);
	}
	assert_int_equal(last_sample, 0);
	/* Every event the method saw is in the record. */
	assert_int_equal(f.rec.nevents, 3);
	result_free(&f.rec);
}

/* dimm0 runs into its deadline; its DEVICE_DELETED comes while dimm1 is
 * waited for, and must count. */
static void test_dimm_late_device_deleted_counts(void **state)
{
	static const struct step steps[] = {
		ADD("dimm0"), ADD("dimm1"),
		DEL("dimm0", 0), WAIT_TIMEOUT,
		{ .kind = CALL, .op = "unplug_status", .id = "dimm0", .rc = -ENOENT },
		DEL("dimm1", 0), DELETED("dimm0"), RELEASE("dimm0"), DELETED("dimm1"),
		RELEASE("dimm1"),
	};
	struct fixture f;

	(void)state;
	setup(&f, &scripted, METHOD_DIMM, steps, ARRAY_SIZE(steps));
	plug_dimms(&f);
	assert_int_equal(hotplug_dimm.unplug(&f.ctx, &f.err), 0);
	script_done(&f);
	assert_int_equal(f.rec.devices[0].outcome, OUTCOME_REMOVED);
	assert_int_equal(f.rec.devices[0].remaining, 0);
	assert_string_equal(f.rec.devices[0].detail, "DEVICE_DELETED arrived after the deadline");
	assert_int_equal(f.rec.devices[1].outcome, OUTCOME_REMOVED);
	assert_int_equal(last_sample, 0);
	result_free(&f.rec);
}

/* A late DEVICE_DELETED already received when the last DIMM is done. */
static void test_dimm_late_device_deleted_after_the_last(void **state)
{
	static const struct step steps[] = {
		ADD("dimm0"), ADD("dimm1"),
		DEL("dimm0", 0), DELETED("dimm0"), RELEASE("dimm0"),
		DEL("dimm1", 0), WAIT_TIMEOUT,
		{ .kind = CALL, .op = "unplug_status", .id = "dimm1", .rc = -ENOENT },
		DELETED("dimm1"), RELEASE("dimm1"),
	};
	struct fixture f;

	(void)state;
	setup(&f, &scripted, METHOD_DIMM, steps, ARRAY_SIZE(steps));
	plug_dimms(&f);
	assert_int_equal(hotplug_dimm.unplug(&f.ctx, &f.err), 0);
	script_done(&f);
	assert_int_equal(f.rec.devices[1].outcome, OUTCOME_REMOVED);
	assert_int_equal(last_sample, 0);
	result_free(&f.rec);
}

/* QEMU refuses device_del (-EREMOTEIO): the DIMM's outcome, not the run's
 * failure; the other DIMM still goes. */
static void test_dimm_vmm_refusal_is_the_devices_outcome(void **state)
{
	static const struct step steps[] = {
		ADD("dimm0"), ADD("dimm1"),
		DEL("dimm0", -EREMOTEIO),
		DEL("dimm1", 0), DELETED("dimm1"), RELEASE("dimm1"),
	};
	struct fixture f;

	(void)state;
	setup(&f, &scripted, METHOD_DIMM, steps, ARRAY_SIZE(steps));
	plug_dimms(&f);
	assert_int_equal(hotplug_dimm.unplug(&f.ctx, &f.err), 0);
	script_done(&f);
	assert_int_equal(f.rec.devices[0].outcome, OUTCOME_ERROR);
	assert_non_null(strstr(f.rec.devices[0].detail, "dimm_del(dimm0)"));
	assert_int_equal(f.rec.devices[0].remaining, 256 * MIB);
	assert_int_equal(f.rec.devices[1].outcome, OUTCOME_REMOVED);
	assert_int_equal(last_sample, 256 * MIB);
	result_free(&f.rec);
}

/* Nothing arrives; query-acpi-ospm-status then says the guest rejected it:
 * a rejection (retried once), not a timeout. */
static void test_dimm_ospm_status_fallback(void **state)
{
	static const struct step steps[] = {
		ADD("dimm0"), ADD("dimm1"),
		DEL("dimm0", 0), WAIT_TIMEOUT,
		{ .kind = CALL, .op = "unplug_status", .id = "dimm0", .source = 3, .status = 0x80 },
		DEL("dimm1", 0), DELETED("dimm1"), RELEASE("dimm1"),
		/* round 2, after the back-off (1 s of nothing) */
		WAIT_TIMEOUT,
		DEL("dimm0", 0), OST("dimm0", 0x80),
	};
	struct fixture f;

	(void)state;
	setup(&f, &scripted, METHOD_DIMM, steps, ARRAY_SIZE(steps));
	plug_dimms(&f);
	assert_int_equal(hotplug_dimm.unplug(&f.ctx, &f.err), 0);
	script_done(&f);
	assert_int_equal(f.rec.devices[0].outcome, OUTCOME_REJECTED);
	assert_true(f.rec.devices[0].have_ost);
	assert_int_equal(f.rec.devices[0].ost_source, 3);
	assert_int_equal(f.rec.devices[0].ost_status, 0x80);
	assert_int_equal(f.rec.devices[0].attempts, 2);
	assert_int_equal(f.rec.devices[1].outcome, OUTCOME_REMOVED);
	result_free(&f.rec);
}

/* A silent guest and no status either: a timeout, with the deadline named. */
static void test_dimm_deadline_without_status_is_a_timeout(void **state)
{
	static const struct step steps[] = {
		ADD("dimm0"), ADD("dimm1"),
		DEL("dimm0", 0), WAIT_TIMEOUT,
		{ .kind = CALL, .op = "unplug_status", .id = "dimm0", .rc = -ENOENT },
		DEL("dimm1", 0), WAIT_TIMEOUT,
		{ .kind = CALL, .op = "unplug_status", .id = "dimm1", .source = 3, .status = 0x84 },
		/* 0x84 (in progress) is no rejection */
	};
	struct fixture f;

	(void)state;
	setup(&f, &scripted, METHOD_DIMM, steps, ARRAY_SIZE(steps));
	f.sc.deadline_ms = 1234;
	plug_dimms(&f);
	assert_int_equal(hotplug_dimm.unplug(&f.ctx, &f.err), 0);
	script_done(&f);
	assert_int_equal(f.rec.devices[0].outcome, OUTCOME_TIMEOUT);
	assert_string_equal(f.rec.devices[0].detail, "no DEVICE_DELETED within 1234 ms");
	assert_int_equal(f.rec.devices[1].outcome, OUTCOME_TIMEOUT);
	assert_non_null(strstr(f.rec.devices[1].detail, "last status: "));
	assert_int_equal(f.rec.devices[1].remaining, 256 * MIB);
	result_free(&f.rec);
}

/* A backend without dimm_release and unplug_status (libvirt's shape). */
static void test_dimm_backend_without_optional_hooks(void **state)
{
	static const struct step steps[] = {
		ADD("dimm0"), ADD("dimm1"),
		DEL("dimm0", 0), DELETED("dimm0"),
		DEL("dimm1", 0), WAIT_TIMEOUT,
	};
	struct fixture f;

	(void)state;
	setup(&f, &scripted_minimal, METHOD_DIMM, steps, ARRAY_SIZE(steps));
	plug_dimms(&f);
	assert_int_equal(hotplug_dimm.unplug(&f.ctx, &f.err), 0);
	script_done(&f);
	assert_int_equal(f.rec.devices[0].outcome, OUTCOME_REMOVED);
	assert_string_equal(f.rec.devices[0].detail, "");
	assert_int_equal(f.rec.devices[1].outcome, OUTCOME_TIMEOUT);
	result_free(&f.rec);
}

/* The VMM dies while an eject is waited for: -ESRCH with its reason. */
static void test_dimm_vmm_death_fails_the_unplug(void **state)
{
	static const struct step steps[] = {
		ADD("dimm0"), ADD("dimm1"), DEL("dimm0", 0),
	};
	struct backend_ops dead = scripted;
	struct fixture f;

	(void)state;
	dead.wait_event = sc_wait_event_dead;
	setup(&f, &dead, METHOD_DIMM, steps, ARRAY_SIZE(steps));
	plug_dimms(&f);
	assert_int_equal(hotplug_dimm.unplug(&f.ctx, &f.err), -ESRCH);
	assert_non_null(strstr(f.err.msg, "unplugging dimm0"));
	assert_non_null(strstr(f.err.msg, "QEMU killed by signal 9"));
	result_free(&f.rec);
}

/* An unsupported hook (NULL) is -ENOENT with the backend named. */
static void test_unsupported_hook_is_enoent(void **state)
{
	static const struct backend_ops none = { .name = "none" };
	struct err err;
	struct fixture f;

	(void)state;
	setup(&f, &none, METHOD_DIMM, NULL, 0);
	assert_int_equal(hotplug_dimm.plug(&f.ctx, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "the none backend cannot hot-add DIMMs"));
	assert_int_equal(vm_unplug_status(f.ctx.vm, "x", &(unsigned){ 0 }, &(unsigned){ 0 },
					  &err), -ENOENT);
	assert_string_equal(vm_version(f.ctx.vm), "");
	assert_int_equal(vm_peak_rss(f.ctx.vm), 0);
	assert_string_equal(vm_backend_name(f.ctx.vm), "none");
	assert_null(backend_uri(&none, "qemu+ssh://x/system"));
	assert_string_equal(backend_uri(&backend_libvirt, NULL), BACKEND_LIBVIRT_DEFAULT_URI);
	assert_string_equal(backend_uri(&backend_libvirt, "test:///default"), "test:///default");
	assert_null(backend_uri(&backend_qmp, NULL));
	result_free(&f.rec);
}

#define RESIZE(v, to) \
	{ .kind = CALL, .op = "resize", .id = "vmem0", .value = v, .becomes = to, .set = 1 }
#define SIZE(s) { .kind = EVENT, .ev = VM_EVENT_SIZE_CHANGE, .id = "vmem0", .value = s }

static void plugged_vmem(struct fixture *f)
{
	struct device_record *d = result_add_device(&f->rec);

	snprintf(d->id, sizeof(d->id), "vmem0");
	snprintf(d->kind, sizeof(d->kind), "virtio-mem");
	d->plugged = d->remaining = f->sc.total;
	f->vm.vmem_present = 1;
	f->vm.vmem_size = f->sc.total;
}

static void test_vmem_plug_reaches_total(void **state)
{
	static const struct step steps[] = {
		RESIZE(512 * MIB, 0), SIZE(256 * MIB), SIZE(512 * MIB),
	};
	struct fixture f;

	(void)state;
	setup(&f, &scripted, METHOD_VIRTIO_MEM, steps, ARRAY_SIZE(steps));
	f.vm.vmem_present = 1;
	assert_int_equal(hotplug_virtio_mem.plug(&f.ctx, &f.err), 0);
	script_done(&f);
	assert_int_equal(f.rec.devices[0].plugged, 512 * MIB);
	assert_int_equal(f.rec.devices[0].attempts, 0);
	result_free(&f.rec);
}

/* Stuck at half: the request is written again after each settle window, up
 * to retries times; a re-trigger that helps resets the count. */
static void test_vmem_retriggers_when_idle(void **state)
{
	static const struct step steps[] = {
		RESIZE(0, 512 * MIB), SIZE(256 * MIB),
		RESIZE(0, 256 * MIB), SIZE(128 * MIB),
		RESIZE(0, 128 * MIB), RESIZE(0, 128 * MIB),
	};
	struct fixture f;

	(void)state;
	setup(&f, &scripted, METHOD_VIRTIO_MEM, steps, ARRAY_SIZE(steps));
	f.sc.settle_ms = 20;
	f.sc.retries = 2;
	plugged_vmem(&f);
	assert_int_equal(hotplug_virtio_mem.unplug(&f.ctx, &f.err), 0);
	script_done(&f);
	assert_int_equal(f.vm.resizes, 4);
	assert_int_equal(f.rec.devices[0].attempts, 4);
	assert_int_equal(f.rec.devices[0].outcome, OUTCOME_PARTIAL);
	assert_int_equal(f.rec.devices[0].remaining, 128 * MIB);
	assert_int_equal(last_sample, 128 * MIB);
	result_free(&f.rec);
}

/* A guest that never moves: rejected after 1 + retries requests. */
static void test_vmem_nothing_moves_is_rejected(void **state)
{
	static const struct step steps[] = {
		RESIZE(0, 512 * MIB), RESIZE(0, 512 * MIB),
	};
	struct fixture f;

	(void)state;
	setup(&f, &scripted, METHOD_VIRTIO_MEM, steps, ARRAY_SIZE(steps));
	f.sc.settle_ms = 10;
	f.sc.retries = 1;
	plugged_vmem(&f);
	assert_int_equal(hotplug_virtio_mem.unplug(&f.ctx, &f.err), 0);
	script_done(&f);
	assert_int_equal(f.rec.devices[0].outcome, OUTCOME_REJECTED);
	assert_non_null(strstr(f.rec.devices[0].detail, "536870912 bytes still plugged after 2"));
	result_free(&f.rec);
}

/* The unplug deadline ends it, before any re-trigger. */
static void test_vmem_deadline(void **state)
{
	static const struct step steps[] = {
		RESIZE(0, 512 * MIB), SIZE(384 * MIB),
	};
	struct fixture f;
	int64_t t0 = now_ms();

	(void)state;
	setup(&f, &scripted, METHOD_VIRTIO_MEM, steps, ARRAY_SIZE(steps));
	f.sc.deadline_ms = 50;
	f.sc.settle_ms = 600000;
	f.sc.retries = 5;
	plugged_vmem(&f);
	assert_int_equal(hotplug_virtio_mem.unplug(&f.ctx, &f.err), 0);
	script_done(&f);
	assert_true(now_ms() - t0 >= 50);
	assert_int_equal(f.vm.resizes, 1);
	assert_int_equal(f.rec.devices[0].outcome, OUTCOME_PARTIAL);
	assert_int_equal(f.rec.devices[0].remaining, 384 * MIB);
	result_free(&f.rec);
}

/* The VMM refuses the resize: the unplug fails with its message. */
static void test_vmem_refused_resize_fails(void **state)
{
	static const struct step steps[] = {
		{ .kind = CALL, .op = "resize", .id = "vmem0", .value = 0, .rc = -EREMOTEIO },
	};
	struct fixture f;

	(void)state;
	setup(&f, &scripted, METHOD_VIRTIO_MEM, steps, ARRAY_SIZE(steps));
	plugged_vmem(&f);
	assert_int_equal(hotplug_virtio_mem.unplug(&f.ctx, &f.err), -EREMOTEIO);
	assert_non_null(strstr(f.err.msg, "unplugging vmem0"));
	script_done(&f);
	result_free(&f.rec);
}

/* The VMM dies mid-unplug: -ESRCH, the reason kept. */
static void test_vmem_vmm_death(void **state)
{
	static const struct step steps[] = { RESIZE(0, 512 * MIB) };
	struct backend_ops dead = scripted;
	struct fixture f;

	(void)state;
	dead.wait_event = sc_wait_event_dead;
	setup(&f, &dead, METHOD_VIRTIO_MEM, steps, ARRAY_SIZE(steps));
	plugged_vmem(&f);
	assert_int_equal(hotplug_virtio_mem.unplug(&f.ctx, &f.err), -ESRCH);
	assert_non_null(strstr(f.err.msg, "QEMU killed by signal 9"));
	result_free(&f.rec);
}


/* issue 25: the guest kernel's log, as the runner's watch would read it. */
static struct klog wlog;
static unsigned nwatch;
static int64_t watch_t_us;
static bool watch_same_pages, watch_burst, futile_says;

/* Each read of the log: the kernel failed to migrate pages in the last 10 s
 * (the same two pages, or new ones each time); a burst: 40 s of it at once. */
static int fake_watch(struct hotplug_ctx *ctx, struct err *err)
{
	char line[96];

	(void)ctx;
	(void)err;
	nwatch++;
	for (int i = 0; i < (watch_burst ? 8 : 2); i++) {
		unsigned long pfn = watch_same_pages ? 0x12a400 + (unsigned long)(i % 2) :
						       0x12a400 + nwatch * 16 + (unsigned long)i;

		watch_t_us += 5000000;
		snprintf(line, sizeof(line), "migrating pfn %lx failed ret:7", pfn);
		klog_feed(&wlog, wlog.last_seq + 1, watch_t_us, line);
	}
	return 0;
}

static bool fake_futile(struct hotplug_ctx *ctx)
{
	(void)ctx;
	return futile_says;
}

static void with_log(struct fixture *f, bool same_pages, bool burst)
{
	klog_init(&wlog, 128 * MIB);
	nwatch = 0;
	watch_t_us = 1000000;
	watch_same_pages = same_pages;
	watch_burst = burst;
	f->ctx.klog = &wlog;
	f->ctx.watch = fake_watch;
	f->ctx.watch_ms = 1;
	f->sc.hung_window_ms = 30000;
}

/* The kernel keeps failing on the same pages while the guest says nothing:
 * hung, with the pfns and the reason, once 30 s of the kernel's time went by;
 * the next DIMM is not tried (the kernel holds the hotplug lock). On the old
 * code this was a timeout after the deadline. */
static void test_dimm_hung(void **state)
{
	static const struct step steps[] = {
		ADD("dimm0"), ADD("dimm1"), DEL("dimm0", 0),
	};
	struct fixture f;
	json_object *v;

	(void)state;
	setup(&f, &scripted, METHOD_DIMM, steps, ARRAY_SIZE(steps));
	with_log(&f, true, false);
	f.sc.deadline_ms = 600000;
	plug_dimms(&f);
	assert_int_equal(hotplug_dimm.unplug(&f.ctx, &f.err), 0);
	script_done(&f);
	assert_int_equal(f.rec.devices[0].outcome, OUTCOME_HUNG);
	assert_string_equal(result_outcome_name(OUTCOME_HUNG), "hung");
	assert_true(nwatch >= 3 && nwatch <= 5);
	assert_non_null(strstr(f.rec.devices[0].detail, "0x12a400, 0x12a401"));
	assert_non_null(strstr(f.rec.devices[0].detail, "migration failure ret:7"));
	assert_non_null(f.rec.devices[0].hung);
	assert_true(json_object_object_get_ex(f.rec.devices[0].hung, "pfns", &v));
	assert_int_equal(json_object_array_length(v), 2);
	assert_int_equal(f.rec.devices[1].outcome, OUTCOME_NOT_TRIED);
	result_free(&f.rec);
	klog_free(&wlog);
}

/* Failures that move on to new pages are work, not a hang: the deadline
 * decides, as before. */
static void test_dimm_new_pages_is_a_timeout(void **state)
{
	static const struct step steps[] = {
		ADD("dimm0"), ADD("dimm1"), DEL("dimm0", 0),
		{ .kind = CALL, .op = "unplug_status", .id = "dimm0", .rc = -ENOENT },
		DEL("dimm1", 0),
		{ .kind = CALL, .op = "unplug_status", .id = "dimm1", .rc = -ENOENT },
	};
	struct fixture f;

	(void)state;
	setup(&f, &scripted, METHOD_DIMM, steps, ARRAY_SIZE(steps));
	with_log(&f, false, false);
	f.sc.deadline_ms = 100;
	plug_dimms(&f);
	assert_int_equal(hotplug_dimm.unplug(&f.ctx, &f.err), 0);
	script_done(&f);
	assert_int_equal(f.rec.devices[0].outcome, OUTCOME_TIMEOUT);
	assert_int_equal(f.rec.devices[1].outcome, OUTCOME_TIMEOUT);
	assert_null(f.rec.devices[0].hung);
	result_free(&f.rec);
	klog_free(&wlog);
}

/* At the deadline the log is read once more: a hang seen there is hung, not
 * timeout (and needs no query-acpi-ospm-status). */
static void test_dimm_hung_at_the_deadline(void **state)
{
	static const struct step steps[] = {
		ADD("dimm0"), ADD("dimm1"), DEL("dimm0", 0), WAIT_TIMEOUT,
	};
	struct fixture f;

	(void)state;
	setup(&f, &scripted, METHOD_DIMM, steps, ARRAY_SIZE(steps));
	with_log(&f, true, true);
	f.ctx.watch_ms = 3600000; /* no watch while waiting */
	plug_dimms(&f);
	assert_int_equal(hotplug_dimm.unplug(&f.ctx, &f.err), 0);
	script_done(&f);
	assert_int_equal(nwatch, 1);
	assert_int_equal(f.rec.devices[0].outcome, OUTCOME_HUNG);
	result_free(&f.rec);
	klog_free(&wlog);
}

/* hung_window = 0: no hung outcome, and the log is not even read. */
static void test_dimm_hung_window_zero(void **state)
{
	static const struct step steps[] = {
		ADD("dimm0"), ADD("dimm1"), DEL("dimm0", 0), WAIT_TIMEOUT,
		{ .kind = CALL, .op = "unplug_status", .id = "dimm0", .rc = -ENOENT },
		DEL("dimm1", 0), DELETED("dimm1"), RELEASE("dimm1"),
	};
	struct fixture f;

	(void)state;
	setup(&f, &scripted, METHOD_DIMM, steps, ARRAY_SIZE(steps));
	with_log(&f, true, true);
	f.sc.hung_window_ms = 0;
	plug_dimms(&f);
	assert_int_equal(hotplug_dimm.unplug(&f.ctx, &f.err), 0);
	script_done(&f);
	assert_int_equal(nwatch, 0);
	assert_int_equal(f.rec.devices[0].outcome, OUTCOME_TIMEOUT);
	assert_int_equal(f.rec.devices[1].outcome, OUTCOME_REMOVED);
	result_free(&f.rec);
	klog_free(&wlog);
}

/* The futile tail: stuck at half, and every block left failed on an
 * unmovable page: no re-trigger after the settle window (the old code wrote
 * the request again retries times). */
static void test_vmem_futile_stop(void **state)
{
	static const struct step steps[] = {
		RESIZE(0, 512 * MIB), SIZE(256 * MIB),
	};
	struct fixture f;

	(void)state;
	setup(&f, &scripted, METHOD_VIRTIO_MEM, steps, ARRAY_SIZE(steps));
	f.sc.settle_ms = 20;
	f.sc.retries = 3;
	f.sc.futile_stop = true;
	f.ctx.futile = fake_futile;
	futile_says = true;
	plugged_vmem(&f);
	assert_int_equal(hotplug_virtio_mem.unplug(&f.ctx, &f.err), 0);
	script_done(&f);
	assert_int_equal(f.vm.resizes, 1);
	assert_true(f.rec.devices[0].futile);
	assert_int_equal(f.rec.devices[0].outcome, OUTCOME_PARTIAL);
	assert_non_null(strstr(f.rec.devices[0].detail, "futile_stop"));
	result_free(&f.rec);
}

/* Not futile (a block without such a failure), or futile_stop off: the
 * re-triggers run as before. */
static void test_vmem_not_futile_retriggers(void **state)
{
	static const struct step steps[] = {
		RESIZE(0, 512 * MIB), SIZE(256 * MIB), RESIZE(0, 256 * MIB), RESIZE(0, 256 * MIB),
	};
	struct fixture f;

	(void)state;
	for (int off = 0; off < 2; off++) {
		setup(&f, &scripted, METHOD_VIRTIO_MEM, steps, ARRAY_SIZE(steps));
		f.sc.settle_ms = 20;
		f.sc.retries = 2;
		f.sc.futile_stop = !off;
		f.ctx.futile = fake_futile;
		futile_says = off;
		plugged_vmem(&f);
		assert_int_equal(hotplug_virtio_mem.unplug(&f.ctx, &f.err), 0);
		script_done(&f);
		assert_int_equal(f.vm.resizes, 3);
		assert_false(f.rec.devices[0].futile);
		result_free(&f.rec);
	}
}

/* virtio-mem: nothing moves and the kernel retries the same pages: hung. */
static void test_vmem_hung(void **state)
{
	static const struct step steps[] = {
		RESIZE(0, 512 * MIB), SIZE(256 * MIB),
	};
	struct fixture f;

	(void)state;
	setup(&f, &scripted, METHOD_VIRTIO_MEM, steps, ARRAY_SIZE(steps));
	with_log(&f, true, false);
	f.sc.deadline_ms = 600000;
	plugged_vmem(&f);
	assert_int_equal(hotplug_virtio_mem.unplug(&f.ctx, &f.err), 0);
	script_done(&f);
	assert_int_equal(f.rec.devices[0].outcome, OUTCOME_HUNG);
	assert_int_equal(f.rec.devices[0].remaining, 256 * MIB);
	assert_non_null(f.rec.devices[0].hung);
	result_free(&f.rec);
	klog_free(&wlog);
}

/* issue 24: ppc64's refusal, in the kernel log alone. refuse_on: the read of
 * the log (1: the one before the device_del) that finds the pseries line. */
static unsigned refuse_on, nrefuse_reads;

static int refusing_watch(struct hotplug_ctx *ctx, struct err *err)
{
	(void)ctx;
	(void)err;
	if (++nrefuse_reads == refuse_on)
		klog_feed(&wlog, wlog.last_seq + 1, 5000000,
			  "pseries-hotplug-mem: Memory indexed-count-remove failed, adding any "
			  "removed LMBs");
	return 0;
}

static void with_refusing_log(struct fixture *f, unsigned on)
{
	klog_init(&wlog, 256 * MIB);
	refuse_on = on;
	nrefuse_reads = 0;
	f->ctx.klog = &wlog;
	f->ctx.watch = refusing_watch;
	f->ctx.watch_ms = 1;
	f->ctx.log_refusals = true;
	f->sc.hung_window_ms = 0; /* the log is read for the refusal all the same */
}

/* QEMU sends nothing; the guest's log says the LMB stays: rejected at once,
 * long before the deadline. On the old code: a timeout after the deadline. */
static void test_dimm_ppc64_log_refusal(void **state)
{
	static const struct step steps[] = {
		ADD("dimm0"), ADD("dimm1"), DEL("dimm0", 0),
		DEL("dimm1", 0), DELETED("dimm1"), RELEASE("dimm1"),
	};
	struct fixture f;
	int64_t t0;

	(void)state;
	setup(&f, &scripted, METHOD_DIMM, steps, sizeof(steps) / sizeof(steps[0]));
	with_refusing_log(&f, 2);
	f.sc.retries = 0;
	f.sc.deadline_ms = 600000;
	plug_dimms(&f);
	t0 = now_ms();
	assert_int_equal(hotplug_dimm.unplug(&f.ctx, &f.err), 0);
	script_done(&f);
	assert_true(now_ms() - t0 < 600000);
	assert_int_equal(f.rec.devices[0].outcome, OUTCOME_REJECTED);
	assert_non_null(strstr(f.rec.devices[0].detail, "indexed-count-remove failed"));
	assert_int_equal(f.rec.devices[0].remaining, 256 * MIB);
	assert_int_equal(f.rec.devices[1].outcome, OUTCOME_REMOVED);
	result_free(&f.rec);
	klog_free(&wlog);
}

/* A refusal logged before this DIMM's request (an earlier one's) is not
 * its answer: the deadline decides. */
static void test_dimm_ppc64_old_refusal_is_not_this_dimms(void **state)
{
	static const struct step steps[] = {
		ADD("dimm0"), ADD("dimm1"), DEL("dimm0", 0),
		{ .kind = CALL, .op = "unplug_status", .id = "dimm0", .rc = -ENOENT },
	};
	struct fixture f;

	(void)state;
	setup(&f, &scripted, METHOD_DIMM, steps, sizeof(steps) / sizeof(steps[0]));
	with_refusing_log(&f, 1);
	f.sc.retries = 0;
	f.sc.deadline_ms = 50;
	f.sc.order = ORDER_FORWARD;
	plug_dimms(&f);
	f.rec.devices[1].outcome = OUTCOME_REMOVED; /* only dimm0 is asked */
	assert_int_equal(hotplug_dimm.unplug(&f.ctx, &f.err), 0);
	script_done(&f);
	assert_int_equal(f.rec.devices[0].outcome, OUTCOME_TIMEOUT);
	result_free(&f.rec);
	klog_free(&wlog);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dimm_both_removed),
		cmocka_unit_test(test_dimm_late_device_deleted_counts),
		cmocka_unit_test(test_dimm_late_device_deleted_after_the_last),
		cmocka_unit_test(test_dimm_vmm_refusal_is_the_devices_outcome),
		cmocka_unit_test(test_dimm_ospm_status_fallback),
		cmocka_unit_test(test_dimm_deadline_without_status_is_a_timeout),
		cmocka_unit_test(test_dimm_backend_without_optional_hooks),
		cmocka_unit_test(test_dimm_vmm_death_fails_the_unplug),
		cmocka_unit_test(test_unsupported_hook_is_enoent),
		cmocka_unit_test(test_vmem_plug_reaches_total),
		cmocka_unit_test(test_vmem_retriggers_when_idle),
		cmocka_unit_test(test_vmem_nothing_moves_is_rejected),
		cmocka_unit_test(test_vmem_deadline),
		cmocka_unit_test(test_vmem_refused_resize_fails),
		cmocka_unit_test(test_vmem_vmm_death),
		cmocka_unit_test(test_dimm_hung),
		cmocka_unit_test(test_dimm_new_pages_is_a_timeout),
		cmocka_unit_test(test_dimm_hung_at_the_deadline),
		cmocka_unit_test(test_dimm_hung_window_zero),
		cmocka_unit_test(test_vmem_futile_stop),
		cmocka_unit_test(test_vmem_not_futile_retriggers),
		cmocka_unit_test(test_vmem_hung),
		cmocka_unit_test(test_dimm_ppc64_log_refusal),
		cmocka_unit_test(test_dimm_ppc64_old_refusal_is_not_this_dimms),
	};

	return cmocka_run_group_tests_name("hotplug state machines (scripted backend)", tests, NULL,
					   NULL);
}
