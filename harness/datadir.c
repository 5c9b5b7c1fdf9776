// SPDX-License-Identifier: GPL-2.0-only
/*
 * Where memhp finds its data (guest-image/, scenarios/, reports/) and its
 * cache, decided at run time (datadir.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "datadir.h"

#ifndef MEMHP_DATADIR
#error "MEMHP_DATADIR must name the source tree, the last place memhp looks for its data"
#endif

static char datadir[PATH_MAX], probe[PATH_MAX + 64];

static bool has_data(const char *dir)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/guest-image/build-image", dir);
	return !access(path, R_OK);
}

/* The directory holding the running executable, or "". */
static void exe_dir(char *dir, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", dir, len - 1);
	char *slash;

	if (n <= 0) {
		*dir = '\0';
		return;
	}
	dir[n] = '\0';
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		*dir = '\0';
}

/* dir/rel made canonical, when it exists and has memhp's data. */
static bool try_dir(const char *dir, const char *rel, char *out, size_t len)
{
	char path[PATH_MAX + 64], real[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if (!realpath(path, real) || !has_data(real))
		return false;
	snprintf(out, len, "%s", real);
	return true;
}

const char *memhp_datadir(void)
{
	const char *env;
	char exe[PATH_MAX];

	if (*datadir)
		return datadir;
	env = getenv("MEMHP_DATADIR");
	if (env && *env) {
		snprintf(datadir, sizeof(datadir), "%s", env);
		return datadir;
	}
	exe_dir(exe, sizeof(exe));
	if (*exe && (try_dir(exe, "../share/memhp", datadir, sizeof(datadir)) ||
		     try_dir(exe, "..", datadir, sizeof(datadir))))
		return datadir;
	snprintf(datadir, sizeof(datadir), "%s", MEMHP_DATADIR);
	return datadir;
}

const char *memhp_probe_path(void)
{
	char exe[PATH_MAX];

	if (*probe)
		return probe;
	snprintf(probe, sizeof(probe), "%s/guest-image/probe/memhp-probe", memhp_datadir());
	if (!access(probe, X_OK))
		return probe;
	exe_dir(exe, sizeof(exe));
	if (*exe) {
		char path[PATH_MAX + 64];

		snprintf(path, sizeof(path), "%s/../libexec/memhp/memhp-probe", exe);
		if (!access(path, X_OK) && realpath(path, exe)) {
			snprintf(probe, sizeof(probe), "%s", exe);
			return probe;
		}
	}
	/* Not found: the checkout's path, which build-image names when it fails. */
	snprintf(probe, sizeof(probe), "%s/guest-image/probe/memhp-probe", memhp_datadir());
	return probe;
}

static const char *env_set(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

char *memhp_cache_dir(char *buf, size_t len)
{
	const char *v;

	if ((v = env_set("MEMHP_CACHE")))
		snprintf(buf, len, "%s", v);
	else if ((v = env_set("XDG_CACHE_HOME")))
		snprintf(buf, len, "%s/memhp", v);
	else
		snprintf(buf, len, "%s/.cache/memhp", (v = env_set("HOME")) ? v : "");
	return buf;
}

void memhp_datadir_reset(void)
{
	*datadir = '\0';
	*probe = '\0';
}

int make_dirs(const char *path)
{
	char buf[4096];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return mkdir(buf, 0755) < 0 && errno != EEXIST ? -errno : 0;
}
