// SPDX-License-Identifier: GPL-2.0-only
/*
 * The schema layer (schema.h): a document's rows, checked against the
 * writer's field tables, printed as markdown tables and as a JSON Schema.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "xalloc.h"

extern const struct schema_doc result_schema_doc, bisect_schema_doc;
const struct schema_doc *const schema_docs[] = { &result_schema_doc, &bisect_schema_doc, NULL };

const struct schema_doc *schema_find(const char *name)
{
	for (size_t i = 0; schema_docs[i]; i++)
		if (!strcmp(schema_docs[i]->name, name))
			return schema_docs[i];
	return NULL;
}

struct resolve_ctx {
	struct schema_row *rows;
	size_t n;
	bool *seen;
	struct err *err;
	int rc;
};

static long find_row(const struct schema_row *rows, size_t n, const char *path, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(rows[i].path) == len && !strncmp(rows[i].path, path, len))
			return (long)i;
	return -1;
}

static void visit(void *p, const char *path, unsigned type, const char *const *choices)
{
	struct resolve_ctx *c = p;
	long i = find_row(c->rows, c->n, path, strlen(path));

	if (c->rc)
		return;
	if (i < 0) {
		c->rc = err_fail(c->err, -EINVAL, "%s is written but not documented: add a row "
				 "for it to the schema rows (result_schema.c, bisect_json.c)", path);
		return;
	}
	if (c->rows[i].type & SCH_TYPES) {
		c->rc = err_fail(c->err, -EINVAL, "%s: its row gives a type, but the writer's "
				 "table has it: give type 0 (or only flags)", path);
		return;
	}
	c->rows[i].type |= type;
	if (!c->rows[i].choices)
		c->rows[i].choices = choices;
	c->seen[i] = true;
}

int schema_resolve(const struct schema_doc *d, struct schema_row **out, size_t *n,
		   struct err *err)
{
	struct resolve_ctx c = { .n = d->nrows, .err = err };

	c.rows = xmalloc(d->nrows * sizeof(*c.rows));
	memcpy(c.rows, d->rows, d->nrows * sizeof(*c.rows));
	c.seen = xcalloc(d->nrows ? d->nrows : 1, sizeof(*c.seen));
	if (d->walk)
		d->walk(visit, &c);
	for (size_t i = 0; !c.rc && i < c.n; i++) {
		const char *path = c.rows[i].path, *end = path + strlen(path);
		long parent;
		bool elem;

		if (find_row(c.rows, i, path, strlen(path)) >= 0) {
			c.rc = err_fail(err, -EINVAL, "%s: two rows", path);
			break;
		}
		if (!(c.rows[i].type & SCH_TYPES) && !c.seen[i]) {
			c.rc = err_fail(err, -EINVAL, "%s: documented with the writer's type, but "
					"the writer does not write it (a row left over?)", path);
			break;
		}
		/* The parent: "a.b" of "a.b.c", "a" of "a[]". */
		elem = end - path > 2 && !strcmp(end - 2, "[]");
		if (elem) {
			end -= 2;
		} else {
			while (end > path && *end != '.')
				end--;
		}
		if (end == path)
			continue;
		parent = find_row(c.rows, c.n, path, (size_t)(end - path));
		if (parent < 0 ||
		    !(c.rows[parent].type & (elem ? SCH_ARRAY : SCH_OBJECT)) ||
		    (c.rows[parent].type & SCH_OPEN)) {
			if (parent >= 0 && !(c.rows[parent].type & SCH_TYPES))
				continue; /* typed by the walk later; checked below */
			c.rc = err_fail(err, -EINVAL, "%s: its parent %.*s is not a listed %s", path,
					(int)(end - path), path, elem ? "array" : "object");
		}
	}
	free(c.seen);
	if (c.rc) {
		free(c.rows);
		return c.rc;
	}
	*out = c.rows;
	*n = c.n;
	return 0;
}

void schema_type_text(char *buf, size_t len, const struct schema_row *r)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{ SCH_STRING, "string" },   { SCH_INTEGER, "integer" }, { SCH_NUMBER, "number" },
		{ SCH_BOOLEAN, "boolean" }, { SCH_OBJECT, "object" },   { SCH_ARRAY, "array" },
	};
	size_t off = 0;
	bool any = false;

#define PUT(...)                                                                         \
	do {                                                                             \
		int k_ = snprintf(buf + off, len - off, __VA_ARGS__);                    \
		if (k_ > 0)                                                              \
			off += (size_t)k_ < len - off ? (size_t)k_ : len - off - 1;      \
	} while (0)
	*buf = 0;
	if (r->choices) {
		PUT("one of");
		for (size_t i = 0; r->choices[i]; i++)
			PUT("%s `\"%s\"`", i ? "," : "", r->choices[i]);
		any = true;
	}
	for (size_t i = 0; !r->choices && i < sizeof(names) / sizeof(names[0]); i++)
		if (r->type & names[i].bit) {
			PUT("%s%s", any ? " or " : "", names[i].name);
			any = true;
		}
	if (r->type & SCH_NULL)
		PUT("%snull", any ? " or " : "");
	if (r->type & SCH_ABSENT)
		PUT(", may be absent");
	if (r->type & SCH_DERIVED)
		PUT(", derived");
#undef PUT
}

