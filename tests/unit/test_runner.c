// SPDX-License-Identifier: GPL-2.0-only
/*
 * The runner's phases (runner.c) against a fake guest: a struct backend_ops
 * whose VM keeps boot memory and hot-added DIMMs as memory blocks, answers
 * memhp-probe through a fake guest agent, and can refuse, hang or stop; a
 * fake image resolver; and a virtual clock whose sleeps return at once. A
 * run takes milliseconds, so the runner's own decisions (phase order, what
 * a failure records, timeouts, stop signals, the result written whatever
 * happens) are tested here; real guests are tests/integration's.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "clock.h"
#include "runner.h"
#include "signals.h"
#include "str.h"

#define MIB (1ULL << 20)
#define BLOCK (128 * MIB)
#define HOT_BASE (4ULL << 30)

/* What a test makes the fake guest do. */
struct behaviour {
	int start_rc;         /* start fails with this (and a message) */
	bool never_online;    /* hot-added blocks stay offline */
	const char *refuse;   /* the guest rejects this DIMM's eject */
	bool stop_on_plug;    /* a stop signal arrives during the plug */
};

/* The fake VM behind the handle. */
struct fake_vm {
	struct vm vm;
	char dimms[8][16];
	uint64_t dimm_addr[8];
	size_t ndimms;
	char deleted[8][16]; /* DEVICE_DELETED events to deliver */
	char rejected[8][16]; /* DEVICE_REMOVAL_FAILED events to deliver */
	size_t ndeleted, nrejected;
	int64_t pid;
	char out[8192]; /* the last guest-exec's output */
};

static struct behaviour how;
static char trace[4096]; /* the backend calls, in order: "accel start add ..." */
static int64_t virtual_ms; /* what the fake clock's sleeps added */
static bool stopped;       /* stop was called */

static void note(const char *what)
{
	size_t n = strlen(trace);

	snprintf(trace + n, sizeof(trace) - n, "%s%s", n ? " " : "", what);
}

static struct fake_vm *fake_of(struct vm *handle)
{
	return container_of(handle, struct fake_vm, vm);
}

static int64_t fake_now(void)
{
	return now_ms() + virtual_ms;
}

static void fake_sleep(int64_t ms)
{
	if (ms > 0)
		virtual_ms += ms;
}

static int fake_image(const char *spec, const char *modules, const char *config, const char *arch,
		      struct image *img, struct err *err)
{
	(void)modules;
	(void)config;
	(void)err;
	assert_string_equal(arch, "x86_64");
	memset(img, 0, sizeof(*img));
	str_copy(img->dir, sizeof(img->dir), "/nonexistent/memhp-test-image");
	str_copy(img->kernel, sizeof(img->kernel), "/nonexistent/bzImage");
	str_copy(img->initrd, sizeof(img->initrd), "/nonexistent/initrd");
	str_copy(img->spec, sizeof(img->spec), spec);
	str_copy(img->release, sizeof(img->release), "6.1.0-fake");
	str_copy(img->key, sizeof(img->key), "fakekey");
	return 0;
}

static int fake_disk(const char *spec, const struct image *img, const char *modules,
		     struct disk_image *d, struct err *err)
{
	(void)img;
	(void)modules;
	(void)err;
	memset(d, 0, sizeof(*d));
	d->kind = IMAGE_INITRAMFS;
	str_copy(d->spec, sizeof(d->spec), spec);
	return 0;
}

static const struct runner_env fake_env = {
	.image = fake_image,
	.disk = fake_disk,
	.now_ms = fake_now,
	.sleep_ms = fake_sleep,
};

static int fake_accel(const char *connect, unsigned choice, enum accel *out, char *reason,
		      size_t len, struct err *err)
{
	(void)connect;
	(void)choice;
	(void)err;
	note("accel");
	*out = ACCEL_USE_TCG;
	snprintf(reason, len, "fake");
	return 0;
}

static int fake_start(const struct vm_config *cfg, struct vm **out, struct err *err)
{
	struct fake_vm *vm;

	(void)cfg;
	note("start");
	if (how.start_rc)
		return err_fail(err, how.start_rc, "guest agent did not answer within the boot "
			       "timeout (fake)");
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		abort();
	*out = &vm->vm;
	return 0;
}

static int fake_dimm_add(struct vm *handle, const char *id, uint64_t size, struct err *err)
{
	struct fake_vm *vm = fake_of(handle);

	(void)size;
	(void)err;
	note("add");
	str_copy(vm->dimms[vm->ndimms], sizeof(vm->dimms[0]), id);
	vm->dimm_addr[vm->ndimms] = HOT_BASE + vm->ndimms * 256 * MIB;
	vm->ndimms++;
	if (how.stop_on_plug)
		memhp_stop_signal = SIGTERM;
	return 0;
}

