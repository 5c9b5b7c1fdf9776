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

#include "atomic_file.h"
#include "result.h"
#include "schema.h"
#include "xalloc.h"

static const char *const phase_names[PHASE_COUNT] = {
	"image", "boot", "plug", "online", "workload", "unplug", "settle",
};
static const char *const outcome_names[] = {
	[OUTCOME_NOT_TRIED] = "not_tried", [OUTCOME_REMOVED] = "removed",
	[OUTCOME_PARTIAL] = "partial",     [OUTCOME_REJECTED] = "rejected",
	[OUTCOME_TIMEOUT] = "timeout",     [OUTCOME_ERROR] = "error",
	[OUTCOME_HUNG] = "hung",
	[OUTCOME_UNSUPPORTED] = "unsupported", NULL
};
static const char *const status_names[] = {
	[RUN_OK] = "ok", [RUN_FAILED] = "failed", [RUN_INTERRUPTED] = "interrupted", NULL
};
static const char *const final_names[] = {
	[FINAL_NOT_COUNTED] = "", [FINAL_REMOVED] = "removed", [FINAL_OFFLINE] = "offline",
	[FINAL_ONLINE] = "online", NULL
};
/* The names of an enum: the NULL at the end is for the schema's choices. */
#define NAMES(a) (a), sizeof(a) / sizeof((a)[0]) - 1

const char *result_phase_name(unsigned p) { return p < PHASE_COUNT ? phase_names[p] : "?"; }
const char *result_outcome_name(enum outcome o)
{
	return (unsigned)o <= OUTCOME_UNSUPPORTED ? outcome_names[o] : "?";
}
const char *result_status_name(enum run_status s)
{
	return (unsigned)s <= RUN_INTERRUPTED ? status_names[s] : "?";
}
const char *result_final_name(enum block_final f)
{
	return (unsigned)f <= FINAL_ONLINE ? final_names[f] : "?";
}

uint64_t result_bytes_unplugged(const struct count *c)
{
	return c->bytes_plugged > c->bytes_remaining ? c->bytes_plugged - c->bytes_remaining : 0;
}

bool result_have_bytes_unplugged(const struct count *c)
{
	return c->have_plugged && c->have_final;
}

bool result_have_rss_returned(const struct run_record *r)
{
	return r->vmm_rss.have_loaded && r->vmm_rss.have_after;
}

uint64_t result_rss_returned(const struct run_record *r)
{
	return r->vmm_rss.loaded > r->vmm_rss.after ? r->vmm_rss.loaded - r->vmm_rss.after : 0;
}

static int name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return (int)i;
	return -1;
}

/*
 * One table per record kind serves both directions: result_fields[] for the
 * flat fields of struct run_record, and a table per array element
 * (block_fields[], device_fields[], timeline_fields[], event_fields[]).
 */
enum ftype {
	F_STR,     /* char[size] */
	F_STRP,    /* char *, malloc'd */
	F_U32,     /* unsigned */
	F_U64,     /* uint64_t */
	F_I64,     /* int64_t */
	F_BOOL,    /* bool */
	F_OUTCOME, /* enum outcome, by name */
	F_FINAL,   /* enum block_final, by name */
	F_JSON,    /* json_object *: an object or null, kept verbatim */
	F_JSON_OPT, /* the same, left out of the file when NULL (fields newer
		     * than most results: they read back as absent) */
	F_U32_OPT, /* F_U32 with a flag, left out of the file when not measured */
	F_STR_OPT, /* char[size], left out of the file when "" (issue 24) */
};

struct field {
	const char *group; /* NULL: in the record's own object */
	const char *key;
	enum ftype type;
	size_t offset, size;
	size_t flag; /* 1 + offset of the bool that says the value was measured
		      * (false: null in the JSON); 0: always present */
};

#define FLD(T, g, k, type, f, fl)                                                        \
	{ g, k, type, offsetof(T, f), sizeof(((T *)0)->f), fl }
#define FLAG(T, f) (offsetof(T, f) + 1)

