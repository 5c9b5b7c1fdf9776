/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_IMAGE_H
#define MEMHP_IMAGE_H

#include "err.h"

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

#endif
