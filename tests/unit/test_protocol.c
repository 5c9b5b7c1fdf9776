// SPDX-License-Identifier: GPL-2.0-only
/*
 * QMP and guest-agent message handling over a real socketpair: the test
 * plays the peer by writing bytes exactly as QEMU or qemu-ga would, split and
 * corrupted where a test says so.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
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

#include "clock.h"
#include "jsonline.h"
#include "qga.h"
#include "qmp.h"

#define GREETING "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, " \
		 "\"package\": \"Debian 1:7.2\"}, \"capabilities\": [\"oob\"]}}\r\n"

struct pair {
	int mine, peer;
};

static int setup(void **state)
{
	static struct pair p;
	int fds[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
	p.mine = fds[0];
	p.peer = fds[1];
	*state = &p;
	return 0;
}

static int teardown(void **state)
{
	struct pair *p = *state;

	if (p->peer >= 0)
		close(p->peer);
	p->peer = -1;
	return 0;
}

static void peer_write(struct pair *p, const char *s)
{
	assert_int_equal(write(p->peer, s, strlen(s)), (ssize_t)strlen(s));
}

/* What the client sent, up to what is buffered now. */
static void peer_read(struct pair *p, char *buf, size_t len)
{
	ssize_t n = recv(p->peer, buf, len - 1, MSG_DONTWAIT);

	assert_true(n > 0);
	buf[n] = '\0';
}

static void open_qmp(struct pair *p, struct qmp *q)
{
	struct err err;

	peer_write(p, GREETING "{\"return\": {}, \"id\": \"memhp-1\"}\r\n");
	assert_int_equal(qmp_open(q, p->mine, now_ms() + 1000, &err), 0);
	assert_string_equal(q->version, "7.2.22 Debian 1:7.2");
}

static void test_qmp_greeting_and_capabilities(void **state)
{
	struct pair *p = *state;
	struct qmp q;
	char sent[512];

	open_qmp(p, &q);
	peer_read(p, sent, sizeof(sent));
	assert_non_null(strstr(sent, "\"execute\":\"qmp_capabilities\""));
	assert_non_null(strstr(sent, "\"id\":\"memhp-1\""));
	qmp_close(&q);
}

static void test_qmp_events_interleaved_with_reply_are_queued(void **state)
{
	struct pair *p = *state;
	json_object *ret, *ev;
	struct qmp q;
	struct err err;

	open_qmp(p, &q);
	peer_write(p, "{\"event\": \"ACPI_DEVICE_OST\", \"data\": {\"info\": {\"device\": \"dimm0\", "
		      "\"source\": 3, \"status\": 132}}}\r\n"
		      "{\"return\": {\"stale\": true}, \"id\": \"memhp-0\"}\r\n"
		      "{\"event\": \"DEVICE_DELETED\", \"data\": {\"device\": \"dimm0\"}}\r\n"
		      "{\"return\": [1, 2], \"id\": \"memhp-2\"}\r\n"
		      "{\"event\": \"SHUTDOWN\", \"data\": {}}\r\n");
	assert_int_equal(qmp_execute(&q, "query-memory-devices", NULL, &ret, now_ms() + 1000, &err), 0);
	assert_int_equal(json_object_array_length(ret), 2);
	json_object_put(ret);

	/* Queued in arrival order, then the one after the reply. */
	assert_int_equal(qmp_next_event(&q, now_ms() + 1000, &ev, &err), 0);
	assert_string_equal(json_object_get_string(json_object_object_get(ev, "event")), "ACPI_DEVICE_OST");
	json_object_put(ev);
	assert_int_equal(qmp_next_event(&q, now_ms() + 1000, &ev, &err), 0);
	assert_string_equal(json_object_get_string(json_object_object_get(ev, "event")), "DEVICE_DELETED");
	json_object_put(ev);
	assert_int_equal(qmp_next_event(&q, now_ms() + 1000, &ev, &err), 0);
	assert_string_equal(json_object_get_string(json_object_object_get(ev, "event")), "SHUTDOWN");
	json_object_put(ev);
	assert_int_equal(qmp_next_event(&q, now_ms() + 50, &ev, &err), -ETIMEDOUT);
	qmp_close(&q);
}

