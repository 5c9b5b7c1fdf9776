// SPDX-License-Identifier: GPL-2.0-only
/*
 * The backend contract's wrappers (backend.h): the only callers of the hooks.
 * A NULL hook is an unsupported operation and comes back as -ENOENT with a
 * message naming the backend. Every wrapper but the two that make a guest
 * finds the backend in the handle.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "str.h"

static const struct backend_ops *const backends[] = { &backend_qmp, &backend_libvirt };

const struct backend_ops *backend_by_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(backends); i++)
		if (!strcmp(name, backends[i]->name))
			return backends[i];
	return NULL;
}

const struct backend_ops *backend_for_uri(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(backends); i++)
		if (backends[i]->caps & BACKEND_CAP_URI)
			return backends[i];
	return NULL;
}

const char *backend_uri(const struct backend_ops *be, const char *connect)
{
	if (!(be->caps & BACKEND_CAP_URI))
		return NULL;
	return connect ? connect : be->default_uri;
}

bool backend_runs_here(const struct backend_ops *be, const char *connect)
{
	return !(be->caps & BACKEND_CAP_URI) || be->uri_is_local(backend_uri(be, connect));
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
	int rc;

	*vm = NULL;
	if (!be->start)
		return unsupported(be, "start a guest", err);
	rc = be->start(cfg, vm, err);
	if (!rc)
		(*vm)->ops = be;
	return rc;
}

const char *vm_backend_name(const struct vm *vm)
{
	return vm->ops->name;
}

int vm_dimm_add(struct vm *vm, const char *id, uint64_t size, struct err *err)
{
	if (!vm->ops->dimm_add)
		return unsupported(vm->ops, "hot-add DIMMs", err);
	return vm->ops->dimm_add(vm, id, size, err);
}

int vm_dimm_del(struct vm *vm, const char *id, struct err *err)
{
	if (!vm->ops->dimm_del)
		return unsupported(vm->ops, "unplug DIMMs", err);
	return vm->ops->dimm_del(vm, id, err);
}

int vm_dimm_release(struct vm *vm, const char *id, struct err *err)
{
	if (!vm->ops->dimm_release)
		return unsupported(vm->ops, "free a DIMM's memory backend on its own", err);
	return vm->ops->dimm_release(vm, id, err);
}

int vm_unplug_status(struct vm *vm, const char *id, unsigned *source, unsigned *status,
		     struct err *err)
{
	if (!vm->ops->unplug_status)
		return unsupported(vm->ops, "read ACPI OSPM status", err);
	return vm->ops->unplug_status(vm, id, source, status, err);
}

int vm_virtio_mem_resize(struct vm *vm, const char *id, uint64_t requested, struct err *err)
{
	if (!vm->ops->virtio_mem_resize)
		return unsupported(vm->ops, "resize virtio-mem devices", err);
	return vm->ops->virtio_mem_resize(vm, id, requested, err);
}

int vm_query_memory(struct vm *vm, struct vm_memory_device **devs, size_t *n, struct err *err)
{
	*devs = NULL;
	*n = 0;
	if (!vm->ops->query_memory)
		return unsupported(vm->ops, "list memory devices", err);
	return vm->ops->query_memory(vm, devs, n, err);
}

int vm_wait_event(struct vm *vm, int64_t deadline, struct vm_event *ev, struct err *err)
{
	if (!vm->ops->wait_event)
		return unsupported(vm->ops, "report events", err);
	return vm->ops->wait_event(vm, deadline, ev, err);
}

int vm_agent(struct vm *vm, const char *cmd, json_object *args, json_object **ret,
	     int64_t deadline, struct err *err)
{
	if (ret)
		*ret = NULL;
	if (!vm->ops->agent) {
		json_object_put(args);
		return unsupported(vm->ops, "reach a guest agent", err);
	}
	return vm->ops->agent(vm, cmd, args, ret, deadline, err);
}

int vm_vmm_command(struct vm *vm, const char *cmd, json_object *args, json_object **ret,
		   struct err *err)
{
	if (ret)
		*ret = NULL;
	if (!vm->ops->vmm_command) {
		json_object_put(args);
		return unsupported(vm->ops, "pass commands to its VMM", err);
	}
	return vm->ops->vmm_command(vm, cmd, args, ret, err);
}

int vm_status(struct vm *vm, struct vm_status *st, struct err *err)
{
	if (!vm->ops->status)
		return unsupported(vm->ops, "report the VM's run state", err);
	return vm->ops->status(vm, st, err);
}

uint64_t vm_peak_rss(struct vm *vm)
{
	return vm->ops->peak_rss ? vm->ops->peak_rss(vm) : 0;
}

uint64_t vm_rss(struct vm *vm)
{
	return vm->ops->rss ? vm->ops->rss(vm) : 0;
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

const char *vm_version(struct vm *vm)
{
	const char *v = vm->ops->version ? vm->ops->version(vm) : NULL;

	return v ? v : "";
}

void vm_host_info(struct vm *vm, char *host, size_t hostlen, char *kernel, size_t kernlen,
		  unsigned *cpus)
{
	if (vm->ops->host_info)
		vm->ops->host_info(vm, host, hostlen, kernel, kernlen, cpus);
}

void vm_stop(struct vm *vm, char *why, size_t whylen)
{
	if (why && whylen)
		*why = '\0';
	if (vm && vm->ops->stop)
		vm->ops->stop(vm, why, whylen);
}
