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

/* A transient domain for cfg: type kvm or qemu, <maxMemory slots>, one NUMA
 * node (libvirt wants one for memory devices), the kernel and initrd at the
 * given host paths, a serial console, the guest agent channel and cfg's
 * virtio-mem devices. Caller frees. NULL with err set when cfg asks for
 * something the libvirt backend cannot express. */
char *lv_domain_xml(const struct vm_config *cfg, const char *name, const char *kernel,
		    const char *initrd, struct err *err);

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

/* <volume> of a raw file of capacity bytes named name. Caller frees. */
char *lv_volume_xml(const char *name, uint64_t capacity);

/* <pool type='dir'> named name at path. Caller frees. */
char *lv_pool_xml(const char *name, const char *path);

#endif
