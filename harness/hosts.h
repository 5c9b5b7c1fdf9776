/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_HOSTS_H
#define MEMHP_HOSTS_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define HOSTS_MAX 64

/*
 * A hosts file: one libvirt URI per line; blank lines and lines starting
 * with # are skipped. A URI listed twice gets two cells at a time.
 */
struct hosts {
	char uri[HOSTS_MAX][512];
	size_t n;
};

int hosts_load(const char *path, struct hosts *h, struct err *err);
/* One URI's syntax: scheme:..., no blanks. */
int hosts_check_uri(const char *uri, struct err *err);

/* Does uri name a daemon on this machine (no server part)? */
bool hosts_uri_is_local(const char *uri);

#endif
