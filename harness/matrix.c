// SPDX-License-Identifier: GPL-2.0-only
/*
 * What memhp run runs: variants x scenarios x repeats, from the command line
 * or a matrix INI file, and the cells in their order (matrix.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "image.h"
#include "ini_text.h"
#include "matrix.h"
#include "sweep.h"
#include "xalloc.h"

static bool valid_name(const char *s, size_t n)
{
	return n && strspn(s, MATRIX_NAME_CHARS) >= n;
}

bool variant_name_valid(const char *name)
{
	size_t n = strlen(name);

	return valid_name(name, n) && n < sizeof(((struct variant *)0)->name);
}

static int check_spec(const char *spec, struct err *err)
{
	const char *plus;

	if (!strncmp(spec, "deb:", 4)) {
		/* A package name or an apt glob: what build-image passes to apt. */
		if (!spec[4])
			return err_fail(err, -EINVAL, "kernel '%s' names no package", spec);
		if (strspn(spec + 4, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				     "0123456789.+-_*?[]=:~/") != strlen(spec + 4))
			return err_fail(err, -EINVAL, "kernel '%s': a package name or glob is letters, digits "
					    "and . + - _ * ? [ ] = : ~ (and /SUITE)", spec);
		return 0;
	}
	if (!strncmp(spec, "path:", 5))
		return spec[5] ? 0 : err_fail(err, -EINVAL, "kernel '%s' names no file", spec);
	if (!strncmp(spec, "build:", 6)) {
		plus = strchr(spec + 6, '+');
		if (!spec[6] || plus == spec + 6)
			return err_fail(err, -EINVAL, "kernel '%s' names no tree", spec);
		if (plus && !plus[1])
			return err_fail(err, -EINVAL, "kernel '%s': '+' names no patch series", spec);
		return 0;
	}
	return err_fail(err, -EINVAL, "kernel '%s' is not deb:PACKAGE, path:BZIMAGE or "
			    "build:TREE[+SERIES]", spec);
}

/*
 * key=value after the spec: cmdline= or config=. A value in double quotes
 * may hold spaces, and \" and \\ for a quote and a backslash.
 */
static int variant_option(struct variant *v, const char *key, const char *val, size_t n,
			  struct err *err)
{
	char unq[1024], *dst;
	size_t len, k = 0;

	if (n >= 2 && val[0] == '"' && val[n - 1] == '"') {
		for (size_t i = 1; i + 1 < n && k + 1 < sizeof(unq); i++)
			unq[k++] = val[i] == '\\' && i + 2 < n ? val[++i] : val[i];
		unq[k] = '\0';
		val = unq;
		n = k;
	}
	if (!strcmp(key, "cmdline")) {
		dst = v->cmdline;
		len = sizeof(v->cmdline);
	} else if (!strcmp(key, "config")) {
		dst = v->config;
		len = sizeof(v->config);
	} else {
		return err_fail(err, -EINVAL, "variant '%s': unknown option '%s' (cmdline= or config=)", v->name,
			       key);
	}
	if (n >= len)
		return err_fail(err, -EINVAL, "variant '%s': %s longer than %zu bytes", v->name, key, len - 1);
	snprintf(dst, len, "%.*s", (int)n, val);
	return 0;
}

