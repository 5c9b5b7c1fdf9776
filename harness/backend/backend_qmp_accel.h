/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_BACKEND_QMP_ACCEL_H
#define MEMHP_BACKEND_QMP_ACCEL_H

#include <stddef.h>

#include "backend.h"
#include "errmsg.h"

/*
 * auto picks KVM only where hardware KVM is loaded (kvm_intel or kvm_amd):
 * /dev/kvm alone is not enough, since paravirtual KVM modules (kvm_pvm)
 * provide it too and stock kernels crawl on them. reason says why.
 */
int accel_resolve(unsigned choice, enum accel *out, char *reason, size_t len, struct err *err);

#endif
