// SPDX-License-Identifier: GPL-2.0-only
/*
 * The libvirt backend: the same guest as backend_qmp.c, driven through
 * libvirt's C API on any libvirt URI (qemu:///system, qemu+ssh://host/system).
 *
 *  - a transient domain from generated XML, started with AUTODESTROY: when
 *    memhp's connection goes away, so does the guest;
 *  - the kernel and initrd uploaded once per host into a storage pool,
 *    named by their SHA-256 (backend_libvirt_image.c); a root disk the
 *    same way, booted through a per-guest qcow2 overlay volume over it;
 *  - DIMMs attached with virDomainAttachDeviceFlags and detached with
 *    virDomainDetachDeviceAlias, which only sends the request: the answer is
 *    the DEVICE_REMOVED or DEVICE_REMOVAL_FAILED event;
 *  - virtio-mem resized with virDomainUpdateDeviceFlags (a new <requested>),
 *    progress from MEMORY_DEVICE_SIZE_CHANGE and <current>;
 *  - agent commands through virDomainQemuAgentCommand;
 *  - the serial console read through a stream into serial.log.
 *
 * libvirt's event loop runs in a thread of its own, as libvirt wants (it
 * answers the daemon's keepalives there); callbacks queue events for
 * wait_event. A lost connection or a domain that will not start is a host
 * failure (-EHOSTDOWN): the cell can be run on another host.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "backend.h"
#include "clock.h"
#include "backend_libvirt_image.h"
#include "backend_libvirt_uri.h"
#include "backend_libvirt_xml.h"
#include "image.h"
#include "str.h"

#define EVENT_QUEUE 1024
#define RSS_SAMPLE_MS 1000

/* The backend's state behind the handle (backend.h). */
struct lv_vm {
	struct vm vm;
	virDomainPtr dom;
	char name[64];
	pthread_mutex_t lock; /* the fields below the line, shared with the loop */
	int wake[2];          /* the event loop writes a byte per event */
	int serial_fd;
	virStreamPtr console;
	bool console_open;
	/* -- */
	struct vm_event q[EVENT_QUEUE];
	size_t qhead, qlen, qdropped;
	bool gone; /* the domain stopped on its own */
	char gone_why[96];
	/* main thread only */
	uint64_t peak_rss;
	int64_t last_rss;
	char version[96];
	uint64_t vmem_base[4]; /* virtio-mem start addresses when the XML lacks them */
	char vmem_id[4][32];
};

static struct lv_vm *lv_of(struct vm *handle)
{
	return container_of(handle, struct lv_vm, vm);
}

/* One connection per process, reused by its runs. */
static struct {
	pthread_mutex_t lock;
	bool loop_started;
	char uri[1024];
	virConnectPtr conn;
	bool lost; /* the close callback fired */
	char lost_why[64];
	int cb[4];
	struct lv_vm *vm; /* the running guest, for the callbacks */
} lv = { .lock = PTHREAD_MUTEX_INITIALIZER, .cb = { -1, -1, -1, -1 } };

static void quiet(void *opaque, virErrorPtr e)
{
	(void)opaque;
	(void)e;
}

static bool lv_alive(void)
{
	bool lost;

	pthread_mutex_lock(&lv.lock);
	lost = lv.lost;
	pthread_mutex_unlock(&lv.lock);
	return lv.conn && !lost && virConnectIsAlive(lv.conn) == 1;
}

/*
 * err from libvirt's last error, prefixed with what. A dead connection turns
 * any error into a host failure.
 */
__attribute__((format(printf, 3, 4))) static int lv_fail(struct err *err, int rc,
							const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!lv_alive()) {
		err_set(err, "host %s: connection lost%s%s%s while %s: %s", lv.uri,
			*lv.lost_why ? " (" : "", lv.lost_why, *lv.lost_why ? ")" : "", what,
			lv_last_error());
		return -EHOSTDOWN;
	}
	err_set(err, "host %s: %s: %s", lv.uri, what, lv_last_error());
	return rc;
}

static bool gone(struct lv_vm *vm, char *why, size_t len);

/* lv_fail for a request about vm: a domain that is gone is -ESRCH (the
 * contract's "the VMM died"), whatever libvirt's error says. */
