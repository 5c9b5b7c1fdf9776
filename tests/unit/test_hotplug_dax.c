// SPDX-License-Identifier: GPL-2.0-only
/*
 * The dax-kmem method (hotplug_dax_kmem.c) against a scripted guest agent:
 * each guest-exec must be the memhp-probe command the script expects next,
 * and gets the script's JSON as its output. The rounds of offlining, when a
 * device is unbound and when it is left bound, the outcomes and the
 * soft-reserved range on the command line run in milliseconds; real
 * guests test the kernel's side (tests/integration/test_daxkmem.sh).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "clock.h"
#include "hotplug.h"
#include "str.h"

#define MIB (1ULL << 20)

struct step {
	const char *argv; /* the command line expected, words joined by spaces */
	const char *out;  /* its stdout */
	int code;         /* its exit status */
};

/* The scripted guest agent: the handle the method holds, and its script. */
struct agent {
	struct vm vm;
	const struct step *steps;
	size_t nsteps, at;
	const struct step *running;
};

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *base64(const char *s)
{
	size_t n = strlen(s), o = 0;
	char *out = malloc(n / 3 * 4 + 8);

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)s[i] << 16;

		v |= i + 1 < n ? (unsigned char)s[i + 1] << 8 : 0;
		v |= i + 2 < n ? (unsigned char)s[i + 2] : 0;
		out[o++] = b64[v >> 18 & 63];
		out[o++] = b64[v >> 12 & 63];
		out[o++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	out[o] = '\0';
	return out;
}

static int sc_agent(struct vm *handle, const char *cmd, json_object *args, json_object **ret,
		    int64_t deadline, struct err *err)
{
	struct agent *vm = container_of(handle, struct agent, vm);

	(void)deadline;
	(void)err;
	if (!strcmp(cmd, "guest-exec")) {
		json_object *path, *arr;
		char line[1024];
		int n;

		assert_true(json_object_object_get_ex(args, "path", &path));
		assert_true(json_object_object_get_ex(args, "arg", &arr));
		n = snprintf(line, sizeof(line), "%s", json_object_get_string(path));
		for (size_t i = 0; i < json_object_array_length(arr); i++)
			n += snprintf(line + n, sizeof(line) - (size_t)n, " %s",
				      json_object_get_string(json_object_array_get_idx(arr, i)));
		if (vm->at >= vm->nsteps)
			fail_msg("unexpected guest-exec '%s' after the script's end", line);
		if (strcmp(vm->steps[vm->at].argv, line))
			fail_msg("step %zu: wanted '%s', got '%s'", vm->at, vm->steps[vm->at].argv,
				 line);
		vm->running = &vm->steps[vm->at++];
		json_object_put(args);
		*ret = json_object_new_object();
		json_object_object_add(*ret, "pid", json_object_new_int(42));
		return 0;
	}
	if (!strcmp(cmd, "guest-exec-status")) {
		char *enc = base64(vm->running->out);

		json_object_put(args);
		*ret = json_object_new_object();
		json_object_object_add(*ret, "exited", json_object_new_boolean(1));
		json_object_object_add(*ret, "exitcode", json_object_new_int(vm->running->code));
		json_object_object_add(*ret, "out-data", json_object_new_string(enc));
		free(enc);
		return 0;
	}
	json_object_put(args);
	fail_msg("unexpected agent command %s", cmd);
	return -EPROTO;
}

static const struct backend_ops scripted = {
	.name = "scripted-agent",
	.agent = sc_agent,
};

static unsigned nsamples;
static uint64_t last_sample;

static void sample(struct hotplug_ctx *ctx, int64_t t_ms, uint64_t bytes)
{
	(void)ctx;
	(void)t_ms;
	nsamples++;
	last_sample = bytes;
}

struct fixture {
	struct scenario sc;
	struct run_record rec;
	struct agent vm;
	struct hotplug_ctx ctx;
	struct err err;
};

#define START 0x38000000ULL