static void test_qmp_error_has_class_and_desc(void **state)
{
	struct pair *p = *state;
	struct qmp q;
	struct err err;

	open_qmp(p, &q);
	peer_write(p, "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'size' "
		      "expects uint64\"}, \"id\": \"memhp-2\"}\n");
	assert_int_equal(qmp_execute(&q, "object-add", NULL, NULL, now_ms() + 1000, &err), -EREMOTEIO);
	assert_string_equal(err.msg, "object-add: GenericError: Parameter 'size' expects uint64");
	qmp_close(&q);
}

static void test_partial_reads_are_reassembled(void **state)
{
	struct pair *p = *state;
	struct jsonline jl;
	json_object *obj;
	struct err err;

	assert_int_equal(jl_init(&jl, p->mine, "test"), 0);
	peer_write(p, "{\"event\": \"MEMORY_DEVICE_SIZE_CHANGE\", \"da");
	assert_int_equal(jl_recv(&jl, now_ms() + 50, &obj, &err), -ETIMEDOUT);
	peer_write(p, "ta\": {\"id\": \"vmem0\", \"size\": 1073741824}}");
	assert_int_equal(jl_recv(&jl, now_ms() + 1000, &obj, &err), 0);
	assert_int_equal(json_object_get_int64(json_object_object_get(
				 json_object_object_get(obj, "data"), "size")), 1073741824);
	json_object_put(obj);
	/* Two objects in one read, no separator. */
	peer_write(p, "{\"a\":1}{\"b\":2}");
	assert_int_equal(jl_recv(&jl, now_ms() + 1000, &obj, &err), 0);
	assert_non_null(json_object_object_get(obj, "a"));
	json_object_put(obj);
	assert_int_equal(jl_recv(&jl, now_ms() + 1000, &obj, &err), 0);
	assert_non_null(json_object_object_get(obj, "b"));
	json_object_put(obj);
	jl_close(&jl);
}

static void test_garbage_line_is_skipped(void **state)
{
	struct pair *p = *state;
	struct jsonline jl;
	json_object *obj;
	struct err err;

	assert_int_equal(jl_init(&jl, p->mine, "test"), 0);
	peer_write(p, "}}not json at all\n{\"ok\": true}\n");
	assert_int_equal(jl_recv(&jl, now_ms() + 1000, &obj, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "unparsable"));
	assert_int_equal(jl_recv(&jl, now_ms() + 1000, &obj, &err), 0);
	assert_true(json_object_get_boolean(json_object_object_get(obj, "ok")));
	json_object_put(obj);
	/* A top-level value that is not an object is refused, not returned. */
	peer_write(p, "[1,2]\n");
	assert_int_equal(jl_recv(&jl, now_ms() + 1000, &obj, &err), -EBADMSG);
	jl_close(&jl);
}

struct flood {
	int fd;
	size_t bytes; /* of the string's body */
	bool close_string;
};

/* Write {"return": "AAAA... (flood->bytes of them) from a thread, as a
 * guest would that never stops, then a newline and a good object. */
static void *flood_writer(void *arg)
{
	struct flood *f = arg;
	static char chunk[1 << 20];
	const char *head = "{\"return\": \"", *tail = f->close_string ? "\"}\n" : "\n";
	const char *next = "{\"ok\": true}\n";

	memset(chunk, 'A', sizeof(chunk));
	if (write(f->fd, head, strlen(head)) < 0)
		return NULL;
	for (size_t left = f->bytes; left;) {
		size_t n = left < sizeof(chunk) ? left : sizeof(chunk);
		ssize_t w = write(f->fd, chunk, n);

		if (w <= 0)
			return NULL;
		left -= (size_t)w;
	}
	if (write(f->fd, tail, strlen(tail)) < 0 || write(f->fd, next, strlen(next)) < 0)
		return NULL;
	return NULL;
}

/*
 * Issue 13, defect 13: a peer that opens a string and never closes it was
 * buffered without bound. One message is at most JL_MAX_MESSAGE: more is
 * -EMSGSIZE, and the stream goes on after the next newline. A reply as large
 * as qemu-ga's own output cap (16 MiB, about 22 MiB in base64) still passes.
 */