__attribute__((format(printf, 4, 5))) static int lv_vm_fail(struct lv_vm *vm, struct err *err,
							   int rc, const char *fmt, ...)
{
	char what[512], why[96];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (gone(vm, why, sizeof(why)))
		return err_fail(err, -ESRCH, "host %s: %s while %s", lv.uri, why, what);
	return lv_fail(err, rc, "%s", what);
}

static void *event_loop(void *arg)
{
	(void)arg;
	for (;;)
		if (virEventRunDefaultImpl() < 0)
			sleep_ms(100);
	return NULL;
}

static void on_close(virConnectPtr conn, int reason, void *opaque)
{
	static const char *const why[] = { "I/O error", "end of file", "keepalive timeout",
					   "client closed" };

	(void)conn;
	(void)opaque;
	pthread_mutex_lock(&lv.lock);
	lv.lost = true;
	str_copy(lv.lost_why, sizeof(lv.lost_why),
		 reason >= 0 && reason < 4 ? why[reason] : "closed");
	if (lv.vm)
		(void)!write(lv.vm->wake[1], "x", 1);
	pthread_mutex_unlock(&lv.lock);
}

/* Queue an event for the running guest, when dom is that guest. */
static void push(virDomainPtr dom, enum vm_event_kind kind, const char *name, const char *alias,
		 uint64_t size)
{
	struct lv_vm *vm;

	pthread_mutex_lock(&lv.lock);
	vm = lv.vm;
	if (!vm || strcmp(virDomainGetName(dom), vm->name)) {
		pthread_mutex_unlock(&lv.lock);
		return;
	}
	pthread_mutex_lock(&vm->lock);
	if (vm->qlen == EVENT_QUEUE) {
		vm->qdropped++;
	} else {
		struct vm_event *ev = &vm->q[(vm->qhead + vm->qlen++) % EVENT_QUEUE];
		size_t plen = strlen(LV_ALIAS_PREFIX);

		memset(ev, 0, sizeof(*ev));
		ev->kind = kind;
		str_copy(ev->name, sizeof(ev->name), name);
		if (alias)
			str_copy(ev->device, sizeof(ev->device),
				 strncmp(alias, LV_ALIAS_PREFIX, plen) ? alias : alias + plen);
		ev->size = size;
	}
	pthread_mutex_unlock(&vm->lock);
	(void)!write(vm->wake[1], "x", 1);
	pthread_mutex_unlock(&lv.lock);
}

static void on_removed(virConnectPtr c, virDomainPtr dom, const char *alias, void *opaque)
{
	(void)c;
	(void)opaque;
	push(dom, VM_EVENT_DEVICE_DELETED, "DEVICE_REMOVED", alias, 0);
}

static void on_removal_failed(virConnectPtr c, virDomainPtr dom, const char *alias, void *opaque)
{
	(void)c;
	(void)opaque;
	push(dom, VM_EVENT_UNPLUG_REJECTED, "DEVICE_REMOVAL_FAILED", alias, 0);
}

static void on_size_change(virConnectPtr c, virDomainPtr dom, const char *alias,
			   unsigned long long kib, void *opaque)
{
	(void)c;
	(void)opaque;
	push(dom, VM_EVENT_SIZE_CHANGE, "MEMORY_DEVICE_SIZE_CHANGE", alias, (uint64_t)kib << 10);
}

static void on_lifecycle(virConnectPtr c, virDomainPtr dom, int event, int detail, void *opaque)
{
	struct lv_vm *vm;

	(void)c;
	(void)opaque;
	if (event != VIR_DOMAIN_EVENT_STOPPED && event != VIR_DOMAIN_EVENT_CRASHED)
		return;
	pthread_mutex_lock(&lv.lock);
	vm = lv.vm;
	if (vm && !strcmp(virDomainGetName(dom), vm->name)) {
		static const char *const stopped[] = { "shut down", "destroyed", "crashed",
						       "migrated", "saved", "failed", "snapshot" };

		pthread_mutex_lock(&vm->lock);
		vm->gone = true;
		if (event == VIR_DOMAIN_EVENT_CRASHED)
			snprintf(vm->gone_why, sizeof(vm->gone_why), "guest crashed");
		else
			snprintf(vm->gone_why, sizeof(vm->gone_why), "domain stopped: %s",
				 detail >= 0 && detail < 7 ? stopped[detail] : "?");
		pthread_mutex_unlock(&vm->lock);
		(void)!write(vm->wake[1], "x", 1);
	}
	pthread_mutex_unlock(&lv.lock);
}

