// SPDX-License-Identifier: GPL-2.0-only
/*
 * memhp bisect's series (bisect_series.h): the patches of a directory or of
 * a git range, and the prefix directories each step builds from.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "bisect_series.h"
#include "datadir.h"
#include "sha256.h"
#include "str.h"
#include "subproc.h"
#include "xalloc.h"

/* The Subject: of a mail-formatted patch, folded lines joined and a
 * leading [PATCH ...] dropped (as git am does); "" when it has none. */
static void patch_subject(const char *path, char *out, size_t len)
{
	char line[1024];
	bool in = false;
	FILE *f = fopen(path, "r");

	*out = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (in && (*line == ' ' || *line == '\t')) {
			size_t n = strlen(out);

			snprintf(out + n, len - n, " %s", line + strspn(line, " \t"));
			continue;
		}
		if (in || !*line || !strncmp(line, "diff ", 5) || !strncmp(line, "---", 3))
			break;
		if (!strncasecmp(line, "Subject:", 8)) {
			in = true;
			snprintf(out, len, "%s", line + 8 + strspn(line + 8, " \t"));
		}
	}
	fclose(f);
	if (*out == '[' && strchr(out, ']')) {
		const char *p = strchr(out, ']') + 1;

		memmove(out, p + strspn(p, " "), strlen(p + strspn(p, " ")) + 1);
	}
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct patch *)a)->name, ((const struct patch *)b)->name);
}

static bool is_patch_name(const char *n)
{
	size_t l = strlen(n);

	return *n != '.' && ((l > 6 && !strcmp(n + l - 6, ".patch")) ||
			     (l > 5 && !strcmp(n + l - 5, ".diff")));
}

/* The series in dir: *.patch and *.diff in (C locale) name order, as
 * guest-image/build-kernel reads a directory. */
int bisect_load_series(const char *dir, struct patch **out, unsigned *n, struct err *err)
{
	struct patch *v = NULL;
	size_t nv = 0;
	DIR *d = opendir(dir);
	struct dirent *e;

	*out = NULL;
	*n = 0;
	if (!d)
		return err_fail(err, -errno, "--series %s: %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		struct patch *p;
		struct stat st;
		int fd;

		if (!is_patch_name(e->d_name))
			continue;
		v = xrealloc(v, (nv + 1) * sizeof(*v));
		p = &v[nv];
		memset(p, 0, sizeof(*p));
		if (snprintf(p->path, sizeof(p->path), "%s/%s", dir, e->d_name) >=
			    (int)sizeof(p->path) ||
		    stat(p->path, &st) || !S_ISREG(st.st_mode))
			continue;
		nv++;
		str_copy(p->name, sizeof(p->name), e->d_name);
		snprintf(p->stem, sizeof(p->stem), "%.*s", (int)(strrchr(p->name, '.') - p->name),
			 p->name);
		for (char *c = p->stem; *c; c++)
			if (!strchr(SH_SAFE, *c) || *c == '/' || *c == '=' || *c == ':' || *c == '%')
				*c = '_';
		patch_subject(p->path, p->subject, sizeof(p->subject));
		fd = open(p->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || sha256_fd_hex(fd, p->path, p->sha256, err)) {
			int rc = fd < 0 ? err_fail(err, -errno, "%s: %s", p->path, strerror(errno))
					: -EIO;

			if (fd >= 0)
				close(fd);
			closedir(d);
			free(v);
			return rc;
		}
		close(fd);
	}
	closedir(d);
	if (!nv) {
		free(v);
		return err_fail(err, -ENOENT, "--series %s: no *.patch or *.diff in it", dir);
	}
	qsort(v, nv, sizeof(*v), by_name);
	*out = v;
	*n = (unsigned)nv;
	return 0;
}

/* git format-patch A..B of tree into dir (emptied of patches first). */
/* git -C TREE, the start of every git command bisect runs. */
static void git_argv(struct argv *a, const char *tree)
{
	argv_add(a, "git");
	argv_add(a, "-C");
	argv_add(a, "%s", tree);
}

