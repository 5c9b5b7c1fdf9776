/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_SHA256_H
#define MEMHP_SHA256_H

#include <stddef.h>

#include "errmsg.h"

#define SHA256_HEX_LEN 64

/* The SHA-256 of len bytes at data, as 64 lowercase hex digits and a NUL. */
void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN + 1]);

/* The SHA-256 of what is left to read from fd; rewinds fd afterwards.
 * path only names the file in errors. */
int sha256_fd_hex(int fd, const char *path, char out[SHA256_HEX_LEN + 1], struct err *err);

#endif
