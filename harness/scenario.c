// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scenario files: INI (parsed by inih) with one table of keys. Parsing,
 * defaults, range checks, `memhp help scenario` and docs/scenario.md all come
 * from scenario_keys[]; adding a key means adding one row.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "ini_text.h"
#include "sha256.h"
#include "arch.h"
#include "scenario.h"
#include "units.h"
#include "str.h"

enum key_type { KEY_SIZE, KEY_UINT, KEY_BOOL, KEY_CHOICE, KEY_DURATION, KEY_STRING, KEY_FILL,
		KEY_MIX /* a string, parsed into workload_mix as well */,
		KEY_BOOL_FORCE /* unsigned: a boolean's 0 or 1, or 2 for "force" */ };

struct scenario_key {
	const char *section;
	const char *name;
	enum key_type type;
	size_t offset;
	size_t len; /* KEY_STRING: buffer size */
	const char *def;
	uint64_t min, max; /* KEY_UINT, KEY_SIZE; KEY_DURATION in ms (max 0: none) */
	const char *const *choices;
	const char *help;
};

static const char *const method_names[] = { "virtio-mem", "dimm", "dax-kmem", NULL };
static const char *const dax_source_names[] = { "soft-reserved", "cxl", NULL };
static const char *const policy_names[] = { "online", "online_kernel", "online_movable",
					     "auto-movable", NULL };
static const char *const accel_names[] = { "auto", "kvm", "tcg", NULL };
static const char *const order_names[] = { "reverse", "forward", NULL };
static const char *const during_names[] = { "stop", "keep", NULL };
static const char *const backend_names[] = { "ram", "file", NULL };
static const char *const page_owner_names[] = { "auto", "on", "off", NULL };
static const char *const tristate_names[] = { "default", "on", "off", "auto", NULL };
static const char *const hvo_names[] = { "default", "on", "off", NULL };
static const char *const fault_phase_names[] = { "both", "plug", "unplug", NULL };

/* Sizes memhp accepts at all: 1 PiB is more than any x86-64 guest
 * addresses, and sums of two such sizes cannot wrap. */
#define SIZE_MAX_BYTES (1ULL << 50)
/* Durations: at least 1 ms where 0 would fail at once, at most 30 days, so
 * that now_ms() + any of them stays far from INT64_MAX. */
#define DUR_MAX_MS (30ULL * 24 * 3600 * 1000)

#define OFF(f) offsetof(struct scenario, f)
#define STR(f) OFF(f), sizeof(((struct scenario *)0)->f)