static int fake_dimm_del(struct vm *handle, const char *id, struct err *err)
{
	struct fake_vm *vm = fake_of(handle);

	(void)err;
	note("del");
	if (how.refuse && !strcmp(id, how.refuse))
		str_copy(vm->rejected[vm->nrejected++], sizeof(vm->rejected[0]), id);
	else
		str_copy(vm->deleted[vm->ndeleted++], sizeof(vm->deleted[0]), id);
	return 0;
}

static int fake_dimm_release(struct vm *handle, const char *id, struct err *err)
{
	(void)handle;
	(void)id;
	(void)err;
	note("release");
	return 0;
}

static int fake_query_memory(struct vm *handle, struct vm_memory_device **devs, size_t *n,
			     struct err *err)
{
	struct fake_vm *vm = fake_of(handle);

	(void)err;
	note("query");
	*devs = calloc(vm->ndimms + 1, sizeof(**devs));
	if (!*devs)
		abort();
	for (size_t i = 0; i < vm->ndimms; i++) {
		str_copy((*devs)[i].id, sizeof((*devs)[i].id), vm->dimms[i]);
		(*devs)[i].addr = vm->dimm_addr[i];
		(*devs)[i].size = 256 * MIB;
	}
	*n = vm->ndimms;
	return 0;
}

static void drop_dimm(struct fake_vm *vm, const char *id)
{
	for (size_t i = 0; i < vm->ndimms; i++)
		if (!strcmp(vm->dimms[i], id)) {
			vm->ndimms--;
			memmove(vm->dimms[i], vm->dimms[i + 1],
				(vm->ndimms - i) * sizeof(vm->dimms[0]));
			memmove(&vm->dimm_addr[i], &vm->dimm_addr[i + 1],
				(vm->ndimms - i) * sizeof(vm->dimm_addr[0]));
			return;
		}
}

static int fake_wait_event(struct vm *handle, int64_t deadline, struct vm_event *ev,
			   struct err *err)
{
	struct fake_vm *vm = fake_of(handle);

	(void)deadline;
	(void)err;
	memset(ev, 0, sizeof(*ev));
	if (vm->ndeleted) {
		ev->kind = VM_EVENT_DEVICE_DELETED;
		str_copy(ev->name, sizeof(ev->name), "DEVICE_DELETED");
		str_copy(ev->device, sizeof(ev->device), vm->deleted[0]);
		drop_dimm(vm, vm->deleted[0]);
		memmove(vm->deleted[0], vm->deleted[1], --vm->ndeleted * sizeof(vm->deleted[0]));
		return 0;
	}
	if (vm->nrejected) {
		ev->kind = VM_EVENT_UNPLUG_REJECTED;
		str_copy(ev->name, sizeof(ev->name), "DEVICE_REMOVAL_FAILED");
		str_copy(ev->device, sizeof(ev->device), vm->rejected[0]);
		memmove(vm->rejected[0], vm->rejected[1],
			--vm->nrejected * sizeof(vm->rejected[0]));
		return 0;
	}
	return -ETIMEDOUT;
}

/* memhp-probe snapshot: 8 boot blocks, then two blocks per DIMM present. */
static void snapshot_json(struct fake_vm *vm, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "{\"block_size\": %llu, \"release\": \"6.1.0-fake\", "
				    "\"cmdline\": \"\", \"meminfo\": {\"MemTotal\": 1048576}, "
				    "\"kmsg\": [], \"blocks\": [", (unsigned long long)BLOCK);

	for (unsigned i = 0; i < 8; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s{\"index\": %u, \"start\": %llu, "
				      "\"state\": \"online\", \"zones\": \"Normal\"}",
				      i ? ", " : "", i, (unsigned long long)(i * BLOCK));
	for (size_t d = 0; d < vm->ndimms; d++)
		for (unsigned k = 0; k < 2; k++) {
			uint64_t start = vm->dimm_addr[d] + k * BLOCK;

			n += (size_t)snprintf(buf + n, len - n, ", {\"index\": %llu, \"start\": %llu, "
					      "\"state\": \"%s\", \"zones\": \"Movable\"}",
					      (unsigned long long)(start / BLOCK),
					      (unsigned long long)start,
					      how.never_online ? "offline" : "online");
		}
	snprintf(buf + n, len - n, "]}");
}

/* The fake agent: guest-exec runs memhp-probe at once, guest-exec-status
 * hands back what it printed. */
