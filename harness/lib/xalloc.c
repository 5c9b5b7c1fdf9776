// SPDX-License-Identifier: GPL-2.0-only
/* The out-of-memory policy and the path helper (xalloc.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void xalloc_die(size_t n)
{
	fprintf(stderr, "memhp: out of memory (%zu bytes)\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		xalloc_die(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		xalloc_die(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		xalloc_die(n);
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		xalloc_die(strlen(fmt));
	return s;
}

char *path_join(const char *dir, const char *name)
{
	size_t d = strlen(dir);

	while (d > 1 && dir[d - 1] == '/')
		d--;
	while (*name == '/')
		name++;
	if (!d)
		return xstrdup(name);
	return xasprintf("%.*s%s%s", (int)d, dir, dir[d - 1] == '/' ? "" : "/", name);
}
