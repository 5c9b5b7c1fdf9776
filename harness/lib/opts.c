// SPDX-License-Identifier: GPL-2.0-only
/*
 * Options as data (opts.h): one table per command gives getopt_long its
 * option list, the usage its lines and opts_argv its arguments.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"

#define HELP_COLUMN 23

#define OPT_FIELD(g, o, type) ((type *)((char *)(g)->target + (o)->offset))

const struct opt opts_help[] = {
	{ OPT("help", 'h', OPT_HELP, 0, NULL, "this text") },
	{ 0 },
};

void opt_list_add(struct opt_list *l, const char *s)
{
	const char **v = realloc(l->v, (l->n + 1) * sizeof(*v));

	if (!v)
		abort();
	v[l->n++] = s;
	l->v = v;
}

void opt_list_free(struct opt_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

const struct opt *opts_find(const struct opt_group *g, size_t ng, const char *name)
{
	for (size_t i = 0; i < ng; i++)
		for (const struct opt *o = g[i].opts; o->name; o++)
			if (!strcmp(o->name, name))
				return o;
	return NULL;
}

/* Is word one of the space-separated words? */
static bool one_of(const char *words, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = words; *p;) {
		size_t n = strcspn(p, " ");

		if (n == len && !strncmp(p, word, n))
			return true;
		p += n;
		p += *p == ' ';
	}
	return false;
}

/* "auto, kvm or tcg" */
static void say_choices(char *buf, size_t len, const char *words)
{
	const char *last = strrchr(words, ' ');
	size_t off = 0;

	*buf = 0;
	for (const char *p = words; *p && off < len;) {
		size_t n = strcspn(p, " ");

		off += (size_t)snprintf(buf + off, len - off, "%s%.*s",
					p == words ? "" : p == last + 1 ? " or " : ", ", (int)n, p);
		p += n;
		p += *p == ' ';
	}
}

static int take(const struct opt_group *g, const struct opt *o, const char *val, struct err *err)
{
	switch (o->type) {
	case OPT_STRING:
		if (o->choices && !one_of(o->choices, val)) {
			char words[256];

			say_choices(words, sizeof(words), o->choices);
			return err_fail(err, -EINVAL, "--%s '%s' is not %s", o->name, val, words);
		}
		if (o->check && o->check(val, err))
			return -EINVAL;
		*OPT_FIELD(g, o, const char *) = val;
		return 0;
	case OPT_LIST:
		if (o->check && o->check(val, err))
			return -EINVAL;
		opt_list_add(OPT_FIELD(g, o, struct opt_list), val);
		return 0;
	case OPT_UINT: {
		unsigned lo = o->min ? o->min : 1;
		unsigned long n;
		char *end;

		errno = 0;
		n = strtoul(val, &end, 10);
		if (errno || end == val || *end || *val == '-' || n < lo || n > o->max)
			return err_fail(err, -EINVAL, "--%s '%s' is not a whole number from %u to %u",
					o->name, val, lo, o->max);
		*OPT_FIELD(g, o, unsigned) = (unsigned)n;
		return 0;
	}
	case OPT_FLAG:
		*OPT_FIELD(g, o, bool) = true;
		return 0;
	case OPT_CALLBACK:
		return o->cb((char *)g->target + o->offset, val, err) ? -EINVAL : 0;
	case OPT_HELP:
		return 0;
	}
	abort();
}