static void test_message_size_is_bounded(void **state)
{
	struct pair *p = *state;
	struct flood f = { .fd = p->peer, .bytes = 22u << 20, .close_string = true };
	struct jsonline jl;
	json_object *obj, *v;
	struct err err;
	pthread_t t;

	assert_int_equal(jl_init(&jl, p->mine, "agent"), 0);
	assert_int_equal(pthread_create(&t, NULL, flood_writer, &f), 0);
	assert_int_equal(jl_recv(&jl, now_ms() + 600000, &obj, &err), 0);
	assert_true(json_object_object_get_ex(obj, "return", &v));
	assert_int_equal(json_object_get_string_len(v), 22u << 20);
	json_object_put(obj);
	assert_int_equal(jl_recv(&jl, now_ms() + 600000, &obj, &err), 0);
	json_object_put(obj);
	pthread_join(t, NULL);

	f = (struct flood){ .fd = p->peer, .bytes = JL_MAX_MESSAGE + (4u << 20) };
	assert_int_equal(pthread_create(&t, NULL, flood_writer, &f), 0);
	assert_int_equal(jl_recv(&jl, now_ms() + 600000, &obj, &err), -EMSGSIZE);
	assert_non_null(strstr(err.msg, "agent: a message of more than"));
	/* What follows the over-long line is read as usual. */
	assert_int_equal(jl_recv(&jl, now_ms() + 600000, &obj, &err), 0);
	assert_true(json_object_get_boolean(json_object_object_get(obj, "ok")));
	json_object_put(obj);
	pthread_join(t, NULL);
	assert_true(jl.cap <= JL_MAX_MESSAGE + (1u << 17));
	jl_close(&jl);
}

/* The limit also holds for an object that arrives complete in one read. */
static void test_message_size_in_one_read(void **state)
{
	struct pair *p = *state;
	char msg[2200];
	struct jsonline jl;
	json_object *obj;
	struct err err;

	assert_int_equal(jl_init(&jl, p->mine, "QMP"), 0);
	jl.max_message = 1000;
	snprintf(msg, sizeof(msg), "{\"s\": \"%0990d\"}\n{\"t\": \"%01000d\"}\n{\"u\": 1}\n", 0,
		 0);
	peer_write(p, msg);
	assert_int_equal(jl_recv(&jl, now_ms() + 1000, &obj, &err), 0);
	assert_non_null(json_object_object_get(obj, "s"));
	json_object_put(obj);
	assert_int_equal(jl_recv(&jl, now_ms() + 1000, &obj, &err), -EMSGSIZE);
	assert_int_equal(jl_recv(&jl, now_ms() + 1000, &obj, &err), 0);
	assert_non_null(json_object_object_get(obj, "u"));
	json_object_put(obj);
	jl_close(&jl);
}

/* Each byte goes into the tokener once, however the object is split (the
 * reader re-parsed the whole buffer on every read: quadratic). */
static void test_each_byte_parsed_once(void **state)
{
	struct pair *p = *state;
	static char msg[64 * 1024];
	struct jsonline jl;
	json_object *obj;
	struct err err;
	size_t len, chunk = 1024;

	assert_int_equal(jl_init(&jl, p->mine, "QMP"), 0);
	len = (size_t)snprintf(msg, sizeof(msg), "{\"blocks\": [");
	while (len < sizeof(msg) - 100)
		len += (size_t)snprintf(msg + len, sizeof(msg) - len, "{\"index\": %zu},", len);
	len += (size_t)snprintf(msg + len, sizeof(msg) - len, "0]}");
	for (size_t off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;
		int rc;

		assert_int_equal(write(p->peer, msg + off, n), (ssize_t)n);
		rc = jl_recv(&jl, now_ms() + (off + n < len ? 20 : 1000), &obj, &err);
		if (off + n < len) {
			assert_int_equal(rc, -ETIMEDOUT);
		} else {
			assert_int_equal(rc, 0);
			json_object_put(obj);
		}
	}
	assert_int_equal(jl.bytes_parsed, len);
	jl_close(&jl);
}

static void test_eof_is_epipe_after_buffered_objects(void **state)
{
	struct pair *p = *state;
	struct jsonline jl;
	json_object *obj;
	struct err err;

	assert_int_equal(jl_init(&jl, p->mine, "QMP"), 0);
	peer_write(p, "{\"last\": 1}\n{\"half");
	close(p->peer);
	p->peer = -1;
	assert_int_equal(jl_recv(&jl, now_ms() + 1000, &obj, &err), 0);
	json_object_put(obj);
	assert_int_equal(jl_recv(&jl, now_ms() + 1000, &obj, &err), -EPIPE);
	assert_string_equal(err.msg, "QMP: connection closed by peer");
	jl_close(&jl);
}