static void disconnect(void)
{
	if (!lv.conn)
		return;
	for (int i = 0; i < 4; i++)
		if (lv.cb[i] >= 0)
			virConnectDomainEventDeregisterAny(lv.conn, lv.cb[i]);
	virConnectUnregisterCloseCallback(lv.conn, on_close);
	virConnectClose(lv.conn);
	lv.conn = NULL;
	for (int i = 0; i < 4; i++)
		lv.cb[i] = -1;
}

/* The connection to uri, opened (or reopened when lost) on first use. */
static int lv_connect(const char *uri, struct err *err)
{
	static const struct {
		int id;
		virConnectDomainEventGenericCallback cb;
	} events[] = {
		{ VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED, VIR_DOMAIN_EVENT_CALLBACK(on_removed) },
		{ VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED,
		  VIR_DOMAIN_EVENT_CALLBACK(on_removal_failed) },
		{ VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE,
		  VIR_DOMAIN_EVENT_CALLBACK(on_size_change) },
		{ VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle) },
	};

	if (!uri || !*uri)
		uri = BACKEND_LIBVIRT_DEFAULT_URI;
	if (lv.conn && !strcmp(lv.uri, uri) && lv_alive())
		return 0;
	disconnect();
	if (!lv.loop_started) {
		pthread_t t;

		virSetErrorFunc(NULL, quiet);
		if (virInitialize() < 0 || virEventRegisterDefaultImpl() < 0)
			return err_fail(err, -EHOSTDOWN, "libvirt: cannot set up its event loop");
		if (pthread_create(&t, NULL, event_loop, NULL))
			return err_fail(err, -EHOSTDOWN, "libvirt: cannot start its event loop thread");
		pthread_detach(t);
		lv.loop_started = true;
	}
	str_copy(lv.uri, sizeof(lv.uri), uri);
	lv.lost = false;
	lv.lost_why[0] = '\0';
	lv.conn = virConnectOpen(uri);
	if (!lv.conn) {
		err_set(err, "host %s: cannot connect: %s", uri, lv_last_error());
		return -EHOSTDOWN;
	}
	/* Ping every 5 s, give up after 6 unanswered: a host that vanished
	 * without closing the socket is noticed within 30 s. */
	virConnectSetKeepAlive(lv.conn, 5, 6);
	virConnectRegisterCloseCallback(lv.conn, on_close, NULL, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(events); i++) {
		lv.cb[i] = virConnectDomainEventRegisterAny(lv.conn, NULL, events[i].id, events[i].cb,
							     NULL, NULL);
		if (lv.cb[i] < 0) {
			int rc = lv_fail(err, -EHOSTDOWN, "registering for domain events");

			disconnect();
			return rc;
		}
	}
	return 0;
}

static int lv_resolve_accel(const char *connect, unsigned choice, enum accel *out, char *reason,
			    size_t len, struct err *err)
{
	char *domcaps, *caps;
	bool kvm, hw;
	int rc = lv_connect(connect, err);

	if (rc)
		return rc;
	domcaps = virConnectGetDomainCapabilities(lv.conn, NULL, "x86_64", NULL, "kvm", 0);
	kvm = domcaps != NULL;
	free(domcaps);
	caps = virConnectGetCapabilities(lv.conn);
	if (!caps)
		return lv_fail(err, -EHOSTDOWN, "reading its capabilities");
	hw = lv_caps_hw_virt(caps);
	free(caps);
	switch (choice) {
	case ACCEL_KVM:
		if (!kvm)
			return err_fail(err, -EINVAL, "--accel kvm: libvirt on %s offers no kvm domains", lv.uri);
		*out = ACCEL_USE_KVM;
		snprintf(reason, len, "requested%s", hw ? "" : " (host CPU without vmx/svm)");
		return 0;
	case ACCEL_TCG:
		*out = ACCEL_USE_TCG;
		snprintf(reason, len, "requested");
		return 0;
	default:
		*out = kvm && hw ? ACCEL_USE_KVM : ACCEL_USE_TCG;
		snprintf(reason, len, "auto: libvirt %s kvm%s", kvm ? "offers" : "offers no",
			 !kvm ? "" : hw ? ", host CPU has vmx/svm" : " but the host CPU has no vmx/svm");
		return 0;
	}
}

