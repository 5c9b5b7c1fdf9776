// SPDX-License-Identifier: GPL-2.0-only
/*
 * The QEMU backend: spawns qemu-system-x86_64 with an argv, talks QMP on one
 * UNIX socket and the guest agent on another, both in a private directory
 * of its own that goes once they are connected. QEMU gets its own process
 * group (a terminal's Ctrl-C reaches memhp only, which then stops the guest
 * in order) and dies with memhp (PR_SET_PDEATHSIG), so no emulator outlives
 * it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend_qmp_accel.h"
#include "backend.h"
#include "clock.h"
#include "qga.h"
#include "qmp.h"
#include "signals.h"
#include "subproc.h"
#include "str.h"

#define QMP_TIMEOUT_MS 30000
#define SOCKET_TIMEOUT_MS 15000
#define AGENT_TRY_MS 200
#define QUIT_TIMEOUT_MS 10000
#define OVERLAY "overlay.qcow2" /* the disk's, in the private directory */

/* The backend's state behind the handle (backend.h). */
struct qmp_vm {
	struct vm vm;
	char rundir[32]; /* private 0700 directory for the sockets and overlay */
	pid_t pid;
	char *file_backend;
	bool exited;
	int status;
	struct qmp qmp;
	struct qga qga;
	char qemu_log[4096];
	char serial_log[4096];
	unsigned nodes; /* NUMA nodes, for the node of each DIMM */
};

static struct qmp_vm *qmp_of(struct vm *handle)
{
	return container_of(handle, struct qmp_vm, vm);
}

/* QEMU's option syntax doubles a comma inside a value. */
static char *opt_escape(const char *s)
{
	size_t n = strlen(s), commas = 0;
	char *out, *p;

	for (const char *q = s; *q; q++)
		commas += *q == ',';
	out = malloc(n + commas + 1);
	if (!out)
		abort();
	for (p = out; *s; s++) {
		*p++ = *s;
		if (*s == ',')
			*p++ = ',';
	}
	*p = '\0';
	return out;
}