static void setup(struct fixture *f, const struct step *steps, size_t n)
{
	memset(f, 0, sizeof(*f));
	f->sc.method = METHOD_DAX_KMEM;
	f->sc.dax_source = DAX_SOFT_RESERVED;
	f->sc.order = ORDER_REVERSE;
	f->sc.total = 512 * MIB;
	f->sc.memory = 1024 * MIB;
	f->sc.deadline_ms = 1000;
	f->sc.retries = 1;
	snprintf(f->sc.machine, sizeof(f->sc.machine), "q35");
	f->vm.vm.ops = &scripted;
	f->vm.steps = steps;
	f->vm.nsteps = n;
	result_init(&f->rec);
	f->ctx = (struct hotplug_ctx){ .vm = &f->vm.vm, .sc = &f->sc,
				       .rec = &f->rec, .vm_started = now_ms(),
				       .block_size = 128 * MIB, .sample = sample };
	nsamples = 0;
	last_sample = UINT64_MAX;
}

/* What wait_online records: the four blocks of the range, 7 to 10. */
static void online_blocks(struct fixture *f)
{
	for (unsigned i = 0; i < 4; i++) {
		struct block_record *b = result_add_block(&f->rec);

		b->index = 7 + i;
		b->start = START + i * 128 * MIB;
		snprintf(b->zone, sizeof(b->zone), "Movable");
	}
}

static void script_done(const struct fixture *f)
{
	if (f->vm.at != f->vm.nsteps)
		fail_msg("script stopped at step %zu of %zu", f->vm.at, f->vm.nsteps);
}

/* The whole script: plug, the blocks online, unplug, every step taken. */
static void plug_online_unplug(struct fixture *f, const struct step *steps, size_t n)
{
	setup(f, steps, n);
	assert_int_equal(hotplug_dax_kmem.plug(&f->ctx, &f->err), 0);
	online_blocks(f);
	assert_int_equal(hotplug_dax_kmem.unplug(&f->ctx, &f->err), 0);
	script_done(f);
}

#define KMEM_CMD "/bin/memhp-probe dax kmem --wait-ms 30000 --memmap-on-memory 0"
#define KMEM_OUT                                                                         \
	"{\"devices\":[{\"name\":\"dax0.0\",\"driver\":\"kmem\",\"start\":939524096,"    \
	"\"size\":536870912,\"error\":null}],\"iomem\":[\"38000000-57ffffff : System RAM " \
	"(kmem)\"],\"zones_before\":[{\"zone\":\"Normal\",\"free_pages\":10000,"           \
	"\"present_pages\":20000,\"managed_pages\":19000}],\"zones_after\":[{\"zone\":"   \
	"\"Normal\",\"free_pages\":7952,\"present_pages\":20000,\"managed_pages\":19000},"  \
	"{\"zone\":\"Movable\",\"free_pages\":131072,\"present_pages\":131072,"           \
	"\"managed_pages\":131072}]}"
#define OFF(idx, ok, err) \
	"{\"index\":" #idx ",\"ok\":" #ok ",\"error\":" err ",\"state\":\"offline\"}"
/* The four blocks offlined in one round, last first. */
#define OFFLINE_ALL_OK                                                                   \
	{ "/bin/memhp-probe dax offline --timeout-ms 1000 10 9 8 7",                     \
	  "{\"blocks\":[" OFF(10, true, "null") "," OFF(9, true, "null") ","              \
	  OFF(8, true, "null") "," OFF(7, true, "null") "]}", 0 }
#define UNBIND_CMD "/bin/memhp-probe dax unbind dax0.0"
#define UNBIND_OUT(left) "{\"name\":\"dax0.0\",\"ok\":true,\"error\":null,\"blocks_left\":" #left "}"

static void test_dax_all_removed(void **state)
{
	static const struct step steps[] = {
		{ KMEM_CMD, KMEM_OUT, 0 },
		OFFLINE_ALL_OK,
		{ UNBIND_CMD, UNBIND_OUT(0), 0 },
	};
	struct fixture f;
	json_object *m, *v;

	(void)state;
	setup(&f, steps, sizeof(steps) / sizeof(steps[0]));
	assert_int_equal(hotplug_dax_kmem.plug(&f.ctx, &f.err), 0);
	assert_int_equal(f.rec.ndevices, 1);
	assert_string_equal(f.rec.devices[0].id, "dax0.0");
	assert_string_equal(f.rec.devices[0].kind, "dax-kmem");
	assert_int_equal(f.rec.devices[0].addr, START);
	assert_int_equal(f.rec.devices[0].plugged, 512 * MIB);
	/* The memmap of 512 MiB (8 MiB) left the kernel zones' free lists. */
	assert_true(json_object_object_get_ex(f.rec.dax, "memmap", &m));
	assert_true(json_object_object_get_ex(m, "kmem_before_plug", &v));
	assert_false(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(m, "kernel_zones_free_drop_pages", &v));
	assert_int_equal(json_object_get_int64(v), 2048);
	assert_true(json_object_object_get_ex(m, "present_added_pages", &v));
	assert_int_equal(json_object_get_int64(v), 131072);
	assert_true(json_object_object_get_ex(m, "in_range_pages", &v));
	assert_int_equal(json_object_get_int64(v), 0);
	online_blocks(&f);
	assert_int_equal(hotplug_dax_kmem.unplug(&f.ctx, &f.err), 0);
	script_done(&f);
	assert_int_equal(f.rec.devices[0].outcome, OUTCOME_REMOVED);
	assert_int_equal(f.rec.devices[0].remaining, 0);
	assert_int_equal(f.rec.devices[0].attempts, 1);
	assert_int_equal(last_sample, 0);
	result_free(&f.rec);
}

