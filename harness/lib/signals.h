/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_SIGNALS_H
#define MEMHP_SIGNALS_H

#include <signal.h>

/*
 * SIGINT, SIGTERM and SIGHUP set this flag (to the signal number) and nothing
 * else. Every wait in memhp polls in short slices and returns -EINTR once it
 * is set, so the runner can stop the guest and write what it measured.
 */
extern volatile sig_atomic_t memhp_stop_signal;

void signals_install(void);

#endif