/* The commit REV names in TREE (newline included), or an error. */
static int git_rev_parse(const char *tree, const char *rev, char **out, struct err *err)
{
	struct argv a = { 0 };
	int rc;

	git_argv(&a, tree);
	argv_add(&a, "rev-parse");
	argv_add(&a, "--verify");
	argv_add(&a, "-q");
	argv_add(&a, "%s", rev);
	rc = spawn_capture(&a, out, err);
	argv_free(&a);
	return rc;
}

int bisect_series_from_range(const char *tree, const char *range, const char *dir,
			     struct err *err)
{
	char *head = NULL, *base = NULL, *out = NULL, rev[600];
	const char *dots = strstr(range, "..");
	struct argv a = { 0 };
	DIR *d;
	struct dirent *e;
	int rc;

	if (!dots || dots == range || !dots[2] || dots[2] == '.' || strchr(dots + 2, '.') == dots + 2)
		return err_fail(err, -EINVAL, "--range '%s' is not A..B", range);
	rc = git_rev_parse(tree, "HEAD", &head, err);
	if (rc)
		return err_wrap(err, -EINVAL, "--range needs --tree to be a git checkout ('%s' is "
					      "not one)", tree);
	snprintf(rev, sizeof(rev), "%.*s^{commit}", (int)(dots - range), range);
	rc = git_rev_parse(tree, rev, &base, err);
	if (rc) {
		free(head);
		return err_fail(err, -EINVAL, "--range '%s': '%.*s' is no commit of %s", range,
				(int)(dots - range), range, tree);
	}
	head[strcspn(head, "\n")] = base[strcspn(base, "\n")] = '\0';
	if (strcmp(head, base)) {
		err_set(err, "--range '%s': %s is at %.12s, not at %.*s (%.12s): the baseline is the "
			     "tree as checked out, so check out %.*s first (or give the patches "
			     "with --series)", range, tree, head, (int)(dots - range), range, base,
			(int)(dots - range), range);
		free(head);
		free(base);
		return -EINVAL;
	}
	free(head);
	free(base);
	rc = make_dirs(dir);
	if (rc)
		return err_fail(err, rc, "%s: %s", dir, strerror(-rc));
	/* The range's patches only: an older run's are removed first. */
	if ((d = opendir(dir))) {
		while ((e = readdir(d))) {
			char *p;

			if (!is_patch_name(e->d_name))
				continue;
			p = path_join(dir, e->d_name);
			unlink(p);
			free(p);
		}
		closedir(d);
	}
	git_argv(&a, tree);
	argv_add(&a, "format-patch");
	argv_add(&a, "-q");
	argv_add(&a, "--no-signature");
	argv_add(&a, "-o");
	argv_add(&a, "%s", dir);
	argv_add(&a, "%s", range);
	rc = spawn_capture(&a, &out, err);
	argv_free(&a);
	free(out);
	return rc ? err_wrap(err, -EINVAL, "--range '%s'", range) : 0;
}

/* Copy src to dst unless dst has its bytes already. */
static int copy_file(const char *src, const char *dst, struct err *err)
{
	char buf[65536];
	FILE *in = fopen(src, "rbe");
	struct atomic_file af;
	size_t n;
	int rc;

	if (!in)
		return err_fail(err, -errno, "%s: %s", src, strerror(errno));
	rc = atomic_open(&af, dst, 0644, err);
	if (rc) {
		fclose(in);
		return rc;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, af.f);
	if (ferror(in)) {
		fclose(in);
		atomic_abort(&af);
		return err_fail(err, -EIO, "cannot copy %s to %s", src, dst);
	}
	fclose(in);
	return atomic_commit(&af, err);
}

/* OUT/series/k-K: the first k patches, as their own series directory. The
 * kernel's cache key hashes each patch's name and bytes, so a prefix is the
 * same kernel whatever directory holds it. */
int bisect_prefix_series(const char *out, const struct patch *patches, unsigned k, char **dir,
			 struct err *err)
{
	char *d = xasprintf("%s/series/k-%u", out, k);
	int rc = make_dirs(d);

	if (rc) {
		rc = err_fail(err, rc, "%s: %s", d, strerror(-rc));
		free(d);
		return rc;
	}
	for (unsigned i = 0; i < k; i++) {
		char *dst = path_join(d, patches[i].name);

		rc = copy_file(patches[i].path, dst, err);
		free(dst);
		if (rc) {
			free(d);
			return rc;
		}
	}
	*dir = d;
	return 0;
}

