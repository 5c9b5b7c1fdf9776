// SPDX-License-Identifier: GPL-2.0-only
/*
 * A matrix's [sweep] sections (sweep.h): read line by line while matrix.c
 * parses the file, then expanded into a scenario per point.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matrix.h"
#include "scenario.h"
#include "sweep.h"
#include "xalloc.h"

/*
 * A [sweep] or [sweep NAME] section: a cross product of scenario keys' values
 * (docs/kernels.md). Several sections add their points; scenario = names the
 * scenarios a section applies to (default: all).
 */
#define SWEEP_MAX_VALUES 64
#define SWEEP_MAX_SETS 16

struct sweep_key {
	char key[64];
	unsigned line;
	char values[SWEEP_MAX_VALUES][256];
	size_t nvalues;
};

struct sweep_set {
	char section[80]; /* "sweep" or "sweep NAME", as inih gives it */
	unsigned line;    /* of its first key */
	struct sweep_key keys[SWEEP_MAX_KEYS];
	size_t nkeys;
	char scenarios[1024]; /* scenario = A, B; "" for all */
	unsigned scenarios_line;
};

static bool name_chars(const char *s, size_t n)
{
	return n && strspn(s, MATRIX_NAME_CHARS) >= n;
}

/* The next item of a comma-separated list, blanks around it trimmed: its
 * start and length, or NULL at the end. */
static const char *list_next(const char **p, size_t *n)
{
	const char *s = *p, *e;

	if (!*s)
		return NULL;
	e = s + strcspn(s, ",");
	*p = *e ? e + 1 : e;
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*n = (size_t)(e - s);
	return s;
}

int sweep_line(struct sweeps *st, const char *section, const char *key, const char *value,
	       unsigned lineno, struct err *err)
{
	struct sweep_set *set = st->nsets ? &st->sets[st->nsets - 1] : NULL;
	struct sweep_key *k;
	const char *p = value, *item;
	char msg[512];
	size_t n;

	if (!set || strcmp(set->section, section)) {
		const char *name = section + 5 + (section[5] == ' ');

		for (size_t i = 0; i < st->nsets; i++)
			if (!strcmp(st->sets[i].section, section)) {
				err_set(err, "%s:%u: [%s] a second time (its first key is on line "
						 "%u): one section per sweep", st->path, lineno, section,
					st->sets[i].line);
				return -EINVAL;
			}
		if (section[5] && (!name_chars(name, strlen(name)) || strlen(section) >= sizeof(set->section))) {
			err_set(err, "%s:%u: [%s]: a sweep's name is letters, digits, '.', '_', "
					 "'+' or '-'", st->path, lineno, section);
			return -EINVAL;
		}
		if (st->nsets == SWEEP_MAX_SETS) {
			err_set(err, "%s:%u: [%s]: at most %d sweep sections", st->path, lineno,
				section, SWEEP_MAX_SETS);
			return -EINVAL;
		}
		set = xrealloc(st->sets, (st->nsets + 1) * sizeof(*set));
		st->sets = set;
		set = &set[st->nsets++];
		memset(set, 0, sizeof(*set));
		snprintf(set->section, sizeof(set->section), "%s", section);
		set->line = lineno;
	}
	if (!strcmp(key, "scenario")) {
		if (*set->scenarios || strlen(value) >= sizeof(set->scenarios) || !*value) {
			err_set(err, "%s:%u: [%s] scenario = '%s': %s", st->path, lineno, section,
				value, *set->scenarios ? "given twice" : "one list of scenario names, "
				"comma-separated, of at most 1023 characters");
			return -EINVAL;
		}
		snprintf(set->scenarios, sizeof(set->scenarios), "%s", value);
		set->scenarios_line = lineno;
		return 0;
	}
	for (size_t i = 0; i < set->nkeys; i++)
		if (!strcmp(set->keys[i].key, key)) {
			err_set(err, "%s:%u: [%s] %s is set twice (first on line %u)", st->path,
				lineno, section, key, set->keys[i].line);
			return -EINVAL;
		}
	if (scenario_check_key(key, "", msg, sizeof(msg)) == -ENOENT) {
		err_set(err, "%s:%u: [%s] %s: %s", st->path, lineno, section, key, msg);
		return -EINVAL;
	}
	if (set->nkeys == SWEEP_MAX_KEYS) {
		err_set(err, "%s:%u: [%s] %s: at most %d keys in one sweep", st->path, lineno,
			section, key, SWEEP_MAX_KEYS);
		return -EINVAL;
	}
	k = &set->keys[set->nkeys];
	memset(k, 0, sizeof(*k));
	snprintf(k->key, sizeof(k->key), "%s", key);
	k->line = lineno;
	while ((item = list_next(&p, &n))) {
		char v[256];

		if (!n || n >= sizeof(v)) {
			err_set(err, "%s:%u: [%s] %s = '%s': %s", st->path, lineno, section, key,
				value, n ? "a value longer than 255 characters" :
				"an empty value (values are separated by commas)");
			return -EINVAL;
		}
		snprintf(v, sizeof(v), "%.*s", (int)n, item);
		if (scenario_check_key(key, v, msg, sizeof(msg))) {
			err_set(err, "%s:%u: [%s] %s = '%s': %s", st->path, lineno, section, key, v,
				msg);
			return -EINVAL;
		}
		for (size_t i = 0; i < k->nvalues; i++)
			if (!strcmp(k->values[i], v)) {
				err_set(err, "%s:%u: [%s] %s: '%s' is listed twice", st->path, lineno,
					section, key, v);
				return -EINVAL;
			}
		if (k->nvalues == SWEEP_MAX_VALUES) {
			err_set(err, "%s:%u: [%s] %s: at most %d values", st->path, lineno, section,
				key, SWEEP_MAX_VALUES);
			return -EINVAL;
		}
		snprintf(k->values[k->nvalues++], sizeof(k->values[0]), "%s", v);
	}
	if (!k->nvalues) {
		err_set(err, "%s:%u: [%s] %s: no value (values are separated by commas)", st->path,
			lineno, section, key);
		return -EINVAL;
	}
	set->nkeys++;
	return 0;
}

