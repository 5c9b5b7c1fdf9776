// SPDX-License-Identifier: GPL-2.0-only
/* [faults]: kernel fault injection around hot-add and unplug (faults.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "faults.h"
#include "guest.h"

#define FAULTS_TIMEOUT_MS (60 * 1000)

bool faults_wanted(const struct scenario *sc, const char *phase)
{
	bool plug = !strcmp(phase, "plug");

	return (plug ? sc->fault_going_online : sc->fault_going_offline) ||
	       faults_alloc_in(sc, phase);
}

bool faults_alloc(const struct scenario *sc)
{
	return sc->fault_failslab || sc->fault_fail_page_alloc;
}

bool faults_alloc_in(const struct scenario *sc, const char *phase)
{
	bool plug = !strcmp(phase, "plug");

	return faults_alloc(sc) && (sc->fault_alloc_in == FAULTS_IN_BOTH ||
				    sc->fault_alloc_in == (plug ? FAULTS_IN_PLUG : FAULTS_IN_UNPLUG));
}

bool faults_may_fail_online(const struct scenario *sc)
{
	return sc->fault_going_online || faults_alloc_in(sc, "plug");
}

size_t faults_argv(const struct scenario *sc, const char *phase, const char *argv[16],
		   char bufs[6][24])
{
	bool plug = !strcmp(phase, "plug");
	unsigned notifier = plug ? sc->fault_going_online : sc->fault_going_offline;
	size_t n = 0;

	argv[n++] = GUEST_PROBE;
	argv[n++] = "faults";
	if (notifier) {
		snprintf(bufs[0], sizeof(bufs[0]), "%u", notifier);
		argv[n++] = plug ? "--going-online" : "--going-offline";
		argv[n++] = bufs[0];
	}
	if (faults_alloc_in(sc, phase)) {
		if (sc->fault_failslab) {
			snprintf(bufs[1], sizeof(bufs[1]), "%u", sc->fault_failslab);
			argv[n++] = "--failslab";
			argv[n++] = bufs[1];
		}
		if (sc->fault_fail_page_alloc) {
			snprintf(bufs[2], sizeof(bufs[2]), "%u", sc->fault_fail_page_alloc);
			argv[n++] = "--fail-page-alloc";
			argv[n++] = bufs[2];
		}
		snprintf(bufs[3], sizeof(bufs[3]), "%u", sc->fault_times);
		argv[n++] = "--times";
		argv[n++] = bufs[3];
	}
	argv[n] = NULL;
	return n;
}

void faults_count_kmsg(json_object *record, char *const *kmsg, size_t nkmsg)
{
	int64_t notifier = 0, forced = 0;

	if (!record)
		return;
	for (size_t i = 0; i < nkmsg; i++) {
		notifier += kmsg[i] && strstr(kmsg[i], "Injecting error (") != NULL;
		forced += kmsg[i] && strstr(kmsg[i], "FAULT_INJECTION: forcing a failure") != NULL;
	}
	json_object_object_add(record, "notifier_injected", json_object_new_int64(notifier));
	json_object_object_add(record, "forced_failures", json_object_new_int64(forced));
}

int faults_set(struct vm *vm, const struct scenario *sc,
	       const char *phase, bool off, json_object **record, struct err *err)
{
	const char *argv[16] = { GUEST_PROBE, "faults", "--off", NULL };
	char bufs[6][24];
	json_object *ret, *ph;
	char *out = NULL;
	int code, rc;

	if (!faults_wanted(sc, phase))
		return 0;
	if (!off)
		faults_argv(sc, phase, argv, bufs);
	rc = guest_exec(vm, argv, &out, &code, now_ms() + FAULTS_TIMEOUT_MS, err);
	if (rc)
		return err_wrap(err, rc, "%s fault injection for %s", off ? "disarming" : "arming",
				phase);
	ret = json_tokener_parse(out);
	free(out);
	if (!ret || !json_object_is_type(ret, json_type_object)) {
		json_object_put(ret);
		return err_set(err, "memhp-probe faults exited with %d and no answer", code),
		       -ECHILD;
	}
	if (!*record)
		*record = json_object_new_object();
	if (!json_object_object_get_ex(*record, phase, &ph)) {
		ph = json_object_new_object();
		json_object_object_add(*record, phase, ph);
	}
	json_object_object_add(ph, off ? "disarmed" : "armed", ret);
	if (code && !off) {
		json_object_object_foreach(ret, key, v) {
			json_object *e;

			if (json_object_object_get_ex(v, "error", &e) && *json_object_get_string(e))
				return err_set(err, "[faults] %s: %s (%s)", key,
					       json_object_get_string(e),
					       json_object_get_string(json_object_object_get(v, "path"))),
				       -ENODEV;
		}
		return err_set(err, "memhp-probe faults exited with %d", code), -ECHILD;
	}
	return 0;
}
