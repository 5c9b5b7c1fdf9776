// SPDX-License-Identifier: GPL-2.0-only
/*
 * Disk images: --image values, and uploading memhp-probe through the agent
 * (guest-file-open/write/close) against a recording agent that can fail a
 * write (a stand-in for the agent's protocol only; the integration test
 * uploads to a real guest).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "guest.h"
#include "image.h"

static void test_image_kinds(void **state)
{
	enum image_kind k;
	struct err err;

	(void)state;
	assert_int_equal(image_kind_parse("initramfs", &k, &err), 0);
	assert_int_equal(k, IMAGE_INITRAMFS);
	assert_int_equal(image_kind_parse("debian", &k, &err), 0);
	assert_int_equal(k, IMAGE_DEBIAN);
	assert_int_equal(image_kind_parse("path:/x/disk.qcow2", &k, &err), 0);
	assert_int_equal(k, IMAGE_PATH);
	assert_string_equal(image_kind_name(IMAGE_PATH), "path");
	assert_int_equal(image_kind_parse("path:", &k, &err), -EINVAL);
	assert_int_equal(image_kind_parse("fedora", &k, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "'fedora' is not initramfs, debian or path:DISK"));
}

/* Write len bytes of data to a fresh temporary file; path gets its name. */
static void temp_file(char *path, const void *data, size_t len)
{
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* The disk's header says what it is: qcow2 by its magic, with its virtual
 * size and whether it has a backing file; anything else is raw. */
static void test_disk_probe(void **state)
{
	unsigned char h[72] = { 'Q', 'F', 'I', 0xfb, 0, 0, 0, 3 };
	char path[] = "/tmp/memhp-test-disk-XXXXXX";
	struct disk_info info;
	struct err err;

	(void)state;
	h[24 + 3] = 2; /* size 0x0000000200000000: 8 GiB */
	temp_file(path, h, sizeof(h));
	assert_int_equal(image_disk_probe(path, &info, &err), 0);
	assert_string_equal(info.format, "qcow2");
	assert_true(info.virtual_size == 8ULL << 30);
	assert_false(info.backing);
	unlink(path);

	h[15] = 0x48; /* backing_file_offset */
	strcpy(path, "/tmp/memhp-test-disk-XXXXXX");
	temp_file(path, h, sizeof(h));
	assert_int_equal(image_disk_probe(path, &info, &err), 0);
	assert_true(info.backing);
	unlink(path);

	strcpy(path, "/tmp/memhp-test-disk-XXXXXX");
	temp_file(path, "raw bytes, 22 of them.", 22);
	assert_int_equal(image_disk_probe(path, &info, &err), 0);
	assert_string_equal(info.format, "raw");
	assert_true(info.virtual_size == 22);
	unlink(path);

	strcpy(path, "/tmp/memhp-test-disk-XXXXXX");
	temp_file(path, "QFI\xfb\0\0\0\3", 8);
	assert_int_equal(image_disk_probe(path, &info, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "qcow2 header cut short"));
	unlink(path);
	assert_int_equal(image_disk_probe("/nonexistent/disk.qcow2", &info, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "/nonexistent/disk.qcow2"));
}

static struct {
	unsigned char got[300000];
	size_t len;
	int opened, closed, writes;
	int fail_write; /* fail the n-th write (1-based), 0: never */
	bool short_write;
	char path[128], mode[8];
} agent;

static int recording_agent(struct vm *vm, const char *cmd, json_object *args, json_object **ret,
			   int64_t deadline, struct err *err)
{
	json_object *v;

	(void)vm;
	(void)deadline;
	if (ret)
		*ret = NULL;
	if (!strcmp(cmd, "guest-file-open")) {
		json_object_object_get_ex(args, "path", &v);
		snprintf(agent.path, sizeof(agent.path), "%s", json_object_get_string(v));
		json_object_object_get_ex(args, "mode", &v);
		snprintf(agent.mode, sizeof(agent.mode), "%s", json_object_get_string(v));
		agent.opened++;
		*ret = json_object_new_int64(42);
	} else if (!strcmp(cmd, "guest-file-write")) {
		const char *b64;
		int n;

		agent.writes++;
		json_object_object_get_ex(args, "handle", &v);
		assert_int_equal(json_object_get_int64(v), 42);
		if (agent.writes == agent.fail_write) {
			json_object_put(args);
			return err_set(err, "guest-file-write: GenericError: disk full"), -EREMOTEIO;
		}
		json_object_object_get_ex(args, "buf-b64", &v);
		b64 = json_object_get_string(v);
		n = EVP_DecodeBlock(agent.got + agent.len, (const unsigned char *)b64,
				    (int)strlen(b64));
		assert_true(n >= 0);
		n -= (int)(strlen(b64) >= 1 && b64[strlen(b64) - 1] == '=');
		n -= (int)(strlen(b64) >= 2 && b64[strlen(b64) - 2] == '=');
		agent.len += (size_t)n;
		*ret = json_object_new_object();
		json_object_object_add(*ret, "count",
				       json_object_new_int(agent.short_write ? n - 1 : n));
	} else if (!strcmp(cmd, "guest-file-close")) {
		agent.closed++;
	} else {
		fail_msg("unexpected agent command %s", cmd);
	}
	json_object_put(args);
	return 0;
}

static void test_upload_reassembles(void **state)
{
	struct backend_ops be = { .agent = recording_agent };
	struct vm vm = { .ops = &be };
	static unsigned char data[200003];
	struct err err;

	(void)state;
	memset(&agent, 0, sizeof(agent));
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 7 + i / 251);
	assert_int_equal(guest_upload(&vm, "/bin/memhp-probe", data, sizeof(data), INT64_MAX,
				      &err), 0);
	assert_string_equal(agent.path, "/bin/memhp-probe");
	assert_string_equal(agent.mode, "w");
	assert_int_equal(agent.opened, 1);
	assert_int_equal(agent.closed, 1);
	assert_true(agent.writes > 1); /* chunked */
	assert_int_equal(agent.len, sizeof(data));
	assert_memory_equal(agent.got, data, sizeof(data));
}

