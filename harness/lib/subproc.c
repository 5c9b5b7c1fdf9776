// SPDX-License-Identifier: GPL-2.0-only
/*
 * Programs memhp starts: argv building, spawning with one child prologue,
 * capturing output, and waiting with deadlines (subproc.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "signals.h"
#include "subproc.h"
#include "str.h"

#define POLL_SLICE_MS 200
#define SPAWN_STOP_GRACE_MS 10000

void argv_add(struct argv *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (a->n + 2 > a->cap) {
		a->cap = a->cap ? a->cap * 2 : 32;
		a->v = realloc(a->v, a->cap * sizeof(*a->v));
		if (!a->v)
			abort();
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

void argv_free(struct argv *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

void sh_quote(FILE *out, const char *s)
{
	if (*s && strspn(s, SH_SAFE) == strlen(s)) {
		fputs(s, out);
		return;
	}
	fputc('\'', out);
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", out);
		else
			fputc(*s, out);
	fputc('\'', out);
}

char *argv_describe(const struct argv *a)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	for (size_t i = 0; i < a->n; i++) {
		fputs(i ? " " : "", f);
		sh_quote(f, a->v[i]);
	}
	fclose(f);
	return buf;
}

void spawn_describe_status(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "ended with wait status 0x%x", status);
}

int spawn_wait(pid_t pid, int64_t deadline, int *status)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			if (pidfd >= 0)
				close(pidfd);
			return -errno;
		}
		if (now_ms() >= deadline) {
			if (pidfd >= 0)
				close(pidfd);
			return -ETIMEDOUT;
		}
		if (pidfd >= 0) {
			struct pollfd p = { .fd = pidfd, .events = POLLIN };

			poll(&p, 1, ms_left(deadline, 200));
		} else {
			sleep_ms(20);
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	return 0;
}

int spawn_capture(const struct argv *a, char **out, struct err *err)
{
	return spawn_capture_in(a, NULL, out, err);
}

/* Keep the last lines a child wrote to stderr, for the message if it fails. */
struct tail {
	char buf[2048];
	size_t len;
};

