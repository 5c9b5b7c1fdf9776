// SPDX-License-Identifier: GPL-2.0-only
/*
 * The result JSON: the one place that knows its field names. Flat fields of
 * struct run_record are listed once in result_fields[] and serve both
 * directions; arrays are written and read by the functions below.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "result.h"

static const char *const phase_names[PHASE_COUNT] = {
	"image", "boot", "plug", "online", "workload", "unplug", "settle",
};
static const char *const outcome_names[] = {
	"not_tried", "removed", "partial", "rejected", "timeout", "error",
};
static const char *const status_names[] = { "ok", "failed", "interrupted" };

const char *result_phase_name(unsigned p) { return p < PHASE_COUNT ? phase_names[p] : "?"; }
const char *result_outcome_name(unsigned o) { return o <= OUTCOME_ERROR ? outcome_names[o] : "?"; }
const char *result_status_name(unsigned s) { return s <= RUN_INTERRUPTED ? status_names[s] : "?"; }

static int name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return (int)i;
	return -1;
}

enum ftype { F_STR, F_STRP, F_U32, F_U64, F_I64, F_BOOL };

struct field {
	const char *group; /* NULL: top level */
	const char *key;
	enum ftype type;
	size_t offset, size;
};

#define S(g, k, f) { g, k, F_STR, offsetof(struct run_record, f), sizeof(((struct run_record *)0)->f) }
#define SP(g, k, f) { g, k, F_STRP, offsetof(struct run_record, f), 0 }
#define U32(g, k, f) { g, k, F_U32, offsetof(struct run_record, f), 0 }
#define U64(g, k, f) { g, k, F_U64, offsetof(struct run_record, f), 0 }
#define I64(g, k, f) { g, k, F_I64, offsetof(struct run_record, f), 0 }
#define BOOL(g, k, f) { g, k, F_BOOL, offsetof(struct run_record, f), 0 }

static const struct field result_fields[] = {
	S(NULL, "run_id", run_id),
	U32(NULL, "repeat", repeat),
	S(NULL, "started", started),
	S(NULL, "reason", reason),
	S(NULL, "failed_phase", failed_phase),
	BOOL(NULL, "host_failure", host_failure),
	S("scenario", "name", scenario_name),
	S("scenario", "path", scenario_path),
	S("scenario", "sha256", scenario_sha256),
	SP("scenario", "text", scenario_text),
	S("scenario", "method", method),
	S("scenario", "policy", policy),
	S("variant", "name", variant),
	S("variant", "source", variant_source),
	S("variant", "cmdline", variant_cmdline),
	S("kernel", "spec", kernel_spec),
	S("kernel", "release", kernel_release),
	SP("kernel", "cmdline", cmdline),
	S("kernel", "image", image_key),
	S("vmm", "backend", backend),
	S("vmm", "accel", accel),
	S("vmm", "accel_reason", accel_reason),
	S("vmm", "version", vmm_version),
	U64("vmm", "peak_rss", vmm_peak_rss),
	S("host", "name", host),
	S("host", "uri", host_uri),
	S("host", "kernel", host_kernel),
	U32("host", "cpus", host_cpus),
	I64("harness", "wall_ms", wall_ms),
	I64("harness", "cpu_ms", cpu_ms),
	U64("count", "block_size", count.block_size),
	U32("count", "hotplugged", count.hotplugged),
	U32("count", "removed", count.removed),
	U32("count", "offline", count.offline),
	U32("count", "online_movable", count.online_movable),
	U32("count", "online_normal", count.online_normal),
	U32("count", "online_other", count.online_other),
	U64("count", "bytes_plugged", count.bytes_plugged),
	U64("count", "bytes_remaining", count.bytes_remaining),
	S("online", "expected_zone", expected_zone),
	U32("online", "zone_mismatches", zone_mismatches),
};

void result_init(struct run_record *r)
{
	memset(r, 0, sizeof(*r));
	for (unsigned p = 0; p < PHASE_COUNT; p++)
		r->phase_ms[p] = -1;
	r->status = RUN_OK;
}

