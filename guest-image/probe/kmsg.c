// SPDX-License-Identifier: GPL-2.0-only
/* /dev/kmsg records for memhp (kmsg.h). */
#include <stdio.h>
#include <string.h>

#include "kmsg.h"

void kmsg_cursor_init(struct kmsg_cursor *c, bool have, unsigned long long last)
{
	memset(c, 0, sizeof(*c));
	c->have = have;
	c->last = c->seen = last;
	c->next = have ? last + 1 : 0;
}

char *kmsg_record(struct kmsg_cursor *c, char *buf, unsigned long long *seq,
		  unsigned long long *us)
{
	unsigned prio;
	char *msg, *nl;

	if (sscanf(buf, "%u,%llu,%llu,", &prio, seq, us) != 3)
		return NULL;
	if (c->have && *seq <= c->last)
		return NULL;
	if (c->have && *seq > c->next)
		c->lost += *seq - c->next;
	c->next = *seq + 1;
	c->seen = *seq;
	msg = strchr(buf, ';');
	if (!msg)
		return NULL;
	msg++;
	nl = strchr(msg, '\n');
	if (nl)
		*nl = '\0';
	return msg;
}

bool kmsg_is_hotplug(const char *msg)
{
	static const char *const needles[] = {
		"offlin", "Offline", "page dumped because", "memory_hotplug",
		"virtio_mem", "hotplug", "Eject", "remove_memory",
		/* [faults]: the injections themselves (issue 25) */
		"Injecting error (", "FAULT_INJECTION: forcing a failure",
	};

	for (size_t i = 0; i < sizeof(needles) / sizeof(needles[0]); i++)
		if (strstr(msg, needles[i]))
			return true;
	return false;
}

/*
 * dump_page()'s lines, migration and isolation failures, dynamic debug's
 * "memory offlining ... failed due to", the ACPI and pseries verdicts, and
 * "Offlined Pages" (progress).
 */
bool kmsg_is_reason(const char *msg)
{
	static const char *const prefixes[] = {
		"page:", "head:", "flags:", "anon flags:", "ksm flags:", "aops:", "page_type:",
	};
	static const char *const needles[] = {
		"page dumped because:", "migrating pfn ", "failed to isolate pfn ",
		"memory offlining [mem ", "Offlined Pages ", "Offline failed",
		"pseries-hotplug-mem", "indexed-count-remove",
	};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(msg, prefixes[i], strlen(prefixes[i])))
			return true;
	for (size_t i = 0; i < sizeof(needles) / sizeof(needles[0]); i++)
		if (strstr(msg, needles[i]))
			return true;
	return false;
}
