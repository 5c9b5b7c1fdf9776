// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "datadir.h"
#include "image.h"
#include "spawn.h"
#include "str.h"

const char *image_datadir(void)
{
	return memhp_datadir();
}

static void copy_field(json_object *root, const char *key, char *dst, size_t len)
{
	json_object *v;

	snprintf(dst, len, "%s", json_object_object_get_ex(root, key, &v) ?
				 json_object_get_string(v) : "");
}

/* Images resolved in this process: repeats and interleaved variants reuse
 * them rather than asking apt and hashing every input again. */
#define MEMO 16
static struct {
	char spec[512], modules[4096], kconfig[1024];
	struct image img;
} memo[MEMO];
static unsigned nmemo;

static const struct image *remembered(const char *spec, const char *modules,
				      const char *kconfig)
{
	for (unsigned i = 0; i < nmemo && i < MEMO; i++) {
		char path[4300];

		if (strcmp(memo[i].spec, spec) || strcmp(memo[i].modules, modules ? modules : "") ||
		    strcmp(memo[i].kconfig, kconfig ? kconfig : ""))
			continue;
		/* Still there? (Another memhp may have cleaned the cache.) */
		snprintf(path, sizeof(path), "%s/image.json", memo[i].img.dir);
		return access(path, R_OK) ? NULL : &memo[i].img;
	}
	return NULL;
}

static void remember(const char *spec, const char *modules, const char *kconfig,
		     const struct image *img)
{
	unsigned i = nmemo++ % MEMO;

	snprintf(memo[i].kconfig, sizeof(memo[i].kconfig), "%s", kconfig ? kconfig : "");
	snprintf(memo[i].spec, sizeof(memo[i].spec), "%s", spec);
	snprintf(memo[i].modules, sizeof(memo[i].modules), "%s", modules ? modules : "");
	memo[i].img = *img;
}

/* Debian's kernel source package by name: linux-source-X.Y. */
static bool source_package(const char *s, size_t n)
{
	return n > 13 && !strncmp(s, "linux-source-", 13) && strspn(s + 13, "0123456789.") == n - 13;
}

/*
 * build:TREE[+SERIES] -> TREE and SERIES. Paths may hold '+' themselves:
 * split at the first '+' before which TREE exists (or names a source
 * package).
 */
static void split_build(const char *arg, char *tree, size_t tlen, char *series, size_t slen)
{
	char path[4096];

	snprintf(tree, tlen, "%s", arg);
	*series = '\0';
	for (const char *p = strchr(arg, '+'); p; p = strchr(p + 1, '+')) {
		snprintf(path, sizeof(path), "%.*s", (int)(p - arg), arg);
		if (*path == '~')
			snprintf(path, sizeof(path), "%s%.*s", getenv("HOME") ? getenv("HOME") : "",
				 (int)(p - arg - 1), arg + 1);
		if (access(path, F_OK) && !source_package(arg, (size_t)(p - arg)))
			continue;
		snprintf(tree, tlen, "%.*s", (int)(p - arg), arg);
		snprintf(series, slen, "%s", p + 1);
		return;
	}
}

/* Run one of guest-image/'s helpers: it prints a directory on its first line. */
static int run_helper(struct argv *a, const char *what, const char *arg, char *dir, size_t len,
		      struct err *err)
{
	char *out = NULL;
	int rc = spawn_capture(a, &out, err);

	argv_free(a);
	if (rc)
		return err_wrap(err, rc, "%s %s", what, arg);
	out[strcspn(out, "\n")] = '\0';
	str_copy(dir, len, out);
	free(out);
	return 0;
}

/* Compile (or find cached) a build: kernel; dir gets its cache directory. */
static int build_kernel(const char *arg, const char *kconfig, char *dir, size_t len,
			struct err *err)
{
	char tree[4096], series[4096];
	struct argv a = { 0 };

	split_build(arg, tree, sizeof(tree), series, sizeof(series));
	argv_add(&a, "%s/guest-image/build-kernel", image_datadir());
	if (*series) {
		argv_add(&a, "--patches");
		argv_add(&a, "%s", series);
	}
	if (kconfig && *kconfig) {
		argv_add(&a, "--config");
		argv_add(&a, "%s", kconfig);
	}
	argv_add(&a, "--");
	argv_add(&a, "%s", tree);
	return run_helper(&a, "building the kernel", arg, dir, len, err);
}

int image_resolve(const char *spec, const char *modules, const char *kconfig, struct image *img,
		  struct err *err)
{
	struct argv a = { 0 };
	char path[4200];
	json_object *meta;
	int rc;

	const struct image *known = remembered(spec, modules, kconfig);
	char built[4200] = "", kspec[4300];
	const char *image_spec = spec;

	if (known) {
		*img = *known;
		return 0;
	}
	memset(img, 0, sizeof(*img));
	if (!strncmp(spec, "build:", 6)) {
		rc = build_kernel(spec + 6, kconfig, built, sizeof(built), err);
		if (rc)
			return rc;
		snprintf(kspec, sizeof(kspec), "path:%s/bzImage", built);
		image_spec = kspec;
		modules = NULL; /* memhp's configuration builds everything in */
	}
	argv_add(&a, "%s/guest-image/build-image", image_datadir());
	argv_add(&a, "--probe");
	argv_add(&a, "%s", memhp_probe_path());
	if (modules) {
		argv_add(&a, "--modules");
		argv_add(&a, "%s", modules);
	}
	argv_add(&a, "--");
	argv_add(&a, "%s", image_spec);
	rc = run_helper(&a, "building the guest image for", spec, img->dir, sizeof(img->dir), err);
	if (rc)
		return rc;
	snprintf(img->kernel, sizeof(img->kernel), "%s/vmlinuz", img->dir);
	snprintf(img->initrd, sizeof(img->initrd), "%s/initramfs.cpio.gz", img->dir);
	snprintf(path, sizeof(path), "%s/image.json", img->dir);
	meta = json_object_from_file(path);
	if (!meta)
		return err_set(err, "%s: cannot read the image description", path), -EINVAL;
	copy_field(meta, "kernel_spec", img->spec, sizeof(img->spec));
	copy_field(meta, "kernel_release", img->release, sizeof(img->release));
	copy_field(meta, "key", img->key, sizeof(img->key));
	json_object_put(meta);
	str_copy(img->spec, sizeof(img->spec), spec);
	str_copy(img->build, sizeof(img->build), built);
	remember(spec, modules, kconfig, img);
	return 0;
}