/* virDomainQemuAgentCommand with memhp's calling convention. */
static int lv_agent(struct vm *handle, const char *cmd, json_object *args, json_object **ret,
		    int64_t deadline, struct err *err)
{
	struct lv_vm *vm = lv_of(handle);
	json_object *req = json_object_new_object(), *reply, *v;
	int64_t left = deadline - now_ms();
	int timeout = left <= 1000 ? 1 : (int)((left + 999) / 1000);
	char *out;
	int rc;

	if (ret)
		*ret = NULL;
	json_object_object_add(req, "execute", json_object_new_string(cmd));
	if (args)
		json_object_object_add(req, "arguments", args);
	out = virDomainQemuAgentCommand(vm->dom, json_object_to_json_string(req), timeout, 0);
	json_object_put(req);
	if (!out) {
		virErrorPtr e = virGetLastError();

		rc = e && e->code == VIR_ERR_AGENT_UNRESPONSIVE ? -ETIMEDOUT : -EREMOTEIO;
		return lv_vm_fail(vm, err, rc, "%s", cmd);
	}
	reply = json_tokener_parse(out);
	free(out);
	if (!reply || !json_object_object_get_ex(reply, "return", &v)) {
		json_object_put(reply);
		return err_fail(err, -EPROTO, "%s: agent reply without return", cmd);
	}
	if (ret)
		*ret = json_object_get(v);
	json_object_put(reply);
	return 0;
}

static void sample_rss(struct lv_vm *vm, bool now)
{
	virDomainMemoryStatStruct st[VIR_DOMAIN_MEMORY_STAT_NR];
	int n;

	if (!now && now_ms() - vm->last_rss < RSS_SAMPLE_MS)
		return;
	vm->last_rss = now_ms();
	n = virDomainMemoryStats(vm->dom, st, VIR_DOMAIN_MEMORY_STAT_NR, 0);
	for (int i = 0; i < n; i++)
		if (st[i].tag == VIR_DOMAIN_MEMORY_STAT_RSS && (st[i].val << 10) > vm->peak_rss)
			vm->peak_rss = st[i].val << 10;
}

static void on_console(virStreamPtr st, int events, void *opaque)
{
	struct lv_vm *vm = opaque;
	char buf[4096];

	for (;;) {
		int n = virStreamRecv(st, buf, sizeof(buf));

		if (n > 0) {
			(void)!write(vm->serial_fd, buf, (size_t)n);
			continue;
		}
		if (n == -2 && !(events & (VIR_STREAM_EVENT_HANGUP | VIR_STREAM_EVENT_ERROR)))
			return; /* nothing more for now */
		break;
	}
	/* End of the console (the domain stopped) or an error. */
	pthread_mutex_lock(&vm->lock);
	if (vm->console_open) {
		virStreamEventRemoveCallback(st);
		vm->console_open = false;
	}
	pthread_mutex_unlock(&vm->lock);
}

static void open_console(struct lv_vm *vm)
{
	vm->console = virStreamNew(lv.conn, VIR_STREAM_NONBLOCK);
	if (!vm->console)
		return;
	if (virDomainOpenConsole(vm->dom, NULL, vm->console, VIR_DOMAIN_CONSOLE_FORCE) < 0 ||
	    virStreamEventAddCallback(vm->console,
				      VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_HANGUP |
					      VIR_STREAM_EVENT_ERROR,
				      on_console, vm, NULL) < 0) {
		dprintf(vm->serial_fd, "memhp: cannot open the console through libvirt: %s\n",
			lv_last_error());
		virStreamFree(vm->console);
		vm->console = NULL;
		return;
	}
	vm->console_open = true;
}

static void close_console(struct lv_vm *vm)
{
	if (!vm->console)
		return;
	pthread_mutex_lock(&vm->lock);
	if (vm->console_open) {
		virStreamEventRemoveCallback(vm->console);
		vm->console_open = false;
	}
	pthread_mutex_unlock(&vm->lock);
	virStreamAbort(vm->console);
	virStreamFree(vm->console);
	vm->console = NULL;
}

