// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest's kernel and root: a deb: or build: kernel's initramfs image,
 * built once into the cache, and a disk image for --image (image.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "datadir.h"
#include "image.h"
#include "sha256.h"
#include "xalloc.h"
#include "subproc.h"
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
	char spec[512], modules[4096], kconfig[1024], arch[16];
	struct image img;
} memo[MEMO];
static unsigned nmemo;

static const struct image *remembered(const char *spec, const char *modules,
				      const char *kconfig, const char *arch)
{
	for (unsigned i = 0; i < nmemo && i < MEMO; i++) {
		char path[4300];

		if (strcmp(memo[i].spec, spec) || strcmp(memo[i].modules, modules ? modules : "") ||
		    strcmp(memo[i].kconfig, kconfig ? kconfig : "") || strcmp(memo[i].arch, arch))
			continue;
		/* Still there? (Another memhp may have cleaned the cache.) */
		snprintf(path, sizeof(path), "%s/image.json", memo[i].img.dir);
		return access(path, R_OK) ? NULL : &memo[i].img;
	}
	return NULL;
}

static void remember(const char *spec, const char *modules, const char *kconfig,
		     const char *arch, const struct image *img)
{
	unsigned i = nmemo++ % MEMO;

	snprintf(memo[i].arch, sizeof(memo[i].arch), "%s", arch);
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

/* fts order: by name, so that the digest does not depend on the directory's. */
static int by_name(const FTSENT **a, const FTSENT **b)
{
	return strcmp((*a)->fts_name, (*b)->fts_name);
}

/* Append "LABEL NAME SHA256\n" for the file path to *text. */
static int digest_file(char **text, const char *label, const char *name, const char *path,
		       struct err *err)
{
	char hex[SHA256_HEX_LEN + 1], *t;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return err_fail(err, -errno, "%s %s: %s", label, path, strerror(errno));
	rc = sha256_fd_hex(fd, path, hex, err);
	close(fd);
	if (rc)
		return rc;
	t = xasprintf("%s%s %s %s\n", *text, label, name, hex);
	free(*text);
	*text = t;
	return 0;
}

int image_inputs_digest(const char *spec, const char *kconfig, char out[65], struct err *err)
{
	char tree[4096], series[4096], *text = xstrdup("");
	struct stat st;
	int rc = 0;

	*out = '\0';
	if (!strncmp(spec, "path:", 5)) {
		rc = digest_file(&text, "bzimage", "", spec + 5, err);
	} else if (!strncmp(spec, "build:", 6)) {
		split_build(spec + 6, tree, sizeof(tree), series, sizeof(series));
		for (size_t n = strlen(series); n > 1 && series[n - 1] == '/'; n--)
			series[n - 1] = '\0';
		if (*series && stat(series, &st))
			rc = err_fail(err, -errno, "series %s: %s", series, strerror(errno));
		else if (*series && S_ISDIR(st.st_mode)) {
			char *const roots[] = { series, NULL };
			size_t skip = strlen(series) + 1;
			FTS *fts = fts_open(roots, FTS_PHYSICAL | FTS_NOCHDIR, by_name);
			FTSENT *e;

			if (!fts)
				rc = err_fail(err, -errno, "series %s: %s", series, strerror(errno));
			while (!rc && (e = fts_read(fts))) {
				if (e->fts_info == FTS_DNR || e->fts_info == FTS_ERR)
					rc = err_fail(err, -e->fts_errno, "series %s: %s", e->fts_path,
						      strerror(e->fts_errno));
				else if (e->fts_info == FTS_F)
					rc = digest_file(&text, "series", e->fts_path + skip,
							 e->fts_path, err);
			}
			if (fts)
				fts_close(fts);
		} else if (*series) {
			rc = digest_file(&text, "series", "", series, err);
		}
		if (!rc && kconfig && *kconfig)
			rc = digest_file(&text, "config", "", kconfig, err);
	}
	if (!rc && *text)
		sha256_hex(text, strlen(text), out);
	free(text);
	return rc;
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
	return image_resolve_arch(spec, modules, kconfig, "x86_64", img, err);
}

int image_resolve_arch(const char *spec, const char *modules, const char *kconfig,
		       const char *arch, struct image *img, struct err *err)
{
	struct argv a = { 0 };
	char path[4200];
	json_object *meta;
	int rc;

	const struct image *known = remembered(spec, modules, kconfig, arch);
	bool native = !strcmp(arch, "x86_64");
	char built[4200] = "", kspec[4300];
	const char *image_spec = spec;

	if (known) {
		*img = *known;
		return 0;
	}
	memset(img, 0, sizeof(*img));
	if (!strncmp(spec, "build:", 6) && !native)
		return err_fail(err, -EINVAL, "kernel %s: build: kernels are built for x86_64 only; "
				"for %s use deb: or path:", spec, arch);
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
	if (!native) {
		argv_add(&a, "--arch");
		argv_add(&a, "%s", arch);
	}
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
		return err_fail(err, -EINVAL, "%s: cannot read the image description", path);
	copy_field(meta, "kernel_spec", img->spec, sizeof(img->spec));
	copy_field(meta, "kernel_release", img->release, sizeof(img->release));
	copy_field(meta, "key", img->key, sizeof(img->key));
	json_object_put(meta);
	str_copy(img->spec, sizeof(img->spec), spec);
	str_copy(img->build, sizeof(img->build), built);
	remember(spec, modules, kconfig, arch, img);
	return 0;
}

/* Disk images (--image): debian and path:. */

void image_cached_kernel_id(const char *key, char *buf, size_t len)
{
	char cache[4096], path[4400];
	json_object *o, *id;

	*buf = 0;
	snprintf(path, sizeof(path), "%s/images/%s/image.json",
		 memhp_cache_dir(cache, sizeof(cache)), key);
	o = json_object_from_file(path);
	if (o && json_object_object_get_ex(o, "kernel_id", &id) &&
	    json_object_is_type(id, json_type_string))
		snprintf(buf, len, "%s", json_object_get_string(id));
	json_object_put(o);
}

int image_kind_parse(const char *spec, enum image_kind *kind, struct err *err)
{
	if (!strcmp(spec, "initramfs"))
		*kind = IMAGE_INITRAMFS;
	else if (!strcmp(spec, "debian"))
		*kind = IMAGE_DEBIAN;
	else if (!strncmp(spec, "path:", 5) && spec[5])
		*kind = IMAGE_PATH;
	else
		return err_set(err, "--image '%s' is not initramfs, debian or path:DISK", spec),
		       -EINVAL;
	return 0;
}

const char *image_kind_name(enum image_kind kind)
{
	return kind == IMAGE_DEBIAN ? "debian" : kind == IMAGE_PATH ? "path" : "initramfs";
}

/* sha256 of a whole file, as hex. */
static int file_sha256(const char *path, char *hex, size_t len, struct err *err)
{
	unsigned char md[EVP_MAX_MD_SIZE], *buf = malloc(1 << 20);
	unsigned mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	FILE *f = fopen(path, "rbe");
	size_t n;
	int rc = 0;

	if (!buf || !ctx)
		abort();
	if (!f) {
		rc = -errno;
		err_set(err, "%s: %s", path, strerror(errno));
		goto out;
	}
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	while ((n = fread(buf, 1, 1 << 20, f)) > 0)
		EVP_DigestUpdate(ctx, buf, n);
	if (ferror(f)) {
		rc = -EIO;
		err_set(err, "%s: read error", path);
		goto out;
	}
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	for (unsigned i = 0; i < mdlen && 2 * i + 2 < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
out:
	if (f)
		fclose(f);
	EVP_MD_CTX_free(ctx);
	free(buf);
	return rc;
}

static uint64_t be64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

int image_disk_probe(const char *path, struct disk_info *info, struct err *err)
{
	/* qcow2's header: magic, version, backing_file_offset (8), ..., size (24). */
	unsigned char h[32] = { 0 };
	FILE *f = fopen(path, "rbe");
	struct stat st;
	size_t n;

	memset(info, 0, sizeof(*info));
	if (!f)
		return err_fail(err, -errno, "--image %s: %s", path, strerror(errno));
	n = fread(h, 1, sizeof(h), f);
	if (fstat(fileno(f), &st)) {
		fclose(f);
		return err_fail(err, -errno, "--image %s: %s", path, strerror(errno));
	}
	fclose(f);
	if (n < 4)
		return err_fail(err, -EINVAL, "--image %s: too short to be a disk image", path);
	if (memcmp(h, "QFI\xfb", 4)) {
		snprintf(info->format, sizeof(info->format), "raw");
		info->virtual_size = (uint64_t)st.st_size;
		return 0;
	}
	if (n < sizeof(h))
		return err_fail(err, -EINVAL, "--image %s: a qcow2 header cut short", path);
	snprintf(info->format, sizeof(info->format), "qcow2");
	info->backing = be64(h + 8) != 0;
	info->virtual_size = be64(h + 24);
	return 0;
}

static struct {
	char spec[4200], kernel_dir[4096], modules[4096], hash_of[128];
	struct disk_image d;
} disk_memo[MEMO];
static unsigned ndisk_memo;

int image_resolve_disk(const char *spec, const struct image *kernel, const char *modules,
		       struct disk_image *d, struct err *err)
{
	struct argv a = { 0 };
	char dir[4096], path[4300], stamp[128] = "";
	struct disk_info info;
	json_object *meta;
	struct stat st;
	int rc;

	memset(d, 0, sizeof(*d));
	rc = image_kind_parse(spec, &d->kind, err);
	if (rc)
		return rc;
	str_copy(d->spec, sizeof(d->spec), spec);
	if (d->kind == IMAGE_INITRAMFS)
		return 0;
	if (*kernel->build)
		modules = NULL; /* built in */
	if (d->kind == IMAGE_PATH) {
		if (stat(spec + 5, &st))
			return err_fail(err, -errno, "--image %s: %s", spec + 5, strerror(errno));
		snprintf(stamp, sizeof(stamp), "%lld %lld.%09ld %llu", (long long)st.st_size,
			 (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
			 (unsigned long long)st.st_ino);
	}
	for (unsigned i = 0; i < ndisk_memo && i < MEMO; i++)
		if (!strcmp(disk_memo[i].spec, spec) && !strcmp(disk_memo[i].kernel_dir, kernel->dir) &&
		    !strcmp(disk_memo[i].modules, modules ? modules : "") &&
		    !strcmp(disk_memo[i].hash_of, stamp) && !access(disk_memo[i].d.initrd, R_OK)) {
			*d = disk_memo[i].d;
			return 0;
		}

	argv_add(&a, "%s/guest-image/build-disk", image_datadir());
	argv_add(&a, "--kernel-image");
	argv_add(&a, "%s", kernel->dir);
	if (modules) {
		argv_add(&a, "--modules");
		argv_add(&a, "%s", modules);
	}
	if (d->kind == IMAGE_PATH) {
		argv_add(&a, "--initrd-only");
		argv_add(&a, "--no-probe");
	} else {
		argv_add(&a, "--probe");
		argv_add(&a, "%s", memhp_probe_path());
	}
	rc = run_helper(&a, "building the disk image", spec, dir, sizeof(dir), err);
	if (rc)
		return rc;
	snprintf(d->initrd, sizeof(d->initrd), "%s/initrd.cpio.gz", dir);
	if (d->kind == IMAGE_DEBIAN) {
		snprintf(path, sizeof(path), "%s/disk.json", dir);
		meta = json_object_from_file(path);
		if (!meta)
			return err_fail(err, -EINVAL, "%s: cannot read the disk description", path);
		copy_field(meta, "key", d->hash, sizeof(d->hash));
		json_object_put(meta);
		snprintf(d->disk, sizeof(d->disk), "%s/disk.qcow2", dir);
		snprintf(d->format, sizeof(d->format), "qcow2");
		d->has_probe = true;
	} else {
		/* The overlay names it as its backing file: an absolute path. */
		if (!realpath(spec + 5, d->disk))
			return err_fail(err, -errno, "--image %s: %s", spec + 5, strerror(errno));
		rc = image_disk_probe(d->disk, &info, err);
		if (!rc)
			rc = file_sha256(d->disk, d->hash, sizeof(d->hash), err);
		if (rc)
			return rc;
		str_copy(d->format, sizeof(d->format), info.format);
	}
	{
		unsigned i = ndisk_memo++ % MEMO;

		snprintf(disk_memo[i].spec, sizeof(disk_memo[i].spec), "%s", spec);
		snprintf(disk_memo[i].kernel_dir, sizeof(disk_memo[i].kernel_dir), "%s", kernel->dir);
		snprintf(disk_memo[i].modules, sizeof(disk_memo[i].modules), "%s",
			 modules ? modules : "");
		snprintf(disk_memo[i].hash_of, sizeof(disk_memo[i].hash_of), "%s", stamp);
		disk_memo[i].d = *d;
	}
	return 0;
}
