/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_OOPS_H
#define MEMHP_OOPS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A guest kernel's oops, BUG or panic, read back from the run's serial
 * console log (serial.log) after a run failed: the probe or the agent that
 * died with the guest's kernel says only "exited with status 137", the
 * console says why. The first such report is named in one line:
 * its headline ("BUG: kernel NULL pointer dereference, address: …"), the
 * faulting function (x86's "RIP:", ppc64's "NIP:", arm64's "pc :") and the
 * first frame of its call trace.
 */

/* Fills headline (the report's first line, the console's timestamp
 * stripped) and summary (headline, "at" function, "from" caller) and
 * returns true when the log at path holds a report; false when it holds
 * none or cannot be read. Either buffer may be NULL. */
bool oops_find(const char *path, char *headline, size_t hlen, char *summary, size_t slen);

/* The same on text already in memory (one report's lines, '\n'-separated). */
bool oops_find_text(const char *text, char *headline, size_t hlen, char *summary, size_t slen);

#endif
