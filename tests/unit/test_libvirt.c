// SPDX-License-Identifier: GPL-2.0-only
/* The libvirt backend's XML (built and read with libxml2) and URIs:
 * what memhp asks libvirt for, what it reads back from live domain XML as
 * libvirt 9.0 writes it, and errors for input that is not right. No daemon
 * here: tests/integration/test_libvirt.sh drives real ones; libvirt's own
 * schema (virt-xml-validate) judges the domain, pool and volume XML. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "backend_libvirt_uri.h"
#include "backend_libvirt_xml.h"

static struct vm_config base_config(void)
{
	static struct vm_virtio_mem vmem = { .id = "vmem0", .max_size = 1ULL << 30,
					     .block_size = 2ULL << 20 };

	return (struct vm_config){
		.kernel = "/k", .initrd = "/i", .cmdline = "console=ttyS0 a=\"b c\" <&>",
		.machine = "q35", .accel = ACCEL_USE_TCG, .cpus = 2, .memory = 1ULL << 30,
		.maxmem = 3ULL << 30, .slots = 4, .virtio_mem = &vmem, .nvirtio_mem = 1,
	};
}

/*
 * libvirt's own schema decides whether XML is something libvirt takes:
 * virt-xml-validate (libvirt-clients) against the schema named by kind
 * ("domain", "storagepool", "storagevol"). Returns its exit status.
 */