static bool gone(struct lv_vm *vm, char *why, size_t len)
{
	bool g;

	pthread_mutex_lock(&vm->lock);
	g = vm->gone;
	if (g && why)
		str_copy(why, len, vm->gone_why);
	pthread_mutex_unlock(&vm->lock);
	return g;
}

static int lv_wait_event(struct vm *handle, int64_t deadline, struct vm_event *ev, struct err *err)
{
	struct lv_vm *vm = lv_of(handle);

	for (;;) {
		struct pollfd pfd = { .fd = vm->wake[0], .events = POLLIN };
		char why[96], drain[64];
		int64_t left;

		pthread_mutex_lock(&vm->lock);
		if (vm->qdropped) {
			/* Never measure on a partial event stream. */
			size_t lost = vm->qdropped;

			pthread_mutex_unlock(&vm->lock);
			return err_set(err, "%zu libvirt events lost: more than %d queued", lost,
				       EVENT_QUEUE), -EOVERFLOW;
		}
		if (vm->qlen) {
			*ev = vm->q[vm->qhead];
			vm->qhead = (vm->qhead + 1) % EVENT_QUEUE;
			vm->qlen--;
			pthread_mutex_unlock(&vm->lock);
			return 0;
		}
		pthread_mutex_unlock(&vm->lock);
		if (!lv_alive())
			return lv_fail(err, -EHOSTDOWN, "waiting for events");
		if (gone(vm, why, sizeof(why)))
			return err_fail(err, -ESRCH, "%s", why);
		sample_rss(vm, false);
		left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, left > RSS_SAMPLE_MS ? RSS_SAMPLE_MS : (int)left) > 0)
			(void)!read(vm->wake[0], drain, sizeof(drain));
	}
}

static int live_xml(struct lv_vm *vm, char **xml, struct err *err)
{
	*xml = virDomainGetXMLDesc(vm->dom, 0);
	return *xml ? 0 : lv_vm_fail(vm, err, -EIO, "reading the domain XML");
}

/*
 * Where virtio-mem devices start. libvirt 9.4 and later say so in the XML;
 * before that QEMU is asked once (query-memory-devices through libvirt's
 * monitor pass-through, read only).
 */
static int vmem_bases(struct lv_vm *vm, struct err *err)
{
	json_object *reply, *list;
	char *out = NULL;

	if (*vm->vmem_id[0])
		return 0;
	if (virDomainQemuMonitorCommand(vm->dom, "{\"execute\":\"query-memory-devices\"}", &out,
					0) < 0)
		return lv_fail(err, -EIO, "query-memory-devices");
	reply = json_tokener_parse(out);
	free(out);
	if (!reply || !json_object_object_get_ex(reply, "return", &list) ||
	    !json_object_is_type(list, json_type_array)) {
		json_object_put(reply);
		return err_fail(err, -EPROTO, "query-memory-devices: unexpected reply");
	}
	for (size_t i = 0, k = 0; i < json_object_array_length(list) && k < 4; i++) {
		json_object *d = json_object_array_get_idx(list, i), *t, *data, *id, *addr;

		if (!json_object_object_get_ex(d, "type", &t) ||
		    strcmp(json_object_get_string(t), "virtio-mem") ||
		    !json_object_object_get_ex(d, "data", &data) ||
		    !json_object_object_get_ex(data, "id", &id) ||
		    !json_object_object_get_ex(data, "memaddr", &addr))
			continue;
		str_copy(vm->vmem_id[k], sizeof(vm->vmem_id[k]), json_object_get_string(id));
		vm->vmem_base[k++] = (uint64_t)json_object_get_int64(addr);
	}
	json_object_put(reply);
	return 0;
}

static int lv_query_memory(struct vm *handle, struct vm_memory_device **devs, size_t *n,
			   struct err *err)
{
	struct lv_vm *vm = lv_of(handle);
	char *xml;
	bool have_base;
	int rc = live_xml(vm, &xml, err);

	if (rc)
		return rc;
	rc = lv_parse_memory(xml, devs, n, &have_base, err);
	free(xml);
	if (rc || have_base)
		return rc;
	rc = vmem_bases(vm, err);
	if (rc) {
		free(*devs);
		return rc;
	}
	for (size_t i = 0; i < *n; i++) {
		char alias[80];

		snprintf(alias, sizeof(alias), LV_ALIAS_PREFIX "%s", (*devs)[i].id);
		for (int k = 0; (*devs)[i].virtio_mem && k < 4; k++)
			if (!strcmp(vm->vmem_id[k], alias))
				(*devs)[i].addr = vm->vmem_base[k];
	}
	return 0;
}

