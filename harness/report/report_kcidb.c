// SPDX-License-Identifier: GPL-2.0-only
/*
 * KCIDB v5.3 output (docs/reports.md). Built with json-c; every optional
 * field is left out rather than null, and the finished document is walked
 * once to make sure no null slipped in (json-c writes null for an object
 * that failed to allocate).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "atomic_file.h"
#include "compare.h"
#include "report_kcidb.h"

struct kcidb {
	const char *origin;
	json_object *root, *checkouts, *builds, *tests;
	json_object *seen; /* id -> the checkout or build object added under it */
};

bool kcidb_origin_valid(const char *origin)
{
	if (!origin || !*origin)
		return false;
	for (const char *p = origin; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

static void add(json_object *o, const char *key, json_object *v)
{
	json_object_object_add(o, key, v);
}

/* Optional strings: an empty one is data that is missing, so left out. */
static void add_str(json_object *o, const char *key, const char *s)
{
	if (s && *s)
		add(o, key, json_object_new_string(s));
}

static void sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
	for (unsigned i = 0; i < n && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[64] = '\0';
}

static bool is_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

static const char *jstr(json_object *o, const char *key)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

/* A KCIDB path element: [a-zA-Z0-9_-]+, anything else becomes '_'. */
static void path_elem(const char *s, char *out, size_t len)
{
	size_t i = 0;

	for (; *s && i + 1 < len; s++, i++) {
		char c = *s;

		out[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			 (c >= '0' && c <= '9') || c == '_' || c == '-' ? c : '_';
	}
	if (!i && len > 1)
		out[i++] = '_';
	out[i] = '\0';
}

static int kcidb_init(struct kcidb *k, const char *origin, struct err *err)
{
	json_object *v;

	memset(k, 0, sizeof(*k));
	if (!kcidb_origin_valid(origin))
		return err_set(err, "KCIDB origin '%s' is not of the form [a-z0-9_]+", origin), -EINVAL;
	k->origin = origin;
	k->root = json_object_new_object();
	v = json_object_new_object();
	add(v, "major", json_object_new_int(KCIDB_MAJOR));
	add(v, "minor", json_object_new_int(KCIDB_MINOR));
	add(k->root, "version", v);
	k->checkouts = json_object_new_array();
	k->builds = json_object_new_array();
	k->tests = json_object_new_array();
	add(k->root, "checkouts", k->checkouts);
	add(k->root, "builds", k->builds);
	add(k->root, "tests", k->tests);
	k->seen = json_object_new_object();
	return 0;
}

static void kcidb_free(struct kcidb *k)
{
	json_object_put(k->root);
	json_object_put(k->seen);
}

static bool has_null(json_object *o)
{
	if (!o)
		return true;
	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, key, v) {
			(void)key;
			if (has_null(v))
				return true;
		}
	} else if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++)
			if (has_null(json_object_array_get_idx(o, i)))
				return true;
	}
	return false;
}

/* Names and reasons come from result files: every string as valid UTF-8,
 * as compare's JSON, JUnit and KTAP carry them, or the document is no JSON. */
static void clean_strings(json_object *o)
{
	if (json_object_is_type(o, json_type_string)) {
		char *clean = utf8_clean(json_object_get_string(o));

		if (strcmp(clean, json_object_get_string(o)))
			json_object_set_string(o, clean);
		free(clean);
	} else if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, key, v) {
			(void)key;
			clean_strings(v);
		}
	} else if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++)
			clean_strings(json_object_array_get_idx(o, i));
	}
}

static int kcidb_write(struct kcidb *k, FILE *out, struct err *err)
{
	if (has_null(k->root))
		return err_fail(err, -ENOMEM, "out of memory building the KCIDB document");
	clean_strings(k->root);
	fprintf(out, "%s\n", json_object_to_json_string_ext(k->root, JSON_C_TO_STRING_PRETTY |
								JSON_C_TO_STRING_NOSLASHESCAPE));
	return 0;
}

static void make_id(const struct kcidb *k, const char *rest, char *id, size_t len)
{
	snprintf(id, len, "%s:%s", k->origin, rest);
}

/*
 * The checkout a run's kernel came from: for build: kernels the tree, its
 * base commit and the patch series; otherwise the kernel spec and the
 * release it resolved to.
 */
