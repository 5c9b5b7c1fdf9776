// SPDX-License-Identifier: GPL-2.0-only
/*
 * Workload kinds on the real system, for disk images (docs/workloads.md):
 *
 *   pagecache  files written to and read back from the root file system's
 *              disk (ext4 on virtio-blk): page cache backed by a block
 *              device, clean after fsync, so reclaimable and movable
 *   compile    a kernel-compile-like load: two jobs at a time, each a short
 *              process that reads a source file and writes an object file,
 *              over a tree of many small files, rebuilt until stopped
 *   pgbench    PostgreSQL (the image's cluster) with pgbench: a database of
 *              scale bytes / 64 MiB (1 to 16), shared_buffers half the bytes,
 *              two clients until stopped; while pgbench -i runs, what the
 *              cluster's files grew by is its progress
 *
 * Their figures (MiB/s, jobs/s, tps) go to /run/memhp-<kind>.json and
 * pgbench's progress log; realload_stop gathers them, with stress-ng's bogo
 * ops, into load-stop's "throughput".
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "realload.h"

#define REAL_DIR "/var/tmp/memhp-realload"
#define PAGECACHE_STATS "/run/memhp-pagecache.json"
#define COMPILE_STATS "/run/memhp-compile.json"
#define PGBENCH_STATS "/run/memhp-pgbench.json"
#define PGBENCH_LOG "/run/memhp-pgbench.log"
#define STRESS_YAML "/run/memhp-stress-ng.yaml"
#define TMPFS_MAGIC_ 0x01021994
#define RAMFS_MAGIC_ 0x858458f6
#define MIB (1ULL << 20)

extern char **environ;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fail(char *error, size_t len, const char *what)
{
	snprintf(error, len, "%s: %s", what, strerror(errno));
}

/* Write a stats object atomically (tmp + rename). */
static void write_stats(const char *path, json_object *o)
{
	char tmp[128];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (f) {
		fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), f);
		fclose(f);
		rename(tmp, path);
	}
	json_object_put(o);
}

static int make_dir(const char *sub, char *path, size_t len)
{
	mkdir("/var/tmp", 01777);
	if (mkdir(REAL_DIR, 0700) && errno != EEXIST)
		return -errno;
	snprintf(path, len, REAL_DIR "/%s", sub);
	if (mkdir(path, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

void realload_pagecache(uint64_t want, _Atomic uint64_t *got, char *error, size_t errlen, uint64_t seed)
{
	static char buf[1 << 20];
	char dir[128], path[192];
	uint64_t files = 0, read_bytes = 0;
	struct statfs sfs;
	double t0, t1, t2;
	json_object *st;

	if (make_dir("pagecache", dir, sizeof(dir)))
		return fail(error, errlen, "mkdir " REAL_DIR);
	if (statfs(dir, &sfs))
		return fail(error, errlen, "statfs " REAL_DIR);
	if (sfs.f_type == TMPFS_MAGIC_ || sfs.f_type == RAMFS_MAGIC_) {
		snprintf(error, errlen, "/var/tmp is in memory (tmpfs or ramfs), not on a disk: "
			 "pagecache needs a disk image (--image debian)");
		return;
	}
	memset(buf, (int)(seed & 0xff) | 1, sizeof(buf));
	t0 = now_s();
	while (*got < want) {
		uint64_t size = want - *got < 64 * MIB ? want - *got : 64 * MIB;
		int fd;

		snprintf(path, sizeof(path), "%s/file-%" PRIu64, dir, files++);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0)
			return fail(error, errlen, "open");
		for (uint64_t off = 0; off < size;) {
			size_t n = size - off < sizeof(buf) ? size - off : sizeof(buf);
			ssize_t w = write(fd, buf, n);

			if (w <= 0) {
				fail(error, errlen, "write");
				close(fd);
				return;
			}
			off += (uint64_t)w;
			*got += (uint64_t)w;
		}
		/* Written back: clean page cache of a block device. */
		fsync(fd);
		close(fd);
	}
	t1 = now_s();
	for (uint64_t i = 0; i < files; i++) {
		int fd;
		ssize_t n;

		snprintf(path, sizeof(path), "%s/file-%" PRIu64, dir, i);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			read_bytes += (uint64_t)n;
		close(fd);
	}
	t2 = now_s();
	st = json_object_new_object();
	json_object_object_add(st, "filesystem_magic", json_object_new_uint64((uint64_t)sfs.f_type));
	json_object_object_add(st, "files", json_object_new_uint64(files));
	json_object_object_add(st, "bytes_written", json_object_new_uint64(*got));
	json_object_object_add(st, "bytes_read", json_object_new_uint64(read_bytes));
	json_object_object_add(st, "write_mib_s",
			       json_object_new_double((double)*got / MIB / (t1 - t0 + 1e-9)));
	json_object_object_add(st, "read_mib_s",
			       json_object_new_double((double)read_bytes / MIB / (t2 - t1 + 1e-9)));
	write_stats(PAGECACHE_STATS, st);
}

#define UNIT_SRC (16 << 10)
#define UNITS_PER_DIR 500
#define UNITS_MAX 100000
#define COMPILE_JOBS 2

/* One "compile": read the source, write an object of its checksummed bytes. */
static void compile_unit(const char *dir, unsigned unit, uint64_t seed)
{
	static unsigned char src[UNIT_SRC];
	char path[192];
	uint32_t sum = (uint32_t)seed;
	int fd;

	snprintf(path, sizeof(path), "%s/d%u/u%u.c", dir, unit / UNITS_PER_DIR, unit);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, src, sizeof(src)) != (ssize_t)sizeof(src)) {
		/* First pass: write the source. */
		if (fd >= 0)
			close(fd);
		for (size_t i = 0; i < sizeof(src); i++)
			src[i] = (unsigned char)(seed + unit * 31 + i);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || write(fd, src, sizeof(src)) < 0)
			_exit(1);
	}
	close(fd);
	for (size_t i = 0; i < sizeof(src); i++) {
		sum = sum * 16777619u ^ src[i];
		src[i] ^= (unsigned char)sum;
	}
	snprintf(path, sizeof(path), "%s/d%u/u%u.o", dir, unit / UNITS_PER_DIR, unit);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, src, sizeof(src)) < 0)
		_exit(1);
	close(fd);
	_exit(0);
}

