/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_JSONLINE_H
#define MEMHP_JSONLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "errmsg.h"

/*
 * One JSON-object stream over a socket, as QMP and qemu-guest-agent speak
 * it: objects separated by optional white space, parsed with json-c's
 * tokener, no matter how the bytes are split across reads. Both protocols
 * build on this; it knows nothing of either.
 */
struct jsonline {
	int fd;
	const char *name; /* "QMP", "agent": used in messages */
	struct json_tokener *tok;
	char *buf;
	size_t len, cap;
	/* buf[0..fed) is already in the tokener: the start of an object not
	 * complete yet. Only bytes after it are fed on the next read. */
	size_t fed;
	/* Longest object accepted (JL_MAX_MESSAGE unless a caller lowers it). */
	size_t max_message;
	/* After an over-long object: drop input up to the next newline. */
	bool skip_line;
	/* Bytes handed to json-c in all, for tests (each byte once). */
	uint64_t bytes_parsed;
	/* Drop input up to and including the next 0xFF byte (the agent's
	 * guest-sync-delimited marker) before parsing again. */
	bool want_delimiter;
};

/*
 * One message may be at most this long. The largest real one is the agent's
 * guest-exec-status reply with memhp-probe's output in base64 (4/3 of it):
 * on a 448-block guest about 75 KiB for a snapshot with 200 kmsg lines and
 * 100 KiB for the `why` report. qemu-ga itself caps a command's captured
 * output at 16 MiB per stream, about 22 MiB each in base64; 64 MiB holds
 * both streams at that cap.
 */
#define JL_MAX_MESSAGE (64u << 20)

int jl_init(struct jsonline *jl, int fd, const char *name);
/* Closes the socket and frees the buffers; safe to call twice. */
void jl_close(struct jsonline *jl);
/* Connect a stream socket to a UNIX path; returns the fd or -errno. */
int jl_connect_unix(const char *path);

/* Write msg followed by a newline, all of it, or fail. */
int jl_send(struct jsonline *jl, json_object *msg, struct err *err);
int jl_send_raw(struct jsonline *jl, const void *data, size_t len, struct err *err);

/*
 * Receive the next JSON object, waiting until deadline (now_ms() clock).
 * Returns 0 and *out (caller puts it), or
 *   -ETIMEDOUT  nothing complete before the deadline (partial input is kept),
 *   -EPIPE      the peer closed the connection,
 *   -EBADMSG    garbage: the bad line was skipped, a later call may succeed,
 *   -EMSGSIZE   an object longer than max_message: dropped up to the next
 *               newline, a later call may succeed,
 *   -EINTR      a stop signal arrived.
 */
int jl_recv(struct jsonline *jl, int64_t deadline, json_object **out, struct err *err);

#endif
