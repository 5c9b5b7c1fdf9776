// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "guest.h"
#include "scenario.h"
#include "str.h"
#include "units.h"
#include "workload.h"

/* Leave this much of MemAvailable alone, so the agent and the kernel breathe. */
#define FILL_RESERVE (192ULL << 20)
#define START_TIMEOUT_MS (15 * 60 * 1000)
#define STOP_TIMEOUT_MS (2 * 60 * 1000)

const struct workload_kind workload_kinds[] = {
	{ "anon", "anonymous memory in 4 KiB pages", "movable" },
	{ "thp", "anonymous memory in transparent huge pages", "movable" },
	{ "tmpfs", "files in tmpfs (shmem page cache)", "movable" },
	{ "dentries", "many empty tmpfs files: dentry and shmem inode slab", "unmovable" },
	{ "pgtable", "page tables of sparse mappings (half the bytes; the other half is data)",
	  "unmovable" },
	{ "kstack", "sleeping threads: kernel stacks and task structs", "unmovable" },
	{ "pipe", "full 1 MiB pipes: pipe buffer pages", "unmovable" },
	{ "pinned", "io_uring registered buffers (FOLL_LONGTERM pins)", "pinned" },
	{ "hugetlb", "2 MiB hugetlb pages", "movable" },
	{ "stress-ng", "stress-ng --vm --vm-keep (anonymous, rewritten)", "movable" },
	{ "pagecache", "files written and read back on the disk's ext4 (block-device page cache)",
	  "reclaimable" },
	{ "compile", "kernel-compile-like: short processes over many small files on the disk",
	  "reclaimable" },
	{ "pgbench", "PostgreSQL with pgbench (shared buffers and the database's page cache)",
	  "movable" },
};
const size_t workload_nkinds = sizeof(workload_kinds) / sizeof(workload_kinds[0]);

int workload_parse_mix(const char *mix, struct mix_entry *out, size_t *n, char *msg,
		       size_t msglen)
{
	char *copy = strdup(mix), *save = NULL, *tok;
	int rc = 0;

	*n = 0;
	for (tok = strtok_r(copy, " \t,", &save); tok; tok = strtok_r(NULL, " \t,", &save)) {
		char *colon = strchr(tok, ':'), *end;
		unsigned long share;
		size_t k;

		if (!colon) {
			snprintf(msg, msglen, "'%s' is not KIND:SHARE", tok);
			rc = -EINVAL;
			break;
		}
		*colon = '\0';
		for (k = 0; k < workload_nkinds && strcmp(workload_kinds[k].name, tok); k++)
			;
		if (k == workload_nkinds) {
			snprintf(msg, msglen, "unknown workload kind '%s' (see docs/workloads.md)", tok);
			rc = -EINVAL;
			break;
		}
		share = strtoul(colon + 1, &end, 10);
		if (*end || !colon[1] || !share || share > 1000) {
			snprintf(msg, msglen, "share of %s: '%s' is not a number from 1 to 1000", tok,
				 colon + 1);
			rc = -EINVAL;
			break;
		}
		if (*n == WORKLOAD_MAX_MIX) {
			snprintf(msg, msglen, "more than %d workloads in one mix", WORKLOAD_MAX_MIX);
			rc = -EINVAL;
			break;
		}
		out[(*n)++] = (struct mix_entry){ (unsigned)k, (unsigned)share };
	}
	free(copy);
	return rc;
}

static json_object *meminfo_of(json_object *snapshot)
{
	json_object *mi = NULL;

	json_object_object_get_ex(snapshot, "meminfo", &mi);
	return json_object_get(mi);
}

int workload_start(const struct backend_ops *be, struct vm *vm, const struct scenario *sc,
		   uint64_t mem_total, uint64_t mem_available, json_object *record,
		   struct err *err)
{
	struct mix_entry mix[WORKLOAD_MAX_MIX];
	const char *argv[WORKLOAD_MAX_MIX + 8];
	char args[WORKLOAD_MAX_MIX][64], seed[24], duration[24], msg[256];
	uint64_t want = scenario_fill_bytes(sc, mem_total), fill = want, limit;
	unsigned total_share = 0;
	size_t n, argc = 0;
	json_object *ret, *kinds;
	struct guest_snapshot snap;
	char *out;
	int code, rc;

	if (workload_parse_mix(sc->mix, mix, &n, msg, sizeof(msg)))
		return err_set(err, "[workload] mix: %s", msg), -EINVAL;
	limit = mem_available > FILL_RESERVE ? mem_available - FILL_RESERVE : 0;
	if (fill > limit)
		fill = limit;
	for (size_t i = 0; i < n; i++)
		total_share += mix[i].share;

