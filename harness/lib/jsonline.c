// SPDX-License-Identifier: GPL-2.0-only
/*
 * One JSON-object stream over a socket, as QMP and the guest agent speak it
 * (jsonline.h).
 */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "clock.h"
#include "jsonline.h"
#include "signals.h"

/* Poll in slices so that a stop signal that lands just before poll() is
 * still noticed promptly. */
#define POLL_SLICE_MS 200
#define READ_CHUNK 65536

int jl_init(struct jsonline *jl, int fd, const char *name)
{
	memset(jl, 0, sizeof(*jl));
	jl->fd = fd;
	jl->name = name;
	jl->max_message = JL_MAX_MESSAGE;
	jl->tok = json_tokener_new();
	return jl->tok ? 0 : -ENOMEM;
}

void jl_close(struct jsonline *jl)
{
	if (jl->fd >= 0)
		close(jl->fd);
	jl->fd = -1;
	if (jl->tok)
		json_tokener_free(jl->tok);
	jl->tok = NULL;
	free(jl->buf);
	jl->buf = NULL;
	jl->len = jl->cap = jl->fed = 0;
}

int jl_connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return fd;
}

int jl_send_raw(struct jsonline *jl, const void *data, size_t len, struct err *err)
{
	const char *p = data;

	while (len) {
		ssize_t n = send(jl->fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int rc = -errno;

			if (rc == -ECONNRESET)
				rc = -EPIPE;
			err_set(err, "%s: write failed: %s", jl->name, strerror(errno));
			return rc;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int jl_send(struct jsonline *jl, json_object *msg, struct err *err)
{
	size_t len;
	const char *s = json_object_to_json_string_length(msg, JSON_C_TO_STRING_PLAIN, &len);
	int rc = jl_send_raw(jl, s, len, err);

	return rc ? rc : jl_send_raw(jl, "\n", 1, err);
}

static void consume(struct jsonline *jl, size_t n)
{
	if (!n)
		return;
	memmove(jl->buf, jl->buf + n, jl->len - n);
	jl->len -= n;
}

/* Forget a half-parsed object. */
static void restart(struct jsonline *jl)
{
	json_tokener_reset(jl->tok);
	jl->fed = 0;
}

/* Drop leading white space, and everything up to the delimiter if one is
 * expected. Returns false when the buffer has nothing left to parse. */
static bool skip_noise(struct jsonline *jl)
{
	size_t i = 0;

	if (!jl->len)
		return false;
	if (jl->skip_line) {
		char *nl = memchr(jl->buf, '\n', jl->len);

		if (!nl) {
			jl->len = 0;
			return false;
		}
		consume(jl, (size_t)(nl - jl->buf) + 1);
		jl->skip_line = false;
	}
	if (jl->want_delimiter) {
		char *ff = memchr(jl->buf, 0xff, jl->len);

		restart(jl);
		if (!ff) {
			jl->len = 0;
			return false;
		}
		consume(jl, (size_t)(ff - jl->buf) + 1);
		jl->want_delimiter = false;
	}
	if (jl->fed) /* in the middle of an object: nothing to skip */
		return jl->len > jl->fed;
	while (i < jl->len && isspace((unsigned char)jl->buf[i]))
		i++;
	consume(jl, i);
	return jl->len > 0;
}

/* Skip the rest of a bad line so that one corrupt message costs one message. */
static int garbage(struct jsonline *jl, size_t at, const char *why, struct err *err)
{
	char *nl = memchr(jl->buf + at, '\n', jl->len - at);
	char shown[48];
	size_t n = jl->len < sizeof(shown) - 1 ? jl->len : sizeof(shown) - 1;

	for (size_t i = 0; i < n; i++)
		shown[i] = isprint((unsigned char)jl->buf[i]) ? jl->buf[i] : '?';
	shown[n] = '\0';
	err_set(err, "%s: unparsable input (%s) near \"%s\"", jl->name, why, shown);
	consume(jl, nl ? (size_t)(nl - jl->buf) + 1 : jl->len);
	restart(jl);
	return -EBADMSG;
}

/* Try to take one object from the buffer: 1 when *out is set, 0 when more
 * input is needed, -EBADMSG for garbage, -EMSGSIZE for an object over the
 * limit. json-c's tokener keeps its state between reads, so each byte is fed
 * once however the object is split; buf keeps the object's bytes only for
 * messages and the size limit. */
static int try_parse(struct jsonline *jl, json_object **out, struct err *err)
{
	enum json_tokener_error jerr;
	json_object *obj;
	size_t chunk, end;
	char *nl;

	if (!skip_noise(jl))
		return 0;
	chunk = jl->len - jl->fed;
	if (chunk > INT32_MAX)
		chunk = INT32_MAX;
	obj = json_tokener_parse_ex(jl->tok, jl->buf + jl->fed, (int)chunk);
	jerr = json_tokener_get_error(jl->tok);
	if (jerr == json_tokener_continue) {
		jl->bytes_parsed += chunk;
		jl->fed += chunk;
		if (jl->fed > jl->max_message) {
			err_set(err, "%s: a message of more than %zu bytes; dropped", jl->name,
				jl->max_message);
			/* What is buffered goes, and what follows up to the next
			 * newline: a new object may start there. */
			nl = memchr(jl->buf, '\n', jl->len);
			jl->skip_line = !nl;
			consume(jl, nl ? (size_t)(nl - jl->buf) + 1 : jl->len);
			restart(jl);
			return -EMSGSIZE;
		}
		return 0;
	}
	if (jerr != json_tokener_success) {
		jl->bytes_parsed += chunk;
		return garbage(jl, jl->fed + json_tokener_get_parse_end(jl->tok),
			       json_tokener_error_desc(jerr), err);
	}
	end = jl->fed + json_tokener_get_parse_end(jl->tok);
	jl->bytes_parsed += end - jl->fed;
	if (end > jl->max_message) {
		json_object_put(obj);
		consume(jl, end);
		restart(jl);
		err_set(err, "%s: a message of %zu bytes, more than %zu; dropped", jl->name, end,
			jl->max_message);
		return -EMSGSIZE;
	}
	consume(jl, end);
	restart(jl);
	if (!json_object_is_type(obj, json_type_object)) {
		json_object_put(obj);
		err_set(err, "%s: expected a JSON object", jl->name);
		return -EBADMSG;
	}
	*out = obj;
	return 1;
}

static int fill(struct jsonline *jl, struct err *err)
{
	ssize_t n;

	if (jl->cap - jl->len < READ_CHUNK) {
		/* Doubling, but no further than one message and two reads: the
		 * parse fails before the buffer holds more. */
		size_t cap = jl->cap ? jl->cap * 2 : READ_CHUNK * 2;
		size_t most = jl->max_message + 2 * READ_CHUNK;
		char *p;

		if (cap > most)
			cap = most > jl->len + READ_CHUNK ? most : jl->len + READ_CHUNK;
		p = realloc(jl->buf, cap);

		if (!p)
			return -ENOMEM;
		jl->buf = p;
		jl->cap = cap;
	}
	n = read(jl->fd, jl->buf + jl->len, jl->cap - jl->len);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n < 0) {
		err_set(err, "%s: read failed: %s", jl->name, strerror(errno));
		return errno == ECONNRESET ? -EPIPE : -errno;
	}
	if (n == 0) {
		err_set(err, "%s: connection closed by peer", jl->name);
		return -EPIPE;
	}
	jl->len += (size_t)n;
	return 0;
}

int jl_recv(struct jsonline *jl, int64_t deadline, json_object **out, struct err *err)
{
	*out = NULL;
	for (;;) {
		struct pollfd pfd = { .fd = jl->fd, .events = POLLIN };
		int rc = try_parse(jl, out, err);

		if (rc)
			return rc < 0 ? rc : 0;
		if (memhp_stop_signal) {
			err_set(err, "%s: interrupted by signal %d", jl->name, (int)memhp_stop_signal);
			return -EINTR;
		}
		if (now_ms() >= deadline) {
			err_set(err, "%s: no complete reply before the deadline", jl->name);
			return -ETIMEDOUT;
		}
		rc = poll(&pfd, 1, ms_left(deadline, POLL_SLICE_MS));
		if (rc < 0 && errno != EINTR) {
			err_set(err, "%s: poll failed: %s", jl->name, strerror(errno));
			return -errno;
		}
		if (rc > 0) {
			rc = fill(jl, err);
			if (rc)
				return rc;
		}
	}
}
