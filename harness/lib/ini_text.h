/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_INI_TEXT_H
#define MEMHP_INI_TEXT_H

#include "errmsg.h"

/*
 * Feed inih from a string and count lines as it reads: Debian's inih gives
 * the handler no line number, and every error memhp reports names one.
 * Use: ini_parse_stream(ini_text_reader, &in, handler, user); in.lineno is
 * the line the handler is looking at.
 *
 * inih reads into a fixed line buffer (200 bytes in Debian's build) and
 * would take the rest of a longer line as a line of its own. The reader
 * hands inih no line that does not fit: it stops the parse there and sets
 * in.overlong to that line's number, for the caller to report (see
 * ini_text_overlong()).
 */
struct ini_text {
	const char *text; /* what is left to read */
	unsigned lineno;
	unsigned overlong;  /* first line too long for inih's buffer, or 0 */
	size_t overlong_len; /* its length in bytes, without the line end */
	size_t max_len;      /* the longest line inih took, without the line end */
};

char *ini_text_reader(char *str, int num, void *stream);

/* "PATH:LINE: line is N bytes long; at most M fit" into err when in->overlong;
 * returns -EINVAL then, else 0. */
int ini_text_overlong(const struct ini_text *in, const char *path, struct err *err);

/*
 * What inih would silently drop, as a syntax error naming the line: text
 * after a section header's ']' ("[hotplug] total = 64G", "[machine]]]"),
 * a carriage return that does not end a line (a CR-only file is one line to
 * inih, all its keys lost). 0, or -EINVAL with "PATH:LINE: ..." in err.
 */
int ini_text_check(const char *text, const char *path, struct err *err);

/* The largest scenario or matrix file memhp reads. */
#define INI_TEXT_MAX (1 << 20)

/* Read a whole file into *text (NUL-terminated, caller frees). Fails with a
 * message naming path when it cannot be read, is not a regular file, is
 * larger than INI_TEXT_MAX or holds a NUL byte. */
int ini_text_load(const char *path, char **text, struct err *err);

#endif
