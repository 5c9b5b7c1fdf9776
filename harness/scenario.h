/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_SCENARIO_H
#define MEMHP_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "backend.h" /* enum accel_choice */
#include "errmsg.h"
#include "mix.h"
#include "sweep.h"

/* The x86-64 guest memory block size the static checks assume; the run
 * checks it again against what the guest reports. */
#define SCENARIO_BLOCK_SIZE (128ULL << 20)
#define SCENARIO_MAX_DIMMS 256

enum hotplug_method { METHOD_VIRTIO_MEM, METHOD_DIMM, METHOD_DAX_KMEM };
/* dax-kmem: where the device-dax range comes from */
enum dax_source { DAX_SOFT_RESERVED, DAX_CXL };
enum online_policy { POLICY_ONLINE, POLICY_ONLINE_KERNEL, POLICY_ONLINE_MOVABLE, POLICY_AUTO_MOVABLE };
enum memmap_choice { MEMMAP_OFF, MEMMAP_ON, MEMMAP_FORCE };
enum vmem_tristate { VMEM_DEFAULT, VMEM_ON, VMEM_OFF, VMEM_AUTO };
enum unplug_order { ORDER_REVERSE, ORDER_FORWARD };
enum during_unplug { DURING_UNPLUG_STOP, DURING_UNPLUG_KEEP };
enum memory_backend { BACKEND_RAM, BACKEND_FILE };
enum page_owner_choice { PAGE_OWNER_AUTO, PAGE_OWNER_ON, PAGE_OWNER_OFF };
enum fault_phases { FAULTS_IN_BOTH, FAULTS_IN_PLUG, FAULTS_IN_UNPLUG };

/* A size, or a percentage of something the run learns later. */
struct fill {
	uint64_t bytes;   /* when percent is 0 */
	unsigned percent; /* of the guest's MemTotal when the workload starts */
};

struct scenario {
	char path[4096];
	char name[128];  /* file name without directory and .ini */
	char *text;      /* the file as read, recorded in every result */
	char sha256[65]; /* of text */

	/* [machine] */
	uint64_t memory;
	uint64_t maxmem; /* 0: memory + hotplug total */
	unsigned cpus;
	unsigned slots;  /* 0: as many as DIMMs (at least 1) */
	unsigned accel;  /* enum accel_choice */
	char machine[32];
	bool free_page_reporting;
	unsigned nodes;  /* NUMA nodes (1: no -numa); issue 25 */
	unsigned arch;   /* enum arch (arch.h); --arch overrides */

	/* [guest] */
	char cmdline[1024]; /* appended to what memhp sets */

	/* [hotplug] */
	unsigned method; /* enum hotplug_method */
	uint64_t total;
	uint64_t dimm_size;
	/* method virtio-mem: DIMMs of dimm_size as well, this much in all
	 * (mixed devices; issue 25) */
	uint64_t dimm_total;
	/* [hotplug] block_size: the virtio-mem device block, not a Linux memory block */
	uint64_t vmem_block_size;
	/* [hotplug] dynamic_memslots, unplugged_inaccessible: virtio-mem
	 * device properties of newer QEMUs (enum vmem_tristate: default leaves
	 * QEMU's own default) */
	bool vmem_dynamic_memslots;
	unsigned vmem_unplugged_inaccessible;
	unsigned memory_backend; /* enum memory_backend, for hot-added memory */
	unsigned dax_source; /* dax-kmem: enum dax_source */
	char backend_path[1024];

	/* [online] */
	unsigned policy; /* enum online_policy */
	unsigned auto_movable_ratio;
	unsigned auto_movable_numa_aware; /* enum vmem_tristate: default, on, off */
	unsigned memmap_on_memory; /* enum memmap_choice */
	unsigned hvo; /* [online] hvo: enum vmem_tristate (default, on, off) */
	int64_t timeout_online_ms;

	/* [unplug] */
	unsigned order; /* enum unplug_order */
	int64_t deadline_ms; /* per DIMM request; virtio-mem: the whole unplug */
	int64_t settle_ms;
	unsigned retries;
	int64_t hung_window_ms; /* 0: no hung outcome */
	bool futile_stop;       /* virtio-mem: stop on the futile tail */

	/* [workload] */
	char mix[512]; /* "KIND:SHARE ..."; empty: no workload */
	struct mix workload_mix; /* mix, parsed */
	struct fill fill;
	int64_t workload_ms;
	int64_t stall_ms; /* no new allocation for this long fails the run */
	unsigned seed;
	unsigned during_unplug; /* enum during_unplug */
	bool drop_caches, compact;
	uint64_t zram, swap_file; /* swap in the guest, bytes (0: none; issue 25) */

