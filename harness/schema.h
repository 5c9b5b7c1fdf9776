/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_SCHEMA_H
#define MEMHP_SCHEMA_H

/*
 * The schema layer: what memhp's JSON files contain, as data. A document
 * (result.json, bisect.json) is a list of rows, one per field, named by
 * its path ("count.removed", "blocks[].why.sites[].site"; "[]" is an
 * element of an array) in the order the docs show them. From the rows come
 * the field tables of docs/result-schema.md and docs/compare.md
 * (`memhp help schema NAME --markdown`, drift-checked by tests/check-docs)
 * and a JSON Schema (`--json-schema`, checked against recorded results).
 *
 * A row whose type is 0 takes its type from the writer's own table
 * (result.c's field tables, through the document's walk): a field the
 * writer has and the rows lack, or a row with type 0 that the writer does
 * not write, is an error, so the docs cannot drift from the code.
 */
#include <stddef.h>
#include <stdio.h>

#include "errmsg.h"

enum {
	SCH_STRING = 1 << 0,
	SCH_INTEGER = 1 << 1,
	SCH_NUMBER = 1 << 2, /* any JSON number, integers included */
	SCH_BOOLEAN = 1 << 3,
	SCH_OBJECT = 1 << 4,
	SCH_ARRAY = 1 << 5,
	SCH_NULL = 1 << 6,
	SCH_TYPES = (1 << 7) - 1,
	SCH_OPEN = 1 << 8,    /* an object (or array) whose members are not all listed */
	SCH_ABSENT = 1 << 9,  /* left out of some files (newer than them, or optional) */
	SCH_DERIVED = 1 << 10, /* written for readers, ignored when read back */
};

struct schema_row {
	const char *path;
	unsigned type;               /* SCH_*; 0: the writer's table gives it */
	const char *doc;
	const char *const *choices;  /* NULL-terminated strings it can be, or NULL */
};

/* What the writer knows of one field: its path, type and choices. */
typedef void (*schema_visit)(void *ctx, const char *path, unsigned type,
			     const char *const *choices);

struct schema_doc {
	const char *name;   /* "result": memhp help schema result */
	const char *schema; /* the "schema" member's value, "memhp-result" */
	const char *title;
	const struct schema_row *rows;
	size_t nrows;
	void (*walk)(schema_visit visit, void *ctx); /* the writer's fields, or NULL */
};

/* The documents memhp writes, by name; NULL when unknown. */
const struct schema_doc *schema_find(const char *name);
extern const struct schema_doc *const schema_docs[];

/*
 * The rows with every type filled in from the writer's table (malloc'd,
 * *n of them): -EINVAL with the path named when rows and writer disagree.
 */
int schema_resolve(const struct schema_doc *d, struct schema_row **rows, size_t *n,
		   struct err *err);

/* The markdown tables, one per section ("" the top level, "blocks[]", …),
 * each between <!-- generated: … --> markers. */
void schema_markdown(FILE *out, const struct schema_doc *d, const struct schema_row *rows,
		     size_t n);
/* A JSON Schema (2020-12) of the document. */
void schema_json_schema(FILE *out, const struct schema_doc *d, const struct schema_row *rows,
			size_t n);
/* "integer or null", "one of ok, failed, interrupted", … */
void schema_type_text(char *buf, size_t len, const struct schema_row *r);

#endif
