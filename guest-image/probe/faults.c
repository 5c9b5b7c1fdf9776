// SPDX-License-Identifier: GPL-2.0-only
/*
 * memhp-probe faults: kernel fault injection around hot-add and remove
 * (issue 25; docs/faults.md), through debugfs (mounted if it is not).
 *
 *   memhp-probe faults [--going-online ERRNO] [--going-offline ERRNO]
 *                      [--failslab PERCENT] [--fail-page-alloc PERCENT]
 *                      [--times N]
 *       arm: the memory notifier error injection
 *       (notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error,
 *       MEM_GOING_OFFLINE: CONFIG_MEMORY_NOTIFIER_ERROR_INJECT, the
 *       memory-notifier-error-inject module on Debian's kernels) returns
 *       -ERRNO from the notifier chain; failslab and fail_page_alloc
 *       (CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC,
 *       CONFIG_FAULT_INJECTION_DEBUG_FS) fail that percent of allocations,
 *       sleeping ones too, at most N times (default 100), each logged, in
 *       the tasks that ask for it only (task-filter: /proc/PID/make-it-fail,
 *       which memhp-probe dax --make-it-fail sets on itself): failed in
 *       every task, they starve the guest agent's own fork.
 *   memhp-probe faults --off
 *       disarm all, and say how many failslab and fail_page_alloc failures
 *       were injected (N minus what is left of "times").
 *
 * Prints one JSON object: per knob asked for {"path", "value", "error"}
 * (error "" when written), with --off "failslab_injected" and
 * "fail_page_alloc_injected" (null where the knob does not exist). Exits 0
 * when every knob asked for was written, 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "faults.h"

#define DEBUGFS "/sys/kernel/debug"
#define NOTIFIER DEBUGFS "/notifier-error-inject/memory/actions"
#define TIMES_FILE "/run/memhp-faults.times"

static int write_value(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, value, strlen(value)) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

static long long read_value(const char *path, bool *ok)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	*ok = n > 0;
	return n > 0 ? strtoll(buf, NULL, 10) : 0;
}

/* Write value to path; add {"path", "value", "error"} as name to root. */
static bool knob(json_object *root, const char *name, const char *path, const char *value)
{
	json_object *o = json_object_new_object();
	int rc = write_value(path, value);

	json_object_object_add(o, "path", json_object_new_string(path));
	json_object_object_add(o, "value", json_object_new_string(value));
	json_object_object_add(o, "error", json_object_new_string(
		rc == -ENOENT ? "missing: the kernel lacks this injection (docs/faults.md)" :
		rc ? strerror(-rc) : ""));
	json_object_object_add(root, name, o);
	return rc == 0;
}

/* failslab or fail_page_alloc: probability, interval 1, times, every
 * allocation (sleeping ones too) of the tasks with make-it-fail set, a line
 * in the log for each. fail_page_alloc's defaults spare order-0 pages
 * (min-order 1) and highmem ones (ignore-gfp-highmem): on x86_64 the
 * latter are every movable allocation, so migration's new pages, which
 * offlining takes one by one, would never be failed. Both off. */
static bool arm_attr(json_object *root, const char *name, unsigned percent, unsigned times)
{
	char dir[128], path[192], v[32];
	bool ok = true;

	snprintf(dir, sizeof(dir), DEBUGFS "/%s", name);
	snprintf(path, sizeof(path), "%s/interval", dir);
	write_value(path, "1");
	snprintf(path, sizeof(path), "%s/verbose", dir);
	write_value(path, "2"); /* and the stack: where it failed */
	snprintf(path, sizeof(path), "%s/ignore-gfp-wait", dir);
	write_value(path, "N");
	if (!strcmp(name, "fail_page_alloc")) {
		snprintf(path, sizeof(path), "%s/ignore-gfp-highmem", dir);
		write_value(path, "N");
		snprintf(path, sizeof(path), "%s/min-order", dir);
		write_value(path, "0");
	}
	snprintf(path, sizeof(path), "%s/task-filter", dir);
	ok &= knob(root, !strcmp(name, "failslab") ? "failslab_task_filter" :
						     "fail_page_alloc_task_filter", path, "Y");
	snprintf(path, sizeof(path), "%s/times", dir);
	snprintf(v, sizeof(v), "%u", times);
	ok &= knob(root, !strcmp(name, "failslab") ? "failslab_times" : "fail_page_alloc_times",
		   path, v);
	snprintf(path, sizeof(path), "%s/probability", dir);
	snprintf(v, sizeof(v), "%u", percent);
	ok &= knob(root, name, path, v);
	return ok;
}

