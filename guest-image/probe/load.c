// SPDX-License-Identifier: GPL-2.0-only
/*
 * memhp-probe load: allocate memory of named kinds inside the guest and hold
 * it until stopped. Each kind produces one sort of allocation the kernel
 * treats differently when offlining (docs/workloads.md). kinds.h lists them,
 * for this file and for memhp alike; alloc_IDENT() below implements each.
 *
 * usage: memhp-probe load [--seed N] [--duration SECONDS] [--test-stall-at BYTES]
 *                         KIND:BYTES...
 *        memhp-probe load-stop
 *
 * load forks a holder (its own session, oom_score_adj 1000) and returns at
 * once, printing {"pid": N, "progress": PATH}. The holder allocates every
 * kind in turn and, from a thread of its own, rewrites PATH about once a
 * second with what each kind has got so far (one JSON object, replaced
 * atomically, "seq" counting the rewrites); memhp reads it through the
 * agent. When everything is allocated PATH says "state": "holding" with
 * the final figures, and the holder keeps it all until SIGTERM or the
 * duration ends. load-stop ends the holder and everything it started.
 *
 * --test-stall-at BYTES (tests only): every kind stops allocating once it
 * has BYTES, as a kernel that crawls would, so memhp's stall bound can be
 * tested on any guest.
 */
#include <errno.h>
#include <ftw.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/io_uring.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "load.h"
#include "realload.h"

#define PIDFILE "/run/memhp-load.pid"
#define PROGRESS "/run/memhp-load.progress"
#define PROGRESS_MS 1000
#define WORKDIR "/tmp/memhp-load"
#define STRESS_YAML "/run/memhp-stress-ng.yaml"
/* The guest's page size: 4 KiB on x86_64 and Debian's arm64, 64 KiB on
 * Debian's ppc64le (issue 24). */
#define PAGE ((uint64_t)sysconf(_SC_PAGESIZE))
#define HUGE (2UL << 20)

enum kind_state { KIND_PENDING, KIND_RUNNING, KIND_DONE };

/* Written by the allocating thread, read by the progress thread: got and
 * state are atomic; error is read only once state is KIND_DONE. */
struct kind_result {
	uint64_t want;
	_Atomic uint64_t got;
	_Atomic int state;
	_Atomic int64_t ms; /* how long the kind took, once done */
	char error[128];
};

typedef void (*alloc_fn)(struct kind_result *r, uint64_t seed);

static volatile sig_atomic_t stop_requested;
static uint64_t test_stall_at;

/* Count n more bytes for r. False when the holder is asked to stop: the
 * kind's loop ends there. */
static bool account(struct kind_result *r, uint64_t n)
{
	r->got += n;
	/* The test hook: stop allocating, stay alive, keep reporting. */
	while (test_stall_at && r->got >= test_stall_at && !stop_requested)
		usleep(100000);
	return !stop_requested;
}