int variant_parse(const char *arg, struct variant *v, struct err *err)
{
	const char *eq = strchr(arg, '='), *p;
	size_t n = eq ? (size_t)(eq - arg) : 0;

	memset(v, 0, sizeof(*v));
	if (!eq || !valid_name(arg, n) || n >= sizeof(v->name))
		return err_fail(err, -EINVAL, "--variant '%s' is not NAME=SPEC with a NAME of up to %zu letters, "
				    "digits, '.', '_', '+' or '-'", arg, sizeof(v->name) - 1);
	memcpy(v->name, arg, n);
	p = eq + 1;
	if (*p == '"') {
		/* A spec with blanks, as variant_format writes it: "..." with \"
		 * and \\ for a quote and a backslash. */
		size_t k = 0, i = 1;

		for (; p[i] && p[i] != '"'; i++) {
			if (p[i] == '\\' && p[i + 1])
				i++;
			if (k + 1 >= sizeof(v->spec))
				return err_fail(err, -EINVAL, "--variant '%s': kernel spec too long", arg);
			v->spec[k++] = p[i];
		}
		if (p[i] != '"')
			return err_fail(err, -EINVAL, "--variant '%s': the kernel spec's quote is not closed",
				       arg);
		v->spec[k] = '\0';
		n = i + 1;
	} else {
		n = strcspn(p, " ");
		if (n >= sizeof(v->spec))
			return err_fail(err, -EINVAL, "--variant '%s': kernel spec too long", arg);
		snprintf(v->spec, sizeof(v->spec), "%.*s", (int)n, p);
	}
	if (check_spec(v->spec, err))
		return err_wrap(err, -EINVAL, "--variant '%s'", arg);
	for (p += n; *(p += strspn(p, " "));) {
		const char *kv = strchr(p, '='), *val;
		char key[16];
		size_t vlen;

		if (!kv || (size_t)(kv - p) >= sizeof(key))
			return err_fail(err, -EINVAL, "--variant '%s': after the kernel only cmdline=ARGS or "
					    "config=FILE may follow, not '%s'", arg, p);
		snprintf(key, sizeof(key), "%.*s", (int)(kv - p), p);
		val = kv + 1;
		/* A quoted value runs to its closing (unescaped) quote; else to
		 * the next space. */
		vlen = strcspn(val, " ");
		if (*val == '"') {
			size_t i = 1;

			while (val[i] && val[i] != '"')
				i += val[i] == '\\' && val[i + 1] ? 2 : 1;
			if (val[i] != '"')
				return err_fail(err, -EINVAL, "--variant '%s': %s's quote is not closed", arg,
					       key);
			vlen = i + 1;
		}
		if (variant_option(v, key, val, vlen, err))
			return err_wrap(err, -EINVAL, "--variant '%s'", arg);
		p = val + vlen;
	}
	return 0;
}

int matrix_add_variant(struct matrix *m, const struct variant *v, struct err *err)
{
	struct variant *nv;

	for (size_t i = 0; i < m->nvariants; i++)
		if (!strcmp(m->variants[i].name, v->name))
			return err_fail(err, -EINVAL, "variant '%s' given twice", v->name);
	nv = xrealloc(m->variants, (m->nvariants + 1) * sizeof(*nv));
	m->variants = nv;
	m->variants[m->nvariants++] = *v;
	return 0;
}

int matrix_add_scenario(struct matrix *m, const char *path, struct err *err)
{
	struct scenario *ns = xrealloc(m->scenarios, (m->nscenarios + 1) * sizeof(*ns));

	m->scenarios = ns;
	if (scenario_load(&m->scenarios[m->nscenarios], path, err))
		return -EINVAL;
	for (size_t i = 0; i < m->nscenarios; i++)
		if (!strcmp(m->scenarios[i].name, m->scenarios[m->nscenarios].name)) {
			err_set(err, "%s: a second scenario named '%s' (the first is %s)", path,
				m->scenarios[i].name, m->scenarios[i].path);
			scenario_free(&m->scenarios[m->nscenarios]);
			return -EINVAL;
		}
	m->nscenarios++;
	return 0;
}

/* A relative path (one with a '/', not ~/) made relative to dir. */
static void relative_path(const char *dir, const char *p, size_t n, char *out, size_t len)
{
	if (n && *p != '/' && *p != '~' && memchr(p, '/', n))
		snprintf(out, len, "%s/%.*s", dir, (int)n, p);
	else
		snprintf(out, len, "%.*s", (int)n, p);
}

/* path:FILE and build:TREE[+SERIES] with their paths relative to dir;
 * package names (deb:, linux-source-X.Y) stay as they are. -1: too long. */
