// SPDX-License-Identifier: GPL-2.0-only
/*
 * spawn_capture and stop signals: a SIGTERM while a helper (an image or
 * kernel build) runs must stop the helper and everything it started, and
 * come back as -EINTR, not wait for the build to finish. And the one child
 * prologue (child_prologue) under a subreaper.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "signals.h"
#include "subproc.h"

/* A process that is gone or a zombie (its reaper not there yet). */
static int running(pid_t pid)
{
	char path[64], stat[512];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	ok = fgets(stat, sizeof(stat), f) != NULL;
	fclose(f);
	return ok && !strstr(stat, ") Z ");
}

static void test_sigterm_stops_the_helper_and_its_children(void **state)
{
	char pidfile[] = "/tmp/memhp-test-spawn-XXXXXX", script[512], *out = NULL;
	struct argv a = { 0 };
	struct err err = { "" };
	int64_t t0;
	pid_t grandchild = 0;
	FILE *f;
	int fd, rc;

	(void)state;
	fd = mkstemp(pidfile);
	assert_true(fd >= 0);
	close(fd);
	signals_install();
	memhp_stop_signal = 0;
	/* A "build" that starts a long child and then has memhp signalled,
	 * as a user's kill would. */
	snprintf(script, sizeof(script),
		 "sleep 60 & echo $! > %s; kill -TERM %d; wait; echo finished", pidfile,
		 (int)getpid());
	argv_add(&a, "sh");
	argv_add(&a, "-c");
	argv_add(&a, "%s", script);
	t0 = now_ms();
	rc = spawn_capture(&a, &out, &err);
	argv_free(&a);
	assert_int_equal(rc, -EINTR);
	assert_null(out);
	assert_non_null(strstr(err.msg, "interrupted by signal 15"));
	/* Well before the child's 60 s. */
	assert_true(now_ms() - t0 < 50000);
	f = fopen(pidfile, "re");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d", &grandchild), 1);
	fclose(f);
	unlink(pidfile);
	for (int i = 0; i < 100 && running(grandchild); i++)
		nanosleep(&(struct timespec){ 0, 50 * 1000000 }, NULL);
	assert_false(running(grandchild));
	memhp_stop_signal = 0;
}

static void test_without_a_signal_the_output_comes_back(void **state)
{
	struct argv a = { 0 };
	struct err err = { "" };
	char *out = NULL;

	(void)state;
	memhp_stop_signal = 0;
	argv_add(&a, "sh");
	argv_add(&a, "-c");
	argv_add(&a, "echo /some/dir; echo progress >&2");
	assert_int_equal(spawn_capture(&a, &out, &err), 0);
	argv_free(&a);
	assert_string_equal(out, "/some/dir\n");
	free(out);
	argv_add(&a, "sh");
	argv_add(&a, "-c");
	argv_add(&a, "echo broken >&2; exit 3");
	assert_int_equal(spawn_capture(&a, &out, &err), -ECHILD);
	argv_free(&a);
	assert_non_null(strstr(err.msg, "broken"));
	assert_non_null(strstr(err.msg, "exited with status 3"));
}

/* spawn_run (memhp kernel build): the helper's exit status, or -EINTR with
 * its group gone when memhp is signalled. */
