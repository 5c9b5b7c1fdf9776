/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_UNITS_H
#define MEMHP_UNITS_H

#include <stdint.h>
#include <stddef.h>

/*
 * Sizes are binary, as the kernel and QEMU use them: "128M" and "128MiB" are
 * both 128 * 2^20 bytes; a bare number is bytes. Suffixes K, M, G, T (with an
 * optional "iB" or "B"), case-insensitive. Fractions are refused, so that a
 * scenario never depends on rounding.
 */
int parse_size(const char *s, uint64_t *out);
/* Durations: "500ms", "10s", "2m", "1h"; a bare number is seconds. */
int parse_duration_ms(const char *s, int64_t *out);
/* "1 GiB", "384 MiB", "4096 B": exact when possible, else two decimals. */
const char *format_size(uint64_t bytes, char *buf, size_t len);

#endif
