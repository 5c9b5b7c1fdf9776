/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_BACKEND_LIBVIRT_URI_H
#define MEMHP_BACKEND_LIBVIRT_URI_H

#include <stdbool.h>

#include "errmsg.h"

/* A libvirt URI's syntax (--connect): scheme:..., no blanks or control
 * characters. 0, or -EINVAL with the reason in err. */
int lv_uri_check(const char *uri, struct err *err);

/* Does uri name a daemon on this machine (no server part)? */
bool lv_uri_is_local(const char *uri);

#endif
