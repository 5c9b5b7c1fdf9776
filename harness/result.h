/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_RESULT_H
#define MEMHP_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "errmsg.h"
#include "sweep.h"

/*
 * Everything one run measured, and its JSON form ("memhp-result", version
 * RESULT_VERSION; docs/result-schema.md). result.c is the only code that
 * knows the JSON field names.
 */
#define RESULT_SCHEMA "memhp-result"
#define RESULT_VERSION 1
/* The largest result.json memhp reads (a run's kmsg and timeline included). */
#define RESULT_MAX_BYTES (64u << 20)

enum run_status { RUN_OK, RUN_FAILED, RUN_INTERRUPTED };

enum phase { PHASE_IMAGE, PHASE_BOOT, PHASE_PLUG, PHASE_ONLINE, PHASE_WORKLOAD, PHASE_UNPLUG,
	     PHASE_SETTLE, PHASE_COUNT };

enum outcome {
	OUTCOME_NOT_TRIED, /* the run ended before this device's unplug */
	OUTCOME_REMOVED,   /* fully unplugged */
	OUTCOME_PARTIAL,   /* virtio-mem: some but not all memory came out */
	OUTCOME_REJECTED,  /* the guest refused (ACPI status, or no progress) */
	OUTCOME_TIMEOUT,   /* no answer before the deadline */
	OUTCOME_ERROR,     /* the VMM refused the request */
	OUTCOME_HUNG,      /* the guest kernel kept retrying the same pages, no progress */
	OUTCOME_UNSUPPORTED, /* issue 24: the guest never added the device's memory (arm64
			      * DIMM without ACPI memory hotplug): nothing to remove */
};

/* What became of a hot-added block, once the blocks were counted. */
enum block_final {
	FINAL_NOT_COUNTED, /* the run ended before the count: "" in the JSON */
	FINAL_REMOVED,
	FINAL_OFFLINE,
	FINAL_ONLINE,
};

struct device_record {
	char id[32];
	char kind[16]; /* "dimm", "virtio-mem" */
	uint64_t addr;
	uint64_t plugged;   /* bytes plugged once plugging finished */
	uint64_t remaining; /* bytes still plugged at the end */
	enum outcome outcome;
	unsigned attempts;  /* device_del requests, or resize requests */
	bool have_ost;
	unsigned ost_source, ost_status; /* last ACPI status seen */
	int64_t unplug_ms;               /* from first request to outcome */
	char detail[256];
	json_object *hung; /* hung: the pfns and reasons the kernel kept failing on, or NULL */
	bool futile;       /* virtio-mem: re-triggering stopped on the futile tail */
};

struct block_record {
	uint64_t index, start;
	char zone[24];       /* zone once onlined */
	enum block_final final;
	char final_zone[24]; /* zone at the end, when still online */
	json_object *why;    /* still present: page kinds and verdict (memhp-probe why) */
	json_object *kernel; /* the kernel's failed offline attempts (klog.h), or NULL */
	bool have_node;      /* a NUMA guest: the node the block was onlined on */
	unsigned node;
};

struct timeline_point {
	int64_t t_ms; /* since the unplug request */
	uint64_t bytes_plugged;
	unsigned blocks_present; /* hot-added blocks the guest still has */
};

struct event_record {
	int64_t t_ms; /* since the guest started */
	char name[48];
	char device[32];
	unsigned source, status;
	uint64_t size;
};

/*
 * Which counts were measured: a run that failed before the blocks came
 * online has none, one that failed before the final count has only the
 * plugged side. Counts not measured are null in the JSON and printed as
 * "not measured", never as zeros to derive "unplugged" from.
 */
struct count {
	bool have_plugged; /* block_size, hotplugged, bytes_plugged */
	bool have_final;   /* removed, offline, online_*, bytes_remaining */
	uint64_t block_size;
	unsigned hotplugged; /* hot-added Linux memory blocks present once onlined */
	unsigned removed;    /* of those, gone from sysfs at the end */
	unsigned offline;    /* present but offline */
	unsigned online_movable, online_normal, online_other;
	uint64_t bytes_plugged, bytes_remaining; /* QEMU's view */
};

struct run_record {
	char run_id[160];
	unsigned repeat; /* 1-based */
	char started[40]; /* ISO 8601, UTC */

	/* scenario */
	char scenario_name[128], scenario_path[1024], scenario_sha256[72];
	char *scenario_text;
	char method[16], policy[24];
	/* a matrix sweep's cell: the scenario file's name and the keys it set
	 * (scenario.base, scenario.sweep); a plain run: base is the name, or ""
	 * in older results, and sweep.n is 0 (null) */
	char scenario_base[128];
	struct sweep_point sweep;

	/* the kernel variant this run measured: a name for reports and the source
	 * it came from (deb:…, path:…) */
	char variant[128], variant_source[512], variant_cmdline[512];
	char variant_inputs[65]; /* image_inputs_digest() of the spec, "" for deb: */

	/* guest kernel */
	char kernel_spec[512], kernel_release[128], image_key[40];
	/* the guest's root (--image): initramfs, debian or path, as given, and
	 * its hash (initramfs and debian: the cache key; path: the file's sha256) */
	char image_kind[16], image_spec[512], image_hash[72];
	char *cmdline;