/* A block that refuses once goes in the next round; then the device is
 * unbound. */
static void test_dax_second_round(void **state)
{
	static const struct step steps[] = {
		{ KMEM_CMD, KMEM_OUT, 0 },
		{ "/bin/memhp-probe dax offline --timeout-ms 1000 10 9 8 7",
		  "{\"blocks\":[" OFF(10, true, "null") "," OFF(9, false, "\"Device or resource busy\"")
		  "," OFF(8, true, "null") "," OFF(7, true, "null") "]}", 0 },
		{ "/bin/memhp-probe dax offline --timeout-ms 1000 9",
		  "{\"blocks\":[" OFF(9, true, "null") "]}", 0 },
		{ UNBIND_CMD, UNBIND_OUT(0), 0 },
	};
	struct fixture f;

	(void)state;
	plug_online_unplug(&f, steps, sizeof(steps) / sizeof(steps[0]));
	assert_int_equal(f.rec.devices[0].outcome, OUTCOME_REMOVED);
	assert_int_equal(f.rec.devices[0].attempts, 2);
	result_free(&f.rec);
}

/* A block that stays online: kmem removes a range only as a whole, so the
 * device is never unbound (no unbind in the script) and stays plugged. */
static void test_dax_block_stays_no_unbind(void **state)
{
	static const struct step steps[] = {
		{ KMEM_CMD, KMEM_OUT, 0 },
		{ "/bin/memhp-probe dax offline --timeout-ms 1000 10 9 8 7",
		  "{\"blocks\":[" OFF(10, true, "null") "," OFF(9, false, "\"Device or resource busy\"")
		  "," OFF(8, true, "null") "," OFF(7, true, "null") "]}", 0 },
		{ "/bin/memhp-probe dax offline --timeout-ms 1000 9",
		  "{\"blocks\":[" OFF(9, false, "\"Device or resource busy\"") "]}", 0 },
	};
	struct fixture f;

	(void)state;
	plug_online_unplug(&f, steps, sizeof(steps) / sizeof(steps[0]));
	assert_int_equal(f.rec.devices[0].outcome, OUTCOME_PARTIAL);
	assert_int_equal(f.rec.devices[0].remaining, 512 * MIB);
	assert_non_null(strstr(f.rec.devices[0].detail, "3 of 4 blocks offlined"));
	assert_non_null(strstr(f.rec.devices[0].detail, "Device or resource busy"));
	assert_int_equal(last_sample, 512 * MIB);
	result_free(&f.rec);
}

/* Every block's offline interrupted by its deadline: timed out. */
static void test_dax_all_timed_out(void **state)
{
	static const struct step steps[] = {
		{ KMEM_CMD, KMEM_OUT, 0 },
		{ "/bin/memhp-probe dax offline --timeout-ms 1000 7 8 9 10",
		  "{\"blocks\":[" OFF(7, false, "\"timed out\"") "," OFF(8, false, "\"timed out\"")
		  "," OFF(9, false, "\"timed out\"") "," OFF(10, false, "\"timed out\"") "]}", 0 },
	};
	struct fixture f;

	(void)state;
	setup(&f, steps, sizeof(steps) / sizeof(steps[0]));
	f.sc.order = ORDER_FORWARD;
	f.sc.retries = 0;
	assert_int_equal(hotplug_dax_kmem.plug(&f.ctx, &f.err), 0);
	online_blocks(&f);
	assert_int_equal(hotplug_dax_kmem.unplug(&f.ctx, &f.err), 0);
	script_done(&f);
	assert_int_equal(f.rec.devices[0].outcome, OUTCOME_TIMEOUT);
	result_free(&f.rec);
}

