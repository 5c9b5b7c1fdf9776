// SPDX-License-Identifier: GPL-2.0-only
/*
 * The schema layer (schema.h): the rows agree with what result.c and
 * bisect_json.c write. Every member of a result.json and a bisect.json
 * written with every part filled has a row (so a field added to a writer
 * without a row fails here), a row the writer's table lacks is refused, and
 * the origin memhp rerun records reads back.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "bisect_json.h"
#include "result.h"
#include "scenario.h"
#include "str.h"
#include "schema.h"
#include "xalloc.h"

static const struct schema_row *row_of(const struct schema_row *rows, size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(rows[i].path, path))
			return &rows[i];
	return NULL;
}

/* Every member below v (at path) has a row of its type; open objects are
 * not descended into. Returns how many members were checked. */
static unsigned check_paths(const struct schema_row *rows, size_t n, const char *path,
			    json_object *v)
{
	const struct schema_row *r = path ? row_of(rows, n, path) : NULL;
	unsigned checked = 1;
	char sub[512];

	if (path && !r)
		fail_msg("%s is written but has no schema row", path);
	if (r) {
		unsigned want = !v ? SCH_NULL :
				json_object_is_type(v, json_type_string) ? SCH_STRING :
				json_object_is_type(v, json_type_int) ? SCH_INTEGER | SCH_NUMBER :
				json_object_is_type(v, json_type_double) ? SCH_NUMBER :
				json_object_is_type(v, json_type_boolean) ? SCH_BOOLEAN :
				json_object_is_type(v, json_type_object) ? SCH_OBJECT : SCH_ARRAY;

		if (!(r->type & want))
			fail_msg("%s: written as %s, its row says otherwise", path,
				 v ? json_type_to_name(json_object_get_type(v)) : "null");
		if (r->type & SCH_OPEN)
			return checked;
	}
	if (v && json_object_is_type(v, json_type_object)) {
		json_object_object_foreach(v, key, val) {
			snprintf(sub, sizeof(sub), "%s%s%s", path ? path : "", path ? "." : "", key);
			checked += check_paths(rows, n, sub, val);
		}
	} else if (v && json_object_is_type(v, json_type_array)) {
		snprintf(sub, sizeof(sub), "%s[]", path);
		for (size_t i = 0; i < json_object_array_length(v); i++)
			checked += check_paths(rows, n, sub, json_object_array_get_idx(v, i));
	}
	return checked;
}

static void resolve(const char *name, struct schema_row **rows, size_t *n)
{
	struct err err;

	assert_int_equal(schema_resolve(schema_find(name), rows, n, &err), 0);
}

static json_object *object_with(const char *key, json_object *v)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, key, v);
	return o;
}

/* A record with every part there: arrays, verbatim objects, origin. */
static void fill(struct run_record *r)
{
	struct event_record ev = { .t_ms = 1, .name = "DEVICE_DELETED", .device = "dimm0" };

	result_init(r);
	strcpy(r->run_id, "x-r1");
	r->scenario_text = xstrdup("[hotplug]\n");
	r->cmdline = xstrdup("console=ttyS0");
	r->count.have_plugged = r->count.have_final = true;
	r->klog.have = true;
	r->vmm_rss.have_before = r->vmm_rss.have_loaded = r->vmm_rss.have_after = true;
	r->sweep.n = 1;
	strcpy(r->sweep.kv[0].key, "online.policy");
	strcpy(r->sweep.kv[0].value, "online_movable");
	result_add_block(r)->why = object_with("verdict", json_object_new_string("slab"));
	result_add_device(r)->hung = object_with("failures", json_object_new_int(3));
	result_add_timeline(r, 5, 4096, 1);
	result_add_event(r, &ev);
	result_add_kmsg(r, "Offline failed");
	r->workload = object_with("mix", json_object_new_string("anon:1"));
	r->kernel_build = object_with("key", json_object_new_string("k"));
	r->kernel_package = object_with("suite", json_object_new_string("host"));
	r->onlining = object_with("online_policy", json_object_new_string("contig-zones"));
	r->why_probe = json_object_new_object();
	r->probe_final = object_with("anything", json_object_new_int(1));
	r->origin.have = true;
	r->origin.rerun_of = xstrdup("a/result.json");
	strcpy(r->origin.run_id, "x-r0");
}

static void test_result_written_is_documented(void **state)
{
	struct schema_row *rows;
	struct run_record r;
	json_object *o;
	size_t n;

	(void)state;
	resolve("result", &rows, &n);
	fill(&r);
	o = result_to_json(&r);
	/* the top level, its groups and members, the arrays' elements and the
	 * verbatim objects' members: well over the 60 of the flat table */
	assert_true(check_paths(rows, n, NULL, o) > 80);
	json_object_put(o);
	result_free(&r);
	free(rows);
}