static int fake_agent(struct vm *handle, const char *cmd, json_object *args, json_object **ret,
		      int64_t deadline, struct err *err)
{
	struct fake_vm *vm = fake_of(handle);

	(void)deadline;
	(void)err;
	/* Unlike a real agent's wait, this one ignores stop signals: the
	 * runner's own check between phases is what the tests see. */
	if (!strcmp(cmd, "guest-exec")) {
		json_object *arg, *a0;
		const char *what = "";

		if (json_object_object_get_ex(args, "arg", &arg) &&
		    (a0 = json_object_array_get_idx(arg, 0)))
			what = json_object_get_string(a0);
		note(!strcmp(what, "snapshot") ? "snap" : what);
		if (!strcmp(what, "snapshot"))
			snapshot_json(vm, vm->out, sizeof(vm->out));
		else if (!strcmp(what, "kmsg"))
			str_copy(vm->out, sizeof(vm->out), "{\"kmsg\": []}");
		else if (!strcmp(what, "why"))
			str_copy(vm->out, sizeof(vm->out), "{\"blocks\": []}");
		else if (!strcmp(what, "faults"))
			str_copy(vm->out, sizeof(vm->out), "{}");
		else
			str_copy(vm->out, sizeof(vm->out), "");
		*ret = json_object_new_object();
		json_object_object_add(*ret, "pid", json_object_new_int64(++vm->pid));
	} else if (!strcmp(cmd, "guest-exec-status")) {
		unsigned char b64[12000];
		int n = EVP_EncodeBlock(b64, (const unsigned char *)vm->out, (int)strlen(vm->out));

		b64[n] = '\0';
		*ret = json_object_new_object();
		json_object_object_add(*ret, "exited", json_object_new_boolean(1));
		json_object_object_add(*ret, "exitcode", json_object_new_int(0));
		json_object_object_add(*ret, "out-data", json_object_new_string((char *)b64));
	} else {
		*ret = json_object_new_object();
	}
	json_object_put(args);
	return 0;
}

static void fake_stop(struct vm *handle, char *why, size_t whylen)
{
	(void)why;
	(void)whylen;
	note("stop");
	stopped = true;
	free(fake_of(handle));
}

static const struct backend_ops fake_backend = {
	.name = "fake",
	.resolve_accel = fake_accel,
	.start = fake_start,
	.dimm_add = fake_dimm_add,
	.dimm_del = fake_dimm_del,
	.dimm_release = fake_dimm_release,
	.query_memory = fake_query_memory,
	.wait_event = fake_wait_event,
	.agent = fake_agent,
	.stop = fake_stop,
};

/* 1 GiB guest, two 256 MiB DIMMs (four blocks) onlined movable. */
static const char scenario_text[] = "[machine]\nmemory = 1G\n"
				    "[hotplug]\nmethod = dimm\ntotal = 512M\ndimm_size = 256M\n"
				    "[online]\npolicy = online_movable\ntimeout = 5s\n"
				    "[unplug]\nretries = 0\nsettle = 1s\n";

struct fake_run {
	struct run_record rec;
	char dir[256];
	int rc;
	struct err err;
};

static void run_text(struct fake_run *o, const char *text)
{
	struct scenario sc;
	struct err err;
	struct run_options opt = { .backend = &fake_backend, .kernel = "deb:fake", .accel = -1,
				   .repeat = 1 };

	trace[0] = '\0';
	virtual_ms = 0;
	stopped = false;
	memhp_stop_signal = 0;
	snprintf(o->dir, sizeof(o->dir), "/tmp/memhp-test-runner-XXXXXX");
	assert_non_null(mkdtemp(o->dir));
	opt.outdir = o->dir;
	if (scenario_load_string(&sc, "runner", text, &err))
		fail_msg("%s", err.msg);
	o->rc = runner_run(&sc, &opt, &fake_env, &o->rec, &o->err);
	scenario_free(&sc);
	memhp_stop_signal = 0;
}

static void run(struct fake_run *o)
{
	run_text(o, scenario_text);
}

/* result.json in the run's directory, parsed; and the directory removed. */
static json_object *result_json(struct fake_run *o)
{
	char path[512];
	json_object *j;

	snprintf(path, sizeof(path), "%s/result.json", o->dir);
	j = json_object_from_file(path);
	unlink(path);
	rmdir(o->dir);
	return j;
}

static const char *str_field(json_object *j, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(j, key, &v) ? json_object_get_string(v) : "";
}

