/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_BACKEND_LIBVIRT_IMAGE_H
#define MEMHP_BACKEND_LIBVIRT_IMAGE_H

#include <stddef.h>

#include <libvirt/libvirt.h>

#include "backend.h"
#include "backend_libvirt_xml.h"
#include "errmsg.h"

/* The storage pool guest images go to on every host, created (a directory
 * pool at LV_POOL_PATH, autostarted) when the host has none. */
#define LV_POOL_NAME BACKEND_LIBVIRT_POOL
#define LV_POOL_PATH "/var/lib/libvirt/memhp"

/* libvirt's message for the last failed call on this thread, never NULL. */
const char *lv_last_error(void);

/*
 * Make the local file available on the connection's host as a volume named
 * memhp-<sha256 prefix>-<label> of the given format (raw, or qcow2 for a
 * qcow2 disk) and put its host path in path. The upload happens once per
 * host and content: it goes to a private partial volume first and is cloned
 * to its final name only when complete, so that an interrupted upload is
 * never mistaken for a cached image. libvirt clones a qcow2 volume with
 * qemu-img convert: the final volume holds the same disk, not the same bytes.
 */
int lv_image_upload(virConnectPtr conn, const char *local, const char *label, const char *format,
		    char *path, size_t len, struct err *err);

/*
 * A fresh qcow2 overlay volume named name over disk->backing (a path on the
 * host, as lv_image_upload gives), capacity bytes big (the disk's virtual
 * size), for one guest to write to. Its host path goes to path. The caller
 * deletes it (virStorageVolDelete) and frees it.
 */
virStorageVolPtr lv_overlay_create(virConnectPtr conn, const char *name, uint64_t capacity,
				   const struct lv_disk *disk, char *path, size_t len,
				   struct err *err);

#endif
