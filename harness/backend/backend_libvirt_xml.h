/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_BACKEND_LIBVIRT_XML_H
#define MEMHP_BACKEND_LIBVIRT_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "errmsg.h"

/*
 * The libvirt XML memhp writes and reads, kept apart from the API calls so
 * that it can be tested without a daemon. Everything is built and parsed
 * with libxml2: names, paths and command lines are escaped by it, never by
 * hand. Device ids map to user aliases "ua-<id>" (libvirt keeps those as
 * given), so that events name memhp's ids.
 */

#define LV_ALIAS_PREFIX "ua-"

/* A root disk on the host: a qcow2 overlay and the disk it is over. */
struct lv_disk {
	const char *overlay;        /* host path of the per-run overlay (qcow2) */
	const char *backing;        /* host path of the disk, never written */
	const char *backing_format; /* qcow2 or raw */
};

/* A transient domain for cfg: type kvm or qemu, <maxMemory slots>, one NUMA
 * node (libvirt wants one for memory devices), the kernel and initrd at the
 * given host paths, disk (when not NULL) as virtio disk vda, a serial
 * console, the guest agent channel and cfg's virtio-mem devices. Caller
 * frees. NULL with err set when cfg asks for something the libvirt backend
 * cannot express. */
char *lv_domain_xml(const struct vm_config *cfg, const char *name, const char *kernel,
		    const char *initrd, const struct lv_disk *disk, struct err *err);

/* <memory model='dimm'> of size bytes with alias ua-<id>. Caller frees. */
char *lv_dimm_xml(const char *id, uint64_t size);

/* Memory devices of a live domain XML (ids without the ua- prefix; devices
 * without a user alias are skipped). Caller frees *devs. *have_base says
 * whether every virtio-mem device's start address was in the XML (libvirt
 * 9.4 and later write it). */
int lv_parse_memory(const char *domxml, struct vm_memory_device **devs, size_t *n,
		    bool *have_base, struct err *err);

/* The live XML of virtio-mem device id with <requested> set: what
 * virDomainUpdateDeviceFlags takes. Caller frees. */
char *lv_virtio_mem_xml(const char *domxml, const char *id, uint64_t requested,
			struct err *err);

/* From virConnectGetCapabilities: does the host CPU have vmx or svm, i.e.
 * could KVM there be hardware virtualisation? */
bool lv_caps_hw_virt(const char *capsxml);

/* <volume> of a file of capacity bytes in format (raw, qcow2) named name.
 * Caller frees. */
char *lv_volume_xml(const char *name, uint64_t capacity, const char *format);

/* <volume> of a qcow2 overlay named name over disk (its backing file), of
 * the disk's virtual size capacity. Caller frees. */
char *lv_overlay_xml(const char *name, uint64_t capacity, const struct lv_disk *disk);

/* <pool type='dir'> named name at path. Caller frees. */
char *lv_pool_xml(const char *name, const char *path);

#endif