static int relative_spec(const char *dir, const char *spec, char *out, size_t len)
{
	char a[4200], b[4200] = "";
	const char *plus, *kind = "";
	int w;

	if (!strncmp(spec, "path:", 5)) {
		kind = "path:";
		relative_path(dir, spec + 5, strlen(spec + 5), a, sizeof(a));
	} else if (!strncmp(spec, "build:", 6)) {
		kind = "build:";
		plus = strchr(spec + 6, '+');
		relative_path(dir, spec + 6, plus ? (size_t)(plus - spec - 6) : strlen(spec + 6), a,
			      sizeof(a));
		if (plus) {
			b[0] = '+';
			relative_path(dir, plus + 1, strlen(plus + 1), b + 1, sizeof(b) - 1);
		}
	} else {
		snprintf(a, sizeof(a), "%s", spec);
	}
	w = snprintf(out, len, "%s%s%s", kind, a, b);
	return w < 0 || (size_t)w >= len ? -1 : 0;
}

struct parse {
	struct matrix *m;
	const char *path;
	char *dir; /* the file's directory, absolute */
	struct err *err;
	int failed;
	struct variant *cur; /* the [variant NAME] being read */
	struct sweeps sweeps; /* the [sweep] sections (sweep.c) */
	struct ini_text in;
};

static int handler(void *user, const char *section, const char *key, const char *value)
{
	struct parse *st = user;
	unsigned lineno = st->in.lineno;
	struct err e;

	if (st->failed)
		return 0;
	if (!strcmp(section, "matrix")) {
		if (!strcmp(key, "repeats")) {
			char *end;
			unsigned long r = strtoul(value, &end, 10);

			if (*end || !r || r > 1000)
				goto bad_value;
			st->m->repeats = (unsigned)r;
		} else if (!strcmp(key, "scenario")) {
			char *path = *value == '/' ? xstrdup(value) : path_join(st->dir, value);
			int rc = matrix_add_scenario(st->m, path, &e);

			free(path);
			if (rc) {
				err_set(st->err, "%s:%u: %s", st->path, lineno, e.msg);
				return st->failed = 1, 0;
			}
		} else {
			goto bad_key;
		}
		return 1;
	}
	if (!strncmp(section, "variant ", 8)) {
		const char *name = section + 8;

		if (!st->cur || strcmp(st->cur->name, name)) {
			struct variant v = { 0 };

			if (!valid_name(name, strlen(name)) || strlen(name) >= sizeof(v.name)) {
				err_set(st->err, "%s:%u: [variant %s]: a name of letters, digits, '.', "
						 "'_', '+' or '-'", st->path, lineno, name);
				return st->failed = 1, 0;
			}
			snprintf(v.name, sizeof(v.name), "%s", name);
			if (matrix_add_variant(st->m, &v, &e)) {
				err_set(st->err, "%s:%u: %s", st->path, lineno, e.msg);
				return st->failed = 1, 0;
			}
			st->cur = &st->m->variants[st->m->nvariants - 1];
		}
		if (!strcmp(key, "kernel")) {
			if (check_spec(value, &e)) {
				err_set(st->err, "%s:%u: %s", st->path, lineno, e.msg);
				return st->failed = 1, 0;
			}
			if (relative_spec(st->dir, value, st->cur->spec, sizeof(st->cur->spec))) {
				err_set(st->err, "%s:%u: kernel = '%s': too long", st->path, lineno, value);
				return st->failed = 1, 0;
			}
		} else if (!strcmp(key, "cmdline") || !strcmp(key, "config")) {
			char *val = !strcmp(key, "config") && *value && *value != '/' ?
					    path_join(st->dir, value) : xstrdup(value);
			int rc = variant_option(st->cur, key, val, strlen(val), &e);

			free(val);
			if (rc) {
				err_set(st->err, "%s:%u: %s", st->path, lineno, e.msg);
				return st->failed = 1, 0;
			}
		} else {
			goto bad_key;
		}
		return 1;
	}
	if (!strcmp(section, "sweep") || !strncmp(section, "sweep ", 6)) {
		st->sweeps.path = st->path;
		if (sweep_line(&st->sweeps, section, key, value, lineno, st->err))
			return st->failed = 1, 0;
		return 1;
	}
	err_set(st->err, "%s:%u: unknown section [%s] (matrix, variant NAME, sweep [NAME])",
		st->path, lineno, section);
	return st->failed = 1, 0;
bad_key:
	err_set(st->err, "%s:%u: [%s] has no key '%s'", st->path, lineno, section, key);
	return st->failed = 1, 0;
bad_value:
	err_set(st->err, "%s:%u: %s = '%s' is not a number from 1 to 1000", st->path, lineno, key,
		value);
	return st->failed = 1, 0;
}


