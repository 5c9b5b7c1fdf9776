// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>

#include "ini_text.h"

char *ini_text_reader(char *str, int num, void *stream)
{
	struct ini_text *in = stream;
	const char *nl;
	size_t n;

	if (!*in->text)
		return NULL;
	nl = strchr(in->text, '\n');
	n = nl ? (size_t)(nl - in->text) + 1 : strlen(in->text);
	if (n > (size_t)num - 1)
		n = (size_t)num - 1;
	memcpy(str, in->text, n);
	str[n] = '\0';
	in->text += n;
	in->lineno++;
	return str;
}