static void build_argv(const struct vm_config *cfg, const char *rdir, struct argv *a)
{
	char *serial = opt_escape(cfg->serial_log), *rundir = opt_escape(rdir);
	char *kernel = opt_escape(cfg->kernel), *initrd = opt_escape(cfg->initrd);

	argv_add(a, "%s", cfg->qmp.binary);
	argv_add(a, "-nodefaults");
	argv_add(a, "-no-user-config");
	argv_add(a, "-no-reboot");
	argv_add(a, "-display");
	argv_add(a, "none");
	argv_add(a, "-machine");
	argv_add(a, "%s%s", cfg->machine, cfg->cxl_volatile ? ",cxl=on" : "");
	argv_add(a, "-accel");
	argv_add(a, "%s", cfg->accel == ACCEL_USE_KVM ? "kvm" : "tcg");
	argv_add(a, "-cpu");
	/* CXL: Linux commits a region only after invalidating CPU caches,
	 * which it refuses to do under a hypervisor ("Failed to synchronize
	 * CPU cache state", unless CONFIG_CXL_REGION_INVALIDATION_TEST): the
	 * guest is not told it runs under one. */
	argv_add(a, "%s%s", cfg->accel == ACCEL_USE_KVM ? "host" : cfg->tcg_cpu ? cfg->tcg_cpu : "max",
		 cfg->cxl_volatile ? ",hypervisor=off" : "");
	if (cfg->firmware) {
		argv_add(a, "-bios");
		argv_add(a, "%s", cfg->firmware);
	}
	argv_add(a, "-smp");
	argv_add(a, "%u", cfg->cpus);
	argv_add(a, "-m");
	argv_add(a, "size=%" PRIu64 "M,slots=%u,maxmem=%" PRIu64 "M", cfg->memory >> 20, cfg->slots,
		 cfg->maxmem >> 20);
	/* NUMA (issue 25): every node has boot memory, so the guest knows it
	 * before anything is hot-added to it. */
	for (unsigned n = 0; cfg->nodes > 1 && n < cfg->nodes; n++) {
		char cpus[256] = "";
		size_t len = 0;

		argv_add(a, "-object");
		argv_add(a, "memory-backend-ram,id=node-mem%u,size=%" PRIu64 "M", n,
			 (cfg->memory / cfg->nodes) >> 20);
		for (unsigned c = n; c < cfg->cpus && len < sizeof(cpus) - 16; c += cfg->nodes)
			len += (size_t)snprintf(cpus + len, sizeof(cpus) - len, ",cpus=%u", c);
		argv_add(a, "-numa");
		argv_add(a, "node,nodeid=%u,memdev=node-mem%u%s", n, n, cpus);
	}
	/* -kernel, -initrd and -append are not option lists: no escaping. */
	argv_add(a, "-kernel");
	argv_add(a, "%s", cfg->kernel);
	argv_add(a, "-initrd");
	argv_add(a, "%s", cfg->initrd);
	argv_add(a, "-append");
	argv_add(a, "%s", cfg->cmdline);
	argv_add(a, "-chardev");
	argv_add(a, "file,id=serial0,path=%s", serial);
	argv_add(a, "-serial");
	argv_add(a, "chardev:serial0");
	argv_add(a, "-chardev");
	argv_add(a, "socket,id=qmp0,path=%s/qmp.sock,server=on,wait=off", rundir);
	argv_add(a, "-mon");
	argv_add(a, "chardev=qmp0,mode=control");
	argv_add(a, "-device");
	argv_add(a, "virtio-serial-pci,id=vser0");
	argv_add(a, "-chardev");
	argv_add(a, "socket,id=qga0,path=%s/qga.sock,server=on,wait=off", rundir);
	argv_add(a, "-device");
	argv_add(a, "virtserialport,bus=vser0.0,chardev=qga0,name=org.qemu.guest_agent.0");
	if (cfg->disk) {
		argv_add(a, "-drive");
		argv_add(a, "file=%s/" OVERLAY ",if=none,id=disk0,format=qcow2,cache=unsafe",
			 rundir);
		argv_add(a, "-device");
		argv_add(a, "virtio-blk-pci,drive=disk0");
	}
	if (cfg->free_page_reporting) {
		argv_add(a, "-device");
		argv_add(a, "virtio-balloon-pci,id=balloon0,free-page-reporting=on");
	}
	for (size_t i = 0; i < cfg->nvirtio_mem; i++) {
		const struct vm_virtio_mem *d = &cfg->virtio_mem[i];

		argv_add(a, "-object");
		if (cfg->file_backend) {
			char *dir = opt_escape(cfg->file_backend);

			argv_add(a, "memory-backend-file,id=mem-%s,size=%" PRIu64 ",mem-path=%s",
				 d->id, d->max_size, dir);
			free(dir);
		} else {
			/* Sparse by design: without reserve=off a large device
			 * fails to start under heuristic overcommit. */
			argv_add(a, "memory-backend-ram,id=mem-%s,size=%" PRIu64 ",reserve=off", d->id,
				 d->max_size);
		}
		argv_add(a, "-device");
		argv_add(a, "virtio-mem-pci,id=%s,memdev=mem-%s,requested-size=0,block-size=%" PRIu64
			 "%s%s%s,node=%u",
			 d->id, d->id, d->block_size, d->dynamic_memslots ? ",dynamic-memslots=on" : "",
			 d->unplugged_inaccessible ? ",unplugged-inaccessible=" : "",
			 d->unplugged_inaccessible ? d->unplugged_inaccessible : "",
			 vm_device_node(cfg->nodes, (unsigned)i));
	}
	if (cfg->cxl_volatile) {
		/* One host bridge, one root port, one type-3 device, and a fixed
		 * memory window of the same size (QEMU's docs/system/devices/cxl.rst). */
		argv_add(a, "-object");
		argv_add(a, "memory-backend-ram,id=cxl-mem0,size=%" PRIu64 ",reserve=off",
			 cfg->cxl_volatile);
		argv_add(a, "-device");
		argv_add(a, "pxb-cxl,bus_nr=12,bus=pcie.0,id=cxl.1");
		argv_add(a, "-device");
		argv_add(a, "cxl-rp,port=0,bus=cxl.1,id=cxl-rp0,chassis=0,slot=2");
		argv_add(a, "-device");
		argv_add(a, "cxl-type3,bus=cxl-rp0,volatile-memdev=cxl-mem0,id=cxl-vmem0");
		argv_add(a, "-machine");
		argv_add(a, "cxl-fmw.0.targets.0=cxl.1,cxl-fmw.0.size=%" PRIu64 "M",
			 cfg->cxl_volatile >> 20);
	}
	free(serial);
	free(rundir);
	free(kernel);
	free(initrd);
}

