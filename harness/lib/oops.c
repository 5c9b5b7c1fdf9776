// SPDX-License-Identifier: GPL-2.0-only
/*
 * oops.c: the first kernel oops, BUG or panic in a guest's console log,
 * named in one line for a failed run's reason (oops.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oops.h"
#include "str.h"

/* Where a report starts, as the kernel prints it (lib/bug.c, mm/,
 * arch/x86/mm/fault.c, kernel/panic.c, arch/powerpc/kernel/traps.c). */
static const char *const starts[] = {
	"BUG: ", "kernel BUG at ", "Oops: ", "general protection fault",
	"Unable to handle kernel ", "Kernel panic - not syncing", NULL,
};

/* Where the faulting function is named: x86, ppc64, arm64. */
static const char *const pcs[] = { "RIP: ", "NIP [", "pc : ", NULL };

/* The console's "[    5.818702] " prefix, and trailing white space, off. */
static const char *strip(char *line)
{
	char *p = line;
	size_t n;

	if (*p == '[') {
		char *end = strchr(p, ']');

		if (end)
			p = end + 1;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	n = strlen(p);
	while (n && (p[n - 1] == '\n' || p[n - 1] == '\r' || p[n - 1] == ' '))
		p[--n] = '\0';
	return p;
}

/* What follows one of list's strings: at the line's start, or anywhere. */
static const char *prefixed(const char *s, const char *const *list, bool anywhere)
{
	for (const char *const *l = list; *l; l++) {
		const char *at = strstr(s, *l);

		if (at && (anywhere || at == s))
			return at + strlen(*l);
	}
	return NULL;
}

/* "0010:zone_for_pfn_range+0x43/0x2c0" → "zone_for_pfn_range+0x43/0x2c0";
 * ppc64's "NIP [c000…] func+0x…/0x…" → the function. */
static void pc_function(const char *s, char *out, size_t len)
{
	const char *colon = strchr(s, ':'), *bracket = strstr(s, "] ");

	if (bracket)
		s = bracket + 2;
	else if (colon && colon - s <= 4)
		s = colon + 1;
	while (*s == ' ')
		s++;
	snprintf(out, len, "%.*s", (int)strcspn(s, " "), s);
}

struct scan {
	char headline[256], at[128], from[128];
	int state; /* 0: looking, 1: in a report, 2: in its call trace, 3: done */
};

static void feed(struct scan *sc, char *raw)
{
	const char *line = strip(raw), *v;

	switch (sc->state) {
	case 0:
		if (prefixed(line, starts, false)) {
			str_copy(sc->headline, sizeof(sc->headline), line);
			sc->state = 1;
		}
		break;
	case 1:
		if (!*sc->at && (v = prefixed(line, pcs, true)))
			pc_function(v, sc->at, sizeof(sc->at));
		else if (!strcmp(line, "Call Trace:") || !strcmp(line, "Call trace:"))
			sc->state = 2;
		break;
	case 2:
		/* The first frame that is a function, not <TASK> nor a "?" guess. */
		if (*line && *line != '<' && *line != '?' && strchr(line, '+')) {
			const char *f = line, *b;

			/* ppc64: "[sp] [pc] function+off/len" */
			while ((b = strstr(f, "] ")))
				f = b + 2;
			snprintf(sc->from, sizeof(sc->from), "%.*s", (int)strcspn(f, " "), f);
			sc->state = 3;
		}
		break;
	default:
		break;
	}
}

static bool finish(const struct scan *sc, char *headline, size_t hlen, char *summary,
		   size_t slen)
{
	if (!sc->state)
		return false;
	if (headline && hlen)
		str_copy(headline, hlen, sc->headline);
	if (summary && slen)
		snprintf(summary, slen, "%s%s%s%s%s", sc->headline, *sc->at ? " at " : "", sc->at,
			 *sc->from ? " from " : "", sc->from);
	return true;
}

bool oops_find_text(const char *text, char *headline, size_t hlen, char *summary, size_t slen)
{
	struct scan sc = { .state = 0 };
	char line[512];

	while (text && *text && sc.state != 3) {
		size_t n = strcspn(text, "\n");

		snprintf(line, sizeof(line), "%.*s", (int)(n < sizeof(line) ? n : sizeof(line) - 1),
			 text);
		feed(&sc, line);
		text += n + (text[n] == '\n');
	}
	return finish(&sc, headline, hlen, summary, slen);
}

bool oops_find(const char *path, char *headline, size_t hlen, char *summary, size_t slen)
{
	struct scan sc = { .state = 0 };
	char *line = NULL;
	size_t cap = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return false;
	while (sc.state != 3 && getline(&line, &cap, f) >= 0)
		feed(&sc, line);
	free(line);
	fclose(f);
	return finish(&sc, headline, hlen, summary, slen);
}
