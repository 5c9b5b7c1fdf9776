/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_GUEST_H
#define MEMHP_GUEST_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"

/*
 * The guest as seen through its agent: run a program (guest-exec), and take
 * a snapshot of its memory with memhp-probe.
 */
#define GUEST_PROBE "/bin/memhp-probe"

struct guest_block {
	uint64_t index, start;
	char state[16]; /* online, offline, going-offline */
	char zone[24];  /* Normal, Movable, … for online blocks; "" otherwise */
	bool have_node; /* the kernel has NUMA: node is the block's */
	unsigned node;
};

struct guest_snapshot {
	uint64_t block_size;
	uint64_t page_size; /* issue 24: the guest's (4096 when the probe does not say) */
	char release[128];
	char cmdline[2048];
	struct guest_block *blocks;
	size_t nblocks;
	json_object *raw; /* the probe's JSON, for the result */
};

/* Run argv in the guest and wait for it; *out is its stdout (caller frees). */
int guest_exec(struct vm *vm, const char *const argv[],
	       char **out, int *exitcode, int64_t deadline, struct err *err);

/*
 * guest_exec with patience: when deadline passes (or the agent does not
 * answer before it) while the program still runs, more(ctx) is asked for a
 * new deadline and the wait goes on for the same process; 0 gives up with
 * the timeout. For a program whose length depends on how fast the guest
 * runs (unlinking a million files under TCG on a loaded host).
 */
struct exec_patience {
	int64_t (*more)(void *ctx);
	void *ctx;
};
int guest_exec_patient(struct vm *vm, const char *const argv[], char **out, int *exitcode,
		       int64_t deadline, const struct exec_patience *patience, struct err *err);

/*
 * Read a whole (small) file in the guest through the agent's guest-file-*
 * calls: no process is started, so it works on a guest too loaded to fork.
 * *out is NUL-terminated (caller frees). -EREMOTEIO when the agent refuses
 * (no such file), with its words in err.
 */
int guest_read_file(struct vm *vm, const char *path, char **out,
		    int64_t deadline, struct err *err);

int guest_snapshot_parse(const char *json, struct guest_snapshot *s, struct err *err);
/* The output of `memhp-probe why`: *blocks is its "blocks" array (caller
 * puts it), every element an object with an integer "index", a string
 * "verdict" and an object "pages" of counts; -EBADMSG otherwise. */
int guest_why_parse(const char *json, json_object **blocks, struct err *err);
int guest_snapshot(struct vm *vm, struct guest_snapshot *s,
		   int64_t deadline, struct err *err);
void guest_snapshot_free(struct guest_snapshot *s);
/* The block with this index, or NULL when it is not present. */
const struct guest_block *guest_find_block(const struct guest_snapshot *s, uint64_t index);

/* 0 when the guest can open path for reading (guest-file-open). */
int guest_file_readable(struct vm *vm, const char *path,
			int64_t deadline, struct err *err);
/* Write data to path in the guest (guest-file-open/write/close). */
int guest_upload(struct vm *vm, const char *path,
		 const void *data, size_t len, int64_t deadline, struct err *err);

#endif
