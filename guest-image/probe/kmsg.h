/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_PROBE_KMSG_H
#define MEMHP_PROBE_KMSG_H

#include <stdbool.h>

/*
 * /dev/kmsg records from a cursor kept between probes: which are new, and
 * how many the kernel overwrote before they were read (gaps in the sequence
 * numbers), so a lost line is counted, never silent.
 */
struct kmsg_cursor {
	bool have;                /* a previous probe left a cursor */
	unsigned long long last;  /* its sequence number */
	unsigned long long next;  /* the sequence number expected next */
	unsigned long long seen;  /* the newest read: the next cursor */
	unsigned long long lost;
};

void kmsg_cursor_init(struct kmsg_cursor *c, bool have, unsigned long long last);
/* One record as read ("prio,seq,usec,flags;text\n…", changed in place):
 * its text when it is newer than the cursor, else NULL. */
char *kmsg_record(struct kmsg_cursor *c, char *buf, unsigned long long *seq,
		  unsigned long long *us);
/* Lines about hotplug, kept as text in the result. */
bool kmsg_is_hotplug(const char *msg);
/* The records harness/klog.c parses for the kernel's reasons. */
bool kmsg_is_reason(const char *msg);

#endif
