/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_PROBE_LOAD_H
#define MEMHP_PROBE_LOAD_H

/* memhp-probe load KIND:BYTES...: start the holder (load.c). */
int load_main(int argc, char **argv);
/* memhp-probe load-stop: end it and remove its files. */
int load_stop_main(void);
/* memhp-probe tidy [drop-caches] [compact]: ask the kernel to free caches
 * and compact memory before unplug. */
int load_tidy_main(int argc, char **argv);

#endif
