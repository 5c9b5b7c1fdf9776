/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_CLOCK_H
#define MEMHP_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Milliseconds on the monotonic clock: every deadline in memhp is one. */
static inline int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleep ms milliseconds (less when a signal arrives); nothing for ms <= 0. */
static inline void sleep_ms(int64_t ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	if (ms > 0)
		nanosleep(&ts, NULL);
}

/* Milliseconds left until deadline, clamped to [0, cap]. */
static inline int ms_left(int64_t deadline, int cap)
{
	int64_t left = deadline - now_ms();

	if (left < 0)
		return 0;
	return left > cap ? cap : (int)left;
}

#endif