void result_free(struct run_record *r)
{
	free(r->scenario_text);
	free(r->cmdline);
	for (size_t i = 0; i < r->nblocks; i++)
		json_object_put(r->blocks[i].why);
	free(r->blocks);
	free(r->devices);
	free(r->timeline);
	free(r->events);
	for (size_t i = 0; i < r->nkmsg; i++)
		free(r->kmsg[i]);
	free(r->kmsg);
	json_object_put(r->probe_final);
	json_object_put(r->workload);
	json_object_put(r->kernel_build);
	json_object_put(r->why_probe);
	memset(r, 0, sizeof(*r));
}

/* Grow an array by one zeroed element. */
static void *grow(void *arr, size_t *n, size_t elem)
{
	char *p = realloc(arr, (*n + 1) * elem);

	if (!p)
		abort();
	memset(p + *n * elem, 0, elem);
	(*n)++;
	return p;
}

struct device_record *result_add_device(struct run_record *r)
{
	r->devices = grow(r->devices, &r->ndevices, sizeof(*r->devices));
	return &r->devices[r->ndevices - 1];
}

struct block_record *result_add_block(struct run_record *r)
{
	r->blocks = grow(r->blocks, &r->nblocks, sizeof(*r->blocks));
	return &r->blocks[r->nblocks - 1];
}

void result_add_timeline(struct run_record *r, int64_t t_ms, uint64_t bytes, unsigned blocks)
{
	r->timeline = grow(r->timeline, &r->ntimeline, sizeof(*r->timeline));
	r->timeline[r->ntimeline - 1] = (struct timeline_point){ t_ms, bytes, blocks };
}

#define MAX_EVENTS 20000
void result_add_event(struct run_record *r, const struct event_record *ev)
{
	if (r->nevents >= MAX_EVENTS)
		return;
	r->events = grow(r->events, &r->nevents, sizeof(*r->events));
	r->events[r->nevents - 1] = *ev;
}

void result_add_kmsg(struct run_record *r, const char *line)
{
	r->kmsg = grow(r->kmsg, &r->nkmsg, sizeof(*r->kmsg));
	r->kmsg[r->nkmsg - 1] = strdup(line);
}

static json_object *group_of(json_object *root, const char *group, bool create)
{
	json_object *g;

	if (!group)
		return root;
	if (json_object_object_get_ex(root, group, &g))
		return g;
	if (!create)
		return NULL;
	g = json_object_new_object();
	json_object_object_add(root, group, g);
	return g;
}

/* "why_probe": what memhp-probe why found over all blocks (docs/why.md). */
static void why_probe_to_json(json_object *root, const struct run_record *r)
{
	if (r->why_probe)
		json_object_object_add(root, "why_probe", json_object_get(r->why_probe));
}

/* Read back only as an object; anything else is as if absent. */
static void why_probe_from_json(json_object *root, struct run_record *r)
{
	json_object *v;

	if (json_object_object_get_ex(root, "why_probe", &v) &&
	    json_object_is_type(v, json_type_object))
		r->why_probe = json_object_get(v);
}