	argv[argc++] = GUEST_PROBE;
	argv[argc++] = "load";
	snprintf(seed, sizeof(seed), "%u", sc->seed);
	argv[argc++] = "--seed";
	argv[argc++] = seed;
	/* The holder outlives the duration by a margin: memhp stops it. */
	snprintf(duration, sizeof(duration), "%" PRId64, sc->workload_ms / 1000 + 3600);
	argv[argc++] = "--duration";
	argv[argc++] = duration;
	for (size_t i = 0; i < n; i++) {
		uint64_t bytes = fill / total_share * mix[i].share & ~4095ULL;

		snprintf(args[i], sizeof(args[i]), "%s:%" PRIu64, workload_kinds[mix[i].kind].name,
			 bytes);
		argv[argc++] = args[i];
	}
	argv[argc] = NULL;

	json_object_object_add(record, "mix", json_object_new_string(sc->mix));
	json_object_object_add(record, "fill_requested", json_object_new_uint64(want));
	json_object_object_add(record, "fill", json_object_new_uint64(fill));
	json_object_object_add(record, "capped", json_object_new_boolean(fill < want));
	json_object_object_add(record, "duration_ms", json_object_new_int64(sc->workload_ms));
	json_object_object_add(record, "seed", json_object_new_uint64(sc->seed));
	json_object_object_add(record, "during_unplug",
			       json_object_new_string(sc->during_unplug == DURING_UNPLUG_KEEP ?
						      "keep" : "stop"));

	rc = guest_exec(be, vm, argv, &out, &code, now_ms() + START_TIMEOUT_MS, err);
	if (rc)
		return err_wrap(err, rc, "starting the workload");
	if (code) {
		err_set(err, "the workload holder exited with %d while allocating "
			     "(out of memory? lower [workload] fill)", code);
		free(out);
		return -ECHILD;
	}
	ret = json_tokener_parse(out);
	free(out);
	if (!ret || !json_object_object_get_ex(ret, "kinds", &kinds)) {
		json_object_put(ret);
		return err_set(err, "the workload holder's report is not JSON"), -EBADMSG;
	}
	json_object_object_add(record, "allocations", json_object_get(kinds));
	json_object_put(ret);

	/* What the guest looks like with everything allocated. */
	rc = guest_snapshot(be, vm, &snap, now_ms() + START_TIMEOUT_MS, err);
	if (rc)
		return err_wrap(err, rc, "probing the loaded guest");
	json_object_object_add(record, "meminfo_loaded", meminfo_of(snap.raw));
	guest_snapshot_free(&snap);
	return 0;
}

int workload_stop(const struct backend_ops *be, struct vm *vm, const struct scenario *sc,
		  json_object *record, struct err *err)
{
	static const char *const stop[] = { GUEST_PROBE, "load-stop", NULL };
	const char *tidy[5] = { GUEST_PROBE, "tidy", NULL, NULL, NULL };
	json_object *ret, *v;
	char *out;
	int code, rc, ntidy = 2;

	rc = guest_exec(be, vm, stop, &out, &code, now_ms() + STOP_TIMEOUT_MS, err);
	if (rc)
		return err_wrap(err, rc, "stopping the workload");
	ret = json_tokener_parse(out);
	free(out);
	if (ret && json_object_object_get_ex(ret, "stopped", &v))
		json_object_object_add(record, "stopped", json_object_get(v));
	if (ret && json_object_object_get_ex(ret, "stress_ng_yaml", &v))
		json_object_object_add(record, "stress_ng_yaml", json_object_get(v));
	if (ret && json_object_object_get_ex(ret, "throughput", &v))
		json_object_object_add(record, "throughput", json_object_get(v));
	json_object_put(ret);

	if (sc->drop_caches)
		tidy[ntidy++] = "drop-caches";
	if (sc->compact)
		tidy[ntidy++] = "compact";
	if (ntidy == 2)
		return 0;
	rc = guest_exec(be, vm, tidy, &out, &code, now_ms() + STOP_TIMEOUT_MS, err);
	if (rc)
		return err_wrap(err, rc, "tidying the guest");
	ret = json_tokener_parse(out);
	free(out);
	if (ret)
		json_object_object_add(record, "tidy", ret);
	return 0;
}

#define QEMU_OVERHEAD (256ULL << 20)

/* What the workload may fill on the host: with file-backed hot-added memory
 * only boot memory counts. */
static uint64_t host_fill(const struct scenario *sc)
{
	uint64_t fill = 0;

	if (*sc->mix) {
		fill = scenario_fill_bytes(sc, sc->memory + sc->total);
		if (sc->memory_backend == BACKEND_FILE && fill > sc->memory)
			fill = sc->memory;
	}
	return fill;
}

uint64_t workload_host_need(const struct scenario *sc)
{
	return sc->memory + sc->total / 64 + host_fill(sc) + QEMU_OVERHEAD;
}

int workload_check_budget(const struct scenario *sc, uint64_t available, struct err *err)
{
	uint64_t memmap = sc->total / 64, fill = host_fill(sc), need = workload_host_need(sc);
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