static const struct scenario_key scenario_keys[] = {
	{ "machine", "memory", KEY_SIZE, OFF(memory), 0, "1G", 128ULL << 20, SIZE_MAX_BYTES, NULL,
	  "boot memory of the guest" },
	{ "machine", "maxmem", KEY_SIZE, OFF(maxmem), 0, "0", 0, SIZE_MAX_BYTES, NULL,
	  "QEMU maxmem; 0 means memory + hotplug total" },
	{ "machine", "cpus", KEY_UINT, OFF(cpus), 0, "2", 1, 64, NULL, "virtual CPUs" },
	{ "machine", "slots", KEY_UINT, OFF(slots), 0, "0", 0, SCENARIO_MAX_DIMMS, NULL,
	  "memory slots; 0 means as many as DIMMs are plugged (at least 1)" },
	{ "machine", "accel", KEY_CHOICE, OFF(accel), 0, "auto", 0, 0, accel_names,
	  "auto: KVM where hardware KVM (kvm_intel/kvm_amd) is loaded, else TCG; "
	  "--accel overrides" },
	{ "machine", "type", KEY_STRING, STR(machine), "q35", 0, 0, NULL, "QEMU machine type" },
	{ "machine", "arch", KEY_CHOICE, OFF(arch), 0, "x86_64", 0, 0, arch_names,
	  "guest architecture (docs/architectures.md): x86_64 (q35), ppc64le (pseries, DIMMs as "
	  "256 MiB LMBs), aarch64 (virt with UEFI; virtio-mem); --arch overrides" },
	{ "machine", "free_page_reporting", KEY_BOOL, OFF(free_page_reporting), 0, "false", 0, 0,
	  NULL, "add virtio-balloon with free-page-reporting=on, so host memory follows guest use" },

	{ "machine", "nodes", KEY_UINT, OFF(nodes), 0, "1", 1, 8, NULL,
	  "NUMA nodes (QMP backend): boot memory split evenly and CPUs dealt round-robin over "
	  "them; hot-added devices go one to a node from node 1 on (wrapping; node 0 with 1)" },

	{ "guest", "cmdline", KEY_STRING, STR(cmdline), "", 0, 0, NULL,
	  "extra kernel command line, after what memhp sets" },

	{ "hotplug", "method", KEY_CHOICE, OFF(method), 0, "virtio-mem", 0, 0, method_names,
	  "how memory is hot-added and removed; dax-kmem: a device-dax range the guest's kmem "
	  "driver adds as memory blocks (docs/dax-kmem.md)" },
	{ "hotplug", "dax_source", KEY_CHOICE, OFF(dax_source), 0, "soft-reserved", 0, 0,
	  dax_source_names,
	  "dax-kmem: soft-reserved (total of boot RAM marked soft-reserved with memmap=, found by "
	  "dax_hmem) or cxl (a CXL type-3 volatile device of total, a RAM region created in the "
	  "guest; QEMU 8.0+ and Linux 6.3+)" },
	{ "hotplug", "total", KEY_SIZE, OFF(total), 0, "1G", 128ULL << 20, SIZE_MAX_BYTES, NULL,
	  "memory to hot-add; a multiple of 128 MiB" },
	{ "hotplug", "dimm_size", KEY_SIZE, OFF(dimm_size), 0, "256M", 128ULL << 20, SIZE_MAX_BYTES,
	  NULL,
	  "dimm: size of each DIMM; a multiple of 128 MiB" },
	{ "hotplug", "dimm_total", KEY_SIZE, OFF(dimm_total), 0, "0", 0, SIZE_MAX_BYTES, NULL,
	  "virtio-mem: DIMMs of dimm_size hot-added as well, this much in all, before the "
	  "virtio-mem device's total and unplugged before it (mixed devices: a DIMM is a static "
	  "memory group, virtio-mem a dynamic one); 0: none" },
	{ "hotplug", "block_size", KEY_SIZE, OFF(vmem_block_size), 0, "2M", 2ULL << 20, SIZE_MAX_BYTES,
	  NULL,
	  "virtio-mem: device block size (power of two); 2M works in sub-blocks, "
	  "128M in whole memory blocks" },
	{ "hotplug", "dynamic_memslots", KEY_BOOL, OFF(vmem_dynamic_memslots), 0, "false", 0, 0,
	  NULL,
	  "virtio-mem: QEMU's dynamic-memslots=on (QEMU 8.2+, e.g. guest-image/fetch-qemu's 10): "
	  "the device's memory is mapped in several memslots as the guest plugs it; QMP backend" },
	{ "hotplug", "unplugged_inaccessible", KEY_CHOICE, OFF(vmem_unplugged_inaccessible), 0,
	  "default", 0, 0, tristate_names,
	  "virtio-mem: QEMU's unplugged-inaccessible property (default: QEMU's own, auto on 7.2, on "
	  "from 8.0; on: the guest must not read unplugged memory); QMP backend" },

	{ "hotplug", "backend", KEY_CHOICE, OFF(memory_backend), 0, "ram", 0, 0, backend_names,
	  "memory behind hot-added devices: ram (memory-backend-ram) or file "
	  "(memory-backend-file in backend_path, for hosts smaller than the guest)" },
	{ "hotplug", "backend_path", KEY_STRING, STR(backend_path), "/var/tmp", 0, 0, NULL,
	  "backend = file: directory QEMU creates its backing files in" },

	{ "online", "policy", KEY_CHOICE, OFF(policy), 0, "online_movable", 0, 0, policy_names,
	  "where hot-added memory is onlined: online (kernel default zone), "
	  "online_kernel (ZONE_NORMAL), online_movable (ZONE_MOVABLE), "
	  "auto-movable (memory_hotplug.online_policy=auto-movable)" },
	{ "online", "auto_movable_ratio", KEY_UINT, OFF(auto_movable_ratio), 0, "301", 0, 100000,
	  NULL, "auto-movable: memory_hotplug.auto_movable_ratio (percent)" },
	{ "online", "auto_movable_numa_aware", KEY_CHOICE, OFF(auto_movable_numa_aware), 0,
	  "default", 0, 0, hvo_names,
	  "auto-movable: memory_hotplug.auto_movable_numa_aware=on or off (default: the kernel's "
	  "own, on): whether the ratio is also kept per NUMA node" },
	{ "online", "memmap_on_memory", KEY_BOOL_FORCE, OFF(memmap_on_memory), 0, "false", 0, 0,
	  NULL,
	  "memory_hotplug.memmap_on_memory: place the memmap inside the hot-added block; "
	  "force (Linux 6.6+): also where that wastes part of the block (a kernel without it "
	  "ignores the parameter: onlining.memmap_on_memory in the result says what it did)" },
	{ "online", "hvo", KEY_CHOICE, OFF(hvo), 0, "default", 0, 0, hvo_names,
	  "HugeTLB Vmemmap Optimization: hugetlb_free_vmemmap=on or off on the kernel command "
	  "line (default: the kernel's own); frees most of a hugetlb page's memmap, which has "
	  "made blocks holding hugetlb pages fail to offline" },
	{ "online", "timeout", KEY_DURATION, OFF(timeout_online_ms), 0, "120s", 1, DUR_MAX_MS,
	  NULL,
	  "how long plugging and onlining may take before the run fails" },

	{ "unplug", "order", KEY_CHOICE, OFF(order), 0, "reverse", 0, 0, order_names,
	  "dimm: order of device_del requests (reverse: last plugged first); dax-kmem: order "
	  "of offlining the blocks (reverse: highest address first)" },
	{ "unplug", "deadline", KEY_DURATION, OFF(deadline_ms), 0, "60s", 1, DUR_MAX_MS, NULL,
	  "dimm: wait per device_del for DEVICE_DELETED or a rejection; "
	  "virtio-mem: the whole unplug; dax-kmem: each block's offline (then interrupted)" },
	{ "unplug", "settle", KEY_DURATION, OFF(settle_ms), 0, "10s", 0, DUR_MAX_MS, NULL,
	  "virtio-mem: no progress for this long re-triggers the guest driver; "
	  "both: longest wait for the guest's block map to stop changing" },
	{ "unplug", "retries", KEY_UINT, OFF(retries), 0, "3", 0, 1000, NULL,
	  "dimm: extra rounds of device_del for rejected DIMMs, after a pause of 1 s, 2 s, 4 s … (at "
	  "most 30 s); "
	  "virtio-mem: re-triggers without progress before giving up; "
	  "dax-kmem: extra rounds of offlining for blocks that refused, paused as for dimm" },
	/* issue 25: the kernel's own reasons, read from its log while unplugging */
	{ "unplug", "hung_window", KEY_DURATION, OFF(hung_window_ms), 0, "60s", 0, DUR_MAX_MS, NULL,
	  "an unplug whose guest kernel keeps failing to migrate the same pages, with nothing "
	  "offlined and no failure returned, for this long (the kernel's time) ends as hung, "
	  "with the pfns and reasons; 0: never (it runs into the deadline)" },
	{ "unplug", "futile_stop", KEY_BOOL, OFF(futile_stop), 0, "false", 0, 0, NULL,
	  "virtio-mem: give up re-triggering once nothing moved for the settle window and every "
	  "block still present is stuck: its last failure in this unplug was on an unmovable page "
	  "(the kernel's log), or, where the log is silent, kpageflags show no 2 MiB range of it "
	  "free of unmovable pages, or a window later nothing movable and no range freed while a "
	  "request took none (docs/why.md)" },

	{ "workload", "mix", KEY_MIX, STR(mix), "", 0, 0, NULL,
	  "workloads run between online and unplug, as KIND:SHARE separated by spaces, e.g. "
	  "'anon:50 pgtable:25 dentries:25'; kinds in docs/workloads.md; empty: none" },
	{ "workload", "fill", KEY_FILL, OFF(fill), 0, "50%", 1ULL << 20, SIZE_MAX_BYTES, NULL,
	  "memory the mix allocates in total: a size, or a percentage of the guest's MemTotal "
	  "(capped to what is available, so nothing is OOM-killed)" },
	{ "workload", "duration", KEY_DURATION, OFF(workload_ms), 0, "10s", 0, DUR_MAX_MS, NULL,
	  "how long the workload holds its memory before unplug" },
	{ "workload", "stall_timeout", KEY_DURATION, OFF(stall_ms), 0, "120s", 0, DUR_MAX_MS, NULL,
	  "while allocating: a window with nothing new allocated fails the run, naming the kind "
	  "and how far it got (a guest too busy for its agent to answer gets one more window); "
	  "0: no limit" },
	{ "workload", "seed", KEY_UINT, OFF(seed), 0, "1", 0, UINT32_MAX, NULL,
	  "seed for the workloads' data and stress-ng" },
	{ "workload", "during_unplug", KEY_CHOICE, OFF(during_unplug), 0, "stop", 0, 0,
	  during_names, "stop the workload before unplug (its files removed), or keep it "
	  "running through unplug and settle" },
	{ "workload", "drop_caches", KEY_BOOL, OFF(drop_caches), 0, "false", 0, 0, NULL,
	  "write 3 to /proc/sys/vm/drop_caches before unplug" },
	{ "workload", "compact", KEY_BOOL, OFF(compact), 0, "false", 0, 0, NULL,
	  "write 1 to /proc/sys/vm/compact_memory before unplug" },

	/* issue 25: swap, set up before the workload starts */
	{ "workload", "zram", KEY_SIZE, OFF(zram), 0, "0", 0, SIZE_MAX_BYTES, NULL,
	  "swap on /dev/zram0 of this size (CONFIG_ZRAM in the guest kernel), before the workload; "
	  "0: none" },
	{ "workload", "swap_file", KEY_SIZE, OFF(swap_file), 0, "0", 0, SIZE_MAX_BYTES, NULL,
	  "a swap file of this size on the guest's root file system (a disk image: --image debian), "
	  "before the workload; 0: none" },

	/* issue 25: kernel fault injection (docs/faults.md) */
	{ "faults", "going_online", KEY_UINT, OFF(fault_going_online), 0, "0", 0, 4095, NULL,
	  "while plugging and onlining: the memory notifier fails MEM_GOING_ONLINE with this errno "
	  "(CONFIG_MEMORY_NOTIFIER_ERROR_INJECT; Debian's kernels have it as a module); blocks still "
	  "offline at [online] timeout are then the injection's doing, not a failure: they are "
	  "unplugged as usual; 0: none" },
	{ "faults", "going_offline", KEY_UINT, OFF(fault_going_offline), 0, "0", 0, 4095, NULL,
	  "while unplugging: the memory notifier fails MEM_GOING_OFFLINE with this errno; 0: none" },
	{ "faults", "failslab", KEY_UINT, OFF(fault_failslab), 0, "0", 0, 100, NULL,
	  "while plugging and onlining, and while unplugging: fail this percent of the slab "
	  "allocations of the task that hot-adds, onlines, offlines and removes (method = "
	  "dax-kmem only: memhp-probe's; CONFIG_FAILSLAB, memhp's fault kernel); a hot-add it "
	  "failed, and blocks it left offline, are what was asked for; 0: none" },
	{ "faults", "fail_page_alloc", KEY_UINT, OFF(fault_fail_page_alloc), 0, "0", 0, 100, NULL,
	  "the same for page allocations (CONFIG_FAIL_PAGE_ALLOC); 0: none" },
	{ "faults", "times", KEY_UINT, OFF(fault_times), 0, "100", 1, 1000000, NULL,
	  "failslab and fail_page_alloc: at most this many failures in each phase" },
	{ "faults", "alloc_in", KEY_CHOICE, OFF(fault_alloc_in), 0, "both", 0, 0, fault_phase_names,
	  "failslab and fail_page_alloc: the phases they are armed in: both, plug (the hot-add and "
	  "onlining) or unplug (the offlining and removal, of memory that was added whole)" },

	{ "probe", "page_owner", KEY_CHOICE, OFF(page_owner), 0, "off", 0, 0, page_owner_names,
	  "why the blocks that stayed did: on boots with page_owner=on and groups their pages by "
	  "allocation site (docs/why.md); auto: on when the kernel's config has "
	  "CONFIG_PAGE_OWNER; off (the default: page_owner's own page_ext pins blocks too), or a "
	  "kernel without it: kpageflags only" },

	{ "run", "repeats", KEY_UINT, OFF(repeats), 0, "1", 1, 1000, NULL,
	  "runs of this scenario, each with a fresh guest and its own result" },
	{ "run", "cycles", KEY_UINT, OFF(cycles), 0, "1", 1, 1000, NULL,
	  "plug, online, workload, unplug and settle this many times in the same guest, with "
	  "per-cycle counts and leak checks (memory blocks, MemTotal, slab, nr_memmap_pages) in "
	  "the result's cycles; a cycle that left a device plugged ends them" },
	{ "run", "boot_timeout", KEY_DURATION, OFF(timeout_boot_ms), 0, "120s", 1, DUR_MAX_MS,
	  NULL,
	  "from QEMU start until the guest agent answers" },
};