#define RR struct run_record
static const struct field result_fields[] = {
	FLD(RR, NULL, "run_id", F_STR, run_id, 0),
	FLD(RR, NULL, "repeat", F_U32, repeat, 0),
	FLD(RR, NULL, "started", F_STR, started, 0),
	FLD(RR, NULL, "reason", F_STR, reason, 0),
	FLD(RR, NULL, "failed_phase", F_STR, failed_phase, 0),
	FLD(RR, NULL, "host_failure", F_BOOL, host_failure, 0),
	FLD(RR, "scenario", "name", F_STR, scenario_name, 0),
	FLD(RR, "scenario", "path", F_STR, scenario_path, 0),
	FLD(RR, "scenario", "sha256", F_STR, scenario_sha256, 0),
	FLD(RR, "scenario", "text", F_STRP, scenario_text, 0),
	FLD(RR, "scenario", "method", F_STR, method, 0),
	FLD(RR, "scenario", "policy", F_STR, policy, 0),
	FLD(RR, "scenario", "base", F_STR, scenario_base, 0),
	FLD(RR, "variant", "name", F_STR, variant, 0),
	FLD(RR, "variant", "source", F_STR, variant_source, 0),
	FLD(RR, "variant", "cmdline", F_STR, variant_cmdline, 0),
	FLD(RR, "variant", "inputs_sha256", F_STR, variant_inputs, 0),
	FLD(RR, "kernel", "spec", F_STR, kernel_spec, 0),
	FLD(RR, "kernel", "release", F_STR, kernel_release, 0),
	FLD(RR, "kernel", "cmdline", F_STRP, cmdline, 0),
	FLD(RR, "kernel", "image", F_STR, image_key, 0),
	FLD(RR, "kernel", "build", F_JSON, kernel_build, 0),
	FLD(RR, "kernel", "package", F_JSON_OPT, kernel_package, 0),
	FLD(RR, "image", "kind", F_STR, image_kind, 0),
	FLD(RR, "image", "spec", F_STR, image_spec, 0),
	FLD(RR, "image", "hash", F_STR, image_hash, 0),
	FLD(RR, "vmm", "backend", F_STR, backend, 0),
	FLD(RR, "vmm", "accel", F_STR, accel, 0),
	FLD(RR, "vmm", "accel_reason", F_STR, accel_reason, 0),
	FLD(RR, "vmm", "arch", F_STR_OPT, arch, 0), /* issue 24 */
	FLD(RR, "vmm", "version", F_STR, vmm_version, 0),
	FLD(RR, "vmm", "peak_rss", F_U64, vmm_peak_rss, 0),
	FLD(RR, "host", "name", F_STR, host, 0),
	FLD(RR, "host", "uri", F_STR, host_uri, 0),
	FLD(RR, "host", "kernel", F_STR, host_kernel, 0),
	FLD(RR, "host", "cpus", F_U32, host_cpus, 0),
	FLD(RR, "harness", "wall_ms", F_I64, wall_ms, 0),
	FLD(RR, "harness", "cpu_ms", F_I64, cpu_ms, 0),
	FLD(RR, "count", "block_size", F_U64, count.block_size, FLAG(RR, count.have_plugged)),
	FLD(RR, "count", "hotplugged", F_U32, count.hotplugged, FLAG(RR, count.have_plugged)),
	FLD(RR, "count", "removed", F_U32, count.removed, FLAG(RR, count.have_final)),
	FLD(RR, "count", "offline", F_U32, count.offline, FLAG(RR, count.have_final)),
	FLD(RR, "count", "online_movable", F_U32, count.online_movable, FLAG(RR, count.have_final)),
	FLD(RR, "count", "online_normal", F_U32, count.online_normal, FLAG(RR, count.have_final)),
	FLD(RR, "count", "online_other", F_U32, count.online_other, FLAG(RR, count.have_final)),
	FLD(RR, "count", "bytes_plugged", F_U64, count.bytes_plugged, FLAG(RR, count.have_plugged)),
	FLD(RR, "count", "bytes_remaining", F_U64, count.bytes_remaining,
	    FLAG(RR, count.have_final)),
	FLD(RR, "online", "expected_zone", F_STR, expected_zone, 0),
	FLD(RR, "online", "zone_mismatches", F_U32, zone_mismatches, 0),
	FLD(RR, NULL, "probe_final", F_JSON, probe_final, 0),
	FLD(RR, NULL, "workload", F_JSON, workload, 0),
	FLD(RR, NULL, "why_probe", F_JSON, why_probe, 0),
	/* issue 25 */
	FLD(RR, "klog", "records", F_U64, klog.records, FLAG(RR, klog.have)),
	FLD(RR, "klog", "lost", F_U64, klog.lost, FLAG(RR, klog.have)),
	FLD(RR, "klog", "unmapped", F_U64, klog.unmapped, FLAG(RR, klog.have)),
	FLD(RR, "vmm", "rss_before_plug", F_U64, vmm_rss.before, FLAG(RR, vmm_rss.have_before)),
	FLD(RR, "vmm", "rss_loaded", F_U64, vmm_rss.loaded, FLAG(RR, vmm_rss.have_loaded)),
	FLD(RR, "vmm", "rss_after_unplug", F_U64, vmm_rss.after, FLAG(RR, vmm_rss.have_after)),
	FLD(RR, NULL, "onlining", F_JSON_OPT, onlining, 0),
	FLD(RR, NULL, "dax", F_JSON_OPT, dax, 0),
	FLD(RR, NULL, "cycles", F_JSON_OPT, cycles, 0),
	FLD(RR, NULL, "faults", F_JSON_OPT, faults, 0),
};