static void on_term(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void set_error(struct kind_result *r, const char *what)
{
	snprintf(r->error, sizeof(r->error), "%s: %s", what, strerror(errno));
}

/* Fault in len bytes page by page, counting them for r when it is given. */
static bool touch(struct kind_result *r, char *p, uint64_t len, uint64_t seed)
{
	for (uint64_t off = 0; off < len; off += PAGE) {
		p[off] = (char)(seed + off / PAGE);
		if (r && !account(r, PAGE))
			return false;
	}
	return true;
}

static void alloc_anon(struct kind_result *r, uint64_t seed)
{
	char *p = mmap(NULL, r->want, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return set_error(r, "mmap");
	madvise(p, r->want, MADV_NOHUGEPAGE);
	touch(r, p, r->want, seed);
}

static void alloc_thp(struct kind_result *r, uint64_t seed)
{
	uint64_t len = (r->want + HUGE - 1) & ~(HUGE - 1);
	char *raw = mmap(NULL, len + HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *p;

	if (raw == MAP_FAILED)
		return set_error(r, "mmap");
	p = (char *)(((uintptr_t)raw + HUGE - 1) & ~(HUGE - 1));
	madvise(p, len, MADV_HUGEPAGE);
	touch(r, p, len, seed);
}

/* The workload's own tmpfs: no inode limit (dentries), as large as memory. */
static int workdir(void)
{
	static bool mounted;

	if (mounted)
		return 0;
	if (mkdir(WORKDIR, 0700) && errno != EEXIST)
		return -errno;
	if (mount("memhp-load", WORKDIR, "tmpfs", 0, "nr_inodes=0,size=100%,mode=0700"))
		return -errno;
	mounted = true;
	return 0;
}

static void alloc_tmpfs(struct kind_result *r, uint64_t seed)
{
	static char buf[1 << 20];
	char path[128];

	if (workdir())
		return set_error(r, "mount " WORKDIR);
	memset(buf, (int)(seed & 0xff) | 1, sizeof(buf));
	for (unsigned i = 0; r->got < r->want; i++) {
		int fd;
		ssize_t n;

		snprintf(path, sizeof(path), WORKDIR "/tmpfs-%u", i);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0)
			return set_error(r, "open");
		n = write(fd, buf, r->want - r->got < sizeof(buf) ? r->want - r->got : sizeof(buf));
		close(fd);
		if (n <= 0)
			return set_error(r, "write");
		if (!account(r, (uint64_t)n))
			return;
	}
}

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

/*
 * Swap (issue 25): half the bytes anonymous, half a tmpfs file mapped
 * shared, all touched, then pushed into swap with MADV_PAGEOUT, and the
 * anonymous half read back. With a swap file (asynchronous writeback) the
 * kernel keeps the folios in the swap cache: the tmpfs ones unmapped until
 * memory pressure reclaims them again, the anonymous ones mapped, read
 * faults leaving their swap entries. zram writes synchronously and frees
 * them at once. Without swap nothing is pushed, and the error says so.
 */
static void alloc_swapped(struct kind_result *r, uint64_t seed)
{
	uint64_t half = (r->want / 2) & ~(PAGE - 1), rest = (r->want - half) & ~(PAGE - 1);
	volatile char sum = 0;
	struct sysinfo si;
	char *anon, *shm;
	int fd;

	if (workdir())
		return set_error(r, "mount " WORKDIR);
	anon = mmap(NULL, half ? half : PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	if (anon == MAP_FAILED)
		return set_error(r, "mmap");
	madvise(anon, half ? half : PAGE, MADV_NOHUGEPAGE);
	fd = open(WORKDIR "/swapped", O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)(rest ? rest : PAGE)))
		return set_error(r, "tmpfs file");
	shm = mmap(NULL, rest ? rest : PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (shm == MAP_FAILED)
		return set_error(r, "mmap tmpfs");
	if (!touch(r, anon, half, seed) || !touch(r, shm, rest, seed + 1))
		return;
	if (sysinfo(&si) || !si.totalswap)
		return set_error(r, "no swap: nothing pushed ([workload] zram or swap_file)");
	if (madvise(anon, half, MADV_PAGEOUT) || madvise(shm, rest, MADV_PAGEOUT))
		return set_error(r, "madvise(MADV_PAGEOUT)");
	for (uint64_t off = 0; off < half; off += PAGE)
		sum += anon[off];
	(void)sum;
}

/* A shmem inode plus its dentry: about 1 KiB of slab (Debian 6.1, x86-64). */
#define DENTRY_COST 1024

static void alloc_dentries(struct kind_result *r, uint64_t seed)
{
	uint64_t files = r->want / DENTRY_COST;
	char path[160];

	(void)seed;
	if (workdir())
		return set_error(r, "mount " WORKDIR);
	for (uint64_t i = 0; i < files; i++) {
		int fd;

		if (i % 1000 == 0) {
			snprintf(path, sizeof(path), WORKDIR "/d%" PRIu64, i / 1000);
			if (mkdir(path, 0700) && errno != EEXIST)
				return set_error(r, "mkdir");
		}
		snprintf(path, sizeof(path), WORKDIR "/d%" PRIu64 "/%" PRIu64, i / 1000, i);
		fd = open(path, O_WRONLY | O_CREAT, 0600);
		if (fd < 0)
			return set_error(r, "open");
		close(fd);
		if (!account(r, DENTRY_COST))
			return;
	}
}

/* One page-table page per 2 MiB of address space touched once: each touch
 * costs a page of page table (unmovable) and a page of data (movable), and
 * both count towards the kind's bytes. */
static void alloc_pgtable(struct kind_result *r, uint64_t seed)
{
	uint64_t touches = r->want / (2 * PAGE), len = touches * HUGE;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return set_error(r, "mmap");
	madvise(p, len, MADV_NOHUGEPAGE);
	for (uint64_t i = 0; i < touches; i++) {
		p[i * HUGE + (seed % (HUGE / PAGE)) * PAGE] = 1;
		if (!account(r, 2 * PAGE))
			return;
	}
}

/*
 * Sleeping threads: each costs a 16 KiB kernel stack and a task_struct
 * (unmovable) plus a little user stack. Threads, not processes, so that
 * nothing copies the holder's page tables.
 */
#define KSTACK_COST (32UL << 10)
#define KSTACK_MAX 20000
#define THREAD_STACK (64UL << 10)

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void alloc_kstack(struct kind_result *r, uint64_t seed)
{
	uint64_t threads = r->want / KSTACK_COST;
	pthread_attr_t attr;

	(void)seed;
	if (threads > KSTACK_MAX) {
		snprintf(r->error, sizeof(r->error), "capped at %d threads", KSTACK_MAX);
		threads = KSTACK_MAX;
	}
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, THREAD_STACK);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (uint64_t i = 0; i < threads; i++) {
		pthread_t t;
		int rc = pthread_create(&t, &attr, sleeper, NULL);

		if (rc) {
			errno = rc;
			set_error(r, "pthread_create");
			break;
		}
		if (!account(r, KSTACK_COST))
			break;
	}
	pthread_attr_destroy(&attr);
}

static void alloc_pipe(struct kind_result *r, uint64_t seed)
{
	static char buf[1 << 16];
	struct rlimit rl = { 1 << 20, 1 << 20 };
	int fds[2];

	memset(buf, (int)(seed & 0xff), sizeof(buf));
	setrlimit(RLIMIT_NOFILE, &rl);
	while (r->got < r->want) {
		int size;

		if (pipe2(fds, O_NONBLOCK) < 0)
			return set_error(r, "pipe");
		size = fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);
		if (size < 0)
			size = 1 << 16;
		for (int filled = 0; filled < size;) {
			ssize_t n = write(fds[1], buf, sizeof(buf));

			if (n <= 0)
				break;
			filled += (int)n;
			if (!account(r, (uint64_t)n))
				return;
		}
	}
}