#define NKEYS (sizeof(scenario_keys) / sizeof(scenario_keys[0]))
_Static_assert(NKEYS <= sizeof(((struct scenario *)0)->line) /
			       sizeof(((struct scenario *)0)->line[0]),
	       "struct scenario.line[] too small for the key table");

static const char *choice_name(const char *const *names, unsigned i)
{
	return names[i];
}

const char *scenario_method_name(unsigned m) { return choice_name(method_names, m); }
const char *scenario_policy_name(unsigned p) { return choice_name(policy_names, p); }
const char *scenario_page_owner_name(unsigned c) { return choice_name(page_owner_names, c); }

static const char *type_name(const struct scenario_key *k)
{
	static const char *const names[] = { "size", "integer", "bool", "choice",
					      "duration", "string", "size or %",
					      "string", "bool or force" };

	return names[k->type];
}

/* "90s", "1500ms": the largest unit that is exact. */
static const char *format_ms(uint64_t ms, char *buf, size_t len)
{
	if (ms && !(ms % 3600000))
		snprintf(buf, len, "%" PRIu64 "h", ms / 3600000);
	else if (ms && !(ms % 60000))
		snprintf(buf, len, "%" PRIu64 "m", ms / 60000);
	else if (ms && !(ms % 1000))
		snprintf(buf, len, "%" PRIu64 "s", ms / 1000);
	else
		snprintf(buf, len, "%" PRIu64 "ms", ms);
	return buf;
}