/*
 * The last line of a log that holds needle, from needle on (the last
 * non-empty line when needle is NULL): QEMU's last words usually say why it
 * died, the guest's last "Kernel panic" line why it did.
 */
static void last_line(const char *path, const char *needle, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	char line[512];

	buf[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *p = needle ? strstr(line, needle) : line;

		line[strcspn(line, "\r\n")] = '\0';
		if (p && *p)
			snprintf(buf, len, "%s", p);
	}
	fclose(f);
}

/* Turn a lost connection into why QEMU went away. */
static int died(struct qmp_vm *vm, int rc, struct err *err)
{
	char how[96], last[512];

	if (rc != -EPIPE)
		return rc;
	if (!vm->exited && spawn_wait(vm->pid, now_ms() + 2000, &vm->status) == 0)
		vm->exited = true;
	if (!vm->exited)
		return rc;
	spawn_describe_status(vm->status, how, sizeof(how));
	last_line(vm->qemu_log, NULL, last, sizeof(last));
	/* With -no-reboot a guest that reboots ends QEMU with status 0; with
	 * panic=-1 on the command line a kernel panic is such a reboot. */
	if (WIFEXITED(vm->status) && WEXITSTATUS(vm->status) == 0) {
		char panic[256];

		last_line(vm->serial_log, "Kernel panic", panic, sizeof(panic));
		if (*panic)
			return err_set(err, "the guest kernel panicked (%s); QEMU %s", panic, how),
			       -ESRCH;
		return err_set(err, "the guest rebooted or powered off; QEMU %s%s%s", how,
			       *last ? ": " : "", last), -ESRCH;
	}
	err_set(err, "QEMU %s%s%s", how, *last ? ": " : "", last);
	return -ESRCH;
}

static bool alive(struct qmp_vm *vm)
{
	if (!vm->exited && waitpid(vm->pid, &vm->status, WNOHANG) == vm->pid)
		vm->exited = true;
	return !vm->exited;
}

