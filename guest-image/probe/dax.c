// SPDX-License-Identifier: GPL-2.0-only
/*
 * memhp-probe dax: device-dax ranges given to kmem and taken back (dax.h).
 * Everything goes through sysfs, as daxctl reconfigure-device and
 * offline-memory do: /sys/bus/dax/devices/daxX.Y, the drivers' bind,
 * unbind and new_id files, and /sys/devices/system/memory/memoryN/state.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "dax.h"

#define DAX_BUS "/sys/bus/dax"
#define CXL_BUS "/sys/bus/cxl"
#define MEMORY_SYSFS "/sys/devices/system/memory"

static int read_str(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	buf[0] = '\0';
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return buf[0] = '\0', -errno;
	buf[n] = '\0';
	while (n > 0 && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	return 0;
}

/* One write of s to a sysfs file: 0 or -errno (-EINTR when interrupted). */
static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		rc = -errno;
	if (close(fd) && !rc)
		rc = -errno;
	return rc;
}

/*
 * --make-it-fail: the writes that make the kernel hot-add, offline or
 * remove memory run with /proc/self/make-it-fail set, so failslab and
 * fail_page_alloc (task-filter) fail allocations in that kernel work and in
 * nothing else this program does: not its opening of files, not its reads.
 */
static bool make_it_fail;

/* write_str for a write that hot-adds, offlines or removes memory; an
 * error setting make-it-fail is the write's (it did not happen as asked).
 * Both files are open before the flag is set: with it set, an open could
 * be failed, and the flag then not cleared. */
static int write_hot(const char *path, const char *s)
{
	int fd, mif, rc = 0;

	if (!make_it_fail)
		return write_str(path, s);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	mif = open("/proc/self/make-it-fail", O_WRONLY | O_CLOEXEC);
	if (mif < 0 || pwrite(mif, "1", 1, 0) != 1)
		rc = -errno;
	else if (write(fd, s, strlen(s)) < 0)
		rc = -errno;
	if (mif >= 0 && pwrite(mif, "0", 1, 0) != 1 && !rc)
		rc = -errno;
	if (mif >= 0)
		close(mif);
	if (close(fd) && !rc)
		rc = -errno;
	return rc;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

struct daxdev {
	char name[64], driver[64];
	uint64_t start, size;
};

/* The driver a device is bound to, "" when none. */
static void driver_of(const char *bus, const char *name, char *out, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX], *p;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/devices/%s/driver", bus, name);
	n = readlink(path, link, sizeof(link) - 1);
	out[0] = '\0';
	if (n <= 0)
		return;
	link[n] = '\0';
	p = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	if (strlen(p) < len)
		memcpy(out, p, strlen(p) + 1);
}

static uint64_t dev_u64(const char *name, const char *attr, int base)
{
	char path[PATH_MAX], buf[64];

	snprintf(path, sizeof(path), DAX_BUS "/devices/%s/%s", name, attr);
	if (read_str(path, buf, sizeof(buf)))
		return UINT64_MAX;
	return strtoull(buf, NULL, base);
}

static bool fill_dev(const char *name, struct daxdev *d)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->size = dev_u64(name, "size", 10);
	d->start = dev_u64(name, "resource", 16);
	if (d->start == UINT64_MAX)
		d->start = dev_u64(name, "mapping0/start", 16);
	driver_of(DAX_BUS, name, d->driver, sizeof(d->driver));
	return d->size && d->size != UINT64_MAX;
}

/* The dax devices with memory (seeds of size 0 left out), by name. */
static size_t list_devs(struct daxdev *out, size_t max)
{
	DIR *dir = opendir(DAX_BUS "/devices");
	struct dirent *de;
	size_t n = 0;

	while (dir && (de = readdir(dir)) && n < max)
		if (!strncmp(de->d_name, "dax", 3) && fill_dev(de->d_name, &out[n]))
			n++;
	if (dir)
		closedir(dir);
	for (size_t i = 1; i < n; i++) /* few devices: insertion sort */
		for (size_t j = i; j > 0 && strcmp(out[j - 1].name, out[j].name) > 0; j--) {
			struct daxdev t = out[j];

			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

static json_object *attr_or_null(const char *name, const char *attr)
{
	char path[PATH_MAX], buf[128];

	snprintf(path, sizeof(path), DAX_BUS "/devices/%s/%s", name, attr);
	return read_str(path, buf, sizeof(buf)) ? NULL : json_object_new_string(buf);
}

static json_object *dev_json(const struct daxdev *d, const char *before, const char *error)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(d->name));
	json_object_object_add(o, "driver_before", json_object_new_string(before));
	json_object_object_add(o, "driver", json_object_new_string(d->driver));
	json_object_object_add(o, "start", json_object_new_uint64(d->start));
	json_object_object_add(o, "size", json_object_new_uint64(d->size));
	json_object_object_add(o, "target_node", attr_or_null(d->name, "target_node"));
	json_object_object_add(o, "numa_node", attr_or_null(d->name, "numa_node"));
	json_object_object_add(o, "memmap_on_memory", attr_or_null(d->name, "memmap_on_memory"));
	json_object_object_add(o, "error", error ? json_object_new_string(error) : NULL);
	return o;
}