static void test_spawn_run_status_and_stop(void **state)
{
	struct argv a = { 0 };
	struct err err = { "" };
	int status = -1;
	pid_t pid;

	(void)state;
	memhp_stop_signal = 0;
	argv_add(&a, "sh");
	argv_add(&a, "-c");
	argv_add(&a, "exit 2");
	assert_int_equal(spawn_run(&a, &status, &err), 0);
	argv_free(&a);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 2);

	signals_install();
	argv_add(&a, "sh");
	argv_add(&a, "-c");
	argv_add(&a, "sleep 60 & echo $! > /tmp/memhp-test-spawn-run.$PPID; kill -INT $PPID; wait");
	assert_int_equal(spawn_run(&a, &status, &err), -EINTR);
	argv_free(&a);
	assert_non_null(strstr(err.msg, "interrupted by signal 2"));
	{
		char path[64];
		FILE *f;

		snprintf(path, sizeof(path), "/tmp/memhp-test-spawn-run.%d", (int)getpid());
		f = fopen(path, "re");
		assert_non_null(f);
		assert_int_equal(fscanf(f, "%d", &pid), 1);
		fclose(f);
		unlink(path);
	}
	for (int i = 0; i < 100 && running(pid); i++)
		nanosleep(&(struct timespec){ 0, 50 * 1000000 }, NULL);
	assert_false(running(pid));
	memhp_stop_signal = 0;
}

/* In a child of a subreaper T: M forks C and exits; C, now T's, runs the
 * prologue with M as the parent it expects. Returns how C ended. */
static int orphan_under_subreaper(bool handlers, unsigned flags)
{
	pid_t t = fork();
	int st;

	assert_true(t >= 0);
	if (t == 0) {
		pid_t m;

		prctl(PR_SET_CHILD_SUBREAPER, 1);
		m = fork();
		if (m == 0) {
			pid_t me = getpid(), c = fork();

			if (c == 0) {
				/* Until M is gone and T (not init) has adopted us. */
				for (int i = 0; i < 1000 && getppid() == me; i++)
					nanosleep(&(struct timespec){ 0, 10 * 1000000 }, NULL);
				if (handlers)
					signals_install();
				if (child_prologue(me, SIGTERM, flags) == -ESRCH)
					_exit(memhp_stop_signal == SIGTERM ? 42 : 43);
				_exit(0); /* not seen as orphaned */
			}
			_exit(0);
		}
		waitpid(m, NULL, 0);
		if (waitpid(-1, &st, 0) < 0)
			_exit(99);
		_exit(WIFSIGNALED(st) ? 100 + WTERMSIG(st) : WEXITSTATUS(st));
	}
	assert_int_equal(waitpid(t, &st, 0), t);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* memhp gone before PR_SET_PDEATHSIG took: under a subreaper the child's
 * parent is not 1, and the prologue still sees that it is not memhp. */
static void test_prologue_orphan_under_subreaper(void **state)
{
	(void)state;
	/* A program about to be exec'd: killed by its death signal. */
	assert_int_equal(orphan_under_subreaper(false, CHILD_EXEC | CHILD_GROUP), 100 + SIGTERM);
	/* An in-process child (a --jobs cell, memhp ab's run): the stop flag
	 * is up, so that it records its run as interrupted. */
	assert_int_equal(orphan_under_subreaper(true, 0), 42);
}

/* With memhp there: its own group, signals as a fresh program has them. */
static void test_prologue_parent_alive(void **state)
{
	pid_t parent = getpid(), pid;
	int st;

	(void)state;
	signals_install(); /* SIGPIPE ignored, SIGTERM caught, as in memhp */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sigaction sa;
		int bad = 0;

		if (child_prologue(parent, SIGTERM, CHILD_GROUP | CHILD_EXEC))
			_exit(1);
		bad |= getpgrp() != getpid();
		sigaction(SIGPIPE, NULL, &sa);
		bad |= sa.sa_handler != SIG_DFL;
		sigaction(SIGTERM, NULL, &sa);
		bad |= sa.sa_handler != SIG_DFL;
		_exit(bad ? 2 : 0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_without_a_signal_the_output_comes_back),
		cmocka_unit_test(test_sigterm_stops_the_helper_and_its_children),
		cmocka_unit_test(test_spawn_run_status_and_stop),
		cmocka_unit_test(test_prologue_orphan_under_subreaper),
		cmocka_unit_test(test_prologue_parent_alive),
	};

	return cmocka_run_group_tests_name("spawn", tests, NULL, NULL);
}
