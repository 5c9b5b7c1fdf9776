// SPDX-License-Identifier: GPL-2.0-only
/* errmsg.h's setters, and two errno contracts of backend.h that once
 * came back as err_set()'s silent -EIO: resolve_accel's -EINVAL for an
 * accelerator that is not there, the libvirt XML reader's -EPROTO. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "backend.h"
#include "backend_libvirt_xml.h"
#include "errmsg.h"

static void test_setters(void **state)
{
	struct err err;

	(void)state;
	assert_int_equal(err_fail(&err, -EPROTO, "bad %s", "reply"), -EPROTO);
	assert_string_equal(err.msg, "bad reply");
	assert_int_equal(err_wrap(&err, -EPROTO, "query-memory-devices"), -EPROTO);
	assert_string_equal(err.msg, "query-memory-devices: bad reply");
	err_set(&err, "just %d", 1);
	assert_string_equal(err.msg, "just 1");
	assert_int_equal(err_fail(NULL, -ENOENT, "nobody listens"), -ENOENT);
}

/* backend.h: "-EINVAL: the choice is not available there". */
static void test_resolve_accel_einval(void **state)
{
	enum accel out;
	char reason[128];
	struct err err = { { 0 } };

	(void)state;
	if (!access("/dev/kvm", R_OK | W_OK))
		skip(); /* KVM is usable here: nothing to refuse */
	assert_int_equal(vm_resolve_accel(&backend_qmp, NULL, ACCEL_KVM, &out, reason,
					  sizeof(reason), &err), -EINVAL);
	assert_non_null(strstr(err.msg, "--accel kvm"));
	assert_int_equal(vm_resolve_accel(&backend_qmp, NULL, ACCEL_TCG, &out, reason,
					  sizeof(reason), &err), 0);
	assert_int_equal(out, ACCEL_USE_TCG);
}

/* backend.h: "-EPROTO the VMM or agent answered something malformed": a
 * live domain XML without what a device needs, each kind. */
static void test_libvirt_xml_eproto(void **state)
{
	static const char *const bad[] = {
		"<domain><devices><memory model='dimm'><target><size unit='KiB'>131072</size>"
		"</target><alias name='ua-dimm1'/></memory></devices></domain>",
		"<domain><devices><memory model='virtio-mem'><target><size unit='KiB'>1048576"
		"</size><requested unit='KiB'>0</requested></target><alias name='ua-vmem0'/>"
		"</memory></devices></domain>",
		"not xml at all",
	};
	struct vm_memory_device *d = NULL;
	bool have_base;
	struct err err;
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(lv_parse_memory(bad[i], &d, &n, &have_base, &err), -EPROTO);
		assert_null(d);
		assert_true(*err.msg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_setters),
		cmocka_unit_test(test_resolve_accel_einval),
		cmocka_unit_test(test_libvirt_xml_eproto),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
