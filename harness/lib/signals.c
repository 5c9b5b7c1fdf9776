// SPDX-License-Identifier: GPL-2.0-only
/*
 * The stop signals (SIGINT, SIGTERM, SIGHUP): a flag that every wait
 * polls (signals.h).
 */
#include <string.h>

#include "signals.h"

volatile sig_atomic_t memhp_stop_signal;

static void on_stop(int sig)
{
	memhp_stop_signal = sig;
}

void signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocking poll or waitpid returns EINTR at once. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}
