/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_QGA_H
#define MEMHP_QGA_H

#include <stdbool.h>

#include "jsonline.h"

/*
 * The qemu-guest-agent protocol on a jsonline: strictly one reply per
 * command and no ids, so after any timeout or garbage the stream is
 * resynchronised with guest-sync-delimited (0xFF, then a random id echoed
 * behind a 0xFF marker) before the next command.
 */
struct qga {
	struct jsonline jl;
	bool synced;
	unsigned long long sync_id;
};

int qga_init(struct qga *g, int fd);
void qga_close(struct qga *g);
/* One sync attempt; 0 once the agent echoed our id before the deadline. */
int qga_sync(struct qga *g, int64_t deadline, struct err *err);
/* Run cmd (args consumed, may be NULL), syncing first if needed. A reply
 * {"error": …} returns -EREMOTEIO with "cmd: Class: desc". */
int qga_execute(struct qga *g, const char *cmd, json_object *args, json_object **ret,
		int64_t deadline, struct err *err);

#endif
