/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_IMAGE_H
#define MEMHP_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "errmsg.h"

/* The default guest kernel: Debian 12's newest 6.1 cloud kernel. */
#define IMAGE_DEFAULT_KERNEL "deb:linux-image-6.1.*-cloud-amd64-unsigned"

struct image {
	char dir[4096];
	char kernel[4200], initrd[4200];
	char spec[512];
	char release[128]; /* as packaged; the probe reports the running one */
	char key[40];
	char build[4200]; /* build: kernels: build-kernel's directory (kernel.json), else "" */
};

/* Where memhp finds guest-image/ and scenarios/: memhp_datadir() (datadir.h:
 * $MEMHP_DATADIR, else next to the executable, else the source tree). */
const char *image_datadir(void);

/* Build or reuse the image for a kernel spec (deb:PKG, path:BZIMAGE with an
 * optional modules directory, or build:TREE[+SERIES] compiled through
 * guest-image/build-kernel, with kconfig as its extra Kconfig fragment)
 * through guest-image/build-image. */
int image_resolve(const char *spec, const char *modules, const char *kconfig, struct image *img,
		  struct err *err);
/* The same for a guest architecture (arch.h's names): another than x86_64
 * gets build-image --arch (deb: and path: kernels only). */
int image_resolve_arch(const char *spec, const char *modules, const char *kconfig,
		       const char *arch, struct image *img, struct err *err);

/*
 * What a kernel spec reads besides its tree and packages, digested: a
 * build: kernel's SERIES (the file, or every file below the directory, by
 * path relative to it) and its kconfig fragment, a path: kernel's bzImage.
 * out is "" for a deb: kernel (the result names its package version).
 * memhp run --resume compares it, so that a patch edited under the same
 * spec is run again instead of kept.
 */
int image_inputs_digest(const char *spec, const char *kconfig, char out[65], struct err *err);

/* The kernel_id in the image.json of the cached guest image key (under
 * memhp_cache_dir()/images/), or "" when it is not cached. */
void image_cached_kernel_id(const char *key, char *buf, size_t len);

/*
 * The guest's root: memhp's initramfs (the default), memhp's Debian disk
 * image (debian, built by guest-image/build-disk) or a disk of the user's own
 * (path:DISK, qcow2 or raw). A disk boots the kernel of struct image with a
 * small initramfs of build-disk's that mounts the disk and starts its init.
 */
enum image_kind { IMAGE_INITRAMFS, IMAGE_DEBIAN, IMAGE_PATH };

#define IMAGE_DEFAULT "initramfs"

struct disk_image {
	enum image_kind kind;
	char spec[4200];   /* as given */
	char disk[4200];   /* the base disk, never written; "" for the initramfs */
	char format[8];    /* its format for QEMU: qcow2 or raw */
	char initrd[4200]; /* the boot initramfs for the disk */
	char hash[72];     /* debian: build-disk's key; path: sha256 of the file */
	bool has_probe;    /* memhp-probe is in the image (else memhp uploads it) */
};

/* What a disk file is, from its header: qcow2 (by its magic) or raw. */
struct disk_info {
	char format[8];        /* qcow2 or raw */
	uint64_t virtual_size; /* the size the guest sees */
	bool backing;          /* a qcow2 with a backing file of its own */
};

int image_disk_probe(const char *path, struct disk_info *info, struct err *err);

/* Check an --image value: initramfs, debian or path:FILE. */
int image_kind_parse(const char *spec, enum image_kind *kind, struct err *err);
const char *image_kind_name(enum image_kind kind);

/* Build or reuse (cached, like the kernel images) what booting spec with
 * kernel needs; for the initramfs only kind and spec are set. */
int image_resolve_disk(const char *spec, const struct image *kernel, const char *modules,
		       struct disk_image *d, struct err *err);

#endif
