// SPDX-License-Identifier: GPL-2.0-only
/*
 * The phases of one run. The runner knows phases, probes and counting; how
 * memory is plugged belongs to the hotplug method, how the VM is driven to
 * the backend.
 */
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "arch.h"
#include "clock.h"
#include "datadir.h"
#include "guest.h"
#include "hotplug.h"
#include "image.h"
#include "klog.h"
#include "onlining.h"
#include "oops.h"
#include "runner.h"
#include "cycles.h"
#include "faults.h"
#include "signals.h"
#include "subproc.h"
#include "units.h"
#include "workload.h"
#include "str.h"

#define PROBE_TIMEOUT_MS 60000
/* memhp-probe why reads all of page_owner: minutes on a big TCG guest. */
#define WHY_TIMEOUT_MS 900000
#define PROGRESS_LINE_MS 5000

/* Progress: one redrawn line on a TTY, a line every few seconds elsewhere. */
static struct {
	bool tty;
	const char *phase;
	int64_t last;
	int64_t (*now_ms)(void);
} progress_state;

__attribute__((format(printf, 1, 2)))
static void progress(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (progress_state.tty) {
		fprintf(stderr, "\r\033[K  %s: %s", progress_state.phase, msg);
		fflush(stderr);
	} else if (progress_state.now_ms() - progress_state.last >= PROGRESS_LINE_MS) {
		fprintf(stderr, "  %s: %s\n", progress_state.phase, msg);
		progress_state.last = progress_state.now_ms();
	}
}

static void phase_begin(unsigned phase)
{
	progress_state.phase = result_phase_name(phase);
	progress_state.last = progress_state.now_ms();
}

static void phase_end(struct run_record *rec, unsigned phase, int64_t start)
{
	rec->phase_ms[phase] = progress_state.now_ms() - start;
	if (progress_state.tty)
		fputs("\r\033[K", stderr);
	fprintf(stderr, "memhp: %-7s %6.1f s\n", result_phase_name(phase),
		(double)rec->phase_ms[phase] / 1000.0);
}

struct run {
	const struct scenario *sc;
	const struct run_options *opt;
	const struct runner_env *env;
	struct run_record *rec;
	const struct hotplug_ops *hp;
	struct image img;
	struct disk_image disk; /* the guest's root (--image) */
	struct vm *vm;
	int64_t vm_started;
	struct hotplug_ctx ctx;
	struct guest_snapshot last; /* newest probe snapshot */
	struct klog klog;           /* the kernel's reasons, from every probe's log */
	int64_t unplug_us;          /* the kernel's time when the unplug began */
	struct why_look *looks;     /* the futile rule's look at the window before */
	size_t nlooks;
	int64_t last_sample;        /* when sample() last probed */
	unsigned blocks_present;    /* hot-added blocks in that probe */
	/* issue 24: the guest's architecture (--arch, else the scenario's) and
	 * the kernel it runs (the default kernel is the architecture's) */
	unsigned arch;
	const char *kernel;
	bool none_appeared; /* no hot-added block ever appeared in the guest */
	unsigned stayed_offline; /* [faults] going_online: blocks the guest did not online */
};

