// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which accelerator a guest on this machine gets for --accel / [machine]
 * accel: KVM only where hardware KVM is loaded (backend_qmp_accel.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backend_qmp_accel.h"

static const char *hardware_kvm(void)
{
	if (access("/dev/kvm", R_OK | W_OK))
		return NULL;
	if (!access("/sys/module/kvm_intel", F_OK))
		return "kvm_intel";
	if (!access("/sys/module/kvm_amd", F_OK))
		return "kvm_amd";
	return NULL;
}

int accel_resolve(unsigned choice, enum accel *out, char *reason, size_t len, struct err *err)
{
	const char *hw = hardware_kvm();

	switch (choice) {
	case ACCEL_KVM:
		if (access("/dev/kvm", R_OK | W_OK))
			return err_fail(err, -EINVAL, "--accel kvm: /dev/kvm is not usable here");
		*out = ACCEL_USE_KVM;
		snprintf(reason, len, "requested%s", hw ? "" : " (no kvm_intel/kvm_amd: expect it slow)");
		return 0;
	case ACCEL_TCG:
		*out = ACCEL_USE_TCG;
		snprintf(reason, len, "requested");
		return 0;
	default:
		*out = hw ? ACCEL_USE_KVM : ACCEL_USE_TCG;
		if (hw)
			snprintf(reason, len, "auto: hardware KVM (%s)", hw);
		else if (!access("/dev/kvm", F_OK))
			snprintf(reason, len, "auto: /dev/kvm without kvm_intel/kvm_amd");
		else
			snprintf(reason, len, "auto: no /dev/kvm");
		return 0;
	}
}
