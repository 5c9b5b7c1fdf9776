/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MEMHP_ATOMIC_FILE_H
#define MEMHP_ATOMIC_FILE_H

/*
 * The one way memhp writes a file whole: every result.json, bisect.json,
 * compare --json/--junit/--kcidb document, copied patch and Slurm script.
 *
 * A regular file (or a name that does not exist yet) is written to a fresh
 * temporary name in the same directory, made by mkostemp (O_EXCL, so a
 * symlink or file planted under a predictable name is never followed or
 * overwritten), flushed, fsync'ed, given its mode (less the umask) and
 * renamed over the target; the directory is then fsync'ed. Readers see the
 * old file or the new one, never half of one.
 *
 * An existing target that is not a regular file is never replaced:
 *  - a character device, FIFO or socket, or a symbolic link to one
 *    (/dev/null, /dev/stdout on a terminal or pipe) is written directly;
 *  - a directory, a block device, a dangling symbolic link or a symbolic
 *    link to a regular file is refused with a message that says so
 *    (a link is never replaced by a file, nor written through to a file).
 */
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "errmsg.h"

struct atomic_file {
	FILE *f;	/* write here between atomic_open and atomic_commit */
	int fd;
	char *path;	/* the target */
	char *tmp;	/* the temporary name; NULL when writing the target directly */
	mode_t mode;	/* the target's mode, before the umask */
};

/* Start writing path. 0, or a negative errno with "path: why" in err. */
int atomic_open(struct atomic_file *af, const char *path, mode_t mode, struct err *err);
/* Finish: flush, fsync, chmod, rename into place. Always releases af; on
 * failure removes the temporary file and leaves the target as it was. */
int atomic_commit(struct atomic_file *af, struct err *err);
/* Give up: remove the temporary file, leave the target as it was. */
void atomic_abort(struct atomic_file *af);
/* atomic_open, write len bytes of buf, atomic_commit. */
int atomic_write(const char *path, const void *buf, size_t len, mode_t mode, struct err *err);

/*
 * The one way memhp opens a file it reads whole (a scenario, a matrix, a
 * result): a FIFO, a device or anything else that is not a regular file is
 * refused before a byte is read (a FIFO would hang, /dev/zero would fill
 * memory), and so is a file of more than max bytes. Returns an fd open for
 * reading, or a negative errno with "path: why" in err.
 */
int file_open_regular(const char *path, size_t max, struct err *err);

#endif