/* Unbound, but the kernel kept blocks of the range: not removed. */
static void test_dax_unbind_leaves_blocks(void **state)
{
	static const struct step steps[] = {
		{ KMEM_CMD, KMEM_OUT, 0 },
		OFFLINE_ALL_OK,
		{ UNBIND_CMD, UNBIND_OUT(4), 0 },
	};
	struct fixture f;

	(void)state;
	plug_online_unplug(&f, steps, sizeof(steps) / sizeof(steps[0]));
	assert_int_equal(f.rec.devices[0].outcome, OUTCOME_ERROR);
	assert_int_equal(f.rec.devices[0].remaining, 512 * MIB);
	assert_non_null(strstr(f.rec.devices[0].detail, "4 memory blocks of the range stayed"));
	result_free(&f.rec);
}

#define UNBIND_FAILED(e, msg)                                                        \
	"{\"name\":\"dax0.0\",\"ok\":false,\"error\":\"" msg "\",\"errno\":" #e          \
	",\"driver\":\"kmem\",\"blocks_left\":4}"

/* An unbind write refused for want of memory ([faults] fails kernfs's
 * buffer) left the device kmem's: written again, and then removed. One
 * refused otherwise is not tried again. */
static void test_dax_unbind_retried(void **state)
{
	static const struct step again[] = {
		{ KMEM_CMD, KMEM_OUT, 0 },
		OFFLINE_ALL_OK,
		{ UNBIND_CMD, UNBIND_FAILED(12, "Cannot allocate memory"), 0 },
		{ UNBIND_CMD, UNBIND_OUT(0), 0 },
	};
	static const struct step once[] = {
		{ KMEM_CMD, KMEM_OUT, 0 },
		OFFLINE_ALL_OK,
		{ UNBIND_CMD, UNBIND_FAILED(22, "Invalid argument"), 0 },
	};
	struct fixture f;
	json_object *list;

	(void)state;
	plug_online_unplug(&f, again, sizeof(again) / sizeof(again[0]));
	assert_int_equal(f.rec.devices[0].outcome, OUTCOME_REMOVED);
	assert_int_equal(f.rec.devices[0].remaining, 0);
	assert_true(json_object_object_get_ex(f.rec.dax, "unbind", &list));
	assert_int_equal(json_object_array_length(list), 2);
	result_free(&f.rec);

	plug_online_unplug(&f, once, sizeof(once) / sizeof(once[0]));
	assert_int_equal(f.rec.devices[0].outcome, OUTCOME_ERROR);
	assert_non_null(strstr(f.rec.devices[0].detail, "Invalid argument"));
	result_free(&f.rec);
}

/* A kernel that gave the range to kmem at boot (newer ones do): the
 * memmap was allocated before plug, so no before/after figures. */
static void test_dax_kmem_at_boot(void **state)
{
	static const struct step steps[] = {
		{ KMEM_CMD, "{\"devices\":[{\"name\":\"dax0.0\",\"driver_before\":\"kmem\","
			    "\"driver\":\"kmem\",\"start\":939524096,\"size\":536870912,"
			    "\"error\":null}],\"zones_before\":[],\"zones_after\":[]}", 0 },
	};
	struct fixture f;
	json_object *m, *v;

	(void)state;
	setup(&f, steps, 1);
	assert_int_equal(hotplug_dax_kmem.plug(&f.ctx, &f.err), 0);
	assert_true(json_object_object_get_ex(f.rec.dax, "memmap", &m));
	assert_true(json_object_object_get_ex(m, "kmem_before_plug", &v));
	assert_true(json_object_get_boolean(v));
	assert_false(json_object_object_get_ex(m, "kernel_zones_free_drop_pages", &v));
	result_free(&f.rec);
}

/* CXL: the region first (its "before" is the memmap's), kmem, and after
 * the unbind the region's teardown; a failed step is named. */
