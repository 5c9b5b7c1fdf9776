// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest through its agent: run a program (guest-exec), read and write
 * files, and take memhp-probe's snapshot of its memory blocks (guest.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
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

/* Output beyond this is not a probe's or a workload's: refuse it. */
#define MAX_OUTPUT_B64 (256u << 20)

static int b64_decode(const char *in, char **out, size_t *outlen)
{
	size_t len = strlen(in), pad = 0;
	unsigned char *buf;
	int n;

	if (len % 4 || len > MAX_OUTPUT_B64)
		return -EBADMSG;
	/* EVP_DecodeBlock skips white space and takes '=' anywhere: be strict. */
	while (pad < 2 && len > pad && in[len - 1 - pad] == '=')
		pad++;
	for (size_t i = 0; i < len - pad; i++)
		if (!isalnum((unsigned char)in[i]) && in[i] != '+' && in[i] != '/')
			return -EBADMSG;
	buf = malloc(len / 4 * 3 + 1);
	if (!buf)
		return -ENOMEM;
	n = EVP_DecodeBlock(buf, (const unsigned char *)in, (int)len);
	if (n < 0) {
		free(buf);
		return -EBADMSG;
	}
	if (n < (int)pad) {
		free(buf);
		return -EBADMSG;
	}
	n -= (int)pad;
	buf[n] = '\0';
	*out = (char *)buf;
	*outlen = (size_t)n;
	return 0;
}

static int exec_status(struct vm *vm, int64_t pid,
		       json_object **ret, int64_t deadline, struct err *err)
{
	json_object *args = json_object_new_object();

	json_object_object_add(args, "pid", json_object_new_int64(pid));
	return vm_agent(vm, "guest-exec-status", args, ret, reply_deadline(deadline), err);
}

/* exitcode, or 128 + signal as a shell reports it, or -1 when the agent
 * gives neither; -EPROTO for a value that is not a status. */
static int exit_status(json_object *ret, int *code)
{
	json_object *v;
	int64_t n;

	*code = -1;
	if (json_object_object_get_ex(ret, "exitcode", &v)) {
		if (!json_object_is_type(v, json_type_int))
			return -EPROTO;
		n = json_object_get_int64(v);
		if (n < 0 || n > 255)
			return -EPROTO;
		*code = (int)n;
	} else if (json_object_object_get_ex(ret, "signal", &v)) {
		if (!json_object_is_type(v, json_type_int))
			return -EPROTO;
		n = json_object_get_int64(v);
		if (n < 1 || n > 127)
			return -EPROTO;
		*code = 128 + (int)n;
	}
	return 0;
}

int guest_exec(struct vm *vm, const char *const argv[],
	       char **out, int *exitcode, int64_t deadline, struct err *err)
{
	return guest_exec_patient(vm, argv, out, exitcode, deadline, NULL, err);
}

/* With patience, the deadline to wait on (the same one while it has not
 * passed: one agent reply was late), or 0: give up. */
static int64_t more_time(const struct exec_patience *patience, int64_t deadline)
{
	int64_t next;

	if (!patience)
		return 0;
	if (now_ms() < deadline)
		return deadline;
	next = patience->more(patience->ctx);
	return next > now_ms() ? next : 0;
}

