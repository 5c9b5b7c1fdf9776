// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest images on a libvirt host: uploaded once per host and content into
 * memhp's storage pool, and a fresh qcow2 overlay volume per guest
 * (backend_libvirt_image.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libvirt/virterror.h>

#include "clock.h"
#include "backend_libvirt_image.h"
#include "backend_libvirt_xml.h"
#include "sha256.h"
#include "str.h"

const char *lv_last_error(void)
{
	const char *m = virGetLastErrorMessage();

	return m && *m ? m : "unknown libvirt error";
}

/* The memhp pool, started; defined, built and autostarted if missing. */
static virStoragePoolPtr pool_get(virConnectPtr conn, struct err *err)
{
	virStoragePoolPtr pool = virStoragePoolLookupByName(conn, LV_POOL_NAME);
	int active;

	if (!pool) {
		char *xml = lv_pool_xml(LV_POOL_NAME, LV_POOL_PATH);

		pool = virStoragePoolDefineXML(conn, xml, 0);
		free(xml);
		if (pool) {
			virStoragePoolBuild(pool, 0);
			virStoragePoolSetAutostart(pool, 1);
		} else {
			/* Another memhp may have defined it just now. */
			pool = virStoragePoolLookupByName(conn, LV_POOL_NAME);
		}
		if (!pool) {
			err_set(err, "storage pool " LV_POOL_NAME ": %s", lv_last_error());
			return NULL;
		}
	}
	active = virStoragePoolIsActive(pool);
	if (active == 0 && virStoragePoolCreate(pool, 0) < 0 && virStoragePoolIsActive(pool) != 1) {
		err_set(err, "storage pool " LV_POOL_NAME ": cannot start it: %s", lv_last_error());
		virStoragePoolFree(pool);
		return NULL;
	}
	return pool;
}

static int send_file(virStreamPtr st, int fd, const char *local, struct err *err)
{
	char buf[1 << 16];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0; off < n;) {
			int sent = virStreamSend(st, buf + off, (size_t)(n - off));

			if (sent < 0)
				return err_set(err, "uploading %s: %s", local, lv_last_error()), -EIO;
			off += sent;
		}
	}
	if (n < 0)
		return err_fail(err, -errno, "%s: %s", local, strerror(errno));
	return 0;
}

/* Upload fd into a fresh volume named partial. */
static virStorageVolPtr upload(virStoragePoolPtr pool, const char *partial, const char *format,
			       int fd, uint64_t size, const char *local, struct err *err)
{
	char *xml = lv_volume_xml(partial, size, format);
	virStorageVolPtr vol = virStorageVolCreateXML(pool, xml, 0);
	virStreamPtr st = NULL;
	int rc = -EIO;

	free(xml);
	if (!vol) {
		err_set(err, "creating volume %s: %s", partial, lv_last_error());
		return NULL;
	}
	st = virStreamNew(virStoragePoolGetConnect(pool), 0);
	if (st && virStorageVolUpload(vol, st, 0, size, 0) == 0) {
		rc = send_file(st, fd, local, err);
		if (!rc && virStreamFinish(st) < 0) {
			err_set(err, "uploading %s: %s", local, lv_last_error());
			rc = -EIO;
		}
		if (rc)
			virStreamAbort(st);
	} else {
		err_set(err, "uploading %s: %s", local, lv_last_error());
	}
	if (st)
		virStreamFree(st);
	if (rc) {
		virStorageVolDelete(vol, 0);
		virStorageVolFree(vol);
		return NULL;
	}
	return vol;
}

/* The host path of volume vol (named name) into path. */
static int vol_path(virStorageVolPtr vol, const char *name, char *path, size_t len,
		    struct err *err)
{
	char *p = virStorageVolGetPath(vol);
	int rc = 0;

	if (!p || !str_copy(path, len, p)) {
		err_set(err, "volume %s: no usable path: %s", name, p ? p : lv_last_error());
		rc = -EIO;
	}
	free(p);
	return rc;
}

int lv_image_upload(virConnectPtr conn, const char *local, const char *label, const char *format,
		    char *path, size_t len, struct err *err)
{
	char hex[65] = "", name[128], partial[160];
	virStorageVolPtr vol, part;
	virStoragePoolPtr pool;
	struct stat st;
	int fd, rc = 0;

	fd = open(local, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = -errno;
		if (fd >= 0)
			close(fd);
		return err_fail(err, rc, "%s: %s", local, strerror(-rc));
	}
	rc = sha256_fd_hex(fd, local, hex, err);
	if (rc) {
		close(fd);
		return rc;
	}
	snprintf(name, sizeof(name), "memhp-%.16s-%s", hex, label);
	pool = pool_get(conn, err);
	if (!pool) {
		close(fd);
		return -EIO;
	}
	vol = virStorageVolLookupByName(pool, name);
	if (!vol) {
		char *xml = lv_volume_xml(name, (uint64_t)st.st_size, format);

		snprintf(partial, sizeof(partial), "%s.partial-%ld-%" PRId64, name, (long)getpid(),
			 now_ms());
		part = upload(pool, partial, format, fd, (uint64_t)st.st_size, local, err);
		if (part) {
			vol = virStorageVolCreateXMLFrom(pool, xml, part, 0);
			/* Lost a race with another upload of the same image. */
			if (!vol)
				vol = virStorageVolLookupByName(pool, name);
			if (!vol)
				err_set(err, "volume %s: %s", name, lv_last_error());
			virStorageVolDelete(part, 0);
			virStorageVolFree(part);
		}
		free(xml);
	}
	close(fd);
	if (!vol) {
		virStoragePoolFree(pool);
		return -EIO;
	}
	rc = vol_path(vol, name, path, len, err);
	virStorageVolFree(vol);
	virStoragePoolFree(pool);
	return rc;
}

virStorageVolPtr lv_overlay_create(virConnectPtr conn, const char *name, uint64_t capacity,
				   const struct lv_disk *disk, char *path, size_t len,
				   struct err *err)
{
	virStoragePoolPtr pool = pool_get(conn, err);
	virStorageVolPtr vol;
	char *xml;

	if (!pool)
		return NULL;
	xml = lv_overlay_xml(name, capacity, disk);
	vol = virStorageVolCreateXML(pool, xml, 0);
	free(xml);
	if (!vol)
		err_set(err, "creating the overlay volume %s over %s: %s", name, disk->backing,
			lv_last_error());
	virStoragePoolFree(pool); /* (which clears libvirt's last error) */
	if (!vol)
		return NULL;
	if (vol_path(vol, name, path, len, err)) {
		virStorageVolDelete(vol, 0);
		virStorageVolFree(vol);
		vol = NULL;
	}
	return vol;
}