/* The /proc/iomem lines of driver-managed System RAM, "System RAM (kmem)"
 * (root sees the addresses). */
static json_object *iomem_kmem(void)
{
	json_object *arr = json_object_new_array();
	FILE *f = fopen("/proc/iomem", "re");
	char line[256];

	while (f && fgets(line, sizeof(line), f)) {
		char *p = line;

		if (!strstr(line, "(kmem)"))
			continue;
		line[strcspn(line, "\n")] = '\0';
		while (*p == ' ')
			p++;
		json_object_array_add(arr, json_object_new_string(p));
	}
	if (f)
		fclose(f);
	return arr;
}

static int print(json_object *root)
{
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN));
	json_object_put(root);
	return fflush(stdout) == 0 ? 0 : 1;
}

#define MAX_DEVS 64

/* Bind one device to kmem; NULL or what went wrong (in buf). */
static const char *to_kmem(struct daxdev *d, const char *memmap, char *buf, size_t len)
{
	char path[PATH_MAX];
	int rc;

	if (*d->driver) {
		snprintf(path, sizeof(path), DAX_BUS "/drivers/%s/unbind", d->driver);
		rc = write_str(path, d->name);
		if (rc)
			return snprintf(buf, len, "unbind from %s: %s", d->driver, strerror(-rc)), buf;
	}
	if (memmap) {
		snprintf(path, sizeof(path), DAX_BUS "/devices/%s/memmap_on_memory", d->name);
		rc = access(path, F_OK) ? 0 : write_str(path, memmap);
		if (rc)
			return snprintf(buf, len, "memmap_on_memory=%s: %s", memmap, strerror(-rc)),
			       buf;
	}
	rc = write_hot(DAX_BUS "/drivers/kmem/new_id", d->name);
	driver_of(DAX_BUS, d->name, d->driver, sizeof(d->driver));
	if (strcmp(d->driver, "kmem")) {
		int rc2 = write_hot(DAX_BUS "/drivers/kmem/bind", d->name);

		driver_of(DAX_BUS, d->name, d->driver, sizeof(d->driver));
		if (strcmp(d->driver, "kmem"))
			return snprintf(buf, len, "kmem did not take it (new_id: %s, bind: %s%s)",
					rc ? strerror(-rc) : "ok", rc2 ? strerror(-rc2) : "ok",
					access(DAX_BUS "/drivers/kmem", F_OK) ?
						"; no kmem driver: is kmem.ko loaded?" : ""),
			       buf;
	}
	return NULL;
}

/* Memory blocks whose start lies in [start, start + size); *online of them
 * online. */
static unsigned blocks_in(uint64_t start, uint64_t size, uint64_t block_size, unsigned *online)
{
	DIR *dir = opendir(MEMORY_SYSFS);
	struct dirent *de;
	unsigned n = 0, on = 0;

	while (block_size && dir && (de = readdir(dir))) {
		char path[PATH_MAX], buf[64];
		uint64_t s;

		if (strncmp(de->d_name, "memory", 6) || !isdigit((unsigned char)de->d_name[6]))
			continue;
		snprintf(path, sizeof(path), MEMORY_SYSFS "/%s/phys_index", de->d_name);
		if (read_str(path, buf, sizeof(buf)))
			continue;
		s = strtoull(buf, NULL, 16) * block_size;
		if (s < start || s >= start + size)
			continue;
		n++;
		snprintf(path, sizeof(path), MEMORY_SYSFS "/%s/state", de->d_name);
		on += !read_str(path, buf, sizeof(buf)) && !strcmp(buf, "online");
	}
	if (dir)
		closedir(dir);
	if (online)
		*online = on;
	return n;
}

/* Until every block of the kmem devices is there and online (the kernel
 * onlines them by its policy; CXL's drivers probe asynchronously), or
 * until: the zones after binding must include them. */