static void injected(json_object *root, const char *name, long long armed)
{
	char path[192], key[64];
	bool ok;
	long long left;

	snprintf(path, sizeof(path), DEBUGFS "/%s/times", name);
	left = read_value(path, &ok);
	snprintf(key, sizeof(key), "%s_injected", name);
	json_object_object_add(root, key, ok && armed > 0 && left >= 0 && left <= armed ?
				   json_object_new_int64(armed - left) : NULL);
}

int faults_main(int argc, char **argv)
{
	json_object *root = json_object_new_object();
	const char *online = NULL, *offline = NULL;
	unsigned slab = 0, page = 0, times = 100;
	bool off = false, ok = true;
	struct stat st;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--off")) {
			off = true;
			continue;
		}
		if (!v) {
			fprintf(stderr, "memhp-probe faults: %s needs a value\n", a);
			json_object_put(root);
			return 2;
		}
		i++;
		if (!strcmp(a, "--going-online"))
			online = v;
		else if (!strcmp(a, "--going-offline"))
			offline = v;
		else if (!strcmp(a, "--failslab"))
			slab = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(a, "--fail-page-alloc"))
			page = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(a, "--times"))
			times = (unsigned)strtoul(v, NULL, 10);
		else {
			fprintf(stderr, "memhp-probe faults: unknown option '%s'\n", a);
			json_object_put(root);
			return 2;
		}
	}
	if (stat(DEBUGFS "/notifier-error-inject", &st) && stat(DEBUGFS "/failslab", &st) &&
	    stat(DEBUGFS "/fail_page_alloc", &st))
		mount("debugfs", DEBUGFS, "debugfs", 0, NULL);
	if (off) {
		bool have;
		long long armed = read_value(TIMES_FILE, &have);

		write_value(NOTIFIER "/MEM_GOING_ONLINE/error", "0");
		write_value(NOTIFIER "/MEM_GOING_OFFLINE/error", "0");
		write_value(DEBUGFS "/failslab/probability", "0");
		write_value(DEBUGFS "/fail_page_alloc/probability", "0");
		write_value(DEBUGFS "/failslab/task-filter", "N");
		write_value(DEBUGFS "/fail_page_alloc/task-filter", "N");
		injected(root, "failslab", have ? armed : 0);
		injected(root, "fail_page_alloc", have ? armed : 0);
		unlink(TIMES_FILE);
	} else {
		char neg[32];

		if (online) {
			snprintf(neg, sizeof(neg), "-%s", online);
			ok &= knob(root, "going_online", NOTIFIER "/MEM_GOING_ONLINE/error", neg);
		}
		if (offline) {
			snprintf(neg, sizeof(neg), "-%s", offline);
			ok &= knob(root, "going_offline", NOTIFIER "/MEM_GOING_OFFLINE/error", neg);
		}
		if (slab || page) {
			char t[32];
			int fd = open(TIMES_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

			snprintf(t, sizeof(t), "%u\n", times);
			if (fd >= 0) {
				if (write(fd, t, strlen(t)) < 0)
					ok = false;
				close(fd);
			}
		}
		if (slab)
			ok &= arm_attr(root, "failslab", slab, times);
		if (page)
			ok &= arm_attr(root, "fail_page_alloc", page, times);
	}
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN));
	json_object_put(root);
	return ok ? 0 : 1;
}