#define BR struct block_record
static const struct field block_fields[] = {
	FLD(BR, NULL, "index", F_U64, index, 0),
	FLD(BR, NULL, "start", F_U64, start, 0),
	FLD(BR, NULL, "zone", F_STR, zone, 0),
	FLD(BR, NULL, "final", F_FINAL, final, 0),
	FLD(BR, NULL, "final_zone", F_STR, final_zone, 0),
	FLD(BR, NULL, "why", F_JSON, why, 0),
	FLD(BR, NULL, "kernel", F_JSON, kernel, 0), /* issue 25 */
	FLD(BR, NULL, "node", F_U32_OPT, node, FLAG(BR, have_node)),
};

#define DR struct device_record
static const struct field device_fields[] = {
	FLD(DR, NULL, "id", F_STR, id, 0),
	FLD(DR, NULL, "kind", F_STR, kind, 0),
	FLD(DR, NULL, "addr", F_U64, addr, 0),
	FLD(DR, NULL, "plugged", F_U64, plugged, 0),
	FLD(DR, NULL, "remaining", F_U64, remaining, 0),
	FLD(DR, NULL, "outcome", F_OUTCOME, outcome, 0),
	FLD(DR, NULL, "attempts", F_U32, attempts, 0),
	FLD(DR, NULL, "ost_source", F_U32, ost_source, FLAG(DR, have_ost)),
	FLD(DR, NULL, "ost_status", F_U32, ost_status, FLAG(DR, have_ost)),
	FLD(DR, NULL, "unplug_ms", F_I64, unplug_ms, 0),
	FLD(DR, NULL, "detail", F_STR, detail, 0),
	FLD(DR, NULL, "hung", F_JSON, hung, 0), /* issue 25 */
	FLD(DR, NULL, "futile_stop", F_BOOL, futile, 0),
};

/* A timeline point is a positional array [t_ms, bytes_plugged, blocks_present]. */
#define TP struct timeline_point
static const struct field timeline_fields[] = {
	FLD(TP, NULL, "t_ms", F_I64, t_ms, 0),
	FLD(TP, NULL, "bytes_plugged", F_U64, bytes_plugged, 0),
	FLD(TP, NULL, "blocks_present", F_U32, blocks_present, 0),
};

#define ER struct event_record
static const struct field event_fields[] = {
	FLD(ER, NULL, "t_ms", F_I64, t_ms, 0),
	FLD(ER, NULL, "event", F_STR, name, 0),
	FLD(ER, NULL, "device", F_STR, device, 0),
	FLD(ER, NULL, "source", F_U32, source, 0),
	FLD(ER, NULL, "status", F_U32, status, 0),
	FLD(ER, NULL, "size", F_U64, size, 0),
};

/* "origin", only in a rerun's result (cmd_rerun.c). */
static const struct field origin_fields[] = {
	FLD(RR, "origin", "rerun_of", F_STRP, origin.rerun_of, 0),
	FLD(RR, "origin", "run_id", F_STR, origin.run_id, 0),
	FLD(RR, "origin", "started", F_STR, origin.started, 0),
	FLD(RR, "origin", "image", F_STR, origin.image, 0),
};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))
#define ARRAY(k, tbl, T, a, n, pos) { k, tbl, COUNT_OF(tbl), sizeof(T), offsetof(RR, a), offsetof(RR, n), pos }

static const struct array_desc {
	const char *key;
	const struct field *fields;
	size_t nfields, elem;
	size_t arr, n; /* offsets of the array pointer and its length in run_record */
	bool positional;
} arrays[] = {
	ARRAY("blocks", block_fields, BR, blocks, nblocks, false),
	ARRAY("devices", device_fields, DR, devices, ndevices, false),
	ARRAY("unplug_timeline", timeline_fields, TP, timeline, ntimeline, true),
	ARRAY("events", event_fields, ER, events, nevents, false),
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
	for (size_t i = 0; i < r->nblocks; i++) {
		json_object_put(r->blocks[i].why);
		json_object_put(r->blocks[i].kernel);
	}
	free(r->blocks);
	for (size_t i = 0; i < r->ndevices; i++)
		json_object_put(r->devices[i].hung);
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
	json_object_put(r->kernel_package);
	json_object_put(r->onlining);
	json_object_put(r->dax);
	json_object_put(r->cycles);
	json_object_put(r->faults);
	free(r->origin.rerun_of);
	result_init(r);
}

/* Grow an array by one zeroed element. The arrays are only ever grown
 * here, so their capacity is the next power of two of their length: a
 * realloc at each power of two, not at every element (a 100000-block
 * result took over a minute under ASan). */