static void wait_blocks_online(const struct daxdev *devs, size_t n, uint64_t block_size,
			       int64_t until)
{
	for (;;) {
		bool all = true;

		for (size_t i = 0; i < n && all; i++) {
			unsigned on, want = block_size ? (unsigned)(devs[i].size / block_size) : 0;

			all = strcmp(devs[i].driver, "kmem") ||
			      (blocks_in(devs[i].start, devs[i].size, block_size, &on) >= want &&
			       on >= want);
		}
		if (all || mono_ms() >= until)
			return;
		sleep_ms(50);
	}
}

static int cmd_kmem(int argc, char **argv, uint64_t block_size)
{
	const char *memmap = NULL;
	long wait_ms = 10000;
	struct daxdev devs[MAX_DEVS];
	json_object *root = json_object_new_object(), *arr = json_object_new_array();
	int64_t until;
	size_t n;

	for (int i = 0; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--memmap-on-memory"))
			memmap = argv[i + 1];
		else if (!strcmp(argv[i], "--wait-ms"))
			wait_ms = strtol(argv[i + 1], NULL, 10);
	}
	/* dax_hmem (or the CXL region) may still be probing. */
	until = mono_ms() + wait_ms;
	while (!(n = list_devs(devs, MAX_DEVS)) && mono_ms() < until)
		sleep_ms(100);
	json_object_object_add(root, "zones_before", probe_zones());
	json_object_object_add(root, "vmstat_before", probe_memmap_vmstat());
	for (size_t i = 0; i < n; i++) {
		char buf[256], before[64];
		const char *error;

		memcpy(before, devs[i].driver, sizeof(before));
		error = strcmp(devs[i].driver, "kmem") ? to_kmem(&devs[i], memmap, buf, sizeof(buf)) :
							 NULL;
		json_object_array_add(arr, dev_json(&devs[i], before, error));
	}
	wait_blocks_online(devs, n, block_size, mono_ms() + wait_ms);
	json_object_object_add(root, "zones_after", probe_zones());
	json_object_object_add(root, "vmstat_after", probe_memmap_vmstat());
	json_object_object_add(root, "devices", arr);
	json_object_object_add(root, "iomem", iomem_kmem());
	json_object_object_add(root, "kmem_loaded",
			       json_object_new_boolean(!access(DAX_BUS "/drivers/kmem", F_OK)));
	json_object_object_add(root, "hmem_loaded",
			       json_object_new_boolean(!access("/sys/bus/platform/drivers/hmem",
							       F_OK)));
	return print(root);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static int cmd_offline(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_alarm }; /* no SA_RESTART: EINTR */
	json_object *root = json_object_new_object(), *arr = json_object_new_array();
	long timeout_ms = 10000;
	int i = 0;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	if (argc >= 2 && !strcmp(argv[0], "--timeout-ms")) {
		timeout_ms = strtol(argv[1], NULL, 10);
		i = 2;
	}
	for (; i < argc; i++) {
		struct itimerval it = { .it_value = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 } };
		struct itimerval off = { 0 };
		json_object *b = json_object_new_object();
		char path[PATH_MAX], state[32];
		int64_t t0 = mono_ms();
		int rc;

		snprintf(path, sizeof(path), MEMORY_SYSFS "/memory%s/state", argv[i]);
		setitimer(ITIMER_REAL, &it, NULL);
		rc = write_hot(path, "offline");
		setitimer(ITIMER_REAL, &off, NULL);
		read_str(path, state, sizeof(state));
		json_object_object_add(b, "index", json_object_new_uint64(strtoull(argv[i], NULL, 10)));
		json_object_object_add(b, "ok", json_object_new_boolean(!rc));
		json_object_object_add(b, "errno", json_object_new_int(-rc));
		json_object_object_add(b, "error", rc ? json_object_new_string(
								rc == -EINTR ? "timed out" : strerror(-rc)) :
							NULL);
		json_object_object_add(b, "ms", json_object_new_int64(mono_ms() - t0));
		json_object_object_add(b, "state", json_object_new_string(state));
		json_object_array_add(arr, b);
	}
	json_object_object_add(root, "blocks", arr);
	return print(root);
}