static void test_dax_cxl_region_and_teardown(void **state)
{
	static const struct step steps[] = {
		{ "/bin/memhp-probe dax cxl-region 268435456",
		  "{\"root_decoder\":\"decoder0.0\",\"endpoint_decoder\":\"decoder2.0\","
		  "\"region\":\"region0\",\"steps\":[],\"error\":null,\"zones_before\":"
		  "[{\"zone\":\"Normal\",\"free_pages\":10000,\"present_pages\":20000,"
		  "\"managed_pages\":19000}],\"vmstat_before\":{\"nr_memmap_pages\":0}}", 0 },
		{ KMEM_CMD,
		  "{\"devices\":[{\"name\":\"dax0.0\",\"driver_before\":\"kmem\",\"driver\":"
		  "\"kmem\",\"start\":5905580032,\"size\":268435456,\"error\":null}],"
		  "\"zones_before\":[],\"zones_after\":[{\"zone\":\"Normal\",\"free_pages\":"
		  "8976,\"present_pages\":20000,\"managed_pages\":19000},{\"zone\":\"Movable\","
		  "\"free_pages\":65536,\"present_pages\":65536,\"managed_pages\":65536}],"
		  "\"vmstat_after\":{\"nr_memmap_pages\":1024}}", 0 },
		{ "/bin/memhp-probe dax offline --timeout-ms 1000 45 44",
		  "{\"blocks\":[" OFF(45, true, "null") "," OFF(44, true, "null") "]}", 0 },
		{ UNBIND_CMD, UNBIND_OUT(0), 0 },
		{ "/bin/memhp-probe dax cxl-teardown region0 decoder2.0 decoder0.0",
		  "{\"region_gone\":true,\"steps\":[]}", 0 },
	};
	static const struct step refused[] = {
		{ "/bin/memhp-probe dax cxl-region 268435456",
		  "{\"steps\":[{\"file\":\"devices/region0/commit\",\"value\":\"1\","
		  "\"error\":\"No such device or address\"}],\"error\":\"No such device or "
		  "address\"}", 1 },
	};
	struct fixture f;
	json_object *m, *v;

	(void)state;
	setup(&f, steps, sizeof(steps) / sizeof(steps[0]));
	f.sc.dax_source = DAX_CXL;
	f.sc.total = 256 * MIB;
	assert_int_equal(hotplug_dax_kmem.plug(&f.ctx, &f.err), 0);
	assert_string_equal(f.rec.devices[0].kind, "cxl");
	/* kmem took it with the region: still measured, from before it. */
	assert_true(json_object_object_get_ex(f.rec.dax, "memmap", &m));
	assert_true(json_object_object_get_ex(m, "kernel_zones_free_drop_pages", &v));
	assert_int_equal(json_object_get_int64(v), 1024);
	assert_true(json_object_object_get_ex(m, "nr_memmap_pages_added", &v));
	assert_int_equal(json_object_get_int64(v), 1024);
	for (unsigned i = 0; i < 2; i++) {
		struct block_record *b = result_add_block(&f.rec);

		b->index = 44 + i;
		b->start = 5905580032ULL + i * 128 * MIB;
	}
	assert_int_equal(hotplug_dax_kmem.unplug(&f.ctx, &f.err), 0);
	script_done(&f);
	assert_int_equal(f.rec.devices[0].outcome, OUTCOME_REMOVED);
	assert_true(json_object_object_get_ex(f.rec.dax, "cxl_teardown", &v));
	assert_string_equal(f.rec.devices[0].detail, "");
	result_free(&f.rec);

	setup(&f, refused, 1);
	f.sc.dax_source = DAX_CXL;
	f.sc.total = 256 * MIB;
	assert_int_equal(hotplug_dax_kmem.plug(&f.ctx, &f.err), -EIO);
	assert_string_equal(f.err.msg, "creating the CXL RAM region: No such device or address "
				       "(writing 1 to devices/region0/commit)");
	result_free(&f.rec);
}

/* Plug fails naming the device when kmem would not take it, and when the
 * devices do not hold the scenario's total. */
