// SPDX-License-Identifier: GPL-2.0-only
/*
 * QMP on a jsonline: greeting, capabilities, commands with ids, and events
 * queued while a command waits (qmp.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qmp.h"

static int queue_event(struct qmp *q, json_object *ev)
{
	if (q->nevents == q->capevents) {
		size_t cap = q->capevents ? q->capevents * 2 : 16;
		json_object **p = realloc(q->events, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		q->events = p;
		q->capevents = cap;
	}
	q->events[q->nevents++] = ev;
	return 0;
}

static const char *str_at(json_object *obj, const char *key, const char *fallback)
{
	json_object *v;

	if (obj && json_object_object_get_ex(obj, key, &v) && json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return fallback;
}

int qmp_open(struct qmp *q, int fd, int64_t deadline, struct err *err)
{
	json_object *greeting, *qmp, *ver, *qemu, *pkg;
	int rc;

	memset(q, 0, sizeof(*q));
	rc = jl_init(&q->jl, fd, "QMP");
	if (rc)
		return rc;
	rc = jl_recv(&q->jl, deadline, &greeting, err);
	if (rc)
		return err_wrap(err, rc, "waiting for the QMP greeting");
	if (!json_object_object_get_ex(greeting, "QMP", &qmp)) {
		json_object_put(greeting);
		err_set(err, "QMP: first message is not a greeting");
		return -EPROTO;
	}
	if (json_object_object_get_ex(qmp, "version", &ver) &&
	    json_object_object_get_ex(ver, "qemu", &qemu)) {
		json_object *ma, *mi, *mc;

		json_object_object_get_ex(qemu, "major", &ma);
		json_object_object_get_ex(qemu, "minor", &mi);
		json_object_object_get_ex(qemu, "micro", &mc);
		snprintf(q->version, sizeof(q->version), "%d.%d.%d%s%s",
			 json_object_get_int(ma), json_object_get_int(mi), json_object_get_int(mc),
			 json_object_object_get_ex(ver, "package", &pkg) ? " " : "",
			 str_at(ver, "package", ""));
	}
	json_object_put(greeting);
	return qmp_execute(q, "qmp_capabilities", NULL, NULL, deadline, err);
}

void qmp_close(struct qmp *q)
{
	for (size_t i = 0; i < q->nevents; i++)
		json_object_put(q->events[i]);
	free(q->events);
	q->events = NULL;
	q->nevents = q->capevents = 0;
	jl_close(&q->jl);
}

int qmp_execute(struct qmp *q, const char *cmd, json_object *args, json_object **ret,
		int64_t deadline, struct err *err)
{
	json_object *msg = json_object_new_object();
	char id[32];
	int rc;

	if (ret)
		*ret = NULL;
	snprintf(id, sizeof(id), "memhp-%lu", ++q->next_id);
	json_object_object_add(msg, "execute", json_object_new_string(cmd));
	if (args)
		json_object_object_add(msg, "arguments", args);
	json_object_object_add(msg, "id", json_object_new_string(id));
	rc = jl_send(&q->jl, msg, err);
	json_object_put(msg);
	if (rc)
		return err_wrap(err, rc, "%s", cmd);

	for (;;) {
		json_object *reply, *v;

		rc = jl_recv(&q->jl, deadline, &reply, err);
		if (rc == -EBADMSG)
			continue; /* one bad line; the reply may still come */
		if (rc)
			return err_wrap(err, rc, "%s", cmd);
		if (json_object_object_get_ex(reply, "event", NULL)) {
			rc = queue_event(q, reply);
			if (rc) {
				json_object_put(reply);
				return rc;
			}
			continue;
		}
		if (strcmp(str_at(reply, "id", ""), id)) {
			/* A reply to a command that already timed out. */
			json_object_put(reply);
			continue;
		}
		if (json_object_object_get_ex(reply, "error", &v)) {
			err_set(err, "%s: %s: %s", cmd, str_at(v, "class", "?"),
				str_at(v, "desc", "(no description)"));
			json_object_put(reply);
			return -EREMOTEIO;
		}
		if (!json_object_object_get_ex(reply, "return", &v)) {
			json_object_put(reply);
			err_set(err, "%s: reply has neither return nor error", cmd);
			return -EPROTO;
		}
		if (ret)
			*ret = json_object_get(v);
		json_object_put(reply);
		return 0;
	}
}

int qmp_next_event(struct qmp *q, int64_t deadline, json_object **event, struct err *err)
{
	*event = NULL;
	if (q->nevents) {
		*event = q->events[0];
		memmove(q->events, q->events + 1, --q->nevents * sizeof(*q->events));
		return 0;
	}
	for (;;) {
		json_object *msg;
		int rc = jl_recv(&q->jl, deadline, &msg, err);

		if (rc == -EBADMSG)
			continue;
		if (rc)
			return rc;
		if (json_object_object_get_ex(msg, "event", NULL)) {
			*event = msg;
			return 0;
		}
		json_object_put(msg); /* a late reply nobody waits for */
	}
}
