/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_XALLOC_H
#define MEMHP_XALLOC_H

/*
 * memhp's one out-of-memory policy: an allocation that fails ends the
 * program, with "memhp: out of memory (N bytes)" on stderr and abort().
 * memhp allocates little (records, paths, JSON), so a failure means the
 * machine is in trouble; no caller has a useful way on, and an abort
 * leaves a core for the rare case where a size was computed wrong.
 * Use these, not a bare malloc() with `if (!p) abort();` at each site.
 *
 * Paths are built with xasprintf()/path_join() into exactly-sized
 * strings (the caller frees), not into fixed [4096] buffers that truncate
 * or need a length check at every snprintf.
 */
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
__attribute__((format(printf, 1, 2)))
char *xasprintf(const char *fmt, ...);
/* "dir/name" (one slash between them whatever dir ends with), malloc'd. */
char *path_join(const char *dir, const char *name);
/* Called on a failed allocation of n bytes: prints and aborts. */
__attribute__((noreturn))
void xalloc_die(size_t n);

#endif
