// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sizes and durations as scenarios write them ("128M", "60s"), parsed
 * and printed (units.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "units.h"

static int parse_number(const char *s, uint64_t *out, const char **rest)
{
	char *end;
	unsigned long long v;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	*out = v;
	*rest = end;
	return 0;
}

static int mul_check(uint64_t v, uint64_t m, uint64_t *out)
{
	if (m && v > UINT64_MAX / m)
		return -ERANGE;
	*out = v * m;
	return 0;
}

int parse_size(const char *s, uint64_t *out)
{
	static const char suffixes[] = "KMGT";
	const char *rest, *p;
	uint64_t v, mult = 1;
	int rc = parse_number(s, &v, &rest);

	if (rc)
		return rc;
	if (!*rest)
		return mul_check(v, 1, out);
	p = strchr(suffixes, toupper((unsigned char)*rest));
	if (!p) {
		if (!strcasecmp(rest, "B"))
			return mul_check(v, 1, out);
		return -EINVAL;
	}
	for (const char *q = suffixes; q <= p; q++)
		mult <<= 10;
	rest++;
	if (*rest && strcasecmp(rest, "iB") && strcasecmp(rest, "B"))
		return -EINVAL;
	return mul_check(v, mult, out);
}

int parse_duration_ms(const char *s, int64_t *out)
{
	static const struct {
		const char *suffix;
		uint64_t ms;
	} units[] = {
		{ "", 1000 }, { "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
	};
	const char *rest;
	uint64_t v, r;
	int rc = parse_number(s, &v, &rest);

	if (rc)
		return rc;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(rest, units[i].suffix))
			continue;
		rc = mul_check(v, units[i].ms, &r);
		if (rc || r > INT64_MAX)
			return -ERANGE;
		*out = (int64_t)r;
		return 0;
	}
	return -EINVAL;
}

const char *format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const names[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned i = 0;
	uint64_t v = bytes;

	while (i < 4 && v >= 1024 && v % 1024 == 0) {
		v /= 1024;
		i++;
	}
	if (v < 10240 || i == 4) {
		snprintf(buf, len, "%llu %s", (unsigned long long)v, names[i]);
		return buf;
	}
	double d = (double)bytes;
	for (i = 0; i < 4 && d >= 1024; i++)
		d /= 1024;
	snprintf(buf, len, "%.2f %s", d, names[i]);
	return buf;
}
