// SPDX-License-Identifier: GPL-2.0-only
/*
 * memhp-probe: the in-guest half of memhp. A static binary run through the
 * guest agent's guest-exec.
 *
 *   memhp-probe [snapshot]      print one JSON object describing memory:
 *                               block size, every memory block (index,
 *                               physical range, state, zone), per-zone
 *                               present/managed pages, /proc/meminfo, kernel
 *                               release and command line, and the kernel log
 *                               lines about hotplug since the previous probe.
 *   memhp-probe kmsg            only the kernel log part of a snapshot
 *   memhp-probe load …          run and hold a workload (load.c)
 *   memhp-probe load-stop       end it
 *   memhp-probe tidy …          drop caches, compact memory
 *   memhp-probe swap …          zram and a swap file (swap.c)
 *   memhp-probe faults …        kernel fault injection, arm or --off (faults.c)
 *   memhp-probe why INDEX…      what the given memory blocks hold (why.c)
 *   memhp-probe dax …           device-dax ranges to kmem and back (dax.c)
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <json-c/json.h>

#include "dax.h"
#include "kmsg.h"
#include "swap.h"
#include "faults.h"
#include "load.h"
#include "why.h"

#define MEMORY_SYSFS "/sys/devices/system/memory"
#define KMSG_CURSOR "/run/memhp-probe.kmsg-seq"
#define KMSG_MAX_LINES 200
#define KLOG_MAX_RECORDS 20000

static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	while (n > 0 && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	return 0;
}

static int cmp_index(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The NUMA node of a block, from its nodeN link (issue 25): -1 while it has
 * none, or on a kernel without CONFIG_NUMA (no node directory at all; *numa
 * says which).
 *
 * The link also says whether an offline block may have its valid_zones
 * read. A block being hot-added is in sysfs (create_memory_block_devices())
 * before its node is set (register_memory_blocks_under_node()); reading
 * valid_zones in that window makes 6.1's valid_zones_show() look up
 * NODE_DATA(NUMA_NO_NODE) and oops (a NULL dereference in
 * zone_for_pfn_range(), seen in a nightly run,
 * tests/unit/data/serial-6.1-oops-valid_zones.log). The link is made right
 * after the node is set; without NUMA there is no such lookup.
 */
static int block_node(uint64_t index, bool *numa)
{
	char path[128];
	struct dirent *de;
	int node = -1;
	DIR *d;

	*numa = !access("/sys/devices/system/node", F_OK);
	snprintf(path, sizeof(path), MEMORY_SYSFS "/memory%" PRIu64, index);
	d = opendir(path);
	if (!d)
		return -1;
	while (node < 0 && (de = readdir(d)))
		if (!strncmp(de->d_name, "node", 4) && isdigit((unsigned char)de->d_name[4]))
			node = atoi(de->d_name + 4);
	closedir(d);
	return node;
}

/* Memory blocks, sorted by index. The zone of an online block is the single
 * entry of valid_zones; for an offline block valid_zones lists candidates
 * (empty while the block is still being added: block_node()). */
static json_object *probe_blocks(uint64_t block_size)
{
	json_object *arr = json_object_new_array();
	uint64_t *idx = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d = opendir(MEMORY_SYSFS);

	if (!d)
		return arr;
	while ((de = readdir(d))) {
		char *end;
		unsigned long long v;

		if (strncmp(de->d_name, "memory", 6) || !isdigit((unsigned char)de->d_name[6]))
			continue;
		v = strtoull(de->d_name + 6, &end, 10);
		if (*end)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			idx = realloc(idx, cap * sizeof(*idx));
			if (!idx)
				abort();
		}
		idx[n++] = v;
	}
	closedir(d);
	qsort(idx, n, sizeof(*idx), cmp_index);

	for (size_t i = 0; i < n; i++) {
		char path[128], state[64] = "", zones[128] = "", phys[64] = "";
		json_object *b = json_object_new_object();
		uint64_t start;
		bool numa;
		int node = block_node(idx[i], &numa);

		snprintf(path, sizeof(path), MEMORY_SYSFS "/memory%" PRIu64 "/state", idx[i]);
		read_file(path, state, sizeof(state));
		snprintf(path, sizeof(path), MEMORY_SYSFS "/memory%" PRIu64 "/valid_zones", idx[i]);
		if (strcmp(state, "offline") || node >= 0 || !numa)
			read_file(path, zones, sizeof(zones));
		snprintf(path, sizeof(path), MEMORY_SYSFS "/memory%" PRIu64 "/phys_index", idx[i]);
		read_file(path, phys, sizeof(phys));
		start = strtoull(phys, NULL, 16) * block_size;

		json_object_object_add(b, "index", json_object_new_uint64(idx[i]));
		json_object_object_add(b, "start", json_object_new_uint64(start));
		json_object_object_add(b, "state", json_object_new_string(state));
		json_object_object_add(b, "zones", json_object_new_string(zones));
		if (node >= 0)
			json_object_object_add(b, "node", json_object_new_int(node));
		json_object_array_add(arr, b);
	}
	free(idx);
	return arr;
}

