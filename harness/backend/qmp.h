/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_QMP_H
#define MEMHP_QMP_H

#include "jsonline.h"

/*
 * QMP on top of jsonline: greeting, qmp_capabilities, commands with ids,
 * and asynchronous events queued while a command waits for its reply.
 */
struct qmp {
	struct jsonline jl;
	json_object **events; /* FIFO of events not yet taken */
	size_t nevents, capevents;
	unsigned long next_id;
	char version[64]; /* "7.2.22 (Debian ...)" from the greeting */
};

/* Read the greeting and negotiate capabilities on an open socket. */
int qmp_open(struct qmp *q, int fd, int64_t deadline, struct err *err);
void qmp_close(struct qmp *q);

/*
 * Run cmd with args (consumed; may be NULL). On success *ret (if non-NULL)
 * holds the "return" value (caller puts it). A QMP error returns -EREMOTEIO
 * with "cmd: Class: desc" in err.
 */
int qmp_execute(struct qmp *q, const char *cmd, json_object *args, json_object **ret,
		int64_t deadline, struct err *err);

/* Take the oldest queued event, or wait for the next one until deadline. */
int qmp_next_event(struct qmp *q, int64_t deadline, json_object **event, struct err *err);

#endif