static void *grow(void *arr, size_t *n, size_t elem)
{
	char *p = arr;

	if (!(*n & (*n - 1)))
		p = xrealloc(arr, (*n ? 2 * *n : 1) * elem);
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
	char *copy = xstrdup(line ? line : "");

	r->kmsg = grow(r->kmsg, &r->nkmsg, sizeof(*r->kmsg));
	r->kmsg[r->nkmsg - 1] = copy;
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

static bool measured(const struct field *f, const char *base)
{
	return !f->flag || *(const bool *)(base + f->flag - 1);
}

/* The JSON value of one field of the record at base (NULL: JSON null). */
static json_object *field_to_json(const struct field *f, const char *base)
{
	const void *p = base + f->offset;

	if (!measured(f, base))
		return NULL;
	switch (f->type) {
	case F_STR:
	case F_STR_OPT: return json_object_new_string(p);
	case F_STRP: return json_object_new_string(*(char *const *)p ? *(char *const *)p : "");
	case F_U32:
	case F_U32_OPT: return json_object_new_uint64(*(const unsigned *)p);
	case F_U64: return json_object_new_uint64(*(const uint64_t *)p);
	case F_I64: return json_object_new_int64(*(const int64_t *)p);
	case F_BOOL: return json_object_new_boolean(*(const bool *)p);
	case F_OUTCOME: return json_object_new_string(result_outcome_name(*(const enum outcome *)p));
	case F_FINAL: return json_object_new_string(result_final_name(*(const enum block_final *)p));
	case F_JSON:
	case F_JSON_OPT: return json_object_get(*(json_object *const *)p);
	}
	return NULL;
}

static void fields_to_json(json_object *o, const struct field *fields, size_t n, const char *base)
{
	for (size_t i = 0; i < n; i++) {
		const struct field *f = &fields[i];

		if (f->type == F_JSON_OPT && !*(json_object *const *)(base + f->offset))
			continue;
		if (f->type == F_U32_OPT && !measured(f, base))
			continue;
		if (f->type == F_STR_OPT && !*(const char *)(base + f->offset))
			continue;
		json_object_object_add(group_of(o, f->group, true), f->key, field_to_json(f, base));
	}
}

/* scenario.sweep: {"section.key": "value", ...} in the sweep's order, or null. */
static json_object *sweep_to_json(const struct sweep_point *pt)
{
	json_object *o;

	if (!pt->n)
		return NULL;
	o = json_object_new_object();
	for (unsigned k = 0; k < pt->n && k < SWEEP_MAX_KEYS; k++)
		json_object_object_add(o, pt->kv[k].key, json_object_new_string(pt->kv[k].value));
	return o;
}

json_object *result_to_json(const struct run_record *r)
{
	json_object *root = json_object_new_object(), *o;
	const char *base = (const char *)r;

	json_object_object_add(root, "schema", json_object_new_string(RESULT_SCHEMA));
	json_object_object_add(root, "version", json_object_new_int(RESULT_VERSION));
	json_object_object_add(root, "status", json_object_new_string(result_status_name(r->status)));
	fields_to_json(root, result_fields, COUNT_OF(result_fields), base);
	json_object_object_add(group_of(root, "scenario", true), "sweep", sweep_to_json(&r->sweep));
	/* Derived, written for readers; ignored when read back. */
	json_object_object_add(group_of(root, "count", true), "bytes_unplugged",
			       result_have_bytes_unplugged(&r->count) ?
				       json_object_new_uint64(result_bytes_unplugged(&r->count)) :
				       NULL);

	json_object_object_add(group_of(root, "vmm", true), "rss_returned",
			       result_have_rss_returned(r) ?
				       json_object_new_uint64(result_rss_returned(r)) : NULL);

	o = json_object_new_object();
	for (unsigned p = 0; p < PHASE_COUNT; p++)
		json_object_object_add(o, phase_names[p],
				       r->phase_ms[p] < 0 ? NULL : json_object_new_int64(r->phase_ms[p]));
	json_object_object_add(root, "phases_ms", o);

	for (size_t a = 0; a < COUNT_OF(arrays); a++) {
		const struct array_desc *d = &arrays[a];
		const char *elems = *(const char *const *)(base + d->arr);
		size_t n = *(const size_t *)(base + d->n);
		json_object *arr = json_object_new_array();

		for (size_t i = 0; i < n; i++) {
			const char *eb = elems + i * d->elem;

			if (d->positional) {
				o = json_object_new_array();
				for (size_t k = 0; k < d->nfields; k++)
					json_object_array_add(o, field_to_json(&d->fields[k], eb));
			} else {
				o = json_object_new_object();
				fields_to_json(o, d->fields, d->nfields, eb);
			}
			json_object_array_add(arr, o);
		}
		json_object_object_add(root, d->key, arr);
	}

	o = json_object_new_array();
	for (size_t i = 0; i < r->nkmsg; i++)
		json_object_array_add(o, json_object_new_string(r->kmsg[i]));
	json_object_object_add(root, "kmsg", o);
	if (r->origin.have)
		fields_to_json(root, origin_fields, COUNT_OF(origin_fields), base);
	return root;
}

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (o && json_object_is_type(o, json_type_object))
		json_object_object_get_ex(o, key, &v);
	return v;
}

