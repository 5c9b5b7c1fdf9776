// SPDX-License-Identifier: GPL-2.0-only
/*
 * The libvirt XML memhp writes (domain, pool, volume) and reads (devices,
 * events' aliases), apart from the API calls so that it is tested without a
 * daemon (backend_libvirt_xml.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "backend_libvirt_xml.h"
#include "str.h"

#define KIB(bytes) ((bytes) >> 10)

static xmlNodePtr add(xmlNodePtr parent, const char *name, const char *text)
{
	return xmlNewTextChild(parent, NULL, BAD_CAST name, text ? BAD_CAST text : NULL);
}

static void prop(xmlNodePtr node, const char *name, const char *value)
{
	xmlNewProp(node, BAD_CAST name, BAD_CAST value);
}

/* Numbers for elements and attributes: short, formatted into buf. */
#define FMT(buf, fmt)                                  \
	do {                                           \
		va_list ap;                            \
		va_start(ap, fmt);                     \
		vsnprintf(buf, sizeof(buf), fmt, ap); \
		va_end(ap);                            \
	} while (0)

__attribute__((format(printf, 3, 4))) static xmlNodePtr addf(xmlNodePtr parent, const char *name,
							    const char *fmt, ...)
{
	char buf[64];

	FMT(buf, fmt);
	return add(parent, name, buf);
}

__attribute__((format(printf, 3, 4))) static void propf(xmlNodePtr node, const char *name,
						       const char *fmt, ...)
{
	char buf[64];

	FMT(buf, fmt);
	prop(node, name, buf);
}

/* A size element in KiB, the unit libvirt itself writes back. */
static xmlNodePtr add_kib(xmlNodePtr parent, const char *name, uint64_t bytes)
{
	xmlNodePtr n = addf(parent, name, "%" PRIu64, KIB(bytes));

	prop(n, "unit", "KiB");
	return n;
}

static char *dump_node(xmlNodePtr node)
{
	xmlBufferPtr buf = xmlBufferCreate();
	char *out;

	if (!buf)
		abort();
	xmlNodeDump(buf, node->doc, node, 0, 1);
	out = strdup((const char *)xmlBufferContent(buf));
	xmlBufferFree(buf);
	if (!out)
		abort();
	return out;
}

/* A whole document as a string, freeing the document. */
static char *dump_doc(xmlDocPtr doc)
{
	char *out = dump_node(xmlDocGetRootElement(doc));

	xmlFreeDoc(doc);
	return out;
}

static xmlNodePtr new_root(xmlDocPtr *doc, const char *name)
{
	xmlNodePtr root;

	*doc = xmlNewDoc(BAD_CAST "1.0");
	if (!*doc)
		abort();
	root = xmlNewNode(NULL, BAD_CAST name);
	xmlDocSetRootElement(*doc, root);
	return root;
}

static void add_alias(xmlNodePtr dev, const char *id)
{
	char alias[96];

	snprintf(alias, sizeof(alias), LV_ALIAS_PREFIX "%s", id);
	prop(add(dev, "alias", NULL), "name", alias);
}

static void add_virtio_mem(xmlNodePtr devices, const struct vm_virtio_mem *d)
{
	xmlNodePtr mem = add(devices, "memory", NULL), target;

	prop(mem, "model", "virtio-mem");
	target = add(mem, "target", NULL);
	add_kib(target, "size", d->max_size);
	add(target, "node", "0");
	add_kib(target, "block", d->block_size);
	add_kib(target, "requested", 0);
	add_alias(mem, d->id);
}

/* <format type='...'/> and <backingStore> of the disk under overlay. */
static void add_backing(xmlNodePtr parent, const struct lv_disk *disk, bool domain)
{
	xmlNodePtr n = add(parent, "backingStore", NULL);

	if (domain) {
		/* The domain's form: type, format, source, and the end of the chain. */
		prop(n, "type", "file");
		prop(add(n, "format", NULL), "type", disk->backing_format);
		prop(add(n, "source", NULL), "file", disk->backing);
		add(n, "backingStore", NULL);
	} else {
		add(n, "path", disk->backing);
		prop(add(n, "format", NULL), "type", disk->backing_format);
	}
}

static void add_disk(xmlNodePtr devices, const struct lv_disk *disk)
{
	xmlNodePtr n = add(devices, "disk", NULL), d;

	prop(n, "type", "file");
	prop(n, "device", "disk");
	d = add(n, "driver", NULL);
	prop(d, "name", "qemu");
	prop(d, "type", "qcow2");
	prop(d, "cache", "unsafe");
	prop(add(n, "source", NULL), "file", disk->overlay);
	add_backing(n, disk, true);
	d = add(n, "target", NULL);
	prop(d, "dev", "vda");
	prop(d, "bus", "virtio");
}

