/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_BACKEND_H
#define MEMHP_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "errmsg.h"

/*
 * How memhp drives a virtual machine. One file per backend fills one
 * struct backend_ops (QEMU over QMP, libvirt); its start hook returns a
 * struct vm, the handle that carries those ops, and the runner and the
 * hotplug methods only ever call through the vm_*() wrappers on it. What a
 * backend needs besides (QMP's socket directory, libvirt's connection) is
 * its own, behind the handle.
 */

#define BACKEND_LIBVIRT_DEFAULT_URI "qemu:///system"
/* The storage pool libvirt hosts keep guest images in (--connect's help). */
#define BACKEND_LIBVIRT_POOL "memhp"

/* What a scenario or --accel asks for ([machine] accel). */
enum accel_choice { ACCEL_AUTO, ACCEL_KVM, ACCEL_TCG };
/* What the backend chose for it. */
enum accel { ACCEL_USE_KVM, ACCEL_USE_TCG };

/* A virtio-mem device present from boot with requested-size=0. */
struct vm_virtio_mem {
	char id[32];
	uint64_t max_size;   /* size of its memory backend */
	uint64_t block_size; /* device block size */
	bool dynamic_memslots;  /* dynamic-memslots=on */
	const char *unplugged_inaccessible; /* "on", "off", "auto" or NULL: QEMU's default */
};

/* What every backend boots; the backends' own options are in their part. */
struct vm_config {
	const char *kernel;     /* bzImage */
	const char *initrd;     /* initramfs */
	const char *cmdline;
	const char *serial_log; /* guest console goes here */
	const char *qemu_log;   /* emulator stdout/stderr */
	const char *machine;
	/* issue 24: -cpu under TCG (NULL: max; KVM always host) and -bios
	 * (NULL: QEMU's own), from the guest's architecture (arch.h) */
	const char *tcg_cpu, *firmware;
	enum accel accel;
	unsigned cpus;
	uint64_t memory, maxmem;
	unsigned slots;
	struct vm_virtio_mem *virtio_mem;
	size_t nvirtio_mem;
	bool free_page_reporting; /* virtio-balloon with free-page-reporting=on */
	/* NUMA nodes (0 or 1: none): boot memory split evenly, CPUs dealt
	 * round-robin; hot-added device K (DIMM dimmK, virtio-mem device K) on
	 * node vm_device_node(). QMP backend only. */
	unsigned nodes;
	const char *file_backend; /* hot-added memory in files in this directory, or NULL */
	/* A CXL type-3 device with this much volatile memory behind one host
	 * bridge and root port, and a fixed memory window for it (the machine
	 * gets cxl=on); 0: none. QMP backend only. */
	uint64_t cxl_volatile;
	int64_t boot_deadline; /* until the guest agent answers */
	/* The root disk (a local file), or NULL for none; disk_format is its
	 * format (qcow2 or raw). It is never written: the backend boots it as
	 * virtio-blk through a fresh copy-on-write qcow2 overlay of its own for
	 * this guest (QMP: in its private directory; libvirt: a volume in the
	 * host's pool, the disk uploaded there once) that goes when the guest
	 * does. */
	const char *disk, *disk_format;
	struct {
		const char *binary; /* the emulator (qemu-system-x86_64) */
	} qmp;
	struct {
		const char *connect; /* the host's URI (NULL: the default) */
	} libvirt;
};

/* The node of the K-th hot-added device in a guest of nodes nodes: one to a
 * node from node 1 on, wrapping (node 0 when there is one node). */
static inline unsigned vm_device_node(unsigned nodes, unsigned k)
{
	return nodes > 1 ? 1 + k % (nodes - 1) : 0;
}

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

struct backend_ops;

/*
 * A running guest: the handle a backend's start returns. Each backend embeds
 * it as the first member of its own state (struct qmp_vm, struct lv_vm) and
 * finds that state again with container_of; nobody else looks inside.
 */
struct vm {
	const struct backend_ops *ops; /* set by the backend's start */
};

