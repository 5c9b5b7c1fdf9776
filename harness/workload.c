// SPDX-License-Identifier: GPL-2.0-only
/*
 * The workload phase: the scenario's [workload] mix started, watched and
 * stopped in the guest by memhp-probe's load holder (workload.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "guest.h"
#include "mix.h"
#include "scenario.h"
#include "signals.h"
#include "str.h"
#include "workload.h"

/* Leave this much of MemAvailable alone, so the agent and the kernel breathe. */
#define FILL_RESERVE (192ULL << 20)
#define EXEC_TIMEOUT_MS (2 * 60 * 1000)
#define STOP_TIMEOUT_MS (2 * 60 * 1000)
/* Past STOP_TIMEOUT_MS a stop (or tidy) goes on a window at a time while
 * QEMU says the guest's vCPUs are busy, up to STOP_PATIENCE_MS in all:
 * unlinking the dentries kind's million files takes minutes under TCG on a
 * loaded host, and a stop that is only slow is no failure of the run. */
#define STOP_WINDOW_MS (60 * 1000)
#define STOP_PATIENCE_MS (20 * 60 * 1000)
/* Reading the holder's progress file: how often, and how long one agent
 * call may take before memhp counts the agent as silent. */
#define POLL_MS 1000
#define AGENT_CALL_MS 10000
/* The holder rewrites its file every second; this long without a rewrite
 * and memhp looks whether it still exists. */
#define HEARTBEAT_STALE_MS 20000
/* A silent agent is pinged after 1 s, 2 s, 4 s … at most this. */
#define PING_BACKOFF_MAX_MS 16000
/* During the hold: a ping this often. */
#define HOLD_CHECK_MS 10000
/* The rate shown is over about this long. */
#define RATE_WINDOW_MS 5000
/* QEMU using less than this share of one CPU is idle, not busy. */
#define BUSY_CPU_SHARE 0.10

static const char *const kind_states[] = { "pending", "allocating", "done" };

void workload_watch_init(struct workload_watch *w, int64_t now)
{
	memset(w, 0, sizeof(*w));
	w->seq_t = w->grew_t = w->answer_t = now;
}

static int state_of(const char *s)
{
	for (int i = 0; i < 3; i++)
		if (!strcmp(s, kind_states[i]))
			return i;
	return -1;
}

int workload_watch_update(struct workload_watch *w, const char *json, int64_t now)
{
	json_object *root = json_tokener_parse(json), *kinds, *v;
	uint64_t total = 0;
	size_t n;

	if (!root || !json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "kinds", &kinds) ||
	    !json_object_is_type(kinds, json_type_array)) {
		json_object_put(root);
		return -EBADMSG;
	}
	n = json_object_array_length(kinds);
	if (n > ARRAY_SIZE(w->k))
		n = ARRAY_SIZE(w->k);
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(kinds, i);
		struct workload_kind_seen *k = &w->k[i];
		uint64_t got;
		int st;

		if (i >= w->n) {
			memset(k, 0, sizeof(*k));
			str_copy(k->kind, sizeof(k->kind), json_object_object_get_ex(o, "kind", &v) ?
				 json_object_get_string(v) : "?");
		}
		k->want = json_object_object_get_ex(o, "want", &v) ? json_object_get_uint64(v) : 0;
		got = json_object_object_get_ex(o, "got", &v) ? json_object_get_uint64(v) : 0;
		st = json_object_object_get_ex(o, "state", &v) ? state_of(json_object_get_string(v)) : -1;
		k->state = st < 0 ? 0 : st;
		k->ms = json_object_object_get_ex(o, "ms", &v) ? json_object_get_int64(v) : 0;
		str_copy(k->error, sizeof(k->error), json_object_object_get_ex(o, "error", &v) ?
			 json_object_get_string(v) : "");
		if (k->state >= 1 && !k->first_t) {
			k->first_t = k->t_then = now;
			k->got_then = 0;
		}
		if (k->state == 2 && k->ms > 0) {
			k->rate = (double)got * 1000.0 / (double)k->ms;
		} else if (k->first_t && now - k->t_then >= RATE_WINDOW_MS) {
			k->rate = (double)(got - (got > k->got_then ? k->got_then : got)) * 1000.0 /
				  (double)(now - k->t_then);
			k->got_then = got;
			k->t_then = now;
		} else if (k->first_t && k->t_then == k->first_t && now > k->first_t) {
			k->rate = (double)got * 1000.0 / (double)(now - k->first_t);
		}
		k->got = got;
		total += got;
	}
	w->n = n;
	w->holding = json_object_object_get_ex(root, "state", &v) &&
		     !strcmp(json_object_get_string(v), "holding");
	if (json_object_object_get_ex(root, "pid", &v))
		w->pid = json_object_get_int(v);
	if (json_object_object_get_ex(root, "seq", &v) && json_object_get_int64(v) != w->seq) {
		w->seq = json_object_get_int64(v);
		w->seq_t = now;
	}
	if (total > w->total)
		w->grew_t = now;
	w->total = total;
	w->answer_t = now;
	json_object_put(root);
	return 0;
}