json_object *result_to_json(const struct run_record *r)
{
	json_object *root = json_object_new_object(), *o, *arr;
	const char *base = (const char *)r;

	json_object_object_add(root, "schema", json_object_new_string(RESULT_SCHEMA));
	json_object_object_add(root, "version", json_object_new_int(RESULT_VERSION));
	json_object_object_add(root, "status", json_object_new_string(result_status_name(r->status)));
	for (size_t i = 0; i < sizeof(result_fields) / sizeof(result_fields[0]); i++) {
		const struct field *f = &result_fields[i];
		json_object *g = group_of(root, f->group, true), *v = NULL;
		const void *p = base + f->offset;

		switch (f->type) {
		case F_STR: v = json_object_new_string(p); break;
		case F_STRP: v = json_object_new_string(*(char *const *)p ? *(char *const *)p : ""); break;
		case F_U32: v = json_object_new_uint64(*(const unsigned *)p); break;
		case F_U64: v = json_object_new_uint64(*(const uint64_t *)p); break;
		case F_I64: v = json_object_new_int64(*(const int64_t *)p); break;
		case F_BOOL: v = json_object_new_boolean(*(const bool *)p); break;
		}
		json_object_object_add(g, f->key, v);
	}
	/* Derived, written for readers; ignored when read back. */
	o = group_of(root, "count", true);
	json_object_object_add(o, "bytes_unplugged",
			       json_object_new_uint64(r->count.bytes_plugged - r->count.bytes_remaining));

	o = json_object_new_object();
	for (unsigned p = 0; p < PHASE_COUNT; p++)
		json_object_object_add(o, phase_names[p],
				       r->phase_ms[p] < 0 ? NULL : json_object_new_int64(r->phase_ms[p]));
	json_object_object_add(root, "phases_ms", o);

	arr = json_object_new_array();
	for (size_t i = 0; i < r->nblocks; i++) {
		const struct block_record *b = &r->blocks[i];

		o = json_object_new_object();
		json_object_object_add(o, "index", json_object_new_uint64(b->index));
		json_object_object_add(o, "start", json_object_new_uint64(b->start));
		json_object_object_add(o, "zone", json_object_new_string(b->zone));
		json_object_object_add(o, "final", json_object_new_string(b->final));
		json_object_object_add(o, "final_zone", json_object_new_string(b->final_zone));
		json_object_object_add(o, "why", json_object_get(b->why));
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "blocks", arr);

	arr = json_object_new_array();
	for (size_t i = 0; i < r->ndevices; i++) {
		const struct device_record *d = &r->devices[i];

		o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_string(d->id));
		json_object_object_add(o, "kind", json_object_new_string(d->kind));
		json_object_object_add(o, "addr", json_object_new_uint64(d->addr));
		json_object_object_add(o, "plugged", json_object_new_uint64(d->plugged));
		json_object_object_add(o, "remaining", json_object_new_uint64(d->remaining));
		json_object_object_add(o, "outcome", json_object_new_string(result_outcome_name(d->outcome)));
		json_object_object_add(o, "attempts", json_object_new_uint64(d->attempts));
		json_object_object_add(o, "ost_source", d->have_ost ? json_object_new_uint64(d->ost_source) : NULL);
		json_object_object_add(o, "ost_status", d->have_ost ? json_object_new_uint64(d->ost_status) : NULL);
		json_object_object_add(o, "unplug_ms", json_object_new_int64(d->unplug_ms));
		json_object_object_add(o, "detail", json_object_new_string(d->detail));
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "devices", arr);

	arr = json_object_new_array();
	for (size_t i = 0; i < r->ntimeline; i++) {
		json_object *pt = json_object_new_array();

		json_object_array_add(pt, json_object_new_int64(r->timeline[i].t_ms));
		json_object_array_add(pt, json_object_new_uint64(r->timeline[i].bytes_plugged));
		json_object_array_add(pt, json_object_new_uint64(r->timeline[i].blocks_present));
		json_object_array_add(arr, pt);
	}
	json_object_object_add(root, "unplug_timeline", arr);

	arr = json_object_new_array();
	for (size_t i = 0; i < r->nevents; i++) {
		const struct event_record *e = &r->events[i];

		o = json_object_new_object();
		json_object_object_add(o, "t_ms", json_object_new_int64(e->t_ms));
		json_object_object_add(o, "event", json_object_new_string(e->name));
		json_object_object_add(o, "device", json_object_new_string(e->device));
		json_object_object_add(o, "source", json_object_new_uint64(e->source));
		json_object_object_add(o, "status", json_object_new_uint64(e->status));
		json_object_object_add(o, "size", json_object_new_uint64(e->size));
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "events", arr);

	arr = json_object_new_array();
	for (size_t i = 0; i < r->nkmsg; i++)
		json_object_array_add(arr, json_object_new_string(r->kmsg[i]));
	json_object_object_add(root, "kmsg", arr);
	json_object_object_add(root, "probe_final", json_object_get(r->probe_final));
	json_object_object_add(root, "workload", json_object_get(r->workload));
	json_object_object_add(group_of(root, "kernel", true), "build",
			       json_object_get(r->kernel_build));
	why_probe_to_json(root, r);
	return root;
}

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (o)
		json_object_object_get_ex(o, key, &v);
	return v;
}