static pid_t spawn_qemu(const struct vm_config *cfg, const char *rundir, struct err *err)
{
	struct argv a = { 0 };
	pid_t parent = getpid(), pid;
	int logfd;

	logfd = open(cfg->qemu_log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (logfd < 0)
		return err_fail(err, -errno, "%s: %s", cfg->qemu_log, strerror(errno));
	build_argv(cfg, rundir, &a);
	{
		char *cmd = argv_describe(&a);

		dprintf(logfd, "# %s\n", cmd);
		free(cmd);
	}
	pid = fork();
	if (pid < 0) {
		close(logfd);
		argv_free(&a);
		return err_fail(err, -errno, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (child_prologue(parent, SIGKILL, CHILD_GROUP | CHILD_EXEC))
			_exit(127);
		dup2(null, STDIN_FILENO);
		dup2(logfd, STDOUT_FILENO);
		dup2(logfd, STDERR_FILENO);
		execvp(a.v[0], a.v);
		dprintf(logfd, "memhp: cannot run %s: %s\n", a.v[0], strerror(errno));
		_exit(127);
	}
	close(logfd);
	argv_free(&a);
	return pid;
}

/* QEMU creates its sockets once it has parsed the command line; connect as
 * soon as they exist, unless QEMU dies first. */
static int connect_when_ready(struct qmp_vm *vm, const char *path, struct err *err)
{
	int64_t deadline = now_ms() + SOCKET_TIMEOUT_MS;

	for (;;) {
		int fd = jl_connect_unix(path);

		if (fd >= 0)
			return fd;
		if (!alive(vm))
			return died(vm, -EPIPE, err);
		if (memhp_stop_signal)
			return err_fail(err, -EINTR, "interrupted while starting QEMU");
		if (now_ms() >= deadline)
			return err_fail(err, -ETIMEDOUT, "%s did not appear within %d s", path,
						    SOCKET_TIMEOUT_MS / 1000);
		sleep_ms(10);
	}
}

static void qmp_stop(struct vm *handle, char *why, size_t whylen);

/* A fresh copy-on-write overlay of the disk in the run's private directory:
 * the guest writes there, never to the disk, and no two guests share one. */
static int make_overlay(const struct vm_config *cfg, const char *rundir, struct err *err)
{
	struct argv a = { 0 };
	char *out = NULL;
	int rc;

	argv_add(&a, "qemu-img");
	argv_add(&a, "create");
	argv_add(&a, "-q");
	argv_add(&a, "-f");
	argv_add(&a, "qcow2");
	argv_add(&a, "-F");
	argv_add(&a, "%s", cfg->disk_format ? cfg->disk_format : "qcow2");
	argv_add(&a, "-b");
	argv_add(&a, "%s", cfg->disk);
	argv_add(&a, "%s/" OVERLAY, rundir);
	rc = spawn_capture(&a, &out, err);
	argv_free(&a);
	free(out);
	return rc ? err_wrap(err, rc, "creating the overlay of %s", cfg->disk) : 0;
}

/* The sockets, the overlay and the private directory: once QEMU has opened
 * them (or failed), none is needed, and the overlay's blocks go when QEMU
 * does. */
static void remove_rundir(const char *rundir)
{
	static const char *const names[] = { "qmp.sock", "qga.sock", OVERLAY };
	char path[64];

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(path, sizeof(path), "%s/%s", rundir, names[i]);
		unlink(path);
	}
	rmdir(rundir);
}

static int qmp_start(const struct vm_config *cfg, struct vm **out, struct err *err)
{
	struct qmp_vm *vm = calloc(1, sizeof(*vm));
	char path[64];
	int fd, rc;

	*out = NULL;
	if (!vm)
		return -ENOMEM;
	vm->vm.ops = &backend_qmp;
	vm->qmp.jl.fd = vm->qga.jl.fd = -1;
	str_copy(vm->qemu_log, sizeof(vm->qemu_log), cfg->qemu_log);
	str_copy(vm->serial_log, sizeof(vm->serial_log), cfg->serial_log);
	str_copy(vm->rundir, sizeof(vm->rundir), "/tmp/memhp-XXXXXX");
	if (!mkdtemp(vm->rundir)) {
		free(vm);
		return err_fail(err, -errno, "mkdtemp: %s", strerror(errno));
	}
	vm->nodes = cfg->nodes;
	if (cfg->file_backend) {
		vm->file_backend = strdup(cfg->file_backend);
		if (!vm->file_backend)
			abort();
	}
	rc = cfg->disk ? make_overlay(cfg, vm->rundir, err) : 0;
	vm->pid = rc ? rc : spawn_qemu(cfg, vm->rundir, err);
	if (vm->pid < 0) {
		rc = vm->pid;
		remove_rundir(vm->rundir);
		free(vm->file_backend);
		free(vm);
		return rc;
	}

	snprintf(path, sizeof(path), "%s/qmp.sock", vm->rundir);
	fd = connect_when_ready(vm, path, err);
	if (fd < 0) {
		rc = fd;
		goto fail;
	}
	/* QEMU greets once its devices are set up: the overlay is open. */
	rc = qmp_open(&vm->qmp, fd, now_ms() + QMP_TIMEOUT_MS, err);
	if (rc) {
		rc = died(vm, rc, err);
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/qga.sock", vm->rundir);
	fd = connect_when_ready(vm, path, err);
	if (fd < 0) {
		rc = fd;
		goto fail;
	}
	qga_init(&vm->qga, fd);
	remove_rundir(vm->rundir);

	/* Boot ends when the agent echoes a sync; each try is short so that a
	 * dead QEMU or a stop signal is noticed within a second. */
	for (;;) {
		int64_t try_deadline = now_ms() + AGENT_TRY_MS;

		if (try_deadline > cfg->boot_deadline)
			try_deadline = cfg->boot_deadline;
		rc = qga_sync(&vm->qga, try_deadline, err);
		if (!rc)
			break;
		if (rc == -EINTR)
			goto fail;
		if (!alive(vm)) {
			rc = died(vm, -EPIPE, err);
			goto fail;
		}
		if (now_ms() >= cfg->boot_deadline) {
			err_set(err, "guest agent did not answer within the boot timeout "
				     "(see the serial log)");
			rc = -ETIMEDOUT;
			goto fail;
		}
	}
	*out = &vm->vm;
	return 0;
fail:
	remove_rundir(vm->rundir);
	qmp_stop(&vm->vm, NULL, 0);
	return rc;
}

static int qmp_cmd(struct qmp_vm *vm, const char *cmd, json_object *args, json_object **ret,
		   struct err *err)
{
	int rc = qmp_execute(&vm->qmp, cmd, args, ret, now_ms() + QMP_TIMEOUT_MS, err);

	return died(vm, rc, err);
}

static int qmp_vmm_command(struct vm *handle, const char *cmd, json_object *args,
			   json_object **ret, struct err *err)
{
	return qmp_cmd(qmp_of(handle), cmd, args, ret, err);
}

static int qmp_dimm_add(struct vm *handle, const char *id, uint64_t size, struct err *err)
{
	struct qmp_vm *vm = qmp_of(handle);
	json_object *args = json_object_new_object();
	char memdev[80];
	int rc;

	snprintf(memdev, sizeof(memdev), "mem-%s", id);
	json_object_object_add(args, "qom-type", json_object_new_string(
				       vm->file_backend ? "memory-backend-file" : "memory-backend-ram"));
	json_object_object_add(args, "id", json_object_new_string(memdev));
	json_object_object_add(args, "size", json_object_new_uint64(size));
	if (vm->file_backend)
		json_object_object_add(args, "mem-path", json_object_new_string(vm->file_backend));
	rc = qmp_cmd(vm, "object-add", args, NULL, err);
	if (rc)
		return rc;
	args = json_object_new_object();
	json_object_object_add(args, "driver", json_object_new_string("pc-dimm"));
	json_object_object_add(args, "id", json_object_new_string(id));
	json_object_object_add(args, "memdev", json_object_new_string(memdev));
	if (vm->nodes > 1) { /* dimmK: the K-th DIMM */
		const char *k = id + strcspn(id, "0123456789");

		json_object_object_add(args, "node", json_object_new_int(
			(int)vm_device_node(vm->nodes, (unsigned)strtoul(k, NULL, 10))));
	}
	return qmp_cmd(vm, "device_add", args, NULL, err);
}

static int qmp_dimm_del(struct vm *handle, const char *id, struct err *err)
{
	struct qmp_vm *vm = qmp_of(handle);
	json_object *args = json_object_new_object();

	json_object_object_add(args, "id", json_object_new_string(id));
	return qmp_cmd(vm, "device_del", args, NULL, err);
}

static int qmp_dimm_release(struct vm *handle, const char *id, struct err *err)
{
	struct qmp_vm *vm = qmp_of(handle);
	json_object *args = json_object_new_object();
	char memdev[80];

	snprintf(memdev, sizeof(memdev), "mem-%s", id);
	json_object_object_add(args, "id", json_object_new_string(memdev));
	return qmp_cmd(vm, "object-del", args, NULL, err);
}

static const char *get_str(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

static uint64_t get_u64(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_uint64(v) : 0;
}

static int qmp_unplug_status(struct vm *handle, const char *id, unsigned *source, unsigned *status,
			     struct err *err)
{
	struct qmp_vm *vm = qmp_of(handle);
	json_object *ret;
	int rc = qmp_cmd(vm, "query-acpi-ospm-status", NULL, &ret, err);

	if (rc)
		return rc;
	rc = -ENOENT;
	for (size_t i = 0; i < json_object_array_length(ret); i++) {
		json_object *e = json_object_array_get_idx(ret, i);

		if (strcmp(get_str(e, "device"), id))
			continue;
		*source = (unsigned)get_u64(e, "source");
		*status = (unsigned)get_u64(e, "status");
		rc = 0;
	}
	json_object_put(ret);
	return rc;
}

static int qmp_virtio_mem_resize(struct vm *handle, const char *id, uint64_t requested,
				 struct err *err)
{
	struct qmp_vm *vm = qmp_of(handle);
	json_object *args = json_object_new_object();
	char path[128];

	snprintf(path, sizeof(path), "/machine/peripheral/%s", id);
	json_object_object_add(args, "path", json_object_new_string(path));
	json_object_object_add(args, "property", json_object_new_string("requested-size"));
	json_object_object_add(args, "value", json_object_new_uint64(requested));
	return qmp_cmd(vm, "qom-set", args, NULL, err);
}

static int qmp_query_memory(struct vm *handle, struct vm_memory_device **devs, size_t *n,
			    struct err *err)
{
	struct qmp_vm *vm = qmp_of(handle);
	json_object *ret;
	int rc = qmp_cmd(vm, "query-memory-devices", NULL, &ret, err);
	size_t len;

	*devs = NULL;
	*n = 0;
	if (rc)
		return rc;
	len = json_object_array_length(ret);
	*devs = calloc(len ? len : 1, sizeof(**devs));
	for (size_t i = 0; i < len; i++) {
		json_object *e = json_object_array_get_idx(ret, i), *data;
		struct vm_memory_device *d = &(*devs)[*n];
		const char *type = get_str(e, "type");

		if (!json_object_object_get_ex(e, "data", &data))
			continue;
		str_copy(d->id, sizeof(d->id), get_str(data, "id"));
		if (!strcmp(type, "dimm")) {
			d->addr = get_u64(data, "addr");
			d->size = get_u64(data, "size");
			d->slot = (int)get_u64(data, "slot");
		} else if (!strcmp(type, "virtio-mem")) {
			d->virtio_mem = true;
			d->addr = get_u64(data, "memaddr");
			d->size = get_u64(data, "size");
			d->requested_size = get_u64(data, "requested-size");
			d->max_size = get_u64(data, "max-size");
			d->block_size = get_u64(data, "block-size");
		} else {
			continue;
		}
		(*n)++;
	}
	json_object_put(ret);
	return 0;
}

static void translate_event(json_object *msg, struct vm_event *ev)
{
	json_object *data = NULL, *info;
	const char *name = get_str(msg, "event");

	memset(ev, 0, sizeof(*ev));
	str_copy(ev->name, sizeof(ev->name), name);
	ev->kind = VM_EVENT_OTHER;
	json_object_object_get_ex(msg, "data", &data);
	if (!data)
		return;
	if (!strcmp(name, "DEVICE_DELETED")) {
		ev->kind = VM_EVENT_DEVICE_DELETED;
		str_copy(ev->device, sizeof(ev->device), get_str(data, "device"));
	} else if (!strcmp(name, "ACPI_DEVICE_OST") &&
		   json_object_object_get_ex(data, "info", &info)) {
		ev->kind = VM_EVENT_UNPLUG_STATUS;
		str_copy(ev->device, sizeof(ev->device), get_str(info, "device"));
		ev->source = (unsigned)get_u64(info, "source");
		ev->status = (unsigned)get_u64(info, "status");
	} else if (!strcmp(name, "DEVICE_UNPLUG_GUEST_ERROR")) {
		/* QEMU 6.2+: the guest reported that it could not release the
		 * device (pseries when it rolls back an unplug it began). */
		ev->kind = VM_EVENT_UNPLUG_REJECTED;
		str_copy(ev->device, sizeof(ev->device), get_str(data, "device"));
	} else if (!strcmp(name, "MEMORY_DEVICE_SIZE_CHANGE")) {
		ev->kind = VM_EVENT_SIZE_CHANGE;
		str_copy(ev->device, sizeof(ev->device), get_str(data, "id"));
		ev->size = get_u64(data, "size");
	}
}

static int qmp_wait_event(struct vm *handle, int64_t deadline, struct vm_event *ev, struct err *err)
{
	struct qmp_vm *vm = qmp_of(handle);
	json_object *msg;
	int rc = qmp_next_event(&vm->qmp, deadline, &msg, err);

	if (rc)
		return died(vm, rc, err);
	translate_event(msg, ev);
	json_object_put(msg);
	return 0;
}

static int qmp_agent(struct vm *handle, const char *cmd, json_object *args, json_object **ret,
		     int64_t deadline, struct err *err)
{
	struct qmp_vm *vm = qmp_of(handle);
	int rc = qga_execute(&vm->qga, cmd, args, ret, deadline, err);

	if (rc == -EPIPE || (rc == -ETIMEDOUT && !alive(vm)))
		return died(vm, -EPIPE, err);
	return rc;
}

static int qmp_status(struct vm *handle, struct vm_status *st, struct err *err)
{
	struct qmp_vm *vm = qmp_of(handle);
	unsigned long long utime = 0, stime = 0;
	char path[64], line[1024], *p;
	json_object *ret, *v;
	FILE *f;
	int rc;

	memset(st, 0, sizeof(*st));
	rc = qmp_cmd(vm, "query-status", NULL, &ret, err);
	if (rc)
		return rc;
	if (json_object_object_get_ex(ret, "status", &v))
		str_copy(st->state, sizeof(st->state), json_object_get_string(v));
	st->running = json_object_object_get_ex(ret, "running", &v) && json_object_get_boolean(v);
	json_object_put(ret);
	/* utime and stime: fields 14 and 15, after the ")" that ends comm. */
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)vm->pid);
	f = fopen(path, "re");
	if (f && fgets(line, sizeof(line), f) && (p = strrchr(line, ')')) &&
	    sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime,
		   &stime) == 2)
		st->cpu_ns = (utime + stime) * (1000000000ULL / (unsigned long long)sysconf(_SC_CLK_TCK));
	if (f)
		fclose(f);
	return 0;
}

