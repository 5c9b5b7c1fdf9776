// SPDX-License-Identifier: GPL-2.0-only
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hosts.h"
#include "str.h"

int hosts_check_uri(const char *uri, struct err *err)
{
	const char *colon = strchr(uri, ':');

	for (const char *p = uri; *p; p++)
		if (isspace((unsigned char)*p) || !isprint((unsigned char)*p))
			return err_set(err, "'%s' has a blank or control character (a libvirt URI has none)",
				       uri), -EINVAL;
	if (!colon || colon == uri)
		return err_set(err, "'%s' is not a libvirt URI (qemu:///system, "
			       "qemu+ssh://HOST/system, ...)", uri), -EINVAL;
	for (const char *p = uri; p < colon; p++)
		if (!isalnum((unsigned char)*p) && *p != '+' && *p != '-' && *p != '.')
			return err_set(err, "'%s': the scheme before ':' has a '%c'", uri, *p),
			       -EINVAL;
	return 0;
}

bool hosts_uri_is_local(const char *uri)
{
	const char *auth = strstr(uri, "://");

	/* qemu:///system, qemu:///session?socket=...: no server part. */
	return !auth || auth[3] == '/';
}

int hosts_load(const char *path, struct hosts *h, struct err *err)
{
	FILE *f = fopen(path, "re");
	char line[1024];
	unsigned lineno = 0;
	int rc = 0;

	h->n = 0;
	if (!f)
		return err_set(err, "%s: %s", path, strerror(errno)), -errno;
	while (!rc && fgets(line, sizeof(line), f)) {
		char *s = line, *e;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			rc = err_set(err, "%s:%u: line longer than %zu characters", path, lineno,
				     sizeof(line) - 2);
			break;
		}
		while (isspace((unsigned char)*s))
			s++;
		e = s + strlen(s);
		while (e > s && isspace((unsigned char)e[-1]))
			*--e = '\0';
		if (!*s || *s == '#')
			continue;
		if (hosts_check_uri(s, err)) {
			rc = err_wrap(err, -EINVAL, "%s:%u", path, lineno);
			break;
		}
		if (h->n == HOSTS_MAX) {
			rc = err_set(err, "%s:%u: more than %d hosts", path, lineno, HOSTS_MAX);
			break;
		}
		if (!str_copy(h->uri[h->n], sizeof(h->uri[0]), s)) {
			rc = err_set(err, "%s:%u: URI longer than %zu characters", path, lineno,
				     sizeof(h->uri[0]) - 1);
			break;
		}
		h->n++;
	}
	fclose(f);
	if (!rc && !h->n)
		rc = err_set(err, "%s: no hosts (one libvirt URI per line)", path);
	return rc ? -EINVAL : 0;
}