static void alloc_pinned(struct kind_result *r, uint64_t seed)
{
	struct io_uring_params params = { 0 };
	uint64_t chunk = 1ULL << 30, n = (r->want + chunk - 1) / chunk;
	struct iovec *iov = calloc(n, sizeof(*iov));
	char *p;
	int ring;

	p = mmap(NULL, r->want, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED || !iov)
		return set_error(r, "mmap");
	/* Counted as touched; the pin itself is one call at the end. */
	if (!touch(r, p, r->want, seed))
		return;
	ring = (int)syscall(__NR_io_uring_setup, 4, &params);
	if (ring < 0)
		return set_error(r, "io_uring_setup");
	for (uint64_t i = 0; i < n; i++) {
		iov[i].iov_base = p + i * chunk;
		iov[i].iov_len = i + 1 < n ? chunk : r->want - i * chunk;
	}
	if (syscall(__NR_io_uring_register, ring, IORING_REGISTER_BUFFERS, iov, (unsigned)n) < 0) {
		r->got = 0;
		return set_error(r, "IORING_REGISTER_BUFFERS");
	}
}

static void alloc_hugetlb(struct kind_result *r, uint64_t seed)
{
	uint64_t pages = (r->want + HUGE - 1) / HUGE, have = 0;
	char buf[32];
	int fd = open("/proc/sys/vm/nr_hugepages", O_RDWR);
	char *p;

	if (fd < 0)
		return set_error(r, "nr_hugepages");
	if (read(fd, buf, sizeof(buf) - 1) > 0)
		have = strtoull(buf, NULL, 10);
	snprintf(buf, sizeof(buf), "%" PRIu64, have + pages);
	if (pwrite(fd, buf, strlen(buf), 0) < 0) {
		close(fd);
		return set_error(r, "nr_hugepages");
	}
	close(fd);
	p = mmap(NULL, pages * HUGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	if (p == MAP_FAILED)
		return set_error(r, "mmap MAP_HUGETLB (not enough huge pages?)");
	touch(r, p, pages * HUGE, seed);
}

static pid_t stress_pid;

/* posix_spawn, not fork: the holder's mappings are not copied. */
static void alloc_stress_ng(struct kind_result *r, uint64_t seed)
{
	char bytes[32], seedarg[32];
	char *const argv[] = {
		"stress-ng", "--vm", "1", "--vm-bytes", bytes, "--vm-keep", "--vm-populate",
		"--seed", seedarg, "--metrics", "--yaml", STRESS_YAML, "--timeout", "0",
		"--quiet", NULL,
	};
	int rc;

	snprintf(bytes, sizeof(bytes), "%" PRIu64, r->want);
	snprintf(seedarg, sizeof(seedarg), "%" PRIu64, seed);
	rc = posix_spawnp(&stress_pid, "stress-ng", NULL, NULL, argv, environ);
	if (rc) {
		errno = rc;
		stress_pid = 0;
		return set_error(r, "spawn stress-ng");
	}
	r->got = r->want; /* stress-ng fills it in its own time */
}

/* realload.c's kinds, on the real system (disk images). */
static void alloc_pagecache(struct kind_result *r, uint64_t seed)
{
	realload_pagecache(r->want, &r->got, r->error, sizeof(r->error), seed);
}

static void alloc_compile(struct kind_result *r, uint64_t seed)
{
	realload_compile(r->want, &r->got, r->error, sizeof(r->error), seed);
}

static void alloc_pgbench(struct kind_result *r, uint64_t seed)
{
	realload_pgbench(r->want, &r->got, r->error, sizeof(r->error), seed);
}

static const struct {
	const char *name;
	alloc_fn fn;
} kinds[] = {
#define KIND(ident, name, allocates, mobility) { name, alloc_##ident },
#include "kinds.h"
#undef KIND
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static int find_kind(const char *name, size_t len)
{
	for (size_t i = 0; i < NKINDS; i++)
		if (strlen(kinds[i].name) == len && !strncmp(kinds[i].name, name, len))
			return (int)i;
	return -1;
}

static void write_oom_adj(const char *value)
{
	int fd = open("/proc/self/oom_score_adj", O_WRONLY);

	if (fd >= 0) {
		if (write(fd, value, strlen(value)) < 0) {
			/* best effort: the agent is protected either way */
		}
		close(fd);
	}
}

/* The holder's state, shared by its allocating and its progress thread. */
static struct {
	struct kind_result res[32];
	int which[32], n;
	_Atomic int holding; /* everything allocated (or given up) */
	_Atomic int64_t seq;
	int64_t start_ms;
	pthread_mutex_t lock; /* one writer of PROGRESS at a time */
} holder = { .lock = PTHREAD_MUTEX_INITIALIZER };

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *const state_names[] = { "pending", "allocating", "done" };

static json_object *report(void)
{
	json_object *root = json_object_new_object(), *arr = json_object_new_array();
	bool holding = holder.holding;

	for (int i = 0; i < holder.n; i++) {
		struct kind_result *r = &holder.res[i];
		int state = r->state;
		json_object *k = json_object_new_object();

		json_object_object_add(k, "kind", json_object_new_string(kinds[holder.which[i]].name));
		json_object_object_add(k, "want", json_object_new_uint64(r->want));
		json_object_object_add(k, "got", json_object_new_uint64(r->got));
		json_object_object_add(k, "state", json_object_new_string(state_names[state]));
		if (state == KIND_DONE) {
			json_object_object_add(k, "ms", json_object_new_int64(r->ms));
			json_object_object_add(k, "error", json_object_new_string(r->error));
		}
		json_object_array_add(arr, k);
	}
	json_object_object_add(root, "pid", json_object_new_int(getpid()));
	json_object_object_add(root, "state",
			       json_object_new_string(holding ? "holding" : "allocating"));
	json_object_object_add(root, "seq", json_object_new_int64(++holder.seq));
	json_object_object_add(root, "ms", json_object_new_int64(mono_ms() - holder.start_ms));
	json_object_object_add(root, "kinds", arr);
	return root;
}

/* Replace PROGRESS with the state now: a reader sees the old file or the
 * new one, never half of one. */
static void write_progress(void)
{
	json_object *rep;
	const char *text;
	int fd;

	pthread_mutex_lock(&holder.lock);
	rep = report();
	text = json_object_to_json_string_ext(rep, JSON_C_TO_STRING_PLAIN);
	fd = open(PROGRESS ".tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		bool ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text) &&
			  write(fd, "\n", 1) == 1;

		close(fd);
		if (ok)
			rename(PROGRESS ".tmp", PROGRESS);
	}
	json_object_put(rep);
	pthread_mutex_unlock(&holder.lock);
}

static void *progress_thread(void *arg)
{
	(void)arg;
	while (!holder.holding) {
		write_progress();
		usleep(PROGRESS_MS * 1000);
	}
	return NULL;
}

int load_main(int argc, char **argv)
{
	uint64_t seed = 1, duration = 0;
	pid_t pid;

	for (int i = 0; i < argc; i++) {
		const char *colon = strchr(argv[i], ':');
		int k;

		if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			seed = strtoull(argv[++i], NULL, 10);
			continue;
		}
		if (!strcmp(argv[i], "--duration") && i + 1 < argc) {
			duration = strtoull(argv[++i], NULL, 10);
			continue;
		}
		if (!strcmp(argv[i], "--test-stall-at") && i + 1 < argc) {
			test_stall_at = strtoull(argv[++i], NULL, 10);
			continue;
		}
		k = colon ? find_kind(argv[i], (size_t)(colon - argv[i])) : -1;
		if (k < 0 || holder.n == 32) {
			fprintf(stderr, "memhp-probe load: bad workload '%s' (KIND:BYTES)\n", argv[i]);
			return 2;
		}
		holder.which[holder.n] = k;
		holder.res[holder.n++].want = strtoull(colon + 1, NULL, 10);
	}
	/* A reader must never take an earlier holder's file for this one's. */
	unlink(PROGRESS);
	holder.start_ms = mono_ms();
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		struct sigaction sa = { .sa_handler = on_term };
		time_t end = duration ? time(NULL) + (time_t)duration : 0;
		pthread_t progress;
		bool reporting;

		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		setsid();
		write_oom_adj("1000");
		sigaction(SIGTERM, &sa, NULL);
		reporting = pthread_create(&progress, NULL, progress_thread, NULL) == 0;
		for (int i = 0; i < holder.n && !stop_requested; i++) {
			struct kind_result *r = &holder.res[i];
			int64_t t0 = mono_ms();

			r->state = KIND_RUNNING;
			kinds[holder.which[i]].fn(r, seed + (uint64_t)i);
			r->ms = mono_ms() - t0;
			r->state = KIND_DONE;
		}
		for (int i = 0; i < holder.n; i++)
			if (holder.res[i].state != KIND_DONE) { /* stopped before its turn */
				snprintf(holder.res[i].error, sizeof(holder.res[i].error), "stopped");
				holder.res[i].state = KIND_DONE;
			}
		holder.holding = 1;
		if (reporting)
			pthread_join(progress, NULL);
		write_progress();
		while (!stop_requested && (!end || time(NULL) < end))
			sleep(1);
		/* Everything we started goes with us: stress-ng, then our threads. */
		if (stress_pid > 0) {
			kill(stress_pid, SIGTERM);
			waitpid(stress_pid, NULL, 0);
		}
		signal(SIGTERM, SIG_IGN);
		kill(0, SIGTERM);
		_exit(0);
	}
	{
		FILE *f = fopen(PIDFILE, "we");
		json_object *root = json_object_new_object();

		if (f) {
			fprintf(f, "%d\n", (int)pid);
			fclose(f);
		}
		json_object_object_add(root, "pid", json_object_new_int(pid));
		json_object_object_add(root, "progress", json_object_new_string(PROGRESS));
		puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN));
		json_object_put(root);
	}
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static int write_proc(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY), rc = 0;

	if (fd < 0 || write(fd, value, strlen(value)) < 0)
		rc = -errno;
	if (fd >= 0)
		close(fd);
	return rc;
}