/* Position of the first word w in the trace, or -1. */
static long at(const char *w)
{
	const char *p = trace;
	size_t n = strlen(w);

	while ((p = strstr(p, w))) {
		if ((p == trace || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return p - trace;
		p += n;
	}
	return -1;
}

static void test_phases_in_order(void **state)
{
	struct fake_run o;
	json_object *j;

	(void)state;
	memset(&how, 0, sizeof(how));
	run(&o);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.rec.status, RUN_OK);
	/* image, boot (accel, start, a probe), plug, online, unplug, settle, stop */
	assert_true(at("accel") == 0);
	assert_true(at("start") > at("accel"));
	assert_true(at("snap") > at("start"));
	assert_true(at("add") > at("snap"));
	assert_true(at("query") > at("add"));
	assert_true(at("del") > at("query"));
	assert_true(at("release") > at("del"));
	assert_true(at("stop") > at("release"));
	assert_true(strstr(trace, "stop") == trace + strlen(trace) - 4); /* stop is last */
	assert_true(stopped);
	assert_int_equal(o.rec.count.hotplugged, 4);
	assert_int_equal(o.rec.count.removed, 4);
	assert_int_equal(o.rec.zone_mismatches, 0);
	assert_string_equal(o.rec.kernel_release, "6.1.0-fake");
	assert_string_equal(o.rec.backend, "fake");
	assert_string_equal(o.rec.accel, "tcg");
	j = result_json(&o);
	assert_non_null(j);
	assert_string_equal(str_field(j, "status"), "ok");
	json_object_put(j);
	result_free(&o.rec);
}

static void test_failed_boot_is_recorded(void **state)
{
	struct fake_run o;
	json_object *j;

	(void)state;
	memset(&how, 0, sizeof(how));
	how.start_rc = -ETIMEDOUT;
	run(&o);
	assert_int_equal(o.rc, 0); /* the result was written */
	assert_int_equal(o.rec.status, RUN_FAILED);
	assert_string_equal(o.rec.failed_phase, "boot");
	assert_non_null(strstr(o.rec.reason, "did not answer within the boot timeout"));
	assert_false(o.rec.host_failure);
	assert_false(stopped); /* nothing was running */
	assert_int_equal(at("add"), -1);
	j = result_json(&o);
	assert_non_null(j);
	assert_string_equal(str_field(j, "status"), "failed");
	assert_non_null(strstr(str_field(j, "reason"), "boot timeout"));
	json_object_put(j);
	result_free(&o.rec);
}

/* A host that failed (-EHOSTDOWN) is recorded as one: batches retry it. */
static void test_host_failure_is_marked(void **state)
{
	struct fake_run o;

	(void)state;
	memset(&how, 0, sizeof(how));
	how.start_rc = -EHOSTDOWN;
	run(&o);
	assert_int_equal(o.rec.status, RUN_FAILED);
	assert_true(o.rec.host_failure);
	json_object_put(result_json(&o));
	result_free(&o.rec);
}

/* The guest refuses one DIMM: the run is ok, that DIMM's blocks stay. */
static void test_refused_unplug_is_counted(void **state)
{
	struct fake_run o;
	size_t refused = SIZE_MAX;

	(void)state;
	memset(&how, 0, sizeof(how));
	how.refuse = "dimm0";
	run(&o);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.rec.status, RUN_OK);
	assert_int_equal(o.rec.ndevices, 2);
	for (size_t i = 0; i < o.rec.ndevices; i++)
		if (!strcmp(o.rec.devices[i].id, "dimm0"))
			refused = i;
	assert_true(refused != SIZE_MAX);
	assert_int_equal(o.rec.devices[refused].outcome, OUTCOME_REJECTED);
	assert_int_equal(o.rec.count.hotplugged, 4);
	assert_int_equal(o.rec.count.removed, 2);
	assert_int_equal(o.rec.count.online_movable, 2);
	assert_int_equal(o.rec.count.bytes_remaining, 256 * MIB);
	json_object_put(result_json(&o));
	result_free(&o.rec);
}

/* Blocks that never come online: the online phase times out on the
 * runner's clock, the guest is stopped, the result says so. */
static void test_online_timeout(void **state)
{
	struct fake_run o;
	json_object *j;

	(void)state;
	memset(&how, 0, sizeof(how));
	how.never_online = true;
	run(&o);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.rec.status, RUN_FAILED);
	assert_string_equal(o.rec.failed_phase, "online");
	assert_non_null(strstr(o.rec.reason, "only 0 of 4 hot-added blocks online after 5000 ms"));
	assert_true(virtual_ms >= 5000); /* waited on the runner's clock */
	assert_true(stopped);
	assert_int_equal(at("del"), -1);
	j = result_json(&o);
	assert_string_equal(str_field(j, "failed_phase"), "online");
	json_object_put(j);
	result_free(&o.rec);
}