static void compile_driver(const char *dir, unsigned units, uint64_t seed)
{
	uint64_t jobs = 0, failed = 0, passes = 0;
	double t0 = now_s(), first_pass = 0;
	unsigned next = 0, running = 0;

	for (unsigned d = 0; d <= units / UNITS_PER_DIR; d++) {
		char path[160];

		snprintf(path, sizeof(path), "%s/d%u", dir, d);
		mkdir(path, 0700);
	}
	for (;;) {
		int status;

		while (running < COMPILE_JOBS) {
			pid_t pid = fork();

			if (pid == 0)
				compile_unit(dir, next, seed);
			if (pid < 0)
				break;
			running++;
			if (++next == units) {
				next = 0;
				if (!passes++)
					first_pass = now_s() - t0;
			}
		}
		if (wait(&status) < 0) {
			sleep(1);
			continue;
		}
		running--;
		jobs++;
		failed += !WIFEXITED(status) || WEXITSTATUS(status);
		if (jobs % 100 == 0) {
			json_object *st = json_object_new_object();
			double t = now_s() - t0;

			json_object_object_add(st, "units", json_object_new_uint64(units));
			json_object_object_add(st, "files", json_object_new_uint64(2ULL * units));
			json_object_object_add(st, "jobs", json_object_new_uint64(jobs));
			json_object_object_add(st, "failed", json_object_new_uint64(failed));
			json_object_object_add(st, "passes", json_object_new_uint64(passes));
			json_object_object_add(st, "first_pass_s", json_object_new_double(first_pass));
			json_object_object_add(st, "seconds", json_object_new_double(t));
			json_object_object_add(st, "jobs_per_s", json_object_new_double((double)jobs / t));
			write_stats(COMPILE_STATS, st);
		}
	}
}

void realload_compile(uint64_t want, _Atomic uint64_t *got, char *error, size_t errlen, uint64_t seed)
{
	uint64_t units = want / (2 * UNIT_SRC + 1024);
	char dir[128];
	pid_t pid;

	if (units < 1)
		units = 1;
	if (units > UNITS_MAX) {
		snprintf(error, errlen, "capped at %d units", UNITS_MAX);
		units = UNITS_MAX;
	}
	if (make_dir("compile", dir, sizeof(dir)))
		return fail(error, errlen, "mkdir " REAL_DIR);
	/* The driver stays in the holder's session: the holder's end ends it. */
	pid = fork();
	if (pid < 0)
		return fail(error, errlen, "fork");
	if (pid == 0) {
		signal(SIGTERM, SIG_DFL); /* the holder's handler only sets a flag */
		compile_driver(dir, (unsigned)units, seed);
		_exit(0);
	}
	*got = units * (2 * UNIT_SRC + 1024); /* it writes them in its own time */
}