/* A value as it goes into a cell's name (and so its run directory). */
static void name_value(const char *v, char *out, size_t len)
{
	size_t i = 0;

	for (; *v && i + 1 < len; v++)
		out[i++] = name_chars(v, 1) ? *v : '_';
	out[i] = '\0';
}

/* Whether the set applies to the scenario named name. */
static bool set_applies(const struct sweep_set *set, const char *name)
{
	const char *p = set->scenarios, *item;
	size_t n;

	if (!*set->scenarios)
		return true;
	while ((item = list_next(&p, &n)))
		if (n == strlen(name) && !strncmp(item, name, n))
			return true;
	return false;
}

/* Point number i of the set (its first key varies slowest), and its name. */
static int set_point(const struct sweep_set *set, size_t i, const char *base,
		     struct sweep_point *pt, char *name, size_t len)
{
	size_t w = (size_t)snprintf(name, len, "%s", base);

	memset(pt, 0, sizeof(*pt));
	pt->n = (unsigned)set->nkeys;
	for (size_t k = set->nkeys; k-- > 0;) {
		const struct sweep_key *sk = &set->keys[k];

		snprintf(pt->kv[k].key, sizeof(pt->kv[k].key), "%s", sk->key);
		snprintf(pt->kv[k].value, sizeof(pt->kv[k].value), "%s", sk->values[i % sk->nvalues]);
		i /= sk->nvalues;
	}
	for (size_t k = 0; k < set->nkeys && w < len; k++) {
		char v[256];

		name_value(pt->kv[k].value, v, sizeof(v));
		w += (size_t)snprintf(name + w, len - w, ",%s=%s", strchr(pt->kv[k].key, '.') + 1, v);
	}
	return w < len ? 0 : -ENAMETOOLONG;
}