/* A JSON string's text, or "" for anything else (missing, null, number). */
static const char *str_or_empty(json_object *v)
{
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
}

static const char *type_name(json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null: return "null";
	case json_type_boolean: return "a boolean";
	case json_type_double: return "a fraction";
	case json_type_int: return "an integer";
	case json_type_object: return "an object";
	case json_type_array: return "an array";
	case json_type_string: return "a string";
	}
	return "?";
}

/* The name of a field for messages: "count.removed", "blocks[3].final". */
struct where {
	const char *array;
	size_t index;
};

static int bad_field(struct err *err, const struct where *w, const struct field *f,
		     const char *what, json_object *v)
{
	char name[128];

	if (w && w->array)
		snprintf(name, sizeof(name), "%s[%zu].%s", w->array, w->index, f->key);
	else
		snprintf(name, sizeof(name), "%s%s%s", f->group ? f->group : "",
			 f->group ? "." : "", f->key);
	if (v && json_object_is_type(v, json_type_int))
		return err_fail(err, -EINVAL, "%s: expected %s, got %.40s", name, what,
					 json_object_get_string(v));
	if (v)
		return err_fail(err, -EINVAL, "%s: expected %s, got %s", name, what, type_name(v));
	return err_fail(err, -EINVAL, "%s: %s", name, what);
}

/* An integer within [min, max] (int64 or uint64 range). */
static bool int_in(json_object *v, bool is_signed, uint64_t max, uint64_t *u, int64_t *s)
{
	int64_t i;

	if (!json_object_is_type(v, json_type_int))
		return false;
	i = json_object_get_int64(v);
	if (is_signed) {
		/* get_int64 clamps a uint64 above INT64_MAX to INT64_MAX. */
		if (i == INT64_MAX && json_object_get_uint64(v) != (uint64_t)INT64_MAX)
			return false;
		*s = i;
		return true;
	}
	if (i < 0)
		return false;
	*u = json_object_get_uint64(v);
	return *u <= max;
}

/* present: the key is there (json-c gives JSON null as v == NULL). */
static int field_from_json(const struct field *f, bool present, json_object *v, char *base,
			   const struct where *w, struct err *err)
{
	void *p = base + f->offset;
	uint64_t u = 0;
	int64_t s = 0;
	int i;

	if (!v) {
		/* Missing: an older file; empty. Null: not measured, which only
		 * measurements (flag) and verbatim objects can be. */
		if (present && !f->flag && f->type != F_JSON && f->type != F_JSON_OPT)
			return bad_field(err, w, f, f->type == F_STR || f->type == F_STRP ||
							    f->type == F_STR_OPT ?
						    "expected a string, got null" :
						    "expected a value, got null", NULL);
		if (f->type == F_STRP)
			*(char **)p = xstrdup("");
		return 0;
	}
	if (f->flag)
		*(bool *)(base + f->flag - 1) = true;
	switch (f->type) {
	case F_STR:
	case F_STR_OPT:
		if (!json_object_is_type(v, json_type_string))
			return bad_field(err, w, f, "a string", v);
		snprintf(p, f->size, "%s", json_object_get_string(v));
		return 0;
	case F_STRP:
		if (!json_object_is_type(v, json_type_string))
			return bad_field(err, w, f, "a string", v);
		*(char **)p = xstrdup(json_object_get_string(v));
		return 0;
	case F_U32:
	case F_U32_OPT:
		if (!int_in(v, false, UINT32_MAX, &u, &s))
			return bad_field(err, w, f, "an integer from 0 to 4294967295", v);
		*(unsigned *)p = (unsigned)u;
		return 0;
	case F_U64:
		if (!int_in(v, false, UINT64_MAX, &u, &s))
			return bad_field(err, w, f, "an integer from 0 to 2^64-1", v);
		*(uint64_t *)p = u;
		return 0;
	case F_I64:
		if (!int_in(v, true, 0, &u, &s))
			return bad_field(err, w, f, "a 64-bit integer", v);
		*(int64_t *)p = s;
		return 0;
	case F_BOOL:
		if (!json_object_is_type(v, json_type_boolean))
			return bad_field(err, w, f, "a boolean", v);
		*(bool *)p = json_object_get_boolean(v);
		return 0;
	case F_OUTCOME:
		if (!json_object_is_type(v, json_type_string))
			return bad_field(err, w, f, "a string", v);
		i = name_index(NAMES(outcome_names), json_object_get_string(v));
		if (i < 0)
			return bad_field(err, w, f, "not an outcome memhp knows", NULL);
		*(enum outcome *)p = (enum outcome)i;
		return 0;
	case F_FINAL:
		if (!json_object_is_type(v, json_type_string))
			return bad_field(err, w, f, "a string", v);
		i = name_index(NAMES(final_names), json_object_get_string(v));
		if (i < 0)
			return bad_field(err, w, f, "not removed, offline, online or \"\"", NULL);
		*(enum block_final *)p = (enum block_final)i;
		return 0;
	case F_JSON:
	case F_JSON_OPT:
		if (!json_object_is_type(v, json_type_object))
			return bad_field(err, w, f, "an object or null", v);
		*(json_object **)p = json_object_get(v);
		return 0;
	}
	return 0;
}

