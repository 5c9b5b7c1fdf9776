/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_ARCH_H
#define MEMHP_ARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "errmsg.h"

/*
 * The guest's architecture (issue 24): [machine] arch and --arch. Each one
 * brings its QEMU binary, machine, CPU under TCG, firmware, console, Debian
 * architecture and default kernel, and what hotplug it has.
 */
enum arch { ARCH_X86_64, ARCH_PPC64LE, ARCH_AARCH64, ARCH_COUNT };

struct arch_info {
	const char *name;     /* x86_64, ppc64le, aarch64: the scenario's and --arch's */
	const char *debian;   /* Debian's architecture: amd64, ppc64el, arm64 */
	const char *qemu;     /* qemu-system-* */
	const char *machine;  /* QEMU machine when [machine] type is not set */
	const char *tcg_cpu;  /* -cpu under TCG (KVM: host) */
	const char *console;  /* the serial console's device */
	const char *firmware; /* -bios, or NULL for QEMU's own (SeaBIOS, SLOF) */
	const char *kernel;   /* the default kernel when --kernel is not given */
	uint64_t block_size;  /* the guest's memory block with Debian's kernel */
	bool virtio_mem;      /* virtio-mem-pci exists (only cold-plugged on aarch64) */
};

const struct arch_info *arch_get(unsigned arch);
/* "x86_64", "ppc64le", "aarch64" (also "amd64", "ppc64el", "arm64"):
 * 0 and *arch, or -EINVAL with the names memhp knows in err. */
int arch_parse(const char *name, unsigned *arch, struct err *err);
/* NULL-terminated names, for the scenario's key table. */
extern const char *const arch_names[];

/*
 * The emulator for arch: qemu as given (--qemu, $MEMHP_QEMU, or
 * qemu-system-x86_64), except that a qemu-system-x86_64 for another
 * architecture becomes that architecture's binary in the same directory
 * (so $MEMHP_QEMU's QEMU 10 brings its qemu-system-ppc64). buf holds the
 * result when it changed.
 */
const char *arch_qemu(unsigned arch, const char *qemu, char *buf, size_t len);
/* The kernel spec to run: default_spec (IMAGE_DEFAULT_KERNEL, the x86
 * default) becomes the architecture's own default; anything else stays. */
const char *arch_kernel(unsigned arch, const char *spec, const char *default_spec);

#endif