/* Parse one value into the struct. Returns 0 or fills msg. */
static int set_value(struct scenario *sc, const struct scenario_key *k, const char *value,
		     char *msg, size_t msglen)
{
	char *field = (char *)sc + k->offset;
	char b1[32], b2[32];
	uint64_t u;
	int64_t d;
	char *end;

	switch (k->type) {
	case KEY_SIZE:
		if (parse_size(value, &u)) {
			snprintf(msg, msglen, "%s: '%s' is not a size (use e.g. 128M, 4G, 4GiB)",
				 k->name, value);
			return -EINVAL;
		}
		if (u < k->min) {
			snprintf(msg, msglen, "%s: %s is below the minimum of %s", k->name,
				 format_size(u, b1, sizeof(b1)), format_size(k->min, b2, sizeof(b2)));
			return -EINVAL;
		}
		if (k->max && u > k->max) {
			snprintf(msg, msglen, "%s: %s is above the maximum of %s", k->name,
				 format_size(u, b1, sizeof(b1)), format_size(k->max, b2, sizeof(b2)));
			return -EINVAL;
		}
		*(uint64_t *)field = u;
		return 0;
	case KEY_UINT:
		errno = 0;
		u = strtoull(value, &end, 10);
		if (errno || *end || !*value || value[0] == '-') {
			snprintf(msg, msglen, "%s: '%s' is not a non-negative integer", k->name, value);
			return -EINVAL;
		}
		if (u < k->min || u > k->max) {
			snprintf(msg, msglen, "%s: %" PRIu64 " is out of range [%" PRIu64 ", %" PRIu64 "]",
				 k->name, u, k->min, k->max);
			return -EINVAL;
		}
		*(unsigned *)field = (unsigned)u;
		return 0;
	case KEY_BOOL:
		if (!strcasecmp(value, "true") || !strcasecmp(value, "yes") ||
		    !strcasecmp(value, "on") || !strcmp(value, "1")) {
			*(bool *)field = true;
		} else if (!strcasecmp(value, "false") || !strcasecmp(value, "no") ||
			   !strcasecmp(value, "off") || !strcmp(value, "0")) {
			*(bool *)field = false;
		} else {
			snprintf(msg, msglen, "%s: '%s' is not a boolean (true/false)", k->name, value);
			return -EINVAL;
		}
		return 0;
	case KEY_BOOL_FORCE:
		if (!strcmp(value, "force")) {
			*(unsigned *)field = MEMMAP_FORCE;
			return 0;
		}
		if (!strcasecmp(value, "true") || !strcasecmp(value, "yes") ||
		    !strcasecmp(value, "on") || !strcmp(value, "1")) {
			*(unsigned *)field = MEMMAP_ON;
		} else if (!strcasecmp(value, "false") || !strcasecmp(value, "no") ||
			   !strcasecmp(value, "off") || !strcmp(value, "0")) {
			*(unsigned *)field = MEMMAP_OFF;
		} else {
			snprintf(msg, msglen, "%s: '%s' is not a boolean (true/false) or force",
				 k->name, value);
			return -EINVAL;
		}
		return 0;
	case KEY_CHOICE:
		for (unsigned i = 0; k->choices[i]; i++) {
			if (!strcmp(value, k->choices[i])) {
				*(unsigned *)field = i;
				return 0;
			}
		}
		{
			int n = snprintf(msg, msglen, "%s: '%s' is not one of", k->name, value);

			for (unsigned i = 0; k->choices[i] && n > 0 && (size_t)n < msglen; i++)
				n += snprintf(msg + n, msglen - (size_t)n, " %s", k->choices[i]);
		}
		return -EINVAL;
	case KEY_DURATION:
		switch (parse_duration_ms(value, &d)) {
		case 0:
			break;
		case -ERANGE:
			snprintf(msg, msglen, "%s: '%s' is above the maximum of %s", k->name, value,
				 format_ms(k->max, b2, sizeof(b2)));
			return -EINVAL;
		default:
			snprintf(msg, msglen, "%s: '%s' is not a duration (use e.g. 500ms, 10s, 2m)",
				 k->name, value);
			return -EINVAL;
		}
		if ((uint64_t)d < k->min) {
			snprintf(msg, msglen, "%s: '%s' is below the minimum of %s", k->name, value,
				 format_ms(k->min, b1, sizeof(b1)));
			return -EINVAL;
		}
		if (k->max && (uint64_t)d > k->max) {
			snprintf(msg, msglen, "%s: '%s' is above the maximum of %s", k->name, value,
				 format_ms(k->max, b1, sizeof(b1)));
			return -EINVAL;
		}
		*(int64_t *)field = d;
		return 0;
	case KEY_FILL: {
		struct fill *f = (struct fill *)field;
		size_t len = strlen(value);

		if (len > 1 && value[len - 1] == '%') {
			/* All the digits, however many leading zeros: no copy into
			 * a buffer that could cut them. */
			errno = 0;
			u = strtoull(value, &end, 10);
			if (errno || end != value + len - 1 || !isdigit((unsigned char)value[0]) ||
			    u == 0 || u > 100) {
				snprintf(msg, msglen, "%s: '%s' is not a percentage from 1%% to 100%%",
					 k->name, value);
				return -EINVAL;
			}
			*f = (struct fill){ .percent = (unsigned)u };
			return 0;
		}
		if (parse_size(value, &u)) {
			snprintf(msg, msglen, "%s: '%s' is neither a size nor a percentage", k->name,
				 value);
			return -EINVAL;
		}
		if (u < k->min || u > k->max) {
			snprintf(msg, msglen, "%s: %s is %s the %s of %s", k->name,
				 format_size(u, b1, sizeof(b1)), u < k->min ? "below" : "above",
				 u < k->min ? "minimum" : "maximum",
				 format_size(u < k->min ? k->min : k->max, b2, sizeof(b2)));
			return -EINVAL;
		}
		*f = (struct fill){ .bytes = u };
		return 0;
	}
	case KEY_STRING:
		if (strlen(value) >= k->len) {
			snprintf(msg, msglen, "%s: value longer than %zu characters", k->name,
				 k->len - 1);
			return -EINVAL;
		}
		strcpy(field, value);
		return 0;
	case KEY_MIX: {
		char why[256];

		if (strlen(value) >= k->len) {
			snprintf(msg, msglen, "%s: value longer than %zu characters", k->name,
				 k->len - 1);
			return -EINVAL;
		}
		if (mix_parse(value, &sc->workload_mix, why, sizeof(why))) {
			snprintf(msg, msglen, "%s: %s", k->name, why);
			return -EINVAL;
		}
		strcpy(field, value);
		return 0;
	}
	}
	return -EINVAL;
}