static json_object *group_of_ro(json_object *o, const char *group)
{
	return group ? get(o, group) : o;
}

static int fields_from_json(json_object *o, const struct field *fields, size_t n, char *base,
			    const struct where *w, struct err *err)
{
	for (size_t i = 0; i < n; i++) {
		const struct field *f = &fields[i];
		json_object *g = o, *v;
		bool present;
		int rc;

		if (f->group) {
			g = get(o, f->group);
			if (g && !json_object_is_type(g, json_type_object))
				return err_set(err, "%s: expected an object, got %s", f->group,
					       type_name(g)), -EINVAL;
		}
		v = NULL;
		present = g && json_object_is_type(g, json_type_object) &&
			  json_object_object_get_ex(g, f->key, &v);
		rc = field_from_json(f, present, v, base, w, err);
		if (rc)
			return rc;
		/* Fields measured together are null together. */
		for (size_t k = 0; f->flag && k < i; k++)
			if (fields[k].flag == f->flag && (get(group_of_ro(o, fields[k].group),
							      fields[k].key) != NULL) != (v != NULL))
				return err_set(err, "%s%s%s and %s: one is null, the other not: "
					       "they are measured together",
					       f->group ? f->group : "", f->group ? "." : "",
					       fields[k].key, f->key), -EINVAL;
	}
	return 0;
}

static int array_from_json(json_object *root, const struct array_desc *d, char *base,
			   struct err *err)
{
	json_object *arr = get(root, d->key);
	size_t len;

	if (!arr || json_object_is_type(arr, json_type_null))
		return 0;
	if (!json_object_is_type(arr, json_type_array))
		return err_set(err, "%s: expected an array, got %s", d->key, type_name(arr)),
		       -EINVAL;
	len = json_object_array_length(arr);
	for (size_t i = 0; i < len; i++) {
		json_object *o = json_object_array_get_idx(arr, i);
		char **elems = (char **)(base + d->arr);
		size_t *n = (size_t *)(base + d->n);
		struct where w = { d->key, i };
		char *eb;
		int rc;

		if (!json_object_is_type(o, d->positional ? json_type_array : json_type_object))
			return err_set(err, "%s[%zu]: expected %s, got %s", d->key, i,
				       d->positional ? "an array" : "an object", type_name(o)),
			       -EINVAL;
		*elems = grow(*elems, n, d->elem);
		eb = *elems + (*n - 1) * d->elem;
		if (!d->positional) {
			rc = fields_from_json(o, d->fields, d->nfields, eb, &w, err);
		} else if (json_object_array_length(o) != d->nfields) {
			return err_set(err, "%s[%zu]: expected %zu numbers, got %zu", d->key, i,
				       d->nfields, json_object_array_length(o)), -EINVAL;
		} else {
			rc = 0;
			for (size_t k = 0; !rc && k < d->nfields; k++) {
				json_object *v = json_object_array_get_idx(o, k);

				rc = v ? field_from_json(&d->fields[k], true, v, eb, &w, err) :
					 bad_field(err, &w, &d->fields[k],
						   "expected a number, got null", NULL);
			}
		}
		if (rc)
			return rc;
	}
	return 0;
}

/* Counts that cannot all be true of one run. */
static int check_counts(const struct run_record *r, struct err *err)
{
	const struct count *c = &r->count;
	uint64_t fates = (uint64_t)c->removed + c->offline + c->online_movable + c->online_normal +
			 c->online_other;

	if (r->status == RUN_OK && !(c->have_plugged && c->have_final))
		return err_set(err, "count: a run with status ok has counts that were not "
			       "measured (null)"), -EINVAL;
	if (c->have_plugged && c->have_final && fates > c->hotplugged)
		return err_set(err, "count: removed, offline and online blocks (%" PRIu64 ") exceed "
			       "the %u hot-added", fates, c->hotplugged), -EINVAL;
	return 0;
}

static int sweep_from_json(json_object *root, struct sweep_point *pt, struct err *err)
{
	json_object *o = get(get(root, "scenario"), "sweep");

	if (!o)
		return 0;
	if (!json_object_is_type(o, json_type_object))
		return err_fail(err, -EINVAL, "scenario.sweep: expected an object or null, got %s",
				type_name(o));
	json_object_object_foreach(o, key, val) {
		struct sweep_kv *kv = &pt->kv[pt->n];

		if (pt->n == SWEEP_MAX_KEYS)
			return err_fail(err, -EINVAL, "scenario.sweep: more than %d keys",
					SWEEP_MAX_KEYS);
		if (!json_object_is_type(val, json_type_string))
			return err_fail(err, -EINVAL, "scenario.sweep: a value that is %s, not a string",
					type_name(val));
		if (!*key || strlen(key) >= sizeof(kv->key) ||
		    strlen(json_object_get_string(val)) >= sizeof(kv->value))
			return err_fail(err, -EINVAL, "scenario.sweep: a key of 1 to %zu characters "
					"with a value of at most %zu", sizeof(kv->key) - 1,
					sizeof(kv->value) - 1);
		snprintf(kv->key, sizeof(kv->key), "%s", key);
		snprintf(kv->value, sizeof(kv->value), "%s", json_object_get_string(val));
		pt->n++;
	}
	return 0;
}

