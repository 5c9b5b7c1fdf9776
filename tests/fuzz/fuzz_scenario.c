// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: the scenario reader (inih through ini_text, every key's value
 * parser, the cross-key checks) and what the run derives from a scenario.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scenario *sc = malloc(sizeof(*sc));
	char *text = malloc(size + 1), cmd[512];
	struct err err;

	if (!sc || !text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	/* scenario_load() refuses NUL bytes; the string reader stops at one. */
	if (!scenario_load_string(sc, "fuzz.ini", text, &err)) {
		/* What the run computes from an accepted scenario must not trap
		 * (UBSan: overflow, division by zero). */
		scenario_policy_cmdline(sc, cmd, sizeof(cmd));
		(void)scenario_dimm_count(sc);
		(void)scenario_slots(sc);
		if (scenario_maxmem(sc) < sc->memory + sc->total)
			abort();
		(void)scenario_fill_bytes(sc, UINT64_MAX);
		(void)scenario_fill_bytes(sc, sc->memory);
		if (sc->timeout_boot_ms <= 0 || sc->timeout_online_ms <= 0 ||
		    sc->timeout_boot_ms > INT64_MAX / 2 || sc->timeout_online_ms > INT64_MAX / 2)
			abort(); /* a deadline now_ms() + this would overflow */
	} else if (!strchr(err.msg, ':')) {
		abort(); /* every error names the file */
	}
	scenario_free(sc);
	free(text);
	free(sc);
	return 0;
}
