// SPDX-License-Identifier: GPL-2.0-only
/* The path helper and the out-of-memory policy (xalloc.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "xalloc.h"

static void expect_join(const char *dir, const char *name, const char *want)
{
	char *p = path_join(dir, name);

	assert_string_equal(p, want);
	free(p);
}

static void test_path_join(void **state)
{
	(void)state;
	expect_join("out", "result.json", "out/result.json");
	expect_join("out/", "result.json", "out/result.json");
	expect_join("out//", "/result.json", "out/result.json");
	expect_join("/", "etc", "/etc");
	expect_join("", "result.json", "result.json");
	/* longer than any fixed buffer memhp had for a path */
	{
		char *dir = malloc(9001), *p;

		memset(dir, 'd', 9000);
		dir[9000] = '\0';
		p = path_join(dir, "x");
		assert_int_equal(strlen(p), 9002);
		assert_string_equal(p + 9000, "/x");
		free(p);
		free(dir);
	}
}

static void test_xasprintf(void **state)
{
	char *s;

	(void)state;
	s = xasprintf("%s/step-%u-%s", "OUT", 3u, "0003-x");
	assert_string_equal(s, "OUT/step-3-0003-x");
	free(s);
	s = xstrdup("");
	assert_string_equal(s, "");
	free(s);
}

/* An allocation that cannot succeed ends the program with a message. */
static void test_out_of_memory_aborts(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 2); /* the message is for a user, not the test log */
		xmalloc(SIZE_MAX / 2);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	/* It never goes on (the child's _exit(0)). Under ASan the sanitizer's
	 * allocator ends it first, with its own report. */
	assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 0);
#ifndef __SANITIZE_ADDRESS__
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_join),
		cmocka_unit_test(test_xasprintf),
		cmocka_unit_test(test_out_of_memory_aborts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