static int from_json(json_object *root, struct run_record *r, struct err *err)
{
	json_object *v, *arr;
	int64_t version = 0;
	uint64_t ignored;
	char *base = (char *)r;
	int i, rc;

	if (!json_object_is_type(root, json_type_object) ||
	    strcmp(str_or_empty(get(root, "schema")), RESULT_SCHEMA))
		return err_fail(err, -EINVAL, "not a %s file", RESULT_SCHEMA);
	v = get(root, "version");
	if (!v || !int_in(v, true, 0, &ignored, &version) || version != RESULT_VERSION) {
		if (v && json_object_is_type(v, json_type_int))
			return err_set(err, "%s version %" PRId64 " is not the supported %d",
				       RESULT_SCHEMA, version, RESULT_VERSION), -EINVAL;
		return err_fail(err, -EINVAL, "%s version is not the integer %d", RESULT_SCHEMA,
					 RESULT_VERSION);
	}
	i = name_index(NAMES(status_names), str_or_empty(get(root, "status")));
	if (i < 0) {
		char s[64];

		snprintf(s, sizeof(s), "%s", str_or_empty(get(root, "status")));
		for (char *p = s; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		return err_fail(err, -EINVAL, "unknown status '%s'", s);
	}
	r->status = (enum run_status)i;
	rc = fields_from_json(root, result_fields, COUNT_OF(result_fields), base, NULL, err);
	if (rc)
		return rc;
	rc = sweep_from_json(root, &r->sweep, err);
	if (rc)
		return rc;
	rc = check_counts(r, err);
	if (rc)
		return rc;
	v = get(root, "phases_ms");
	if (v && !json_object_is_type(v, json_type_object) && !json_object_is_type(v, json_type_null))
		return err_set(err, "phases_ms: expected an object, got %s", type_name(v)), -EINVAL;
	for (unsigned p = 0; p < PHASE_COUNT; p++) {
		json_object *ms = get(v, phase_names[p]);
		uint64_t u;

		if (!ms || json_object_is_type(ms, json_type_null))
			continue;
		if (!int_in(ms, false, INT64_MAX, &u, &version))
			return err_set(err, "phases_ms.%s: expected null or an integer from 0 to "
				       "2^63-1, got %.40s", phase_names[p],
				       json_object_is_type(ms, json_type_int) ?
					       json_object_get_string(ms) : type_name(ms)), -EINVAL;
		r->phase_ms[p] = (int64_t)u;
	}
	for (size_t a = 0; a < COUNT_OF(arrays); a++) {
		rc = array_from_json(root, &arrays[a], base, err);
		if (rc)
			return rc;
	}
	arr = get(root, "kmsg");
	if (arr && !json_object_is_type(arr, json_type_array) &&
	    !json_object_is_type(arr, json_type_null))
		return err_fail(err, -EINVAL, "kmsg: expected an array, got %s", type_name(arr));
	for (size_t k = 0; arr && k < json_object_array_length(arr); k++) {
		json_object *line = json_object_array_get_idx(arr, k);

		if (!json_object_is_type(line, json_type_string))
			return err_fail(err, -EINVAL, "kmsg[%zu]: expected a string, got %s", k,
						 type_name(line));
		result_add_kmsg(r, json_object_get_string(line));
	}
	v = get(root, "origin");
	if (v && !json_object_is_type(v, json_type_object))
		return err_fail(err, -EINVAL, "origin: expected an object, got %s", type_name(v));
	if (v) {
		r->origin.have = true;
		return fields_from_json(root, origin_fields, COUNT_OF(origin_fields), base, NULL,
					err);
	}
	return 0;
}

int result_from_json(json_object *root, struct run_record *r, struct err *err)
{
	int rc;

	result_init(r);
	rc = from_json(root, r, err);
	if (rc)
		result_free(r);
	return rc;
}

int json_write_atomic(json_object *root, const char *dir, const char *name, struct err *err)
{
	const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
								JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t len = strlen(text);
	char *path, *buf;
	int rc;

	/* One write of the whole text: a full disk is then named as such
	 * (ENOSPC) by the write that met it. Written piecewise, the error came
	 * out of stdio's buffer later, with errno gone ("Input/output error"). */
	buf = xmalloc(len + 2);
	memcpy(buf, text, len);
	buf[len] = '\n';
	path = path_join(dir, name);
	rc = atomic_write(path, buf, len + 1, 0644, err);
	free(path);
	free(buf);
	return rc;
}

int result_write(const struct run_record *r, const char *dir, struct err *err)
{
	json_object *root = result_to_json(r);
	int rc = json_write_atomic(root, dir, "result.json", err);

	json_object_put(root);
	return rc;
}

int result_read(const char *path, struct run_record *r, struct err *err)
{
	json_object *root;
	int rc, fd;

	result_init(r);
	/* A FIFO or /dev/zero given as a result would hang or fill memory. */
	fd = file_open_regular(path, RESULT_MAX_BYTES, err);
	if (fd < 0)
		return -EINVAL; /* as for any file that is not a result */
	root = json_object_from_fd(fd);
	close(fd);
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

/* The schema type of a field, from its table entry (schema.h). */
static unsigned field_schema_type(const struct field *f)
{
	unsigned t = 0;

	switch (f->type) {
	case F_STR:
	case F_STRP:
	case F_OUTCOME:
	case F_FINAL: t = SCH_STRING; break;
	case F_U32:
	case F_U64:
	case F_I64: t = SCH_INTEGER; break;
	case F_BOOL: t = SCH_BOOLEAN; break;
	case F_JSON: t = SCH_OBJECT | SCH_NULL; break;
	case F_JSON_OPT: t = SCH_OBJECT | SCH_ABSENT; break;
	case F_STR_OPT: t = SCH_STRING | SCH_ABSENT; break;
	case F_U32_OPT: return SCH_INTEGER | SCH_ABSENT; /* its flag: written or not */
	}
	return t | (f->flag ? SCH_NULL : 0);
}

/* Each field's path and type; groups: visit each group once, as an object. */
static void walk_fields(schema_visit visit, void *ctx, const char *prefix,
			const struct field *fields, size_t n, bool groups)
{
	char path[160];

	for (size_t i = 0; i < n; i++) {
		const struct field *f = &fields[i];
		bool first = f->group && groups;

		for (size_t k = 0; first && k < i; k++)
			if (fields[k].group && !strcmp(fields[k].group, f->group))
				first = false;
		if (first)
			visit(ctx, f->group, SCH_OBJECT, NULL);
		snprintf(path, sizeof(path), "%s%s%s%s", prefix, f->group ? f->group : "",
			 f->group ? "." : "", f->key);
		visit(ctx, path, field_schema_type(f),
		      f->type == F_OUTCOME ? outcome_names : f->type == F_FINAL ? final_names : NULL);
	}
}

void result_schema_walk(schema_visit visit, void *ctx)
{
	char path[96];

	visit(ctx, "schema", SCH_STRING, NULL);
	visit(ctx, "version", SCH_INTEGER, NULL);
	visit(ctx, "status", SCH_STRING, status_names);
	walk_fields(visit, ctx, "", result_fields, COUNT_OF(result_fields), true);
	visit(ctx, "scenario.sweep", SCH_OBJECT | SCH_NULL, NULL);
	visit(ctx, "count.bytes_unplugged", SCH_INTEGER | SCH_NULL | SCH_DERIVED, NULL);
	visit(ctx, "vmm.rss_returned", SCH_INTEGER | SCH_NULL | SCH_DERIVED, NULL);
	visit(ctx, "phases_ms", SCH_OBJECT, NULL);
	for (unsigned p = 0; p < PHASE_COUNT; p++) {
		snprintf(path, sizeof(path), "phases_ms.%s", phase_names[p]);
		visit(ctx, path, SCH_INTEGER | SCH_NULL, NULL);
	}
	for (size_t a = 0; a < COUNT_OF(arrays); a++) {
		const struct array_desc *d = &arrays[a];

		visit(ctx, d->key, SCH_ARRAY, NULL);
		snprintf(path, sizeof(path), "%s[]", d->key);
		visit(ctx, path, d->positional ? SCH_ARRAY : SCH_OBJECT, NULL);
		if (d->positional) {
			/* [t_ms, bytes_plugged, blocks_present]: integers by position */
			snprintf(path, sizeof(path), "%s[][]", d->key);
			visit(ctx, path, SCH_INTEGER, NULL);
			continue;
		}
		snprintf(path, sizeof(path), "%s[].", d->key);
		walk_fields(visit, ctx, path, d->fields, d->nfields, false);
	}
	visit(ctx, "kmsg", SCH_ARRAY, NULL);
	visit(ctx, "kmsg[]", SCH_STRING, NULL);
	visit(ctx, "origin", SCH_OBJECT | SCH_ABSENT, NULL);
	walk_fields(visit, ctx, "", origin_fields, COUNT_OF(origin_fields), false);
}

const char *result_block_verdict(const struct block_record *b)
{
	return str_or_empty(get(b->why, "verdict"));
}