int opts_parse(const struct opt_group *g, size_t ng, int argc, char **argv, struct err *err)
{
	size_t n = 0, k = 0;
	struct option *lo;
	const struct opt **by;
	char shorts[128];
	int c, rc = 0, s = 0;

	for (size_t i = 0; i < ng; i++)
		for (const struct opt *o = g[i].opts; o->name; o++)
			n++;
	lo = calloc(n + 1, sizeof(*lo));
	by = calloc(n + 1, sizeof(*by));
	if (!lo || !by)
		abort();
	for (size_t i = 0; i < ng; i++)
		for (const struct opt *o = g[i].opts; o->name; o++, k++) {
			bool arg = o->type != OPT_FLAG && o->type != OPT_HELP;

			lo[k] = (struct option){ o->name, arg ? required_argument : no_argument,
						 NULL, 0x100 + (int)k };
			by[k] = o;
			if (o->short_name && s < (int)sizeof(shorts) - 3) {
				shorts[s++] = (char)o->short_name;
				if (arg)
					shorts[s++] = ':';
			}
		}
	shorts[s] = 0;
	*err->msg = 0;
	optind = 0; /* getopt afresh, whatever parsed before (memhp ab's children) */
	while (!rc && (c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		const struct opt *o = NULL;
		size_t gi = 0, idx = 0;

		if (c >= 0x100)
			idx = (size_t)(c - 0x100);
		else
			for (idx = 0; idx < n && by[idx]->short_name != c; idx++)
				;
		if (c == '?' || c == ':' || idx >= n) {
			rc = -EINVAL;
			break;
		}
		o = by[idx];
		/* The group of entry idx. */
		for (size_t left = idx;; gi++) {
			size_t cnt = 0;

			while (g[gi].opts[cnt].name)
				cnt++;
			if (left < cnt)
				break;
			left -= cnt;
		}
		if (o->type == OPT_HELP) {
			free(lo);
			free(by);
			return 0;
		}
		rc = take(&g[gi], o, optarg, err);
	}
	free(lo);
	free(by);
	return rc ? rc : optind;
}

/* One option's "  -k, --kernel SPEC" (or "      --modules DIR"); brief:
 * "-k/--kernel SPEC". */
static int opt_head(char *buf, size_t len, const struct opt *o, bool brief)
{
	char sh[8] = "";

	if (o->short_name)
		snprintf(sh, sizeof(sh), brief ? "-%c/" : "-%c, ", o->short_name);
	return snprintf(buf, len, "%s%s--%s%s%s", brief ? "" : o->short_name ? "  " : "      ", sh,
			o->name, o->arg ? " " : "", o->arg ? o->arg : "");
}

void opts_usage(FILE *out, const struct opt_group *g, size_t ng)
{
	for (size_t i = 0; i < ng; i++) {
		size_t col = 0;

		if (g[i].title)
			fprintf(out, "%s\n", g[i].title);
		for (const struct opt *o = g[i].opts; o->name; o++) {
			char head[128];
			int len;

			if (g[i].brief) {
				/* brief heads, comma-separated, lines under 80 columns */
				opt_head(head, sizeof(head), o, true);
				if (col && col + strlen(head) + 2 > 78) {
					fputs(",\n", out);
					col = 0;
				}
				col += (size_t)fprintf(out, "%s%s", col ? ", " : "      ", head);
				continue;
			}
			len = opt_head(head, sizeof(head), o, false);
			fputs(head, out);
			if (!o->help) {
				fputc('\n', out);
				continue;
			}
			if (len + 2 > HELP_COLUMN)
				fprintf(out, "\n%*s", HELP_COLUMN, "");
			else
				fprintf(out, "%*s", HELP_COLUMN - len, "");
			for (const char *p = o->help; *p;) {
				size_t n = strcspn(p, "\n");

				fprintf(out, "%.*s\n", (int)n, p);
				p += n;
				if (*p == '\n' && *++p)
					fprintf(out, "%*s", HELP_COLUMN, "");
			}
		}
		if (g[i].brief && col)
			fputc('\n', out);
	}
}

void opts_argv_one(struct argv *a, const struct opt_group *g, const struct opt *o)
{
	switch (o->type) {
	case OPT_STRING: {
		const char *v = *OPT_FIELD(g, o, const char *);

		if (v) {
			argv_add(a, "--%s", o->name);
			argv_add(a, "%s", v);
		}
		break;
	}
	case OPT_LIST: {
		const struct opt_list *l = OPT_FIELD(g, o, struct opt_list);

		for (size_t k = 0; k < l->n; k++) {
			argv_add(a, "--%s", o->name);
			argv_add(a, "%s", l->v[k]);
		}
		break;
	}
	case OPT_UINT:
		if (*OPT_FIELD(g, o, unsigned)) {
			argv_add(a, "--%s", o->name);
			argv_add(a, "%u", *OPT_FIELD(g, o, unsigned));
		}
		break;
	case OPT_FLAG:
		if (*OPT_FIELD(g, o, bool))
			argv_add(a, "--%s", o->name);
		break;
	case OPT_CALLBACK:
	case OPT_HELP:
		break; /* not a value a request carries */
	}
}

void opts_argv(struct argv *a, const struct opt_group *g, size_t ng)
{
	for (size_t i = 0; i < ng; i++)
		for (const struct opt *o = g[i].opts; o->name; o++)
			opts_argv_one(a, &g[i], o);
}