/* What a matrix file must hold once read: inih's rc and the reader's state. */
static int check_loaded(const struct matrix *m, const char *path, int rc, const struct ini_text *in,
			struct err *err)
{
	if (rc > 0)
		return err_fail(err, -EINVAL, "%s:%d: not a [section] or 'key = value' line", path, rc);
	if (ini_text_overlong(in, path, err))
		return -EINVAL;
	for (size_t i = 0; i < m->nvariants; i++)
		if (!*m->variants[i].spec)
			return err_fail(err, -EINVAL, "%s: [variant %s] has no kernel = SPEC", path,
				       m->variants[i].name);
	if (!m->nscenarios)
		return err_fail(err, -EINVAL, "%s: [matrix] names no scenario", path);
	if (!m->nvariants)
		return err_fail(err, -EINVAL, "%s: no [variant NAME] section", path);
	return 0;
}

/* One line of text without its line end and leading blanks: [p, *end). */
static const char *line_body(const char *line, size_t n, const char **end)
{
	const char *e = line + n;

	if (e > line && e[-1] == '\r')
		e--;
	while (line < e && (*line == ' ' || *line == '\t'))
		line++;
	*end = e;
	return line;
}

/*
 * What inih would merge or take silently, refused as scenario files refuse
 * it: a section given twice (even right after itself), a key given twice in
 * one section ([matrix] scenario excepted: it is a list), a section with no
 * key. 0, or -EINVAL with "PATH:LINE: ..." in err.
 */
static int check_sections(const char *text, const char *path, struct err *err)
{
	struct seen_line {
		char name[128];
		unsigned line;
	} *secs = NULL, *keys = NULL;
	size_t nsecs = 0, nkeys = 0;
	unsigned lineno = 1, cur = 0; /* cur: the current section's line, 0: none */
	int rc = 0;

	for (const char *line = text; !rc; lineno++) {
		size_t n = strcspn(line, "\n");
		const char *end, *p = line_body(line, n, &end), *q;

		if (p < end && *p == '[' && (q = memchr(p, ']', (size_t)(end - p)))) {
			if (cur && !nkeys)
				rc = err_fail(err, -EINVAL, "%s:%u: [%s] is empty: a section has at "
					      "least one key", path, cur, secs[nsecs - 1].name);
			for (size_t i = 0; !rc && i < nsecs; i++)
				if ((size_t)(q - p - 1) == strlen(secs[i].name) &&
				    !strncmp(secs[i].name, p + 1, (size_t)(q - p - 1)))
					rc = err_fail(err, -EINVAL, "%s:%u: [%s] a second time (first on "
						      "line %u): one section each", path, lineno,
						      secs[i].name, secs[i].line);
			if (rc)
				break;
			secs = xrealloc(secs, (nsecs + 1) * sizeof(*secs));
			snprintf(secs[nsecs].name, sizeof(secs[nsecs].name), "%.*s",
				 (int)(q - p - 1), p + 1);
			secs[nsecs++].line = cur = lineno;
			nkeys = 0;
		} else if (cur && p < end && *p != ';' && *p != '#') {
			size_t k = strcspn(p, "=:\n");

			while (k && (p[k - 1] == ' ' || p[k - 1] == '\t'))
				k--;
			for (size_t i = 0; i < nkeys; i++)
				if (k == strlen(keys[i].name) && !strncmp(keys[i].name, p, k) &&
				    strcmp(secs[nsecs - 1].name, "matrix") |
				    strcmp(keys[i].name, "scenario"))
					rc = err_fail(err, -EINVAL, "%s:%u: [%s] %s is set twice (first on "
						      "line %u)", path, lineno, secs[nsecs - 1].name,
						      keys[i].name, keys[i].line);
			keys = xrealloc(keys, (nkeys + 1) * sizeof(*keys));
			snprintf(keys[nkeys].name, sizeof(keys[nkeys].name), "%.*s", (int)k, p);
			keys[nkeys++].line = lineno;
		}
		if (!line[n])
			break;
		line += n + 1;
	}
	if (!rc && cur && !nkeys)
		rc = err_fail(err, -EINVAL, "%s:%u: [%s] is empty: a section has at least one key",
			      path, cur, secs[nsecs - 1].name);
	free(secs);
	free(keys);
	return rc;
}