static void fill_header(struct run *run)
{
	struct run_record *rec = run->rec;
	const struct scenario *sc = run->sc;
	char *outdir = strdup(run->opt->outdir);
	struct utsname u;
	time_t t = time(NULL);
	struct tm tm;

	str_copy(rec->run_id, sizeof(rec->run_id), basename(outdir));
	free(outdir);
	rec->repeat = run->opt->repeat;
	gmtime_r(&t, &tm);
	strftime(rec->started, sizeof(rec->started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	str_copy(rec->scenario_name, sizeof(rec->scenario_name), sc->name);
	str_copy(rec->scenario_path, sizeof(rec->scenario_path), sc->path);
	str_copy(rec->scenario_sha256, sizeof(rec->scenario_sha256), sc->sha256);
	str_copy(rec->scenario_base, sizeof(rec->scenario_base), sc->base);
	rec->sweep = sc->sweep;
	rec->scenario_text = strdup(sc->text ? sc->text : "");
	str_copy(rec->method, sizeof(rec->method), scenario_method_name(sc->method));
	str_copy(rec->policy, sizeof(rec->policy), scenario_policy_name(sc->policy));
	str_copy(rec->kernel_spec, sizeof(rec->kernel_spec), run->kernel);
	str_copy(rec->arch, sizeof(rec->arch), arch_get(run->arch)->name);
	str_copy(rec->variant, sizeof(rec->variant), run->opt->variant ? run->opt->variant : "");
	str_copy(rec->variant_source, sizeof(rec->variant_source), run->kernel);
	str_copy(rec->variant_cmdline, sizeof(rec->variant_cmdline),
		 run->opt->variant_cmdline ? run->opt->variant_cmdline : "");
	{
		struct err ignored; /* a missing series fails the image phase, with its reason */

		image_inputs_digest(run->kernel, run->opt->variant_config, rec->variant_inputs,
				    &ignored);
	}
	str_copy(rec->backend, sizeof(rec->backend), run->opt->backend->name);
	if (uname(&u) == 0) {
		str_copy(rec->host, sizeof(rec->host), u.nodename);
		str_copy(rec->host_kernel, sizeof(rec->host_kernel), u.release);
	}
	rec->host_cpus = (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	if (backend_uri(run->opt->backend, run->opt->connect))
		str_copy(rec->host_uri, sizeof(rec->host_uri),
			 backend_uri(run->opt->backend, run->opt->connect));
	if (sc->policy == POLICY_ONLINE_MOVABLE)
		snprintf(rec->expected_zone, sizeof(rec->expected_zone), "Movable");
	else if (sc->policy == POLICY_ONLINE_KERNEL)
		snprintf(rec->expected_zone, sizeof(rec->expected_zone), "Normal");
}

/* A probe's kernel log: the hotplug lines into the result, the records
 * into the parser of the kernel's reasons (klog.h). */
static void take_log(struct run *run, json_object *root)
{
	json_object *kmsg;

	if (json_object_object_get_ex(root, "kmsg", &kmsg) &&
	    json_object_is_type(kmsg, json_type_array))
		for (size_t i = 0; i < json_object_array_length(kmsg); i++) {
			json_object *line = json_object_array_get_idx(kmsg, i);

			if (!json_object_is_type(line, json_type_string))
				continue;
			result_add_kmsg(run->rec, json_object_get_string(line));
			onlining_note_kmsg(run->rec->onlining, json_object_get_string(line));
		}
	if (json_object_object_get_ex(root, "klog", &kmsg)) {
		run->rec->klog.have = true;
		klog_feed_json(&run->klog, root);
	}
}

/* Take a snapshot into run->last, keeping the kernel's log. */
static int probe(struct run *run, struct err *err)
{
	struct guest_snapshot s;
	int rc = guest_snapshot(run->vm, &s, run->env->now_ms() + PROBE_TIMEOUT_MS, err);

	if (rc)
		return err_wrap(err, rc, "probing the guest");
	run->klog.block_size = s.block_size;
	run->klog.page_size = s.page_size;
	take_log(run, s.raw);
	guest_snapshot_free(&run->last);
	run->last = s;
	return 0;
}

/* hotplug_ctx.watch: only the kernel log (memhp-probe kmsg), cheap enough
 * to read every few seconds while an unplug waits. */
static int watch(struct hotplug_ctx *ctx, struct err *err)
{
	static const char *const argv[] = { GUEST_PROBE, "kmsg", NULL };
	struct run *run = ctx->owner;
	json_object *root;
	char *out;
	int code, rc = guest_exec(run->vm, argv, &out, &code,
				  run->env->now_ms() + PROBE_TIMEOUT_MS, err);

	if (rc)
		return rc;
	root = json_tokener_parse(out);
	free(out);
	if (code || !root || !json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return err_set(err, "memhp-probe kmsg: no JSON object (an older probe?)"), -EBADMSG;
	}
	take_log(run, root);
	json_object_put(root);
	return 0;
}

static bool in_hotplugged_range(const struct run_record *rec, uint64_t start);

/* memhp-probe why (kpageflags only) for the blocks index[0..n): its array
 * of one object per block, in that order, or NULL. */
static json_object *why_blocks(struct run *run, const uint64_t *index, size_t n)
{
	const char **argv = calloc(n + 5, sizeof(*argv));
	char (*idx)[24] = calloc(n + 1, sizeof(*idx));
	json_object *blocks = NULL;
	char *out = NULL;
	struct err err;
	size_t argc = 0;
	int code;

	if (!argv || !idx)
		abort();
	argv[argc++] = GUEST_PROBE;
	argv[argc++] = "why";
	argv[argc++] = "--page-owner";
	argv[argc++] = "off";
	for (size_t i = 0; i < n; i++) {
		snprintf(idx[i], sizeof(idx[i]), "%" PRIu64, index[i]);
		argv[argc++] = idx[i];
	}
	if (guest_exec(run->vm, argv, &out, &code, run->env->now_ms() + PROBE_TIMEOUT_MS, &err) ||
	    code || guest_why_parse(out, &blocks, &err) || json_object_array_length(blocks) != n) {
		json_object_put(blocks);
		blocks = NULL;
	}
	free(out);
	free(idx);
	free(argv);
	return blocks;
}

/* hotplug_ctx.futile: the blocks as they are now, and whether every
 * hot-added one still present is stuck. The log decides where it says
 * something: its last failure since the unplug began was on an unmovable
 * page. Where it does not, what the block holds (klog_why_stuck), and
 * failing that the second look (klog_why_still) against what it held at
 * the window before, when the device gave nothing in between. */
static bool futile(struct hotplug_ctx *ctx)
{
	struct run *run = ctx->owner;
	uint64_t *silent, block_pages;
	struct why_look *looks = NULL;
	json_object *blocks = NULL;
	size_t n = 0, nsilent = 0;
	struct err err;
	bool yes, again;

	if (probe(run, &err))
		return false;
	silent = calloc(run->last.nblocks + 1, sizeof(*silent));
	if (!silent)
		abort();
	klog_finish(&run->klog);
	for (size_t i = 0; i < run->last.nblocks; i++) {
		if (!in_hotplugged_range(run->rec, run->last.blocks[i].start))
			continue;
		n++;
		if (!klog_block_stuck(klog_find(&run->klog, run->last.blocks[i].index),
				      run->unplug_us))
			silent[nsilent++] = run->last.blocks[i].index;
	}
	yes = n > 0;
	if (yes && nsilent) {
		blocks = why_blocks(run, silent, nsilent);
		looks = calloc(nsilent, sizeof(*looks));
		if (!looks)
			abort();
		yes = blocks != NULL;
	}
	/* The second look only across a window in which no block went and
	 * none gave a page: the same blocks, each as unplugged as before. */
	again = blocks && run->nlooks == nsilent;
	block_pages = run->sc->vmem_block_size / (run->klog.page_size ? run->klog.page_size : 4096);
	for (size_t i = 0; blocks && i < nsilent; i++) {
		json_object *why = json_object_array_get_idx(blocks, i);

		if (!klog_why_look(why, silent[i], &looks[i]))
			again = false;
		else if (again && (run->looks[i].index != silent[i] ||
				   run->looks[i].offline != looks[i].offline))
			again = false;
	}
	for (size_t i = 0; yes && blocks && i < nsilent; i++)
		yes = klog_why_stuck(json_object_array_get_idx(blocks, i), block_pages) ||
		      (again && klog_why_still(&looks[i], &run->looks[i]));
	free(run->looks);
	run->looks = blocks ? looks : NULL;
	run->nlooks = blocks ? nsilent : 0;
	if (!blocks)
		free(looks);
	json_object_put(blocks);
	free(silent);
	return yes;
}

/* The kernel's failed attempts per block, and what the log cost. */
static void keep_reasons(struct run *run)
{
	struct run_record *rec = run->rec;

	klog_finish(&run->klog);
	for (size_t i = 0; i < rec->nblocks; i++) {
		struct block_record *br = &rec->blocks[i];
		const char *device = NULL;

		for (size_t d = 0; d < rec->ndevices; d++)
			if (br->start >= rec->devices[d].addr &&
			    br->start < rec->devices[d].addr + rec->devices[d].plugged)
				device = rec->devices[d].id;
		json_object_put(br->kernel);
		br->kernel = klog_block_json(klog_find(&run->klog, br->index), device);
	}
	rec->klog.records = run->klog.records;
	rec->klog.lost = run->klog.lost;
	rec->klog.unmapped = run->klog.unmapped;
}

static bool in_hotplugged_range(const struct run_record *rec, uint64_t start)
{
	for (size_t i = 0; i < rec->ndevices; i++) {
		const struct device_record *d = &rec->devices[i];

		if (start >= d->addr && start < d->addr + d->plugged)
			return true;
	}
	return false;
}

/* Wait until every hot-added block is present and online, then record them. */
static int wait_online(struct run *run, struct err *err)
{
	struct run_record *rec = run->rec;
	int64_t deadline = run->env->now_ms() + run->sc->timeout_online_ms;
	uint64_t bytes = 0, bs;
	unsigned expected, online = 0, present;
	int wait_ms = 50;

	run->stayed_offline = 0; /* [run] cycles: this cycle's */
	for (size_t i = 0; i < rec->ndevices; i++)
		bytes += rec->devices[i].plugged;
	for (;;) {
		int rc = probe(run, err);

		if (rc)
			return rc;
		bs = run->last.block_size;
		expected = (unsigned)(bytes / bs);
		online = present = 0;
		for (size_t i = 0; i < run->last.nblocks; i++) {
			const struct guest_block *b = &run->last.blocks[i];

			present += in_hotplugged_range(rec, b->start);
			online += in_hotplugged_range(rec, b->start) && !strcmp(b->state, "online");
		}
		progress("%u/%u hot-added blocks online", online, expected);
		if (online >= expected)
			break;
		if (memhp_stop_signal)
			return err_set(err, "interrupted while waiting for blocks to come online"), -EINTR;
		/* issue 24: the VMM plugged DIMMs the guest never added (arm64
		 * without ACPI memory hotplug): not a failure to come online but
		 * nothing to measure; their outcome is unsupported. */
		if (run->env->now_ms() >= deadline && !present && run->sc->method == METHOD_DIMM) {
			fprintf(stderr, "memhp: warning: no hot-added block appeared in %" PRId64
				" ms: the guest did not add the DIMMs (unsupported)\n",
				run->sc->timeout_online_ms);
			run->none_appeared = true;
			bytes = 0;
			break;
		}
		/* [faults] going_online: the guest is meant to fail onlining.
		 * Every block present, some still offline at the deadline, is
		 * what the injection did, not a failure: the unplug then shows
		 * whether the failed add can be undone (docs/faults.md). */
		if (run->env->now_ms() >= deadline && faults_may_fail_online(run->sc) &&
		    present >= expected) {
			run->stayed_offline = present - online;
			fprintf(stderr, "memhp: %u of %u hot-added blocks stayed offline "
				"([faults])\n", run->stayed_offline, present);
			break;
		}
		if (run->env->now_ms() >= deadline)
			return err_set(err, "only %u of %u hot-added blocks online after %" PRId64 " ms",
				       online, expected, run->sc->timeout_online_ms), -ETIMEDOUT;
		run->env->sleep_ms(wait_ms);
		if (wait_ms < 1000)
			wait_ms *= 2;
	}
	rec->count.block_size = bs;
	rec->count.bytes_plugged = bytes;
	rec->count.have_plugged = true;
	for (size_t i = 0; i < run->last.nblocks; i++) {
		const struct guest_block *b = &run->last.blocks[i];
		struct block_record *br;

		if (!in_hotplugged_range(rec, b->start))
			continue;
		br = result_add_block(rec);
		br->index = b->index;
		br->start = b->start;
		br->have_node = b->have_node;
		br->node = b->node;
		if (strcmp(b->state, "online"))
			continue; /* no zone: never onlined (an injected failure) */
		str_copy(br->zone, sizeof(br->zone), b->zone);
		if (*rec->expected_zone && strcmp(b->zone, rec->expected_zone))
			rec->zone_mismatches++;
	}
	rec->count.hotplugged = (unsigned)rec->nblocks;
	return 0;
}

#define SAMPLE_PROBE_MS 1000

/* hotplug_ctx.sample: a timeline point with the guest's block count, probed
 * at most once a second (between probes the last count stands). */
static void sample(struct hotplug_ctx *ctx, int64_t t_ms, uint64_t bytes)
{
	struct run *run = ctx->owner;
	struct err err;

	if (run->env->now_ms() - run->last_sample >= SAMPLE_PROBE_MS && !probe(run, &err)) {
		run->blocks_present = 0;
		for (size_t i = 0; i < run->last.nblocks; i++)
			run->blocks_present += in_hotplugged_range(run->rec, run->last.blocks[i].start);
		run->last_sample = run->env->now_ms();
	}
	result_add_timeline(run->rec, t_ms, bytes, run->blocks_present);
	progress("%u/%zu hot-added blocks removed, %" PRIu64 " MiB still plugged",
		 (unsigned)run->rec->nblocks - run->blocks_present, run->rec->nblocks, bytes >> 20);
}

static bool same_blocks(const struct guest_snapshot *a, const struct guest_snapshot *b)
{
	if (a->nblocks != b->nblocks)
		return false;
	for (size_t i = 0; i < a->nblocks; i++)
		if (a->blocks[i].index != b->blocks[i].index ||
		    strcmp(a->blocks[i].state, b->blocks[i].state) ||
		    strcmp(a->blocks[i].zone, b->blocks[i].zone))
			return false;
	return true;
}

/* A hot-added block still present but not online: offlined and on its way
 * out (virtio-mem and ACPI eject remove a block only after offlining it), or
 * stuck there. */
static bool in_passage(const struct run *run, const struct guest_snapshot *s)
{
	for (size_t i = 0; i < run->rec->nblocks; i++) {
		const struct guest_block *b = guest_find_block(s, run->rec->blocks[i].index);

		if (b && strcmp(b->state, "online"))
			return true;
	}
	return false;
}

/*
 * After unplug the guest may still be offlining or removing: probe until two
 * snapshots in a row agree and no hot-added block is offline but present, or
 * the settle window ends. Under host load the step from offline to removed
 * can take longer than one probe interval; a block counted in that step would
 * be counted as offline although it was on its way out.
 */
static int settle(struct run *run, struct err *err)
{
	int64_t deadline = run->env->now_ms() + run->sc->settle_ms;
	int rc = probe(run, err);

	while (!rc && run->env->now_ms() < deadline) {
		struct guest_snapshot prev = run->last;
		bool done;

		run->last = (struct guest_snapshot){ 0 };
		run->env->sleep_ms(200);
		rc = probe(run, err);
		done = !rc && same_blocks(&prev, &run->last) && !in_passage(run, &run->last);
		guest_snapshot_free(&prev);
		if (done)
			break;
	}
	return rc;
}

/* The count: what became of every block that was hot-added and onlined. */
static void count_blocks(struct run *run)
{
	struct run_record *rec = run->rec;
	struct count *c = &rec->count;

	c->removed = c->offline = c->online_movable = c->online_normal = c->online_other = 0;
	for (size_t i = 0; i < rec->nblocks; i++) {
		struct block_record *br = &rec->blocks[i];
		const struct guest_block *b = guest_find_block(&run->last, br->index);

		br->final_zone[0] = '\0';
		if (!b) {
			br->final = FINAL_REMOVED;
			c->removed++;
		} else if (strcmp(b->state, "online")) {
			br->final = FINAL_OFFLINE;
			c->offline++;
		} else {
			br->final = FINAL_ONLINE;
			str_copy(br->final_zone, sizeof(br->final_zone), b->zone);
			if (!strcmp(b->zone, "Movable"))
				c->online_movable++;
			else if (!strcmp(b->zone, "Normal"))
				c->online_normal++;
			else
				c->online_other++;
		}
	}
	c->bytes_remaining = 0;
	for (size_t i = 0; i < rec->ndevices; i++)
		c->bytes_remaining += rec->devices[i].remaining;
	c->have_final = true;
}

/* memhp's, then the scenario's, then the variant's: for a parameter given
 * twice the kernel keeps the last, so a variant can override the rest.
 * no_timer_check: under TCG on a loaded host the guest's IO-APIC timer test
 * can miss its window and panic the boot ("IO-APIC + timer doesn't work");
 * the check is for broken hardware, which an emulated machine is not. */
static void make_cmdline(const struct scenario *sc, const struct hotplug_ops *hp,
			 const char *console, const char *root,
			 const char *extra, char *buf, size_t len)
{
	char policy[512];

	scenario_policy_cmdline(sc, policy, sizeof(policy));
	if (hp->cmdline)
		hp->cmdline(sc, policy, sizeof(policy));
	snprintf(buf, len, "console=%s rdinit=/init panic=-1 no_timer_check %s%s%s%s%s%s", console,
		 root, policy,
		 *sc->cmdline ? " " : "", sc->cmdline, extra && *extra ? " " : "",
		 extra ? extra : "");
}

/* Whether the kernel's configuration (build: kernels keep it next to the
 * bzImage) has CONFIG_PAGE_OWNER=y; false when unknown (deb: images). */
static bool kernel_has_page_owner(const struct image *img)
{
	char path[4300], line[256];
	bool yes = false;
	FILE *f;

	if (!*img->build)
		return false;
	snprintf(path, sizeof(path), "%s/config", img->build);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!yes && fgets(line, sizeof(line), f))
		yes = !strcmp(line, "CONFIG_PAGE_OWNER=y\n");
	fclose(f);
	return yes;
}

/* [probe] page_owner: boot with page_owner=on (on; auto where the kernel
 * has it). */
static bool page_owner_boot(const struct run *run)
{
	return run->sc->page_owner == PAGE_OWNER_ON ||
	       (run->sc->page_owner == PAGE_OWNER_AUTO && kernel_has_page_owner(&run->img));
}

static void append_page_owner(const struct run *run, char *buf, size_t len)
{
	size_t n = strlen(buf);

	if (page_owner_boot(run) && n + sizeof(" page_owner=on") <= len)
		snprintf(buf + n, len - n, " page_owner=on");
}

/* Checks that need the running guest's block size. */
static int check_block_size(struct run *run, struct err *err)
{
	uint64_t bs = run->last.block_size;
	char b1[32], b2[32];

	if (run->sc->method == METHOD_DIMM && run->sc->dimm_size % bs)
		return err_set(err, "dimm_size %s is not a multiple of the guest's memory block "
			       "size %s", format_size(run->sc->dimm_size, b1, sizeof(b1)),
			       format_size(bs, b2, sizeof(b2))), -EINVAL;
	if (run->sc->total % bs)
		return err_set(err, "hotplug total %s is not a multiple of the guest's memory "
			       "block size %s", format_size(run->sc->total, b1, sizeof(b1)),
			       format_size(bs, b2, sizeof(b2))), -EINVAL;
	return 0;
}

/* The guest's root (--image): the initramfs, or a disk and its boot initramfs. */
static int resolve_root(struct run *run, struct err *err)
{
	struct run_record *rec = run->rec;
	const char *spec = run->opt->image ? run->opt->image : IMAGE_DEFAULT;
	int rc = run->env->disk(spec, &run->img, run->opt->modules, &run->disk, err);

	str_copy(rec->image_spec, sizeof(rec->image_spec), spec);
	if (rc)
		return rc;
	str_copy(rec->image_kind, sizeof(rec->image_kind), image_kind_name(run->disk.kind));
	str_copy(rec->image_hash, sizeof(rec->image_hash),
		 run->disk.kind == IMAGE_INITRAMFS ? run->img.key : run->disk.hash);
	return 0;
}

static int read_whole(const char *path, char **data, size_t *len, struct err *err)
{
	FILE *f = fopen(path, "rbe");
	long n;

	if (!f)
		return err_fail(err, -errno, "%s: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return err_fail(err, -EIO, "%s: cannot size it", path);
	}
	*data = malloc((size_t)n + 1);
	if (!*data)
		abort();
	*len = fread(*data, 1, (size_t)n, f);
	fclose(f);
	if (*len != (size_t)n) {
		free(*data);
		return err_fail(err, -EIO, "%s: short read", path);
	}
	return 0;
}

/*
 * First contact with a disk image's guest: memory hotplug in its kernel, and
 * memhp-probe, uploaded through the agent when the image lacks it. Each
 * failure names the missing piece (docs/images.md).
 */
static int first_contact(struct run *run, struct err *err)
{
	static const char *const chmod_argv[] = { "/bin/chmod", "0755", GUEST_PROBE, NULL };
	int64_t deadline = run->env->now_ms() + PROBE_TIMEOUT_MS;
	char *data = NULL, *out;
	size_t len = 0;
	int rc, code;

	if (guest_file_readable(run->vm, "/sys/devices/system/memory/block_size_bytes",
				deadline, err))
		return err_set(err, "the guest kernel has no memory hotplug: "
			       "/sys/devices/system/memory is missing (it needs "
			       "CONFIG_MEMORY_HOTPLUG and ACPI memory hotplug or virtio-mem; "
			       "see docs/images.md)"), -ENOTSUP;
	if (run->disk.has_probe)
		return 0;
	rc = read_whole(memhp_probe_path(), &data, &len, err);
	if (rc)
		return err_wrap(err, rc, "reading memhp-probe (run 'make')");
	rc = guest_upload(run->vm, GUEST_PROBE, data, len, deadline, err);
	free(data);
	if (rc)
		return err_wrap(err, rc, "cannot upload memhp-probe to %s through the guest agent "
				"(guest-file-open/write)", GUEST_PROBE);
	rc = guest_exec(run->vm, chmod_argv, &out, &code, deadline, err);
	if (rc)
		return err_wrap(err, rc, "cannot make memhp-probe executable (guest-exec of "
				"/bin/chmod)");
	free(out);
	if (code)
		return err_set(err, "/bin/chmod 0755 %s failed in the guest with status %d",
			       GUEST_PROBE, code), -ECHILD;
	return 0;
}

/* From the image's image.json: a deb: kernel's suite and packages
 * (kernel.package) and what its configuration says about onlining. */
static void keep_image_facts(struct run_record *rec, const char *dir)
{
	char path[4300];
	json_object *meta, *v, *pkgs, *kconfig = NULL;

	snprintf(path, sizeof(path), "%s/image.json", dir);
	meta = json_object_from_file(path);
	json_object_put(rec->kernel_package);
	rec->kernel_package = NULL;
	if (meta && json_object_object_get_ex(meta, "packages", &pkgs) &&
	    json_object_is_type(pkgs, json_type_array) && json_object_array_length(pkgs)) {
		rec->kernel_package = json_object_new_object();
		json_object_object_add(rec->kernel_package, "suite",
				       json_object_object_get_ex(meta, "suite", &v) ?
					       json_object_get(v) : NULL);
		json_object_object_add(rec->kernel_package, "packages", json_object_get(pkgs));
	}
	if (meta)
		json_object_object_get_ex(meta, "kconfig", &kconfig);
	json_object_put(rec->onlining);
	rec->onlining = onlining_new(kconfig);
	json_object_put(meta);
}

static int phase_image(struct run *run, struct err *err)
{
	struct run_record *rec = run->rec;
	int rc;

	if (scenario_check_arch(run->sc, run->arch, err))
		return -EINVAL;
	if (run->arch != ARCH_X86_64 && run->opt->image && strcmp(run->opt->image, "initramfs"))
		return err_fail(err, -EINVAL, "--image %s: %s guests boot memhp's initramfs only",
				run->opt->image, arch_get(run->arch)->name);
	rc = run->env->image(run->kernel, run->opt->modules, run->opt->variant_config,
			     arch_get(run->arch)->name, &run->img, err);
	if (rc)
		return rc;
	str_copy(rec->image_key, sizeof(rec->image_key), run->img.key);
	str_copy(rec->kernel_release, sizeof(rec->kernel_release), run->img.release);
	keep_image_facts(rec, run->img.dir);
	onlining_note_asked(rec->onlining, run->sc);
	if (*run->img.build) {
		char path[4300];

		snprintf(path, sizeof(path), "%s/kernel.json", run->img.build);
		json_object_put(rec->kernel_build);
		rec->kernel_build = json_object_from_file(path);
	}
	return resolve_root(run, err);
}

static int phase_boot(struct run *run, struct err *err)
{
	const struct scenario *sc = run->sc;
	const struct run_options *opt = run->opt;
	struct run_record *rec = run->rec;
	char serial[4200], qlog[4200], cmdline[2048], qemu[4200];
	bool disk = run->disk.kind != IMAGE_INITRAMFS;
	struct vm_virtio_mem vmem;
	struct vm_config cfg;
	enum accel accel;
	int rc;

	rc = vm_resolve_accel(opt->backend, opt->connect,
			      opt->accel >= 0 ? (unsigned)opt->accel : sc->accel, &accel,
			      rec->accel_reason, sizeof(rec->accel_reason), err);
	if (rc)
		return rc;
	str_copy(rec->accel, sizeof(rec->accel), accel == ACCEL_USE_KVM ? "kvm" : "tcg");
	fprintf(stderr, "memhp: accel   %s (%s)\n", rec->accel, rec->accel_reason);

	snprintf(serial, sizeof(serial), "%s/serial.log", opt->outdir);
	snprintf(qlog, sizeof(qlog), "%s/qemu.log", opt->outdir);
	make_cmdline(sc, run->hp, arch_get(run->arch)->console,
		     run->disk.kind == IMAGE_DEBIAN ? "root=/dev/vda " : "",
		     run->opt->variant_cmdline, cmdline, sizeof(cmdline));
	append_page_owner(run, cmdline, sizeof(cmdline));
	rec->cmdline = strdup(cmdline);
	cfg = (struct vm_config){
		.kernel = run->img.kernel, .initrd = run->img.initrd,
		.cmdline = cmdline, .serial_log = serial, .qemu_log = qlog,
		.machine = scenario_machine(sc, run->arch), .tcg_cpu = arch_get(run->arch)->tcg_cpu,
		.firmware = arch_get(run->arch)->firmware, .accel = accel, .cpus = sc->cpus,
		.memory = sc->memory,
		.maxmem = scenario_maxmem(sc), .slots = scenario_slots(sc),
		.free_page_reporting = sc->free_page_reporting, .nodes = sc->nodes,
		.file_backend = sc->memory_backend == BACKEND_FILE ? sc->backend_path : NULL,
		.qmp.binary = arch_qemu(run->arch, opt->qemu, qemu, sizeof(qemu)),
		.libvirt.connect = opt->connect,
	};
	if (disk) {
		cfg.initrd = run->disk.initrd;
		cfg.disk = run->disk.disk;
		cfg.disk_format = run->disk.format;
	}
	run->hp->configure(sc, &cfg, &vmem);
	run->vm_started = run->env->now_ms();
	cfg.boot_deadline = run->vm_started + sc->timeout_boot_ms;
	rc = vm_start(opt->backend, &cfg, &run->vm, err);
	if (rc == -ETIMEDOUT && disk && run->vm == NULL && !memhp_stop_signal)
		err_set(err, "%s: no guest agent within the boot timeout: the image needs "
			"qemu-guest-agent installed and enabled on the virtio-serial port "
			"org.qemu.guest_agent.0, and a root file system the boot initramfs can "
			"mount (see serial.log and docs/images.md)", run->disk.spec);
	if (!rc && disk)
		rc = first_contact(run, err);
	if (!rc) {
		rc = probe(run, err);
		if (rc && disk)
			err_wrap(err, rc, "memhp-probe does not run in the guest");
	}
	if (!rc)
		rc = check_block_size(run, err);
	if (rc)
		return rc;
	str_copy(rec->vmm_version, sizeof(rec->vmm_version), vm_version(run->vm));
	vm_host_info(run->vm, rec->host, sizeof(rec->host), rec->host_kernel,
		     sizeof(rec->host_kernel), &rec->host_cpus);
	str_copy(rec->kernel_release, sizeof(rec->kernel_release), run->last.release);
	run->ctx = (struct hotplug_ctx){ .vm = run->vm, .sc = sc, .rec = rec,
					 .vm_started = run->vm_started, .progress = progress,
					 .sample = sample, .owner = run,
					 .block_size = run->last.block_size, .klog = &run->klog,
					 .watch = watch, .futile = futile,
					 .log_refusals = run->arch == ARCH_PPC64LE };
	return 0;
}

/* The emulator's RSS now, into one of the run's three points. */
static void note_rss(struct run *run, bool *have, uint64_t *bytes)
{
	uint64_t v = vm_rss(run->vm);

	*have = v > 0;
	*bytes = v;
}

static int phase_plug(struct run *run, struct err *err)
{
	int rc;

	note_rss(run, &run->rec->vmm_rss.have_before, &run->rec->vmm_rss.before);
	rc = faults_set(run->vm, run->sc, "plug", false, &run->rec->faults, err);
	return rc ? rc : run->hp->plug(&run->ctx, err);
}

static int phase_online(struct run *run, struct err *err)
{
	struct run_record *rec = run->rec;
	int rc = wait_online(run, err);
	struct err e2;

	/* Disarmed whatever came of it; the first failure is the run's. */
	if (faults_set(run->vm, run->sc, "plug", true, &rec->faults,
		       rc ? &e2 : err) && !rc)
		return -EIO;
	if (!rc && faults_may_fail_online(run->sc)) {
		json_object *ph;

		if (rec->faults && json_object_object_get_ex(rec->faults, "plug", &ph))
			json_object_object_add(ph, "stayed_offline",
					       json_object_new_int64(run->stayed_offline));
	}
	if (!rc)
		onlining_note_zones(rec->onlining, rec);
	if (!rc && rec->zone_mismatches) {
		char why[256];

		onlining_zone_text(rec, why, sizeof(why));
		fprintf(stderr, "memhp: warning: zone mismatch: %s\n", why);
	}
	return rc;
}

static uint64_t meminfo_bytes(json_object *snapshot, const char *key)
{
	json_object *mi, *v;

	if (!json_object_object_get_ex(snapshot, "meminfo", &mi) ||
	    !json_object_object_get_ex(mi, key, &v) || !json_object_is_type(v, json_type_int) ||
	    json_object_get_int64(v) < 0 || json_object_get_uint64(v) > UINT64_MAX / 1024)
		return 0;
	return json_object_get_uint64(v) * 1024;
}

static int phase_workload(struct run *run, struct err *err)
{
	const struct run_options *opt = run->opt;
	const struct scenario *sc = run->sc;
	int rc;

	if (*sc->mix) {
		json_object *rec = json_object_new_object(), *mi;

		json_object_put(run->rec->workload); /* [run] cycles: the last cycle's */
		run->rec->workload = rec;
		if (json_object_object_get_ex(run->last.raw, "meminfo", &mi))
			json_object_object_add(rec, "meminfo_before", json_object_get(mi));
		progress("allocating");
		rc = workload_start(run->vm, sc, meminfo_bytes(run->last.raw, "MemTotal"),
				    meminfo_bytes(run->last.raw, "MemAvailable"), rec, progress, err);
		if (!rc)
			rc = workload_hold(run->vm, sc, progress, err);
		if (!rc && sc->during_unplug == DURING_UNPLUG_STOP)
			rc = workload_stop(run->vm, sc, rec, err);
		if (rc)
			return rc;
	}
	if (opt->before_unplug)
		return opt->before_unplug(opt->before_unplug_arg, run->vm, err);
	return 0;
}

/*
 * issue 24: a DIMM none of whose memory ever became a block in the guest
 * was not removed, whatever the VMM says (arm64's DEVICE_DELETED comes at
 * once for a DIMM the guest never added): its outcome is unsupported.
 */
void runner_mark_unsupported(struct run_record *rec)
{
	for (size_t i = 0; i < rec->ndevices; i++) {
		struct device_record *d = &rec->devices[i];
		bool seen = false;

		if (strcmp(d->kind, "dimm") || d->outcome == OUTCOME_NOT_TRIED)
			continue;
		for (size_t b = 0; b < rec->nblocks && !seen; b++)
			seen = rec->blocks[b].start >= d->addr &&
			       rec->blocks[b].start < d->addr + d->plugged;
		if (seen)
			continue;
		snprintf(d->detail, sizeof(d->detail),
			 "the guest never added this DIMM's memory (no memory block appeared; "
			 "VMM said %s): nothing was removed", result_outcome_name(d->outcome));
		d->outcome = OUTCOME_UNSUPPORTED;
		d->remaining = 0;
	}
}

static void mark_unsupported(struct run_record *rec)
{
	runner_mark_unsupported(rec);
}

static int phase_unplug(struct run *run, struct err *err)
{
	struct err e2;
	int rc;

	note_rss(run, &run->rec->vmm_rss.have_loaded, &run->rec->vmm_rss.loaded);
	/* Failures from here on are this unplug's. */
	run->unplug_us = run->klog.last_us + 1;
	free(run->looks);
	run->looks = NULL;
	run->nlooks = 0;
	klog_progress(&run->klog);
	rc = faults_set(run->vm, run->sc, "unplug", false, &run->rec->faults,
			err);
	if (!rc)
		rc = run->hp->unplug(&run->ctx, err);
	if (faults_set(run->vm, run->sc, "unplug", true, &run->rec->faults,
		       rc ? &e2 : err) && !rc)
		return -EIO;
	mark_unsupported(run->rec);
	return rc;
}

/* The why report's findings over all blocks (page_owner's status and cost,
 * the memmap chain), kept in the result as "why_probe". */
static void keep_why_probe(struct run_record *rec, json_object *root)
{
	static const char *const keys[] = { "page_owner", "memmap_chain" };
	json_object *v;

	if (!root || !json_object_is_type(root, json_type_object))
		return;
	json_object_put(rec->why_probe);
	rec->why_probe = json_object_new_object();
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (json_object_object_get_ex(root, keys[i], &v) &&
		    json_object_is_type(v, json_type_object))
			json_object_object_add(rec->why_probe, keys[i], json_object_get(v));
}

/* For every hot-added block still present: what its pages are. */
static int examine_remaining(struct run *run, struct err *err)
{
	struct run_record *rec = run->rec;
	const char **argv = calloc(rec->nblocks + 5, sizeof(*argv));
	char (*idx)[24] = calloc(rec->nblocks + 1, sizeof(*idx));
	size_t n = 0;
	json_object *blocks = NULL;
	char *out = NULL;
	int code, rc = 0;

	argv[n++] = GUEST_PROBE;
	argv[n++] = "why";
	argv[n++] = "--page-owner";
	argv[n++] = scenario_page_owner_name(run->sc->page_owner);
	for (size_t i = 0; i < rec->nblocks; i++) {
		if (rec->blocks[i].final == FINAL_REMOVED)
			continue;
		snprintf(idx[i], sizeof(idx[i]), "%" PRIu64, rec->blocks[i].index);
		argv[n++] = idx[i];
	}
	if (n > 4)
		rc = guest_exec(run->vm, argv, &out, &code,
				run->env->now_ms() + WHY_TIMEOUT_MS, err);
	if (n > 4 && !rc)
		rc = guest_why_parse(out, &blocks, err);
	if (blocks) { /* the shapes are checked: the rest is kept as it came */
		json_object *root = json_tokener_parse(out);

		keep_why_probe(rec, root);
		json_object_put(root);
	}
	/* guest_why_parse checked the shapes: objects with an integer index. */
	for (size_t k = 0; blocks && k < json_object_array_length(blocks); k++) {
		json_object *b = json_object_array_get_idx(blocks, k), *v;
		uint64_t index = json_object_object_get_ex(b, "index", &v) ?
					 json_object_get_uint64(v) : UINT64_MAX;

		for (size_t i = 0; i < rec->nblocks; i++)
			if (rec->blocks[i].index == index) {
				json_object_put(rec->blocks[i].why);
				rec->blocks[i].why = json_object_get(b);
			}
	}
	json_object_put(blocks);
	free(out);
	free(argv);
	free(idx);
	return rc;
}

static int phase_settle(struct run *run, struct err *err)
{
	int rc = settle(run, err);

	if (rc)
		return rc;
	count_blocks(run);
	keep_reasons(run);
	faults_count_kmsg(run->rec->faults, run->rec->kmsg, run->rec->nkmsg);
	note_rss(run, &run->rec->vmm_rss.have_after, &run->rec->vmm_rss.after);
	rc = examine_remaining(run, err);
	if (rc)
		return rc;
	run->rec->probe_final = json_object_get(run->last.raw);
	if (*run->sc->mix && run->sc->during_unplug == DURING_UNPLUG_KEEP)
		return workload_stop(run->vm, run->sc, run->rec->workload, err);
	return 0;
}

static const struct {
	enum phase phase;
	int (*fn)(struct run *run, struct err *err);
} phases[] = {
	{ PHASE_IMAGE, phase_image },
	{ PHASE_BOOT, phase_boot },
	{ PHASE_PLUG, phase_plug },
	{ PHASE_ONLINE, phase_online },
	{ PHASE_WORKLOAD, phase_workload },
	{ PHASE_UNPLUG, phase_unplug },
	{ PHASE_SETTLE, phase_settle },
};

static int run_phases(struct run *run, enum phase *phase, struct err *err)
{
	json_object *before = NULL;
	unsigned cycle = 1;

again:
	for (size_t i = 0; i < ARRAY_SIZE(phases); i++) {
		int64_t t = run->env->now_ms();
		int rc;

		if (cycle > 1 && phases[i].phase < PHASE_PLUG)
			continue;
		if (phases[i].phase == PHASE_PLUG && run->sc->cycles > 1)
			before = cycles_measure(run->last.raw);
		if (phases[i].phase == PHASE_WORKLOAD && !run->opt->before_unplug && !*run->sc->mix)
			continue;
		*phase = phases[i].phase;
		/* A stop signal starts no new phase, whether or not the last
		 * one's waits noticed it. */
		if (memhp_stop_signal)
			return err_fail(err, -EINTR, "interrupted before %s",
					result_phase_name(*phase));
		phase_begin(*phase);
		rc = phases[i].fn(run, err);
		if (rc) {
			json_object_put(before);
			return rc;
		}
		phase_end(run->rec, *phase, t);
		if (run->last.raw)
			onlining_note_snapshot(run->rec->onlining, result_phase_name(*phase),
					       run->last.raw);
	}
	if (run->sc->cycles > 1) {
		cycles_note(run->rec, cycle, before, cycles_measure(run->last.raw));
		before = NULL;
		/* A cycle whose hot-add [faults] failed whole left nothing to
		 * give back: the next one tries again. */
		if (cycle < run->sc->cycles &&
		    (cycles_all_removed(run->rec) ||
		     (!run->rec->ndevices && faults_may_fail_online(run->sc)))) {
			fprintf(stderr, "memhp: cycle %u of %u done\n", cycle, run->sc->cycles);
			cycles_reset(run->rec);
			cycle++;
			goto again;
		}
	}
	return 0;
}

static int64_t self_cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
}

/*
 * The results directory refused the result (disk full, read-only, gone):
 * nothing measured may be lost, so it goes to a fresh directory under
 * $TMPDIR, and err says where.
 */
static void keep_elsewhere(const struct run_record *rec, struct err *err)
{
	const char *tmp = getenv("TMPDIR");
	char dir[4096];
	struct err e2;
	size_t used;

	snprintf(dir, sizeof(dir), "%s/memhp-unsaved-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return;
	if (result_write(rec, dir, &e2)) {
		rmdir(dir);
		return;
	}
	used = strlen(err->msg);
	snprintf(err->msg + used, sizeof(err->msg) - used,
		 "; the result was written to %s/result.json instead", dir);
}

/* A failed run whose guest kernel oopsed, hit a BUG or panicked says so:
 * the probe or agent that died with it reports only its exit status. The
 * report's headline joins the run's kernel log, where compare counts it as
 * the kernel's failure, not the infrastructure's. */
static void note_oops(struct run_record *rec, const char *outdir)
{
	char path[4200], head[256], sum[512];
	bool logged = false;
	size_t used;

	snprintf(path, sizeof(path), "%s/serial.log", outdir);
	if (!oops_find(path, head, sizeof(head), sum, sizeof(sum)))
		return;
	for (size_t i = 0; i < rec->nkmsg && !logged; i++)
		logged = rec->kmsg[i] && strstr(rec->kmsg[i], head);
	if (!logged)
		result_add_kmsg(rec, head);
	if (strstr(rec->reason, head))
		return;
	used = strlen(rec->reason);
	snprintf(rec->reason + used, sizeof(rec->reason) - used, "%sthe guest's kernel: %s",
		 used ? "; " : "", sum);
}

const struct runner_env runner_env_real = {
	.image = image_resolve_arch,
	.disk = image_resolve_disk,
	.now_ms = now_ms,
	.sleep_ms = sleep_ms,
};

int runner_run(const struct scenario *sc, const struct run_options *opt,
	       const struct runner_env *env, struct run_record *rec, struct err *err)
{
	int64_t wall0 = env->now_ms(), cpu0 = self_cpu_ms();
	struct run run = { .sc = sc, .opt = opt, .env = env, .rec = rec,
			   .hp = hotplug_for_scenario(sc),
			   .arch = opt->arch >= 0 ? (unsigned)opt->arch : sc->arch };
	struct err run_err = { "" };
	enum phase phase = PHASE_IMAGE;
	char why[96] = "";
	int rc;

	run.kernel = arch_kernel(run.arch, opt->kernel, IMAGE_DEFAULT_KERNEL);
	progress_state.tty = opt->progress_tty;
	progress_state.now_ms = env->now_ms;
	result_init(rec);
	klog_init(&run.klog, 0);
	fill_header(&run);
	rc = run_phases(&run, &phase, &run_err);
	if (run.vm) {
		rec->vmm_peak_rss = vm_peak_rss(run.vm);
		vm_stop(run.vm, why, sizeof(why));
	}
	guest_snapshot_free(&run.last);
	if (rc && rec->nblocks)
		keep_reasons(&run); /* a failed run keeps what the kernel said */
	klog_free(&run.klog);
	free(run.looks);
	if (progress_state.tty)
		fputs("\r\033[K", stderr);
	if (rc) {
		str_copy(rec->failed_phase, sizeof(rec->failed_phase), result_phase_name(phase));
		if (rc == -EINTR || memhp_stop_signal) {
			rec->status = RUN_INTERRUPTED;
			const char *sig = sigabbrev_np(memhp_stop_signal ? memhp_stop_signal : SIGINT);

			snprintf(rec->reason, sizeof(rec->reason), "interrupted by SIG%s during %s",
				 sig ? sig : "?", result_phase_name(phase));
		} else {
			rec->status = RUN_FAILED;
			rec->host_failure = rc == -EHOSTDOWN;
			str_copy(rec->reason, sizeof(rec->reason), run_err.msg);
		}
		/* The VMM had ended before memhp stopped it: say how, unless
		 * the reason does already (QEMU's death seen on its socket). */
		if (*why && !strstr(rec->reason, why)) {
			size_t used = strlen(rec->reason);

			snprintf(rec->reason + used, sizeof(rec->reason) - used,
				 "%sthe VM had ended: %s", used ? "; " : "", why);
		}
		if (rec->status == RUN_FAILED)
			note_oops(rec, opt->outdir);
	}
	rec->wall_ms = env->now_ms() - wall0;
	rec->cpu_ms = self_cpu_ms() - cpu0;
	rc = result_write(rec, opt->outdir, err);
	if (rc)
		keep_elsewhere(rec, err);
	return rc;
}

const char *runner_default_qemu(void)
{
	const char *q = getenv("MEMHP_QEMU");

	return q && *q ? q : "qemu-system-x86_64";
}