int load_tidy_main(int argc, char **argv)
{
	json_object *root = json_object_new_object();

	for (int i = 0; i < argc; i++) {
		int rc;

		if (!strcmp(argv[i], "drop-caches")) {
			sync();
			rc = write_proc("/proc/sys/vm/drop_caches", "3");
		} else if (!strcmp(argv[i], "compact")) {
			rc = write_proc("/proc/sys/vm/compact_memory", "1");
		} else {
			fprintf(stderr, "memhp-probe tidy: unknown step '%s'\n", argv[i]);
			return 2;
		}
		json_object_object_add(root, argv[i], json_object_new_string(rc ? strerror(-rc) : "ok"));
	}
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN));
	json_object_put(root);
	return 0;
}

/* Stop the holder and everything in its session, then drop what it left in
 * tmpfs. Prints {"stopped": true|false, "stress_ng_yaml": "…"}. */
int load_stop_main(void)
{
	json_object *root = json_object_new_object();
	FILE *f = fopen(PIDFILE, "re");
	int pid = 0;
	bool stopped = false;

	if (f) {
		if (fscanf(f, "%d", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	if (pid > 0 && kill(-pid, SIGTERM) == 0) {
		for (int i = 0; i < 600 && kill(pid, 0) == 0; i++)
			usleep(50000);
		stopped = kill(pid, 0) != 0;
		if (!stopped)
			kill(-pid, SIGKILL);
	}
	unlink(PIDFILE);
	unlink(PROGRESS);
	/* The workload's files go with it (their dentries may leave slab behind). */
	nftw(WORKDIR, remove_entry, 64, FTW_DEPTH | FTW_PHYS);
	umount(WORKDIR);
	rmdir(WORKDIR);
	json_object_object_add(root, "stopped", json_object_new_boolean(stopped));
	f = fopen(STRESS_YAML, "re");
	if (f) {
		char buf[65536];
		size_t len = fread(buf, 1, sizeof(buf) - 1, f);

		buf[len] = '\0';
		fclose(f);
		json_object_object_add(root, "stress_ng_yaml", json_object_new_string(buf));
	}
	realload_stop(root);
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN));
	json_object_put(root);
	return 0;
}
