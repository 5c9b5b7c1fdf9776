// SPDX-License-Identifier: GPL-2.0-only
/*
 * The architectures memhp boots (arch.h): x86_64 (q35, the default),
 * ppc64le (pseries: DIMMs are DLPAR LMBs of 256 MiB, 64 KiB pages, SLOF)
 * and aarch64 (virt with UEFI from qemu-efi-aarch64: virtio-mem
 * cold-plugged; DIMMs need a kernel with ACPI memory hotplug).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "arch.h"

static const struct arch_info arches[ARCH_COUNT] = {
	[ARCH_X86_64] = { "x86_64", "amd64", "qemu-system-x86_64", "q35", "max", "ttyS0", NULL,
			  "deb:linux-image-6.1.*-cloud-amd64-unsigned", 128ULL << 20, true },
	[ARCH_PPC64LE] = { "ppc64le", "ppc64el", "qemu-system-ppc64", "pseries", "power9", "hvc0",
			   NULL, "deb:linux-image-6.1.*-powerpc64le", 256ULL << 20, false },
	[ARCH_AARCH64] = { "aarch64", "arm64", "qemu-system-aarch64", "virt", "cortex-a57",
			   "ttyAMA0", "/usr/share/qemu-efi-aarch64/QEMU_EFI.fd",
			   "deb:linux-image-6.1.0-[0-9]*[0-9]-arm64", 128ULL << 20, true },
};

const char *const arch_names[] = { "x86_64", "ppc64le", "aarch64", NULL };

const struct arch_info *arch_get(unsigned arch)
{
	return &arches[arch < ARCH_COUNT ? arch : ARCH_X86_64];
}

int arch_parse(const char *name, unsigned *arch, struct err *err)
{
	for (unsigned i = 0; i < ARCH_COUNT; i++)
		if (!strcmp(name, arches[i].name) || !strcmp(name, arches[i].debian)) {
			*arch = i;
			return 0;
		}
	return err_fail(err, -EINVAL, "architecture '%s' is not x86_64, ppc64le or aarch64", name);
}

const char *arch_qemu(unsigned arch, const char *qemu, char *buf, size_t len)
{
	static const char x86[] = "qemu-system-x86_64";
	const char *base;
	size_t dir;

	if (!qemu) /* a backend that starts no emulator of memhp's choosing */
		return NULL;
	base = strrchr(qemu, '/');
	base = base ? base + 1 : qemu;
	if (arch == ARCH_X86_64 || strcmp(base, x86))
		return qemu;
	dir = (size_t)(base - qemu);
	snprintf(buf, len, "%.*s%s", (int)dir, qemu, arch_get(arch)->qemu);
	return buf;
}

const char *arch_kernel(unsigned arch, const char *spec, const char *default_spec)
{
	if (!spec || (default_spec && !strcmp(spec, default_spec)))
		return arch_get(arch)->kernel;
	return spec;
}
