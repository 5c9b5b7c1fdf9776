/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_TERM_H
#define MEMHP_TERM_H

#include <stddef.h>

/* Tables on a terminal: colour only when the caller decided it may
 * (a TTY, NO_COLOR unset). */
#define TERM_BOLD "\033[1m"
#define TERM_RED "\033[31m"
#define TERM_GREEN "\033[32m"
#define TERM_RESET "\033[0m"

/* Names come from result files: never let one drive the terminal. A copy
 * of s with control characters as '?'. */
static inline const char *term_printable(const char *s, char *buf, size_t len)
{
	size_t i = 0;

	for (; *s && i + 1 < len; s++, i++)
		buf[i] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
	if (len)
		buf[i] = '\0';
	return buf;
}

#endif
