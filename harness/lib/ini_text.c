// SPDX-License-Identifier: GPL-2.0-only
/*
 * Feed inih from a string, counting lines, so that every scenario error
 * names its line (ini_text.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "atomic_file.h"
#include "ini_text.h"

char *ini_text_reader(char *str, int num, void *stream)
{
	struct ini_text *in = stream;
	const char *nl;
	size_t n, body;

	if (!in->text || !*in->text || in->overlong || num < 2)
		return NULL;
	nl = strchr(in->text, '\n');
	n = nl ? (size_t)(nl - in->text) + 1 : strlen(in->text);
	body = n;
	if (body && in->text[body - 1] == '\n')
		body--;
	if (body && in->text[body - 1] == '\r')
		body--;
	/* inih needs the line, "\r\n" and a NUL in num bytes. */
	if (body > (size_t)num - 3 || n > (size_t)num - 1) {
		in->overlong = in->lineno + 1;
		in->overlong_len = body;
		in->max_len = (size_t)num - 3; /* room for "\r\n" and the NUL */
		return NULL;
	}
	memcpy(str, in->text, n);
	str[n] = '\0';
	in->text += n;
	in->lineno++;
	return str;
}

int ini_text_overlong(const struct ini_text *in, const char *path, struct err *err)
{
	if (!in->overlong)
		return 0;
	err_set(err, "%s:%u: line is %zu bytes long; at most %zu fit in a line (split the value "
		     "or shorten the path)", path, in->overlong, in->overlong_len, in->max_len);
	return -EINVAL;
}

int ini_text_load(const char *path, char **text, struct err *err)
{
	FILE *f, *mem;
	char buf[4096];
	size_t n, len = 0, total = 0;
	int rc = 0, fd;

	*text = NULL;
	fd = file_open_regular(path, INI_TEXT_MAX, err);
	if (fd < 0)
		return fd;
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return err_fail(err, -ENOMEM, "%s: out of memory", path);
	}
	mem = open_memstream(text, &len);
	if (!mem) {
		fclose(f);
		return err_fail(err, -ENOMEM, "%s: out of memory", path);
	}
	/* The size was checked; a file that grows as it is read stops here. */
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0 && (total += n) <= INI_TEXT_MAX)
		fwrite(buf, 1, n, mem);
	if (!ferror(f) && total > INI_TEXT_MAX) {
		rc = -EFBIG;
		err_set(err, "%s: more than the %d bytes memhp reads", path, INI_TEXT_MAX);
	} else if (ferror(f)) {
		rc = -EIO;
		err_set(err, "%s: read failed", path);
	}
	fclose(f);
	if (fclose(mem) && !rc) {
		rc = -ENOMEM;
		err_set(err, "%s: out of memory", path);
	}
	if (!rc && strlen(*text) != len) {
		rc = -EINVAL;
		err_set(err, "%s: contains a NUL byte; not a text file", path);
	}
	if (rc) {
		free(*text);
		*text = NULL;
	}
	return rc;
}

int ini_text_check(const char *text, const char *path, struct err *err)
{
	unsigned lineno = 1;

	for (const char *line = text; *line; lineno++) {
		size_t n = strcspn(line, "\n");
		const char *cr = memchr(line, '\r', n), *p = line, *end = line + n, *close;

		if (cr && cr + 1 != end)
			return err_fail(err, -EINVAL, "%s:%u: a carriage return inside the line (a file "
					"with old Mac line ends?); lines end in LF or CRLF", path,
					lineno);
		if (cr)
			end--;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p < end && *p == '[' && (close = memchr(p, ']', (size_t)(end - p)))) {
			const char *rest = close + 1;

			while (rest < end && (*rest == ' ' || *rest == '\t'))
				rest++;
			/* inih drops whatever follows the ']' without a word. */
			if (rest < end && *rest != ';' && *rest != '#')
				return err_fail(err, -EINVAL, "%s:%u: syntax error: '%.*s' after the "
						"section header %.*s (a [section] stands alone on "
						"its line)", path, lineno,
						(int)(end - rest > 40 ? 40 : end - rest), rest,
						(int)(close + 1 - p > 80 ? 80 : close + 1 - p), p);
		}
		line += n + (line[n] == '\n');
	}
	return 0;
}