const struct workload_kind_seen *workload_watch_current(const struct workload_watch *w)
{
	const struct workload_kind_seen *last = NULL;

	for (size_t i = 0; i < w->n; i++) {
		if (w->k[i].state == 1)
			return &w->k[i];
		if (w->k[i].state == 2)
			last = &w->k[i];
	}
	return last;
}

void workload_watch_line(const struct workload_watch *w, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < w->n && off < len; i++) {
		const struct workload_kind_seen *k = &w->k[i];
		int n;

		double mibs = k->rate / (1 << 20);

		if (k->state) /* a crawl shows as one, not as 0 MiB/s */
			n = snprintf(buf + off, len - off, "%s%s %" PRIu64 "/%" PRIu64 " MiB %.*f MiB/s",
				     i ? ", " : "", k->kind, k->got >> 20, k->want >> 20,
				     mibs < 9.95 ? 1 : 0, mibs);
		else
			n = snprintf(buf + off, len - off, "%s%s 0/%" PRIu64 " MiB", i ? ", " : "",
				     k->kind, k->want >> 20);
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

json_object *workload_watch_allocations(const struct workload_watch *w)
{
	json_object *arr = json_object_new_array();

	for (size_t i = 0; i < w->n; i++) {
		const struct workload_kind_seen *k = &w->k[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "kind", json_object_new_string(k->kind));
		json_object_object_add(o, "want", json_object_new_uint64(k->want));
		json_object_object_add(o, "got", json_object_new_uint64(k->got));
		json_object_object_add(o, "state", json_object_new_string(kind_states[k->state]));
		json_object_object_add(o, "ms", json_object_new_int64(k->ms));
		json_object_object_add(o, "error", json_object_new_string(k->error));
		json_object_array_add(arr, o);
	}
	return arr;
}

/*
 * Busy or dead: what QEMU says about a guest whose agent is silent. Fills
 * how ("QEMU running, 95% of a CPU") and returns 1 busy, 0 idle, -EIO when
 * the guest has stopped, or the backend's error (-ESRCH: QEMU died).
 */
struct liveness {
	bool have;
	struct vm_status st;
	int64_t t;
};

static int guest_busy(struct vm *vm, struct liveness *l,
		      char *how, size_t len, struct err *err)
{
	struct vm_status st;
	int64_t t = now_ms();
	double share = -1;
	int rc;

	snprintf(how, len, "QEMU's state not known");
	rc = vm_status(vm, &st, err);
	if (rc == -ENOENT)
		return 1; /* nothing to tell them apart by: assume busy */
	if (rc)
		return rc;
	if (!st.running) {
		snprintf(how, len, "QEMU reports the guest %s", st.state);
		err_set(err, "the guest is not running: QEMU reports '%s'", st.state);
		return -EIO;
	}
	if (l->have && st.cpu_ns && t > l->t)
		share = (double)(st.cpu_ns - l->st.cpu_ns) / 1e6 / (double)(t - l->t);
	l->have = true;
	l->st = st;
	l->t = t;
	if (share < 0) {
		snprintf(how, len, "QEMU %s", st.state);
		return 1;
	}
	snprintf(how, len, "QEMU %s, %.0f%% of a CPU", st.state, share * 100);
	return share >= BUSY_CPU_SHARE;
}

static const char *fmt_mib(uint64_t b, char *buf, size_t len)
{
	snprintf(buf, len, "%" PRIu64 " MiB", b >> 20);
	return buf;
}

/* Why the allocation stalled, naming the kind and how far it got. */
static void stall_reason(const struct workload_watch *w, int64_t window_ms, char *buf, size_t len)
{
	const struct workload_kind_seen *k = workload_watch_current(w);
	char a[32], b[32], t[32];
	size_t done = 0;

	for (size_t i = 0; i < w->n; i++)
		done += w->k[i].state == 2;
	if (!k) {
		snprintf(buf, len, "the workload allocated nothing in %" PRId64 " s", window_ms / 1000);
		return;
	}
	snprintf(buf, len, "%s allocated nothing new for %" PRId64 " s, at %s of %s (%zu of %zu "
		 "kinds done, %s in all)", k->kind, window_ms / 1000, fmt_mib(k->got, a, sizeof(a)),
		 fmt_mib(k->want, b, sizeof(b)), done, w->n, fmt_mib(w->total, t, sizeof(t)));
}

/* The holder's process, looked at through the agent: 1 alive, 0 gone. */
static int holder_alive(struct vm *vm, int pid)
{
	char path[64], *out = NULL;
	struct err ignored;
	int rc;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	rc = guest_read_file(vm, path, &out, now_ms() + AGENT_CALL_MS, &ignored);
	if (rc == -EREMOTEIO)
		return 0;
	if (!rc && out) {
		/* "PID (comm) S": a zombie has finished too. */
		char *p = strrchr(out, ')');

		rc = p && p[1] == ' ' && p[2] == 'Z' ? 0 : 1;
		free(out);
		return rc;
	}
	free(out);
	return 1; /* not known: the stall bound decides */
}

int workload_watch_allocation(struct vm *vm, const char *path,
			      int64_t stall_ms, struct workload_watch *w,
			      workload_progress_fn progress, struct err *err)
{
	struct liveness live = { 0 };
	int64_t silent_since = 0, next_try = 0, backoff = POLL_MS;
	char line[512], how[96] = "", why[384];
	bool seen_file = false;

	if (stall_ms <= 0)
		stall_ms = INT64_MAX / 4;
	for (;;) {
		int64_t now = now_ms();
		int rc = 0;

		if (memhp_stop_signal)
			return err_fail(err, -EINTR, "interrupted while the workload allocated");
		if (now >= next_try) {
			char *out = NULL;

			/* A silent agent gets pings, with backoff, until it answers. */
			if (silent_since)
				rc = vm_agent(vm, "guest-ping", NULL, NULL, now + AGENT_CALL_MS, err);
			else
				rc = guest_read_file(vm, path, &out, now + AGENT_CALL_MS, err);
			now = now_ms();
			if (rc == -ESRCH || rc == -EPIPE || rc == -EHOSTDOWN || rc == -EINTR) {
				free(out);
				return err_wrap(err, rc, "while the workload allocated");
			}
			if (!rc && silent_since) {
				silent_since = 0;
				backoff = POLL_MS;
				next_try = now;
				continue;
			}
			if (!rc) {
				if (!workload_watch_update(w, out, now))
					seen_file = true;
				free(out);
				if (w->holding)
					return 0;
				workload_watch_line(w, line, sizeof(line));
				progress("%s", line);
				next_try = now + POLL_MS;
			} else if (rc == -EREMOTEIO) {
				/* The agent answered: the file is not there (yet). */
				w->answer_t = now;
				next_try = now + POLL_MS;
				if (!seen_file)
					progress("waiting for the holder to start");
			} else {
				/* No answer in time: busy or dead? */
				int busy = guest_busy(vm, &live, how, sizeof(how), err);

				if (busy < 0)
					return err_wrap(err, busy, "while the workload allocated");
				if (!silent_since)
					silent_since = now;
				next_try = now + backoff;
				backoff = backoff * 2 > PING_BACKOFF_MAX_MS ? PING_BACKOFF_MAX_MS :
									     backoff * 2;
				progress("the guest agent has not answered for %" PRId64 " s (%s)",
					 (now - silent_since) / 1000, how);
			}
			/* No rewrite of the file for a while: is the holder still there? */
			if (!silent_since && w->pid && now - w->seq_t >= HEARTBEAT_STALE_MS &&
			    now - w->alive_t >= HEARTBEAT_STALE_MS) {
				w->alive_t = now;
				if (!holder_alive(vm, w->pid)) {
					stall_reason(w, now - w->grew_t, why, sizeof(why));
					return err_set(err, "the workload holder (pid %d in the guest) died "
						       "while allocating: %s; killed by the OOM killer? "
						       "see serial.log", w->pid, why), -ECHILD;
				}
			}
		}
		/* The stall bound. An agent that answered in the window shows a
		 * true stall; one silent all through it gets one more window
		 * while QEMU says the guest runs and uses CPU. */
		if (now - w->grew_t >= stall_ms) {
			bool answered = now - w->answer_t < stall_ms;

			if (answered) {
				stall_reason(w, now - w->grew_t, why, sizeof(why));
				return err_set(err, "the workload stalled: %s; see serial.log and "
					       "docs/workloads.md, lower [workload] fill or raise "
					       "[workload] stall_timeout", why), -ETIMEDOUT;
			}
			if (now - w->grew_t >= 2 * stall_ms || !guest_busy(vm, &live, how,
									    sizeof(how), err)) {
				stall_reason(w, now - w->grew_t, why, sizeof(why));
				return err_set(err, "the guest agent has not answered for %" PRId64
					       " s while the workload allocated (%s); last seen: %s",
					       (now - w->answer_t) / 1000, how, why), -ETIMEDOUT;
			}
		}
		sleep_ms(next_try > now_ms() ? (next_try - now_ms() < 250 ? next_try - now_ms() : 250) :
					       1);
	}
}

static json_object *meminfo_of(json_object *snapshot)
{
	json_object *mi = NULL;

	json_object_object_get_ex(snapshot, "meminfo", &mi);
	return json_object_get(mi);
}

/* [workload] zram and swap_file (issue 25): memhp-probe swap, its answer
 * kept in the record as "swap"; anything asked for that did not start
 * swapping fails the run with the guest's words. */
static int setup_swap(struct vm *vm, const struct scenario *sc,
		      json_object *record, struct err *err)
{
	char zram[24], file[24];
	const char *argv[7] = { GUEST_PROBE, "swap" };
	size_t argc = 2;
	json_object *ret;
	char *out;
	int code, rc;

	if (!sc->zram && !sc->swap_file)
		return 0;
	if (sc->zram) {
		snprintf(zram, sizeof(zram), "%" PRIu64, sc->zram);
		argv[argc++] = "--zram";
		argv[argc++] = zram;
	}
	if (sc->swap_file) {
		snprintf(file, sizeof(file), "%" PRIu64, sc->swap_file);
		argv[argc++] = "--file";
		argv[argc++] = file;
	}
	argv[argc] = NULL;
	rc = guest_exec(vm, argv, &out, &code, now_ms() + STOP_TIMEOUT_MS, err);
	if (rc)
		return err_wrap(err, rc, "setting up swap");
	ret = json_tokener_parse(out);
	free(out);
	if (!ret || !json_object_is_type(ret, json_type_object)) {
		json_object_put(ret);
		return err_set(err, "memhp-probe swap exited with %d and no answer", code), -ECHILD;
	}
	json_object_object_add(record, "swap", ret);
	if (code) {
		static const char *const what[] = { "zram", "file" };

		for (size_t i = 0; i < 2; i++) {
			json_object *e, *msg;

			if (json_object_object_get_ex(ret, what[i], &e) &&
			    json_object_object_get_ex(e, "error", &msg) &&
			    *json_object_get_string(msg))
				return err_set(err, "[workload] %s: %s",
					       i ? "swap_file" : "zram", json_object_get_string(msg)),
				       -ENODEV;
		}
		return err_set(err, "memhp-probe swap exited with %d", code), -ECHILD;
	}
	return 0;
}

int workload_start(struct vm *vm, const struct scenario *sc,
		   uint64_t mem_total, uint64_t mem_available, json_object *record,
		   workload_progress_fn progress, struct err *err)
{
	const struct mix *mix = &sc->workload_mix;
	const char *argv[MIX_MAX + 10], *stall_at = getenv("MEMHP_TEST_STALL_AT");
	char args[MIX_MAX][64], seed[24], duration[24], path[256] = "";
	uint64_t want = scenario_fill_bytes(sc, mem_total), fill = want, limit;
	size_t argc = 0;
	json_object *ret, *v;
	struct workload_watch w;
	struct guest_snapshot snap;
	int64_t t0;
	char *out;
	int code, rc;

	if (!mix->n)
		return err_fail(err, -EINVAL, "[workload] mix names no workload");
	rc = setup_swap(vm, sc, record, err);
	if (rc)
		return rc;
	limit = mem_available > FILL_RESERVE ? mem_available - FILL_RESERVE : 0;
	if (fill > limit)
		fill = limit;

	argv[argc++] = GUEST_PROBE;
	argv[argc++] = "load";
	snprintf(seed, sizeof(seed), "%u", sc->seed);
	argv[argc++] = "--seed";
	argv[argc++] = seed;
	/* The holder outlives the duration by a margin: memhp stops it. */
	snprintf(duration, sizeof(duration), "%" PRId64, sc->workload_ms / 1000 + 3600);
	argv[argc++] = "--duration";
	argv[argc++] = duration;
	if (stall_at && *stall_at) {
		argv[argc++] = "--test-stall-at";
		argv[argc++] = stall_at;
	}
	for (size_t i = 0; i < mix->n; i++) {
		snprintf(args[i], sizeof(args[i]), "%s:%" PRIu64, workload_kinds[mix->e[i].kind].name,
			 mix_bytes(mix, i, fill));
		argv[argc++] = args[i];
	}
	argv[argc] = NULL;

	json_object_object_add(record, "mix", json_object_new_string(sc->mix));
	json_object_object_add(record, "fill_requested", json_object_new_uint64(want));
	json_object_object_add(record, "fill", json_object_new_uint64(fill));
	json_object_object_add(record, "capped", json_object_new_boolean(fill < want));
	json_object_object_add(record, "duration_ms", json_object_new_int64(sc->workload_ms));
	json_object_object_add(record, "stall_timeout_ms", json_object_new_int64(sc->stall_ms));
	json_object_object_add(record, "seed", json_object_new_uint64(sc->seed));
	json_object_object_add(record, "during_unplug",
			       json_object_new_string(sc->during_unplug == DURING_UNPLUG_KEEP ?
						      "keep" : "stop"));

	/* load returns at once; the holder reports through its file. */
	t0 = now_ms();
	rc = guest_exec(vm, argv, &out, &code, now_ms() + EXEC_TIMEOUT_MS, err);
	if (rc)
		return err_wrap(err, rc, "starting the workload");
	ret = json_tokener_parse(out);
	free(out);
	if (code || !ret || !json_object_object_get_ex(ret, "progress", &v)) {
		json_object_put(ret);
		return err_set(err, "memhp-probe load exited with %d without starting the holder",
			       code), -ECHILD;
	}
	str_copy(path, sizeof(path), json_object_get_string(v));

	workload_watch_init(&w, now_ms());
	if (json_object_object_get_ex(ret, "pid", &v))
		w.pid = json_object_get_int(v);
	json_object_put(ret);
	rc = workload_watch_allocation(vm, path, sc->stall_ms, &w, progress, err);
	json_object_object_add(record, "allocations", workload_watch_allocations(&w));
	json_object_object_add(record, "alloc_ms", json_object_new_int64(now_ms() - t0));
	if (rc)
		return rc;
	/* What the guest looks like with everything allocated. */
	rc = guest_snapshot(vm, &snap, now_ms() + EXEC_TIMEOUT_MS, err);
	if (rc)
		return err_wrap(err, rc, "probing the loaded guest");
	json_object_object_add(record, "meminfo_loaded", meminfo_of(snap.raw));
	guest_snapshot_free(&snap);
	return 0;
}

int workload_hold(struct vm *vm, const struct scenario *sc,
		  workload_progress_fn progress, struct err *err)
{
	int64_t end = now_ms() + sc->workload_ms, next_check = now_ms() + HOLD_CHECK_MS;
	int64_t silent_since = 0, backoff = POLL_MS, window = sc->stall_ms > 0 ? sc->stall_ms :
									   INT64_MAX / 4;
	struct liveness live = { 0 };
	char how[96] = "";

	/* The hold ends on time; a silent agent is pinged until it answers. */
	while (now_ms() < end || silent_since) {
		int64_t now = now_ms();

		if (silent_since)
			progress("the guest agent has not answered for %" PRId64 " s (%s)",
				 (now - silent_since) / 1000, how);
		else
			progress("%" PRId64 " s of the workload left", (end - now + 999) / 1000);
		if (memhp_stop_signal)
			return err_fail(err, -EINTR, "interrupted during the workload");
		if (now >= next_check) {
			int rc = vm_agent(vm, "guest-ping", NULL, NULL, now + AGENT_CALL_MS, err);

			now = now_ms();
			if (!rc) {
				silent_since = 0;
				backoff = POLL_MS;
				next_check = now + HOLD_CHECK_MS;
			} else if (rc == -ESRCH || rc == -EPIPE || rc == -EHOSTDOWN) {
				return err_wrap(err, rc, "during the workload");
			} else {
				int busy = guest_busy(vm, &live, how, sizeof(how), err);

				if (busy < 0)
					return err_wrap(err, busy, "during the workload");
				if (!silent_since)
					silent_since = now;
				if (now - silent_since >= (busy ? 2 : 1) * window)
					return err_set(err, "the guest agent stopped answering during the "
						       "workload: no answer for %" PRId64 " s (%s)",
						       (now - silent_since) / 1000, how), -ETIMEDOUT;
				next_check = now + backoff;
				backoff = backoff * 2 > PING_BACKOFF_MAX_MS ? PING_BACKOFF_MAX_MS :
									     backoff * 2;
			}
		}
		sleep_ms(250);
	}
	return 0;
}

struct stop_wait {
	struct vm *vm;
	struct liveness live;
	int64_t start;
	char how[96]; /* QEMU's state when memhp gave up */
};

static int64_t stop_more(void *ctx)
{
	struct stop_wait *w = ctx;
	struct err ignored;
	int64_t now = now_ms();
	int busy;

	if (now - w->start >= STOP_PATIENCE_MS) {
		snprintf(w->how, sizeof(w->how), "still running after %" PRId64 " s",
			 (now - w->start) / 1000);
		return 0;
	}
	busy = guest_busy(w->vm, &w->live, w->how, sizeof(w->how), &ignored);
	return busy > 0 ? now + STOP_WINDOW_MS : 0;
}

/* argv in the guest, with the stop's patience; the error says what QEMU
 * said of the guest when memhp gave up. */
static int exec_stop(struct vm *vm, const char *const argv[], char **out, int *code,
		     const char *what, struct err *err)
{
	struct stop_wait w = { .vm = vm, .start = now_ms() };
	struct exec_patience p = { .more = stop_more, .ctx = &w };
	int rc = guest_exec_patient(vm, argv, out, code, w.start + STOP_TIMEOUT_MS, &p, err);

	if (rc && w.how[0])
		return err_wrap(err, rc, "%s (%s)", what, w.how);
	return rc ? err_wrap(err, rc, "%s", what) : 0;
}

int workload_stop(struct vm *vm, const struct scenario *sc,
		  json_object *record, struct err *err)
{
	static const char *const stop[] = { GUEST_PROBE, "load-stop", NULL };
	const char *tidy[5] = { GUEST_PROBE, "tidy", NULL, NULL, NULL };
	json_object *ret, *v;
	char *out;
	int code, rc, ntidy = 2;

	rc = exec_stop(vm, stop, &out, &code, "stopping the workload", err);
	if (rc)
		return rc;
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
	rc = exec_stop(vm, tidy, &out, &code, "tidying the guest", err);
	if (rc)
		return rc;
	ret = json_tokener_parse(out);
	free(out);
	if (ret)
		json_object_object_add(record, "tidy", ret);
	return 0;
}