/* "blocks[]" of "blocks[].why.method", "" of "status" and of "kmsg[]". */
static size_t section_len(const char *path)
{
	size_t k = strcspn(path, ".[");

	if (!path[k])
		return 0;
	if (path[k] == '[') {
		k += 2;
		if (!path[k] || path[k] == '[')
			return 0; /* an element of a top-level array: in the top level */
	}
	return k;
}

static void table(FILE *out, const struct schema_doc *d, const struct schema_row *rows, size_t n,
		  const char *sec, size_t slen)
{
	char type[512];

	if (slen)
		fprintf(out, "<!-- generated: memhp help schema %s --markdown: %.*s -->\n",
			d->name, (int)slen, sec);
	else
		fprintf(out, "<!-- generated: memhp help schema %s --markdown: top level -->\n",
			d->name);
	fputs("| field | type | meaning |\n|---|---|---|\n", out);
	for (size_t i = 0; i < n; i++) {
		const char *p = rows[i].path;

		size_t len = strlen(p);

		if (section_len(p) != slen || strncmp(p, sec, slen))
			continue;
		/* An array's element object: its members are the table. */
		if (len > 2 && !strcmp(p + len - 2, "[]") && rows[i].type == SCH_OBJECT)
			continue;
		p += slen;
		if (*p == '.')
			p++;
		schema_type_text(type, sizeof(type), &rows[i]);
		fprintf(out, "| `%s` | %s | %s |\n", p, type, rows[i].doc);
	}
	fputs("<!-- end generated -->\n", out);
}

void schema_markdown(FILE *out, const struct schema_doc *d, const struct schema_row *rows,
		     size_t n)
{
	table(out, d, rows, n, "", 0);
	for (size_t i = 0; i < n; i++) {
		size_t slen = section_len(rows[i].path);
		bool first = slen > 0;

		for (size_t k = 0; first && k < i; k++)
			if (section_len(rows[k].path) == slen &&
			    !strncmp(rows[k].path, rows[i].path, slen))
				first = false;
		if (first) {
			fputc('\n', out);
			table(out, d, rows, n, rows[i].path, slen);
		}
	}
}

static json_object *child(json_object *o, const char *key, bool obj)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v)) {
		v = obj ? json_object_new_object() : json_object_new_array();
		json_object_object_add(o, key, v);
	}
	return v;
}

/* The schema node of a path below root, created as needed. */
static json_object *node_of(json_object *root, const char *path)
{
	json_object *cur = root;
	char name[256];

	while (*path) {
		size_t k = strcspn(path, ".[");

		if (k) {
			snprintf(name, sizeof(name), "%.*s", (int)k, path);
			cur = child(child(cur, "properties", true), name, true);
			path += k;
		}
		while (!strncmp(path, "[]", 2)) {
			cur = child(cur, "items", true);
			path += 2;
		}
		if (*path == '.')
			path++;
	}
	return cur;
}

void schema_json_schema(FILE *out, const struct schema_doc *d, const struct schema_row *rows,
			size_t n)
{
	static const char *const tnames[] = { "string", "integer", "number", "boolean",
					      "object", "array",   "null" };
	json_object *root = json_object_new_object(), *req = json_object_new_array();

	json_object_object_add(root, "$schema",
			       json_object_new_string("https://json-schema.org/draft/2020-12/schema"));
	json_object_object_add(root, "title", json_object_new_string(d->title));
	json_object_object_add(root, "description", json_object_new_string(
		"Generated by `memhp help schema --json-schema` from memhp's schema rows. "
		"It describes what this memhp writes; objects list every member memhp writes "
		"(additionalProperties false), so a reader written against it should still "
		"ignore members it does not know."));
	json_object_object_add(root, "type", json_object_new_string("object"));
	json_object_object_add(root, "additionalProperties", json_object_new_boolean(0));
	json_object_array_add(req, json_object_new_string("schema"));
	json_object_array_add(req, json_object_new_string("version"));
	json_object_object_add(root, "required", req);
	for (size_t i = 0; i < n; i++) {
		const struct schema_row *r = &rows[i];
		json_object *node = node_of(root, r->path), *types = json_object_new_array();

		for (unsigned b = 0; b < 7; b++)
			if (r->type & (1u << b) && !((1u << b) == SCH_INTEGER && r->type & SCH_NUMBER))
				json_object_array_add(types, json_object_new_string(tnames[b]));
		json_object_object_add(node, "type", types);
		json_object_object_add(node, "description", json_object_new_string(r->doc));
		if (r->choices) {
			json_object *e = json_object_new_array();

			for (size_t c = 0; r->choices[c]; c++)
				json_object_array_add(e, json_object_new_string(r->choices[c]));
			if (r->type & SCH_NULL)
				json_object_array_add(e, NULL);
			json_object_object_add(node, "enum", e);
		}
		if (r->type & SCH_OBJECT && !(r->type & SCH_OPEN))
			json_object_object_add(node, "additionalProperties",
					       json_object_new_boolean(0));
		if (!strcmp(r->path, "schema")) {
			json_object *e = json_object_new_array();

			json_object_array_add(e, json_object_new_string(d->schema));
			json_object_object_add(node, "enum", e);
		}
	}
	fprintf(out, "%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
							    JSON_C_TO_STRING_SPACED |
							    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}
