// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "clock.h"
#include "guest.h"
#include "signals.h"
#include "str.h"

#define EXEC_POLL_MAX_MS 200
/* One agent reply may take this long, whatever the overall deadline: a
 * guest wedged under memory pressure must not hold memhp for minutes. */
#define AGENT_REPLY_MS 30000

static int64_t reply_deadline(int64_t deadline)
{
	int64_t d = now_ms() + AGENT_REPLY_MS;

	return d < deadline ? d : deadline;
}

static int b64_decode(const char *in, char **out, size_t *outlen)
{
	size_t len = strlen(in), pad = 0;
	unsigned char *buf;
	int n;

	if (len % 4)
		return -EBADMSG;
	buf = malloc(len / 4 * 3 + 1);
	if (!buf)
		return -ENOMEM;
	n = EVP_DecodeBlock(buf, (const unsigned char *)in, (int)len);
	if (n < 0) {
		free(buf);
		return -EBADMSG;
	}
	while (pad < 2 && len > pad && in[len - 1 - pad] == '=')
		pad++;
	n -= (int)pad;
	buf[n] = '\0';
	*out = (char *)buf;
	*outlen = (size_t)n;
	return 0;
}

static int exec_status(const struct backend_ops *be, struct vm *vm, int64_t pid,
		       json_object **ret, int64_t deadline, struct err *err)
{
	json_object *args = json_object_new_object();

	json_object_object_add(args, "pid", json_object_new_int64(pid));
	return be->agent(vm, "guest-exec-status", args, ret, reply_deadline(deadline), err);
}

int guest_exec(const struct backend_ops *be, struct vm *vm, const char *const argv[],
	       char **out, int *exitcode, int64_t deadline, struct err *err)
{
	json_object *args = json_object_new_object(), *arr = json_object_new_array();
	json_object *ret, *v;
	int64_t pid;
	int rc, wait_ms = 5;

	*out = NULL;
	json_object_object_add(args, "path", json_object_new_string(argv[0]));
	for (size_t i = 1; argv[i]; i++)
		json_object_array_add(arr, json_object_new_string(argv[i]));
	json_object_object_add(args, "arg", arr);
	json_object_object_add(args, "capture-output", json_object_new_boolean(1));
	rc = be->agent(vm, "guest-exec", args, &ret, reply_deadline(deadline), err);
	if (rc)
		return err_wrap(err, rc, "running %s in the guest", argv[0]);
	pid = json_object_object_get_ex(ret, "pid", &v) ? json_object_get_int64(v) : -1;
	json_object_put(ret);

	/* The agent has no completion event: ask until it has exited. */
	for (;;) {
		struct timespec ts;

		rc = exec_status(be, vm, pid, &ret, deadline, err);
		if (rc)
			return err_wrap(err, rc, "waiting for %s in the guest", argv[0]);
		if (json_object_object_get_ex(ret, "exited", &v) && json_object_get_boolean(v))
			break;
		json_object_put(ret);
		if (memhp_stop_signal)
			return err_set(err, "interrupted while %s ran in the guest", argv[0]), -EINTR;
		if (now_ms() >= deadline)
			return err_set(err, "%s did not finish in the guest before the deadline",
				       argv[0]), -ETIMEDOUT;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)wait_ms * 1000000;
		nanosleep(&ts, NULL);
		if (wait_ms < EXEC_POLL_MAX_MS)
			wait_ms *= 2;
	}
	*exitcode = json_object_object_get_ex(ret, "exitcode", &v) ? json_object_get_int(v) :
		    (json_object_object_get_ex(ret, "signal", &v) ? 128 + json_object_get_int(v) : -1);
	if (json_object_object_get_ex(ret, "out-data", &v)) {
		size_t len;

		rc = b64_decode(json_object_get_string(v), out, &len);
		if (rc) {
			json_object_put(ret);
			return err_set(err, "%s: agent sent bad base64 output", argv[0]), rc;
		}
	} else {
		*out = strdup("");
	}
	json_object_put(ret);
	return 0;
}

#define READ_CHUNK 65536
#define READ_MAX (1 << 20)

