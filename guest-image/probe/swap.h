/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_PROBE_SWAP_H
#define MEMHP_PROBE_SWAP_H

/* memhp-probe swap [--zram BYTES] [--file BYTES]: swap in the guest (swap.c). */
int swap_main(int argc, char **argv);

#endif