static int lv_dimm_add(struct vm *handle, const char *id, uint64_t size, struct err *err)
{
	struct lv_vm *vm = lv_of(handle);
	char *xml = lv_dimm_xml(id, size);
	int rc = virDomainAttachDeviceFlags(vm->dom, xml, VIR_DOMAIN_AFFECT_LIVE);

	free(xml);
	return rc < 0 ? lv_vm_fail(vm, err, -EREMOTEIO, "attaching %s", id) : 0;
}

static int lv_dimm_del(struct vm *handle, const char *id, struct err *err)
{
	struct lv_vm *vm = lv_of(handle);
	char alias[96];

	snprintf(alias, sizeof(alias), LV_ALIAS_PREFIX "%s", id);
	/* Only sends the request; the answer is an event. */
	if (virDomainDetachDeviceAlias(vm->dom, alias, VIR_DOMAIN_AFFECT_LIVE) < 0)
		return lv_vm_fail(vm, err, -EREMOTEIO, "detaching %s", alias);
	return 0;
}

static int lv_virtio_mem_resize(struct vm *handle, const char *id, uint64_t requested,
				struct err *err)
{
	struct lv_vm *vm = lv_of(handle);
	char *xml, *dev;
	int rc = live_xml(vm, &xml, err);

	if (rc)
		return rc;
	dev = lv_virtio_mem_xml(xml, id, requested, err);
	free(xml);
	if (!dev)
		return -EPROTO;
	rc = virDomainUpdateDeviceFlags(vm->dom, dev, VIR_DOMAIN_AFFECT_LIVE);
	free(dev);
	return rc < 0 ? lv_vm_fail(vm, err, -EREMOTEIO, "resizing %s", id) : 0;
}

static int lv_status(struct vm *handle, struct vm_status *st, struct err *err)
{
	struct lv_vm *vm = lv_of(handle);
	static const char *const names[] = { "nostate", "running", "blocked", "paused",
					     "shutdown", "shutoff", "crashed", "pmsuspended" };
	virDomainInfo info;

	memset(st, 0, sizeof(*st));
	if (virDomainGetInfo(vm->dom, &info) < 0)
		return lv_fail(err, -EIO, "virDomainGetInfo");
	str_copy(st->state, sizeof(st->state),
		 info.state < ARRAY_SIZE(names) ? names[info.state] : "unknown");
	st->running = info.state == VIR_DOMAIN_RUNNING || info.state == VIR_DOMAIN_BLOCKED;
	st->cpu_ns = info.cpuTime;
	return 0;
}

static uint64_t lv_peak_rss(struct vm *handle)
{
	struct lv_vm *vm = lv_of(handle);

	sample_rss(vm, true);
	return vm->peak_rss;
}

static uint64_t lv_rss(struct vm *handle)
{
	struct lv_vm *vm = lv_of(handle);

	virDomainMemoryStatStruct st[VIR_DOMAIN_MEMORY_STAT_NR];
	int n = virDomainMemoryStats(vm->dom, st, VIR_DOMAIN_MEMORY_STAT_NR, 0);

	for (int i = 0; i < n; i++)
		if (st[i].tag == VIR_DOMAIN_MEMORY_STAT_RSS)
			return st[i].val << 10;
	return 0;
}

static const char *lv_version(struct vm *handle)
{
	struct lv_vm *vm = lv_of(handle);
	unsigned long hv = 0, lib = 0;

	if (!*vm->version) {
		virConnectGetVersion(lv.conn, &hv);
		virConnectGetLibVersion(lv.conn, &lib);
		snprintf(vm->version, sizeof(vm->version), "%lu.%lu.%lu via libvirt %lu.%lu.%lu",
			 hv / 1000000, hv / 1000 % 1000, hv % 1000, lib / 1000000, lib / 1000 % 1000,
			 lib % 1000);
	}
	return vm->version;
}