/* A JSON string's text, or "" for anything else (missing, null, number). */
static const char *str_or_empty(json_object *v)
{
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
}

static void copy_str(char *dst, size_t len, json_object *v)
{
	snprintf(dst, len, "%s", str_or_empty(v));
}

int result_from_json(json_object *root, struct run_record *r, struct err *err)
{
	json_object *v, *arr;
	char *base = (char *)r;
	int i;

	result_init(r);
	if (!json_object_is_type(root, json_type_object) ||
	    strcmp(str_or_empty(get(root, "schema")), RESULT_SCHEMA))
		return err_set(err, "not a %s file", RESULT_SCHEMA), -EINVAL;
	if (json_object_get_int(get(root, "version")) != RESULT_VERSION)
		return err_set(err, "%s version %d is not the supported %d", RESULT_SCHEMA,
			       json_object_get_int(get(root, "version")), RESULT_VERSION), -EINVAL;
	i = name_index(status_names, 3, str_or_empty(get(root, "status")));
	if (i < 0)
		return err_set(err, "unknown status '%s'",
			       str_or_empty(get(root, "status"))), -EINVAL;
	r->status = (unsigned)i;
	for (size_t k = 0; k < sizeof(result_fields) / sizeof(result_fields[0]); k++) {
		const struct field *f = &result_fields[k];
		json_object *g = group_of(root, f->group, false);
		void *p = base + f->offset;

		v = get(g, f->key);
		switch (f->type) {
		case F_STR: copy_str(p, f->size, v); break;
		case F_STRP: *(char **)p = strdup(v ? json_object_get_string(v) : ""); break;
		case F_U32: *(unsigned *)p = (unsigned)json_object_get_uint64(v); break;
		case F_U64: *(uint64_t *)p = json_object_get_uint64(v); break;
		case F_I64: *(int64_t *)p = json_object_get_int64(v); break;
		case F_BOOL: *(bool *)p = json_object_get_boolean(v); break;
		}
	}
	v = get(root, "phases_ms");
	for (unsigned p = 0; p < PHASE_COUNT; p++) {
		json_object *ms = get(v, phase_names[p]);

		r->phase_ms[p] = ms ? json_object_get_int64(ms) : -1;
	}
	arr = get(root, "blocks");
	for (size_t k = 0; arr && k < json_object_array_length(arr); k++) {
		json_object *o = json_object_array_get_idx(arr, k);
		struct block_record *b = result_add_block(r);

		b->index = json_object_get_uint64(get(o, "index"));
		b->start = json_object_get_uint64(get(o, "start"));
		copy_str(b->zone, sizeof(b->zone), get(o, "zone"));
		copy_str(b->final, sizeof(b->final), get(o, "final"));
		copy_str(b->final_zone, sizeof(b->final_zone), get(o, "final_zone"));
		b->why = json_object_get(get(o, "why"));
	}
	arr = get(root, "devices");
	for (size_t k = 0; arr && k < json_object_array_length(arr); k++) {
		json_object *o = json_object_array_get_idx(arr, k);
		struct device_record *d = result_add_device(r);

		copy_str(d->id, sizeof(d->id), get(o, "id"));
		copy_str(d->kind, sizeof(d->kind), get(o, "kind"));
		d->addr = json_object_get_uint64(get(o, "addr"));
		d->plugged = json_object_get_uint64(get(o, "plugged"));
		d->remaining = json_object_get_uint64(get(o, "remaining"));
		i = name_index(outcome_names, 6, str_or_empty(get(o, "outcome")));
		d->outcome = i < 0 ? OUTCOME_ERROR : (unsigned)i;
		d->attempts = (unsigned)json_object_get_uint64(get(o, "attempts"));
		d->have_ost = get(o, "ost_status") != NULL;
		d->ost_source = (unsigned)json_object_get_uint64(get(o, "ost_source"));
		d->ost_status = (unsigned)json_object_get_uint64(get(o, "ost_status"));
		d->unplug_ms = json_object_get_int64(get(o, "unplug_ms"));
		copy_str(d->detail, sizeof(d->detail), get(o, "detail"));
	}
	arr = get(root, "unplug_timeline");
	for (size_t k = 0; arr && k < json_object_array_length(arr); k++) {
		json_object *pt = json_object_array_get_idx(arr, k);

		result_add_timeline(r, json_object_get_int64(json_object_array_get_idx(pt, 0)),
				    json_object_get_uint64(json_object_array_get_idx(pt, 1)),
				    (unsigned)json_object_get_uint64(json_object_array_get_idx(pt, 2)));
	}
	arr = get(root, "events");
	for (size_t k = 0; arr && k < json_object_array_length(arr); k++) {
		json_object *o = json_object_array_get_idx(arr, k);
		struct event_record e = { 0 };

		e.t_ms = json_object_get_int64(get(o, "t_ms"));
		copy_str(e.name, sizeof(e.name), get(o, "event"));
		copy_str(e.device, sizeof(e.device), get(o, "device"));
		e.source = (unsigned)json_object_get_uint64(get(o, "source"));
		e.status = (unsigned)json_object_get_uint64(get(o, "status"));
		e.size = json_object_get_uint64(get(o, "size"));
		result_add_event(r, &e);
	}
	arr = get(root, "kmsg");
	for (size_t k = 0; arr && k < json_object_array_length(arr); k++)
		result_add_kmsg(r, str_or_empty(json_object_array_get_idx(arr, k)));
	r->probe_final = json_object_get(get(root, "probe_final"));
	r->workload = json_object_get(get(root, "workload"));
	r->kernel_build = json_object_get(get(get(root, "kernel"), "build"));
	why_probe_from_json(root, r);
	return 0;
}

