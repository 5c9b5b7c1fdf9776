/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_SUBPROC_H
#define MEMHP_SUBPROC_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "errmsg.h"

/* A growable, NULL-terminated argv: programs are always started with one,
 * never through a shell. */
struct argv {
	char **v;
	size_t n, cap;
};

__attribute__((format(printf, 2, 3)))
void argv_add(struct argv *a, const char *fmt, ...);
void argv_free(struct argv *a);
/* The command line for messages, each argument as sh_quote() writes it. */
char *argv_describe(const struct argv *a);

/* The characters a word may have to go bare into a shell command line. */
#define SH_SAFE "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./=:,+@%-"
/*
 * s as one shell word: bare when it is all SH_SAFE (and not empty), else in
 * single quotes, each ' written as '\''. The one quoter for everything memhp
 * writes for a shell (messages, memhp plan's commands and sbatch scripts).
 */
void sh_quote(FILE *out, const char *s);

/*
 * The start of every child process memhp forks, first thing after fork():
 *   CHILD_GROUP  its own process group (a terminal's Ctrl-C reaches memhp
 *                alone, which stops its children in order; a stop reaches
 *                everything a helper started);
 *   CHILD_EXEC   about to exec another program: SIGINT, SIGTERM, SIGHUP and
 *                SIGPIPE back to their defaults (memhp catches or ignores
 *                them), no signal blocked;
 * and deathsig when memhp dies (PR_SET_PDEATHSIG, even by SIGKILL). When
 * memhp is already gone (it died between fork and prctl), the child has
 * another parent: init, or a subreaper such as systemd's user manager or a
 * container's init, so the test is getppid() != parent, never == 1. Then
 * deathsig is raised here, as if it had come, and -ESRCH returned (for a
 * caller whose deathsig is only a flag: the cell it runs then records
 * itself interrupted). parent: getpid() before the fork.
 */
enum { CHILD_GROUP = 1, CHILD_EXEC = 2 };
int child_prologue(pid_t parent, int deathsig, unsigned flags);

/*
 * Run argv to completion; its stdout is returned in *out (NUL-terminated,
 * caller frees), its stderr passes through to ours. Returns 0 when it exited
 * 0, -ECHILD with its status in err otherwise. The child runs in its own
 * process group and dies with memhp (PR_SET_PDEATHSIG); when a stop signal
 * arrives (memhp_stop_signal) the group gets SIGTERM, SIGKILL 10 s later,
 * and the call returns -EINTR.
 */
int spawn_capture(const struct argv *a, char **out, struct err *err);
/* The same, run in directory cwd (NULL: ours). */
int spawn_capture_in(const struct argv *a, const char *cwd, char **out, struct err *err);

/*
 * Run argv with our stdin, stdout and stderr, in its own process group, dying
 * with memhp, and wait: 0 with its wait status in *status, or -EINTR (the
 * group signalled as for spawn_capture) when a stop signal came.
 */
int spawn_run(const struct argv *a, int *status, struct err *err);

/* Wait for pid to exit until deadline (-ETIMEDOUT) and fill *status. */
int spawn_wait(pid_t pid, int64_t deadline, int *status);
/* "exited with status 1", "killed by signal 9 (Killed)". */
void spawn_describe_status(int status, char *buf, size_t len);

#endif
