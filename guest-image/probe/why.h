/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_PROBE_WHY_H
#define MEMHP_PROBE_WHY_H

#include <stdint.h>

/* memhp-probe why INDEX...: page kinds and a verdict per memory block. */
int why_main(int argc, char **argv, uint64_t block_size);

#endif
