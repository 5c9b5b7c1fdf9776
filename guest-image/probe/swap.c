// SPDX-License-Identifier: GPL-2.0-only
/*
 * memhp-probe swap [--zram BYTES] [--file BYTES]: swap in the guest, before
 * the workload (issue 25; docs/workloads.md "Swap").
 *
 * --zram BYTES  sizes /dev/zram0 (CONFIG_ZRAM, built in or the zram module
 *               already loaded), writes a swap header and swapon()s it,
 *               priority 100.
 * --file BYTES  a swap file, SWAPFILE on the root file system: fallocate()d
 *               (written with zeros where that is not supported), a swap
 *               header, swapon(), priority 10. A root in memory (the
 *               initramfs) cannot hold one: the kernel refuses it, and the
 *               error says so; the Debian disk image (ext4) can.
 *
 * Prints {"zram": {"bytes", "error"}, "file": {"path", "bytes", "error"},
 * "swap_total": BYTES} (an entry only for what was asked; error "" when it
 * worked) and exits 0 when everything asked for is swapping, 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include <json-c/json.h>

#include "swap.h"

#define SWAPFILE "/var/memhp-swap"
#define ZRAM_DEV "/dev/zram0"
#define ZRAM_SYS "/sys/block/zram0/disksize"
#define SWAP_PAGE 4096U

/* The version 1 swap header mkswap writes: the info at 1024, the magic in
 * the last 10 bytes of the first page. */
static int write_header(int fd, uint64_t bytes, char *why, size_t len)
{
	static unsigned char page[SWAP_PAGE];
	uint32_t version = 1, last_page = (uint32_t)(bytes / SWAP_PAGE - 1), bad = 0;

	if (bytes / SWAP_PAGE < 10) {
		snprintf(why, len, "%" PRIu64 " bytes are too few for swap", bytes);
		return -1;
	}
	memset(page, 0, sizeof(page));
	memcpy(page + 1024, &version, 4);
	memcpy(page + 1028, &last_page, 4);
	memcpy(page + 1032, &bad, 4);
	memcpy(page + SWAP_PAGE - 10, "SWAPSPACE2", 10);
	if (pwrite(fd, page, sizeof(page), 0) != (ssize_t)sizeof(page) || fsync(fd)) {
		snprintf(why, len, "writing the swap header: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Whether path is swapping already (/proc/swaps): a later [run] cycles
 * cycle keeps the swap the first one set up. */
static bool swapping(const char *path)
{
	char line[512];
	bool on = false;
	FILE *f = fopen("/proc/swaps", "re");

	if (!f)
		return false;
	while (!on && fgets(line, sizeof(line), f))
		on = !strncmp(line, path, strlen(path)) && line[strlen(path)] == ' ';
	fclose(f);
	return on;
}

static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

static int zram(uint64_t bytes, char *why, size_t len)
{
	char text[32];
	int fd, rc;

	if (swapping(ZRAM_DEV))
		return 0;
	bytes -= bytes % SWAP_PAGE;
	snprintf(text, sizeof(text), "%" PRIu64, bytes);
	rc = write_text(ZRAM_SYS, text);
	if (rc) {
		snprintf(why, len, "%s: %s (a kernel without CONFIG_ZRAM, or zram0 in use)", ZRAM_SYS,
			 strerror(-rc));
		return -1;
	}
	fd = open(ZRAM_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, len, "%s: %s", ZRAM_DEV, strerror(errno));
		return -1;
	}
	rc = write_header(fd, bytes, why, len);
	close(fd);
	if (rc)
		return -1;
	if (swapon(ZRAM_DEV, SWAP_FLAG_PREFER | (100 << SWAP_FLAG_PRIO_SHIFT))) {
		snprintf(why, len, "swapon %s: %s", ZRAM_DEV, strerror(errno));
		return -1;
	}
	return 0;
}

static int file(uint64_t bytes, char *why, size_t len)
{
	static char zero[1 << 16];
	int fd, rc = 0;

	if (swapping(SWAPFILE))
		return 0;
	bytes -= bytes % SWAP_PAGE;
	fd = open(SWAPFILE, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(why, len, "%s: %s", SWAPFILE, strerror(errno));
		return -1;
	}
	if (posix_fallocate(fd, 0, (off_t)bytes)) {
		/* No holes: a swap file must have every block allocated. */
		for (uint64_t off = 0; off < bytes && !rc; off += sizeof(zero))
			if (pwrite(fd, zero, sizeof(zero), (off_t)off) != (ssize_t)sizeof(zero))
				rc = -errno;
		if (rc) {
			snprintf(why, len, "filling %s: %s", SWAPFILE, strerror(-rc));
			close(fd);
			return -1;
		}
	}
	rc = write_header(fd, bytes, why, len);
	close(fd);
	if (rc)
		return -1;
	if (swapon(SWAPFILE, SWAP_FLAG_PREFER | (10 << SWAP_FLAG_PRIO_SHIFT))) {
		snprintf(why, len, "swapon %s: %s%s", SWAPFILE, strerror(errno),
			 errno == EINVAL ? " (a root file system in memory holds no swap file: "
					   "use a disk image, --image debian)" : "");
		unlink(SWAPFILE);
		return -1;
	}
	return 0;
}

static json_object *entry(uint64_t bytes, const char *path, const char *why)
{
	json_object *o = json_object_new_object();

	if (path)
		json_object_object_add(o, "path", json_object_new_string(path));
	json_object_object_add(o, "bytes", json_object_new_uint64(bytes));
	json_object_object_add(o, "error", json_object_new_string(why));
	return o;
}

int swap_main(int argc, char **argv)
{
	uint64_t zram_bytes = 0, file_bytes = 0;
	json_object *root = json_object_new_object();
	struct sysinfo si;
	char why[256];
	bool ok = true;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--zram") && i + 1 < argc) {
			zram_bytes = strtoull(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--file") && i + 1 < argc) {
			file_bytes = strtoull(argv[++i], NULL, 10);
		} else {
			fprintf(stderr, "memhp-probe swap: unknown argument '%s'\n", argv[i]);
			json_object_put(root);
			return 2;
		}
	}
	if (zram_bytes) {
		why[0] = '\0';
		ok &= !zram(zram_bytes, why, sizeof(why));
		json_object_object_add(root, "zram", entry(zram_bytes, NULL, why));
	}
	if (file_bytes) {
		why[0] = '\0';
		ok &= !file(file_bytes, why, sizeof(why));
		json_object_object_add(root, "file", entry(file_bytes, SWAPFILE, why));
	}
	if (!sysinfo(&si))
		json_object_object_add(root, "swap_total",
				       json_object_new_uint64((uint64_t)si.totalswap * si.mem_unit));
	puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN));
	json_object_put(root);
	return ok ? 0 : 1;
}
