/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_BACKEND_H
#define MEMHP_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "err.h"

/*
 * How memhp drives a virtual machine. One file per backend fills one
 * struct backend_ops (QEMU over QMP, libvirt); the runner and the hotplug
 * methods only ever call through it.
 */

#define BACKEND_LIBVIRT_DEFAULT_URI "qemu:///system"

enum accel { ACCEL_USE_KVM, ACCEL_USE_TCG };

/* A virtio-mem device present from boot with requested-size=0. */
struct vm_virtio_mem {
	char id[32];
	uint64_t max_size;   /* size of its memory backend */
	uint64_t block_size; /* device block size */
};

struct vm_config {
	const char *qemu;       /* emulator binary */
	const char *kernel;     /* bzImage */
	const char *initrd;     /* initramfs */
	const char *cmdline;
	const char *rundir;     /* private 0700 directory for sockets */
	const char *serial_log; /* guest console goes here */
	const char *qemu_log;   /* emulator stdout/stderr */
	const char *machine;
	enum accel accel;
	unsigned cpus;
	uint64_t memory, maxmem;
	unsigned slots;
	struct vm_virtio_mem *virtio_mem;
	size_t nvirtio_mem;
	bool free_page_reporting; /* virtio-balloon with free-page-reporting=on */
	const char *file_backend; /* hot-added memory in files in this directory, or NULL */
	int64_t boot_deadline; /* until the guest agent answers */
	const char *connect;   /* libvirt: the host's URI (NULL: the default) */
};

enum vm_event_kind {
	VM_EVENT_DEVICE_DELETED, /* a device is gone (unplug completed) */
	VM_EVENT_UNPLUG_STATUS,  /* the guest's answer to an eject (ACPI _OST) */
	VM_EVENT_UNPLUG_REJECTED, /* the guest refused an eject; status not known */
	VM_EVENT_SIZE_CHANGE,    /* a virtio-mem device's plugged size changed */
	VM_EVENT_OTHER,
};

struct vm_event {
	enum vm_event_kind kind;
	char name[48];   /* the backend's own event name */
	char device[64]; /* device id, when the event names one */
	unsigned source, status;
	uint64_t size;
};

struct vm_memory_device {
	char id[64];
	bool virtio_mem;
	uint64_t addr; /* DIMM: address; virtio-mem: start of its region */
	uint64_t size; /* DIMM: size; virtio-mem: plugged now */
	uint64_t requested_size, max_size, block_size; /* virtio-mem */
	int slot;                                      /* DIMM */
};

/* The VMM's own view of the guest, whatever its agent says. */
struct vm_status {
	char state[32];  /* QMP's run state: running, paused, internal-error, … */
	bool running;    /* the guest's CPUs are running */
	uint64_t cpu_ns; /* CPU time the emulator has used; 0 when not known */
};

struct vm;

struct backend_ops {
	const char *name;
	/* Which accelerator a guest on this backend (and host) gets for choice
	 * (enum accel_choice), with a reason for the result. */
	int (*resolve_accel)(const char *connect, unsigned choice, enum accel *out, char *reason,
			     size_t len, struct err *err);
	/* Start the guest and return once its agent answers (or fail). */
	int (*start)(const struct vm_config *cfg, struct vm **vm, struct err *err);
	/* Hot-add a DIMM of size bytes with its own memory backend (RAM, or a
	 * file when the VM was configured with file_backend). */
	int (*dimm_add)(struct vm *vm, const char *id, uint64_t size, struct err *err);
	/* Ask the guest to release a DIMM; the answer comes as events. */
	int (*dimm_del)(struct vm *vm, const char *id, struct err *err);
	/* Free a removed DIMM's memory backend. */
	int (*dimm_release)(struct vm *vm, const char *id, struct err *err);
	/* Last ACPI OSPM status the guest reported for a DIMM. -ENOENT if none. */
	int (*unplug_status)(struct vm *vm, const char *id, unsigned *source, unsigned *status,
			     struct err *err);
	/* Set a virtio-mem device's requested size (again re-triggers the driver). */
	int (*virtio_mem_resize)(struct vm *vm, const char *id, uint64_t requested,
				 struct err *err);
	/* All memory devices as the VMM sees them; caller frees *devs. */
	int (*query_memory)(struct vm *vm, struct vm_memory_device **devs, size_t *n,
			    struct err *err);
	/* Next event, or -ETIMEDOUT at deadline. */
	int (*wait_event)(struct vm *vm, int64_t deadline, struct vm_event *ev, struct err *err);
	/* One guest agent command (args consumed); *ret holds its "return". */
	int (*agent)(struct vm *vm, const char *cmd, json_object *args, json_object **ret,
		     int64_t deadline, struct err *err);
	/* The VMM's run state and CPU time (QMP query-status and /proc; libvirt
	 * virDomainGetInfo), to tell a guest too busy to answer its agent from
	 * one that has stopped. May be NULL (not known). */
	int (*status)(struct vm *vm, struct vm_status *st, struct err *err);
	/* Peak resident memory of the emulator on the host, in bytes. */
	uint64_t (*peak_rss)(struct vm *vm);
	/* Emulator version string, for the result. */
	const char *(*version)(struct vm *vm);
	/* Where the guest runs, when that is not this machine; NULL if it is. */
	void (*host_info)(struct vm *vm, char *host, size_t hostlen, char *kernel, size_t kernlen,
			  unsigned *cpus);
	/* Stop the guest, reap the emulator and free vm; always succeeds in
	 * leaving no process behind. Fills why with how it ended if it died. */
	void (*stop)(struct vm *vm, char *why, size_t whylen);
};

extern const struct backend_ops backend_qmp;
extern const struct backend_ops backend_libvirt;

/* "qmp" or "libvirt", or NULL. */
const struct backend_ops *backend_by_name(const char *name);

#endif