/* [faults] going_online: blocks that stay offline are what the injection
 * did, not a failure; the run goes on, unplugs them and records how many
 * stayed offline (docs/faults.md). */
static void test_injected_online_failure_is_unplugged(void **state)
{
	char text[sizeof(scenario_text) + 64];
	struct fake_run o;
	json_object *j, *faults, *plug, *v;

	(void)state;
	memset(&how, 0, sizeof(how));
	how.never_online = true;
	snprintf(text, sizeof(text), "%s[faults]\ngoing_online = 16\n", scenario_text);
	run_text(&o, text);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.rec.status, RUN_OK);
	assert_int_equal(o.rec.count.hotplugged, 4);
	assert_int_equal(o.rec.count.removed, 4);
	assert_int_equal(o.rec.zone_mismatches, 0);
	for (size_t i = 0; i < o.rec.nblocks; i++)
		assert_string_equal(o.rec.blocks[i].zone, "");
	assert_true(at("faults") >= 0 && at("faults") < at("del"));
	j = result_json(&o);
	assert_true(json_object_object_get_ex(j, "faults", &faults));
	assert_true(json_object_object_get_ex(faults, "plug", &plug));
	assert_true(json_object_object_get_ex(plug, "stayed_offline", &v));
	assert_int_equal(json_object_get_int64(v), 4);
	json_object_put(j);
	result_free(&o.rec);
}

/* A stop signal during the plug: no later phase starts, the guest is
 * stopped, the run is interrupted. */
static void test_no_phase_after_stop_signal(void **state)
{
	struct fake_run o;
	json_object *j;

	(void)state;
	memset(&how, 0, sizeof(how));
	how.stop_on_plug = true;
	run(&o);
	assert_int_equal(o.rc, 0);
	assert_int_equal(o.rec.status, RUN_INTERRUPTED);
	assert_non_null(strstr(o.rec.reason, "interrupted by SIGTERM"));
	assert_string_equal(o.rec.failed_phase, "online"); /* the one not started */
	assert_true(o.rec.phase_ms[PHASE_PLUG] >= 0);
	assert_true(o.rec.phase_ms[PHASE_ONLINE] < 0); /* not timed: not run */
	assert_true(o.rec.phase_ms[PHASE_UNPLUG] < 0);
	assert_int_equal(at("del"), -1);
	/* nothing asked of the guest after the plug */
	assert_true(strstr(trace, "add add query stop") != NULL);
	assert_true(stopped);
	j = result_json(&o);
	assert_string_equal(str_field(j, "status"), "interrupted");
	json_object_put(j);
	result_free(&o.rec);
}

/* A results directory that refuses the result: runner_run says so, and
 * the result goes elsewhere. */
static void test_unwritable_result_is_kept_elsewhere(void **state)
{
	struct scenario sc;
	struct run_record rec;
	struct err err;
	struct run_options opt = { .backend = &fake_backend, .kernel = "deb:fake", .accel = -1,
				   .repeat = 1, .outdir = "/nonexistent/memhp-test-runner" };
	char tmp[] = "/tmp/memhp-test-runner-tmp-XXXXXX", *at_dir;
	char path[512];

	(void)state;
	memset(&how, 0, sizeof(how));
	assert_non_null(mkdtemp(tmp));
	setenv("TMPDIR", tmp, 1);
	assert_int_equal(scenario_load_string(&sc, "runner", scenario_text, &err), 0);
	assert_true(runner_run(&sc, &opt, &fake_env, &rec, &err) < 0);
	unsetenv("TMPDIR");
	at_dir = strstr(err.msg, "the result was written to ");
	assert_non_null(at_dir);
	at_dir += strlen("the result was written to ");
	assert_true(!strncmp(at_dir, tmp, strlen(tmp)));
	str_copy(path, sizeof(path), at_dir);
	assert_non_null(strstr(path, " instead"));
	*strstr(path, " instead") = '\0';
	assert_int_equal(access(path, R_OK), 0);
	unlink(path);
	*strrchr(path, '/') = '\0';
	rmdir(path);
	rmdir(tmp);
	scenario_free(&sc);
	result_free(&rec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phases_in_order),
		cmocka_unit_test(test_failed_boot_is_recorded),
		cmocka_unit_test(test_host_failure_is_marked),
		cmocka_unit_test(test_refused_unplug_is_counted),
		cmocka_unit_test(test_online_timeout),
		cmocka_unit_test(test_injected_online_failure_is_unplugged),
		cmocka_unit_test(test_no_phase_after_stop_signal),
		cmocka_unit_test(test_unwritable_result_is_kept_elsewhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
