// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: the JSON-lines reader over a real socketpair, as QEMU's QMP
 * socket or the guest agent would feed it, and QMP's greeting, reply and
 * event handling on top. The first byte picks the mode (bit 0: QMP, bit 1:
 * a 512-byte message limit, bit 2: wait for the agent's 0xFF delimiter) and
 * how the input is split into writes (bits 4-6); the peer's end is shut for
 * writing afterwards, so every read ends in EOF and nothing waits.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "jsonline.h"
#include "qmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void raw(int fd, uint8_t mode)
{
	struct jsonline jl;
	json_object *obj;
	struct err err;
	int rc;

	if (jl_init(&jl, fd, "fuzz"))
		abort();
	/* A small limit, so that inputs reach it. */
	jl.max_message = mode & 2 ? 512 : JL_MAX_MESSAGE;
	jl.want_delimiter = mode & 4;
	do {
		rc = jl_recv(&jl, now_ms() + 5000, &obj, &err);
		if (!rc && !json_object_is_type(obj, json_type_object))
			abort();
		json_object_put(obj);
	} while (!rc || rc == -EBADMSG || rc == -EMSGSIZE);
	if (rc != -EPIPE)
		abort(); /* only the end of input ends this loop */
	jl_close(&jl);
}

static void qmp(int fd)
{
	struct qmp q;
	json_object *ev;
	struct err err;

	if (!qmp_open(&q, fd, now_ms() + 5000, &err))
		while (!qmp_next_event(&q, now_ms() + 5000, &ev, &err))
			json_object_put(ev);
	qmp_close(&q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fds[2];
	uint8_t mode;
	size_t step;

	if (!size)
		return 0;
	mode = data[0];
	data++;
	size--;
	/* Inputs beyond the socket buffer would need a writer thread. */
	if (size > 100000)
		return 0;
	/* SOCK_SEQPACKET: each read returns one write, so the splits below
	 * reach the tokener as they are (a stream socket would merge them).
	 * Writes of 1..7 bytes or all at once; small ones only for the first
	 * 32 bytes: each is a read and a poll() for the reader. */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds))
		abort();
	step = mode & 0x70 ? (size_t)((mode >> 4) & 7) : size;
	for (size_t off = 0, n; off < size; off += n) {
		n = size - off < step ? size - off : step;

		if (off >= 32)
			n = size - off;
		if (write(fds[1], data + off, n) != (ssize_t)n)
			abort();
	}
	shutdown(fds[1], SHUT_WR);
	if (mode & 1)
		qmp(fds[0]); /* closes fds[0] */
	else
		raw(fds[0], mode);
	close(fds[1]);
	return 0;
}