/*
 * The contract every backend keeps.
 *
 * Returns. Every int hook returns 0 on success or a negative errno with a
 * message in err naming what failed. These errnos mean the same on every
 * backend, and callers act on them:
 *   -EREMOTEIO  the VMM refused this request (a QMP error reply, libvirt
 *               rejecting a device); the guest is still running, so a
 *               caller that can go on does (a refused device_del is that
 *               DIMM's outcome, not the run's failure);
 *   -EHOSTDOWN  the host failed (libvirt daemon or connection lost): the run
 *               fails as a host failure (result host_failure), which a
 *               batch or hosts queue may retry elsewhere;
 *   -ESRCH      the VMM died; err says how (signal, exit status, its last
 *               log line);
 *   -ENOENT     unsupported: the hook is NULL (the vm_*() wrappers return it
 *               with a message) or, for unplug_status, nothing was reported;
 *   -ETIMEDOUT  the deadline passed (wait_event: no event; agent: no reply);
 *   -EINTR      a stop signal arrived (memhp_stop_signal);
 *   -EPROTO     the VMM or agent answered something malformed.
 * Any other errno is a local failure (fork, pipe, memory).
 *
 * NULL. Hooks marked "may be NULL" are optional: NULL means the backend
 * cannot do it, never "nothing to do". Nobody calls a hook directly: the
 * vm_*() wrappers below check for NULL (as fio's td_io_*() do) and return
 * -ENOENT, so callers decide what unsupported means for them. The other
 * hooks must be set.
 *
 * Threads. Hooks are called from one thread; a backend may run its own
 * (libvirt's event loop) behind them.
 */
enum backend_caps {
	/* Runs guests on a host named by a URI (--connect, default_uri); the
	 * result records that URI. Without it the guest runs on this machine. */
	BACKEND_CAP_URI = 1u << 0,
};
/* For a BACKEND_CAP_URI backend, uri_check and uri_is_local are set. */

struct backend_ops {
	const char *name;
	unsigned caps;           /* enum backend_caps */
	const char *default_uri; /* BACKEND_CAP_URI: the host when --connect is not given */
	/* BACKEND_CAP_URI: 0 for a URI of the right syntax, else -EINVAL; and
	 * whether a URI names this machine. */
	int (*uri_check)(const char *uri, struct err *err);
	bool (*uri_is_local)(const char *uri);
	/* Which accelerator a guest on this backend (and host) gets for choice
	 * (enum accel_choice), with a reason for the result. -EINVAL: the choice
	 * is not available there; -EHOSTDOWN: the host could not be asked. */
	int (*resolve_accel)(const char *connect, unsigned choice, enum accel *out, char *reason,
			     size_t len, struct err *err);
	/* Start the guest and return once its agent answers: 0 with *vm set
	 * (its ops this table), or an error with *vm NULL and nothing left
	 * running (no file either). -ETIMEDOUT: no agent
	 * by cfg->boot_deadline; -ESRCH: the VMM died while booting; -EINVAL: the
	 * configuration was refused. */
	int (*start)(const struct vm_config *cfg, struct vm **vm, struct err *err);
	/* Hot-add a DIMM of size bytes with its own memory backend (RAM, or a
	 * file in cfg->file_backend when set); returns once the VMM has it.
	 * -EREMOTEIO: refused (no free slot, no memory). May be NULL. */
	int (*dimm_add)(struct vm *vm, const char *id, uint64_t size, struct err *err);
	/* Ask the guest to release a DIMM; returns once asked, the answer comes
	 * as events. -EREMOTEIO: the VMM refused to ask. May be NULL. */
	int (*dimm_del)(struct vm *vm, const char *id, struct err *err);
	/* Free the memory backend of a DIMM the guest released. May be NULL:
	 * the backend frees it with the DIMM (libvirt), and vm_dimm_release()
	 * returns -ENOENT. */
	int (*dimm_release)(struct vm *vm, const char *id, struct err *err);
	/* Last ACPI OSPM (_OST) status the guest reported for a DIMM.
	 * -ENOENT: none reported. May be NULL: the backend reports refusals as
	 * events only (libvirt's DEVICE_REMOVAL_FAILED). */
	int (*unplug_status)(struct vm *vm, const char *id, unsigned *source, unsigned *status,
			     struct err *err);
	/* Set a virtio-mem device's requested size; writing the same size
	 * again re-triggers the guest driver. May be NULL. */
	int (*virtio_mem_resize)(struct vm *vm, const char *id, uint64_t requested,
				 struct err *err);
	/* All memory devices as the VMM sees them now; caller frees *devs (also
	 * set, possibly to NULL, on error). */
	int (*query_memory)(struct vm *vm, struct vm_memory_device **devs, size_t *n,
			    struct err *err);
	/* Next event, or -ETIMEDOUT at deadline (a deadline in the past polls).
	 * -ESRCH when the VMM died while waiting. */
	int (*wait_event)(struct vm *vm, int64_t deadline, struct vm_event *ev, struct err *err);
	/* One guest agent command (args consumed, may be NULL); *ret (when ret
	 * is not NULL) holds its "return", which the caller puts. -EREMOTEIO:
	 * the agent answered with an error; -ETIMEDOUT: no answer by deadline;
	 * -ESRCH: the VMM died. */
	int (*agent)(struct vm *vm, const char *cmd, json_object *args, json_object **ret,
		     int64_t deadline, struct err *err);
	/* The VMM's run state and CPU time (QMP query-status and /proc; libvirt
	 * virDomainGetInfo), to tell a guest too busy to answer its agent from
	 * one that has stopped. May be NULL (not known). */
	int (*status)(struct vm *vm, struct vm_status *st, struct err *err);
	/* Peak resident memory of the emulator on the host, in bytes (0: not
	 * known). May be NULL. */
	uint64_t (*peak_rss)(struct vm *vm);
	/* Resident memory of the emulator now, in bytes (QMP: Rss of
	 * /proc/PID/smaps_rollup; libvirt: its RSS memory stat); 0: not known.
	 * May be NULL. (issue 25: host memory returned) */
	uint64_t (*rss)(struct vm *vm);
	/* Emulator version string for the result. May be NULL. */
	const char *(*version)(struct vm *vm);
	/* Where the guest runs, when that is not this machine: overwrites what
	 * the caller filled from uname. May be NULL (the guest runs here). */
	void (*host_info)(struct vm *vm, char *host, size_t hostlen, char *kernel, size_t kernlen,
			  unsigned *cpus);
	/* One command straight to the VMM's monitor (QMP), for tests and
	 * diagnostics that check what the VMM really holds: args consumed (may
	 * be NULL), *ret its "return" (caller puts). -EREMOTEIO: an error
	 * reply. May be NULL. */
	int (*vmm_command)(struct vm *vm, const char *cmd, json_object *args, json_object **ret,
			   struct err *err);
	/* Stop the guest, reap the emulator and free vm (NULL: nothing); never
	 * fails and leaves no process behind. why (may be NULL) gets how the VMM
	 * had ended when it ended before stop was called ("killed by signal 9
	 * (Killed)"), else "". */
	void (*stop)(struct vm *vm, char *why, size_t whylen);
};