static int cmd_unbind(int argc, char **argv, uint64_t block_size)
{
	json_object *root = json_object_new_object();
	struct daxdev d;
	int rc;

	if (argc != 1 || !fill_dev(argv[0], &d)) {
		fprintf(stderr, "memhp-probe dax unbind: no dax device '%s'\n", argc ? argv[0] : "");
		json_object_put(root);
		return 2;
	}
	rc = strcmp(d.driver, "kmem") ? -ENODEV : write_hot(DAX_BUS "/drivers/kmem/unbind", d.name);
	driver_of(DAX_BUS, d.name, d.driver, sizeof(d.driver));
	json_object_object_add(root, "name", json_object_new_string(d.name));
	json_object_object_add(root, "ok", json_object_new_boolean(!rc));
	json_object_object_add(root, "error", rc ? json_object_new_string(
							   rc == -ENODEV ? "not bound to kmem" :
									   strerror(-rc)) : NULL);
	json_object_object_add(root, "errno", json_object_new_int(-rc));
	json_object_object_add(root, "driver", json_object_new_string(d.driver));
	json_object_object_add(root, "blocks_left",
			       json_object_new_uint64(blocks_in(d.start, d.size, block_size, NULL)));
	json_object_object_add(root, "iomem", iomem_kmem());
	return print(root);
}

/* One step of a region's setup: path relative to the CXL bus's devices,
 * the value written, and its errno into steps[]. */
static int cxl_write(json_object *steps, const char *rel, const char *val)
{
	char path[PATH_MAX];
	json_object *o = json_object_new_object();
	int rc;

	snprintf(path, sizeof(path), CXL_BUS "/%s", rel);
	rc = write_str(path, val);
	json_object_object_add(o, "file", json_object_new_string(rel));
	json_object_object_add(o, "value", json_object_new_string(val));
	json_object_object_add(o, "error", rc ? json_object_new_string(strerror(-rc)) : NULL);
	json_object_array_add(steps, o);
	return rc;
}

/* The lowest-numbered device on the CXL bus named prefix* that has
 * attribute attr (and, for endpoint decoders, sits under an endpoint port
 * and has no DPA yet): decoders are committed in order, decoderN.0 first. */
