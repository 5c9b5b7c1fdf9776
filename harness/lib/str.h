/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_STR_H
#define MEMHP_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* The number of elements of array a (an array, not a pointer). */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The struct of type that holds ptr as its member. */
#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/*
 * Copy src into a fixed-size field, cutting it at len - 1 bytes. Fields in
 * memhp's records are sized for what they hold (device ids, zone names);
 * returns false when src did not fit, so callers can tell.
 */
static inline bool str_copy(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);
	bool fits = n < len;

	if (!len)
		return false;
	if (!fits)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	return fits;
}

#endif