int guest_exec_patient(struct vm *vm, const char *const argv[], char **out, int *exitcode,
		       int64_t deadline, const struct exec_patience *patience, struct err *err)
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
	rc = vm_agent(vm, "guest-exec", args, &ret, reply_deadline(deadline), err);
	if (rc)
		return err_wrap(err, rc, "running %s in the guest", argv[0]);
	/* Everything the agent says is the guest's: check every type. */
	pid = -1;
	if (json_object_object_get_ex(ret, "pid", &v) && json_object_is_type(v, json_type_int))
		pid = json_object_get_int64(v);
	json_object_put(ret);
	if (pid < 0 || pid > INT32_MAX)
		return err_set(err, "running %s in the guest: the agent's guest-exec reply has no "
			       "valid pid", argv[0]), -EPROTO;

	/* The agent has no completion event: ask until it has exited. */
	for (;;) {
		rc = exec_status(vm, pid, &ret, deadline, err);
		if (rc == -ETIMEDOUT && !memhp_stop_signal) {
			int64_t next = more_time(patience, deadline);

			if (next) {
				deadline = next;
				continue;
			}
		}
		if (rc)
			return err_wrap(err, rc, "waiting for %s in the guest", argv[0]);
		if (!json_object_is_type(ret, json_type_object) ||
		    !json_object_object_get_ex(ret, "exited", &v) ||
		    !json_object_is_type(v, json_type_boolean)) {
			json_object_put(ret);
			return err_set(err, "waiting for %s in the guest: the agent's "
				       "guest-exec-status reply has no boolean 'exited'", argv[0]),
			       -EPROTO;
		}
		if (json_object_get_boolean(v))
			break;
		json_object_put(ret);
		if (memhp_stop_signal)
			return err_set(err, "interrupted while %s ran in the guest", argv[0]), -EINTR;
		if (now_ms() >= deadline && !(deadline = more_time(patience, deadline)))
			return err_set(err, "%s did not finish in the guest before the deadline",
				       argv[0]), -ETIMEDOUT;
		sleep_ms(wait_ms);
		if (wait_ms < EXEC_POLL_MAX_MS)
			wait_ms *= 2;
	}
	rc = exit_status(ret, exitcode);
	if (rc) {
		json_object_put(ret);
		return err_fail(err, rc, "%s: the agent's exit status is not an integer in range "
				    "(exitcode 0-255, signal 1-127)", argv[0]);
	}
	if (json_object_object_get_ex(ret, "out-data", &v)) {
		size_t len;

		if (!json_object_is_type(v, json_type_string)) {
			json_object_put(ret);
			return err_set(err, "%s: agent sent out-data that is not a string",
				       argv[0]), -EPROTO;
		}
		rc = b64_decode(json_object_get_string(v), out, &len);
		if (rc) {
			json_object_put(ret);
			return err_fail(err, rc, "%s: agent sent bad base64 output", argv[0]);
		}
	} else {
		*out = strdup("");
	}
	json_object_put(ret);
	return 0;
}

#define READ_CHUNK 65536
#define READ_MAX (1 << 20)

int guest_read_file(struct vm *vm, const char *path, char **out,
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
	rc = vm_agent(vm, "guest-file-open", args, &ret, reply_deadline(deadline), err);
	if (rc)
		return rc;
	if (!json_object_is_type(ret, json_type_int) || json_object_get_int64(ret) < 0) {
		json_object_put(ret);
		return err_fail(err, -EPROTO, "guest-file-open %s: agent sent no valid handle", path);
	}
	handle = json_object_get_int64(ret);
	json_object_put(ret);
	for (;;) {
		char *chunk;
		size_t n;
		bool eof;

		args = json_object_new_object();
		json_object_object_add(args, "handle", json_object_new_int64(handle));
		json_object_object_add(args, "count", json_object_new_int(READ_CHUNK));
		rc = vm_agent(vm, "guest-file-read", args, &ret, reply_deadline(deadline), err);
		if (rc)
			break;
		eof = json_object_object_get_ex(ret, "eof", &v) &&
		      json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
		rc = json_object_object_get_ex(ret, "buf-b64", &v) &&
				     json_object_is_type(v, json_type_string) ?
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
		if (!buf)
			abort();
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
		rc = vm_agent(vm, "guest-file-close", args, NULL, reply_deadline(deadline), err);
	} else {
		struct err ignored;

		vm_agent(vm, "guest-file-close", args, NULL, reply_deadline(deadline), &ignored);
	}
	if (rc) {
		free(buf);
		return rc;
	}
	*out = buf ? buf : strdup("");
	return 0;
}

/* A non-negative integer member, or false. */
static bool u64_at(json_object *o, const char *key, uint64_t *out)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 0)
		return false;
	*out = json_object_get_uint64(v);
	return true;
}

/* A string member, "" when absent; false when it is there but no string. */
static bool str_at(json_object *o, const char *key, const char **out)
{
	json_object *v;

	*out = "";
	if (!json_object_object_get_ex(o, key, &v))
		return true;
	if (!json_object_is_type(v, json_type_string))
		return false;
	*out = json_object_get_string(v);
	return true;
}

static int bad_probe(struct guest_snapshot *s, struct err *err, const char *what, size_t i)
{
	guest_snapshot_free(s);
	if (i != SIZE_MAX)
		return err_fail(err, -EBADMSG, "memhp-probe output: blocks[%zu]: %s", i, what);
	return err_fail(err, -EBADMSG, "memhp-probe output: %s", what);
}