int result_write(const struct run_record *r, const char *dir, struct err *err)
{
	char tmp[4200], path[4200];
	json_object *root = result_to_json(r);
	const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
								JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t len = strlen(text);
	int fd, dfd, rc = 0;

	snprintf(path, sizeof(path), "%s/result.json", dir);
	snprintf(tmp, sizeof(tmp), "%s/.result.json.XXXXXX", dir);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		err_set(err, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0) {
			rc = -errno;
			err_set(err, "%s: %s", tmp, strerror(errno));
			break;
		}
		off += (size_t)n;
	}
	if (!rc && (write(fd, "\n", 1) != 1 || fsync(fd) < 0 || fchmod(fd, 0644) < 0)) {
		rc = -errno;
		err_set(err, "%s: %s", tmp, strerror(errno));
	}
	close(fd);
	if (!rc && rename(tmp, path) < 0) {
		rc = -errno;
		err_set(err, "%s: %s", path, strerror(errno));
	}
	if (rc) {
		unlink(tmp);
		goto out;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
out:
	json_object_put(root);
	return rc;
}

int result_read(const char *path, struct run_record *r, struct err *err)
{
	json_object *root = json_object_from_file(path);
	int rc;

	result_init(r);
	if (!root) {
		const char *why = json_util_get_last_err();
		size_t n = why ? strcspn(why, "\n") : 0;

		return err_set(err, "%s: %.*s", path, (int)n, n ? why : "cannot read or parse"), -EINVAL;
	}
	rc = result_from_json(root, r, err);
	json_object_put(root);
	if (rc)
		return err_wrap(err, rc, "%s", path);
	return 0;
}

const char *result_block_verdict(const struct block_record *b)
{
	return str_or_empty(get(b->why, "verdict"));
}
