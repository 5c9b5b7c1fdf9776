/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_DATADIR_H
#define MEMHP_DATADIR_H

#include <stddef.h>

/*
 * Where memhp finds guest-image/, scenarios/ and reports/ (docs/design.md),
 * decided at run time, first match:
 *   1. $MEMHP_DATADIR, when set and not empty;
 *   2. next to the executable (/proc/self/exe): BINDIR/../share/memhp for an
 *      installed memhp (relocatable: a DESTDIR install works as it is), or
 *      the checkout when it runs as harness/memhp from one;
 *   3. the source tree it was built in (MEMHP_DATADIR at compile time), for
 *      the test programs under build/.
 * A directory counts when it has guest-image/build-image.
 */
const char *memhp_datadir(void);

/* The guest probe, memhp-probe: DATADIR/guest-image/probe/memhp-probe (a
 * checkout), else BINDIR/../libexec/memhp/memhp-probe (installed). */
const char *memhp_probe_path(void);

/* memhp's cache, as guest-image/build-image chooses it: $MEMHP_CACHE, else
 * $XDG_CACHE_HOME/memhp, else $HOME/.cache/memhp (empty counts as unset).
 * Into buf; returns buf. */
char *memhp_cache_dir(char *buf, size_t len);

/* Resolve once more (after a change of $MEMHP_DATADIR; for tests). */
void memhp_datadir_reset(void);

/* mkdir -p: 0 or a negative errno. */
int make_dirs(const char *path);

#endif