static int xml_validate(const char *xml, const char *kind)
{
	char path[] = "/tmp/memhp-test-xml-XXXXXX";
	int fd = mkstemp(path), status = -1;
	size_t len = strlen(xml);
	pid_t pid;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, xml, len), (ssize_t)len);
	close(fd);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0) { /* the verdict is the exit status */
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execlp("virt-xml-validate", "virt-xml-validate", path, kind, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	unlink(path);
	assert_true(WIFEXITED(status));
	assert_int_not_equal(WEXITSTATUS(status), 127); /* virt-xml-validate is there */
	return WEXITSTATUS(status);
}

/* xml with extra placed just before </devices>: a device inside a domain. */
static char *with_device(const char *xml, const char *extra)
{
	const char *end = strstr(xml, "</devices>");
	char *out;

	assert_non_null(end);
	assert_true(asprintf(&out, "%.*s%s%s", (int)(end - xml), xml, extra, end) > 0);
	return out;
}

/* virtio-mem properties libvirt 9 has no element for: refused by name, not
 * dropped silently. */
static void test_vmem_qemu_properties_refused(void **state)
{
	struct vm_virtio_mem vmem = { .id = "vmem0", .max_size = 1ULL << 30,
				      .block_size = 2ULL << 20, .dynamic_memslots = true };
	struct vm_config cfg = base_config();
	struct err err = { "" };
	char *xml;

	(void)state;
	cfg.virtio_mem = &vmem;
	assert_null(lv_domain_xml(&cfg, "n", "/k", "/i", NULL, &err));
	assert_non_null(strstr(err.msg, "dynamic_memslots and unplugged_inaccessible"));
	vmem.dynamic_memslots = false;
	vmem.unplugged_inaccessible = "off";
	assert_null(lv_domain_xml(&cfg, "n", "/k", "/i", NULL, &err));
	vmem.unplugged_inaccessible = NULL;
	xml = lv_domain_xml(&cfg, "n", "/k", "/i", NULL, &err);
	assert_non_null(xml);
	free(xml);
}

static void test_xml_schema(void **state)
{
	struct vm_config cfg = base_config();
	char *xml, *dimm, *both, *bad;
	struct err err;

	(void)state;
	xml = lv_domain_xml(&cfg, "memhp-1-a", "/pool/k", "/pool/it's & <ok>", NULL, &err);
	assert_non_null(xml);
	assert_int_equal(xml_validate(xml, "domain"), 0);
	dimm = lv_dimm_xml("dimm0", 128ULL << 20);
	both = with_device(xml, dimm);
	assert_int_equal(xml_validate(both, "domain"), 0);
	/* The check can fail: an element libvirt does not know is refused. */
	bad = with_device(xml, "<memory model='dimm'><bogus/></memory>");
	assert_int_not_equal(xml_validate(bad, "domain"), 0);
	free(bad);
	free(both);
	free(dimm);
	free(xml);

	cfg.accel = ACCEL_USE_KVM;
	cfg.free_page_reporting = true;
	cfg.nvirtio_mem = 0;
	xml = lv_domain_xml(&cfg, "n", "/k", "/i", NULL, &err);
	assert_int_equal(xml_validate(xml, "domain"), 0);
	free(xml);

	{
		const struct lv_disk disk = { .overlay = "/pool/memhp-1-a-overlay.qcow2",
					      .backing = "/pool/memhp-0123-disk & <x>",
					      .backing_format = "raw" };

		xml = lv_domain_xml(&cfg, "n", "/k", "/i", &disk, &err);
		assert_int_equal(xml_validate(xml, "domain"), 0);
		free(xml);
		xml = lv_overlay_xml("memhp-1-a-overlay.qcow2", 8ULL << 30, &disk);
		assert_int_equal(xml_validate(xml, "storagevol"), 0);
		free(xml);
	}

	xml = lv_pool_xml("memhp", "/var/lib/libvirt/memhp");
	assert_int_equal(xml_validate(xml, "storagepool"), 0);
	free(xml);
	xml = lv_volume_xml("memhp-0123-vmlinuz", 12345678, "raw");
	assert_int_equal(xml_validate(xml, "storagevol"), 0);
	free(xml);
	xml = lv_volume_xml("memhp-0123-disk", 12345678, "qcow2");
	assert_int_equal(xml_validate(xml, "storagevol"), 0);
	assert_non_null(strstr(xml, "<format type=\"qcow2\"/>"));
	free(xml);
}

static void test_domain_xml(void **state)
{
	struct vm_config cfg = base_config();
	struct err err;
	char *xml;

	(void)state;
	xml = lv_domain_xml(&cfg, "memhp-1-a", "/pool/memhp-x-vmlinuz", "/pool/it's & <ok>", NULL,
			    &err);
	assert_non_null(xml);
	assert_non_null(strstr(xml, "<domain type=\"qemu\">"));
	assert_non_null(strstr(xml, "<maxMemory unit=\"KiB\" slots=\"4\">3145728</maxMemory>"));
	assert_non_null(strstr(xml, "<memory unit=\"KiB\">1048576</memory>"));
	assert_non_null(strstr(xml, "machine=\"q35\""));
	assert_non_null(strstr(xml, "<cpu mode=\"maximum\" check=\"none\">"));
	assert_non_null(strstr(xml, "<cell id=\"0\" cpus=\"0-1\" memory=\"1048576\" unit=\"KiB\"/>"));
	/* Paths and the command line are escaped by libxml2. */
	assert_non_null(strstr(xml, "<initrd>/pool/it's &amp; &lt;ok&gt;</initrd>"));
	assert_non_null(strstr(xml, "<cmdline>console=ttyS0 a=\"b c\" &lt;&amp;&gt;</cmdline>"));
	assert_non_null(strstr(xml, "name=\"org.qemu.guest_agent.0\""));
	assert_non_null(strstr(xml, "<memballoon model=\"none\"/>"));
	assert_non_null(strstr(xml, "<memory model=\"virtio-mem\">"));
	assert_non_null(strstr(xml, "<block unit=\"KiB\">2048</block>"));
	assert_non_null(strstr(xml, "<requested unit=\"KiB\">0</requested>"));
	assert_non_null(strstr(xml, "<alias name=\"ua-vmem0\"/>"));
	free(xml);

	cfg.accel = ACCEL_USE_KVM;
	cfg.free_page_reporting = true;
	cfg.nvirtio_mem = 0;
	xml = lv_domain_xml(&cfg, "n", "/k", "/i", NULL, &err);
	assert_non_null(xml);
	assert_non_null(strstr(xml, "<domain type=\"kvm\">"));
	assert_non_null(strstr(xml, "mode=\"host-passthrough\""));
	assert_non_null(strstr(xml, "<memballoon model=\"virtio\" freePageReporting=\"on\"/>"));
	assert_null(strstr(xml, "virtio-mem"));
	free(xml);
}

/* A root disk: virtio disk vda on the overlay, its backing file named, and
 * the overlay volume over that disk. */
static void test_disk_xml(void **state)
{
	const struct lv_disk disk = { .overlay = "/pool/memhp-1-a-overlay.qcow2",
				      .backing = "/pool/memhp-0123-disk",
				      .backing_format = "qcow2" };
	struct vm_config cfg = base_config();
	struct err err;
	char *xml;

	(void)state;
	xml = lv_domain_xml(&cfg, "memhp-1-a", "/k", "/i", &disk, &err);
	assert_non_null(xml);
	assert_non_null(strstr(xml, "<disk type=\"file\" device=\"disk\">\n"
				    "      <driver name=\"qemu\" type=\"qcow2\" cache=\"unsafe\"/>\n"
				    "      <source file=\"/pool/memhp-1-a-overlay.qcow2\"/>\n"
				    "      <backingStore type=\"file\">\n"
				    "        <format type=\"qcow2\"/>\n"
				    "        <source file=\"/pool/memhp-0123-disk\"/>\n"
				    "        <backingStore/>\n"
				    "      </backingStore>\n"
				    "      <target dev=\"vda\" bus=\"virtio\"/>\n"
				    "    </disk>"));
	free(xml);
	xml = lv_domain_xml(&cfg, "memhp-1-a", "/k", "/i", NULL, &err);
	assert_null(strstr(xml, "<disk"));
	free(xml);
	xml = lv_overlay_xml("memhp-1-a-overlay.qcow2", 8ULL << 30, &disk);
	assert_string_equal(xml, "<volume>\n"
				 "  <name>memhp-1-a-overlay.qcow2</name>\n"
				 "  <capacity unit=\"bytes\">8589934592</capacity>\n"
				 "  <target>\n"
				 "    <format type=\"qcow2\"/>\n"
				 "  </target>\n"
				 "  <backingStore>\n"
				 "    <path>/pool/memhp-0123-disk</path>\n"
				 "    <format type=\"qcow2\"/>\n"
				 "  </backingStore>\n"
				 "</volume>");
	free(xml);
}

static void test_domain_xml_refuses(void **state)
{
	struct vm_config cfg = base_config();
	struct err err;

	(void)state;
	cfg.file_backend = "/dev/shm";
	assert_null(lv_domain_xml(&cfg, "n", "/k", "/i", NULL, &err));
	assert_non_null(strstr(err.msg, "backend = file"));
	cfg = base_config();
	cfg.machine = "q35,nvdimm=on";
	assert_null(lv_domain_xml(&cfg, "n", "/k", "/i", NULL, &err));
	assert_non_null(strstr(err.msg, "q35,nvdimm=on"));
}

static void test_dimm_xml(void **state)
{
	char *xml = lv_dimm_xml("dimm3", 256ULL << 20);

	(void)state;
	assert_string_equal(xml, "<memory model=\"dimm\">\n"
				 "  <target>\n"
				 "    <size unit=\"KiB\">262144</size>\n"
				 "    <node>0</node>\n"
				 "  </target>\n"
				 "  <alias name=\"ua-dimm3\"/>\n"
				 "</memory>");
	free(xml);
}

/* Live XML as libvirt 9.0 writes it (abridged). */
static const char live[] =
	"<domain type='qemu' id='1'><name>memhp-1</name><devices>"
	"<disk/>"
	"<memory model='virtio-mem'><target><size unit='KiB'>1048576</size><node>0</node>"
	"<block unit='KiB'>2048</block><requested unit='KiB'>524288</requested>"
	"<current unit='KiB'>262144</current></target><alias name='ua-vmem0'/>"
	"<address type='pci' domain='0x0000' bus='0x00' slot='0x04' function='0x0'/></memory>"
	"<memory model='dimm'><target><size unit='KiB'>262144</size><node>0</node></target>"
	"<alias name='ua-dimm0'/><address type='dimm' slot='0' base='0x140000000'/></memory>"
	"<memory model='dimm'><target><size unit='MiB'>256</size><node>0</node></target>"
	"<alias name='dimm1'/><address type='dimm' slot='1' base='0x150000000'/></memory>"
	"</devices></domain>";

static void test_parse_memory(void **state)
{
	struct vm_memory_device *d;
	bool have_base;
	struct err err;
	size_t n;

	(void)state;
	assert_int_equal(lv_parse_memory(live, &d, &n, &have_base, &err), 0);
	/* dimm1 has no user alias: not memhp's, skipped. */
	assert_int_equal(n, 2);
	assert_string_equal(d[0].id, "vmem0");
	assert_true(d[0].virtio_mem);
	assert_int_equal(d[0].max_size, 1ULL << 30);
	assert_int_equal(d[0].block_size, 2ULL << 20);
	assert_int_equal(d[0].requested_size, 512ULL << 20);
	assert_int_equal(d[0].size, 256ULL << 20);
	assert_false(have_base); /* 9.0 does not say where virtio-mem starts */
	assert_string_equal(d[1].id, "dimm0");
	assert_false(d[1].virtio_mem);
	assert_int_equal(d[1].addr, 0x140000000ULL);
	assert_int_equal(d[1].size, 256ULL << 20);
	assert_int_equal(d[1].slot, 0);
	free(d);
}

static void test_parse_memory_faults(void **state)
{
	struct vm_memory_device *d;
	bool have_base;
	struct err err;
	size_t n;

	(void)state;
	assert_int_equal(lv_parse_memory("<domain><devices>", &d, &n, &have_base, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "not XML"));
	assert_int_equal(lv_parse_memory("<domain><devices><memory model='dimm'><target><size>"
					 "lots</size></target><alias name='ua-dimm0'/></memory>"
					 "</devices></domain>", &d, &n, &have_base, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "dimm0"));
	assert_int_equal(lv_parse_memory("<domain><devices><memory model='dimm'><target><size "
					 "unit='parsecs'>1</size></target><alias name='ua-d'/>"
					 "<address base='0x1'/></memory></devices></domain>",
					 &d, &n, &have_base, &err), -EPROTO);
	/* No devices at all is fine. */
	assert_int_equal(lv_parse_memory("<domain/>", &d, &n, &have_base, &err), 0);
	assert_int_equal(n, 0);
	free(d);
}

static void test_virtio_mem_update(void **state)
{
	struct err err;
	char *xml = lv_virtio_mem_xml(live, "vmem0", 64ULL << 20, &err);

	(void)state;
	assert_non_null(xml);
	assert_non_null(strstr(xml, "<requested unit=\"KiB\">65536</requested>"));
	/* The rest stays as libvirt wrote it, so libvirt finds the device. */
	assert_non_null(strstr(xml, "<alias name=\"ua-vmem0\"/>"));
	assert_non_null(strstr(xml, "slot=\"0x04\""));
	assert_null(strstr(xml, "dimm"));
	free(xml);
	assert_null(lv_virtio_mem_xml(live, "vmem1", 0, &err));
	assert_non_null(strstr(err.msg, "vmem1"));
	assert_null(lv_virtio_mem_xml(live, "dimm0", 0, &err));
}

static void test_caps(void **state)
{
	(void)state;
	assert_true(lv_caps_hw_virt("<capabilities><host><cpu><arch>x86_64</arch>"
				    "<feature name='x2apic'/><feature name='vmx'/></cpu></host>"
				    "</capabilities>"));
	assert_false(lv_caps_hw_virt("<capabilities><host><cpu><model>kvm64</model>"
				     "<feature name='x2apic'/></cpu></host></capabilities>"));
	assert_false(lv_caps_hw_virt("not xml"));
}

static void test_uri(void **state)
{
	struct err err;

	(void)state;
	assert_int_equal(lv_uri_check("qemu+ssh://a.example/system", &err), 0);
	assert_int_equal(lv_uri_check("qemu:///system?socket=/x", &err), 0);
	assert_int_equal(lv_uri_check("qemu:///system extra", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "'qemu:///system extra' has a blank"));
	assert_int_equal(lv_uri_check("just-a-name", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "'just-a-name' is not a libvirt URI"));
	assert_int_equal(lv_uri_check(":x", &err), -EINVAL);
	assert_int_equal(lv_uri_check("q/emu:x", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "has a '/'"));
	assert_true(lv_uri_is_local("qemu:///system"));
	assert_true(lv_uri_is_local("qemu:///system?socket=/run/x"));
	assert_false(lv_uri_is_local("qemu+ssh://root@big1/system"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_domain_xml),
		cmocka_unit_test(test_vmem_qemu_properties_refused),
		cmocka_unit_test(test_xml_schema),
		cmocka_unit_test(test_disk_xml),
		cmocka_unit_test(test_domain_xml_refuses),
		cmocka_unit_test(test_dimm_xml),
		cmocka_unit_test(test_parse_memory),
		cmocka_unit_test(test_parse_memory_faults),
		cmocka_unit_test(test_virtio_mem_update),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_uri),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