static void test_qmp_eof_while_waiting_for_reply(void **state)
{
	struct pair *p = *state;
	struct qmp q;
	struct err err;

	open_qmp(p, &q);
	close(p->peer);
	p->peer = -1;
	assert_int_equal(qmp_execute(&q, "query-status", NULL, NULL, now_ms() + 1000, &err), -EPIPE);
	assert_non_null(strstr(err.msg, "query-status"));
	qmp_close(&q);
}

/* qemu-ga answers a leading 0xFF with an error, then the sync behind 0xFF;
 * echoes of older syncs may come first. Only our id counts. */
static void test_qga_sync_skips_noise_and_stale_echoes(void **state)
{
	struct pair *p = *state;
	struct qga g;
	struct err err;
	char sent[512], reply[256];
	unsigned long long id;
	char *at;

	assert_int_equal(qga_init(&g, p->mine), 0);
	peer_write(p, "{\"error\": {\"class\": \"GenericError\", \"desc\": \"stray\"}}\n"
		      "\xff{\"return\": 12345}\n");
	/* First try: only the stale echo is there, so it times out. */
	assert_int_equal(qga_sync(&g, now_ms() + 100, &err), -ETIMEDOUT);
	assert_false(g.synced);
	peer_read(p, sent, sizeof(sent));
	assert_int_equal((unsigned char)sent[0], 0xff);

	g.sync_id = 41;
	peer_write(p, "junk\xff{\"return\": 1}\n\xff{\"return\": 42}\n");
	assert_int_equal(qga_sync(&g, now_ms() + 1000, &err), 0);
	assert_true(g.synced);
	peer_read(p, sent, sizeof(sent));
	at = strstr(sent, "\"id\":");
	assert_non_null(at);
	id = strtoull(at + 5, NULL, 10);
	assert_int_equal(id, 42);
	snprintf(reply, sizeof(reply), "{\"return\": {\"pid\": 7}}\n");
	peer_write(p, reply);
	{
		json_object *ret;

		assert_int_equal(qga_execute(&g, "guest-exec", NULL, &ret, now_ms() + 1000, &err), 0);
		assert_int_equal(json_object_get_int(json_object_object_get(ret, "pid")), 7);
		json_object_put(ret);
	}
	peer_write(p, "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"no such command\"}}\n");
	assert_int_equal(qga_execute(&g, "guest-nope", NULL, NULL, now_ms() + 1000, &err), -EREMOTEIO);
	assert_string_equal(err.msg, "guest-nope: CommandNotFound: no such command");
	qga_close(&g);
}

static void test_qga_timeout_forces_resync(void **state)
{
	struct pair *p = *state;
	struct qga g;
	struct err err;
	char sent[512];

	assert_int_equal(qga_init(&g, p->mine), 0);
	g.synced = true;
	assert_int_equal(qga_execute(&g, "guest-info", NULL, NULL, now_ms() + 50, &err), -ETIMEDOUT);
	assert_false(g.synced);
	peer_read(p, sent, sizeof(sent));
	/* The next command starts with a sync that the peer never answers. */
	assert_int_equal(qga_execute(&g, "guest-info", NULL, NULL, now_ms() + 50, &err), -ETIMEDOUT);
	peer_read(p, sent, sizeof(sent));
	assert_non_null(strstr(sent, "guest-sync-delimited"));
	qga_close(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_qmp_greeting_and_capabilities, setup, teardown),
		cmocka_unit_test_setup_teardown(test_qmp_events_interleaved_with_reply_are_queued, setup, teardown),
		cmocka_unit_test_setup_teardown(test_qmp_error_has_class_and_desc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_reads_are_reassembled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage_line_is_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_message_size_is_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_message_size_in_one_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_each_byte_parsed_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eof_is_epipe_after_buffered_objects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_qmp_eof_while_waiting_for_reply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_qga_sync_skips_noise_and_stale_echoes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_qga_timeout_forces_resync, setup, teardown),
	};

	return cmocka_run_group_tests_name("protocol", tests, NULL, NULL);
}
