// SPDX-License-Identifier: GPL-2.0-only
/*
 * ACPI _OST status codes as QEMU reports them: the one place memhp reads
 * those numbers (ost.h).
 */
#include "ost.h"

bool ost_is_rejection(unsigned source, unsigned status)
{
	return source == OST_SOURCE_EJECT && (status == 0x01 || (status >= 0x80 && status <= 0x83));
}

bool ost_is_success(unsigned source, unsigned status)
{
	return source == OST_SOURCE_EJECT && status == 0x00;
}

const char *ost_status_name(unsigned status)
{
	switch (status) {
	case 0x00: return "success";
	case 0x01: return "failure";
	case 0x02: return "unrecognized notify";
	case 0x80: return "eject not supported";
	case 0x81: return "in use by an application";
	case 0x82: return "busy";
	case 0x83: return "dependency busy";
	case 0x84: return "in progress";
	default: return "unknown";
	}
}