struct parse_state {
	struct scenario *sc;
	struct ini_text in;
	unsigned err_line;
	char msg[512];
};

/* Keep the first error only; returning 0 tells inih this line failed. */
__attribute__((format(printf, 2, 3)))
static int fail(struct parse_state *st, const char *fmt, ...)
{
	va_list ap;

	if (!st->err_line) {
		st->err_line = st->in.lineno;
		va_start(ap, fmt);
		vsnprintf(st->msg, sizeof(st->msg), fmt, ap);
		va_end(ap);
	}
	return 0;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse_state *st = user;
	bool section_known = false;
	char msg[512];

	if (!*section)
		return fail(st, "key '%s' outside any section", name);
	for (size_t i = 0; i < NKEYS; i++) {
		const struct scenario_key *k = &scenario_keys[i];

		if (strcmp(k->section, section))
			continue;
		section_known = true;
		if (strcmp(k->name, name))
			continue;
		if (st->sc->line[i])
			return fail(st, "[%s] %s is set twice (first on line %u)", section, name,
				    st->sc->line[i]);
		if (set_value(st->sc, k, value, msg, sizeof(msg)))
			return fail(st, "[%s] %s", section, msg);
		st->sc->line[i] = st->in.lineno;
		return 1;
	}
	if (!section_known)
		return fail(st, "unknown section [%s] (see 'memhp help scenario')", section);
	return fail(st, "unknown key '%s' in [%s] (see 'memhp help scenario')", name, section);
}

static int key_index(const char *section, const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (!strcmp(scenario_keys[i].section, section) && !strcmp(scenario_keys[i].name, name))
			return (int)i;
	return -1;
}