static void add_checkout(struct kcidb *k, const struct run_record *r, char *id, size_t len)
{
	json_object *b = r->kernel_build, *c, *misc, *patches = NULL, *plist;
	char ident[2048], hex[65], comment[1024];
	size_t npatches = 0;
	int n;

	if (b && json_object_object_get_ex(b, "patches", &patches) &&
	    json_object_is_type(patches, json_type_array))
		npatches = json_object_array_length(patches);
	if (b)
		n = snprintf(ident, sizeof(ident), "build\n%s\n%s\n%s", jstr(b, "tree"),
			     jstr(b, "tree_version"), jstr(b, "base_commit"));
	else
		n = snprintf(ident, sizeof(ident), "spec\n%s\n%s", r->kernel_spec, r->kernel_release);
	for (size_t i = 0; i < npatches && n > 0 && (size_t)n < sizeof(ident); i++)
		n += snprintf(ident + n, sizeof(ident) - (size_t)n, "\n%s",
			      jstr(json_object_array_get_idx(patches, i), "sha256"));
	sha256_hex(ident, strlen(ident), hex);
	snprintf(ident, sizeof(ident), "checkout-%.16s", hex);
	make_id(k, ident, id, len);
	if (json_object_object_get_ex(k->seen, id, NULL))
		return;

	c = json_object_new_object();
	add(c, "id", json_object_new_string(id));
	add(c, "origin", json_object_new_string(k->origin));
	misc = json_object_new_object();
	add_str(misc, "kernel_spec", r->kernel_spec);
	if (b) {
		const char *commit = jstr(b, "base_commit");
		char *hashes = calloc(npatches + 1, 65);
		bool all_hex = hashes != NULL;

		add_str(c, "tree_name", jstr(b, "tree"));
		if (is_hex(commit, 40))
			add(c, "git_commit_hash", json_object_new_string(commit));
		snprintf(comment, sizeof(comment), "Linux %s from %s%s%s, %zu patch%s",
			 *jstr(b, "tree_version") ? jstr(b, "tree_version") : "?", jstr(b, "tree"),
			 *commit ? " at " : "", commit, npatches, npatches == 1 ? "" : "es");
		add(c, "comment", json_object_new_string(comment));
		/* sha256 over the newline-terminated sha256 of each patch, as
		 * "sha256sum *.patch | cut -c-64 | sha256sum" */
		plist = json_object_new_array();
		for (size_t i = 0; i < npatches; i++) {
			json_object *p = json_object_array_get_idx(patches, i), *q;
			const char *h = jstr(p, "sha256");

			q = json_object_new_object();
			add_str(q, "name", jstr(p, "name"));
			add_str(q, "sha256", h);
			json_object_array_add(plist, q);
			if (all_hex && is_hex(h, 64))
				snprintf(hashes + 65 * i, 66, "%s\n", h);
			else
				all_hex = false;
		}
		if (all_hex) {
			sha256_hex(hashes, strlen(hashes), hex);
			add(c, "patchset_hash", json_object_new_string(npatches ? hex : ""));
		}
		free(hashes);
		add_str(misc, "tree", jstr(b, "tree"));
		add_str(misc, "tree_version", jstr(b, "tree_version"));
		add_str(misc, "base_commit", commit);
		add(misc, "patches", plist);
		add(c, "valid", json_object_new_boolean(true));
	} else {
		add_str(c, "tree_name", r->kernel_spec);
		snprintf(comment, sizeof(comment), "%s%s%s", r->kernel_spec,
			 *r->kernel_release ? ", release " : "", r->kernel_release);
		add_str(c, "comment", comment);
		add_str(misc, "kernel_release", r->kernel_release);
	}
	add_str(c, "start_time", r->started);
	add(c, "misc", misc);
	json_object_array_add(k->checkouts, c);
	add(k->seen, id, json_object_get(c));
}