static void test_upload_faults(void **state)
{
	struct backend_ops be = { .agent = recording_agent };
	struct vm vm = { .ops = &be };
	static unsigned char data[100000];
	struct err err;

	(void)state;
	memset(&agent, 0, sizeof(agent));
	agent.fail_write = 2;
	assert_int_equal(guest_upload(&vm, "/bin/p", data, sizeof(data), INT64_MAX, &err),
			 -EREMOTEIO);
	assert_non_null(strstr(err.msg, "disk full"));
	assert_int_equal(agent.writes, 2);

	memset(&agent, 0, sizeof(agent));
	agent.short_write = true;
	assert_int_equal(guest_upload(&vm, "/bin/p", data, sizeof(data), INT64_MAX, &err),
			 -EIO);
	assert_non_null(strstr(err.msg, "wrote less than asked"));
	assert_int_equal(agent.closed, 1); /* the handle is not leaked */
}

static void put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/*
 * --resume keeps a run only while what its kernel spec reads is unchanged:
 * the digest follows every file of a build: series (in since-X.Y/ too), the
 * config= fragment and a path: bzImage, and not where the series lives.
 */
static void test_inputs_digest(void **state)
{
	char dir[] = "/tmp/memhp-inputs-XXXXXX", spec[600], spec2[600], sub[300], frag[300];
	char a[65], b[65], c[65], d[65];
	struct err err;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/since-7.2", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	put(dir, "0001-a.patch", "--- a/x\n+++ b/x\n");
	put(sub, "0001-a.patch", "--- a/y\n+++ b/y\n");
	snprintf(spec, sizeof(spec), "build:linux-source-7.2+%s", dir);
	snprintf(spec2, sizeof(spec2), "build:linux-source-7.2+%s/", dir);

	assert_int_equal(image_inputs_digest("deb:linux-image-6.1.*-cloud-amd64-unsigned", NULL,
					     a, &err), 0);
	assert_string_equal(a, "");
	assert_int_equal(image_inputs_digest(spec, NULL, a, &err), 0);
	assert_int_equal(strlen(a), 64);
	assert_int_equal(image_inputs_digest(spec2, "", b, &err), 0);
	assert_string_equal(a, b); /* a trailing slash is the same series */

	/* An edited port, a new patch: another digest. */
	put(sub, "0001-a.patch", "--- a/y\n+++ b/y\n@@ edited\n");
	assert_int_equal(image_inputs_digest(spec, NULL, b, &err), 0);
	assert_string_not_equal(a, b);
	put(sub, "0002-b.patch", "--- a/z\n+++ b/z\n");
	assert_int_equal(image_inputs_digest(spec, NULL, c, &err), 0);
	assert_string_not_equal(b, c);

	/* The config fragment counts, by content. */
	snprintf(frag, sizeof(frag), "%s/since-7.2/0002-b.patch", dir);
	assert_int_equal(image_inputs_digest(spec, frag, d, &err), 0);
	assert_string_not_equal(c, d);

	/* A path: kernel is its bzImage. */
	snprintf(spec, sizeof(spec), "path:%s/0001-a.patch", dir);
	assert_int_equal(image_inputs_digest(spec, NULL, a, &err), 0);
	put(dir, "0001-a.patch", "another kernel");
	assert_int_equal(image_inputs_digest(spec, NULL, b, &err), 0);
	assert_string_not_equal(a, b);

	/* A series that is not there: an error naming it. */
	snprintf(spec, sizeof(spec), "build:linux-source-7.2+%s/none", dir);
	assert_int_equal(image_inputs_digest(spec, NULL, a, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "/none"));

	unlink(frag);
	snprintf(frag, sizeof(frag), "%s/since-7.2/0001-a.patch", dir);
	unlink(frag);
	rmdir(sub);
	snprintf(frag, sizeof(frag), "%s/0001-a.patch", dir);
	unlink(frag);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_image_kinds),
		cmocka_unit_test(test_disk_probe),
		cmocka_unit_test(test_upload_reassembles),
		cmocka_unit_test(test_upload_faults),
		cmocka_unit_test(test_inputs_digest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
