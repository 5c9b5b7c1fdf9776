/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_OST_H
#define MEMHP_OST_H

#include <stdbool.h>

/*
 * ACPI _OST (OSPM status indication) as QEMU reports it in ACPI_DEVICE_OST
 * and query-acpi-ospm-status. The only place memhp interprets these numbers.
 * ACPI 6.x, table "Status codes": source 0x03 is an eject request.
 */
#define OST_SOURCE_EJECT 0x03

/* The guest refused the eject: 0x01 failure, 0x80-0x83 eject-specific. */
bool ost_is_rejection(unsigned source, unsigned status);
/* The guest finished: status 0 (success) for an eject. */
bool ost_is_success(unsigned source, unsigned status);
/* "busy", "in progress", "success" … for results and messages. */
const char *ost_status_name(unsigned status);

#endif