int guest_snapshot_parse(const char *json, struct guest_snapshot *s, struct err *err)
{
	json_object *root = json_tokener_parse(json), *blocks, *kmsg, *mi;
	const char *str;
	size_t n;

	memset(s, 0, sizeof(*s));
	if (!root || !json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return err_fail(err, -EBADMSG, "memhp-probe printed no JSON object");
	}
	s->raw = root;
	if (!u64_at(root, "block_size", &s->block_size) || !s->block_size ||
	    !json_object_object_get_ex(root, "blocks", &blocks) ||
	    !json_object_is_type(blocks, json_type_array))
		return bad_probe(s, err, "lacks block_size or blocks", SIZE_MAX);
	if (s->block_size & (s->block_size - 1))
		return bad_probe(s, err, "block_size is not a power of two", SIZE_MAX);
	/* issue 24: an older probe does not say; it ran on x86_64's 4 KiB. */
	s->page_size = 4096;
	if (json_object_object_get_ex(root, "page_size", NULL) &&
	    !u64_at(root, "page_size", &s->page_size))
		return bad_probe(s, err, "page_size is not a number", SIZE_MAX);
	if (!s->page_size || s->page_size & (s->page_size - 1) || s->page_size > s->block_size)
		return bad_probe(s, err, "page_size is not a power of two up to block_size", SIZE_MAX);
	if (!str_at(root, "release", &str))
		return bad_probe(s, err, "release is not a string", SIZE_MAX);
	str_copy(s->release, sizeof(s->release), str);
	if (!str_at(root, "cmdline", &str))
		return bad_probe(s, err, "cmdline is not a string", SIZE_MAX);
	str_copy(s->cmdline, sizeof(s->cmdline), str);
	/* The runner copies kmsg lines and reads meminfo: check them here. */
	if (json_object_object_get_ex(root, "kmsg", &kmsg)) {
		if (!json_object_is_type(kmsg, json_type_array))
			return bad_probe(s, err, "kmsg is not an array", SIZE_MAX);
		for (size_t i = 0; i < json_object_array_length(kmsg); i++)
			if (!json_object_is_type(json_object_array_get_idx(kmsg, i),
						 json_type_string))
				return bad_probe(s, err, "kmsg holds something that is not a string",
						 SIZE_MAX);
	}
	if (json_object_object_get_ex(root, "meminfo", &mi) &&
	    !json_object_is_type(mi, json_type_object))
		return bad_probe(s, err, "meminfo is not an object", SIZE_MAX);
	n = json_object_array_length(blocks);
	s->blocks = calloc(n ? n : 1, sizeof(*s->blocks));
	if (!s->blocks)
		abort();
	for (size_t i = 0; i < n; i++) {
		json_object *b = json_object_array_get_idx(blocks, i);
		struct guest_block *gb = &s->blocks[s->nblocks++];

		if (!json_object_is_type(b, json_type_object))
			return bad_probe(s, err, "not an object", i);
		if (!u64_at(b, "index", &gb->index) || !u64_at(b, "start", &gb->start))
			return bad_probe(s, err, "index or start is not a non-negative integer", i);
		/* guest_find_block searches: the probe lists blocks by index. */
		if (i && gb->index <= s->blocks[i - 1].index)
			return bad_probe(s, err, "blocks are not in ascending index order", i);
		if (!str_at(b, "state", &str))
			return bad_probe(s, err, "state is not a string", i);
		str_copy(gb->state, sizeof(gb->state), str);
		if (!str_at(b, "zones", &str))
			return bad_probe(s, err, "zones is not a string", i);
		if (!strcmp(gb->state, "online"))
			str_copy(gb->zone, sizeof(gb->zone), str);
		{ /* issue 25: a NUMA kernel's node of the block (optional) */
			uint64_t node;

			if (u64_at(b, "node", &node) && node < 1024) {
				gb->have_node = true;
				gb->node = (unsigned)node;
			}
		}
	}
	return 0;
}