/* Per-zone page counts from /proc/zoneinfo. */
json_object *probe_zones(void)
{
	json_object *arr = json_object_new_array(), *cur = NULL;
	FILE *f = fopen("/proc/zoneinfo", "re");
	char line[512];

	if (!f)
		return arr;
	while (fgets(line, sizeof(line), f)) {
		int node;
		char zone[64];
		unsigned long long v;

		if (sscanf(line, "Node %d, zone %63s", &node, zone) == 2) {
			cur = json_object_new_object();
			json_object_object_add(cur, "node", json_object_new_int(node));
			json_object_object_add(cur, "zone", json_object_new_string(zone));
			json_object_array_add(arr, cur);
		} else if (cur && sscanf(line, " present %llu", &v) == 1) {
			json_object_object_add(cur, "present_pages", json_object_new_uint64(v));
		} else if (cur && sscanf(line, " managed %llu", &v) == 1) {
			json_object_object_add(cur, "managed_pages", json_object_new_uint64(v));
		} else if (cur && sscanf(line, " pages free %llu", &v) == 1) {
			json_object_object_add(cur, "free_pages", json_object_new_uint64(v));
		}
	}
	fclose(f);
	return arr;
}

/* Every /proc/meminfo line, in kB (or pages for the HugePages_* counts). */
static json_object *probe_meminfo(void)
{
	json_object *obj = json_object_new_object();
	FILE *f = fopen("/proc/meminfo", "re");
	char line[256], key[64];
	unsigned long long v;

	if (!f)
		return obj;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63[^:]: %llu", key, &v) == 2)
			json_object_object_add(obj, key, json_object_new_uint64(v));
	fclose(f);
	return obj;
}

/*
 * Kernel log records newer than the previous probe's cursor: "kmsg", the
 * lines about hotplug as text; "klog", the records the harness parses for
 * offline failures as [sequence number, microseconds since boot, text]; and
 * "klog_lost", the records the kernel overwrote before they were read (gaps
 * in the sequence numbers), so a lost line is counted, never silent.
 */
static void probe_kmsg(json_object *root)
{
	json_object *arr = json_object_new_array(), *klog = json_object_new_array();
	struct kmsg_cursor cur;
	unsigned long long last = 0;
	unsigned dropped = 0, kdropped = 0;
	bool have_cursor = false;
	char buf[8192];
	int fd;
	FILE *f = fopen(KMSG_CURSOR, "re");

	if (f) {
		have_cursor = fscanf(f, "%llu", &last) == 1;
		fclose(f);
	}
	kmsg_cursor_init(&cur, have_cursor, last);
	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		goto out;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		unsigned long long seq, us;
		char *msg;

		if (n < 0 && errno == EPIPE)
			continue; /* overwritten records: the gap is counted below */
		if (n <= 0)
			break;
		buf[n] = '\0';
		msg = kmsg_record(&cur, buf, &seq, &us);
		if (!msg)
			continue;
		if (kmsg_is_reason(msg)) {
			if (json_object_array_length(klog) < KLOG_MAX_RECORDS) {
				json_object *rec = json_object_new_array();

				json_object_array_add(rec, json_object_new_uint64(seq));
				json_object_array_add(rec, json_object_new_uint64(us));
				json_object_array_add(rec, json_object_new_string(msg));
				json_object_array_add(klog, rec);
			} else {
				kdropped++;
			}
		}
		if (!kmsg_is_hotplug(msg))
			continue;
		if (json_object_array_length(arr) < KMSG_MAX_LINES)
			json_object_array_add(arr, json_object_new_string(msg));
		else
			dropped++;
	}
	close(fd);
	if (dropped)
		json_object_array_add(arr, json_object_new_string("memhp-probe: further lines dropped"));
	f = fopen(KMSG_CURSOR, "we");
	if (f) {
		fprintf(f, "%llu\n", cur.seen);
		fclose(f);
	}
out:
	json_object_object_add(root, "kmsg", arr);
	json_object_object_add(root, "klog", klog);
	/* Records not sent for want of room count as lost too. */
	json_object_object_add(root, "klog_lost", json_object_new_uint64(cur.lost + kdropped));
}

/* Only the kernel log (probe_kmsg): a cheap look while an unplug runs. */
static int cmd_kmsg(void)
{
	json_object *root = json_object_new_object();

	probe_kmsg(root);
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN));
	json_object_put(root);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* A sysfs or procfs value as a string, or null where the kernel lacks it. */
static json_object *file_string(const char *path)
{
	char buf[256];

	return read_file(path, buf, sizeof(buf)) ? NULL : json_object_new_string(buf);
}

