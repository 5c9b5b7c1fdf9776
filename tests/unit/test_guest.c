// SPDX-License-Identifier: GPL-2.0-only
/*
 * Parsing what comes back from the guest: probe snapshots, guest-exec
 * replies (through a fault-injecting agent: the only stand-in here, for the
 * parser, never for a test of hotplug), and the OST status table.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clock.h"
#include "guest.h"
#include "ost.h"
#include "str.h"

static const char snapshot[] =
	"{\"probe_version\":1,\"block_size\":134217728,\"release\":\"6.1.0-56-cloud-amd64\","
	"\"cmdline\":\"console=ttyS0\",\"blocks\":["
	"{\"index\":0,\"start\":0,\"state\":\"online\",\"zones\":\"DMA32\"},"
	"{\"index\":32,\"start\":4294967296,\"state\":\"online\",\"zones\":\"Movable\"},"
	"{\"index\":33,\"start\":4429185024,\"state\":\"offline\",\"zones\":\"Normal Movable\"}],"
	"\"zones\":[],\"meminfo\":{\"MemTotal\":1000},\"kmsg\":[\"Offline failed.\"]}";

static void test_snapshot_parse(void **state)
{
	struct guest_snapshot s;
	struct err err;
	const struct guest_block *b;

	(void)state;
	assert_int_equal(guest_snapshot_parse(snapshot, &s, &err), 0);
	assert_int_equal(s.block_size, 128 << 20);
	assert_string_equal(s.release, "6.1.0-56-cloud-amd64");
	assert_int_equal(s.nblocks, 3);
	b = guest_find_block(&s, 32);
	assert_non_null(b);
	assert_int_equal(b->start, 1ULL << 32);
	assert_string_equal(b->zone, "Movable");
	/* An offline block lists candidate zones; it has no zone. */
	assert_string_equal(guest_find_block(&s, 33)->zone, "");
	assert_null(guest_find_block(&s, 1));
	assert_null(guest_find_block(&s, 34));
	guest_snapshot_free(&s);
}

static void test_snapshot_parse_refuses_bad_output(void **state)
{
	static const char *const bad[] = {
		"", "not json", "[1]", "{\"blocks\": []}", "{\"block_size\": 134217728}",
		"{\"block_size\": 134217728, \"blocks\": {}}",
	};
	struct guest_snapshot s;
	struct err err;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(guest_snapshot_parse(bad[i], &s, &err), -EBADMSG);
		assert_null(s.raw);
	}
}

/* A scripted agent: replies in order, one per command. "late" is a reply
 * that did not come before the deadline: the call waits until it passes. */
static const char *const *script;
static size_t script_pos;

static int fake_agent(struct vm *vm, const char *cmd, json_object *args, json_object **ret,
		      int64_t deadline, struct err *err)
{
	const char *reply = script[script_pos++];

	(void)vm;
	json_object_put(args);
	if (!reply)
		return err_set(err, "%s: agent gone", cmd), -EPIPE;
	if (!strcmp(reply, "late")) {
		while (now_ms() < deadline)
			sleep_ms(1);
		return err_set(err, "%s: agent: no complete reply before the deadline", cmd),
		       -ETIMEDOUT;
	}
	*ret = json_tokener_parse(reply);
	return 0;
}

static void test_guest_exec_waits_and_decodes(void **state)
{
	static const char *const replies[] = {
		"{\"pid\": 5}",
		"{\"exited\": false}",
		"{\"exited\": false}",
		/* "hello\n" and an exit status of 3 */
		"{\"exited\": true, \"exitcode\": 3, \"out-data\": \"aGVsbG8K\"}",
	};
	struct backend_ops be = { .agent = fake_agent };
	struct vm vm = { .ops = &be };
	static const char *const argv[] = { "/bin/true", "x", NULL };
	char *out;
	int code;
	struct err err;

	(void)state;
	script = replies;
	script_pos = 0;
	assert_int_equal(guest_exec(&vm, argv, &out, &code, INT64_MAX, &err), 0);
	assert_string_equal(out, "hello\n");
	assert_int_equal(code, 3);
	assert_int_equal(script_pos, 4);
	free(out);
}