	/* [faults] (issue 25): errno for the memory notifier (0: none),
	 * percent of allocations failed, at most fault_times each */
	unsigned fault_going_online, fault_going_offline;
	unsigned fault_failslab, fault_fail_page_alloc, fault_times;
	unsigned fault_alloc_in; /* enum fault_phases: where those two are armed */

	/* [probe] */
	unsigned page_owner; /* enum page_owner_choice */

	/* [run] */
	unsigned repeats;
	unsigned cycles; /* plug/unplug cycles in one guest (issue 25) */
	int64_t timeout_boot_ms;

	/* Line each key was set on, 0 when it has its default. */
	unsigned line[64];

	/* A matrix sweep's cell (scenario_sweep()): the file's own name, and the
	 * keys the cell set; name is then base plus those values. A plain
	 * scenario: base is name and sweep.n is 0. */
	char base[128];
	struct sweep_point sweep;
};

/* The fill in bytes for a guest with mem_total bytes. */
uint64_t scenario_fill_bytes(const struct scenario *sc, uint64_t mem_total);

/*
 * The host memory a run of sc may touch: boot memory, the memmap of the
 * hot-added memory, the workload's fill (unless it can only land in
 * file-backed memory) and QEMU's own.
 */
uint64_t scenario_host_need(const struct scenario *sc);
/* -E2BIG with a message naming the keys to change when that exceeds
 * available (bytes). */
int scenario_check_budget(const struct scenario *sc, uint64_t available, struct err *err);

/* Parse a scenario file: defaults first, then the file, then cross-key
 * checks. On error returns -EINVAL with "file:line: message" in err. */
int scenario_load(struct scenario *sc, const char *path, struct err *err);
/* Whether name can be a scenario's name (its file's name without .ini, and
 * so part of its run directories' names): not empty, not starting with a
 * dot, no '/', at most 127 bytes. 0, or -EINVAL with the reason in err. */
int scenario_name_check(const char *name, struct err *err);
/* The same from a string (for tests); path only names it in messages. */
int scenario_load_string(struct scenario *sc, const char *path, const char *text,
			 struct err *err);
void scenario_free(struct scenario *sc);

/*
 * Whether "section.key" is a scenario key and value a valid value for it,
 * checked as a scenario file's line is: 0, -ENOENT (no such key) or -EINVAL,
 * with the reason in msg.
 */
int scenario_check_key(const char *key, const char *value, char *msg, size_t len);
/*
 * base with the keys of pt set (a matrix [sweep] cell): its text with the
 * lines that set those keys commented out and the new values appended, parsed
 * and checked again as a whole, so the text a result records is the scenario
 * the cell ran. out is named name. -EINVAL with err as scenario_load().
 */
int scenario_sweep(const struct scenario *base, const struct sweep_point *pt, const char *name,
		   struct scenario *out, struct err *err);

/* Derived values, computed in one place. */
unsigned scenario_dimm_count(const struct scenario *sc);
uint64_t scenario_maxmem(const struct scenario *sc);
unsigned scenario_slots(const struct scenario *sc);
/*
 * dax-kmem from soft-reserved memory: the guest has memory + total of RAM
 * and the range [*start, *start + total) of it is marked soft-reserved on
 * the kernel command line (memmap=SIZE%START-1+0xefffffff): at the top of
 * the RAM the machine type lays out from 4 GiB, or, when all RAM is below
 * 4 GiB (q35: up to 2.75 GiB), 128 MiB below its top, clear of the
 * firmware's tables there. -EINVAL with the reason in msg when the
 * range would straddle the 32-bit PCI hole or the machine type is unknown.
 */
int scenario_dax_range(const struct scenario *sc, uint64_t *start, char *msg, size_t len);
/* issue 24: the QEMU machine for arch: [machine] type when the file sets
 * it, else the architecture's (q35, pseries, virt). */
const char *scenario_machine(const struct scenario *sc, unsigned arch);
/* What arch cannot run of sc (checked again when --arch overrides the
 * file's): DIMMs in whole blocks of the architecture, no virtio-mem on
 * ppc64le. 0, or -EINVAL naming the key. */
int scenario_check_arch(const struct scenario *sc, unsigned arch, struct err *err);
/* Kernel command line options for the online policy, e.g.
 * "memhp_default_state=online_movable memory_hotplug.memmap_on_memory=0". */
void scenario_policy_cmdline(const struct scenario *sc, char *buf, size_t len);

const char *scenario_method_name(unsigned method);
const char *scenario_policy_name(unsigned policy);
const char *scenario_page_owner_name(unsigned choice);

/* The key table as help text, or as a Markdown table for docs/. */
void scenario_print_keys(FILE *out, bool markdown);

/* Row i of the same table, for other generators (memhp-scenario(5)):
 * false past the last row. type is the choices ("a, b") or the type name. */
struct scenario_key_row {
	const char *section, *name, *def, *help;
	char type[128];
};
bool scenario_key_row(size_t i, struct scenario_key_row *row);

#endif