/* The build (guest image) of a run, and its checkout, added once. */
static void add_build(struct kcidb *k, const struct run_record *r, char *id, size_t len)
{
	json_object *b = r->kernel_build, *o, *misc, *v;
	char checkout[512], key[80], comment[600];
	bool booted = r->phase_ms[PHASE_BOOT] >= 0;

	add_checkout(k, r, checkout, sizeof(checkout));
	if (*r->image_key) {
		snprintf(key, sizeof(key), "image-%s", r->image_key);
	} else {
		char ident[1100], hex[65];

		snprintf(ident, sizeof(ident), "%s\n%s", r->kernel_spec, r->kernel_release);
		sha256_hex(ident, strlen(ident), hex);
		snprintf(key, sizeof(key), "spec-%.16s", hex);
	}
	make_id(k, key, id, len);
	if (json_object_object_get_ex(k->seen, id, &o)) {
		/* One run that booted the image shows it was good. */
		if (booted)
			add(o, "status", json_object_new_string("PASS"));
		return;
	}
	o = json_object_new_object();
	add(o, "id", json_object_new_string(id));
	add(o, "origin", json_object_new_string(k->origin));
	add(o, "checkout_id", json_object_new_string(checkout));
	snprintf(comment, sizeof(comment), "memhp guest image %s, Linux %s", *r->image_key ?
		 r->image_key : "(none)", *r->kernel_release ? r->kernel_release : "?");
	add(o, "comment", json_object_new_string(comment));
	add(o, "architecture", json_object_new_string("x86_64"));
	if (booted)
		add(o, "status", json_object_new_string("PASS"));
	misc = json_object_new_object();
	add_str(misc, "image", r->image_key);
	add_str(misc, "kernel_spec", r->kernel_spec);
	add_str(misc, "kernel_release", r->kernel_release);
	if (b) {
		add_str(o, "config_name", jstr(b, "name"));
		if (json_object_object_get_ex(b, "build_seconds", &v) &&
		    (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
			add(o, "duration", json_object_new_double(json_object_get_double(v)));
		add_str(misc, "build_key", jstr(b, "key"));
		add_str(misc, "config_sha256", jstr(b, "config_sha256"));
		if (json_object_object_get_ex(b, "patches", &v) &&
		    json_object_is_type(v, json_type_array)) {
			json_object *plist = json_object_new_array();

			for (size_t i = 0; i < json_object_array_length(v); i++) {
				json_object *p = json_object_array_get_idx(v, i), *q;

				q = json_object_new_object();
				add_str(q, "name", jstr(p, "name"));
				add_str(q, "sha256", jstr(p, "sha256"));
				json_object_array_add(plist, q);
			}
			add(misc, "patches", plist);
		}
	}
	add(o, "misc", misc);
	json_object_array_add(k->builds, o);
	add(k->seen, id, json_object_get(o));
}

/* number {value, unit, prefix}; value consumed. */
static json_object *number(json_object *value, const char *unit, const char *prefix)
{
	json_object *n = json_object_new_object();

	add(n, "value", value);
	add_str(n, "unit", unit);
	add_str(n, "prefix", prefix);
	return n;
}

static json_object *environment(const struct run_record *r)
{
	json_object *e = json_object_new_object(), *m = json_object_new_object();
	char comment[800];

	snprintf(comment, sizeof(comment), "%s (%u CPUs, Linux %s), %s %s, %s",
		 *r->host ? r->host : "?", r->host_cpus, *r->host_kernel ? r->host_kernel : "?",
		 *r->backend ? r->backend : "?", r->vmm_version, *r->accel ? r->accel : "?");
	add(e, "comment", json_object_new_string(comment));
	add_str(m, "host", r->host);
	add_str(m, "host_kernel", r->host_kernel);
	add(m, "host_cpus", json_object_new_int64(r->host_cpus));
	add_str(m, "host_uri", r->host_uri);
	add_str(m, "backend", r->backend);
	add_str(m, "accel", r->accel);
	add_str(m, "accel_reason", r->accel_reason);
	add_str(m, "vmm_version", r->vmm_version);
	add(e, "misc", m);
	return e;
}

static json_object *run_misc(const struct report_run *run)
{
	const struct run_record *r = &run->rec;
	json_object *m = json_object_new_object();

	add_str(m, "result", run->path);
	add_str(m, "run_id", r->run_id);
	add(m, "repeat", json_object_new_int64(r->repeat));
	add_str(m, "scenario", r->scenario_name);
	add_str(m, "scenario_sha256", r->scenario_sha256);
	if (r->sweep.n) {
		/* A matrix sweep's point (docs/sweeps.md). */
		json_object *sw = json_object_new_object();

		add_str(m, "scenario_base", r->scenario_base);
		for (unsigned k = 0; k < r->sweep.n; k++)
			add_str(sw, r->sweep.kv[k].key, r->sweep.kv[k].value);
		add(m, "sweep", sw);
	}
	add_str(m, "method", r->method);
	add_str(m, "policy", r->policy);
	add_str(m, "variant", r->variant);
	add_str(m, "memhp_status", result_status_name(r->status));
	add(m, "block_size", json_object_new_int64((int64_t)r->count.block_size));
	add(m, "hotplugged", json_object_new_int64(r->count.hotplugged));
	add(m, "removed", json_object_new_int64(r->count.removed));
	add(m, "offline", json_object_new_int64(r->count.offline));
	add(m, "online_movable", json_object_new_int64(r->count.online_movable));
	add(m, "online_normal", json_object_new_int64(r->count.online_normal));
	add(m, "online_other", json_object_new_int64(r->count.online_other));
	add(m, "bytes_plugged", json_object_new_int64((int64_t)r->count.bytes_plugged));
	add(m, "bytes_remaining", json_object_new_int64((int64_t)r->count.bytes_remaining));
	add(m, "zone_mismatches", json_object_new_int64(r->zone_mismatches));
	add_str(m, "failed_phase", r->failed_phase);
	add_str(m, "reason", r->reason);
	if (r->status != RUN_OK)
		add(m, "host_failure", json_object_new_boolean(r->host_failure));
	return m;
}

/* One run: a test per metric, DONE with its number when the run was ok,
 * ERROR (nothing measured to compare) when it failed or was interrupted. */
static void add_run_tests(struct kcidb *k, const struct report_run *run)
{
	const struct run_record *r = &run->rec;
	static const char *const metrics[] = { "blocks_removed", "bytes_unplugged", "unplug_s" };
	char build[512], scn[160], rest[1024], id[1100], path[256], comment[1400];
	bool ok = r->status == RUN_OK;

	add_build(k, r, build, sizeof(build));
	path_elem(r->scenario_name, scn, sizeof(scn));
	for (size_t i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++) {
		json_object *t;

		if (ok && i == 2 && r->phase_ms[PHASE_UNPLUG] < 0)
			continue;
		t = json_object_new_object();
		snprintf(rest, sizeof(rest), "%s/%s/%s", *r->host ? r->host : "-", r->run_id,
			 metrics[i]);
		make_id(k, rest, id, sizeof(id));
		add(t, "id", json_object_new_string(id));
		add(t, "origin", json_object_new_string(k->origin));
		add(t, "build_id", json_object_new_string(build));
		snprintf(path, sizeof(path), "memhp.%s.%s", scn, metrics[i]);
		add(t, "path", json_object_new_string(path));
		add(t, "status", json_object_new_string(ok ? "DONE" : "ERROR"));
		if (ok) {
			if (i == 0)
				add(t, "number", number(json_object_new_int64(r->count.removed),
							"blocks", NULL));
			else if (i == 1)
				add(t, "number",
				    number(json_object_new_int64((int64_t)(r->count.bytes_plugged -
									   r->count.bytes_remaining)),
					   "B", "binary"));
			else
				add(t, "number", number(json_object_new_double(r->phase_ms[PHASE_UNPLUG] /
								      1000.0), "s", NULL));
			snprintf(comment, sizeof(comment),
				 "%u of %u hot-added blocks of %llu MiB removed (%s)",
				 r->count.removed, r->count.hotplugged,
				 (unsigned long long)(r->count.block_size >> 20),
				 report_variant_label(r));
		} else {
			snprintf(comment, sizeof(comment), "%s%s%s: %s", result_status_name(r->status),
				 *r->failed_phase ? " in " : "", r->failed_phase, r->reason);
			add_str(t, "log_excerpt", r->reason);
		}
		add(t, "comment", json_object_new_string(comment));
		add_str(t, "start_time", r->started);
		if (r->wall_ms >= 0)
			add(t, "duration", json_object_new_double(r->wall_ms / 1000.0));
		add(t, "environment", environment(r));
		add(t, "misc", run_misc(run));
		json_object_array_add(k->tests, t);
	}
}

int report_kcidb(FILE *out, const struct report *rep, const char *origin, struct err *err)
{
	struct kcidb k;
	int rc = kcidb_init(&k, origin, err);

	if (rc)
		return rc;
	for (size_t i = 0; i < rep->nruns; i++)
		add_run_tests(&k, &rep->runs[i]);
	rc = kcidb_write(&k, out, err);
	kcidb_free(&k);
	return rc;
}

/* The runs of scenario/variant label in rep: the first (an ok one if there
 * is one), and a hash over all their ids. */
static const struct run_record *group_runs(const struct report *rep, const char *scenario,
					   const char *label, EVP_MD_CTX *ctx)
{
	const struct run_record *first = NULL;

	for (size_t i = 0; rep && i < rep->nruns; i++) {
		const struct run_record *r = &rep->runs[i].rec;

		if (strcmp(r->scenario_name, scenario) || strcmp(report_variant_label(r), label))
			continue;
		if (!first || (first->status != RUN_OK && r->status == RUN_OK))
			first = r;
		EVP_DigestUpdate(ctx, r->host, strlen(r->host) + 1);
		EVP_DigestUpdate(ctx, r->run_id, strlen(r->run_id) + 1);
	}
	return first;
}

static const char *verdict_status(enum verdict v)
{
	switch (v) {
	case V_SAME:
	case V_BETTER:
		return "PASS";
	case V_REGRESSION:
		return "FAIL";
	case V_UNDECIDED:
		return "DONE";
	case V_ERROR:
	default:
		return "ERROR";
	}
}

static int add_comparison(struct kcidb *k, const struct report *base, const struct report *cand,
			  const struct comparison *c, struct err *err)
{
	const struct report *crep = cand ? cand : base;
	const struct run_record *b, *r;
	char build[512], base_build[512], scn[160], metric[64], rest[600], id[700], path[256];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	json_object *t, *m;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(ctx);
		return err_fail(err, -ENOMEM, "cannot hash the compared runs");
	}
	EVP_DigestUpdate(ctx, c->metric->name, strlen(c->metric->name) + 1);
	b = group_runs(base, c->scenario, c->baseline, ctx);
	r = group_runs(crep, c->scenario, c->candidate, ctx);
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	if (!r)
		return err_set(err, "comparison of %s/%s has no candidate run", c->scenario,
			       c->candidate), -ENOENT;
	add_build(k, r, build, sizeof(build));
	*base_build = '\0';
	if (b)
		add_build(k, b, base_build, sizeof(base_build));

	path_elem(c->scenario, scn, sizeof(scn));
	path_elem(c->metric->name, metric, sizeof(metric));
	snprintf(rest, sizeof(rest), "compare/");
	for (unsigned i = 0; i < 8 && i < mdlen; i++)
		snprintf(rest + strlen(rest), 3, "%02x", md[i]);
	snprintf(rest + strlen(rest), sizeof(rest) - strlen(rest), "/%s", metric);
	make_id(k, rest, id, sizeof(id));
	snprintf(path, sizeof(path), "memhp.%s.compare.%s", scn, metric);

	t = json_object_new_object();
	add(t, "id", json_object_new_string(id));
	add(t, "origin", json_object_new_string(k->origin));
	add(t, "build_id", json_object_new_string(build));
	add(t, "path", json_object_new_string(path));
	add(t, "status", json_object_new_string(verdict_status(c->verdict)));
	if (isfinite(c->change_pct) && c->verdict != V_ERROR)
		add(t, "number", number(json_object_new_double(c->change_pct), "%", NULL));
	add_str(t, "comment", c->reason);
	add(t, "environment", environment(r));
	m = json_object_new_object();
	add_str(m, "scenario", c->scenario);
	add_str(m, "baseline", c->baseline);
	add_str(m, "candidate", c->candidate);
	add_str(m, "baseline_build", base_build);
	add_str(m, "metric", c->metric->name);
	add_str(m, "unit", c->metric->unit);
	add_str(m, "statistical_test", c->metric->test);
	add_str(m, "verdict", compare_verdict_name(c->verdict));
	if (isfinite(c->p))
		add(m, "p", json_object_new_double(c->p));
	add(m, "baseline_ok_runs", json_object_new_int64((int64_t)c->base.n));
	add(m, "candidate_ok_runs", json_object_new_int64((int64_t)c->cand.n));
	add(m, "baseline_failed_runs", json_object_new_int64((int64_t)c->base_failed));
	add(m, "candidate_failed_runs", json_object_new_int64((int64_t)c->cand_failed));
	if (c->base.n)
		add(m, "baseline_mean", json_object_new_double(c->base.mean));
	if (c->cand.n)
		add(m, "candidate_mean", json_object_new_double(c->cand.mean));
	add(t, "misc", m);
	json_object_array_add(k->tests, t);
	return 0;
}

int report_kcidb_compare(const char *path, const struct report *base, const struct report *cand,
			 const struct compare_result *res, const char *origin, struct err *err)
{
	struct atomic_file af;
	struct kcidb k;
	int rc = kcidb_init(&k, origin, err);

	for (size_t i = 0; !rc && i < res->n; i++)
		rc = add_comparison(&k, base, cand, &res->v[i], err);
	if (rc) {
		kcidb_free(&k);
		return rc;
	}
	rc = atomic_open(&af, path, 0644, err);
	if (rc) {
		kcidb_free(&k);
		return rc;
	}
	rc = kcidb_write(&k, af.f, err);
	kcidb_free(&k);
	if (rc) {
		atomic_abort(&af);
		return rc;
	}
	return atomic_commit(&af, err);
}