static size_t set_points(const struct sweep_set *set)
{
	size_t n = 1;

	for (size_t k = 0; k < set->nkeys; k++)
		n = n > SWEEP_MAX_CELLS ? n : n * set->keys[k].nvalues;
	return set->nkeys ? n : 0;
}

int sweep_expand(const struct sweeps *st, struct matrix *m, struct err *err)
{
	struct scenario *out = NULL;
	size_t nout = 0, total = 0;
	int rc = 0;

	for (size_t j = 0; j < st->nsets; j++) {
		const struct sweep_set *set = &st->sets[j];
		const char *p = set->scenarios, *item;
		size_t n;

		if (!set->nkeys)
			return err_set(err, "%s:%u: [%s] sweeps no scenario key", st->path,
				       set->line, set->section), -EINVAL;
		while ((item = list_next(&p, &n))) {
			bool found = false;

			for (size_t s = 0; s < m->nscenarios && !found; s++)
				found = strlen(m->scenarios[s].name) == n &&
					!strncmp(m->scenarios[s].name, item, n);
			if (!found)
				return err_set(err, "%s:%u: [%s] scenario: '%.*s' is none of the "
						       "[matrix] scenarios (their file names without .ini)",
					       st->path, set->scenarios_line, set->section, (int)n, item),
				       -EINVAL;
		}
	}
	for (size_t s = 0; s < m->nscenarios; s++) {
		size_t here = 0;

		for (size_t j = 0; j < st->nsets; j++)
			here += set_applies(&st->sets[j], m->scenarios[s].name) ? set_points(&st->sets[j]) : 0;
		total += here ? here : 1;
	}
	if (total > SWEEP_MAX_CELLS)
		return err_set(err, "%s: the sweeps make over %d scenarios of the matrix's %zu "
				       "(fewer values, or scenario = in a [sweep])",
			       st->path, SWEEP_MAX_CELLS, m->nscenarios), -EINVAL;
	out = xcalloc(total + 1, sizeof(*out));
	for (size_t s = 0; s < m->nscenarios && !rc; s++) {
		bool swept = false;

		for (size_t j = 0; j < st->nsets && !rc; j++) {
			const struct sweep_set *set = &st->sets[j];

			if (!set_applies(set, m->scenarios[s].name))
				continue;
			swept = true;
			for (size_t i = 0; i < set_points(set) && !rc; i++) {
				struct sweep_point pt;
				char name[sizeof(out->name)];
				struct err e;

				if (set_point(set, i, m->scenarios[s].name, &pt, name, sizeof(name))) {
					rc = err_fail(err, -EINVAL, "%s:%u: [%s]: the cell name '%s...' is "
							      "longer than %zu characters (shorter values, "
							      "or fewer keys in one sweep)", st->path,
						     set->line, set->section, name, sizeof(name) - 1);
					break;
				}
				for (size_t o = 0; o < nout; o++)
					if (!strcmp(out[o].name, name)) {
						rc = err_fail(err, -EINVAL, "%s:%u: [%s]: cell '%s' twice (in two "
								      "sweeps, or values that differ only in "
								      "characters a name cannot hold)",
							     st->path, set->line, set->section, name);
						break;
					}
				if (rc)
					break;
				if (scenario_sweep(&m->scenarios[s], &pt, name, &out[nout], &e)) {
					rc = err_fail(err, -EINVAL, "%s:%u: [%s]: cell '%s': %s", st->path,
						     set->line, set->section, name, e.msg);
					break;
				}
				nout++;
			}
		}
		if (!swept && !rc) {
			out[nout++] = m->scenarios[s];
			m->scenarios[s].text = NULL; /* moved */
		}
	}
	for (size_t s = 0; s < m->nscenarios; s++)
		scenario_free(&m->scenarios[s]);
	free(m->scenarios);
	m->scenarios = out;
	m->nscenarios = nout;
	return rc ? -EINVAL : 0;
}

void sweep_free(struct sweeps *sw)
{
	free(sw->sets);
	sw->sets = NULL;
	sw->nsets = 0;
}