int matrix_load(struct matrix *m, const char *path, struct err *err)
{
	struct parse st = { .m = m, .path = path, .err = err };
	char *copy = xstrdup(path), *text;
	int rc;

	/* Paths in the file are relative to it, wherever memhp runs from (and
	 * wherever memhp plan's commands will run). */
	st.dir = realpath(dirname(copy), NULL);
	if (!st.dir)
		st.dir = xstrdup(".");
	free(copy);
	/* The whole file, NUL-terminated even when empty. */
	rc = ini_text_load(path, &text, err);
	if (rc) {
		free(st.dir);
		return rc;
	}
	st.in.text = text;
	rc = ini_text_check(text, path, err);
	if (!rc)
		rc = check_sections(text, path, err);
	if (rc) {
		free(text);
		free(st.dir);
		return rc;
	}
	rc = ini_parse_stream(ini_text_reader, &st.in, handler, &st);
	free(text);
	if (!st.failed) {
		rc = check_loaded(m, path, rc, &st.in, err);
		if (!rc && st.sweeps.nsets && sweep_expand(&st.sweeps, m, err))
			rc = -EINVAL;
	} else {
		rc = -EINVAL;
	}
	sweep_free(&st.sweeps);
	free(st.dir);
	return rc;
}

void matrix_free(struct matrix *m)
{
	for (size_t i = 0; i < m->nscenarios; i++)
		scenario_free(&m->scenarios[i]);
	free(m->scenarios);
	free(m->variants);
	memset(m, 0, sizeof(*m));
}

int matrix_from_args(struct matrix *m, const char *matrix_file, const char *kernel,
		     char *const *scenarios, size_t nscenarios, struct err *err)
{
	if (matrix_file) {
		if (nscenarios || m->nvariants || kernel)
			return err_fail(err, -EINVAL, "--matrix brings its own scenarios and variants; give "
					    "neither SCENARIO, --variant nor --kernel with it");
		return matrix_load(m, matrix_file, err);
	}
	if (!nscenarios)
		return err_fail(err, -EINVAL, "no scenario given");
	/* --kernel is the one unnamed variant's: beside --variant it would be
	 * ignored, and a kernel the user named silently not run. */
	if (kernel && m->nvariants)
		return err_fail(err, -EINVAL, "--kernel %s and --variant both name kernels; give each "
				"kernel in its --variant", kernel);
	if (!kernel)
		kernel = IMAGE_DEFAULT_KERNEL;
	if (!m->nvariants) {
		/* One unnamed variant: reports name it by its kernel. */
		struct variant v = { 0 };

		if (check_spec(kernel, err))
			return err_wrap(err, -EINVAL, "--kernel");
		if (strlen(kernel) >= sizeof(v.spec))
			return err_fail(err, -EINVAL, "--kernel: a spec of %zu bytes; at most %zu fit",
					strlen(kernel), sizeof(v.spec) - 1);
		snprintf(v.spec, sizeof(v.spec), "%s", kernel);
		matrix_add_variant(m, &v, err);
	}
	for (size_t i = 0; i < nscenarios; i++)
		if (matrix_add_scenario(m, scenarios[i], err))
			return -EINVAL;
	return 0;
}

/* " key=\"value\"" with quotes and backslashes escaped, at buf + *n;
 * false when it did not fit. */
static bool format_option(char *buf, size_t len, size_t *n, const char *key, const char *val)
{
	int w;

	if (!*val)
		return true;
	/* key NULL: the value alone, quoted. */
	w = key ? snprintf(buf + *n, len - *n, " %s=\"", key) : snprintf(buf + *n, len - *n, "\"");
	if (w < 0 || (size_t)w >= len - *n)
		return false;
	*n += (size_t)w;
	for (; *val; val++) {
		if (*n + 3 >= len) {
			buf[*n] = '\0';
			return false;
		}
		if (*val == '"' || *val == '\\')
			buf[(*n)++] = '\\';
		buf[(*n)++] = *val;
	}
	if (*n + 1 >= len) {
		buf[*n] = '\0';
		return false;
	}
	buf[(*n)++] = '"';
	buf[*n] = '\0';
	return true;
}