/* The nr_memmap* counters of /proc/vmstat (6.10+); null where absent. */
json_object *probe_memmap_vmstat(void)
{
	json_object *obj = json_object_new_object();
	json_object *pages = NULL, *boot = NULL;
	FILE *f = fopen("/proc/vmstat", "re");
	char key[64];
	unsigned long long v;

	while (f && fscanf(f, "%63s %llu", key, &v) == 2) {
		if (!strcmp(key, "nr_memmap_pages") || !strcmp(key, "nr_memmap")) {
			json_object_put(pages);
			pages = json_object_new_uint64(v);
		} else if (!strcmp(key, "nr_memmap_boot_pages") || !strcmp(key, "nr_memmap_boot")) {
			json_object_put(boot);
			boot = json_object_new_uint64(v);
		}
	}
	if (f)
		fclose(f);
	json_object_object_add(obj, "nr_memmap_pages", pages);
	json_object_object_add(obj, "nr_memmap_boot_pages", boot);
	return obj;
}

/*
 * What the kernel does with hot-added memory: the default online type
 * (auto_online_blocks), memory_hotplug's online_policy, auto_movable_ratio
 * and memmap_on_memory (Y, N or force), HVO, and where the memmap lives.
 * A value the kernel does not have is null.
 */
static json_object *probe_onlining(void)
{
	static const struct {
		const char *key, *path;
	} files[] = {
		{ "auto_online_blocks", MEMORY_SYSFS "/auto_online_blocks" },
		{ "online_policy", "/sys/module/memory_hotplug/parameters/online_policy" },
		{ "auto_movable_ratio", "/sys/module/memory_hotplug/parameters/auto_movable_ratio" },
		{ "auto_movable_numa_aware",
		  "/sys/module/memory_hotplug/parameters/auto_movable_numa_aware" },
		{ "memmap_on_memory", "/sys/module/memory_hotplug/parameters/memmap_on_memory" },
		{ "hugetlb_optimize_vmemmap", "/proc/sys/vm/hugetlb_optimize_vmemmap" },
	};
	json_object *obj = json_object_new_object();

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		json_object_object_add(obj, files[i].key, file_string(files[i].path));
	json_object_object_add(obj, "vmstat", probe_memmap_vmstat());
	return obj;
}

static int cmd_snapshot(void)
{
	json_object *root = json_object_new_object();
	char buf[4096] = "";
	uint64_t block_size = 0;
	struct utsname u;

	if (read_file(MEMORY_SYSFS "/block_size_bytes", buf, sizeof(buf)) == 0)
		block_size = strtoull(buf, NULL, 16);
	json_object_object_add(root, "probe_version", json_object_new_int(1));
	json_object_object_add(root, "block_size", json_object_new_uint64(block_size));
	/* issue 24: 64 KiB on Debian's ppc64le */
	json_object_object_add(root, "page_size",
			       json_object_new_uint64((uint64_t)sysconf(_SC_PAGESIZE)));
	if (uname(&u) == 0)
		json_object_object_add(root, "release", json_object_new_string(u.release));
	buf[0] = '\0';
	read_file("/proc/cmdline", buf, sizeof(buf));
	json_object_object_add(root, "cmdline", json_object_new_string(buf));
	json_object_object_add(root, "blocks", probe_blocks(block_size));
	json_object_object_add(root, "zones", probe_zones());
	json_object_object_add(root, "meminfo", probe_meminfo());
	probe_kmsg(root);
	json_object_object_add(root, "onlining", probe_onlining());

	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN));
	json_object_put(root);
	return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "snapshot"))
		return cmd_snapshot();
	if (!strcmp(argv[1], "kmsg"))
		return cmd_kmsg();
	if (!strcmp(argv[1], "load"))
		return load_main(argc - 2, argv + 2);
	if (!strcmp(argv[1], "load-stop"))
		return load_stop_main();
	if (!strcmp(argv[1], "tidy"))
		return load_tidy_main(argc - 2, argv + 2);
	if (!strcmp(argv[1], "swap"))
		return swap_main(argc - 2, argv + 2);
	if (!strcmp(argv[1], "faults"))
		return faults_main(argc - 2, argv + 2);
	if (!strcmp(argv[1], "why")) {
		char buf[64] = "";

		read_file(MEMORY_SYSFS "/block_size_bytes", buf, sizeof(buf));
		return why_main(argc - 2, argv + 2, strtoull(buf, NULL, 16));
	}
	if (!strcmp(argv[1], "dax")) {
		char buf[64] = "";

		read_file(MEMORY_SYSFS "/block_size_bytes", buf, sizeof(buf));
		return dax_main(argc - 2, argv + 2, strtoull(buf, NULL, 16));
	}
	fprintf(stderr, "usage: memhp-probe [snapshot | kmsg | load [--seed N] [--duration S] [--test-stall-at B] KIND:BYTES... |\n"
			"                    load-stop | tidy [drop-caches] [compact] | swap [--zram B] [--file B] |\n"
			"                    faults [--going-offline E] ... | faults --off |\n"
			"                    why INDEX... | dax ...]\n");
	return 2;
}