static void test_dax_plug_failures(void **state)
{
	static const struct step refused[] = {
		{ KMEM_CMD, "{\"devices\":[{\"name\":\"dax0.0\",\"start\":939524096,\"size\":"
			    "536870912,\"error\":\"kmem did not take it\"}]}", 0 },
	};
	static const struct step short_dev[] = {
		{ KMEM_CMD, "{\"devices\":[{\"name\":\"dax0.0\",\"start\":939524096,\"size\":"
			    "268435456,\"error\":null}]}", 0 },
	};
	static const struct step none[] = {
		{ KMEM_CMD, "{\"devices\":[],\"hmem_loaded\":true}", 0 },
	};
	struct fixture f;

	(void)state;
	setup(&f, refused, 1);
	assert_int_equal(hotplug_dax_kmem.plug(&f.ctx, &f.err), -EIO);
	assert_string_equal(f.err.msg, "dax0.0: kmem did not take it");
	result_free(&f.rec);
	setup(&f, short_dev, 1);
	assert_int_equal(hotplug_dax_kmem.plug(&f.ctx, &f.err), -EIO);
	assert_non_null(strstr(f.err.msg, "hold 256 MiB, the scenario's total is 512 MiB"));
	result_free(&f.rec);
	setup(&f, none, 1);
	assert_int_equal(hotplug_dax_kmem.plug(&f.ctx, &f.err), -ENODEV);
	assert_non_null(strstr(f.err.msg, "dax_hmem found no soft-reserved range"));
	result_free(&f.rec);
}

/* The soft-reserved range: 128 MiB below the top of RAM below 4 GiB, at
 * the top of RAM above it, refused across the PCI hole. */
static void test_dax_range_and_cmdline(void **state)
{
	struct scenario sc;
	struct err err;
	char buf[256] = "x";
	uint64_t start;
	char msg[256];

	(void)state;
	assert_int_equal(scenario_load_string(&sc, "t.ini",
					      "[machine]\nmemory = 1G\n[hotplug]\n"
					      "method = dax-kmem\ntotal = 512M\n", &err), 0);
	assert_int_equal(scenario_dax_range(&sc, &start, msg, sizeof(msg)), 0);
	assert_int_equal(start, START);
	hotplug_dax_kmem.cmdline(&sc, buf, sizeof(buf));
	assert_string_equal(buf, "x memmap=512M%0x38000000-1+0xefffffff");
	scenario_free(&sc);
	/* 3 GiB + 1 GiB: RAM below 4 GiB ends at 2 GiB, 2 GiB above. */
	assert_int_equal(scenario_load_string(&sc, "t.ini",
					      "[machine]\nmemory = 3G\n[hotplug]\n"
					      "method = dax-kmem\ntotal = 1G\n", &err), 0);
	assert_int_equal(scenario_dax_range(&sc, &start, msg, sizeof(msg)), 0);
	assert_int_equal(start, 5ULL << 30);
	scenario_free(&sc);
	assert_int_equal(scenario_load_string(&sc, "t.ini",
					      "[machine]\nmemory = 1G\n[hotplug]\n"
					      "method = dax-kmem\ntotal = 2G\n", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "t.ini:5: [hotplug] dax-kmem: memory 1 GiB + total 2 GiB "
				       "puts the soft-reserved range across the 32-bit PCI hole"));
	assert_int_equal(scenario_load_string(&sc, "t.ini",
					      "[machine]\nmemory = 1G\n[hotplug]\n"
					      "method = dax-kmem\ndax_source = cxl\ntotal = 384M\n",
					      &err), -EINVAL);
	assert_non_null(strstr(err.msg, "multiples of 256 MiB"));
	/* CXL: no memmap=, the device on the machine instead. */
	assert_int_equal(scenario_load_string(&sc, "t.ini",
					      "[machine]\nmemory = 1G\n[hotplug]\n"
					      "method = dax-kmem\ndax_source = cxl\ntotal = 256M\n",
					      &err), 0);
	snprintf(buf, sizeof(buf), "x");
	hotplug_dax_kmem.cmdline(&sc, buf, sizeof(buf));
	assert_string_equal(buf, "x");
	{
		struct vm_config cfg = { .memory = sc.memory, .maxmem = sc.memory + sc.total };
		struct vm_virtio_mem vmem;

		hotplug_dax_kmem.configure(&sc, &cfg, &vmem);
		assert_int_equal(cfg.cxl_volatile, 256 * MIB);
		assert_int_equal(cfg.memory, 1024 * MIB);
	}
	scenario_free(&sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dax_all_removed),
		cmocka_unit_test(test_dax_second_round),
		cmocka_unit_test(test_dax_block_stays_no_unbind),
		cmocka_unit_test(test_dax_all_timed_out),
		cmocka_unit_test(test_dax_unbind_leaves_blocks),
		cmocka_unit_test(test_dax_unbind_retried),
		cmocka_unit_test(test_dax_kmem_at_boot),
		cmocka_unit_test(test_dax_cxl_region_and_teardown),
		cmocka_unit_test(test_dax_plug_failures),
		cmocka_unit_test(test_dax_range_and_cmdline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