int guest_why_parse(const char *json, json_object **blocks, struct err *err)
{
	json_object *root = json_tokener_parse(json), *arr;
	size_t n;

	*blocks = NULL;
	if (!root || !json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return err_fail(err, -EBADMSG, "memhp-probe why printed no JSON object");
	}
	if (!json_object_object_get_ex(root, "blocks", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		json_object_put(root);
		return err_fail(err, -EBADMSG, "memhp-probe why: 'blocks' is not an array");
	}
	n = json_object_array_length(arr);
	for (size_t i = 0; i < n; i++) {
		json_object *b = json_object_array_get_idx(arr, i), *v;
		uint64_t index;
		const char *verdict;

		if (!json_object_is_type(b, json_type_object) || !u64_at(b, "index", &index) ||
		    !str_at(b, "verdict", &verdict) ||
		    (json_object_object_get_ex(b, "pages", &v) &&
		     !json_object_is_type(v, json_type_object))) {
			json_object_put(root);
			return err_set(err, "memhp-probe why: blocks[%zu] is not an object with an "
				       "integer index, a string verdict and an object of pages", i),
			       -EBADMSG;
		}
		if (json_object_object_get_ex(b, "pages", &v)) {
			json_object_object_foreach(v, kind, count) {
				if (!json_object_is_type(count, json_type_int) ||
				    json_object_get_int64(count) < 0) {
					err_set(err, "memhp-probe why: blocks[%zu].pages.%.40s is not "
						"a count", i, kind);
					json_object_put(root);
					return -EBADMSG;
				}
			}
		}
	}
	*blocks = json_object_get(arr);
	json_object_put(root);
	return 0;
}

int guest_snapshot(struct vm *vm, struct guest_snapshot *s,
		   int64_t deadline, struct err *err)
{
	static const char *const argv[] = { GUEST_PROBE, "snapshot", NULL };
	enum { ATTEMPTS = 3 };
	struct err perr;
	char *out;
	int code, rc;

	/*
	 * A probe only reads; on a guest loaded to the brim the agent has been
	 * seen to hand back a probe's output empty. Ask again before failing.
	 */
	for (int attempt = 1;; attempt++) {
		memset(s, 0, sizeof(*s));
		rc = guest_exec(vm, argv, &out, &code, deadline, err);
		if (rc)
			return rc;
		if (code) {
			free(out);
			return err_fail(err, -ECHILD, "memhp-probe exited with status %d", code);
		}
		rc = guest_snapshot_parse(out, s, &perr);
		if (!rc || attempt == ATTEMPTS || now_ms() >= deadline) {
			if (rc)
				err_set(err, "%.300s, %d times (the last time %zu bytes: '%.60s')",
					perr.msg, attempt, strlen(out), out);
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

/* Disk images: uploading memhp-probe and first-contact checks. */

static int file_close(struct vm *vm, int64_t handle,
		      int64_t deadline, struct err *err)
{
	json_object *args = json_object_new_object();

	json_object_object_add(args, "handle", json_object_new_int64(handle));
	return vm_agent(vm, "guest-file-close", args, NULL, reply_deadline(deadline), err);
}

static int file_open(struct vm *vm, const char *path,
		     const char *mode, int64_t *handle, int64_t deadline, struct err *err)
{
	json_object *args = json_object_new_object(), *ret;
	int rc;

	json_object_object_add(args, "path", json_object_new_string(path));
	json_object_object_add(args, "mode", json_object_new_string(mode));
	rc = vm_agent(vm, "guest-file-open", args, &ret, reply_deadline(deadline), err);
	if (rc)
		return rc;
	*handle = json_object_get_int64(ret);
	json_object_put(ret);
	return 0;
}

int guest_file_readable(struct vm *vm, const char *path,
			int64_t deadline, struct err *err)
{
	int64_t handle;
	int rc = file_open(vm, path, "r", &handle, deadline, err);

	if (rc)
		return rc;
	return file_close(vm, handle, deadline, err);
}

#define UPLOAD_CHUNK 49152

int guest_upload(struct vm *vm, const char *path,
		 const void *data, size_t len, int64_t deadline, struct err *err)
{
	char *b64 = malloc(UPLOAD_CHUNK / 3 * 4 + 4);
	int64_t handle;
	int rc;

	if (!b64)
		abort();
	rc = file_open(vm, path, "w", &handle, deadline, err);
	for (size_t off = 0; !rc && off < len; off += UPLOAD_CHUNK) {
		size_t n = len - off < UPLOAD_CHUNK ? len - off : UPLOAD_CHUNK;
		json_object *args = json_object_new_object(), *ret = NULL, *v;

		EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)data + off, (int)n);
		json_object_object_add(args, "handle", json_object_new_int64(handle));
		json_object_object_add(args, "buf-b64", json_object_new_string(b64));
		rc = vm_agent(vm, "guest-file-write", args, &ret, reply_deadline(deadline), err);
		if (!rc && (!json_object_object_get_ex(ret, "count", &v) ||
			    json_object_get_int64(v) != (int64_t)n)) {
			err_set(err, "%s: the agent wrote less than asked", path);
			rc = -EIO;
		}
		json_object_put(ret);
	}
	if (rc == 0 || rc != -EREMOTEIO) {
		struct err ignored;

		if (file_close(vm, handle, deadline, rc ? &ignored : err) && !rc)
			rc = -EIO;
	}
	free(b64);
	return rc;
}
