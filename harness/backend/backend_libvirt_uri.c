// SPDX-License-Identifier: GPL-2.0-only
/*
 * The syntax of a libvirt URI (--connect) and whether it names this machine,
 * without libvirt itself (backend_libvirt_uri.h).
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "backend_libvirt_uri.h"

int lv_uri_check(const char *uri, struct err *err)
{
	const char *colon = strchr(uri, ':');

	for (const char *p = uri; *p; p++)
		if (isspace((unsigned char)*p) || !isprint((unsigned char)*p))
			return err_set(err, "'%s' has a blank or control character (a libvirt URI has none)",
				       uri), -EINVAL;
	if (!colon || colon == uri)
		return err_fail(err, -EINVAL, "'%s' is not a libvirt URI (qemu:///system, "
					 "qemu+ssh://HOST/system, ...)", uri);
	for (const char *p = uri; p < colon; p++)
		if (!isalnum((unsigned char)*p) && *p != '+' && *p != '-' && *p != '.')
			return err_set(err, "'%s': the scheme before ':' has a '%c'", uri, *p),
			       -EINVAL;
	return 0;
}

bool lv_uri_is_local(const char *uri)
{
	const char *auth = strstr(uri, "://");

	/* qemu:///system, qemu:///session?socket=...: no server part. */
	return !auth || auth[3] == '/';
}