/* The contract's wrappers: the one way to call a backend. Every one but
 * vm_resolve_accel and vm_start takes the handle, which knows its backend. */
int vm_resolve_accel(const struct backend_ops *be, const char *connect, unsigned choice,
		     enum accel *out, char *reason, size_t len, struct err *err);
int vm_start(const struct backend_ops *be, const struct vm_config *cfg, struct vm **vm,
	     struct err *err);
int vm_dimm_add(struct vm *vm, const char *id, uint64_t size, struct err *err);
int vm_dimm_del(struct vm *vm, const char *id, struct err *err);
int vm_dimm_release(struct vm *vm, const char *id, struct err *err);
int vm_unplug_status(struct vm *vm, const char *id, unsigned *source, unsigned *status,
		     struct err *err);
int vm_virtio_mem_resize(struct vm *vm, const char *id, uint64_t requested, struct err *err);
int vm_query_memory(struct vm *vm, struct vm_memory_device **devs, size_t *n, struct err *err);
int vm_wait_event(struct vm *vm, int64_t deadline, struct vm_event *ev, struct err *err);
int vm_agent(struct vm *vm, const char *cmd, json_object *args, json_object **ret,
	     int64_t deadline, struct err *err);
int vm_vmm_command(struct vm *vm, const char *cmd, json_object *args, json_object **ret,
		   struct err *err);
/* -ENOENT when the backend cannot tell. */
int vm_status(struct vm *vm, struct vm_status *st, struct err *err);
uint64_t vm_peak_rss(struct vm *vm);
uint64_t vm_rss(struct vm *vm);
/* The "Rss:" line of /proc/PID/smaps_rollup text, in bytes; 0 without one. */
uint64_t backend_smaps_rss(const char *text);
/* "" when the backend cannot tell. */
const char *vm_version(struct vm *vm);
/* Leaves host, kernel and cpus as they are when the guest runs here. */
void vm_host_info(struct vm *vm, char *host, size_t hostlen, char *kernel, size_t kernlen,
		  unsigned *cpus);
/* The name of the backend that runs vm. */
const char *vm_backend_name(const struct vm *vm);
void vm_stop(struct vm *vm, char *why, size_t whylen);
/* The host URI a run on be records: --connect's, the backend's default, or
 * NULL when the backend has no BACKEND_CAP_URI. */
const char *backend_uri(const struct backend_ops *be, const char *connect);
/* Does a guest on be (at the host connect, NULL: the default) run on this
 * machine? Always for a backend without BACKEND_CAP_URI. */
bool backend_runs_here(const struct backend_ops *be, const char *connect);

extern const struct backend_ops backend_qmp;
extern const struct backend_ops backend_libvirt;

/* "qmp" or "libvirt", or NULL. */
const struct backend_ops *backend_by_name(const char *name);
/* The backend that runs guests on other hosts (has BACKEND_CAP_URI). */
const struct backend_ops *backend_for_uri(void);

#endif