static void lv_host_info(struct vm *handle, char *host, size_t hostlen, char *kernel,
			 size_t kernlen, unsigned *cpus)
{
	struct lv_vm *vm = lv_of(handle);
	char *name = virConnectGetHostname(lv.conn);
	virNodeInfo info;

	(void)vm;
	if (name)
		str_copy(host, hostlen, name);
	free(name);
	if (virNodeGetInfo(lv.conn, &info) == 0)
		*cpus = info.cpus;
	/* libvirt does not report the host's kernel: keep uname's only when the
	 * daemon is on this machine (a URI without a server part). */
	if (!lv_uri_is_local(lv.uri))
		str_copy(kernel, kernlen, "");
}

static void lv_stop(struct vm *handle, char *why, size_t whylen)
{
	struct lv_vm *vm = lv_of(handle);

	if (why && whylen)
		*why = '\0';
	if (vm->dom) {
		if (!gone(vm, why, whylen))
			virDomainDestroy(vm->dom);
		close_console(vm);
		virDomainFree(vm->dom);
	}
	pthread_mutex_lock(&lv.lock);
	lv.vm = NULL;
	pthread_mutex_unlock(&lv.lock);
	if (vm->serial_fd >= 0)
		close(vm->serial_fd);
	close(vm->wake[0]);
	close(vm->wake[1]);
	pthread_mutex_destroy(&vm->lock);
	free(vm);
}

/* Until the agent answers a guest-ping, or the deadline. */
static int wait_agent(struct lv_vm *vm, int64_t deadline, struct err *err)
{
	char why[96];

	for (;;) {
		int rc = lv_agent(&vm->vm, "guest-ping", NULL, NULL, now_ms() + 1000, err);

		if (!rc || rc == -EHOSTDOWN)
			return rc;
		if (gone(vm, why, sizeof(why)))
			return err_fail(err, -ESRCH, "%s before its agent answered", why);
		if (now_ms() >= deadline)
			return err_wrap(err, -ETIMEDOUT, "the guest agent did not answer in time");
		sleep_ms(200);
	}
}

/* The host's paths of a guest's root disk: the disk uploaded into the pool
 * once (by content, like the kernel) and a fresh overlay volume over it,
 * named after the domain, that this guest alone writes to. */
struct host_disk {
	char base[4096], overlay[4096];
	struct lv_disk paths;
	virStorageVolPtr vol; /* the overlay */
};

static int host_disk(const struct vm_config *cfg, const char *name, struct host_disk *hd,
		     struct err *err)
{
	struct disk_info info;
	char vname[128];
	int rc = image_disk_probe(cfg->disk, &info, err);

	if (rc)
		return rc;
	if (info.backing)
		return err_fail(err, -EINVAL, "%s is a qcow2 with a backing file of its own: the "
				"libvirt backend uploads one file; flatten it first (qemu-img "
				"convert -O qcow2)", cfg->disk);
	rc = lv_image_upload(lv.conn, cfg->disk, "disk", info.format, hd->base, sizeof(hd->base),
			     err);
	if (rc)
		return rc;
	hd->paths = (struct lv_disk){ .overlay = hd->overlay, .backing = hd->base,
				      .backing_format = info.format };
	snprintf(vname, sizeof(vname), "%s-overlay.qcow2", name);
	hd->vol = lv_overlay_create(lv.conn, vname, info.virtual_size, &hd->paths, hd->overlay,
				    sizeof(hd->overlay), err);
	return hd->vol ? 0 : -EIO;
}

/* QEMU has the overlay open once the domain runs: its blocks go with it. */
static void host_disk_drop(struct host_disk *hd)
{
	if (!hd->vol)
		return;
	virStorageVolDelete(hd->vol, 0);
	virStorageVolFree(hd->vol);
	hd->vol = NULL;
}

