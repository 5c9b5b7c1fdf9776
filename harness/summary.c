// SPDX-License-Identifier: GPL-2.0-only
#include <inttypes.h>
#include <string.h>

#include "summary.h"
#include "units.h"

void summary_print(FILE *out, const struct run_record *r)
{
	const struct count *c = &r->count;
	char b1[32], b2[32], b3[32];

	fprintf(out, "run      %s: %s\n", r->run_id, result_status_name(r->status));
	if (r->status != RUN_OK)
		fprintf(out, "reason   %s (phase %s)\n", r->reason, r->failed_phase);
	fprintf(out, "scenario %s (%s, %s)\n", r->scenario_name, r->method, r->policy);
	fprintf(out, "kernel   %s (%s%s%s)\n", *r->kernel_release ? r->kernel_release : "?",
		*r->variant ? r->variant : "", *r->variant ? " = " : "", r->kernel_spec);
	fprintf(out, "vmm      %s QEMU %s, %s (%s)", r->backend,
		*r->vmm_version ? r->vmm_version : "?", *r->accel ? r->accel : "?",
		r->accel_reason);
	if (r->vmm_peak_rss)
		fprintf(out, ", peak RSS %s", format_size(r->vmm_peak_rss, b1, sizeof(b1)));
	fputc('\n', out);
	if (r->workload) {
		json_object *mix, *fill, *during, *capped;

		json_object_object_get_ex(r->workload, "mix", &mix);
		json_object_object_get_ex(r->workload, "fill", &fill);
		json_object_object_get_ex(r->workload, "during_unplug", &during);
		json_object_object_get_ex(r->workload, "capped", &capped);
		fprintf(out, "workload %s, %s%s, %s\n", json_object_get_string(mix),
			format_size(json_object_get_uint64(fill), b1, sizeof(b1)),
			json_object_get_boolean(capped) ? " (capped to what was available)" : "",
			strcmp(json_object_get_string(during), "keep") ? "stopped before unplug" :
									 "kept running through unplug");
	}
	if (c->block_size) {
		fprintf(out, "blocks   %u of %u hot-added blocks of %s removed", c->removed,
			c->hotplugged, format_size(c->block_size, b1, sizeof(b1)));
		if (c->hotplugged != c->removed)
			fprintf(out, "; %u offline, %u online (%u movable, %u normal, %u other)",
				c->offline, c->online_movable + c->online_normal + c->online_other,
				c->online_movable, c->online_normal, c->online_other);
		fputc('\n', out);
		fprintf(out, "bytes    %s of %s unplugged, %s still plugged\n",
			format_size(c->bytes_plugged - c->bytes_remaining, b1, sizeof(b1)),
			format_size(c->bytes_plugged, b2, sizeof(b2)),
			format_size(c->bytes_remaining, b3, sizeof(b3)));
	}
	if (r->zone_mismatches)
		fprintf(out, "warning  %u blocks were not onlined to %s\n", r->zone_mismatches,
			r->expected_zone);
	fputs("phases  ", out);
	for (unsigned p = 0; p < PHASE_COUNT; p++)
		if (r->phase_ms[p] >= 0)
			fprintf(out, " %s %.1f s", result_phase_name(p), (double)r->phase_ms[p] / 1000);
	fputc('\n', out);
	for (size_t i = 0; i < r->ndevices; i++) {
		const struct device_record *d = &r->devices[i];

		fprintf(out, "device   %-8s %-9s %s plugged, %s left, %u request%s%s%s\n", d->id,
			result_outcome_name(d->outcome), format_size(d->plugged, b1, sizeof(b1)),
			format_size(d->remaining, b2, sizeof(b2)), d->attempts,
			d->attempts == 1 ? "" : "s", *d->detail ? ": " : "", d->detail);
	}
}

static const char *block_state(const struct block_record *b, char *buf, size_t len)
{
	if (!strcmp(b->final, "online"))
		snprintf(buf, len, "online %s", b->final_zone);
	else
		snprintf(buf, len, "%s", b->final);
	return buf;
}

void summary_print_blocks(FILE *out, const struct run_record *r)
{
	uint64_t bs = r->count.block_size;
	char size[32];

	fprintf(out, "%-37s %10s %-15s %-9s %-9s %s\n", "RANGE", "SIZE", "STATE", "ONLINED", "WHY",
		"BLOCK");
	for (size_t i = 0; i < r->nblocks;) {
		const struct block_record *first = &r->blocks[i];
		char s1[40], s2[40];
		size_t j = i + 1;

		/* Runs of adjacent blocks with the same fate, as lsmem groups them. */
		while (j < r->nblocks && r->blocks[j].index == r->blocks[j - 1].index + 1 &&
		       !strcmp(block_state(&r->blocks[j], s1, sizeof(s1)),
			       block_state(first, s2, sizeof(s2))) &&
		       !strcmp(r->blocks[j].zone, first->zone) &&
		       !strcmp(result_block_verdict(&r->blocks[j]), result_block_verdict(first)))
			j++;
		fprintf(out, "0x%016" PRIx64 "-0x%016" PRIx64 " %10s %-15s %-9s %-9s %" PRIu64,
			first->start, first->start + (j - i) * bs - 1,
			format_size((j - i) * bs, size, sizeof(size)),
			block_state(first, s1, sizeof(s1)), first->zone,
			*result_block_verdict(first) ? result_block_verdict(first) : "-", first->index);
		if (j - i > 1)
			fprintf(out, "-%" PRIu64, r->blocks[j - 1].index);
		fputc('\n', out);
		i = j;
	}
	fprintf(out, "\nMemory block size: %s\n", format_size(bs, size, sizeof(size)));
}
