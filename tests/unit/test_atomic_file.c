// SPDX-License-Identifier: GPL-2.0-only
/*
 * The one atomic writer (harness/lib/atomic_file.c) in a scratch directory:
 * a fresh file, a replaced one, its mode, no temporary left behind, and every
 * kind of existing target that is not a regular file: a FIFO and a device
 * node (made here with mknod, never under /dev) are written directly and
 * stay what they were; a directory, a symbolic link to a file and a dangling
 * link are refused and left alone.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "atomic_file.h"

static char scratch[] = "/tmp/memhp-atomic-XXXXXX";

static const char *in_scratch(const char *name)
{
	static char buf[4][256];
	static unsigned k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", scratch, name);
	return buf[k];
}

static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Files in the scratch directory other than the ones a test made itself. */
static unsigned leftovers(void)
{
	DIR *d = opendir(scratch);
	struct dirent *e;
	unsigned n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += !strncmp(e->d_name, ".", 1) && strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(scratch) ? 0 : -1;
}

static int teardown(void **state)
{
	char *argv[] = { "rm", "-rf", scratch, NULL };
	pid_t pid;

	(void)state;
	pid = fork();
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid > 0 && waitpid(pid, NULL, 0) == pid ? 0 : -1;
}

static void test_new_and_replaced(void **state)
{
	const char *p = in_scratch("out.json");
	struct stat st;
	struct err err;
	mode_t mask = umask(022);

	(void)state;
	assert_int_equal(atomic_write(p, "one\n", 4, 0644, &err), 0);
	assert_string_equal(slurp(p), "one\n");
	assert_int_equal(atomic_write(p, "two\n", 4, 0755, &err), 0);
	assert_string_equal(slurp(p), "two\n");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_int_equal(leftovers(), 0);
	umask(mask);
}

/* The old writers used NAME.tmp (kcidb, bisect) or NAME.tmp-PID (plan): a
 * link planted there sent the document elsewhere. Nothing is followed now. */
static void test_planted_link_at_old_temp_names(void **state)
{
	const char *p = in_scratch("k.json"), *victim = in_scratch("victim");
	char tmpname[300];
	struct err err;

	(void)state;
	put(victim, "precious\n");
	snprintf(tmpname, sizeof(tmpname), "%s.tmp", p);
	assert_int_equal(symlink(victim, tmpname), 0);
	snprintf(tmpname, sizeof(tmpname), "%s.tmp-%ld", p, (long)getpid());
	assert_int_equal(symlink(victim, tmpname), 0);
	assert_int_equal(atomic_write(p, "doc\n", 4, 0755, &err), 0);
	assert_string_equal(slurp(victim), "precious\n");
	assert_string_equal(slurp(p), "doc\n");
	struct stat st;

	assert_int_equal(stat(victim, &st), 0);
	assert_int_equal(st.st_mode & 0111, 0);
}

static void test_fifo_written_directly(void **state)
{
	const char *p = in_scratch("fifo");
	struct stat st;
	struct err err;
	char buf[16] = { 0 };
	int rd;

	(void)state;
	assert_int_equal(mkfifo(p, 0600), 0);
	rd = open(p, O_RDONLY | O_NONBLOCK);
	assert_true(rd >= 0);
	assert_int_equal(atomic_write(p, "piped", 5, 0644, &err), 0);
	assert_int_equal(read(rd, buf, sizeof(buf) - 1), 5);
	assert_string_equal(buf, "piped");
	close(rd);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(leftovers(), 0);
}

/* A device node of /dev/null's numbers, made here: it stays a device. */
static void test_device_node_stays(void **state)
{
	const char *p = in_scratch("null"), *l = in_scratch("to-null");
	struct stat st;
	struct err err;

	(void)state;
	if (mknod(p, S_IFCHR | 0666, makedev(1, 3)) < 0)
		skip();
	assert_int_equal(atomic_write(p, "gone\n", 5, 0644, &err), 0);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	/* and through a link to it, like /dev/stdout: the link stays a link */
	assert_int_equal(symlink(p, l), 0);
	assert_int_equal(atomic_write(l, "gone\n", 5, 0644, &err), 0);
	assert_int_equal(lstat(l, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISCHR(st.st_mode));
}

static void test_refused(void **state)
{
	const char *d = in_scratch("dir"), *f = in_scratch("file"), *l = in_scratch("link");
	const char *dl = in_scratch("dangling");
	struct stat st;
	struct err err;

	(void)state;
	assert_int_equal(mkdir(d, 0755), 0);
	assert_int_equal(atomic_write(d, "x", 1, 0644, &err), -EISDIR);
	assert_non_null(strstr(err.msg, "is a directory"));

	put(f, "kept\n");
	assert_int_equal(symlink(f, l), 0);
	assert_true(atomic_write(l, "x", 1, 0644, &err) < 0);
	assert_non_null(strstr(err.msg, "symbolic link to a regular file"));
	assert_int_equal(lstat(l, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_string_equal(slurp(f), "kept\n");

	assert_int_equal(symlink(in_scratch("nowhere"), dl), 0);
	assert_true(atomic_write(dl, "x", 1, 0644, &err) < 0);
	assert_non_null(strstr(err.msg, "dangling"));
	assert_int_equal(access(in_scratch("nowhere"), F_OK), -1);
	assert_int_equal(leftovers(), 0);
}

static void test_abort_leaves_target(void **state)
{
	const char *p = in_scratch("abort");
	struct atomic_file af;
	struct err err;

	(void)state;
	put(p, "old\n");
	assert_int_equal(atomic_open(&af, p, 0644, &err), 0);
	fputs("half", af.f);
	atomic_abort(&af);
	assert_string_equal(slurp(p), "old\n");
	assert_int_equal(leftovers(), 0);
	/* a directory that does not exist: a message naming the file */
	assert_true(atomic_write(in_scratch("no/such"), "x", 1, 0644, &err) < 0);
	assert_non_null(strstr(err.msg, "no/such"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_and_replaced),
		cmocka_unit_test(test_planted_link_at_old_temp_names),
		cmocka_unit_test(test_fifo_written_directly),
		cmocka_unit_test(test_device_node_stays),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_abort_leaves_target),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