char *lv_domain_xml(const struct vm_config *cfg, const char *name, const char *kernel,
		    const char *initrd, const struct lv_disk *disk, struct err *err)
{
	xmlNodePtr dom, n, os, cpu, numa, devices;
	xmlDocPtr doc;

	if (cfg->file_backend) {
		err_set(err, "[hotplug] backend = file is not supported by the libvirt backend "
			"(libvirt places file-backed memory in qemu.conf's memory_backing_dir)");
		return NULL;
	}
	for (size_t i = 0; i < cfg->nvirtio_mem; i++)
		if (cfg->virtio_mem[i].dynamic_memslots || cfg->virtio_mem[i].unplugged_inaccessible) {
			err_set(err, "[hotplug] dynamic_memslots and unplugged_inaccessible are not "
				"supported by the libvirt backend (use the QMP backend)");
			return NULL;
		}
	if (strpbrk(cfg->machine, ",=")) {
		err_set(err, "machine '%s': the libvirt backend takes a plain machine type",
			cfg->machine);
		return NULL;
	}
	dom = new_root(&doc, "domain");
	prop(dom, "type", cfg->accel == ACCEL_USE_KVM ? "kvm" : "qemu");
	add(dom, "name", name);
	add(dom, "description", "memhp guest; transient, destroyed when memhp disconnects");
	n = add_kib(dom, "maxMemory", cfg->maxmem);
	propf(n, "slots", "%u", cfg->slots ? cfg->slots : 1);
	add_kib(dom, "memory", cfg->memory);
	addf(dom, "vcpu", "%u", cfg->cpus);

	os = add(dom, "os", NULL);
	n = add(os, "type", "hvm");
	prop(n, "arch", "x86_64");
	prop(n, "machine", cfg->machine);
	add(os, "kernel", kernel);
	add(os, "initrd", initrd);
	add(os, "cmdline", cfg->cmdline);
	n = add(dom, "features", NULL);
	add(n, "acpi", NULL);

	/* The CPU QEMU would get with -cpu host / -cpu max. */
	cpu = add(dom, "cpu", NULL);
	prop(cpu, "mode", cfg->accel == ACCEL_USE_KVM ? "host-passthrough" : "maximum");
	prop(cpu, "check", "none");
	numa = add(cpu, "numa", NULL);
	n = add(numa, "cell", NULL);
	prop(n, "id", "0");
	propf(n, "cpus", "0-%u", cfg->cpus ? cfg->cpus - 1 : 0);
	propf(n, "memory", "%" PRIu64, KIB(cfg->memory));
	prop(n, "unit", "KiB");

	prop(add(dom, "clock", NULL), "offset", "utc");
	add(dom, "on_poweroff", "destroy");
	add(dom, "on_reboot", "destroy");
	add(dom, "on_crash", "destroy");

	devices = add(dom, "devices", NULL);
	n = add(devices, "controller", NULL);
	prop(n, "type", "usb");
	prop(n, "model", "none");
	if (disk)
		add_disk(devices, disk);
	n = add(devices, "serial", NULL);
	prop(n, "type", "pty");
	prop(add(n, "target", NULL), "port", "0");
	n = add(devices, "console", NULL);
	prop(n, "type", "pty");
	n = add(n, "target", NULL);
	prop(n, "type", "serial");
	prop(n, "port", "0");
	n = add(devices, "channel", NULL);
	prop(n, "type", "unix");
	n = add(n, "target", NULL);
	prop(n, "type", "virtio");
	prop(n, "name", "org.qemu.guest_agent.0");
	n = add(devices, "memballoon", NULL);
	if (cfg->free_page_reporting) {
		prop(n, "model", "virtio");
		prop(n, "freePageReporting", "on");
	} else {
		prop(n, "model", "none");
	}
	for (size_t i = 0; i < cfg->nvirtio_mem; i++)
		add_virtio_mem(devices, &cfg->virtio_mem[i]);
	return dump_doc(doc);
}

char *lv_dimm_xml(const char *id, uint64_t size)
{
	xmlNodePtr mem, target;
	xmlDocPtr doc;

	mem = new_root(&doc, "memory");
	prop(mem, "model", "dimm");
	target = add(mem, "target", NULL);
	add_kib(target, "size", size);
	add(target, "node", "0");
	add_alias(mem, id);
	return dump_doc(doc);
}