int guest_read_file(const struct backend_ops *be, struct vm *vm, const char *path, char **out,
		    int64_t deadline, struct err *err)
{
	json_object *args = json_object_new_object(), *ret, *v;
	char *buf = NULL;
	size_t len = 0;
	int64_t handle;
	int rc;

	*out = NULL;
	json_object_object_add(args, "path", json_object_new_string(path));
	json_object_object_add(args, "mode", json_object_new_string("r"));
	rc = be->agent(vm, "guest-file-open", args, &ret, reply_deadline(deadline), err);
	if (rc)
		return rc;
	handle = json_object_get_int64(ret);
	json_object_put(ret);
	for (;;) {
		char *chunk;
		size_t n;
		bool eof;

		args = json_object_new_object();
		json_object_object_add(args, "handle", json_object_new_int64(handle));
		json_object_object_add(args, "count", json_object_new_int(READ_CHUNK));
		rc = be->agent(vm, "guest-file-read", args, &ret, reply_deadline(deadline), err);
		if (rc)
			break;
		eof = json_object_object_get_ex(ret, "eof", &v) && json_object_get_boolean(v);
		rc = json_object_object_get_ex(ret, "buf-b64", &v) ?
			     b64_decode(json_object_get_string(v), &chunk, &n) : -EBADMSG;
		json_object_put(ret);
		if (rc) {
			err_set(err, "guest-file-read %s: agent sent bad base64", path);
			break;
		}
		if (len + n > READ_MAX) {
			free(chunk);
			err_set(err, "%s in the guest is larger than %d bytes", path, READ_MAX);
			rc = -EFBIG;
			break;
		}
		buf = realloc(buf, len + n + 1);
		memcpy(buf + len, chunk, n);
		len += n;
		buf[len] = '\0';
		free(chunk);
		if (eof || !n)
			break;
	}
	args = json_object_new_object();
	json_object_object_add(args, "handle", json_object_new_int64(handle));
	if (!rc) {
		rc = be->agent(vm, "guest-file-close", args, NULL, reply_deadline(deadline), err);
	} else {
		struct err ignored;

		be->agent(vm, "guest-file-close", args, NULL, reply_deadline(deadline), &ignored);
	}
	if (rc) {
		free(buf);
		return rc;
	}
	*out = buf ? buf : strdup("");
	return 0;
}

static uint64_t u64_at(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_uint64(v) : 0;
}

static const char *str_at(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string) ?
		       json_object_get_string(v) : "";
}

int guest_snapshot_parse(const char *json, struct guest_snapshot *s, struct err *err)
{
	json_object *root = json_tokener_parse(json), *blocks;
	size_t n;

	memset(s, 0, sizeof(*s));
	if (!root || !json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return err_set(err, "memhp-probe printed no JSON object"), -EBADMSG;
	}
	s->raw = root;
	s->block_size = u64_at(root, "block_size");
	str_copy(s->release, sizeof(s->release), str_at(root, "release"));
	str_copy(s->cmdline, sizeof(s->cmdline), str_at(root, "cmdline"));
	if (!s->block_size || !json_object_object_get_ex(root, "blocks", &blocks) ||
	    !json_object_is_type(blocks, json_type_array)) {
		guest_snapshot_free(s);
		return err_set(err, "memhp-probe output lacks block_size or blocks"), -EBADMSG;
	}
	n = json_object_array_length(blocks);
	s->blocks = calloc(n ? n : 1, sizeof(*s->blocks));
	for (size_t i = 0; i < n; i++) {
		json_object *b = json_object_array_get_idx(blocks, i);
		struct guest_block *gb = &s->blocks[s->nblocks++];

		gb->index = u64_at(b, "index");
		gb->start = u64_at(b, "start");
		str_copy(gb->state, sizeof(gb->state), str_at(b, "state"));
		if (!strcmp(gb->state, "online"))
			str_copy(gb->zone, sizeof(gb->zone), str_at(b, "zones"));
	}
	return 0;
}

int guest_snapshot(const struct backend_ops *be, struct vm *vm, struct guest_snapshot *s,
		   int64_t deadline, struct err *err)
{
	static const char *const argv[] = { GUEST_PROBE, "snapshot", NULL };
	enum { ATTEMPTS = 3 };
	char *out;
	int code, rc;

	/*
	 * A probe only reads; on a guest loaded to the brim the agent has been
	 * seen to hand back a probe's output empty. Ask again before failing.
	 */
	for (int attempt = 1;; attempt++) {
		memset(s, 0, sizeof(*s));
		rc = guest_exec(be, vm, argv, &out, &code, deadline, err);
		if (rc)
			return rc;
		if (code) {
			free(out);
			return err_set(err, "memhp-probe exited with status %d", code), -ECHILD;
		}
		rc = guest_snapshot_parse(out, s, err);
		if (!rc || attempt == ATTEMPTS || now_ms() >= deadline) {
			if (rc)
				err_set(err, "memhp-probe printed no JSON object, %d times (the last "
					     "time %zu bytes: '%.60s')",
					attempt, strlen(out), out);
			free(out);
			return rc;
		}
		free(out);
	}
}

void guest_snapshot_free(struct guest_snapshot *s)
{
	free(s->blocks);
	json_object_put(s->raw);
	memset(s, 0, sizeof(*s));
}

const struct guest_block *guest_find_block(const struct guest_snapshot *s, uint64_t index)
{
	size_t lo = 0, hi = s->nblocks;

	/* The probe lists blocks sorted by index. */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->blocks[mid].index == index)
			return &s->blocks[mid];
		if (s->blocks[mid].index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
