// SPDX-License-Identifier: GPL-2.0-only
/*
 * A hostile guest: a scripted agent answers guest-exec and the probes with
 * every shape a broken or malicious guest can send (null, wrong types,
 * overflowing numbers, deep nesting, huge strings, base64 garbage). Each
 * must come back as an error with a reason, never as a crash: the runner
 * turns that error into a failed result and stops QEMU (runner_run's one
 * path for every phase error). The agent is the only stand-in here, for
 * the parsers; the agent protocol itself is driven over a real socketpair.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "guest.h"
#include "qga.h"
#include "str.h"

/* The scripted agent: a reply per command, in order; NULL: the agent is gone. */
static const char *const *script;
static size_t script_pos, script_len;

static int fake_agent(struct vm *vm, const char *cmd, json_object *args, json_object **ret,
		      int64_t deadline, struct err *err)
{
	const char *reply;

	(void)vm;
	(void)deadline;
	json_object_put(args);
	if (script_pos >= script_len)
		return err_set(err, "%s: script ran out", cmd), -EPIPE;
	reply = script[script_pos++];
	if (!reply)
		return err_set(err, "%s: agent gone", cmd), -EPIPE;
	/* What qga_execute hands on: the "return" value, whatever JSON it is
	 * (json-c: NULL for null). */
	*ret = json_tokener_parse(reply);
	return 0;
}

static char *b64(const char *s)
{
	size_t len = strlen(s);
	char *out = malloc(4 * ((len + 2) / 3) + 1);

	assert_non_null(out);
	EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s, (int)len);
	return out;
}

static char *nested(size_t depth)
{
	char *s = malloc(2 * depth + 1);

	assert_non_null(s);
	memset(s, '[', depth);
	memset(s + depth, ']', depth);
	s[2 * depth] = '\0';
	return s;
}

static void test_exec_replies(void **state)
{
	static const char *const status_replies[] = {
		/* defect 1: null out-data was strlen(NULL) */
		"{\"exited\": true, \"out-data\": null}",
		"{\"exited\": true, \"exitcode\": 0, \"out-data\": 5}",
		"{\"exited\": true, \"exitcode\": 0, \"out-data\": {\"a\": 1}}",
		/* defect 1: 128 + signal overflowed */
		"{\"exited\": true, \"signal\": 2147483647}",
		"{\"exited\": true, \"signal\": -2147483648}",
		"{\"exited\": true, \"signal\": \"9\"}",
		"{\"exited\": true, \"exitcode\": 99999999999}",
		"{\"exited\": true, \"exitcode\": -1}",
		"{\"exited\": true, \"exitcode\": 1.5}",
		/* exited of the wrong type, or the reply of the wrong shape */
		"{\"exited\": \"yes\"}",
		"{\"exited\": null}",
		"{}",
		"null",
		"[true]",
		"7",
		"\"exited\"",
		/* base64 garbage */
		"{\"exited\": true, \"exitcode\": 0, \"out-data\": \"====\"}",
		"{\"exited\": true, \"exitcode\": 0, \"out-data\": \"a===\"}",
		"{\"exited\": true, \"exitcode\": 0, \"out-data\": \"!!!!\"}",
		"{\"exited\": true, \"exitcode\": 0, \"out-data\": \"abc\"}",
	};
	static const char *const pid_replies[] = {
		"{\"pid\": null}", "{\"pid\": \"5\"}", "{\"pid\": -1}", "{\"pid\": 1e3}",
		"{\"pid\": 99999999999}", "null", "[]", "{}",
	};
	struct backend_ops be = { .agent = fake_agent };
	struct vm vm = { .ops = &be };
	static const char *const argv[] = { "/bin/x", NULL };
	char *out = NULL;
	int code;
	struct err err;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(status_replies); i++) {
		const char *s[] = { "{\"pid\": 5}", status_replies[i] };

		script = s;
		script_len = 2;
		script_pos = 0;
		err.msg[0] = '\0';
		out = NULL;
		if (guest_exec(&vm, argv, &out, &code, INT64_MAX, &err) >= 0)
			fail_msg("accepted: %s", status_replies[i]);
		assert_non_null(strstr(err.msg, "/bin/x"));
		assert_null(out);
	}
	for (size_t i = 0; i < ARRAY_SIZE(pid_replies); i++) {
		const char *s[] = { pid_replies[i] };

		script = s;
		script_len = 1;
		script_pos = 0;
		assert_int_equal(guest_exec(&vm, argv, &out, &code, INT64_MAX, &err), -EPROTO);
		assert_non_null(strstr(err.msg, "no valid pid"));
		/* No guest-exec-status was sent for a pid that is not one. */
		assert_int_equal(script_pos, 1);
	}
}