/* <volume> named name of capacity bytes in format, without its end. */
static xmlNodePtr new_volume(xmlDocPtr *doc, const char *name, uint64_t capacity,
			     const char *format)
{
	xmlNodePtr vol = new_root(doc, "volume"), n;

	add(vol, "name", name);
	n = addf(vol, "capacity", "%" PRIu64, capacity);
	prop(n, "unit", "bytes");
	n = add(vol, "target", NULL);
	prop(add(n, "format", NULL), "type", format);
	return vol;
}

char *lv_volume_xml(const char *name, uint64_t capacity, const char *format)
{
	xmlDocPtr doc;

	new_volume(&doc, name, capacity, format);
	return dump_doc(doc);
}

char *lv_overlay_xml(const char *name, uint64_t capacity, const struct lv_disk *disk)
{
	xmlDocPtr doc;

	add_backing(new_volume(&doc, name, capacity, "qcow2"), disk, false);
	return dump_doc(doc);
}

char *lv_pool_xml(const char *name, const char *path)
{
	xmlNodePtr pool;
	xmlDocPtr doc;

	pool = new_root(&doc, "pool");
	prop(pool, "type", "dir");
	add(pool, "name", name);
	add(add(pool, "target", NULL), "path", path);
	return dump_doc(doc);
}

/* Parsing. */

static xmlDocPtr parse(const char *xml, const char *what, struct err *err)
{
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), what, NULL,
				      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);

	if (!doc) {
		const xmlError *e = xmlGetLastError();

		err_set(err, "%s from libvirt is not XML%s%s", what, e ? ": " : "",
			e && e->message ? e->message : "");
	}
	return doc;
}

static bool is(xmlNodePtr n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && !xmlStrcmp(n->name, BAD_CAST name);
}

static xmlNodePtr first(xmlNodePtr parent, const char *name)
{
	for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next)
		if (is(c, name))
			return c;
	return NULL;
}

/* An attribute into buf ("" when absent). */
static const char *attr(xmlNodePtr n, const char *name, char *buf, size_t len)
{
	xmlChar *v = n ? xmlGetProp(n, BAD_CAST name) : NULL;

	str_copy(buf, len, v ? (const char *)v : "");
	xmlFree(v);
	return buf;
}

/* A libvirt scaled integer: element text times its unit (KiB by default). */
static int scaled(xmlNodePtr n, uint64_t *bytes)
{
	static const struct {
		const char *unit;
		unsigned shift;
	} units[] = { { "b", 0 },      { "bytes", 0 },   { "k", 10 },   { "KiB", 10 },
		      { "M", 20 },     { "MiB", 20 },    { "G", 30 },   { "GiB", 30 },
		      { "T", 40 },     { "TiB", 40 } };
	char unit[16], *end;
	xmlChar *text;
	unsigned long long v;
	int shift = -1;

	*bytes = 0;
	if (!n)
		return -ENOENT;
	attr(n, "unit", unit, sizeof(unit));
	if (!*unit)
		shift = 10;
	for (size_t i = 0; shift < 0 && i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(unit, units[i].unit))
			shift = (int)units[i].shift;
	text = xmlNodeGetContent(n);
	errno = 0;
	v = text ? strtoull((const char *)text, &end, 10) : 0;
	if (!text || end == (char *)text || *end || errno || shift < 0) {
		xmlFree(text);
		return -EINVAL;
	}
	xmlFree(text);
	*bytes = (uint64_t)v << shift;
	return 0;
}

static int hex_attr(xmlNodePtr n, const char *name, uint64_t *out)
{
	char buf[32], *end;

	attr(n, name, buf, sizeof(buf));
	if (!*buf)
		return -ENOENT;
	errno = 0;
	*out = strtoull(buf, &end, 0);
	return *end || errno ? -EINVAL : 0;
}

/* The memory device with alias ua-<id>, or every one when id is NULL. */
static const char *device_id(xmlNodePtr mem, char *buf, size_t len)
{
	attr(first(mem, "alias"), "name", buf, len);
	if (strncmp(buf, LV_ALIAS_PREFIX, strlen(LV_ALIAS_PREFIX)))
		return NULL;
	return buf + strlen(LV_ALIAS_PREFIX);
}

