/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_BISECT_SERIES_H
#define MEMHP_BISECT_SERIES_H

/*
 * memhp bisect's series: the patches it bisects (a directory's *.patch and
 * *.diff in name order, or `git format-patch` of a range), and OUT/series/k-K,
 * the first k of them as a series of its own for build-kernel.
 */
#include <limits.h>

#include "errmsg.h"
#include "sha256.h"

struct patch {
	char path[PATH_MAX];
	char name[256];
	char stem[128]; /* for directory names: the name without .patch, safe characters */
	char subject[512];
	char sha256[SHA256_HEX_LEN + 1];
};


/* The series in dir: *.patch and *.diff in (C locale) name order, as
 * guest-image/build-kernel reads a directory; *out malloc'd, *n of them. */
int bisect_load_series(const char *dir, struct patch **out, unsigned *n, struct err *err);
/* git format-patch A..B of tree into dir (emptied of patches first); the
 * tree must be checked out at A. */
int bisect_series_from_range(const char *tree, const char *range, const char *dir,
			     struct err *err);
/* OUT/series/k-K with the first k patches; its path in *dir (malloc'd). */
int bisect_prefix_series(const char *out, const struct patch *patches, unsigned k, char **dir,
			 struct err *err);

#endif