/* The image's PostgreSQL: its version directory, e.g. /usr/lib/postgresql/15. */
static int pg_version(char *ver, size_t len)
{
	glob_t g;
	int rc = -ENOENT;

	if (glob("/usr/lib/postgresql/*/bin/pgbench", 0, NULL, &g) == 0 && g.gl_pathc) {
		const char *p = g.gl_pathv[g.gl_pathc - 1] + strlen("/usr/lib/postgresql/");

		snprintf(ver, len, "%.*s", (int)strcspn(p, "/"), p);
		rc = 0;
	}
	globfree(&g);
	return rc;
}

/* Run argv (as root) with output to log; returns its exit status or -errno. */
static int run(char *const argv[], const char *log, bool wait_for, pid_t *pidp)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc, status;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc)
		return -rc;
	if (pidp)
		*pidp = pid;
	if (!wait_for)
		return 0;
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Bytes the files under a directory take on disk (nftw has no context
 * argument: one walk at a time). */
static uint64_t walked;

static int add_blocks(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)path;
	(void)ftw;
	if (flag == FTW_F)
		walked += (uint64_t)st->st_blocks * 512;
	return 0;
}

static uint64_t tree_bytes(const char *dir)
{
	walked = 0;
	nftw(dir, add_blocks, 16, FTW_PHYS);
	return walked;
}

/*
 * Wait for pid, meanwhile counting what the cluster's directory grew by as
 * got (below want): pgbench -i writes its tables, indexes and WAL through
 * the page cache for minutes under TCG, and the stall bound must see that.
 */
static int wait_growing(pid_t pid, const char *dir, uint64_t want, _Atomic uint64_t *got)
{
	uint64_t base = tree_bytes(dir);
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		uint64_t now;

		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		if (r < 0)
			return -errno;
		now = tree_bytes(dir);
		now = now > base ? now - base : 0;
		if (now >= want)
			now = want - 1;
		if (now > *got)
			*got = now;
		sleep(1);
	}
}

/* One pgbench scale unit is about 16 MiB of tables; a unit per 64 MiB keeps
 * the initialisation within minutes under TCG, the rest is shared buffers. */
#define PG_SCALE_BYTES (64ULL << 20)
#define PG_SCALE_MAX 16

void realload_pgbench(uint64_t want, _Atomic uint64_t *got, char *error, size_t errlen, uint64_t seed)
{
	char ver[16], conf[128], bin[128], scale_s[16], seed_s[32], data[128];
	uint64_t scale = want / PG_SCALE_BYTES, shared = want / 2 / MIB;
	double t0, t_init;
	json_object *st;
	FILE *f;
	int rc;

	if (pg_version(ver, sizeof(ver))) {
		snprintf(error, errlen, "PostgreSQL with pgbench is not installed in the guest "
			 "(it is in --image debian)");
		return;
	}
	if (scale < 1)
		scale = 1;
	if (scale > PG_SCALE_MAX)
		scale = PG_SCALE_MAX;
	if (shared < 16)
		shared = 16;
	snprintf(conf, sizeof(conf), "/etc/postgresql/%s/main/conf.d/memhp.conf", ver);
	f = fopen(conf, "we");
	if (!f)
		return fail(error, errlen, conf);
	fprintf(f, "shared_buffers = %" PRIu64 "MB\nhuge_pages = off\nfsync = off\n"
		   "synchronous_commit = off\n", shared);
	fclose(f);
	unlink(PGBENCH_LOG);
	{
		char *const start[] = { "/usr/bin/pg_ctlcluster", ver, "main", "start", NULL };

		rc = run(start, PGBENCH_LOG, true, NULL);
		if (rc) {
			snprintf(error, errlen, "pg_ctlcluster %s main start exited with %d (see %s)",
				 ver, rc, PGBENCH_LOG);
			return;
		}
	}
	snprintf(bin, sizeof(bin), "/usr/lib/postgresql/%s/bin/pgbench", ver);
	snprintf(scale_s, sizeof(scale_s), "%" PRIu64, scale);
	snprintf(seed_s, sizeof(seed_s), "--random-seed=%" PRIu64, seed);
	t0 = now_s();
	{
		char *const init[] = { "/usr/sbin/runuser", "-u", "postgres", "--", bin, "-i", "-q",
				       "-s", scale_s, "postgres", NULL };

		pid_t pid;

		snprintf(data, sizeof(data), "/var/lib/postgresql/%s/main", ver);
		rc = run(init, PGBENCH_LOG, false, &pid);
		if (!rc)
			rc = wait_growing(pid, data, want, got);
		if (rc) {
			snprintf(error, errlen, "pgbench -i -s %s exited with %d (see %s)", scale_s,
				 rc, PGBENCH_LOG);
			return;
		}
	}
	t_init = now_s() - t0;
	{
		char *const bench[] = { "/usr/sbin/runuser", "-u", "postgres", "--", bin, "-c", "2",
					"-j", "2", "-T", "86400", "-P", "5", seed_s, "postgres",
					NULL };

		rc = run(bench, PGBENCH_LOG, false, NULL);
		if (rc) {
			errno = -rc;
			return fail(error, errlen, "spawn pgbench");
		}
	}
	st = json_object_new_object();
	json_object_object_add(st, "postgresql", json_object_new_string(ver));
	json_object_object_add(st, "scale", json_object_new_uint64(scale));
	json_object_object_add(st, "shared_buffers", json_object_new_uint64(shared * MIB));
	json_object_object_add(st, "init_s", json_object_new_double(t_init));
	json_object_object_add(st, "clients", json_object_new_int(2));
	write_stats(PGBENCH_STATS, st);
	*got = want; /* the database and its buffers fill in their own time */
}

