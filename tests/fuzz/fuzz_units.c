// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: sizes and durations as scenarios write them, and format_size
 * on what they parse to. Properties: a parsed size printed as a plain
 * number parses back to itself; format_size never overflows its buffer.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), buf[32], small[6];
	uint64_t u, back;
	int64_t ms;

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	if (!parse_size(s, &u)) {
		format_size(u, buf, sizeof(buf));
		format_size(u, small, sizeof(small));
		snprintf(buf, sizeof(buf), "%" PRIu64, u);
		if (parse_size(buf, &back) || back != u)
			abort();
	}
	if (!parse_duration_ms(s, &ms) && ms < 0)
		abort();
	/* The raw bytes as a size, for format_size's own paths. */
	if (size >= 8) {
		memcpy(&u, data, 8);
		format_size(u, buf, sizeof(buf));
		format_size(u, small, sizeof(small));
	}
	free(s);
	return 0;
}