	/* host and VMM */
	char backend[16], accel[8], accel_reason[160], vmm_version[96];
	char arch[16]; /* issue 24: x86_64, ppc64le, aarch64 ("" in older results: x86_64) */
	char host[128], host_kernel[128];
	char host_uri[512]; /* libvirt: the URI it ran on; "" for the QMP backend */
	unsigned host_cpus;

	enum run_status status;
	char reason[1024];
	char failed_phase[16];
	bool host_failure; /* failed because its host did (connection lost, domain
			    * would not start): the cell may run elsewhere */

	int64_t phase_ms[PHASE_COUNT]; /* -1: not reached */
	int64_t wall_ms;   /* the whole run */
	int64_t cpu_ms;    /* memhp's own CPU time in it (not QEMU's, not the image build's) */

	struct count count;
	char expected_zone[24];
	unsigned zone_mismatches; /* blocks not onlined to expected_zone */

	struct block_record *blocks;
	size_t nblocks;
	struct device_record *devices;
	size_t ndevices;
	struct timeline_point *timeline;
	size_t ntimeline;
	struct event_record *events;
	size_t nevents;

	/* memhp-probe why's findings over all blocks: "page_owner" (available,
	 * reason, records, bytes, seconds) and "memmap_chain" (docs/why.md);
	 * NULL when no block stayed */
	json_object *why_probe;
	char **kmsg;
	size_t nkmsg;

	/* The kernel log read for the reasons (klog.h): records parsed, records
	 * lost (overwritten before they were read), failures naming no block;
	 * null when the probe sent none (an older memhp-probe in an image). */
	struct {
		bool have;
		uint64_t records, lost, unmapped;
	} klog;

	/* Host memory returned (issue 25): the emulator's RSS (bytes) before
	 * plugging, once the workload held its memory (or the blocks were
	 * online, without a workload), and after unplug and settle; each
	 * measured or null. */
	struct {
		bool have_before, have_loaded, have_after;
		uint64_t before, loaded, after;
	} vmm_rss;

	json_object *probe_final; /* the last probe snapshot, kept verbatim */
	json_object *workload;    /* workload.c's record of the workload, verbatim */
	json_object *kernel_build; /* build-kernel's kernel.json for build: kernels, or NULL */
	/* deb: kernels: {"suite", "packages": [{name, version, suite}]} from
	 * build-image's image.json, or NULL */
	json_object *kernel_package;
	/* what the guest's kernel did with the onlining choices (onlining.h),
	 * or NULL in results older than it */
	json_object *onlining;
	/* dax-kmem: the dax devices as bound to kmem and as unbound, and where
	 * their memmap went (hotplug_dax_kmem.c; docs/result-schema.md), or
	 * NULL for other methods */
	json_object *dax;
	/* [run] cycles > 1 (issue 25, cycles.h): one object per cycle, or NULL */
	json_object *cycles;
	/* [faults] (faults.h): per phase what was armed and disarmed, or NULL */
	json_object *faults;
	uint64_t vmm_peak_rss;    /* bytes, the emulator's VmHWM at the end */

	/* memhp rerun: the run this one repeats ("origin", written only when
	 * have is set): the result.json given, its run_id, start and image key */
	struct {
		bool have;
		char *rerun_of;
		char run_id[160], started[40], image[40];
	} origin;
};

void result_init(struct run_record *r);
void result_free(struct run_record *r);
/* The verdict of a block that stayed, or "" (removed, or not examined). */
const char *result_block_verdict(const struct block_record *b);

/* The writer's fields, for the schema layer (schema.h): every path it
 * writes with its type and choices. */
void result_schema_walk(void (*visit)(void *ctx, const char *path, unsigned type,
				      const char *const *choices), void *ctx);

const char *result_phase_name(unsigned phase);
const char *result_outcome_name(enum outcome outcome);
const char *result_status_name(enum run_status status);
const char *result_final_name(enum block_final final);
/* Bytes that came out: plugged - remaining (0 when remaining exceeds
 * plugged). Meaningful only when both sides were measured:
 * result_have_bytes_unplugged(). */
uint64_t result_bytes_unplugged(const struct count *c);
bool result_have_bytes_unplugged(const struct count *c);

/* Host memory the unplug gave back: the emulator's RSS once loaded minus
 * after unplug (0 when it grew); meaningful when both were measured. */
bool result_have_rss_returned(const struct run_record *r);
uint64_t result_rss_returned(const struct run_record *r);

struct device_record *result_add_device(struct run_record *r);
struct block_record *result_add_block(struct run_record *r);
void result_add_timeline(struct run_record *r, int64_t t_ms, uint64_t bytes, unsigned blocks);
void result_add_event(struct run_record *r, const struct event_record *ev);
void result_add_kmsg(struct run_record *r, const char *line);

json_object *result_to_json(const struct run_record *r);
/* Every field is type-checked; a wrong type or value fails with the field's
 * name in err (and r left empty), never an abort. */
int result_from_json(json_object *root, struct run_record *r, struct err *err);
/* Write dir/result.json via a temporary file, fsync and rename. */
int result_write(const struct run_record *r, const char *dir, struct err *err);
/* root as dir/name, written whole to a fresh mkstemp name in dir and renamed
 * into place (then dir is synced): readers see the old file or the new one. */
int json_write_atomic(json_object *root, const char *dir, const char *name, struct err *err);
int result_read(const char *path, struct run_record *r, struct err *err);

#endif