static int lv_start(const struct vm_config *cfg, struct vm **out, struct err *err)
{
	char kernel[4096], initrd[4096], name[64], *xml;
	struct host_disk hd = { .vol = NULL };
	struct lv_vm *vm;
	FILE *log;
	int rc;

	*out = NULL;
	if (cfg->cxl_volatile)
		return err_fail(err, -EINVAL, "the libvirt backend cannot add CXL devices "
				"([hotplug] dax_source = cxl): use --backend qmp");
	if (cfg->nodes > 1)
		return err_fail(err, -EOPNOTSUPP, "[machine] nodes = %u: NUMA guests need the QMP "
				"backend (--backend qmp)", cfg->nodes);
	rc = lv_connect(cfg->libvirt.connect, err);
	if (rc)
		return rc;
	snprintf(name, sizeof(name), "memhp-%ld-%lx", (long)getpid(),
		 (unsigned long)now_ms() & 0xffffffUL);
	rc = lv_image_upload(lv.conn, cfg->kernel, "vmlinuz", "raw", kernel, sizeof(kernel), err);
	if (!rc)
		rc = lv_image_upload(lv.conn, cfg->initrd, "initrd", "raw", initrd, sizeof(initrd),
				     err);
	if (!rc && cfg->disk)
		rc = host_disk(cfg, name, &hd, err);
	if (rc)
		return lv_alive() || rc == -EINVAL ? rc
						   : lv_fail(err, -EHOSTDOWN, "uploading the guest image");

	vm = calloc(1, sizeof(*vm));
	if (!vm)
		abort();
	vm->vm.ops = &backend_libvirt;
	pthread_mutex_init(&vm->lock, NULL);
	vm->serial_fd = -1;
	if (pipe2(vm->wake, O_CLOEXEC | O_NONBLOCK)) {
		rc = -errno;
		host_disk_drop(&hd);
		pthread_mutex_destroy(&vm->lock);
		free(vm);
		return err_fail(err, rc, "pipe: %s", strerror(-rc));
	}
	str_copy(vm->name, sizeof(vm->name), name);
	vm->serial_fd = open(cfg->serial_log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	xml = lv_domain_xml(cfg, vm->name, kernel, initrd, cfg->disk ? &hd.paths : NULL, err);
	if (!xml) {
		host_disk_drop(&hd);
		lv_stop(&vm->vm, NULL, 0);
		return -EINVAL;
	}
	/* qemu.log: what memhp asked libvirt for (QEMU's own log stays on the
	 * host, in libvirt's log directory). */
	log = fopen(cfg->qemu_log, "we");
	if (log) {
		fprintf(log, "# libvirt %s, domain %s\n%s\n", lv.uri, vm->name, xml);
		fclose(log);
	}
	pthread_mutex_lock(&lv.lock);
	lv.vm = vm;
	pthread_mutex_unlock(&lv.lock);
	vm->dom = virDomainCreateXML(lv.conn, xml, VIR_DOMAIN_START_AUTODESTROY);
	free(xml);
	host_disk_drop(&hd);
	if (!vm->dom) {
		virErrorPtr e = virGetLastError();
		/* A domain the daemon rejects as configured is memhp's fault (or
		 * the scenario's); one that fails to start is the host's. */
		bool config = e && (e->code == VIR_ERR_XML_ERROR || e->code == VIR_ERR_XML_DETAIL ||
				    e->code == VIR_ERR_CONFIG_UNSUPPORTED ||
				    e->code == VIR_ERR_INVALID_ARG);

		rc = lv_fail(err, config ? -EINVAL : -EHOSTDOWN, "starting the domain");
		lv_stop(&vm->vm, NULL, 0);
		return rc;
	}
	if (vm->serial_fd >= 0)
		open_console(vm);
	rc = wait_agent(vm, cfg->boot_deadline, err);
	if (rc) {
		lv_stop(&vm->vm, NULL, 0);
		return rc;
	}
	*out = &vm->vm;
	return 0;
}

const struct backend_ops backend_libvirt = {
	.name = "libvirt",
	.caps = BACKEND_CAP_URI,
	.default_uri = BACKEND_LIBVIRT_DEFAULT_URI,
	.uri_check = lv_uri_check,
	.uri_is_local = lv_uri_is_local,
	.resolve_accel = lv_resolve_accel,
	.start = lv_start,
	.dimm_add = lv_dimm_add,
	.dimm_del = lv_dimm_del,
	/* No dimm_release: libvirt removes a DIMM's memory backend with the
	 * DIMM. No unplug_status: libvirt reports refusals as
	 * DEVICE_REMOVAL_FAILED events, not as _OST codes. */
	.virtio_mem_resize = lv_virtio_mem_resize,
	.query_memory = lv_query_memory,
	.wait_event = lv_wait_event,
	.agent = lv_agent,
	.status = lv_status,
	.peak_rss = lv_peak_rss,
	.rss = lv_rss,
	.version = lv_version,
	.host_info = lv_host_info,
	.stop = lv_stop,
};
