/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_PROBE_FAULTS_H
#define MEMHP_PROBE_FAULTS_H

/* memhp-probe faults [...] | --off: kernel fault injection (faults.c). */
int faults_main(int argc, char **argv);

#endif
