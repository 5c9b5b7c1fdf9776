// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: what a guest sends back. Mode 0 (first byte even): memhp-probe's
 * JSON as guest_snapshot_parse() reads it. Mode 1: the guest agent's byte
 * stream over a socketpair, through the real qga code (guest-sync-delimited,
 * replies, errors), guest_exec()'s guest-exec / guest-exec-status handling
 * and base64 decoding, and the probe JSON in out-data, i.e. one whole
 * guest_snapshot() as a run takes it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "guest.h"
#include "qga.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct qga agent;

static int fake_agent(struct vm *vm, const char *cmd, json_object *args, json_object **ret,
		      int64_t deadline, struct err *err)
{
	(void)vm;
	(void)deadline;
	/* The input is all there (then EOF): a read never waits. */
	return qga_execute(&agent, cmd, args, ret, now_ms() + 5000, err);
}

static const struct backend_ops fuzz_backend = { .name = "fuzz", .agent = fake_agent };
static struct vm fuzz_vm = { .ops = &fuzz_backend };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct guest_snapshot s;
	struct err err;
	int fds[2];

	if (!size || size > 100000)
		return 0;
	if (!(data[0] & 1)) {
		char *json = strndup((const char *)data + 1, size - 1);

		if (!guest_snapshot_parse(json, &s, &err)) {
			for (size_t i = 0; i < s.nblocks; i++)
				(void)guest_find_block(&s, s.blocks[i].index);
			guest_snapshot_free(&s);
		}
		free(json);
		return 0;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds))
		abort();
	if (write(fds[1], data + 1, size - 1) != (ssize_t)(size - 1))
		abort();
	shutdown(fds[1], SHUT_WR);
	if (qga_init(&agent, fds[0]))
		abort();
	agent.sync_id = 0; /* the first guest-sync-delimited asks for id 1 */
	/* Deadline now: guest-exec-status is asked once, never slept on. */
	if (!guest_snapshot(&fuzz_vm, &s, now_ms(), &err))
		guest_snapshot_free(&s);
	qga_close(&agent);
	close(fds[1]);
	return 0;
}