/* VmHWM of the emulator: the most host memory it ever held. */
static uint64_t qmp_peak_rss(struct vm *handle)
{
	struct qmp_vm *vm = qmp_of(handle);
	char path[64], line[256];
	unsigned long long kb = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)vm->pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return (uint64_t)kb * 1024;
}

/* Rss of the emulator now, from smaps_rollup (RSS the kernel counts
 * exactly, not the status file's approximate VmRSS). */
static uint64_t qmp_rss(struct vm *handle)
{
	struct qmp_vm *vm = qmp_of(handle);
	char path[64], text[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)vm->pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	return backend_smaps_rss(text);
}

static const char *qmp_version(struct vm *handle)
{
	struct qmp_vm *vm = qmp_of(handle);

	return vm->qmp.version;
}

static void qmp_stop(struct vm *handle, char *why, size_t whylen)
{
	struct qmp_vm *vm = handle ? qmp_of(handle) : NULL;
	bool ended;

	if (!vm)
		return;
	/* Ended on its own (crashed, killed, a guest that powered off) rather
	 * than by the quit below: that is what why reports. */
	ended = !alive(vm);
	if (why && whylen)
		*why = '\0';
	if (why && ended)
		spawn_describe_status(vm->status, why, whylen);
	if (!vm->exited && vm->qmp.jl.fd >= 0) {
		struct err ignored;

		qmp_execute(&vm->qmp, "quit", NULL, NULL, now_ms() + 2000, &ignored);
	}
	if (!vm->exited && spawn_wait(vm->pid, now_ms() + QUIT_TIMEOUT_MS, &vm->status) == 0)
		vm->exited = true;
	if (!vm->exited) {
		kill(-vm->pid, SIGKILL);
		kill(vm->pid, SIGKILL);
		while (waitpid(vm->pid, &vm->status, 0) < 0 && errno == EINTR)
			;
		vm->exited = true;
	}
	qmp_close(&vm->qmp);
	qga_close(&vm->qga);
	free(vm->file_backend);
	free(vm);
}

static int qmp_resolve_accel(const char *connect, unsigned choice, enum accel *out, char *reason,
			     size_t len, struct err *err)
{
	(void)connect;
	return accel_resolve(choice, out, reason, len, err);
}

const struct backend_ops backend_qmp = {
	.name = "qmp",
	.caps = 0,
	.resolve_accel = qmp_resolve_accel,
	.start = qmp_start,
	.dimm_add = qmp_dimm_add,
	.dimm_del = qmp_dimm_del,
	.dimm_release = qmp_dimm_release,
	.unplug_status = qmp_unplug_status,
	.virtio_mem_resize = qmp_virtio_mem_resize,
	.query_memory = qmp_query_memory,
	.wait_event = qmp_wait_event,
	.agent = qmp_agent,
	.vmm_command = qmp_vmm_command,
	.status = qmp_status,
	.peak_rss = qmp_peak_rss,
	.rss = qmp_rss,
	.version = qmp_version,
	.stop = qmp_stop,
};
