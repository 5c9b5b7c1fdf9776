/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_ERRMSG_H
#define MEMHP_ERRMSG_H

/*
 * Errors travel up as a negative errno plus a message in a struct err that
 * the caller owns; nothing deep down prints and carries on. The outermost
 * caller decides whether the message ends up on stderr or in a result.
 *
 * Which setter:
 *   return err_fail(err, -EINVAL, "...");  the usual way: the message, and
 *                                         the errno the caller's contract
 *                                         names (backend.h's table for the
 *                                         backends), returned as given;
 *   return err_wrap(err, rc, "what");      an error from below, its message
 *                                         prefixed, rc returned unchanged;
 *   err_set(err, "...");                  the message alone, returns
 *                                         nothing: for a caller that returns
 *                                         its errno itself on the next line.
 * There is no default errno: err_set() cannot be returned, so every error
 * path says which errno it means.
 */
struct err {
	char msg[1024];
};

__attribute__((format(printf, 2, 3)))
void err_set(struct err *err, const char *fmt, ...);
/* Set the message and return rc: `return err_fail(err, -EINVAL, "...")`. */
__attribute__((format(printf, 3, 4)))
int err_fail(struct err *err, int rc, const char *fmt, ...);
/* Prefix the message already in err with "what: " and return rc unchanged:
 * `return err_wrap(err, rc, "...")`. */
__attribute__((format(printf, 3, 4)))
int err_wrap(struct err *err, int rc, const char *fmt, ...);

#endif
