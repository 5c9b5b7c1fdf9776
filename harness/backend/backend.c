// SPDX-License-Identifier: GPL-2.0-only
/*
 * The backend contract's wrappers (backend.h): the only callers of the hooks.
 * A NULL hook is an unsupported operation and comes back as -ENOENT with a
 * message naming the backend.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"

const struct backend_ops *backend_by_name(const char *name)
{
	if (!strcmp(name, backend_qmp.name))
		return &backend_qmp;
	if (!strcmp(name, backend_libvirt.name))
		return &backend_libvirt;
	return NULL;
}

const char *backend_uri(const struct backend_ops *be, const char *connect)
{
	if (!(be->caps & BACKEND_CAP_URI))
		return NULL;
	return connect ? connect : be->default_uri;
}

static int unsupported(const struct backend_ops *be, const char *what, struct err *err)
{
	return err_fail(err, -ENOENT, "the %s backend cannot %s", be->name, what);
}

int vm_resolve_accel(const struct backend_ops *be, const char *connect, unsigned choice,
		     enum accel *out, char *reason, size_t len, struct err *err)
{
	if (!be->resolve_accel)
		return unsupported(be, "choose an accelerator", err);
	return be->resolve_accel(connect, choice, out, reason, len, err);
}

int vm_start(const struct backend_ops *be, const struct vm_config *cfg, struct vm **vm,
	     struct err *err)
{
	*vm = NULL;
	if (!be->start)
		return unsupported(be, "start a guest", err);
	return be->start(cfg, vm, err);
}

int vm_dimm_add(const struct backend_ops *be, struct vm *vm, const char *id, uint64_t size,
		struct err *err)
{
	if (!be->dimm_add)
		return unsupported(be, "hot-add DIMMs", err);
	return be->dimm_add(vm, id, size, err);
}

int vm_dimm_del(const struct backend_ops *be, struct vm *vm, const char *id, struct err *err)
{
	if (!be->dimm_del)
		return unsupported(be, "unplug DIMMs", err);
	return be->dimm_del(vm, id, err);
}

int vm_dimm_release(const struct backend_ops *be, struct vm *vm, const char *id,
		    struct err *err)
{
	if (!be->dimm_release)
		return unsupported(be, "free a DIMM's memory backend on its own", err);
	return be->dimm_release(vm, id, err);
}

int vm_unplug_status(const struct backend_ops *be, struct vm *vm, const char *id,
		     unsigned *source, unsigned *status, struct err *err)
{
	if (!be->unplug_status)
		return unsupported(be, "read ACPI OSPM status", err);
	return be->unplug_status(vm, id, source, status, err);
}

int vm_virtio_mem_resize(const struct backend_ops *be, struct vm *vm, const char *id,
			 uint64_t requested, struct err *err)
{
	if (!be->virtio_mem_resize)
		return unsupported(be, "resize virtio-mem devices", err);
	return be->virtio_mem_resize(vm, id, requested, err);
}

int vm_query_memory(const struct backend_ops *be, struct vm *vm,
		    struct vm_memory_device **devs, size_t *n, struct err *err)
{
	*devs = NULL;
	*n = 0;
	if (!be->query_memory)
		return unsupported(be, "list memory devices", err);
	return be->query_memory(vm, devs, n, err);
}

int vm_wait_event(const struct backend_ops *be, struct vm *vm, int64_t deadline,
		  struct vm_event *ev, struct err *err)
{
	if (!be->wait_event)
		return unsupported(be, "report events", err);
	return be->wait_event(vm, deadline, ev, err);
}

int vm_agent(const struct backend_ops *be, struct vm *vm, const char *cmd, json_object *args,
	     json_object **ret, int64_t deadline, struct err *err)
{
	if (ret)
		*ret = NULL;
	if (!be->agent) {
		json_object_put(args);
		return unsupported(be, "reach a guest agent", err);
	}
	return be->agent(vm, cmd, args, ret, deadline, err);
}

int vm_vmm_command(const struct backend_ops *be, struct vm *vm, const char *cmd,
		   json_object *args, json_object **ret, struct err *err)
{
	if (ret)
		*ret = NULL;
	if (!be->vmm_command) {
		json_object_put(args);
		return unsupported(be, "pass commands to its VMM", err);
	}
	return be->vmm_command(vm, cmd, args, ret, err);
}

int vm_status(const struct backend_ops *be, struct vm *vm, struct vm_status *st, struct err *err)
{
	if (!be->status)
		return unsupported(be, "report the VM's run state", err);
	return be->status(vm, st, err);
}

uint64_t vm_peak_rss(const struct backend_ops *be, struct vm *vm)
{
	return be->peak_rss ? be->peak_rss(vm) : 0;
}

uint64_t vm_rss(const struct backend_ops *be, struct vm *vm)
{
	return be->rss ? be->rss(vm) : 0;
}

uint64_t backend_smaps_rss(const char *text)
{
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		unsigned long long kb;

		if (sscanf(p, "Rss: %llu kB", &kb) == 1 && !strncmp(p, "Rss:", 4))
			return (uint64_t)kb * 1024;
	}
	return 0;
}

const char *vm_version(const struct backend_ops *be, struct vm *vm)
{
	const char *v = be->version ? be->version(vm) : NULL;

	return v ? v : "";
}

void vm_host_info(const struct backend_ops *be, struct vm *vm, char *host, size_t hostlen,
		  char *kernel, size_t kernlen, unsigned *cpus)
{
	if (be->host_info)
		be->host_info(vm, host, hostlen, kernel, kernlen, cpus);
}

void vm_stop(const struct backend_ops *be, struct vm *vm, char *why, size_t whylen)
{
	if (why && whylen)
		*why = '\0';
	if (vm && be->stop)
		be->stop(vm, why, whylen);
}