/* Cross-key checks report the line of the key most likely at fault. */
static int check_fail(const struct scenario *sc, struct err *err, const char *section,
		      const char *name, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int check_fail(const struct scenario *sc, struct err *err, const char *section,
		      const char *name, const char *fmt, ...)
{
	char msg[512];
	int i = key_index(section, name);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (i >= 0 && sc->line[i])
		err_set(err, "%s:%u: %s", sc->path, sc->line[i], msg);
	else
		err_set(err, "%s: %s", sc->path, msg);
	return -EINVAL;
}

static int check(const struct scenario *sc, struct err *err)
{
	char b1[32], b2[32], b3[32];
	const uint64_t bs = SCENARIO_BLOCK_SIZE;

	if (sc->total % bs)
		return check_fail(sc, err, "hotplug", "total",
				  "[hotplug] total %s is not a multiple of the 128 MiB memory block",
				  format_size(sc->total, b1, sizeof(b1)));
	if (sc->method == METHOD_DIMM) {
		unsigned n;

		if (sc->dimm_size % bs)
			return check_fail(sc, err, "hotplug", "dimm_size",
					  "[hotplug] dimm_size %s is not a multiple of the 128 MiB "
					  "memory block", format_size(sc->dimm_size, b1, sizeof(b1)));
		if (sc->total % sc->dimm_size)
			return check_fail(sc, err, "hotplug", "total",
					  "[hotplug] total %s is not a multiple of dimm_size %s",
					  format_size(sc->total, b1, sizeof(b1)),
					  format_size(sc->dimm_size, b2, sizeof(b2)));
		if (sc->total / sc->dimm_size > SCENARIO_MAX_DIMMS)
			return check_fail(sc, err, "hotplug", "total",
					  "[hotplug] %" PRIu64 " DIMMs of %s: QEMU has at most %d slots",
					  sc->total / sc->dimm_size,
					  format_size(sc->dimm_size, b1, sizeof(b1)), SCENARIO_MAX_DIMMS);
		n = scenario_dimm_count(sc);
		if (sc->slots && sc->slots < n)
			return check_fail(sc, err, "machine", "slots",
					  "[machine] slots %u is fewer than the %u DIMMs to plug",
					  sc->slots, n);
	} else if (sc->method == METHOD_DAX_KMEM) {
		char msg[256];
		uint64_t start;

		if (sc->dax_source == DAX_SOFT_RESERVED && scenario_dax_range(sc, &start, msg,
									  sizeof(msg)))
			return check_fail(sc, err, "hotplug", "total", "[hotplug] %s", msg);
		if (sc->dax_source == DAX_CXL && sc->total % (256ULL << 20))
			return check_fail(sc, err, "hotplug", "total",
					  "[hotplug] total %s: a CXL device and its window are "
					  "multiples of 256 MiB", format_size(sc->total, b1, sizeof(b1)));
		if (sc->dax_source == DAX_CXL && strcmp(sc->machine, "q35"))
			return check_fail(sc, err, "machine", "type",
					  "[machine] type %s: CXL needs q35 (memhp adds cxl=on)",
					  sc->machine);
	} else {
		if (sc->dimm_total && (sc->dimm_size % bs || sc->dimm_total % sc->dimm_size))
			return check_fail(sc, err, "hotplug", "dimm_total",
					  "[hotplug] dimm_total %s is not a multiple of dimm_size %s "
					  "(itself a multiple of the 128 MiB memory block)",
					  format_size(sc->dimm_total, b1, sizeof(b1)),
					  format_size(sc->dimm_size, b2, sizeof(b2)));
		if (sc->dimm_total / sc->dimm_size > SCENARIO_MAX_DIMMS)
			return check_fail(sc, err, "hotplug", "dimm_total",
					  "[hotplug] %" PRIu64 " DIMMs of %s: QEMU has at most %d slots",
					  sc->dimm_total / sc->dimm_size,
					  format_size(sc->dimm_size, b1, sizeof(b1)), SCENARIO_MAX_DIMMS);
		if (sc->vmem_block_size & (sc->vmem_block_size - 1))
			return check_fail(sc, err, "hotplug", "block_size",
					  "[hotplug] block_size %s is not a power of two",
					  format_size(sc->vmem_block_size, b1, sizeof(b1)));
		if (sc->total % sc->vmem_block_size)
			return check_fail(sc, err, "hotplug", "total",
					  "[hotplug] total %s is not a multiple of block_size %s",
					  format_size(sc->total, b1, sizeof(b1)),
					  format_size(sc->vmem_block_size, b2, sizeof(b2)));
	}
	if (*sc->mix && !sc->workload_mix.n)
		return check_fail(sc, err, "workload", "mix", "[workload] mix names no workload");
	if (sc->memory % (2ULL << 20))
		return check_fail(sc, err, "machine", "memory",
				  "[machine] memory %s is not a multiple of 2 MiB",
				  format_size(sc->memory, b1, sizeof(b1)));
	if (sc->nodes > 1 && sc->memory % (sc->nodes * (2ULL << 20)))
		return check_fail(sc, err, "machine", "nodes",
				  "[machine] memory %s does not split into %u nodes of a multiple of "
				  "2 MiB", format_size(sc->memory, b1, sizeof(b1)), sc->nodes);
	/* Each is at most SIZE_MAX_BYTES, so the sum cannot wrap. */
	if (sc->memory + sc->total > SIZE_MAX_BYTES)
		return check_fail(sc, err, "hotplug", "total",
				  "[hotplug] memory %s + total %s is above the maximum of %s",
				  format_size(sc->memory, b1, sizeof(b1)),
				  format_size(sc->total, b2, sizeof(b2)),
				  format_size(SIZE_MAX_BYTES, b3, sizeof(b3)));
	/* Scoped to memhp-probe's task (task-filter): failed in every task,
	 * they starve the guest agent's own fork (docs/faults.md). */
	if ((sc->fault_failslab || sc->fault_fail_page_alloc) && sc->method != METHOD_DAX_KMEM)
		return check_fail(sc, err, "faults", sc->fault_failslab ? "failslab" : "fail_page_alloc",
				  "[faults] failslab and fail_page_alloc need [hotplug] method = "
				  "dax-kmem: they fail only memhp-probe's own task, where dax-kmem "
				  "hot-adds, onlines, offlines and removes; a DIMM's and virtio-mem's "
				  "hot-add and removal run in kernel workers");
	if (sc->fault_alloc_in != FAULTS_IN_BOTH && !sc->fault_failslab &&
	    !sc->fault_fail_page_alloc)
		return check_fail(sc, err, "faults", "alloc_in",
				  "[faults] alloc_in = %s arms nothing: it is for failslab and "
				  "fail_page_alloc, and neither is set",
				  fault_phase_names[sc->fault_alloc_in]);
	if (sc->dimm_total && sc->method == METHOD_DIMM)
		return check_fail(sc, err, "hotplug", "dimm_total",
				  "[hotplug] dimm_total is for method = virtio-mem (mixed devices); "
				  "with method = dimm, total is the DIMMs'");
	if (sc->maxmem && sc->maxmem < sc->memory + sc->total + sc->dimm_total)
		return check_fail(sc, err, "machine", "maxmem",
				  "[machine] maxmem %s is less than memory %s + hotplug total %s",
				  format_size(sc->maxmem, b1, sizeof(b1)),
				  format_size(sc->memory, b2, sizeof(b2)),
				  format_size(sc->total, b3, sizeof(b3)));
	return scenario_check_arch(sc, sc->arch, err);
}

const char *scenario_machine(const struct scenario *sc, unsigned arch)
{
	int i = key_index("machine", "type");

	return i >= 0 && sc->line[i] ? sc->machine : arch_get(arch)->machine;
}

int scenario_check_arch(const struct scenario *sc, unsigned arch, struct err *err)
{
	const struct arch_info *a = arch_get(arch);
	uint64_t bs = a->block_size;
	char b1[32], b2[32];

	if (arch == ARCH_X86_64)
		return 0;
	if (sc->method == METHOD_VIRTIO_MEM && !a->virtio_mem)
		return check_fail(sc, err, "hotplug", "method",
				  "[hotplug] method virtio-mem: QEMU has no virtio-mem-pci for %s "
				  "(use dimm)", a->name);
	if (sc->method == METHOD_DIMM && sc->dimm_size % bs)
		return check_fail(sc, err, "hotplug", "dimm_size",
				  "[hotplug] dimm_size %s is not a multiple of %s's %s memory block",
				  format_size(sc->dimm_size, b1, sizeof(b1)), a->name,
				  format_size(bs, b2, sizeof(b2)));
	if (sc->memory % bs)
		return check_fail(sc, err, "machine", "memory",
				  "[machine] memory %s is not a multiple of %s's %s memory block",
				  format_size(sc->memory, b1, sizeof(b1)), a->name,
				  format_size(bs, b2, sizeof(b2)));
	return 0;
}

static void apply_defaults(struct scenario *sc)
{
	char msg[256];

	for (size_t i = 0; i < NKEYS; i++)
		if (set_value(sc, &scenario_keys[i], scenario_keys[i].def, msg, sizeof(msg)))
			abort(); /* a bad default is a bug in the table */
}

int scenario_name_check(const char *name, struct err *err)
{
	if (!*name)
		return err_fail(err, -EINVAL, "the scenario's name is empty (a file named .ini?)");
	if (strchr(name, '/'))
		return err_fail(err, -EINVAL, "the scenario's name '%s' contains '/'", name);
	if (*name == '.')
		return err_fail(err, -EINVAL, "the scenario's name '%s' starts with a dot: its run "
				"directories would be hidden from report, compare and --resume",
				name);
	if (strlen(name) >= sizeof(((struct scenario *)0)->name))
		return err_fail(err, -EINVAL, "the scenario's name '%.40s...' is %zu bytes long; "
				"at most %zu fit", name, strlen(name),
				sizeof(((struct scenario *)0)->name) - 1);
	return 0;
}

int scenario_load_string(struct scenario *sc, const char *path, const char *text,
			 struct err *err)
{
	struct parse_state st = { .sc = sc, .in = { .text = text } };
	char *copy, *base, *dot;
	int rc;

	memset(sc, 0, sizeof(*sc));
	str_copy(sc->path, sizeof(sc->path), path);
	copy = strdup(path);
	base = basename(copy);
	dot = strrchr(base, '.');
	if (dot && !strcmp(dot, ".ini"))
		*dot = '\0';
	/* The name goes into run directory names: as memhp run builds them. */
	rc = scenario_name_check(base, err);
	if (rc) {
		free(copy);
		return err_wrap(err, rc, "%s", path);
	}
	str_copy(sc->name, sizeof(sc->name), base);
	str_copy(sc->base, sizeof(sc->base), base);
	free(copy);
	apply_defaults(sc);
	sc->text = strdup(text);
	sha256_hex(text, strlen(text), sc->sha256);

	rc = ini_text_check(text, path, err);
	if (rc) {
		scenario_free(sc);
		return rc;
	}
	rc = ini_parse_stream(ini_text_reader, &st.in, handler, &st);
	/* inih goes on after an error; report whichever came first. The
	 * reader stops at an over-long line, so any other error is earlier. */
	if (st.err_line && (rc <= 0 || st.err_line <= (unsigned)rc)) {
		err_set(err, "%s:%u: %s", path, st.err_line, st.msg);
		rc = -EINVAL;
	} else if (rc <= 0 && ini_text_overlong(&st.in, path, err)) {
		rc = -EINVAL;
	} else if (rc > 0) {
		err_set(err, "%s:%d: syntax error (expected [section] or key = value)", path, rc);
		rc = -EINVAL;
	} else if (rc < 0) {
		err_set(err, "%s: cannot parse: out of memory", path);
		rc = -ENOMEM;
	} else {
		rc = check(sc, err);
	}
	/* A scenario that failed holds nothing to free (matrix_add_scenario
	 * drops it without scenario_free()); freeing it again is harmless. */
	if (rc)
		scenario_free(sc);
	return rc;
}

int scenario_load(struct scenario *sc, const char *path, struct err *err)
{
	char *text;
	int rc = ini_text_load(path, &text, err);

	if (rc) {
		memset(sc, 0, sizeof(*sc));
		return rc;
	}
	rc = scenario_load_string(sc, path, text, err);
	free(text);
	return rc;
}

/* The table index of "section.key", or -1. */
static int dotted_index(const char *key)
{
	const char *dot = strchr(key, '.');
	char section[32];

	if (!dot || (size_t)(dot - key) >= sizeof(section))
		return -1;
	snprintf(section, sizeof(section), "%.*s", (int)(dot - key), key);
	return key_index(section, dot + 1);
}

int scenario_check_key(const char *key, const char *value, char *msg, size_t len)
{
	struct scenario *scratch;
	int i = dotted_index(key), rc;

	if (i < 0) {
		snprintf(msg, len, "'%s' is not a scenario key (section.key, e.g. online.policy; "
			 "see 'memhp help scenario')", key);
		return -ENOENT;
	}
	scratch = calloc(1, sizeof(*scratch));
	if (!scratch)
		abort();
	rc = set_value(scratch, &scenario_keys[i], value, msg, len);
	free(scratch);
	return rc;
}

int scenario_sweep(const struct scenario *base, const struct sweep_point *pt, const char *name,
		   struct scenario *out, struct err *err)
{
	unsigned drop[SWEEP_MAX_KEYS] = { 0 }, lineno = 0;
	const char *p = base->text ? base->text : "";
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	int rc;

	if (!m)
		abort();
	for (unsigned k = 0; k < pt->n && k < SWEEP_MAX_KEYS; k++) {
		int i = dotted_index(pt->kv[k].key);

		if (i < 0) {
			fclose(m);
			free(text);
			memset(out, 0, sizeof(*out));
			return err_set(err, "%s: '%s' is not a scenario key", base->path,
				       pt->kv[k].key), -EINVAL;
		}
		drop[k] = base->line[i];
	}
	/* The file's own lines, the swept ones commented out: line numbers stay. */
	while (*p) {
		size_t n = strcspn(p, "\n");
		bool swept = false;

		lineno++;
		for (unsigned k = 0; k < pt->n; k++)
			swept |= drop[k] == lineno;
		if (swept)
			fputs("; set by the matrix sweep below: ", m);
		fwrite(p, 1, n, m);
		fputc('\n', m);
		p += n + (p[n] == '\n');
	}
	fputs("\n; memhp matrix [sweep]: this cell's values\n", m);
	for (unsigned k = 0; k < pt->n; k++) {
		const char *key = pt->kv[k].key, *dot = strchr(key, '.');
		const char *prev = k ? pt->kv[k - 1].key : "";
		int n = (int)(dot - key);

		if (strncmp(prev, key, (size_t)n + 1))
			fprintf(m, "[%.*s]\n", n, key);
		fprintf(m, "%s = %s\n", dot + 1, pt->kv[k].value);
	}
	if (fclose(m))
		abort();
	rc = scenario_load_string(out, base->path, text, err);
	free(text);
	if (rc)
		return rc;
	str_copy(out->name, sizeof(out->name), name);
	str_copy(out->base, sizeof(out->base), base->base);
	out->sweep = *pt;
	return 0;
}

void scenario_free(struct scenario *sc)
{
	free(sc->text);
	sc->text = NULL;
}

unsigned scenario_dimm_count(const struct scenario *sc)
{
	if (!sc->dimm_size)
		return 0;
	if (sc->method != METHOD_DIMM)
		return (unsigned)(sc->dimm_total / sc->dimm_size);
	return (unsigned)(sc->total / sc->dimm_size);
}

int scenario_dax_range(const struct scenario *sc, uint64_t *start, char *msg, size_t len)
{
	const uint64_t g4 = 4ULL << 30;
	uint64_t ram = sc->memory + sc->total, lowmem;
	char b1[32], b2[32], b3[32], b4[32];

	/* QEMU's pc_q35_init and pc_init1 (without max-ram-below-4g). */
	if (!strcmp(sc->machine, "q35") || !strncmp(sc->machine, "pc-q35-", 7))
		lowmem = ram >= 0xb0000000ULL ? 0x80000000ULL : 0xb0000000ULL;
	else if (!strcmp(sc->machine, "pc") || !strncmp(sc->machine, "pc-i440fx-", 10))
		lowmem = ram >= 0xe0000000ULL ? 0xc0000000ULL : 0xe0000000ULL;
	else
		return snprintf(msg, len, "dax-kmem from soft-reserved memory needs machine type "
				"q35 or pc, not %s (the RAM layout decides the range)",
				sc->machine), -EINVAL;
	/* Below 4 GiB the firmware reserves the top of RAM for its tables
	 * (SeaBIOS: the last 128 KiB), which would cut the range and leave
	 * dax_hmem a range it cannot align: one block of boot RAM stays above. */
	if (ram <= lowmem) {
		if (sc->memory < 2 * SCENARIO_BLOCK_SIZE)
			return snprintf(msg, len, "dax-kmem: [machine] memory %s is below the "
					"256 MiB the soft-reserved range needs beside it",
					format_size(sc->memory, b1, sizeof(b1))), -EINVAL;
		*start = sc->memory - SCENARIO_BLOCK_SIZE;
		return 0;
	}
	if (ram - lowmem >= sc->total) {
		*start = g4 + (ram - lowmem) - sc->total;
		return 0;
	}
	return snprintf(msg, len, "dax-kmem: memory %s + total %s puts the soft-reserved range "
			"across the 32-bit PCI hole (RAM below 4 GiB ends at %s); raise [machine] "
			"memory to at least %s or lower total",
			format_size(sc->memory, b1, sizeof(b1)), format_size(sc->total, b2, sizeof(b2)),
			format_size(lowmem, b3, sizeof(b3)), format_size(lowmem, b4, sizeof(b4))),
	       -EINVAL;
}

uint64_t scenario_maxmem(const struct scenario *sc)
{
	return sc->maxmem ? sc->maxmem : sc->memory + sc->total + sc->dimm_total;
}

unsigned scenario_slots(const struct scenario *sc)
{
	unsigned n = scenario_dimm_count(sc);

	if (sc->slots)
		return sc->slots;
	return n ? n : 1;
}

void scenario_policy_cmdline(const struct scenario *sc, char *buf, size_t len)
{
	const char *state = sc->policy == POLICY_AUTO_MOVABLE ? "online" :
			    policy_names[sc->policy];
	int n = snprintf(buf, len, "memhp_default_state=%s", state);

	if (sc->policy == POLICY_AUTO_MOVABLE)
		n += snprintf(buf + n, len - (size_t)n,
			      " memory_hotplug.online_policy=auto-movable"
			      " memory_hotplug.auto_movable_ratio=%u", sc->auto_movable_ratio);
	else
		n += snprintf(buf + n, len - (size_t)n, " memory_hotplug.online_policy=contig-zones");
	n += snprintf(buf + n, len - (size_t)n, " memory_hotplug.memmap_on_memory=%s",
		      sc->memmap_on_memory == MEMMAP_FORCE ? "force" :
		      sc->memmap_on_memory == MEMMAP_ON    ? "1" : "0");
	if (sc->hvo != VMEM_DEFAULT && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " hugetlb_free_vmemmap=%s",
			      sc->hvo == VMEM_ON ? "on" : "off");
	if (sc->policy == POLICY_AUTO_MOVABLE && sc->auto_movable_numa_aware != VMEM_DEFAULT &&
	    n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " memory_hotplug.auto_movable_numa_aware=%s",
			 sc->auto_movable_numa_aware == VMEM_ON ? "1" : "0");
}

uint64_t scenario_fill_bytes(const struct scenario *sc, uint64_t mem_total)
{
	if (sc->fill.percent) /* exact, and no overflow for any mem_total */
		return mem_total / 100 * sc->fill.percent + mem_total % 100 * sc->fill.percent / 100;
	return sc->fill.bytes;
}

void scenario_print_keys(FILE *out, bool markdown)
{
	const char *section = "";

	if (markdown) {
		fputs("| section | key | type | default | meaning |\n"
		      "|---|---|---|---|---|\n", out);
	}
	for (size_t i = 0; i < NKEYS; i++) {
		const struct scenario_key *k = &scenario_keys[i];
		char choices[128] = "";

		if (k->choices) {
			int n = 0;

			for (unsigned c = 0; k->choices[c]; c++)
				n += snprintf(choices + n, sizeof(choices) - (size_t)n, "%s%s",
					      c ? (markdown ? ", " : "|") : "", k->choices[c]);
		}
		if (markdown) {
			fprintf(out, "| %s | `%s` | %s | `%s` | %s |\n", k->section, k->name,
				k->choices ? choices : type_name(k), *k->def ? k->def : "\"\"",
				k->help);
			continue;
		}
		if (strcmp(section, k->section)) {
			fprintf(out, "%s[%s]\n", *section ? "\n" : "", k->section);
			section = k->section;
		}
		fprintf(out, "  %-20s %-9s default %s\n      %s\n", k->name,
			k->choices ? choices : type_name(k), *k->def ? k->def : "\"\"", k->help);
	}
}

bool scenario_key_row(size_t i, struct scenario_key_row *row)
{
	const struct scenario_key *k;
	int n = 0;

	if (i >= NKEYS)
		return false;
	k = &scenario_keys[i];
	row->section = k->section;
	row->name = k->name;
	row->def = k->def;
	row->help = k->help;
	snprintf(row->type, sizeof(row->type), "%s", type_name(k));
	for (unsigned c = 0; k->choices && k->choices[c]; c++)
		n += snprintf(row->type + n, sizeof(row->type) - (size_t)n, "%s%s", c ? ", " : "",
			      k->choices[c]);
	return true;
}

#define QEMU_OVERHEAD (256ULL << 20)

/* What the workload may fill on the host: with file-backed hot-added memory
 * only boot memory counts. */
static uint64_t host_fill(const struct scenario *sc)
{
	uint64_t fill = 0;

	if (*sc->mix) {
		fill = scenario_fill_bytes(sc, sc->memory + sc->total);
		/* The guest cannot fill more than it has. */
		if (fill > sc->memory + sc->total)
			fill = sc->memory + sc->total;
		if (sc->memory_backend == BACKEND_FILE && fill > sc->memory)
			fill = sc->memory;
	}
	return fill;
}

uint64_t scenario_host_need(const struct scenario *sc)
{
	return sc->memory + sc->total / 64 + host_fill(sc) + QEMU_OVERHEAD;
}

int scenario_check_budget(const struct scenario *sc, uint64_t available, struct err *err)
{
	uint64_t memmap = sc->total / 64, fill = host_fill(sc), need = scenario_host_need(sc);
	char b[5][32];

	if (need <= available)
		return 0;
	return err_set(err, "%s: this run may touch %s of host memory ([machine] memory %s + "
		       "memmap %s + [workload] fill %s + QEMU) but only %s is available; lower "
		       "[workload] fill or [machine] memory, or set [hotplug] backend = file",
		       sc->path, format_size(need, b[0], sizeof(b[0])),
		       format_size(sc->memory, b[1], sizeof(b[1])),
		       format_size(memmap, b[2], sizeof(b[2])), format_size(fill, b[3], sizeof(b[3])),
		       format_size(available, b[4], sizeof(b[4]))), -E2BIG;
}
