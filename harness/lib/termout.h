/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_TERMOUT_H
#define MEMHP_TERMOUT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

/* Tables on a terminal: colour only when the caller decided it may
 * (a TTY, NO_COLOR unset). */
#define TERM_BOLD "\033[1m"
#define TERM_RED "\033[31m"
#define TERM_GREEN "\033[32m"
#define TERM_RESET "\033[0m"

/* A byte (or UTF-8 sequence) that a terminal may take as a command: C0
 * controls, DEL, the C1 controls U+0080-U+009F (CSI is U+009B), and the
 * bidirectional controls that reorder what follows on the line (U+200E,
 * U+200F, U+202A-U+202E, U+2066-U+2069: "Trojan Source"); returns the
 * length of the sequence, 0 when s starts with something printable. */
static inline size_t term_control_len(const char *s)
{
	unsigned char c = (unsigned char)s[0], c1, c2;

	if (c < 0x20 || c == 0x7f)
		return 1;
	c1 = (unsigned char)s[1];
	if (c == 0xc2 && c1 >= 0x80 && c1 <= 0x9f)
		return 2;
	if (c == 0xe2 && c1) {
		c2 = (unsigned char)s[2];
		if (c1 == 0x80 && (c2 == 0x8e || c2 == 0x8f || (c2 >= 0xaa && c2 <= 0xae)))
			return 3;
		if (c1 == 0x81 && c2 >= 0xa6 && c2 <= 0xa9)
			return 3;
	}
	return 0;
}

/* Names come from result files: never let one drive the terminal. A copy
 * of s with control characters as '?'. */
static inline const char *term_printable(const char *s, char *buf, size_t len)
{
	size_t i = 0;

	while (*s && i + 1 < len) {
		size_t n = term_control_len(s);

		buf[i++] = n ? '?' : *s;
		s += n ? n : 1;
	}
	if (len)
		buf[i] = '\0';
	return buf;
}

/* fprintf for lines whose arguments come from result files: everything but
 * the line breaks is filtered as term_printable does. */
__attribute__((format(printf, 2, 3)))
static inline int term_fprintf(FILE *out, const char *fmt, ...)
{
	char *text = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return n;
	for (const char *s = text; *s;) {
		size_t k = *s == '\n' ? 0 : term_control_len(s);

		fputc(k ? '?' : *s, out);
		s += k ? k : 1;
	}
	free(text);
	return n;
}

#endif