static void test_guest_exec_faults(void **state)
{
	static const char *const bad_base64[] = {
		"{\"pid\": 5}", "{\"exited\": true, \"exitcode\": 0, \"out-data\": \"a$b\"}",
	};
	static const char *const killed[] = {
		"{\"pid\": 5}", "{\"exited\": true, \"signal\": 9}",
	};
	static const char *const gone[] = { "{\"pid\": 5}", NULL };
	struct backend_ops be = { .agent = fake_agent };
	struct vm vm = { .ops = &be };
	static const char *const argv[] = { "/bin/x", NULL };
	char *out;
	int code;
	struct err err;

	(void)state;
	script = bad_base64;
	script_pos = 0;
	assert_int_equal(guest_exec(&vm, argv, &out, &code, INT64_MAX, &err), -EBADMSG);
	assert_string_equal(err.msg, "/bin/x: agent sent bad base64 output");

	script = killed;
	script_pos = 0;
	assert_int_equal(guest_exec(&vm, argv, &out, &code, INT64_MAX, &err), 0);
	assert_int_equal(code, 128 + 9);
	assert_string_equal(out, "");
	free(out);

	script = gone;
	script_pos = 0;
	assert_int_equal(guest_exec(&vm, argv, &out, &code, INT64_MAX, &err), -EPIPE);
	assert_string_equal(err.msg, "waiting for /bin/x in the guest: guest-exec-status: agent gone");
}

/* Patience: 20 ms more per call of more(), 0 after `grant` of them. */
static int granted, grant;

static int64_t more(void *ctx)
{
	(void)ctx;
	return granted++ < grant ? now_ms() + 20 : 0;
}

/*
 * A program that outlives its deadline while the guest is busy (the
 * workload's stop unlinking a million files under TCG): with patience the
 * wait goes on for the same process, through an agent reply that came too
 * late and through a deadline that passed, until it exits; without, or once
 * patience says no, it is the timeout it was.
 */
static void test_guest_exec_patience(void **state)
{
	static const char *const slow[] = {
		"{\"pid\": 7}", "late", "{\"exited\": false}", "late",
		"{\"exited\": true, \"exitcode\": 0, \"out-data\": \"b2sK\"}",
	};
	static const char *const gives_up[] = { "{\"pid\": 7}", "late", "late", NULL };
	struct backend_ops be = { .agent = fake_agent };
	struct vm vm = { .ops = &be };
	struct exec_patience p = { .more = more };
	static const char *const argv[] = { "/bin/probe", NULL };
	char *out;
	int code;
	struct err err;

	(void)state;
	/* The deadline has passed already: every wait is patience's. */
	script = slow;
	script_pos = 0;
	granted = 0;
	grant = 3;
	assert_int_equal(guest_exec_patient(&vm, argv, &out, &code, now_ms() - 1, &p, &err), 0);
	assert_string_equal(out, "ok\n");
	assert_int_equal(script_pos, 5);
	assert_true(granted >= 2); /* each late reply used up its deadline */
	free(out);

	/* Patience says no after one extension: the second late reply ends it. */
	script = gives_up;
	script_pos = 0;
	granted = 0;
	grant = 1;
	assert_int_equal(guest_exec_patient(&vm, argv, &out, &code, now_ms() - 1, &p, &err),
			 -ETIMEDOUT);
	assert_int_equal(script_pos, 3);
	assert_int_equal(granted, 2);
	assert_string_equal(err.msg, "waiting for /bin/probe in the guest: guest-exec-status: "
			    "agent: no complete reply before the deadline");

	/* Without patience the first late reply is the end, as before. */
	script = slow;
	script_pos = 0;
	assert_int_equal(guest_exec(&vm, argv, &out, &code, now_ms() - 1, &err), -ETIMEDOUT);
	assert_int_equal(script_pos, 2);
}

static void test_ost_meanings(void **state)
{
	(void)state;
	/* 0x84 is progress, not a refusal; 0x80-0x83 and 0x01 are refusals. */
	assert_false(ost_is_rejection(OST_SOURCE_EJECT, 0x84));
	assert_true(ost_is_rejection(OST_SOURCE_EJECT, 0x82));
	assert_true(ost_is_rejection(OST_SOURCE_EJECT, 0x80));
	assert_true(ost_is_rejection(OST_SOURCE_EJECT, 0x01));
	assert_false(ost_is_rejection(OST_SOURCE_EJECT, 0x00));
	/* Source 1 (insertion) statuses are never eject answers. */
	assert_false(ost_is_rejection(1, 0x82));
	assert_true(ost_is_success(OST_SOURCE_EJECT, 0));
	assert_string_equal(ost_status_name(0x82), "busy");
	assert_string_equal(ost_status_name(0x84), "in progress");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snapshot_parse),
		cmocka_unit_test(test_snapshot_parse_refuses_bad_output),
		cmocka_unit_test(test_guest_exec_waits_and_decodes),
		cmocka_unit_test(test_guest_exec_faults),
		cmocka_unit_test(test_guest_exec_patience),
		cmocka_unit_test(test_ost_meanings),
	};

	return cmocka_run_group_tests_name("guest", tests, NULL, NULL);
}