static bool cxl_find(const char *prefix, const char *attr, bool endpoint, char *out, size_t len)
{
	DIR *dir = opendir(CXL_BUS "/devices");
	struct dirent *de;
	bool found = false;

	while (dir && (de = readdir(dir))) {
		char path[PATH_MAX], real[PATH_MAX];

		if (strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		snprintf(path, sizeof(path), CXL_BUS "/devices/%s/%s", de->d_name, attr);
		if (access(path, F_OK))
			continue;
		snprintf(path, sizeof(path), CXL_BUS "/devices/%s", de->d_name);
		if (endpoint && (!realpath(path, real) || !strstr(real, "/endpoint")))
			continue;
		if (endpoint) {
			char dpa[64];

			snprintf(path, sizeof(path), CXL_BUS "/devices/%s/dpa_size", de->d_name);
			if (read_str(path, dpa, sizeof(dpa)) || strtoull(dpa, NULL, 0))
				continue;
		}
		if (strlen(de->d_name) < len &&
		    (!found || strverscmp(de->d_name, out) < 0)) {
			memcpy(out, de->d_name, strlen(de->d_name) + 1);
			found = true;
		}
	}
	if (dir)
		closedir(dir);
	return found;
}

/*
 * A RAM region over one endpoint, as cxl create-region -t ram does it:
 * a name from the root decoder's create_ram_region, 1-way interleave at the
 * root decoder's granularity, the endpoint decoder's DPA (mode ram, size),
 * the region's size and target, commit, and the cxl_region driver. dax_cxl
 * then makes a dax device of it.
 */
static int cmd_cxl_region(int argc, char **argv)
{
	json_object *root = json_object_new_object(), *steps = json_object_new_array();
	char root_dec[64], ep_dec[64], region[64] = "", rel[PATH_MAX], buf[64], gran[64] = "256";
	long wait_ms = 20000;
	int64_t until = mono_ms() + wait_ms;
	int rc = -ENODEV;
	const char *size = argc >= 1 ? argv[0] : "0";

	json_object_object_add(root, "zones_before", probe_zones());
	json_object_object_add(root, "vmstat_before", probe_memmap_vmstat());
	/* cxl_acpi, cxl_pci and cxl_mem probe asynchronously. */
	while (!(cxl_find("decoder", "create_ram_region", false, root_dec, sizeof(root_dec)) &&
		 cxl_find("decoder", "dpa_size", true, ep_dec, sizeof(ep_dec))) &&
	       mono_ms() < until)
		sleep_ms(200);
	if (mono_ms() >= until) {
		json_object_object_add(root, "error", json_object_new_string(
				       access(CXL_BUS, F_OK) ? "no CXL bus (CONFIG_CXL_BUS)" :
				       "no root decoder with create_ram_region and endpoint decoder "
				       "(a kernel without volatile regions, before 6.3?)"));
		json_object_object_add(root, "steps", steps);
		print(root);
		return 1;
	}
	snprintf(rel, sizeof(rel), CXL_BUS "/devices/%s/interleave_granularity", root_dec);
	if (!read_str(rel, buf, sizeof(buf)) && *buf)
		snprintf(gran, sizeof(gran), "%s", buf);
	snprintf(rel, sizeof(rel), CXL_BUS "/devices/%s/create_ram_region", root_dec);
	read_str(rel, region, sizeof(region));
	snprintf(rel, sizeof(rel), "devices/%s/create_ram_region", root_dec);
	rc = cxl_write(steps, rel, region);
#define STEP(fmt, arg, val)                                              \
	do {                                                             \
		if (!rc) {                                               \
			snprintf(rel, sizeof(rel), fmt, arg);            \
			rc = cxl_write(steps, rel, val);                 \
		}                                                        \
	} while (0)
	STEP("devices/%s/interleave_granularity", region, gran);
	STEP("devices/%s/interleave_ways", region, "1");
	STEP("devices/%s/mode", ep_dec, "ram");
	STEP("devices/%s/dpa_size", ep_dec, size);
	STEP("devices/%s/size", region, size);
	STEP("devices/%s/target0", region, ep_dec);
	STEP("devices/%s/commit", region, "1");
	STEP("drivers/cxl_region/%s", "bind", region);
#undef STEP
	json_object_object_add(root, "root_decoder", json_object_new_string(root_dec));
	json_object_object_add(root, "endpoint_decoder", json_object_new_string(ep_dec));
	json_object_object_add(root, "region", json_object_new_string(region));
	json_object_object_add(root, "steps", steps);
	json_object_object_add(root, "error", rc ? json_object_new_string(strerror(-rc)) : NULL);
	print(root);
	return rc ? 1 : 0;
}

/* Undo cmd_cxl_region, every step tried and reported. */
static int cmd_cxl_teardown(int argc, char **argv)
{
	json_object *root = json_object_new_object(), *steps = json_object_new_array();
	const char *region = argc >= 1 ? argv[0] : "";
	const char *ep = argc >= 2 ? argv[1] : "";
	const char *rootd = argc >= 3 ? argv[2] : "";
	char rel[PATH_MAX];
	int rc;

	rc = cxl_write(steps, "drivers/cxl_region/unbind", region);
	snprintf(rel, sizeof(rel), "devices/%s/commit", region);
	rc = cxl_write(steps, rel, "0") ?: rc;
	snprintf(rel, sizeof(rel), "devices/%s/delete_region", rootd);
	rc = cxl_write(steps, rel, region) ?: rc;
	snprintf(rel, sizeof(rel), "devices/%s/dpa_size", ep);
	rc = cxl_write(steps, rel, "0") ?: rc;
	snprintf(rel, sizeof(rel), CXL_BUS "/devices/%s", region);
	json_object_object_add(root, "region_gone", json_object_new_boolean(access(rel, F_OK) != 0));
	json_object_object_add(root, "steps", steps);
	print(root);
	return 0;
}

int dax_main(int argc, char **argv, uint64_t block_size)
{
	if (argc >= 1 && !strcmp(argv[0], "--make-it-fail")) {
		if (access("/proc/self/make-it-fail", W_OK)) {
			fprintf(stderr, "memhp-probe dax: /proc/self/make-it-fail: %s (a kernel "
					"without CONFIG_FAULT_INJECTION?)\n", strerror(errno));
			return 1;
		}
		make_it_fail = true;
		argc--;
		argv++;
	}
	if (argc >= 1 && !strcmp(argv[0], "cxl-region"))
		return cmd_cxl_region(argc - 1, argv + 1);
	if (argc >= 1 && !strcmp(argv[0], "cxl-teardown"))
		return cmd_cxl_teardown(argc - 1, argv + 1);
	if (argc >= 1 && !strcmp(argv[0], "kmem"))
		return cmd_kmem(argc - 1, argv + 1, block_size);
	if (argc >= 1 && !strcmp(argv[0], "offline"))
		return cmd_offline(argc - 1, argv + 1);
	if (argc >= 1 && !strcmp(argv[0], "unbind"))
		return cmd_unbind(argc - 1, argv + 1, block_size);
	fprintf(stderr, "usage: memhp-probe dax [--make-it-fail] kmem [--memmap-on-memory 0|1] [--wait-ms N] |\n"
			"                                         offline [--timeout-ms N] INDEX... | unbind NAME |\n"
			"                                         cxl-region SIZE | cxl-teardown REGION EPDECODER ROOTDECODER\n");
	return 2;
}