static void tail_add(struct tail *t, const char *s, size_t n)
{
	if (n >= sizeof(t->buf)) {
		s += n - (sizeof(t->buf) - 1);
		n = sizeof(t->buf) - 1;
	}
	if (t->len + n >= sizeof(t->buf)) {
		size_t drop = t->len + n - (sizeof(t->buf) - 1);

		memmove(t->buf, t->buf + drop, t->len - drop);
		t->len -= drop;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

/* Its last few non-empty lines, trimmed and joined with "; ". */
static void tail_lines(const struct tail *t, char *out, size_t len)
{
	const char *lines[5];
	char copy[sizeof(t->buf)];
	size_t n = 0, used = 0;

	memcpy(copy, t->buf, t->len + 1);
	for (char *save = NULL, *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		l += strspn(l, " \t");
		if (!*l)
			continue;
		if (n == 5)
			memmove(lines, lines + 1, 4 * sizeof(*lines)), n = 4;
		lines[n++] = l;
	}
	*out = '\0';
	for (size_t i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(out + used, len - used, "%s%s", i ? "; " : "", lines[i]);
}

/* After a stop: wait (briefly) until the group's last process is gone, so
 * that memhp does not return while a killed compiler still exits. */
static void drain_group(pid_t pgid)
{
	int64_t deadline = now_ms() + 2000;

	while (kill(-pgid, 0) == 0 && now_ms() < deadline)
		sleep_ms(20);
}

int child_prologue(pid_t parent, int deathsig, unsigned flags)
{
	if (flags & CHILD_GROUP)
		setpgid(0, 0);
	if (flags & CHILD_EXEC) {
		static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
		sigset_t none;

		for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
			signal(sigs[i], SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
	}
	prctl(PR_SET_PDEATHSIG, deathsig);
	if (getppid() != parent) {
		raise(deathsig);
		return -ESRCH;
	}
	return 0;
}

int spawn_capture_in(const struct argv *a, const char *cwd, char **out, struct err *err)
{
	int pfd[2], efd[2], status;
	struct tail tail = { .len = 0 };
	struct pollfd p[2];
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	pid_t pid, parent = getpid();
	int64_t stopped = 0; /* when the stop signal was passed on */

	*out = NULL;
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return err_fail(err, -errno, "pipe: %s", strerror(errno));
	if (pipe2(efd, O_CLOEXEC) < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return err_fail(err, -errno, "pipe: %s", strerror(errno));
	}
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		close(efd[0]);
		close(efd[1]);
		return err_fail(err, -errno, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		/* Its own process group, so that a stop reaches everything it
		 * started (make and the compilers), and dying with memhp. */
		if (child_prologue(parent, SIGTERM, CHILD_GROUP | CHILD_EXEC))
			_exit(127);
		dup2(pfd[1], STDOUT_FILENO);
		dup2(efd[1], STDERR_FILENO);
		if (cwd && chdir(cwd) < 0) {
			fprintf(stderr, "memhp: cannot enter %s: %s\n", cwd, strerror(errno));
			_exit(127);
		}
		execvp(a->v[0], a->v);
		fprintf(stderr, "memhp: cannot run %s: %s\n", a->v[0], strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	close(efd[1]);
	mem = open_memstream(&buf, &len);
	if (!mem)
		abort();
	/* Its stdout is the answer; its stderr passes through to ours as it
	 * comes (progress), and its end is kept for the message. */
	p[0] = (struct pollfd){ .fd = pfd[0], .events = POLLIN };
	p[1] = (struct pollfd){ .fd = efd[0], .events = POLLIN };
	while (p[0].fd >= 0 || p[1].fd >= 0) {
		/* Asked to stop: pass it on to the whole group, then insist. */
		if (memhp_stop_signal && !stopped) {
			kill(-pid, SIGTERM);
			stopped = now_ms();
		} else if (stopped && now_ms() - stopped > SPAWN_STOP_GRACE_MS) {
			kill(-pid, SIGKILL);
		}
		if (poll(p, 2, POLL_SLICE_MS) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			char chunk[4096];
			ssize_t n;

			if (p[i].fd < 0 || !p[i].revents)
				continue;
			n = read(p[i].fd, chunk, sizeof(chunk));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
				continue;
			}
			if (i == 0) {
				fwrite(chunk, 1, (size_t)n, mem);
			} else {
				tail_add(&tail, chunk, (size_t)n);
				if (write(STDERR_FILENO, chunk, (size_t)n) < 0) {
					/* our stderr is gone: keep reading regardless */
				}
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (p[i].fd >= 0)
			close(p[i].fd); /* poll failed: the child gets EPIPE rather than blocking */
	fclose(mem);
	/* Stopped: whatever it left running in its group goes too (before the
	 * reap, while the group id is surely still its own). */
	if (stopped)
		kill(-pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (stopped) {
		char how[64], *cmd = argv_describe(a);

		drain_group(pid);
		spawn_describe_status(status, how, sizeof(how));
		err_set(err, "interrupted by signal %d while %s ran (%s)", (int)memhp_stop_signal,
			cmd, how);
		free(cmd);
		free(buf);
		return -EINTR;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		char how[64], said[1100], *cmd = argv_describe(a);

		spawn_describe_status(status, how, sizeof(how));
		tail_lines(&tail, said, sizeof(said));
		if (*said)
			err_set(err, "%s (%s %s)", said, cmd, how);
		else
			err_set(err, "%s %s", cmd, how);
		free(cmd);
		free(buf);
		return -ECHILD;
	}
	*out = buf;
	return 0;
}

/* Has pid exited (within ms)? It stays unreaped. */
static bool exited(pid_t pid, int ms)
{
	int64_t deadline = now_ms() + ms;

	for (;;) {
		siginfo_t info = { 0 };

		if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) < 0)
			return errno != EINTR;
		if (info.si_pid == pid)
			return true;
		if (now_ms() >= deadline)
			return false;
		sleep_ms(20);
	}
}

int spawn_run(const struct argv *a, int *status, struct err *err)
{
	pid_t pid, parent = getpid();
	int64_t stopped = 0;

	*status = 0;
	pid = fork();
	if (pid < 0)
		return err_fail(err, -errno, "fork: %s", strerror(errno));
	if (pid == 0) {
		if (child_prologue(parent, SIGTERM, CHILD_GROUP | CHILD_EXEC))
			_exit(127);
		execvp(a->v[0], a->v);
		fprintf(stderr, "memhp: cannot run %s: %s\n", a->v[0], strerror(errno));
		_exit(127);
	}
	for (;;) {
		if (memhp_stop_signal && !stopped) {
			kill(-pid, SIGTERM);
			stopped = now_ms();
		} else if (stopped && now_ms() - stopped > SPAWN_STOP_GRACE_MS) {
			kill(-pid, SIGKILL);
		}
		if (exited(pid, POLL_SLICE_MS))
			break;
	}
	/* Stopped: the rest of its group goes before the leader is reaped,
	 * while the group id is surely still its own. */
	if (stopped)
		kill(-pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	if (!stopped)
		return 0;
	drain_group(pid);
	{
		char how[64], *cmd = argv_describe(a);

		spawn_describe_status(*status, how, sizeof(how));
		err_set(err, "interrupted by signal %d while %s ran (%s)", (int)memhp_stop_signal,
			cmd, how);
		free(cmd);
	}
	return -EINTR;
}
