// SPDX-License-Identifier: GPL-2.0-only
/*
 * The qemu-guest-agent protocol on a jsonline, resynchronised after every
 * timeout (qga.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "qga.h"
#include "signals.h"

/*
 * Until the guest opens its end of the port QEMU stops reading the socket:
 * the syncs sent meanwhile fill it and a blocking send would then wait for
 * ever, past any boot timeout. Wait for room only until the deadline.
 */
static int wait_writable(struct qga *g, int64_t deadline, struct err *err)
{
	for (;;) {
		struct pollfd pfd = { .fd = g->jl.fd, .events = POLLOUT };
		int64_t left = deadline - now_ms();
		int n = poll(&pfd, 1, left > 0 ? (int)left : 0);

		if (n > 0)
			return 0;
		if (n < 0 && errno == EINTR) {
			if (memhp_stop_signal)
				return err_fail(err, -EINTR, "interrupted");
			continue;
		}
		if (n == 0)
			return err_set(err, "%s: not reading (is it running in the guest?)",
				       g->jl.name), -ETIMEDOUT;
		return err_fail(err, -errno, "%s: poll: %s", g->jl.name, strerror(errno));
	}
}

int qga_init(struct qga *g, int fd)
{
	memset(g, 0, sizeof(*g));
	g->sync_id = ((unsigned long long)getpid() << 32) ^ (unsigned long long)time(NULL);
	return jl_init(&g->jl, fd, "agent");
}

void qga_close(struct qga *g)
{
	jl_close(&g->jl);
}

int qga_sync(struct qga *g, int64_t deadline, struct err *err)
{
	json_object *msg = json_object_new_object(), *args = json_object_new_object();
	unsigned long long id = ++g->sync_id & 0x7fffffffffffULL;
	static const char reset = (char)0xff;
	int rc;

	g->synced = false;
	json_object_object_add(args, "id", json_object_new_int64((int64_t)id));
	json_object_object_add(msg, "execute", json_object_new_string("guest-sync-delimited"));
	json_object_object_add(msg, "arguments", args);
	/* 0xFF makes the agent drop any half-read request; it answers that
	 * with an error, which the delimiter wait below skips. */
	rc = wait_writable(g, deadline, err);
	if (!rc)
		rc = jl_send_raw(&g->jl, &reset, 1, err);
	if (!rc)
		rc = jl_send(&g->jl, msg, err);
	json_object_put(msg);
	if (rc)
		return rc;
	for (;;) {
		json_object *reply, *v;

		g->jl.want_delimiter = true;
		rc = jl_recv(&g->jl, deadline, &reply, err);
		if (rc == -EBADMSG)
			continue;
		if (rc)
			return rc;
		if (json_object_object_get_ex(reply, "return", &v) &&
		    json_object_is_type(v, json_type_int) &&
		    (unsigned long long)json_object_get_int64(v) == id) {
			json_object_put(reply);
			g->jl.want_delimiter = false;
			g->synced = true;
			return 0;
		}
		json_object_put(reply); /* an older sync's echo */
	}
}

int qga_execute(struct qga *g, const char *cmd, json_object *args, json_object **ret,
		int64_t deadline, struct err *err)
{
	json_object *msg, *reply, *v;
	int rc;

	if (ret)
		*ret = NULL;
	if (!g->synced) {
		rc = qga_sync(g, deadline, err);
		if (rc) {
			json_object_put(args);
			return err_wrap(err, rc, "%s", cmd);
		}
	}
	msg = json_object_new_object();
	json_object_object_add(msg, "execute", json_object_new_string(cmd));
	if (args)
		json_object_object_add(msg, "arguments", args);
	rc = jl_send(&g->jl, msg, err);
	json_object_put(msg);
	if (rc) {
		g->synced = false;
		return err_wrap(err, rc, "%s", cmd);
	}
	rc = jl_recv(&g->jl, deadline, &reply, err);
	if (rc) {
		g->synced = false;
		return err_wrap(err, rc, "%s", cmd);
	}
	if (json_object_object_get_ex(reply, "error", &v)) {
		json_object *c = NULL, *d = NULL;

		/* The guest's words: only strings, and only so much of them. */
		if (!json_object_object_get_ex(v, "class", &c) ||
		    !json_object_is_type(c, json_type_string))
			c = NULL;
		if (!json_object_object_get_ex(v, "desc", &d) ||
		    !json_object_is_type(d, json_type_string))
			d = NULL;
		err_set(err, "%s: %.64s: %.400s", cmd, c ? json_object_get_string(c) : "?",
			d ? json_object_get_string(d) : "(no description)");
		json_object_put(reply);
		return -EREMOTEIO;
	}
	if (!json_object_object_get_ex(reply, "return", &v)) {
		json_object_put(reply);
		g->synced = false;
		err_set(err, "%s: agent reply has neither return nor error", cmd);
		return -EPROTO;
	}
	if (ret)
		*ret = json_object_get(v);
	json_object_put(reply);
	return 0;
}
