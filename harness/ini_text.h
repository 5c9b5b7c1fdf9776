/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_INI_TEXT_H
#define MEMHP_INI_TEXT_H

/*
 * Feed inih from a string and count lines as it reads: Debian's inih gives
 * the handler no line number, and every error memhp reports names one.
 * Use: ini_parse_stream(ini_text_reader, &in, handler, user); in.lineno is
 * the line the handler is looking at.
 */
struct ini_text {
	const char *text; /* what is left to read */
	unsigned lineno;
};

char *ini_text_reader(char *str, int num, void *stream);

#endif