static void test_origin_reads_back(void **state)
{
	char dir[] = "/tmp/memhp-schema-XXXXXX", *path;
	struct run_record r, back;
	struct err err;

	(void)state;
	assert_non_null(mkdtemp(dir));
	fill(&r);
	assert_int_equal(result_write(&r, dir, &err), 0);
	path = path_join(dir, "result.json");
	assert_int_equal(result_read(path, &back, &err), 0);
	assert_true(back.origin.have);
	assert_string_equal(back.origin.rerun_of, "a/result.json");
	assert_string_equal(back.origin.run_id, "x-r0");
	result_free(&back);
	/* without origin: none written, none read */
	r.origin.have = false;
	assert_int_equal(result_write(&r, dir, &err), 0);
	assert_int_equal(result_read(path, &back, &err), 0);
	assert_false(back.origin.have);
	assert_null(back.origin.rerun_of);
	result_free(&back);
	result_free(&r);
	unlink(path);
	free(path);
	rmdir(dir);
}

static void test_origin_must_be_an_object(void **state)
{
	json_object *o;
	struct run_record r;
	struct err err;

	(void)state;
	fill(&r);
	o = result_to_json(&r);
	result_free(&r);
	json_object_object_add(o, "origin", json_object_new_string("x"));
	assert_int_equal(result_from_json(o, &r, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "origin"));
	json_object_put(o);
}

/* A writer's field without a row, and a row without a field, are refused. */
static void test_drift_is_refused(void **state)
{
	const struct schema_doc *d = schema_find("result");
	struct schema_row *rows, *fewer = xmalloc(d->nrows * sizeof(*fewer)), extra[] = {
		{ "schema", 0, "x", NULL }, { "no_such_field", 0, "x", NULL },
	};
	struct schema_doc doc = *d;
	struct err err;
	size_t n, k = 0;

	(void)state;
	for (size_t i = 0; i < d->nrows; i++)
		if (strcmp(d->rows[i].path, "count.removed"))
			fewer[k++] = d->rows[i];
	doc.rows = fewer;
	doc.nrows = k;
	assert_int_equal(schema_resolve(&doc, &rows, &n, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "count.removed is written but not documented"));
	memcpy(fewer, d->rows, d->nrows * sizeof(*fewer));
	fewer[0] = extra[1];
	doc.rows = fewer;
	doc.nrows = d->nrows;
	assert_int_equal(schema_resolve(&doc, &rows, &n, &err), -EINVAL);
	free(fewer);
	/* a member whose parent has no row */
	doc = *schema_find("bisect");
	doc.rows = (struct schema_row[]){ { "steps[].k", SCH_INTEGER, "x", NULL } };
	doc.nrows = 1;
	assert_int_equal(schema_resolve(&doc, &rows, &n, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "parent"));
}

static void test_bisect_written_is_documented(void **state)
{
	char dir[] = "/tmp/memhp-schema-XXXXXX", *path;
	struct patch patches[2] = { { .name = "0001-a.patch", .sha256 = "aa" },
				    { .name = "0002-b.patch", .sha256 = "bb" } };
	struct scenario sc = { .name = "quick-dimm" };
	struct step steps[2] = { 0 };
	struct bisect_outcome res = { .status = BISECT_AMBIGUOUS, .first = 1, .last = 2 };
	struct bisect_run b = { .tree = "/src/linux", .config = NULL, .range = "a..b",
				.scenario_path = "s.ini", .scenario = &sc, .patches = patches,
				.n = 2, .base_variant = "base", .steps = steps, .nsteps = 2,
				.status = "ambiguous", .result = &res };
	struct schema_row *rows;
	json_object *o;
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	str_copy(b.out, sizeof(b.out), dir);
	b.plan.metric = "blocks_removed";
	clock_gettime(CLOCK_MONOTONIC, &b.t0);
	/* a prefix judged by the SPRT, and the whole series by the A/B */
	steps[0] = (struct step){ .k = 1, .ran = true, .judged = true, .mark = BISECT_GOOD };
	steps[0].ab.looked = true;
	steps[1] = (struct step){ .k = 2, .ran = true, .mark = BISECT_BAD };
	steps[1].ab.looked = true;
	steps[1].ab.verdict = SEQ_WORSE;
	snprintf(steps[0].dir, sizeof(steps[0].dir), "%s/step-1-a", dir);
	snprintf(steps[1].dir, sizeof(steps[1].dir), "%s/step-2-b", dir);
	assert_int_equal(bisect_json_write(&b), 0);
	path = path_join(dir, "bisect.json");
	o = json_object_from_file(path);
	assert_non_null(o);
	resolve("bisect", &rows, &n);
	assert_true(check_paths(rows, n, NULL, o) > 60);
	/* found: a culprit instead of candidates */
	json_object_put(o);
	res.status = BISECT_FOUND;
	assert_int_equal(bisect_json_write(&b), 0);
	o = json_object_from_file(path);
	check_paths(rows, n, NULL, o);
	json_object_put(o);
	free(rows);
	unlink(path);
	free(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_result_written_is_documented),
		cmocka_unit_test(test_origin_reads_back),
		cmocka_unit_test(test_origin_must_be_an_object),
		cmocka_unit_test(test_drift_is_refused),
		cmocka_unit_test(test_bisect_written_is_documented),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