static void test_exec_huge_and_deep(void **state)
{
	struct backend_ops be = { .agent = fake_agent };
	struct vm vm = { .ops = &be };
	static const char *const argv[] = { "/bin/x", NULL };
	size_t big = 4u << 20;
	char *text = malloc(big + 1), *enc, *reply, *deep = nested(100000);
	char *out;
	int code;
	struct err err;

	(void)state;
	assert_non_null(text);
	memset(text, 'x', big);
	text[big] = '\0';
	enc = b64(text);
	reply = malloc(strlen(enc) + 64);
	assert_non_null(reply);
	sprintf(reply, "{\"exited\": true, \"exitcode\": 0, \"out-data\": \"%s\"}", enc);
	{
		/* A large but valid output is returned whole. */
		const char *s[] = { "{\"pid\": 5}", reply };

		script = s;
		script_len = 2;
		script_pos = 0;
		assert_int_equal(guest_exec(&vm, argv, &out, &code, INT64_MAX, &err), 0);
		assert_int_equal(strlen(out), big);
		free(out);
	}
	{
		/* Nesting deeper than json-c parses: no reply object at all. */
		const char *s[] = { "{\"pid\": 5}", deep };

		script = s;
		script_len = 2;
		script_pos = 0;
		assert_true(guest_exec(&vm, argv, &out, &code, INT64_MAX, &err) < 0);
	}
	free(text);
	free(enc);
	free(reply);
	free(deep);
}

/* A probe output sent through the agent, as guest_snapshot receives it. */
static int snapshot_via_agent(const char *probe_out, struct guest_snapshot *s, struct err *err)
{
	struct backend_ops be = { .agent = fake_agent };
	struct vm vm = { .ops = &be };
	char *enc = b64(probe_out), *reply = malloc(strlen(enc) + 64);
	const char *replies[6];
	int rc;

	assert_non_null(reply);
	sprintf(reply, "{\"exited\": true, \"exitcode\": 0, \"out-data\": \"%s\"}", enc);
	/* guest_snapshot asks up to three times */
	for (size_t i = 0; i < 6; i += 2) {
		replies[i] = "{\"pid\": 7}";
		replies[i + 1] = reply;
	}
	script = replies;
	script_len = 6;
	script_pos = 0;
	rc = guest_snapshot(&vm, s, INT64_MAX, err);
	free(enc);
	free(reply);
	return rc;
}

#define GOOD_HEAD "{\"block_size\": 134217728, "
#define BLOCK0 "{\"index\": 32, \"start\": 4294967296, \"state\": \"online\", \"zones\": \"Movable\"}"

static void test_probe_shapes(void **state)
{
	static const char *const bad[] = {
		/* defect 1: kmsg of the wrong type, or holding null */
		GOOD_HEAD "\"blocks\": [], \"kmsg\": 0}",
		GOOD_HEAD "\"blocks\": [], \"kmsg\": {}}",
		GOOD_HEAD "\"blocks\": [], \"kmsg\": null}",
		GOOD_HEAD "\"blocks\": [], \"kmsg\": [null]}",
		GOOD_HEAD "\"blocks\": [], \"kmsg\": [\"ok\", 5]}",
		/* block_size and blocks */
		"{\"block_size\": \"134217728\", \"blocks\": []}",
		"{\"block_size\": -134217728, \"blocks\": []}",
		"{\"block_size\": 1.5e8, \"blocks\": []}",
		"{\"block_size\": 100000000, \"blocks\": []}",
		"{\"block_size\": 0, \"blocks\": []}",
		GOOD_HEAD "\"blocks\": null}",
		GOOD_HEAD "\"blocks\": [null]}",
		GOOD_HEAD "\"blocks\": [5]}",
		GOOD_HEAD "\"blocks\": [[]]}",
		GOOD_HEAD "\"blocks\": [{\"index\": \"32\", \"start\": 0, \"state\": \"online\"}]}",
		GOOD_HEAD "\"blocks\": [{\"index\": -1, \"start\": 0, \"state\": \"online\"}]}",
		GOOD_HEAD "\"blocks\": [{\"index\": 1, \"state\": \"online\"}]}",
		GOOD_HEAD "\"blocks\": [{\"index\": 1, \"start\": 0, \"state\": 1}]}",
		GOOD_HEAD "\"blocks\": [{\"index\": 1, \"start\": 0, \"state\": \"online\", "
			  "\"zones\": [\"Normal\"]}]}",
		/* out of order: guest_find_block would search wrongly */
		GOOD_HEAD "\"blocks\": [" BLOCK0 ", {\"index\": 3, \"start\": 0, \"state\": "
			  "\"online\"}]}",
		GOOD_HEAD "\"blocks\": [" BLOCK0 ", " BLOCK0 "]}",
		/* the rest of the snapshot */
		GOOD_HEAD "\"blocks\": [], \"release\": 6}",
		GOOD_HEAD "\"blocks\": [], \"cmdline\": null}",
		GOOD_HEAD "\"blocks\": [], \"meminfo\": [1, 2]}",
		"null", "[]", "0", "\"x\"", "",
	};
	struct guest_snapshot s;
	struct err err;
	char *deep = nested(5000), *huge;
	size_t hl = 1u << 20;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(snapshot_via_agent(bad[i], &s, &err), -EBADMSG);
		assert_non_null(strstr(err.msg, "memhp-probe"));
		assert_null(s.raw);
		assert_null(s.blocks);
	}
	assert_int_equal(snapshot_via_agent(deep, &s, &err), -EBADMSG);
	free(deep);

	/* A huge release string is cut to the field, not overflowing it. */
	huge = malloc(hl + 128);
	assert_non_null(huge);
	strcpy(huge, GOOD_HEAD "\"blocks\": [" BLOCK0 "], \"release\": \"");
	memset(huge + strlen(huge), 'r', hl);
	strcpy(huge + strlen(GOOD_HEAD "\"blocks\": [" BLOCK0 "], \"release\": \"") + hl, "\"}");
	assert_int_equal(snapshot_via_agent(huge, &s, &err), 0);
	assert_int_equal(strlen(s.release), sizeof(s.release) - 1);
	assert_int_equal(s.nblocks, 1);
	guest_snapshot_free(&s);
	free(huge);

	/* The good shape still parses, kmsg and all. */
	assert_int_equal(snapshot_via_agent(GOOD_HEAD "\"blocks\": [" BLOCK0 "], \"kmsg\": "
						      "[\"Offline failed.\"], \"meminfo\": {}}",
					    &s, &err),
			 0);
	assert_string_equal(s.blocks[0].zone, "Movable");
	guest_snapshot_free(&s);
}