int variant_format(const struct variant *v, char *buf, size_t len)
{
	int w;
	size_t n;

	if (!len)
		return -ENAMETOOLONG;
	if (!v->spec[strcspn(v->spec, " \t\"\\")]) {
		w = snprintf(buf, len, "%s=%s", v->name, v->spec);
		if (w < 0 || (size_t)w >= len)
			return -ENAMETOOLONG;
		n = (size_t)w;
	} else {
		/* Quoted as variant_parse reads a spec with blanks back. */
		w = snprintf(buf, len, "%s=", v->name);
		if (w < 0 || (size_t)w >= len)
			return -ENAMETOOLONG;
		n = (size_t)w;
		if (!format_option(buf, len, &n, NULL, v->spec))
			return -ENAMETOOLONG;
	}
	if (!format_option(buf, len, &n, "cmdline", v->cmdline) ||
	    !format_option(buf, len, &n, "config", v->config))
		return -ENAMETOOLONG;
	return 0;
}

int matrix_check_cells(const struct matrix *m, unsigned repeats_override, struct err *err)
{
	uint64_t n = 0;

	for (size_t s = 0; s < m->nscenarios; s++) {
		unsigned r = repeats_override ? repeats_override :
			     m->repeats       ? m->repeats :
						m->scenarios[s].repeats;

		n += (uint64_t)r * m->nvariants;
		if (n > MATRIX_MAX_CELLS)
			return err_fail(err, -E2BIG, "%zu scenario%s x %zu variant%s x the repeats "
					"make over %u cells; split the matrix or run fewer repeats",
					m->nscenarios, m->nscenarios == 1 ? "" : "s", m->nvariants,
					m->nvariants == 1 ? "" : "s", MATRIX_MAX_CELLS);
	}
	return 0;
}

size_t matrix_cells(const struct matrix *m, unsigned repeats_override, struct cell **cells)
{
	unsigned most = 0;
	size_t n = 0;

	for (size_t s = 0; s < m->nscenarios; s++) {
		unsigned r = repeats_override ? repeats_override :
			     m->repeats       ? m->repeats :
						m->scenarios[s].repeats;

		if (r > most)
			most = r;
	}
	*cells = xcalloc((size_t)most * m->nscenarios * m->nvariants + 1, sizeof(**cells));
	for (unsigned rep = 1; rep <= most; rep++)
		for (size_t s = 0; s < m->nscenarios; s++) {
			unsigned r = repeats_override ? repeats_override :
				     m->repeats       ? m->repeats :
							m->scenarios[s].repeats;

			if (rep > r)
				continue;
			for (size_t v = 0; v < m->nvariants; v++)
				(*cells)[n++] = (struct cell){ .scenario = s, .variant = v, .repeat = rep };
		}
	return n;
}

int matrix_parse_cell(const char *arg, size_t ncells, size_t *index, struct err *err)
{
	unsigned long long i, n = 0;
	char *end;

	errno = 0;
	i = strtoull(arg, &end, 10);
	if (*end == '/' && end[1] >= '0' && end[1] <= '9')
		n = strtoull(end + 1, &end, 10);
	if (*arg < '0' || *arg > '9' || *end || errno)
		return err_set(err, "--cell '%s' is not INDEX or INDEX/COUNT (numbers, from 0)", arg),
		       -EINVAL;
	if (strchr(arg, '/') && n != ncells)
		return err_set(err, "--cell %s: the matrix has %zu cells now, not %llu: it changed "
				    "since the cells were numbered (plan it again)", arg, ncells, n), -EINVAL;
	if (i >= ncells)
		return err_set(err, "--cell %s: the matrix has %zu cell%s (0 to %zu)", arg, ncells,
			       ncells == 1 ? "" : "s", ncells ? ncells - 1 : 0), -EINVAL;
	*index = (size_t)i;
	return 0;
}