static json_object *read_stats(const char *path)
{
	json_object *o = json_object_from_file(path);

	unlink(path);
	return o;
}

/* pgbench -P lines: "progress: 5.0 s, 123.4 tps, lat …". */
static void pgbench_figures(json_object *st)
{
	FILE *f = fopen(PGBENCH_LOG, "re");
	char line[512];
	double sum = 0, last = 0;
	unsigned n = 0;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		double t, tps;

		if (sscanf(line, "progress: %lf s, %lf tps", &t, &tps) == 2) {
			sum += tps;
			last = tps;
			n++;
		}
	}
	fclose(f);
	json_object_object_add(st, "tps_samples", json_object_new_int((int)n));
	json_object_object_add(st, "tps_mean", json_object_new_double(n ? sum / n : 0));
	json_object_object_add(st, "tps_last", json_object_new_double(last));
}

/* stress-ng's YAML: the bogo-ops figures of its metrics. */
static json_object *stress_figures(void)
{
	FILE *f = fopen(STRESS_YAML, "re");
	json_object *st;
	char line[256];
	bool any = false;

	if (!f)
		return NULL;
	st = json_object_new_object();
	while (fgets(line, sizeof(line), f)) {
		double v;

		if (sscanf(line, " bogo-ops: %lf", &v) == 1) {
			json_object_object_add(st, "bogo_ops", json_object_new_double(v));
			any = true;
		} else if (sscanf(line, " bogo-ops-per-second-real-time: %lf", &v) == 1) {
			json_object_object_add(st, "bogo_ops_per_s", json_object_new_double(v));
		}
	}
	fclose(f);
	if (!any) {
		json_object_put(st);
		return NULL;
	}
	return st;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void realload_stop(json_object *root)
{
	json_object *tp = json_object_new_object(), *st;
	char ver[16];

	st = read_stats(PGBENCH_STATS);
	if (st) {
		pgbench_figures(st);
		if (!pg_version(ver, sizeof(ver))) {
			char *const stop[] = { "/usr/bin/pg_ctlcluster", ver, "main", "stop", "-m",
					       "fast", NULL };

			run(stop, "/dev/null", true, NULL);
		}
		json_object_object_add(tp, "pgbench", st);
	}
	st = read_stats(COMPILE_STATS);
	if (st)
		json_object_object_add(tp, "compile", st);
	st = read_stats(PAGECACHE_STATS);
	if (st)
		json_object_object_add(tp, "pagecache", st);
	st = stress_figures();
	if (st)
		json_object_object_add(tp, "stress-ng", st);
	nftw(REAL_DIR, remove_entry, 64, FTW_DEPTH | FTW_PHYS);
	json_object_object_add(root, "throughput", tp);
}