static void test_why_shapes(void **state)
{
	static const char *const bad[] = {
		/* defect 1: the why report with "blocks": 5 aborted */
		"{\"blocks\": 5}",
		"{\"blocks\": {}}",
		"{\"blocks\": null}",
		"{}",
		"[]",
		"null",
		"not json",
		"{\"blocks\": [5]}",
		"{\"blocks\": [null]}",
		"{\"blocks\": [{\"index\": \"3\"}]}",
		"{\"blocks\": [{\"index\": -3}]}",
		"{\"blocks\": [{\"index\": 3, \"verdict\": 7}]}",
		"{\"blocks\": [{\"index\": 3, \"pages\": []}]}",
		"{\"blocks\": [{\"index\": 3, \"pages\": {\"anon\": \"many\"}}]}",
		"{\"blocks\": [{\"index\": 3, \"pages\": {\"anon\": -1}}]}",
		"{\"blocks\": [{\"index\": 3, \"pages\": {\"anon\": 1.5}}]}",
	};
	json_object *blocks;
	struct err err;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(guest_why_parse(bad[i], &blocks, &err), -EBADMSG);
		assert_null(blocks);
		assert_non_null(strstr(err.msg, "memhp-probe why"));
	}
	assert_int_equal(guest_why_parse("{\"blocks\": [{\"index\": 40, \"pages\": {\"anon\": 12},"
					 " \"verdict\": \"pinned\"}]}",
					 &blocks, &err),
			 0);
	assert_int_equal(json_object_array_length(blocks), 1);
	json_object_put(blocks);
}

/* The agent protocol over a real socketpair: error replies of the wrong
 * types, and replies that are not objects. */
static void test_qga_error_shapes(void **state)
{
	static const struct {
		const char *reply;
		int rc;
		const char *msg;
	} cases[] = {
		{ "{\"error\": {\"class\": 5, \"desc\": {\"x\": 1}}}\n", -EREMOTEIO,
		  "guest-ping: ?: (no description)" },
		{ "{\"error\": null}\n", -EREMOTEIO, "guest-ping: ?: (no description)" },
		{ "{\"error\": \"boom\"}\n", -EREMOTEIO, "guest-ping: ?: (no description)" },
		{ "{\"error\": {\"class\": \"GenericError\", \"desc\": \"no\"}}\n", -EREMOTEIO,
		  "guest-ping: GenericError: no" },
		/* jsonline skips what is not an object: garbage, the stream resyncs */
		{ "[1, 2]\n", -EBADMSG, NULL },
		{ "{\"neither\": 1}\n", -EPROTO,
		  "guest-ping: agent reply has neither return nor error" },
	};
	struct err err;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct qga g;
		int sv[2];
		json_object *ret = (json_object *)1;

		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
		assert_int_equal(qga_init(&g, sv[0]), 0);
		g.synced = true; /* the sync itself is test_protocol's */
		assert_int_equal(write(sv[1], cases[i].reply, strlen(cases[i].reply)),
				 (ssize_t)strlen(cases[i].reply));
		assert_int_equal(qga_execute(&g, "guest-ping", NULL, &ret, INT64_MAX, &err),
				 cases[i].rc);
		if (cases[i].msg)
			assert_string_equal(err.msg, cases[i].msg);
		else
			assert_non_null(strstr(err.msg, "guest-ping"));
		assert_false(cases[i].rc != -EREMOTEIO && g.synced);
		assert_null(ret);
		qga_close(&g);
		close(sv[1]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_replies),
		cmocka_unit_test(test_exec_huge_and_deep),
		cmocka_unit_test(test_probe_shapes),
		cmocka_unit_test(test_why_shapes),
		cmocka_unit_test(test_qga_error_shapes),
	};

	return cmocka_run_group_tests_name("hostile guest", tests, NULL, NULL);
}
