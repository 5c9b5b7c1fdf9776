// SPDX-License-Identifier: GPL-2.0-only
/* Writing a file whole: a temporary name and a rename, or a device directly
 * (atomic_file.h says which and why). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"

static mode_t current_umask(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return mask;
}

/* dir and base of path, as two fresh strings. */
static int split_path(const char *path, char **dir, char **base)
{
	char *a = strdup(path), *b = strdup(path);

	if (!a || !b) {
		free(a);
		free(b);
		return -ENOMEM;
	}
	*dir = strdup(dirname(a));
	*base = strdup(basename(b));
	free(a);
	free(b);
	if (!*dir || !*base) {
		free(*dir);
		free(*base);
		return -ENOMEM;
	}
	return 0;
}

static bool writable_special(mode_t m)
{
	return S_ISCHR(m) || S_ISFIFO(m) || S_ISSOCK(m);
}

/* The target exists and is not a regular file: open it as it is, or refuse. */
static int open_direct(struct atomic_file *af, const char *path, const struct stat *lst,
		       struct err *err)
{
	struct stat st;
	int fd;

	if (S_ISDIR(lst->st_mode))
		return err_fail(err, -EISDIR, "%s: is a directory", path);
	if (S_ISBLK(lst->st_mode))
		return err_fail(err, -EINVAL, "%s: is a block device; refusing to write over it",
				path);
	if (S_ISLNK(lst->st_mode)) {
		if (stat(path, &st) < 0)
			return err_fail(err, -ENOENT, "%s: is a dangling symbolic link; remove it "
					"or name a file", path);
		if (S_ISREG(st.st_mode))
			return err_fail(err, -EEXIST, "%s: is a symbolic link to a regular file; "
					"name that file, or remove the link", path);
		if (!writable_special(st.st_mode))
			return err_fail(err, -EINVAL, "%s: is a symbolic link to something that "
					"is not a file, terminal or pipe", path);
	}
	/* No O_CREAT, no O_TRUNC: nothing is made or cut here. What was opened is
	 * checked again, in case the name changed since lstat. */
	fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return err_fail(err, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !writable_special(st.st_mode)) {
		close(fd);
		return err_fail(err, -EINVAL, "%s: changed while being opened; not written", path);
	}
	af->fd = fd;
	af->f = fdopen(fd, "w");
	if (!af->f) {
		close(fd);
		return err_fail(err, -ENOMEM, "%s: %s", path, strerror(ENOMEM));
	}
	return 0;
}

int atomic_open(struct atomic_file *af, const char *path, mode_t mode, struct err *err)
{
	char *dir = NULL, *base = NULL;
	struct stat lst;
	size_t len;
	int rc;

	*af = (struct atomic_file){ .fd = -1, .mode = mode };
	if (!*path)
		return err_fail(err, -EINVAL, "an empty file name");
	af->path = strdup(path);
	if (!af->path)
		return err_fail(err, -ENOMEM, "%s: %s", path, strerror(ENOMEM));
	if (lstat(path, &lst) == 0 && !S_ISREG(lst.st_mode)) {
		rc = open_direct(af, path, &lst, err);
		if (rc) {
			free(af->path);
			af->path = NULL;
		}
		return rc;
	}
	rc = split_path(path, &dir, &base);
	if (rc)
		goto fail_msg;
	/* Hidden, so that a directory walk never takes it for a result. */
	len = strlen(dir) + strlen(base) + 16;
	af->tmp = malloc(len);
	if (!af->tmp) {
		rc = -ENOMEM;
		goto fail_msg;
	}
	snprintf(af->tmp, len, "%s/.%s.XXXXXX", dir, base);
	af->fd = mkostemp(af->tmp, O_CLOEXEC);
	if (af->fd < 0) {
		rc = -errno;
		goto fail_msg;
	}
	af->f = fdopen(af->fd, "w");
	if (!af->f) {
		rc = -errno;
		close(af->fd);
		unlink(af->tmp);
		goto fail_msg;
	}
	free(dir);
	free(base);
	return 0;
fail_msg:
	err_set(err, "%s: cannot write it: %s", path, strerror(-rc));
	free(dir);
	free(base);
	free(af->tmp);
	free(af->path);
	*af = (struct atomic_file){ .fd = -1 };
	return rc;
}

static void release(struct atomic_file *af)
{
	free(af->tmp);
	free(af->path);
	*af = (struct atomic_file){ .fd = -1 };
}

void atomic_abort(struct atomic_file *af)
{
	if (af->f)
		fclose(af->f);
	if (af->tmp)
		unlink(af->tmp);
	release(af);
}

int atomic_commit(struct atomic_file *af, struct err *err)
{
	int rc = 0, dfd;
	char *dir, *base;

	if (!af->f)
		return err_fail(err, -EBADF, "no file open");
	errno = 0;
	if (ferror(af->f) || fflush(af->f))
		rc = errno ? -errno : -EIO;
	if (!af->tmp) {
		/* A device or pipe: no rename, no fsync (a pipe refuses it). */
		if (fclose(af->f) && !rc)
			rc = -errno;
		af->f = NULL;
		if (rc)
			err_set(err, "%s: cannot write it: %s", af->path, strerror(-rc));
		release(af);
		return rc;
	}
	if (!rc && (fsync(af->fd) < 0 || fchmod(af->fd, af->mode & ~current_umask()) < 0))
		rc = -errno;
	if (fclose(af->f) && !rc)
		rc = -errno;
	af->f = NULL;
	if (!rc && rename(af->tmp, af->path) < 0)
		rc = -errno;
	if (rc) {
		err_set(err, "%s: cannot write it: %s", af->path, strerror(-rc));
		unlink(af->tmp);
		release(af);
		return rc;
	}
	/* The rename itself survives a crash once its directory is on disk. */
	if (!split_path(af->path, &dir, &base)) {
		dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
		free(dir);
		free(base);
	}
	release(af);
	return 0;
}

int atomic_write(const char *path, const void *buf, size_t len, mode_t mode, struct err *err)
{
	struct atomic_file af;
	int rc = atomic_open(&af, path, mode, err);

	if (rc)
		return rc;
	errno = 0;
	if (len && fwrite(buf, 1, len, af.f) != len) {
		rc = errno ? -errno : -EIO;
		err_set(err, "%s: cannot write it: %s", path, strerror(-rc));
		atomic_abort(&af);
		return rc;
	}
	return atomic_commit(&af, err);
}

int file_open_regular(const char *path, size_t max, struct err *err)
{
	struct stat st;
	int fd, fl;

	/* O_NONBLOCK: opening a FIFO with no writer must not wait for one. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return err_fail(err, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		int rc = -errno;

		close(fd);
		return err_fail(err, rc, "%s: %s", path, strerror(-rc));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return err_fail(err, -EINVAL, "%s: not a regular file (%s); refusing to read it",
				path, S_ISDIR(st.st_mode) ? "a directory" :
				S_ISFIFO(st.st_mode) ? "a FIFO" :
				S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" :
				S_ISSOCK(st.st_mode) ? "a socket" : "not a file");
	}
	if ((unsigned long long)st.st_size > max) {
		close(fd);
		return err_fail(err, -EFBIG, "%s: %llu bytes, more than the %zu memhp reads", path,
				(unsigned long long)st.st_size, max);
	}
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}
