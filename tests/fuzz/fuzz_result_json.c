// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer: the result.json parser alone, in memory. json-c's tokenizer,
 * then result_from_json() as result_read() calls it, the summaries memhp
 * show prints, and a round trip: an accepted record written back with
 * result_to_json() must parse again and write the same JSON. fuzz_result
 * drives the same parser through files and everything that reads results
 * (report, compare, show); this one is the parser at the speed of the
 * parser, for the long runs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "result.h"
#include "summary.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	devnull = fopen("/dev/null", "we");
	if (!devnull)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_tokener *tok = json_tokener_new();
	json_object *root, *again, *again2;
	struct run_record r, r2;
	struct err err;

	if (!tok)
		abort();
	root = json_tokener_parse_ex(tok, (const char *)data, (int)(size > INT32_MAX ? INT32_MAX : size));
	json_tokener_free(tok);
	if (!root)
		return 0;
	result_init(&r);
	if (result_from_json(root, &r, &err)) {
		json_object_put(root);
		return 0;
	}
	json_object_put(root);
	summary_print(devnull, &r);
	summary_print_blocks(devnull, &r);

	/* What memhp accepted it can write, and what it wrote it reads back
	 * unchanged. */
	again = result_to_json(&r);
	if (!again)
		abort();
	result_init(&r2);
	if (result_from_json(again, &r2, &err)) {
		fprintf(stderr, "round trip refused: %s\n", err.msg);
		abort();
	}
	again2 = result_to_json(&r2);
	if (!json_object_equal(again, again2)) {
		fprintf(stderr, "round trip changed the record:\n%s\n%s\n",
			json_object_to_json_string(again), json_object_to_json_string(again2));
		abort();
	}
	json_object_put(again);
	json_object_put(again2);
	result_free(&r2);
	result_free(&r);
	return 0;
}