static int parse_device(xmlNodePtr mem, struct vm_memory_device *d, bool *have_base,
			struct err *err)
{
	char model[32], alias[96], slot[16];
	xmlNodePtr target = first(mem, "target"), address;
	const char *id = device_id(mem, alias, sizeof(alias));

	memset(d, 0, sizeof(*d));
	str_copy(d->id, sizeof(d->id), id);
	attr(mem, "model", model, sizeof(model));
	d->slot = -1;
	if (!strcmp(model, "dimm")) {
		address = first(mem, "address");
		if (scaled(first(target, "size"), &d->size) ||
		    hex_attr(address, "base", &d->addr))
			return err_fail(err, -EPROTO, "dimm %s: no size or base address in the live XML", id);
		if (*attr(address, "slot", slot, sizeof(slot)))
			d->slot = atoi(slot);
		return 1;
	}
	if (!strcmp(model, "virtio-mem")) {
		d->virtio_mem = true;
		if (scaled(first(target, "size"), &d->max_size) ||
		    scaled(first(target, "block"), &d->block_size) ||
		    scaled(first(target, "requested"), &d->requested_size))
			return err_fail(err, -EPROTO, "virtio-mem %s: no size, block or requested in the live "
				       "XML", id);
		/* current appears once QEMU reported a size. */
		scaled(first(target, "current"), &d->size);
		if (hex_attr(first(target, "address"), "base", &d->addr))
			*have_base = false;
		return 1;
	}
	return 0;
}

int lv_parse_memory(const char *domxml, struct vm_memory_device **devs, size_t *n,
		    bool *have_base, struct err *err)
{
	xmlDocPtr doc = parse(domxml, "domain XML", err);
	struct vm_memory_device *out = NULL;
	size_t count = 0;
	int rc = 0;

	*devs = NULL;
	*n = 0;
	*have_base = true;
	if (!doc)
		return -EPROTO;
	for (xmlNodePtr c = first(first(xmlDocGetRootElement(doc), "devices"), "memory"); c;
	     c = c->next) {
		struct vm_memory_device d;
		char alias[96];

		if (!is(c, "memory") || !device_id(c, alias, sizeof(alias)))
			continue;
		rc = parse_device(c, &d, have_base, err);
		if (rc < 0)
			break;
		if (!rc)
			continue;
		rc = 0;
		out = realloc(out, (count + 1) * sizeof(*out));
		if (!out)
			abort();
		out[count++] = d;
	}
	xmlFreeDoc(doc);
	if (rc < 0) {
		free(out);
		return rc; /* -EPROTO, from parse_device */
	}
	*devs = out;
	*n = count;
	return 0;
}

char *lv_virtio_mem_xml(const char *domxml, const char *id, uint64_t requested,
			struct err *err)
{
	xmlDocPtr doc = parse(domxml, "domain XML", err);
	xmlNodePtr req;
	char *out = NULL;

	if (!doc)
		return NULL;
	for (xmlNodePtr c = first(first(xmlDocGetRootElement(doc), "devices"), "memory"); c;
	     c = c->next) {
		char alias[96], model[32];
		const char *cid;

		if (!is(c, "memory"))
			continue;
		cid = device_id(c, alias, sizeof(alias));
		if (!cid || strcmp(cid, id) || strcmp(attr(c, "model", model, sizeof(model)),
						      "virtio-mem"))
			continue;
		req = first(first(c, "target"), "requested");
		if (!req)
			break;
		{
			char kib[32];

			snprintf(kib, sizeof(kib), "%" PRIu64, KIB(requested));
			xmlNodeSetContent(req, BAD_CAST kib);
			xmlSetProp(req, BAD_CAST "unit", BAD_CAST "KiB");
		}
		out = dump_node(c);
		break;
	}
	if (!out)
		err_set(err, "virtio-mem device %s (alias " LV_ALIAS_PREFIX "%s) with <requested> "
			"not in the live domain XML", id, id);
	xmlFreeDoc(doc);
	return out;
}

bool lv_caps_hw_virt(const char *capsxml)
{
	struct err ignored;
	xmlDocPtr doc = parse(capsxml, "capabilities", &ignored);
	bool hw = false;

	if (!doc)
		return false;
	for (xmlNodePtr f = first(first(first(xmlDocGetRootElement(doc), "host"), "cpu"), "feature");
	     f; f = f->next) {
		char name[32];

		if (is(f, "feature") && (!strcmp(attr(f, "name", name, sizeof(name)), "vmx") ||
					 !strcmp(name, "svm")))
			hw = true;
	}
	xmlFreeDoc(doc);
	return hw;
}
