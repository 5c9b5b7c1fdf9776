// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "image.h"
#include "spawn.h"
#include "str.h"

#ifndef MEMHP_DATADIR
#error "MEMHP_DATADIR must name the directory holding guest-image/"
#endif

const char *image_datadir(void)
{
	const char *env = getenv("MEMHP_DATADIR");

	return env && *env ? env : MEMHP_DATADIR;
}

static void copy_field(json_object *root, const char *key, char *dst, size_t len)
{
	json_object *v;

	snprintf(dst, len, "%s", json_object_object_get_ex(root, key, &v) ?
				 json_object_get_string(v) : "");
}

/* The last image resolved in this process: repeats of a run reuse it rather
 * than asking apt and hashing every input again. */
static struct {
	char spec[512], modules[4096];
	struct image img;
	bool valid;
} last;

static bool same_request(const char *spec, const char *modules)
{
	return last.valid && !strcmp(last.spec, spec) && !strcmp(last.modules, modules ? modules : "");
}

int image_resolve(const char *spec, const char *modules, struct image *img, struct err *err)
{
	struct argv a = { 0 };
	char *out = NULL, path[4200];
	json_object *meta;
	int rc;

	if (same_request(spec, modules)) {
		/* Still there? (Another memhp may have cleaned the cache.) */
		snprintf(path, sizeof(path), "%s/image.json", last.img.dir);
		if (!access(path, R_OK)) {
			*img = last.img;
			return 0;
		}
	}
	memset(img, 0, sizeof(*img));
	argv_add(&a, "%s/guest-image/build-image", image_datadir());
	argv_add(&a, "--probe");
	argv_add(&a, "%s/guest-image/probe/memhp-probe", image_datadir());
	if (modules) {
		argv_add(&a, "--modules");
		argv_add(&a, "%s", modules);
	}
	argv_add(&a, "--");
	argv_add(&a, "%s", spec);
	rc = spawn_capture(&a, &out, err);
	argv_free(&a);
	if (rc)
		return err_wrap(err, rc, "building the guest image for %s", spec);
	out[strcspn(out, "\n")] = '\0';
	str_copy(img->dir, sizeof(img->dir), out);
	free(out);
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
	snprintf(last.spec, sizeof(last.spec), "%s", spec);
	snprintf(last.modules, sizeof(last.modules), "%s", modules ? modules : "");
	last.img = *img;
	last.valid = true;
	return 0;
}
