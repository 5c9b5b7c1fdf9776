// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>

#include "backend.h"

const struct backend_ops *backend_by_name(const char *name)
{
	if (!strcmp(name, backend_qmp.name))
		return &backend_qmp;
	if (!strcmp(name, backend_libvirt.name))
		return &backend_libvirt;
	return NULL;
}
